/**
 * GET /account/limits (OpenAPI `GetAccountApiLimitsResponse`, kalshi-api.md §4.1): the account's
 * usage tier and its Read / Write token buckets. `budgetsOf` turns it into the shared
 * `RateBudgets` (rate-budgets.ts) every thread draws from.
 */
import { RateBudgets, type RateBudgetsOptions } from '../../../rate-budgets.js';
import { asObject, KalshiSchemaError, reqInt, reqObject, reqString, show, type JsonObject } from '../../decode.js';

export interface BucketLimit {
  /** Tokens added per second. */
  readonly refillRate: number;
  /** Tokens the bucket holds at most. */
  readonly bucketCapacity: number;
}

export interface AccountLimits {
  /** `basic` … `prestige`, or a tier this host does not know (the numbers win, not the name). */
  readonly usageTier: string;
  readonly read: BucketLimit;
  readonly write: BucketLimit;
}

function bucket(o: JsonObject, key: 'read' | 'write'): BucketLimit {
  const b = reqObject(o, key, 'limits');
  const path = `limits.${key}`;
  const positive = (field: string): number => {
    const n = reqInt(b, field, path);
    if (n <= 0) throw new KalshiSchemaError(`${path}.${field}`, 'a positive integer', show(n));
    return n;
  };
  return { refillRate: positive('refill_rate'), bucketCapacity: positive('bucket_capacity') };
}

export function decodeAccountLimits(body: unknown): AccountLimits {
  const o = asObject(body, 'limits');
  const usageTier = reqString(o, 'usage_tier', 'limits');
  if (usageTier === '') throw new KalshiSchemaError('limits.usage_tier', 'a non-empty string', show(usageTier));
  return { usageTier, read: bucket(o, 'read'), write: bucket(o, 'write') };
}

/** The shared buckets for these limits (throws TokenBucketError for budgets outside its range). */
export function budgetsOf(limits: AccountLimits, options: RateBudgetsOptions = {}): RateBudgets {
  return RateBudgets.create(
    {
      read: { ratePerSecond: limits.read.refillRate, capacity: limits.read.bucketCapacity },
      write: { ratePerSecond: limits.write.refillRate, capacity: limits.write.bucketCapacity },
    },
    options,
    limits.usageTier,
  );
}
