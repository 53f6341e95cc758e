import { describe, expect, it } from 'vitest';
import { Ledger, type LedgerFill } from '../../../src/workers/execution/ledger.js';
import { ExchangeError, type FillState } from '../../../src/sim/engine/types.js';
import { CASH, CLOSE, marketSpec, reserved, setup, T0, TICKER } from '../../sim/engine/helpers.js';
import { seededRandom as prng } from '../../../src/shared/kalshi/ws/backoff.js';

let tradeSeq = 0;
function fill(market: number, side: 'bid' | 'ask', yesPrice: number, count: number, fee: number, tsMs = T0): LedgerFill {
  tradeSeq++;
  return { tradeId: `t${tradeSeq}`, orderId: `o${tradeSeq}`, market, side, yesPrice, count, fee, tsMs };
}

describe('Ledger: hand examples (kalshi-api.md §6 model)', () => {
  it('opens, reduces pro rata, flips through netting, floors the released basis, settles', () => {
    const l = new Ledger(4);
    l.startSession(1_000_000_000, 1_000_000_000);
    // 1. bid 10 YES @ 0.40, fee $0.017: q 10, B $4, cash −$4.017
    l.applyFill(fill(0, 'bid', 4_000, 1_000, 17_000, T0 + 1));
    expect([l.position[0], l.costBasis[0], l.cash, l.openedAtMs[0]]).toEqual([1_000, 4_000_000, 995_983_000, T0 + 1]);
    // 2. ask 3 @ YES 0.55: sells 3 held YES at 0.55 → +$1.65; releases 3/10 of $4 = $1.20; realized +$0.45
    l.applyFill(fill(0, 'ask', 5_500, 300, 5_000, T0 + 2));
    expect([l.position[0], l.costBasis[0], l.realizedPnl[0], l.cash]).toEqual([700, 2_800_000, 450_000, 997_628_000]);
    // 3. ask 10 @ YES 0.60 = buy 10 NO @ 0.40 against 7 YES: 7 close at the YES exit 0.60 (+$4.20,
    //    whole basis $2.80 released, realized +$1.40), 3 open NO at 0.40 ($1.20).
    l.applyFill(fill(0, 'ask', 6_000, 1_000, 10_000, T0 + 3));
    expect([l.position[0], l.costBasis[0], l.realizedPnl[0], l.cash]).toEqual([-300, 1_200_000, 1_850_000, 1_000_618_000]);
    expect(l.openedAtMs[0]).toBe(T0 + 3); // the position flipped: a new one opened
    // 4a. ask 0.07 @ YES 0.6667 = 0.07 NO @ 0.3333: B += 23 331 µ$ → 1 223 331 (not divisible by 307)
    l.applyFill(fill(0, 'ask', 6_667, 7, 100, T0 + 4));
    expect([l.position[0], l.costBasis[0]]).toEqual([-307, 1_223_331]);
    // 4b. bid 1 @ YES 0.30 against 3.07 NO: exit at NO 0.70 → +$0.70; released ⌊1 223 331·100/307⌋ = 398 479
    l.applyFill(fill(0, 'bid', 3_000, 100, 2_000, T0 + 5));
    expect([l.position[0], l.costBasis[0], l.realizedPnl[0], l.cash]).toEqual([-207, 824_852, 2_151_521, 1_001_292_569]);
    // 5. settles NO: 2.07 winning NO contracts pay $2.07; the rest of the basis is realized.
    expect(l.applySettlement(0, 'no')).toBe(2_070_000);
    expect([l.position[0], l.costBasis[0], l.realizedPnl[0], l.cash, l.openedAtMs[0]]).toEqual([0, 0, 3_396_669, 1_003_362_569, 0]);
    expect(l.feesPaid[0]).toBe(34_100);
    expect(l.invested).toBe(4_000_000 + 1_200_000 + 23_331);
    expect(l.recouped).toBe(1_650_000 + 4_200_000 + 700_000 + 2_070_000);
    // The model's identity: cash + basis − realized + fees = what was there at the start.
    expect(l.cash + l.costBasis[0] - l.realizedPnl[0] + l.feesPaid[0]).toBe(1_000_000_000);
    expect(l.totalCostBasis).toBe(0);
    expect(l.openMarkets.size).toBe(0);
    expect(l.applySettlement(0, 'yes')).toBe(0); // settling again: nothing
  });

  it('a losing settlement pays nothing and realizes minus the basis', () => {
    const l = new Ledger(1);
    l.startSession(10_000_000, 10_000_000);
    l.applyFill(fill(0, 'bid', 2_500, 400, 0));
    expect(l.applySettlement(0, 'no')).toBe(0);
    expect([l.realizedPnl[0], l.cash, l.position[0]]).toEqual([-1_000_000, 9_000_000, 0]);
  });

  it('is idempotent by (trade_id, order_id): the WS and REST copies of a fill count once', () => {
    const l = new Ledger(2);
    l.startSession(5_000_000, 0);
    const f = fill(1, 'bid', 5_000, 500, 8_800);
    expect(l.applyFill(f)).toBe(true);
    const after = [l.cash, l.position[1], l.costBasis[1], l.feesPaid[1]];
    expect(l.applyFill({ ...f })).toBe(false);
    expect([l.cash, l.position[1], l.costBasis[1], l.feesPaid[1]]).toEqual(after);
    expect(l.hasFill(f.tradeId, f.orderId)).toBe(true);
    // The same trade against another of our orders (a self-cross) is a different fill.
    expect(l.applyFill({ ...f, orderId: 'other' })).toBe(true);
    l.markSeen('t-replayed', 'o-replayed');
    expect(l.applyFill({ ...f, tradeId: 't-replayed', orderId: 'o-replayed' })).toBe(false);
  });

  it('drift: exact per-field differences against an exchange snapshot', () => {
    const l = new Ledger(3);
    l.startSession(100_000_000, 0);
    l.applyFill(fill(0, 'bid', 4_000, 1_000, 0));
    l.applyFill(fill(2, 'ask', 7_000, 200, 0));
    const clean = l.drift({
      cash: l.cash - 600_000,
      reservedCash: 600_000,
      positions: [
        { market: 0, position: 1_000, costBasis: 4_000_000, realizedPnl: 0, feesPaid: 0 },
        { market: 2, position: -200, costBasis: 600_000 },
      ],
    });
    expect(clean).toEqual({ cash: 0, markets: [], ok: true });
    const d = l.drift({ cash: l.cash + 1, positions: [{ market: 0, position: 900, costBasis: 4_000_100, feesPaid: 5 }] });
    expect(d.ok).toBe(false);
    expect(d.cash).toBe(-1);
    expect(d.markets).toEqual([
      { market: 0, position: 100, costBasis: -100, realizedPnl: 0, feesPaid: -5 },
      { market: 2, position: -200, costBasis: 600_000, realizedPnl: 0, feesPaid: 0 }, // the exchange shows none
    ]);
  });

  it('adopts positions and cash from the exchange', () => {
    const l = new Ledger(2);
    l.adopt({ market: 1, position: -300, costBasis: 900_000, realizedPnl: 5, feesPaid: 7 }, T0);
    l.setCash(42);
    expect([l.position[1], l.costBasis[1], l.realizedPnl[1], l.feesPaid[1], l.cash, l.totalCostBasis, l.openedAtMs[1]]).toEqual([-300, 900_000, 5, 7, 42, 900_000, T0]);
    expect([...l.openMarkets]).toEqual([1]);
  });

  it('refuses malformed fills', () => {
    const l = new Ledger(1);
    expect(() => l.applyFill(fill(1, 'bid', 5_000, 100, 0))).toThrow(RangeError);
    expect(() => l.applyFill(fill(0, 'bid', 5_000, 0, 0))).toThrow(RangeError);
    expect(() => l.applyFill(fill(0, 'bid', 5_000, 100, -1))).toThrow(RangeError);
    expect(() => l.applyFill({ ...fill(0, 'bid', 5_000, 100, 0), side: 'buy' as 'bid' })).toThrow(RangeError);
    expect(() => l.applyFill(fill(0, 'bid', 10_001, 100, 0))).toThrow();
  });
});

/** mulberry32: a small deterministic PRNG. */

describe('Ledger equals the simulator engine (property)', () => {
  for (const seed of [1, 2, 3]) {
    it(`2,000 random orders from two accounts, seed ${seed}: cash, positions, basis, realized, fees to the µ$`, () => {
      const { ex, clock } = setup({ seed, feeType: 'quadratic_with_maker_fees', accounts: ['alice', 'bob'] });
      const markets = [ex.market(TICKER)!];
      markets.push(ex.addMarket(marketSpec('KXTEST-26JAN01-T60', { structure: 'tapered_deci_cent', fairValue: 8_800 })));
      markets.push(ex.addMarket(marketSpec('KXTEST-26JAN01-T70', { structure: 'deci_cent', fairValue: 2_000 })));
      const ledger = new Ledger(markets.length);
      ledger.startSession(CASH, 0);
      const fills: FillState[] = [];
      const toLedger = (f: FillState): LedgerFill => ({
        tradeId: f.tradeId, orderId: f.orderId, market: f.marketIndex, side: f.side, yesPrice: f.yesPrice, count: f.count, fee: f.fee, tsMs: f.tsMs,
      });
      ex.addListener({
        fill: (a, f) => {
          if (a.id !== 'alice') return;
          fills.push(f);
          expect(ledger.applyFill(toLedger(f))).toBe(true);
          expect(ledger.position[f.marketIndex]).toBe(f.postPosition);
        },
        lifecycle: (m, type) => {
          if (type === 'settled') ledger.applySettlement(m.index, m.result as 'yes' | 'no');
        },
      });

      const rnd = prng(seed * 7919);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
      let refused = 0;
      const compare = () => {
        const acct = ex.account('alice')!;
        for (const m of markets) {
          const p = acct.positions.get(m.index);
          const want = p === undefined ? [0, 0, 0, 0] : [p.position, p.exposure, p.realizedPnl, p.feesPaid];
          expect([ledger.position[m.index], ledger.costBasis[m.index], ledger.realizedPnl[m.index], ledger.feesPaid[m.index]]).toEqual(want);
        }
        // The engine's cash is available cash: the ledger's minus what resting orders hold.
        expect(ledger.cash).toBe(acct.cash + reserved(ex, 'alice'));
        const d = ledger.drift({
          cash: acct.cash,
          reservedCash: reserved(ex, 'alice'),
          positions: [...acct.positions.values()].map((p) => ({ market: p.marketIndex, position: p.position, costBasis: p.exposure, realizedPnl: p.realizedPnl, feesPaid: p.feesPaid })),
        });
        expect(d).toEqual({ cash: 0, markets: [], ok: true });
      };

      for (let i = 0; i < 2_000; i++) {
        const who = rnd() < 0.5 ? 'alice' : 'bob';
        const m = pick(markets);
        const grid = m.grid;
        clock.now += 1 + Math.floor(rnd() * 50);
        try {
          const r = rnd();
          const resting = ex.listOrders(who, { status: 'resting', ticker: m.ticker });
          if (r < 0.1 && resting.length > 0) {
            ex.cancelOrder(who, pick(resting).orderId);
          } else if (r < 0.2 && resting.length > 0) {
            const o = pick(resting);
            const price = grid.snapOrderable(o.price + (rnd() - 0.5) * 600, 'down');
            if (price > 0) ex.amendOrder(who, o.orderId, { ticker: m.ticker, side: o.side, price, count: o.fillCount + 1 + Math.floor(rnd() * 1_500) });
          } else {
            const side = rnd() < 0.5 ? 'bid' : 'ask';
            const price = grid.snapOrderable(m.fairValue + (rnd() - 0.5) * 1_600, side === 'bid' ? 'down' : 'up');
            if (price < 0) continue;
            const ioc = rnd() < 0.3;
            ex.createOrder(who, {
              ticker: m.ticker, side, price, count: 1 + Math.floor(rnd() * 1_500),
              timeInForce: ioc ? 'immediate_or_cancel' : 'good_till_canceled', selfTradePrevention: 'taker_at_cross',
              reduceOnly: ioc && rnd() < 0.2,
            });
          }
        } catch (err) {
          if (!(err instanceof ExchangeError)) throw err;
          refused++;
        }
        if (i % 100 === 99) compare();
      }
      compare();
      expect(fills.length).toBeGreaterThan(300);
      expect(fills.some((f) => !f.isTaker && f.fee > 0)).toBe(true); // maker fees (per-order rounding) are exercised
      expect(fills.some((f) => f.isTaker)).toBe(true);
      expect(fills.some((f) => f.side === 'bid') && fills.some((f) => f.side === 'ask')).toBe(true);
      expect(refused).toBeLessThan(1_000);
      // Every fill delivered again (a REST sync after the WebSocket): nothing changes.
      for (const f of fills) expect(ledger.applyFill(toLedger(f))).toBe(false);
      compare();

      expect(ledger.openMarkets.size).toBeGreaterThan(0); // settlement has positions to pay
      // Close, determine and pay out every market; afterwards nothing rests and cash is exact.
      clock.now = CLOSE + 5_000 + 60_000 + 1;
      ex.advanceTo(clock.now);
      for (const m of markets) expect(ex.market(m.ticker)!.status).toBe('finalized');
      expect(reserved(ex, 'alice')).toBe(0);
      compare();
      expect(ledger.cash).toBe(ex.account('alice')!.cash);
      expect(ledger.openMarkets.size).toBe(0);
    });
  }
});
