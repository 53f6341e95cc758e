/**
 * TokenBucket.tryTake on one thread (no CAS contention): the cost every REST call pays before it
 * leaves. Granted path: a bucket far larger than the run can drain (1,000 ops per call). Denied
 * path: an empty bucket (no CAS, the early return), which is what a throttled caller spins on.
 */
import { consume, defineSuite } from '../harness.js';
import { MAX_CAPACITY, MAX_RATE_PER_SECOND, TokenBucket } from '../../src/shared/token-bucket.js';

const OPS = 1000;

export default defineSuite({
  name: 'token-bucket',
  tasks: () => {
    // 10⁹ tokens: ~100 s of granted takes at 10 M/s before it could run dry.
    const full = TokenBucket.create({ ratePerSecond: MAX_RATE_PER_SECOND, capacity: MAX_CAPACITY, reserve: 1_000 });
    const empty = TokenBucket.create({ ratePerSecond: 1, capacity: 10 });
    empty.tryTake(10);
    return [
      {
        name: 'tryTake(1) granted, uncontended',
        opsPerCall: OPS,
        fn: () => {
          let granted = 0;
          for (let i = 0; i < OPS; i++) if (full.tryTake(1)) granted++;
          consume(granted);
        },
      },
      {
        name: 'tryTake(10, priority) denied, empty bucket',
        opsPerCall: OPS,
        fn: () => {
          let granted = 0;
          for (let i = 0; i < OPS; i++) if (empty.tryTake(10, 'priority')) granted++;
          consume(granted);
        },
      },
      {
        name: 'waitTimeMs(10)',
        opsPerCall: OPS,
        fn: () => {
          let wait = 0;
          for (let i = 0; i < OPS; i++) wait += empty.waitTimeMs(10, 'priority');
          consume(wait);
        },
      },
    ];
  },
});
