import { describe, expect, it } from 'vitest';
import { channelsOf, fnv1a, planShards, shardFor } from '../../../src/main/host/shards.js';

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

describe('markets added while running', () => {
  it('shardFor: the ticker hash modulo the shards that exist', () => {
    for (const t of ['KXA-1', 'KXB-22', 'KXC-333']) {
      expect(shardFor(t, 3)).toBe(fnv1a(t) % 3);
      expect(shardFor(t, 1)).toBe(0);
    }
    expect(() => shardFor('KXA-1', 0)).toThrow(RangeError);
  });

  it('channelsOf: each shard\'s inference worker and its position among that worker\'s channels', () => {
    const p = { shards: [[0], [1], [2], [3], [4]], inference: [[0, 2, 4], [1, 3]] };
    expect(channelsOf(p)).toEqual([
      { worker: 0, channel: 0 }, { worker: 1, channel: 0 }, { worker: 0, channel: 1 }, { worker: 1, channel: 1 }, { worker: 0, channel: 2 },
    ]);
  });
});
