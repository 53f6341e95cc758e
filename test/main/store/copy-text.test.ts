/** COPY text encoding: escapes, NULLs, exact integers, refusals with a reason, extra fields. */
import { describe, expect, it } from 'vitest';
import { copyJson, escapeCopyText, RowEncoder, unescapeCopyText } from '../../../src/main/store/copy-text.js';
import { CASH_SNAPSHOTS, FILLS, MARKETS, SESSIONS, SETTLEMENTS } from '../../../src/main/store/tables.js';
import { NASTY } from './sample-records.js';

const fill = {
  session_id: 's', trade_id: 't', order_id: 'o', market_ticker: 'M', side: 'yes', yes_price: 5600, count: 1000, ts_ms: 1,
};

function fields(row: string): string[] {
  return row.split('\t');
}

describe('escapeCopyText', () => {
  it('escapes backslash, tab, LF and CR, and leaves everything else as it is', () => {
    expect(escapeCopyText('plain ticker KX-1')).toBe('plain ticker KX-1');
    expect(escapeCopyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(escapeCopyText('\\N')).toBe('\\\\N');
    expect(escapeCopyText('€ 日本 🚀')).toBe('€ 日本 🚀');
    for (const s of NASTY) {
      const e = escapeCopyText(s)!;
      expect(e).not.toMatch(/[\t\n\r]/);
      expect(unescapeCopyText(e)).toBe(s);
    }
  });

  it('refuses a NUL character and repairs a lone surrogate', () => {
    expect(escapeCopyText('a\u0000b')).toBeUndefined();
    expect(escapeCopyText('x\uD800y')).toBe('x\uFFFDy');
    expect(escapeCopyText('pair 🚀')).toBe('pair 🚀');
  });
});

describe('copyJson', () => {
  it('writes bigints as exact JSON numbers and escapes for COPY', () => {
    expect(copyJson({ a: 2n ** 64n, b: [1n, -3n], s: 'x' })).toBe('{"a":18446744073709551616,"b":[1,-3],"s":"x"}');
    expect(copyJson({ s: 'tab\there\\' })).toBe('{"s":"tab\\\\there\\\\\\\\"}');
  });

  it('refuses what jsonb cannot hold: NUL, circular structures; repairs lone surrogates', () => {
    expect(copyJson({ s: 'a\u0000' })).toBeUndefined();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(copyJson(loop)).toBeUndefined();
    expect(copyJson({ s: 'x\uDC00' })).toBe('{"s":"x\\\\ufffd"}');
    expect(copyJson({ s: 'keep \\\\ud800 text' })).toBe(escapeCopyText(JSON.stringify({ s: 'keep \\\\ud800 text' })));
  });
});

describe('RowEncoder', () => {
  const enc = new RowEncoder();

  it('writes columns in order, NULL as \\N, booleans as t/f, and extra fields as JSON last', () => {
    const row = enc.encode(FILLS, { ...fill, is_taker: true, client_order_id: null, venue: 'x' })!;
    const f = fields(row);
    expect(f).toHaveLength(FILLS.columns.length + 1);
    expect(f[FILLS.columns.findIndex((c) => c.name === 'is_taker')]).toBe('t');
    expect(f[FILLS.columns.findIndex((c) => c.name === 'client_order_id')]).toBe('\\N');
    expect(f[f.length - 1]).toBe('{"venue":"x"}');
    expect(fields(enc.encode(FILLS, fill)!).at(-1)).toBe('\\N');
  });

  it('keeps integers exact: safe numbers and bigints, int4 and int8 ranges', () => {
    const big = enc.encode(CASH_SNAPSHOTS, { session_id: 's', source: 'x', ts_ms: 1, balance_micros: 2n ** 63n - 1n })!;
    expect(fields(big)[3]).toBe('9223372036854775807');
    expect(enc.encode(CASH_SNAPSHOTS, { session_id: 's', source: 'x', ts_ms: 1, balance_micros: 2n ** 63n })).toBeUndefined();
    expect(enc.reason).toBe('type:balance_micros');
    expect(enc.encode(FILLS, { ...fill, yes_price: 2 ** 31 })).toBeUndefined();
    expect(enc.reason).toBe('type:yes_price');
    expect(enc.encode(FILLS, { ...fill, count: 1.5 })).toBeUndefined();
    expect(enc.reason).toBe('type:count');
    expect(enc.encode(FILLS, { ...fill, count: '1000' })).toBeUndefined();
    expect(enc.encode(FILLS, { ...fill, count: 2 ** 53 })).toBeUndefined();
    expect(fields(enc.encode(FILLS, { ...fill, count: -(2 ** 53 - 1) })!)[8]).toBe('-9007199254740991');
  });

  it('refuses a record without a natural-key field, naming it', () => {
    const { trade_id: _t, ...noTrade } = fill;
    expect(enc.encode(FILLS, noTrade)).toBeUndefined();
    expect(enc.reason).toBe('missing:trade_id');
    expect(enc.encode(FILLS, { ...fill, order_id: null })).toBeUndefined();
    expect(enc.reason).toBe('missing:order_id');
    expect(enc.encode(FILLS, { ...fill, side: 1 })).toBeUndefined();
    expect(enc.reason).toBe('type:side');
    expect(enc.encode(FILLS, { ...fill, market_ticker: 'nul\u0000' })).toBeUndefined();
    expect(enc.reason).toBe('nul:market_ticker');
    expect(enc.encode(SESSIONS, { session_id: 's', config: { bad: 'x\u0000' } })).toBeUndefined();
    expect(enc.reason).toBe('json:config');
  });

  it('leaves a routed record\'s discriminator out of extra, and merges a caller\'s own extra', () => {
    expect(fields(enc.encode(SETTLEMENTS, { source: 'settlement', session_id: 's', market_ticker: 'M' })!).at(-1)).toBe('\\N');
    expect(fields(enc.encode(MARKETS, { type: 'market', market_ticker: 'M' })!).at(-1)).toBe('\\N');
    expect(fields(enc.encode(FILLS, { ...fill, extra: { a: 1 }, b: 2 })!).at(-1)).toBe('{"a":1,"b":2}');
    expect(fields(enc.encode(FILLS, { ...fill, extra: 'note' })!).at(-1)).toBe('{"extra":"note"}');
  });
});
