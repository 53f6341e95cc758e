/** Step 5: refuse first (fail closed), then recover, else trade. */
import { describe, expect, it } from 'vitest';
import type { ConnectionReport, HealthReport, ReconcileReport, ViabilityReport } from '../../../src/supervisor/calibration/report.js';
import { decideVerdict, verdictStep, type VerdictInput } from '../../../src/supervisor/calibration/verdict.js';

const connection = (o: Partial<ConnectionReport> = {}): ConnectionReport => ({
  reachable: true, latencyMs: 3, exchangeActive: true, tradingActive: true, estimatedResumeMs: null, maxClockSkewMs: 2_000,
  clock: { measured: true, skewMs: 100, lowMs: -400, highMs: 600, resolutionMs: 1000, rttMs: 2, serverDate: 'x' }, ...o,
});
const reconcile = (o: Partial<ReconcileReport> = {}): ReconcileReport => ({
  ok: true, journal: { available: true, baseline: null, fillsSince: 0 },
  exchange: { balance: 500_000_000, reserved: 0, portfolioValue: 0, positions: 0, resting: 0, fills: 0, settlements: 0, sinceMs: 0 },
  differences: [], journaled: { fills: 0, synthesized: 0, settlements: 0 }, orphans: { cancelled: 0, failed: 0, kept: 0 }, ordersElsewhere: 0, irreconcilable: [], note: '', ...o,
});
const health = (o: Partial<HealthReport> = {}): HealthReport => ({
  positions: [], cash: { available: 500_000_000, reserve: 100_000_000, short: 0, closableValue: 0, closable: 0 }, closing: [], closed: [], totalPnl: 0, ...o,
});
const viability = (o: Partial<ViabilityReport> = {}): ViabilityReport => ({ viable: ['KXA'], replace: [], markets: [], ...o });
const verdict = (o: Partial<VerdictInput> = {}) => decideVerdict({ connection: connection(), reconcile: reconcile(), viability: viability(), health: health(), ...o });

describe('decideVerdict', () => {
  it('all well: trade', () => {
    expect(verdict()).toEqual({ verdict: 'trade', reasons: [], warnings: [] });
    expect(verdictStep(verdict())).toEqual({ status: 'ok', summary: 'trade' });
  });

  it('refuse: unreachable, not active, paused, skewed, unreadable, irreconcilable', () => {
    expect(verdict({ connection: connection({ reachable: false, error: 'GET /x: connection failed', exchangeActive: null, tradingActive: null }), reconcile: reconcile({ ok: false, error: 'skipped' }) }))
      .toEqual({ verdict: 'refuse', reasons: ['the exchange is unreachable: GET /x: connection failed'], warnings: [] });
    expect(verdict({ connection: connection({ exchangeActive: false, estimatedResumeMs: Date.parse('2026-11-26T05:00:00Z') }) }).reasons)
      .toEqual(['the exchange is not active (maintenance, expected back at 2026-11-26T05:00:00.000Z)']);
    expect(verdict({ connection: connection({ tradingActive: false }) }).reasons).toEqual(['trading is paused on the exchange']);
    const skewed = verdict({ connection: connection({ clock: { measured: true, skewMs: 3_400, lowMs: 2_900, highMs: 3_900, resolutionMs: 1000, rttMs: 1, serverDate: 'x' } }) });
    expect(skewed.reasons).toEqual(["the local clock is 3.4 s behind the exchange's (skew +3.4 s), beyond the 2000 ms limit"]);
    expect(verdict({ reconcile: reconcile({ ok: false, error: 'the account could not be read: HTTP 401' }) }).reasons).toEqual(['the account could not be read: HTTP 401']);
    expect(verdict({ reconcile: reconcile({ irreconcilable: ['KXA: nonsense'] }) }).reasons).toEqual(['cannot reconcile: KXA: nonsense']);
    expect(verdict({ viability: viability({ error: 'HTTP 500' }) }).reasons).toEqual(['the markets could not be read: HTTP 500']);
    expect(verdictStep(verdict({ connection: connection({ tradingActive: false }) }))).toEqual({ status: 'fail', summary: 'refuse: trading is paused on the exchange' });
  });

  it('refuse wins over recover', () => {
    const v = verdict({ connection: connection({ tradingActive: false }), health: health({ closing: ['KXA'] }) });
    expect(v.verdict).toBe('refuse');
  });

  it('recover: cash short with something to sell; positions in closing or closed markets', () => {
    const short = verdict({ health: health({ cash: { available: 40_000_000, reserve: 100_000_000, short: 60_000_000, closableValue: 75_000_000, closable: 2 } }) });
    expect(short).toEqual({ verdict: 'recover', reasons: ['available cash $40.00 is $60.00 short of the $100.00 reserve; 2 position(s) can be sold for $75.00'], warnings: [] });
    expect(verdictStep(short).status).toBe('warn');
    expect(verdict({ health: health({ closing: ['KXA'], closed: ['KXB', 'KXC'] }) }).reasons).toEqual([
      '1 position(s) in markets closing soon: KXA', '2 position(s) in closed markets awaiting settlement: KXB, KXC',
    ]);
  });

  it('cash short with nothing to sell is a warning, not a recovery; so are unmeasured clocks, adoptions, failed cancels, markets to replace, no journal', () => {
    const v = verdict({
      health: health({ cash: { available: 40_000_000, reserve: 100_000_000, short: 60_000_000, closableValue: 0, closable: 0 } }),
      connection: connection({ clock: { measured: false, skewMs: null, lowMs: null, highMs: null, resolutionMs: 1000, rttMs: 1, serverDate: null, error: 'the reply had no Date header' } }),
      reconcile: reconcile({
        journal: { available: false, baseline: null, fillsSince: 0 },
        differences: [{ kind: 'position_unknown', journal: null, exchange: 100, action: 'adopt' }, { kind: 'order_foreign', journal: null, exchange: 'x', action: 'cancel_failed' }],
      }),
      viability: viability({ replace: [{ ticker: 'KXZ', reason: 'status closed' }] }),
    });
    expect(v.verdict).toBe('trade');
    expect(v.warnings).toEqual([
      'clock skew not measured: the reply had no Date header',
      'available cash $40.00 is $60.00 short of the $100.00 reserve and no position can be sold now: openings will be refused',
      'no journal: reconciled against the exchange alone',
      '1 difference(s) the execution thread adopts from the exchange',
      '1 orphan order(s) could not be cancelled',
      '1 market(s) to replace: KXZ',
    ]);
  });
});
