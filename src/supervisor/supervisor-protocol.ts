/**
 * The supervisor worker's contract with the main thread (threaded topology). Cold path only:
 * the supervisor reads positions, books and heartbeats from shared memory; the messages carry
 * what is not there (the execution stage's stats once a second, market table changes, thread
 * exits the main thread saw, the kill switch) one way, and the supervisor's requests
 * (`SupervisorActions`), journal records, log lines and its published view the other way.
 */
import type { BookStoreShared } from '../shared/book-store.js';
import type { HeartbeatsShared } from '../shared/heartbeats.js';
import type { JournalKind } from '../shared/journal.js';
import type { PositionBoardShared } from '../shared/position-board.js';
import { siblingModule, spawnWorker } from '../shared/worker-spawn.js';
import type { ExecutionStats } from '../workers/execution/execution-stats.js';
import type { KillSwitchView, SupervisedMarket, SupervisorSettings, SupervisorView } from './supervisor.js';
import type { Worker } from 'node:worker_threads';

export interface SupervisorWorkerData {
  board: PositionBoardShared;
  books: BookStoreShared;
  heartbeats: HeartbeatsShared;
  /** This worker's own heartbeat slot (the main thread watches it). */
  slot: number;
  settings: SupervisorSettings;
  sessionId: string;
  markets: SupervisedMarket[];
}

/** A SupervisorActions call, as a message. */
export type SupervisorAction =
  | { action: 'setTradingState'; state: number; reason: string }
  | { action: 'setMarketState'; index: number; state: number; reason: string }
  | { action: 'cancelWorking'; index: number; reason: string }
  | { action: 'exitPosition'; index: number; reason: string }
  | { action: 'reconcile'; reason: string }
  | { action: 'kill'; flatten: boolean; reason: string }
  | { action: 'resetGroups' }
  | { action: 'restartThread'; name: string; why: string };

export type ToSupervisor =
  | { type: 'stats'; stats: ExecutionStats }
  | { type: 'market'; market: SupervisedMarket }
  | { type: 'calibrated'; verdict: 'trade' | 'recover' | 'refuse'; reason?: string }
  | { type: 'watch'; name: string; slot: number }
  | { type: 'thread_exited'; name: string; why: string }
  | { type: 'kill_switch'; view: KillSwitchView | null }
  | { type: 'stop' };

export type FromSupervisor =
  | { type: 'ready' }
  | { type: 'act'; act: SupervisorAction }
  | { type: 'journal'; records: Array<{ kind: JournalKind; record: Record<string, unknown> }> }
  | { type: 'log'; line: string }
  | { type: 'view'; view: SupervisorView }
  | { type: 'stopped' }
  | { type: 'fatal'; message: string };

/** How often the supervisor worker posts its view and journal records, ms. */
export const SUPERVISOR_POST_MS = 250;

export function startSupervisorWorker(data: SupervisorWorkerData): Worker {
  return spawnWorker(siblingModule(import.meta.url, './worker'), { workerData: data, name: 'supervisor' });
}
