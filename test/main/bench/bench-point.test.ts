/**
 * One benchmark point end to end: the simulator in its own process, the host (real worker
 * threads, or inline) trading it; every stage measured, the loss check exact, a gap seen.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runPoint, type PointSettings } from '../../../src/main/bench/bench-point.js';
import type { LatencyFigures, PointResult } from '../../../src/main/bench/bench-types.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { keyId: `bench-test-${randomUUID()}`, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };

const settings = (over: Partial<PointSettings>): PointSettings => ({
  topology: 'threaded', markets: 20, rate: 2_000, seconds: 2, warmupS: 1, key, seed: 7, hostArgs: [],
  budget: { path: 'received→acked', p99Us: 1_000_000 }, ...over,
});

const fig = (p: PointResult, name: string): LatencyFigures => {
  const f = [...p.stages, ...p.paths].find((x) => x.name === name);
  if (f === undefined) throw new Error(`no figures for ${name}`);
  return f;
};

describe('runPoint', () => {
  it('threaded: measures every stage and path, loses nothing, reports memory and CPU', async () => {
    const p = await runPoint(settings({}));
    expect(p.markets).toBe(20);
    expect(p.seconds).toBeGreaterThan(1.5);
    // Open loop at 2,000/s: the simulator made about that many changes, and all reached the books.
    expect(p.generatedRate).toBeGreaterThan(1_500);
    expect(p.deliveredRate).toBeGreaterThan(1_500);
    expect(p.lostUpdates).toBe(0);
    expect(p.gaps).toBe(0);
    expect(p.backlogAfterDrain).toBe(0);
    // Every hop has samples: deltas, decisions, intents, orders and their answers.
    for (const f of [...p.stages, ...p.paths]) {
      expect(f.count, f.name).toBeGreaterThan(0);
      expect(f.p50Us, f.name).toBeGreaterThan(0);
      expect(f.p50Us, f.name).toBeLessThanOrEqual(f.p99Us);
      expect(f.p99Us, f.name).toBeLessThanOrEqual(f.maxUs * 1.0625);
    }
    expect(fig(p, 'received→applied').count).toBe(p.delivered);
    expect(fig(p, 'received→decided').count).toBe(p.decisions);
    expect(fig(p, 'decided→enqueued').count).toBe(p.intents);
    // A whole path holds its last hop, sample by sample, so its percentiles are at least the hop's.
    expect(fig(p, 'received→decided').p50Us).toBeGreaterThanOrEqual(fig(p, 'observed→decided').p50Us);
    expect(fig(p, 'received→written').p50Us).toBeGreaterThanOrEqual(fig(p, 'dequeued→written').p50Us);
    expect(fig(p, 'received→acked').p99Us).toBeGreaterThanOrEqual(fig(p, 'written→acked').p99Us);
    expect(p.ordersSent).toBeGreaterThan(0);
    expect(p.orderMix.place + p.orderMix.amend + p.orderMix.cancel).toBe(p.ordersSent);
    expect(p.presign).not.toBeNull(); // threaded: order creations are pre-signed
    expect(p.presign!.hits + p.presign!.misses).toBeGreaterThanOrEqual(p.orderMix.place);
    expect(p.presign!.hits).toBeGreaterThan(0);
    expect(p.memory.rssBytes).toBeGreaterThan(50 * 2 ** 20);
    expect(p.memory.heapUsedBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(p.memory.sharedBytes).toBeGreaterThan(0);
    expect(p.cpu.hostUs).toBeGreaterThan(0);
    expect(p.cpu.simUs).toBeGreaterThan(0);
    expect(p.cpu.perMessageUs).toBeCloseTo(p.cpu.hostUs / p.delivered, 6);
    expect(p.sustained).toBe(true); // the budget is generous on purpose: nothing lost, the rate delivered
    expect(p.shortfalls).toEqual([]);
  });

  it('inline: a sequence gap during the window is a lost update, and the point is not sustained', async () => {
    const p = await runPoint(settings({ topology: 'inline', onWindow: (sim) => sim.inject('gap') }));
    expect(p.topology).toBe('inline');
    expect(p.presign).toBeNull(); // inline: one thread, signed as sent
    expect(p.gaps).toBeGreaterThan(0);
    expect(p.lostUpdates).toBeGreaterThan(0);
    expect(p.sustained).toBe(false);
    expect(p.shortfalls).toContain('lost updates');
    expect(fig(p, 'received→decided').count).toBeGreaterThan(0);
  });
});
