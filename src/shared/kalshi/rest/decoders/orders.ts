/**
 * Orders and fills as the portfolio reports them: GET /portfolio/orders, /portfolio/orders/{id},
 * /portfolio/fills (OpenAPI `Order`, `Fill`). Direction is read from `book_side` (YES book:
 * `bid` = buy YES, `ask` = sell YES ≡ buy NO) and `outcome_side`, which must agree
 * (bid ≡ yes, §5.1); the deprecated `side` / `action` are ignored.
 */
import type { Count, Money, Price } from '../../../fixed-point.js';
import {
  asObject, KalshiSchemaError, optBoolean, optEnum, optInt, optString, optTimeMs, reqBoolean, reqCount, reqEnum, reqId,
  reqMoney, reqObject, reqPrice, reqString, show, type JsonObject,
} from '../../decode.js';
import { BOOK_SIDES, decodePage, exchangeIndexOf, OUTCOME_SIDES, type BookSide, type OutcomeSide, type Page } from './common.js';

export const ORDER_STATUSES = ['resting', 'canceled', 'executed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const SELF_TRADE_PREVENTION = ['taker_at_cross', 'maker'] as const;
export type SelfTradePrevention = (typeof SELF_TRADE_PREVENTION)[number];

export interface Order {
  readonly orderId: string;
  /** '' when the order was placed without one. */
  readonly clientOrderId: string;
  readonly ticker: string;
  readonly bookSide: BookSide;
  readonly outcomeSide: OutcomeSide;
  readonly type: 'limit' | 'market';
  readonly status: OrderStatus;
  /** The order's YES-book price, $0.0001; `noPrice` = 10000 − yesPrice. */
  readonly yesPrice: Price;
  readonly noPrice: Price;
  /** Hundredths of a contract. initial = fill + remaining unless decreased/cancelled. */
  readonly initialCount: Count;
  readonly fillCount: Count;
  readonly remainingCount: Count;
  /** µ$ */
  readonly takerFillCost: Money;
  readonly makerFillCost: Money;
  readonly takerFees: Money;
  readonly makerFees: Money;
  readonly createdTimeMs: number | undefined;
  readonly lastUpdateTimeMs: number | undefined;
  readonly expirationTimeMs: number | undefined;
  readonly selfTradePrevention: SelfTradePrevention | undefined;
  readonly orderGroupId: string | undefined;
  readonly cancelOrderOnPause: boolean | undefined;
  readonly exchangeIndex: number;
}

const ORDER_TYPES = ['limit', 'market'] as const;

/** `outcome_side` must be the outcome of `book_side` (bid ≡ yes, ask ≡ no). */
function direction(o: JsonObject, path: string): { bookSide: BookSide; outcomeSide: OutcomeSide } {
  const bookSide = reqEnum(o, 'book_side', path, BOOK_SIDES);
  const outcomeSide = reqEnum(o, 'outcome_side', path, OUTCOME_SIDES);
  if ((bookSide === 'bid') !== (outcomeSide === 'yes')) {
    throw new KalshiSchemaError(`${path}.outcome_side`, `${bookSide === 'bid' ? 'yes' : 'no'} (book_side is ${bookSide})`, show(outcomeSide));
  }
  return { bookSide, outcomeSide };
}

export function decodeOrder(v: unknown, path: string): Order {
  const o = asObject(v, path);
  const orderGroupId = optString(o, 'order_group_id', path);
  return {
    orderId: reqId(o, 'order_id', path),
    clientOrderId: reqString(o, 'client_order_id', path),
    ticker: reqId(o, 'ticker', path),
    ...direction(o, path),
    type: reqEnum(o, 'type', path, ORDER_TYPES),
    status: reqEnum(o, 'status', path, ORDER_STATUSES),
    yesPrice: reqPrice(o, 'yes_price_dollars', path),
    noPrice: reqPrice(o, 'no_price_dollars', path),
    initialCount: reqCount(o, 'initial_count_fp', path),
    fillCount: reqCount(o, 'fill_count_fp', path),
    remainingCount: reqCount(o, 'remaining_count_fp', path),
    takerFillCost: reqMoney(o, 'taker_fill_cost_dollars', path),
    makerFillCost: reqMoney(o, 'maker_fill_cost_dollars', path),
    takerFees: reqMoney(o, 'taker_fees_dollars', path),
    makerFees: reqMoney(o, 'maker_fees_dollars', path),
    createdTimeMs: optTimeMs(o, 'created_time', path),
    lastUpdateTimeMs: optTimeMs(o, 'last_update_time', path),
    expirationTimeMs: optTimeMs(o, 'expiration_time', path),
    selfTradePrevention: optEnum(o, 'self_trade_prevention_type', path, SELF_TRADE_PREVENTION),
    orderGroupId: orderGroupId === '' ? undefined : orderGroupId,
    cancelOrderOnPause: optBoolean(o, 'cancel_order_on_pause', path),
    exchangeIndex: exchangeIndexOf(o, path),
  };
}

/** GET /portfolio/orders/{id} → `{order}`. */
export function decodeOrderReply(body: unknown): Order {
  return decodeOrder(reqObject(asObject(body, 'reply'), 'order', 'reply'), 'reply.order');
}

/** GET /portfolio/orders → `{orders, cursor}`. */
export function decodeOrdersPage(body: unknown): Page<Order> {
  return decodePage(body, 'orders', decodeOrder);
}

/** OpenAPI `Fill`: one execution of one of our orders. */
export interface Fill {
  readonly fillId: string;
  readonly tradeId: string;
  readonly orderId: string;
  readonly ticker: string;
  readonly bookSide: BookSide;
  readonly outcomeSide: OutcomeSide;
  /** Hundredths of a contract. */
  readonly count: Count;
  /** $0.0001; noPrice = 10000 − yesPrice. */
  readonly yesPrice: Price;
  readonly noPrice: Price;
  readonly isTaker: boolean;
  /** Fee of this fill, µ$. */
  readonly fee: Money;
  readonly createdTimeMs: number | undefined;
  /** Unix seconds (legacy `ts`); undefined when absent. */
  readonly ts: number | undefined;
  readonly exchangeIndex: number;
}

export function decodeFill(v: unknown, path: string): Fill {
  const o = asObject(v, path);
  return {
    fillId: reqId(o, 'fill_id', path),
    tradeId: reqId(o, 'trade_id', path),
    orderId: reqId(o, 'order_id', path),
    ticker: reqId(o, 'ticker', path),
    ...direction(o, path),
    count: reqCount(o, 'count_fp', path),
    yesPrice: reqPrice(o, 'yes_price_dollars', path),
    noPrice: reqPrice(o, 'no_price_dollars', path),
    isTaker: reqBoolean(o, 'is_taker', path),
    fee: reqMoney(o, 'fee_cost', path),
    createdTimeMs: optTimeMs(o, 'created_time', path),
    ts: optInt(o, 'ts', path),
    exchangeIndex: exchangeIndexOf(o, path),
  };
}

/** GET /portfolio/fills → `{fills, cursor}`. */
export function decodeFillsPage(body: unknown): Page<Fill> {
  return decodePage(body, 'fills', decodeFill);
}
