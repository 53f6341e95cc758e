/**
 * PGlite's own thread. PGlite runs PostgreSQL compiled to WebAssembly inside the calling thread:
 * every query is a long synchronous stretch resolved through microtasks, which would starve the
 * host's event loop. Here it starves nobody. Batches arrive by message (pglite-store.ts), are
 * written with `COPY … FROM '/dev/blob'` (PGlite's blob option: the query's `blob` is what the
 * server reads as the file /dev/blob), and the outcome goes back.
 *
 * Protocol (main → worker): connect | write | query | close, each with an `id`; the worker answers
 * every one with { id, ok, value } or { id, ok: false, error: { message, code } }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PgliteConnection } from './pglite-connection.js';
import { TableWriter, type WriteBatch } from './table-writer.js';

export interface PgliteWorkerData {
  /** Directory of the database files; undefined → in memory. */
  dataDir?: string;
}

export type ToPglite =
  | { id: number; type: 'connect' }
  | { id: number; type: 'write'; batch: WriteBatch }
  | { id: number; type: 'query'; sql: string; params: unknown[] }
  | { id: number; type: 'close' };

export type FromPglite =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { message: string; code?: string } };

const port = parentPort;
if (port === null) throw new Error('pglite-worker must run in a worker thread');
const data = (workerData ?? {}) as PgliteWorkerData;

let conn: PgliteConnection | undefined;
let writer: TableWriter | undefined;
let migrated = false;

async function open(): Promise<PgliteConnection> {
  if (conn === undefined) {
    conn = await PgliteConnection.open(data.dataDir);
    writer = new TableWriter(conn);
  }
  return conn;
}

async function handle(msg: ToPglite): Promise<unknown> {
  switch (msg.type) {
    case 'connect': {
      const c = await open();
      if (!migrated) {
        await c.migrate();
        migrated = true;
      }
      return null;
    }
    case 'write':
      await open();
      return writer!.write(msg.batch);
    case 'query':
      return (await (await open()).db.query(msg.sql, msg.params)).rows;
    case 'close':
      if (conn !== undefined) await conn.db.close();
      conn = undefined;
      return null;
  }
}

// One message at a time, in arrival order: PGlite is one connection.
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: ToPglite) => {
  chain = chain.then(async () => {
    let reply: FromPglite;
    try {
      reply = { id: msg.id, ok: true, value: await handle(msg) };
    } catch (err) {
      const e = err as { message?: unknown; code?: unknown };
      reply = { id: msg.id, ok: false, error: { message: String(e?.message ?? err), code: typeof e?.code === 'string' ? e.code : undefined } };
    }
    port.postMessage(reply);
    if (msg.type === 'close') port.close(); // nothing else keeps the thread alive: it exits

  });
});
