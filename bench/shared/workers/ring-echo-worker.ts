/**
 * Bench worker for spsc-ring.bench.ts: waits on the request ring with one wait strategy and
 * answers every record on the reply ring (echo), or, for a batch record, counts `n` records
 * and then answers once. A negative record stops it.
 */
import { workerData } from 'node:worker_threads';
import { SpscRing, type SpscRingShared, type WaitStrategy } from '../../../src/shared/spsc-ring.js';

export interface EchoWorkerData {
  requests: SpscRingShared;
  replies: SpscRingShared;
  strategy: WaitStrategy;
}

/** Request meaning "the next n records are a batch: reply once, after the last". */
export const BATCH_BASE = 1 << 30;

const { requests: reqShared, replies: repShared, strategy } = workerData as EchoWorkerData;
const requests = SpscRing.attach(reqShared);
const replies = SpscRing.attach(repShared);

const EMPTY = -0x80000000;

function reply(value: number): void {
  while (!replies.tryPush1(value)) replies.waitForSpace('spin');
}

/** Synchronous strategies: a plain loop (an async one would add a microtask per record). */
function serveSync(sync: Exclude<WaitStrategy, 'async'>): void {
  const next = (): number => {
    for (;;) {
      const value = requests.tryPop1();
      if (value !== EMPTY) return value;
      requests.waitForData(sync, { timeoutMs: 1_000 });
    }
  };
  for (;;) {
    const value = next();
    if (value < 0) return;
    if (value >= BATCH_BASE) for (let i = value - BATCH_BASE; i > 0; i--) next();
    reply(value);
  }
}

async function serveAsync(): Promise<void> {
  const next = async (): Promise<number> => {
    for (;;) {
      const value = requests.tryPop1();
      if (value !== EMPTY) return value;
      await requests.waitForDataAsync(1_000);
    }
  };
  for (;;) {
    const value = await next();
    if (value < 0) return;
    if (value >= BATCH_BASE) for (let i = value - BATCH_BASE; i > 0; i--) await next();
    reply(value);
  }
}

if (strategy === 'async') await serveAsync();
else serveSync(strategy);
