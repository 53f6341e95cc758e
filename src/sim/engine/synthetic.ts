/**
 * The synthetic participants' door into the book: resting maker orders, cancels and IOC takes
 * with no account, no cash and no fills recorded. They trade with real accounts' orders like
 * anyone else (the real side gets its fills, fees and positions) and with each other.
 *
 * Hot path (hundreds of thousands of calls per second): placement and cancellation are O(1)
 * (book FIFO with lazy deletion, swap-remove from the market's synthetic list, one Map entry
 * keyed by the id's serial number — a number key costs half a string key in a Map of 10⁵
 * entries), allocating only the order object and its `syn-<n>` id. Invalid requests return quietly
 * (undefined / 0 / no-op) rather than throw: the participants race with fills and closes.
 */
import { PRICE_SCALE } from '../../shared/fixed-point.js';
import { syntheticSerial } from './ids.js';
import { match } from './matching.js';
import { cancelOrder, newOrder, restOrder, shrinkOrder } from './orders.js';
import type { EngineOrder, EngineState, MarketRuntime } from './state.js';
import { SYNTHETIC, type BookSideV2 } from './types.js';

function syntheticOrder(st: EngineState, rt: MarketRuntime, side: BookSideV2, price: number, count: number, tif: 'good_till_canceled' | 'immediate_or_cancel'): EngineOrder {
  return newOrder(st, {
    account: SYNTHETIC, clientOrderId: '', marketIndex: rt.market.index, side, price, count, timeInForce: tif,
    selfTradePrevention: 'taker_at_cross', postOnly: tif === 'good_till_canceled', reduceOnly: false, cancelOnPause: false,
    orderGroupId: '', expirationMs: 0,
  });
}

function validSize(count: number): boolean {
  return Number.isSafeInteger(count) && count > 0;
}

/** A resting synthetic order, or undefined when the market is not active, the input is invalid or it would cross. */
export function placeSynthetic(st: EngineState, rt: MarketRuntime, side: BookSideV2, price: number, count: number): EngineOrder | undefined {
  if (rt.market.status !== 'active' || (side !== 'bid' && side !== 'ask')) return undefined;
  if (!rt.market.grid.isOrderable(price) || !validSize(count) || rt.book.crosses(side, price)) return undefined;
  const o = syntheticOrder(st, rt, side, price, count, 'good_till_canceled');
  restOrder(st, rt, o);
  return o;
}

/** Cancels a synthetic order entirely, or `count` hundredths of it; unknown / finished ids are ignored. */
export function cancelSynthetic(st: EngineState, orderId: string, count?: number): void {
  const o = st.synthetic.get(syntheticSerial(orderId));
  if (o !== undefined) cancelSyntheticOrder(st, o, count);
}

/** `cancelSynthetic` of an order object (one of `MarketRuntime.synthetic`): no id lookup. */
export function cancelSyntheticOrder(st: EngineState, o: EngineOrder, count?: number): void {
  if (o.status !== 'resting' || o.account !== SYNTHETIC) return;
  if (count === undefined || count >= o.remainingCount) {
    cancelOrder(st, o, 'Decrease');
    return;
  }
  if (!validSize(count)) return;
  shrinkOrder(st, st.runtimes[o.marketIndex], o, count);
  o.lastUpdateReason = 'Decrease';
}

/** An IOC taker for `count` hundredths at `limitPrice` or better; returns the hundredths filled. */
export function takeSynthetic(st: EngineState, rt: MarketRuntime, side: BookSideV2, limitPrice: number, count: number): number {
  if (rt.market.status !== 'active' || (side !== 'bid' && side !== 'ask')) return 0;
  if (!Number.isSafeInteger(limitPrice) || limitPrice < 0 || limitPrice > PRICE_SCALE || !validSize(count)) return 0;
  if (!rt.book.crosses(side, limitPrice)) return 0;
  const taker = syntheticOrder(st, rt, side, limitPrice, count, 'immediate_or_cancel');
  match(st, rt, taker, undefined);
  taker.status = taker.remainingCount === 0 ? 'executed' : 'canceled';
  return taker.fillCount;
}
