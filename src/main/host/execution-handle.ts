/**
 * The execution stage as the main thread sees it, in either topology: a worker thread of its
 * own (threaded) or the very same ExecutionStage on this thread (inline). It starts calibrated
 * (calibration against the exchange happens in `start`), reports a summary for the status line,
 * forwards journal records, and stops with or without cancelling resting orders.
 */
import type { Worker } from 'node:worker_threads';
import type { BookStore } from '../../shared/book-store.js';
import type { Journal } from '../../shared/journal.js';
import type { KalshiRestClient } from '../../shared/kalshi/rest/client.js';
import type { Market } from '../../shared/kalshi/rest/decoders/market.js';
import type { PositionBoard } from '../../shared/position-board.js';
import type { SpscRing } from '../../shared/spsc-ring.js';
import { ExecutionStage } from '../../workers/execution/execution-stage.js';
import type { ExecutionSettings } from '../../workers/execution/execution-settings.js';
import type { ExecutionStats } from '../../workers/execution/execution-stats.js';
import { startExecutionWorker, type ExecutionWorkerMessage } from '../../workers/execution/worker-protocol.js';
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
  stop(cancelResting: boolean): Promise<void>;
}

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
  const started = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: ExecutionWorkerMessage) => {
      switch (m.type) {
        case 'started': return resolve();
        case 'stats': latest = m.stats; return;
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
