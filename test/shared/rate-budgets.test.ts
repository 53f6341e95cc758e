import { describe, expect, it } from 'vitest';
import { AccountLimitsError, RateBudgets, TIER_BUDGETS, type UsageTier } from '../../src/shared/rate-budgets.js';
import { MAX_RATE_PER_SECOND } from '../../src/shared/token-bucket.js';
import { expectBucketError, fakeClock, takeAll } from '../support/token-bucket.js';

describe('RateBudgets', () => {
  it('has the tier table of kalshi-api.md §4.1 with its capacity rule', () => {
    const rates: Record<UsageTier, [number, number]> = {
      basic: [200, 100], advanced: [300, 300], expert: [600, 600], premier: [1_000, 1_000],
      paragon: [2_000, 2_000], prime: [4_000, 4_000], prestige: [10_000, 8_000],
    };
    expect(Object.keys(TIER_BUDGETS).sort()).toEqual(Object.keys(rates).sort());
    for (const [tier, [read, write]] of Object.entries(rates) as [UsageTier, [number, number]][]) {
      const b = TIER_BUDGETS[tier];
      expect(b.read.ratePerSecond).toBe(read);
      expect(b.write.ratePerSecond).toBe(write);
      // Basic/Advanced Read hold 2 s, higher Read 1 s; Basic Write 1 s, higher Write 2 s.
      expect(b.read.capacity).toBe(read * (tier === 'basic' || tier === 'advanced' ? 2 : 1));
      expect(b.write.capacity).toBe(write * (tier === 'basic' ? 1 : 2));
    }
    expect(TIER_BUDGETS.basic).toEqual({ read: { ratePerSecond: 200, capacity: 400 }, write: { ratePerSecond: 100, capacity: 100 } });
  });

  it('builds both buckets of a tier in one buffer, with default reserves', () => {
    const budgets = RateBudgets.forTier('premier');
    expect(budgets.tier).toBe('premier');
    expect([budgets.read.ratePerSecond, budgets.read.capacity, budgets.read.reserve]).toEqual([1_000, 1_000, 200]);
    expect([budgets.write.ratePerSecond, budgets.write.capacity, budgets.write.reserve]).toEqual([1_000, 2_000, 400]);
    expect(budgets.read.shared.buffer).toBe(budgets.write.shared.buffer);
    const custom = RateBudgets.forTier('basic', { readReserve: 0, writeReserve: 10 });
    expect([custom.read.reserve, custom.write.reserve]).toEqual([0, 10]);
    expectBucketError(() => RateBudgets.forTier('platinum' as UsageTier), 'ERR_TOKEN_BUCKET_PARAMS');
    expectBucketError(() => RateBudgets.forTier('basic', { writeReserve: 100 }), 'ERR_TOKEN_BUCKET_PARAMS');
  });

  it('keeps Read and Write independent and shares them across a clone', () => {
    const clock = fakeClock();
    const budgets = RateBudgets.forTier('basic', { now: clock.now });
    const other = RateBudgets.attach(structuredClone(budgets.shared), { now: clock.now });
    expect(other.tier).toBe('basic');
    expect(takeAll(budgets.write, 10, 'priority')).toBe(100);
    expect(other.write.tryTake(1, 'priority')).toBe(false);
    expect(other.read.tryTake(10)).toBe(true);
    expect(budgets.read.available()).toBe(390);
  });

  it('parses GET /account/limits', () => {
    const body =
      '{"usage_tier":"premier","read":{"refill_rate":1000,"bucket_capacity":1000},' +
      '"write":{"refill_rate":1000,"bucket_capacity":2000},"grants":[]}';
    for (const input of [body, JSON.parse(body) as unknown]) {
      const budgets = RateBudgets.fromAccountLimits(input, { writeReserve: 100 });
      expect(budgets.tier).toBe('premier');
      expect([budgets.read.ratePerSecond, budgets.read.capacity, budgets.read.reserve]).toEqual([1_000, 1_000, 200]);
      expect([budgets.write.ratePerSecond, budgets.write.capacity, budgets.write.reserve]).toEqual([1_000, 2_000, 100]);
    }
    // The exchange's numbers win, whatever the tier is called.
    const future = RateBudgets.fromAccountLimits({
      usage_tier: 'diamond', read: { refill_rate: 50_000, bucket_capacity: 50_000 }, write: { refill_rate: 3, bucket_capacity: 7 },
    });
    expect([future.tier, future.read.capacity, future.write.ratePerSecond, future.write.capacity]).toEqual(['diamond', 50_000, 3, 7]);
  });

  it('rejects malformed account-limits bodies with the offending field', () => {
    const good = () => ({
      usage_tier: 'basic', read: { refill_rate: 200, bucket_capacity: 400 }, write: { refill_rate: 100, bucket_capacity: 100 },
    });
    const cases: [unknown, string][] = [
      ['not json', ''],
      [null, ''],
      [[1, 2], ''],
      [{ ...good(), usage_tier: undefined }, 'usage_tier'],
      [{ ...good(), usage_tier: 7 }, 'usage_tier'],
      [{ ...good(), read: undefined }, 'read'],
      [{ ...good(), write: 'fast' }, 'write'],
      [{ ...good(), read: { bucket_capacity: 400 } }, 'read.refill_rate'],
      [{ ...good(), write: { refill_rate: 100 } }, 'write.bucket_capacity'],
      [{ ...good(), write: { refill_rate: '100', bucket_capacity: 100 } }, 'write.refill_rate'],
      [{ ...good(), read: { refill_rate: 0, bucket_capacity: 400 } }, 'read.refill_rate'],
      [{ ...good(), read: { refill_rate: 200, bucket_capacity: 400.5 } }, 'read.bucket_capacity'],
      [{ ...good(), write: { refill_rate: -1, bucket_capacity: 100 } }, 'write.refill_rate'],
    ];
    for (const [body, field] of cases) {
      let caught: unknown;
      try {
        RateBudgets.fromAccountLimits(body);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(body)).toBeInstanceOf(AccountLimitsError);
      expect((caught as AccountLimitsError).code).toBe('ERR_ACCOUNT_LIMITS');
      expect((caught as AccountLimitsError).field).toBe(field);
    }
    // Well-formed but outside what a bucket supports: the bucket's own error.
    expectBucketError(
      () => RateBudgets.fromAccountLimits({ ...good(), read: { refill_rate: MAX_RATE_PER_SECOND + 1, bucket_capacity: 10 } }),
      'ERR_TOKEN_BUCKET_PARAMS',
    );
  });
});
