/**
 * What the host asks the exchange to do with orders, in domain units, and the local checks that
 * run before anything is sent (a failed check is a DENIED outcome, outcome.ts). The request
 * bodies are the OpenAPI `CreateOrderV2Request`, `AmendOrderV2Request`, `DecreaseOrderV2Request`;
 * prices go out as 4-decimal dollar strings and counts as 2-decimal contract strings, both exact.
 *
 * V2 speaks only the YES book (kalshi-api.md §5.1): `bid` buys YES at `price`; `ask` sells YES at
 * `price`, which is buying NO at 10000 − price.
 */
import { formatCount, formatPrice, PRICE_SCALE, type Count, type Price } from '../../fixed-point.js';
import type { PriceGrid } from '../../price-grid.js';
import { BOOK_SIDES, type BookSide } from './decoders/common.js';
import { SELF_TRADE_PREVENTION, type SelfTradePrevention } from './decoders/orders.js';
import { denied, type Denied } from './outcome.js';

export const TIME_IN_FORCE = ['good_till_canceled', 'immediate_or_cancel', 'fill_or_kill'] as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[number];

export interface OrderIntent {
  readonly ticker: string;
  readonly side: BookSide;
  /** YES-book limit price, $0.0001, strictly inside (0, 10000). */
  readonly price: Price;
  /** Hundredths of a contract, > 0. */
  readonly count: Count;
  /**
   * Deterministic per intent (the same intent always gets the same id): it is what makes a
   * resend safe — Kalshi refuses a second order with it (409 `order_already_exists`) — and how
   * an UNKNOWN outcome is resolved by lookup (order-entry.ts).
   */
  readonly clientOrderId: string;
  readonly timeInForce: TimeInForce;
  /** Default `taker_at_cross`. */
  readonly selfTradePrevention?: SelfTradePrevention;
  readonly postOnly?: boolean;
  /** Only with `immediate_or_cancel` (Kalshi rejects it otherwise). */
  readonly reduceOnly?: boolean;
  readonly cancelOrderOnPause?: boolean;
  readonly orderGroupId?: string;
  /** Unix seconds; a good-till-canceled order then expires at that time. Not with immediate_or_cancel. */
  readonly expirationTs?: number;
  readonly subaccount?: number;
  readonly exchangeIndex?: number;
  /** The market's grid, when the caller has it: an off-grid price is then DENIED locally. */
  readonly grid?: PriceGrid;
}

const isNonEmpty = (s: unknown): s is string => typeof s === 'string' && s.length > 0;
const isPositiveCount = (c: unknown): c is number => typeof c === 'number' && Number.isSafeInteger(c) && c > 0;
const isOptionalIndex = (i: unknown): boolean => i === undefined || (typeof i === 'number' && Number.isSafeInteger(i) && i >= 0);

/** A price check shared by creates and amends. */
function checkPrice(price: unknown, grid: PriceGrid | undefined): Denied | undefined {
  if (typeof price !== 'number' || !Number.isInteger(price) || price <= 0 || price >= PRICE_SCALE) {
    return denied('invalid_price', `price must be an integer number of $0.0001 strictly between 0 and ${PRICE_SCALE}, got ${String(price)}`);
  }
  if (grid !== undefined && !grid.isOrderable(price)) return denied('off_grid', `price ${formatPrice(price)} is not on the market's price grid`);
  return undefined;
}

/** Local checks of a new order; undefined when it may be sent. */
export function checkOrderIntent(intent: OrderIntent): Denied | undefined {
  if (!isNonEmpty(intent.ticker)) return denied('invalid_ticker', 'ticker must be a non-empty string');
  if (!(BOOK_SIDES as readonly string[]).includes(intent.side)) return denied('invalid_side', `side must be bid or ask, got ${String(intent.side)}`);
  const price = checkPrice(intent.price, intent.grid);
  if (price !== undefined) return price;
  if (!isPositiveCount(intent.count)) return denied('invalid_count', `count must be a positive integer number of hundredths, got ${String(intent.count)}`);
  if (!isNonEmpty(intent.clientOrderId)) return denied('invalid_client_order_id', 'clientOrderId must be a non-empty string');
  if (!(TIME_IN_FORCE as readonly string[]).includes(intent.timeInForce)) return denied('invalid_order', `unknown time in force ${String(intent.timeInForce)}`);
  const stp = intent.selfTradePrevention;
  if (stp !== undefined && !(SELF_TRADE_PREVENTION as readonly string[]).includes(stp)) return denied('invalid_order', `unknown self-trade prevention ${String(stp)}`);
  if (intent.reduceOnly === true && intent.timeInForce !== 'immediate_or_cancel') return denied('invalid_order', 'reduce_only orders must be immediate_or_cancel');
  if (intent.expirationTs !== undefined) {
    if (!Number.isSafeInteger(intent.expirationTs) || intent.expirationTs <= 0) return denied('invalid_order', 'expirationTs must be a positive whole number of Unix seconds');
    if (intent.timeInForce === 'immediate_or_cancel') return denied('invalid_order', 'immediate_or_cancel cannot carry an expiration');
  }
  if (intent.orderGroupId !== undefined && !isNonEmpty(intent.orderGroupId)) return denied('invalid_order', 'orderGroupId must be a non-empty string when given');
  if (!isOptionalIndex(intent.subaccount) || !isOptionalIndex(intent.exchangeIndex)) return denied('invalid_order', 'subaccount and exchangeIndex must be non-negative integers');
  return undefined;
}

/** The CreateOrderV2Request body of a checked intent. */
export function createOrderBody(intent: OrderIntent): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ticker: intent.ticker,
    client_order_id: intent.clientOrderId,
    side: intent.side,
    count: formatCount(intent.count),
    price: formatPrice(intent.price),
    time_in_force: intent.timeInForce,
    self_trade_prevention_type: intent.selfTradePrevention ?? 'taker_at_cross',
  };
  if (intent.postOnly !== undefined) body.post_only = intent.postOnly;
  if (intent.reduceOnly !== undefined) body.reduce_only = intent.reduceOnly;
  if (intent.cancelOrderOnPause !== undefined) body.cancel_order_on_pause = intent.cancelOrderOnPause;
  if (intent.orderGroupId !== undefined) body.order_group_id = intent.orderGroupId;
  if (intent.expirationTs !== undefined) body.expiration_time = intent.expirationTs;
  if (intent.subaccount !== undefined) body.subaccount = intent.subaccount;
  if (intent.exchangeIndex !== undefined) body.exchange_index = intent.exchangeIndex;
  return body;
}

/** Amend Order V2: the new price and the new TOTAL count (already filled + desired remaining). */
export interface AmendChange {
  readonly ticker: string;
  readonly side: BookSide;
  readonly price: Price;
  /** New total, hundredths: filled so far + what should rest after the amend. */
  readonly count: Count;
  readonly clientOrderId?: string;
  readonly updatedClientOrderId?: string;
  /** Unix seconds; 0 removes the expiry; undefined keeps it. */
  readonly expirationTs?: number;
  readonly exchangeIndex?: number;
  readonly grid?: PriceGrid;
}

export function checkAmend(orderId: string, change: AmendChange): Denied | undefined {
  if (!isNonEmpty(orderId)) return denied('invalid_order_id', 'orderId must be a non-empty string');
  if (!isNonEmpty(change.ticker)) return denied('invalid_ticker', 'ticker must be a non-empty string');
  if (!(BOOK_SIDES as readonly string[]).includes(change.side)) return denied('invalid_side', `side must be bid or ask, got ${String(change.side)}`);
  const price = checkPrice(change.price, change.grid);
  if (price !== undefined) return price;
  if (!isPositiveCount(change.count)) return denied('invalid_count', `count must be a positive integer number of hundredths, got ${String(change.count)}`);
  if (change.expirationTs !== undefined && (!Number.isSafeInteger(change.expirationTs) || change.expirationTs < 0)) {
    return denied('invalid_order', 'expirationTs must be a whole number of Unix seconds ≥ 0');
  }
  if (change.updatedClientOrderId !== undefined && !isNonEmpty(change.updatedClientOrderId)) {
    return denied('invalid_client_order_id', 'updatedClientOrderId must be a non-empty string when given');
  }
  if (!isOptionalIndex(change.exchangeIndex)) return denied('invalid_order', 'exchangeIndex must be a non-negative integer');
  return undefined;
}

export function amendOrderBody(change: AmendChange): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ticker: change.ticker,
    side: change.side,
    price: formatPrice(change.price),
    count: formatCount(change.count),
  };
  if (change.clientOrderId !== undefined) body.client_order_id = change.clientOrderId;
  if (change.updatedClientOrderId !== undefined) body.updated_client_order_id = change.updatedClientOrderId;
  if (change.expirationTs !== undefined) body.expiration_time = change.expirationTs;
  if (change.exchangeIndex !== undefined) body.exchange_index = change.exchangeIndex;
  return body;
}

/** Decrease Order V2: exactly one of the two, in hundredths. */
export type DecreaseChange = { readonly reduceBy: Count; readonly reduceTo?: undefined } | { readonly reduceTo: Count; readonly reduceBy?: undefined };

export function checkDecrease(orderId: string, change: DecreaseChange): Denied | undefined {
  if (!isNonEmpty(orderId)) return denied('invalid_order_id', 'orderId must be a non-empty string');
  const by = change.reduceBy;
  const to = change.reduceTo;
  if ((by === undefined) === (to === undefined)) return denied('invalid_count', 'give exactly one of reduceBy and reduceTo');
  if (by !== undefined && !isPositiveCount(by)) return denied('invalid_count', `reduceBy must be a positive integer number of hundredths, got ${String(by)}`);
  if (to !== undefined && !(typeof to === 'number' && Number.isSafeInteger(to) && to >= 0)) {
    return denied('invalid_count', `reduceTo must be a non-negative integer number of hundredths, got ${String(to)}`);
  }
  return undefined;
}

export function decreaseOrderBody(change: DecreaseChange): Record<string, unknown> {
  return change.reduceBy !== undefined ? { reduce_by: formatCount(change.reduceBy) } : { reduce_to: formatCount(change.reduceTo) };
}

/** Where a cancel or decrease is routed (a shard index, or the market ticker for auto-routing, §1.4). */
export interface OrderRoute {
  readonly marketTicker?: string;
  readonly exchangeIndex?: number;
  readonly subaccount?: number;
}

/** One order of a batch cancel. */
export interface CancelItem extends OrderRoute {
  readonly orderId: string;
}

export function checkOrderId(orderId: unknown): Denied | undefined {
  return isNonEmpty(orderId) ? undefined : denied('invalid_order_id', 'orderId must be a non-empty string');
}
