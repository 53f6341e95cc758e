import { describe, expect, it } from 'vitest';
import { notional } from '../../../src/shared/fixed-point.js';
import { takerFee } from '../../../src/shared/fees.js';
import { CASH, eventsOf, expectError, expectIdentity, order, setup } from './helpers.js';

describe('matching: price-time priority', () => {
  it('an incoming bid takes the lowest asks first, oldest first at a level, at the resting price', () => {
    const { ex, m } = setup();
    const a1 = ex.placeSynthetic(m.index, 'ask', 5200, 300)!;
    const a2 = ex.placeSynthetic(m.index, 'ask', 5100, 200)!;
    const a3 = ex.placeSynthetic(m.index, 'ask', 5100, 400)!;
    const { order: o, fills } = ex.createOrder('alice', order('bid', 5200, 700));
    expect(fills.map((f) => [f.yesPrice, f.count])).toEqual([[5100, 200], [5100, 400], [5200, 100]]);
    expect(o.status).toBe('executed');
    expect(o.fillCount).toBe(700);
    expect(a2.status).toBe('executed');
    expect(a3.status).toBe('executed');
    expect(a1.remainingCount).toBe(200);
    expect(a1.fillCount).toBe(100);
    expect(ex.bookLevels(m.index, 'no')).toEqual([[4800, 200]]);
    // paid at the resting prices, not the limit
    const cost = notional(5100, 600) + notional(5200, 100);
    const fee = fills.reduce((s, f) => s + f.fee, 0);
    expect(ex.account('alice')!.cash).toBe(CASH - cost - fee);
    expectIdentity(ex, 'alice');
  });

  it('an incoming ask takes the highest bids first', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'bid', 4000, 100);
    ex.placeSynthetic(m.index, 'bid', 4200, 100);
    ex.placeSynthetic(m.index, 'bid', 4100, 100);
    const { fills } = ex.createOrder('alice', order('ask', 4100, 300, { timeInForce: 'immediate_or_cancel' }));
    expect(fills.map((f) => f.yesPrice)).toEqual([4200, 4100]);
    expect(ex.bookLevels(m.index, 'yes')).toEqual([[4000, 100]]);
  });

  it('a limit that does not reach the book does not trade; GTC rests', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 5500, 100);
    const { order: o, fills } = ex.createOrder('alice', order('bid', 5400, 100));
    expect(fills).toEqual([]);
    expect(o.status).toBe('resting');
    expect(ex.bookLevels(m.index, 'yes')).toEqual([[5400, 100]]);
  });

  it('partial fill then the GTC remainder rests at its limit', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 300);
    const { order: o, fills } = ex.createOrder('alice', order('bid', 5000, 1000));
    expect(fills).toHaveLength(1);
    expect(o.status).toBe('resting');
    expect(o.fillCount).toBe(300);
    expect(o.remainingCount).toBe(700);
    expect(ex.bookLevels(m.index, 'yes')).toEqual([[5000, 700]]);
    expect(ex.bookLevels(m.index, 'no')).toEqual([]);
    expect(o.reservedCash).toBe(notional(5000, 700));
  });
});

describe('matching: time in force', () => {
  it('IOC cancels its remainder', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 300);
    const { order: o } = ex.createOrder('alice', order('bid', 5100, 1000, { timeInForce: 'immediate_or_cancel' }));
    expect(o.status).toBe('canceled');
    expect(o.fillCount).toBe(300);
    expect(o.remainingCount).toBe(0);
    expect(o.reducedBy).toBe(700);
    expect(o.reservedCash).toBe(0);
    expect(ex.bookLevels(m.index, 'yes')).toEqual([]);
  });

  it('IOC that finds nothing is returned canceled, not refused', () => {
    const { ex } = setup();
    const { order: o, fills } = ex.createOrder('alice', order('bid', 5100, 1000, { timeInForce: 'immediate_or_cancel' }));
    expect(fills).toEqual([]);
    expect(o.status).toBe('canceled');
    expect(o.lastUpdateReason).toBe('');
    expect(ex.account('alice')!.cash).toBe(CASH);
  });

  it('FOK fills completely or not at all (returned canceled, nothing executed, book untouched)', () => {
    const { ex, m, log } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 300);
    ex.placeSynthetic(m.index, 'ask', 5100, 300);
    const before = log.length;
    const fail = ex.createOrder('alice', order('bid', 5100, 700, { timeInForce: 'fill_or_kill' }));
    expect(fail.fills).toEqual([]);
    expect(fail.order.status).toBe('canceled');
    expect(fail.order.fillCount).toBe(0);
    expect(eventsOf(log, 'trade', before)).toEqual([]);
    expect(eventsOf(log, 'delta', before)).toEqual([]);
    expect(ex.bookLevels(m.index, 'no')).toEqual([[4900, 300], [5000, 300]]);
    expect(ex.account('alice')!.cash).toBe(CASH);
    const ok = ex.createOrder('alice', order('bid', 5100, 600, { timeInForce: 'fill_or_kill' }));
    expect(ok.order.status).toBe('executed');
    expect(ok.fills.map((f) => f.count)).toEqual([300, 300]);
  });

  it('FOK counts only what self-trade prevention lets it take', () => {
    const { ex, m } = setup();
    ex.createOrder('alice', order('ask', 5000, 300)); // alice's own ask at the front
    ex.placeSynthetic(m.index, 'ask', 5000, 300);
    const blocked = ex.createOrder('alice', order('bid', 5000, 300, { timeInForce: 'fill_or_kill' }));
    expect(blocked.order.status).toBe('canceled');
    expect(ex.bookLevels(m.index, 'no')).toEqual([[5000, 600]]);
    const viaMaker = ex.createOrder('alice', order('bid', 5000, 300, { timeInForce: 'fill_or_kill', selfTradePrevention: 'maker' }));
    expect(viaMaker.order.status).toBe('executed');
    expect(viaMaker.fills.map((f) => f.count)).toEqual([300]);
  });
});

describe('matching: self-trade prevention', () => {
  it('taker_at_cross: the taker stops at its own order, keeps earlier fills, remainder cancelled', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 4900, 100);
    const own = ex.createOrder('alice', order('ask', 5000, 200)).order;
    ex.placeSynthetic(m.index, 'ask', 5000, 100);
    const { order: o, fills } = ex.createOrder('alice', order('bid', 5000, 1000));
    expect(fills.map((f) => f.count)).toEqual([100]);
    expect(o.status).toBe('canceled');
    expect(o.lastUpdateReason).toBe('SelfTradeCancel');
    expect(own.status).toBe('resting');
    expect(ex.bookLevels(m.index, 'no')).toEqual([[5000, 300]]);
    expectIdentity(ex, 'alice');
  });

  it('maker: the resting own order is cancelled and matching continues', () => {
    const { ex, m, log } = setup();
    const own = ex.createOrder('alice', order('ask', 5000, 200)).order;
    ex.placeSynthetic(m.index, 'ask', 5000, 100);
    const before = log.length;
    const { order: o, fills } = ex.createOrder('alice', order('bid', 5000, 100, { selfTradePrevention: 'maker' }));
    expect(own.status).toBe('canceled');
    expect(own.lastUpdateReason).toBe('SelfTradeCancel');
    expect(own.reservedCash).toBe(0);
    expect(fills.map((f) => f.count)).toEqual([100]);
    expect(o.status).toBe('executed');
    expect(ex.bookLevels(m.index, 'no')).toEqual([]);
    const orders = eventsOf(log, 'order', before);
    expect(orders.map((x) => [x.orderId, x.status, x.reason])).toEqual([
      [own.orderId, 'canceled', 'SelfTradeCancel'],
      [o.orderId, 'executed', 'Trade'],
    ]);
    expectIdentity(ex, 'alice');
  });

  it('other accounts trade with each other normally (maker gets a maker fill)', () => {
    const { ex } = setup();
    const bobAsk = ex.createOrder('bob', order('ask', 5000, 200)).order;
    const { fills } = ex.createOrder('alice', order('bid', 5000, 200));
    expect(fills).toHaveLength(1);
    expect(bobAsk.status).toBe('executed');
    const bobFill = ex.account('bob')!.fills[0];
    expect(bobFill.isTaker).toBe(false);
    expect(bobFill.tradeId).toBe(fills[0].tradeId);
    expect(bobFill.outcomeSide).toBe('no');
    expect(bobFill.postPosition).toBe(-200);
    expect(fills[0].postPosition).toBe(200);
    expect(bobFill.fee).toBe(0); // quadratic series: no maker fee
    expect(fills[0].fee).toBe(takerFee(5000, 200));
  });
});

describe('matching: post_only', () => {
  it('refuses a post-only order that would cross, placing nothing', () => {
    const { ex, m, log } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 100);
    const before = log.length;
    expectError(() => ex.createOrder('alice', order('bid', 5000, 100, { postOnly: true })), 409, 'post_only_cross');
    expect(log.length).toBe(before);
    expect(ex.listOrders('alice')).toEqual([]);
    const ok = ex.createOrder('alice', order('bid', 4900, 100, { postOnly: true }));
    expect(ok.order.status).toBe('resting');
  });
});

describe('matching: events', () => {
  it('a taker sweeping three levels emits three NO-side deltas (caused by the taker), trades, fills, then its order', () => {
    const { ex, m, log } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 100);
    ex.placeSynthetic(m.index, 'ask', 5100, 100);
    ex.placeSynthetic(m.index, 'ask', 5200, 100);
    const before = log.length;
    const { order: o } = ex.createOrder('alice', order('bid', 5200, 300, { clientOrderId: 'c1' }));
    const events = log.slice(before);
    expect(eventsOf(events, 'delta')).toEqual([
      { e: 'delta', outcome: 'no', price: 5000, delta: -100, ts: expect.any(Number), by: o.orderId },
      { e: 'delta', outcome: 'no', price: 4900, delta: -100, ts: expect.any(Number), by: o.orderId },
      { e: 'delta', outcome: 'no', price: 4800, delta: -100, ts: expect.any(Number), by: o.orderId },
    ]);
    expect(events.map((x) => x.e)).toEqual([
      'delta', 'trade', 'fill', 'position',
      'delta', 'trade', 'fill', 'position',
      'delta', 'trade', 'fill', 'position',
      'order', 'ticker',
    ]);
    expect(eventsOf(events, 'trade').map((t) => [t.price, t.takerSide])).toEqual([[5000, 'bid'], [5100, 'bid'], [5200, 'bid']]);
    expect(m.lastPrice).toBe(5200);
    expect(m.volume).toBe(300);
    expect(m.openInterest).toBe(300);
  });

  it('a resting order emits a delta caused by it (YES side for bids, NO side at 1 − p for asks)', () => {
    const { ex, log } = setup();
    const before = log.length;
    const bid = ex.createOrder('alice', order('bid', 4400, 500)).order;
    const ask = ex.createOrder('alice', order('ask', 5600, 500)).order;
    expect(eventsOf(log, 'delta', before).map((d) => [d.outcome, d.price, d.delta, d.by])).toEqual([
      ['yes', 4400, 500, bid.orderId],
      ['no', 4400, 500, ask.orderId],
    ]);
  });

  it('synthetic liquidity causes anonymous deltas', () => {
    const { ex, m, log } = setup();
    const before = log.length;
    const s = ex.placeSynthetic(m.index, 'bid', 4000, 100)!;
    ex.cancelSynthetic(s.orderId, 40);
    ex.cancelSynthetic(s.orderId);
    expect(eventsOf(log, 'delta', before).map((d) => [d.price, d.delta, d.by])).toEqual([[4000, 100, undefined], [4000, -40, undefined], [4000, -60, undefined]]);
    expect(eventsOf(log, 'order', before)).toEqual([]);
  });
});
