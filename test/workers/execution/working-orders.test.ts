import { describe, expect, it } from 'vitest';
import { WorkingSide } from '../../../src/shared/position-records.js';
import {
  OrderPlan,
  OutcomeStatus,
  UpdateEffect,
  WorkingOrders,
  type OrderUpdate,
  type PendingRequest,
} from '../../../src/workers/execution/working-orders.js';

const { BID, ASK } = WorkingSide;
let rid = 0;
function req(kind: PendingRequest['kind'], over: Partial<PendingRequest> = {}): PendingRequest {
  return { kind, requestId: ++rid, clientOrderId: `s-KX-${rid}`, orderId: '', side: BID, price: 4_500, count: 500, ioc: false, sentAtMs: 0, ...over };
}
function update(over: Partial<OrderUpdate>): OrderUpdate {
  return { orderId: 'o1', clientOrderId: 's-KX-1', side: BID, price: 4_500, status: 'resting', remaining: 500, filled: 0, tsMs: 10, ...over };
}

/** A book with one working bid (order o1, 5 contracts at 0.45), placed through the normal path. */
function withWorking(): WorkingOrders {
  const w = new WorkingOrders(4);
  const r = req('place');
  w.begin(0, r);
  w.complete(0, r.requestId, { status: OutcomeStatus.ACCEPTED, orderId: 'o1', remaining: 500, filled: 0, tsMs: 5 }, 5);
  return w;
}

describe('plan', () => {
  it('place, amend, cancel-then-place or nothing', () => {
    const empty = new WorkingOrders(2);
    expect(empty.plan(0, BID, 4_500, 500)).toBe(OrderPlan.PLACE);
    const w = withWorking();
    expect(w.workingOrder(0)).toMatchObject({ orderId: 'o1', side: BID, price: 4_500, remaining: 500 });
    expect(w.plan(0, BID, 4_500, 500)).toBe(OrderPlan.NONE); // same price already working
    expect(w.plan(0, BID, 4_500, 900)).toBe(OrderPlan.NONE); // never re-top a working order
    expect(w.plan(0, BID, 4_500, 300)).toBe(OrderPlan.AMEND); // shrink (a closing capped lower)
    expect(w.plan(0, BID, 4_600, 500)).toBe(OrderPlan.AMEND); // new price, same side
    expect(w.plan(0, ASK, 4_600, 500)).toBe(OrderPlan.CANCEL_THEN_PLACE); // side flip
    expect(w.plan(1, ASK, 4_600, 500)).toBe(OrderPlan.PLACE); // other market
  });

  it('no stacking (lessons #4): a second intent never plans a second PLACE while one works', () => {
    const w = withWorking();
    for (const price of [4_400, 4_500, 4_600]) for (const side of [BID, ASK]) expect(w.plan(0, side, price, 500)).not.toBe(OrderPlan.PLACE);
  });

  it('one request in flight per market', () => {
    const w = new WorkingOrders(2);
    w.begin(0, req('place'));
    expect(w.inFlight(0)?.kind).toBe('place');
    expect(() => w.begin(0, req('place'))).toThrow(/in flight/);
    w.begin(1, req('place')); // other markets are independent
  });
});

describe('outcomes', () => {
  it('ACCEPTED amend updates price, remaining and the client id; cancel clears', () => {
    const w = withWorking();
    const a = req('amend', { orderId: 'o1', price: 4_600, count: 500, clientOrderId: 's-KX-new' });
    w.begin(0, a);
    expect(w.complete(0, a.requestId, { status: OutcomeStatus.ACCEPTED, tsMs: 6 }, 6)).toBe(a);
    expect(w.workingOrder(0)).toMatchObject({ price: 4_600, remaining: 500, clientOrderId: 's-KX-new' });
    const c = req('cancel', { orderId: 'o1' });
    w.begin(0, c);
    w.complete(0, c.requestId, { status: OutcomeStatus.ACCEPTED, tsMs: 7 }, 7);
    expect(w.workingOrder(0)).toBeUndefined();
    expect(w.inFlight(0)).toBeUndefined();
  });

  it('an IOC place never becomes a working order; a fully filled place neither', () => {
    const w = new WorkingOrders(1);
    const ioc = req('place', { ioc: true });
    w.begin(0, ioc);
    w.complete(0, ioc.requestId, { status: OutcomeStatus.ACCEPTED, orderId: 'oi', remaining: 300, filled: 200 }, 1);
    expect(w.workingOrder(0)).toBeUndefined();
    const full = req('place');
    w.begin(0, full);
    w.complete(0, full.requestId, { status: OutcomeStatus.ACCEPTED, orderId: 'of', remaining: 0, filled: 500 }, 1);
    expect(w.workingOrder(0)).toBeUndefined();
  });

  it('REJECTED leaves the working order, except a 404 on amend/cancel (the order is gone)', () => {
    const w = withWorking();
    const a = req('amend', { orderId: 'o1', price: 4_600 });
    w.begin(0, a);
    w.complete(0, a.requestId, { status: OutcomeStatus.REJECTED, code: 'invalid_price', httpStatus: 400 }, 1);
    expect(w.workingOrder(0)?.price).toBe(4_500);
    const c = req('cancel', { orderId: 'o1' });
    w.begin(0, c);
    w.complete(0, c.requestId, { status: OutcomeStatus.REJECTED, code: 'not_found', httpStatus: 404 }, 1);
    expect(w.workingOrder(0)).toBeUndefined();
  });

  it('late or duplicate outcomes are ignored', () => {
    const w = withWorking();
    expect(w.complete(0, 999, { status: OutcomeStatus.ACCEPTED }, 1)).toBeUndefined();
    expect(w.workingOrder(0)?.orderId).toBe('o1');
  });

  it('NOT_SENT: nothing happened, nothing to resolve', () => {
    const w = new WorkingOrders(1);
    const p = req('place');
    w.begin(0, p);
    w.complete(0, p.requestId, { status: OutcomeStatus.NOT_SENT }, 1);
    expect([w.inFlight(0), w.workingOrder(0), w.isReduced(0)]).toEqual([undefined, undefined, false]);
  });
});

describe('UNKNOWN keeps the market reduced until resolved', () => {
  it('an UNKNOWN place is resolved by the user_order carrying its client_order_id, and adopted', () => {
    const w = new WorkingOrders(2);
    const p = req('place', { clientOrderId: 's-KX-u1' });
    w.begin(0, p);
    w.complete(0, p.requestId, { status: OutcomeStatus.UNKNOWN, code: 'timeout' }, 100);
    expect(w.isReduced(0)).toBe(true);
    expect(w.unresolvedSinceMs(0)).toBe(100);
    expect([...w.unresolvedMarkets]).toEqual([0]);
    expect(w.inFlight(0)).toBeUndefined();
    const effect = w.onOrderUpdate(0, update({ orderId: 'ou', clientOrderId: 's-KX-u1', remaining: 500 }));
    expect(effect).toBe(UpdateEffect.RESOLVED);
    expect(w.isReduced(0)).toBe(false);
    expect(w.workingOrder(0)?.orderId).toBe('ou');
  });

  it('an UNKNOWN place proven absent resolves with nothing working', () => {
    const w = new WorkingOrders(1);
    const p = req('place');
    w.begin(0, p);
    w.complete(0, p.requestId, { status: OutcomeStatus.UNKNOWN }, 1);
    w.resolveAbsent(0);
    expect([w.isReduced(0), w.workingOrder(0)]).toEqual([false, undefined]);
  });

  it('an UNKNOWN cancel: the order found cancelled clears it; found resting keeps it', () => {
    const w = withWorking();
    const c = req('cancel', { orderId: 'o1', clientOrderId: 's-KX-1' });
    w.begin(0, c);
    w.complete(0, c.requestId, { status: OutcomeStatus.UNKNOWN }, 1);
    expect(w.workingOrder(0)?.orderId).toBe('o1'); // unsure: still counted as working
    expect(w.onOrderUpdate(0, update({ status: 'resting', tsMs: 20 }))).toBe(UpdateEffect.RESOLVED);
    expect(w.workingOrder(0)?.orderId).toBe('o1');
    const c2 = req('cancel', { orderId: 'o1' });
    w.begin(0, c2);
    w.complete(0, c2.requestId, { status: OutcomeStatus.UNKNOWN }, 2);
    expect(w.onOrderUpdate(0, update({ status: 'canceled', remaining: 0, tsMs: 30 }))).toBe(UpdateEffect.RESOLVED);
    expect(w.workingOrder(0)).toBeUndefined();
  });

  it('an UNKNOWN amend whose order is proven absent clears the working order', () => {
    const w = withWorking();
    const a = req('amend', { orderId: 'o1', price: 4_600 });
    w.begin(0, a);
    w.complete(0, a.requestId, { status: OutcomeStatus.UNKNOWN }, 1);
    w.resolveAbsent(0);
    expect(w.workingOrder(0)).toBeUndefined();
  });
});

describe('exchange truth (user_orders)', () => {
  it('a user_order arriving before the 201 is adopted, and the 201 does not roll it back', () => {
    const w = new WorkingOrders(1);
    const p = req('place', { clientOrderId: 's-KX-early' });
    w.begin(0, p);
    expect(w.onOrderUpdate(0, update({ orderId: 'oe', clientOrderId: 's-KX-early', remaining: 200, filled: 300, tsMs: 50 }))).toBe(UpdateEffect.UPDATED);
    expect(w.inFlight(0)?.orderId).toBe('oe');
    w.complete(0, p.requestId, { status: OutcomeStatus.ACCEPTED, orderId: 'oe', remaining: 500, filled: 0, tsMs: 40 }, 60);
    expect(w.workingOrder(0)).toMatchObject({ orderId: 'oe', remaining: 200, filled: 300 });
  });

  it('older states never overwrite newer ones; executed/canceled clears', () => {
    const w = withWorking();
    w.onOrderUpdate(0, update({ remaining: 100, filled: 400, tsMs: 100 }));
    expect(w.workingOrder(0)?.remaining).toBe(100);
    w.onOrderUpdate(0, update({ remaining: 300, filled: 200, tsMs: 90 }));
    expect(w.workingOrder(0)?.remaining).toBe(100);
    w.onOrderUpdate(0, update({ status: 'executed', remaining: 0, filled: 500, tsMs: 110 }));
    expect(w.workingOrder(0)).toBeUndefined();
  });

  it('a second resting order of ours beside the working one is a stray to cancel, not adopted', () => {
    const w = withWorking();
    expect(w.onOrderUpdate(0, update({ orderId: 'o2', clientOrderId: 's-KX-9', tsMs: 20 }))).toBe(UpdateEffect.STRAY);
    expect(w.straysOf(0)).toEqual(['o2']);
    expect([...w.strayMarkets()]).toEqual([0]);
    expect(w.workingOrder(0)?.orderId).toBe('o1');
    w.onOrderUpdate(0, update({ orderId: 'o2', clientOrderId: 's-KX-9', status: 'canceled', remaining: 0, tsMs: 30 }));
    expect(w.straysOf(0)).toEqual([]);
  });

  it('orders that are not ours are left alone', () => {
    const w = new WorkingOrders(1, (cid) => cid.startsWith('s-'));
    expect(w.onOrderUpdate(0, update({ orderId: 'x', clientOrderId: 'manual-1' }))).toBe(UpdateEffect.IGNORED);
    expect(w.workingOrder(0)).toBeUndefined();
  });

  it('adopt at start-up: the first resting order works, a second is a stray', () => {
    const w = new WorkingOrders(1);
    w.adopt(0, { orderId: 'a', clientOrderId: 'c', side: ASK, price: 5_500, remaining: 100, filled: 0, tsMs: 1 });
    w.adopt(0, { orderId: 'b', clientOrderId: 'd', side: ASK, price: 5_600, remaining: 100, filled: 0, tsMs: 1 });
    expect(w.workingOrder(0)?.orderId).toBe('a');
    expect(w.straysOf(0)).toEqual(['b']);
  });
});
