/**
 * The periodic sync and the event-driven reconcile of the ExecutionStage against the simulator:
 * fills the private stream never delivered are found over REST and applied once; a change made
 * outside the host is a confirmed drift (journaled, counted, adopted); a dropped private
 * connection holds openings back and reconciles on reconnect; a settlement is paid into the
 * ledger. Every wait is on a condition.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Action } from '../../../src/shared/policy/actions.js';
import { TradingState } from '../../../src/shared/position-records.js';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import { ledgerMismatches, startHarness, until, type Harness } from './stage-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * bob takes every resting order of ours, whole (mid-priced orders are alone at the top of their
 * side, so bob's order at their price meets them and nothing else). Returns how many were taken.
 */
function takeAll(x: Harness): number {
  const mine = x.resting();
  for (const o of mine) {
    const m = x.markets.find((k) => k.index === o.marketIndex)!;
    x.bobOrder({ ticker: m.ticker, side: o.side === 'bid' ? 'ask' : 'bid', price: o.price, count: o.remainingCount, timeInForce: 'immediate_or_cancel' });
  }
  const executed = mine.filter((o) => x.sim.exchange.getOrder(x.key.keyId, o.orderId).status === 'executed');
  return executed.length;
}

describe('PeriodicSync through the ExecutionStage', () => {
  it('without the private stream, fills are found over REST every sync and applied once', async () => {
    h = await startHarness({ count: 2, ws: false, settings: { priceMode: 'mid', syncIntervalS: 1 } });
    const x = h;
    for (const m of x.markets) x.intent(m, Action.BUY_YES);
    await x.settle();
    expect(takeAll(x)).toBe(2);
    await expect.poll(() => ledgerMismatches(x), { timeout: 30_000, interval: 20 }).toEqual([]);
    // The filled orders are no longer working: the sync asked the exchange about them.
    await until(() => x.markets.every((m) => x.stage.core.working.workingOrder(m.index) === undefined), 'the working orders to clear');
    const periodic = x.stage.stats().reconciles.periodic ?? 0;
    await until(() => (x.stage.stats().reconciles.periodic ?? 0) >= periodic + 2, 'two more syncs');
    const s = x.stage.stats();
    expect(s.fills).toMatchObject({ ws: 0, sync: 2 }); // each applied once, however many syncs read it
    expect(s.drift.confirmed).toBe(0);
    expect(s.reconcileErrors).toBe(0);
    expect(ledgerMismatches(x)).toEqual([]);
  });

  it('a deposit made outside the host is a confirmed cash drift: journaled, counted, adopted', async () => {
    h = await startHarness({ count: 1, settings: { priceMode: 'passive' }, stage: { sync: { confirmDelayMs: 100 } } });
    const x = h;
    x.intent(x.markets[0], Action.BUY_YES); // a resting order: its reservation must not read as drift
    await x.settle();
    x.stage.requestReconcile('check');
    await until(() => x.stage.lastSyncReport()?.reason === 'check', 'the first reconcile');
    expect(x.stage.lastSyncReport()!.drift.ok).toBe(true);
    x.sim.control.adjustCash(x.key.keyId, 5_000_000); // $5 arrive outside the host
    x.stage.requestReconcile('deposit');
    await until(() => x.stage.lastSyncReport()?.reason === 'deposit', 'the reconcile after the deposit');
    const s = x.stage.stats();
    expect(s.drift).toMatchObject({ confirmed: 1, lastCash: -5_000_000, lastMarkets: 0 });
    const [record] = x.journal.records('drift');
    expect(record).toMatchObject({ reason: 'deposit', cash_micros: 5_000_000, markets: [], adopted: true }); // exchange − host
    expect(ledgerMismatches(x)).toEqual([]); // adopted: the host's cash is the exchange's again
    x.stage.requestReconcile('after');
    await until(() => x.stage.lastSyncReport()?.reason === 'after', 'the next reconcile');
    expect(x.stage.lastSyncReport()!.drift.ok).toBe(true);
    expect(x.stage.stats().drift.confirmed).toBe(1);
  });

  it('a dropped private connection holds openings back, and the reconnect reconciles the fills it missed', async () => {
    h = await startHarness({ count: 2, settings: { priceMode: 'mid' } });
    const x = h;
    for (const m of x.markets) x.intent(m, Action.BUY_YES);
    await x.settle();
    expect(x.stage.streamUp).toBe(true);
    // Cut the connection, and fill both orders before the client can even notice.
    x.sim.control.inject('drop');
    expect(takeAll(x)).toBe(2);
    await until(() => (x.stage.stats().reconciles.reconnect ?? 0) >= 1, 'the reconcile after the reconnect');
    await expect.poll(() => ledgerMismatches(x), { timeout: 30_000, interval: 20 }).toEqual([]);
    const s = x.stage.stats();
    expect(s.fills).toMatchObject({ ws: 0, sync: 2 });
    expect(s.ws.reconnects).toBeGreaterThanOrEqual(1);
    await until(() => x.stage.core.getTradingState() === TradingState.TRADING, 'trading again');
    const states = x.journal.records('state_transition').filter((r) => r.machine === 'trading').map((r) => r.to_state);
    expect(states).toContain('reducing'); // blind: closings only
    expect(states[states.length - 1]).toBe('trading');
  });

  it('a settlement of a market the host holds is paid into the ledger', async () => {
    const ticker = 'KXSIMTEST-26DEC31-T50';
    h = await startHarness({
      count: 1,
      settings: { priceMode: 'aggressive' },
      pick: (m) => m.ticker === ticker,
      setup: (sim, bob) => {
        const now = Date.now();
        sim.exchange.addMarket({
          ticker, eventTicker: sim.exchange.markets()[0].eventTicker, title: 'Settles at once', yesSubTitle: 'Yes', noSubTitle: 'No',
          priceLevelStructure: 'linear_cent', grid: PriceGrid.forStructure('linear_cent'), openMs: now - 60_000, closeMs: now + 3 * 3_600_000,
          settlementTimerSeconds: 0, canCloseEarly: true, fairValue: 5_000,
        });
        for (const [side, price] of [['bid', 4_800], ['ask', 5_200]] as const) {
          sim.control.placeOrder(bob.keyId, { ticker, side, price, count: 2_000, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross' });
        }
      },
    });
    const x = h;
    const [m] = x.markets;
    const l = x.stage.core.ledger;
    x.intent(m, Action.BUY_YES);
    await x.settle();
    await until(() => l.position[m.index] === 500, 'the fill');
    x.sim.exchange.determine(ticker, 'yes');
    x.stage.requestReconcile('settled');
    await until(() => x.stage.stats().settlementsApplied === 1, 'the settlement');
    expect(l.position[m.index]).toBe(0);
    expect(l.realizedPnl[m.index]).toBe(5_000_000 - 5_200 * 500); // $1 × 5 contracts − the basis
    expect(ledgerMismatches(x)).toEqual([]);
    expect(x.stage.stats().drift.confirmed).toBe(0);
    // Settlements are applied once, however often they are read.
    x.stage.requestReconcile('again');
    await until(() => x.stage.lastSyncReport()?.reason === 'again', 'another reconcile');
    expect(x.stage.stats().settlementsApplied).toBe(1);
    expect(ledgerMismatches(x)).toEqual([]);
  });
});
