import { describe, expect, it } from 'vitest';
import { notional } from '../../../src/shared/fixed-point.js';
import { CASH, expectIdentity, order, setup } from './helpers.js';

describe('synthetic liquidity', () => {
  it('placeSynthetic rests a maker order and lists it; a crossing one is not placed', () => {
    const { ex, m } = setup();
    const b = ex.placeSynthetic(m.index, 'bid', 4500, 300)!;
    expect(b).toMatchObject({ account: '__synthetic__', side: 'bid', price: 4500, remainingCount: 300, status: 'resting' });
    expect(ex.syntheticOrders(m.index)).toEqual([b]);
    expect(ex.placeSynthetic(m.index, 'ask', 4500, 100)).toBeUndefined();
    expect(ex.placeSynthetic(m.index, 'ask', 4400, 100)).toBeUndefined();
    const a = ex.placeSynthetic(m.index, 'ask', 4600, 100)!;
    expect(ex.syntheticOrders(m.index)).toEqual([b, a]);
    expect(ex.bestBid(m.index, 'yes')).toEqual([4500, 300]);
    expect(ex.bestBid(m.index, 'no')).toEqual([5400, 100]);
  });

  it('invalid requests are ignored quietly', () => {
    const { ex, m } = setup();
    expect(ex.placeSynthetic(m.index, 'bid', 4550, 100)).toBeUndefined();
    expect(ex.placeSynthetic(m.index, 'bid', 0, 100)).toBeUndefined();
    expect(ex.placeSynthetic(m.index, 'bid', 4500, 0)).toBeUndefined();
    expect(ex.takeSynthetic(m.index, 'bid', 9900, 0)).toBe(0);
    ex.cancelSynthetic('nope');
    ex.cancelSynthetic('syn-1', -5);
    expect(ex.syntheticOrders(m.index)).toEqual([]);
  });

  it('cancelSynthetic: partial then whole; the list stays consistent (swap-remove)', () => {
    const { ex, m } = setup();
    const os = [4000, 4100, 4200, 4300].map((p) => ex.placeSynthetic(m.index, 'bid', p, 500)!);
    ex.cancelSynthetic(os[1].orderId, 200);
    expect(os[1].remainingCount).toBe(300);
    ex.cancelSynthetic(os[0].orderId);
    expect(os[0].status).toBe('canceled');
    expect(new Set(ex.syntheticOrders(m.index))).toEqual(new Set([os[1], os[2], os[3]]));
    ex.cancelSynthetic(os[3].orderId, 10_000);
    expect(new Set(ex.syntheticOrders(m.index))).toEqual(new Set([os[1], os[2]]));
    expect(ex.bookLevels(m.index, 'yes')).toEqual([[4100, 300], [4200, 500]]);
  });

  it('takeSynthetic fills real resting orders as makers (their fills recorded) and returns hundredths filled', () => {
    const { ex, m } = setup();
    const a = ex.createOrder('alice', order('ask', 5500, 300)).order;
    const s = ex.placeSynthetic(m.index, 'ask', 5600, 300)!;
    expect(ex.takeSynthetic(m.index, 'bid', 5600, 1000)).toBe(600);
    expect(a.status).toBe('executed');
    expect(s.status).toBe('executed');
    expect(ex.syntheticOrders(m.index)).toEqual([]);
    const fills = ex.account('alice')!.fills;
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ isTaker: false, yesPrice: 5500, count: 300, outcomeSide: 'no', postPosition: -300, fee: 0 });
    expect(ex.account('alice')!.cash).toBe(CASH - notional(4500, 300));
    expect(m.volume).toBe(600);
    expect(m.openInterest).toBe(300); // alice's 3 NO against the synthetic YES holder
    expectIdentity(ex, 'alice');
  });

  it('takeSynthetic respects its limit', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'bid', 4000, 300);
    ex.placeSynthetic(m.index, 'bid', 3900, 300);
    expect(ex.takeSynthetic(m.index, 'ask', 4000, 1000)).toBe(300);
    expect(ex.bookLevels(m.index, 'yes')).toEqual([[3900, 300]]);
  });

  it('a real taker hitting synthetic makers records only its own fills', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 300);
    const { fills } = ex.createOrder('alice', order('bid', 5000, 300));
    expect(fills).toHaveLength(1);
    expect(ex.account('bob')!.fills).toEqual([]);
  });
});
