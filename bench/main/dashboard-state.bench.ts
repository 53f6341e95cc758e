/**
 * The dashboard's cost to the host (src/main/host/dashboard-state.ts), at 1,000 and 10,000
 * markets: `snapshot(false)` is what the main thread builds once a second while a dashboard is
 * connected (every market scored from shared memory, the 200 most relevant as rows, order groups,
 * latency buckets), `JSON.stringify` of it what the stream sends; `DecisionBoard.record` is what
 * an inference stage pays per decision to publish the market's last action.
 */
import { consume, defineSuite } from '../harness.js';
import { DashboardState, HealthEvents } from '../../src/main/host/dashboard-state.js';
import { BookStore } from '../../src/shared/book-store.js';
import { monoNs } from '../../src/shared/clock.js';
import { DecisionBoard } from '../../src/shared/decision-board.js';
import { LatencyHistogram } from '../../src/shared/latency-histogram.js';
import { PositionBoard } from '../../src/shared/position-board.js';
import { BreakerState, MarketTradingState, TradingState, WorkingSide } from '../../src/shared/position-records.js';
import { PriceGrid } from '../../src/shared/price-grid.js';

function dashboardOf(markets: number): DashboardState {
  const grid = PriceGrid.forStructure('linear_cent');
  const books = BookStore.create({ maxMarkets: markets });
  const board = PositionBoard.create(markets);
  const writer = board.claimWriter();
  const decisions = DecisionBoard.create(markets);
  const now = Date.now();
  for (let m = 0; m < markets; m++) {
    books.registerMarket(m, grid);
    // Five levels a side around 45¢ / 53¢ (NO), sizes in hundredths.
    books.applySnapshot(m, [4_100, 500, 4_200, 700, 4_300, 900, 4_400, 1_100, 4_500, 1_300], 5, [5_100, 400, 5_200, 600, 5_300, 800, 5_400, 1_000, 5_500, 1_200], 5, now, monoNs());
    writer.writeMarket(m, {
      position: m % 10 === 0 ? 500 : 0, costBasis: m % 10 === 0 ? 2_250_000 : 0, realizedPnl: 0, feesPaid: 0,
      workingSide: m % 7 === 0 ? WorkingSide.BID : WorkingSide.NONE, workingPrice: 4_400, workingRemaining: 500, workingOrderCount: m % 7 === 0 ? 1 : 0,
      lastOrderAtMs: now, positionOpenedAtMs: now, breakerState: BreakerState.CLOSED, breakerErrorCount: 0, tradingState: MarketTradingState.ACTIVE,
    });
    decisions.record(m, m % 5, now - (m % 1_000));
  }
  writer.writeAccount({ cash: 900_000_000, cashReserve: 100_000_000, portfolioValue: 50_000_000, invested: 0, recouped: 0, sessionStartCash: 1_000_000_000, sessionStartPortfolioValue: 0, tradingState: TradingState.TRADING, updatedAtMs: now });
  const latency = new LatencyHistogram();
  for (let i = 1; i <= 10_000; i++) latency.record(i * 1_000);
  const traded = Array.from({ length: markets }, (_, slot) => ({ slot, ticker: `KXBENCH-26NOV24-T${slot}` }));
  const events = new HealthEvents();
  for (let i = 0; i < 200; i++) events.push('info', `supervisor: event ${i}`, now);
  return new DashboardState({
    sessionId: 'bench', host: { venue: 'sim', topology: 'threaded', policy: 'spread-capture', startedMs: now },
    books, board, decisions, markets: () => traded, disabled: () => new Set([3]),
    totals: () => ({ markets, staleBooks: 0, bookMessages: 1, decisions: 1, intents: 1, ordersSent: 1, fills: 1, cash: 900_000_000, openPositions: markets / 10, pnl: 0, decisionLatency: latency.snapshot() }),
    supervisor: () => undefined, execution: () => undefined, calibration: () => null, nowMs: Date.now, nowNs: monoNs,
  }, events);
}

export default defineSuite({
  name: 'dashboard-state',
  tasks: () => {
    const small = dashboardOf(1_000);
    const large = dashboardOf(10_000);
    const board = DecisionBoard.create(1_024);
    let m = 0;
    return [
      { name: 'snapshot, 1,000 markets', opsPerCall: 1, fn: () => consume(small.snapshot(false)) },
      { name: 'snapshot + JSON, 1,000 markets', opsPerCall: 1, fn: () => consume(JSON.stringify(small.snapshot(false))) },
      { name: 'snapshot, 10,000 markets', opsPerCall: 1, fn: () => consume(large.snapshot(false)) },
      { name: 'snapshot + JSON, 10,000 markets', opsPerCall: 1, fn: () => consume(JSON.stringify(large.snapshot(false))) },
      {
        name: 'DecisionBoard.record',
        opsPerCall: 1_000,
        fn: () => {
          for (let i = 0; i < 1_000; i++) {
            board.record(m, i % 5, 1_767_225_600_000 + i);
            m = (m + 1) & 1_023;
          }
        },
      },
    ];
  },
});
