/**
 * Cash recovery (issue 8, cash flow): when available cash falls below the reserve, close the worst
 * positions first until reserve plus a margin is back, so that the trader never ends up unable to
 * trade because all its cash is tied up in positions. Pure: no I/O, no timers.
 *
 * Units: money in µ$, positions in signed hundredths, prices in $0.0001 (NONE = −1: no price).
 *
 *   cash ≥ reserve          → nothing to do (short 0, no markets)
 *   short  = reserve − cash                    (how far below the reserve)
 *   target = reserve + margin − cash           (what the exits must free)
 *   freed  = Σ exitValue of the positions whose exit is already under way (`pending`), then of
 *            each new exit chosen, worst first, until freed ≥ target
 * Worst first: lowest netPnl (net of both fees, position-health.ts) first; ties: larger exitValue
 * first (fewer exits free the cash), then lower market index. Deterministic for a given input.
 * Not candidates: flat positions, positions already pending, positions with no exit price (NONE
 * or 0), and positions whose exit would bring nothing (exitValue ≤ 0: the rounded-up fee eats a
 * tiny sale; closing it frees no cash).
 * `coverable` is false when pending plus every candidate still fall short of the target: the plan
 * then closes everything closable, and the caller should say so (and stay out of new exposure).
 *
 * Every sum is checked: a total beyond the safe integer range of µ$ (≈ $9·10⁹) is a RangeError.
 */
import { exitValue, netPnl, type PositionMark } from './position-health.js';

export interface CashRecoveryInput {
  /** Cash available for new orders, µ$ (signed). */
  availableCash: number;
  /** Cash to keep free, µ$, ≥ 0. */
  reserve: number;
  /** Extra to free beyond the reserve so one fill does not put it short again, µ$, ≥ 0. */
  margin: number;
  /** Open positions, marked at their exit bid; one per market. */
  positions: ReadonlyArray<PositionMark & { entryFees?: number }>;
  /** Markets with an exit already under way. */
  pending: ReadonlySet<number>;
}

export interface CashPlan {
  /** reserve − availableCash when positive, else 0, µ$. */
  short: number;
  /** reserve + margin − availableCash when short, else 0, µ$. */
  target: number;
  /** New exits to send, in order (worst first). */
  markets: number[];
  /** µ$ the pending exits and the new ones are expected to bring. */
  freed: number;
  /** True when `freed` ≥ `target`. */
  coverable: boolean;
}

interface Candidate {
  market: number;
  pnl: number;
  value: number;
}

export function planCashRecovery(input: CashRecoveryInput): CashPlan {
  const { availableCash, reserve, margin, positions, pending } = input;
  assertMoney('availableCash', availableCash, false);
  assertMoney('reserve', reserve, true);
  assertMoney('margin', margin, true);
  if (availableCash >= reserve) return { short: 0, target: 0, markets: [], freed: 0, coverable: true };

  const short = checkedSum('short', reserve, -availableCash);
  const target = checkedSum('target', short, margin);

  const seen = new Set<number>();
  const candidates: Candidate[] = [];
  let freed = 0;
  for (const p of positions) {
    // exitValue validates the mark.
    const value = exitValue(p);
    if (seen.has(p.market)) throw new RangeError(`market ${p.market} appears twice in the positions`);
    seen.add(p.market);
    if (p.position === 0 || value <= 0) continue;
    if (pending.has(p.market)) {
      freed = checkedSum('freed', freed, value);
      continue;
    }
    candidates.push({ market: p.market, pnl: netPnl(p) as number, value });
  }

  candidates.sort(worstFirst);
  const markets: number[] = [];
  for (const c of candidates) {
    if (freed >= target) break;
    markets.push(c.market);
    freed = checkedSum('freed', freed, c.value);
  }
  return { short, target, markets, freed, coverable: freed >= target };
}

/** Lowest P&L first; then the larger exit value; then the lower market index. */
function worstFirst(a: Candidate, b: Candidate): number {
  if (a.pnl !== b.pnl) return a.pnl < b.pnl ? -1 : 1;
  if (a.value !== b.value) return a.value > b.value ? -1 : 1;
  return a.market - b.market;
}

/** a + b for safe integers; the float sum is exact exactly when it is a safe integer. */
function checkedSum(what: string, a: number, b: number): number {
  const s = a + b;
  if (!Number.isSafeInteger(s)) throw new RangeError(`${what} is beyond the safe integer range of µ$ (${BigInt(a) + BigInt(b)})`);
  return s;
}

function assertMoney(what: string, v: number, nonNegative: boolean): void {
  if (!Number.isSafeInteger(v) || (nonNegative && v < 0)) {
    throw new RangeError(`${what} must be a ${nonNegative ? 'non-negative ' : ''}safe integer (µ$), got ${String(v)}`);
  }
}
