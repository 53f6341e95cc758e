/**
 * Fixture worker for dirty-markets.test.ts: the market-data side (writer) applies bursts of
 * deltas to many books and marks them dirty; the inference side (reader) drains dirty markets
 * and reads each book, remembering the last size it saw per market.
 * Each delta adds 1 (hundredth) at 0.50 on YES, so a book's best-bid size is the number of
 * updates applied to it: the reader's last view of every market must equal the writer's count.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BookStore, emptyBookTop, type BookStoreShared } from '../../../src/shared/book-store.js';
import { SIDE_YES } from '../../../src/shared/book-layout.js';
import { DirtyMarkets, NO_DIRTY_MARKET, type DirtyMarketsShared } from '../../../src/shared/dirty-markets.js';

export interface DirtyWorkerData {
  role: 'write' | 'read';
  store: BookStoreShared;
  dirty: DirtyMarketsShared;
  /** Int32 words: [0] writer done */
  control: SharedArrayBuffer;
  updates: number;
  seed: number;
}

export interface DirtyWorkerReport {
  role: 'write' | 'read';
  /** write: updates applied per market; read: last size seen per market */
  perMarket: number[];
  enqueued: number;
  decisions: number;
  maxPending: number;
}

const { role, store: storeShared, dirty: dirtyShared, control: controlBuffer, updates, seed } = workerData as DirtyWorkerData;
const store = BookStore.attach(storeShared);
const dirty = DirtyMarkets.attach(dirtyShared);
const control = new Int32Array(controlBuffer);
const markets = dirty.markets;
const report: DirtyWorkerReport = { role, perMarket: new Array(markets).fill(0), enqueued: 0, decisions: 0, maxPending: 0 };

function write(): void {
  let x = seed >>> 0;
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  for (let i = 0; i < updates; ) {
    // Bursts: several deltas in a row on one market, as a busy market sends them.
    const m = next() % markets;
    const burst = 1 + (next() % 8);
    for (let b = 0; b < burst && i < updates; b++, i++) {
      store.applyDelta(m, SIDE_YES, 5000, 1, 0, i);
      report.perMarket[m]++;
      if (dirty.markDirty(m)) report.enqueued++;
      report.maxPending = Math.max(report.maxPending, dirty.pending());
    }
  }
  Atomics.store(control, 0, 1);
}

function read(): void {
  const top = emptyBookTop();
  for (;;) {
    const m = dirty.nextDirty();
    if (m === NO_DIRTY_MARKET) {
      if (Atomics.load(control, 0) === 1 && dirty.pending() === 0) break;
      dirty.waitForDirty('spin-park', { timeoutMs: 5 });
      continue;
    }
    if (!store.readTop(m, top)) throw new Error(`market ${m} unreadable`);
    report.perMarket[m] = top.yesBidSize;
    report.decisions++;
  }
}

if (role === 'write') write();
else read();
parentPort!.postMessage(report);
