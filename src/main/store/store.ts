/**
 * What the WriteQueue needs of a database: PostgreSQL (pg-store.ts) or PGlite in its worker
 * (pglite-store.ts).
 */
import type { WriteBatch, WriteOutcome } from './table-writer.js';

export type StoreBackend = 'postgres' | 'pglite';

export interface Store {
  readonly backend: StoreBackend;
  /** Batches the queue may have in flight at once (append tables only; a merge table one at a time). */
  readonly concurrency: number;
  /** Reach the database and bring its schema up to date; rejects when it cannot (an outage). */
  connect(): Promise<void>;
  /** One batch in one transaction. Rejects with an error that `failureClass` sorts. */
  write(batch: WriteBatch): Promise<WriteOutcome>;
  /** A read (tests, tools, restart): rows as objects; int8 comes back as a string. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  close(): Promise<void>;
}
