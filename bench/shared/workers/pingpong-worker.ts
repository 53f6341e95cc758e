/**
 * Bench worker for the cross-thread floor: answers every ping word with the same value on the
 * pong word, spinning. Int32 words: [0] ping, [16] pong (another cache line), [32] started.
 * A ping of -1 stops it.
 */
import { workerData } from 'node:worker_threads';

const words = new Int32Array(workerData as SharedArrayBuffer);
Atomics.store(words, 32, 1);
let last = 0;
for (;;) {
  const v = Atomics.load(words, 0);
  if (v === -1) break;
  if (v !== last) {
    last = v;
    Atomics.store(words, 16, v);
  }
}
