/** Checked boundary readers: a typed KalshiSchemaError with the field's path for every bad shape. */
import { describe, expect, it } from 'vitest';
import * as d from '../../../src/shared/kalshi/decode.js';

const err = (fn: () => unknown): d.KalshiSchemaError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(d.KalshiSchemaError);
    return e as d.KalshiSchemaError;
  }
  throw new Error('expected a KalshiSchemaError');
};

describe('decode', () => {
  const order = {
    order_id: 'ee587a1c', yes_price_dollars: '0.5600', fill_count_fp: '10.00', position_fp: '-3.50',
    fee_cost: '0.010000', status: 'resting', created_time: '2026-01-01T00:00:00Z', ts_ms: 1767225600000, post_only: false,
    levels: [['0.4100', '10.00']], nothing: null,
  };

  it('reads exact fixed-point fields', () => {
    expect(d.reqPrice(order, 'yes_price_dollars', 'order')).toBe(5600);
    expect(d.reqCount(order, 'fill_count_fp', 'order')).toBe(1000);
    expect(d.reqSignedCount(order, 'position_fp', 'order')).toBe(-350);
    expect(d.reqMoney(order, 'fee_cost', 'order')).toBe(10_000);
    expect(d.reqEnum(order, 'status', 'order', ['resting', 'canceled', 'executed'] as const)).toBe('resting');
    expect(d.reqTimeMs(order, 'created_time', 'order')).toBe(1767225600000);
    expect(d.reqInt(order, 'ts_ms', 'order')).toBe(1767225600000);
    expect(d.reqBoolean(order, 'post_only', 'order')).toBe(false);
    expect(d.reqId(order, 'order_id', 'order')).toBe('ee587a1c');
    expect(d.reqArray(order, 'levels', 'book', d.priceLevel)).toEqual([[4100, 1000]]);
  });

  it('opt* read absent and null as undefined, an empty list for arrays', () => {
    for (const key of ['missing', 'nothing']) {
      expect(d.optPrice(order, key, 'o')).toBeUndefined();
      expect(d.optCount(order, key, 'o')).toBeUndefined();
      expect(d.optMoney(order, key, 'o')).toBeUndefined();
      expect(d.optString(order, key, 'o')).toBeUndefined();
      expect(d.optInt(order, key, 'o')).toBeUndefined();
      expect(d.optEnum(order, key, 'o', ['a'] as const)).toBeUndefined();
      expect(d.optBoolean(order, key, 'o')).toBeUndefined();
      expect(d.optTimeMs(order, key, 'o')).toBeUndefined();
      expect(d.optObject(order, key, 'o')).toBeUndefined();
      expect(d.optArray(order, key, 'o', d.priceLevel)).toEqual([]);
    }
  });

  it('names the path, what was expected and what came', () => {
    let e = err(() => d.reqPrice({ p: '0.12345' }, 'p', 'market'));
    expect([e.path, e.found]).toEqual(['market.p', '"0.12345"']);
    expect(e.message).toBe('exchange sent an invalid market.p: expected a price string in [0, 1] with at most 4 decimals, got "0.12345"');
    e = err(() => d.reqPrice({ p: 0.56 }, 'p', 'm'));
    expect(e.found).toBe('0.56');
    e = err(() => d.reqCount({}, 'count_fp', 'fill'));
    expect(e.found).toBe('missing');
    e = err(() => d.reqCount({ c: '-1.00' }, 'c', ''));
    expect(e.path).toBe('c');
    e = err(() => d.reqEnum({ s: 'pending' }, 's', 'order', ['resting', 'canceled'] as const));
    expect(e.message).toContain('one of resting|canceled');
    e = err(() => d.reqArray({ l: [['0.41', '1.00'], ['0.42', 'x']] }, 'l', 'book', d.priceLevel));
    expect(e.path).toBe('book.l[1][1]');
    e = err(() => d.reqArray({ l: [['0.41']] }, 'l', 'book', d.priceLevel));
    expect(e.path).toBe('book.l[0]');
    e = err(() => d.asObject([], 'reply'));
    expect(e.found).toBe('an array of 0');
    e = err(() => d.reqInt({ n: 1.5 }, 'n', ''));
    expect(e.expected).toBe('an integer');
    e = err(() => d.reqInt({ n: 2 ** 60 }, 'n', ''));
    expect(e.expected).toBe('an integer');
    e = err(() => d.reqNumber({ n: Number.NaN }, 'n', ''));
    expect(e.expected).toBe('a finite number');
    e = err(() => d.reqTimeMs({ t: 'yesterday' }, 't', ''));
    expect(e.expected).toBe('an RFC 3339 time');
    for (const t of ['2024-12-01T10:00:00', '2024-02-30T10:00:00Z', '2024-12-01 10:00:00Z', '2024-12-01T25:00:00Z']) {
      expect(err(() => d.reqTimeMs({ t }, 't', '')).expected, t).toBe('an RFC 3339 time');
    }
    expect(d.reqTimeMs({ t: '2024-12-01T10:00:00.123+02:00' }, 't', '')).toBe(Date.UTC(2024, 11, 1, 8, 0, 0, 123));
    e = err(() => d.reqId({ id: '' }, 'id', 'order'));
    expect(e.expected).toBe('a non-empty string');
    e = err(() => d.optBoolean({ b: 'true' }, 'b', ''));
    expect(e.found).toBe('"true"');
  });

  it('shows long values truncated', () => {
    const e = err(() => d.reqPrice({ p: 'x'.repeat(500) }, 'p', ''));
    expect(e.found.length).toBeLessThanOrEqual(66);
    expect(e.found.endsWith('…')).toBe(true);
    expect(d.show({ a: 1 })).toBe('an object');
    expect(d.show(undefined)).toBe('missing');
    expect(d.show(null)).toBe('null');
  });
});
