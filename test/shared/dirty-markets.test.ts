import { describe, expect, it } from 'vitest';
import { BookStore } from '../../src/shared/book-store.js';
import { DirtyMarkets, NO_DIRTY_MARKET } from '../../src/shared/dirty-markets.js';
import { PriceGrid } from '../../src/shared/price-grid.js';
import { siblingModule, spawnWorker, workerExit } from '../../src/shared/worker-spawn.js';
import type { DirtyWorkerData, DirtyWorkerReport } from './workers/dirty-markets-worker.js';

describe('DirtyMarkets on one thread', () => {
  it('enqueues a market once per clean→dirty edge: a burst becomes one record', () => {
    const dirty = DirtyMarkets.create(3);
    expect(dirty.markDirty(1)).toBe(true);
    for (let i = 0; i < 1000; i++) expect(dirty.markDirty(1)).toBe(false);
    expect(dirty.markDirty(0)).toBe(true);
    expect(dirty.pending()).toBe(2);
    expect(dirty.nextDirty()).toBe(1);
    expect(dirty.markDirty(1)).toBe(true); // dirty again after the reader took it
    expect(dirty.nextDirty()).toBe(0);
    expect(dirty.nextDirty()).toBe(1);
    expect(dirty.nextDirty()).toBe(NO_DIRTY_MARKET);
  });

  it('can never overflow: every market dirty at once fits, whatever the message rate', () => {
    const dirty = DirtyMarkets.create(1000); // ring capacity 1024
    for (let round = 0; round < 50; round++) {
      for (let m = 0; m < 1000; m++) dirty.markDirty(m);
    }
    expect(dirty.pending()).toBe(1000);
    const seen = new Set<number>();
    for (let m = dirty.nextDirty(); m !== NO_DIRTY_MARKET; m = dirty.nextDirty()) seen.add(m);
    expect(seen.size).toBe(1000);
  });

  it('rejects impossible sizes', () => {
    expect(() => DirtyMarkets.create(0)).toThrow(RangeError);
    expect(() => DirtyMarkets.create(1.5)).toThrow(RangeError);
  });

  it('waits for a dirty market, with a timeout', async () => {
    const dirty = DirtyMarkets.create(4);
    expect(dirty.waitForDirty('park', { timeoutMs: 10 })).toBe(false);
    expect(await dirty.waitForDirtyAsync(10)).toBe(false);
    dirty.markDirty(2);
    expect(dirty.waitForDirty('spin', { timeoutMs: 10_000 })).toBe(true);
    expect(await dirty.waitForDirtyAsync(10_000)).toBe(true);
  });
});

describe('DirtyMarkets across real worker threads', () => {
  it('loses no update: the reader ends on every market’s latest book, with bursts coalesced', async () => {
    const MARKETS = 200;
    const UPDATES = 2_000_000;
    const store = BookStore.create({ maxMarkets: MARKETS });
    const grid = PriceGrid.forStructure('linear_cent');
    for (let m = 0; m < MARKETS; m++) {
      store.registerMarket(m, grid);
      store.applySnapshot(m, [], 0, [], 0, 0, 0);
    }
    const dirty = DirtyMarkets.create(MARKETS);
    const control = new SharedArrayBuffer(4);
    const entry = siblingModule(import.meta.url, './workers/dirty-markets-worker');
    const start = (role: DirtyWorkerData['role']) => {
      const data: DirtyWorkerData = { role, store: store.shared, dirty: dirty.shared, control, updates: UPDATES, seed: 42 };
      const worker = spawnWorker(entry, { workerData: data });
      const report = new Promise<DirtyWorkerReport>((resolve) => worker.once('message', resolve));
      return Promise.all([report, workerExit(worker)]).then(([r]) => r);
    };
    const [reader, writer] = await Promise.all([start('read'), start('write')]);

    expect(writer.perMarket.reduce((a, b) => a + b, 0)).toBe(UPDATES);
    expect(reader.perMarket).toEqual(writer.perMarket); // last view of each market = its final book
    expect(reader.decisions).toBe(writer.enqueued); // one decision per enqueued record
    expect(reader.decisions).toBeLessThan(UPDATES); // bursts were coalesced
    expect(writer.maxPending).toBeLessThanOrEqual(MARKETS); // at most one record per market
  });
});
