/**
 * Limit price of an intent (architecture.md §4 step 3), on the YES book of Create Order V2.
 *
 * V2 speaks only the YES book (kalshi-api.md §5.1): `bid` buys YES at p, `ask` sells YES at p ≡
 * buys NO at 10000 − p. So the four actions are two wire sides:
 *   BUY_YES at YES price p      → bid at p
 *   SELL_NO at NO price q       → bid at 10000 − q   (selling NO = bidding for YES)
 *   SELL_YES at YES price p     → ask at p
 *   BUY_NO at NO price q        → ask at 10000 − q
 * The complement is exactly 10000 − p ($1 − p), never 9900 − p (lessons #2).
 *
 * From the bids-only book (YES bids, NO bids in NO price): best YES ask = 10000 − best NO bid.
 * Modes, in YES terms (the NO actions come out the same because NO prices are complements):
 *   aggressive  cross the spread: a bid takes the best ask, an ask takes the best bid;
 *   passive     join the best price of the own wire side: a bid joins the best YES bid, an ask
 *               joins the best YES ask (= the best NO bid, for BUY_NO "join the NO bid");
 *   mid         (bid + ask) / 2 snapped towards passive: a bid down, an ask up.
 * Every price is snapped to the market's grid in the safe direction — a bid never higher, an ask
 * never lower than intended — and must be orderable (strictly inside (0, 1), §5.2). Passive and
 * mid never cross: on a locked or crossed book they step back to the level below the best ask /
 * above the best bid. No price (−1 / undefined) when the book is stale or the side that the mode
 * needs is empty.
 *
 * Pure, allocation-free on the `limitYesPrice` path; O(1) (a few grid table loads).
 */
import { NONE } from '../../shared/book-layout.js';
import type { BookTop } from '../../shared/book-store.js';
import { PRICE_SCALE } from '../../shared/fixed-point.js';
import type { PriceGrid } from '../../shared/price-grid.js';
import { WorkingSide } from '../../shared/position-records.js';
import { Action, isNoAction } from '../../shared/policy/actions.js';

export type PricingMode = 'aggressive' | 'passive' | 'mid';
export const PRICING_MODES: readonly PricingMode[] = ['aggressive', 'passive', 'mid'];

/** The V2 wire side of an action: BID for BUY_YES / SELL_NO, ASK for SELL_YES / BUY_NO, NONE for HOLD. */
export function wireSideOf(action: number): WorkingSide {
  if (action === Action.BUY_YES || action === Action.SELL_NO) return WorkingSide.BID;
  if (action === Action.SELL_YES || action === Action.BUY_NO) return WorkingSide.ASK;
  return WorkingSide.NONE;
}

/**
 * The YES price ($0.0001 units) to send for `action` in `mode`, or −1 when there is none (stale
 * book, needed side empty, nothing orderable that way). The wire side is `wireSideOf(action)`.
 */
export function limitYesPrice(action: number, mode: PricingMode, top: BookTop, grid: PriceGrid): number {
  const side = wireSideOf(action);
  if (side === WorkingSide.NONE || top.stale) return -1;
  const isBid = side === WorkingSide.BID;
  const bid = top.yesBid;
  const ask = top.noBid === NONE ? NONE : PRICE_SCALE - top.noBid;
  let raw: number;
  if (mode === 'aggressive') raw = isBid ? ask : bid;
  else if (mode === 'passive') raw = isBid ? bid : ask;
  else if (mode === 'mid') raw = bid === NONE || ask === NONE ? NONE : (bid + ask) / 2;
  else return -1;
  if (raw === NONE) return -1;
  let p = grid.snapOrderable(raw, isBid ? 'down' : 'up');
  if (p < 0 || mode === 'aggressive') return p;
  // Passive and mid must rest, never take: stay strictly inside the spread's own side.
  if (isBid) {
    if (ask !== NONE && p >= ask) p = grid.snapOrderable(ask - 1, 'down');
  } else if (bid !== NONE && p <= bid) {
    p = grid.snapOrderable(bid + 1, 'up');
  }
  return p;
}

/** A priced intent: the wire side and YES price to send, and the price in the action's own outcome. */
export interface LimitPrice {
  side: WorkingSide;
  wireSide: 'bid' | 'ask';
  /** $0.0001 units, on the YES book: the V2 `price`. */
  yesPrice: number;
  /** The price of the outcome the action trades: yesPrice for YES actions, 10000 − yesPrice for NO. */
  outcomePrice: number;
}

/** `limitYesPrice` with its side spelled out; undefined when there is no price. Allocates the result. */
export function limitPrice(action: number, mode: PricingMode, top: BookTop, grid: PriceGrid): LimitPrice | undefined {
  const yesPrice = limitYesPrice(action, mode, top, grid);
  if (yesPrice < 0) return undefined;
  const side = wireSideOf(action);
  return {
    side,
    wireSide: side === WorkingSide.BID ? 'bid' : 'ask',
    yesPrice,
    outcomePrice: isNoAction(action) ? PRICE_SCALE - yesPrice : yesPrice,
  };
}

/** Price per contract that the wire side pays, $0.0001 units: a bid pays the YES price, an ask the NO price. */
export function paidPrice(side: WorkingSide, yesPrice: number): number {
  return side === WorkingSide.BID ? yesPrice : PRICE_SCALE - yesPrice;
}
