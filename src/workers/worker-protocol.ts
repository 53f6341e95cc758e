/**
 * Messages between the main thread and the stage workers (cold path: start-up, stats once a
 * second, rare commands). Hot data never goes through here: books, positions, dirty markets and
 * intents live in shared memory.
 */
import type { JournalKind } from '../shared/journal.js';

export type ToWorker = { type: 'stop'; cancelResting?: boolean };

export type FromWorker<S = unknown> =
  | { type: 'ready' }
  | { type: 'stats'; stats: S }
  | { type: 'event'; event: unknown }
  | { type: 'notice'; notice: unknown }
  | { type: 'journal'; records: Array<{ kind: JournalKind; record: Record<string, unknown> }> }
  | { type: 'fatal'; message: string }
  | { type: 'stopped'; stats: S };

/** How often a worker posts its stats, ms. */
export const STATS_INTERVAL_MS = 1_000;
/** How often a worker posts its journal records, ms. */
export const JOURNAL_INTERVAL_MS = 250;

/** An error as one line for a `fatal` message (never an object that could carry a key). */
export function errorLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  return text.split('\n')[0].slice(0, 500);
}
