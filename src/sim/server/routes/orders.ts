/**
 * Order entry, V2 (`/portfolio/events/orders…`: bid/ask on the YES book), and the retired V1
 * writes under `/portfolio/orders`, which answer 410 `deprecated_v1_order_endpoint` as Kalshi
 * does since June 2026 (kalshi-api.md §0, lessons.md).
 */
import { formatCount, formatMoney } from '../../../shared/fixed-point.js';
import type { Exchange, NewOrder, OrderResult } from '../../engine/exchange.js';
import { ExchangeError, type FillState, type OrderState } from '../../engine/types.js';
import type { HttpRequest, HttpRouter } from '../http.js';
import {
  badRequest, bodyObject, countField, oneOf, optionalBoolean, optionalString, priceField, requiredString,
} from '../request.js';
import { errorBody } from '../serialize.js';
import { API } from './market-data.js';

/** The account behind a signed request (routes under /portfolio need one). */
export function accountOf(req: HttpRequest): string {
  if (req.keyId === undefined) throw new ExchangeError(401, 'authentication_error', 'authentication_error', 'this endpoint requires a signed request');
  return req.keyId;
}

const BATCH_MAX = 20;

/** Parse one CreateOrderV2Request body. */
export function newOrderOf(obj: Record<string, unknown>, nowMs: number): NewOrder {
  const timeInForce = oneOf(obj, 'time_in_force', ['fill_or_kill', 'good_till_canceled', 'immediate_or_cancel'] as const);
  let expirationMs: number | undefined;
  if (obj.expiration_time !== undefined && obj.expiration_time !== null) {
    const s = obj.expiration_time;
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s <= 0) throw badRequest('expiration_time must be a Unix timestamp in seconds', 'invalid_parameters');
    if (timeInForce === 'immediate_or_cancel') throw badRequest('immediate_or_cancel cannot be combined with expiration_time', 'invalid_order');
    if (s * 1000 <= nowMs) throw badRequest('expiration_time is in the past', 'invalid_order');
    expirationMs = s * 1000;
  }
  return {
    ticker: requiredString(obj, 'ticker', 128),
    side: oneOf(obj, 'side', ['bid', 'ask'] as const),
    count: countField(obj, 'count'),
    price: priceField(obj, 'price'),
    timeInForce,
    selfTradePrevention: oneOf(obj, 'self_trade_prevention_type', ['taker_at_cross', 'maker'] as const),
    postOnly: optionalBoolean(obj, 'post_only'),
    reduceOnly: optionalBoolean(obj, 'reduce_only'),
    cancelOnPause: optionalBoolean(obj, 'cancel_order_on_pause'),
    clientOrderId: optionalString(obj, 'client_order_id', 128),
    orderGroupId: optionalString(obj, 'order_group_id', 128),
    expirationMs,
  };
}

/** Volume-weighted average price and fee per contract of `fills`, as dollar strings (µ$ precision). */
function averages(fills: readonly FillState[]): { average_fill_price?: string; average_fee_paid?: string } {
  let count = 0;
  let notional = 0; // µ$ × 100 (price units × hundredths)
  let fees = 0; // µ$
  for (const f of fills) {
    count += f.count;
    notional += f.yesPrice * f.count;
    fees += f.fee;
  }
  if (count === 0) return {};
  // Per contract: notional / (count / 100) µ$; a display average, rounded to the nearest µ$.
  const perContract = (micros: number) => formatMoney(Math.round((micros * 100) / count), 6);
  return { average_fill_price: perContract(notional), average_fee_paid: perContract(fees) };
}

export function orderResultJson(result: OrderResult, tsMs: number): Record<string, unknown> {
  const { order, fills } = result;
  return {
    order_id: order.orderId,
    client_order_id: order.clientOrderId,
    fill_count: formatCount(fills.reduce((n, f) => n + f.count, 0)),
    remaining_count: formatCount(order.status === 'resting' ? order.remainingCount : 0),
    ...averages(fills),
    ts_ms: tsMs,
  };
}

function cancelJson(order: OrderState, reducedBy: number, tsMs: number): Record<string, unknown> {
  return { order_id: order.orderId, client_order_id: order.clientOrderId, reduced_by: formatCount(reducedBy), ts_ms: tsMs };
}

function errorItem(err: ExchangeError): { code: string; message: string; details?: string } {
  return errorBody(err.code, err.message, err.details).error;
}

export function orderRoutes(router: HttpRouter, exchange: Exchange): void {
  const V2 = `${API}/portfolio/events/orders`;

  router.post(V2, (req) => {
    const result = exchange.createOrder(accountOf(req), newOrderOf(bodyObject(req), exchange.now()));
    return { status: 201, body: orderResultJson(result, exchange.now()) };
  });

  router.delete(V2, (req) => {
    exchange.cancelAll(accountOf(req));
    return { status: 204 };
  });

  router.post(`${V2}/batched`, (req) => {
    const account = accountOf(req);
    const orders = bodyObject(req).orders;
    if (!Array.isArray(orders) || orders.length === 0) throw badRequest('orders must be a non-empty array', 'invalid_parameters');
    if (orders.length > BATCH_MAX) throw badRequest(`at most ${BATCH_MAX} orders per batch`, 'invalid_parameters');
    const now = exchange.now();
    // Parse every item first: a malformed item is a per-item error, the others still go.
    const parsed = orders.map((o): NewOrder | ExchangeError => {
      if (o === null || typeof o !== 'object' || Array.isArray(o)) return badRequest('each order must be an object');
      try {
        return newOrderOf(o as Record<string, unknown>, now);
      } catch (err) {
        if (err instanceof ExchangeError) return err;
        throw err;
      }
    });
    const valid = parsed.filter((p): p is NewOrder => !(p instanceof ExchangeError));
    const results = exchange.batchCreate(account, valid);
    let next = 0;
    const items = parsed.map((p) => {
      if (p instanceof ExchangeError) return { client_order_id: null, fill_count: null, remaining_count: null, average_fill_price: null, average_fee_paid: null, ts_ms: null, error: errorItem(p) };
      const r = results[next++];
      if (r instanceof ExchangeError) return { client_order_id: p.clientOrderId ?? null, fill_count: null, remaining_count: null, average_fill_price: null, average_fee_paid: null, ts_ms: null, error: errorItem(r) };
      return { average_fill_price: null, average_fee_paid: null, ...orderResultJson(r, now), error: null };
    });
    return { status: 201, body: { orders: items } };
  });

  router.delete(`${V2}/batched`, (req) => {
    const account = accountOf(req);
    const orders = bodyObject(req).orders;
    if (!Array.isArray(orders) || orders.length === 0) throw badRequest('orders must be a non-empty array', 'invalid_parameters');
    if (orders.length > BATCH_MAX) throw badRequest(`at most ${BATCH_MAX} orders per batch`, 'invalid_parameters');
    const ids = orders.map((o) => (o !== null && typeof o === 'object' && typeof (o as { order_id?: unknown }).order_id === 'string' ? (o as { order_id: string }).order_id : ''));
    const before = new Map(ids.map((id) => [id, safeRemaining(exchange, account, id)]));
    const results = exchange.batchCancel(account, ids);
    const now = exchange.now();
    return {
      status: 200,
      body: {
        orders: results.map((r, i) =>
          r instanceof ExchangeError
            ? { order_id: ids[i], client_order_id: null, reduced_by: '0.00', ts_ms: null, error: errorItem(r) }
            : { ...cancelJson(r, before.get(ids[i]) ?? 0, now), error: null }),
      },
    };
  });

  router.delete(`${V2}/:order_id`, (req) => {
    const account = accountOf(req);
    const remaining = exchange.getOrder(account, req.params.order_id).remainingCount;
    const order = exchange.cancelOrder(account, req.params.order_id);
    return { status: 200, body: cancelJson(order, remaining, exchange.now()) };
  });

  router.post(`${V2}/:order_id/amend`, (req) => {
    const account = accountOf(req);
    const obj = bodyObject(req);
    const result = exchange.amendOrder(account, req.params.order_id, {
      ticker: requiredString(obj, 'ticker', 128),
      side: oneOf(obj, 'side', ['bid', 'ask'] as const),
      price: priceField(obj, 'price'),
      count: countField(obj, 'count'),
      updatedClientOrderId: optionalString(obj, 'updated_client_order_id', 128),
    });
    return { status: 200, body: orderResultJson(result, exchange.now()) };
  });

  router.post(`${V2}/:order_id/decrease`, (req) => {
    const account = accountOf(req);
    const obj = bodyObject(req);
    const hasBy = obj.reduce_by !== undefined && obj.reduce_by !== null;
    const hasTo = obj.reduce_to !== undefined && obj.reduce_to !== null;
    if (hasBy === hasTo) throw badRequest('exactly one of reduce_by or reduce_to must be provided', 'invalid_parameters');
    const order = exchange.decreaseOrder(account, req.params.order_id, hasBy ? { reduceBy: countField(obj, 'reduce_by') } : { reduceTo: countField(obj, 'reduce_to') });
    return {
      status: 200,
      body: { order_id: order.orderId, client_order_id: order.clientOrderId, remaining_count: formatCount(order.status === 'resting' ? order.remainingCount : 0), ts_ms: exchange.now() },
    };
  });

  // The retired V1 writes.
  const gone = () => {
    throw new ExchangeError(410, 'deprecated_v1_order_endpoint', 'Please switch to the V2 endpoint(s)');
  };
  router.post(`${API}/portfolio/orders`, gone);
  router.post(`${API}/portfolio/orders/batched`, gone);
  router.delete(`${API}/portfolio/orders/batched`, gone);
  router.delete(`${API}/portfolio/orders/:order_id`, gone);
  router.post(`${API}/portfolio/orders/:order_id/amend`, gone);
  router.post(`${API}/portfolio/orders/:order_id/decrease`, gone);
}

function safeRemaining(exchange: Exchange, account: string, orderId: string): number {
  try {
    return exchange.getOrder(account, orderId).remainingCount;
  } catch {
    return 0;
  }
}

