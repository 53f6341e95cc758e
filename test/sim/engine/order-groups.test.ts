import { describe, expect, it } from 'vitest';
import { CASH, eventsOf, expectError, expectIdentity, ids, order, setup } from './helpers.js';

describe('order groups (kalshi-api.md §3)', () => {
  it('create / get / list; limit 1..1,000,000 contracts; unknown group → 404', () => {
    const { ex, log } = setup();
    const g = ex.createOrderGroup('alice', 500);
    expect(g).toMatchObject({ account: 'alice', limit: 500, triggered: false, window: [] });
    expect(g.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ex.getOrderGroup('alice', g.id)).toBe(g);
    expect(ex.listOrderGroups('alice')).toEqual([g]);
    expect(ex.account('alice')!.orderGroups.get(g.id)).toBe(g);
    expect(eventsOf(log, 'group').map((x) => x.type)).toEqual(['created']);
    expectError(() => ex.createOrderGroup('alice', 99), 400, 'invalid_parameters');
    expectError(() => ex.createOrderGroup('alice', 100_000_001), 400, 'invalid_parameters');
    expect(ex.createOrderGroup('alice', 100_000_000).limit).toBe(100_000_000);
    expectError(() => ex.getOrderGroup('alice', 'nope'), 404, 'order_group_not_found');
    expectError(() => ex.getOrderGroup('bob', g.id), 404, 'order_group_not_found'); // per account
    expectError(() => ex.createOrder('alice', order('bid', 4000, 100, { orderGroupId: 'nope' })), 404, 'order_group_not_found');
  });

  it('a fill burst past the limit triggers: resting orders cancelled, new orders refused until reset', () => {
    const { ex, m, log } = setup();
    const g = ex.createOrderGroup('alice', 500);
    const o1 = ex.createOrder('alice', order('bid', 4000, 300, { orderGroupId: g.id })).order;
    const o2 = ex.createOrder('alice', order('bid', 3900, 300, { orderGroupId: g.id })).order;
    const o3 = ex.createOrder('alice', order('bid', 3800, 300, { orderGroupId: g.id })).order;
    const outside = ex.createOrder('alice', order('bid', 3700, 300)).order;
    expect(ids(ex.orderGroupOrders('alice', g.id))).toEqual([o1.orderId, o2.orderId, o3.orderId]);
    const before = log.length;
    expect(ex.takeSynthetic(m.index, 'ask', 3700, 1200)).toBe(300 + 300 + 300); // stops when the group's orders vanish
    // 300 (window 300), 300 (600 > 500 → trigger after the fill completes), o3 cancelled, then `outside` fills
    expect(o1.status).toBe('executed');
    expect(o2.status).toBe('executed');
    expect(o3).toMatchObject({ status: 'canceled', lastUpdateReason: 'OrderGroupCancel', fillCount: 0 });
    expect(outside.fillCount).toBe(300);
    expect(g.triggered).toBe(true);
    expect(ex.getOrderGroup('alice', g.id).window.reduce((s, [, n]) => s + n, 0)).toBe(600);
    expect(ex.orderGroupOrders('alice', g.id)).toEqual([]);
    const events = log.slice(before);
    const trig = events.findIndex((x) => x.e === 'group' && x.type === 'triggered');
    const cancel = events.findIndex((x) => x.e === 'order' && x.orderId === o3.orderId);
    expect(trig).toBeGreaterThan(-1);
    expect(cancel).toBeGreaterThan(trig);
    expectError(() => ex.createOrder('alice', order('bid', 4000, 100, { orderGroupId: g.id })), 409, 'exceeded_order_group_risk_limit');
    ex.resetOrderGroup('alice', g.id);
    expect(g).toMatchObject({ triggered: false, window: [] });
    expect(ex.createOrder('alice', order('bid', 4000, 100, { orderGroupId: g.id })).order.status).toBe('resting');
    expect(eventsOf(log, 'group').map((x) => x.type)).toEqual(['created', 'triggered', 'reset']);
    expectIdentity(ex, 'alice');
  });

  it('reaching the limit exactly does not trigger by default; it does with orderGroupTriggerInclusive', () => {
    for (const inclusive of [false, true]) {
      const { ex, m } = setup({ inclusive });
      const g = ex.createOrderGroup('alice', 500);
      ex.createOrder('alice', order('bid', 4000, 500, { orderGroupId: g.id }));
      const rest = ex.createOrder('alice', order('bid', 3000, 100, { orderGroupId: g.id })).order;
      ex.takeSynthetic(m.index, 'ask', 4000, 500);
      expect(g.triggered).toBe(inclusive);
      expect(rest.status).toBe(inclusive ? 'canceled' : 'resting');
    }
  });

  it('the window rolls: fills older than 15 s stop counting', () => {
    const { ex, m, clock } = setup();
    const g = ex.createOrderGroup('alice', 500);
    ex.createOrder('alice', order('bid', 4000, 2000, { orderGroupId: g.id }));
    ex.takeSynthetic(m.index, 'ask', 4000, 400);
    clock.now += 14_999;
    ex.takeSynthetic(m.index, 'ask', 4000, 100); // 500: not > 500
    expect(g.triggered).toBe(false);
    clock.now += 1; // the first 400 are now 15 s old
    ex.takeSynthetic(m.index, 'ask', 4000, 400); // 100 + 400 = 500
    expect(g.triggered).toBe(false);
    expect(ex.getOrderGroup('alice', g.id).window).toEqual([[clock.now - 1, 100], [clock.now, 400]]);
    ex.takeSynthetic(m.index, 'ask', 4000, 1);
    expect(g.triggered).toBe(true);
  });

  it('a limit update below the window total triggers at once', () => {
    const { ex, m, log } = setup();
    const g = ex.createOrderGroup('alice', 1000);
    ex.createOrder('alice', order('bid', 4000, 400, { orderGroupId: g.id }));
    const rest = ex.createOrder('alice', order('bid', 3000, 400, { orderGroupId: g.id })).order;
    ex.takeSynthetic(m.index, 'ask', 4000, 400);
    ex.updateOrderGroupLimit('alice', g.id, 500);
    expect(g.triggered).toBe(false);
    ex.updateOrderGroupLimit('alice', g.id, 300);
    expect(g.limit).toBe(300);
    expect(g.triggered).toBe(true);
    expect(rest.status).toBe('canceled');
    expect(eventsOf(log, 'group').map((x) => x.type)).toEqual(['created', 'limit_updated', 'limit_updated', 'triggered']);
    expectError(() => ex.updateOrderGroupLimit('alice', g.id, 0), 400, 'invalid_parameters');
  });

  it('manual trigger cancels at once regardless of volume', () => {
    const { ex } = setup();
    const g = ex.createOrderGroup('alice', 1000);
    const a = ex.createOrder('alice', order('bid', 4000, 400, { orderGroupId: g.id })).order;
    ex.triggerOrderGroup('alice', g.id);
    expect(a.status).toBe('canceled');
    expect(a.lastUpdateReason).toBe('OrderGroupCancel');
    expect(g.triggered).toBe(true);
    expect(ex.account('alice')!.cash).toBe(CASH);
  });

  it('delete cancels the resting orders and removes the group', () => {
    const { ex, log } = setup();
    const g = ex.createOrderGroup('alice', 1000);
    const a = ex.createOrder('alice', order('bid', 4000, 400, { orderGroupId: g.id })).order;
    ex.deleteOrderGroup('alice', g.id);
    expect(a.status).toBe('canceled');
    expectError(() => ex.getOrderGroup('alice', g.id), 404, 'order_group_not_found');
    expect(ex.listOrderGroups('alice')).toEqual([]);
    expect(eventsOf(log, 'group').map((x) => x.type)).toEqual(['created', 'deleted']);
    expectError(() => ex.createOrder('alice', order('bid', 4000, 100, { orderGroupId: g.id })), 404, 'order_group_not_found');
  });

  it('a taker of the group that triggers it stops: the triggering fill completes, the rest is cancelled', () => {
    const { ex, m } = setup();
    const g = ex.createOrderGroup('alice', 500);
    ex.placeSynthetic(m.index, 'ask', 5000, 300);
    ex.placeSynthetic(m.index, 'ask', 5100, 300);
    ex.placeSynthetic(m.index, 'ask', 5200, 300);
    const { order: o, fills } = ex.createOrder('alice', order('bid', 5200, 900, { orderGroupId: g.id }));
    expect(fills.map((f) => f.count)).toEqual([300, 300]);
    expect(o).toMatchObject({ status: 'canceled', lastUpdateReason: 'OrderGroupCancel', fillCount: 600, remainingCount: 0 });
    expect(g.triggered).toBe(true);
    expect(ex.bookLevels(m.index, 'no')).toEqual([[4800, 300]]);
    expectIdentity(ex, 'alice');
  });
});
