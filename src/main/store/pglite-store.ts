/**
 * The embedded journal: PGlite in its own worker thread (pglite-worker.ts), file-backed under a
 * data directory or in memory. The main thread only posts batches and awaits replies, so PGlite's
 * long synchronous queries never delay it. If the worker dies, every pending request fails as an
 * outage and the next `connect` starts a new one.
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, spawnWorker } from '../../shared/worker-spawn.js';
import type { FromPglite, PgliteWorkerData, ToPglite } from './pglite-worker.js';
import type { Store } from './store.js';
import type { WriteBatch, WriteOutcome } from './table-writer.js';

export interface PgliteStoreOptions {
  /** Directory of the database files (created if missing); undefined → in memory. */
  dataDir?: string;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** Distributes over the union, so `type` and its fields stay tied together. */
type Request = ToPglite extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never;

export class PgliteStore implements Store {
  readonly backend = 'pglite' as const;
  readonly concurrency = 1;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly options: PgliteStoreOptions = {}) {}

  async connect(): Promise<void> {
    await this.request({ type: 'connect' });
  }

  async write(batch: WriteBatch): Promise<WriteOutcome> {
    return (await this.request({ type: 'write', batch })) as WriteOutcome;
  }

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.request({ type: 'query', sql, params: [...params] })) as T[];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    await this.send(worker, { type: 'close' }).catch(() => worker.terminate());
    await exited;
  }

  private request(msg: Request): Promise<unknown> {
    if (this.closed) return Promise.reject(Object.assign(new Error('journal store closed'), { code: 'ECLOSED' }));
    return this.send(this.worker ?? this.spawn(), msg);
  }

  private send(worker: Worker, msg: Request): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id } as ToPglite);
    });
  }

  private spawn(): Worker {
    const workerData: PgliteWorkerData = { dataDir: this.options.dataDir };
    const worker = spawnWorker(siblingModule(import.meta.url, './pglite-worker'), { workerData, name: 'journal-pglite' });
    worker.on('message', (reply: FromPglite) => {
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    const fail = (why: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(Object.assign(new Error(`journal PGlite worker ${why}`), { code: 'EWORKER' }));
      }
    };
    worker.on('error', (err) => fail(`failed: ${err.message}`));
    worker.on('exit', (code) => fail(`exited (${code})`));
    this.worker = worker;
    return worker;
  }
}
