/**
 * Thread crashes end to end (issue 8, threads; threaded topology — the inline one has no other
 * thread to lose): a market-data or inference worker that dies is restarted, its books rebuilt
 * from fresh snapshots, and decisions resume; the execution thread dying halts trading, triggers
 * its order groups (the exchange cancels their orders at once), and trading comes back through a
 * new execution session's calibration.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Action } from '../../../src/shared/policy/actions.js';
import type { MarketState } from '../../../src/sim/engine/types.js';
import { constantPolicy, startScenario, topOf, type Scenario } from './scenario-host.js';

let s: Scenario | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** Decisions journaled for `m` after `sinceMs`, and the highest book version decided on. */
function decided(x: Scenario, m: MarketState, sinceMs = 0): { count: number; version: number } {
  const rows = x.journal.records('decision').filter((r) => r.market_ticker === m.ticker && (r.ts_ms as number) > sinceMs);
  return { count: rows.length, version: rows.reduce((v, r) => Math.max(v, r.book_version as number), -1) };
}

const thread = (x: Scenario, name: string) => x.supervisor()?.threads.find((t) => t.name === name);

describe('thread crashes, threaded topology', () => {
  it('a market-data worker, then an inference worker: each restarted, books rebuilt fresh, decisions resume; trading never stops', async () => {
    s = await startScenario({ topology: 'threaded', count: 2, flags: { 'thread-dead-after-ms': '2000' } });
    const x = s;
    const [a, b] = x.markets;
    const hostTop = (m: MarketState) => x.host.book(x.slot(m));
    await x.until(() => x.supervisor()?.state === 'trading' && x.host.totals().staleBooks === 0 && x.markets.every((m) => decided(x, m).count > 0), 'fresh books and decisions');
    await x.until(() => thread(x, 'market-data-0')?.alive === true && thread(x, 'inference-0')?.alive === true, 'both threads watched');
    expect(hostTop(a).yesBid).toBe(topOf(x.sim, a).yesBid);

    // 1. market data dies. While no worker feeds the books, bob bids inside a's spread: a book the
    // host only knows if the new worker rebuilt it from a fresh snapshot.
    await x.host.faults.crashThread('market-data-0');
    const crashedAt = Date.now();
    const inside = a.grid.priceAt(a.grid.levelOf(topOf(x.sim, a).yesBid) + 1);
    expect(inside).toBeLessThan(topOf(x.sim, a).yesAsk);
    x.bobOrder({ ticker: a.ticker, side: 'bid', price: inside, count: 300, timeInForce: 'good_till_canceled' });
    await x.until(() => x.lines.some((l) => l.startsWith('market-data-0 restarted')), 'the restart');
    await x.until(() => thread(x, 'market-data-0')?.restarts === 1 && thread(x, 'market-data-0')?.alive === true, 'the new worker watched and alive');
    await x.until(() => x.host.totals().staleBooks === 0 && hostTop(a).yesBid === inside, 'the books rebuilt, with the bid made while the worker was down');
    expect(hostTop(a)).toMatchObject({ stale: false, yesBid: inside, yesBidSize: 300 });
    expect(hostTop(b)).toMatchObject({ stale: false, yesBid: topOf(x.sim, b).yesBid, noBid: 10_000 - topOf(x.sim, b).yesAsk });
    // Decided on again, on the rebuilt books.
    await x.until(() => x.markets.every((m) => decided(x, m, crashedAt).count > 0), 'decisions on the rebuilt books');

    // 2. inference dies: restarted, and decides again on the next book changes.
    await x.host.faults.crashThread('inference-0');
    await x.until(() => x.lines.some((l) => l.startsWith('inference-0 restarted')), 'the restart');
    await x.until(() => thread(x, 'inference-0')?.restarts === 1 && thread(x, 'inference-0')?.alive === true, 'the new worker watched and alive');
    const restartedAt = Date.now();
    x.nudge(a, b);
    await x.until(() => x.markets.every((m) => decided(x, m, restartedAt).count > 0), 'decisions from the new inference worker');
    expect(x.host.totals().staleBooks).toBe(0);

    // What the supervisor and the journal say.
    const v = x.supervisor()!;
    expect(v.restarts).toBe(2);
    expect(v.state).toBe('trading');
    expect(x.transitions()).toEqual(['booting→calibrating:start', 'calibrating→ready:calibrated', 'ready→trading:healthy']); // TRADING throughout
    const threads = x.journal.records('health_event').filter((r) => r.monitor === 'threads');
    expect(threads.filter((r) => r.event === 'thread_dead').map((r) => (r.detail as { name: string }).name)).toEqual(['market-data-0', 'inference-0']);
    expect(threads.filter((r) => r.event === 'restarted').map((r) => (r.detail as { name: string }).name)).toEqual(['market-data-0', 'inference-0']);
  });

  it('the execution thread: HALTED, its order group triggered and its orders cancelled, back through calibration in a new session, trading again', async () => {
    s = await startScenario({
      topology: 'threaded', count: 2,
      flags: { policy: constantPolicy(Action.BUY_YES), 'order-groups': 'session', 'thread-dead-after-ms': '2000' },
    });
    const x = s;
    await x.until(() => x.supervisor()?.state === 'trading', 'TRADING');
    x.nudge(...x.markets);
    const ours = (prefix: string) => x.resting().filter((o) => o.clientOrderId.startsWith(`${prefix}-`));
    await x.until(() => ours(x.host.sessionId).length === 2, 'a bid in each market');
    const [first] = ours(x.host.sessionId);
    const group = first.orderGroupId;
    expect(group).not.toBe('');

    await x.host.faults.crashThread('execution');
    await x.until(() => x.lines.some((l) => l.startsWith('execution restarted')), 'the restart');
    const restarted = x.lines.find((l) => l.startsWith('execution restarted'))!;
    expect(restarted).toMatch(/^execution restarted: 1 order groups triggered, \d+ resting orders cancelled \(0 left\); new execution session \w+$/);
    const session = /new execution session (\w+)$/.exec(restarted)![1];
    expect(session).not.toBe(x.host.sessionId);
    // The old session's group triggered (the exchange cancelled its orders at once), nothing of it rests.
    expect(x.sim.exchange.getOrderGroup(x.key.keyId, group).triggered).toBe(true);
    expect(ours(x.host.sessionId)).toEqual([]);
    expect(x.sim.exchange.getOrder(x.key.keyId, first.orderId).status).toBe('canceled');

    // Back through calibration, then TRADING; orders again, in the new session.
    await x.until(() => x.transitions().at(-1) === 'ready→trading:healthy' && x.transitions().includes('trading→halted:execution_down'), 'TRADING again');
    const t = x.transitions();
    expect(t.slice(t.indexOf('trading→halted:execution_down'))).toEqual([
      'trading→halted:execution_down', 'halted→calibrating:execution_restarted', 'calibrating→ready:recalibrated', 'ready→trading:healthy',
    ]);
    await x.until(() => x.stats()?.tradingState === 3, 'the new execution stage TRADING');
    x.nudge(...x.markets);
    await x.until(() => ours(session).length === 2, 'new bids from the new session');
    expect(ours(session).every((o) => o.orderGroupId !== '' && o.orderGroupId !== group)).toBe(true);
    await x.until(() => x.mismatches().length === 0, 'the host to agree with the exchange').catch(() => undefined);
    expect(x.mismatches()).toEqual([]);
    expect(thread(x, 'execution')).toMatchObject({ alive: true, restarts: 1 });
    const events = x.journal.records('health_event').filter((r) => r.monitor === 'threads').map((r) => `${r.event as string}:${(r.detail as { name: string }).name}`);
    // The supervisor's two (dead, back) and the host's one (restarted); the latter two race across threads.
    expect(events[0]).toBe('thread_dead:execution');
    expect([...events].sort()).toEqual(['execution_restarted:execution', 'restarted:execution', 'thread_dead:execution']);
  });

  it('the supervisor thread itself: restarted by the main thread, told the markets, threads and verdict again, supervising again', async () => {
    s = await startScenario({ topology: 'threaded', count: 2, flags: { 'thread-dead-after-ms': '2000' } });
    const x = s;
    await x.until(() => x.supervisor()?.state === 'trading' && ['execution', 'inference-0', 'market-data-0'].every((n) => thread(x, n)?.alive === true), 'TRADING, every thread watched');
    await x.host.faults.crashThread('supervisor');
    await x.until(() => x.lines.some((l) => l.startsWith('supervisor restarted')), 'the restart');
    expect(x.lines.some((l) => l.startsWith('supervisor exited unexpectedly'))).toBe(true);
    const passes = x.supervisor()?.passes ?? 0;
    // The new supervisor: back to TRADING through its own calibration pass, every thread watched, passing again.
    await x.until(() => x.supervisor()?.state === 'trading' && (x.supervisor()?.passes ?? 0) > passes + 1 && ['execution', 'inference-0', 'market-data-0'].every((n) => thread(x, n)?.alive === true), 'the new supervisor at work');
    expect(x.supervisor()?.transitions.map((t) => `${t.from}→${t.to}:${t.reason}`)).toEqual(['booting→calibrating:start', 'calibrating→ready:supervisor_restarted', 'ready→trading:healthy']);
    const restarted = x.journal.records('health_event').filter((r) => r.monitor === 'threads' && r.event === 'restarted').map((r) => (r.detail as { name: string }).name);
    expect(restarted).toEqual(['supervisor']);
  });
});
