/**
 * Replay: a recorded session's market data through the same decision path as live trading —
 * the same BookStore, the same observation code (ObservationReader → buildObservation), the same
 * policy runtime (loadPolicy, cash-reserve gate included) — so a session can be re-run with
 * another policy, and re-run with its own policy to check that it decides as it did live.
 *
 * Decision points: when the live session's decisions are given, replay decides exactly where live
 * did — on the same market at the same book version (the recorder keeps versions identical) and
 * at the same times (the live decision's wall time and book-receipt → decision delay), so
 * time-based features see what they saw live. Without them it decides on every book change.
 *
 * What replay cannot reproduce: the live account. Portfolio features come from a paper account
 * that replay keeps itself (start cash, positions from paper fills), so a policy that reads its
 * position may diverge from live once the paper and live accounts differ; `agreement` counts it.
 *
 * The P&L summary is a paper fill model (documented choice): every non-HOLD action takes the
 * current touch as a taker for `contractSize` contracts (BUY_YES / SELL_NO lift the YES ask;
 * SELL_YES / BUY_NO hit the YES bid), paying Kalshi's taker fee; the ledger is the execution
 * thread's (same arithmetic as the exchange), positions marked at the best bid of the side held.
 * No queue, no market impact, no throttle or limits: an upper bound on what the decisions earn.
 */
import { SIDE_NO, SIDE_YES } from '../../shared/book-layout.js';
import { BookStore, emptyBookTop, yesAsk } from '../../shared/book-store.js';
import { takerFee } from '../../shared/fees.js';
import { notional, PRICE_SCALE } from '../../shared/fixed-point.js';
import type { MarketMeta } from '../../shared/observation/build.js';
import { FEATURE_COUNT } from '../../shared/observation/features.js';
import { MarketHistory } from '../../shared/observation/market-history.js';
import { ObservationReader } from '../../shared/observation/reader.js';
import { Action } from '../../shared/policy/actions.js';
import type { Policy } from '../../shared/policy/policy.js';
import { PositionBoard } from '../../shared/position-board.js';
import { BreakerState, MarketTradingState, TradingState, WorkingSide } from '../../shared/position-records.js';
import { PriceGrid, type PriceRange } from '../../shared/price-grid.js';
import { Ledger } from '../../workers/execution/ledger.js';

export interface ReplayMarket {
  ticker: string;
  ranges: PriceRange[];
  closeTimeMs: number;
}

export interface ReplayRecord {
  seq: number;
  market_ticker: string;
  type: string;
  side?: string | null;
  price?: number | null;
  delta?: number | null;
  levels?: { yes?: Array<[number, number]>; no?: Array<[number, number]> } | null;
  ts_ms?: number | null;
  payload?: { recv_ns?: number } | null;
}

export interface LiveDecision {
  market_ticker: string;
  book_version: number;
  action: number;
  ts_ms: number;
  decide_us?: number;
}

export interface ReplayOptions {
  policy: Policy;
  /** Decide where live did (else on every book change). */
  live?: readonly LiveDecision[];
  /** Paper account: start cash, µ$ (default $1,000). */
  startCash?: number;
  /** Paper order size, contracts (default 5). */
  contractSize?: number;
  /** Cash reserve the policy's gate sees, µ$ (default $100). */
  cashReserve?: number;
  /**
   * Fill non-HOLD actions on paper (default true). Off, the paper account stays flat at its start
   * cash: the way to check a session whose live account stayed flat (or a policy that reads no
   * portfolio feature) decision for decision.
   */
  paperFills?: boolean;
}

export interface ReplayDecision {
  market_ticker: string;
  book_version: number;
  action: number;
}

export interface ReplayReport {
  records: number;
  decisions: ReplayDecision[];
  byAction: number[];
  /** With `live`: decisions equal to live's, and those that differ. */
  agreement?: { same: number; different: number; missing: number };
  paperTrades: number;
  /** µ$ */
  feesPaid: number;
  realizedPnl: number;
  unrealizedPnl: number;
  endCash: number;
}

export async function replaySession(markets: readonly ReplayMarket[], records: readonly ReplayRecord[], o: ReplayOptions): Promise<ReplayReport> {
  const n = markets.length;
  if (n === 0) throw new RangeError('replay: the session has no markets');
  const index = new Map(markets.map((m, i) => [m.ticker, i]));
  const grids = markets.map((m) => PriceGrid.fromRanges(m.ranges));
  const books = BookStore.create({ maxMarkets: n, ladderWords: grids.reduce((a, g) => a + 2 * g.levelCount, 0) });
  grids.forEach((g, i) => books.registerMarket(i, g));
  const board = PositionBoard.create(n);
  const writer = board.claimWriter();
  const meta: MarketMeta[] = markets.map((m, i) => ({ closeTimeMs: m.closeTimeMs, grid: grids[i] }));
  const reader = new ObservationReader(books, board, new MarketHistory(n), meta[0]);
  const ledger = new Ledger(n);
  const startCash = o.startCash ?? 1_000_000_000;
  const size = (o.contractSize ?? 5) * 100;
  ledger.startSession(startCash, 0);
  const reserve = o.cashReserve ?? 100_000_000;
  const publish = (m: number, nowMs: number) => {
    writer.writeMarket(m, {
      position: ledger.position[m], costBasis: ledger.costBasis[m], realizedPnl: ledger.realizedPnl[m], feesPaid: ledger.feesPaid[m],
      workingSide: WorkingSide.NONE, workingPrice: 0, workingRemaining: 0, workingOrderCount: 0, lastOrderAtMs: 0,
      positionOpenedAtMs: ledger.openedAtMs[m], breakerState: BreakerState.CLOSED, breakerErrorCount: 0, tradingState: MarketTradingState.ACTIVE,
    });
    writer.writeAccount({
      cash: ledger.cash, cashReserve: reserve, portfolioValue: 0, invested: ledger.invested, recouped: ledger.recouped,
      sessionStartCash: startCash, sessionStartPortfolioValue: 0, tradingState: TradingState.TRADING, updatedAtMs: nowMs,
    });
  };
  for (let m = 0; m < n; m++) publish(m, 0);

  const live = new Map<string, LiveDecision>();
  for (const d of o.live ?? []) live.set(`${d.market_ticker}@${d.book_version}`, d);
  const versions = new Int32Array(n);
  const obs = new Float32Array(FEATURE_COUNT);
  const action = new Uint8Array(1);
  const top = emptyBookTop();
  const decisions: ReplayDecision[] = [];
  const byAction = [0, 0, 0, 0, 0];
  let same = 0;
  let different = 0;
  let trades = 0;
  let lastMs = 0;
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  for (const r of sorted) {
    const m = index.get(r.market_ticker);
    if (m === undefined) continue;
    const recvNs = r.payload?.recv_ns ?? 0;
    const tsMs = r.ts_ms ?? 0;
    if (r.type === 'snapshot') {
      const yes = (r.levels?.yes ?? []).flat();
      const no = (r.levels?.no ?? []).flat();
      books.applySnapshot(m, yes, yes.length / 2, no, no.length / 2, tsMs, recvNs);
    } else if (r.type === 'delta') {
      books.applyDelta(m, r.side === 'no' ? SIDE_NO : SIDE_YES, r.price ?? 0, r.delta ?? 0, tsMs, recvNs);
    } else if (r.type === 'stale') {
      books.markStale(m);
    } else continue;
    versions[m] = (versions[m] + 1) | 0;
    const key = `${r.market_ticker}@${versions[m]}`;
    const wanted = o.live === undefined ? undefined : live.get(key);
    if (o.live !== undefined && wanted === undefined) continue;
    if (!books.readTop(m, top) || top.stale) continue;
    const nowMs = wanted?.ts_ms ?? (tsMs || lastMs);
    lastMs = nowMs;
    const nowNs = recvNs + (wanted?.decide_us ?? 0) * 1000;
    if (reader.observe(m, meta[m], nowMs, nowNs, obs, 0) !== 'ok') continue;
    await o.policy.decide(obs, 1, action);
    const a = action[0];
    decisions.push({ market_ticker: r.market_ticker, book_version: versions[m], action: a });
    byAction[a]++;
    if (wanted !== undefined) {
      if (Number(wanted.action) === a) same++;
      else different++;
    }
    if (a !== Action.HOLD && o.paperFills !== false && paperFill(m, a, nowMs)) trades++;
  }

  function paperFill(m: number, a: number, nowMs: number): boolean {
    const bid = a === Action.BUY_YES || a === Action.SELL_NO;
    const price = bid ? yesAsk(top) : top.yesBid;
    if (!(price > 0 && price < PRICE_SCALE)) return false;
    const fee = takerFee(price, size);
    if (ledger.cash < notional(bid ? price : PRICE_SCALE - price, size) + fee) return false; // never below zero cash
    ledger.applyFill({ tradeId: `paper-${trades}`, orderId: `paper-${trades}`, market: m, side: bid ? 'bid' : 'ask', yesPrice: price, count: size, fee, tsMs: nowMs });
    publish(m, nowMs);
    return true;
  }

  // Mark open positions at the best bid of the side held.
  let unrealized = 0;
  let realized = 0;
  let fees = 0;
  for (let m = 0; m < n; m++) {
    realized += ledger.realizedPnl[m];
    fees += ledger.feesPaid[m];
    const q = ledger.position[m];
    if (q === 0) continue;
    books.readTop(m, top);
    const exit = q > 0 ? top.yesBid : top.noBid; // the bid of the outcome held (NONE < 0 when empty)
    const value = exit > 0 ? notional(exit, Math.abs(q)) : 0;
    unrealized += value - ledger.costBasis[m];
  }
  const missing = o.live === undefined ? 0 : o.live.length - same - different;
  writer.release();
  return {
    records: sorted.length,
    decisions,
    byAction,
    agreement: o.live === undefined ? undefined : { same, different, missing },
    paperTrades: trades,
    feesPaid: fees,
    realizedPnl: realized,
    unrealizedPnl: unrealized,
    endCash: ledger.cash,
  };
}
