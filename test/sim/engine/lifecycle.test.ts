import { describe, expect, it } from 'vitest';
import { notional } from '../../../src/shared/fixed-point.js';
import { takerFee } from '../../../src/shared/fees.js';
import { CASH, CLOSE, TICKER, T0, eventsOf, expectError, expectIdentity, order, setup } from './helpers.js';

describe('lifecycle: open and close', () => {
  it('initialized until openMs, then active with lifecycle activated', () => {
    const { ex, clock, log } = setup({ openMs: T0 + 5000 });
    expect(eventsOf(log, 'lifecycle')).toEqual([]);
    expect(ex.market(TICKER)!.status).toBe('initialized');
    ex.advanceTo(T0 + 4999);
    expect(ex.market(TICKER)!.status).toBe('initialized');
    clock.now = T0 + 5000;
    ex.advanceTo(clock.now);
    expect(ex.market(TICKER)!.status).toBe('active');
    expect(eventsOf(log, 'lifecycle')).toEqual([{ e: 'lifecycle', ticker: TICKER, type: 'activated', ts: T0 + 5000 }]);
  });

  it('addMarket emits created (then activated when already open)', () => {
    const s = setup();
    const log = s.log;
    s.ex.addMarket({ ...s.m, ticker: 'KXTEST-26JAN01-T70', openMs: T0 - 1, closeMs: CLOSE });
    expect(eventsOf(log, 'lifecycle').map((x) => x.type)).toEqual(['created', 'activated']);
    expect(s.ex.event('KXTEST-26JAN01')!.marketTickers).toEqual([TICKER, 'KXTEST-26JAN01-T70']);
  });

  it('close cancels every resting order (CloseCancel), releases reservations, refuses new orders', () => {
    const { ex, m, clock, log } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 500)).order;
    const s = ex.placeSynthetic(m.index, 'ask', 6000, 500)!;
    clock.now = CLOSE;
    const before = log.length;
    ex.advanceTo(CLOSE);
    expect(m.status).toBe('closed');
    expect(a).toMatchObject({ status: 'canceled', lastUpdateReason: 'CloseCancel', reservedCash: 0 });
    expect(s).toMatchObject({ status: 'canceled', lastUpdateReason: 'CloseCancel' });
    expect(ex.syntheticOrders(m.index)).toEqual([]);
    expect(ex.bookLevels(m.index, 'yes')).toEqual([]);
    expect(ex.bookLevels(m.index, 'no')).toEqual([]);
    expect(ex.account('alice')!.cash).toBe(CASH);
    expect(eventsOf(log, 'delta', before).map((d) => d.delta)).toEqual([-500, -500]);
    expect(eventsOf(log, 'lifecycle', before)).toEqual([]); // implicit on Kalshi
    expectError(() => ex.createOrder('alice', order('bid', 4000, 100)), 409, 'market_closed');
    expect(ex.placeSynthetic(m.index, 'bid', 4000, 100)).toBeUndefined();
  });

  it('any call catches up with the clock first (no advanceTo needed)', () => {
    const { ex, clock } = setup();
    clock.now = CLOSE + 1;
    expectError(() => ex.createOrder('alice', order('bid', 4000, 100)), 409, 'market_closed');
  });
});

describe('lifecycle: determination and settlement', () => {
  function tradeAndSettle(result: 'yes' | 'no') {
    const s = setup();
    const { ex, m } = s;
    ex.createOrder('bob', order('ask', 5600, 1000)); // bob buys 10 NO at 0.44 (maker)
    ex.createOrder('alice', order('bid', 5600, 1000)); // alice buys 10 YES at 0.56 (taker)
    ex.determine(TICKER, result);
    expect(m.status).toBe('determined');
    expect(m.result).toBe(result);
    s.advance(59_999);
    expect(m.status).toBe('determined');
    s.advance(1);
    expect(m.status).toBe('finalized');
    return s;
  }

  it('YES result: $1 per YES contract, NO holders get nothing, positions closed, records', () => {
    const { ex, m, log, clock } = tradeAndSettle('yes');
    const fee = takerFee(5600, 1000);
    const alice = ex.account('alice')!;
    expect(alice.cash).toBe(CASH - 5_600_000 - fee + 10_000_000);
    expect(alice.positions.get(m.index)).toMatchObject({ position: 0, exposure: 0, realizedPnl: 4_400_000, feesPaid: fee });
    expect(alice.settlements).toEqual([
      { marketIndex: m.index, result: 'yes', yesCount: 1000, yesTotalCost: 5_600_000, noCount: 0, noTotalCost: 0, revenue: 10_000_000, fee: 0, settledMs: clock.now },
    ]);
    const bob = ex.account('bob')!;
    expect(bob.cash).toBe(CASH - 4_400_000);
    expect(bob.positions.get(m.index)).toMatchObject({ position: 0, exposure: 0, realizedPnl: -4_400_000 });
    expect(bob.settlements[0]).toMatchObject({ result: 'yes', yesCount: 0, noCount: 1000, noTotalCost: 4_400_000, revenue: 0 });
    expect(m.settledMs).toBe(clock.now);
    expect(eventsOf(log, 'lifecycle').map((x) => x.type)).toEqual(['determined', 'settled']);
    expectIdentity(ex, 'alice');
    expectIdentity(ex, 'bob');
  });

  it('NO result: $1 per NO contract', () => {
    const { ex, m } = tradeAndSettle('no');
    expect(ex.account('bob')!.cash).toBe(CASH - 4_400_000 + 10_000_000);
    expect(ex.account('bob')!.positions.get(m.index)!.realizedPnl).toBe(5_600_000);
    expect(ex.account('alice')!.positions.get(m.index)!.realizedPnl).toBe(-5_600_000);
  });

  it('automatic: closed at closeMs, determined 5 s later from the fair value, finalized after the timer', () => {
    for (const [fair, result] of [[10_000, 'yes'], [0, 'no']] as const) {
      const s = setup({ fairValue: fair, settlementTimerSeconds: 30 });
      const { ex, m, log } = s;
      ex.placeSynthetic(m.index, 'ask', 5000, 100);
      ex.createOrder('alice', order('bid', 5000, 100));
      s.clock.now = CLOSE + 5000 + 30_000;
      ex.advanceTo(s.clock.now);
      expect(m.status).toBe('finalized');
      expect(m.result).toBe(result);
      expect(m.determineMs).toBe(CLOSE + 5000);
      expect(eventsOf(log, 'lifecycle').map((x) => [x.type, x.ts])).toEqual([['determined', CLOSE + 5000], ['settled', CLOSE + 35_000]]);
      expect(ex.account('alice')!.settlements[0].revenue).toBe(result === 'yes' ? notional(10_000, 100) : 0);
    }
  });

  it('the drawn result depends only on the seed, the ticker and the fair value', () => {
    const results = (seed: number) => {
      const s = setup({ seed, fairValue: 5000 });
      for (let i = 0; i < 24; i++) s.ex.addMarket({ ...s.m, ticker: `KXTEST-26JAN01-M${i}`, openMs: T0 - 1, closeMs: CLOSE });
      s.clock.now = CLOSE + 5000;
      s.ex.advanceTo(s.clock.now);
      return s.ex.markets().map((m) => m.result).join('');
    };
    expect(results(1)).toBe(results(1));
    expect(results(1)).not.toBe(results(2));
    expect(results(1)).toMatch(/^[yesno]+$/);
    expect(results(1)).toContain('yes');
    expect(results(1)).toContain('no');
  });

  it('determine() on an open market closes it first; finalized markets refuse', () => {
    const { ex, m } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 100)).order;
    ex.determine(TICKER, 'no');
    expect(a.lastUpdateReason).toBe('CloseCancel');
    expect(m.status).toBe('determined');
    ex.advanceTo(ex.now() + 60_000);
    expectError(() => ex.determine(TICKER, 'yes'), 409, 'invalid_market_state');
  });
});

describe('lifecycle: pause, resume, close-time changes', () => {
  it('pause: inactive, deactivated, cancel_order_on_pause orders cancelled; cancels still allowed', () => {
    const { ex, m, log } = setup();
    const keep = ex.createOrder('alice', order('bid', 4000, 100)).order;
    const drop = ex.createOrder('alice', order('bid', 3900, 100, { cancelOnPause: true })).order;
    const other = ex.createOrder('alice', order('bid', 3800, 100)).order;
    ex.pause(TICKER);
    expect(m.status).toBe('inactive');
    expect(drop).toMatchObject({ status: 'canceled', lastUpdateReason: 'HaltCancel' });
    expect(keep.status).toBe('resting');
    expectError(() => ex.createOrder('alice', order('bid', 4000, 100)), 409, 'trading_is_paused');
    expectError(() => ex.amendOrder('alice', keep.orderId, { ticker: TICKER, side: 'bid', price: 4100, count: 100 }), 409, 'trading_is_paused');
    ex.cancelOrder('alice', other.orderId);
    expect(eventsOf(log, 'lifecycle').map((x) => x.type)).toEqual(['deactivated']);
    ex.resume(TICKER);
    expect(m.status).toBe('active');
    expect(keep).toMatchObject({ status: 'canceled', lastUpdateReason: 'HaltCancel' });
    expect(eventsOf(log, 'lifecycle').map((x) => x.type)).toEqual(['deactivated', 'activated']);
    expect(ex.account('alice')!.cash).toBe(CASH);
    expectError(() => ex.resume(TICKER), 409, 'invalid_market_state');
  });

  it('updateCloseTime emits close_date_updated; an earlier close in the past closes at once; a closed market re-opens', () => {
    const { ex, m, log, clock } = setup();
    ex.updateCloseTime(TICKER, CLOSE + 1000);
    expect(m.closeMs).toBe(CLOSE + 1000);
    clock.now = CLOSE; // the old close time is stale now
    ex.advanceTo(clock.now);
    expect(m.status).toBe('active');
    ex.updateCloseTime(TICKER, CLOSE - 1);
    expect(m.status).toBe('closed');
    ex.updateCloseTime(TICKER, CLOSE + 10_000);
    expect(m.status).toBe('active');
    clock.now = CLOSE + 5000; // the determination timer set at the first close is stale
    ex.advanceTo(clock.now);
    expect(m.status).toBe('active');
    expect(eventsOf(log, 'lifecycle').map((x) => x.type)).toEqual(['close_date_updated', 'close_date_updated', 'close_date_updated', 'activated']);
  });

  it('closeEarly needs can_close_early', () => {
    const s = setup({ canCloseEarly: false });
    expectError(() => s.ex.closeEarly(TICKER), 409, 'invalid_market_state');
    const t = setup();
    t.ex.closeEarly(TICKER);
    expect(t.m.status).toBe('closed');
    expect(t.m.closeMs).toBe(T0);
  });
});

describe('order expiration', () => {
  it('an order with expirationMs is cancelled (ExpiryCancel) when the clock reaches it', () => {
    const { ex, clock, log } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 500, { expirationMs: T0 + 1000 })).order;
    ex.advanceTo(T0 + 999);
    expect(a.status).toBe('resting');
    const before = log.length;
    clock.now = T0 + 1000;
    ex.advanceTo(clock.now);
    expect(a).toMatchObject({ status: 'canceled', lastUpdateReason: 'ExpiryCancel', updatedMs: T0 + 1000, reservedCash: 0 });
    expect(ex.account('alice')!.cash).toBe(CASH);
    expect(log.slice(before).map((x) => x.e)).toEqual(['delta', 'order', 'ticker']);
  });

  it('queries catch up with the clock too (no advanceTo needed)', () => {
    const { ex, clock } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 500, { expirationMs: T0 + 1000 })).order;
    clock.now = T0 + 1000;
    expect(ex.getOrder('alice', a.orderId).status).toBe('canceled');
    expect(ex.account('alice')!.cash).toBe(CASH);
    clock.now = CLOSE;
    expect(ex.market(TICKER)!.status).toBe('closed');
  });

  it('timers run in time order within one advance', () => {
    const { ex, clock } = setup();
    const a = ex.createOrder('alice', order('bid', 4000, 500, { expirationMs: CLOSE - 1 })).order;
    const b = ex.createOrder('alice', order('bid', 3000, 500, { expirationMs: CLOSE + 1 })).order;
    clock.now = CLOSE + 100;
    ex.advanceTo(clock.now);
    expect(a.lastUpdateReason).toBe('ExpiryCancel');
    expect(b.lastUpdateReason).toBe('CloseCancel');
    expect(a.updatedMs).toBe(CLOSE - 1);
    expect(b.updatedMs).toBe(CLOSE);
    expectIdentity(ex, 'alice');
  });
});
