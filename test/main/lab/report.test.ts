/**
 * The policy lab's report from synthetic episode results: exact numbers for a fixed set, the 95 %
 * confidence interval against a hand computation, the flags (collapsed, never trades), the
 * blocked fractions by group, and the paired comparison.
 */
import { describe, expect, it } from 'vitest';
import type { EpisodeResult } from '../../../src/main/lab/episode-types.js';
import {
  blockGroup, buildReport, collapseOf, comparePaired, distribution, maxDrawdown, sharpeRatio, summarizePolicy, tQuantile975,
  type EvaluationSettings,
} from '../../../src/main/lab/report.js';

/** 8 markets × 600 s = 4/3 market-hours. */
const MH = (8 * 600) / 3600;

function ep(p: Partial<EpisodeResult> & { seed: number }): EpisodeResult {
  return {
    policy: 'p', pnlMicros: 0, feesMicros: 0, curve: [], curveStepMs: 10_000, actions: [0, 0, 0, 0, 0], blocked: {},
    ordersSent: 0, ordersFilled: 0, filledCount: 0, marketHours: MH, bookChanges: 0, ...p,
  };
}

/** Four episodes of a policy that trades: every figure of its report is known. */
const FIXED: EpisodeResult[] = [
  ep({ seed: 1, pnlMicros: 1_000_000, feesMicros: 100_000, curve: [0, 400_000, 1_200_000, 800_000], actions: [900, 30, 20, 25, 25], blocked: { THROTTLED: 30, CASH_RESERVE: 5 }, ordersSent: 40, ordersFilled: 10, filledCount: 1_000 }),
  ep({ seed: 2, pnlMicros: -500_000, feesMicros: 50_000, curve: [0, -200_000, 100_000, -600_000], actions: [800, 40, 10, 30, 20], blocked: { THROTTLED: 20, POSITION_LIMIT: 4, EXPOSURE_LIMIT: 1, IN_FLIGHT: 7 }, ordersSent: 50, ordersFilled: 20, filledCount: 2_000 }),
  ep({ seed: 3, pnlMicros: 2_500_000, feesMicros: 150_000, curve: [0, 2_000_000, 2_500_000], actions: [1000, 50, 50, 0, 0], blocked: { NO_PRICE: 3 }, ordersSent: 60, ordersFilled: 30, filledCount: 3_000 }),
  ep({ seed: 4, pnlMicros: 300_000, feesMicros: 0, curve: [0, -100_001, 300_000], actions: [700, 10, 10, 10, 10], ordersSent: 30, ordersFilled: 5, filledCount: 500 }),
];

describe('summarizePolicy', () => {
  it('gives exact figures for a fixed set of episodes', () => {
    const r = summarizePolicy('spread-capture', FIXED);
    // P&L 1.0, −0.5, 2.5, 0.3 $: mean 0.825 $; Σ(x − mean)² = 4,867,500,000,000 µ$², sd = √(that / 3) = 1,273,773.92 µ$;
    // CI = mean ± t(0.975, 3) · sd / √4 = 825,000 ± 3.182446 × 636,886.96 = 825,000 ± 2,026,858.36.
    expect(r.pnl).toEqual({ mean: 825_000, sd: 1_273_774, ci95: [-1_201_858, 2_851_858], median: 650_000, min: -500_000, max: 2_500_000 });
    expect(r.sharpe).toBe(0.647682); // 825,000 / 1,273,773.92
    // Drawdowns: 1.2 → 0.8 = 400,000; 0.1 → −0.6 = 700,000; none; 0 → −0.100001 = 100,001. Mean 1,200,001 / 4 = 300,000.25 → 300,000.
    expect(r.maxDrawdown).toEqual({ mean: 300_000, worst: 700_000 });
    expect(r.rows.map((x) => x.maxDrawdownMicros)).toEqual([400_000, 700_000, 0, 100_001]);
    expect(r.fees).toEqual({ mean: 75_000, total: 300_000 });
    expect(r.orders).toEqual({ sent: 180, filled: 65, contractsFilled: 6_500 });
    expect(r.fillRate).toBe(0.361111); // 65 / 180
    expect(r.marketHours).toBe(5.333333);
    expect(r.perMarketHour).toEqual({ fills: 12.1875, orders: 33.75, contracts: 12.1875 }); // 65, 180, 65 contracts ÷ 16/3 market-hours
    expect(r.decisions).toBe(3_740);
    expect(r.actions.counts).toEqual({ HOLD: 3_400, BUY_YES: 130, SELL_YES: 90, BUY_NO: 65, SELL_NO: 55 });
    expect(r.actions.fractions).toEqual({ HOLD: 0.909091, BUY_YES: 0.034759, SELL_YES: 0.024064, BUY_NO: 0.01738, SELL_NO: 0.014706 });
    // 340 non-HOLD decisions: throttle 50, reserve 5, limits 4 + 1, other 7 + 3.
    expect(r.blocked).toEqual({
      nonHoldDecisions: 340,
      total: 70,
      fraction: 0.205882,
      groups: { throttle: 0.147059, reserve: 0.014706, limits: 0.014706, other: 0.029412 },
      byReason: {
        CASH_RESERVE: { count: 5, fraction: 0.014706, group: 'reserve' },
        EXPOSURE_LIMIT: { count: 1, fraction: 0.002941, group: 'limits' },
        IN_FLIGHT: { count: 7, fraction: 0.020588, group: 'other' },
        NO_PRICE: { count: 3, fraction: 0.008824, group: 'other' },
        POSITION_LIMIT: { count: 4, fraction: 0.011765, group: 'limits' },
        THROTTLED: { count: 50, fraction: 0.147059, group: 'throttle' },
      },
    });
    expect(r.flags).toEqual([]);
    expect(r.collapsed).toBeNull();
    expect(r.holdOnly).toBe(false);
    expect(r.rows[1]).toEqual({ kind: 'sim', seed: 2, pnlMicros: -500_000, feesMicros: 50_000, maxDrawdownMicros: 700_000, decisions: 900, ordersSent: 50, ordersFilled: 20 });
    // JSON-able, and the same input gives the same report.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(summarizePolicy('spread-capture', FIXED)).toEqual(r);
  });

  it('flags a collapsed policy (97 % SELL_NO)', () => {
    const results = [
      ep({ seed: 1, actions: [300, 0, 0, 2, 48], ordersSent: 20, ordersFilled: 5 }),
      ep({ seed: 2, actions: [200, 0, 0, 1, 49], ordersSent: 20, ordersFilled: 5 }),
    ];
    const r = summarizePolicy('onnx:collapsed.onnx', results);
    expect(r.collapsed).toEqual({ action: 'SELL_NO', share: 0.97, of: 'non-hold' });
    expect(r.flags).toEqual(['collapsed']);
    expect(r.actions.fractions.SELL_NO).toBe(0.161667); // 97 / 600 of all decisions
  });

  it('marks a hold policy never_trades, hold-only, and not collapsed', () => {
    const r = summarizePolicy('hold', [1, 2, 3].map((seed) => ep({ seed, actions: [5_000, 0, 0, 0, 0], curve: [0, 0, 0] })));
    expect(r.flags).toEqual(['never_trades']);
    expect(r.collapsed).toBeNull();
    expect(r.holdOnly).toBe(true);
    expect(r.fillRate).toBeNull();
    expect(r.sharpe).toBeNull(); // sd 0
    expect(r.pnl).toEqual({ mean: 0, sd: 0, ci95: [0, 0], median: 0, min: 0, max: 0 });
    expect(r.blocked.fraction).toBe(0);
    expect(r.blocked.groups).toEqual({ throttle: 0, reserve: 0, limits: 0, other: 0 });
    expect(r.perMarketHour).toEqual({ fills: 0, orders: 0, contracts: 0 });
  });

  it('a policy whose every trade is blocked never trades but is not hold-only', () => {
    const r = summarizePolicy('blocked', [ep({ seed: 1, actions: [100, 5, 5, 0, 0], blocked: { CASH_RESERVE: 10 } })]);
    expect(r.flags).toEqual(['never_trades']);
    expect(r.holdOnly).toBe(false);
    expect(r.blocked.groups.reserve).toBe(1);
    // One episode: no spread, no interval.
    expect(r.pnl.sd).toBeNull();
    expect(r.pnl.ci95).toBeNull();
  });
});

describe('collapseOf', () => {
  it('≥ 90 % of ≥ 20 non-HOLD decisions on one action', () => {
    expect(collapseOf([0, 18, 2, 0, 0])).toEqual({ action: 'BUY_YES', share: 0.9, of: 'non-hold' });
    expect(collapseOf([0, 17, 3, 0, 0])).toBeNull();
    expect(collapseOf([50, 0, 0, 0, 19])).toBeNull(); // too few to judge
  });
  it('onto HOLD: some but fewer than 20 non-HOLD decisions in ≥ 100 (≥ 99 % HOLD); hold-only is never_trades, not collapsed', () => {
    expect(collapseOf([9_990, 4, 3, 2, 1])).toEqual({ action: 'HOLD', share: 0.999, of: 'all' });
    expect(collapseOf([98, 0, 1, 0, 0])).toBeNull(); // 99 decisions: too few to judge
    // A rule that trades normally is ≥ 99 % HOLD too (it decides on every book change): not flagged.
    expect(collapseOf([9_950, 20, 10, 10, 10])).toBeNull();
    expect(collapseOf([9_800, 50, 50, 50, 50])).toBeNull();
    expect(collapseOf([10_000, 0, 0, 0, 0])).toBeNull();
    expect(collapseOf([0, 0, 0, 0, 0])).toBeNull();
  });
});

describe('statistics', () => {
  it('the 95 % CI of a known sample matches the hand computation', () => {
    // 1..5 $: mean 3 $, sd = √(10/4) $ = 1,581,138.83 µ$; half-width = t(0.975, 4) · sd / √5 = 2.776445 × 707,106.78 = 1,963,243.09.
    expect(distribution([1e6, 2e6, 3e6, 4e6, 5e6])).toEqual({ mean: 3_000_000, sd: 1_581_139, ci95: [1_036_757, 4_963_243], median: 3_000_000, min: 1_000_000, max: 5_000_000 });
    expect(distribution([7])).toEqual({ mean: 7, sd: null, ci95: null, median: 7, min: 7, max: 7 });
    expect(distribution([-3, -2])).toEqual({ mean: -2, sd: 1, ci95: [-9, 4], median: -2, min: -3, max: -2 }); // −2.5 rounds half up; ±12.706205 × 0.5
  });

  it('Student t quantiles: the table, and the expansion beyond 30 degrees of freedom', () => {
    expect(tQuantile975(1)).toBe(12.706205);
    expect(tQuantile975(4)).toBe(2.776445);
    expect(tQuantile975(30)).toBe(2.042272);
    // scipy.stats.t.ppf(0.975, df)
    expect(Math.abs(tQuantile975(31) - 2.039513446396408)).toBeLessThan(1e-7);
    expect(Math.abs(tQuantile975(60) - 2.0002978220142604)).toBeLessThan(1e-8);
    expect(Math.abs(tQuantile975(120) - 1.9799304050824402)).toBeLessThan(1e-9);
    expect(tQuantile975(1e6)).toBeCloseTo(1.959966, 5);
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });

  it('Sharpe-like ratio and drawdown', () => {
    expect(sharpeRatio([1, 1, 1])).toBeNull();
    expect(sharpeRatio([5])).toBeNull();
    expect(sharpeRatio([1, 3])).toBe(1.414214); // 2 / √2
    expect(maxDrawdown([], 0)).toBe(0);
    expect(maxDrawdown([0, -5, 10, 4, 12], 1)).toBe(11); // the final P&L counts: 12 → 1
    expect(maxDrawdown([0, -5, -3], -3)).toBe(5); // from the start, flat
  });

  it('deny reasons map to throttle / reserve / limits / other', () => {
    expect(blockGroup('THROTTLED')).toBe('throttle');
    expect(blockGroup('RATE_LIMITED')).toBe('throttle'); // the episode's Write budget
    expect(blockGroup('CASH_RESERVE')).toBe('reserve');
    expect(blockGroup('POSITION_LIMIT')).toBe('limits');
    expect(blockGroup('EXPOSURE_LIMIT')).toBe('limits');
    for (const other of ['IN_FLIGHT', 'NO_PRICE', 'ALREADY_WORKING', 'NOT_TRADING', 'REDUCING_ONLY', 'BREAKER_OPEN', 'GROUP_TRIGGERED', 'SOMETHING_NEW']) {
      expect(blockGroup(other)).toBe('other');
    }
  });
});

describe('paired comparison', () => {
  const base = [100_000, 200_000, 300_000, 400_000].map((pnlMicros, i) => ep({ seed: i + 1, pnlMicros }));
  // Seeds in another order, and seed 5 that the baseline did not run (a failed episode): pairs by seed.
  const better = [
    ep({ seed: 3, pnlMicros: 330_000 }), ep({ seed: 1, pnlMicros: 150_000 }), ep({ seed: 5, pnlMicros: 9_000_000 }),
    ep({ seed: 4, pnlMicros: 470_000 }), ep({ seed: 2, pnlMicros: 260_000 }),
  ];

  it('the mean difference over the same seeds, with its 95 % CI', () => {
    // Differences 50, 60, 30, 70 k µ$: mean 52,500; sd = √(875e6 / 3) = 17,078.25; ± 3.182446 × 17,078.25 / 2 = ± 27,175.31.
    expect(comparePaired({ name: 'b', results: better }, { name: 'a', results: base })).toEqual({
      policy: 'b', baseline: 'a', kind: 'sim', pairs: 4, meanDiff: 52_500, sd: 17_078, ci95: [25_325, 79_675], verdict: 'better',
    });
    // Unpaired, the two CIs overlap (the seeds vary more than the policies differ); paired, the difference is clear.
    const a = summarizePolicy('a', base).pnl.ci95!;
    const b = summarizePolicy('b', better.filter((r) => r.seed !== 5)).pnl.ci95!;
    expect(a[1]).toBeGreaterThan(b[0]);
    expect(comparePaired({ name: 'a', results: base }, { name: 'b', results: better }).verdict).toBe('worse');
    expect(comparePaired({ name: 'a', results: base }, { name: 'a2', results: base }).verdict).toBe('no_difference');
    expect(comparePaired({ name: 'x', results: [base[0]] }, { name: 'a', results: base })).toMatchObject({ pairs: 1, ci95: null, verdict: 'undetermined' });
  });

  it('buildReport compares every policy with the baseline, by kind; sessions pair by id', () => {
    const settings: EvaluationSettings = {
      policies: ['a', 'b', 'c'], seeds: [1, 2, 3, 4], sessions: ['s1', 's2'], markets: 8, durationMs: 600_000, rate: 200, startCash: null, settings: {}, baseline: 'b',
    };
    const report = buildReport(
      settings,
      [
        { policy: 'a', kind: 'sim', results: base },
        { policy: 'b', kind: 'sim', results: better },
        { policy: 'c', kind: 'sim', results: [] }, // every episode failed
        { policy: 'a', kind: 'session', results: [ep({ seed: 1, pnlMicros: 10 }), ep({ seed: 2, pnlMicros: 20 })], sessions: ['s1', 's2'] },
        { policy: 'b', kind: 'session', results: [ep({ seed: 2, pnlMicros: 25 })], sessions: ['s2'] },
      ],
      [{ kind: 'sim', policy: 'c', seed: 1, error: 'boom' }],
    );
    expect(report.policies.map((p) => `${p.policy}/${p.kind}`)).toEqual(['a/sim', 'b/sim', 'a/session', 'b/session']);
    expect(report.policies[2].rows.map((r) => r.session)).toEqual(['s1', 's2']);
    expect(report.comparisons.map((c) => [c.policy, c.baseline, c.kind, c.pairs, c.meanDiff])).toEqual([
      ['a', 'b', 'sim', 4, -52_500],
      ['a', 'b', 'session', 1, -5],
    ]);
    expect(report.failures).toEqual([{ kind: 'sim', policy: 'c', seed: 1, error: 'boom' }]);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
