/**
 * The execution worker's contract with the thread that starts it (threaded topology): what goes
 * in `workerData`, the messages each way, and `startExecutionWorker` to spawn it from either the
 * compiled tree or the TypeScript sources. Kept apart from worker.ts, which runs on import.
 *
 * Everything in `workerData` is structured-cloneable: shared memory as its `shared` handles
 * (attached in the worker; the pre-signed signature pool too), the private key as a `KeyObject`
 * (cloneable between threads, never printed), price grids as their ranges. With `heartbeat`, the worker beats its slot
 * (src/shared/heartbeats.ts) from the moment it runs until it exits: the supervisor's liveness
 * watch.
 *
 * Messages, worker → parent:
 *   {type:'started', calibration}   once calibrated and trading (in the requested state)
 *   {type:'stats', stats}            every `statsIntervalMs` (default 1000) and once after stopping
 *   {type:'journal', records}        batches of journal records (kind + record), with each stats tick
 *   {type:'market_added', index, error?}  the answer to `add_market` (error: refused, nothing changed)
 *   {type:'exit_result', index, result}   the answer to `exit_position`, in the order asked
 *   {type:'killed', report, error?}  the answer to `kill`, in the order asked (error: it threw; the
 *                                    report is then empty)
 *   {type:'stopped', report}         after `{type:'stop'}`; the worker then exits
 *   {type:'fatal', message}          start or run failed (never carries key material); the worker exits
 * parent → worker (the supervisor's commands, through the main thread):
 *   {type:'stop', cancelResting}     stop (see ExecutionStage.stop)
 *   {type:'trading_state', state, reason?}  ExecutionStage.setTradingState
 *   {type:'add_market', market}      ExecutionStage.addMarket (market rotation: a new slot, already
 *                                    registered in the BookStore); answered `market_added`
 *   {type:'market_state', index, state, reason}  ExecutionStage.setMarketTradingState
 *   {type:'exit_position', index, reason}        ExecutionStage.exitPosition; answered `exit_result`
 *   {type:'cancel_working', index, reason}       ExecutionStage.cancelWorking
 *   {type:'kill', flatten, reason, timeoutMs?}   ExecutionStage.kill; answered `killed`
 *   {type:'reset_groups'}            ExecutionStage.resetTriggeredGroups
 *   {type:'reset_group', id}         ExecutionStage.resetGroup (the operator's)
 *   {type:'operator_disable', index, disabled, reason}   ExecutionStage.setOperatorDisabled
 *   {type:'reconcile', reason}       ExecutionStage.requestReconcile
 */
import type { KeyObject } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { BookStoreShared } from '../../shared/book-store.js';
import type { HeartbeatsShared } from '../../shared/heartbeats.js';
import type { JournalKind } from '../../shared/journal.js';
import type { PositionBoardShared } from '../../shared/position-board.js';
import type { PresignedSignaturesShared } from '../../shared/presigned-signatures.js';
import type { PriceRange } from '../../shared/price-grid.js';
import type { RateBudgetsShared } from '../../shared/rate-budgets.js';
import type { SpscRingShared } from '../../shared/spsc-ring.js';
import { siblingModule, spawnWorker } from '../../shared/worker-spawn.js';
import type { CalibrationReport } from './calibration.js';
import type { ExecutionSettings } from './execution-settings.js';
import type { ExecutionStats } from './execution-stats.js';
import type { ExitResult, KillReport, StopReport } from './execution-stage.js';

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
  /** The account TradingState asked for once calibrated (default TRADING). */
  tradingState?: number;
  /** The thread's heartbeat slot, beaten from start to exit. */
  heartbeat?: { heartbeats: HeartbeatsShared; slot: number };
  /**
   * Pre-signed signatures for order creation (presigned-signatures.ts; the signer thread fills
   * the pool): the worker's credentials take from it, signing inline when it has nothing fresh.
   * `maxAgeMs`: how old a pre-signed timestamp may be when used. Omitted: every request signed inline.
   */
  presign?: { pool: PresignedSignaturesShared; maxAgeMs: number };
}

export type ExecutionWorkerMessage =
  | { type: 'started'; calibration: CalibrationReport }
  /** `heapUsedBytes`: this thread's V8 heap in use. */
  | { type: 'stats'; stats: ExecutionStats; heapUsedBytes?: number }
  | { type: 'journal'; records: Array<{ kind: JournalKind; record: Record<string, unknown> }> }
  | { type: 'market_added'; index: number; error?: string }
  | { type: 'exit_result'; index: number; result: ExitResult }
  | { type: 'killed'; report: KillReport; error?: string }
  | { type: 'stopped'; report: StopReport }
  | { type: 'fatal'; message: string };

export type ExecutionWorkerCommand =
  | { type: 'stop'; cancelResting: boolean }
  /** A TradingState, and why (journaled with the transition). */
  | { type: 'trading_state'; state: number; reason?: string }
  | { type: 'add_market'; market: ExecutionWorkerMarket }
  /** A MarketTradingState. */
  | { type: 'market_state'; index: number; state: number; reason?: string }
  | { type: 'exit_position'; index: number; reason: string }
  | { type: 'cancel_working'; index: number; reason: string }
  | { type: 'kill'; flatten: boolean; reason: string; timeoutMs?: number }
  | { type: 'reset_groups' }
  | { type: 'reset_group'; id: string }
  | { type: 'operator_disable'; index: number; disabled: boolean; reason: string }
  | { type: 'reconcile'; reason: string }
  /** Post a `stats` message now (the benchmark's window edges). */
  | { type: 'stats_now' };

/** Spawns the execution worker (worker.ts beside this module, .ts under tests or tsx, .js from dist). */
export function startExecutionWorker(data: ExecutionWorkerData): Worker {
  return spawnWorker(siblingModule(import.meta.url, './worker'), { workerData: data });
}
