/**
 * Market lifecycle end to end (issue 8): a market that closes while the host holds a position in
 * it. With `--flatten-before-close-s`, a close moved inside the window cancels the market's
 * resting order and flattens the position BEFORE the close (the exchange still has the market
 * open when the position is gone); with flattening off, a market closed at once (`close-early`)
 * halts, its order is cancelled by the exchange, and the settlement is booked so that the
 * host's ledger equals the exchange's after it. A paused market takes closings only until it
 * resumes.
 *
 * The host's policy answers BUY_YES everywhere (passive: a bid joins the best bid in each market),
 * so each market has a working order to cancel and an opening the lifecycle must refuse.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notional } from '../../../src/shared/fixed-point.js';
import { Action } from '../../../src/shared/policy/actions.js';
import type { MarketState } from '../../../src/sim/engine/types.js';
import { buyOutside, constantPolicy, startScenario, topOf, type Scenario, type Topology } from './scenario-host.js';

let s: Scenario | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const Q = 500;

/** Our resting orders placed by the host in `m`. */
const hostResting = (x: Scenario, m: MarketState) => x.resting(m).filter((o) => o.clientOrderId.startsWith(`${x.host.sessionId}-`));

/** The market trading states the execution stage was asked for in `m`, as `to:reason`. */
const marketStates = (x: Scenario, m: MarketState) =>
  x.journal.records('state_transition').filter((r) => r.machine === `market:${m.ticker}`).map((r) => `${r.to_state as string}:${r.reason as string}`);

/** The host holds `Q` YES in `a` (adopted) and has a bid resting in each market; TRADING. */
async function trading(x: Scenario, a: MarketState): Promise<void> {
  await x.until(() => x.supervisor()?.state === 'trading', 'TRADING');
  x.nudge(...x.markets);
  await x.until(() => x.hostPosition(a) === Q && x.supervisor()?.state === 'trading' && x.markets.every((m) => hostResting(x, m).length === 1), 'the position, TRADING and a bid in each market');
}

describe.each(['inline', 'threaded'] as const)('market lifecycle, %s topology', (topology: Topology) => {
  it('a close moved inside the flatten window: the resting order cancelled, the position flattened before the close; the other market trades on', async () => {
    s = await startScenario({
      topology, count: 2,
      flags: { policy: constantPolicy(Action.BUY_YES), 'close-guard-s': '300', 'flatten-before-close-s': '120' },
      before: ({ sim, key, markets: [a] }) => void buyOutside(sim, key, a, Q),
    });
    const x = s;
    const [a, b] = x.markets;
    await trading(x, a);
    const [bid] = hostResting(x, a);
    const bidOfB = hostResting(x, b)[0].orderId;
    const bidAt = topOf(x.sim, a).yesBid;

    x.sim.exchange.updateCloseTime(a.ticker, Date.now() + 90_000); // inside 120 s: flatten
    await x.until(() => x.exchangePosition(a) === 0, `${a.ticker} flattened`);
    await x.passes(3); // the policy still says BUY_YES: the market must not open again
    // Before the close: the market is still open at the exchange, and nothing of ours rests in it.
    expect(x.sim.exchange.market(a.ticker)!.status).toBe('active');
    expect(x.exchangePosition(a)).toBe(0);
    expect(x.resting(a)).toEqual([]);
    expect(x.sim.exchange.getOrder(x.key.keyId, bid.orderId).status).toBe('canceled');
    await x.until(() => x.mismatches().length === 0, 'the host to agree with the exchange').catch(() => undefined);
    expect(x.mismatches()).toEqual([]);
    // Why, in the journal: the market reduced for the flatten, its order cancelled for it, the exit sent for it.
    // Flat inside the window: closings only from then on ('closing_soon'), never open again.
    expect(marketStates(x, a)).toEqual(['reducing:flatten_before_close', 'reducing:closing_soon']);
    const exits = x.journal.records('health_event').filter((r) => r.monitor === 'positions' && r.event === 'exit').map((r) => (r.detail as { reason: string }).reason);
    expect(exits).toEqual(['market_closing']);
    const events = x.journal.records('order_event');
    expect(events.find((r) => r.event === 'cancel_sent' && r.order_id === bid.orderId)?.cancel_reason).toBe('market_closing');
    const sent = events.filter((r) => r.event === 'sent' && r.exit_reason !== undefined);
    expect(sent.map((r) => [r.market_ticker, r.exit_reason, r.time_in_force, r.reduce_only, r.count, r.yes_price])).toEqual([[a.ticker, 'market_closing', 'immediate_or_cancel', true, Q, bidAt]]);
    expect(x.stats()!.exits).toMatchObject({ sent: 1, denied: 0, byReason: { market_closing: 1 } });
    // The other market: untouched, its bid still resting, still ACTIVE; the account still TRADING.
    expect(marketStates(x, b)).toEqual([]);
    expect(hostResting(x, b).map((o) => o.orderId)).toEqual([bidOfB]);
    expect(x.supervisor()!.state).toBe('trading');
  });

  it('close-early with flattening off: the market halts, its order is cancelled, and the settlement leaves the ledger equal to the exchange', async () => {
    s = await startScenario({
      topology, count: 2, sim: { manualClock: true },
      flags: { policy: constantPolicy(Action.BUY_YES), 'flatten-before-close-s': '0' },
      before: ({ sim, key, markets: [a] }) => void buyOutside(sim, key, a, Q),
    });
    const x = s;
    const [a, b] = x.markets;
    await trading(x, a);
    const cost = x.exchangeAccount().positions.get(a.index)!.exposure;

    x.sim.control.inject(`close-early:${a.ticker}`);
    expect(x.sim.exchange.market(a.ticker)!.status).toBe('closed');
    expect(x.resting(a)).toEqual([]); // the exchange cancels every resting order at the close
    await x.until(() => marketStates(x, a).includes('halted:close_time_passed'), `${a.ticker} halted by the supervisor`);
    await x.until(() => x.workingPrice(a) === 0, 'the host to see its order gone');
    expect(x.exchangePosition(a)).toBe(Q); // not flattened: it settles

    // Determined YES, then paid out when the settlement timer (60 s) runs.
    x.sim.exchange.determine(a.ticker, 'yes');
    x.sim.control.advance(61_000);
    expect(x.sim.exchange.market(a.ticker)!.status).toBe('finalized');
    expect(x.exchangePosition(a)).toBe(0);
    await x.until(() => x.hostPosition(a) === 0 && x.mismatches().length === 0, 'the settlement booked by the host');
    const settled = x.exchangeAccount().positions.get(a.index)!;
    expect(settled.realizedPnl).toBe(notional(10_000, Q) - cost);
    const settlement = () => x.journal.records('fill').find((r) => r.source === 'settlement' && r.market_ticker === a.ticker);
    await x.until(() => settlement() !== undefined, 'the settlement journaled');
    const row = settlement()!;
    expect(row).toMatchObject({ result: 'yes', position: Q, revenue_micros: notional(10_000, Q), exchange_revenue_micros: notional(10_000, Q) });
    expect(x.stats()!.settlementsApplied).toBe(1);
    // The other market trades on.
    expect(hostResting(x, b)).toHaveLength(1);
    expect(marketStates(x, b)).toEqual([]);
    expect(x.supervisor()!.state).toBe('trading');
  });

  it('a paused market takes closings only; resumed, it trades again', async () => {
    s = await startScenario({ topology, count: 2, flags: { policy: constantPolicy(Action.BUY_YES) } });
    const x = s;
    const [a, b] = x.markets;
    await x.until(() => x.supervisor()?.state === 'trading', 'TRADING');
    x.nudge(...x.markets);
    await x.until(() => x.markets.every((m) => hostResting(x, m).length === 1), 'a bid in each market');
    const [bid] = hostResting(x, a);
    x.sim.control.inject(`pause:${a.ticker}`);
    await x.until(() => marketStates(x, a).includes('reducing:paused'), `${a.ticker} reduced by the supervisor`);
    // Paused: the policy's BUY_YES is an opening, refused; the working order is kept.
    const refused = () => x.stats()?.denied.byReason.REDUCING_ONLY ?? 0;
    const before = refused();
    x.sim.exchange.cancelAll(x.bob.keyId, { ticker: a.ticker }); // a book change (orders cannot be placed in a paused market)
    await x.until(() => refused() > before, 'the opening refused while paused');
    expect(hostResting(x, a).map((o) => o.orderId)).toEqual([bid.orderId]);
    x.sim.control.inject(`resume:${a.ticker}`); // the exchange cancels every resting order as the market re-opens
    expect(x.resting(a)).toEqual([]);
    await x.until(() => marketStates(x, a).at(-1) === 'active:open', `${a.ticker} active again`);
    await x.until(() => x.workingPrice(a) === 0, 'the host to see its order cancelled');
    x.nudge(a);
    await x.until(() => hostResting(x, a).length === 1, `a new bid in ${a.ticker}`);
    expect(marketStates(x, a)).toEqual(['reducing:paused', 'active:open']);
    expect(marketStates(x, b)).toEqual([]);
    expect(x.supervisor()!.state).toBe('trading');
  });
});
