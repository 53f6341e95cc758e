/**
 * The execution stage as the main thread sees it, in either topology: a worker thread of its
 * own (threaded) or the very same ExecutionStage on this thread (inline). It starts calibrated
 * (calibration against the exchange happens in `start`), reports a summary for the status line,
 * forwards journal records, takes markets added while running (market rotation), and stops
 * with or without cancelling resting orders.
 */
import type { Worker } from 'node:worker_threads';
import type { BookStore } from '../../shared/book-store.js';
import type { Journal } from '../../shared/journal.js';
import type { KalshiRestClient } from '../../shared/kalshi/rest/client.js';
import type { Market } from '../../shared/kalshi/rest/decoders/market.js';
import type { PositionBoard } from '../../shared/position-board.js';
import type { MarketTradingState } from '../../shared/position-records.js';
import type { SpscRing } from '../../shared/spsc-ring.js';
import { ExecutionStage } from '../../workers/execution/execution-stage.js';
import type { ExecutionSettings } from '../../workers/execution/execution-settings.js';
import type { ExecutionStats } from '../../workers/execution/execution-stats.js';
import { startExecutionWorker, type ExecutionWorkerCommand, type ExecutionWorkerMessage } from '../../workers/execution/worker-protocol.js';
import type { HostConfig } from '../config/settings.js';
import { HostStartError, type Venue } from './venue.js';

export interface ExecutionSummary {
  ordersSent: number;
  fills: number;
  /** µ$ */
  cash: number;
  openPositions: number;
  /** Realized + unrealized − fees since the session start, µ$. */
  pnl: number;
  stats: ExecutionStats;
}

export interface ExecutionHandle {
  summary(): ExecutionSummary | undefined;
  /** Trade one more market in slot `index` (registered in the BookStore first); rejects when the stage refused it. */
  addMarket(index: number, market: Market): Promise<void>;
  /** A market's own trading state (MarketTradingState): wind-down and halt of closing markets. */
  setMarketState(index: number, state: MarketTradingState, reason: string): void;
  stop(cancelResting: boolean): Promise<void>;
}

/** How long an `add_market` may wait for the execution worker's answer, ms. */
const ADD_MARKET_TIMEOUT_MS = 10_000;

export interface ExecutionStartOptions {
  config: HostConfig;
  venue: Venue;
  rest: KalshiRestClient;
  markets: readonly Market[];
  books: BookStore;
  board: PositionBoard;
  intents: readonly SpscRing[];
  sessionId: string;
  journal: Journal;
  log: (line: string) => void;
}

export function executionSettingsOf(c: HostConfig): Partial<ExecutionSettings> {
  return {
    priceMode: c.priceMode, contractSize: c.contractSize, throttleMs: c.throttleMs, cashReserve: c.cashReserve,
    maxPosition: c.maxPosition, maxExposure: c.maxExposure, orderGroups: c.orderGroups, groupLimit: c.groupLimit,
    syncIntervalS: c.syncIntervalS, breakerErrors: c.breakerErrors, breakerCooldownS: c.breakerCooldownS,
    groupAutoReset: c.groupAutoReset, groupResetCooldownMs: c.groupResetCooldownS * 1000,
  };
}

export function summarize(s: ExecutionStats): ExecutionSummary {
  return {
    ordersSent: s.orders.sent,
    fills: s.fills.ws + s.fills.sync,
    cash: s.cash,
    openPositions: s.positions.filter((p) => p.position !== 0).length,
    pnl: s.realizedPnl + s.unrealizedPnl - s.feesPaid,
    stats: s,
  };
}

export async function startExecution(o: ExecutionStartOptions): Promise<ExecutionHandle> {
  const settings = executionSettingsOf(o.config);
  if (o.config.topology === 'inline') {
    const stage = new ExecutionStage({
      rest: o.rest,
      ws: { url: o.venue.wsUrl, credentials: o.venue.credentials },
      markets: o.markets.map((m, index) => ({ index, ticker: m.ticker, grid: m.grid, closeTimeMs: m.closeTimeMs })),
      books: o.books, board: o.board, intents: o.intents, settings, sessionId: o.sessionId, journal: o.journal,
    });
    await stage.start();
    return {
      summary: () => summarize(stage.stats()),
      addMarket: async (index, m) => stage.addMarket({ index, ticker: m.ticker, grid: m.grid, closeTimeMs: m.closeTimeMs }),
      setMarketState: (index, state, reason) => stage.setMarketTradingState(index, state, reason),
      stop: async (cancelResting) => {
        const r = await stage.stop({ cancelResting });
        o.log(`execution stopped: ${r.cancelled} resting orders cancelled, ${r.remaining} left, ${r.abandoned} requests abandoned (${r.durationMs} ms)`);
      },
    };
  }
  const worker: Worker = startExecutionWorker({
    restUrl: o.venue.restUrl, wsUrl: o.venue.wsUrl, keyId: o.venue.credentials.keyId, privateKey: o.venue.privateKey,
    budgets: o.rest.budgets.shared, books: o.books.shared, board: o.board.shared, intents: o.intents.map((r) => r.shared),
    markets: o.markets.map((m, index) => ({ index, ticker: m.ticker, ranges: [...m.grid.ranges], closeTimeMs: m.closeTimeMs })),
    settings, sessionId: o.sessionId,
  });
  let latest: ExecutionStats | undefined;
  let stopped: ((v: void) => void) | undefined;
  let exited = false;
  /** `add_market` answers awaited, by slot. */
  const adding = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const started = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: ExecutionWorkerMessage) => {
      switch (m.type) {
        case 'started': return resolve();
        case 'stats': latest = m.stats; return;
        case 'market_added': {
          const w = adding.get(m.index);
          adding.delete(m.index);
          if (m.error === undefined) w?.resolve();
          else w?.reject(new Error(`execution refused market slot ${m.index}: ${m.error}`));
          return;
        }
        case 'journal': for (const r of m.records) o.journal.write(r.kind, r.record); return;
        case 'stopped':
          o.log(`execution stopped: ${m.report.cancelled} resting orders cancelled, ${m.report.remaining} left, ${m.report.abandoned} requests abandoned (${m.report.durationMs} ms)`);
          return;
        case 'fatal':
          o.log(`execution: ${m.message}`);
          return reject(new HostStartError(`execution could not start: ${m.message}`));
      }
    });
    worker.on('error', (err) => reject(new HostStartError(`execution thread failed: ${err.message}`)));
    worker.on('exit', (code) => {
      exited = true;
      stopped?.();
      for (const w of adding.values()) w.reject(new Error(`execution thread exited (code ${code})`));
      adding.clear();
      reject(new HostStartError(`execution thread stopped at start-up (exit code ${code})`));
    });
  });
  try {
    await started;
  } catch (err) {
    if (!exited) await worker.terminate();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    summary: () => (latest === undefined ? undefined : summarize(latest)),
    addMarket(index, m) {
      if (exited || stopping !== undefined) return Promise.reject(new Error('the execution thread is stopping'));
      if (adding.has(index)) return Promise.reject(new Error(`market slot ${index} is already being added`));
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          adding.delete(index);
          reject(new Error(`execution did not answer add_market for slot ${index} within ${ADD_MARKET_TIMEOUT_MS} ms`));
        }, ADD_MARKET_TIMEOUT_MS);
        const done = (): void => clearTimeout(timer);
        adding.set(index, { resolve: () => (done(), resolve()), reject: (e) => (done(), reject(e)) });
        const command: ExecutionWorkerCommand = { type: 'add_market', market: { index, ticker: m.ticker, ranges: [...m.grid.ranges], closeTimeMs: m.closeTimeMs } };
        worker.postMessage(command);
      });
    },
    setMarketState(index, state, reason) {
      const command: ExecutionWorkerCommand = { type: 'market_state', index, state, reason };
      if (!exited) worker.postMessage(command);
    },
    stop(cancelResting) {
      stopping ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        stopped = resolve;
        const timer = setTimeout(() => void worker.terminate(), 10_000);
        timer.unref();
        worker.postMessage({ type: 'stop', cancelResting });
      });
      return stopping;
    },
  };
}
