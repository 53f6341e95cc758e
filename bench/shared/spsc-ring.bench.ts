/**
 * SpscRing: push/pop on one thread, and the cross-thread hand-off under each wait strategy.
 *
 * - `hop` measures a round trip main → worker → main and reports half of it: the one-way
 *   hand-off latency, with the worker (and main) waiting under the strategy named.
 * - `stream` pushes a batch of 1,000 records to the worker, which drains them under the
 *   strategy and answers once: the cost per record of a sustained cross-thread stream.
 * Each strategy is its own suite so that a spinning worker lives only while it is measured.
 */
import { consume, defineSuite, type MicroSuite } from '../harness.js';
import { RING_EMPTY, SpscRing, WAIT_STRATEGIES, type WaitStrategy } from '../../src/shared/spsc-ring.js';
import { siblingModule, spawnWorker, workerExit } from '../../src/shared/worker-spawn.js';
import type { Worker } from 'node:worker_threads';
import type { EchoWorkerData } from './workers/ring-echo-worker.js';

const OPS = 1000;
const BATCH_BASE = 1 << 30; // same value as the worker's BATCH_BASE (importing it would run the worker)

const singleThread = defineSuite({
  name: 'spsc-ring (one thread)',
  tasks: () => {
    const ring = SpscRing.create(1024, 1);
    const ring3 = SpscRing.create(1024, 3);
    const record = new Int32Array([1, 2, 3]);
    const out = new Int32Array(3);
    return [
      {
        name: 'tryPush1 + tryPop1',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) {
            ring.tryPush1(i);
            sum += ring.tryPop1();
          }
          consume(sum);
        },
      },
      {
        name: 'claim/publish + peek/release, 3-word record',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) {
            const at = ring3.claim();
            ring3.data[at] = i;
            ring3.data[at + 1] = i;
            ring3.data[at + 2] = i;
            ring3.publish();
            const r = ring3.peek();
            sum += ring3.data[r + 2];
            ring3.release();
          }
          consume(sum);
        },
      },
      {
        name: 'tryPush + tryPop (copying), 3-word record',
        opsPerCall: OPS,
        fn: () => {
          for (let i = 0; i < OPS; i++) {
            ring3.tryPush(record);
            ring3.tryPop(out);
          }
          consume(out[0]);
        },
      },
    ];
  },
});

function crossThread(strategy: WaitStrategy): MicroSuite {
  let worker: Worker | undefined;
  let requests: SpscRing;
  let replies: SpscRing;
  const awaitReplyAsync = async (): Promise<number> => {
    for (;;) {
      const v = replies.tryPop1();
      if (v !== RING_EMPTY) return v;
      await replies.waitForDataAsync(5_000);
    }
  };
  const awaitReply = (sync: Exclude<WaitStrategy, 'async'>): number => {
    for (;;) {
      const v = replies.tryPop1();
      if (v !== RING_EMPTY) return v;
      replies.waitForData(sync, { timeoutMs: 5_000 });
    }
  };
  const pushBatch = (): void => {
    requests.tryPush1(BATCH_BASE + OPS);
    for (let i = 0; i < OPS; i++) while (!requests.tryPush1(i)) requests.waitForSpace('spin');
  };
  // Synchronous task bodies for the synchronous strategies: an async body would add promise
  // overhead (hundreds of ns) to a hand-off that costs about as much.
  const hop =
    strategy === 'async'
      ? async () => { requests.tryPush1(7); consume(await awaitReplyAsync()); }
      : () => { requests.tryPush1(7); consume(awaitReply(strategy)); };
  const stream =
    strategy === 'async'
      ? async () => { pushBatch(); consume(await awaitReplyAsync()); }
      : () => { pushBatch(); consume(awaitReply(strategy)); };
  return defineSuite({
    name: `spsc-ring hand-off (${strategy})`,
    tasks: () => {
      requests = SpscRing.create(4096, 1);
      replies = SpscRing.create(16, 1);
      const data: EchoWorkerData = { requests: requests.shared, replies: replies.shared, strategy };
      worker = spawnWorker(siblingModule(import.meta.url, './workers/ring-echo-worker'), { workerData: data });
      return [
        { name: `hop one way (${strategy}), RTT/2`, opsPerCall: 2 /* a round trip is two hops */, fn: hop },
        { name: `stream per record (${strategy}), batch of ${OPS}`, opsPerCall: OPS, fn: stream },
      ];
    },
    teardown: async () => {
      if (worker === undefined) return;
      const exited = workerExit(worker);
      while (!requests.tryPush1(-1)) requests.waitForSpace('spin');
      await exited;
    },
  });
}

export default [singleThread, ...WAIT_STRATEGIES.map(crossThread)];
