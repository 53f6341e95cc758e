/**
 * The simulated Kalshi exchange: a pure, deterministic, in-memory state machine. The REST and
 * WebSocket servers call it; it calls nothing but its clock and its listeners.
 *
 * Every mutating call first runs the timers that are due by the clock (expirations, opens,
 * closes, determinations, finalizations), then does its work at that time, then sends `ticker`
 * for the markets whose top of book / last price / volume / open interest changed, then
 * rethrows the first error a listener threw (the state is complete by then). Queries catch up
 * with the clock too. A listener must not call a mutating method from inside a callback
 * (refused with an Error); queries are fine and see the state at that point.
 *
 * Same seed + same calls (+ same clock readings) ⇒ same ids, fills, results and settlements.
 * Units: price $0.0001 (YES book), count hundredths, money µ$, time ms.
 *
 * The operations live in sibling modules: order-entry (create / amend / decrease / cancel),
 * matching, accounts (cash, positions, P&L, settlement), order-groups, lifecycle, synthetic.
 */
import { portfolioValue } from './accounts.js';
import { accountNotFound, invalidParameters, marketNotFound } from './errors.js';
import * as lifecycle from './lifecycle.js';
import * as groups from './order-groups.js';
import * as entry from './order-entry.js';
import * as registry from './registry.js';
import type { MarketSpec } from './registry.js';
import { EngineState, type AccountRecord, type EngineOrder, type GroupRecord, type MarketRuntime } from './state.js';
import * as synthetic from './synthetic.js';
import {
  ExchangeError,
  type AccountState,
  type BookSideV2,
  type EventState,
  type ExchangeListener,
  type MarketState,
  type OrderGroupState,
  type OrderState,
  type OutcomeSide,
  type SeriesState,
} from './types.js';

export type { AmendChange, CancelAllFilter, DecreaseChange, NewOrder, OrderFilter, OrderResult } from './order-entry.js';
export type { MarketSpec } from './registry.js';
export { MAX_ORDER_COUNT } from './order-entry.js';

export interface ExchangeOptions {
  clock: () => number;
  seed: number;
  /** Default false: an order group triggers when its 15 s window exceeds the limit (`>`). */
  orderGroupTriggerInclusive?: boolean;
  /** ms between a market's close and its determination (default 5000). */
  determinationDelayMs?: number;
}

export class Exchange {
  private readonly st: EngineState;

  constructor(options: ExchangeOptions) {
    this.st = new EngineState({
      clock: options.clock,
      seed: options.seed,
      orderGroupTriggerInclusive: options.orderGroupTriggerInclusive ?? false,
      determinationDelayMs: options.determinationDelayMs ?? 5_000,
    });
  }

  addListener(listener: ExchangeListener): () => void {
    return this.st.emitter.add(listener);
  }

  now(): number {
    return this.st.config.clock();
  }

  // --- operation framing ----------------------------------------------------------------

  /** Runs one operation at the clock's time (or `upTo`); see the header for the framing. */
  private run<T>(fn: (st: EngineState) => T, upTo?: number): T {
    const st = this.st;
    if (st.busy) throw new Error('Exchange: re-entrant call from a listener');
    st.busy = true;
    let out: T;
    try {
      lifecycle.runTimers(st, upTo ?? st.config.clock());
      out = fn(st);
    } catch (err) {
      st.flushTickers();
      st.busy = false;
      st.emitter.takeError();
      throw err;
    }
    st.flushTickers();
    st.busy = false;
    const failed = st.emitter.takeError();
    if (failed !== undefined) throw failed.error;
    return out;
  }

  /**
   * A query: catches up with the clock first like any call (so an order past its expiration or
   * a market past its close reads as such), except from inside a listener, where it reads the
   * state as it is at that point of the operation.
   */
  private read<T>(fn: (st: EngineState) => T): T {
    return this.st.busy ? fn(this.st) : this.run(fn);
  }

  // --- catalogue ------------------------------------------------------------------------

  addSeries(s: SeriesState): void {
    this.run((st) => registry.addSeries(st, s));
  }

  /** The event's `marketTickers` is copied: the engine appends each market it adds. */
  addEvent(e: EventState): void {
    this.run((st) => registry.addEvent(st, e));
  }

  /** Status `initialized` until openMs, then `active`; emits lifecycle `created` (and `activated` when already open). */
  addMarket(spec: MarketSpec): MarketState {
    return this.run((st) => registry.addMarket(st, spec));
  }

  market(ticker: string): MarketState | undefined {
    return this.read((st) => st.byTicker.get(ticker)?.market);
  }

  marketAt(index: number): MarketState {
    return this.read(() => this.rt(index).market);
  }

  markets(): readonly MarketState[] {
    return this.read((st) => st.markets);
  }

  series(ticker: string): SeriesState | undefined {
    return this.st.series.get(ticker);
  }

  event(ticker: string): EventState | undefined {
    return this.st.events.get(ticker);
  }

  allSeries(): SeriesState[] {
    return [...this.st.series.values()];
  }

  allEvents(): EventState[] {
    return [...this.st.events.values()];
  }

  private rt(index: number): MarketRuntime {
    const rt = this.st.runtime(index);
    if (rt === undefined) throw marketNotFound(`#${index}`);
    return rt;
  }

  private rtByTicker(ticker: string): MarketRuntime {
    return entry.requireMarket(this.st, ticker);
  }

  // --- accounts -------------------------------------------------------------------------

  openAccount(id: string, cash: number): AccountState {
    return this.run((st) => registry.openAccount(st, id, cash));
  }

  account(id: string): AccountState | undefined {
    return this.read((st) => st.accounts.get(id)?.state);
  }

  private acct(id: string): AccountRecord {
    const rec = this.st.accounts.get(id);
    if (rec === undefined) throw accountNotFound(id);
    return rec;
  }

  /** Out-of-band deposit (+) or withdrawal (−) of available cash, µ$; never below zero. */
  adjustCash(id: string, delta: number): void {
    this.run(() => {
      const rec = this.acct(id);
      if (!Number.isSafeInteger(delta)) throw invalidParameters(`cash delta must be an integer µ$, got ${delta}`);
      if (rec.state.cash + delta < 0) throw new ExchangeError(400, 'insufficient_balance', `withdrawal of ${-delta} µ$ exceeds the available ${rec.state.cash} µ$`);
      rec.state.cash += delta;
    });
  }

  // --- orders ---------------------------------------------------------------------------

  createOrder(accountId: string, order: entry.NewOrder): entry.OrderResult {
    return this.run((st) => entry.createOrder(st, this.acct(accountId), order));
  }

  cancelOrder(accountId: string, orderId: string): OrderState {
    return this.run((st) => entry.cancelOwnOrder(st, this.acct(accountId), orderId));
  }

  amendOrder(accountId: string, orderId: string, change: entry.AmendChange): entry.OrderResult {
    return this.run((st) => entry.amendOrder(st, this.acct(accountId), orderId, change));
  }

  decreaseOrder(accountId: string, orderId: string, change: entry.DecreaseChange): OrderState {
    return this.run((st) => entry.decreaseOrder(st, this.acct(accountId), orderId, change));
  }

  /** Each order on its own: a refusal is returned in its place, the others go ahead. */
  batchCreate(accountId: string, orders: entry.NewOrder[]): Array<entry.OrderResult | ExchangeError> {
    return this.run((st) => {
      const rec = this.acct(accountId);
      return orders.map((o) => attempt(() => entry.createOrder(st, rec, o)));
    });
  }

  batchCancel(accountId: string, orderIds: string[]): Array<OrderState | ExchangeError> {
    return this.run((st) => {
      const rec = this.acct(accountId);
      return orderIds.map((id) => attempt(() => entry.cancelOwnOrder(st, rec, id)));
    });
  }

  /** Cancels the account's resting orders (optionally of one market / one group), oldest first. */
  cancelAll(accountId: string, filter: entry.CancelAllFilter = {}): OrderState[] {
    return this.run((st) => entry.cancelAll(st, this.acct(accountId), filter));
  }

  /** 404 not_found unless the order is this account's. */
  getOrder(accountId: string, orderId: string): OrderState {
    return this.read((st) => {
      const o = st.accounts.get(accountId)?.byId.get(orderId);
      if (o === undefined) throw new ExchangeError(404, 'not_found', `order ${JSON.stringify(orderId)} not found`);
      return o;
    });
  }

  findByClientOrderId(accountId: string, clientOrderId: string): OrderState | undefined {
    return this.read((st) => st.accounts.get(accountId)?.byClientId.get(clientOrderId));
  }

  /** Newest first; the time filters apply to the creation time, inclusive. */
  listOrders(accountId: string, filter: entry.OrderFilter = {}): OrderState[] {
    return this.read((st) => entry.listOrders(st, this.acct(accountId), filter));
  }

  // --- order groups ---------------------------------------------------------------------

  createOrderGroup(accountId: string, limit: number): OrderGroupState {
    return this.run((st) => groups.createGroup(st, this.acct(accountId), limit));
  }

  getOrderGroup(accountId: string, id: string): OrderGroupState {
    return this.read((st) => {
      const g = groups.requireGroup(this.acct(accountId), id);
      groups.pruneWindow(st, g);
      return g.state;
    });
  }

  listOrderGroups(accountId: string): OrderGroupState[] {
    return this.read((st) => [...this.acct(accountId).groups.values()].map((g) => (groups.pruneWindow(st, g), g.state)));
  }

  resetOrderGroup(accountId: string, id: string): OrderGroupState {
    return this.groupOp(accountId, id, (st, rec, g) => groups.resetGroup(st, rec, g));
  }

  triggerOrderGroup(accountId: string, id: string): OrderGroupState {
    return this.groupOp(accountId, id, (st, rec, g) => groups.triggerGroup(st, rec, g));
  }

  deleteOrderGroup(accountId: string, id: string): OrderGroupState {
    return this.groupOp(accountId, id, (st, rec, g) => groups.deleteGroup(st, rec, g));
  }

  updateOrderGroupLimit(accountId: string, id: string, limit: number): OrderGroupState {
    return this.groupOp(accountId, id, (st, rec, g) => groups.updateGroupLimit(st, rec, g, limit));
  }

  /** The group's resting orders, in time priority. */
  orderGroupOrders(accountId: string, id: string): OrderState[] {
    return this.read(() => groups.groupOrders(groups.requireGroup(this.acct(accountId), id)));
  }

  private groupOp(accountId: string, id: string, fn: (st: EngineState, rec: AccountRecord, g: GroupRecord) => void): OrderGroupState {
    return this.run((st) => {
      const rec = this.acct(accountId);
      const g = groups.requireGroup(rec, id);
      fn(st, rec, g);
      return g.state;
    });
  }

  // --- synthetic liquidity --------------------------------------------------------------

  placeSynthetic(marketIndex: number, side: BookSideV2, price: number, count: number): OrderState | undefined {
    return this.run((st) => synthetic.placeSynthetic(st, this.rt(marketIndex), side, price, count));
  }

  cancelSynthetic(orderId: string, count?: number): void {
    this.run((st) => synthetic.cancelSynthetic(st, orderId, count));
  }

  takeSynthetic(marketIndex: number, side: BookSideV2, limitPrice: number, count: number): number {
    return this.run((st) => synthetic.takeSynthetic(st, this.rt(marketIndex), side, limitPrice, count));
  }

  /**
   * Runs `fn` as ONE engine operation — timers caught up once before it, tickers and a listener's
   * error handled once after it — with the synthetic participants' book-changing operations in
   * `ops` (reads such as `syntheticOrders` or `bestBid` may be called from `fn` as usual). For the
   * synthetic liquidity's step, which otherwise pays that framing on each of its 3–5 calls: with
   * at most one book-changing call in `fn`, the events are exactly those of the separate calls.
   */
  syntheticBatch<T>(fn: (ops: SyntheticOps) => T): T {
    return this.run(() => fn(this.syntheticOps));
  }

  private readonly syntheticOps: SyntheticOps = {
    place: (marketIndex, side, price, count) => synthetic.placeSynthetic(this.st, this.rt(marketIndex), side, price, count),
    cancel: (order, count) => synthetic.cancelSyntheticOrder(this.st, order as EngineOrder, count),
    take: (marketIndex, side, limitPrice, count) => synthetic.takeSynthetic(this.st, this.rt(marketIndex), side, limitPrice, count),
  };

  /** How many of the market's resting synthetic orders are bids (the rest of `syntheticOrders` are asks). */
  syntheticBids(marketIndex: number): number {
    return this.read(() => this.rt(marketIndex).syntheticBids);
  }

  /** The market's resting synthetic orders (a live view, in no particular order: do not mutate). */
  syntheticOrders(marketIndex: number): readonly OrderState[] {
    return this.read(() => this.rt(marketIndex).synthetic);
  }

  // --- time and lifecycle ---------------------------------------------------------------

  /** Runs everything due up to `nowMs` (each at its own time). Time never goes back. */
  advanceTo(nowMs: number): void {
    this.run(() => undefined, nowMs);
  }

  closeEarly(ticker: string): void {
    this.run((st) => lifecycle.closeEarly(st, this.rtByTicker(ticker)));
  }

  pause(ticker: string): void {
    this.run((st) => lifecycle.pause(st, this.rtByTicker(ticker)));
  }

  resume(ticker: string): void {
    this.run((st) => lifecycle.resume(st, this.rtByTicker(ticker)));
  }

  updateCloseTime(ticker: string, closeMs: number): void {
    this.run((st) => lifecycle.updateCloseTime(st, this.rtByTicker(ticker), closeMs));
  }

  determine(ticker: string, result: 'yes' | 'no'): void {
    this.run((st) => lifecycle.forceDetermine(st, this.rtByTicker(ticker), result));
  }

  // --- public views ---------------------------------------------------------------------

  /** [price, size] ascending, best bid last (REST orderbook order); NO side in NO prices. */
  bookLevels(marketIndex: number, outcome: OutcomeSide): Array<[number, number]> {
    return this.read(() => this.rt(marketIndex).book.levels(outcome));
  }

  /** Best bid of an outcome: YES = best resting bid; NO = 10000 − best resting ask. */
  bestBid(marketIndex: number, outcome: OutcomeSide): [price: number, size: number] | undefined {
    return this.read(() => {
      const book = this.rt(marketIndex).book;
      if (outcome === 'yes') {
        const l = book.bestBidLevel;
        return l < 0 ? undefined : [book.grid.levels[l], book.sizeAt('bid', l)];
      }
      const l = book.bestAskLevel;
      return l < 0 ? undefined : [10_000 - book.grid.levels[l], book.sizeAt('ask', l)];
    });
  }

  /** µ$: positions marked at the best bid of the held outcome (0 where there is none). */
  portfolioValue(accountId: string): number {
    return this.read((st) => portfolioValue(st, this.acct(accountId)));
  }
}

/** Inside `Exchange.syntheticBatch`: `placeSynthetic`, `cancelSynthetic` (by the order, from `syntheticOrders`), `takeSynthetic`. */
export interface SyntheticOps {
  place(marketIndex: number, side: BookSideV2, price: number, count: number): OrderState | undefined;
  cancel(order: OrderState, count?: number): void;
  take(marketIndex: number, side: BookSideV2, limitPrice: number, count: number): number;
}

function attempt<T>(fn: () => T): T | ExchangeError {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ExchangeError) return err;
    throw err;
  }
}
