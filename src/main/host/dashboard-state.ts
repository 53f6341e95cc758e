/**
 * What the dashboard's stream carries (docs/dashboard.md): built on the main thread from the
 * shared memory every stage already publishes — books (BookStore), positions, breakers and
 * market states (PositionBoard), last decisions (DecisionBoard) — and from the stats the stages
 * post every second. Nothing here is on a hot path: `sample()` runs once a second (P&L history,
 * throughput), `snapshot()` only while a client listens.
 *
 * Units as everywhere: money µ$ integers, prices $0.0001 units, counts hundredths of a contract.
 * Unrealized P&L marks a position at the best bid of its side (what selling it now would get
 * before fees), as the execution stage's stats do.
 */
import { NONE } from '../../shared/book-layout.js';
import { emptyBookTop, markValue, yesAsk, type BookTop } from '../../shared/book-store.js';
import type { DecisionBoard, LastDecision } from '../../shared/decision-board.js';
import { coarseCounts, type LatencySnapshot } from '../../shared/latency-histogram.js';
import { ACTION_NAMES } from '../../shared/policy/actions.js';
import {
  BreakerState, MarketTradingState, WorkingSide, createAccountView, createMarketPositionView, type AccountView, type MarketPositionView,
} from '../../shared/position-records.js';
import type { LogLevel } from '../log-line.js';
import type { SupervisorView } from '../../supervisor/supervisor.js';
import type { ExecutionSummary } from './execution-handle.js';
import type { StatusTotals } from './status-line.js';
import { streamTotals } from './state-stream.js';

/** Rows of the markets table sent per message, at most: the most relevant first. */
export const MAX_MARKET_ROWS = 200;
/** Health events kept (and sent in a hello). */
export const MAX_EVENTS = 200;
/** P&L history points kept: one a second, an hour. */
export const HISTORY_POINTS = 3_600;
/** The histogram's bucket bounds, µs (a last bucket counts everything above). */
export const LATENCY_BOUNDS_US = [5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000] as const;

export interface DashboardSources {
  sessionId: string;
  host: { venue: string; topology: string; policy: string; startedMs: number };
  books: { readTop(market: number, out: BookTop): boolean };
  board: { readMarket(index: number, out: MarketPositionView): boolean; readAccount(out: AccountView): boolean };
  decisions: DecisionBoard;
  /** The markets traded now: slot and ticker. */
  markets(): ReadonlyArray<{ slot: number; ticker: string }>;
  /** Slots the operator disabled. */
  disabled(): ReadonlySet<number>;
  totals(): StatusTotals;
  supervisor(): SupervisorView | undefined;
  execution(): ExecutionSummary | undefined;
  calibration(): unknown;
  /** Wall clock, ms; the monotonic clock of BookTop.receiveNs, ns. */
  nowMs(): number;
  nowNs(): number;
}

export interface HealthEvent {
  /** Increasing from 1: a client that got a hello and then a state may see an event twice; it drops seqs it has. */
  seq: number;
  at_ms: number;
  level: LogLevel;
  msg: string;
}

/** The health events: every host log line but the periodic status line, the last MAX_EVENTS. */
export class HealthEvents {
  private readonly ring: HealthEvent[] = [];
  private seq = 0;

  push(level: LogLevel, msg: string, atMs: number): void {
    this.ring.push({ seq: ++this.seq, at_ms: atMs, level, msg });
    if (this.ring.length > MAX_EVENTS) this.ring.splice(0, this.ring.length - MAX_EVENTS);
  }

  /** The seq of the newest event (0: none yet). */
  newest(): number {
    return this.seq;
  }

  /** Those after `seq`, oldest first (all kept when 0). */
  since(seq: number): HealthEvent[] {
    return seq === 0 ? [...this.ring] : this.ring.filter((e) => e.seq > seq);
  }
}

interface Rates {
  bookMessagesPerS: number;
  decisionsPerS: number;
  intentsPerS: number;
  ordersPerS: number;
  fillsPerS: number;
}

const MARKET_STATES: Record<number, string> = { [MarketTradingState.INACTIVE]: 'inactive', [MarketTradingState.ACTIVE]: 'active', [MarketTradingState.REDUCING]: 'reducing', [MarketTradingState.HALTED]: 'halted' };
const BREAKERS: Record<number, string> = { [BreakerState.CLOSED]: 'closed', [BreakerState.OPEN]: 'open', [BreakerState.HALF_OPEN]: 'half_open' };
const price = (p: number): number | null => (p === NONE ? null : p);

/** A histogram as the page draws it: [upper bound µs (null: above the last), count], non-empty buckets only. */
export function latencyBuckets(s: LatencySnapshot | undefined): { count: number; buckets: Array<[number | null, number]> } {
  if (s === undefined) return { count: 0, buckets: [] };
  const counts = coarseCounts(s, LATENCY_BOUNDS_US.map((us) => us * 1_000));
  const buckets: Array<[number | null, number]> = [];
  counts.forEach((n, i) => {
    if (n > 0) buckets.push([i < LATENCY_BOUNDS_US.length ? LATENCY_BOUNDS_US[i] : null, n]);
  });
  return { count: s.total, buckets };
}

export class DashboardState {
  /** The last event seq a `state` message carried. */
  private sentSeq = 0;
  /** [at_ms, pnl µ$, cash µ$], oldest first. */
  private readonly history: Array<[number, number, number]> = [];
  private last: { atMs: number; totals: StatusTotals } | undefined;
  private rates: Rates = { bookMessagesPerS: 0, decisionsPerS: 0, intentsPerS: 0, ordersPerS: 0, fillsPerS: 0 };
  private readonly top = emptyBookTop();
  private readonly position = createMarketPositionView();
  private readonly account = createAccountView();
  private readonly decision: LastDecision = { action: -1, atMs: 0 };

  constructor(private readonly src: DashboardSources, private readonly events: HealthEvents) {}

  /** Once a second: a P&L history point, and throughput since the previous sample. */
  sample(): void {
    const atMs = this.src.nowMs();
    const totals = this.src.totals();
    const ex = this.src.execution();
    this.history.push([atMs, ex?.pnl ?? 0, ex?.cash ?? totals.cash]);
    if (this.history.length > HISTORY_POINTS) this.history.splice(0, this.history.length - HISTORY_POINTS);
    const prev = this.last;
    if (prev !== undefined && atMs > prev.atMs) {
      const per = (a: number, b: number) => Math.max(0, Math.round(((a - b) * 1_000) / (atMs - prev.atMs)));
      this.rates = {
        bookMessagesPerS: per(totals.bookMessages, prev.totals.bookMessages),
        decisionsPerS: per(totals.decisions, prev.totals.decisions),
        intentsPerS: per(totals.intents, prev.totals.intents),
        ordersPerS: per(totals.ordersSent, prev.totals.ordersSent),
        fillsPerS: per(totals.fills, prev.totals.fills),
      };
    }
    this.last = { atMs, totals };
  }

  /** The stream's message body: `full` for a hello (calibration, the event backlog, P&L history). */
  snapshot(full: boolean): Record<string, unknown> {
    const src = this.src;
    const totals = src.totals();
    const ex = src.execution();
    const markets = src.markets();
    const events = this.events.since(full ? 0 : this.sentSeq);
    if (!full) this.sentSeq = this.events.newest();
    const body: Record<string, unknown> = {
      session_id: src.sessionId,
      host: { venue: src.host.venue, topology: src.host.topology, policy: src.host.policy, started_ms: src.host.startedMs },
      supervisor: src.supervisor() ?? null,
      totals: streamTotals(totals),
      rates: this.rates,
      account: this.accountFigures(ex),
      markets: { total: markets.length, rows: this.marketRows(markets) },
      groups: this.groups(ex, markets),
      events,
      latency: { decision: latencyBuckets(totals.decisionLatency), wire: latencyBuckets(totals.wireLatency) },
    };
    if (full) {
      body.calibration = src.calibration() ?? null;
      body.pnl_history = this.history;
    }
    return body;
  }

  private accountFigures(ex: ExecutionSummary | undefined): Record<string, number> {
    const a = this.account;
    const ok = this.src.board.readAccount(a);
    return {
      cash_micros: ok ? a.cash : (ex?.cash ?? 0),
      reserve_micros: ok ? a.cashReserve : 0,
      portfolio_value_micros: ok ? a.portfolioValue : 0,
      pnl_micros: ex?.pnl ?? 0,
      fees_micros: ex?.stats.feesPaid ?? 0,
    };
  }

  /** Every traded market scored, the MAX_MARKET_ROWS most relevant as rows. O(markets) reads of shared memory. */
  private marketRows(markets: ReadonlyArray<{ slot: number; ticker: string }>): Array<Record<string, unknown>> {
    const src = this.src;
    const disabled = src.disabled();
    const nowMs = src.nowMs();
    const nowNs = src.nowNs();
    const scored: Array<{ m: { slot: number; ticker: string }; score: number; atMs: number }> = [];
    for (const m of markets) {
      const p = src.board.readMarket(m.slot, this.position) ? this.position : undefined;
      const d = src.decisions.read(m.slot, this.decision);
      let score = 0;
      if (disabled.has(m.slot)) score += 8;
      if (p !== undefined && p.breakerState !== BreakerState.CLOSED) score += 4;
      if (p !== undefined && p.position !== 0) score += 2;
      if (p !== undefined && p.workingSide !== WorkingSide.NONE) score += 1;
      scored.push({ m, score, atMs: d.atMs });
    }
    scored.sort((a, b) => b.score - a.score || b.atMs - a.atMs || a.m.slot - b.m.slot);
    const rows: Array<Record<string, unknown>> = [];
    for (const { m } of scored.slice(0, MAX_MARKET_ROWS)) rows.push(this.marketRow(m.slot, m.ticker, disabled.has(m.slot), nowMs, nowNs));
    return rows;
  }

  private marketRow(slot: number, ticker: string, disabled: boolean, nowMs: number, nowNs: number): Record<string, unknown> {
    const top = this.top;
    const fresh = this.src.books.readTop(slot, top);
    const p = this.src.board.readMarket(slot, this.position) ? this.position : createMarketPositionView();
    const d = this.src.decisions.read(slot, this.decision);
    const q = p.position;
    let unrealized: number | null = 0;
    if (q !== 0) {
      const value = fresh ? markValue(top, q) : null;
      unrealized = value === null ? null : value - p.costBasis;
    }
    return {
      slot, ticker,
      state: MARKET_STATES[p.tradingState] ?? 'inactive',
      disabled,
      yes_bid: price(top.yesBid), yes_ask: price(yesAsk(top)), yes_bid_size: top.yesBidSize, no_bid_size: top.noBidSize,
      stale: !fresh || top.stale,
      message_age_ms: top.receiveNs > 0 ? Math.max(0, Math.round((nowNs - top.receiveNs) / 1e6)) : null,
      last_action: d.action < 0 ? null : (ACTION_NAMES[d.action] ?? String(d.action)),
      last_decision_age_ms: d.action < 0 ? null : Math.max(0, nowMs - d.atMs),
      position: q,
      realized_micros: p.realizedPnl, fees_micros: p.feesPaid, unrealized_micros: unrealized,
      pnl_micros: p.realizedPnl - p.feesPaid + (unrealized ?? 0),
      breaker: BREAKERS[p.breakerState] ?? 'closed', breaker_errors: p.breakerErrorCount,
      working: p.workingSide === WorkingSide.NONE ? null : { side: p.workingSide === WorkingSide.BID ? 'bid' : 'ask', price: p.workingPrice, remaining: p.workingRemaining },
    };
  }

  private groups(ex: ExecutionSummary | undefined, markets: ReadonlyArray<{ slot: number; ticker: string }>): Record<string, unknown> {
    const tickers = new Map(markets.map((m) => [m.slot, m.ticker]));
    const s = ex?.stats;
    return {
      mode: s?.groupMode ?? 'off',
      rows: (s?.orderGroups ?? []).map((g) => ({
        id: g.id, scope: g.market < 0 ? 'session' : (tickers.get(g.market) ?? `slot ${g.market}`), status: g.status,
        limit_contracts: g.limitContracts, triggered_at_ms: g.triggeredAtMs === 0 ? null : g.triggeredAtMs,
      })),
    };
  }
}
