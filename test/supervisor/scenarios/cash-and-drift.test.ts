/**
 * Cash and drift end to end (issue 8): an out-of-band withdrawal that leaves the account below its
 * cash reserve while positions are open → RECOVERING, the worst positions closed first until the
 * reserve (plus the margin) is back, then TRADING and orders again; an out-of-band deposit and a
 * withdrawal → a drift detected by the reconcile, corrected (the exchange's cash adopted),
 * recorded (a 'drift' journal row, the supervisor's `driftsSeen`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { takerFee } from '../../../src/shared/fees.js';
import { notional } from '../../../src/shared/fixed-point.js';
import { Action } from '../../../src/shared/policy/actions.js';
import type { MarketState } from '../../../src/sim/engine/types.js';
import { buyOutside, constantPolicy, DOLLAR, pnlAt, startScenario, topOf, type Scenario, type Topology } from './scenario-host.js';

let s: Scenario | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const RESERVE = 100 * DOLLAR;
const MARGIN = 1 * DOLLAR;

/** $X.YZ for a fault's amount. */
const dollars = (micros: number) => `${Math.floor(micros / DOLLAR)}.${String(Math.floor((micros % DOLLAR) / 10_000)).padStart(2, '0')}`;

describe.each(['inline', 'threaded'] as const)('cash and drift, %s topology', (topology: Topology) => {
  it('cash exhausted by open positions: RECOVERING, the worst positions closed first until the reserve is back, then TRADING and orders again', async () => {
    // Three positions of different sizes; marked at the best bid, the bigger ones lose more (spread and fees).
    const sizes = [1_200, 800, 400];
    const marks: Array<{ m: MarketState; q: number; pnl: number; value: number }> = [];
    s = await startScenario({
      topology, count: 3,
      // The fee-free-maker series: what the host reserves for a resting bid is what the exchange holds.
      pick: (m, sim) => sim.exchange.series(m.seriesTicker)?.feeType === 'quadratic' && topOf(sim, m).yesBidSize >= 1_500 && topOf(sim, m).yesAskSize >= 1_500,
      flags: { policy: constantPolicy(Action.BUY_YES), 'cash-reserve': '100.00', 'cash-margin': '1.00', 'sync-interval-s': '1' },
      before: ({ sim, key, markets }) => {
        markets.forEach((m, i) => {
          const p = buyOutside(sim, key, m, sizes[i]);
          const bid = topOf(sim, m).yesBid;
          marks.push({ m, q: sizes[i], pnl: pnlAt(bid, sizes[i], p.exposure, p.feesPaid), value: notional(bid, sizes[i]) - takerFee(bid, sizes[i]) });
        });
      },
    });
    const x = s;
    await x.until(() => x.supervisor()?.state === 'trading' && x.markets.every((m) => x.hostPosition(m) !== 0), 'the positions and TRADING');
    x.nudge(...x.markets);
    await x.until(() => x.markets.every((m) => x.resting(m).some((o) => o.clientOrderId.startsWith(`${x.host.sessionId}-`))), 'a bid in each market');
    await x.until(() => x.mismatches().length === 0, 'the host to agree with the exchange');

    // Worst first: the lowest net-of-fee P&L. Withdraw so that the worst position alone does not
    // bring the reserve + margin back, and the two worst do.
    const order = [...marks].sort((a, b) => a.pnl - b.pnl || b.value - a.value);
    const [worst, second, best] = order;
    const target = worst.value + Math.floor(second.value / 2); // µ$ the exits must free
    const available = RESERVE + MARGIN - target;
    expect(available).toBeLessThan(RESERVE);
    const withdrawal = x.exchangeAccount().cash - available;
    x.sim.control.inject(`withdraw:${dollars(withdrawal)}`);
    const left = x.exchangeAccount().cash;
    expect(left).toBeLessThan(RESERVE);

    await x.until(() => x.supervisor()?.state === 'recovering', 'RECOVERING');
    await x.until(() => x.exchangePosition(worst.m) === 0 && x.exchangePosition(second.m) === 0, 'the two worst positions closed');
    await x.until(() => x.supervisor()?.state === 'trading', 'TRADING again');
    await x.until(() => x.mismatches().length === 0, 'the host to agree with the exchange').catch(() => undefined);
    expect(x.mismatches()).toEqual([]);

    // The exits, worst first, for the cash; the best position kept. (The journal reaches the main thread a little after the stats.)
    await x.until(() => x.journal.records('order_event').filter((r) => r.event === 'sent' && r.exit_reason !== undefined).length >= 2, 'the exits journaled').catch(() => undefined);
    const exits = x.journal.records('health_event').filter((r) => r.monitor === 'positions' && r.event === 'exit').map((r) => r.detail as { ticker: string; reason: string });
    expect(exits).toEqual([{ market: x.slot(worst.m), ticker: worst.m.ticker, reason: 'cash_recovery' }, { market: x.slot(second.m), ticker: second.m.ticker, reason: 'cash_recovery' }]);
    const sent = x.journal.records('order_event').filter((r) => r.event === 'sent' && r.exit_reason !== undefined);
    expect(sent.map((r) => [r.market_ticker, r.exit_reason, r.count])).toEqual([[worst.m.ticker, 'cash_recovery', worst.q], [second.m.ticker, 'cash_recovery', second.q]]);
    expect(x.exchangePosition(best.m)).toBe(best.q);
    const below = x.journal.records('health_event').filter((r) => r.monitor === 'cash');
    expect(below.map((r) => r.event)).toEqual(['below_reserve']);
    expect(below[0].detail).toMatchObject({ reserve_micros: RESERVE, coverable: true });

    // The way there and back, with its reasons.
    const t = x.transitions();
    const from = t.indexOf('trading→reducing:cash_below_reserve');
    expect(from).toBeGreaterThanOrEqual(0);
    expect(t.slice(from)).toEqual(['trading→reducing:cash_below_reserve', 'reducing→recovering:cash_below_reserve', 'recovering→trading:healthy']);
    const rows = x.journal.records('state_transition').filter((r) => r.machine === 'supervisor').map((r) => `${r.from_state as string}→${r.to_state as string}:${r.reason as string}`);
    expect(rows.slice(rows.indexOf('trading→reducing:cash_below_reserve'))).toEqual(t.slice(from));

    // Cash is at or above the reserve, at the exchange and in the host.
    expect(x.exchangeAccount().cash).toBeGreaterThanOrEqual(RESERVE);
    expect(x.stats()!.availableCash).toBeGreaterThanOrEqual(RESERVE);
    expect(x.supervisor()!.cashShortMicros).toBe(0);

    // Orders flow again: the markets that were closed are bought into again.
    const placed = () => x.journal.records('order_event').filter((r) => r.event === 'accepted' && r.exit_reason === undefined && (r.market_ticker === worst.m.ticker || r.market_ticker === second.m.ticker)).length;
    const before = placed();
    x.nudge(worst.m, second.m);
    await x.until(() => placed() >= before + 2, 'new orders in the markets whose positions were closed');
    expect(x.supervisor()!.state).toBe('trading');
  });

  it('an out-of-band deposit, then a withdrawal: each detected by the reconcile, corrected, recorded', async () => {
    s = await startScenario({ topology, count: 1, flags: { 'sync-interval-s': '1' } });
    const x = s;
    await x.until(() => x.supervisor()?.state === 'trading' && x.mismatches().length === 0, 'TRADING and the host equal to the exchange');
    const cash0 = x.stats()!.cash;
    expect(cash0).toBe(x.exchangeAccount().cash);

    x.sim.control.inject('deposit:100.00');
    await x.until(() => x.stats()?.drift.confirmed === 1 && x.supervisor()?.driftsSeen === 1, 'the deposit detected');
    await x.until(() => x.stats()!.cash === cash0 + 100 * DOLLAR, 'the exchange cash adopted');
    expect(x.mismatches()).toEqual([]);

    x.sim.control.inject('withdraw:50.00');
    await x.until(() => x.stats()?.drift.confirmed === 2 && x.supervisor()?.driftsSeen === 2, 'the withdrawal detected');
    await x.until(() => x.stats()!.cash === cash0 + 50 * DOLLAR, 'the exchange cash adopted');
    expect(x.mismatches()).toEqual([]);
    expect(x.stats()!.cash).toBe(x.exchangeAccount().cash);

    // Recorded: one drift row each (exchange − host), adopted; the supervisor's health events.
    const drifts = x.journal.records('drift');
    expect(drifts.map((r) => [r.cash_micros, r.adopted, (r.markets as unknown[]).length])).toEqual([[100 * DOLLAR, true, 0], [-50 * DOLLAR, true, 0]]);
    const seen = x.journal.records('health_event').filter((r) => r.monitor === 'drift');
    expect(seen.map((r) => [r.event, (r.detail as { cash_micros: number }).cash_micros])).toEqual([['drift_corrected', 100 * DOLLAR], ['drift_corrected', -50 * DOLLAR]]);
    expect(x.supervisor()!.driftsSeen).toBe(2);
    expect(x.supervisor()!.state).toBe('trading');
  });
});
