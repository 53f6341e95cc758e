/**
 * Position health (issue 8, continuous): take-profit, stop-loss, max hold time and trailing stop,
 * judged on net-of-fee P&L at the price a marketable exit would get now. Pure rules: no I/O, no
 * timers, time passed in as ms since the epoch.
 *
 * Units: money in µ$, prices in $0.0001 (NONE = −1: no price), positions in signed hundredths
 * (+ YES held, − NO held), percentages in integer basis points (1 bp = 0.01 %), times in ms.
 *
 * Marks:
 *   exitValue = notional(exitBid, |q|) − takerFee(exitBid, |q|)   (0 when exitBid is NONE or 0;
 *               it can be slightly negative: the fee is rounded up to $0.0001, so selling a tiny
 *               count at a tiny price can cost more than it brings)
 *   netPnl    = exitValue − costBasis − entryFees
 * `costBasis` is the ledger's (src/workers/execution/ledger.ts): µ$ paid for the open contracts,
 * fees EXCLUDED (the ledger keeps them apart, per market, in `feesPaid`). So the entry fees are a
 * separate optional field of the mark, default 0. Pass the fees of the open position's entries:
 * the ledger's `feesPaid` is cumulative over every trade in the market, exits included, and
 * would overstate them once the market has been traded in and out.
 *
 * Rules (each off when 0), with B = costBasis:
 *   stop_loss      netPnl·10⁴ ≤ −stopLossBps·B
 *   trailing_stop  armed once the position's peak netPnl is > 0; (peak − netPnl)·10⁴ ≥ trailingStopBps·B
 *   take_profit    netPnl·10⁴ ≥ takeProfitBps·B
 *   max_hold       openedAtMs > 0 and nowMs − openedAtMs ≥ maxHoldMs
 * and when several fire the first in that order wins. No P&L rule fires without a P&L: a mark with
 * no exit price (exitBid NONE, or 0: nothing to sell into), or with B = 0 (a percentage of
 * nothing), is checked for max hold only, and `netPnl` is undefined without an exit price.
 * Comparisons are exact integer cross-multiplications, in BigInt when a product or a difference
 * would pass 2^53.
 *
 * The trailing peak is kept per market and starts over with a new position: when openedAtMs
 * changes, the sign of the position changes, or |position| changes (a partial close or an add
 * rescales P&L, and a peak of the old size would fire a spurious stop), or the position goes flat.
 * The current mark counts towards the peak before the check.
 */
import { notional, type Money } from '../shared/fixed-point.js';
import { takerFee } from '../shared/fees.js';
import { NONE } from '../shared/book-layout.js';

/** Basis points per 1 (100 %). */
export const BPS = 10_000;
const BPS_N = 10_000n;
const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_N = -MAX_SAFE_N;

export interface ExitRules {
  /** Take profit at this net gain, bp of the cost basis; 0: off. */
  takeProfitBps: number;
  /** Stop out at this net loss, bp of the cost basis; 0: off. */
  stopLossBps: number;
  /** Exit a position held this long, ms; 0: off. */
  maxHoldMs: number;
  /** Exit when net P&L falls this far below its peak, bp of the cost basis; 0: off. */
  trailingStopBps: number;
}

const RULE_KEYS: readonly (keyof ExitRules)[] = ['takeProfitBps', 'stopLossBps', 'maxHoldMs', 'trailingStopBps'];

/** Complete, validated, frozen rules: missing fields are 0 (off); each must be a non-negative safe integer. */
export function exitRules(partial: Partial<ExitRules> = {}): Readonly<ExitRules> {
  if (partial === null || typeof partial !== 'object') throw new RangeError(`exit rules must be an object, got ${String(partial)}`);
  for (const key of Object.keys(partial)) {
    if (!(RULE_KEYS as readonly string[]).includes(key)) {
      throw new RangeError(`unknown exit rule ${JSON.stringify(key)} (expected one of ${RULE_KEYS.join(', ')})`);
    }
  }
  const rules = { takeProfitBps: 0, stopLossBps: 0, maxHoldMs: 0, trailingStopBps: 0 };
  for (const key of RULE_KEYS) {
    const v = partial[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`exit rule ${key} must be a non-negative safe integer (0: off), got ${String(v)}`);
    }
    rules[key] = v;
  }
  return Object.freeze(rules);
}

/** One open position, marked at the best price it could be sold at now. */
export interface PositionMark {
  /** Market index. */
  market: number;
  /** Signed hundredths of a contract: + YES held, − NO held. */
  position: number;
  /** µ$ paid for the open contracts, fees excluded (the ledger's costBasis), ≥ 0. */
  costBasis: number;
  /** When the position was opened, ms since the epoch; 0 unknown. */
  openedAtMs: number;
  /** Best bid of the outcome held (YES bid when long YES, NO bid when long NO), $0.0001; NONE when none. */
  exitBid: number;
  /** µ$ of fees paid to open the position, ≥ 0; default 0 (see the header). */
  entryFees?: number;
}

export type ExitReason = 'take_profit' | 'stop_loss' | 'max_hold' | 'trailing_stop';

/** µ$ a marketable exit of the whole position would bring now, net of the taker fee (0 without a bid). */
export function exitValue(mark: PositionMark): Money {
  assertMark(mark);
  return exitValueOf(mark);
}

/**
 * exitValue − costBasis − entryFees, µ$: the P&L of closing now, net of both fees. Undefined
 * without an exit price (NONE); a RangeError when it would pass the safe integer range.
 */
export function netPnl(mark: PositionMark): Money | undefined {
  assertMark(mark);
  return hasExitPrice(mark) ? netPnlOf(mark) : undefined;
}

interface Tracked {
  openedAtMs: number;
  position: number;
  /** Highest netPnl seen for this position; undefined until a mark had a P&L. */
  peak: Money | undefined;
}

export class PositionHealth {
  readonly rules: Readonly<ExitRules>;
  private readonly tracked = new Map<number, Tracked>();

  constructor(rules: Partial<ExitRules> = {}) {
    this.rules = exitRules(rules);
  }

  /** The exit `mark` calls for at `nowMs`, or undefined to keep it. Updates the trailing peak. */
  check(mark: PositionMark, nowMs: number): ExitReason | undefined {
    assertMark(mark);
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new RangeError(`nowMs must be a finite number, got ${String(nowMs)}`);
    if (mark.position === 0) {
      this.tracked.delete(mark.market);
      return undefined;
    }
    const t = this.track(mark);
    const { takeProfitBps, stopLossBps, maxHoldMs, trailingStopBps } = this.rules;
    const basis = mark.costBasis;
    if (hasExitPrice(mark) && basis > 0) {
      const pnl = netPnlOf(mark);
      if (t.peak === undefined || pnl > t.peak) t.peak = pnl;
      if (stopLossBps > 0 && scaledAtLeast(-pnl, stopLossBps, basis)) return 'stop_loss';
      if (trailingStopBps > 0 && t.peak > 0 && scaledAtLeast(sub(t.peak, pnl), trailingStopBps, basis)) return 'trailing_stop';
      if (takeProfitBps > 0 && scaledAtLeast(pnl, takeProfitBps, basis)) return 'take_profit';
    }
    if (maxHoldMs > 0 && mark.openedAtMs > 0 && nowMs - mark.openedAtMs >= maxHoldMs) return 'max_hold';
    return undefined;
  }

  /** The trailing peak of `market`'s current position, µ$; undefined when none is tracked yet. */
  peak(market: number): Money | undefined {
    return this.tracked.get(market)?.peak;
  }

  /** Drops what is kept for `market` (its trailing peak). */
  forget(market: number): void {
    this.tracked.delete(market);
  }

  /** The tracking record for `mark`'s position, started over when the position is a new one. */
  private track(mark: PositionMark): Tracked {
    const t = this.tracked.get(mark.market);
    if (t !== undefined && t.openedAtMs === mark.openedAtMs && t.position === mark.position) return t;
    const fresh: Tracked = { openedAtMs: mark.openedAtMs, position: mark.position, peak: undefined };
    this.tracked.set(mark.market, fresh);
    return fresh;
  }
}

// ---------------------------------------------------------------------------------------------
// Arithmetic on checked marks

function hasExitPrice(mark: PositionMark): boolean {
  return mark.exitBid !== NONE && mark.exitBid !== 0;
}

function exitValueOf(mark: PositionMark): Money {
  if (!hasExitPrice(mark)) return 0;
  const n = mark.position < 0 ? -mark.position : mark.position;
  // notional and takerFee each throw past 2^53; both non-negative and safe, so the difference is exact.
  return notional(mark.exitBid, n) - takerFee(mark.exitBid, n);
}

function netPnlOf(mark: PositionMark): Money {
  const v = exitValueOf(mark);
  const cost = mark.costBasis + (mark.entryFees ?? 0);
  // Two safe operands: when the float result is a safe integer it is exact (a larger exact result
  // rounds to ≥ 2^53 in magnitude), so the checks below catch every inexact step.
  if (Number.isSafeInteger(cost)) {
    const d = v - cost;
    if (Number.isSafeInteger(d)) return d;
  }
  const big = BigInt(v) - BigInt(mark.costBasis) - BigInt(mark.entryFees ?? 0);
  if (big >= MIN_SAFE_N && big <= MAX_SAFE_N) return Number(big);
  throw new RangeError(`net P&L of market ${mark.market} (${big} µ$) is beyond the safe integer range`);
}

/** a − b for safe integers, as a number when exact, else as a BigInt. */
function sub(a: number, b: number): number | bigint {
  const d = a - b;
  return Number.isSafeInteger(d) ? d : BigInt(a) - BigInt(b);
}

/** amount·10⁴ ≥ bps·basis, exact: in numbers while both products are safe, else in BigInt. */
function scaledAtLeast(amount: number | bigint, bps: number, basis: number): boolean {
  if (typeof amount === 'number') {
    const l = amount * BPS;
    const r = bps * basis;
    // An integer product beyond 2^53 − 1 rounds to ≥ 2^53 and fails isSafeInteger: these are exact.
    if (Number.isSafeInteger(l) && Number.isSafeInteger(r)) return l >= r;
    amount = BigInt(amount);
  }
  return amount * BPS_N >= BigInt(bps) * BigInt(basis);
}

function assertMark(m: PositionMark): void {
  if (!Number.isSafeInteger(m.market) || m.market < 0) throw new RangeError(`market must be a non-negative integer, got ${String(m.market)}`);
  if (!Number.isSafeInteger(m.position)) throw new RangeError(`position of market ${m.market} must be a safe integer (hundredths), got ${String(m.position)}`);
  if (!Number.isSafeInteger(m.costBasis) || m.costBasis < 0) {
    throw new RangeError(`costBasis of market ${m.market} must be a non-negative safe integer (µ$), got ${String(m.costBasis)}`);
  }
  if (m.entryFees !== undefined && (!Number.isSafeInteger(m.entryFees) || m.entryFees < 0)) {
    throw new RangeError(`entryFees of market ${m.market} must be a non-negative safe integer (µ$), got ${String(m.entryFees)}`);
  }
  if (typeof m.openedAtMs !== 'number' || !Number.isFinite(m.openedAtMs) || m.openedAtMs < 0) {
    throw new RangeError(`openedAtMs of market ${m.market} must be a finite number ≥ 0, got ${String(m.openedAtMs)}`);
  }
  if (m.exitBid !== NONE && !(Number.isInteger(m.exitBid) && m.exitBid >= 0 && m.exitBid <= 10_000)) {
    throw new RangeError(`exitBid of market ${m.market} must be NONE (−1) or a price in [0, 10000], got ${String(m.exitBid)}`);
  }
}
