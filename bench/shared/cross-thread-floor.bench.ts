/**
 * The hardware floor of any cross-thread hand-off on this machine: two threads ping-pong one
 * Int32 each (on separate cache lines) with Atomics.store and a spinning Atomics.load — no ring,
 * no protocol. Half a round trip is the cost of moving one cache line between two cores, the
 * unit in which spsc-ring.bench.ts's hand-off figures should be read.
 */
import type { Worker } from 'node:worker_threads';
import { consume, defineSuite } from '../harness.js';
import { siblingModule, spawnWorker, workerExit } from '../../src/shared/worker-spawn.js';

let worker: Worker | undefined;
let words: Int32Array;

export default defineSuite({
  name: 'cross-thread floor',
  tasks: async () => {
    const buffer = new SharedArrayBuffer(256);
    words = new Int32Array(buffer);
    worker = spawnWorker(siblingModule(import.meta.url, './workers/pingpong-worker'), { workerData: buffer });
    while (Atomics.load(words, 32) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    let n = 0;
    return [
      {
        name: 'raw Atomics ping-pong, one way (RTT/2)',
        opsPerCall: 2,
        fn: () => {
          n = (n + 1) & 0x3fffffff;
          Atomics.store(words, 0, n);
          while (Atomics.load(words, 16) !== n);
          consume(n);
        },
      },
    ];
  },
  teardown: async () => {
    if (worker === undefined) return;
    const exited = workerExit(worker);
    Atomics.store(words, 0, -1);
    await exited;
  },
});
