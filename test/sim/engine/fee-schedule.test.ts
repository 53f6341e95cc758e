import { describe, expect, it } from 'vitest';
import { makerFee, quadraticFee, takerFee } from '../../../src/shared/fees.js';
import { chargeFee, feeFor, feeIncrement, marketFees, worstFeePrice, type FeeAcc } from '../../../src/sim/engine/fee-schedule.js';
import type { SeriesState } from '../../../src/sim/engine/types.js';
import { rng } from '../../support/fixed-point.js';

function series(feeType: SeriesState['feeType'], feeMultiplierMilli = 1000): SeriesState {
  return { ticker: 'S', title: '', category: '', feeType, feeMultiplierMilli };
}

describe('fee schedule', () => {
  it('a single fill pays exactly fees.ts takerFee / makerFee at ×1', () => {
    const fees = marketFees(series('quadratic_with_maker_fees'));
    const r = rng(3);
    for (let i = 0; i < 2000; i++) {
      const price = Math.floor(r() * 10_001);
      const count = 1 + Math.floor(r() * 1_000_000);
      expect(feeFor(fees.taker, price, count)).toBe(takerFee(price, count));
      expect(feeFor(fees.maker, price, count)).toBe(makerFee(price, count));
    }
    expect(feeFor(fees.taker, 5600, 1000)).toBe(172_500); // 0.07 × 10 × 0.56 × 0.44 = 0.17248 → $0.1725
  });

  it('charges no maker fee on quadratic and flat series', () => {
    expect(feeFor(marketFees(series('quadratic')).maker, 5000, 10_000)).toBe(0);
    expect(feeFor(marketFees(series('flat')).maker, 5000, 10_000)).toBe(0);
    expect(feeFor(marketFees(series('flat')).taker, 5000, 10_000)).toBe(takerFee(5000, 10_000));
  });

  it('the multiplier scales the rate: 0.07 × m (m = feeMultiplierMilli / 1000)', () => {
    const half = marketFees(series('quadratic_with_maker_fees', 500));
    expect(feeFor(half.taker, 5000, 10_000)).toBe(quadraticFee(5000, 10_000, { numerator: 35, denominator: 1000 }));
    expect(feeFor(half.taker, 5000, 10_000)).toBe(875_000); // 0.035 × 100 × 0.25
    const double = marketFees(series('quadratic', 2000));
    expect(feeFor(double.taker, 5000, 100)).toBe(35_000);
    expect(feeFor(marketFees(series('quadratic', 0)).taker, 5000, 100)).toBe(0);
    expect(() => marketFees(series('quadratic', 10_001))).toThrow(RangeError);
  });

  it('the per-order accumulator charges ceil(rate · Σ C·P·(1−P)) in total, never more than one fill would', () => {
    const fees = marketFees(series('quadratic'));
    const r = rng(11);
    for (let trial = 0; trial < 200; trial++) {
      const acc: FeeAcc = { q: 0, r: 0 };
      let charged = 0;
      let exact = 0n; // Σ 7·count·P·(10⁴−P), ticks × 10⁸
      let count = 0;
      const price = 100 * (1 + Math.floor(r() * 99));
      const pieces = 1 + Math.floor(r() * 10);
      for (let k = 0; k < pieces; k++) {
        const n = 1 + Math.floor(r() * 500);
        const inc = feeIncrement(acc, fees.taker, price, n);
        const fee = chargeFee(acc, fees.taker, price, n);
        expect(fee).toBe(inc);
        expect(fee % 100).toBe(0);
        charged += fee;
        count += n;
        exact += 7n * BigInt(n) * BigInt(price) * BigInt(10_000 - price);
      }
      const ticks = (exact + 99_999_999n) / 100_000_000n;
      expect(charged).toBe(Number(ticks) * 100);
      expect(charged).toBe(takerFee(price, count)); // same price: pieces cost what one fill would
    }
  });

  it('the accumulator stays exact for huge counts (BigInt path)', () => {
    const fees = marketFees(series('quadratic'));
    const acc: FeeAcc = { q: 0, r: 0 };
    const big = 90_000_000_000; // 9e8 contracts: 7·P(1−P)·count ≈ 1.6e19 > 2^53
    expect(chargeFee(acc, fees.taker, 5000, big)).toBe(takerFee(5000, big));
  });

  it('worst fee price: the price nearest $0.50 in the range', () => {
    expect(worstFeePrice(3000, 7000)).toBe(5000);
    expect(worstFeePrice(6000, 7000)).toBe(6000);
    expect(worstFeePrice(2000, 4000)).toBe(4000);
  });
});
