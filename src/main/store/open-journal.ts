/**
 * The store factory the host calls at start-up:
 *
 *   const journal = await openJournal({ url: config.databaseUrl, dataDir: config.dataDir });
 *   journal.write('fill', {...});            // O(1), never awaits, never throws
 *   journal.stats();                         // {connected, depth, lagMs, written, …}
 *   const port = journal.connectPort();      // one per worker thread → PortJournal there
 *   await journal.close();                   // flush, then close
 *
 * PostgreSQL when a URL is given (`url`, else the DATABASE_URL environment variable), PGlite in
 * its own worker thread otherwise: file-backed under `<dataDir>/pglite` (default ./data/pglite),
 * or in memory with `pglite: 'memory'`. Spill files go to `<dataDir>/spill`. The schema is
 * migrated on the first connection. A database that cannot be reached at start is an outage, not
 * an error: the journal opens, queues, spills and connects when it can — unless `requireConnected`.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PgStore } from './pg-store.js';
import { PgliteStore } from './pglite-store.js';
import type { Store } from './store.js';
import { WriteQueue, type StoreJournal, type WriteQueueOptions } from './write-queue.js';

export interface OpenJournalOptions extends Omit<WriteQueueOptions, 'store' | 'spillDir'> {
  /** PostgreSQL connection URL; default `env.DATABASE_URL`; none → PGlite. */
  url?: string;
  /** Local data: PGlite's files and the spill (default ./data). */
  dataDir?: string;
  /** PGlite on disk (default) or in memory (tests). */
  pglite?: 'file' | 'memory';
  /** Spill directory (default <dataDir>/spill); null: no spill. */
  spillDir?: string | null;
  /** PostgreSQL writing connections (default 2). */
  concurrency?: number;
  /** Fail instead of opening in outage when the database cannot be reached at start. */
  requireConnected?: boolean;
  /** Where DATABASE_URL is read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_DATA_DIR = './data';

export async function openJournal(options: OpenJournalOptions = {}): Promise<StoreJournal> {
  const { url: givenUrl, dataDir: givenDir, pglite, spillDir: givenSpill, concurrency, requireConnected, env, ...tuning } = options;
  const url = givenUrl ?? (env ?? process.env).DATABASE_URL;
  const dataDir = resolve(givenDir ?? DEFAULT_DATA_DIR);
  const spillDir = givenSpill === undefined ? join(dataDir, 'spill') : givenSpill;
  let store: Store;
  if (url !== undefined && url !== '') {
    store = new PgStore({ url, concurrency });
  } else if (pglite === 'memory') {
    store = new PgliteStore({});
  } else {
    const dir = join(dataDir, 'pglite');
    await mkdir(dir, { recursive: true });
    store = new PgliteStore({ dataDir: dir });
  }
  const journal = new WriteQueue({ ...tuning, store, spillDir });
  await journal.start();
  if (requireConnected === true && !journal.stats().connected) {
    const why = journal.stats().lastError;
    await journal.close({ timeoutMs: 0 });
    throw new Error(`journal: cannot reach the ${store.backend} database: ${why}`);
  }
  return journal;
}
