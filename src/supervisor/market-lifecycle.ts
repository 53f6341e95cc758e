/**
 * Market lifecycle (issue 8, continuous): what the host may still do in a market as it approaches
 * its close, pauses, closes, is determined and settles. Pure: no I/O, no timers, time passed in
 * as ms since the epoch.
 *
 * First match wins:
 *   status closed | determined | settled → HALTED, cancel working orders, no flatten: the market
 *                                          no longer trades, the position settles. Reason = status.
 *   close time known and passed          → the same, reason 'close_time_passed' (the exchange's
 *                                          status has not caught up with the clock yet).
 *   status paused                        → REDUCING 'paused'; working orders are kept, so that
 *                                          closings stay possible when trading resumes.
 *   within flattenBeforeCloseMs of close (rule > 0)
 *                                        → REDUCING, cancel working, and flatten when holding a
 *                                          position: 'flatten_before_close'; flat: 'closing_soon'
 *                                          (a market being flattened never opens again, whatever
 *                                          the stop-opening rule says)
 *   within stopOpeningBeforeCloseMs of close (rule > 0)
 *                                        → REDUCING, cancel working (we cannot tell an opening
 *                                          order from a closing one here): 'closing_soon'
 *   status unknown                       → REDUCING 'status_unknown', working orders kept: no new
 *                                          exposure in a market we cannot vouch for.
 *   otherwise                            → ACTIVE 'open'
 * "Within w of close" is nowMs ≥ closeTimeMs − w; an unknown close time (0) is never within.
 * `cancelWorking` is only ever true when the market has a working order (nothing to cancel
 * otherwise), and `flatten` only when it holds a position.
 * INACTIVE (not approved for trading) is never answered: approval is calibration's business.
 *
 * Rules: non-negative safe integers (ms), independent of each other: the flatten window acts as
 * a stop-opening window too, so the effective stop-opening window is the larger of the two.
 */
import { MarketTradingState } from '../shared/position-records.js';

export interface LifecycleRules {
  /** Stop opening (closings only) this long before the close, ms; 0: never. */
  stopOpeningBeforeCloseMs: number;
  /** Flatten any position this long before the close, ms; 0: never flatten, let it settle. */
  flattenBeforeCloseMs: number;
}

export type MarketStatus = 'active' | 'paused' | 'closed' | 'determined' | 'settled' | 'unknown';

export interface MarketLife {
  /** Market index. */
  market: number;
  /** Scheduled close, ms since the epoch; 0 unknown. */
  closeTimeMs: number;
  status: MarketStatus;
  /** Signed hundredths of a contract: + YES, − NO. */
  position: number;
  hasWorkingOrder: boolean;
}

export type LifecycleReason =
  | 'closed'
  | 'determined'
  | 'settled'
  | 'close_time_passed'
  | 'paused'
  | 'flatten_before_close'
  | 'closing_soon'
  | 'status_unknown'
  | 'open';

export interface LifecycleAction {
  state: MarketTradingState;
  /** Cancel the market's working orders. */
  cancelWorking: boolean;
  /** Close the position with an immediately marketable order. */
  flatten: boolean;
  reason: LifecycleReason;
}

/** Complete, validated, frozen rules; missing fields are 0 (off). */
export function lifecycleRules(partial: Partial<LifecycleRules> = {}): Readonly<LifecycleRules> {
  const rules = {
    stopOpeningBeforeCloseMs: partial.stopOpeningBeforeCloseMs ?? 0,
    flattenBeforeCloseMs: partial.flattenBeforeCloseMs ?? 0,
  };
  assertRules(rules);
  return Object.freeze(rules);
}

export function lifecycleAction(m: MarketLife, rules: LifecycleRules, nowMs: number): LifecycleAction {
  assertRules(rules);
  assertLife(m);
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new RangeError(`nowMs must be a finite number, got ${String(nowMs)}`);
  const cancel = m.hasWorkingOrder;
  const { status, closeTimeMs } = m;

  if (status === 'closed' || status === 'determined' || status === 'settled') {
    return { state: MarketTradingState.HALTED, cancelWorking: cancel, flatten: false, reason: status };
  }
  const known = closeTimeMs > 0;
  if (known && nowMs >= closeTimeMs) {
    return { state: MarketTradingState.HALTED, cancelWorking: cancel, flatten: false, reason: 'close_time_passed' };
  }
  if (status === 'paused') {
    return { state: MarketTradingState.REDUCING, cancelWorking: false, flatten: false, reason: 'paused' };
  }
  const { flattenBeforeCloseMs, stopOpeningBeforeCloseMs } = rules;
  const inFlatten = known && flattenBeforeCloseMs > 0 && nowMs >= closeTimeMs - flattenBeforeCloseMs;
  if (inFlatten && m.position !== 0) {
    return { state: MarketTradingState.REDUCING, cancelWorking: cancel, flatten: true, reason: 'flatten_before_close' };
  }
  if (inFlatten || (known && stopOpeningBeforeCloseMs > 0 && nowMs >= closeTimeMs - stopOpeningBeforeCloseMs)) {
    return { state: MarketTradingState.REDUCING, cancelWorking: cancel, flatten: false, reason: 'closing_soon' };
  }
  if (status === 'unknown') {
    return { state: MarketTradingState.REDUCING, cancelWorking: false, flatten: false, reason: 'status_unknown' };
  }
  return { state: MarketTradingState.ACTIVE, cancelWorking: false, flatten: false, reason: 'open' };
}

const STATUSES: readonly string[] = ['active', 'paused', 'closed', 'determined', 'settled', 'unknown'];

function assertRules(r: LifecycleRules): void {
  for (const key of ['stopOpeningBeforeCloseMs', 'flattenBeforeCloseMs'] as const) {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`lifecycle rule ${key} must be a non-negative safe integer (ms, 0: off), got ${String(v)}`);
    }
  }
}

function assertLife(m: MarketLife): void {
  if (!Number.isSafeInteger(m.closeTimeMs) || m.closeTimeMs < 0) {
    throw new RangeError(`closeTimeMs of market ${m.market} must be a non-negative integer (0: unknown), got ${String(m.closeTimeMs)}`);
  }
  if (!STATUSES.includes(m.status)) throw new RangeError(`status of market ${m.market} must be one of ${STATUSES.join(', ')}, got ${String(m.status)}`);
  if (!Number.isSafeInteger(m.position)) throw new RangeError(`position of market ${m.market} must be a safe integer (hundredths), got ${String(m.position)}`);
}
