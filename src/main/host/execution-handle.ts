/**
 * The execution stage as the main thread sees it, in either topology: a worker thread of its
 * own (threaded) or the very same ExecutionStage on this thread (inline). It starts calibrated
 * (calibration against the exchange happens in `start`) in the requested trading state, reports
 * a summary for the status line, forwards journal records, takes markets added while running
 * (market rotation), carries the supervisor's commands (trading state, exits, cancels, kill
 * switch, group resets, reconcile: direct calls inline, messages threaded — worker-protocol.ts),
 * and stops with or without cancelling resting orders.
 *
 * Threaded: the worker's `threadId` (to free its PositionBoard writer claim after a crash), and
 * `onUnexpectedExit` when the thread exits after it started without having been asked to stop
 * (answers awaited from it are then rejected). `crash()` ends the stage as a crash would — the
 * worker terminated; inline, the stage stopped without cancelling anything — and is reported
 * through `onUnexpectedExit` like any death.
 */
import type { Worker } from 'node:worker_threads';
import type { BookStore } from '../../shared/book-store.js';
import { Heartbeats, type HeartbeatsShared } from '../../shared/heartbeats.js';
import type { Journal } from '../../shared/journal.js';
import type { KalshiRestClient } from '../../shared/kalshi/rest/client.js';
import type { Market } from '../../shared/kalshi/rest/decoders/market.js';
import type { PositionBoard } from '../../shared/position-board.js';
import type { PresignedSignaturesShared } from '../../shared/presigned-signatures.js';
import type { MarketTradingState, TradingState } from '../../shared/position-records.js';
import type { SpscRing } from '../../shared/spsc-ring.js';
import { ExecutionStage, type ExitResult, type KillOptions, type KillReport } from '../../workers/execution/execution-stage.js';
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
  /** A summary of stats taken now (threaded: asked of the thread; undefined if it does not answer within `timeoutMs`). */
  freshSummary(timeoutMs?: number): Promise<ExecutionSummary | undefined>;
  /** The execution thread's V8 heap in use at its last stats, bytes (undefined inline: it is the main thread's). */
  heapUsedBytes(): number | undefined;
  /** Trade one more market in slot `index` (registered in the BookStore first); rejects when the stage refused it. */
  addMarket(index: number, market: Market): Promise<void>;
  /** A market's own trading state (MarketTradingState): wind-down and halt of closing markets. */
  setMarketState(index: number, state: MarketTradingState, reason: string): void;
  /** The account trading state asked for (the supervisor's), journaled with `reason`. */
  setTradingState(state: TradingState, reason: string): void;
  /** An immediately marketable exit of the whole position in slot `index` (ExecutionStage.exitPosition). */
  exitPosition(index: number, reason: string): Promise<ExitResult>;
  /** Cancel the working order of slot `index` now (closing markets). */
  cancelWorking(index: number, reason: string): void;
  /** The kill switch's execution part (ExecutionStage.kill). */
  kill(options: KillOptions): Promise<KillReport>;
  /** Reset every triggered order group now (ExecutionStage.resetTriggeredGroups). */
  resetGroups(): void;
  /** Reset one triggered order group now (ExecutionStage.resetGroup; ignored unless it is triggered). */
  resetGroup(id: string): void;
  /** The operator's disable or enable of a market (ExecutionStage.setOperatorDisabled). */
  setOperatorDisabled(index: number, disabled: boolean, reason: string): void;
  /** A REST reconcile now. */
  reconcile(reason: string): void;
  /** The execution worker's thread id (threaded; undefined inline). */
  readonly threadId: number | undefined;
  /** End the stage as a crash would (fault injection; a hung thread before its restart): no stop path, nothing cancelled; `onUnexpectedExit` reports it. */
  crash(): Promise<void>;
  stop(cancelResting: boolean): Promise<void>;
}

/** How long an `add_market` or an `exit_position` may wait for the execution worker's answer, ms. */
const ADD_MARKET_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 10_000;
/** A kill's answer may take its own deadline (10 s by default) and this much more. */
const KILL_MARGIN_MS = 20_000;

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
  /** The account TradingState once calibrated (default TRADING). */
  tradingState?: TradingState;
  /** The execution thread's heartbeat slot (inline: this thread beats it while the stage runs). */
  heartbeat?: { heartbeats: HeartbeatsShared; slot: number };
  /** Threaded: the execution worker exited after it started, without having been asked to stop. */
  onUnexpectedExit?: (why: string) => void;
  /**
   * Threaded: the pre-signed signature pool (the signer thread fills it) and how old a
   * pre-signed timestamp may be when used, ms. Ignored inline: that one thread signs every request.
   */
  presign?: { pool: PresignedSignaturesShared; maxAgeMs: number };
}

export function executionSettingsOf(c: HostConfig): Partial<ExecutionSettings> {
  return {
    priceMode: c.priceMode, contractSize: c.contractSize, throttleMs: c.throttleMs, cashReserve: c.cashReserve,
    maxPosition: c.maxPosition, maxExposure: c.maxExposure, orderGroups: c.orderGroups, groupLimit: c.groupLimit,
    syncIntervalS: c.syncIntervalS, breakerErrors: c.breakerErrors, breakerCooldownS: c.breakerCooldownS, cancelOrphans: c.cancelOrphans, waitSpinUs: c.waitSpinUs,
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
    const stopBeating = o.heartbeat === undefined ? undefined : Heartbeats.attach(o.heartbeat.heartbeats).startBeating(o.heartbeat.slot);
    const stage = new ExecutionStage({
      rest: o.rest,
      ws: { url: o.venue.wsUrl, credentials: o.venue.credentials },
      markets: o.markets.map((m, index) => ({ index, ticker: m.ticker, grid: m.grid, closeTimeMs: m.closeTimeMs })),
      books: o.books, board: o.board, intents: o.intents, settings, sessionId: o.sessionId, journal: o.journal, tradingState: o.tradingState,
    });
    try {
      await stage.start();
    } catch (err) {
      stopBeating?.();
      throw err;
    }
    let crashed = false;
    let stopAsked = false;
    return {
      summary: () => summarize(stage.stats()),
      freshSummary: async () => summarize(stage.stats()),
      heapUsedBytes: () => undefined,
      addMarket: async (index, m) => stage.addMarket({ index, ticker: m.ticker, grid: m.grid, closeTimeMs: m.closeTimeMs }),
      setMarketState: (index, state, reason) => stage.setMarketTradingState(index, state, reason),
      setTradingState: (state, reason) => stage.setTradingState(state, reason),
      exitPosition: async (index, reason) => stage.exitPosition(index, reason),
      cancelWorking: (index, reason) => void stage.cancelWorking(index, reason),
      kill: (options) => stage.kill(options),
      resetGroups: () => void stage.resetTriggeredGroups(),
      resetGroup: (id) => void stage.resetGroup(id),
      setOperatorDisabled: (index, disabled, reason) => void stage.setOperatorDisabled(index, disabled, reason),
      reconcile: (reason) => stage.requestReconcile(reason),
      threadId: undefined,
      crash: async () => {
        const first = !crashed && !stopAsked;
        crashed = true;
        await stage.stop({ cancelResting: false, reason: 'crash' });
        stopBeating?.();
        if (first) o.onUnexpectedExit?.('crashed');
      },
      stop: async (cancelResting) => {
        stopAsked = true;
        const r = await stage.stop({ cancelResting });
        stopBeating?.();
        o.log(`execution stopped: ${r.cancelled} resting orders cancelled, ${r.remaining} left, ${r.abandoned} requests abandoned (${r.durationMs} ms)`);
      },
    };
  }
  const worker: Worker = startExecutionWorker({
    restUrl: o.venue.restUrl, wsUrl: o.venue.wsUrl, keyId: o.venue.credentials.keyId, privateKey: o.venue.privateKey,
    budgets: o.rest.budgets.shared, books: o.books.shared, board: o.board.shared, intents: o.intents.map((r) => r.shared),
    markets: o.markets.map((m, index) => ({ index, ticker: m.ticker, ranges: [...m.grid.ranges], closeTimeMs: m.closeTimeMs })),
    settings, sessionId: o.sessionId, tradingState: o.tradingState, heartbeat: o.heartbeat, presign: o.presign,
  });
  let latest: ExecutionStats | undefined;
  let latestHeap: number | undefined;
  /** `stats_now` answers awaited (any `stats` message answers them all). */
  let statsWaiters: Array<() => void> = [];
  let stopped: ((v: void) => void) | undefined;
  let exited = false;
  let running = false;
  let stopAsked = false;
  let lastFailure = '';
  /** `add_market` answers awaited, by slot. */
  const adding = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  /** `exit_result` answers awaited, per slot in the order asked; `killed` answers in the order asked. */
  const exiting = new Map<number, Array<Waiter<ExitResult>>>();
  const killing: Array<Waiter<KillReport>> = [];
  const started = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: ExecutionWorkerMessage) => {
      switch (m.type) {
        case 'started': return resolve();
        case 'stats': {
          latest = m.stats;
          if (m.heapUsedBytes !== undefined) latestHeap = m.heapUsedBytes;
          const waiters = statsWaiters;
          statsWaiters = [];
          for (const w of waiters) w();
          return;
        }
        case 'exit_result': {
          const q = exiting.get(m.index);
          const w = q?.shift();
          if (q !== undefined && q.length === 0) exiting.delete(m.index);
          w?.resolve(m.result);
          return;
        }
        case 'killed': {
          const w = killing.shift();
          if (m.error === undefined) w?.resolve(m.report);
          else w?.reject(new Error(`execution kill failed: ${m.error}`));
          return;
        }
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
          lastFailure = m.message;
          o.log(`execution: ${m.message}`);
          return reject(new HostStartError(`execution could not start: ${m.message}`));
      }
    });
    worker.on('error', (err) => {
      lastFailure = err.message;
      reject(new HostStartError(`execution thread failed: ${err.message}`));
    });
    worker.on('exit', (code) => {
      exited = true;
      stopped?.();
      const gone = new Error(`execution thread exited (code ${code})`);
      for (const w of adding.values()) w.reject(gone);
      adding.clear();
      for (const q of exiting.values()) for (const w of q) w.reject(gone);
      exiting.clear();
      for (const w of killing.splice(0)) w.reject(gone);
      reject(new HostStartError(`execution thread stopped at start-up (exit code ${code})`));
      if (running && !stopAsked) o.onUnexpectedExit?.(`exit code ${code}${lastFailure === '' ? '' : `: ${lastFailure}`}`);
    });
  });
  try {
    await started;
  } catch (err) {
    if (!exited) await worker.terminate();
    throw err;
  }
  running = true;
  let stopping: Promise<void> | undefined;
  const post = (command: ExecutionWorkerCommand): void => {
    if (!exited) worker.postMessage(command);
  };
  return {
    threadId: worker.threadId,
    setTradingState(state, reason) {
      post({ type: 'trading_state', state, reason });
    },
    exitPosition(index, reason) {
      if (exited) return Promise.reject(new Error('the execution thread has exited'));
      return new Promise<ExitResult>((resolve, reject) => {
        let q = exiting.get(index);
        if (q === undefined) exiting.set(index, (q = []));
        q.push(waiter(resolve, reject, EXIT_TIMEOUT_MS, `execution did not answer exit_position for slot ${index} within ${EXIT_TIMEOUT_MS} ms`));
        post({ type: 'exit_position', index, reason });
      });
    },
    cancelWorking(index, reason) {
      post({ type: 'cancel_working', index, reason });
    },
    kill(options) {
      if (exited) return Promise.reject(new Error('the execution thread has exited'));
      const timeoutMs = (options.timeoutMs ?? 10_000) + KILL_MARGIN_MS;
      return new Promise<KillReport>((resolve, reject) => {
        killing.push(waiter(resolve, reject, timeoutMs, `execution did not answer kill within ${timeoutMs} ms`));
        post({ type: 'kill', flatten: options.flatten, reason: options.reason, timeoutMs: options.timeoutMs });
      });
    },
    resetGroup(id) {
      post({ type: 'reset_group', id });
    },
    setOperatorDisabled(index, disabled, reason) {
      post({ type: 'operator_disable', index, disabled, reason });
    },
    resetGroups() {
      post({ type: 'reset_groups' });
    },
    reconcile(reason) {
      post({ type: 'reconcile', reason });
    },
    async crash() {
      if (!exited) await worker.terminate();
    },
    summary: () => (latest === undefined ? undefined : summarize(latest)),
    freshSummary(timeoutMs = 2_000) {
      if (exited) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          statsWaiters = statsWaiters.filter((w) => w !== answer);
          resolve(undefined);
        }, timeoutMs);
        const answer = (): void => {
          clearTimeout(timer);
          resolve(latest === undefined ? undefined : summarize(latest));
        };
        statsWaiters.push(answer);
        post({ type: 'stats_now' });
      });
    },
    heapUsedBytes: () => latestHeap,
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
      post({ type: 'market_state', index, state, reason });
    },
    stop(cancelResting) {
      stopAsked = true;
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

/**
 * An answer awaited from the worker, with a deadline. Answers come in the order asked, so a
 * waiter that timed out stays in its queue: the late answer is taken by it (and ignored) rather
 * than by the next one.
 */
interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

function waiter<T>(resolve: (v: T) => void, reject: (e: Error) => void, timeoutMs: number, timeoutMessage: string): Waiter<T> {
  const timer = setTimeout(() => reject(new Error(timeoutMessage)), timeoutMs);
  timer.unref();
  return {
    resolve: (v) => {
      clearTimeout(timer);
      resolve(v);
    },
    reject: (e) => {
      clearTimeout(timer);
      reject(e);
    },
  };
}
