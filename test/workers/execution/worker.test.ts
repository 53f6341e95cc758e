/**
 * The execution worker as the threaded topology runs it: a real worker thread on the TypeScript
 * sources, shared memory (BookStore, PositionBoard, intent ring, rate budgets) created here and
 * attached there, the private key passed as a KeyObject, the simulator in this process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { BookStore } from '../../../src/shared/book-store.js';
import { monoNs } from '../../../src/shared/clock.js';
import { Action } from '../../../src/shared/policy/actions.js';
import { PositionBoard } from '../../../src/shared/position-board.js';
import { createMarketPositionView, TradingState, createAccountView } from '../../../src/shared/position-records.js';
import { RateBudgets } from '../../../src/shared/rate-budgets.js';
import { SpscRing } from '../../../src/shared/spsc-ring.js';
import { workerExit } from '../../../src/shared/worker-spawn.js';
import { INTENT_WORDS } from '../../../src/workers/inference/intent-record.js';
import { startExecutionWorker, type ExecutionWorkerData, type ExecutionWorkerMessage } from '../../../src/workers/execution/worker-protocol.js';
import type { ExecutionStats } from '../../../src/workers/execution/execution-stats.js';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.js';
import { makeKey } from '../../support/sim-client.js';
import { tradable, until } from './stage-harness.js';

let sim: Simulator | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
  await sim?.close();
  sim = undefined;
});

describe('execution worker thread', () => {
  it('starts, trades and stops cleanly', async () => {
    const key = makeKey('worker-key');
    const bob = makeKey('worker-bob');
    sim = await startSimulator({ keys: [key, bob], port: 0, markets: 24, rate: 0, seed: 7, tier: 'prestige' });
    const s = sim;
    const all = s.exchange.markets();
    const markets = all.filter((m) => tradable(s, m)).slice(0, 3);
    expect(markets).toHaveLength(3);
    const books = BookStore.create({ maxMarkets: all.length, ladderWords: all.reduce((n, m) => n + 2 * m.grid.levelCount, 0) });
    for (const m of markets) {
      books.registerMarket(m.index, m.grid);
      const yes = s.exchange.bookLevels(m.index, 'yes');
      const no = s.exchange.bookLevels(m.index, 'no');
      books.applySnapshot(m.index, yes.flat(), yes.length, no.flat(), no.length, Date.now(), monoNs());
    }
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
    const messages: ExecutionWorkerMessage[] = [];
    w.on('message', (m: ExecutionWorkerMessage) => messages.push(m));
    const exited = workerExit(w);
    const lastStats = (): ExecutionStats | undefined => {
      for (let i = messages.length - 1; i >= 0; i--) {
        const m = messages[i];
        if (m.type === 'stats') return m.stats;
      }
      return undefined;
    };
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
});
