/**
 * Calibration step 2: the account as the exchange has it, against what the journal says it
 * should be — every difference listed with what is (or would be) done about it.
 *
 * Reads. The exchange (authoritative, architecture.md §1 rule 3): balance, every position, every
 * resting order, the fills and settlements since the baseline (or the last `fillLookbackMs`
 * without one). The journal (journal-view.ts): the baseline session's values, every fill since,
 * and which of the exchange's fills, settlements, sessions and orders it has. A journal that does
 * not answer is reported and the reconcile goes on against the exchange alone; an exchange that
 * does not answer ends the step (nothing can be reconciled: a refuse reason).
 *
 * Differences (report.ts): orders (host-orders.ts), fills and settlements the journal lacks,
 * positions the journal does not know or that no fill explains (position-replay.ts), and cash.
 *
 * Synthesized fills. A position change no fill explains gets one fill record for the residual
 * (fill-records.ts: a deterministic id, a time after the baseline), so a second run counts it
 * among the fills since the baseline, the position adds up, and no second record is proposed;
 * were one written anyway, the fills table's key would keep it to one row.
 *
 * Acting. With `act` (and only then): orphans are cancelled when `cancelOrphans` (exchange-view.ts
 * batch cancels, then the resting list read again — an orphan still there is 'cancel_failed');
 * missing fills and settlements are journaled (source 'calibration'); synthesized fills written.
 * Without `act` nothing is sent to the exchange and nothing is journaled (the report says so).
 *
 * Irreconcilable (each a refuse reason, the rule): the exchange reports a negative available
 * balance; or, in a market to trade, a position no fill explains while the exchange's own record
 * of that market contradicts itself (contracts held at no cost, or cost with no contracts) — a
 * synthesized fill would then be a guess on top of a guess, and trading would start from numbers
 * nobody can vouch for. Everything else the exchange's figures resolve: the execution thread
 * adopts them when trading starts.
 */
import { formatCount, formatPrice } from '../../shared/fixed-point.js';
import type { Fill, KalshiRestClient, MarketPosition, Settlement } from '../../shared/kalshi/rest/index.js';
import { cancelOrders, readAccount, reservationOf, restingOrders, type AccountSnapshot } from '../../workers/execution/exchange-view.js';
import { fillTimeMs, missingFillRecord, settlementRecord, SYNTHESIZED, synthesizedFillId, synthesizedFillRecord } from './fill-records.js';
import { classifyRestingOrders, parseHostOrderId } from './host-orders.js';
import {
  fillDelta, fillKey, heldSince, journaledOrders, journalFillsSince, knownFillKeys, knownSessions, knownSettlements, readBaseline,
  type CalibrationJournal, type JournalBaseline, type JournalFill, type JournaledOrder,
} from './journal-view.js';
import { replay, type ReplayFill } from './position-replay.js';
import type { Difference, ReconcileReport, StepStatus } from './report.js';
import { dollars } from './report-table.js';

export interface ReconcileOptions {
  rest: KalshiRestClient;
  journal: CalibrationJournal | undefined;
  /** Tickers to trade. */
  markets: ReadonlySet<string>;
  act: boolean;
  cancelOrphans: boolean;
  /** The session journaled records carry. */
  sessionId: string;
  clock: () => number;
  /** Without a baseline: how far back fills and settlements are read (default 24 h). */
  fillLookbackMs?: number;
  /** A baseline older than this is not used (default 7 days): the fills since would be too many to read. */
  maxBaselineAgeMs?: number;
}

/** What later steps need besides the report. */
export interface ReconcileOutcome {
  report: ReconcileReport;
  snapshot: AccountSnapshot | undefined;
  /** Per held ticker, the journal's first fill of the open position, ms. */
  heldSince: Map<string, number>;
}

const PAGE = 200;

export const DEFAULT_FILL_LOOKBACK_MS = 24 * 3_600_000;
export const DEFAULT_MAX_BASELINE_AGE_MS = 7 * 24 * 3_600_000;

function emptyReport(act: boolean): ReconcileReport {
  return {
    ok: false,
    journal: { available: false, baseline: null, fillsSince: 0 },
    exchange: { balance: 0, reserved: 0, portfolioValue: 0, positions: 0, resting: 0, fills: 0, settlements: 0, sinceMs: 0 },
    differences: [], journaled: { fills: 0, synthesized: 0, settlements: 0 }, orphans: { cancelled: 0, failed: 0, kept: 0 },
    ordersElsewhere: 0, irreconcilable: [], note: act ? 'acted: nothing (the exchange could not be read)' : REPORT_ONLY,
  };
}

const REPORT_ONLY = 'report only: nothing was sent to the exchange and nothing journaled but this report';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function reconcileAccount(o: ReconcileOptions): Promise<ReconcileOutcome> {
  const now = o.clock();
  const report = emptyReport(o.act);
  // --- the exchange's account
  let snap: AccountSnapshot;
  try {
    snap = await readAccount(o.rest, now);
  } catch (err) {
    report.error = `the account could not be read: ${message(err)}`;
    return { report, snapshot: undefined, heldSince: new Map() };
  }
  // --- the journal's baseline
  let baseline: JournalBaseline | undefined;
  let journalOk = o.journal !== undefined;
  if (o.journal !== undefined) {
    try {
      baseline = await readBaseline(o.journal, o.sessionId);
      if (baseline !== undefined && now - baseline.atMs > (o.maxBaselineAgeMs ?? DEFAULT_MAX_BASELINE_AGE_MS)) baseline = undefined;
    } catch (err) {
      journalOk = false;
      report.journal.error = message(err);
    }
  }
  const sinceMs = baseline?.atMs ?? now - (o.fillLookbackMs ?? DEFAULT_FILL_LOOKBACK_MS);
  // --- the exchange's fills and settlements since
  let fills: Fill[];
  let settlements: Settlement[];
  try {
    [fills, settlements] = await Promise.all([fillsSince(o.rest, sinceMs), settlementsSince(o.rest, sinceMs)]);
  } catch (err) {
    report.error = `fills and settlements could not be read: ${message(err)}`;
    return { report, snapshot: snap, heldSince: new Map() };
  }
  // --- what the journal has of them
  const journal = journalOk ? o.journal : undefined;
  let jFills: JournalFill[] = [];
  let haveFills = new Set<string>();
  let haveSettlements = new Set<string>();
  let sessions: Set<string> | undefined;
  let journaled: Map<string, JournaledOrder> | undefined;
  let held = new Map<string, number>();
  if (journal !== undefined) {
    try {
      const parsedSessions = new Set<string>();
      for (const r of snap.resting) {
        const p = parseHostOrderId(r.clientOrderId, r.ticker);
        if (p !== undefined) parsedSessions.add(p.session);
      }
      const heldTickers = snap.positions.filter((p) => p.position !== 0).map((p) => p.ticker);
      [jFills, haveFills, haveSettlements, sessions, journaled, held] = await Promise.all([
        baseline === undefined ? Promise.resolve([]) : journalFillsSince(journal, baseline.atMs),
        knownFillKeys(journal, fills.map((f) => f.tradeId)),
        knownSettlements(journal, settlements.map((s) => s.ticker)),
        knownSessions(journal, [...parsedSessions]),
        journaledOrders(journal, snap.resting.map((r) => r.clientOrderId).filter((id) => id !== '')),
        heldSince(journal, heldTickers),
      ]);
      sessions.add(o.sessionId);
    } catch (err) {
      report.journal.error = message(err);
      jFills = [];
      haveFills = new Set();
      haveSettlements = new Set();
      sessions = undefined;
      journaled = undefined;
      held = new Map();
    }
  }
  const journalAvailable = journal !== undefined && report.journal.error === undefined;
  const positionOf = new Map(snap.positions.map((p) => [p.ticker, p]));
  const { reserved, makerBound } = reservationOf(snap.resting, (t) => positionOf.get(t)?.position ?? 0);

  report.ok = true;
  report.journal = { available: journalAvailable, ...(report.journal.error === undefined ? {} : { error: report.journal.error }), baseline: baseline === undefined ? null : {
    sessionId: baseline.sessionId, source: baseline.source, atMs: baseline.atMs, markets: baseline.knownTickers.size, cash: baseline.cash,
  }, fillsSince: jFills.length };
  report.exchange = {
    balance: snap.balance, reserved, portfolioValue: snap.portfolioValue, positions: snap.positions.filter((p) => p.position !== 0).length,
    resting: snap.resting.length, fills: fills.length, settlements: settlements.length, sinceMs,
  };

  // --- orders
  const cancel = o.act && o.cancelOrphans;
  const orders = classifyRestingOrders(snap.resting, {
    traded: o.markets, knownSessions: journalAvailable ? sessions : undefined, journaled: journalAvailable ? journaled : undefined, cancel,
  });
  report.ordersElsewhere = orders.elsewhere;

  // --- fills, settlements, positions, cash
  const missingFills = journalAvailable ? fills.filter((f) => !haveFills.has(fillKey(f.orderId, f.tradeId))) : [];
  const missingSettlements = journalAvailable ? settlements.filter((s) => !haveSettlements.has(s.ticker)) : [];
  const replayed = replay({
    baseline: journalAvailable ? baseline : undefined,
    fills: [...jFills.map(journalReplayFill), ...missingFills.map(exchangeReplayFill)],
    settlements: settlements.map((s) => ({ ticker: s.ticker, position: s.yesCount - s.noCount, revenue: s.revenue, fee: s.fee, settledMs: s.settledTimeMs })),
    positions: new Map(snap.positions.map((p) => [p.ticker, { position: p.position, lastUpdatedMs: p.lastUpdatedMs }])),
    exchangeCash: snap.balance + reserved,
    tolerance: makerBound,
  });
  const journalTickers = new Set(jFills.map((f) => f.ticker));
  const diffs = [
    ...orders.differences,
    ...missingFills.map((f): Difference => ({
      kind: 'fill_missing', ticker: f.ticker, journal: null, exchange: f.bookSide === 'bid' ? f.count : -f.count, unit: 'count',
      action: o.act ? 'journal' : 'would_journal', id: f.tradeId,
      detail: `${f.bookSide} ${formatCount(f.count)} @ ${formatPrice(f.yesPrice)} at ${new Date(fillTimeMs(f)).toISOString()}`,
    })),
    ...missingSettlements.map((s): Difference => ({
      kind: 'settlement_missing', ticker: s.ticker, journal: null, exchange: s.revenue, unit: 'money', action: o.act ? 'journal' : 'would_journal',
      detail: `result ${s.marketResult}, ${formatCount(s.yesCount)} yes / ${formatCount(s.noCount)} no`,
    })),
  ];
  const synthesized: Array<Record<string, unknown>> = [];
  for (const m of replayed.markets) {
    const p = positionOf.get(m.ticker);
    if (m.residual !== 0) {
      const updated = p?.lastUpdatedMs ?? settlements.find((s) => s.ticker === m.ticker)?.settledTimeMs ?? now;
      const id = synthesizedFillId(m.ticker, m.residual, updated);
      // A record that contradicts itself is not synthesized from: that would be a guess on a guess.
      const contradicts = o.markets.has(m.ticker) && p !== undefined && selfInconsistent(p);
      diffs.push({
        kind: 'position_unexplained', ticker: m.ticker, journal: m.expected, exchange: m.exchange, unit: 'count',
        action: o.act && !contradicts ? 'synthesize' : 'would_synthesize', id,
        detail: `${m.residual > 0 ? '+' : ''}${formatCount(m.residual)} that no fill explains${m.settled ? ' (at settlement)' : ''}${contradicts ? '; not synthesized: the exchange\'s record contradicts itself' : ''}`,
      });
      if (contradicts) {
        report.irreconcilable.push(`${m.ticker}: the exchange holds ${formatCount(p.position)} that no fill explains, and its own record contradicts itself (cost basis ${dollars(p.marketExposure)} for that position)`);
      } else {
        synthesized.push(synthesizedFillRecord({ sessionId: o.sessionId, ticker: m.ticker, residual: m.residual, updatedMs: updated, baseline: baseline!, position: p, id, expected: m.expected }));
      }
    } else if (!m.known && !journalTickers.has(m.ticker) && m.exchange !== 0 && !m.settled) {
      diffs.push({
        kind: 'position_unknown', ticker: m.ticker, journal: null, exchange: m.exchange, unit: 'count', action: o.markets.has(m.ticker) ? 'adopt' : 'leave',
        detail: journalAvailable ? (baseline === undefined ? 'the journal has no session to compare with' : 'not in the journal') : 'no journal',
      });
    }
  }
  if (replayed.cash.comparable && replayed.cash.differs) {
    diffs.push({
      kind: 'cash', journal: replayed.cash.expected, exchange: replayed.cash.exchange, unit: 'money', action: 'adopt',
      detail: `${dollars(replayed.cash.difference!)} that no fill or settlement explains (a deposit, a withdrawal, or fees the journal missed)`,
    });
  }
  if (snap.balance < 0) report.irreconcilable.push(`the exchange reports a negative available balance (${dollars(snap.balance)})`);

  // --- act
  if (o.act) {
    if (cancel && orders.orphans.length > 0) {
      await cancelOrders(o.rest, orders.orphans);
      const still = new Set((await restingOrders(o.rest).catch(() => orders.orphans)).map((x) => x.orderId));
      for (const d of diffs) if (d.kind === 'order_foreign' && d.id !== undefined && still.has(d.id)) d.action = 'cancel_failed';
      report.orphans = { cancelled: orders.orphans.filter((x) => !still.has(x.orderId)).length, failed: orders.orphans.filter((x) => still.has(x.orderId)).length, kept: 0 };
    }
    if (journal !== undefined && journalAvailable) {
      for (const f of missingFills) journal.write('fill', missingFillRecord(o.sessionId, f));
      for (const s of missingSettlements) journal.write('fill', settlementRecord(o.sessionId, s, now));
      for (const s of synthesized) journal.write('fill', s);
      report.journaled = { fills: missingFills.length, synthesized: synthesized.length, settlements: missingSettlements.length };
    }
    report.note = `acted: ${cancel ? `cancelled ${report.orphans.cancelled} orphan order(s)${report.orphans.failed > 0 ? ` (${report.orphans.failed} failed)` : ''}` : 'orphans kept (cancel-orphans off)'}; `
      + `journaled ${report.journaled.fills} fill(s) and ${report.journaled.settlements} settlement(s), synthesized ${report.journaled.synthesized} fill(s)`;
  } else {
    report.note = REPORT_ONLY;
  }
  if (!cancel) report.orphans.kept = orders.orphans.length;
  report.differences = diffs;
  if (!journalAvailable) report.note += o.journal === undefined ? '; no journal: compared with the exchange alone' : '; the journal did not answer: compared with the exchange alone';
  return { report, snapshot: snap, heldSince: held };
}

/** Contracts at no cost, or cost without contracts. */
export function selfInconsistent(p: MarketPosition): boolean {
  return (p.position !== 0 && p.marketExposure <= 0) || (p.position === 0 && p.marketExposure !== 0);
}

function journalReplayFill(f: JournalFill): ReplayFill {
  return { ticker: f.ticker, delta: fillDelta(f), yesPrice: f.yesPrice, fee: f.fee, tsMs: f.tsMs, cashless: f.source === SYNTHESIZED };
}

function exchangeReplayFill(f: Fill): ReplayFill {
  return { ticker: f.ticker, delta: f.bookSide === 'bid' ? f.count : -f.count, yesPrice: f.yesPrice, fee: f.fee, tsMs: fillTimeMs(f) };
}

async function fillsSince(rest: KalshiRestClient, sinceMs: number): Promise<Fill[]> {
  const out: Fill[] = [];
  for await (const page of rest.fillPages({ minTs: Math.max(0, Math.floor(sinceMs / 1000)), limit: PAGE }, { priority: true })) {
    for (const f of page.items) if (fillTimeMs(f) > sinceMs) out.push(f);
  }
  return out.sort((a, b) => fillTimeMs(a) - fillTimeMs(b));
}

async function settlementsSince(rest: KalshiRestClient, sinceMs: number): Promise<Settlement[]> {
  const out: Settlement[] = [];
  for await (const page of rest.settlementPages({ minTs: Math.max(0, Math.floor(sinceMs / 1000)), limit: PAGE }, { priority: true })) {
    for (const s of page.items) if (s.settledTimeMs > sinceMs) out.push(s);
  }
  return out;
}

/** The step's status and one-line summary. */
export function reconcileStep(r: ReconcileReport): { status: StepStatus; summary: string } {
  if (!r.ok) return { status: 'fail', summary: r.error ?? 'the account could not be read' };
  const byAction = new Map<string, number>();
  for (const d of r.differences) byAction.set(d.action, (byAction.get(d.action) ?? 0) + 1);
  const actions = [...byAction].map(([a, n]) => `${n} ${a}`).join(', ');
  const base = r.journal.baseline === null
    ? `since ${new Date(r.exchange.sinceMs).toISOString()} (${r.journal.available ? 'no session in the journal to compare with' : 'no journal'})`
    : `since session ${r.journal.baseline.sessionId} (its ${r.journal.baseline.source} values)`;
  const summary = `balance ${dollars(r.exchange.balance)}, ${r.exchange.positions} position(s), ${r.exchange.resting} resting order(s), `
    + `${r.exchange.fills} fill(s) and ${r.exchange.settlements} settlement(s) ${base}; `
    + `${r.differences.length} difference(s)${actions === '' ? '' : ` (${actions})`}`
    + (r.irreconcilable.length > 0 ? `; IRRECONCILABLE: ${r.irreconcilable.length}` : '');
  const status: StepStatus = r.irreconcilable.length > 0 ? 'fail' : r.differences.length > 0 || !r.journal.available ? 'warn' : 'ok';
  return { status, summary };
}
