import { describe, expect, it } from 'vitest';
import { notional } from '../../../src/shared/fixed-point.js';
import { makerFee, takerFee } from '../../../src/shared/fees.js';
import { CASH, eventsOf, expectError, expectIdentity, order, setup } from './helpers.js';

describe('cash and fees', () => {
  it('buy 10 YES at 0.56 as taker: cash −5.60 − takerFee(5600, 1000)', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 5600, 1000);
    const { fills } = ex.createOrder('alice', order('bid', 5600, 1000));
    const fee = takerFee(5600, 1000);
    expect(fee).toBe(172_500);
    expect(fills[0].fee).toBe(fee);
    const a = ex.account('alice')!;
    expect(a.cash).toBe(CASH - 5_600_000 - fee);
    const p = a.positions.get(m.index)!;
    expect(p).toMatchObject({ position: 1000, exposure: 5_600_000, realizedPnl: 0, feesPaid: fee, totalTraded: 5_600_000, volume: 1000 });
    expectIdentity(ex, 'alice');
  });

  it('buy NO via an ask at 0.56 pays 0.44 per contract (complement 1 − p, never 0.99 − p)', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'bid', 5600, 1000);
    const { fills } = ex.createOrder('alice', order('ask', 5600, 1000));
    const fee = takerFee(5600, 1000);
    expect(fills[0]).toMatchObject({ outcomeSide: 'no', side: 'ask', yesPrice: 5600, count: 1000, fee, postPosition: -1000 });
    const a = ex.account('alice')!;
    expect(a.cash).toBe(CASH - 4_400_000 - fee);
    expect(a.positions.get(m.index)).toMatchObject({ position: -1000, exposure: 4_400_000 });
    expect(ex.account('alice')!.cash).not.toBe(CASH - 4_300_000 - fee);
    expectIdentity(ex, 'alice');
  });

  it('fractional contracts: 0.37 contracts at 0.4321 on a sub-penny grid, exact to the µ$', () => {
    const { ex, m } = setup({ structure: 'center_centi_edge_centi_cent' });
    ex.placeSynthetic(m.index, 'ask', 4321, 37);
    const { fills } = ex.createOrder('alice', order('bid', 4321, 37));
    expect(ex.account('alice')!.cash).toBe(CASH - 4321 * 37 - fills[0].fee);
    expect(fills[0].fee).toBe(takerFee(4321, 37));
  });

  it('the fee multiplier composes with the rate', () => {
    const { ex, m } = setup({ feeMultiplierMilli: 2000 });
    ex.placeSynthetic(m.index, 'ask', 5000, 100);
    const { fills } = ex.createOrder('alice', order('bid', 5000, 100));
    expect(fills[0].fee).toBe(35_000); // 2 × 0.0175
  });

  it('maker fees only on quadratic_with_maker_fees series, reserved while resting', () => {
    const { ex, m } = setup({ feeType: 'quadratic_with_maker_fees' });
    const { order: o } = ex.createOrder('alice', order('bid', 4000, 500));
    const mf = makerFee(4000, 500);
    expect(mf).toBe(21_000);
    expect(o.reservedCash).toBe(2_000_000 + mf);
    expect(ex.account('alice')!.cash).toBe(CASH - 2_000_000 - mf);
    expect(ex.takeSynthetic(m.index, 'ask', 4000, 500)).toBe(500);
    const f = ex.account('alice')!.fills[0];
    expect(f).toMatchObject({ isTaker: false, fee: mf, count: 500 });
    expect(o.makerFees).toBe(mf);
    expect(o.makerFillCost).toBe(2_000_000);
    expect(o.reservedCash).toBe(0);
    expect(ex.account('alice')!.cash).toBe(CASH - 2_000_000 - mf);
    expectIdentity(ex, 'alice');
  });

  it('a resting maker filled in pieces on a maker-fee series pays what one fill would', () => {
    const { ex, m } = setup({ feeType: 'quadratic_with_maker_fees' });
    const { order: o } = ex.createOrder('alice', order('bid', 3300, 700));
    for (let i = 0; i < 7; i++) ex.takeSynthetic(m.index, 'ask', 3300, 100);
    expect(o.status).toBe('executed');
    expect(o.makerFees).toBe(makerFee(3300, 700));
    expect(ex.account('alice')!.cash).toBe(CASH - notional(3300, 700) - makerFee(3300, 700));
    expectIdentity(ex, 'alice');
  });

  it('insufficient cash for cost + worst-case taker fee → 400 insufficient_balance, nothing changes', () => {
    const { ex, m, log } = setup();
    ex.openAccount('carol', 5_600_000);
    ex.placeSynthetic(m.index, 'ask', 5600, 1000);
    const before = log.length;
    expectError(() => ex.createOrder('carol', order('bid', 5600, 1000)), 400, 'insufficient_balance');
    expect(log.length).toBe(before);
    expect(ex.account('carol')!.cash).toBe(5_600_000);
    ex.adjustCash('carol', takerFee(5600, 1000));
    const { order: o } = ex.createOrder('carol', order('bid', 5600, 1000));
    expect(o.status).toBe('executed');
    expect(ex.account('carol')!.cash).toBe(0);
  });

  it('the worst-case fee is taken at the price nearest 0.50 the order can trade at', () => {
    const { ex, m } = setup();
    // bid at 0.60 into asks from 0.40: fills could be anywhere in [0.40, 0.60] → fee bound at 0.50
    ex.placeSynthetic(m.index, 'ask', 4000, 100);
    const need = notional(6000, 1000) + takerFee(5000, 1000);
    ex.openAccount('dave', need - 1);
    expectError(() => ex.createOrder('dave', order('bid', 6000, 1000)), 400, 'insufficient_balance');
    ex.adjustCash('dave', 1);
    expect(ex.createOrder('dave', order('bid', 6000, 1000)).order.fillCount).toBe(100);
    expectIdentity(ex, 'dave', need);
  });

  it('adjustCash never takes cash below zero', () => {
    const { ex } = setup();
    expectError(() => ex.adjustCash('alice', -CASH - 1), 400, 'insufficient_balance');
    ex.adjustCash('alice', -CASH);
    expect(ex.account('alice')!.cash).toBe(0);
  });
});

describe('reservations', () => {
  it('a resting opening reserves its cost; cancel and decrease release it', () => {
    const { ex } = setup();
    const { order: o } = ex.createOrder('alice', order('bid', 4000, 500));
    expect(o.reservedCash).toBe(2_000_000);
    expect(ex.account('alice')!.cash).toBe(CASH - 2_000_000);
    ex.decreaseOrder('alice', o.orderId, { reduceBy: 200 });
    expect(o.reservedCash).toBe(1_200_000);
    expect(ex.account('alice')!.cash).toBe(CASH - 1_200_000);
    ex.cancelOrder('alice', o.orderId);
    expect(o.reservedCash).toBe(0);
    expect(ex.account('alice')!.cash).toBe(CASH);
  });

  it('an ask (buy NO) reserves 1 − p per contract', () => {
    const { ex } = setup();
    const { order: o } = ex.createOrder('alice', order('ask', 7000, 1000));
    expect(o.reservedCash).toBe(3_000_000);
  });

  it('a maker fill is paid from the reservation: available cash does not move', () => {
    const { ex, m } = setup();
    const { order: o } = ex.createOrder('alice', order('bid', 4000, 500));
    const cash = ex.account('alice')!.cash;
    ex.takeSynthetic(m.index, 'ask', 4000, 200);
    expect(ex.account('alice')!.cash).toBe(cash);
    expect(o.reservedCash).toBe(1_200_000);
    expect(ex.account('alice')!.positions.get(m.index)).toMatchObject({ position: 200, exposure: 800_000 });
    expectIdentity(ex, 'alice');
  });

  it('a resting reduction of a held position needs no cash; only the unclaimed part does', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 1000);
    ex.createOrder('alice', order('bid', 5000, 1000)); // 10 YES
    const cash = ex.account('alice')!.cash;
    const sell = ex.createOrder('alice', order('ask', 7000, 1000)).order;
    expect(sell.reservedCash).toBe(0);
    expect(ex.account('alice')!.cash).toBe(cash);
    // Everything is claimed: a second ask opens NO and reserves 1 − 0.75
    const more = ex.createOrder('alice', order('ask', 7500, 500)).order;
    expect(more.reservedCash).toBe(notional(2500, 500));
    // Cancelling the first frees the claim; the second's part is not re-evaluated until it changes
    ex.cancelOrder('alice', sell.orderId);
    const third = ex.createOrder('alice', order('ask', 8000, 1000)).order;
    expect(third.reservedCash).toBe(0);
    expectIdentity(ex, 'alice');
  });

  it('a fill that reduces position another resting order claimed moves the claim: that order now reserves', () => {
    const { ex, m, log } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 1000);
    ex.createOrder('alice', order('bid', 5000, 1000)); // 10 YES
    const exit = ex.createOrder('alice', order('ask', 7000, 1000)).order; // claims all 10
    expect(exit.reservedCash).toBe(0);
    ex.placeSynthetic(m.index, 'bid', 5500, 1000);
    const before = log.length;
    // An IOC sells the 10 YES (netting is physical): the resting ask's claim is gone, so it now
    // opens NO and must hold 1 − 0.70 per contract.
    const { fills } = ex.createOrder('alice', order('ask', 5500, 1000, { timeInForce: 'immediate_or_cancel' }));
    expect(fills[0].postPosition).toBe(0);
    expect(exit.status).toBe('resting');
    expect(exit.reservedCash).toBe(notional(3000, 1000));
    expect(eventsOf(log, 'order', before).map((x) => x.orderId)).toContain(exit.orderId);
    const p = ex.account('alice')!.positions.get(m.index)!;
    expect(p.realizedPnl).toBe(notional(5500, 1000) - notional(5000, 1000));
    expectIdentity(ex, 'alice');
    // and when it fills, it opens 10 NO paid from that reservation
    ex.createOrder('bob', order('bid', 7000, 1000));
    expect(ex.account('alice')!.positions.get(m.index)).toMatchObject({ position: -1000, exposure: notional(3000, 1000) });
    expectIdentity(ex, 'alice');
  });

  it('a resting ask larger than the position reserves only for the NO it would open', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 300);
    ex.createOrder('alice', order('bid', 5000, 300)); // 3 YES
    const { order: o } = ex.createOrder('alice', order('ask', 6000, 1000));
    expect(o.reservedCash).toBe(notional(4000, 700));
    // bob buys all of it: alice sells 3 YES at 0.60 and opens 7 NO at 0.40
    const cashBefore = ex.account('alice')!.cash;
    ex.createOrder('bob', order('bid', 6000, 1000));
    const p = ex.account('alice')!.positions.get(m.index)!;
    expect(p.position).toBe(-700);
    expect(p.exposure).toBe(notional(4000, 700));
    expect(p.realizedPnl).toBe(notional(6000, 300) - notional(5000, 300));
    expect(ex.account('alice')!.cash).toBe(cashBefore + notional(4000, 700) + notional(6000, 300) - notional(4000, 700));
    expectIdentity(ex, 'alice');
    expectIdentity(ex, 'bob');
  });
});

describe('positions and P&L (§6 accounting model)', () => {
  it('netting: buying YES while holding NO reduces it; each pair frees $1', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'bid', 5600, 1000);
    ex.createOrder('alice', order('ask', 5600, 1000)); // 10 NO at 0.44
    const fee1 = takerFee(5600, 1000);
    ex.placeSynthetic(m.index, 'ask', 3000, 1000);
    const { fills } = ex.createOrder('alice', order('bid', 3000, 1000)); // buy YES at 0.30 = sell NO at 0.70
    const fee2 = takerFee(3000, 1000);
    expect(fills[0].postPosition).toBe(0);
    const a = ex.account('alice')!;
    expect(a.cash).toBe(CASH - 4_400_000 - fee1 + 7_000_000 - fee2);
    expect(a.positions.get(m.index)).toMatchObject({ position: 0, exposure: 0, realizedPnl: 2_600_000, feesPaid: fee1 + fee2 });
    expectIdentity(ex, 'alice');
  });

  it('crossing through zero in one fill: the rest opens the other side', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 4000, 500);
    ex.createOrder('alice', order('bid', 4000, 500)); // +5 YES at 0.40
    ex.placeSynthetic(m.index, 'bid', 4500, 800);
    ex.createOrder('alice', order('ask', 4500, 800)); // sell 5 YES at 0.45, buy 3 NO at 0.55
    const p = ex.account('alice')!.positions.get(m.index)!;
    expect(p.position).toBe(-300);
    expect(p.exposure).toBe(notional(5500, 300));
    expect(p.realizedPnl).toBe(notional(4500, 500) - notional(4000, 500));
    expectIdentity(ex, 'alice');
  });

  it('partial reductions release basis pro rata (floored), the last one releases the rest exactly', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 3300, 100);
    ex.placeSynthetic(m.index, 'ask', 3400, 200);
    ex.createOrder('alice', order('bid', 3400, 300));
    const p = ex.account('alice')!.positions.get(m.index)!;
    expect(p.exposure).toBe(330_000 + 680_000);
    ex.placeSynthetic(m.index, 'bid', 3500, 300);
    ex.createOrder('alice', order('ask', 3500, 100));
    expect(p.exposure).toBe(1_010_000 - 336_666);
    expect(p.realizedPnl).toBe(350_000 - 336_666);
    ex.createOrder('alice', order('ask', 3500, 200));
    expect(p.exposure).toBe(0);
    expect(p.position).toBe(0);
    expect(p.realizedPnl).toBe(1_050_000 - 1_010_000);
    expectIdentity(ex, 'alice');
  });

  it('portfolio value marks positions at the best bid of the held outcome', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 1000);
    ex.createOrder('alice', order('bid', 5000, 1000));
    expect(ex.portfolioValue('alice')).toBe(0); // no YES bid
    ex.placeSynthetic(m.index, 'bid', 4700, 100);
    expect(ex.portfolioValue('alice')).toBe(notional(4700, 1000));
    ex.placeSynthetic(m.index, 'bid', 4000, 100);
    ex.createOrder('bob', order('ask', 4700, 100)); // bob: 1 NO; NO best bid = 1 − best ask
    ex.placeSynthetic(m.index, 'ask', 5300, 100);
    expect(ex.portfolioValue('bob')).toBe(notional(4700, 100));
  });

  it('position events follow each fill with the post-fill state', () => {
    const { ex, m, log } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 300);
    const before = log.length;
    ex.createOrder('alice', order('bid', 5000, 300));
    expect(eventsOf(log, 'position', before)).toEqual([{ e: 'position', account: 'alice', position: 300, exposure: 1_500_000 }]);
  });
});

describe('reduce_only', () => {
  it('caps the order at the position it reduces', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'ask', 5000, 300);
    ex.createOrder('alice', order('bid', 5000, 300)); // 3 YES
    ex.placeSynthetic(m.index, 'bid', 5500, 1000);
    const { order: o, fills } = ex.createOrder('alice', order('ask', 5500, 1000, { reduceOnly: true, timeInForce: 'immediate_or_cancel' }));
    expect(fills.map((f) => f.count)).toEqual([300]);
    expect(o.initialCount).toBe(1000);
    expect(o.fillCount).toBe(300);
    expect(o.status).toBe('executed');
    expect(ex.account('alice')!.positions.get(m.index)!.position).toBe(0);
  });

  it('nothing to reduce: returned canceled with ReduceOnlyCancel (not an error)', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'bid', 5500, 1000);
    const { order: o, fills } = ex.createOrder('alice', order('ask', 5500, 1000, { reduceOnly: true, timeInForce: 'immediate_or_cancel' }));
    expect(fills).toEqual([]);
    expect(o.status).toBe('canceled');
    expect(o.lastUpdateReason).toBe('ReduceOnlyCancel');
    expect(ex.bookLevels(m.index, 'yes')).toEqual([[5500, 1000]]);
  });

  it('a bid reduces a NO position; reduce_only needs immediate_or_cancel', () => {
    const { ex, m } = setup();
    ex.placeSynthetic(m.index, 'bid', 5000, 200);
    ex.createOrder('alice', order('ask', 5000, 200)); // 2 NO
    expectError(() => ex.createOrder('alice', order('bid', 5000, 500, { reduceOnly: true })), 400, 'invalid_order');
    ex.placeSynthetic(m.index, 'ask', 4000, 500);
    const { fills } = ex.createOrder('alice', order('bid', 4000, 500, { reduceOnly: true, timeInForce: 'immediate_or_cancel' }));
    expect(fills.map((f) => [f.count, f.postPosition])).toEqual([[200, 0]]);
  });
});
