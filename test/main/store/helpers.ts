/**
 * Helpers for the journal store's tests: a fresh PostgreSQL database per test file, a TCP proxy
 * that can cut and restore the path to the server, waiting for a condition (never a fixed sleep),
 * and temp directories.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.KALSHI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PG_HOST = new URL(PG_ADMIN_URL);

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** A URL to the same database through another host:port (a proxy). */
  urlVia(port: number): string;
  drop(): Promise<void>;
}

/** CREATE DATABASE kalshi_actor_test_<random>; `drop` removes it (and its connections). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `kalshi_actor_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const urlOf = (host: string, port: string) => {
    const u = new URL(PG_ADMIN_URL);
    u.hostname = host;
    u.port = port;
    u.pathname = `/${name}`;
    return u.toString();
  };
  return {
    name,
    url: urlOf(PG_HOST.hostname, PG_HOST.port || '5432'),
    urlVia: (port) => urlOf('127.0.0.1', String(port)),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** One query on a fresh connection to `url`. */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/**
 * A TCP proxy to the PostgreSQL server. `cut()` destroys every proxied connection and refuses new
 * ones (they are accepted and closed at once, as a server that went away); `block()` only refuses
 * new ones; `restore()` lets them through again. The shared server itself is never touched.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private blocked = false;
  port = 0;
  accepted = 0;

  constructor(private readonly targetHost = PG_HOST.hostname, private readonly targetPort = Number(PG_HOST.port || 5432)) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      if (this.blocked) {
        client.destroy();
        return;
      }
      this.accepted++;
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr !== null ? addr.port : 0;
    return this.port;
  }

  get open(): number {
    return this.sockets.size / 2;
  }

  cut(): void {
    this.blocked = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Refuse new connections, leaving the open ones alone. */
  block(): void {
    this.blocked = true;
  }

  restore(): void {
    this.blocked = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Resolve once `cond()` holds (checked every `everyMs`), or fail after `timeoutMs` with `what`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000, everyMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function tempDir(prefix = 'kalshi-journal-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
