/**
 * Per-market order throttle (architecture.md §4 step 3; lessons: 250 ms by default): at most one
 * order request per market per `intervalMs`. Intents in between are DENIED (THROTTLED), not
 * queued: the next book change brings a fresh intent on a fresh book.
 *
 * State is one Float64Array of the last send time per market slot (ms; −Infinity = never), so a
 * check is one load and a compare. Single owner: the execution thread. Time comes in as ms (any
 * clock, as long as the caller uses one consistently); a clock that steps back only delays.
 */
export const DEFAULT_THROTTLE_MS = 250;

export class Throttle {
  readonly capacity: number;
  readonly intervalMs: number;
  private readonly last: Float64Array;

  constructor(capacity: number, intervalMs = DEFAULT_THROTTLE_MS) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    if (!(intervalMs >= 0) || !Number.isFinite(intervalMs)) throw new RangeError(`intervalMs must be a finite number ≥ 0, got ${intervalMs}`);
    this.capacity = capacity;
    this.intervalMs = intervalMs;
    this.last = new Float64Array(capacity).fill(-Infinity);
  }

  /** True when an order may be sent in `market` at `nowMs`. */
  allows(market: number, nowMs: number): boolean {
    return nowMs - this.last[market] >= this.intervalMs;
  }

  /** ms until `market` may send again (0 when it may now). */
  waitMs(market: number, nowMs: number): number {
    const wait = this.last[market] + this.intervalMs - nowMs;
    return wait > 0 ? wait : 0;
  }

  /** Records an order sent in `market` at `nowMs`. */
  record(market: number, nowMs: number): void {
    this.last[market] = nowMs;
  }

  /** Last send time in ms, or 0 when the market never sent (the PositionBoard's `lastOrderAtMs`). */
  lastAt(market: number): number {
    const t = this.last[market];
    return t === -Infinity ? 0 : t;
  }

  /** Forgets a market slot (reused for another market). */
  clear(market: number): void {
    this.last[market] = -Infinity;
  }
}
