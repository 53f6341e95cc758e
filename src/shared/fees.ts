/**
 * Fees (kalshi-api.md §5.3): Kalshi's quadratic trading fee and its rounding, exact in the
 * fixed-point units of fixed-point.ts (price in $0.0001, count in hundredths, money in µ$).
 */

import {
  FixedPointError,
  PRICE_SCALE,
  assertOperand,
  assertPrice,
  mulDivCeil,
  type Count,
  type Money,
  type Price,
} from './fixed-point.js';

/** A fee rate as an exact fraction. */
export interface FeeRate {
  readonly numerator: number;
  readonly denominator: number;
}
/** 0.07 */
export const TAKER_FEE_RATE: FeeRate = Object.freeze({ numerator: 7, denominator: 100 });
/** 0.0175 (= 0.07 × the 0.25 maker multiplier) */
export const MAKER_FEE_RATE: FeeRate = Object.freeze({ numerator: 175, denominator: 10_000 });

/** µ$ per $0.0001, the precision the model fee is rounded up to. */
const FEE_TICK = 100;
/** µ$ per cent, the balance precision of non-direct members. */
const CENT = 10_000;

/**
 * The model fee roundUp(rate × C × P × (1 − P)) to $0.0001, in µ$ (so a multiple of 100), with
 * C = count / 100 contracts and P = price / 10000 dollars:
 *   rate·C·P·(1−P) $ = num·count·price·(10⁴−price) / (den·10¹⁰) $
 *                    = num·count·price·(10⁴−price) / (den·10⁶)  in $0.0001 ticks.
 * Exact for any count (BigInt past 2^53). How `fee_multiplier` composes with the rate is
 * UNCONFIRMED (§5.3); pass the composed rate here.
 */
export function quadraticFee(price: Price, count: Count, rate: FeeRate): Money {
  assertPrice(price);
  assertOperand(count, 0);
  const ticks = mulDivCeil(rate.numerator * price * (PRICE_SCALE - price), count, rate.denominator * 1_000_000);
  const fee = ticks * FEE_TICK;
  if (!Number.isSafeInteger(fee)) throw new FixedPointError('range', 'money', String(ticks), 'fee beyond the safe integer range of µ$');
  return fee;
}

/** Taker fee in µ$: 0.07 × C × P × (1−P) rounded up to $0.0001. 1 contract at 0.50 → 17500. */
export function takerFee(price: Price, count: Count): Money {
  return quadraticFee(price, count, TAKER_FEE_RATE);
}

/** Maker fee in µ$ (series with maker fees): 0.0175 × C × P × (1−P) rounded up to $0.0001. */
export function makerFee(price: Price, count: Count): Money {
  return quadraticFee(price, count, MAKER_FEE_RATE);
}

/**
 * A fee in µ$ rounded up to the cent ($0.01 = 10000 µ$): the single-fill charge seen by a
 * non-direct member, whose balance moves in cents (§5.3; the per-order rounding accumulator
 * that refunds whole cents is not modelled here).
 */
export function feeRoundedToCent(feeMicros: Money): Money {
  assertOperand(feeMicros, 0);
  const r = feeMicros % CENT;
  if (r === 0) return feeMicros;
  const up = feeMicros - r + CENT;
  if (!Number.isSafeInteger(up)) throw new FixedPointError('range', 'money', String(feeMicros), 'beyond the safe integer range of µ$');
  return up;
}
