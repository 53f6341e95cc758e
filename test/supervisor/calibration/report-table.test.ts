/** The report as text: money, contracts, durations, aligned tables, the sections and the verdict line last. */
import { describe, expect, it } from 'vitest';
import type { StartupCalibrationReport } from '../../../src/supervisor/calibration/report.js';
import { contracts, dollars, duration, formatCalibrationReport, priceDollars, table, verdictLine } from '../../../src/supervisor/calibration/report-table.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');

function report(): StartupCalibrationReport {
  return {
    version: 1, sessionId: 'calib0', startedMs: T0, durationMs: 45, act: false, exchangeUrl: 'http://127.0.0.1:1234/trade-api/v2', markets: ['KXA', 'KXB'],
    settings: { cashReserve: 100_000_000, minTimeToCloseS: 900, maxSpread: 2_000, maxClockSkewMs: 2_000, cancelOrphans: true },
    steps: [
      { index: 1, total: 5, name: 'connection', status: 'ok', summary: 'fine', durationMs: 12 },
      { index: 2, total: 5, name: 'reconcile', status: 'warn', summary: '2 differences', durationMs: 30 },
    ],
    connection: {
      reachable: true, latencyMs: 3, exchangeActive: true, tradingActive: true, estimatedResumeMs: null, maxClockSkewMs: 2_000,
      clock: { measured: true, skewMs: -120, lowMs: -600, highMs: 1_380, resolutionMs: 1000, rttMs: 2, serverDate: 'Tue, 24 Nov 2026 10:00:00 GMT' },
    },
    reconcile: {
      ok: true, journal: { available: true, baseline: { sessionId: 'prev1', source: 'end', atMs: T0 - 60_000, markets: 2, cash: 900_000_000 }, fillsSince: 1 },
      exchange: { balance: 991_480_600, reserved: 2_360_000, portfolioValue: 5_900_000, positions: 1, resting: 1, fills: 2, settlements: 0, sinceMs: T0 - 60_000 },
      differences: [
        { kind: 'order_foreign', ticker: 'KXB', journal: null, exchange: 'bid 1.00 @ 0.8100 resting', action: 'would_cancel', id: 'o-1', detail: 'no client_order_id' },
        { kind: 'position_unexplained', ticker: 'KXA', journal: 0, exchange: -400, unit: 'count', action: 'would_synthesize', id: 'syn-abc' },
        { kind: 'cash', journal: 900_000_000, exchange: 993_840_600, unit: 'money', action: 'adopt' },
      ],
      journaled: { fills: 0, synthesized: 0, settlements: 0 }, orphans: { cancelled: 0, failed: 0, kept: 1 }, ordersElsewhere: 2, irreconcilable: [],
      note: 'report only: nothing was sent to the exchange and nothing journaled but this report',
    },
    viability: {
      viable: ['KXA'], replace: [{ ticker: 'KXB', reason: 'one-sided book (no bid)' }],
      markets: [
        { ticker: 'KXA', status: 'active', closeTimeMs: T0 + 3_725_000, yesBid: 6_800, yesAsk: 7_000, spread: 200, viable: true, reasons: [] },
        { ticker: 'KXB', status: 'active', closeTimeMs: T0 + 3_725_000, yesBid: 0, yesAsk: 7_000, spread: 7_000, viable: false, reasons: ['one-sided book (no bid)'] },
      ],
    },
    health: {
      positions: [{
        ticker: 'KXA', position: -400, side: 'no', costBasis: 1_200_000, exitPrice: 3_000, exitValue: 1_183_200, pnl: -16_800, pnlBps: -140, heldSinceMs: T0 - 90_000,
        heldMs: 90_000, heldSource: 'exchange', closeTimeMs: T0 + 3_725_000, status: 'active', flags: [],
      }],
      cash: { available: 991_480_600, reserve: 100_000_000, short: 0, closableValue: 1_183_200, closable: 1 }, closing: [], closed: [], totalPnl: -16_800,
    },
    verdict: { verdict: 'trade', reasons: [], warnings: ['1 market(s) to replace: KXB'] },
  };
}

describe('formatting helpers', () => {
  it('dollars: exact, with 2, 4 or 6 decimals as needed, signed on request', () => {
    expect(dollars(1_000_000_000)).toBe('$1000.00');
    expect(dollars(125_000)).toBe('$0.1250');
    expect(dollars(1_234_567)).toBe('$1.234567');
    expect(dollars(-16_800)).toBe('-$0.0168');
    expect(dollars(16_800, true)).toBe('+$0.0168');
    expect(dollars(0, true)).toBe('$0.00');
  });

  it('prices, contracts, durations', () => {
    expect(priceDollars(4_500)).toBe('$0.4500');
    expect(contracts(500)).toBe('+5.00 YES');
    expect(contracts(-250)).toBe('-2.50 NO');
    expect(contracts(0)).toBe('0');
    expect([850, 12_340, 245_000, 11_220_000, 190_000_000].map(duration)).toEqual(['850 ms', '12.3 s', '4m05s', '3h07m', '2d04h']);
  });

  it('table: columns padded to the widest cell, right-aligned where asked, a rule under the header', () => {
    expect(table(['name', 'n'], [['a', '1'], ['bbb', '100']], ['l', 'r'])).toEqual([
      '  name    n',
      '  ----  ---',
      '  a       1',
      '  bbb   100',
    ]);
  });
});

describe('formatCalibrationReport', () => {
  it('every section, the differences with their actions, the verdict line last', () => {
    const lines = formatCalibrationReport(report());
    const text = lines.join('\n');
    expect(lines[0]).toBe('Start-up calibration calib0 at 2026-11-24T10:00:00.000Z (45 ms) against http://127.0.0.1:1234/trade-api/v2');
    expect(lines[1]).toMatch(/^  report only/);
    for (const section of ['Steps', 'Connection', 'Reconcile', 'Markets', 'Positions', 'Cash', 'Notes']) expect(lines).toContain(section);
    expect(text).toMatch(/order_foreign\s+KXB\s+—\s+bid 1\.00 @ 0\.8100 resting\s+would_cancel\s+no client_order_id · o-1/);
    expect(text).toMatch(/position_unexplained\s+KXA\s+0\s+-4\.00 NO\s+would_synthesize/);
    expect(text).toMatch(/cash\s+—\s+\$900\.00\s+\$993\.8406\s+adopt/);
    expect(text).toContain('2 other resting order(s) in markets not traded: left alone.');
    expect(text).toMatch(/KXB\s+active\s+1h02m\s+—\s+\$0\.7000\s+—\s+NO: one-sided book \(no bid\)/);
    expect(text).toMatch(/KXA\s+-4\.00 NO\s+\$1\.20\s+\$0\.3000\s+\$1\.1832\s+-\$0\.0168\s+-1\.40 %\s+1m30s \(exchange\)/);
    expect(lines.at(-1)).toBe('VERDICT: TRADE');
    // aligned: every row of the differences table starts its 'action' column at the same place
    const rows = lines.filter((l) => /^ {2}(order_foreign|position_unexplained|cash) /.test(l));
    expect(new Set(rows.map((l) => l.search(/(would_cancel|would_synthesize|adopt)/))).size).toBe(1);
  });

  it('without the steps table; a refusal with its reasons', () => {
    const r = report();
    r.verdict = { verdict: 'refuse', reasons: ['trading is paused on the exchange', 'x'], warnings: [] };
    const lines = formatCalibrationReport(r, { steps: false });
    expect(lines).not.toContain('Steps');
    expect(lines.at(-1)).toBe('VERDICT: REFUSE — trading is paused on the exchange; x');
    expect(verdictLine(r)).toBe(lines.at(-1));
  });

  it('a reconcile that did not run says so', () => {
    const r = report();
    r.reconcile = { ...r.reconcile, ok: false, error: 'skipped: the exchange is unreachable', differences: [] };
    expect(formatCalibrationReport(r)).toContain('  NOT DONE: skipped: the exchange is unreachable');
  });
});
