/**
 * The journal in PostgreSQL: `concurrency` connections (default 2) writing COPY batches through
 * pg-copy-streams, plus one connection for reads. A connection that fails is thrown away; the
 * next write opens a new one. A write that takes longer than `writeTimeoutMs` (a silent network)
 * destroys its connection, so an outage is always noticed.
 */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { migrate } from './migrations.js';
import type { Store } from './store.js';
import { failureClass, TableWriter, type CopyConnection, type WriteBatch, type WriteOutcome } from './table-writer.js';

export interface PgStoreOptions {
  url: string;
  /** Writing connections (default 2). */
  concurrency?: number;
  /** Give up connecting after this long, ms (default 5 000). */
  connectTimeoutMs?: number;
  /** Destroy a connection whose batch has not finished after this long, ms (default 30 000). */
  writeTimeoutMs?: number;
  applicationName?: string;
}

class PgConnection implements CopyConnection {
  readonly writer = new TableWriter(this);
  broken = false;

  constructor(readonly client: pg.Client) {
    client.on('error', () => { this.broken = true; }); // a dropped idle connection must not crash the host
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  async command(sql: string): Promise<number> {
    return (await this.client.query(sql)).rowCount ?? 0;
  }

  copyIn(target: string, columns: string, texts: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const stream = this.client.query(copyFrom(`COPY ${target} (${columns}) FROM STDIN`));
      stream.once('finish', resolve);
      stream.once('error', reject);
      for (const t of texts) stream.write(t);
      stream.end();
    });
  }

  destroy(): void {
    this.broken = true;
    // end() waits for a reply that may never come; the socket goes now.
    (this.client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    this.client.end().catch(() => undefined);
  }
}

export class PgStore implements Store {
  readonly backend = 'postgres' as const;
  readonly concurrency: number;
  private readonly idle: PgConnection[] = [];
  private readonly open = new Set<PgConnection>();
  private reader: PgConnection | undefined;
  private migrated = false;
  private closed = false;
  private readonly connectTimeoutMs: number;
  private readonly writeTimeoutMs: number;

  constructor(private readonly options: PgStoreOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 30_000;
  }

  async connect(): Promise<void> {
    const conn = await this.openConnection();
    try {
      if (!this.migrated) {
        await migrate({
          exec: (sql) => conn.exec(sql),
          rows: async <T>(sql: string) => (await conn.client.query(sql)).rows as T[],
        });
        this.migrated = true;
      } else {
        await conn.exec('SELECT 1');
      }
    } catch (err) {
      conn.destroy();
      this.open.delete(conn);
      throw err;
    }
    this.release(conn);
  }

  async write(batch: WriteBatch): Promise<WriteOutcome> {
    let conn = this.idle.pop();
    while (conn !== undefined && conn.broken) {
      // Dropped while idle (server restart, pg_terminate_backend): not an outage by itself.
      conn.destroy();
      this.open.delete(conn);
      conn = this.idle.pop();
    }
    conn ??= await this.openConnection();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          conn.destroy();
          reject(Object.assign(new Error(`journal write timed out after ${this.writeTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
        }, this.writeTimeoutMs);
      });
      const out = await Promise.race([conn.writer.write(batch), timeout]);
      this.release(conn);
      return out;
    } catch (err) {
      // A data error leaves the connection usable (the transaction was rolled back).
      if (conn.broken || failureClass(err) === 'outage') {
        conn.destroy();
        this.open.delete(conn);
      } else {
        this.release(conn);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (this.closed) throw Object.assign(new Error('journal store closed'), { code: 'ECLOSED' });
    if (this.reader === undefined || this.reader.broken) {
      this.reader?.destroy();
      this.reader = undefined;
      const client = this.newClient();
      const conn = new PgConnection(client);
      await client.connect();
      this.reader = conn;
    }
    return (await this.reader.client.query(sql, params as unknown[])).rows as T[];
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.open, ...(this.reader ? [this.reader] : [])];
    this.idle.length = 0;
    this.open.clear();
    this.reader = undefined;
    await Promise.all(all.map((c) => c.client.end().catch(() => c.destroy())));
  }

  private newClient(): pg.Client {
    return new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.connectTimeoutMs,
      keepAlive: true,
      application_name: this.options.applicationName ?? 'kalshi-actor journal',
    });
  }

  private async openConnection(): Promise<PgConnection> {
    if (this.closed) throw Object.assign(new Error('journal store closed'), { code: 'ECLOSED' });
    const conn = new PgConnection(this.newClient());
    try {
      await conn.client.connect();
    } catch (err) {
      conn.destroy();
      throw err;
    }
    this.open.add(conn);
    return conn;
  }

  private release(conn: PgConnection): void {
    if (conn.broken || this.closed || this.idle.length >= this.concurrency) {
      conn.destroy();
      this.open.delete(conn);
      return;
    }
    this.idle.push(conn);
  }
}
