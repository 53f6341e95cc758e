/**
 * The execution worker's contract with the thread that starts it (threaded topology): what goes
 * in `workerData`, the messages each way, and `startExecutionWorker` to spawn it from either the
 * compiled tree or the TypeScript sources. Kept apart from worker.ts, which runs on import.
 *
 * Everything in `workerData` is structured-cloneable: shared memory as its `shared` handles
 * (attached in the worker), the private key as a `KeyObject` (cloneable between threads, never
 * printed), price grids as their ranges.
 *
 * Messages, worker → parent:
 *   {type:'started', calibration}   once calibrated and trading
 *   {type:'stats', stats}            every `statsIntervalMs` (default 1000) and once after stopping
 *   {type:'journal', records}        batches of journal records (kind + record), with each stats tick
 *   {type:'market_added', index, error?}  the answer to `add_market` (error: refused, nothing changed)
 *   {type:'stopped', report}         after `{type:'stop'}`; the worker then exits
 *   {type:'fatal', message}          start or run failed (never carries key material); the worker exits
 * parent → worker:
 *   {type:'stop', cancelResting}     stop (see ExecutionStage.stop)
 *   {type:'trading_state', state}    ExecutionStage.setTradingState
 *   {type:'add_market', market}      ExecutionStage.addMarket (market rotation: a new slot, already
 *                                    registered in the BookStore); answered `market_added`
 *   {type:'market_state', index, state, reason}  ExecutionStage.setMarketTradingState
 */
import type { KeyObject } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { BookStoreShared } from '../../shared/book-store.js';
import type { JournalKind } from '../../shared/journal.js';
import type { PositionBoardShared } from '../../shared/position-board.js';
import type { PriceRange } from '../../shared/price-grid.js';
import type { RateBudgetsShared } from '../../shared/rate-budgets.js';
import type { SpscRingShared } from '../../shared/spsc-ring.js';
import { siblingModule, spawnWorker } from '../../shared/worker-spawn.js';
import type { CalibrationReport } from './calibration.js';
import type { ExecutionSettings } from './execution-settings.js';
import type { ExecutionStats } from './execution-stats.js';
import type { StopReport } from './execution-stage.js';

export interface ExecutionWorkerMarket {
  index: number;
  ticker: string;
  /** The market's price grid as ranges (PriceGrid.fromRanges). */
  ranges: PriceRange[];
  closeTimeMs: number;
}

export interface ExecutionWorkerData {
  restUrl: string;
  /** The private channels' WebSocket URL; omitted: fills through the periodic sync only. */
  wsUrl?: string;
  keyId: string;
  privateKey: KeyObject;
  budgets: RateBudgetsShared;
  books: BookStoreShared;
  board: PositionBoardShared;
  intents: SpscRingShared[];
  markets: ExecutionWorkerMarket[];
  settings: Partial<ExecutionSettings>;
  sessionId: string;
  /** Stats (and journal batches) period, ms (default 1000). */
  statsIntervalMs?: number;
  /** REST keep-alive connections (default 4) and per-request timeout, ms (default 5000). */
  restConnections?: number;
  restTimeoutMs?: number;
  /** Forward journal records to the parent (default true). */
  forwardJournal?: boolean;
}

export type ExecutionWorkerMessage =
  | { type: 'started'; calibration: CalibrationReport }
  | { type: 'stats'; stats: ExecutionStats }
  | { type: 'journal'; records: Array<{ kind: JournalKind; record: Record<string, unknown> }> }
  | { type: 'market_added'; index: number; error?: string }
  | { type: 'stopped'; report: StopReport }
  | { type: 'fatal'; message: string };

export type ExecutionWorkerCommand =
  | { type: 'stop'; cancelResting: boolean }
  | { type: 'trading_state'; state: number }
  | { type: 'add_market'; market: ExecutionWorkerMarket }
  /** A MarketTradingState. */
  | { type: 'market_state'; index: number; state: number; reason?: string };

/** Spawns the execution worker (worker.ts beside this module, .ts under tests or tsx, .js from dist). */
export function startExecutionWorker(data: ExecutionWorkerData): Worker {
  return spawnWorker(siblingModule(import.meta.url, './worker'), { workerData: data });
}
