/** The sweep's verdicts: every shortfall, the monotone max-sustained rule, ratios, list flags. */
import { describe, expect, it } from 'vitest';
import { PATH_NAMES, STAGE_NAMES, type LatencyFigures, type PointResult, type Topology } from '../../../src/main/bench/bench-types.js';
import { UsageError } from '../../../src/main/cli.js';
import { judgePoint, parseList, ratios, rejudge, summarize } from '../../../src/main/bench/sweep.js';

type Measured = Omit<PointResult, 'sustained' | 'shortfalls'>;

function figures(name: LatencyFigures['name'], count: number, p50Us: number, p99Us: number): LatencyFigures {
  return { name, count, p50Us, p90Us: p50Us * 1.7, p99Us, p999Us: p99Us * 2.2, maxUs: p99Us * 6 };
}

/** A healthy point: 10,000 msgs/s offered to 1,000 markets for 10 s, p99 received→written 640 µs. */
function measured(over: Partial<Measured> = {}): Measured {
  return {
    topology: 'threaded', markets: 1000, offeredRate: 10_000, seconds: 10,
    generated: 100_013, generatedRate: 10_001.3, delivered: 99_870, deliveredRate: 9_987,
    lostUpdates: 0, gaps: 0, backlogAtEnd: 143, backlogAfterDrain: 0,
    decisions: 58_411, intents: 3_870, intentsDropped: 0, ordersSent: 3_702, ordersAcked: 3_699,
    orderMix: { place: 3_600, amend: 0, cancel: 102 }, presign: { hits: 3_598, misses: 2 },
    stages: STAGE_NAMES.map((n) => figures(n, 3_870, 12.5, 48.3)),
    paths: [figures(PATH_NAMES[0], 58_411, 61.2, 233.9), figures(PATH_NAMES[1], 3_702, 188.4, 640.2), figures(PATH_NAMES[2], 3_699, 2_210, 8_950)],
    memory: { rssBytes: 431_000_000, heapUsedBytes: 101_000_000, sharedBytes: 40_370_176 },
    cpu: { hostUs: 6_900_000, perMessageUs: 69.1, simUs: 2_800_000 },
    startSeconds: 3.8,
    budget: { path: 'received→written', p99Us: 1000 },
    ...over,
  };
}

const budget = { p99BudgetUs: 1000 };

describe('judgePoint', () => {
  it('sustains a healthy point', () => {
    expect(judgePoint(measured(), budget)).toEqual({ sustained: true, shortfalls: [] });
  });

  it('p99 over budget: on the budget path only', () => {
    expect(judgePoint(measured(), { p99BudgetUs: 640 }).shortfalls).toEqual(['p99 over budget']);
    // The same figures judged on received→decided (234 µs) pass a 640 µs budget.
    expect(judgePoint(measured({ budget: { path: 'received→decided', p99Us: 640 } }), { p99BudgetUs: 640 }).sustained).toBe(true);
  });

  it('budget path not sampled: decisions but no samples on the budget path', () => {
    const noOrders = measured({ paths: [figures('received→decided', 58_411, 61.2, 233.9), { name: 'received→written', count: 0, p50Us: NaN, p90Us: NaN, p99Us: NaN, p999Us: NaN, maxUs: NaN }] });
    expect(judgePoint(noOrders, budget).shortfalls).toEqual(['budget path not sampled']);
    const missing = measured({ paths: [figures('received→decided', 58_411, 61.2, 233.9)] });
    expect(judgePoint(missing, budget).shortfalls).toEqual(['budget path not sampled']);
  });

  it('no decisions (instead of a p99 verdict)', () => {
    expect(judgePoint(measured({ decisions: 0, paths: [] }), budget).shortfalls).toEqual(['no decisions']);
  });

  it('lost updates', () => {
    expect(judgePoint(measured({ lostUpdates: 1 }), budget).shortfalls).toEqual(['lost updates']);
  });

  it('rate not delivered: the host applied below 95 % of what the simulator generated', () => {
    // generated 10,001.3/s: 95 % is 9,501.235
    expect(judgePoint(measured({ deliveredRate: 9_501.3 }), budget).sustained).toBe(true);
    expect(judgePoint(measured({ deliveredRate: 9_501.2 }), budget).shortfalls).toEqual(['rate not delivered']);
    expect(judgePoint(measured({ deliveredRate: 9_800 }), { ...budget, minDeliveredFraction: 0.99 }).shortfalls).toEqual(['rate not delivered']);
  });

  it('rate not generated: the simulator made below 95 % of the offered rate (its limit, not the host\'s)', () => {
    expect(judgePoint(measured({ generatedRate: 9_500, deliveredRate: 9_500 }), budget).sustained).toBe(true);
    expect(judgePoint(measured({ generatedRate: 8_590, deliveredRate: 8_589 }), budget).shortfalls).toEqual(['rate not generated']);
  });

  it('backlog growing: over 1 % of the changes generated, with 1,000 messages of slack', () => {
    expect(judgePoint(measured({ backlogAtEnd: 1_000 }), budget).sustained).toBe(true); // 1 % of 100,013 is 1,000.13
    expect(judgePoint(measured({ backlogAtEnd: 1_001 }), budget).shortfalls).toEqual(['backlog growing']);
    // A short window: 1 % of 20,000 is 200, but 1,000 messages are slack.
    expect(judgePoint(measured({ generated: 20_000, backlogAtEnd: 999 }), budget).sustained).toBe(true);
    expect(judgePoint(measured({ generated: 20_000, backlogAtEnd: 1_001 }), budget).shortfalls).toEqual(['backlog growing']);
    expect(judgePoint(measured({ backlogAtEnd: 4_000 }), { ...budget, maxBacklogFraction: 0.05 }).sustained).toBe(true);
  });

  it('intents dropped', () => {
    expect(judgePoint(measured({ intentsDropped: 3 }), budget).shortfalls).toEqual(['intents dropped']);
  });

  it('lists every shortfall at once', () => {
    const bad = measured({ lostUpdates: 812, deliveredRate: 7_310, backlogAtEnd: 26_900, intentsDropped: 41 });
    expect(judgePoint(bad, { p99BudgetUs: 500 })).toEqual({
      sustained: false,
      shortfalls: ['p99 over budget', 'lost updates', 'rate not delivered', 'backlog growing', 'intents dropped'],
    });
  });
});

function result(topology: Topology, markets: number, offeredRate: number, shortfalls: PointResult['shortfalls'] = []): PointResult {
  return { ...measured({ topology, markets, offeredRate }), sustained: shortfalls.length === 0, shortfalls };
}

describe('rejudge', () => {
  it('holds the budget on another path: same figures, new verdicts, and the summary names the path', () => {
    const p = { ...measured(), ...judgePoint(measured(), budget) }; // written p99 640 µs, acked 8,950 µs
    expect(p.sustained).toBe(true);
    const [acked] = rejudge([p], 'received→acked', budget);
    expect(acked).toMatchObject({ sustained: false, shortfalls: ['p99 over budget'], budget: { path: 'received→acked', p99Us: 1000 } });
    expect(acked.paths).toBe(p.paths);
    const [decided] = rejudge([p], 'received→decided', { p99BudgetUs: 200 }); // 233.9 µs
    expect(decided.shortfalls).toEqual(['p99 over budget']);
    expect(summarize([acked])[0]).toMatchObject({ path: 'received→acked', maxSustainedRate: 0 });
    expect(summarize(rejudge([p], 'received→decided', budget))[0]).toMatchObject({ path: 'received→decided', maxSustainedRate: 10_000 });
  });
});

describe('summarize', () => {
  it('takes the highest rate with every lower rate sustained, per (topology, markets) in first-seen order', () => {
    const points = [
      result('threaded', 1000, 40_000, ['backlog growing']),
      result('threaded', 1000, 10_000),
      result('inline', 1000, 5_000),
      result('threaded', 1000, 20_000),
      result('inline', 1000, 10_000, ['p99 over budget']),
      result('inline', 1000, 20_000), // sustained above a failure: does not count
      result('threaded', 10_000, 10_000),
    ];
    const summary = summarize(points);
    expect(summary.map((s) => [s.topology, s.markets, s.maxSustainedRate])).toEqual([
      ['threaded', 1000, 20_000],
      ['inline', 1000, 5_000],
      ['threaded', 10_000, 10_000],
    ]);
    expect(summary[0].at).toBe(points[3]);
    expect(summary[0].firstShortfall).toEqual({ offeredRate: 40_000, shortfalls: ['backlog growing'] });
    expect(summary[1].firstShortfall).toEqual({ offeredRate: 10_000, shortfalls: ['p99 over budget'] });
    expect(summary[2].firstShortfall).toBeUndefined();
  });

  it('gives 0 and no point when the lowest rate failed', () => {
    const [s] = summarize([result('inline', 10_000, 2_000, ['lost updates']), result('inline', 10_000, 4_000)]);
    expect(s.maxSustainedRate).toBe(0);
    expect(s.at).toBeUndefined();
    expect(s.firstShortfall).toEqual({ offeredRate: 2_000, shortfalls: ['lost updates'] });
  });
});

describe('ratios', () => {
  it('divides threaded by inline where both were measured; null when inline sustained none', () => {
    const summary = summarize([
      result('threaded', 1000, 10_000), result('threaded', 1000, 40_000),
      result('inline', 1000, 10_000), result('inline', 1000, 40_000, ['rate not delivered']),
      result('threaded', 10_000, 20_000),
      result('inline', 10_000, 20_000, ['p99 over budget']),
      result('threaded', 100, 5_000), // no inline counterpart
    ]);
    expect(ratios(summary)).toEqual([
      { markets: 1000, threadedOverInline: 4 },
      { markets: 10_000, threadedOverInline: null },
    ]);
  });
});

describe('parseList', () => {
  it('reads whole numbers with k/m suffixes and _ separators, in order', () => {
    expect(parseList('rates', '1k,10k,1m', 1, 10_000_000)).toEqual([1_000, 10_000, 1_000_000]);
    expect(parseList('rates', ' 2_000 , 500, 2.5K ', 1, 10_000_000)).toEqual([2_000, 500, 2_500]);
    expect(parseList('markets', '100', 1, 100_000)).toEqual([100]);
  });

  const bad: Array<[string, RegExp]> = [
    ['', /--rates: empty item/],
    ['1k,,10k', /--rates: empty item/],
    ['1k,', /--rates: empty item/],
    ['ten', /--rates: 'ten' is not a whole number/],
    ['-5', /--rates: '-5' is not a whole number/],
    ['1.5', /--rates: '1.5' is not a whole number/],
    ['1.0005k', /--rates: '1.0005k' is not a whole number/],
    ['1e3', /not a whole number/],
    ['1__000', /not a whole number/],
    ['0', /--rates: 0 is out of range \[1, 1000000\]/],
    ['2m', /--rates: 2m is out of range/],
    ['1k,1000', /--rates: 1000 is listed twice/],
  ];
  it.each(bad)('refuses %j', (text, message) => {
    expect(() => parseList('rates', text, 1, 1_000_000)).toThrow(UsageError);
    expect(() => parseList('rates', text, 1, 1_000_000)).toThrow(message);
  });

  it('names a flag given with its dashes once', () => {
    expect(() => parseList('--markets', 'x', 1, 10)).toThrow(/^--markets: 'x'/);
  });
});
