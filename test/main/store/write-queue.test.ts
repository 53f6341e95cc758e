/**
 * WriteQueue against a store whose failures the test controls: batching, bounds, spill and
 * replay, drops (never a fill), outage and recovery, data errors bisected and set aside, flush
 * semantics, stats. The real databases are exercised in pg-store, pglite-store and port-journal.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../../../src/main/store/store.js';
import { tableSpec } from '../../../src/main/store/tables.js';
import type { WriteBatch, WriteOutcome } from '../../../src/main/store/table-writer.js';
import { WriteQueue, type JournalEvent, type WriteQueueOptions } from '../../../src/main/store/write-queue.js';
import { writeRecord } from '../../../src/shared/journal-records.js';
import { tempDir, waitFor } from './helpers.js';

/** A store in memory: rows are kept per table by natural key (the key columns' text). */
class FakeStore implements Store {
  readonly backend = 'postgres' as const;
  up = true;
  held: Array<() => void> | undefined;
  badRow: RegExp | undefined;
  readonly tables = new Map<string, Map<string, string>>();
  readonly batches: WriteBatch[] = [];
  connects = 0;

  constructor(readonly concurrency = 2) {}

  async connect(): Promise<void> {
    this.connects++;
    if (!this.up) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  }

  async write(batch: WriteBatch): Promise<WriteOutcome> {
    if (this.held !== undefined) await new Promise<void>((resolve) => this.held!.push(resolve));
    if (!this.up) throw Object.assign(new Error('Connection terminated unexpectedly'), {});
    this.batches.push(batch);
    const spec = tableSpec(batch.table)!;
    const keyIdx = spec.key.map((k) => spec.columns.findIndex((c) => c.name === k));
    const lines = batch.texts.join('').split('\n').slice(0, -1);
    if (this.badRow !== undefined && lines.some((l) => this.badRow!.test(l))) throw Object.assign(new Error('invalid input syntax'), { code: '22P02' });
    let t = this.tables.get(batch.table);
    if (t === undefined) this.tables.set(batch.table, (t = new Map()));
    let inserted = 0;
    for (const line of lines) {
      const f = line.split('\t');
      const key = keyIdx.map((i) => f[i]).join('\t');
      if (spec.mode === 'merge' || !t.has(key)) inserted++;
      if (spec.mode === 'merge' || !t.has(key)) t.set(key, line);
    }
    const duplicates = lines.length - inserted;
    return { inserted, duplicates, conflict: batch.direct && duplicates > 0 };
  }

  release(): void {
    const h = this.held ?? [];
    this.held = undefined;
    for (const r of h) r();
  }

  async query<T>(): Promise<T[]> { return []; }
  async close(): Promise<void> {}

  count(table: string): number {
    return this.tables.get(table)?.size ?? 0;
  }
}

const fill = (i: number, s = 's') => ({
  session_id: s, trade_id: `t${i}`, order_id: `o${i}`, market_ticker: 'KX-M', side: 'yes', yes_price: 5600, count: 100, ts_ms: i,
});
const decision = (i: number) => ({ session_id: 's', market_ticker: 'KX-M', book_version: i, ts_ms: i, action: 'hold', feature_spec_hash: 'h'.repeat(40) });

describe('WriteQueue', () => {
  let dir: { path: string; remove(): Promise<void> };
  let store: FakeStore;
  let queue: WriteQueue | undefined;
  const events: JournalEvent[] = [];

  async function open(options: Partial<WriteQueueOptions> = {}): Promise<WriteQueue> {
    queue = new WriteQueue({ store, spillDir: join(dir.path, 'spill'), reconnectMinMs: 5, reconnectMaxMs: 20, onEvent: (e) => events.push(e), ...options });
    await queue.start();
    return queue;
  }

  beforeEach(async () => {
    dir = await tempDir();
    store = new FakeStore();
    events.length = 0;
  });
  afterEach(async () => {
    store.up = true;
    store.release();
    await queue?.close({ timeoutMs: 5_000 });
    queue = undefined;
    await dir.remove();
  });

  it('takes writes without waiting, batches them into few transactions, and flush writes them all', async () => {
    const q = await open({ lingerMs: 0 });
    for (let i = 0; i < 5_000; i++) q.write('fill', fill(i));
    for (let i = 0; i < 3_000; i++) q.write('decision', decision(i));
    expect(store.batches).toHaveLength(0); // nothing happened inside write
    expect(q.stats().depth).toBe(8_000);
    await q.flush();
    expect(store.count('fills')).toBe(5_000);
    expect(store.count('decisions')).toBe(3_000);
    expect(store.batches.length).toBeLessThan(10);
    const s = q.stats();
    expect(s).toMatchObject({ connected: true, depth: 0, queuedBytes: 0, lagMs: 0, enqueued: 8_000, written: 8_000, dropped: 0, rejected: 0, duplicatesIgnored: 0 });
  });

  it('counts duplicates, then sends that table by staging for a while', async () => {
    const q = await open();
    for (let i = 0; i < 10; i++) q.write('fill', fill(i));
    await q.flush();
    for (let i = 5; i < 15; i++) q.write('fill', fill(i));
    await q.flush();
    expect(store.count('fills')).toBe(15);
    expect(q.stats()).toMatchObject({ written: 15, duplicatesIgnored: 5 });
    q.write('fill', fill(99));
    await q.flush();
    expect(store.batches.at(-1)!.direct).toBe(false);
  });

  it('counts and names refused records, never throwing', async () => {
    const q = await open();
    q.write('fill', { ...fill(1), trade_id: undefined });
    q.write('bogus' as never, {});
    q.write('decision', { ...decision(1), book_version: 1.5 });
    writeRecord(q, 'fill', { session_id: 's', trade_id: 't', order_id: 'o', market_ticker: 'M', side: 'no', yes_price: 1, count: 1, ts_ms: 1 });
    await q.flush();
    expect(store.count('fills')).toBe(1);
    expect(q.stats()).toMatchObject({ rejected: 3, enqueued: 1, rejectedByReason: { 'fill:missing:trade_id': 1, 'bogus:unknown_kind': 1, 'decision:type:book_version': 1 } });
  });

  it('in an outage keeps taking writes, spills past the memory bound, and replays everything when back', async () => {
    const q = await open({ maxQueueBytes: 16 * 1024, chunkBytes: 2 * 1024, lingerMs: 0 });
    for (let i = 0; i < 100; i++) q.write('fill', fill(i));
    await q.flush();
    store.up = false;
    for (let i = 100; i < 200; i++) q.write('fill', fill(i)); // the batch that finds the outage
    await waitFor(() => !q.stats().connected, 'the outage to be seen');
    const since = q.stats().outageSince;
    expect(since).not.toBeNull();
    expect(q.stats().lastError).toMatch(/ECONNREFUSED|terminated/);
    for (let i = 200; i < 3_000; i++) q.write(i % 2 ? 'fill' : 'decision', i % 2 ? fill(i) : decision(i));
    await waitFor(() => q.stats().spilledRows > 0, 'rows to reach the spill');
    const mid = q.stats();
    expect(mid.queuedBytes).toBeLessThanOrEqual(16 * 1024 + 4 * 1024);
    expect(mid.dropped).toBe(0);
    expect(mid.depth + mid.spillBacklogRows).toBeGreaterThan(2_000);
    expect(mid.lagMs).toBeGreaterThanOrEqual(0);
    expect((await readdir(join(dir.path, 'spill'))).some((n) => n.startsWith('spill-'))).toBe(true);
    store.up = true;
    await waitFor(() => q.stats().connected, 'reconnection');
    await q.flush();
    expect(store.count('fills')).toBe(100 + 100 + 1_400);
    expect(store.count('decisions')).toBe(1_400);
    const end = q.stats();
    expect(end).toMatchObject({ connected: true, outageSince: null, depth: 0, dropped: 0, spillBacklogRows: 0, spillFiles: 0 });
    expect(end.replayedRows).toBe(end.spilledRows);
    expect(end.written + end.duplicatesIgnored).toBe(3_000);
    expect((await readdir(join(dir.path, 'spill'))).filter((n) => n.startsWith('spill-'))).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['outage', 'restored']));
  });

  it('without a spill, drops past the bound — but never a fill, which waits in memory', async () => {
    const q = await open({ spillDir: null, maxQueueBytes: 8 * 1024, chunkBytes: 1024 });
    store.up = false;
    for (let i = 0; i < 2_000; i++) q.write(i % 2 ? 'fill' : 'decision', i % 2 ? fill(i) : decision(i));
    await waitFor(() => !q.stats().connected && q.stats().dropped > 0, 'drops in the outage');
    const s = q.stats();
    expect(s.queuedBytes).toBeGreaterThan(8 * 1024); // the fills, past the bound
    store.up = true;
    await q.flush();
    expect(store.count('fills')).toBe(1_000);
    const end = q.stats();
    expect(store.count('decisions') + end.dropped).toBe(1_000);
    expect(end.dropped).toBeGreaterThan(0);
  });

  it('when the spill directory is unusable, behaves as without a spill (fills kept)', async () => {
    await writeFile(join(dir.path, 'not-a-dir'), 'x');
    const q = await open({ spillDir: join(dir.path, 'not-a-dir', 'spill'), maxQueueBytes: 8 * 1024, chunkBytes: 1024 });
    expect(events.some((e) => e.type === 'spill_error')).toBe(true);
    store.up = false;
    for (let i = 0; i < 1_000; i++) q.write(i % 2 ? 'fill' : 'decision', i % 2 ? fill(i) : decision(i));
    await waitFor(() => q.stats().dropped > 0, 'drops');
    store.up = true;
    await q.flush();
    expect(store.count('fills')).toBe(500);
  });

  it('flush during an outage spills what is in memory and resolves; the next run replays it', async () => {
    const q = await open({ lingerMs: 0 });
    store.up = false;
    for (let i = 0; i < 500; i++) q.write('fill', fill(i));
    q.write('session', { session_id: 's', started_ms: 1 });
    await q.flush();
    expect(q.stats()).toMatchObject({ connected: false, depth: 0, spilledRows: 501 });
    await q.close({ timeoutMs: 1_000 });
    queue = undefined;
    expect(store.count('fills')).toBe(0);

    store.up = true;
    const next = await open();
    await next.flush();
    expect(store.count('fills')).toBe(500);
    expect(store.count('sessions')).toBe(1);
    expect(next.stats()).toMatchObject({ replayedRows: 501, spillFiles: 0 });
  });

  it('finds a row the database refuses by halving, writes the rest, and sets the row aside', async () => {
    const q = await open({ chunkBytes: 512 });
    store.badRow = /\tt37\t/;
    for (let i = 0; i < 100; i++) q.write('fill', fill(i));
    await q.flush();
    expect(store.count('fills')).toBe(99);
    expect(q.stats()).toMatchObject({ failedRows: 1, written: 99, connected: true });
    const path = join(dir.path, 'spill', 'rejected.jsonl');
    await waitFor(async () => (await readFile(path, 'utf8').catch(() => '')).length > 0, 'the rejected row on disk', 5_000);
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { table: string; rows: number; text: string; error: string });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ table: 'fills', rows: 1, error: 'invalid input syntax' });
    expect(lines[0].text).toContain('\tt37\t');
    expect(events.find((e) => e.type === 'quarantined')).toMatchObject({ table: 'fills', rows: 1 });
  });

  it('keeps merge tables (sessions) in memory past the bound, and writes them one batch at a time', async () => {
    const q = await open({ maxQueueBytes: 1024, chunkBytes: 256 });
    store.up = false;
    for (let i = 0; i < 200; i++) q.write('session', { session_id: `s${i}`, started_ms: i });
    await waitFor(() => !q.stats().connected, 'the outage');
    expect(q.stats()).toMatchObject({ spilledRows: 0, dropped: 0 });
    store.held = [];
    store.up = true;
    await waitFor(() => q.stats().connected && store.held!.length > 0, 'a batch in flight');
    await waitFor(() => q.stats().inFlight === 1, 'one in flight');
    expect(store.held!.length).toBe(1);
    store.release();
    await q.flush();
    expect(store.count('sessions')).toBe(200);
  });

  it('has up to `concurrency` append batches in flight, and reports the lag of what waits', async () => {
    let now = 1_000_000;
    const q = await open({ clock: () => now, maxBatchBytes: 1024, chunkBytes: 512 });
    store.held = [];
    for (let i = 0; i < 300; i++) q.write('fill', fill(i));
    await waitFor(() => store.held!.length === 2, 'two batches in flight');
    now += 2_500;
    expect(q.stats().lagMs).toBe(2_500);
    expect(q.stats().inFlight).toBe(2);
    store.release();
    await q.flush();
    expect(store.count('fills')).toBe(300);
    expect(q.stats().lagMs).toBe(0);
  });

  it('close flushes, and refuses (counts) writes after it', async () => {
    const q = await open();
    for (let i = 0; i < 50; i++) q.write('fill', fill(i));
    const s = await q.close();
    queue = undefined;
    expect(store.count('fills')).toBe(50);
    expect(s.written).toBe(50);
    q.write('fill', fill(51));
    expect(q.stats().rejectedByReason['fill:closed']).toBe(1);
  });
});
