/**
 * The journal in PostgreSQL (a fresh database per file, dropped at the end): every kind reads back
 * exactly; writing twice is harmless; an outage — the path to the server cut by a TCP proxy, the
 * backends terminated — loses nothing (spill, then replay); close writes everything.
 */
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openJournal } from '../../../src/main/store/open-journal.js';
import type { StoreJournal } from '../../../src/main/store/write-queue.js';
import { createTestDatabase, sql, tempDir, TcpProxy, waitFor, type TestDatabase } from './helpers.js';
import { expectSamplesStored, samples } from './sample-records.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

const fill = (s: string, i: number) => ({
  session_id: s, trade_id: `${s}-t${i}`, order_id: `${s}-o${i >> 1}`, market_ticker: `KX-${i % 7}`, side: i & 1 ? 'yes' : 'no',
  yes_price: 1 + (i % 9999), count: 100 + i, fee_micros: i * 7, is_taker: (i & 2) === 0, ts_ms: 1_767_000_000_000 + i,
});
const decision = (s: string, i: number) => ({ session_id: s, market_ticker: `KX-${i % 7}`, book_version: i, ts_ms: 1_767_000_000_000 + i, action: 'hold', total_ns: i });

async function count(table: string, session: string): Promise<number> {
  return Number((await sql<{ n: string }>(db.url, `SELECT count(*) AS n FROM ${table} WHERE session_id = $1`, [session]))[0].n);
}

describe('PostgreSQL journal', () => {
  let dir: { path: string; remove(): Promise<void> };
  let journal: StoreJournal | undefined;
  let proxy: TcpProxy | undefined;

  beforeEach(async () => { dir = await tempDir(); });
  afterEach(async () => {
    proxy?.restore();
    await journal?.close({ timeoutMs: 20_000 });
    await proxy?.close();
    journal = undefined;
    proxy = undefined;
    await dir.remove();
  });

  it('writes every kind and reads it back exactly (escapes, unicode, NULLs, int8), by its natural key', async () => {
    journal = await openJournal({ url: db.url, dataDir: dir.path, requireConnected: true });
    expect(journal.backend).toBe('postgres');
    const list = [0, 1, 2].flatMap((n) => samples('rt', n));
    for (const { kind, record } of list) journal.write(kind, record);
    await journal.flush();
    await expectSamplesStored((text, params) => sql(db.url, text, [...(params ?? [])]), list);
    const s = journal.stats();
    expect(s).toMatchObject({ connected: true, rejected: 0, depth: 0, dropped: 0, enqueued: list.length });
    // The order as its events leave it.
    const [order] = await sql(db.url, `SELECT * FROM orders WHERE client_order_id = $1`, ['rt:coid\t0']);
    expect(order).toMatchObject({ order_id: 'exch-rt-0\\x', status: 'resting', last_event: 'accepted', yes_price: 5600 });
  });

  it('writing the same records again changes nothing and is counted', async () => {
    journal = await openJournal({ url: db.url, dataDir: dir.path });
    const list = samples('dup', 0);
    for (const { kind, record } of list) journal.write(kind, record);
    await journal.flush();
    const before = journal.stats();
    for (let k = 0; k < 2; k++) for (const { kind, record } of list) journal.write(kind, record);
    await journal.flush();
    const after = journal.stats();
    const appendRows = list.filter((x) => x.kind !== 'session' && !(x.kind === 'market_data' && x.record.type === 'market')).length;
    expect(after.duplicatesIgnored - before.duplicatesIgnored).toBe(2 * appendRows);
    await expectSamplesStored((text, params) => sql(db.url, text, [...(params ?? [])]), list);
    for (const t of ['fills', 'decisions', 'order_events', 'settlements']) expect(await count(t, 'dup'), t).toBe(1);
  });

  it('loses nothing when the path to the database is cut mid-run: spills past its bound, replays when back', async () => {
    proxy = new TcpProxy();
    const port = await proxy.start();
    const spillDir = join(dir.path, 'spill');
    journal = await openJournal({ url: db.urlVia(port), spillDir, maxQueueBytes: 64 * 1024, chunkBytes: 8 * 1024, reconnectMinMs: 20, reconnectMaxMs: 100 });
    const s = 'outage';
    for (let i = 0; i < 1_000; i++) journal.write('fill', fill(s, i));
    await journal.flush();
    expect(await count('fills', s)).toBe(1_000);

    proxy.cut();
    for (let i = 1_000; i < 21_000; i++) {
      journal.write('fill', fill(s, i));
      journal.write('decision', decision(s, i));
    }
    await waitFor(() => !journal!.stats().connected, 'the outage to show');
    await waitFor(() => journal!.stats().spilledRows > 0, 'rows in the spill');
    const mid = journal.stats();
    expect(mid.outageSince).not.toBeNull();
    expect(mid.dropped).toBe(0);
    expect((await readdir(spillDir)).some((n) => n.startsWith('spill-'))).toBe(true);
    // The host keeps writing during the outage.
    for (let i = 21_000; i < 22_000; i++) journal.write('fill', fill(s, i));

    proxy.restore();
    await waitFor(() => journal!.stats().connected, 'the journal to reconnect');
    await journal.flush();
    expect(await count('fills', s)).toBe(22_000);
    expect(await count('decisions', s)).toBe(20_000);
    const ids = await sql<{ trade_id: string }>(db.url, `SELECT trade_id FROM fills WHERE session_id = $1`, [s]);
    expect(new Set(ids.map((r) => r.trade_id)).size).toBe(22_000);
    const end = journal.stats();
    expect(end).toMatchObject({ connected: true, outageSince: null, depth: 0, dropped: 0, spillFiles: 0, failedRows: 0 });
    expect(end.replayedRows).toBe(end.spilledRows);
    expect((await readdir(spillDir)).filter((n) => n.startsWith('spill-'))).toEqual([]);
  });

  it('loses nothing when its backends are terminated while batches are in flight and reconnects are refused', async () => {
    proxy = new TcpProxy();
    const port = await proxy.start();
    journal = await openJournal({ url: db.urlVia(port), dataDir: dir.path, reconnectMinMs: 20, reconnectMaxMs: 100, chunkBytes: 16 * 1024, maxBatchBytes: 64 * 1024 });
    const s = 'terminate';
    const N = 60_000;
    let written = 0;
    const producer = (async () => {
      while (written < N) {
        for (const end = Math.min(N, written + 500); written < end; written++) journal!.write('fill', fill(s, written));
        await new Promise((r) => setImmediate(r));
      }
    })();
    await waitFor(() => journal!.stats().written > 5_000, 'writing under way');
    proxy.block(); // no reconnect for now…
    const killed = await sql<{ ok: boolean }>(db.url,
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND application_name = 'kalshi-actor journal'`, [db.name]);
    expect(killed.length).toBeGreaterThanOrEqual(1);
    expect(killed.every((k) => k.ok)).toBe(true);
    await waitFor(() => !journal!.stats().connected, 'the outage');
    await producer;
    // A flush while the database is away resolves once everything is in the spill file…
    await journal.flush();
    expect(journal.stats()).toMatchObject({ connected: false, depth: 0 });
    expect(journal.stats().spillBacklogRows).toBeGreaterThan(0);
    // …and when it is back, the spill is replayed.
    proxy.restore();
    await waitFor(() => journal!.stats().connected, 'the journal to reconnect');
    await journal.flush();
    expect(await count('fills', s)).toBe(N);
    expect(journal.stats()).toMatchObject({ connected: true, dropped: 0, depth: 0 });
    expect(journal.stats().written + journal.stats().duplicatesIgnored).toBeGreaterThanOrEqual(N);
  });

  it('opens in an outage when the database is unreachable, and connects when it appears', async () => {
    proxy = new TcpProxy();
    const port = await proxy.start();
    proxy.cut();
    await expect(openJournal({ url: db.urlVia(port), dataDir: dir.path, requireConnected: true })).rejects.toThrow(/cannot reach the postgres database/);
    journal = await openJournal({ url: db.urlVia(port), dataDir: dir.path, reconnectMinMs: 20, reconnectMaxMs: 50 });
    expect(journal.stats()).toMatchObject({ connected: false });
    expect(journal.stats().outageSince).not.toBeNull();
    for (let i = 0; i < 100; i++) journal.write('fill', fill('late', i));
    proxy.restore();
    await waitFor(() => journal!.stats().connected, 'the first connection');
    await journal.flush();
    expect(await count('fills', 'late')).toBe(100);
  });

  it('close writes everything queued, however recently', async () => {
    journal = await openJournal({ url: db.url, dataDir: dir.path });
    for (let i = 0; i < 30_000; i++) journal.write('fill', fill('close', i));
    const j = journal;
    journal = undefined;
    const s = await j.close();
    expect(s).toMatchObject({ written: 30_000, depth: 0, dropped: 0 });
    expect(await count('fills', 'close')).toBe(30_000);
  });
});
