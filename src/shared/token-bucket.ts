/**
 * Kalshi rate budgets shared by every thread of the process (docs/kalshi-api.md §4.1,
 * docs/architecture.md §3 "Rate limiter").
 *
 * Kalshi meters each account with two token buckets, Read and Write, each with a refill rate
 * (tokens/s) and a capacity (tokens). Every thread that calls REST draws from the same bucket,
 * held in a SharedArrayBuffer, so the process as a whole never sends more than the budget.
 * One account's pair of buckets, and the budgets per tier, are in ./rate-budgets.ts.
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

/** The default Clock: `process.hrtime.bigint` (CLOCK_MONOTONIC, ns), the same in every thread. */
export const hrtimeClock: Clock = () => process.hrtime.bigint();

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TokenBucketError(
      'ERR_TOKEN_BUCKET_PARAMS',
      `token bucket: ${name} must be an integer in ${min}..${max}, got ${String(value)}`,
    );
  }
}

/**
 * Write a fresh, full bucket into `buffer` at `byteOffset` (before any thread attaches).
 * Throws TokenBucketError on bad options. For laying out several buckets in one buffer
 * (rate-budgets.ts); a lone bucket comes from `TokenBucket.create`.
 */
export function initTokenBucket(
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
