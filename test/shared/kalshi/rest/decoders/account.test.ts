import { describe, expect, it } from 'vitest';
import { budgetsOf, decodeAccountLimits } from '../../../../../src/shared/kalshi/rest/decoders/account.js';
import { validateRestResponse } from '../../../../support/spec-validator.js';
import { DELETE, expectSchemaError, fixture, withValue } from './fixtures.js';

describe('decodeAccountLimits', () => {
  const doc = fixture('account-limits.json');

  it('decodes the documented example and builds the shared buckets from it', () => {
    expect(validateRestResponse('GetAccountApiLimits', 200, doc)).toEqual([]);
    const limits = decodeAccountLimits(doc);
    expect(limits).toEqual({ usageTier: 'premier', read: { refillRate: 1_000, bucketCapacity: 1_000 }, write: { refillRate: 1_000, bucketCapacity: 2_000 } });
    const budgets = budgetsOf(limits, { writeReserve: 100 });
    expect(budgets.tier).toBe('premier');
    expect(budgets.read).toMatchObject({ ratePerSecond: 1_000, capacity: 1_000, reserve: 200 });
    expect(budgets.write).toMatchObject({ ratePerSecond: 1_000, capacity: 2_000, reserve: 100 });
  });

  it('takes a tier it does not know by its numbers', () => {
    expect(decodeAccountLimits(withValue(doc, 'usage_tier', 'galactic')).usageTier).toBe('galactic');
  });

  it.each([
    ['usage_tier', ''],
    ['usage_tier', 3],
    ['read.refill_rate', 0],
    ['read.refill_rate', '1000'],
    ['write.bucket_capacity', 2000.5],
    ['write', 'unlimited'],
  ])('refuses %s = %j', (path, value) => {
    expectSchemaError(() => decodeAccountLimits(withValue(doc, path, value)), `limits.${path}`);
  });

  it('refuses a missing bucket', () => {
    expectSchemaError(() => decodeAccountLimits(withValue(doc, 'write', DELETE)), 'limits.write');
  });
});
