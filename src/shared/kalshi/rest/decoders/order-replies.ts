/**
 * Replies of the V2 order-entry endpoints (`/portfolio/events/orders…`, OpenAPI
 * `CreateOrderV2Response`, `CancelOrderV2Response`, `AmendOrderV2Response`,
 * `DecreaseOrderV2Response` and the batched forms). These are short acknowledgements, not full
 * orders. Averages are money per contract (µ$), not prices: a volume-weighted average of fills at
 * different prices need not lie on any grid.
 */
import type { Count, Money } from '../../../fixed-point.js';
import {
  asObject, optCount, optMoney, optString, reqArray, reqCount, reqId, reqInt, type JsonObject,
} from '../../decode.js';
import { decodeItemError, type ItemError } from './common.js';

/** Create Order V2 → 201. */
export interface CreateOrderReply {
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  /** Filled at placement, hundredths. */
  readonly fillCount: Count;
  /** Resting after placement, hundredths (0 for IOC/FOK remainders, which are cancelled). */
  readonly remainingCount: Count;
  /** Volume-weighted average fill price, µ$ per contract; undefined when nothing filled. */
  readonly averageFillPrice: Money | undefined;
  /** Average fee per contract, µ$; undefined when nothing filled. */
  readonly averageFeePaid: Money | undefined;
  /** Matching-engine time, ms since the epoch. */
  readonly tsMs: number;
}

function createReply(o: JsonObject, path: string): CreateOrderReply {
  return {
    orderId: reqId(o, 'order_id', path),
    clientOrderId: optString(o, 'client_order_id', path),
    fillCount: reqCount(o, 'fill_count', path),
    remainingCount: reqCount(o, 'remaining_count', path),
    averageFillPrice: optMoney(o, 'average_fill_price', path),
    averageFeePaid: optMoney(o, 'average_fee_paid', path),
    tsMs: reqInt(o, 'ts_ms', path),
  };
}

export function decodeCreateOrderReply(body: unknown): CreateOrderReply {
  return createReply(asObject(body, 'reply'), 'reply');
}

/** One item of a batch: its own result, or Kalshi's error for that item alone. */
export type BatchItem<T> =
  | { readonly ok: true; readonly reply: T }
  | { readonly ok: false; readonly clientOrderId: string | undefined; readonly orderId: string | undefined; readonly error: ItemError };

function batchItem<T>(v: unknown, path: string, ok: (o: JsonObject, path: string) => T): BatchItem<T> {
  const o = asObject(v, path);
  if (o.error !== undefined && o.error !== null) {
    return { ok: false, clientOrderId: optString(o, 'client_order_id', path), orderId: optString(o, 'order_id', path), error: decodeItemError(o.error, `${path}.error`) };
  }
  return { ok: true, reply: ok(o, path) };
}

/** Batch Create Orders V2 → 201 `{orders:[…]}`, one item per order sent, in order. */
export function decodeBatchCreateReply(body: unknown): BatchItem<CreateOrderReply>[] {
  return reqArray(asObject(body, 'reply'), 'orders', 'reply', (v, p) => batchItem(v, p, createReply));
}

/** Cancel Order V2 → 200. */
export interface CancelOrderReply {
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  /** Contracts cancelled (the remaining count at cancel time), hundredths. */
  readonly reducedBy: Count;
  readonly tsMs: number;
}

function cancelReply(o: JsonObject, path: string): CancelOrderReply {
  return {
    orderId: reqId(o, 'order_id', path),
    clientOrderId: optString(o, 'client_order_id', path),
    reducedBy: reqCount(o, 'reduced_by', path),
    tsMs: reqInt(o, 'ts_ms', path),
  };
}

export function decodeCancelOrderReply(body: unknown): CancelOrderReply {
  return cancelReply(asObject(body, 'reply'), 'reply');
}

/** Batch Cancel Orders V2 → 200 `{orders:[…]}`. */
export function decodeBatchCancelReply(body: unknown): BatchItem<CancelOrderReply>[] {
  return reqArray(asObject(body, 'reply'), 'orders', 'reply', (v, p) => batchItem(v, p, cancelReply));
}

/** Amend Order V2 → 200. Counts and averages are present only when the amend filled or resized. */
export interface AmendOrderReply {
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  /** Resting after the amend, hundredths (not the request's total). */
  readonly remainingCount: Count | undefined;
  /** Filled by the amend crossing the book, hundredths. */
  readonly fillCount: Count | undefined;
  readonly averageFillPrice: Money | undefined;
  readonly averageFeePaid: Money | undefined;
  readonly tsMs: number;
}

export function decodeAmendOrderReply(body: unknown): AmendOrderReply {
  const o = asObject(body, 'reply');
  return {
    orderId: reqId(o, 'order_id', 'reply'),
    clientOrderId: optString(o, 'client_order_id', 'reply'),
    remainingCount: optCount(o, 'remaining_count', 'reply'),
    fillCount: optCount(o, 'fill_count', 'reply'),
    averageFillPrice: optMoney(o, 'average_fill_price', 'reply'),
    averageFeePaid: optMoney(o, 'average_fee_paid', 'reply'),
    tsMs: reqInt(o, 'ts_ms', 'reply'),
  };
}

/** Decrease Order V2 → 200. */
export interface DecreaseOrderReply {
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  /** Resting after the decrease, hundredths. */
  readonly remainingCount: Count;
  readonly tsMs: number;
}

export function decodeDecreaseOrderReply(body: unknown): DecreaseOrderReply {
  const o = asObject(body, 'reply');
  return {
    orderId: reqId(o, 'order_id', 'reply'),
    clientOrderId: optString(o, 'client_order_id', 'reply'),
    remainingCount: reqCount(o, 'remaining_count', 'reply'),
    tsMs: reqInt(o, 'ts_ms', 'reply'),
  };
}
