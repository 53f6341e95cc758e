/**
 * One account's Read and Write buckets (docs/kalshi-api.md §4.1): Kalshi's budget per usage tier,
 * the parsing of GET /account/limits, and the two TokenBuckets (token-bucket.ts) that enforce
 * them in one SharedArrayBuffer shared by every thread of the process.
 */
import {
  TOKEN_BUCKET_BYTES,
  TokenBucket,
  TokenBucketError,
  hrtimeClock,
  initTokenBucket,
  type Clock,
} from './token-bucket.js';

/** `usage_tier` values of GET /account/limits (docs/kalshi-api.md §4.1). */
export type UsageTier = 'basic' | 'advanced' | 'expert' | 'premier' | 'paragon' | 'prime' | 'prestige';

export interface BucketBudget {
  /** tokens/s */
  readonly ratePerSecond: number;
  /** tokens */
  readonly capacity: number;
}

export interface AccountBudget {
  readonly read: BucketBudget;
  readonly write: BucketBudget;
}

function budget(readRate: number, readSeconds: number, writeRate: number, writeSeconds: number): AccountBudget {
  return Object.freeze({
    read: Object.freeze({ ratePerSecond: readRate, capacity: readRate * readSeconds }),
    write: Object.freeze({ ratePerSecond: writeRate, capacity: writeRate * writeSeconds }),
  });
}

/**
 * Kalshi budgets per tier (§4.1, since 2026-04-23). Capacity rule as written there: Write
 * buckets above Basic hold 2 s of budget, Basic Write 1 s; Read buckets of Basic and Advanced
 * hold 2 s, above Advanced 1 s. Premier matches the documented GET /account/limits example
 * (read 1000/1000, write 1000/2000).
 */
export const TIER_BUDGETS: Readonly<Record<UsageTier, AccountBudget>> = Object.freeze({
  basic: budget(200, 2, 100, 1),
  advanced: budget(300, 2, 300, 2),
  expert: budget(600, 1, 600, 2),
  premier: budget(1_000, 1, 1_000, 2),
  paragon: budget(2_000, 1, 2_000, 2),
  prime: budget(4_000, 1, 4_000, 2),
  prestige: budget(10_000, 1, 8_000, 2),
});

/** Default reserve: a fifth of the capacity (Basic Write: 20 tokens, two default-cost cancels). */
export const DEFAULT_RESERVE_FRACTION = 0.2;

export interface RateBudgetsOptions {
  /** Read tokens kept for 'priority' (reconciliation) reads. Default ⌊capacity × 0.2⌋. */
  readReserve?: number;
  /** Write tokens kept for 'priority' writes (cancels). Default ⌊capacity × 0.2⌋. */
  writeReserve?: number;
  /** Tests only: fake monotonic clock in ns. */
  now?: Clock;
}

export interface RateBudgetsShared {
  readonly buffer: SharedArrayBuffer;
  /** Label only (`usage_tier`, or 'custom'); the budgets themselves live in `buffer`. */
  readonly tier: string;
}

export class AccountLimitsError extends TypeError {
  readonly code = 'ERR_ACCOUNT_LIMITS';
  /** The offending field, e.g. `write.bucket_capacity`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`GET /account/limits: ${message}`);
    this.name = 'AccountLimitsError';
    this.field = field;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function limitField(body: Record<string, unknown>, bucket: 'read' | 'write', key: string): number {
  const group = body[bucket];
  if (!isObject(group)) throw new AccountLimitsError(bucket, `"${bucket}" must be an object`);
  const value = group[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new AccountLimitsError(`${bucket}.${key}`, `"${bucket}.${key}" must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The Read and Write buckets of one account, in one SharedArrayBuffer (Read at byte 0, Write at
 * byte TOKEN_BUCKET_BYTES). Create once at start-up, post `shared` to every thread that calls
 * REST, `attach` there.
 */
export class RateBudgets {
  readonly read: TokenBucket;
  readonly write: TokenBucket;
  readonly shared: RateBudgetsShared;

  private constructor(shared: RateBudgetsShared, now: Clock) {
    this.shared = shared;
    this.read = TokenBucket.attach({ buffer: shared.buffer, byteOffset: 0 }, { now });
    this.write = TokenBucket.attach({ buffer: shared.buffer, byteOffset: TOKEN_BUCKET_BYTES }, { now });
  }

  get tier(): string {
    return this.shared.tier;
  }

  /** Buckets with explicit budgets. Throws TokenBucketError on bad budgets or reserves. */
  static create(account: AccountBudget, options: RateBudgetsOptions = {}, tier = 'custom'): RateBudgets {
    const now = options.now ?? hrtimeClock;
    const buffer = new SharedArrayBuffer(2 * TOKEN_BUCKET_BYTES);
    const reserveOf = (b: BucketBudget, explicit: number | undefined): number =>
      explicit ?? Math.floor(b.capacity * DEFAULT_RESERVE_FRACTION);
    initTokenBucket(buffer, 0, { ...account.read, reserve: reserveOf(account.read, options.readReserve), now });
    initTokenBucket(buffer, TOKEN_BUCKET_BYTES, {
      ...account.write, reserve: reserveOf(account.write, options.writeReserve), now,
    });
    return new RateBudgets({ buffer, tier }, now);
  }

  /** Buckets for a documented tier. Throws TokenBucketError on an unknown tier name. */
  static forTier(tier: UsageTier, options: RateBudgetsOptions = {}): RateBudgets {
    const account = Object.hasOwn(TIER_BUDGETS, tier) ? TIER_BUDGETS[tier] : undefined;
    if (account === undefined) {
      throw new TokenBucketError('ERR_TOKEN_BUCKET_PARAMS', `rate budgets: unknown usage tier ${JSON.stringify(tier)}`);
    }
    return RateBudgets.create(account, options, tier);
  }

  /**
   * Buckets from the body of GET /account/limits, e.g.
   * `{"usage_tier":"premier","read":{"refill_rate":1000,"bucket_capacity":1000},
   *   "write":{"refill_rate":1000,"bucket_capacity":2000},"grants":[...]}`
   * (a JSON string or the parsed value). The exchange's numbers win over the tier table, so a
   * tier unknown to TIER_BUDGETS is accepted. Throws AccountLimitsError on a missing or
   * malformed field, TokenBucketError on budgets outside the supported range.
   */
  static fromAccountLimits(body: unknown, options: RateBudgetsOptions = {}): RateBudgets {
    let parsed = body;
    if (typeof body === 'string') {
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new AccountLimitsError('', 'body is not JSON');
      }
    }
    if (!isObject(parsed)) throw new AccountLimitsError('', 'body must be a JSON object');
    const tier = parsed.usage_tier;
    if (typeof tier !== 'string' || tier === '') {
      throw new AccountLimitsError('usage_tier', `"usage_tier" must be a non-empty string, got ${JSON.stringify(tier)}`);
    }
    const account: AccountBudget = {
      read: { ratePerSecond: limitField(parsed, 'read', 'refill_rate'), capacity: limitField(parsed, 'read', 'bucket_capacity') },
      write: { ratePerSecond: limitField(parsed, 'write', 'refill_rate'), capacity: limitField(parsed, 'write', 'bucket_capacity') },
    };
    return RateBudgets.create(account, options, tier);
  }

  /** The buckets created elsewhere, from their `shared` handle. */
  static attach(shared: RateBudgetsShared, options: { now?: Clock } = {}): RateBudgets {
    if (!(shared.buffer instanceof SharedArrayBuffer) || shared.buffer.byteLength < 2 * TOKEN_BUCKET_BYTES) {
      throw new TokenBucketError('ERR_TOKEN_BUCKET_BUFFER', 'rate budgets: bad shared buffer');
    }
    return new RateBudgets({ buffer: shared.buffer, tier: String(shared.tier) }, options.now ?? hrtimeClock);
  }
}
