/**
 * Kalshi rate budgets shared by every thread of the process (docs/kalshi-api.md §4.1,
 * docs/architecture.md §3 "Rate limiter").
 *
 * Kalshi meters each account with two token buckets, Read and Write, each with a refill rate
 * (tokens/s) and a capacity (tokens). Every thread that calls REST draws from the same bucket,
 * held in a SharedArrayBuffer, so the process as a whole never sends more than the budget.
 *
 * Algorithm: GCRA (generic cell-rate algorithm), the "virtual scheduling" form of a token
 * bucket. The whole mutable state is ONE BigInt64 word, the theoretical arrival time (TAT):
 * the instant at which the bucket would be full again. A request for n tokens at time `now`
 * is granted when `max(TAT, now) + n·T − now ≤ τ`, and then TAT becomes `max(TAT, now) + n·T`
 * (T: time per token, τ: time to refill a whole bucket). The update is an
 * `Atomics.compareExchange` loop: lock-free (some thread always makes progress), no thread
 * ever blocks another, and a thread that dies mid-call leaves nothing half-written.
 *
 * Units, all integers. Time is `process.hrtime.bigint()` (CLOCK_MONOTONIC, the clock of
 * ./clock.ts, one clock for all threads of the process) relative to an origin stored in the
 * buffer at creation, truncated to µs, and then SCALED by the rate: a "unit" is 1 µs × rate,
 * so one token costs exactly T = 1_000_000 units whatever the rate (3 tokens/s included) and
 * a full bucket is τ = capacity × 1_000_000 units. Apart from that µs truncation of the clock
 * there is no rounding and no float: the refill is exact over any horizon.
 *
 * Headroom: scaled time grows by rate × 10⁶ units per second. int64 holds 9.22·10¹⁸, so the
 * clock overflows after 9.22·10¹² / rate seconds: 29 years at 10,000 tokens/s (Prestige,
 * the highest tier), 2.9 years at MAX_RATE_PER_SECOND = 100,000. TAT never runs ahead of
 * `now` by more than τ ≤ 10⁹ × 10⁶ = 10¹⁵ units.
 *
 * Guarantee (the budget is never exceeded): over any interval [a, b] the tokens granted to
 * calls that read the clock at or after `a` total at most `capacity + rate × (b − a)`
 * (+ rate × 1 µs for the µs truncation of `a`). Proof sketch: every grant raises TAT by at
 * least its cost, starting from at least the first grant's `now`; the last grant left
 * TAT ≤ its `now` + τ. A stale `now` (the CAS loop does not re-read the clock) only makes a
 * call judge as if it had arrived earlier, which the same argument covers. At creation the
 * bucket is full (TAT = 0 = origin).
 *
 * Reserve: cancels and reconciliation queries must never be starved by new orders. A bucket
 * has a `reserve` (tokens). `tryTake(n, 'normal')` succeeds only if at least `reserve`
 * tokens remain in the bucket AFTER the take (it judges against τ − reserve·T);
 * `tryTake(n, 'priority')` may empty the bucket. So the level drops below `reserve` only
 * through priority takes: however hard normal traffic pushes, a priority request of up to
 * `reserve` tokens finds them unless other priority requests took them first. (The
 * converse holds too: sustained priority demand can starve normal traffic.)
 *
 * Budgets are fixed at creation (from GET /account/limits at start-up). There is no
 * `setBudget`: TAT is kept in rate-scaled units, so a rate change would have to rescale TAT
 * and publish new parameters atomically with it. A tier change (earned daily) takes effect
 * at the next start; in between, a downgrade shows up as HTTP 429s, which cost nothing but
 * a back-off (§4.1).
 */
/** Monotonic clock in nanoseconds; all threads sharing a bucket must use the same clock. */
export type Clock = () => bigint;

/** `'priority'`: cancels, reconciliation; may use the reserve. `'normal'`: everything else. */
export type TokenPriority = 'normal' | 'priority';

/** Units (µs × rate) per token: one token every 10⁶/rate µs. */
const UNITS_PER_TOKEN = 1_000_000n;
const NS_PER_US = 1_000n;

export const MAX_RATE_PER_SECOND = 100_000;
export const MAX_CAPACITY = 1_000_000_000;

// Layout of one bucket: BigInt64 slots from `byteOffset`; one 64-byte cache line.
const TAT = 0; // theoretical arrival time, units since origin; the only mutable word
const ORIGIN_NS = 1; // Clock() at creation
const RATE = 2; // tokens/s
const CAPACITY = 3; // tokens
const RESERVE = 4; // tokens kept for 'priority'
const MAGIC = 5; // BUCKET_MAGIC once initialised
const BUCKET_MAGIC = 0x4b_41_4c_54_4b_42_31n; // "KALTKB1"
/** Bytes used by one bucket inside a SharedArrayBuffer (multiple of 8). */
export const TOKEN_BUCKET_BYTES = 64;

export type TokenBucketErrorCode =
  | 'ERR_TOKEN_BUCKET_PARAMS' // bad rate / capacity / reserve
  | 'ERR_TOKEN_BUCKET_TOKENS' // a request that can never be granted
  | 'ERR_TOKEN_BUCKET_BUFFER'; // attach() to something that is not a bucket

export class TokenBucketError extends RangeError {
  readonly code: TokenBucketErrorCode;
  constructor(code: TokenBucketErrorCode, message: string) {
    super(message);
    this.name = 'TokenBucketError';
    this.code = code;
  }
}

export interface TokenBucketOptions {
  /** Refill rate, tokens per second: an integer in 1..MAX_RATE_PER_SECOND. */
  ratePerSecond: number;
  /** Bucket size, tokens: an integer in 1..MAX_CAPACITY. The bucket starts full. */
  capacity: number;
  /** Tokens only 'priority' takes may use: an integer in 0..capacity−1. Default 0. */
  reserve?: number;
  /** Tests only: a fake monotonic clock in ns. Default `process.hrtime.bigint`. */
  now?: Clock;
}

/** What another thread needs to attach: structured-cloneable, post it to a worker. */
export interface TokenBucketShared {
  readonly buffer: SharedArrayBuffer;
  /** Where the bucket starts in `buffer`, a multiple of 8. */
  readonly byteOffset: number;
}

const hrtimeClock: Clock = () => process.hrtime.bigint();

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TokenBucketError(
      'ERR_TOKEN_BUCKET_PARAMS',
      `token bucket: ${name} must be an integer in ${min}..${max}, got ${String(value)}`,
    );
  }
}

/** Write a fresh, full bucket into `buffer` at `byteOffset` (before any thread attaches). */
function initTokenBucket(
  buffer: SharedArrayBuffer,
  byteOffset: number,
  options: TokenBucketOptions,
): TokenBucketShared {
  const { ratePerSecond, capacity, reserve = 0, now = hrtimeClock } = options;
  checkInteger('ratePerSecond', ratePerSecond, 1, MAX_RATE_PER_SECOND);
  checkInteger('capacity', capacity, 1, MAX_CAPACITY);
  checkInteger('reserve', reserve, 0, capacity - 1);
  const words = new BigInt64Array(buffer, byteOffset, TOKEN_BUCKET_BYTES / 8);
  Atomics.store(words, TAT, 0n);
  Atomics.store(words, ORIGIN_NS, now());
  Atomics.store(words, RATE, BigInt(ratePerSecond));
  Atomics.store(words, CAPACITY, BigInt(capacity));
  Atomics.store(words, RESERVE, BigInt(reserve));
  Atomics.store(words, MAGIC, BUCKET_MAGIC);
  return { buffer, byteOffset };
}

/**
 * One token bucket in shared memory. Any number of threads may hold a `TokenBucket` on the
 * same buffer and call any method concurrently; the parameters are immutable.
 */
export class TokenBucket {
  readonly shared: TokenBucketShared;
  readonly ratePerSecond: number;
  readonly capacity: number;
  readonly reserve: number;
  readonly #words: BigInt64Array;
  readonly #clock: Clock;
  readonly #originNs: bigint;
  readonly #rate: bigint;
  /** τ for 'priority': the whole bucket, in units. */
  readonly #fullTolerance: bigint;
  /** τ for 'normal': the bucket above the reserve floor, in units. */
  readonly #normalTolerance: bigint;

  private constructor(shared: TokenBucketShared, clock: Clock) {
    const { buffer, byteOffset } = shared;
    if (
      !(buffer instanceof SharedArrayBuffer) ||
      !Number.isInteger(byteOffset) || byteOffset % 8 !== 0 || byteOffset < 0 ||
      byteOffset + TOKEN_BUCKET_BYTES > buffer.byteLength
    ) {
      throw new TokenBucketError('ERR_TOKEN_BUCKET_BUFFER', 'token bucket: bad shared buffer or offset');
    }
    const words = new BigInt64Array(buffer, byteOffset, TOKEN_BUCKET_BYTES / 8);
    if (Atomics.load(words, MAGIC) !== BUCKET_MAGIC) {
      throw new TokenBucketError('ERR_TOKEN_BUCKET_BUFFER', 'token bucket: buffer holds no initialised bucket');
    }
    this.shared = { buffer, byteOffset };
    this.#words = words;
    this.#clock = clock;
    this.#originNs = Atomics.load(words, ORIGIN_NS);
    this.#rate = Atomics.load(words, RATE);
    const capacity = Atomics.load(words, CAPACITY);
    const reserve = Atomics.load(words, RESERVE);
    this.ratePerSecond = Number(this.#rate);
    this.capacity = Number(capacity);
    this.reserve = Number(reserve);
    this.#fullTolerance = capacity * UNITS_PER_TOKEN;
    this.#normalTolerance = (capacity - reserve) * UNITS_PER_TOKEN;
  }

  /** A new, full bucket in its own SharedArrayBuffer. Throws TokenBucketError on bad options. */
  static create(options: TokenBucketOptions): TokenBucket {
    const shared = initTokenBucket(new SharedArrayBuffer(TOKEN_BUCKET_BYTES), 0, options);
    return new TokenBucket(shared, options.now ?? hrtimeClock);
  }

  /** The bucket created elsewhere (usually another thread) from its `shared` handle. */
  static attach(shared: TokenBucketShared, options: { now?: Clock } = {}): TokenBucket {
    return new TokenBucket(shared, options.now ?? hrtimeClock);
  }

  /**
   * Take `tokens` now if the budget allows, else take nothing. Never blocks, never sleeps.
   * Linearizable: each success is one CAS on the shared word. Cost: one clock read, a few
   * BigInt operations and one CAS (more only when another thread's CAS lands in between).
   *
   * @param tokens an integer in 1..capacity for 'priority', 1..capacity−reserve for 'normal'
   *   (larger requests could never succeed and throw TokenBucketError)
   * @returns true if the tokens were granted
   */
  tryTake(tokens: number, priority: TokenPriority = 'normal'): boolean {
    const tolerance = this.#tolerance(tokens, priority);
    const cost = BigInt(tokens) * UNITS_PER_TOKEN;
    const now = this.#scaledNow();
    const words = this.#words;
    for (;;) {
      const tat = Atomics.load(words, TAT);
      const next = (tat > now ? tat : now) + cost;
      if (next - now > tolerance) return false;
      if (Atomics.compareExchange(words, TAT, tat, next) === tat) return true;
    }
  }

  /**
   * Tokens in the bucket now (0..capacity, floored), for metrics. Only 'priority' may use all
   * of them; 'normal' may use `max(0, available() − reserve)`. A snapshot: stale as soon as
   * another thread takes.
   */
  available(): number {
    const backlog = Atomics.load(this.#words, TAT) - this.#scaledNow();
    if (backlog <= 0n) return this.capacity;
    const level = (this.#fullTolerance - backlog) / UNITS_PER_TOKEN;
    return level > 0n ? Number(level) : 0;
  }

  /**
   * Milliseconds (fractional, µs resolution, rounded up) until `tryTake(tokens, priority)`
   * would succeed if no other thread takes in between; 0 if it would succeed now. For
   * back-off scheduling: this method never sleeps. Throws like `tryTake`.
   */
  waitTimeMs(tokens: number, priority: TokenPriority = 'normal'): number {
    const tolerance = this.#tolerance(tokens, priority);
    const cost = BigInt(tokens) * UNITS_PER_TOKEN;
    const now = this.#scaledNow();
    const tat = Atomics.load(this.#words, TAT);
    // Succeeds at the first `t` with max(tat, t) + cost − t ≤ tolerance; cost ≤ tolerance.
    const waitUnits = tat + cost - tolerance - now;
    if (waitUnits <= 0n) return 0;
    const waitUs = (waitUnits + this.#rate - 1n) / this.#rate;
    return Number(waitUs) / 1000;
  }

  /** Clock now in units (µs × rate) since the origin. */
  #scaledNow(): bigint {
    const ns = this.#clock() - this.#originNs;
    return ns > 0n ? (ns / NS_PER_US) * this.#rate : 0n;
  }

  #tolerance(tokens: number, priority: TokenPriority): bigint {
    const isPriority = priority === 'priority';
    const max = isPriority ? this.capacity : this.capacity - this.reserve;
    if (!Number.isInteger(tokens) || tokens < 1 || tokens > max) {
      throw new TokenBucketError(
        'ERR_TOKEN_BUCKET_TOKENS',
        `token bucket: ${priority} request must be an integer in 1..${max} tokens, got ${String(tokens)}`,
      );
    }
    return isPriority ? this.#fullTolerance : this.#normalTolerance;
  }
}

// ---------------------------------------------------------------------------------------------
// One account's Read and Write buckets

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
