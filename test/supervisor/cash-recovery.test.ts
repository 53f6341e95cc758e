import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/shared/book-layout.js';
import { planCashRecovery, type CashRecoveryInput } from '../../src/supervisor/cash-recovery.js';
import type { PositionMark } from '../../src/supervisor/position-health.js';

const T = 1_767_225_600_000;
const MAX = Number.MAX_SAFE_INTEGER;

// Reserve $10, margin $2, $4 available: $6 short, $8 to free.
const RESERVE = 10_000_000;
const MARGIN = 2_000_000;
const CASH = 4_000_000;

/** 10 YES bought at $0.40, YES bid $0.50: exit 5_000_000 − 175_000 = 4_825_000, P&L +825_000. */
const winner: PositionMark = { market: 0, position: 1000, costBasis: 4_000_000, openedAtMs: T, exitBid: 5000 };
/** 10 YES bought at $0.40, YES bid $0.30: exit 3_000_000 − 147_000 = 2_853_000, P&L −1_147_000. */
const loser: PositionMark = { market: 1, position: 1000, costBasis: 4_000_000, openedAtMs: T, exitBid: 3000 };
/** 10 NO bought at $0.60, NO bid $0.55: exit 5_500_000 − 173_300 = 5_326_700, P&L −673_300. */
const noSide: PositionMark = { market: 2, position: -1000, costBasis: 6_000_000, openedAtMs: T, exitBid: 5500 };
/** 5 YES, no bid: cannot be sold now. */
const noBid: PositionMark = { market: 3, position: 500, costBasis: 1_000_000, openedAtMs: T, exitBid: NONE };

function plan(over: Partial<CashRecoveryInput>) {
  return planCashRecovery({
    availableCash: CASH, reserve: RESERVE, margin: MARGIN, positions: [winner, loser, noSide, noBid], pending: new Set(), ...over,
  });
}

describe('planCashRecovery', () => {
  it('nothing to do at or above the reserve', () => {
    const none = { short: 0, target: 0, markets: [], freed: 0, coverable: true };
    expect(plan({ availableCash: RESERVE })).toEqual(none);
    expect(plan({ availableCash: RESERVE + 1 })).toEqual(none);
    expect(plan({ availableCash: 0, reserve: 0 })).toEqual(none);
  });

  it('closes the worst first until reserve + margin is covered', () => {
    // Worst first: loser (−1_147_000), noSide (−673_300), winner (+825_000); noBid is skipped.
    // loser frees 2_853_000 < 8_000_000; + noSide 5_326_700 = 8_179_700 ≥ 8_000_000: stop.
    expect(plan({})).toEqual({ short: 6_000_000, target: 8_000_000, markets: [1, 2], freed: 8_179_700, coverable: true });
  });

  it('the order of the input does not matter', () => {
    expect(plan({ positions: [noBid, noSide, winner, loser] })).toEqual(plan({}));
  });

  it('one µ$ of target more takes the next position', () => {
    const p = plan({ margin: 2_179_701 });
    expect(p.markets).toEqual([1, 2, 0]);
    expect(p.freed).toBe(8_179_700 + 4_825_000);
    expect(plan({ margin: 2_179_700 }).markets).toEqual([1, 2]);
  });

  it('counts exits already under way first, and does not send them again', () => {
    // loser pending: 2_853_000 counted; noSide (5_326_700) brings 8_179_700.
    expect(plan({ pending: new Set([1]) })).toEqual({ short: 6_000_000, target: 8_000_000, markets: [2], freed: 8_179_700, coverable: true });
    // Pending exits alone cover it: nothing new to send.
    expect(plan({ pending: new Set([1, 2]) })).toEqual({ short: 6_000_000, target: 8_000_000, markets: [], freed: 8_179_700, coverable: true });
    // A pending market with no position (already closed: its cash is in availableCash) frees nothing.
    expect(plan({ pending: new Set([42]) }).markets).toEqual([1, 2]);
  });

  it('not coverable: closes everything closable and says so', () => {
    const p = plan({ availableCash: -5_000_000 });
    expect(p).toEqual({
      short: 15_000_000, target: 17_000_000, markets: [1, 2, 0], freed: 2_853_000 + 5_326_700 + 4_825_000, coverable: false,
    });
  });

  it('nothing closable at all', () => {
    expect(plan({ positions: [noBid] })).toEqual({ short: 6_000_000, target: 8_000_000, markets: [], freed: 0, coverable: false });
    expect(plan({ positions: [] }).coverable).toBe(false);
  });

  it('skips flat positions, a zero bid, and a sale that would bring nothing after its fee', () => {
    const flat: PositionMark = { ...winner, market: 5, position: 0, costBasis: 0 };
    const zeroBid: PositionMark = { ...winner, market: 6, exitBid: 0 };
    // 0.01 contract at $0.0001: 1 µ$ notional, 100 µ$ fee: P&L −199, worst of all, but frees −99.
    const dust: PositionMark = { market: 7, position: 1, costBasis: 100, openedAtMs: T, exitBid: 1 };
    expect(plan({ positions: [flat, zeroBid, dust, winner] }).markets).toEqual([0]);
  });

  it('ties on P&L: the larger exit value first (fewer exits), then the lower market index', () => {
    // 20 YES at a $8.825 basis, YES bid $0.50: exit 10_000_000 − 350_000 = 9_650_000, P&L +825_000, like winner.
    const big: PositionMark = { market: 9, position: 2000, costBasis: 8_825_000, openedAtMs: T, exitBid: 5000 };
    expect(plan({ positions: [winner, big] }).markets).toEqual([9]);
    const twin7 = { ...winner, market: 7 };
    const twin4 = { ...winner, market: 4 };
    expect(plan({ positions: [twin7, winner, twin4], margin: 6_000_000 }).markets).toEqual([0, 4, 7]);
    expect(plan({ positions: [twin7, twin4] }).markets).toEqual([4, 7]);
  });

  it('entry fees count in the P&L that ranks the positions', () => {
    const a: PositionMark = { ...winner, market: 0 };
    const b: PositionMark = { ...winner, market: 1, entryFees: 168_000 };
    expect(plan({ positions: [a, b], margin: 0, availableCash: 6_000_000 }).markets).toEqual([1]);
  });

  it('rejects malformed input', () => {
    expect(() => plan({ reserve: -1 })).toThrow(RangeError);
    expect(() => plan({ margin: 0.5 })).toThrow(RangeError);
    expect(() => plan({ availableCash: Number.NaN })).toThrow(RangeError);
    expect(() => plan({ positions: [winner, { ...loser, market: 0 }] })).toThrow(/market 0 appears twice/);
    expect(() => plan({ positions: [{ ...winner, exitBid: 12_000 }] })).toThrow(RangeError);
  });

  it('sums beyond 2^53 µ$ are an error, never a rounded plan', () => {
    expect(() => plan({ reserve: MAX, margin: 1, availableCash: 0 })).toThrow(/target is beyond the safe integer range/);
    // Two exits of ≈ 9.007·10¹⁵ µ$ each: their sum cannot be held.
    const huge = (market: number): PositionMark => ({ market, position: 900_719_925_474, costBasis: 0, openedAtMs: T, exitBid: 10_000 });
    expect(() => plan({ positions: [huge(0), huge(1)], pending: new Set([0, 1]) })).toThrow(/freed is beyond/);
    // One alone is fine.
    expect(plan({ positions: [huge(0)], availableCash: 0, reserve: MAX - 1, margin: 0 })).toEqual({
      short: MAX - 1, target: MAX - 1, markets: [0], freed: 9_007_199_254_740_000, coverable: false,
    });
  });
});
