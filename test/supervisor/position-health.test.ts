import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/shared/book-layout.js';
import { takerFee } from '../../src/shared/fees.js';
import { PositionHealth, exitRules, exitValue, netPnl, type ExitRules, type PositionMark } from '../../src/supervisor/position-health.js';

const T = 1_767_225_600_000;
const MAX = Number.MAX_SAFE_INTEGER;

/** 10 contracts (1000 hundredths) of YES bought at $0.40: cost basis $4.00, entry taker fee $0.168. */
const ENTRY_FEE = 168_000;
function longYes(exitBid: number, extra: Partial<PositionMark> = {}): PositionMark {
  return { market: 3, position: 1000, costBasis: 4_000_000, openedAtMs: T, exitBid, ...extra };
}

describe('exitRules', () => {
  it('fills missing rules with 0 (off) and freezes the result', () => {
    expect(exitRules()).toEqual({ takeProfitBps: 0, stopLossBps: 0, maxHoldMs: 0, trailingStopBps: 0 });
    const r = exitRules({ takeProfitBps: 2_000, maxHoldMs: 3_600_000 });
    expect(r).toEqual({ takeProfitBps: 2_000, stopLossBps: 0, maxHoldMs: 3_600_000, trailingStopBps: 0 });
    expect(Object.isFrozen(r)).toBe(true);
    // Above 100 % is allowed: a position bought at $0.10 can gain 900 %.
    expect(exitRules({ takeProfitBps: 90_000 }).takeProfitBps).toBe(90_000);
  });

  it('rejects negative, fractional, non-finite, unsafe and non-number values with the rule named', () => {
    const bad: [keyof ExitRules, unknown][] = [
      ['takeProfitBps', -1], ['stopLossBps', 1.5], ['maxHoldMs', Number.NaN], ['trailingStopBps', Number.POSITIVE_INFINITY],
      ['takeProfitBps', 2 ** 53], ['stopLossBps', '500'], ['maxHoldMs', null],
    ];
    for (const [key, v] of bad) {
      expect(() => exitRules({ [key]: v } as Partial<ExitRules>)).toThrow(RangeError);
      expect(() => exitRules({ [key]: v } as Partial<ExitRules>)).toThrow(key);
    }
  });

  it('rejects an unknown rule name (a typo would otherwise silently turn a rule off)', () => {
    expect(() => exitRules({ takeProfit: 100 } as Partial<ExitRules>)).toThrow(/unknown exit rule "takeProfit"/);
  });

  it('PositionHealth validates its rules', () => {
    expect(() => new PositionHealth({ stopLossBps: -5 })).toThrow(RangeError);
    expect(new PositionHealth().rules).toEqual(exitRules());
  });
});

describe('exitValue / netPnl', () => {
  it('worked example: 10 YES bought at $0.40, YES bid $0.50', () => {
    expect(takerFee(5000, 1000)).toBe(175_000); // 0.07 × 10 × 0.5 × 0.5 = $0.175
    expect(exitValue(longYes(5000))).toBe(5_000_000 - 175_000);
    expect(netPnl(longYes(5000))).toBe(825_000);
    // Entry fee apart from the cost basis (as the ledger keeps it): 0.07 × 10 × 0.4 × 0.6 = $0.168.
    expect(takerFee(4000, 1000)).toBe(ENTRY_FEE);
    expect(netPnl(longYes(5000, { entryFees: ENTRY_FEE }))).toBe(657_000);
  });

  it('a NO position is valued at the NO bid, on |position|', () => {
    // 10 NO bought at $0.40 (YES at 0.60), NO bid $0.60: 6_000_000 − 0.07 × 10 × 0.6 × 0.4.
    const no: PositionMark = { market: 1, position: -1000, costBasis: 4_000_000, openedAtMs: T, exitBid: 6000 };
    expect(exitValue(no)).toBe(6_000_000 - 168_000);
    expect(netPnl(no)).toBe(1_832_000);
  });

  it('no exit price: exitValue 0, netPnl unknown', () => {
    expect(exitValue(longYes(NONE))).toBe(0);
    expect(netPnl(longYes(NONE))).toBeUndefined();
    expect(exitValue(longYes(0))).toBe(0);
    expect(netPnl(longYes(0))).toBeUndefined();
  });

  it('at $1.00 there is no fee; a tiny sale at $0.0001 costs more in (rounded-up) fee than it brings', () => {
    expect(exitValue(longYes(10_000))).toBe(10_000_000);
    expect(exitValue({ market: 0, position: 1, costBasis: 0, openedAtMs: 0, exitBid: 1 })).toBe(1 - 100);
  });

  it('stays exact near 2^53 and refuses what cannot be held', () => {
    // 9_007_199_254_740 contracts at $1.00: notional 9_007_199_254_740_000 µ$, just under 2^53.
    const huge: PositionMark = { market: 0, position: 900_719_925_474, costBasis: 1, openedAtMs: T, exitBid: 10_000 };
    expect(exitValue(huge)).toBe(9_007_199_254_740_000);
    expect(netPnl(huge)).toBe(9_007_199_254_739_999);
    // costBasis + entryFees passes 2^53 but the net P&L does not: computed exactly in BigInt.
    expect(netPnl({ ...huge, costBasis: 9_000_000_000_000_000, entryFees: 9_000_000_000_000 })).toBe(
      9_007_199_254_740_000 - 9_000_000_000_000_000 - 9_000_000_000_000,
    );
    // A loss beyond −2^53: a RangeError, not a rounded number.
    expect(() => netPnl({ ...longYes(5000), costBasis: MAX, entryFees: MAX })).toThrow(RangeError);
    // A notional beyond 2^53.
    expect(() => exitValue({ ...huge, position: MAX })).toThrow(/safe integer/);
  });

  it('rejects malformed marks', () => {
    const bad: Partial<PositionMark>[] = [
      { exitBid: 10_001 }, { exitBid: -2 }, { exitBid: 4000.5 }, { costBasis: -1 }, { costBasis: 1.5 },
      { position: 0.5 }, { entryFees: -1 }, { openedAtMs: Number.NaN }, { openedAtMs: -1 }, { market: -1 },
    ];
    for (const b of bad) expect(() => exitValue(longYes(5000, b)), JSON.stringify(b)).toThrow(RangeError);
  });
});

describe('PositionHealth.check', () => {
  it('take-profit at the exact basis-point boundary (657_000 / 4_000_000 = 1642.5 bp)', () => {
    const mark = longYes(5000, { entryFees: ENTRY_FEE });
    expect(new PositionHealth({ takeProfitBps: 1642 }).check(mark, T)).toBe('take_profit');
    expect(new PositionHealth({ takeProfitBps: 1643 }).check(mark, T)).toBeUndefined();
    // Without the entry fee the same mark is up 2062.5 bp.
    expect(new PositionHealth({ takeProfitBps: 2062 }).check(longYes(5000), T)).toBe('take_profit');
    expect(new PositionHealth({ takeProfitBps: 2063 }).check(longYes(5000), T)).toBeUndefined();
  });

  it('stop-loss at the exact boundary: YES bid $0.30 → 2_853_000 − 4_168_000 = −1_315_000 = −3287.5 bp', () => {
    const mark = longYes(3000, { entryFees: ENTRY_FEE });
    expect(netPnl(mark)).toBe(-1_315_000);
    expect(new PositionHealth({ stopLossBps: 3287 }).check(mark, T)).toBe('stop_loss');
    expect(new PositionHealth({ stopLossBps: 3288 }).check(mark, T)).toBeUndefined();
  });

  it('a flat position (entry and exit at the same price) is a loss of both fees: a tight stop-loss fires', () => {
    // Bought at 0.40, YES bid 0.40: −0.168 −0.168 = −$0.336 = −840 bp.
    const mark = longYes(4000, { entryFees: ENTRY_FEE });
    expect(netPnl(mark)).toBe(-336_000);
    expect(new PositionHealth({ stopLossBps: 840 }).check(mark, T)).toBe('stop_loss');
    expect(new PositionHealth({ stopLossBps: 841, takeProfitBps: 1 }).check(mark, T)).toBeUndefined();
  });

  it('max hold: from openedAtMs, inclusive; never when the opening time is unknown (0)', () => {
    const h = new PositionHealth({ maxHoldMs: 60_000 });
    expect(h.check(longYes(5000), T + 59_999)).toBeUndefined();
    expect(h.check(longYes(5000), T + 60_000)).toBe('max_hold');
    expect(h.check(longYes(5000, { openedAtMs: 0 }), T + 10 ** 9)).toBeUndefined();
  });

  it('no exit price: max hold only, never a P&L exit', () => {
    const h = new PositionHealth({ stopLossBps: 1, takeProfitBps: 1, trailingStopBps: 1, maxHoldMs: 60_000 });
    expect(h.check(longYes(NONE), T + 1)).toBeUndefined();
    expect(h.check(longYes(0), T + 1)).toBeUndefined();
    expect(h.check(longYes(NONE), T + 60_000)).toBe('max_hold');
  });

  it('a zero cost basis has no percentage: max hold only', () => {
    const h = new PositionHealth({ stopLossBps: 1, takeProfitBps: 1, maxHoldMs: 60_000 });
    expect(h.check(longYes(9000, { costBasis: 0 }), T + 1)).toBeUndefined();
    expect(h.check(longYes(9000, { costBasis: 0 }), T + 60_000)).toBe('max_hold');
  });

  it('a flat position is never an exit and forgets its peak', () => {
    const h = new PositionHealth({ stopLossBps: 1, maxHoldMs: 1, trailingStopBps: 1 });
    h.check(longYes(6000), T);
    expect(h.peak(3)).toBeDefined();
    expect(h.check(longYes(NONE, { position: 0 }), T + 10 ** 9)).toBeUndefined();
    expect(h.peak(3)).toBeUndefined();
  });

  describe('trailing stop', () => {
    // Peak at YES bid $0.55: 5_500_000 − 173_300 − 4_000_000 = 1_326_700.
    // Back to $0.50: 825_000, a drawdown of 501_700 = 1254.25 bp of the 4_000_000 basis.
    it('fires on the drawdown from the peak, at the exact boundary', () => {
      for (const [bps, expected] of [[1254, 'trailing_stop'], [1255, undefined]] as const) {
        const h = new PositionHealth({ trailingStopBps: bps });
        expect(h.check(longYes(5500), T)).toBeUndefined();
        expect(h.peak(3)).toBe(1_326_700);
        expect(h.check(longYes(5000), T + 1)).toBe(expected);
        expect(h.peak(3)).toBe(1_326_700);
      }
    });

    it('the peak only rises; marks without a price leave it alone', () => {
      const h = new PositionHealth({ trailingStopBps: 1254 });
      h.check(longYes(5000), T);
      expect(h.peak(3)).toBe(825_000);
      h.check(longYes(5500), T + 1);
      h.check(longYes(NONE), T + 2);
      h.check(longYes(5200), T + 3);
      expect(h.peak(3)).toBe(1_326_700);
    });

    it('is not armed while the peak is ≤ 0: a position that never made money is the stop-loss’s business', () => {
      const h = new PositionHealth({ trailingStopBps: 1 });
      expect(h.check(longYes(4000), T)).toBeUndefined(); // −168_000 (exit fee)
      expect(h.check(longYes(3000), T + 1)).toBeUndefined(); // −1_147_000
      expect(h.peak(3)).toBe(-168_000);
    });

    it('starts over for a new position: new opening time, sign flip, size change, flat, forget', () => {
      const h = new PositionHealth({ trailingStopBps: 1254 });
      const again = (m: PositionMark) => {
        h.check(longYes(5500), T); // peak 1_326_700 for the original position
        return h.check(m, T + 1);
      };
      expect(again(longYes(5000))).toBe('trailing_stop');
      expect(again(longYes(5000, { openedAtMs: T + 1 }))).toBeUndefined(); // reopened
      expect(h.peak(3)).toBe(825_000);
      // Flipped to 10 NO, held at a NO bid of $0.50: the YES peak is not this position's.
      expect(again({ ...longYes(5000), position: -1000 })).toBeUndefined();
      // Half closed: P&L halves, which is no drawdown.
      expect(again(longYes(5000, { position: 500, costBasis: 2_000_000 }))).toBeUndefined();
      h.check(longYes(5500), T);
      h.check(longYes(NONE, { position: 0 }), T);
      expect(h.check(longYes(5000), T + 1)).toBeUndefined();
      h.check(longYes(5500), T);
      h.forget(3);
      expect(h.peak(3)).toBeUndefined();
      expect(h.check(longYes(5000), T + 1)).toBeUndefined();
    });

    it('markets are tracked apart', () => {
      const h = new PositionHealth({ trailingStopBps: 1254 });
      h.check(longYes(5500), T);
      expect(h.check(longYes(5000, { market: 4 }), T + 1)).toBeUndefined();
      expect(h.check(longYes(5000), T + 1)).toBe('trailing_stop');
    });
  });

  describe('precedence: stop_loss, trailing_stop, take_profit, max_hold', () => {
    it('stop_loss over trailing_stop and max_hold', () => {
      const h = new PositionHealth({ stopLossBps: 2000, trailingStopBps: 1000, maxHoldMs: 1 });
      h.check(longYes(5500), T - 1); // peak +1_326_700 (max hold fires here; not asserted)
      expect(h.check(longYes(3000), T + 10)).toBe('stop_loss'); // −1_147_000: −2867.5 bp
    });

    it('trailing_stop over take_profit', () => {
      const h = new PositionHealth({ takeProfitBps: 2000, trailingStopBps: 1000 });
      expect(h.check(longYes(5500), T)).toBe('take_profit'); // +3316.75 bp, no drawdown yet
      expect(h.check(longYes(5000), T + 1)).toBe('trailing_stop'); // +2062.5 bp, 1254.25 bp off the peak
    });

    it('take_profit over max_hold', () => {
      expect(new PositionHealth({ takeProfitBps: 2000, maxHoldMs: 1 }).check(longYes(5000), T + 5)).toBe('take_profit');
      expect(new PositionHealth({ takeProfitBps: 3000, maxHoldMs: 1 }).check(longYes(5000), T + 5)).toBe('max_hold');
    });
  });

  it('exact comparisons where P&L × 10⁴ passes 2^53 (a float comparison gets this one wrong)', () => {
    // B = 9_000_000_000_006_667 µ$, 3 bp of it is 27_000_000_000_020_001 / 10⁴.
    // Exit at $1.00: 900_270_000_001 hundredths → 9_002_700_000_010_000 µ$, no fee.
    const B = 9_000_000_000_006_667;
    const mark = (entryFees: number): PositionMark => ({
      market: 0, position: 900_270_000_001, costBasis: B, openedAtMs: T, exitBid: 10_000, entryFees,
    });
    // netPnl 2_700_000_000_002: ×10⁴ = 27_000_000_000_020_000, one short of 3·B.
    expect(netPnl(mark(3_331))).toBe(2_700_000_000_002);
    expect(BigInt(2_700_000_000_002) * 10_000n < 3n * BigInt(B)).toBe(true);
    expect(2_700_000_000_002 * 10_000 >= 3 * B).toBe(true); // the float comparison is wrong
    expect(new PositionHealth({ takeProfitBps: 3 }).check(mark(3_331), T)).toBeUndefined();
    // One µ$ more P&L reaches it.
    expect(new PositionHealth({ takeProfitBps: 3 }).check(mark(3_330), T)).toBe('take_profit');
  });

  it('a trailing drawdown beyond 2^53 is computed and compared exactly (BigInt)', () => {
    // Peak just under +2^53 at $1.00; then (same position, a re-adopted basis) a deep loss at
    // $0.0001: the drawdown itself is ≈ 1.8·10¹⁶ µ$, past 2^53.
    const base: PositionMark = { market: 0, position: 900_719_925_474, costBasis: 1, openedAtMs: T, exitBid: 10_000 };
    const B = 9_000_000_000_000_000;
    const low: PositionMark = { ...base, exitBid: 1, costBasis: B };
    const pnl = netPnl(low) as number;
    const drawdown = BigInt(9_007_199_254_739_999) - BigInt(pnl);
    expect(drawdown > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const edge = Number((drawdown * 10_000n) / BigInt(B)); // the largest bp that fires
    for (const [bps, expected] of [[edge, 'trailing_stop'], [edge + 1, undefined]] as const) {
      const h = new PositionHealth({ trailingStopBps: bps });
      h.check(base, T);
      expect(h.peak(0)).toBe(9_007_199_254_739_999);
      expect(h.check(low, T + 1)).toBe(expected);
    }
  });

  it('rejects a non-finite time and malformed marks', () => {
    const h = new PositionHealth({ maxHoldMs: 1 });
    expect(() => h.check(longYes(5000), Number.NaN)).toThrow(RangeError);
    expect(() => h.check(longYes(20_000), T)).toThrow(RangeError);
  });
});
