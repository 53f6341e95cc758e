/**
 * Fixture for test/shared/token-bucket.test.ts: one thread hammering a shared bucket.
 *
 * Protocol: attach, post 'ready', park on the start flag (Atomics.wait), then call tryTake with
 * random sizes 1..10 until `startNs + durationMs` on the shared monotonic clock, and post the
 * tokens granted with the clock read after the last take.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TokenBucket, type TokenBucketShared, type TokenPriority } from '../../../src/shared/token-bucket.js';

export interface TokenBucketWorkerData {
  bucket: TokenBucketShared;
  /** Int32 [0]: start flag (0 wait, 1 go); BigInt64 at byte 8: start time, hrtime ns. */
  control: SharedArrayBuffer;
  durationMs: number;
  priority: TokenPriority;
}

export interface TokenBucketWorkerReport {
  type: 'done';
  granted: number;
  calls: number;
  denied: number;
  /** hrtime (ns) read after the last tryTake: every clock read of this thread's takes is earlier. */
  endNs: bigint;
}

const data = workerData as TokenBucketWorkerData;
const port = parentPort;
if (port === null) throw new Error('token-bucket-worker must run in a worker thread');

const bucket = TokenBucket.attach(data.bucket);
const flag = new Int32Array(data.control, 0, 1);
const start = new BigInt64Array(data.control, 8, 1);

port.postMessage({ type: 'ready' });
while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0);

const deadline = Atomics.load(start, 0) + BigInt(data.durationMs) * 1_000_000n;
let granted = 0;
let calls = 0;
let denied = 0;
do {
  const tokens = 1 + Math.floor(Math.random() * 10);
  calls++;
  if (bucket.tryTake(tokens, data.priority)) granted += tokens;
  else denied++;
} while (process.hrtime.bigint() < deadline);

const endNs = process.hrtime.bigint();
const report: TokenBucketWorkerReport = { type: 'done', granted, calls, denied, endNs };
port.postMessage(report);
