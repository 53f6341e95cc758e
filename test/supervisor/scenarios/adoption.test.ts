/**
 * Orders and positions created outside the host, on its own account (a person at the web site,
 * another program), end to end (issue 8): at calibration, before the host trades, and in the
 * continuous loop, while it runs. A position in a traded market is adopted (the ledger holds it,
 * to the µ$); a resting order that is not this host's in a traded market is an orphan, cancelled;
 * one with this session's client_order_id prefix (an order of ours whose answer was lost) is
 * adopted as the market's working order; anything in a market the host does not trade is left
 * alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MarketState } from '../../../src/sim/engine/types.js';
import { buyOutside, deep, startScenario, topOf, type Scenario, type Topology } from './scenario-host.js';

let s: Scenario | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A bid two ticks under the touch (rests, holds cash). */
const below = (x: Pick<Scenario, 'sim'>, m: MarketState) => m.grid.priceAt(m.grid.levelOf(topOf(x.sim, m).yesBid) - 2);

describe.each(['inline', 'threaded'] as const)('orders and positions created outside the host, %s topology', (topology: Topology) => {
  it('are adopted or cancelled at calibration and in the continuous loop; markets not traded are left alone', async () => {
    let elsewhere!: MarketState;
    const ids: Record<string, string> = {};
    s = await startScenario({
      topology, count: 2,
      before: ({ sim, key, markets: [a, b] }) => {
        elsewhere = sim.exchange.markets().find((m) => deep(sim, m) && m !== a && m !== b)!;
        buyOutside(sim, key, a, 500);
        const place = (m: MarketState, cid: string) =>
          (ids[cid] = sim.control.placeOrder(key.keyId, { ticker: m.ticker, side: 'bid', price: below({ sim }, m), count: 200, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross', clientOrderId: cid }).order.orderId);
        place(b, 'person-1'); // in a traded market: an orphan
        place(elsewhere, 'person-2'); // not traded: not the host's business
      },
    });
    const x = s;
    const [a, b] = x.markets;
    const status = (id: string) => x.sim.exchange.getOrder(x.key.keyId, id).status;

    // Calibration: the position adopted, the orphan cancelled, the order elsewhere left resting.
    await x.until(() => x.supervisor()?.state === 'trading' && x.hostPosition(a) === 500, 'the adopted position and TRADING');
    expect(status(ids['person-1'])).toBe('canceled');
    expect(status(ids['person-2'])).toBe('resting');
    // By the start-up calibration (the supervisor's, or the execution stage's after it), not by the continuous loop.
    const calibration = () => x.journal.records('calibration').find((r) => r.session_id === x.host.sessionId && r.positions_adopted !== undefined);
    await x.until(() => x.stats() !== undefined && calibration() !== undefined, 'the execution stats and its calibration record');
    expect(x.stats()!.orphansCancelled).toBe(0);
    const cal = calibration()!;
    expect(cal).toMatchObject({ positions_adopted: 1, orphans_not_cancelled: 0, orders_elsewhere: 1, orders_adopted: 0 });
    await x.until(() => x.mismatches().length === 0, 'the host to agree with the exchange');

    // While running: our account buys in b outside the host; the next reconcile finds the ledger holding it.
    const t0 = Date.now();
    buyOutside(x.sim, x.key, b, 300);
    await x.until(() => (x.stats()?.lastSync?.atMs ?? 0) > t0 + 100 && x.hostPosition(b) === 300, 'a reconcile after the outside buy, and the position in the ledger');
    await x.until(() => x.mismatches().length === 0, 'the host to agree with the exchange');

    // A foreign resting order in a traded market: cancelled as an orphan by the reconcile.
    const orphan = x.outsideOrder({ ticker: a.ticker, side: 'bid', price: below(x, a), count: 100, timeInForce: 'good_till_canceled', clientOrderId: 'person-3' });
    // One with this session's prefix (an order of ours the host lost track of): adopted as b's working order.
    const ours = x.outsideOrder({ ticker: b.ticker, side: 'bid', price: below(x, b), count: 100, timeInForce: 'good_till_canceled', clientOrderId: `${x.host.sessionId}-lost-1` });
    await x.until(() => status(orphan.orderId) === 'canceled', 'the orphan cancelled');
    await x.until(() => x.stats()?.positions.find((p) => p.market === x.slot(b))?.workingPrice === ours.price, 'the lost order adopted as the working order');
    const t1 = Date.now();
    await x.until(() => (x.stats()?.lastSync?.atMs ?? 0) > t1 + 100, 'another reconcile');
    expect(status(ours.orderId)).toBe('resting'); // adopted, not cancelled
    expect(status(ids['person-2'])).toBe('resting'); // still not ours to touch
    const st = x.stats()!;
    expect(st.orphansCancelled).toBe(1);
    expect(st.positions.find((p) => p.market === x.slot(b))).toMatchObject({ position: 300, workingSide: 1, workingPrice: ours.price, workingRemaining: 100 });
    expect(st.drift.confirmed).toBe(0); // all of it through fills and orders, not a resync
    await x.until(() => x.mismatches().length === 0, 'the host to agree with the exchange').catch(() => undefined);
    expect(x.mismatches()).toEqual([]);
    expect(x.resting(a)).toEqual([]);
    expect(x.supervisor()!.state).toBe('trading');
  });
});
