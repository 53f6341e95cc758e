import { describe, expect, it } from 'vitest';
import { fnv1a, planShards } from '../../../src/main/host/shards.js';

describe('planShards', () => {
  const tickers = Array.from({ length: 200 }, (_, i) => `KXM-${i}`);

  it('every market on exactly one shard, stable by ticker', () => {
    const p = planShards(tickers, 3, 2);
    expect(p.shards.flat().sort((a, b) => a - b)).toEqual(tickers.map((_, i) => i));
    for (const [s, markets] of p.shards.entries()) for (const i of markets) expect(fnv1a(tickers[i]) % 3).toBe(s);
    expect(p.inference).toEqual([[0, 2], [1]]);
    expect(planShards([...tickers].reverse(), 3, 2).shards.map((s) => s.map((i) => tickers[199 - i]).sort())).toEqual(p.shards.map((s) => s.map((i) => tickers[i]).sort()));
  });

  it('never more shards than markets, never an empty shard, never more inference workers than shards', () => {
    const p = planShards(['A', 'B'], 8, 8);
    expect(p.shards.length).toBeLessThanOrEqual(2);
    expect(p.shards.every((s) => s.length > 0)).toBe(true);
    expect(p.inference.length).toBe(p.shards.length);
    expect(planShards(tickers, 1, 1)).toEqual({ shards: [tickers.map((_, i) => i)], inference: [[0]] });
  });
});
