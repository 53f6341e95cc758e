/**
 * One working order per market (lessons #4: the policy was trained with one order per market,
 * amended or cancelled, never stacked), and at most one request in flight per market.
 *
 * Given the working order and a new target (side, YES price, count) `plan` says what to send:
 *   no working order (or nothing left of it)        → PLACE
 *   working on the other side                        → CANCEL_THEN_PLACE (cancel now, place after)
 *   same side, other price                           → AMEND (price; count = filled + target)
 *   same side, same price, target below remaining    → AMEND (shrink)
 *   same side, same price otherwise                  → NONE (already working: nothing to send)
 *
 * Outcomes (architecture.md §4.4): ACCEPTED updates the working order; REJECTED leaves it (a
 * 404 on amend/cancel means the order is gone); UNKNOWN (timeout, 5xx, dropped connection) is
 * never taken as rejected: the market stays "reduced" (no new openings) until the request is
 * resolved — its order found (by client_order_id, or by order_id for amend/cancel: a user_orders
 * message or a lookup) or proven absent.
 *
 * Exchange truth arrives out of order with the REST answers (a `user_order` may precede the 201);
 * states carry the exchange timestamp and an older one never overwrites a newer. A second
 * resting order of ours in a market (an UNKNOWN place that did rest after all) is a STRAY: it is
 * listed for cancellation, never adopted beside the working order.
 *
 * Counts in hundredths, prices in $0.0001 on the YES book. Single owner: the execution thread.
 */
import { WorkingSide } from '../../shared/position-records.js';

export const OrderPlan = { NONE: 0, PLACE: 1, AMEND: 2, CANCEL_THEN_PLACE: 3 } as const;
export type OrderPlan = (typeof OrderPlan)[keyof typeof OrderPlan];

/**
 * ACCEPTED, REJECTED (final, by the exchange), UNKNOWN (may or may not have happened), and
 * NOT_SENT: provably nothing happened (rate limited locally or by a 429, refused by the REST
 * layer's own checks, a connection that failed before sending) — the request simply did not occur.
 */
export const OutcomeStatus = { ACCEPTED: 1, REJECTED: 2, UNKNOWN: 3, NOT_SENT: 4 } as const;
export type OutcomeStatus = (typeof OutcomeStatus)[keyof typeof OutcomeStatus];

export type OrderRequestKind = 'place' | 'amend' | 'cancel';

/** The one resting order of a market, as last known. */
export interface WorkingOrder {
  orderId: string;
  clientOrderId: string;
  side: WorkingSide;
  /** YES price, $0.0001. */
  price: number;
  /** Hundredths still resting. */
  remaining: number;
  /** Hundredths filled so far (an amend's count is filled + the remaining wanted). */
  filled: number;
  /** Exchange time of the state, ms (0: unknown). */
  tsMs: number;
}

/** A request sent and not yet answered. */
export interface PendingRequest {
  kind: OrderRequestKind;
  requestId: number;
  /** place / amend: the request's (new) client_order_id; cancel: the cancelled order's. */
  clientOrderId: string;
  /** amend / cancel: the target order; place: '' until known. */
  orderId: string;
  side: WorkingSide;
  price: number;
  /** place: the count; amend: the remaining wanted after it; cancel: 0. */
  count: number;
  /** Never rests (immediate_or_cancel). */
  ioc: boolean;
  sentAtMs: number;
}

/** The answer to a place / amend / cancel. */
export interface RequestOutcome {
  status: OutcomeStatus;
  orderId?: string;
  /** Hundredths resting after the request (place: remaining_count; amend: remaining_count if sent). */
  remaining?: number;
  /** Hundredths filled by the request itself. */
  filled?: number;
  /** Exchange error code (REJECTED), e.g. `post_only_cross`. */
  code?: string;
  httpStatus?: number;
  /** Exchange time, ms. */
  tsMs?: number;
}

/** A `user_order` message (or an order found by a lookup), in exact units. */
export interface OrderUpdate {
  orderId: string;
  clientOrderId: string;
  side: WorkingSide;
  price: number;
  /** 'resting' | 'canceled' | 'executed' | anything else (treated as not resting). */
  status: string;
  remaining: number;
  filled: number;
  tsMs: number;
}

/** What `onOrderUpdate` did. */
export const UpdateEffect = { IGNORED: 0, UPDATED: 1, RESOLVED: 2, STRAY: 3 } as const;
export type UpdateEffect = (typeof UpdateEffect)[keyof typeof UpdateEffect];

/** A REJECTED amend / cancel whose order no longer exists (404). */
export function isNotFound(o: RequestOutcome): boolean {
  return o.httpStatus === 404 || o.code === 'not_found' || o.code === 'order_not_found';
}

export class WorkingOrders {
  readonly capacity: number;
  private readonly working: (WorkingOrder | undefined)[];
  private readonly pending: (PendingRequest | undefined)[];
  private readonly unresolved: (PendingRequest | undefined)[];
  private readonly unresolvedSince: Float64Array;
  /** Markets with an unresolved request. */
  readonly unresolvedMarkets = new Set<number>();
  /** Order ids to cancel per market: ours, resting, but not the working order. */
  private readonly strays = new Map<number, string[]>();
  private readonly isOurs: (clientOrderId: string) => boolean;

  /** `isOurs`: whether a client_order_id belongs to this host (default: every order is ours). */
  constructor(capacity: number, isOurs: (clientOrderId: string) => boolean = () => true) {
    this.capacity = capacity;
    this.working = new Array<WorkingOrder | undefined>(capacity).fill(undefined);
    this.pending = new Array<PendingRequest | undefined>(capacity).fill(undefined);
    this.unresolved = new Array<PendingRequest | undefined>(capacity).fill(undefined);
    this.unresolvedSince = new Float64Array(capacity);
    this.isOurs = isOurs;
  }

  /** What to send to make `market` work `count` on `side` at `price` (see header). */
  plan(market: number, side: WorkingSide, price: number, count: number): OrderPlan {
    const w = this.working[market];
    if (w === undefined || w.remaining <= 0) return OrderPlan.PLACE;
    if (w.side !== side) return OrderPlan.CANCEL_THEN_PLACE;
    if (w.price === price && count >= w.remaining) return OrderPlan.NONE;
    return OrderPlan.AMEND;
  }

  workingOrder(market: number): WorkingOrder | undefined {
    return this.working[market];
  }

  inFlight(market: number): PendingRequest | undefined {
    return this.pending[market];
  }

  /** The request whose outcome was UNKNOWN, until resolved. */
  unresolvedRequest(market: number): PendingRequest | undefined {
    return this.unresolved[market];
  }

  unresolvedSinceMs(market: number): number {
    return this.unresolvedSince[market];
  }

  /** True while an UNKNOWN outcome is unresolved: no new openings. */
  isReduced(market: number): boolean {
    return this.unresolved[market] !== undefined;
  }

  /** Records a request as sent. Throws if one is already in flight (the caller checks `inFlight`). */
  begin(market: number, req: PendingRequest): void {
    if (this.pending[market] !== undefined) throw new Error(`market ${market}: a request is already in flight`);
    this.pending[market] = req;
  }

  /**
   * The outcome of the in-flight request `requestId`. Returns the request it answered, or
   * undefined when it answers nothing in flight (late or duplicate; ignored).
   */
  complete(market: number, requestId: number, outcome: RequestOutcome, nowMs: number): PendingRequest | undefined {
    const req = this.pending[market];
    if (req === undefined || req.requestId !== requestId) return undefined;
    this.pending[market] = undefined;
    if (outcome.orderId !== undefined && req.orderId === '') req.orderId = outcome.orderId;
    const ts = outcome.tsMs ?? 0;
    if (outcome.status === OutcomeStatus.ACCEPTED) {
      this.accept(market, req, outcome, ts);
    } else if (outcome.status === OutcomeStatus.REJECTED) {
      if (req.kind !== 'place' && isNotFound(outcome)) this.clearWorking(market, req.orderId);
    } else if (outcome.status === OutcomeStatus.UNKNOWN) {
      this.unresolved[market] = req;
      this.unresolvedSince[market] = nowMs;
      this.unresolvedMarkets.add(market);
    }
    return req;
  }

  private accept(market: number, req: PendingRequest, o: RequestOutcome, ts: number): void {
    const w = this.working[market];
    if (req.kind === 'cancel') {
      this.clearWorking(market, req.orderId);
      return;
    }
    if (req.kind === 'place') {
      const remaining = req.ioc ? 0 : (o.remaining ?? req.count);
      if (w !== undefined && w.orderId === req.orderId) {
        // A user_order got here first; keep whichever state is newer (the user_order on a tie).
        if (ts > w.tsMs || (ts === 0 && w.tsMs === 0)) this.setState(market, w, remaining, w.filled > (o.filled ?? 0) ? w.filled : (o.filled ?? 0), req.price, req.clientOrderId, ts);
        return;
      }
      if (remaining > 0) {
        // Never two working orders: one that somehow still rests here goes to the stray list.
        if (w !== undefined && w.remaining > 0) this.addStray(market, w.orderId);
        this.working[market] = { orderId: req.orderId, clientOrderId: req.clientOrderId, side: req.side, price: req.price, remaining, filled: o.filled ?? 0, tsMs: ts };
      }
      return;
    }
    // amend
    if (w === undefined || w.orderId !== req.orderId) return; // gone meanwhile
    // A user_order as new as this answer was applied already: it is the whole truth (adding the
    // answer's fill_count to its filled count would count those fills twice).
    if (ts < w.tsMs || (ts !== 0 && ts === w.tsMs)) return;
    this.setState(market, w, o.remaining ?? req.count, w.filled + (o.filled ?? 0), req.price, req.clientOrderId, ts);
  }

  private setState(market: number, w: WorkingOrder, remaining: number, filled: number, price: number, clientOrderId: string, ts: number): void {
    if (remaining <= 0) {
      this.working[market] = undefined;
      return;
    }
    w.remaining = remaining;
    w.filled = filled;
    w.price = price;
    w.clientOrderId = clientOrderId;
    w.tsMs = ts;
  }

  private clearWorking(market: number, orderId: string): void {
    const w = this.working[market];
    if (w !== undefined && (orderId === '' || w.orderId === orderId)) this.working[market] = undefined;
  }

  /**
   * Exchange truth about one of the account's orders in `market` (user_orders, or a lookup).
   * Resolves an UNKNOWN request it answers, updates the working order, or reports a stray.
   */
  onOrderUpdate(market: number, u: OrderUpdate): UpdateEffect {
    let effect: UpdateEffect = UpdateEffect.IGNORED;
    const un = this.unresolved[market];
    if (un !== undefined && ((un.orderId !== '' && un.orderId === u.orderId) || un.clientOrderId === u.clientOrderId)) {
      this.resolve(market);
      effect = UpdateEffect.RESOLVED;
    }
    const p = this.pending[market];
    if (p !== undefined && p.kind === 'place' && p.orderId === '' && p.clientOrderId === u.clientOrderId) p.orderId = u.orderId;

    const resting = u.status === 'resting' && u.remaining > 0;
    const w = this.working[market];
    if (w !== undefined && w.orderId === u.orderId) {
      if (u.tsMs < w.tsMs) return effect;
      if (!resting) this.working[market] = undefined;
      else {
        w.side = u.side;
        this.setState(market, w, u.remaining, u.filled, u.price, u.clientOrderId, u.tsMs);
      }
      return effect === UpdateEffect.IGNORED ? UpdateEffect.UPDATED : effect;
    }
    if (!resting) {
      this.dropStray(market, u.orderId);
      return effect;
    }
    if (!this.isOurs(u.clientOrderId)) return effect;
    // Amended orders keep their order id; a different id is a different order.
    const awaitingPlace = p !== undefined && p.kind === 'place' && p.orderId === u.orderId;
    if (w === undefined && (awaitingPlace || effect === UpdateEffect.RESOLVED || p === undefined)) {
      this.working[market] = { orderId: u.orderId, clientOrderId: u.clientOrderId, side: u.side, price: u.price, remaining: u.remaining, filled: u.filled, tsMs: u.tsMs };
      return effect === UpdateEffect.IGNORED ? UpdateEffect.UPDATED : effect;
    }
    this.addStray(market, u.orderId);
    return UpdateEffect.STRAY;
  }

  /** The UNKNOWN request of `market` was looked up and its order does not exist. */
  resolveAbsent(market: number): void {
    const un = this.unresolved[market];
    if (un === undefined) return;
    // A cancel or amend target that does not exist is gone; a place that does not exist never was.
    if (un.kind !== 'place') this.clearWorking(market, un.orderId);
    this.resolve(market);
  }

  private resolve(market: number): void {
    this.unresolved[market] = undefined;
    this.unresolvedMarkets.delete(market);
  }

  /** Order ids to cancel in `market` (ours, resting beside the working order). */
  straysOf(market: number): readonly string[] {
    return this.strays.get(market) ?? [];
  }

  /** Markets with strays to cancel. */
  strayMarkets(): IterableIterator<number> {
    return this.strays.keys();
  }

  private addStray(market: number, orderId: string): void {
    const list = this.strays.get(market);
    if (list === undefined) this.strays.set(market, [orderId]);
    else if (!list.includes(orderId)) list.push(orderId);
  }

  /** A stray is no longer resting (cancelled or filled). */
  dropStray(market: number, orderId: string): void {
    const list = this.strays.get(market);
    if (list === undefined) return;
    const i = list.indexOf(orderId);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.strays.delete(market);
  }

  /** Adopts a resting order found at start-up as the market's working order. */
  adopt(market: number, o: WorkingOrder): void {
    if (this.working[market] !== undefined && this.working[market]!.orderId !== o.orderId) this.addStray(market, o.orderId);
    else this.working[market] = { ...o };
  }
}
