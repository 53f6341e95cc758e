/**
 * What the execution core asks the I/O layer to send, and the decisions that carry it.
 *
 * Requests are in exact integer units (price $0.0001 on the YES book, count hundredths) and carry
 * every field of the V2 request they stand for (OpenAPI CreateOrderV2Request, AmendOrderV2Request,
 * CancelOrderV2): the I/O layer maps them 1:1 onto src/shared/kalshi/rest's `OrderIntent` /
 * `AmendChange`, which format the fixed-point strings at the wire. Every request has a
 * `requestId` (per core, increasing) by which its outcome comes back.
 */
import type { Action } from '../../shared/policy/actions.js';
import type { DenyReason } from './limits.js';

export type TimeInForce = 'good_till_canceled' | 'immediate_or_cancel';

/** POST /portfolio/events/orders */
export interface PlaceRequest {
  kind: 'place';
  requestId: number;
  market: number;
  ticker: string;
  clientOrderId: string;
  side: 'bid' | 'ask';
  /** YES price, $0.0001. */
  price: number;
  /** Hundredths. */
  count: number;
  timeInForce: TimeInForce;
  postOnly: boolean;
  reduceOnly: boolean;
  /** '' for none. */
  orderGroupId: string;
  /** The intent that produced it (for the journal); an exit's closing action (SELL_YES / SELL_NO). */
  action: Action;
  closing: boolean;
  /**
   * An exit of the whole position (`ExecutionCore.exitPosition`), not a policy intent: the stage
   * journals it with its reason. Absent on policy orders.
   */
  exit?: true;
}

/** POST /portfolio/events/orders/{orderId}/amend */
export interface AmendRequest {
  kind: 'amend';
  requestId: number;
  market: number;
  ticker: string;
  orderId: string;
  side: 'bid' | 'ask';
  price: number;
  /** New total: filled so far + the remaining wanted, hundredths. */
  count: number;
  /** The order's current client_order_id. */
  clientOrderId: string;
  updatedClientOrderId: string;
  action: Action;
  closing: boolean;
}

/** DELETE /portfolio/events/orders/{orderId}?market_ticker=… */
export interface CancelRequest {
  kind: 'cancel';
  requestId: number;
  market: number;
  ticker: string;
  orderId: string;
  clientOrderId: string;
  /** Cancels a stray (a second resting order), not the working order. */
  stray: boolean;
}

/** POST /portfolio/order_groups/create */
export interface CreateGroupRequest {
  kind: 'create_group';
  requestId: number;
  /** Group key (SESSION_GROUP or a market index). */
  groupKey: number;
  /** Hundredths (whole contracts). */
  contractsLimit: number;
}

/** PUT /portfolio/order_groups/{id}/reset */
export interface ResetGroupRequest {
  kind: 'reset_group';
  requestId: number;
  groupKey: number;
  orderGroupId: string;
}

/**
 * Find the order of an UNKNOWN request: GET /portfolio/orders?client_order_ids=… (a place), or
 * GET /portfolio/orders/{orderId} (amend / cancel). Its answer goes to `onLookupResult`.
 */
export interface LookupRequest {
  kind: 'lookup';
  requestId: number;
  market: number;
  ticker: string;
  clientOrderId: string;
  /** '' when only the client_order_id is known. */
  orderId: string;
}

export type SendRequest = PlaceRequest | AmendRequest | CancelRequest | CreateGroupRequest | ResetGroupRequest | LookupRequest;

export interface Denied {
  kind: 'DENIED';
  reason: DenyReason;
}

export interface Send {
  kind: 'SEND';
  request: SendRequest;
}

export type Decision = Denied | Send;

const deniedCache = new Map<DenyReason, Denied>();

/** The (shared, frozen) DENIED decision for `reason`: no allocation on the refusal path. */
export function denied(reason: DenyReason): Denied {
  let d = deniedCache.get(reason);
  if (d === undefined) {
    d = Object.freeze({ kind: 'DENIED', reason }) as Denied;
    deniedCache.set(reason, d);
  }
  return d;
}
