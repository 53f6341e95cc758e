/** Test helpers for TokenBucket and RateBudgets: a fake clock, draining, error checks. */
import { expect } from 'vitest';
import { TokenBucket, TokenBucketError } from '../../src/shared/token-bucket.js';

/** A fake monotonic clock (ns) that only moves when told. */
export function fakeClock(): { now: () => bigint; advance: (ns: bigint) => void } {
  let t = 5_000_000_000n; // any origin
  return { now: () => t, advance: (ns) => { t += ns; } };
}

/** Take `size` tokens until refused; the tokens taken. */
export function takeAll(bucket: TokenBucket, size: number, priority: 'normal' | 'priority' = 'normal'): number {
  let taken = 0;
  while (bucket.tryTake(size, priority)) taken += size;
  return taken;
}

export function expectBucketError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TokenBucketError);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as TokenBucketError).code).toBe(code);
    return;
  }
  throw new Error('expected a TokenBucketError');
}
