/**
 * The embedded journal: PGlite in its own worker thread (a real one), in memory and file-backed
 * (temp directories, removed after): every kind reads back exactly, duplicates are harmless, the
 * data survives a close and reopen, and the main thread's event loop keeps running while PGlite
 * works through a large batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openJournal } from '../../../src/main/store/open-journal.js';
import type { StoreJournal } from '../../../src/main/store/write-queue.js';
import { tempDir } from './helpers.js';
import { expectSamplesStored, samples } from './sample-records.js';

const fill = (s: string, i: number) => ({
  session_id: s, trade_id: `t${i}`, order_id: `${s}-o${i}`, market_ticker: `KX-${i % 9}`, side: 'yes', yes_price: 5600, count: 100, ts_ms: i,
});

describe('PGlite journal in memory (worker thread)', () => {
  let dir: { path: string; remove(): Promise<void> };
  let journal: StoreJournal;
  beforeAll(async () => {
    dir = await tempDir();
    journal = await openJournal({ pglite: 'memory', dataDir: dir.path, requireConnected: true });
  });
  afterAll(async () => {
    await journal?.close();
    await dir?.remove();
  });

  it('writes every kind and reads it back exactly; writing it again changes nothing', async () => {
    expect(journal.backend).toBe('pglite');
    const list = [0, 1].flatMap((n) => samples('mem', n));
    for (const { kind, record } of list) journal.write(kind, record);
    await journal.flush();
    await expectSamplesStored((text, params) => journal.query(text, params), list);
    for (const { kind, record } of list) journal.write(kind, record);
    await journal.flush();
    await expectSamplesStored((text, params) => journal.query(text, params), list);
    const s = journal.stats();
    expect(s.duplicatesIgnored).toBeGreaterThan(0);
    expect(s).toMatchObject({ connected: true, rejected: 0, dropped: 0, depth: 0, enqueued: 2 * list.length });
    expect(await journal.query(`SELECT version FROM schema_migrations`)).toEqual([{ version: 1 }]);
  });

  it('keeps the main thread\'s event loop turning while PGlite works through one large batch', async () => {
    const big = await openJournal({ pglite: 'memory', dataDir: dir.path, spillDir: null, chunkBytes: 64 << 20, maxBatchBytes: 64 << 20 });
    try {
      const N = 120_000;
      for (let i = 0; i < N; i++) big.write('fill', fill('loop', i));
      let last = performance.now();
      let maxGap = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 1);
      const t0 = performance.now();
      await big.flush(); // one COPY of every row, in the worker
      const took = performance.now() - t0;
      clearInterval(ticker);
      expect(big.stats()).toMatchObject({ written: N, batches: 1 });
      // In the calling thread, that batch would be one stall as long as the flush.
      if (took > 300) expect(maxGap).toBeLessThan(took / 2);
    } finally {
      await big.close();
    }
  });
});

describe('PGlite journal on disk (worker thread)', () => {
  it('keeps what it wrote across a close and a reopen, migrating only once', async () => {
    const dir = await tempDir();
    try {
      const first = await openJournal({ dataDir: dir.path, requireConnected: true });
      const list = samples('disk', 0);
      for (const { kind, record } of list) first.write(kind, record);
      for (let i = 0; i < 5_000; i++) first.write('fill', fill('disk', i));
      const closed = await first.close();
      expect(closed).toMatchObject({ written: list.length + 5_000, depth: 0 });
      expect((await readdir(join(dir.path, 'pglite'))).length).toBeGreaterThan(0);

      const second = await openJournal({ dataDir: dir.path, requireConnected: true });
      try {
        await expectSamplesStored((text, params) => second.query(text, params), list);
        expect(await second.query(`SELECT count(*)::int AS n FROM fills WHERE session_id = 'disk'`)).toEqual([{ n: 5_001 }]);
        expect(await second.query(`SELECT count(*)::int AS n FROM schema_migrations`)).toEqual([{ n: 1 }]);
      } finally {
        await second.close();
      }
    } finally {
      await dir.remove();
    }
  });
});
