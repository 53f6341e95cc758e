import { describe, expect, it } from 'vitest';
import { RING_EMPTY, spinFor, SpscRing, WAIT_STRATEGIES, type WaitStrategy } from '../../src/shared/spsc-ring.js';
import { siblingModule, spawnWorker, workerExit } from '../../src/shared/worker-spawn.js';
import type { RingWorkerData, RingWorkerReport } from './workers/ring-worker.js';

describe('SpscRing on one thread', () => {
  it('rejects capacities that are not powers of two and bad record sizes', () => {
    for (const bad of [0, 1, 3, 6, 1000, -4, 2.5, 2 ** 31]) expect(() => SpscRing.create(bad)).toThrow(RangeError);
    for (const bad of [0, -1, 1.5, 2000]) expect(() => SpscRing.create(4, bad)).toThrow(RangeError);
  });

  it('reports full and empty explicitly and keeps FIFO order', () => {
    const ring = SpscRing.create(4, 1);
    expect(ring.tryPop1()).toBe(RING_EMPTY);
    expect(ring.peek()).toBe(-1);
    for (let i = 0; i < 4; i++) expect(ring.tryPush1(i)).toBe(true);
    expect(ring.tryPush1(99)).toBe(false);
    expect(ring.claim()).toBe(-1);
    expect(ring.size()).toBe(4);
    for (let i = 0; i < 4; i++) expect(ring.tryPop1()).toBe(i);
    expect(ring.tryPop1()).toBe(RING_EMPTY);
    expect(ring.size()).toBe(0);
  });

  it('copies multi-word records whole', () => {
    const ring = SpscRing.create(8, 3);
    expect(ring.tryPush([1, 2, 3])).toBe(true);
    expect(ring.tryPush(new Int32Array([4, 5, 6]))).toBe(true);
    const out = new Int32Array(3);
    expect(ring.tryPop(out)).toBe(true);
    expect([...out]).toEqual([1, 2, 3]);
    expect(ring.tryPop(out)).toBe(true);
    expect([...out]).toEqual([4, 5, 6]);
    expect(ring.tryPop(out)).toBe(false);
  });

  it('keeps working when the free-running counters wrap past 2^31', () => {
    const creator = SpscRing.create(8, 1);
    const header = new Int32Array(creator.shared.buffer, 0, 64);
    header[0] = 0x7ffffffa; // head
    header[16] = 0x7ffffffa; // tail
    const producer = SpscRing.attach(creator.shared);
    const consumer = SpscRing.attach(creator.shared);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 20; round++) {
      while (producer.tryPush1(next)) next++;
      expect(consumer.size()).toBe(8);
      for (let k = 0; k < 5; k++) expect(consumer.tryPop1()).toBe(expected++);
    }
    expect(header[16]).toBeLessThan(0); // tail did wrap
    while (consumer.tryPop1() !== RING_EMPTY) expected++;
    expect(expected).toBe(next);
  });

  it('sizes a ring for n records', () => {
    expect(SpscRing.capacityFor(1)).toBe(2);
    expect(SpscRing.capacityFor(200)).toBe(256);
    expect(SpscRing.capacityFor(256)).toBe(256);
  });

  it.each(['spin', 'spin-park', 'park'] as const)('waitForData(%s) times out on an empty ring and returns at once when data is there', (strategy) => {
    const ring = SpscRing.create(4, 1);
    const t0 = performance.now();
    expect(ring.waitForData(strategy, { timeoutMs: 30 })).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29);
    ring.tryPush1(7);
    expect(ring.waitForData(strategy, { timeoutMs: 30_000 })).toBe(true);
    ring.tryPush1(8);
    ring.tryPush1(9);
    ring.tryPush1(10);
    expect(ring.waitForSpace(strategy, { timeoutMs: 30 })).toBe(false);
    ring.tryPop1();
    expect(ring.waitForSpace(strategy, { timeoutMs: 30_000 })).toBe(true);
  });

  it('waitForDataAsync resolves false on timeout and true when data arrives later', async () => {
    const ring = SpscRing.create(4, 1);
    expect(await ring.waitForDataAsync(20)).toBe(false);
    const waiting = ring.waitForDataAsync(30_000);
    setImmediate(() => ring.tryPush1(1));
    expect(await waiting).toBe(true);
  });
});

describe('spinFor (spin-then-park)', () => {
  it('returns true as soon as the condition holds, false once the spin is spent', () => {
    let polls = 0;
    expect(spinFor(1_000_000, () => ++polls === 500)).toBe(true);
    expect(polls).toBe(500);
    const t0 = performance.now();
    expect(spinFor(300, () => false)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(0.3);
  });

  it('waitForDataAsync with a spin takes a record that is already there, or parks after the spin when none comes', async () => {
    const r = SpscRing.create(4, 1);
    r.tryPush1(7);
    expect(await r.waitForDataAsync(10, 100)).toBe(true);
    expect(r.tryPop1()).toBe(7);
    const t0 = performance.now();
    expect(await r.waitForDataAsync(20, 200)).toBe(false); // spun 0.2 ms, then parked until the timeout
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15); // the park's own timeout (timers may round)
  });
});

describe('SpscRing across real worker threads', () => {
  const RECORDS = 10_000_000;

  async function runPair(strategy: WaitStrategy, count: number, capacity: number): Promise<RingWorkerReport[]> {
    const ring = SpscRing.create(capacity, 3);
    const entry = siblingModule(import.meta.url, './workers/ring-worker');
    const start = (role: RingWorkerData['role']) => {
      const data: RingWorkerData = { role, ring: ring.shared, count, strategy };
      const worker = spawnWorker(entry, { workerData: data });
      const report = new Promise<RingWorkerReport>((resolve) => worker.once('message', resolve));
      return Promise.all([report, workerExit(worker)]).then(([r]) => r);
    };
    return Promise.all([start('consume'), start('produce')]);
  }

  it.each(WAIT_STRATEGIES)('passes 10 million records with none lost, duplicated, reordered or torn (%s)', async (strategy) => {
    const [consumer, producer] = await runPair(strategy, RECORDS, 1024);
    expect(producer.records).toBe(RECORDS);
    expect(consumer.firstError).toBeUndefined();
    expect(consumer.errors).toBe(0);
    expect(consumer.records).toBe(RECORDS);
  });

  it.each(WAIT_STRATEGIES)('survives a tiny ring where both sides wait constantly (%s)', async (strategy) => {
    const [consumer, producer] = await runPair(strategy, 100_000, 2);
    expect(consumer.errors).toBe(0);
    expect(consumer.records).toBe(100_000);
    expect(producer.records).toBe(100_000);
    expect(consumer.waits + producer.waits).toBeGreaterThan(0);
  });
});
