import { describe, it, expect } from 'vitest';
import { MONEY_SCALE, PRICE_SCALE, formatMoney } from '../../src/shared/fixed-point.js';
import { MAKER_FEE_RATE, TAKER_FEE_RATE, feeRoundedToCent, makerFee, quadraticFee, takerFee } from '../../src/shared/fees.js';
import { fixedPointError, MAX_SAFE, rng } from '../support/fixed-point.js';

describe('fees (kalshi-api.md §5.3)', () => {
  /** Reference: ceil(num · C · P · (1−P) / den) to $0.0001, computed in BigInt from dollars × 10^k. */
  function referenceFee(price: number, count: number, num: number, den: number): number {
    // fee in $ = num/den · count/100 · price/1e4 · (1e4−price)/1e4; in $0.0001 ticks multiply by 1e4.
    const numer = BigInt(num) * BigInt(count) * BigInt(price) * BigInt(PRICE_SCALE - price) * 10_000n;
    const denom = BigInt(den) * 100n * 10_000n * 10_000n;
    const ticks = (numer + denom - 1n) / denom;
    return Number(ticks) * 100;
  }

  it('taker: 1 contract at $0.50 costs $0.0175, $0.02 rounded to the cent', () => {
    expect(takerFee(5000, 100)).toBe(17_500);
    expect(formatMoney(takerFee(5000, 100), 4)).toBe('0.0175');
    expect(feeRoundedToCent(takerFee(5000, 100))).toBe(20_000);
  });

  it('taker: 100 contracts at $0.50 cost $1.75', () => {
    expect(takerFee(5000, 10_000)).toBe(1_750_000);
  });

  it('taker: 1 contract at $0.01 rounds 0.000693 up to $0.0007', () => {
    expect(takerFee(100, 100)).toBe(700);
    expect(takerFee(9900, 100)).toBe(700);
  });

  it('taker: the maximum over all prices is $0.0175 per contract, reached at $0.50', () => {
    let max = 0;
    for (let p = 0; p <= PRICE_SCALE; p++) max = Math.max(max, takerFee(p, 100));
    expect(max).toBe(17_500);
    expect(takerFee(5000, 100)).toBe(max);
    // Rounding up to $0.0001 makes a plateau: 0.07 × 0.4623 × 0.5377 = 0.01740… → $0.0175 too.
    expect(takerFee(4623, 100)).toBe(max);
    expect(takerFee(4622, 100)).toBe(17_400);
    expect(feeRoundedToCent(max)).toBe(20_000);
  });

  it('maker: 1 contract at $0.50 is 0.004375, rounded up to $0.0044', () => {
    expect(makerFee(5000, 100)).toBe(4_400);
    expect(makerFee(5000, 10_000)).toBe(437_500); // 100 contracts: $0.4375 exactly
  });

  it('fractional counts: 0.5 contract at $0.50 is 0.00875 → $0.0088', () => {
    expect(takerFee(5000, 50)).toBe(8_800);
  });

  it('is zero at the edges and for no contracts', () => {
    expect(takerFee(0, 100)).toBe(0);
    expect(takerFee(10_000, 100)).toBe(0);
    expect(takerFee(5000, 0)).toBe(0);
    expect(makerFee(0, 1000)).toBe(0);
  });

  it('matches the BigInt reference, is a multiple of $0.0001, and is symmetric in P', () => {
    const random = rng(5);
    for (let i = 0; i < 3000; i++) {
      const p = Math.floor(random() * (PRICE_SCALE + 1));
      const c = Math.floor(random() * 10 ** Math.floor(random() * 12));
      const taker = takerFee(p, c);
      expect(taker).toBe(referenceFee(p, c, 7, 100));
      expect(makerFee(p, c)).toBe(referenceFee(p, c, 175, 10_000));
      expect(taker % 100).toBe(0);
      expect(takerFee(PRICE_SCALE - p, c)).toBe(taker);
    }
  });

  it('stays exact when the intermediate product exceeds 2^53', () => {
    // 10,000,000 contracts at $0.50: 0.07 × 1e7 × 0.25 = $175,000.
    expect(takerFee(5000, 1_000_000_000)).toBe(175_000 * MONEY_SCALE);
    expect(takerFee(5001, 1_000_000_007)).toBe(referenceFee(5001, 1_000_000_007, 7, 100));
  });

  it('quadraticFee takes any exact rate', () => {
    expect(quadraticFee(5000, 100, TAKER_FEE_RATE)).toBe(takerFee(5000, 100));
    expect(quadraticFee(5000, 100, MAKER_FEE_RATE)).toBe(makerFee(5000, 100));
    // the combo maker multiplier 0.5: 0.035
    expect(quadraticFee(5000, 100, { numerator: 35, denominator: 1000 })).toBe(8_800);
  });

  it('rejects bad inputs', () => {
    expect(fixedPointError(() => takerFee(10_001, 100)).code).toBe('range');
    expect(fixedPointError(() => takerFee(5000, -100)).code).toBe('range');
    expect(fixedPointError(() => takerFee(5000, 1.5)).code).toBe('type');
    expect(fixedPointError(() => makerFee(0.5, 100)).code).toBe('type');
  });
});

describe('feeRoundedToCent', () => {
  it.each([
    [0, 0],
    [1, 10_000],
    [700, 10_000],
    [9_999, 10_000],
    [10_000, 10_000],
    [10_001, 20_000],
    [17_500, 20_000],
    [1_750_000, 1_750_000],
  ])('%i µ$ → %i µ$', (fee, want) => {
    expect(feeRoundedToCent(fee)).toBe(want);
  });

  it('rejects negatives, non-integers and overflow', () => {
    expect(fixedPointError(() => feeRoundedToCent(-1)).code).toBe('range');
    expect(fixedPointError(() => feeRoundedToCent(0.5)).code).toBe('type');
    expect(fixedPointError(() => feeRoundedToCent(MAX_SAFE)).code).toBe('range');
  });
});
