/**
 * An order's life after validation: creation with a deterministic id, resting in the book,
 * cancellation for any reason, completion. Shared by order entry, matching, order groups,
 * lifecycle and synthetic liquidity, so that every path emits the same events in the same
 * order: the book delta (the book already changed), then the order update.
 *
 * `lastUpdateReason` values (WS user_order enum, asyncapi `lastUpdateReason`): Trade, Amend,
 * Decrease (a decrease, and a user cancel — Kalshi's cancel "reduces the order to zero"),
 * SelfTradeCancel, ExpiryCancel, CloseCancel, HaltCancel (pause with cancel_order_on_pause, and
 * the cancel-all on re-activation), ReduceOnlyCancel, MarginCancel (a resting order whose claim
 * on the position was used up by another fill and which the account's cash cannot back, see
 * accounts.ts), and OrderGroupCancel, which the WS enum
 * does not list (FIX ORDER_GROUP_CANCEL; UNCONFIRMED). '' when nothing has happened yet, or when
 * an IOC / FOK remainder is cancelled without a fill.
 */
import { heldAgainst, holdingOf, rebalance, setClaim } from './accounts.js';
import { IdKind, syntheticSerial } from './ids.js';
import type { AccountRecord, EngineOrder, EngineState, MarketRuntime } from './state.js';
import { SYNTHETIC, type BookSideV2, type SelfTradePrevention, type TimeInForce } from './types.js';

export type UpdateReason =
  | ''
  | 'Trade'
  | 'Amend'
  | 'Decrease'
  | 'SelfTradeCancel'
  | 'ExpiryCancel'
  | 'CloseCancel'
  | 'HaltCancel'
  | 'ReduceOnlyCancel'
  | 'OrderGroupCancel'
  | 'MarginCancel';

export interface OrderInit {
  account: string;
  clientOrderId: string;
  marketIndex: number;
  side: BookSideV2;
  price: number;
  count: number;
  timeInForce: TimeInForce;
  selfTradePrevention: SelfTradePrevention;
  postOnly: boolean;
  reduceOnly: boolean;
  cancelOnPause: boolean;
  orderGroupId: string;
  expirationMs: number;
}

export function newOrder(st: EngineState, init: OrderInit): EngineOrder {
  const ts = st.ts;
  return {
    orderId: init.account === SYNTHETIC ? st.ids.nextSynthetic() : st.ids.next(IdKind.Order),
    account: init.account,
    clientOrderId: init.clientOrderId,
    marketIndex: init.marketIndex,
    side: init.side,
    price: init.price,
    initialCount: init.count,
    remainingCount: init.count,
    fillCount: 0,
    status: 'resting',
    timeInForce: init.timeInForce,
    postOnly: init.postOnly,
    reduceOnly: init.reduceOnly,
    selfTradePrevention: init.selfTradePrevention,
    cancelOnPause: init.cancelOnPause,
    orderGroupId: init.orderGroupId,
    expirationMs: init.expirationMs,
    createdMs: ts,
    updatedMs: ts,
    priority: st.nextPriority(),
    takerFillCost: 0,
    makerFillCost: 0,
    takerFees: 0,
    makerFees: 0,
    reservedCash: 0,
    lastUpdateReason: '',
    reducedBy: 0,
    inBook: false,
    reduceClaim: 0,
    takerFeeAcc: undefined,
    makerFeeAcc: undefined,
    slot: -1,
  };
}

/** Records a new real order under its account (ids, client id). */
export function registerOrder(rec: AccountRecord, o: EngineOrder): void {
  rec.orders.push(o);
  rec.byId.set(o.orderId, o);
  if (o.clientOrderId !== '') rec.byClientId.set(o.clientOrderId, o);
}

export function accountOf(st: EngineState, o: EngineOrder): AccountRecord {
  return st.accounts.get(o.account) as AccountRecord;
}

export function emitOrder(st: EngineState, o: EngineOrder): void {
  st.emitter.order(accountOf(st, o).state, o);
}

/** Queues `o` in its book: delta, registries, reservation, expiry timer. No order event. */
export function restOrder(st: EngineState, rt: MarketRuntime, o: EngineOrder): void {
  rt.book.add(o);
  const real = o.account !== SYNTHETIC;
  st.bookDelta(rt, o.side, o.price, o.remainingCount, real ? o : undefined);
  if (!real) {
    o.slot = rt.synthetic.length;
    rt.synthetic.push(o);
    if (o.side === 'bid') rt.syntheticBids++;
    st.synthetic.set(syntheticSerial(o.orderId), o);
    return;
  }
  const rec = accountOf(st, o);
  rec.resting.set(o.orderId, o);
  if (o.orderGroupId !== '') rec.groups.get(o.orderGroupId)?.members.add(o);
  rebalance(rec, rt, o);
  if (o.expirationMs > 0) st.timers.push(o.expirationMs, { kind: 'expire', order: o });
}

/** Takes `o` out of its book (if it is in) and emits the delta. Counts unchanged. */
export function unqueue(st: EngineState, rt: MarketRuntime, o: EngineOrder): void {
  if (!o.inBook) return;
  const size = o.remainingCount;
  rt.book.remove(o);
  st.bookDelta(rt, o.side, o.price, -size, o.account === SYNTHETIC ? undefined : o);
}

/** Drops a finished order (nothing left to fill) from the resting registries. */
function unregister(st: EngineState, rt: MarketRuntime, o: EngineOrder): void {
  if (o.account === SYNTHETIC) {
    if (o.slot < 0) return;
    st.synthetic.delete(syntheticSerial(o.orderId));
    if (o.side === 'bid') rt.syntheticBids--;
    const list = rt.synthetic;
    const last = list.pop() as EngineOrder;
    if (last !== o) {
      list[o.slot] = last;
      last.slot = o.slot;
    }
    o.slot = -1;
    return;
  }
  const rec = accountOf(st, o);
  rec.resting.delete(o.orderId);
  if (o.orderGroupId !== '') rec.groups.get(o.orderGroupId)?.members.delete(o);
  setClaim(rec, o, 0);
  rebalance(rec, rt, o);
}

/**
 * Cancels what is left of `o` (resting, or a taker's remainder): delta, registries, released
 * reservation, then the order event (real accounts; `emit` false when the caller sends it).
 */
export function cancelOrder(st: EngineState, o: EngineOrder, reason: UpdateReason, emit = true): void {
  const rt = st.runtimes[o.marketIndex];
  unqueue(st, rt, o);
  o.reducedBy = o.remainingCount;
  o.remainingCount = 0;
  o.status = 'canceled';
  o.lastUpdateReason = reason;
  o.updatedMs = st.ts;
  unregister(st, rt, o);
  if (emit && o.account !== SYNTHETIC) emitOrder(st, o);
}

/** `o` has filled completely (already out of the book): status executed, registries. */
export function completeOrder(st: EngineState, rt: MarketRuntime, o: EngineOrder): void {
  o.status = 'executed';
  o.updatedMs = st.ts;
  unregister(st, rt, o);
}

/** Reduces a resting order by `by` < remaining, keeping its priority (delta, claim, reserve). */
export function shrinkOrder(st: EngineState, rt: MarketRuntime, o: EngineOrder, by: number): void {
  if (o.inBook) rt.book.reduce(o, by);
  o.remainingCount -= by;
  o.reducedBy = by;
  o.updatedMs = st.ts;
  if (o.inBook) st.bookDelta(rt, o.side, o.price, -by, o.account === SYNTHETIC ? undefined : o);
  if (o.account === SYNTHETIC) return;
  const rec = accountOf(st, o);
  if (o.reduceClaim > o.remainingCount) setClaim(rec, o, o.remainingCount);
  rebalance(rec, rt, o);
}

/**
 * After a fill of `o`: the claims of `o`'s direction may now exceed the position they reduce
 * (the fill reduced position other orders had claimed). Takes the excess back from the
 * account's other resting orders of that direction in that market, newest first; each grows
 * its reservation, and one the account cannot afford is cancelled (MarginCancel).
 */
export function settleClaims(st: EngineState, rec: AccountRecord, rt: MarketRuntime, o: EngineOrder): void {
  const mi = o.marketIndex;
  const h = holdingOf(rec, mi);
  let excess = (o.side === 'bid' ? h.claimBid : h.claimAsk) - heldAgainst(rec, mi, o.side);
  if (excess <= 0) return;
  const others: EngineOrder[] = [];
  for (const y of rec.resting.values()) if (y !== o && y.marketIndex === mi && y.side === o.side && y.reduceClaim > 0) others.push(y);
  others.sort((a, b) => b.priority - a.priority);
  for (const y of others) {
    if (excess <= 0) break;
    const cut = Math.min(y.reduceClaim, excess);
    excess -= cut;
    setClaim(rec, y, y.reduceClaim - cut);
    rebalance(rec, rt, y);
    if (rec.state.cash < 0) cancelOrder(st, y, 'MarginCancel');
    else emitOrder(st, y); // its reservation changed
  }
  if (excess > 0) {
    setClaim(rec, o, o.reduceClaim - excess);
    rebalance(rec, rt, o);
  }
}
