/**
 * Trading fees of a market (kalshi-api.md §5.3), exact in µ$, with a per-order rounding
 * accumulator.
 *
 * Rates: taker 0.07 × m, maker 0.0175 × m (series of fee type `quadratic_with_maker_fees` only;
 * `quadratic` and `flat` charge no maker fee), where m = feeMultiplierMilli / 1000 — a straight
 * product of the base rate and the series' multiplier (UNCONFIRMED, §5.3). `flat` uses the
 * quadratic formula too: the "Specific Trading Fees" table is not public (UNCONFIRMED).
 *
 * Rounding: Kalshi rounds the model fee 0.07·C·P·(1−P) up to $0.0001. We round per ORDER and
 * ROLE (taker / maker), not per fill: an order's fees so far are always
 *   ceil(rate · Σ_fills C_i·P_i·(1−P_i)) to $0.0001,
 * and each fill is charged the increase. A single fill pays exactly `takerFee(price, count)` of
 * src/shared/fees.ts (× m); an order that fills in pieces pays no more than if it had filled in
 * one (Kalshi's fee-rounding page describes a per-order accumulator refunding accumulated
 * rounding; this is the simplest model with that property — UNCONFIRMED in the detail).
 *
 * Arithmetic: with the rate num/den, fee in $0.0001 ticks = num·count·P·(10⁴−P) / (den·10⁶)
 * (count in hundredths, P in $0.0001). The accumulator keeps that quotient as whole ticks `q`
 * plus a remainder `r` in [0, den·10⁶), so it is exact for any number of fills; products beyond
 * 2^53 go through BigInt.
 */
import type { SeriesState } from './types.js';

/** µ$ per $0.0001 tick. */
const TICK = 100;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Multipliers above ×10 are refused so that num·P·(1−P) stays a safe integer. */
export const MAX_FEE_MULTIPLIER_MILLI = 10_000;

/** A fee rate num / den (den · 10⁶ is the accumulator's divisor). */
export interface FeeRate {
  readonly num: number;
  /** den · 10⁶ */
  readonly divisor: number;
}

export interface MarketFees {
  readonly taker: FeeRate;
  /** num 0 when the series charges no maker fee. */
  readonly maker: FeeRate;
}

/** Fee accumulator of one order in one role: ceil(q + r/divisor) ticks charged so far. */
export interface FeeAcc {
  q: number;
  r: number;
}

export function marketFees(series: SeriesState): MarketFees {
  const m = series.feeMultiplierMilli;
  if (!Number.isSafeInteger(m) || m < 0 || m > MAX_FEE_MULTIPLIER_MILLI) {
    throw new RangeError(`feeMultiplierMilli must be an integer in [0, ${MAX_FEE_MULTIPLIER_MILLI}], got ${m}`);
  }
  // taker 0.07·m/1000 = 7m / 10⁵; maker 0.0175·m/1000 = 175m / 10⁷.
  return {
    taker: { num: 7 * m, divisor: 100_000 * 1_000_000 },
    maker: { num: series.feeType === 'quadratic_with_maker_fees' ? 175 * m : 0, divisor: 10_000_000 * 1_000_000 },
  };
}

// Scratch outputs of divMod (no allocation on the fill path).
let outQ = 0;
let outR = 0;

/** outQ, outR = divmod(a·b, d) exactly, for non-negative safe a, b and positive safe d. */
function divMod(a: number, b: number, d: number): void {
  const p = a * b;
  if (p <= MAX_SAFE) {
    outR = p % d;
    outQ = (p - outR) / d;
    return;
  }
  const bp = BigInt(a) * BigInt(b);
  const bd = BigInt(d);
  const q = bp / bd;
  if (q > BigInt(MAX_SAFE)) throw new RangeError('fee beyond the safe integer range');
  outQ = Number(q);
  outR = Number(bp % bd);
}

function ticksOf(q: number, r: number): number {
  return r > 0 ? q + 1 : q;
}

/** µ$ the accumulator would charge for `count` more hundredths at `price` (acc unchanged). */
export function feeIncrement(acc: FeeAcc | undefined, rate: FeeRate, price: number, count: number): number {
  if (rate.num === 0 || count === 0) return 0;
  const q0 = acc === undefined ? 0 : acc.q;
  const r0 = acc === undefined ? 0 : acc.r;
  divMod(rate.num * price * (10_000 - price), count, rate.divisor);
  let q = q0 + outQ;
  let r = r0 + outR;
  if (r >= rate.divisor) {
    r -= rate.divisor;
    q++;
  }
  return (ticksOf(q, r) - ticksOf(q0, r0)) * TICK;
}

/** Adds a fill to the accumulator and returns the µ$ to charge for it. */
export function chargeFee(acc: FeeAcc, rate: FeeRate, price: number, count: number): number {
  if (rate.num === 0 || count === 0) return 0;
  const before = ticksOf(acc.q, acc.r);
  divMod(rate.num * price * (10_000 - price), count, rate.divisor);
  acc.q += outQ;
  acc.r += outR;
  if (acc.r >= rate.divisor) {
    acc.r -= rate.divisor;
    acc.q++;
  }
  return (ticksOf(acc.q, acc.r) - before) * TICK;
}

/** µ$ of a single fill from a fresh accumulator: the model fee rounded up to $0.0001. */
export function feeFor(rate: FeeRate, price: number, count: number): number {
  return feeIncrement(undefined, rate, price, count);
}

/**
 * The price in [lo, hi] where P·(1−P) is largest (the closest to $0.50): the worst-case fee
 * price of a taker whose fills can land anywhere in that range.
 */
export function worstFeePrice(lo: number, hi: number): number {
  return 5_000 < lo ? lo : 5_000 > hi ? hi : 5_000;
}
