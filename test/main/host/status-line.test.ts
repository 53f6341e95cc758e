import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../src/shared/latency-histogram.js';
import { diffSnapshot, dollars, formatLatency, StatusLine, type StatusTotals } from '../../../src/main/host/status-line.js';

function totals(over: Partial<StatusTotals>, h = new LatencyHistogram()): StatusTotals {
  return { markets: 200, staleBooks: 0, bookMessages: 0, decisions: 0, intents: 0, ordersSent: 0, fills: 0, cash: 1_000_000_000, openPositions: 0, pnl: undefined, decisionLatency: h.snapshot(), ...over };
}

describe('StatusLine', () => {
  it('rates and p99 over the last interval; money exact to the cent', () => {
    const s = new StatusLine();
    const h = new LatencyHistogram();
    for (let i = 0; i < 1000; i++) h.record(5_000_000); // an old slow period
    expect(s.line(totals({ staleBooks: 3 }, h), 0)).toBe('markets 197/200 | msgs/s 0 | decisions/s 0 | orders 0 | fills 0 | cash $1000.00 | positions 0 | pnl — | p99 decision 5.00 ms | p99 to wire —');
    for (let i = 0; i < 1000; i++) h.record(40_000);
    const line = s.line(totals({ bookMessages: 20_000, decisions: 5_000, ordersSent: 12, fills: 3, cash: 987_654_321, openPositions: 2, pnl: -1_234_567 }, h), 10_000);
    expect(line).toBe('markets 200/200 | msgs/s 2000 | decisions/s 500 | orders 12 | fills 3 | cash $987.65 | positions 2 | pnl -$1.23 | p99 decision 41 µs | p99 to wire —');
  });

  it('the p99 to the wire over the interval, once execution reports', () => {
    const s = new StatusLine();
    const w = new LatencyHistogram();
    for (let i = 0; i < 100; i++) w.record(9_000_000);
    s.line(totals({ wireLatency: w.snapshot() }), 0);
    for (let i = 0; i < 100; i++) w.record(300_000);
    expect(s.line(totals({ wireLatency: w.snapshot() }), 10_000)).toMatch(/\| p99 to wire 3\d\d µs$/);
  });

  it('ends with the supervisor\'s state once it reports', () => {
    const s = new StatusLine();
    expect(s.line(totals({ state: 'reducing' }), 0)).toMatch(/ \| p99 to wire — \| reducing$/);
  });

  it('formats', () => {
    expect(dollars(0)).toBe('$0.00');
    expect(dollars(5)).toBe('$0.00');
    expect(dollars(-1_009_999)).toBe('-$1.00');
    expect(formatLatency(950)).toBe('950 ns');
    expect(formatLatency(2_500)).toBe('2.5 µs');
    expect(formatLatency(2_500_000_000)).toBe('2.50 s');
    const a = new LatencyHistogram();
    a.record(10);
    const before = a.snapshot();
    a.record(20);
    expect(diffSnapshot(a.snapshot(), before).total).toBe(1);
  });
});
