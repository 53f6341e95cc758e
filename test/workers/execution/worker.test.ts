/**
 * The execution worker as the threaded topology runs it: a real worker thread on the TypeScript
 * sources, shared memory (BookStore, PositionBoard, intent ring, rate budgets) created here and
 * attached there, the private key passed as a KeyObject, the simulator in this process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { BookStore } from '../../../src/shared/book-store.js';
import { monoNs } from '../../../src/shared/clock.js';
import { Heartbeats } from '../../../src/shared/heartbeats.js';
import { Action } from '../../../src/shared/policy/actions.js';
import { PositionBoard } from '../../../src/shared/position-board.js';
import { createMarketPositionView, MarketTradingState, TradingState, createAccountView } from '../../../src/shared/position-records.js';
import { RateBudgets } from '../../../src/shared/rate-budgets.js';
import { SpscRing } from '../../../src/shared/spsc-ring.js';
import { workerExit } from '../../../src/shared/worker-spawn.js';
import { INTENT_WORDS } from '../../../src/workers/inference/intent-record.js';
import { startExecutionWorker, type ExecutionWorkerCommand, type ExecutionWorkerData, type ExecutionWorkerMessage } from '../../../src/workers/execution/worker-protocol.js';
import type { ExecutionStats } from '../../../src/workers/execution/execution-stats.js';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.js';
import type { MarketState } from '../../../src/sim/engine/types.js';
import { makeKey } from '../../support/sim-client.js';
import { tradable, topOf, until } from './stage-harness.js';

let sim: Simulator | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
  await sim?.close();
  sim = undefined;
});

/** A BookStore holding the simulator's books of `markets` now (what a market-data worker would publish). */
function booksOf(s: Simulator, markets: readonly MarketState[]): BookStore {
  const all = s.exchange.markets();
  const books = BookStore.create({ maxMarkets: all.length, ladderWords: all.reduce((n, m) => n + 2 * m.grid.levelCount, 0) });
  for (const m of markets) {
    books.registerMarket(m.index, m.grid);
    const yes = s.exchange.bookLevels(m.index, 'yes');
    const no = s.exchange.bookLevels(m.index, 'no');
    books.applySnapshot(m.index, yes.flat(), yes.length, no.flat(), no.length, Date.now(), monoNs());
  }
  return books;
}

/** Every message of the worker, its exit, and its latest stats. */
function watch(w: Worker): { messages: ExecutionWorkerMessage[]; exited: Promise<void>; lastStats: () => ExecutionStats | undefined } {
  const messages: ExecutionWorkerMessage[] = [];
  w.on('message', (m: ExecutionWorkerMessage) => messages.push(m));
  const lastStats = (): ExecutionStats | undefined => {
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i];
      if (m.type === 'stats') return m.stats;
    }
    return undefined;
  };
  return { messages, exited: workerExit(w), lastStats };
}

describe('execution worker thread', () => {
  it('starts, trades and stops cleanly', async () => {
    const key = makeKey('worker-key');
    const bob = makeKey('worker-bob');
    sim = await startSimulator({ keys: [key, bob], port: 0, markets: 24, rate: 0, seed: 7, tier: 'prestige' });
    const s = sim;
    const all = s.exchange.markets();
    const markets = all.filter((m) => tradable(s, m)).slice(0, 3);
    expect(markets).toHaveLength(3);
    const books = booksOf(s, markets);
    const board = PositionBoard.create(all.length);
    const ring = SpscRing.create(256, INTENT_WORDS);
    const data: ExecutionWorkerData = {
      restUrl: s.restUrl, wsUrl: s.wsUrl, keyId: key.keyId, privateKey: key.privateKey,
      budgets: RateBudgets.forTier('prestige').shared, books: books.shared, board: board.shared, intents: [ring.shared],
      markets: markets.map((m) => ({ index: m.index, ticker: m.ticker, ranges: [...m.grid.ranges], closeTimeMs: m.closeMs })),
      settings: { priceMode: 'mid', throttleMs: 0 }, sessionId: 'wk1', statsIntervalMs: 100,
    };
    const w = startExecutionWorker(data);
    worker = w;
    const { messages, exited, lastStats } = watch(w);
    await until(() => messages.some((m) => m.type === 'started' || m.type === 'fatal'), 'the worker to start');
    expect(messages.filter((m) => m.type === 'fatal')).toEqual([]);
    expect(board.writerThreadId()).toBe(w.threadId);

    for (const m of markets) expect(ring.tryPush([m.index, Action.BUY_YES, 0, 0])).toBe(true);
    const ours = () => s.exchange.listOrders(key.keyId, { status: 'resting' }).filter((o) => o.clientOrderId.startsWith('wk1-'));
    await until(() => ours().length === 3 && (lastStats()?.orders.accepted ?? 0) === 3, 'three resting orders');
    // bob takes one of them: the worker's ledger and the PositionBoard it writes follow the exchange.
    const [first] = ours();
    const firstMarket = markets.find((m) => m.index === first.marketIndex)!;
    s.control.placeOrder(bob.keyId, { ticker: firstMarket.ticker, side: 'ask', price: first.price, count: 500, timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross' });
    const view = createMarketPositionView();
    await until(() => board.readMarket(firstMarket.index, view) && view.position === 500, 'the fill on the PositionBoard');
    expect(view.costBasis).toBe(first.price * 500);
    const acct = createAccountView();
    expect(board.readAccount(acct)).toBe(true);
    expect(acct.tradingState).toBe(TradingState.TRADING);
    await until(() => lastStats()?.fills.ws === 1, 'the fill in the stats');

    w.postMessage({ type: 'stop', cancelResting: true });
    await until(() => messages.some((m) => m.type === 'stopped'), 'the worker to stop', 10_000);
    await exited; // exit code 0: nothing left running in the thread
    worker = undefined;
    const stopped = messages.find((m) => m.type === 'stopped')!;
    expect(stopped.type === 'stopped' && stopped.report).toMatchObject({ cancelled: 2, remaining: 0, abandoned: 0 });
    expect(ours()).toEqual([]);
    expect(board.writerThreadId()).toBeUndefined(); // released: a restarted worker can claim it
    expect(messages.filter((m) => m.type === 'fatal')).toEqual([]);
    const journal = messages.flatMap((m) => (m.type === 'journal' ? m.records : []));
    expect(journal.some((r) => r.kind === 'calibration')).toBe(true);
    expect(journal.filter((r) => r.kind === 'fill')).toHaveLength(1);
    const final = lastStats()!;
    expect(final.latency.intentToWire.total).toBe(3);
    expect(final.latency.restRoundTrip.total).toBeGreaterThanOrEqual(3);
  });

  it('reports a failure to start as fatal, without key material, and exits', async () => {
    const key = makeKey('worker-fatal');
    const board = PositionBoard.create(4);
    const books = BookStore.create({ maxMarkets: 4 });
    const w = startExecutionWorker({
      restUrl: 'http://127.0.0.1:9/trade-api/v2', keyId: key.keyId, privateKey: key.privateKey,
      budgets: RateBudgets.forTier('prestige').shared, books: books.shared, board: board.shared, intents: [],
      markets: [], settings: {}, sessionId: 'wk2', restTimeoutMs: 1_000,
    });
    worker = w;
    const messages: ExecutionWorkerMessage[] = [];
    w.on('message', (m: ExecutionWorkerMessage) => messages.push(m));
    await workerExit(w);
    worker = undefined;
    const fatal = messages.find((m) => m.type === 'fatal');
    expect(fatal).toBeDefined();
    const text = JSON.stringify(messages);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().split('\n')[1]);
    expect(board.writerThreadId()).toBeUndefined();
  });

  it('carries the supervisor\'s commands — trading state, exit, reconcile, kill, group reset — and beats its heartbeat slot', async () => {
    const key = makeKey('worker-sup');
    sim = await startSimulator({ keys: [key], port: 0, markets: 24, rate: 0, seed: 7, tier: 'prestige' });
    const s = sim;
    const all = s.exchange.markets();
    const deep = (i: number, side: 'yes' | 'no'): boolean => (s.exchange.bestBid(i, side)?.[1] ?? 0) >= 1_000;
    const [a, b] = all.filter((m) => tradable(s, m) && deep(m.index, 'yes') && deep(m.index, 'no'));
    expect(b).toBeDefined();
    // A YES position bought outside the host: adopted at calibration.
    s.control.placeOrder(key.keyId, { ticker: a.ticker, side: 'bid', price: topOf(s, a).yesAsk, count: 300, timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross' });
    const books = booksOf(s, [a, b]);
    const board = PositionBoard.create(all.length);
    const ring = SpscRing.create(256, INTENT_WORDS);
    const heartbeats = Heartbeats.create(4);
    const w = startExecutionWorker({
      restUrl: s.restUrl, wsUrl: s.wsUrl, keyId: key.keyId, privateKey: key.privateKey,
      budgets: RateBudgets.forTier('prestige').shared, books: books.shared, board: board.shared, intents: [ring.shared],
      markets: [a, b].map((m) => ({ index: m.index, ticker: m.ticker, ranges: [...m.grid.ranges], closeTimeMs: m.closeMs })),
      settings: { priceMode: 'passive', throttleMs: 0 }, sessionId: 'wk3', statsIntervalMs: 50,
      tradingState: TradingState.REDUCING, heartbeat: { heartbeats: heartbeats.shared, slot: 2 },
    });
    worker = w;
    const { messages, exited, lastStats } = watch(w);
    const post = (c: ExecutionWorkerCommand): void => w.postMessage(c);
    const acct = createAccountView();
    const accountState = (): number => (board.readAccount(acct) ? acct.tradingState : -1);

    // The heartbeat moves from the thread's first moments, and keeps moving.
    await until(() => heartbeats.read(2) >= 1, 'the first heartbeat');
    const first = heartbeats.read(2);
    await until(() => messages.some((m) => m.type === 'started' || m.type === 'fatal'), 'the worker to start');
    expect(messages.filter((m) => m.type === 'fatal')).toEqual([]);
    await until(() => heartbeats.read(2) >= first + 2, 'the heartbeat to advance');
    expect([heartbeats.read(0), heartbeats.read(1), heartbeats.read(3)]).toEqual([0, 0, 0]);
    // The initial state asked for: REDUCING, not TRADING.
    expect(accountState()).toBe(TradingState.REDUCING);
    await until(() => lastStats()?.requestedTradingState === TradingState.REDUCING, 'the requested state in the stats');

    post({ type: 'trading_state', state: TradingState.TRADING, reason: 'supervisor: trade' });
    await until(() => accountState() === TradingState.TRADING, 'TRADING');
    expect(ring.tryPush([b.index, Action.BUY_YES, 0, 0])).toBe(true);
    const ours = () => s.exchange.listOrders(key.keyId, { status: 'resting' }).filter((o) => o.clientOrderId.startsWith('wk3-'));
    await until(() => ours().length === 1, 'a resting order in b');

    // exit_position → exit_result, in the order asked.
    post({ type: 'exit_position', index: a.index, reason: 'take_profit' });
    post({ type: 'exit_position', index: b.index, reason: 'stop_loss' });
    await until(() => messages.filter((m) => m.type === 'exit_result').length === 2, 'two exit results');
    const results = messages.flatMap((m) => (m.type === 'exit_result' ? [[m.index, m.result]] : []));
    expect(results).toEqual([
      [a.index, { status: 'sent', clientOrderId: `wk3-${a.ticker}-0`, side: 'ask', price: topOf(s, a).yesBid, count: 300 }],
      [b.index, { status: 'denied', reason: 'FLAT' }],
    ]);
    const view = createMarketPositionView();
    await until(() => board.readMarket(a.index, view) && view.position === 0, 'the exit on the PositionBoard');
    expect(s.exchange.account(key.keyId)!.positions.get(a.index)?.position ?? 0).toBe(0);

    post({ type: 'reconcile', reason: 'supervisor' });
    await until(() => lastStats()?.lastSync?.reason === 'supervisor', 'the reconcile in the stats');
    expect(lastStats()!.lastSync).toMatchObject({ driftOk: true, driftConfirmed: false });

    // kill → killed: HALTED, the session group triggered (the exchange cancelled the order in b).
    post({ type: 'kill', flatten: true, reason: 'kill_switch' });
    await until(() => messages.some((m) => m.type === 'killed'), 'the kill report');
    const killed = messages.find((m) => m.type === 'killed')!;
    expect(killed.type === 'killed' && killed.error).toBeUndefined();
    expect(killed.type === 'killed' && killed.report).toMatchObject({ groupsTriggered: 1, remaining: 0, exitsDenied: 0, openPositions: 0 });
    expect(ours()).toEqual([]);
    expect(accountState()).toBe(TradingState.HALTED);
    await until(() => lastStats()?.groups.triggered === 1, 'the triggered group in the stats');
    const groupId = lastStats()!.groups.triggeredIds[0];
    expect(s.exchange.getOrderGroup(key.keyId, groupId).triggered).toBe(true);

    post({ type: 'reset_groups' });
    await until(() => lastStats()?.groups.triggered === 0 && !s.exchange.getOrderGroup(key.keyId, groupId).triggered, 'the group reset');
    expect(accountState()).toBe(TradingState.HALTED); // stays halted until asked otherwise
    expect(lastStats()!.exits).toMatchObject({ requested: 2, sent: 1, denied: 1, byReason: { take_profit: 1, stop_loss: 1 } });

    post({ type: 'stop', cancelResting: true });
    await until(() => messages.some((m) => m.type === 'stopped'), 'the worker to stop', 10_000);
    await exited;
    worker = undefined;
    const journal = messages.flatMap((m) => (m.type === 'journal' ? m.records : []));
    const trading = journal.filter((r) => r.kind === 'state_transition' && r.record.machine === 'trading').map((r) => [r.record.to_state, r.record.reason]);
    expect(trading).toContainEqual(['trading', 'supervisor: trade']);
    expect(trading).toContainEqual(['halted', 'kill_switch']);
    expect(journal.some((r) => r.kind === 'order_event' && r.record.exit_reason === 'take_profit')).toBe(true);
  });

  it('carries the operator\'s commands — disable and enable a market, reset one order group', async () => {
    const key = makeKey('worker-op');
    const bob = makeKey('worker-op-bob');
    sim = await startSimulator({ keys: [key, bob], port: 0, markets: 24, rate: 0, seed: 7, tier: 'prestige' });
    const s = sim;
    const all = s.exchange.markets();
    const [a, b] = all.filter((m) => tradable(s, m));
    expect(b).toBeDefined();
    const books = booksOf(s, [a, b]);
    const board = PositionBoard.create(all.length);
    const ring = SpscRing.create(256, INTENT_WORDS);
    const w = startExecutionWorker({
      restUrl: s.restUrl, wsUrl: s.wsUrl, keyId: key.keyId, privateKey: key.privateKey,
      budgets: RateBudgets.forTier('prestige').shared, books: books.shared, board: board.shared, intents: [ring.shared],
      markets: [a, b].map((m) => ({ index: m.index, ticker: m.ticker, ranges: [...m.grid.ranges], closeTimeMs: m.closeMs })),
      // mid: our bid is alone at its level, so bob's sell fills it; a group of 1 contract triggers on 2.
      settings: { priceMode: 'mid', throttleMs: 0, orderGroups: 'session', groupLimit: 1, groupAutoReset: false }, sessionId: 'wk4', statsIntervalMs: 50,
    });
    worker = w;
    const { messages, exited, lastStats } = watch(w);
    const post = (c: ExecutionWorkerCommand): void => w.postMessage(c);
    const view = createMarketPositionView();
    const stateOf = (m: MarketState): number => (board.readMarket(m.index, view) ? view.tradingState : -1);
    const ours = () => s.exchange.listOrders(key.keyId, { status: 'resting' }).filter((o) => o.clientOrderId.startsWith('wk4-'));
    await until(() => messages.some((m) => m.type === 'started' || m.type === 'fatal'), 'the worker to start');
    expect(messages.filter((m) => m.type === 'fatal')).toEqual([]);
    await until(() => lastStats() !== undefined, 'the first stats');
    expect(lastStats()!.groupMode).toBe('session');
    expect(lastStats()!.operatorDisabled).toEqual([]);

    // Disabled: closings only in a (the PositionBoard says REDUCING), b trades on.
    post({ type: 'operator_disable', index: a.index, disabled: true, reason: 'operator_disabled: test' });
    await until(() => lastStats()?.operatorDisabled.length === 1 && stateOf(a) === MarketTradingState.REDUCING, 'the disable in the stats and on the board');
    expect(lastStats()!.operatorDisabled).toEqual([a.index]);
    expect(stateOf(b)).toBe(MarketTradingState.ACTIVE);
    expect(ring.tryPush([a.index, Action.BUY_YES, 0, 0])).toBe(true);
    expect(ring.tryPush([b.index, Action.BUY_YES, 0, 0])).toBe(true);
    await until(() => lastStats()?.denied.byReason.REDUCING_ONLY === 1 && ours().length === 1 && lastStats()?.orders.accepted === 1, 'the opening in a refused, the one in b resting');
    const [bid] = ours();
    expect(bid.marketIndex).toBe(b.index);
    const groupId = bid.orderGroupId;
    expect(lastStats()!.orderGroups).toEqual([{ id: groupId, market: -1, status: 'active', limitContracts: 1, triggeredAtMs: 0 }]);

    // bob sells 2 contracts into the bid: the session group triggers.
    s.control.placeOrder(bob.keyId, { ticker: b.ticker, side: 'ask', price: bid.price, count: 200, timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross' });
    expect(s.exchange.getOrderGroup(key.keyId, groupId).triggered).toBe(true);
    await until(() => lastStats()?.orderGroups[0]?.status === 'triggered', 'the triggered group in the stats');
    expect(lastStats()!.orderGroups[0].triggeredAtMs).toBeGreaterThan(0);
    post({ type: 'reset_group', id: 'no-such-group' });
    post({ type: 'reset_group', id: groupId });
    await until(() => lastStats()?.orderGroups[0]?.status === 'active' && !s.exchange.getOrderGroup(key.keyId, groupId).triggered, 'the group reset');
    expect(lastStats()!.requests.reset_group).toMatchObject({ sent: 1, accepted: 1 });
    expect(lastStats()!.groups).toEqual({ total: 1, triggered: 0, triggeredIds: [] });

    // Enabled: back to ACTIVE.
    post({ type: 'operator_disable', index: a.index, disabled: false, reason: 'operator_enabled' });
    await until(() => lastStats()?.operatorDisabled.length === 0 && stateOf(a) === MarketTradingState.ACTIVE, 'the enable in the stats and on the board');

    post({ type: 'stop', cancelResting: true });
    await until(() => messages.some((m) => m.type === 'stopped'), 'the worker to stop', 10_000);
    await exited;
    worker = undefined;
    const journal = messages.flatMap((m) => (m.type === 'journal' ? m.records : []));
    const transitions = journal.filter((r) => r.kind === 'state_transition' && r.record.machine === `market:${a.ticker}`).map((r) => [r.record.from_state, r.record.to_state, r.record.reason]);
    expect(transitions).toEqual([['active', 'reducing', 'operator_disabled: test'], ['reducing', 'active', 'operator_enabled']]);
    expect(messages.filter((m) => m.type === 'fatal')).toEqual([]);
  });
});
