/**
 * Reconnect delays: capped exponential backoff with full jitter (the AWS "full jitter" scheme).
 *
 *   delay(n) = random() × min(capMs, baseMs × 2^n)      n = failures so far (0 for the first retry)
 *
 * Full jitter spreads a crowd of clients that lost the exchange at the same instant (the weekly
 * maintenance window, a load-balancer restart) over the whole window instead of having them
 * reconnect in lock-step. `random` is injectable so tests (and replays) are deterministic.
 *
 * The failure count is reset by `succeeded()` — the client calls it when a connection has stayed
 * up for `resetAfterMs` (see connection.ts), so a server that accepts and at once drops us keeps
 * backing off instead of being hammered at `baseMs`.
 */

export interface BackoffOptions {
  /** First window, ms (the first retry waits a random time in [0, baseMs)). */
  baseMs: number;
  /** Largest window, ms. */
  capMs: number;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
}

export const BACKOFF_DEFAULTS = { baseMs: 500, capMs: 30_000 } as const;

export class Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  private readonly random: () => number;
  private failures = 0;

  constructor(options: Partial<BackoffOptions> = {}) {
    const baseMs = options.baseMs ?? BACKOFF_DEFAULTS.baseMs;
    const capMs = options.capMs ?? BACKOFF_DEFAULTS.capMs;
    if (!(Number.isFinite(baseMs) && baseMs > 0)) throw new RangeError(`backoff baseMs must be a positive number, got ${baseMs}`);
    if (!(Number.isFinite(capMs) && capMs >= baseMs)) throw new RangeError(`backoff capMs must be a number ≥ baseMs (${baseMs}), got ${capMs}`);
    this.baseMs = baseMs;
    this.capMs = capMs;
    this.random = options.random ?? Math.random;
  }

  /** The window (upper bound of the delay) after `failures` failures, ms. */
  window(failures: number): number {
    // 2^n overflows to Infinity for large n, which min() turns into the cap: no special case.
    return Math.min(this.capMs, this.baseMs * 2 ** failures);
  }

  /** The delay before the next attempt, ms (a whole number), and one more failure counted. */
  next(): number {
    const r = this.random();
    const u = r >= 0 && r < 1 ? r : 0; // a broken random source must not produce NaN or negative delays
    return Math.floor(u * this.window(this.failures++));
  }

  /** Attempts since the last success. */
  get attempts(): number {
    return this.failures;
  }

  /** A connection proved healthy: the next failure starts from `baseMs` again. */
  succeeded(): void {
    this.failures = 0;
  }
}

/**
 * A deterministic uniform [0, 1) source (mulberry32), for tests and replays that inject the
 * backoff's randomness.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
