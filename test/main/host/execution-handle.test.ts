/**
 * The main thread's handle over the execution stage (src/main/host/execution-handle.ts), in both
 * topologies against the simulator in this process: the supervisor's commands (trading state,
 * exit, kill, group reset, reconcile) answered the same way inline (direct calls) and threaded
 * (messages to a real worker thread), the heartbeat slot beaten, the initial requested state,
 * and a crash reported as an unexpected exit with the thread id whose writer claim it left.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/main/config/load.js';
import { startExecution, type ExecutionHandle } from '../../../src/main/host/execution-handle.js';
import { BookStore } from '../../../src/shared/book-store.js';
import { monoNs } from '../../../src/shared/clock.js';
import { Heartbeats } from '../../../src/shared/heartbeats.js';
import { MemoryJournal } from '../../../src/shared/journal.js';
import { KalshiRestClient } from '../../../src/shared/kalshi/rest/index.js';
import { Action } from '../../../src/shared/policy/actions.js';
import { PositionBoard } from '../../../src/shared/position-board.js';
import { createAccountView, createMarketPositionView, TradingState } from '../../../src/shared/position-records.js';
import { SpscRing } from '../../../src/shared/spsc-ring.js';
import { INTENT_WORDS } from '../../../src/workers/inference/intent-record.js';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.js';
import { makeKey } from '../../support/sim-client.js';
import { venueOf } from '../../support/host-fixtures.js';
import { tradable, topOf, until } from '../../workers/execution/stage-harness.js';

let sim: Simulator | undefined;
let handle: ExecutionHandle | undefined;
let rest: KalshiRestClient | undefined;
afterEach(async () => {
  await handle?.stop(false).catch(() => undefined);
  handle = undefined;
  await rest?.close();
  rest = undefined;
  await sim?.close();
  sim = undefined;
});

describe.each(['inline', 'threaded'] as const)('ExecutionHandle (%s)', (topology) => {
  it('carries the supervisor\'s commands, beats the heartbeat slot, and reports a crash as an unexpected exit', async () => {
    const key = makeKey(`handle-${topology}`);
    sim = await startSimulator({ keys: [key], port: 0, markets: 24, rate: 0, seed: 7, tier: 'prestige' });
    const s = sim;
    const deep = (i: number, side: 'yes' | 'no'): boolean => (s.exchange.bestBid(i, side)?.[1] ?? 0) >= 1_000;
    const [a, b] = s.exchange.markets().filter((m) => tradable(s, m) && deep(m.index, 'yes') && deep(m.index, 'no'));
    expect(b).toBeDefined();
    // A YES position bought outside the host: adopted at calibration.
    s.control.placeOrder(key.keyId, { ticker: a.ticker, side: 'bid', price: topOf(s, a).yesAsk, count: 300, timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross' });

    const venue = venueOf(s, key);
    rest = await KalshiRestClient.create({ baseUrl: venue.restUrl, credentials: venue.credentials });
    const markets = [await rest.market(a.ticker), await rest.market(b.ticker)];
    const books = BookStore.create({ maxMarkets: 2, ladderWords: markets.reduce((n, m) => n + 2 * m.grid.levelCount, 0) });
    [a, b].forEach((m, slot) => {
      books.registerMarket(slot, m.grid);
      const yes = s.exchange.bookLevels(m.index, 'yes');
      const no = s.exchange.bookLevels(m.index, 'no');
      books.applySnapshot(slot, yes.flat(), yes.length, no.flat(), no.length, Date.now(), monoNs());
    });
    const board = PositionBoard.create(2);
    const ring = SpscRing.create(256, INTENT_WORDS);
    const heartbeats = Heartbeats.create(2);
    const exits: string[] = [];
    const sessionId = `hd${topology === 'inline' ? 'i' : 't'}`;
    const h = await startExecution({
      config: loadConfig(['--topology', topology, '--throttle-ms', '0'], {}), venue, rest, markets, books, board, intents: [ring], sessionId,
      journal: new MemoryJournal(), log: () => undefined,
      tradingState: TradingState.READY, heartbeat: { heartbeats: heartbeats.shared, slot: 1 }, onUnexpectedExit: (why) => exits.push(why),
    });
    handle = h;
    const acct = createAccountView();
    const accountState = (): number => (board.readAccount(acct) ? acct.tradingState : -1);

    if (topology === 'threaded') expect(h.threadId).toBe(board.writerThreadId());
    else expect(h.threadId).toBeUndefined();
    const beat = heartbeats.read(1);
    expect(beat).toBeGreaterThan(0);
    await until(() => heartbeats.read(1) >= beat + 2, 'the heartbeat to advance');
    expect(heartbeats.read(0)).toBe(0);
    expect(accountState()).toBe(TradingState.READY); // the state asked for at start, not TRADING

    h.setTradingState(TradingState.TRADING, 'supervisor: trade');
    await until(() => accountState() === TradingState.TRADING, 'TRADING');
    expect(await h.exitPosition(0, 'take_profit')).toEqual({ status: 'sent', clientOrderId: `${sessionId}-${a.ticker}-0`, side: 'ask', price: topOf(s, a).yesBid, count: 300 });
    expect(await h.exitPosition(1, 'take_profit')).toEqual({ status: 'denied', reason: 'FLAT' });
    const view = createMarketPositionView();
    await until(() => board.readMarket(0, view) && view.position === 0, 'the exit on the PositionBoard');
    expect(s.exchange.account(key.keyId)!.positions.get(a.index)?.position ?? 0).toBe(0);

    expect(ring.tryPush([1, Action.BUY_YES, 0, 0])).toBe(true);
    const ours = () => s.exchange.listOrders(key.keyId, { status: 'resting' }).filter((o) => o.clientOrderId.startsWith(`${sessionId}-`));
    await until(() => ours().length === 1, 'a resting order');
    const report = await h.kill({ flatten: true, reason: 'kill_switch' });
    expect(report).toMatchObject({ groupsTriggered: 1, remaining: 0, exitsSent: 0, exitsDenied: 0, openPositions: 0 });
    expect(ours()).toEqual([]);
    expect(accountState()).toBe(TradingState.HALTED);
    await until(() => h.summary()?.stats.groups.triggered === 1, 'the triggered group in the stats');
    h.resetGroups();
    await until(() => h.summary()?.stats.groups.triggered === 0, 'the group reset');
    h.reconcile('supervisor');
    await until(() => h.summary()?.stats.lastSync?.reason === 'supervisor', 'the reconcile');
    expect(accountState()).toBe(TradingState.HALTED);
    expect(exits).toEqual([]);

    // A crash: reported once as an unexpected exit; threaded, the dead thread's writer claim is left for the host to free.
    const tid = h.threadId;
    await h.crash();
    await until(() => exits.length === 1, 'the unexpected exit');
    if (topology === 'threaded') {
      expect(exits[0]).toMatch(/^exit code/);
      expect(board.writerThreadId()).toBe(tid);
      expect(board.releaseWriter(tid!)).toBe(true);
      await expect(h.exitPosition(0, 'take_profit')).rejects.toThrow(/exited/);
    } else {
      expect(exits).toEqual(['crashed']);
      expect(board.writerThreadId()).toBeUndefined();
      expect(await h.exitPosition(0, 'take_profit')).toEqual({ status: 'denied', reason: 'STOPPING' });
    }
    await h.stop(false);
    expect(exits).toHaveLength(1);
    handle = undefined;
  });
});

describe('ExecutionHandle (threaded): a requested stop', () => {
  it('is not an unexpected exit', async () => {
    const key = makeKey('handle-stop');
    sim = await startSimulator({ keys: [key], port: 0, markets: 24, rate: 0, seed: 7, tier: 'prestige' });
    const s = sim;
    const [a] = s.exchange.markets().filter((m) => tradable(s, m));
    const venue = venueOf(s, key);
    rest = await KalshiRestClient.create({ baseUrl: venue.restUrl, credentials: venue.credentials });
    const markets = [await rest.market(a.ticker)];
    const books = BookStore.create({ maxMarkets: 1, ladderWords: 2 * markets[0].grid.levelCount });
    books.registerMarket(0, markets[0].grid);
    const board = PositionBoard.create(1);
    const exits: string[] = [];
    const h = await startExecution({
      config: loadConfig(['--topology', 'threaded'], {}), venue, rest, markets, books, board, intents: [SpscRing.create(16, INTENT_WORDS)], sessionId: 'hds',
      journal: new MemoryJournal(), log: () => undefined, onUnexpectedExit: (why) => exits.push(why),
    });
    handle = h;
    const acct = createAccountView();
    expect(board.readAccount(acct) && acct.tradingState).toBe(TradingState.TRADING); // the default
    await h.stop(true);
    handle = undefined;
    expect(board.writerThreadId()).toBeUndefined();
    expect(exits).toEqual([]);
  });
});
