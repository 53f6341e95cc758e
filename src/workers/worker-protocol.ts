/**
 * Messages between the main thread and the stage workers (cold path: start-up, stats once a
 * second, rare commands). Hot data never goes through here: books, positions, dirty markets and
 * intents live in shared memory.
 */
import { getHeapStatistics } from 'node:v8';
import type { JournalKind } from '../shared/journal.js';

/**
 * A market added to a running stage (market rotation, src/main/host/market-rotation.ts), sent
 * only after the main thread registered the slot in the BookStore. The market-data stage uses
 * `index` and `ticker`; the inference stage `channel`, `local`, `index`, `closeTimeMs` and
 * `ranges`. The stage answers `{type:'market_added', index}` (with `error` when it refused).
 */
export interface AddMarketMessage {
  type: 'add_market';
  /** Global slot (BookStore, PositionBoard, intents). */
  index: number;
  ticker: string;
  /** Inference: which of its dirty channels (the shard's position in its channel list). */
  channel: number;
  /** The market's shard-local index (its dirty-channel index). */
  local: number;
  closeTimeMs: number;
  ranges: Array<{ start: number; end: number; step: number }>;
}

export type ToWorker =
  | { type: 'stop'; cancelResting?: boolean }
  | AddMarketMessage
  /** Market data: take the market out of the shard's WebSocket subscriptions (it closed). */
  | { type: 'remove_market'; index: number }
  /** Inference: the market's close time moved (ms since the epoch). */
  | { type: 'close_time'; index: number; closeTimeMs: number }
  /** Post a `stats` message now (the benchmark's window edges), besides the one every STATS_INTERVAL_MS. */
  | { type: 'stats_now' };

export type FromWorker<S = unknown> =
  | { type: 'ready' }
  /** `heapUsedBytes`: this thread's V8 heap in use (each worker has its own isolate). */
  | { type: 'stats'; stats: S; heapUsedBytes?: number }
  | { type: 'event'; event: unknown }
  | { type: 'notice'; notice: unknown }
  | { type: 'journal'; records: Array<{ kind: JournalKind; record: Record<string, unknown> }> }
  | { type: 'fatal'; message: string }
  /** The answer to `add_market`: `error` when the stage refused it. */
  | { type: 'market_added'; index: number; error?: string }
  | { type: 'stopped'; stats: S };

/** How often a worker posts its stats, ms. */
export const STATS_INTERVAL_MS = 1_000;
/** How often a worker posts its journal records, ms. */
export const JOURNAL_INTERVAL_MS = 250;

/** This thread's V8 heap in use, bytes (a worker's own isolate; ≈ 1 µs). */
export function heapUsedBytes(): number {
  return getHeapStatistics().used_heap_size;
}

/** An error as one line for a `fatal` message (never an object that could carry a key). */
export function errorLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  return text.split('\n')[0].slice(0, 500);
}
