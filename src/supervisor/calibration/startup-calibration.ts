/**
 * The supervisor's start-up calibration (issue 8; architecture.md §6): five steps, each reported
 * through `onStep` as it completes, into one structured report that decides whether trading may
 * start. It runs before the execution thread's own minimal calibration
 * (src/workers/execution/calibration.ts), which then adopts what this one found; and it is the
 * whole of `kalshi-actor calibrate`.
 *
 *   1. connection   connection.ts, clock-skew.ts
 *   2. reconcile    journal-reconcile.ts (journal-view.ts, host-orders.ts, position-replay.ts)
 *   3. viability    market-viability.ts
 *   4. health       portfolio-health.ts
 *   5. verdict      verdict.ts
 *
 * Read-mostly: with `act: false` nothing is sent to the exchange but reads and nothing is
 * journaled but the report itself. With `act: true` orphans are cancelled (when
 * `settings.cancelOrphans`) and missing / synthesized fills journaled (journal-reconcile.ts).
 * An exchange that does not answer at step 1 ends the calibration there: steps 2–4 are reported
 * as skipped and the verdict is 'refuse'.
 *
 * The report is journaled as one 'calibration' record (CalibrationRecord, keyed by session and
 * start time): its summary figures in the columns, and the verdict, its reasons and the whole
 * report in fields that land in the row's `extra` jsonb (`calibration: 'startup'`, `verdict`,
 * `reasons`, `act`, `report`).
 */
import { randomInt } from 'node:crypto';
import type { KalshiRestClient, Market } from '../../shared/kalshi/rest/index.js';
import { writeRecord, type CalibrationRecord } from '../../shared/journal-records.js';
import { newSessionId } from '../../workers/execution/client-order-id.js';
import { checkConnection, connectionStep } from './connection.js';
import { reconcileAccount, reconcileStep, type ReconcileOutcome } from './journal-reconcile.js';
import type { CalibrationJournal } from './journal-view.js';
import { assessViability, fetchMarkets, viabilityStep } from './market-viability.js';
import { assessHealth, healthStep } from './portfolio-health.js';
import { STEP_NAMES, type ClockSkew, type HealthReport, type StartupCalibrationReport, type StepName, type StepResult, type StepStatus, type ViabilityReport } from './report.js';
import { decideVerdict, verdictStep } from './verdict.js';

export interface CalibrationSettings {
  /** µ$ kept free. */
  cashReserve: number;
  minTimeToCloseS: number;
  /** Widest YES spread, $0.0001. */
  maxSpread: number;
  maxClockSkewMs: number;
  /** Cancel foreign resting orders in the markets to trade (only with `act`). */
  cancelOrphans: boolean;
}

export interface StartupCalibrationDeps {
  rest: KalshiRestClient;
  /** The journal to reconcile against and to write the report to; none: the exchange alone. */
  journal?: CalibrationJournal | undefined;
  /** Tickers the host means to trade. */
  markets: readonly string[];
  settings: CalibrationSettings;
  /** false: report only (the `calibrate` command). */
  act: boolean;
  /** Wall clock, ms (default Date.now). */
  clock?: () => number;
  /** The session the journaled records carry (default: a new session id). */
  sessionId?: string;
  /** The Date-header probe (tests). */
  measureSkew?: (statusUrl: string, clock: () => number) => Promise<ClockSkew>;
  /** Without a baseline session, how far back fills are read (default 24 h). */
  fillLookbackMs?: number;
}

export type StepListener = (step: StepResult) => void;

const TOTAL = STEP_NAMES.length;

export async function runStartupCalibration(deps: StartupCalibrationDeps, onStep?: StepListener): Promise<StartupCalibrationReport> {
  const clock = deps.clock ?? Date.now;
  const startedMs = clock();
  const sessionId = deps.sessionId ?? newSessionId(startedMs, randomInt(36 ** 4));
  const traded = new Set(deps.markets);
  const steps: StepResult[] = [];
  let t = performance.now();
  const done = (name: StepName, s: { status: StepStatus; summary: string }): void => {
    const now = performance.now();
    const step: StepResult = { index: steps.length + 1, total: TOTAL, name, status: s.status, summary: s.summary, durationMs: Math.round(now - t) };
    t = now;
    steps.push(step);
    onStep?.(step);
  };

  // 1. connection
  const connection = await checkConnection(deps.rest, { clock, maxClockSkewMs: deps.settings.maxClockSkewMs, measureSkew: deps.measureSkew });
  done('connection', connectionStep(connection));

  let rec: ReconcileOutcome;
  let viability: ViabilityReport = { viable: [], replace: [], markets: [] };
  let health: HealthReport = { positions: [], cash: { available: 0, reserve: deps.settings.cashReserve, short: 0, closableValue: 0, closable: 0 }, closing: [], closed: [], totalPnl: 0 };
  if (!connection.reachable) {
    rec = skippedReconcile(deps.act);
    for (const name of ['reconcile', 'viability', 'health'] as const) done(name, { status: 'fail', summary: 'skipped: the exchange is unreachable' });
  } else {
    // 2. reconcile
    rec = await reconcileAccount({
      rest: deps.rest, journal: deps.journal, markets: traded, act: deps.act, cancelOrphans: deps.settings.cancelOrphans, sessionId, clock,
      fillLookbackMs: deps.fillLookbackMs,
    });
    done('reconcile', reconcileStep(rec.report));

    // 3. viability (one read of every market traded or held)
    const held = rec.snapshot?.positions.filter((p) => p.position !== 0).map((p) => p.ticker) ?? [];
    let markets = new Map<string, Market>();
    let marketError: string | undefined;
    try {
      markets = await fetchMarkets(deps.rest, [...deps.markets, ...held]);
    } catch (err) {
      marketError = err instanceof Error ? err.message : String(err);
    }
    const now = clock();
    viability = marketError === undefined
      ? assessViability(deps.markets, markets, deps.settings, now)
      : { error: marketError, viable: [], replace: [], markets: [] };
    done('viability', viabilityStep(viability));

    // 4. health
    health = assessHealth({
      positions: rec.snapshot?.positions ?? [], markets, traded, heldSince: rec.heldSince, balance: rec.snapshot?.balance ?? 0,
      cashReserve: deps.settings.cashReserve, minTimeToCloseS: deps.settings.minTimeToCloseS, nowMs: now,
    });
    done('health', rec.snapshot === undefined ? { status: 'fail', summary: 'skipped: the account could not be read' } : healthStep(health));
  }

  // 5. verdict
  const verdict = decideVerdict({ connection, reconcile: rec.report, viability, health });
  done('verdict', verdictStep(verdict));

  const report: StartupCalibrationReport = {
    version: 1, sessionId, startedMs, durationMs: clock() - startedMs, act: deps.act,
    exchangeUrl: deps.rest.base.origin + deps.rest.base.basePath, markets: [...deps.markets],
    settings: { ...deps.settings }, steps, connection, reconcile: rec.report, viability, health, verdict,
  };
  if (deps.journal !== undefined) writeRecord(deps.journal, 'calibration', calibrationRecord(report));
  return report;
}

function skippedReconcile(act: boolean): ReconcileOutcome {
  return {
    report: {
      ok: false, error: 'skipped: the exchange is unreachable',
      journal: { available: false, baseline: null, fillsSince: 0 },
      exchange: { balance: 0, reserved: 0, portfolioValue: 0, positions: 0, resting: 0, fills: 0, settlements: 0, sinceMs: 0 },
      differences: [], journaled: { fills: 0, synthesized: 0, settlements: 0 }, orphans: { cancelled: 0, failed: 0, kept: 0 }, ordersElsewhere: 0,
      irreconcilable: [], note: act ? 'acted: nothing (the exchange is unreachable)' : 'report only: nothing was sent to the exchange and nothing journaled but this report',
    },
    snapshot: undefined,
    heldSince: new Map(),
  };
}

/** The journal row: the columns of CalibrationRecord, and the rest in `extra` (see the file comment). */
export function calibrationRecord(r: StartupCalibrationReport): CalibrationRecord & Record<string, unknown> {
  const d = r.reconcile.differences;
  const count = (pred: (x: (typeof d)[number]) => boolean) => d.filter(pred).length;
  return {
    session_id: r.sessionId,
    started_ms: r.startedMs,
    duration_ms: r.durationMs,
    balance_micros: r.reconcile.ok ? r.reconcile.exchange.balance : null,
    reserved_micros: r.reconcile.ok ? r.reconcile.exchange.reserved : null,
    portfolio_value_micros: r.reconcile.ok ? r.reconcile.exchange.portfolioValue : null,
    positions_adopted: count((x) => x.kind === 'position_unknown' && x.action === 'adopt'),
    positions_elsewhere: r.health.positions.filter((p) => p.flags.includes('not_traded')).length,
    orders_adopted: count((x) => (x.kind === 'order_unknown' || x.kind === 'order_state') && x.action === 'adopt'),
    orphans_cancelled: r.reconcile.orphans.cancelled,
    orphans_not_cancelled: r.reconcile.orphans.failed + r.reconcile.orphans.kept,
    orders_elsewhere: r.reconcile.ordersElsewhere,
    fills_marked_seen: null,
    group_id: null,
    calibration: 'startup',
    verdict: r.verdict.verdict,
    reasons: r.verdict.reasons,
    act: r.act,
    report: r,
  };
}
