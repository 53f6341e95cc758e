/**
 * The exchange's faults end to end (issue 8): the WebSocket dropped in the middle of fills (the
 * reconnect gate: REDUCING until a reconcile has covered the blind time; no fill lost, none
 * counted twice, no order sent twice), a REST 5xx after the exchange accepted an order (found by
 * its client_order_id, never placed again), and an order group triggered by a fill burst
 * (REDUCING, reset after the cool-down, TRADING and orders again).
 *
 * The host's policy answers BUY_YES everywhere, priced at the mid: its bid is alone at the top of
 * the book, so bob, selling at its price, fills it and nothing else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Action } from '../../../src/shared/policy/actions.js';
import type { MarketState, OrderState } from '../../../src/sim/engine/types.js';
import { constantPolicy, DOLLAR, startScenario, topOf, type Scenario, type Topology } from './scenario-host.js';

let s: Scenario | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A spread of 2¢ or more: the host's mid bid sits alone inside it. */
const wide = (m: MarketState, sim: Scenario['sim']) => topOf(sim, m).yesAsk - topOf(sim, m).yesBid >= 200;

/** The host's resting bids (this session's client_order_id prefix) in `m`. */
const bids = (x: Scenario, m?: MarketState): OrderState[] => x.resting(m).filter((o) => o.clientOrderId.startsWith(`${x.host.sessionId}-`));

/** bob sells into `o` for all it has left (IOC at its price: nothing else rests that high). */
function fill(x: Scenario, o: OrderState): void {
  const m = x.markets.find((k) => k.index === o.marketIndex)!;
  x.bobOrder({ ticker: m.ticker, side: 'ask', price: o.price, count: o.remainingCount, timeInForce: 'immediate_or_cancel' });
}

/**
 * Waits until the host has seen the fills of `orders` — its positions equal the exchange's there,
 * and the filled order is no longer its working order (the fill and the order's update are two
 * private-stream messages) unless it has placed the next one already — then nudges those markets
 * so that the policy is asked again: books stand still here, and a decision taken on the fill's
 * own book change may have been refused (the order's update not seen yet). A market that already
 * has its next bid just decides again (nothing new goes out).
 */
async function reorder(x: Scenario, orders: OrderState[]): Promise<void> {
  const ms = x.markets.filter((m) => orders.some((o) => o.marketIndex === m.index));
  const filled = new Set(orders.map((o) => o.orderId));
  const seen = (m: MarketState) => x.hostPosition(m) === x.exchangePosition(m) && (x.workingPrice(m) === 0 || bids(x, m).some((o) => !filled.has(o.orderId)));
  await x.until(() => ms.every(seen), 'the host to see the fills');
  x.nudge(...ms);
}

/** No two orders at the exchange with one client_order_id, and as many orders as places accepted. */
async function expectNoDuplicateOrder(x: Scenario): Promise<void> {
  // The host's stats and journal lag the exchange (threaded: both reach the main thread once a
  // second): wait for them to count every order, then compare exactly.
  const sentIds = () => x.journal.records('order_event').filter((r) => r.event === 'sent').map((r) => r.client_order_id as string);
  await x.until(() => {
    const n = x.hostOrders().length;
    return x.stats()?.requests.place.accepted === n && x.stats()?.inFlight === 0 && x.journal.records('order_event').filter((r) => r.event === 'accepted').length >= n;
  }, 'the stats and the journal to count every order').catch(() => undefined);
  const orders = x.hostOrders();
  const cids = orders.map((o) => o.clientOrderId);
  expect(new Set(cids).size).toBe(cids.length);
  expect(orders.length).toBe(x.stats()!.requests.place.accepted);
  // Each order sent once (one 'sent' order_event per client_order_id), and those the exchange took are its orders.
  const sent = sentIds();
  expect(new Set(sent).size).toBe(sent.length);
  const accepted = x.journal.records('order_event').filter((r) => r.event === 'accepted').map((r) => r.client_order_id as string);
  expect(new Set(accepted)).toEqual(new Set(cids));
  expect(accepted.length).toBe(cids.length);
}

/** Every fill of our account at the exchange is in the journal exactly once (WebSocket or reconcile), once the journal caught up. */
async function expectEveryFillOnce(x: Scenario): Promise<void> {
  const journaled = () => x.journal.records('fill').filter((r) => r.source === 'ws' || r.source === 'sync').length;
  await x.until(() => journaled() >= x.exchangeAccount().fills.length, 'the journal to hold every fill').catch(() => undefined);
  const rows = x.journal.records('fill').filter((r) => r.source === 'ws' || r.source === 'sync').map((r) => `${r.trade_id as string}/${r.order_id as string}`);
  const fills = x.exchangeAccount().fills.map((f) => `${f.tradeId}/${f.orderId}`);
  expect(rows.length).toBe(new Set(rows).size);
  expect([...rows].sort()).toEqual([...fills].sort());
}

describe.each(['inline', 'threaded'] as const)('exchange faults, %s topology', (topology: Topology) => {
  it('WebSocket dropped in the middle of fills: REDUCING until resynced, no fill lost or counted twice, no order twice', async () => {
    s = await startScenario({
      topology, count: 2, pick: wide,
      flags: { policy: constantPolicy(Action.BUY_YES), 'price-mode': 'mid', 'max-position': '1000', 'sync-interval-s': '30' },
      before: ({ sim, bob }) => sim.control.adjustCash(bob.keyId, 10_000 * DOLLAR),
    });
    const x = s;
    await x.until(() => x.supervisor()?.state === 'trading', 'TRADING');
    x.nudge(...x.markets);
    /** One round: wait for a bid in every market, bob fills them all. */
    const round = async (what: string) => {
      await x.until(() => x.markets.every((m) => bids(x, m).length === 1) && x.stats()?.inFlight === 0, `a bid in each market (${what})`);
      const filled = bids(x);
      for (const o of filled) fill(x, o);
      await reorder(x, filled);
    };
    for (let i = 0; i < 3; i++) await round(`round ${i}`);
    await x.until(() => x.stats()!.fills.ws + x.stats()!.fills.sync === 6, 'the first six fills in the host');

    // The drop, with fills on both sides of it: some before the host reconnects, some after.
    await x.until(() => x.markets.every((m) => bids(x, m).length === 1 && x.stats()?.inFlight === 0), 'bids before the drop');
    const [first, second] = bids(x);
    fill(x, first);
    x.sim.control.inject('drop');
    fill(x, second); // while the host is blind
    await x.until(() => (x.stats()?.ws.reconnects ?? 0) >= 1 && (x.stats()?.reconciles.reconnect ?? 0) >= 1, 'the reconnect and its reconcile');
    await x.until(() => x.stats()!.tradingState === 3 && !x.stats()!.reconcilePending, 'TRADING again once resynced');
    await reorder(x, [first, second]);
    for (let i = 0; i < 2; i++) await round(`after the drop, round ${i}`);

    // Quiet: everything answered, the host equal to the exchange.
    await x.until(() => x.markets.every((m) => bids(x, m).length === 1) && x.stats()?.inFlight === 0, 'the last bids');
    await x.until(() => x.mismatches().length === 0, 'the host to agree with the exchange').catch(() => undefined);
    expect(x.mismatches()).toEqual([]);
    const fills = x.exchangeAccount().fills.length;
    expect(fills).toBeGreaterThanOrEqual(12);
    await expectEveryFillOnce(x);
    expect(x.stats()!.fills.ws + x.stats()!.fills.sync).toBe(fills);
    expect(x.stats()!.fills.sync).toBeGreaterThanOrEqual(1); // the fill made while the host was blind came through the reconcile
    await expectNoDuplicateOrder(x);
    expect(x.stats()!.drift.confirmed).toBe(0); // found by the reconcile, not papered over by an adoption

    // The reconnect gate: the execution stage held TRADING at REDUCING while blind, back after the reconcile.
    const trading = x.journal.records('state_transition').filter((r) => r.machine === 'trading').map((r) => `${r.from_state as string}→${r.to_state as string}:${r.reason as string}`);
    const down = trading.findIndex((t) => t.startsWith('trading→reducing:'));
    expect(down).toBeGreaterThanOrEqual(0);
    expect(['trading→reducing:stream_down', 'trading→reducing:reconcile_pending']).toContain(trading[down]);
    expect(trading.slice(down + 1)).toContain('reducing→trading:reconciled');
    expect(x.supervisor()!.state).toBe('trading');
  });

  it('REST 5xx after the exchange accepted an order: found by its client_order_id, never placed twice', async () => {
    s = await startScenario({
      topology, count: 2, pick: wide,
      flags: { policy: constantPolicy(Action.BUY_YES), 'price-mode': 'mid', 'max-position': '1000' },
      before: ({ sim, bob }) => sim.control.adjustCash(bob.keyId, 10_000 * DOLLAR),
    });
    const x = s;
    await x.until(() => x.supervisor()?.state === 'trading', 'TRADING');
    x.sim.control.inject('5xx-after-accept:3');
    x.nudge(...x.markets);
    await x.until(() => x.markets.every((m) => bids(x, m).length === 1) && x.stats()?.inFlight === 0 && x.stats()!.requests.place.accepted >= 2, 'a bid in each market');
    const [taken] = bids(x);
    fill(x, taken);
    await reorder(x, [taken]); // the next place is the third 5xx
    await x.until(() => (x.stats()?.placesResolvedByLookup ?? 0) >= 3 && x.markets.every((m) => bids(x, m).length === 1) && x.stats()?.inFlight === 0, 'the third 5xx resolved');
    await x.until(() => x.mismatches().length === 0, 'the host to agree with the exchange').catch(() => undefined);
    expect(x.mismatches()).toEqual([]);
    const st = x.stats()!;
    expect(st.placesResolvedByLookup).toBe(3);
    expect(st.requests.place.unknown).toBe(0);
    await expectNoDuplicateOrder(x);
    // Each of the three is a real order at the exchange, the host's working order where it still rests.
    for (const m of x.markets) expect(x.workingPrice(m)).toBe(bids(x, m)[0].price);
    expect(x.supervisor()!.state).toBe('trading');
  });

  it('an order group triggered by a fill burst: REDUCING, reset after the cool-down, then TRADING and orders again', async () => {
    s = await startScenario({
      topology, count: 3, pick: wide,
      flags: {
        policy: constantPolicy(Action.BUY_YES), 'price-mode': 'mid', 'contract-size': '2', 'max-position': '1000',
        'order-groups': 'session', 'group-limit': '5', 'group-reset-cooldown-s': '4',
      },
      before: ({ sim, bob }) => sim.control.adjustCash(bob.keyId, 10_000 * DOLLAR),
    });
    const x = s;
    await x.until(() => x.supervisor()?.state === 'trading', 'TRADING');
    x.nudge(...x.markets);
    await x.until(() => x.markets.every((m) => bids(x, m).length === 1) && x.stats()?.inFlight === 0, 'a bid in each market');
    const placed = bids(x);
    const groupId = placed[0].orderGroupId;
    expect(groupId).not.toBe('');
    expect(placed.every((o) => o.orderGroupId === groupId)).toBe(true);

    // 2 + 2 + 2 contracts filled within the group's 15 s window: 6 > 5, the exchange triggers it.
    for (const o of placed) fill(x, o);
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, groupId).triggered).toBe(true);
    await x.until(() => x.transitions().includes('trading→reducing:order_group_triggered'), 'REDUCING for the triggered group');
    await x.until(() => x.transitions().at(-1) === 'reducing→trading:healthy', 'TRADING again after the reset');
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, groupId).triggered).toBe(false);
    const st = x.stats()!;
    expect(st.groups).toEqual({ total: 1, triggered: 0, triggeredIds: [] });
    expect(st.requests.reset_group.accepted).toBe(1);
    // The exchange's own account of it (order_group_updates): triggered, then reset no sooner than the 4 s cool-down.
    const events = x.journal.records('group_event').filter((r) => r.order_group_id === groupId);
    const triggered = events.find((r) => r.event === 'triggered')!;
    const reset = events.find((r) => r.event === 'reset')!;
    expect(events.map((r) => r.event).filter((e) => e !== 'created')).toEqual(['triggered', 'reset']);
    expect((reset.ts_ms as number) - (triggered.ts_ms as number)).toBeGreaterThanOrEqual(4_000);

    // Orders flow again, in the group.
    await reorder(x, placed);
    await x.until(() => x.markets.every((m) => bids(x, m).length === 1) && x.stats()?.inFlight === 0, 'new bids after the reset');
    expect(bids(x).every((o) => o.orderGroupId === groupId)).toBe(true);
    await x.until(() => x.mismatches().length === 0, 'the host to agree with the exchange').catch(() => undefined);
    expect(x.mismatches()).toEqual([]);
    await expectNoDuplicateOrder(x);
    expect(x.supervisor()!.state).toBe('trading');
  });
});
