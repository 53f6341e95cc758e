/**
 * The dashboard's state (docs/dashboard.md) from fixed books, positions and decisions: the
 * markets table (its fields, units and order, at most 200 rows), P&L marks, order groups,
 * health events (backlog on hello, new ones after), throughput, histograms and P&L history.
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../../src/shared/book-layout.js';
import type { BookTop } from '../../../src/shared/book-store.js';
import { DecisionBoard } from '../../../src/shared/decision-board.js';
import { LatencyHistogram } from '../../../src/shared/latency-histogram.js';
import { Action } from '../../../src/shared/policy/actions.js';
import {
  BreakerState, MarketTradingState, WorkingSide, createMarketPositionView, type AccountView, type MarketPositionView,
} from '../../../src/shared/position-records.js';
import { DashboardState, HealthEvents, MAX_EVENTS, MAX_MARKET_ROWS, latencyBuckets, type DashboardSources } from '../../../src/main/host/dashboard-state.js';
import type { ExecutionSummary } from '../../../src/main/host/execution-handle.js';
import type { StatusTotals } from '../../../src/main/host/status-line.js';

const NOW_MS = 1_764_000_000_000;
const NOW_NS = 5_000_000_000;

function harness(marketCount = 3) {
  const tops = new Map<number, Partial<BookTop>>();
  const positions = new Map<number, Partial<MarketPositionView>>();
  const decisions = DecisionBoard.create(Math.max(marketCount, 1));
  const disabled = new Set<number>();
  let now = NOW_MS;
  const totals: StatusTotals = {
    markets: marketCount, staleBooks: 0, bookMessages: 0, decisions: 0, intents: 0, ordersSent: 0, fills: 0, cash: 500_000_000, openPositions: 0, pnl: 0,
    decisionLatency: new LatencyHistogram().snapshot(),
  };
  let execution: ExecutionSummary | undefined;
  const events = new HealthEvents();
  const src: DashboardSources = {
    sessionId: 's-1',
    host: { venue: 'sim', topology: 'threaded', policy: 'spread-capture', startedMs: NOW_MS - 60_000 },
    books: {
      readTop: (m, out) => {
        const t = tops.get(m);
        Object.assign(out, { yesBid: NONE, yesBidSize: 0, noBid: NONE, noBidSize: 0, stale: true, updates: 0, exchangeTsMs: 0, receiveNs: 0, appliedNs: 0 }, t ?? {});
        return t !== undefined;
      },
    },
    board: {
      readMarket: (i, out) => {
        Object.assign(out, createMarketPositionView(), { tradingState: MarketTradingState.ACTIVE }, positions.get(i) ?? {});
        return true;
      },
      readAccount: (out: AccountView) => {
        Object.assign(out, { cash: 480_000_000, cashReserve: 100_000_000, portfolioValue: 12_500_000 });
        return true;
      },
    },
    decisions,
    markets: () => Array.from({ length: marketCount }, (_, slot) => ({ slot, ticker: `KXT-${slot}` })),
    disabled: () => disabled,
    totals: () => ({ ...totals }),
    supervisor: () => undefined,
    execution: () => execution,
    calibration: () => ({ verdict: 'trade' }),
    nowMs: () => now,
    nowNs: () => NOW_NS,
  };
  const state = new DashboardState(src, events);
  return {
    state, tops, positions, decisions, disabled, totals, events,
    setExecution: (e: Partial<ExecutionSummary> & { stats?: Partial<ExecutionSummary['stats']> }) => (execution = e as ExecutionSummary),
    advance: (ms: number) => (now += ms),
  };
}

type Row = Record<string, unknown>;
const rowsOf = (body: Record<string, unknown>) => (body.markets as { total: number; rows: Row[] });

describe('DashboardState: the markets table', () => {
  it('a row carries top of book, message age, last decision, position with its mark, breaker, working order — exact integers', () => {
    const h = harness(1);
    h.tops.set(0, { yesBid: 4_500, yesBidSize: 1_200, noBid: 5_300, noBidSize: 300, stale: false, receiveNs: NOW_NS - 35_000_000 });
    // 3 NO contracts (−300 hundredths) bought for $1.41 in all: marked at the NO bid $0.53 → $1.59, +$0.18.
    h.positions.set(0, {
      position: -300, costBasis: 1_410_000, realizedPnl: 250_000, feesPaid: 40_000, breakerState: BreakerState.HALF_OPEN, breakerErrorCount: 10,
      workingSide: WorkingSide.ASK, workingPrice: 4_700, workingRemaining: 300,
    });
    h.decisions.record(0, Action.SELL_NO, NOW_MS - 12);
    const { total, rows } = rowsOf(h.state.snapshot(false));
    expect(total).toBe(1);
    expect(rows).toEqual([{
      slot: 0, ticker: 'KXT-0', state: 'active', disabled: false,
      yes_bid: 4_500, yes_ask: 4_700, yes_bid_size: 1_200, no_bid_size: 300, stale: false, message_age_ms: 35,
      last_action: 'SELL_NO', last_decision_age_ms: 12,
      position: -300, realized_micros: 250_000, fees_micros: 40_000, unrealized_micros: 180_000, pnl_micros: 250_000 - 40_000 + 180_000,
      breaker: 'half_open', breaker_errors: 10, working: { side: 'ask', price: 4_700, remaining: 300 },
    }]);
  });

  it('no book yet: prices and ages are null, the position is not marked (unrealized null)', () => {
    const h = harness(1);
    h.positions.set(0, { position: 200, costBasis: 900_000 });
    const [row] = rowsOf(h.state.snapshot(false)).rows;
    expect(row).toMatchObject({ yes_bid: null, yes_ask: null, stale: true, message_age_ms: null, last_action: null, last_decision_age_ms: null, unrealized_micros: null, pnl_micros: 0 });
  });

  it('keeps the most relevant 200 rows: disabled, open breakers, positions, working orders, then the latest decided', () => {
    const h = harness(MAX_MARKET_ROWS + 50);
    for (let slot = 0; slot < MAX_MARKET_ROWS + 50; slot++) h.decisions.record(slot, Action.HOLD, NOW_MS - 10_000 + slot); // higher slots decided later
    h.disabled.add(7);
    h.positions.set(11, { breakerState: BreakerState.OPEN });
    h.positions.set(13, { position: 100, costBasis: 50_000 });
    h.positions.set(17, { workingSide: WorkingSide.BID, workingPrice: 100, workingRemaining: 100 });
    h.positions.set(7, { tradingState: MarketTradingState.REDUCING });
    const { total, rows } = rowsOf(h.state.snapshot(false));
    expect(total).toBe(MAX_MARKET_ROWS + 50);
    expect(rows).toHaveLength(MAX_MARKET_ROWS);
    expect(rows.slice(0, 5).map((r) => r.slot)).toEqual([7, 11, 13, 17, MAX_MARKET_ROWS + 49]);
    expect(rows[0]).toMatchObject({ disabled: true, state: 'reducing' });
    expect(rows.at(-1)!.slot).toBe(54); // the 196 latest decided after the four above
  });
});

describe('DashboardState: account, groups, latency, events, throughput, history', () => {
  it('account figures from the PositionBoard and the execution summary; groups by scope', () => {
    const h = harness(2);
    h.setExecution({
      pnl: -1_250_000, cash: 480_000_000,
      stats: {
        feesPaid: 90_000, groupMode: 'market',
        orderGroups: [
          { id: 'g-b', market: 1, status: 'triggered', limitContracts: 20, triggeredAtMs: NOW_MS - 5 },
          { id: 'g-a', market: 0, status: 'active', limitContracts: 20, triggeredAtMs: 0 },
        ],
      } as unknown as ExecutionSummary['stats'],
    });
    const body = h.state.snapshot(false);
    expect(body.account).toEqual({ cash_micros: 480_000_000, reserve_micros: 100_000_000, portfolio_value_micros: 12_500_000, pnl_micros: -1_250_000, fees_micros: 90_000 });
    expect(body.groups).toEqual({
      mode: 'market',
      rows: [
        { id: 'g-b', scope: 'KXT-1', status: 'triggered', limit_contracts: 20, triggered_at_ms: NOW_MS - 5 },
        { id: 'g-a', scope: 'KXT-0', status: 'active', limit_contracts: 20, triggered_at_ms: null },
      ],
    });
  });

  it('latency buckets: non-empty coarse buckets with their upper bound in µs, null above the last', () => {
    const hist = new LatencyHistogram();
    for (const ns of [3_000, 40_000, 45_000, 300_000_000]) hist.record(ns);
    expect(latencyBuckets(hist.snapshot())).toEqual({ count: 4, buckets: [[5, 1], [50, 2], [null, 1]] });
    expect(latencyBuckets(undefined)).toEqual({ count: 0, buckets: [] });
  });

  it('events: the backlog (at most 200) on hello; each state message carries only the new ones', () => {
    const h = harness(1);
    for (let i = 0; i < MAX_EVENTS + 5; i++) h.events.push('info', `line ${i}`, NOW_MS + i);
    const hello = h.state.snapshot(true).events as Array<{ seq: number; msg: string }>;
    expect(hello).toHaveLength(MAX_EVENTS);
    expect(hello[0]).toMatchObject({ seq: 6, msg: 'line 5' });
    expect((h.state.snapshot(false).events as unknown[]).length).toBe(MAX_EVENTS); // the first state: everything kept
    expect(h.state.snapshot(false).events).toEqual([]);
    h.events.push('warn', 'market KXT-0 disabled by the operator', NOW_MS);
    expect(h.state.snapshot(false).events).toEqual([{ seq: MAX_EVENTS + 6, at_ms: NOW_MS, level: 'warn', msg: 'market KXT-0 disabled by the operator' }]);
    expect(h.state.snapshot(true).events).toHaveLength(MAX_EVENTS); // a new client's hello: the backlog again
  });

  it('throughput per second between samples; P&L history on hello only; calibration on hello only', () => {
    const h = harness(1);
    h.setExecution({ pnl: 0, cash: 500_000_000, stats: {} as ExecutionSummary['stats'] });
    h.state.sample();
    h.totals.bookMessages = 1_000;
    h.totals.decisions = 500;
    h.totals.ordersSent = 4;
    h.setExecution({ pnl: 30_000, cash: 499_000_000, stats: {} as ExecutionSummary['stats'] });
    h.advance(2_000);
    h.state.sample();
    const state = h.state.snapshot(false);
    expect(state.rates).toEqual({ bookMessagesPerS: 500, decisionsPerS: 250, intentsPerS: 0, ordersPerS: 2, fillsPerS: 0 });
    expect(state.pnl_history).toBeUndefined();
    expect(state.calibration).toBeUndefined();
    const hello = h.state.snapshot(true);
    expect(hello.pnl_history).toEqual([[NOW_MS, 0, 500_000_000], [NOW_MS + 2_000, 30_000, 499_000_000]]);
    expect(hello.calibration).toEqual({ verdict: 'trade' });
    expect(hello).toMatchObject({ session_id: 's-1', host: { venue: 'sim', topology: 'threaded', policy: 'spread-capture', started_ms: NOW_MS - 60_000 } });
  });
});
