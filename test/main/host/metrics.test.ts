/** The Prometheus exposition and readiness: exact money, one-hot state, summaries, escaping, a parseable text. */
import { describe, expect, it } from 'vitest';
import { microsAsDollars, prometheusMetrics, readiness, type MetricsInput } from '../../../src/main/host/metrics.js';
import { LatencyHistogram } from '../../../src/shared/latency-histogram.js';
import type { SupervisorView } from '../../../src/supervisor/supervisor.js';

function view(over: Partial<SupervisorView> = {}): SupervisorView {
  return {
    state: 'trading', reason: 'calibrated', sinceMs: 0, killSwitch: null, transitions: [],
    threads: [{ name: 'execution', alive: true, silentMs: 12, restarts: 0 }, { name: 'market-data-0', alive: false, silentMs: 6_000, restarts: 2 }],
    exits: { stop_loss: 3 }, cashShortMicros: 0, driftsSeen: 1, restarts: 2, passes: 60, lastPassMs: 0,
    books: { newestAgeMs: 3, stale: 0, silent: false }, ...over,
  };
}

function input(over: Partial<MetricsInput['totals']> = {}, sup: SupervisorView | undefined = view()): MetricsInput {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(i * 1_000); // 1 µs … 1 ms
  return {
    totals: {
      markets: 200, staleBooks: 2, bookMessages: 123_456, decisions: 100_000, intents: 4_000, ordersSent: 3_900, fills: 310,
      cash: 980_490_001, openPositions: 17, pnl: -2_500_000, decisionLatency: h.snapshot(), ...over,
    },
    supervisor: sup,
  };
}

/** name{labels} → value, every sample line; throws on a line the format does not allow. */
function parse(text: string): Map<string, string> {
  const out = new Map<string, string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m === null) throw new Error(`not an exposition line: ${line}`);
    out.set(m[1], m[2]);
  }
  return out;
}

describe('microsAsDollars', () => {
  it('prints µ$ as dollars exactly, from the integer', () => {
    expect(microsAsDollars(980_490_001)).toBe('980.490001');
    expect(microsAsDollars(-2_500_000)).toBe('-2.500000');
    expect(microsAsDollars(0)).toBe('0.000000');
    expect(microsAsDollars(9_007_199_254_740_991)).toBe('9007199254.740991'); // 2^53 − 1: no float rounding
    expect(microsAsDollars(0.5)).toBe('NaN');
  });
});

describe('prometheusMetrics', () => {
  it('exposes counters, gauges, the one-hot trading state, threads and exits', () => {
    const text = prometheusMetrics(input());
    const s = parse(text);
    expect(s.get('kalshi_actor_book_messages_total')).toBe('123456');
    expect(s.get('kalshi_actor_cash_dollars')).toBe('980.490001');
    expect(s.get('kalshi_actor_pnl_dollars')).toBe('-2.500000');
    expect(s.get('kalshi_actor_trading_state{state="trading"}')).toBe('1');
    expect(s.get('kalshi_actor_trading_state{state="halted"}')).toBe('0');
    expect([...s.keys()].filter((k) => k.startsWith('kalshi_actor_trading_state{'))).toHaveLength(7);
    expect(s.get('kalshi_actor_thread_up{thread="market-data-0"}')).toBe('0');
    expect(s.get('kalshi_actor_thread_restarts_total{thread="market-data-0"}')).toBe('2');
    expect(s.get('kalshi_actor_exits_total{reason="stop_loss"}')).toBe('3');
    expect(text).toContain('# TYPE kalshi_actor_decisions_total counter\n');
    expect(text).toContain('# TYPE kalshi_actor_cash_dollars gauge\n');
  });

  it('latency as a summary in seconds: quantiles, sum and count', () => {
    const s = parse(prometheusMetrics(input()));
    const p50 = Number(s.get('kalshi_actor_decision_latency_seconds{quantile="0.5"}'));
    expect(p50).toBeGreaterThanOrEqual(500e-6);
    expect(p50).toBeLessThanOrEqual(500e-6 * 1.0625);
    expect(Number(s.get('kalshi_actor_decision_latency_seconds{quantile="0.999"}'))).toBeLessThanOrEqual(1e-3);
    expect(s.get('kalshi_actor_decision_latency_seconds_count')).toBe('1000');
    expect(Number(s.get('kalshi_actor_decision_latency_seconds_sum'))).toBeCloseTo(0.5005, 9);
    expect(s.has('kalshi_actor_wire_latency_seconds_count')).toBe(false); // not reported yet: not exposed
  });

  it('escapes label values, and leaves out what is not known yet', () => {
    const s = parse(prometheusMetrics(input({ pnl: undefined }, view({ threads: [{ name: 'odd "name"\\x', alive: true, silentMs: 0, restarts: 0 }] }))));
    expect(s.get('kalshi_actor_thread_up{thread="odd \\"name\\"\\\\x"}')).toBe('1');
    expect(s.has('kalshi_actor_pnl_dollars')).toBe(false);
    const early = parse(prometheusMetrics({ ...input(), supervisor: undefined })); // (a default parameter would replace undefined)
    expect([...early.keys()].some((k) => k.startsWith('kalshi_actor_trading_state'))).toBe(false);
    expect(early.get('kalshi_actor_markets')).toBe('200');
  });
});

describe('readiness', () => {
  it('is ready while trading or managing positions; not before calibration ends, nor halted', () => {
    for (const state of ['trading', 'reducing', 'recovering']) expect(readiness(view({ state })).ready).toBe(true);
    for (const state of ['booting', 'calibrating', 'ready', 'halted']) expect(readiness(view({ state })).ready).toBe(false);
    expect(readiness(view({ state: 'halted', reason: 'kill switch (http)' }))).toEqual({ ready: false, state: 'halted', reason: 'kill switch (http)' });
    expect(readiness(undefined)).toEqual({ ready: false, state: 'booting', reason: 'the supervisor has not reported yet' });
  });
});
