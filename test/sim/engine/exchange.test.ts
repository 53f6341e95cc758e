import { describe, expect, it } from 'vitest';
import { notional } from '../../../src/shared/fixed-point.js';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import { Exchange, type NewOrder } from '../../../src/sim/engine/exchange.js';
import { ExchangeError, type BookSideV2, type MarketState, type OrderState } from '../../../src/sim/engine/types.js';
import { rng } from '../../support/fixed-point.js';
import { CASH, T0, TICKER, eventsOf, expectIdentity, order, reserved, setup } from './helpers.js';

const ACCOUNTS = ['alice', 'bob', 'carol'];
/** carol is short of cash: her orders run into insufficient_balance. */
const DEPOSITS: Record<string, number> = { alice: CASH, bob: CASH, carol: 20_000_000 };

interface TradeRec {
  id: string;
  price: number;
  count: number;
  takerSide: BookSideV2;
}

/**
 * A seeded random session on two markets (one with maker fees, one on a sub-penny grid): real
 * accounts' creates / amends / decreases / cancels / order groups, synthetic quotes / cancels /
 * takes, time passing, then close and settlement. Returns everything observable.
 */
function simulate(engineSeed: number, opsSeed: number, steps: number) {
  const clock = { now: T0 };
  const ex = new Exchange({ clock: () => clock.now, seed: engineSeed });
  ex.addSeries({ ticker: 'A', title: 'A', category: 'x', feeType: 'quadratic', feeMultiplierMilli: 1000 });
  ex.addSeries({ ticker: 'B', title: 'B', category: 'x', feeType: 'quadratic_with_maker_fees', feeMultiplierMilli: 1500 });
  ex.addEvent({ ticker: 'A-1', seriesTicker: 'A', title: '', subTitle: '', marketTickers: [] });
  ex.addEvent({ ticker: 'B-1', seriesTicker: 'B', title: '', subTitle: '', marketTickers: [] });
  const common = { title: '', yesSubTitle: '', noSubTitle: '', openMs: T0 - 1, closeMs: T0 + 600_000, settlementTimerSeconds: 10, canCloseEarly: false };
  const markets: MarketState[] = [
    ex.addMarket({ ...common, ticker: 'A-1-T1', eventTicker: 'A-1', priceLevelStructure: 'linear_cent', grid: PriceGrid.forStructure('linear_cent'), fairValue: 5000 }),
    ex.addMarket({ ...common, ticker: 'B-1-T1', eventTicker: 'B-1', priceLevelStructure: 'tapered_deci_cent', grid: PriceGrid.forStructure('tapered_deci_cent'), fairValue: 3000 }),
  ];
  for (const id of ACCOUNTS) ex.openAccount(id, DEPOSITS[id]);

  const trades: TradeRec[] = [];
  const realLegs = new Map<string, { taker: boolean; maker: boolean }>();
  let fees = 0;
  const syntheticMakers = new Map<string, OrderState>();
  ex.addListener({
    trade: (_m, id, price, count, takerSide) => trades.push({ id, price, count, takerSide }),
    fill: (_a, f) => {
      const legs = realLegs.get(f.tradeId) ?? { taker: false, maker: false };
      if (f.isTaker) legs.taker = true;
      else legs.maker = true;
      realLegs.set(f.tradeId, legs);
      fees += f.fee;
    },
  });

  const r = rng(opsSeed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const price = (m: MarketState, around: number, spread: number) =>
    m.grid.snapOrderable(Math.max(1, Math.min(9999, around + Math.round((r() - 0.5) * spread))), r() < 0.5 ? 'down' : 'up');
  const errors = new Map<string, number>();
  const groups = new Map<string, string>();
  for (const id of ACCOUNTS) groups.set(id, ex.createOrderGroup(id, 100 * (5 + Math.floor(r() * 50))).id);

  const checkpoint = () => {
    for (const id of ACCOUNTS) expectIdentity(ex, id, DEPOSITS[id]);
    for (const v of ['yes', 'no'] as const) expect(zeroSum(v)).toBe(0);
  };
  /** Σ_real ΔW_v + fees + Σ_synthetic ΔW_v: 0 when money is conserved (v = the valuation). */
  const zeroSum = (v: 'yes' | 'no'): number => {
    const vYes = v === 'yes' ? 10_000 : 0;
    const vNo = 10_000 - vYes;
    let total = fees;
    for (const id of ACCOUNTS) {
      const a = ex.account(id)!;
      total += a.cash + reserved(ex, id) - DEPOSITS[id];
      for (const p of a.positions.values()) total += p.position > 0 ? notional(vYes, p.position) : notional(vNo, -p.position);
    }
    for (const t of trades) {
      const legs = realLegs.get(t.id) ?? { taker: false, maker: false };
      const sides: BookSideV2[] = [];
      if (!legs.taker) sides.push(t.takerSide);
      if (!legs.maker) sides.push(t.takerSide === 'bid' ? 'ask' : 'bid');
      for (const s of sides) total += s === 'bid' ? (vYes - t.price) * t.count : (vNo - (10_000 - t.price)) * t.count;
    }
    return total;
  };

  for (let step = 0; step < steps; step++) {
    const m = pick(markets);
    const fair = m.fairValue;
    const x = r();
    try {
      if (x < 0.25) {
        const side: BookSideV2 = r() < 0.5 ? 'bid' : 'ask';
        const p = side === 'bid' ? price(m, fair - 300, 400) : price(m, fair + 300, 400);
        const o = ex.placeSynthetic(m.index, side, p, 100 * (1 + Math.floor(r() * 20)));
        if (o !== undefined) syntheticMakers.set(o.orderId, o);
      } else if (x < 0.35) {
        const list = ex.syntheticOrders(m.index);
        if (list.length > 0) {
          const o = pick(list);
          ex.cancelSynthetic(o.orderId, r() < 0.5 ? undefined : 1 + Math.floor(r() * o.remainingCount));
        }
      } else if (x < 0.45) {
        ex.takeSynthetic(m.index, r() < 0.5 ? 'bid' : 'ask', price(m, fair, 1200), 1 + Math.floor(r() * 1500));
      } else if (x < 0.8) {
        const id = pick(ACCOUNTS);
        const tif = pick(['good_till_canceled', 'good_till_canceled', 'immediate_or_cancel', 'fill_or_kill'] as const);
        const req: NewOrder = {
          ticker: m.ticker,
          side: r() < 0.5 ? 'bid' : 'ask',
          price: price(m, fair, 1500),
          count: 1 + Math.floor(r() * 2000),
          timeInForce: tif,
          selfTradePrevention: r() < 0.5 ? 'taker_at_cross' : 'maker',
          postOnly: r() < 0.1,
          reduceOnly: tif === 'immediate_or_cancel' && r() < 0.3,
          orderGroupId: r() < 0.2 ? groups.get(id) : undefined,
          cancelOnPause: r() < 0.5,
          expirationMs: tif === 'good_till_canceled' && r() < 0.1 ? clock.now + 1 + Math.floor(r() * 60_000) : undefined,
        };
        ex.createOrder(id, req);
      } else if (x < 0.92) {
        const id = pick(ACCOUNTS);
        const resting = ex.listOrders(id, { status: 'resting' });
        if (resting.length > 0) {
          const o = pick(resting);
          const t = markets[o.marketIndex].ticker;
          const y = r();
          if (y < 0.4) ex.amendOrder(id, o.orderId, { ticker: t, side: o.side, price: price(markets[o.marketIndex], o.price, 600), count: o.fillCount + 1 + Math.floor(r() * 1500) });
          else if (y < 0.7) ex.decreaseOrder(id, o.orderId, { reduceBy: 1 + Math.floor(r() * o.remainingCount) });
          else ex.cancelOrder(id, o.orderId);
        }
      } else if (x < 0.95) {
        const id = pick(ACCOUNTS);
        const g = groups.get(id)!;
        const y = r();
        if (y < 0.5) ex.resetOrderGroup(id, g);
        else if (y < 0.7) ex.updateOrderGroupLimit(id, g, 100 * (1 + Math.floor(r() * 30)));
        else if (y < 0.8) ex.triggerOrderGroup(id, g);
        else ex.cancelAll(id, { ticker: m.ticker });
      } else if (x < 0.97) {
        if (m.status === 'active' && r() < 0.3) ex.pause(m.ticker);
        else if (m.status === 'inactive') ex.resume(m.ticker);
      } else if (x < 0.98) {
        if (m.status === 'inactive') ex.resume(m.ticker);
      } else {
        clock.now += Math.floor(r() * 5000);
        ex.advanceTo(clock.now);
      }
    } catch (err) {
      if (!(err instanceof ExchangeError)) throw err;
      errors.set(err.code, (errors.get(err.code) ?? 0) + 1);
    }
    if (step % 7 === 0) checkpoint();
  }
  checkpoint();
  for (const m of markets) if (m.status === 'inactive') ex.resume(m.ticker);

  clock.now = T0 + 600_000 + 5000 + 10_000;
  ex.advanceTo(clock.now);
  for (const m of markets) expect(m.status).toBe('finalized');
  return { ex, markets, trades, errors, fees, zeroSum, syntheticMakers };
}

describe('Exchange: money conservation (a seeded random session)', () => {
  it('per account: cash + reserved + exposure − realized + fees = deposits; across accounts: Σ ΔW + fees = −(synthetic ΔW)', () => {
    const { ex, markets, trades, errors, zeroSum } = simulate(1, 12345, 4000);
    expect(trades.length).toBeGreaterThan(300);
    // refusals happened and left no trace (checked by the invariants)
    expect([...errors.keys()]).toEqual(expect.arrayContaining(['insufficient_balance', 'exceeded_order_group_risk_limit', 'post_only_cross']));
    for (const id of ACCOUNTS) {
      expectIdentity(ex, id, DEPOSITS[id]);
      expect(ex.listOrders(id, { status: 'resting' })).toEqual([]);
      for (const p of ex.account(id)!.positions.values()) expect(p).toMatchObject({ position: 0, exposure: 0 });
    }
    // After settlement every position is cash: conservation holds for the actual results.
    // Both markets settle independently, so value each market at its own result.
    const results = markets.map((m) => m.result);
    expect(results.every((x) => x === 'yes' || x === 'no')).toBe(true);
    expect(settledZeroSum(ex, markets, trades)).toBe(0);
    // (zeroSum values every market at one outcome; with no positions left it must equal the
    // per-market form only when both markets have the same result.)
    if (results[0] === results[1]) expect(zeroSum(results[0] as 'yes' | 'no')).toBe(0);
  });

  it('the same with a different session', () => {
    const { ex, markets, trades } = simulate(2, 777, 3000);
    for (const id of ACCOUNTS) expectIdentity(ex, id, DEPOSITS[id]);
    expect(settledZeroSum(ex, markets, trades)).toBe(0);
  });
});

/** After finalization: Σ_real Δcash + fees + Σ_synthetic flows valued at each market's result = 0. */
function settledZeroSum(ex: Exchange, markets: MarketState[], trades: TradeRec[]): number {
  let total = 0;
  for (const id of ACCOUNTS) {
    const a = ex.account(id)!;
    total += a.cash - DEPOSITS[id];
    for (const p of a.positions.values()) total += p.feesPaid;
  }
  // every trade, valued at its market's result, from both sides, is zero-sum: the real sides
  // are in the accounts' cash; the synthetic sides are the rest.
  const realSide = new Map<string, Set<boolean>>();
  for (const id of ACCOUNTS) {
    for (const f of ex.account(id)!.fills) {
      const s = realSide.get(f.tradeId) ?? new Set<boolean>();
      s.add(f.isTaker);
      realSide.set(f.tradeId, s);
    }
  }
  const marketOfTrade = new Map<string, number>();
  for (const id of ACCOUNTS) for (const f of ex.account(id)!.fills) marketOfTrade.set(f.tradeId, f.marketIndex);
  for (const t of trades) {
    const legs = realSide.get(t.id) ?? new Set<boolean>();
    if (legs.size === 2) continue;
    const mi = marketOfTrade.get(t.id);
    if (mi === undefined) continue; // synthetic with synthetic: nets to zero
    const vYes = markets[mi].result === 'yes' ? 10_000 : 0;
    const vNo = 10_000 - vYes;
    const syntheticIsTaker = !legs.has(true);
    const side: BookSideV2 = syntheticIsTaker ? t.takerSide : t.takerSide === 'bid' ? 'ask' : 'bid';
    total += side === 'bid' ? (vYes - t.price) * t.count : (vNo - (10_000 - t.price)) * t.count;
  }
  return total;
}

describe('Exchange: determinism', () => {
  it('same seed + same calls → identical ids, fills, orders, settlements', () => {
    const a = simulate(99, 4242, 1500);
    const b = simulate(99, 4242, 1500);
    const snapshot = (s: ReturnType<typeof simulate>) =>
      JSON.stringify({
        trades: s.trades,
        accounts: ACCOUNTS.map((id) => ({
          a: s.ex.account(id)!.cash,
          fills: s.ex.account(id)!.fills,
          settlements: s.ex.account(id)!.settlements,
          orders: s.ex.listOrders(id).map((o) => ({ ...o, takerFeeAcc: undefined, makerFeeAcc: undefined })),
        })),
        results: s.markets.map((m) => m.result),
      });
    expect(snapshot(a)).toBe(snapshot(b));
    const c = simulate(100, 4242, 1500);
    expect(c.ex.listOrders('alice').at(-1)!.orderId).not.toBe(a.ex.listOrders('alice').at(-1)!.orderId);
  });

  it('ids are UUID-shaped and unique', () => {
    const { ex } = simulate(5, 6, 800);
    const seen = new Set<string>();
    for (const id of ACCOUNTS) {
      for (const o of ex.listOrders(id)) {
        expect(o.orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(seen.has(o.orderId)).toBe(false);
        seen.add(o.orderId);
      }
      for (const f of ex.account(id)!.fills) {
        expect(seen.has(f.fillId)).toBe(false);
        seen.add(f.fillId);
      }
    }
    expect(seen.size).toBeGreaterThan(100);
  });
});

describe('Exchange: listeners', () => {
  it('ticker fires once per call when the top of book, last price, volume or open interest changed', () => {
    const { ex, m, log } = setup();
    let before = log.length;
    ex.placeSynthetic(m.index, 'bid', 4000, 100);
    expect(eventsOf(log, 'ticker', before)).toHaveLength(1);
    before = log.length;
    ex.placeSynthetic(m.index, 'bid', 3000, 100); // below the best: no ticker
    expect(eventsOf(log, 'ticker', before)).toHaveLength(0);
    before = log.length;
    ex.placeSynthetic(m.index, 'bid', 4000, 100); // size at the best changed
    expect(eventsOf(log, 'ticker', before)).toHaveLength(1);
  });

  it('a mutating call from inside a listener is refused; reads are fine', () => {
    const { ex, m } = setup();
    const seen: unknown[] = [];
    ex.addListener({
      bookDelta: () => {
        seen.push(ex.bookLevels(m.index, 'yes'));
        try {
          ex.placeSynthetic(m.index, 'bid', 1000, 100);
        } catch (err) {
          seen.push((err as Error).message);
        }
      },
    });
    ex.placeSynthetic(m.index, 'bid', 4000, 100);
    expect(seen).toEqual([[[4000, 100]], 'Exchange: re-entrant call from a listener']);
    expect(ex.bookLevels(m.index, 'yes')).toEqual([[4000, 100]]);
  });

  it('a listener that throws does not interrupt the operation; its error is rethrown afterwards', () => {
    const { ex, m } = setup();
    const boom = new Error('boom');
    const off = ex.addListener({
      trade: () => {
        throw boom;
      },
    });
    ex.placeSynthetic(m.index, 'ask', 5000, 100);
    ex.placeSynthetic(m.index, 'ask', 5100, 100);
    expect(() => ex.createOrder('alice', order('bid', 5100, 200))).toThrow(boom);
    expect(ex.account('alice')!.fills).toHaveLength(2); // the whole sweep happened
    expectIdentity(ex, 'alice');
    off();
    expect(ex.createOrder('alice', order('bid', 4000, 100)).order.status).toBe('resting');
  });

  it('unsubscribe stops events', () => {
    const { ex, m } = setup();
    let n = 0;
    const off = ex.addListener({ bookDelta: () => void n++ });
    ex.placeSynthetic(m.index, 'bid', 4000, 100);
    off();
    ex.placeSynthetic(m.index, 'bid', 4100, 100);
    expect(n).toBe(1);
  });
});

describe('Exchange: catalogue', () => {
  it('series, events and markets are listed; the caller keeps its own marketTickers array', () => {
    const s = setup();
    const { ex, m } = s;
    expect(ex.series('KXTEST')!.feeType).toBe('quadratic');
    expect(ex.allSeries()).toHaveLength(1);
    expect(ex.allEvents().map((e) => e.marketTickers)).toEqual([[TICKER]]);
    expect(ex.marketAt(m.index)).toBe(m);
    expect(ex.markets()).toEqual([m]);
    expect(ex.market('nope')).toBeUndefined();
    expect(() => ex.marketAt(7)).toThrow(ExchangeError);
    expect(m).toMatchObject({ index: 0, seriesTicker: 'KXTEST', status: 'active', result: '' });
  });
});
