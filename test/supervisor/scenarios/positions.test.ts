/**
 * Position health end to end (issue 8; lessons.md #3 "exits that silently never fired"): take-
 * profit, stop-loss, max hold and trailing stop EACH close a real position at the exchange.
 *
 * The position is our account's, bought before the host starts (the host adopts it at
 * calibration, cost basis and fees as the exchange has them); the host's policy holds, so the
 * only order that can close it is the supervisor's exit. The books stand still except when bob
 * moves them — he sweeps one side and quotes the new touch — so the test computes, to the µ$,
 * the net-of-fee P&L the supervisor will mark before and after the move, and sets each
 * threshold between the two: the rule fires on the move and not before it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notional } from '../../../src/shared/fixed-point.js';
import type { MarketState, PositionState } from '../../../src/sim/engine/types.js';
import { asksUpTo, bidsDownTo, buyOutside, DOLLAR, pnlAt, startScenario, topOf, type Scenario, type Topology } from './scenario-host.js';

let s: Scenario | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const Q = 500; // 5 contracts

/** The exit the supervisor sent for `m`: one, for `reason`, immediately marketable, filled at `price`; the position flat at the exchange and in the host. */
async function expectClosedBy(x: Scenario, m: MarketState, reason: string, price: number): Promise<void> {
  await x.until(() => x.exchangePosition(m) === 0, `${m.ticker} flat at the exchange (${reason})`);
  // The host's stats, then its journal, reach the main thread a little after the exchange changed.
  await x.until(() => x.mismatches().length === 0 && x.supervisor()?.exits[reason] === 1 && x.stats()?.exits.byReason[reason] === 1, 'the host to agree with the exchange').catch(() => undefined);
  await x.until(() => x.journal.records('order_event').some((r) => r.event === 'sent' && r.exit_reason === reason), 'the exit journaled').catch(() => undefined);
  expect(x.mismatches()).toEqual([]);
  expect(x.hostPosition(m)).toBe(0);
  // The supervisor asked once, for this reason; the execution stage sent one exit, journaled with it.
  const asked = x.journal.records('health_event').filter((r) => r.monitor === 'positions' && r.event === 'exit');
  expect(asked.map((r) => [(r.detail as { ticker: string }).ticker, (r.detail as { reason: string }).reason])).toEqual([[m.ticker, reason]]);
  const sent = x.journal.records('order_event').filter((r) => r.event === 'sent' && r.exit_reason !== undefined);
  expect(sent.map((r) => [r.market_ticker, r.exit_reason, r.time_in_force, r.reduce_only, r.count])).toEqual([[m.ticker, reason, 'immediate_or_cancel', true, Q]]);
  // Immediately marketable: an IOC sell of the whole position, filled at once at the touch.
  const exits = x.hostOrders().filter((o) => o.reduceOnly);
  expect(exits.map((o) => [o.side, o.price, o.initialCount, o.fillCount, o.status])).toEqual([['ask', price, Q, Q, 'executed']]);
  expect(x.supervisor()!.exits).toEqual({ [reason]: 1 });
  expect(x.stats()!.exits).toMatchObject({ requested: 1, sent: 1, denied: 0 });
  expect(x.resting(m)).toEqual([]);
  expect(x.supervisor()!.state).toBe('trading');
}

/** Waits until the host holds the adopted position and trades, then lets the supervisor look at it a few times: nothing fires. */
async function holding(x: Scenario, m: MarketState): Promise<void> {
  await x.until(() => x.hostPosition(m) === Q && x.supervisor()?.state === 'trading', 'the adopted position and TRADING');
  await x.passes(3);
  expect(x.exchangePosition(m)).toBe(Q);
  expect(x.supervisor()!.exits).toEqual({});
}

/** bob buys every YES ask up to `price` and rests a bid for 10 more contracts there: the new best bid. */
function bidUpTo(x: Pick<Scenario, 'sim' | 'bob'>, m: MarketState, price: number): void {
  const swept = asksUpTo(x.sim, m, price).reduce((a, [, n]) => a + n, 0);
  x.sim.control.placeOrder(x.bob.keyId, { ticker: m.ticker, side: 'bid', price, count: swept + 1_000, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross' });
  expect(topOf(x.sim, m).yesBid).toBe(price);
}

/** The bid level bob sweeps down to: the third or a later one, 3¢ or more under the touch, 10 contracts deep or more (−1: none). */
function stopLevel(bids: Array<[number, number]>): number {
  return bids.findIndex(([price, n], i) => i >= 2 && bids[0][0] - price >= 300 && n >= 1_000);
}

describe.each(['inline', 'threaded'] as const)('position health closes real positions, %s topology', (topology: Topology) => {
  it('take-profit: the book moves up past the threshold → an exit at the new bid', async () => {
    let p!: PositionState;
    let up = 0;
    s = await startScenario({
      topology, count: 1,
      before: ({ sim, key, bob, markets: [m] }) => {
        sim.control.adjustCash(bob.keyId, 10_000 * DOLLAR);
        const bid = topOf(sim, m).yesBid;
        up = topOf(sim, m).yesAsk + 1_000; // 10¢ above the price we paid
        p = buyOutside(sim, key, m, Q);
        expect(pnlAt(bid, Q, p.exposure, p.feesPaid)).toBeLessThan(0);
        // Half the return the move brings: it fires after the move, not before (the mark is a loss then).
        const tp = Math.floor((pnlAt(up, Q, p.exposure, p.feesPaid) * 10_000) / p.exposure / 2);
        expect(tp).toBeGreaterThan(0);
        return { 'take-profit-bps': String(tp) };
      },
    });
    const x = s;
    const [m] = x.markets;
    await holding(x, m);
    bidUpTo(x, m, up);
    await expectClosedBy(x, m, 'take_profit', up);
    expect(x.exchangeAccount().positions.get(m.index)!.realizedPnl).toBe(notional(up, Q) - p.exposure); // sold into bob's bid
  });

  it('stop-loss: bob sweeps the bids down past the threshold → an exit at the new bid', async () => {
    let down = 0;
    s = await startScenario({
      topology, count: 1,
      pick: (m, sim) => stopLevel(bidsDownTo(sim, m, 0)) > 0,
      before: ({ sim, key, bob, markets: [m] }) => {
        sim.control.adjustCash(bob.keyId, 10_000 * DOLLAR);
        const bids = bidsDownTo(sim, m, 0);
        down = bids[stopLevel(bids)][0];
        const p = buyOutside(sim, key, m, Q);
        const loss = (bid: number) => -pnlAt(bid, Q, p.exposure, p.feesPaid);
        // Between the loss now (the spread and the fees) and the loss once the bids above `down` are gone.
        const sl = Math.floor(((loss(bids[0][0]) + loss(down)) * 10_000) / p.exposure / 2);
        expect((loss(bids[0][0]) * 10_000) / p.exposure).toBeLessThan(sl);
        expect((loss(down) * 10_000) / p.exposure).toBeGreaterThan(sl);
        return { 'stop-loss-bps': String(sl) };
      },
    });
    const x = s;
    const [m] = x.markets;
    await holding(x, m);
    // bob sells into every bid above `down` (and rests the rest of his order a tick above it).
    const above = bidsDownTo(x.sim, m, down + 1);
    x.sim.control.placeOrder(x.bob.keyId, {
      ticker: m.ticker, side: 'ask', price: m.grid.priceAt(m.grid.levelOf(down) + 1), count: above.reduce((a, [, n]) => a + n, 0) + 1_000,
      timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross',
    });
    expect(topOf(x.sim, m).yesBid).toBe(down);
    await expectClosedBy(x, m, 'stop_loss', down);
  });

  it('max hold: the position is closed once it is older than --max-hold-s, not before', async () => {
    let openedAt = 0;
    let bid = 0;
    s = await startScenario({
      topology, count: 1, flags: { 'max-hold-s': '4' },
      before: ({ sim, key, markets: [m] }) => {
        bid = topOf(sim, m).yesBid;
        openedAt = buyOutside(sim, key, m, Q).lastUpdatedMs;
      },
    });
    const x = s;
    const [m] = x.markets;
    await expectClosedBy(x, m, 'max_hold', bid);
    const asked = x.journal.records('health_event').find((r) => r.monitor === 'positions' && r.event === 'exit')!;
    expect(asked.ts_ms as number).toBeGreaterThanOrEqual(openedAt + 4_000);
  });

  it('trailing stop: the book moves up (a gain), then back (the gain given up) → an exit at the bid it fell back to', async () => {
    let up = 0;
    let p!: PositionState;
    s = await startScenario({
      topology, count: 1,
      before: ({ sim, key, bob, markets: [m] }) => {
        sim.control.adjustCash(bob.keyId, 10_000 * DOLLAR);
        const bid = topOf(sim, m).yesBid;
        up = topOf(sim, m).yesAsk + 1_000;
        p = buyOutside(sim, key, m, Q);
        const peak = pnlAt(up, Q, p.exposure, p.feesPaid);
        const back = pnlAt(bid, Q, p.exposure, p.feesPaid);
        expect(peak).toBeGreaterThan(0);
        // Half of what falling back gives up: it fires on the fall, not at the peak.
        const ts = Math.floor(((peak - back) * 10_000) / p.exposure / 2);
        expect(ts).toBeGreaterThan(0);
        return { 'trailing-stop-bps': String(ts) };
      },
    });
    const x = s;
    const [m] = x.markets;
    const bid = topOf(x.sim, m).yesBid;
    await holding(x, m);
    bidUpTo(x, m, up);
    // The host's books carry the new bid (its unrealized P&L is marked on them), and the supervisor
    // has looked at the position since: its peak is the gain. No exit at the peak.
    await x.until(() => x.stats()?.unrealizedPnl === notional(up, Q) - p.exposure, 'the host to mark the position at the new bid');
    await x.passes(3);
    expect(x.exchangePosition(m)).toBe(Q);
    expect(x.supervisor()!.exits).toEqual({});
    // bob takes his bid back: the best bid is the one we bought next to.
    x.sim.exchange.cancelAll(x.bob.keyId, { ticker: m.ticker });
    expect(topOf(x.sim, m).yesBid).toBe(bid);
    await expectClosedBy(x, m, 'trailing_stop', bid);
  });
});
