/** RowBatcher: routing by kind, sealing at the chunk size, snapshot at write, counted refusals. */
import { describe, expect, it } from 'vitest';
import { RowBatcher, type Chunk } from '../../../src/main/store/row-batcher.js';

const fill = (i: number) => ({
  session_id: 's', trade_id: `t${i}`, order_id: 'o', market_ticker: 'M', side: 'yes', yes_price: 1, count: 1, ts_ms: i,
});

describe('RowBatcher', () => {
  it('puts each kind in its table\'s chunk, settlements and market definitions in their own', () => {
    const out: Chunk[] = [];
    const b = new RowBatcher((c) => out.push(c));
    b.add('fill', fill(1));
    b.add('fill', { source: 'settlement', session_id: 's', market_ticker: 'M' });
    b.add('market_data', { type: 'market', market_ticker: 'M' });
    b.add('market_data', { session_id: 's', seq: 1, market_ticker: 'M', type: 'delta' });
    b.add('session', { session_id: 's' });
    expect(out).toHaveLength(0);
    expect(b.openRows).toBe(5);
    b.sealAll();
    expect(out.map((c) => `${c.table}:${c.rows}`).sort()).toEqual(['fills:1', 'market_data:1', 'markets:1', 'sessions:1', 'settlements:1']);
    expect(b.openRows).toBe(0);
    expect(b.openBytes).toBe(0);
    for (const c of out) expect(c.text.endsWith('\n')).toBe(true);
  });

  it('seals a chunk once it reaches chunkBytes, rows intact and in order', () => {
    const out: Chunk[] = [];
    let now = 1000;
    const b = new RowBatcher((c) => out.push(c), 1024, () => now++);
    for (let i = 0; i < 100; i++) b.add('fill', fill(i));
    b.sealAll();
    expect(out.length).toBeGreaterThanOrEqual(3);
    for (const c of out.slice(0, -1)) expect(c.text.length).toBeGreaterThanOrEqual(1024);
    const lines = out.flatMap((c) => c.text.split('\n').slice(0, -1));
    expect(lines).toHaveLength(100);
    expect(lines.map((l) => l.split('\t')[1])).toEqual(Array.from({ length: 100 }, (_, i) => `t${i}`));
    expect(out.reduce((n, c) => n + c.rows, 0)).toBe(100);
    expect(out[0].firstAtMs).toBe(1000);
  });

  it('encodes at write: a record changed afterwards is journaled as it was', () => {
    const out: Chunk[] = [];
    const b = new RowBatcher((c) => out.push(c));
    const r = { ...fill(1), extra: { n: 1 } };
    b.add('fill', r);
    r.trade_id = 'changed';
    r.extra.n = 2;
    b.sealAll();
    expect(out[0].text).toContain('\tt1\t');
    expect(out[0].text).toContain('{"n":1}');
  });

  it('counts refusals by kind and reason, never throws, and folds reasons past 200 into other', () => {
    const b = new RowBatcher(() => undefined);
    expect(b.add('fill', { ...fill(1), trade_id: undefined })).toBe(false);
    expect(b.add('nonsense', {})).toBe(false);
    expect(b.add('fill', null as unknown as Record<string, unknown>)).toBe(false);
    const throwing = Object.defineProperty({ ...fill(2) }, 'count', { get() { throw new Error('boom'); }, enumerable: true });
    expect(b.add('fill', throwing)).toBe(false);
    for (let i = 0; i < 300; i++) b.add(`kind${i}`, {});
    expect(b.rejectedTotal).toBe(304);
    const counts = b.takeRejected()!;
    expect(counts['fill:missing:trade_id']).toBe(1);
    expect(counts['nonsense:unknown_kind']).toBe(1);
    expect(counts['fill:not_an_object']).toBe(1);
    expect(counts['fill:unreadable']).toBe(1);
    expect(Object.keys(counts).length).toBeLessThanOrEqual(201);
    expect(counts.other).toBeGreaterThan(0);
    expect(b.takeRejected()).toBeUndefined();
    expect(b.accepted).toBe(0);
  });
});
