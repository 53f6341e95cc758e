/**
 * A real account's order operations: create (V2), amend, decrease, cancel — validation, cash
 * checks, matching, resting. Everything is checked before anything changes, so a refused
 * request leaves no trace.
 *
 * Validation order for create: market exists (404 market_not_found) → trading open (409
 * market_closed / trading_is_paused) → side, time in force, self-trade prevention (400
 * invalid_order) → price (400 invalid_price) → count (400 invalid_order_size) → client order id
 * unused (409 order_already_exists) → order group (404 order_group_not_found, 409
 * exceeded_order_group_risk_limit) → reduce_only needs immediate_or_cancel, expiration in the
 * future and not with IOC (400 invalid_order) → post_only would cross (409 post_only_cross) →
 * cash (400 insufficient_balance).
 *
 * Decisions where Kalshi is UNCONFIRMED:
 * - fill_or_kill that cannot fill completely: nothing executes and the order is returned (and
 *   recorded, and sent on user_orders) with status `canceled`, fill 0 — no error, like an IOC
 *   that found nothing. (FIX has a FOK_INSUFFICIENT_VOLUME reject text; REST shows none.)
 * - reduce_only is capped at the part of the position no other resting order has claimed; with
 *   nothing to reduce the order is returned `canceled` with reason ReduceOnlyCancel (asyncapi:
 *   "ReduceOnlyCancel means reduce_only capped the order at placement"). reduce_only with any
 *   time in force other than immediate_or_cancel is refused (OpenAPI CreateOrderV2Request).
 * - post_only that would cross is refused (409 post_only_cross); nothing is placed.
 * - Cash needed up front: the opening part at the limit price + the worst-case taker fee of the
 *   whole count when the order crosses (fee at the price nearest $0.50 in the range it can trade
 *   at) + for a good-till-canceled order on a maker-fee series the maker fee of the whole count
 *   at the limit. The opening part is the count minus the position it reduces that no other
 *   resting order has claimed (accounts.ts), so a second exit order for an already-claimed
 *   position needs cash like an opening. Proceeds of the reducing part are not counted in
 *   advance.
 * - Amend: `count` is the new total (fill + remaining), so it must exceed the filled count;
 *   `initialCount` becomes that total. A price change or a size increase loses priority (and a
 *   price change may trade at once); a pure decrease keeps it.
 * - decrease: exactly one of reduceBy / reduceTo; reduceBy ≥ remaining cancels the order;
 *   reduceTo must be below the remaining count. Cancels and decreases are allowed while the
 *   market is paused (inactive).
 */
import { notional } from '../../shared/fixed-point.js';
import { paidPrice, rebalance, setClaim, unclaimed } from './accounts.js';
import {
  groupRiskLimit,
  insufficientBalance,
  invalidOrder,
  invalidOrderSize,
  invalidPrice,
  marketClosed,
  marketNotFound,
  orderAlreadyExists,
  orderNotFound,
  orderSideMismatch,
  orderTickerMismatch,
  postOnlyCross,
  tradingPaused,
} from './errors.js';
import { feeFor, feeIncrement, worstFeePrice, type FeeAcc } from './fee-schedule.js';
import { fillable, match, type MatchStop } from './matching.js';
import { requireGroup } from './order-groups.js';
import { cancelOrder, completeOrder, emitOrder, newOrder, registerOrder, restOrder, shrinkOrder, unqueue } from './orders.js';
import type { AccountRecord, EngineOrder, EngineState, MarketRuntime } from './state.js';
import type { BookSideV2, FillState, OrderState, OrderStatus, SelfTradePrevention, TimeInForce } from './types.js';

export interface NewOrder {
  ticker: string;
  side: BookSideV2;
  /** YES-book price, $0.0001. */
  price: number;
  /** Hundredths of a contract. */
  count: number;
  timeInForce: TimeInForce;
  selfTradePrevention: SelfTradePrevention;
  postOnly?: boolean;
  reduceOnly?: boolean;
  clientOrderId?: string;
  orderGroupId?: string;
  /** ms since the epoch; 0 or absent = none. */
  expirationMs?: number;
  cancelOnPause?: boolean;
}

export interface OrderResult {
  order: OrderState;
  /** This account's fills from this call. */
  fills: FillState[];
}

export interface AmendChange {
  ticker: string;
  side: BookSideV2;
  price: number;
  /** New total: already filled + desired remaining. */
  count: number;
  updatedClientOrderId?: string;
}

export interface DecreaseChange {
  reduceBy?: number | null;
  reduceTo?: number | null;
}

export interface CancelAllFilter {
  ticker?: string;
  orderGroupId?: string;
}

export interface OrderFilter {
  ticker?: string;
  eventTicker?: string;
  status?: OrderStatus;
  /** Creation time bounds, inclusive, ms. */
  minTsMs?: number;
  maxTsMs?: number;
}

/** 1e9 contracts: keeps every notional and fee a safe integer. */
export const MAX_ORDER_COUNT = 100_000_000_000;

const TIME_IN_FORCE: ReadonlySet<string> = new Set(['fill_or_kill', 'good_till_canceled', 'immediate_or_cancel']);
const STP: ReadonlySet<string> = new Set(['taker_at_cross', 'maker']);

export function requireMarket(st: EngineState, ticker: string): MarketRuntime {
  const rt = st.byTicker.get(ticker);
  if (rt === undefined) throw marketNotFound(ticker);
  return rt;
}

/** Placing and amending need an active market. */
export function requireTradable(rt: MarketRuntime): void {
  const { status, ticker } = rt.market;
  if (status === 'active') return;
  throw status === 'inactive' ? tradingPaused(ticker) : marketClosed(ticker, status);
}

function requirePrice(rt: MarketRuntime, price: number): void {
  if (typeof price !== 'number' || !rt.market.grid.isOrderable(price)) throw invalidPrice(price);
}

function requireCount(count: number): void {
  if (!Number.isSafeInteger(count) || count <= 0 || count > MAX_ORDER_COUNT) throw invalidOrderSize(count);
}

export function requireResting(rec: AccountRecord, orderId: string): EngineOrder {
  const o = rec.byId.get(orderId);
  if (o === undefined || o.status !== 'resting') throw orderNotFound(orderId);
  return o;
}

/** µ$ an order must find available before it is accepted (see the header). */
function cashNeeded(rt: MarketRuntime, side: BookSideV2, price: number, count: number, claim: number, crossing: boolean, rests: boolean, makerAcc: FeeAcc | undefined): number {
  let need = notional(paidPrice(side, price), count - claim);
  if (crossing) {
    const worst = side === 'bid' ? worstFeePrice(rt.book.bestAskPrice(), price) : worstFeePrice(price, rt.book.bestBidPrice());
    need += feeFor(rt.fees.taker, worst, count);
  }
  if (rests) need += feeIncrement(makerAcc, rt.fees.maker, price, count);
  return need;
}

export function createOrder(st: EngineState, rec: AccountRecord, req: NewOrder): OrderResult {
  const rt = requireMarket(st, req.ticker);
  requireTradable(rt);
  const { side, price, timeInForce: tif } = req;
  if (side !== 'bid' && side !== 'ask') throw invalidOrder(`side must be "bid" or "ask", got ${JSON.stringify(side)}`);
  if (!TIME_IN_FORCE.has(tif)) throw invalidOrder(`unknown time_in_force ${JSON.stringify(tif)}`);
  if (!STP.has(req.selfTradePrevention)) throw invalidOrder(`unknown self_trade_prevention_type ${JSON.stringify(req.selfTradePrevention)}`);
  requirePrice(rt, price);
  requireCount(req.count);
  const clientOrderId = req.clientOrderId ?? '';
  if (clientOrderId !== '' && rec.byClientId.has(clientOrderId)) throw orderAlreadyExists(clientOrderId);
  const groupId = req.orderGroupId ?? '';
  if (groupId !== '' && requireGroup(rec, groupId).state.triggered) throw groupRiskLimit(groupId);
  const reduceOnly = req.reduceOnly === true;
  if (reduceOnly && tif !== 'immediate_or_cancel') throw invalidOrder('reduce_only orders must be immediate_or_cancel');
  const expirationMs = req.expirationMs ?? 0;
  if (expirationMs !== 0) {
    if (!Number.isSafeInteger(expirationMs) || expirationMs < 0) throw invalidOrder(`invalid expiration ${expirationMs}`);
    if (tif === 'immediate_or_cancel') throw invalidOrder('immediate_or_cancel cannot have an expiration');
    if (expirationMs <= st.ts) throw invalidOrder('expiration must be in the future');
  }
  const postOnly = req.postOnly === true;
  const crossing = rt.book.crosses(side, price);
  if (postOnly && crossing) throw postOnlyCross(price);

  const mi = rt.market.index;
  const free = unclaimed(rec, mi, side);
  const count = reduceOnly ? Math.min(req.count, free) : req.count;
  const claim = Math.min(count, free);
  const rests = tif === 'good_till_canceled';
  const need = cashNeeded(rt, side, price, count, claim, crossing, rests, undefined);
  if (need > rec.state.cash) throw insufficientBalance(need, rec.state.cash);

  const o = newOrder(st, {
    account: rec.state.id, clientOrderId, marketIndex: mi, side, price, count: req.count, timeInForce: tif,
    selfTradePrevention: req.selfTradePrevention, postOnly, reduceOnly, cancelOnPause: req.cancelOnPause === true,
    orderGroupId: groupId, expirationMs,
  });
  registerOrder(rec, o);
  if (count < req.count) {
    o.remainingCount = count;
    o.reducedBy = req.count - count;
    o.lastUpdateReason = 'ReduceOnlyCancel';
  }
  setClaim(rec, o, claim);
  const fills: FillState[] = [];
  let stop: MatchStop = '';
  let killed = false;
  if (count > 0 && tif === 'fill_or_kill' && fillable(rt, o, count) < count) killed = true;
  else if (count > 0 && crossing) stop = match(st, rt, o, fills);
  finishTaker(st, rt, o, stop, rests && !killed);
  emitOrder(st, o);
  return { order: o, fills };
}

/** After matching: rest the remainder, or cancel it, or mark the order executed. */
function finishTaker(st: EngineState, rt: MarketRuntime, o: EngineOrder, stop: MatchStop, rests: boolean): void {
  if (o.remainingCount === 0) {
    if (o.fillCount > 0) completeOrder(st, rt, o);
    else cancelOrder(st, o, o.lastUpdateReason === 'ReduceOnlyCancel' ? 'ReduceOnlyCancel' : '', false);
  } else if (stop !== '') {
    cancelOrder(st, o, stop, false);
  } else if (rests) {
    restOrder(st, rt, o);
  } else {
    cancelOrder(st, o, o.fillCount > 0 ? 'Trade' : o.lastUpdateReason === 'ReduceOnlyCancel' ? 'ReduceOnlyCancel' : '', false);
  }
}

export function amendOrder(st: EngineState, rec: AccountRecord, orderId: string, change: AmendChange): OrderResult {
  const o = requireResting(rec, orderId);
  const rt = st.runtimes[o.marketIndex];
  if (change.ticker !== rt.market.ticker) throw orderTickerMismatch(change.ticker);
  if (change.side !== o.side) throw orderSideMismatch(change.side);
  requireTradable(rt);
  requirePrice(rt, change.price);
  if (!Number.isSafeInteger(change.count) || change.count <= o.fillCount || change.count - o.fillCount > MAX_ORDER_COUNT) {
    throw invalidOrderSize(change.count);
  }
  const newClientId = change.updatedClientOrderId ?? '';
  if (newClientId !== '' && newClientId !== o.clientOrderId && rec.byClientId.has(newClientId)) throw orderAlreadyExists(newClientId);
  const remaining = change.count - o.fillCount;
  const priceChanged = change.price !== o.price;
  const requeue = priceChanged || remaining > o.remainingCount;
  const crossing = priceChanged && rt.book.crosses(o.side, change.price);
  if (o.postOnly && crossing) throw postOnlyCross(change.price);
  const claim = Math.min(remaining, unclaimed(rec, o.marketIndex, o.side) + o.reduceClaim);
  if (requeue) {
    const need = cashNeeded(rt, o.side, change.price, remaining, claim, crossing, true, o.makerFeeAcc);
    const have = rec.state.cash + o.reservedCash;
    if (need > have) throw insufficientBalance(need, have);
  }

  if (newClientId !== '') {
    o.clientOrderId = newClientId;
    rec.byClientId.set(newClientId, o);
  }
  o.initialCount = change.count;
  o.lastUpdateReason = 'Amend';
  o.updatedMs = st.ts;
  const fills: FillState[] = [];
  if (!requeue) {
    if (remaining < o.remainingCount) shrinkOrder(st, rt, o, o.remainingCount - remaining);
    setClaim(rec, o, claim);
    rebalance(rec, rt, o);
  } else {
    unqueue(st, rt, o);
    rebalance(rec, rt, o);
    o.price = change.price;
    o.remainingCount = remaining;
    o.priority = st.nextPriority();
    setClaim(rec, o, claim);
    const stop = crossing ? match(st, rt, o, fills) : '';
    if (o.remainingCount === 0) completeOrder(st, rt, o);
    else if (stop !== '') cancelOrder(st, o, stop, false);
    else restOrder(st, rt, o);
  }
  emitOrder(st, o);
  return { order: o, fills };
}

export function decreaseOrder(st: EngineState, rec: AccountRecord, orderId: string, change: DecreaseChange): OrderState {
  const o = requireResting(rec, orderId);
  const hasBy = change.reduceBy !== undefined && change.reduceBy !== null;
  const hasTo = change.reduceTo !== undefined && change.reduceTo !== null;
  if (hasBy === hasTo) throw invalidOrder('exactly one of reduce_by or reduce_to must be provided');
  let by: number;
  if (hasBy) {
    const v = change.reduceBy as number;
    if (!Number.isSafeInteger(v) || v <= 0) throw invalidOrderSize(v);
    by = Math.min(v, o.remainingCount);
  } else {
    const v = change.reduceTo as number;
    if (!Number.isSafeInteger(v) || v < 0 || v >= o.remainingCount) throw invalidOrderSize(v);
    by = o.remainingCount - v;
  }
  if (by === o.remainingCount) {
    cancelOrder(st, o, 'Decrease');
  } else {
    shrinkOrder(st, st.runtimes[o.marketIndex], o, by);
    o.lastUpdateReason = 'Decrease';
    emitOrder(st, o);
  }
  return o;
}

/** A user cancel: the order is reduced to zero (reason Decrease). */
export function cancelOwnOrder(st: EngineState, rec: AccountRecord, orderId: string): OrderState {
  const o = requireResting(rec, orderId);
  cancelOrder(st, o, 'Decrease');
  return o;
}

/** Cancels the account's resting orders matching the filter (reason Decrease), oldest first. */
export function cancelAll(st: EngineState, rec: AccountRecord, filter: CancelAllFilter): OrderState[] {
  const mi = filter.ticker === undefined ? -1 : (st.byTicker.get(filter.ticker)?.market.index ?? -2);
  const out: EngineOrder[] = [];
  for (const o of rec.resting.values()) {
    if (mi !== -1 && o.marketIndex !== mi) continue;
    if (filter.orderGroupId !== undefined && o.orderGroupId !== filter.orderGroupId) continue;
    out.push(o);
  }
  for (const o of out) cancelOrder(st, o, 'Decrease');
  return out;
}

/** The account's orders, newest first. */
export function listOrders(st: EngineState, rec: AccountRecord, filter: OrderFilter): OrderState[] {
  const out: OrderState[] = [];
  for (let i = rec.orders.length - 1; i >= 0; i--) {
    const o = rec.orders[i];
    const m = st.markets[o.marketIndex];
    if (filter.ticker !== undefined && m.ticker !== filter.ticker) continue;
    if (filter.eventTicker !== undefined && m.eventTicker !== filter.eventTicker) continue;
    if (filter.status !== undefined && o.status !== filter.status) continue;
    if (filter.minTsMs !== undefined && o.createdMs < filter.minTsMs) continue;
    if (filter.maxTsMs !== undefined && o.createdMs > filter.maxTsMs) continue;
    out.push(o);
  }
  return out;
}
