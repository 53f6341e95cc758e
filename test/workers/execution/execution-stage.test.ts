/**
 * ExecutionStage end to end against the simulator in this process (real REST and WebSocket on
 * loopback, real signing): intents pushed into its ring as an inference worker would push them,
 * books copied from the simulator's own, outside trades by a second account (bob). Every wait is
 * on a condition; the exchange's state is read straight from its engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PRICE_SCALE } from '../../../src/shared/fixed-point.js';
import { Action } from '../../../src/shared/policy/actions.js';
import { PositionBoard } from '../../../src/shared/position-board.js';
import { createMarketPositionView, MarketTradingState, TradingState } from '../../../src/shared/position-records.js';
import { ExecutionCore } from '../../../src/workers/execution/execution-core.js';
import { collectStats, ExecutionCounters, MAX_GROUP_ROWS } from '../../../src/workers/execution/execution-stats.js';
import { DenyReason } from '../../../src/workers/execution/limits.js';
import { GroupStatus, SESSION_GROUP } from '../../../src/workers/execution/order-groups.js';
import type { PricingMode } from '../../../src/workers/execution/pricing.js';
import type { MarketState, OrderState } from '../../../src/sim/engine/types.js';
import { ledgerMismatches, reservedAt, startHarness, topOf, until, type Harness } from './stage-harness.js';
import { seededRandom as prng } from '../../../src/shared/kalshi/ws/backoff.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Every order of this session in `m` (any status), oldest first. */
function sessionOrders(x: Harness, m: MarketState): OrderState[] {
  return x.sim.exchange.listOrders(x.key.keyId, { ticker: m.ticker }).filter((o) => o.clientOrderId.startsWith(`${x.stage.sessionId}-`)).reverse();
}


const denied = (x: Harness, reason: keyof typeof DenyReason): number => x.stage.stats().denied.byReason[reason] ?? 0;

/** Per ticker, the size at the best NO bid (= at the best YES ask), hundredths; filled by a harness `setup`. */
const h0Sizes = new Map<string, number>();
/** Tickers of series without maker fees. */
const h1Quadratic = new Set<string>();

/**
 * Two markets, a session group of 5 contracts: a bid in each, then bob's sells fill 5 and 1
 * contracts of them — 6 > 5 in the rolling window, so the exchange triggers the group.
 */
async function fillBurst(x: Harness): Promise<OrderState[]> {
  for (const m of x.markets) x.intent(m, Action.BUY_YES);
  await x.settle();
  const placed = x.resting();
  expect(placed).toHaveLength(2);
  const m0 = x.markets.find((m) => m.index === placed[0].marketIndex)!;
  x.bobOrder({ ticker: m0.ticker, side: 'ask', price: placed[0].price, count: 500, timeInForce: 'immediate_or_cancel' }); // 5 contracts: not over 5
  const m1 = x.markets.find((m) => m.index === placed[1].marketIndex)!;
  x.bobOrder({ ticker: m1.ticker, side: 'ask', price: placed[1].price, count: 100, timeInForce: 'immediate_or_cancel' }); // 6 > 5: triggered
  return placed;
}

describe('ExecutionStage against the simulator', () => {
  it.each<PricingMode>(['mid', 'aggressive'])('%s: after many intents and outside fills on moving books, the host\'s positions and cash equal the exchange\'s to the µ$', async (mode) => {
    // Synthetic liquidity moves the books (and trades against resting orders) while the host trades.
    h = await startHarness({ count: 4, settings: { priceMode: mode, groupLimit: 1_000_000 }, sim: { rate: 300 } });
    const x = h;
    const rnd = prng(20260801);
    const policy = x.markets.map(() => Action.BUY_YES as number);
    let taken = 0;
    for (let step = 0; step < 160; step++) {
      const i = Math.floor(rnd() * x.markets.length);
      if (rnd() < 0.3) policy[i] = 1 + Math.floor(rnd() * 4);
      x.intent(x.markets[i], policy[i]);
      await x.settle(`step ${step}`);
      const r = rnd();
      if (r < 0.15) {
        // bob moves a book: a resting order one tick inside the spread, on either side
        const m = x.markets[Math.floor(rnd() * x.markets.length)];
        const t = x.top(m);
        const lo = t.yesBid > 0 ? m.grid.levelOf(t.yesBid) : -1;
        const hi = t.yesAsk > 0 ? m.grid.levelOf(t.yesAsk) : -1;
        if (lo > 0 && hi > 0 && hi - lo >= 2) {
          const bid = rnd() < 0.5;
          x.bobOrder({ ticker: m.ticker, side: bid ? 'bid' : 'ask', price: m.grid.priceAt(bid ? lo + 1 : hi - 1), count: 100, timeInForce: 'good_till_canceled' });
        }
      } else if (r < 0.22) {
        x.sim.exchange.cancelAll(x.bob.keyId, { ticker: x.markets[Math.floor(rnd() * x.markets.length)].ticker }); // and takes it back
      } else if (r < 0.4) {
        // bob sweeps the best level of one side: the top moves (our order there, if any, fills)
        const m = x.markets[Math.floor(rnd() * x.markets.length)];
        const buy = rnd() < 0.5;
        const level = x.sim.exchange.bestBid(m.index, buy ? 'no' : 'yes');
        if (level !== undefined) {
          const price = buy ? PRICE_SCALE - level[0] : level[0];
          if (m.grid.isOrderable(price)) x.bobOrder({ ticker: m.ticker, side: buy ? 'bid' : 'ask', price, count: level[1], timeInForce: 'immediate_or_cancel' });
        }
      }
      const mine = x.resting();
      if (mine.length > 0 && rnd() < 0.6) {
        // bob takes from one of our resting orders, part of it or all
        const o = mine[Math.floor(rnd() * mine.length)];
        const ticker = x.markets.find((m) => m.index === o.marketIndex)!.ticker;
        x.bobOrder({ ticker, side: o.side === 'bid' ? 'ask' : 'bid', price: o.price, count: 100 + Math.floor(rnd() * 600), timeInForce: 'immediate_or_cancel' });
        taken++;
      }
    }
    x.sim.control.setLiquidity(false);
    await x.settle();
    await expect.poll(() => ledgerMismatches(x), { timeout: 30_000, interval: 20 }).toEqual([]);
    const s = x.stage.stats();
    const l = x.stage.core.ledger;
    if (mode === 'mid') expect(taken).toBeGreaterThan(40);
    expect(s.fills.ws).toBeGreaterThan(30);
    expect(s.orders.accepted).toBeGreaterThan(60);
    expect(x.markets.some((m) => l.realizedPnl[m.index] !== 0)).toBe(true); // closings happened, at moving prices
    if (mode === 'aggressive') expect(s.feesPaid).toBeGreaterThan(0); // taker fees
    expect(s.drift.confirmed).toBe(0); // the equality is the ledger's own arithmetic, not an adoption
    expect(x.stage.core.positionMismatches).toBe(0);
    expect(x.sim.exchange.account(x.key.keyId)!.fills.length).toBe(s.fills.ws + s.fills.sync);
    // The PositionBoard (what inference reads) carries the same numbers.
    const view = createMarketPositionView();
    const board = PositionBoard.attach(x.board.shared);
    for (const m of x.markets) {
      expect(board.readMarket(m.index, view)).toBe(true);
      expect([view.position, view.costBasis, view.realizedPnl, view.feesPaid]).toEqual([l.position[m.index], l.costBasis[m.index], l.realizedPnl[m.index], l.feesPaid[m.index]]);
    }
    // Stop cancels what rests: the host's cash is then the exchange's available balance exactly.
    const report = await x.stage.stop({ cancelResting: true });
    expect(report.remaining).toBe(0);
    expect(reservedAt(x.sim, x.key.keyId)).toBe(0);
    expect(l.cash).toBe(x.sim.exchange.account(x.key.keyId)!.cash);
    expect(ledgerMismatches(x)).toEqual([]);
  });

  it('throttle: a second intent for a market within 250 ms is denied, one after it goes', async () => {
    h = await startHarness({ count: 1, settings: { priceMode: 'passive', throttleMs: 250 } });
    const [m] = h.markets;
    h.intent(m, Action.BUY_YES);
    h.intent(m, Action.BUY_NO);
    await h.settle();
    expect(denied(h, 'THROTTLED')).toBe(1);
    expect(h.stage.stats().requests.place.sent).toBe(1);
    expect(h.resting(m).map((o) => o.side)).toEqual(['bid']);
    const core = h.stage.core;
    await until(() => core.throttle.allows(m.index, Date.now()), 'the throttle interval to pass');
    h.intent(m, Action.BUY_NO);
    await h.settle();
    expect(denied(h, 'THROTTLED')).toBe(1);
    expect(h.resting(m).map((o) => o.side)).toEqual(['ask']); // cancel, then place: not throttled again
  });

  it('cash reserve: openings are denied below it, closings still go out and fill', async () => {
    h = await startHarness({
      count: 2,
      settings: { priceMode: 'aggressive', cashReserve: 999_000_000 }, // $999 of the $1,000 balance
      pick: (m, t) => t.yesAsk <= 8_000 && t.yesBid >= 2_000,
      before: (sim, key, [a]) => {
        // A YES position bought outside the host, adopted by calibration.
        sim.control.placeOrder(key.keyId, { ticker: a.ticker, side: 'bid', price: topOf(sim, a).yesAsk, count: 300, timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross' });
      },
    });
    const [a, b] = h.markets;
    const l = h.stage.core.ledger;
    expect(l.position[a.index]).toBe(300);
    h.intent(a, Action.BUY_YES); // adds to YES: an opening
    h.intent(b, Action.BUY_NO); // flat: an opening
    await h.settle();
    expect(denied(h, 'CASH_RESERVE')).toBe(2);
    expect(h.stage.stats().orders.sent).toBe(0);
    h.intent(a, Action.SELL_YES); // reduces YES: a closing
    await h.settle();
    expect(h.stage.stats().requests.place).toMatchObject({ sent: 1, accepted: 1 });
    const sell = sessionOrders(h, a);
    expect(sell.map((o) => [o.side, o.reduceOnly, o.timeInForce])).toEqual([['ask', true, 'immediate_or_cancel']]);
    expect(sell[0].fillCount).toBeGreaterThan(0);
    await expect.poll(() => ledgerMismatches(h!), { timeout: 30_000, interval: 20 }).toEqual([]);
    expect(l.position[a.index]).toBe(300 - sell[0].fillCount);
  });

  it('position limit: orders shrink to the room left, then openings are denied', async () => {
    h = await startHarness({
      count: 1,
      settings: { priceMode: 'aggressive', contractSize: 5, maxPosition: 7 },
      pick: (m, t) => t.yesAsk <= 9_000 && (h0Sizes.get(m.ticker) ?? 0) >= 1_000,
      setup: (sim) => {
        for (const m of sim.exchange.markets()) h0Sizes.set(m.ticker, sim.exchange.bestBid(m.index, 'no')?.[1] ?? 0);
      },
    });
    const [m] = h.markets;
    const l = h.stage.core.ledger;
    h.intent(m, Action.BUY_YES);
    await h.settle();
    await until(() => l.position[m.index] === 500, 'the first fill');
    h.intent(m, Action.BUY_YES);
    await h.settle();
    await until(() => l.position[m.index] === 700, 'the second fill');
    h.intent(m, Action.BUY_YES);
    await h.settle();
    expect(denied(h, 'POSITION_LIMIT')).toBe(1);
    expect(sessionOrders(h, m).map((o) => [o.side, o.initialCount])).toEqual([['bid', 500], ['bid', 200]]);
    h.intent(m, Action.SELL_YES); // a closing still goes
    await h.settle();
    expect(sessionOrders(h, m)).toHaveLength(3);
    await expect.poll(() => ledgerMismatches(h!), { timeout: 30_000, interval: 20 }).toEqual([]);
  });

  it('exposure limit: an opening that would take total exposure over the cap is denied', async () => {
    h = await startHarness({
      count: 2,
      settings: { priceMode: 'aggressive', maxExposure: 4_000_000 }, // $4
      pick: (m, t) => t.yesAsk >= 5_000 && t.yesAsk <= 7_000 && (h0Sizes.get(m.ticker) ?? 0) >= 500,
      setup: (sim) => {
        for (const m of sim.exchange.markets()) h0Sizes.set(m.ticker, sim.exchange.bestBid(m.index, 'no')?.[1] ?? 0);
      },
    });
    const [a, b] = h.markets;
    const l = h.stage.core.ledger;
    h.intent(a, Action.BUY_YES); // ≤ $3.50 + fee: fits under $4
    await h.settle();
    await until(() => l.position[a.index] === 500, 'the fill in the first market');
    h.intent(b, Action.BUY_YES); // ≥ $2.50 more: over $4
    await h.settle();
    expect(denied(h, 'EXPOSURE_LIMIT')).toBe(1);
    expect(sessionOrders(h, b)).toEqual([]);
    expect(l.totalCostBasis).toBeGreaterThanOrEqual(2_500_000);
    h.intent(a, Action.BUY_NO); // reduces YES: a closing passes the cap
    await h.settle();
    expect(sessionOrders(h, a)).toHaveLength(2);
  });

  describe.each<PricingMode>(['aggressive', 'passive', 'mid'])('price mode %s', (mode) => {
    it('gives the expected wire side and YES price on the exchange for YES and NO actions', async () => {
      h = await startHarness({ count: 4, settings: { priceMode: mode }, seed: 11, simMarkets: 30 });
      const x = h;
      const actions = [Action.BUY_YES, Action.BUY_NO, Action.SELL_YES, Action.SELL_NO];
      const tops = x.markets.map((m) => x.top(m));
      x.markets.forEach((m, i) => x.intent(m, actions[i]));
      await x.settle();
      x.markets.forEach((m, i) => {
        const t = tops[i];
        const bid = actions[i] === Action.BUY_YES || actions[i] === Action.SELL_NO; // YES bought: a bid; NO bought: an ask
        const price = mode === 'aggressive' ? (bid ? t.yesAsk : t.yesBid) : mode === 'passive' ? (bid ? t.yesBid : t.yesAsk) : (t.yesBid + t.yesAsk) / 2;
        const orders = sessionOrders(x, m);
        expect(orders.map((o) => [o.side, o.price, o.initialCount])).toEqual([[bid ? 'bid' : 'ask', price, 500]]);
        const o = orders[0];
        if (mode === 'aggressive') {
          expect(o.timeInForce).toBe('immediate_or_cancel');
          expect(o.fillCount).toBeGreaterThan(0);
          const fills = x.sim.exchange.account(x.key.keyId)!.fills.filter((f) => f.orderId === o.orderId);
          // NO bought at 10000 − YES price: the best NO ask is the complement of the best YES bid.
          expect(fills.every((f) => f.yesPrice === price && f.outcomeSide === (bid ? 'yes' : 'no'))).toBe(true);
        } else {
          expect([o.status, o.postOnly]).toEqual(['resting', true]);
          const after = x.top(m);
          // The order is now the best of its side: a YES bid at `price`, or a NO bid at 10000 − price.
          if (bid) expect(after.yesBid).toBe(price);
          else expect(after.noBid).toBe(PRICE_SCALE - price);
        }
      });
      expect(x.stage.stats().orders).toMatchObject({ sent: 4, accepted: 4, rejected: 0 });
    });
  });

  it('one order per market: repeated intents amend or cancel-then-place, never stack', async () => {
    h = await startHarness({ count: 1, settings: { priceMode: 'passive' } });
    const x = h;
    const [m] = x.markets;
    const prefix = `${x.stage.sessionId}-`;
    const live = new Set<string>();
    let most = 0;
    x.sim.exchange.addListener({
      order: (a, o) => {
        if (a.id !== x.key.keyId || !o.clientOrderId.startsWith(prefix)) return;
        if (o.status === 'resting') live.add(o.orderId);
        else live.delete(o.orderId);
        most = Math.max(most, live.size);
      },
    });
    const t = x.top(m);
    x.intent(m, Action.BUY_YES);
    await x.settle();
    const [first] = x.resting(m);
    expect([first.side, first.price]).toEqual(['bid', t.yesBid]);
    // bob improves the bid by one tick: the next BUY_YES amends our order to the new best bid
    const better = m.grid.priceAt(m.grid.levelOf(t.yesBid) + 1);
    x.bobOrder({ ticker: m.ticker, side: 'bid', price: better, count: 100, timeInForce: 'good_till_canceled' });
    x.intent(m, Action.BUY_YES);
    await x.settle();
    expect(x.resting(m).map((o) => [o.orderId, o.price])).toEqual([[first.orderId, better]]);
    x.intent(m, Action.BUY_YES); // same side, same price: nothing to send
    await x.settle();
    expect(denied(x, 'ALREADY_WORKING')).toBe(1);
    x.intent(m, Action.BUY_NO); // the other side: cancel, then place
    await x.settle();
    const now = x.resting(m);
    expect(now.map((o) => o.side)).toEqual(['ask']);
    expect(x.sim.exchange.getOrder(x.key.keyId, first.orderId).status).toBe('canceled');
    // A burst of alternating intents with no pause in between.
    for (let i = 0; i < 40; i++) x.intent(m, i % 3 === 0 ? Action.BUY_YES : Action.BUY_NO);
    await x.settle();
    await until(() => x.stage.core.working.workingOrder(m.index)?.orderId === x.resting(m)[0]?.orderId, 'the working order');
    expect(x.resting(m).length).toBeLessThanOrEqual(1);
    expect(most).toBe(1);
    const s = x.stage.stats();
    expect(s.requests.amend.accepted).toBeGreaterThanOrEqual(1);
    expect(s.requests.cancel.accepted).toBeGreaterThanOrEqual(1);
    expect(s.denied.byReason.IN_FLIGHT ?? 0).toBeGreaterThan(0);
  });

  it('order group: a fill burst over the limit triggers it, resting orders go, new ones are refused until the reset', async () => {
    h = await startHarness({ count: 4, settings: { priceMode: 'mid', orderGroups: 'session', groupLimit: 10, groupAutoReset: true, groupResetCooldownMs: 3_000 } });
    const x = h;
    const core = x.stage.core;
    expect(core.groups.statusOf(SESSION_GROUP)).toBe(GroupStatus.ACTIVE); // created by calibration
    for (const m of x.markets) x.intent(m, Action.BUY_YES);
    await x.settle();
    const placed = x.resting();
    expect(placed).toHaveLength(4);
    const groupId = core.groups.idFor(x.markets[0].index);
    expect(placed.every((o) => o.orderGroupId === groupId)).toBe(true);
    // bob sells into three of our bids: 15 contracts filled in the group's 15 s window > 10
    for (const o of placed.slice(0, 3)) {
      const m = x.markets.find((k) => k.index === o.marketIndex)!;
      x.bobOrder({ ticker: m.ticker, side: 'ask', price: o.price, count: 500, timeInForce: 'immediate_or_cancel' });
    }
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, groupId).triggered).toBe(true);
    expect(x.resting()).toEqual([]); // the fourth order was cancelled by the exchange
    const last = x.markets.find((k) => k.index === placed[3].marketIndex)!;
    await until(() => core.groups.statusOf(SESSION_GROUP) === GroupStatus.TRIGGERED && core.working.workingOrder(last.index) === undefined, 'the trigger to reach the host');
    x.intent(last, Action.BUY_YES);
    await x.settle();
    expect(denied(x, 'GROUP_TRIGGERED')).toBe(1);
    expect(x.resting()).toEqual([]);
    // After the cool-down the host resets the group itself, and orders go again.
    await until(() => core.groups.statusOf(SESSION_GROUP) === GroupStatus.ACTIVE, 'the automatic reset', 30_000);
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, groupId).triggered).toBe(false);
    expect(x.stage.stats().requests.reset_group.accepted).toBe(1);
    x.intent(last, Action.BUY_YES);
    await x.settle();
    expect(x.resting(last).map((o) => o.orderGroupId)).toEqual([groupId]);
    await expect.poll(() => ledgerMismatches(x), { timeout: 30_000, interval: 20 }).toEqual([]);
  });

  it('5xx after accept: the order is found by its client_order_id, exactly one exists', async () => {
    h = await startHarness({ count: 1, settings: { priceMode: 'passive' } });
    const [m] = h.markets;
    h.sim.control.inject('5xx-after-accept:1');
    h.intent(m, Action.BUY_YES);
    await h.settle();
    const orders = sessionOrders(h, m);
    expect(orders.map((o) => o.status)).toEqual(['resting']);
    const s = h.stage.stats();
    expect(s.placesResolvedByLookup).toBe(1);
    expect(s.requests.place).toMatchObject({ sent: 1, accepted: 1, unknown: 0 });
    expect(h.stage.core.working.workingOrder(m.index)?.orderId).toBe(orders[0].orderId);
    const sent = h.journal.records('order_event').filter((r) => r.event === 'sent');
    expect(sent.map((r) => r.client_order_id)).toEqual([orders[0].clientOrderId]);
    // The market trades on normally: the next intent on the other side replaces it, still one order at a time.
    h.intent(m, Action.BUY_NO);
    await h.settle();
    expect(h.resting(m).map((o) => o.side)).toEqual(['ask']);
  });

  it('timeout after accept: the same, through the lookup after the timeout', async () => {
    h = await startHarness({ count: 1, settings: { priceMode: 'passive' }, rest: { timeoutMs: 1_500 } });
    const [m] = h.markets;
    h.sim.control.inject('timeout-after-accept:1');
    h.intent(m, Action.BUY_YES);
    await h.settle();
    expect(sessionOrders(h, m).map((o) => o.status)).toEqual(['resting']);
    expect(h.stage.stats().placesResolvedByLookup).toBe(1);
    await until(() => h!.stage.core.working.workingOrder(m.index)?.orderId === sessionOrders(h!, m)[0].orderId, 'the working order');
  });

  it('calibration adopts this session\'s orders and positions, cancels orphans in its markets, leaves other markets alone', async () => {
    const sessionId = 'tcalib1';
    let elsewhere: MarketState | undefined;
    const placedIds: Record<string, string> = {};
    h = await startHarness({
      count: 3,
      stage: { sessionId },
      pick: (m) => h1Quadratic.has(m.ticker),
      setup: (sim) => {
        for (const m of sim.exchange.markets()) if (sim.exchange.series(m.seriesTicker)?.feeType === 'quadratic') h1Quadratic.add(m.ticker);
      },
      before: (sim, key, [a, b, c]) => {
        const place = (m: MarketState, side: 'bid' | 'ask', price: number, count: number, tif: 'good_till_canceled' | 'immediate_or_cancel', clientOrderId: string) =>
          sim.control.placeOrder(key.keyId, { ticker: m.ticker, side, price, count, timeInForce: tif, selfTradePrevention: 'taker_at_cross', clientOrderId }).order.orderId;
        placedIds.orphan = place(a, 'bid', topOf(sim, a).yesBid, 200, 'good_till_canceled', 'someone-else-1');
        place(b, 'bid', topOf(sim, b).yesAsk, 300, 'immediate_or_cancel', 'manual-buy-1');
        placedIds.own = place(c, 'ask', topOf(sim, c).yesAsk, 400, 'good_till_canceled', `${sessionId}-${c.ticker}-5`);
        elsewhere = sim.exchange.markets().find((m) => m.status === 'active' && ![a, b, c].includes(m))!;
        placedIds.elsewhere = place(elsewhere, 'bid', 100, 100, 'good_till_canceled', 'manual-far-1');
      },
    });
    const [, b, c] = h.markets;
    const ex = h.sim.exchange;
    const core = h.stage.core;
    expect(ex.getOrder(h.key.keyId, placedIds.orphan).status).toBe('canceled');
    expect(ex.getOrder(h.key.keyId, placedIds.elsewhere).status).toBe('resting');
    expect(ex.getOrder(h.key.keyId, placedIds.own).status).toBe('resting');
    expect(core.working.workingOrder(c.index)?.orderId).toBe(placedIds.own);
    expect(core.ids.nextSeq(c.ticker)).toBe(6); // continues after the adopted id, never reuses it
    expect(core.ledger.position[b.index]).toBe(ex.account(h.key.keyId)!.positions.get(b.index)!.position);
    expect(ledgerMismatches(h)).toEqual([]); // cash = balance + what the resting orders hold, to the µ$
    const cal = h.journal.records('calibration')[0];
    expect(cal).toMatchObject({ session_id: sessionId, orphans_cancelled: 1, orders_adopted: 1, orders_elsewhere: 1, positions_adopted: 1 });
    expect(h.stage.core.getTradingState()).toBe(TradingState.TRADING);
    // The adopted order is worked like any other: the opposite intent cancels it and places anew.
    h.intent(c, Action.BUY_YES);
    await h.settle();
    expect(ex.getOrder(h.key.keyId, placedIds.own).status).toBe('canceled');
    expect(h.resting(c).map((o) => [o.side, o.clientOrderId])).toEqual([['bid', `${sessionId}-${c.ticker}-6`]]);
  });

  it('with cancelOrphans off, an orphan is counted and left resting, at calibration and by every sync', async () => {
    let orphanId = '';
    h = await startHarness({
      count: 1,
      settings: { cancelOrphans: false },
      before: (sim, key, [a]) => {
        orphanId = sim.control.placeOrder(key.keyId, { ticker: a.ticker, side: 'bid', price: topOf(sim, a).yesBid, count: 200, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross', clientOrderId: 'someone-else-2' }).order.orderId;
      },
    });
    const ex = h.sim.exchange;
    expect(h.journal.records('calibration')[0]).toMatchObject({ orphans_cancelled: 0, orphans_not_cancelled: 1 });
    h.stage.requestReconcile('test');
    await until(() => h!.stage.lastSyncReport()?.reason === 'test', 'the reconcile');
    expect(h.stage.lastSyncReport()?.orphansCancelled).toBe(0);
    expect(ex.getOrder(h.key.keyId, orphanId).status).toBe('resting');
  });

  it('drains several intent rings fairly: a busy ring does not hold back another', async () => {
    h = await startHarness({ count: 2, rings: 2, start: false, settings: { priceMode: 'passive' } });
    const x = h;
    const [a, b] = x.markets;
    for (let i = 0; i < 300; i++) x.intent(a, Action.BUY_YES, 0);
    for (let i = 0; i < 300; i++) x.intent(b, Action.BUY_YES, 1);
    const core = x.stage.core;
    const seen: number[] = [];
    const decide = core.onIntent.bind(core);
    core.onIntent = (market, action, nowMs) => {
      seen.push(market);
      return decide(market, action, nowMs);
    };
    await x.stage.start();
    await x.settle();
    expect(x.stage.stats().intents.byRing).toEqual([300, 300]);
    // Round robin, 64 records per ring per round: the first 128 decisions are half each.
    const first = seen.slice(0, 128);
    expect(first.filter((m) => m === a.index)).toHaveLength(64);
    expect(first.filter((m) => m === b.index)).toHaveLength(64);
    expect(x.resting().map((o) => o.marketIndex).sort()).toEqual([a.index, b.index].sort());
  });

  it('market-mode order groups: each market\'s first order creates its group, then goes out in it', async () => {
    h = await startHarness({ count: 2, settings: { priceMode: 'passive', orderGroups: 'market', groupLimit: 50 } });
    const x = h;
    expect(x.sim.exchange.listOrderGroups(x.key.keyId)).toEqual([]); // nothing created up front
    for (const m of x.markets) x.intent(m, Action.BUY_YES);
    await x.settle();
    const groups = x.sim.exchange.listOrderGroups(x.key.keyId);
    expect(groups.map((g) => g.limit)).toEqual([5_000, 5_000]);
    const resting = x.resting();
    expect(resting).toHaveLength(2);
    expect(new Set(resting.map((o) => o.orderGroupId))).toEqual(new Set(groups.map((g) => g.id)));
    expect(x.stage.stats().requests.create_group).toMatchObject({ sent: 2, accepted: 2 });
    const report = await x.stage.stop({ cancelResting: true });
    expect(report).toMatchObject({ remaining: 0, groupsDeleted: 2 });
  });

  it('stop cancels this session\'s resting orders, and only those, within a few seconds', async () => {
    h = await startHarness({ count: 3, settings: { priceMode: 'passive' } });
    const x = h;
    for (const m of x.markets) x.intent(m, Action.BUY_YES);
    await x.settle();
    expect(x.resting()).toHaveLength(3);
    const far = x.sim.exchange.markets().find((m) => m.status === 'active' && !x.markets.includes(m))!;
    const foreign = x.sim.control.placeOrder(x.key.keyId, { ticker: far.ticker, side: 'bid', price: 100, count: 100, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross', clientOrderId: 'by-hand-1' }).order;
    const t0 = Date.now();
    const report = await x.stage.stop({ cancelResting: true });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(report).toMatchObject({ cancelled: 3, remaining: 0, abandoned: 0, groupsDeleted: 1 });
    expect(x.resting()).toEqual([]);
    expect(x.sim.exchange.getOrder(x.key.keyId, foreign.orderId).status).toBe('resting');
    expect(x.sim.exchange.listOrderGroups(x.key.keyId)).toEqual([]);
    await until(() => x.sim.control.connections() === 0, 'the private WebSocket to close');
    // Intents after the stop are not taken.
    x.intent(x.markets[0], Action.BUY_YES);
    expect(x.ring.size()).toBe(1);
  });

  it('stop without cancelling leaves the resting orders in place', async () => {
    h = await startHarness({ count: 2, settings: { priceMode: 'passive' } });
    for (const m of h.markets) h.intent(m, Action.BUY_YES);
    await h.settle();
    const report = await h.stage.stop({ cancelResting: false });
    expect(report).toMatchObject({ cancelled: 0, groupsDeleted: 0 });
    expect(h.resting()).toHaveLength(2);
  });
});


/** Per ticker, the sizes at the best YES bid and the best NO bid, hundredths; filled by a harness `setup`. */
const h2Sizes = new Map<string, [number, number]>();
const recordSizes = (sim: Harness['sim']): void => {
  for (const m of sim.exchange.markets()) h2Sizes.set(m.ticker, [sim.exchange.bestBid(m.index, 'yes')?.[1] ?? 0, sim.exchange.bestBid(m.index, 'no')?.[1] ?? 0]);
};
/** Both sides quoted at least 10 contracts deep at the top, and priced away from the edges. */
const deep = (m: MarketState, t: { yesBid: number; yesAsk: number }): boolean => {
  const [yes, no] = h2Sizes.get(m.ticker) ?? [0, 0];
  return yes >= 1_000 && no >= 1_000 && t.yesBid >= 2_000 && t.yesAsk <= 8_000;
};
/** Before calibration: our account buys `count` YES (count > 0) or NO (count < 0) in `m`, outside the host (adopted at start). */
const buyOutside = (sim: Harness['sim'], keyId: string, m: MarketState, count: number): void => {
  const t = topOf(sim, m);
  sim.control.placeOrder(keyId, {
    ticker: m.ticker, side: count > 0 ? 'bid' : 'ask', price: count > 0 ? t.yesAsk : t.yesBid, count: Math.abs(count),
    timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross',
  });
};
const exchangePosition = (x: Harness, m: MarketState): number => x.sim.exchange.account(x.key.keyId)!.positions.get(m.index)?.position ?? 0;

describe('ExecutionStage: the supervisor\'s commands against the simulator', () => {
  it('exitPosition closes real positions (YES and NO) at once, cancelling the working order first; journaled with its reason', async () => {
    h = await startHarness({
      count: 2, settings: { priceMode: 'passive' }, pick: deep, setup: recordSizes,
      before: (sim, key, [a, b]) => {
        buyOutside(sim, key.keyId, a, 300);
        buyOutside(sim, key.keyId, b, -200);
      },
    });
    const x = h;
    const [a, b] = x.markets;
    const l = x.stage.core.ledger;
    expect([l.position[a.index], l.position[b.index]]).toEqual([300, -200]);
    x.intent(a, Action.BUY_YES); // a passive bid rests in a: the exit must not go beside it
    await x.settle();
    const [bid] = x.resting(a);
    expect(bid.side).toBe('bid');

    const ra = x.stage.exitPosition(a.index, 'take_profit');
    expect(ra).toEqual({ status: 'deferred', orderId: bid.orderId });
    const rb = x.stage.exitPosition(b.index, 'stop_loss');
    expect(rb).toMatchObject({ status: 'sent', side: 'bid', price: topOf(x.sim, b).yesAsk, count: 200 });
    await until(() => l.position[a.index] === 0 && l.position[b.index] === 0, 'both positions flat in the ledger');
    await x.settle();
    expect([exchangePosition(x, a), exchangePosition(x, b)]).toEqual([0, 0]);
    expect(x.sim.exchange.getOrder(x.key.keyId, bid.orderId).status).toBe('canceled');
    expect(x.resting()).toEqual([]);
    await expect.poll(() => ledgerMismatches(x), { timeout: 30_000, interval: 20 }).toEqual([]);

    const exits = sessionOrders(x, a).concat(sessionOrders(x, b)).filter((o) => o.reduceOnly);
    expect(exits.map((o) => [o.timeInForce, o.orderGroupId, o.initialCount])).toEqual([['immediate_or_cancel', '', 300], ['immediate_or_cancel', '', 200]]);
    const events = x.journal.records('order_event');
    const sent = events.filter((r) => r.event === 'sent' && r.exit_reason !== undefined);
    expect(sent.map((r) => [r.market_ticker, r.exit_reason, r.time_in_force, r.reduce_only, r.order_group_id, r.count])).toEqual([
      [b.ticker, 'stop_loss', 'immediate_or_cancel', true, null, 200],
      [a.ticker, 'take_profit', 'immediate_or_cancel', true, null, 300],
    ]);
    expect(events.filter((r) => r.event === 'accepted' && r.exit_reason === 'take_profit')).toHaveLength(1);
    expect(events.find((r) => r.event === 'cancel_sent' && r.order_id === bid.orderId)?.cancel_reason).toBe('take_profit');

    expect(x.stage.exitPosition(a.index, 'max_hold')).toEqual({ status: 'denied', reason: 'FLAT' });
    expect(x.stage.stats().exits).toEqual({
      requested: 3, sent: 2, denied: 1, byReason: { take_profit: 1, stop_loss: 1, max_hold: 1 }, deniedBy: { FLAT: 1 },
    });
  });

  it('kill with flatten: HALTED at once, the session group triggered, every order cancelled, positions flat; openings refused until cleared; then groups reset and trading resumes', async () => {
    h = await startHarness({
      count: 3, settings: { priceMode: 'passive', orderGroups: 'session' }, pick: deep, setup: recordSizes,
      before: (sim, key, [a, b]) => {
        buyOutside(sim, key.keyId, a, 300);
        buyOutside(sim, key.keyId, b, -200);
      },
    });
    const x = h;
    const [a, b, c] = x.markets;
    const core = x.stage.core;
    const groupId = core.groups.idFor(a.index);
    expect(groupId).not.toBe('');
    x.intent(a, Action.BUY_YES);
    x.intent(b, Action.BUY_NO);
    x.intent(c, Action.BUY_YES);
    await x.settle();
    expect(x.resting().map((o) => o.orderGroupId)).toEqual([groupId, groupId, groupId]);
    // One of ours outside the group (as a restart replaying the journal might leave): the cancel sweep takes it.
    const far = x.sim.exchange.markets().find((m) => m.status === 'active' && !x.markets.includes(m))!;
    const loose = x.sim.control.placeOrder(x.key.keyId, {
      ticker: far.ticker, side: 'bid', price: 100, count: 100, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross', clientOrderId: `${x.stage.sessionId}-loose-1`,
    }).order;

    const report = await x.stage.kill({ flatten: true, reason: 'kill_switch' });
    expect(report).toMatchObject({ groupsTriggered: 1, cancelled: 1, remaining: 0, exitsDenied: 0, openPositions: 0 });
    expect(report.exitsSent).toBeGreaterThanOrEqual(2);
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, groupId).triggered).toBe(true);
    expect(x.sim.exchange.getOrder(x.key.keyId, loose.orderId).status).toBe('canceled');
    expect(x.resting()).toEqual([]);
    expect(x.sim.exchange.listOrders(x.key.keyId, { status: 'resting' }).filter((o) => o.clientOrderId.startsWith(x.stage.sessionId))).toEqual([]);
    expect([exchangePosition(x, a), exchangePosition(x, b), exchangePosition(x, c)]).toEqual([0, 0, 0]);
    await x.settle();
    await expect.poll(() => ledgerMismatches(x), { timeout: 30_000, interval: 20 }).toEqual([]);
    expect(core.getTradingState()).toBe(TradingState.HALTED);
    const halted = x.journal.records('state_transition').filter((r) => r.machine === 'trading' && r.to_state === 'halted');
    expect(halted.map((r) => [r.from_state, r.reason])).toEqual([['trading', 'kill_switch']]);
    expect(x.journal.records('health_event').filter((r) => r.monitor === 'kill_switch').map((r) => r.event)).toEqual(['killed']);
    let s = x.stage.stats();
    expect([s.tradingState, s.requestedTradingState]).toEqual([TradingState.HALTED, TradingState.HALTED]);
    expect(s.groups).toEqual({ total: 1, triggered: 1, triggeredIds: [groupId] });
    expect(s.exits.byReason).toEqual({ kill_switch: report.exitsSent });

    // HALTED holds: through the reconcile the kill asked for, and against any opening.
    await until(() => x.stage.stats().reconciles.kill === 1 && x.stage.stats().lastSync?.reason === 'kill', 'the kill\'s reconcile');
    expect(x.stage.stats().lastSync).toMatchObject({ reason: 'kill', driftOk: true, driftConfirmed: false });
    for (const m of x.markets) x.intent(m, Action.BUY_YES);
    await x.settle();
    expect(denied(x, 'NOT_TRADING')).toBe(3);
    expect(x.resting()).toEqual([]);

    // Cleared: the groups come back, then trading.
    expect(x.stage.resetTriggeredGroups()).toBe(1);
    await until(() => x.stage.stats().groups.triggered === 0, 'the group reset');
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, groupId).triggered).toBe(false);
    expect(core.getTradingState()).toBe(TradingState.HALTED);
    x.stage.setTradingState(TradingState.TRADING, 'kill_cleared');
    expect(core.getTradingState()).toBe(TradingState.TRADING);
    const resumed = x.journal.records('state_transition').filter((r) => r.machine === 'trading').at(-1)!;
    expect([resumed.from_state, resumed.to_state, resumed.reason]).toEqual(['halted', 'trading', 'kill_cleared']);
    x.intent(c, Action.BUY_YES);
    await x.settle();
    expect(x.resting(c).map((o) => o.orderGroupId)).toEqual([groupId]);
    s = x.stage.stats();
    expect(s.groups).toEqual({ total: 1, triggered: 0, triggeredIds: [] });
  });

  it('resetTriggeredGroups: a group the exchange triggered on a fill burst, with automatic resets off, is reset at once', async () => {
    // mid: our bids are alone at their level, so bob's sells fill them first.
    h = await startHarness({ count: 2, settings: { priceMode: 'mid', orderGroups: 'session', groupLimit: 5, groupAutoReset: false } });
    const x = h;
    const core = x.stage.core;
    const placed = await fillBurst(x);
    const groupId = placed[0].orderGroupId;
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, groupId).triggered).toBe(true);
    await until(() => x.stage.stats().groups.triggered === 1, 'the trigger to reach the host');
    expect(x.stage.stats().groups.triggeredIds).toEqual([groupId]);
    expect(x.stage.resetTriggeredGroups()).toBe(1);
    await until(() => x.stage.stats().groups.triggered === 0, 'the reset');
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, groupId).triggered).toBe(false);
    expect(x.stage.stats().requests.reset_group).toMatchObject({ sent: 1, accepted: 1 });
    expect(x.stage.resetTriggeredGroups()).toBe(0);
    expect(core.getTradingState()).toBe(TradingState.TRADING);
  });

  it('setTradingState journals the supervisor\'s reason; stats carry the requested state and the reconnect gate', async () => {
    h = await startHarness({ count: 1, stage: { tradingState: TradingState.READY } });
    const x = h;
    expect(x.stage.core.getTradingState()).toBe(TradingState.READY);
    let s = x.stage.stats();
    expect([s.requestedTradingState, s.reconcilePending, s.lastSync]).toEqual([TradingState.READY, false, null]);
    x.stage.setTradingState(TradingState.RECOVERING, 'verdict: recover');
    x.stage.setTradingState(TradingState.TRADING, 'recovered');
    const rows = x.journal.records('state_transition').filter((r) => r.machine === 'trading').slice(-2);
    expect(rows.map((r) => [r.from_state, r.to_state, r.reason])).toEqual([['ready', 'recovering', 'verdict: recover'], ['recovering', 'trading', 'recovered']]);
    x.stage.requestReconcile('supervisor');
    await until(() => x.stage.stats().lastSync !== null, 'the reconcile');
    s = x.stage.stats();
    expect(s.lastSync).toMatchObject({ reason: 'supervisor', driftOk: true, driftConfirmed: false });
    expect(s.lastSync!.atMs).toBeGreaterThan(0);
    expect(s.requestedTradingState).toBe(TradingState.TRADING);
  });
});


/** The market trading state `m` has on the PositionBoard (what inference and the supervisor read); −1: unreadable. */
const boardState = (x: Harness, m: MarketState): number => {
  const view = createMarketPositionView();
  return x.board.readMarket(m.index, view) ? view.tradingState : -1;
};
/** The journal's state transitions of market `m`: [from, to, reason]. */
const marketTransitions = (x: Harness, m: MarketState): unknown[][] =>
  x.journal.records('state_transition').filter((r) => r.machine === `market:${m.ticker}`).map((r) => [r.from_state, r.to_state, r.reason]);

describe('ExecutionStage: the operator\'s commands against the simulator', () => {
  it('setOperatorDisabled: closings only, the working order cancelled, journaled; enabling trades again', async () => {
    h = await startHarness({
      count: 2, settings: { priceMode: 'passive' }, pick: deep, setup: recordSizes,
      before: (sim, key, [a]) => buyOutside(sim, key.keyId, a, 300),
    });
    const x = h;
    const [a, b] = x.markets;
    const core = x.stage.core;
    expect(core.ledger.position[a.index]).toBe(300);
    x.intent(a, Action.BUY_YES); // adds to YES: an opening, resting
    await x.settle();
    const [bid] = x.resting(a);
    expect(bid.side).toBe('bid');
    expect(x.stage.stats().operatorDisabled).toEqual([]);

    expect(x.stage.setOperatorDisabled(a.index, true, 'operator_disabled: news')).toBe(true);
    expect(x.stage.operatorDisabled()).toEqual([a.index]);
    expect(x.stage.stats().operatorDisabled).toEqual([a.index]);
    expect([boardState(x, a), boardState(x, b)]).toEqual([MarketTradingState.REDUCING, MarketTradingState.ACTIVE]);
    await x.settle();
    expect(x.sim.exchange.getOrder(x.key.keyId, bid.orderId).status).toBe('canceled');
    expect(core.working.workingOrder(a.index)).toBeUndefined();
    const cancel = x.journal.records('order_event').filter((r) => r.event === 'cancel_sent' && r.order_id === bid.orderId);
    expect(cancel.map((r) => r.cancel_reason)).toEqual(['operator_disabled']);
    expect(marketTransitions(x, a)).toEqual([['active', 'reducing', 'operator_disabled: news']]);
    expect(marketTransitions(x, b)).toEqual([]);

    // Openings refused as the core refuses them in a REDUCING market; a closing still goes out and rests.
    x.intent(a, Action.BUY_YES);
    await x.settle();
    expect(denied(x, 'REDUCING_ONLY')).toBe(1);
    expect(x.resting(a)).toEqual([]);
    x.intent(a, Action.SELL_YES); // reduces YES: a closing
    await x.settle();
    expect(x.resting(a).map((o) => o.side)).toEqual(['ask']);
    // The other market trades on.
    x.intent(b, Action.BUY_YES);
    await x.settle();
    expect(x.resting(b).map((o) => o.side)).toEqual(['bid']);
    expect(denied(x, 'REDUCING_ONLY')).toBe(1);
    expect(denied(x, 'NOT_TRADING')).toBe(0);

    // Enabled: back to the lifecycle's state (ACTIVE), openings go again.
    expect(x.stage.setOperatorDisabled(a.index, false, '')).toBe(true);
    expect(x.stage.operatorDisabled()).toEqual([]);
    expect(x.stage.stats().operatorDisabled).toEqual([]);
    expect(boardState(x, a)).toBe(MarketTradingState.ACTIVE);
    expect(marketTransitions(x, a)).toEqual([['active', 'reducing', 'operator_disabled: news'], ['reducing', 'active', 'operator_enabled']]);
    x.intent(a, Action.BUY_YES); // the ask is cancelled, a bid placed
    await x.settle();
    expect(x.resting(a).map((o) => o.side)).toEqual(['bid']);
    expect(denied(x, 'REDUCING_ONLY')).toBe(1);
  });

  it('setOperatorDisabled and the lifecycle\'s setMarketTradingState never overwrite each other: the stricter applies', async () => {
    h = await startHarness({ count: 1, settings: { priceMode: 'passive' } });
    const x = h;
    const [m] = x.markets;
    const st = x.stage;
    /** An opening in `m`: placed (then cancelled, to start again flat and without a working order), or refused. */
    const opening = async (): Promise<string> => {
      const before = { ...x.stage.stats().denied.byReason };
      x.intent(m, Action.BUY_YES);
      await x.settle();
      const after = x.stage.stats().denied.byReason;
      const reason = Object.keys(after).find((k) => after[k] !== before[k]);
      if (reason !== undefined) return reason;
      expect(st.cancelWorking(m.index, 'test')).toBe(true);
      await x.settle();
      return 'SENT';
    };
    const applied = (): number => boardState(x, m);

    expect(await opening()).toBe('SENT');
    expect(st.setOperatorDisabled(m.index, true)).toBe(true);
    expect(applied()).toBe(MarketTradingState.REDUCING);
    expect(await opening()).toBe('REDUCING_ONLY');
    st.setMarketTradingState(m.index, MarketTradingState.HALTED, 'closed'); // stricter than the disable
    expect(applied()).toBe(MarketTradingState.HALTED);
    expect(await opening()).toBe('NOT_TRADING');
    st.setMarketTradingState(m.index, MarketTradingState.ACTIVE, 'open'); // the disable still holds
    expect(applied()).toBe(MarketTradingState.REDUCING);
    expect(await opening()).toBe('REDUCING_ONLY');
    expect(st.setOperatorDisabled(m.index, false)).toBe(true);
    expect(applied()).toBe(MarketTradingState.ACTIVE);
    expect(await opening()).toBe('SENT');
    // The lifecycle winds the market down: the disable changes nothing, and enabling keeps the lifecycle's REDUCING.
    st.setMarketTradingState(m.index, MarketTradingState.REDUCING, 'closing_soon');
    expect(st.setOperatorDisabled(m.index, true)).toBe(true);
    expect(applied()).toBe(MarketTradingState.REDUCING);
    expect(st.setOperatorDisabled(m.index, false)).toBe(true);
    expect(applied()).toBe(MarketTradingState.REDUCING);
    expect(await opening()).toBe('REDUCING_ONLY');
    // Idempotent: a second disable is no change (no journal row); unknown slots are refused.
    st.setMarketTradingState(m.index, MarketTradingState.ACTIVE, 'open');
    expect(st.setOperatorDisabled(m.index, true, 'operator_disabled')).toBe(true);
    expect(st.setOperatorDisabled(m.index, true, 'operator_disabled: again')).toBe(true);
    expect(st.operatorDisabled()).toEqual([m.index]);
    const free = x.sim.exchange.markets().find((k) => k.index !== m.index)!;
    for (const slot of [free.index, -1, 1.5, x.board.capacity]) expect(st.setOperatorDisabled(slot, true)).toBe(false);
    expect(st.operatorDisabled()).toEqual([m.index]);
    expect(marketTransitions(x, m)).toEqual([
      ['active', 'reducing', 'operator_disabled'],
      ['reducing', 'halted', 'closed'],
      ['halted', 'reducing', 'open'],
      ['reducing', 'active', 'operator_enabled'],
      ['active', 'reducing', 'closing_soon'],
      ['reducing', 'active', 'open'],
      ['active', 'reducing', 'operator_disabled'],
    ]);
  });

  it('setOperatorDisabled while a place is in flight: the order it makes is cancelled once it lands', async () => {
    h = await startHarness({ count: 1, settings: { priceMode: 'passive' } });
    const x = h;
    const [m] = x.markets;
    const core = x.stage.core;
    const decide = core.onIntent.bind(core);
    let disabled: boolean | undefined;
    core.onIntent = (market, action, nowMs) => {
      const d = decide(market, action, nowMs);
      // Right after the place is handed to the REST client, before any answer can come back.
      if (d.kind === 'SEND' && disabled === undefined) {
        queueMicrotask(() => {
          expect(core.working.inFlight(m.index)?.kind).toBe('place');
          disabled = x.stage.setOperatorDisabled(m.index, true, 'operator_disabled');
        });
      }
      return d;
    };
    x.intent(m, Action.BUY_YES);
    await until(() => disabled !== undefined, 'the disable');
    expect(disabled).toBe(true);
    expect(boardState(x, m)).toBe(MarketTradingState.REDUCING);
    await until(() => x.stage.stats().requests.cancel.accepted === 1, 'the cancel of the order placed', 10_000);
    await x.settle();
    expect(x.resting(m)).toEqual([]);
    expect(core.working.workingOrder(m.index)).toBeUndefined();
    const [placed] = sessionOrders(x, m);
    expect(placed.status).toBe('canceled');
    expect(x.journal.records('order_event').filter((r) => r.event === 'cancel_sent').map((r) => [r.order_id, r.cancel_reason])).toEqual([[placed.orderId, 'operator_disabled']]);
  });

  it('resetGroup: one triggered group reset at once; an active, resetting or unknown id is refused and sends nothing', async () => {
    h = await startHarness({ count: 2, settings: { priceMode: 'mid', orderGroups: 'session', groupLimit: 5, groupAutoReset: false } });
    const x = h;
    const core = x.stage.core;
    const groupId = core.groups.idFor(x.markets[0].index);
    expect(x.stage.stats().groupMode).toBe('session');
    expect(x.stage.stats().orderGroups).toEqual([{ id: groupId, market: SESSION_GROUP, status: 'active', limitContracts: 5, triggeredAtMs: 0 }]);
    expect(x.stage.resetGroup(groupId)).toBe(false); // active
    expect(x.stage.resetGroup('no-such-group')).toBe(false);
    expect(x.stage.stats().requests.reset_group.sent).toBe(0);
    await fillBurst(x);
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, groupId).triggered).toBe(true);
    await until(() => x.stage.stats().groups.triggered === 1, 'the trigger to reach the host');
    const [row] = x.stage.stats().orderGroups;
    expect(row).toMatchObject({ id: groupId, market: SESSION_GROUP, status: 'triggered', limitContracts: 5 });
    expect(row.triggeredAtMs).toBeGreaterThan(0);

    expect(x.stage.resetGroup(groupId)).toBe(true);
    expect(x.stage.stats().orderGroups.map((g) => g.status)).toEqual(['resetting']);
    expect(x.stage.resetGroup(groupId)).toBe(false); // already being reset
    await until(() => x.stage.stats().groups.triggered === 0, 'the reset');
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, groupId).triggered).toBe(false);
    expect(x.stage.stats().requests.reset_group).toMatchObject({ sent: 1, accepted: 1 });
    expect(x.stage.stats().orderGroups).toEqual([{ id: groupId, market: SESSION_GROUP, status: 'active', limitContracts: 5, triggeredAtMs: 0 }]);
    expect(x.stage.resetGroup(groupId)).toBe(false);
    expect(x.stage.stats().requests.reset_group.sent).toBe(1);
    expect(core.getTradingState()).toBe(TradingState.TRADING);
  });

  it('stats().orderGroups in market mode: one row per market\'s group, the triggered one first', async () => {
    h = await startHarness({ count: 3, settings: { priceMode: 'mid', orderGroups: 'market', groupLimit: 1, groupAutoReset: false } });
    const x = h;
    expect(x.stage.stats().groupMode).toBe('market');
    expect(x.stage.stats().orderGroups).toEqual([]); // created with each market's first order
    for (const m of x.markets) x.intent(m, Action.BUY_YES);
    await x.settle();
    const placed = x.resting();
    expect(placed).toHaveLength(3);
    const byMarket = [...x.markets].sort((p, q) => p.index - q.index);
    const idOf = (m: MarketState): string => x.stage.core.groups.idFor(m.index);
    expect(x.stage.stats().orderGroups).toEqual(byMarket.map((m) => ({ id: idOf(m), market: m.index, status: 'active', limitContracts: 1, triggeredAtMs: 0 })));
    // bob sells 2 contracts into the last market's bid: its group (limit 1) triggers, the others stay active.
    const last = byMarket[2];
    const bid = placed.find((o) => o.marketIndex === last.index)!;
    x.bobOrder({ ticker: last.ticker, side: 'ask', price: bid.price, count: 200, timeInForce: 'immediate_or_cancel' });
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, idOf(last)).triggered).toBe(true);
    await until(() => x.stage.stats().groups.triggered === 1, 'the trigger to reach the host');
    const rows = x.stage.stats().orderGroups;
    expect(rows.map((g) => [g.market, g.status])).toEqual([[last.index, 'triggered'], [byMarket[0].index, 'active'], [byMarket[1].index, 'active']]);
    expect(rows[0].triggeredAtMs).toBeGreaterThan(0);
    expect(x.stage.resetGroup(idOf(byMarket[0]))).toBe(false); // active
    expect(x.stage.resetGroup(idOf(last))).toBe(true);
    await until(() => x.stage.stats().groups.triggered === 0, 'the reset');
    expect(x.stage.stats().orderGroups.map((g) => [g.market, g.status])).toEqual(byMarket.map((m) => [m.index, 'active']));
    expect(x.stage.stats().requests.reset_group).toMatchObject({ sent: 1, accepted: 1 });
  });
});

describe('collectStats: order group rows', () => {
  it('lists triggered groups first, then the others by market, at most MAX_GROUP_ROWS', () => {
    const board = PositionBoard.create(256);
    const core = new ExecutionCore({ capacity: 256, sessionId: 'stats1', books: { readTop: () => false }, board: board.claimWriter(), groups: { mode: 'market', contractsLimit: 300 } });
    const n = MAX_GROUP_ROWS + 50;
    const triggered = new Set([49, 99, 149, 199, n - 1]);
    for (let k = n - 1; k >= 0; k--) core.groups.adopt(k, `g${k}`, triggered.has(k), 300, 1_000 + k); // listed in no useful order
    core.groups.beginReset(99); // being reset: not in the triggered block
    const s = collectStats({
      counters: new ExecutionCounters(1), core, traded: [], books: { readTop: () => false }, availableCash: 0, inFlight: 0, streamUp: false,
      eventsLost: 0, reconnects: 0, nowMs: 5_000, requestedTradingState: TradingState.TRADING, reconcilePending: false, lastSync: null, operatorDisabled: [7],
    });
    expect(s.groupMode).toBe('market');
    expect(s.operatorDisabled).toEqual([7]);
    expect(s.groups.total).toBe(n);
    expect(s.groups.triggered).toBe(5);
    expect(s.orderGroups).toHaveLength(MAX_GROUP_ROWS);
    expect(s.orderGroups.slice(0, 4)).toEqual([49, 149, 199, n - 1].map((k) => ({ id: `g${k}`, market: k, status: 'triggered', limitContracts: 3, triggeredAtMs: 1_000 + k })));
    const rest = s.orderGroups.slice(4);
    expect(rest[0]).toEqual({ id: 'g0', market: 0, status: 'active', limitContracts: 3, triggeredAtMs: 0 });
    expect(rest.every((g, i) => i === 0 || g.market > rest[i - 1].market)).toBe(true);
    expect(rest.find((g) => g.market === 99)).toEqual({ id: 'g99', market: 99, status: 'resetting', limitContracts: 3, triggeredAtMs: 1_099 });
    expect(rest.some((g) => g.status === 'triggered')).toBe(false);
  });
});
