/** Replaying the journal's baseline through the fills since: positions, residuals, cash. */
import { describe, expect, it } from 'vitest';
import { fillCashEffect, replay, type ReplayBaseline, type ReplayInput } from '../../../src/supervisor/calibration/position-replay.js';

describe('fillCashEffect (kalshi-api.md §6, as ledger.ts)', () => {
  it('opening pays the price of the outcome bought', () => {
    expect(fillCashEffect(0, 300, 4_000, 100)).toEqual({ cash: -1_200_000 - 100, position: 300 }); // 3 YES at $0.40
    expect(fillCashEffect(0, -300, 4_000, 0)).toEqual({ cash: -1_800_000, position: -300 }); // 3 NO at $0.60
  });

  it('reducing gets the exit price of the outcome held; crossing through zero opens the rest', () => {
    expect(fillCashEffect(300, -100, 5_000, 0)).toEqual({ cash: 500_000, position: 200 }); // sell 1 YES at $0.50
    expect(fillCashEffect(-200, 300, 3_000, 0)).toEqual({ cash: 2 * 7_000 * 100 - 3_000 * 100, position: 100 }); // 2 NO exit at $0.70, 1 YES at $0.30
  });
});

const base = (over: Partial<ReplayBaseline> = {}): ReplayBaseline => ({ atMs: 1_000, positions: new Map([['KXA', 500]]), knownTickers: new Set(['KXA', 'KXB']), cash: 100_000_000, ...over });

function input(over: Partial<ReplayInput>): ReplayInput {
  return { baseline: base(), fills: [], settlements: [], positions: new Map(), exchangeCash: 100_000_000, tolerance: 0, ...over };
}

describe('replay', () => {
  it('a known market that adds up: baseline + fills = exchange, and the cash follows', () => {
    const r = replay(input({
      fills: [{ ticker: 'KXA', delta: 200, yesPrice: 5_000, fee: 0, tsMs: 1_100 }, { ticker: 'KXA', delta: -100, yesPrice: 6_000, fee: 0, tsMs: 1_200 }],
      positions: new Map([['KXA', { position: 600, lastUpdatedMs: 1_200 }]]),
      exchangeCash: 100_000_000 - 1_000_000 + 600_000,
    }));
    expect(r.markets).toEqual([{ ticker: 'KXA', known: true, baseline: 500, fillsDelta: 100, settled: false, expected: 600, exchange: 600, residual: 0 }]);
    expect(r.cash).toMatchObject({ comparable: true, expected: 99_600_000, difference: 0, differs: false });
  });

  it('a known market the fills do not explain has a residual; a known flat market too', () => {
    const r = replay(input({ positions: new Map([['KXA', { position: 800, lastUpdatedMs: 900 }], ['KXB', { position: -100, lastUpdatedMs: 900 }]]) }));
    expect(r.markets.map((m) => [m.ticker, m.expected, m.exchange, m.residual])).toEqual([['KXA', 500, 800, 300], ['KXB', 0, -100, -100]]);
  });

  it('a market the baseline does not know: its start is inferred, no residual', () => {
    const r = replay(input({
      fills: [{ ticker: 'KXZ', delta: 100, yesPrice: 2_000, fee: 0, tsMs: 1_100 }],
      positions: new Map([['KXA', { position: 500, lastUpdatedMs: 1 }], ['KXZ', { position: 700, lastUpdatedMs: 1_100 }]]),
      exchangeCash: 100_000_000 - 200_000,
    }));
    expect(r.markets.find((m) => m.ticker === 'KXZ')).toEqual({ ticker: 'KXZ', known: false, baseline: 600, fillsDelta: 100, settled: false, expected: 700, exchange: 700, residual: 0 });
    expect(r.cash.differs).toBe(false);
  });

  it('a settled market is compared at its settlement, and its revenue is cash', () => {
    const r = replay(input({
      fills: [{ ticker: 'KXA', delta: 100, yesPrice: 5_000, fee: 0, tsMs: 1_100 }],
      settlements: [{ ticker: 'KXA', position: 600, revenue: 6_000_000, fee: 0, settledMs: 1_500 }],
      exchangeCash: 100_000_000 - 500_000 + 6_000_000,
    }));
    expect(r.markets).toEqual([{ ticker: 'KXA', known: true, baseline: 500, fillsDelta: 100, settled: true, expected: 600, exchange: 600, residual: 0 }]);
    expect(r.cash.difference).toBe(0);
  });

  it('a synthesized fill moves the position but not the cash', () => {
    const r = replay(input({
      fills: [{ ticker: 'KXB', delta: 400, yesPrice: 7_000, fee: 0, tsMs: 1_001, cashless: true }],
      positions: new Map([['KXA', { position: 500, lastUpdatedMs: 1 }], ['KXB', { position: 400, lastUpdatedMs: 1 }]]),
    }));
    expect(r.markets.every((m) => m.residual === 0)).toBe(true);
    expect(r.cash.difference).toBe(0);
  });

  it('cash: a deposit shows beyond the tolerance; nothing to compare without a baseline cash', () => {
    const positions = new Map([['KXA', { position: 500, lastUpdatedMs: 1 }]]);
    expect(replay(input({ positions, exchangeCash: 100_000_000 + 50, tolerance: 100 })).cash.differs).toBe(false);
    expect(replay(input({ positions, exchangeCash: 125_000_000, tolerance: 100 })).cash).toMatchObject({ differs: true, difference: 25_000_000 });
    expect(replay(input({ positions, baseline: base({ cash: null }) })).cash).toMatchObject({ comparable: false, why: 'the baseline session recorded no cash' });
    const none = replay(input({ positions, baseline: undefined }));
    expect(none.cash.comparable).toBe(false);
    expect(none.markets).toEqual([expect.objectContaining({ ticker: 'KXA', known: false, residual: 0 })]);
  });
});
