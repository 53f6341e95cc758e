import { afterEach, describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { siblingModule, spawnWorker, workerExit } from '../../src/shared/worker-spawn.js';
import {
  MAX_RATE_PER_SECOND,
  TokenBucket,
  type TokenBucketOptions,
} from '../../src/shared/token-bucket.js';
import { expectBucketError, fakeClock, takeAll } from '../support/token-bucket.js';
import type { TokenBucketWorkerData, TokenBucketWorkerReport } from './workers/token-bucket-worker.js';

const MS = 1_000_000n; // ns
const US = 1_000n; // ns

function bucketWith(options: Omit<TokenBucketOptions, 'now'>) {
  const clock = fakeClock();
  return { bucket: TokenBucket.create({ ...options, now: clock.now }), clock };
}

describe('TokenBucket, one thread', () => {
  it('starts full, grants a burst up to capacity, then denies', () => {
    const { bucket } = bucketWith({ ratePerSecond: 10, capacity: 50 });
    expect(bucket.available()).toBe(50);
    for (let i = 0; i < 5; i++) expect(bucket.tryTake(10)).toBe(true);
    expect(bucket.tryTake(10)).toBe(false);
    expect(bucket.tryTake(1)).toBe(false);
    expect(bucket.available()).toBe(0);
  });

  it('refills continuously at the rate and never above capacity', () => {
    const { bucket, clock } = bucketWith({ ratePerSecond: 10, capacity: 50 });
    takeAll(bucket, 1);
    clock.advance(99_999n * US); // just short of one token (100 ms per token)
    expect(bucket.tryTake(1)).toBe(false);
    clock.advance(1n * US);
    expect(bucket.tryTake(1)).toBe(true);
    expect(bucket.tryTake(1)).toBe(false);
    clock.advance(1_000n * MS);
    expect(bucket.available()).toBe(10);
    expect(takeAll(bucket, 1)).toBe(10);
    clock.advance(3_600_000n * MS); // an idle hour fills the bucket, no more
    expect(bucket.available()).toBe(50);
    expect(takeAll(bucket, 1)).toBe(50);
  });

  it('is exact for a rate whose token interval is not a whole number of µs', () => {
    const { bucket, clock } = bucketWith({ ratePerSecond: 3, capacity: 3 });
    expect(takeAll(bucket, 1)).toBe(3);
    clock.advance(333_333n * US); // 1/3 s is 333,333.3 µs
    expect(bucket.tryTake(1)).toBe(false);
    clock.advance(1n * US);
    expect(bucket.tryTake(1)).toBe(true);
    // Over 300 s exactly 900 tokens, no drift.
    let granted = 0;
    for (let ms = 0; ms < 300_000; ms++) {
      clock.advance(MS);
      if (bucket.tryTake(1)) granted++;
    }
    expect(granted).toBe(900);
  });

  it('keeps the reserve for priority takes', () => {
    const { bucket, clock } = bucketWith({ ratePerSecond: 100, capacity: 100, reserve: 20 });
    expect(takeAll(bucket, 10, 'normal')).toBe(80); // stops at the floor
    expect(bucket.available()).toBe(20);
    expect(bucket.tryTake(1, 'normal')).toBe(false);
    expect(bucket.tryTake(10, 'priority')).toBe(true);
    clock.advance(100n * MS); // +10 tokens: level 20, still not above the floor
    expect(bucket.tryTake(1, 'normal')).toBe(false);
    clock.advance(10n * MS); // +1: level 21
    expect(bucket.tryTake(1, 'normal')).toBe(true);
    expect(bucket.tryTake(1, 'normal')).toBe(false);
    expect(takeAll(bucket, 1, 'priority')).toBe(20); // priority may empty it
    expect(bucket.available()).toBe(0);
  });

  it('reports how long until a take would succeed', () => {
    const { bucket, clock } = bucketWith({ ratePerSecond: 10, capacity: 10, reserve: 2 });
    expect(bucket.waitTimeMs(8)).toBe(0);
    expect(bucket.tryTake(8)).toBe(true); // level 2 = the floor
    expect(bucket.waitTimeMs(1, 'priority')).toBe(0);
    expect(bucket.waitTimeMs(1, 'normal')).toBe(100);
    expect(bucket.waitTimeMs(2, 'priority')).toBe(0);
    expect(bucket.tryTake(2, 'priority')).toBe(true); // empty
    expect(bucket.waitTimeMs(1, 'priority')).toBe(100);
    expect(bucket.waitTimeMs(5, 'priority')).toBe(500);
    expect(bucket.waitTimeMs(5, 'normal')).toBe(700);
    clock.advance(40n * MS);
    expect(bucket.waitTimeMs(5, 'normal')).toBe(660);
    clock.advance(660n * MS - 1n * US);
    expect(bucket.tryTake(5, 'normal')).toBe(false);
    expect(bucket.waitTimeMs(5, 'normal')).toBe(0.001);
    clock.advance(1n * US);
    expect(bucket.waitTimeMs(5, 'normal')).toBe(0);
    expect(bucket.tryTake(5, 'normal')).toBe(true);

    const thirds = bucketWith({ ratePerSecond: 3, capacity: 3 });
    takeAll(thirds.bucket, 1);
    expect(thirds.bucket.waitTimeMs(1)).toBe(333.334); // rounded up to the µs
  });

  it('rejects bad parameters and impossible requests with a typed RangeError', () => {
    const ok = { ratePerSecond: 10, capacity: 100 };
    for (const ratePerSecond of [0, -1, 1.5, Number.NaN, Infinity, MAX_RATE_PER_SECOND + 1]) {
      expectBucketError(() => TokenBucket.create({ ...ok, ratePerSecond }), 'ERR_TOKEN_BUCKET_PARAMS');
    }
    for (const capacity of [0, -5, 2.5, Number.NaN]) {
      expectBucketError(() => TokenBucket.create({ ...ok, capacity }), 'ERR_TOKEN_BUCKET_PARAMS');
    }
    for (const reserve of [-1, 0.5, 100, 101]) {
      expectBucketError(() => TokenBucket.create({ ...ok, reserve }), 'ERR_TOKEN_BUCKET_PARAMS');
    }
    const bucket = TokenBucket.create({ ...ok, reserve: 30 });
    for (const tokens of [0, -1, 1.5, Number.NaN, 101]) {
      expectBucketError(() => bucket.tryTake(tokens, 'priority'), 'ERR_TOKEN_BUCKET_TOKENS');
      expectBucketError(() => bucket.waitTimeMs(tokens, 'priority'), 'ERR_TOKEN_BUCKET_TOKENS');
    }
    // A normal take above capacity − reserve could never succeed.
    expectBucketError(() => bucket.tryTake(71, 'normal'), 'ERR_TOKEN_BUCKET_TOKENS');
    expect(bucket.tryTake(70, 'normal')).toBe(true);
    expect(bucket.tryTake(30, 'priority')).toBe(true);
  });

  it('attaches through a structured clone of its handle and shares the state', () => {
    const { bucket, clock } = bucketWith({ ratePerSecond: 10, capacity: 20, reserve: 5 });
    const other = TokenBucket.attach(structuredClone(bucket.shared), { now: clock.now });
    expect([other.ratePerSecond, other.capacity, other.reserve]).toEqual([10, 20, 5]);
    expect(bucket.tryTake(15)).toBe(true);
    expect(other.tryTake(1)).toBe(false);
    expect(other.tryTake(5, 'priority')).toBe(true);
    expect(bucket.available()).toBe(0);
    expectBucketError(() => TokenBucket.attach({ buffer: new SharedArrayBuffer(64), byteOffset: 0 }), 'ERR_TOKEN_BUCKET_BUFFER');
    expectBucketError(() => TokenBucket.attach({ buffer: bucket.shared.buffer, byteOffset: 8 }), 'ERR_TOKEN_BUCKET_BUFFER');
  });
});

describe('TokenBucket, many threads', () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.terminate()));
  });

  it('never grants more than capacity + rate × elapsed to three hammering threads', async () => {
    const RATE = 2_000;
    const CAPACITY = 500;
    const DURATION_MS = 1_500;
    const created = process.hrtime.bigint();
    const bucket = TokenBucket.create({ ratePerSecond: RATE, capacity: CAPACITY, reserve: 100 });
    const control = new SharedArrayBuffer(16);
    const flag = new Int32Array(control, 0, 1);
    const startNs = new BigInt64Array(control, 8, 1);

    const ready: Promise<void>[] = [];
    const reports: Promise<TokenBucketWorkerReport>[] = [];
    const exits: Promise<void>[] = [];
    for (let i = 0; i < 3; i++) {
      const workerData: TokenBucketWorkerData = {
        bucket: bucket.shared, control, durationMs: DURATION_MS, priority: i === 0 ? 'priority' : 'normal',
      };
      const worker = spawnWorker(siblingModule(import.meta.url, './workers/token-bucket-worker'), { workerData });
      workers.push(worker);
      exits.push(workerExit(worker));
      ready.push(new Promise((resolve) => {
        worker.on('message', (m: { type: string }) => { if (m.type === 'ready') resolve(); });
      }));
      reports.push(new Promise((resolve) => {
        worker.on('message', (m: TokenBucketWorkerReport) => { if (m.type === 'done') resolve(m); });
      }));
    }
    // Start together once all three are parked on the flag (or fail if one dies first).
    await Promise.race([Promise.all(ready), Promise.all(exits).then(() => { throw new Error('a worker exited early'); })]);
    const started = process.hrtime.bigint();
    Atomics.store(startNs, 0, started);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    const results = await Promise.all(reports);
    await Promise.all(exits);
    const finished = process.hrtime.bigint();

    const total = results.reduce((sum, r) => sum + r.granted, 0);
    const seconds = (from: bigint, to: bigint): number => Number(to - from) / 1e9;
    // The budget since creation, as specified...
    expect(total).toBeLessThanOrEqual(CAPACITY + RATE * seconds(created, finished));
    // ...and over the exact window in which the workers' takes read the clock, from the start
    // signal to the last worker's final clock read (+1 µs: the bucket's clock is truncated to
    // µs, see the guarantee in token-bucket.ts). This one has almost no slack.
    const lastClockRead = results.reduce((max, r) => (r.endNs > max ? r.endNs : max), started);
    expect(total).toBeLessThanOrEqual(CAPACITY + RATE * (seconds(started, lastClockRead) + 1e-6));
    // It really grants: demand far exceeds supply, so it should hand out about the budget.
    expect(total).toBeGreaterThanOrEqual(0.5 * RATE * (DURATION_MS / 1000));
    expect(results.some((r) => r.denied > 0)).toBe(true);
  });
});
