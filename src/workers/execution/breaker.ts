/**
 * Per-market circuit breaker over order errors (lessons: 10 errors, re-enabled after 300 s).
 *
 *   CLOSED ──(threshold consecutive errors)──► OPEN ──(cool-down elapsed)──► HALF_OPEN
 *     ▲                                         ▲                              │ one trial request
 *     └──────────── trial succeeds ─────────────┼──────── trial fails ─────────┘
 *
 * "Error" is whatever the caller reports (the execution core counts exchange rejections and
 * UNKNOWN outcomes, minus codes it treats as normal market outcomes such as post_only_cross); a
 * success resets the count. OPEN → HALF_OPEN is a function of time, evaluated when asked (no
 * timers): `stateAt(market, now)` reports HALF_OPEN once the cool-down has elapsed, and
 * `tryAcquire` lets exactly one trial through until its outcome is reported.
 *
 * Typed-array state, single owner (the execution thread).
 */
import { BreakerState } from '../../shared/position-records.js';

export const DEFAULT_BREAKER_ERRORS = 10;
export const DEFAULT_BREAKER_COOLDOWN_MS = 300_000;

export interface BreakerOptions {
  /** Consecutive errors that open the breaker (default 10). */
  threshold?: number;
  /** ms an open breaker waits before it allows a trial (default 300 000). */
  cooldownMs?: number;
}

export class Breakers {
  readonly threshold: number;
  readonly cooldownMs: number;
  private readonly state: Uint8Array;
  private readonly errors: Int32Array;
  private readonly openedAt: Float64Array;
  /** 1 while HALF_OPEN's one trial is out. */
  private readonly trial: Uint8Array;

  constructor(capacity: number, options: BreakerOptions = {}) {
    const threshold = options.threshold ?? DEFAULT_BREAKER_ERRORS;
    const cooldownMs = options.cooldownMs ?? DEFAULT_BREAKER_COOLDOWN_MS;
    if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`threshold must be a positive integer, got ${threshold}`);
    if (!(cooldownMs >= 0) || !Number.isFinite(cooldownMs)) throw new RangeError(`cooldownMs must be a finite number ≥ 0, got ${cooldownMs}`);
    this.threshold = threshold;
    this.cooldownMs = cooldownMs;
    this.state = new Uint8Array(capacity);
    this.errors = new Int32Array(capacity);
    this.openedAt = new Float64Array(capacity);
    this.trial = new Uint8Array(capacity);
  }

  /** The state at `nowMs`: an OPEN breaker whose cool-down has elapsed reads HALF_OPEN. Pure. */
  stateAt(market: number, nowMs: number): BreakerState {
    const s = this.state[market] as BreakerState;
    if (s === BreakerState.OPEN && nowMs - this.openedAt[market] >= this.cooldownMs) return BreakerState.HALF_OPEN;
    return s;
  }

  /** Consecutive errors counted so far (kept while OPEN / HALF_OPEN, reset by a success). */
  errorCount(market: number): number {
    return this.errors[market];
  }

  /** True when a request would be let through now (CLOSED, or HALF_OPEN with no trial out). Pure. */
  allows(market: number, nowMs: number): boolean {
    const s = this.stateAt(market, nowMs);
    return s === BreakerState.CLOSED || (s === BreakerState.HALF_OPEN && this.trial[market] === 0);
  }

  /**
   * Claims the right to send one request now: always in CLOSED; in HALF_OPEN only the one trial
   * (OPEN turns HALF_OPEN here once the cool-down has elapsed). False: do not send.
   */
  tryAcquire(market: number, nowMs: number): boolean {
    const s = this.stateAt(market, nowMs);
    if (s === BreakerState.CLOSED) return true;
    if (s !== BreakerState.HALF_OPEN || this.trial[market] !== 0) return false;
    this.state[market] = BreakerState.HALF_OPEN;
    this.trial[market] = 1;
    return true;
  }

  /** A request succeeded: the count resets; a HALF_OPEN trial closes the breaker. */
  onSuccess(market: number): void {
    this.errors[market] = 0;
    this.trial[market] = 0;
    this.state[market] = BreakerState.CLOSED;
  }

  /** A request failed at `nowMs`: counts; opens at the threshold; a failed trial re-opens for a full cool-down. */
  onError(market: number, nowMs: number): void {
    const s = this.stateAt(market, nowMs);
    if (this.errors[market] < 0x7fffffff) this.errors[market]++;
    if (s === BreakerState.HALF_OPEN || (s === BreakerState.CLOSED && this.errors[market] >= this.threshold)) {
      this.state[market] = BreakerState.OPEN;
      this.openedAt[market] = nowMs;
      this.trial[market] = 0;
    }
  }

  /**
   * A request whose outcome neither proves nor disproves health (e.g. a HALF_OPEN trial that was
   * refused locally before it left): gives the trial back without a verdict.
   */
  release(market: number): void {
    this.trial[market] = 0;
  }

  /** Forces CLOSED with no errors (operator reset, or a slot reused for another market). */
  reset(market: number): void {
    this.onSuccess(market);
  }
}
