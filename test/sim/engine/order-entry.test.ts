import { describe, expect, it } from 'vitest';
import { notional } from '../../../src/shared/fixed-point.js';
import { ExchangeError } from '../../../src/sim/engine/types.js';
import { CASH, TICKER, eventsOf, expectError, expectIdentity, ids, order, setup, T0 } from './helpers.js';

describe('create: bad input (each error code)', () => {
  it('unknown ticker → 404 market_not_found', () => {
    const { ex } = setup();
    expectError(() => ex.createOrder('alice', order('bid', 5000, 100, { ticker: 'NOPE' })), 404, 'market_not_found');
  });

  it('market not yet open → 409 market_closed; paused → 409 trading_is_paused; closed → 409 market_closed', () => {
    const { ex, clock } = setup({ openMs: T0 + 1000 });
    expect(ex.market(TICKER)!.status).toBe('initialized');
    expectError(() => ex.createOrder('alice', order('bid', 5000, 100)), 409, 'market_closed');
    clock.now = T0 + 1000;
    ex.createOrder('alice', order('bid', 5000, 100));
    ex.pause(TICKER);
    expectError(() => ex.createOrder('alice', order('bid', 5000, 100)), 409, 'trading_is_paused');
    ex.resume(TICKER);
    ex.closeEarly(TICKER);
    expectError(() => ex.createOrder('alice', order('bid', 5000, 100)), 409, 'market_closed');
  });

  it('price off the grid, at 0 or 1, or not an integer → 400 invalid_price', () => {
    const { ex } = setup();
    for (const p of [5050, 0, 10_000, -100, 10_100, 50.5, Number.NaN]) {
      expectError(() => ex.createOrder('alice', order('bid', p, 100)), 400, 'invalid_price');
    }
  });

  it('sub-penny prices are accepted only on sub-penny grids', () => {
    const { ex } = setup({ structure: 'deci_cent' });
    expect(ex.createOrder('alice', order('bid', 5010, 100)).order.status).toBe('resting');
    expectError(() => ex.createOrder('alice', order('bid', 5011, 100)), 400, 'invalid_price');
  });

  it('count ≤ 0 or not an integer → 400 invalid_order_size', () => {
    const { ex } = setup();
    for (const c of [0, -100, 1.5, Number.NaN, 1e17]) {
      expectError(() => ex.createOrder('alice', order('bid', 5000, c)), 400, 'invalid_order_size');
    }
    expect(ex.createOrder('alice', order('bid', 5000, 1)).order.remainingCount).toBe(1); // 0.01 contract
  });

  it('bad side / time in force / self-trade prevention → 400 invalid_order', () => {
    const { ex } = setup();
    expectError(() => ex.createOrder('alice', order('buy' as never, 5000, 100)), 400, 'invalid_order');
    expectError(() => ex.createOrder('alice', order('bid', 5000, 100, { timeInForce: 'gtc' as never })), 400, 'invalid_order');
    expectError(() => ex.createOrder('alice', order('bid', 5000, 100, { selfTradePrevention: 'none' as never })), 400, 'invalid_order');
  });

  it('duplicate client_order_id of a resting or any earlier order → 409 order_already_exists', () => {
    const { ex } = setup();
    const { order: o } = ex.createOrder('alice', order('bid', 5000, 100, { clientOrderId: 'a' }));
    expectError(() => ex.createOrder('alice', order('bid', 4000, 100, { clientOrderId: 'a' })), 409, 'order_already_exists');
    ex.cancelOrder('alice', o.orderId);
    expectError(() => ex.createOrder('alice', order('bid', 4000, 100, { clientOrderId: 'a' })), 409, 'order_already_exists');
    // another account may use it
    expect(ex.createOrder('bob', order('bid', 4000, 100, { clientOrderId: 'a' })).order.clientOrderId).toBe('a');
    expect(ex.findByClientOrderId('alice', 'a')).toBe(o);
  });

  it('expiration: in the past or with IOC → 400 invalid_order', () => {
    const { ex } = setup();
    expectError(() => ex.createOrder('alice', order('bid', 5000, 100, { expirationMs: T0 })), 400, 'invalid_order');
    expectError(() => ex.createOrder('alice', order('bid', 5000, 100, { expirationMs: T0 + 1000, timeInForce: 'immediate_or_cancel' })), 400, 'invalid_order');
  });

  it('unknown order → 404 not_found (also for another account\'s order and for finished orders)', () => {
    const { ex } = setup();
    const { order: o } = ex.createOrder('alice', order('bid', 5000, 100));
    expectError(() => ex.cancelOrder('alice', 'nope'), 404, 'not_found');
    expectError(() => ex.cancelOrder('bob', o.orderId), 404, 'not_found');
    expectError(() => ex.getOrder('bob', o.orderId), 404, 'not_found');
    ex.cancelOrder('alice', o.orderId);
    expectError(() => ex.cancelOrder('alice', o.orderId), 404, 'not_found');
    expectError(() => ex.decreaseOrder('alice', o.orderId, { reduceBy: 1 }), 404, 'not_found');
    expect(ex.getOrder('alice', o.orderId).status).toBe('canceled');
  });

  it('unknown account → 404 account_not_found', () => {
    const { ex } = setup();
    expectError(() => ex.createOrder('zed', order('bid', 5000, 100)), 404, 'account_not_found');
  });
});

describe('amend', () => {
  it('a price change loses priority (back of the new level) and moves the reservation', () => {
    const { ex, m } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 100)).order;
    ex.createOrder('bob', order('bid', 4100, 100));
    const { order: o, fills } = ex.amendOrder('alice', a.orderId, { ticker: TICKER, side: 'bid', price: 4100, count: 100 });
    expect(fills).toEqual([]);
    expect(o.lastUpdateReason).toBe('Amend');
    expect(o.reservedCash).toBe(notional(4100, 100));
    expect(ex.account('alice')!.cash).toBe(CASH - notional(4100, 100));
    expect(ex.bookLevels(m.index, 'yes')).toEqual([[4100, 200]]);
    ex.takeSynthetic(m.index, 'ask', 4100, 100);
    expect(ex.account('bob')!.fills).toHaveLength(1); // bob was first at 0.41
    expect(ex.account('alice')!.fills).toHaveLength(0);
  });

  it('a size decrease keeps priority; a size increase loses it', () => {
    const { ex, m } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 300)).order;
    ex.createOrder('bob', order('bid', 4000, 300));
    ex.amendOrder('alice', a.orderId, { ticker: TICKER, side: 'bid', price: 4000, count: 200 });
    expect(a.remainingCount).toBe(200);
    expect(a.reservedCash).toBe(notional(4000, 200));
    ex.takeSynthetic(m.index, 'ask', 4000, 100);
    expect(a.fillCount).toBe(100); // still first
    // count is the new total (fill + remaining): 100 filled + 400 more
    ex.amendOrder('alice', a.orderId, { ticker: TICKER, side: 'bid', price: 4000, count: 500 });
    expect(a.remainingCount).toBe(400);
    expect(a.initialCount).toBe(500);
    ex.takeSynthetic(m.index, 'ask', 4000, 100);
    expect(a.fillCount).toBe(100); // bob is first now
    expect(ex.account('bob')!.fills.map((f) => f.count)).toEqual([100]);
    expectIdentity(ex, 'alice');
  });

  it('an amend that crosses trades at once; post_only refuses it; updated client id', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 4500, 100);
    const a = ex.createOrder('alice', order('bid', 4000, 300, { clientOrderId: 'old' })).order;
    const { order: o, fills } = ex.amendOrder('alice', a.orderId, { ticker: TICKER, side: 'bid', price: 4500, count: 300, updatedClientOrderId: 'new' });
    expect(fills.map((f) => [f.yesPrice, f.count])).toEqual([[4500, 100]]);
    expect(o.remainingCount).toBe(200);
    expect(o.clientOrderId).toBe('new');
    expect(ex.findByClientOrderId('alice', 'new')).toBe(a);
    expect(ex.bookLevels(m.index, 'yes')).toEqual([[4500, 200]]);
    const p = ex.createOrder('alice', order('bid', 4000, 100, { postOnly: true })).order;
    ex.placeSynthetic(m.index, 'ask', 4600, 100);
    expectError(() => ex.amendOrder('alice', p.orderId, { ticker: TICKER, side: 'bid', price: 4600, count: 100 }), 409, 'post_only_cross');
    expect(p.price).toBe(4000);
    expectIdentity(ex, 'alice');
  });

  it('refusals: ticker / side mismatch, bad count, insufficient balance', () => {
    const { ex } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 300)).order;
    expectError(() => ex.amendOrder('alice', a.orderId, { ticker: 'X', side: 'bid', price: 4000, count: 300 }), 400, 'order_ticker_mismatch');
    expectError(() => ex.amendOrder('alice', a.orderId, { ticker: TICKER, side: 'ask', price: 4000, count: 300 }), 400, 'order_side_mismatch');
    expectError(() => ex.amendOrder('alice', a.orderId, { ticker: TICKER, side: 'bid', price: 4000, count: 0 }), 400, 'invalid_order_size');
    expectError(() => ex.amendOrder('alice', a.orderId, { ticker: TICKER, side: 'bid', price: 4050, count: 300 }), 400, 'invalid_price');
    expectError(() => ex.amendOrder('alice', a.orderId, { ticker: TICKER, side: 'bid', price: 4000, count: 300_000_000 }), 400, 'insufficient_balance');
    expect(a.remainingCount).toBe(300);
    expect(a.reservedCash).toBe(notional(4000, 300));
  });
});

describe('decrease and cancel', () => {
  it('reduce_by / reduce_to keep priority; reducing to nothing cancels', () => {
    const { ex, log } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 1000)).order;
    const before = log.length;
    ex.decreaseOrder('alice', a.orderId, { reduceBy: 300 });
    expect(a.remainingCount).toBe(700);
    expect(a.reducedBy).toBe(300);
    expect(a.lastUpdateReason).toBe('Decrease');
    ex.decreaseOrder('alice', a.orderId, { reduceTo: 200 });
    expect(a.remainingCount).toBe(200);
    expect(a.reservedCash).toBe(notional(4000, 200));
    expect(eventsOf(log, 'delta', before).map((d) => d.delta)).toEqual([-300, -500]);
    ex.decreaseOrder('alice', a.orderId, { reduceBy: 10_000 });
    expect(a.status).toBe('canceled');
    expect(a.reducedBy).toBe(200);
    expect(ex.account('alice')!.cash).toBe(CASH);
  });

  it('decrease needs exactly one of reduce_by / reduce_to, and a sensible value', () => {
    const { ex } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 1000)).order;
    expectError(() => ex.decreaseOrder('alice', a.orderId, {}), 400, 'invalid_order');
    expectError(() => ex.decreaseOrder('alice', a.orderId, { reduceBy: 1, reduceTo: 1 }), 400, 'invalid_order');
    expectError(() => ex.decreaseOrder('alice', a.orderId, { reduceBy: 0 }), 400, 'invalid_order_size');
    expectError(() => ex.decreaseOrder('alice', a.orderId, { reduceTo: 1000 }), 400, 'invalid_order_size');
    expectError(() => ex.decreaseOrder('alice', a.orderId, { reduceTo: -1 }), 400, 'invalid_order_size');
  });

  it('cancel: status canceled, reducedBy = what was left, reservation released, events', () => {
    const { ex, log } = setup();
    const a = ex.createOrder('alice', order('ask', 6000, 500)).order;
    const before = log.length;
    const c = ex.cancelOrder('alice', a.orderId);
    expect(c).toMatchObject({ status: 'canceled', remainingCount: 0, reducedBy: 500, reservedCash: 0, lastUpdateReason: 'Decrease' });
    expect(log.slice(before).map((x) => x.e)).toEqual(['delta', 'order', 'ticker']);
  });
});

describe('batches, cancel-all, queries', () => {
  it('batch create: one bad order is returned as its error, the others go ahead', () => {
    const { ex } = setup();
    const out = ex.batchCreate('alice', [order('bid', 4000, 100), order('bid', 4050, 100), order('ask', 6000, 100)]);
    expect(out).toHaveLength(3);
    expect(out[1]).toBeInstanceOf(ExchangeError);
    expect((out[1] as ExchangeError).code).toBe('invalid_price');
    expect((out[0] as { order: { status: string } }).order.status).toBe('resting');
    expect((out[2] as { order: { status: string } }).order.status).toBe('resting');
    expect(ex.listOrders('alice', { status: 'resting' })).toHaveLength(2);
  });

  it('batch cancel', () => {
    const { ex } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 100)).order;
    const out = ex.batchCancel('alice', [a.orderId, 'nope']);
    expect((out[0] as { status: string }).status).toBe('canceled');
    expect((out[1] as ExchangeError).code).toBe('not_found');
  });

  it('cancel-all with filters (ticker, order group)', () => {
    const s = setup();
    const { ex } = s;
    const m2 = ex.addMarket({ ...s.m, ticker: 'KXTEST-26JAN01-T60', openMs: T0 - 1, closeMs: T0 + 10_000_000 });
    const g = ex.createOrderGroup('alice', 10_000);
    const a = ex.createOrder('alice', order('bid', 4000, 100)).order;
    const b = ex.createOrder('alice', order('bid', 4100, 100, { orderGroupId: g.id })).order;
    const c = ex.createOrder('alice', order('bid', 4000, 100, { ticker: m2.ticker })).order;
    const bobs = ex.createOrder('bob', order('bid', 3000, 100)).order;
    expect(ids(ex.cancelAll('alice', { orderGroupId: g.id }))).toEqual([b.orderId]);
    expect(ids(ex.cancelAll('alice', { ticker: TICKER }))).toEqual([a.orderId]);
    expect(c.status).toBe('resting');
    expect(ids(ex.cancelAll('alice'))).toEqual([c.orderId]);
    expect(bobs.status).toBe('resting');
    expect(ex.account('alice')!.cash).toBe(CASH);
  });

  it('list orders newest first with filters; get; find by client id', () => {
    const s = setup();
    const { ex, clock } = s;
    const a = ex.createOrder('alice', order('bid', 4000, 100, { clientOrderId: 'x' })).order;
    clock.now += 10;
    const b = ex.createOrder('alice', order('bid', 4100, 100)).order;
    clock.now += 10;
    ex.cancelOrder('alice', a.orderId);
    expect(ids(ex.listOrders('alice'))).toEqual([b.orderId, a.orderId]);
    expect(ids(ex.listOrders('alice', { status: 'canceled' }))).toEqual([a.orderId]);
    expect(ids(ex.listOrders('alice', { minTsMs: T0 + 10 }))).toEqual([b.orderId]);
    expect(ids(ex.listOrders('alice', { maxTsMs: T0 }))).toEqual([a.orderId]);
    expect(ids(ex.listOrders('alice', { ticker: 'other' }))).toEqual([]);
    expect(ids(ex.listOrders('alice', { eventTicker: s.m.eventTicker }))).toEqual([b.orderId, a.orderId]);
    expect(ex.getOrder('alice', b.orderId)).toBe(b);
    expect(ex.findByClientOrderId('alice', 'x')).toBe(a);
    expect(ex.findByClientOrderId('alice', 'y')).toBeUndefined();
  });
});
