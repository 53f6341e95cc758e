/**
 * Fixture worker for spsc-ring.test.ts: one side of a ring under a given wait strategy.
 * Records are three words [i, ~i, i * 31] so that a torn (half-written) record is caught too.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SpscRing, type SpscRingShared, type WaitStrategy } from '../../../src/shared/spsc-ring.js';

export interface RingWorkerData {
  role: 'produce' | 'consume';
  ring: SpscRingShared;
  count: number;
  strategy: WaitStrategy;
}

export interface RingWorkerReport {
  role: 'produce' | 'consume';
  records: number;
  errors: number;
  firstError?: string;
  waits: number;
}

const { role, ring: shared, count, strategy } = workerData as RingWorkerData;
const ring = SpscRing.attach(shared);
const data = ring.data;
const report: RingWorkerReport = { role, records: 0, errors: 0, waits: 0 };

function fail(message: string): void {
  report.errors++;
  report.firstError ??= message;
}

async function produce(): Promise<void> {
  let i = 0;
  while (i < count) {
    const at = ring.claim();
    if (at < 0) {
      report.waits++;
      if (strategy === 'async') await ring.waitForSpaceAsync(5_000);
      else ring.waitForSpace(strategy, { timeoutMs: 5_000 });
      continue;
    }
    data[at] = i;
    data[at + 1] = ~i;
    data[at + 2] = Math.imul(i, 31);
    ring.publish();
    i++;
  }
  report.records = i;
}

async function consume(): Promise<void> {
  let expected = 0;
  while (expected < count) {
    const at = ring.peek();
    if (at < 0) {
      report.waits++;
      const ok = strategy === 'async' ? await ring.waitForDataAsync(10_000) : ring.waitForData(strategy, { timeoutMs: 10_000 });
      if (!ok) {
        fail(`no record for 10 s after record ${expected}`);
        break;
      }
      continue;
    }
    const i = data[at];
    if (i !== expected) fail(`record ${expected}: got ${i} (lost, duplicated or reordered)`);
    if (data[at + 1] !== ~i || data[at + 2] !== Math.imul(i, 31)) fail(`record ${i} torn`);
    ring.release();
    expected = i + 1;
    report.records++;
  }
  if (ring.peek() >= 0) fail('records left after the last one');
}

await (role === 'produce' ? produce() : consume());
parentPort!.postMessage(report);
