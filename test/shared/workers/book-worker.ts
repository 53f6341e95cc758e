/**
 * Fixture worker for book-store.test.ts: either the single writer of market 0, hammering it
 * with snapshots and deltas that keep checkable invariants, or a reader that checks every
 * consistent read against them.
 *
 * Invariants the writer keeps at every seqlock boundary (linear_cent grid, 101 levels):
 * - base levels 1…50 of both sides all hold the same size s (1 ≤ s ≤ 1000), set by a snapshot;
 * - any level above 50 holds exactly level × 100 + 7 (a "marker" added and removed by deltas);
 * - the cached best bid is the highest non-empty level.
 * A torn read mixes two snapshots (unequal base sizes) or a best pointer with the wrong size.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BookStore, emptyBookTop, type BookStoreShared } from '../../../src/shared/book-store.js';
import { SIDE_NO, SIDE_YES, type BookSide } from '../../../src/shared/book-layout.js';

export interface BookWorkerData {
  role: 'write' | 'read';
  store: BookStoreShared;
  /** Int32 words: [0] readers started, [1] stop flag, [2] readers satisfied */
  control: SharedArrayBuffer;
  /** Versions each reader must see before the writer may stop (the reads really raced). */
  versionsWanted: number;
  /** Backstop: the writer stops after this long even if a reader is still starved. */
  deadlineMs: number;
}

export interface BookWorkerReport {
  role: 'write' | 'read';
  reads: number;
  busy: number;
  torn: number;
  firstTorn?: string;
  versions: number;
  updates: number;
}

const { role, store: shared, control: controlBuffer, versionsWanted, deadlineMs } = workerData as BookWorkerData;
const store = BookStore.attach(shared);
const control = new Int32Array(controlBuffer);
const report: BookWorkerReport = { role, reads: 0, busy: 0, torn: 0, versions: 0, updates: 0 };
const MARKET = 0;

const levelPrice = (level: number) => level * 100; // linear_cent: level L is price L¢
const marker = (level: number) => level * 100 + 7;

function write(): void {
  // Wait until every reader is running, so the writes actually race the reads.
  while (Atomics.load(control, 0) < 2) Atomics.wait(control, 0, Atomics.load(control, 0), 10);
  const yes: number[] = [];
  const no: number[] = [];
  const deadline = performance.now() + deadlineMs;
  for (let k = 0; Atomics.load(control, 2) < 2 && (k & 255 || performance.now() < deadline); k++) {
    const s = (k % 1000) + 1;
    yes.length = 0;
    no.length = 0;
    for (let level = 1; level <= 50; level++) {
      yes.push(levelPrice(level), s);
      no.push(levelPrice(level), s);
    }
    store.applySnapshot(MARKET, yes, 50, no, 50, k, k);
    report.updates++;
    // Markers above the base, added and removed one delta at a time, on both sides.
    for (let j = 0; j < 20; j++) {
      const side: BookSide = j % 2 === 0 ? SIDE_YES : SIDE_NO;
      const level = 51 + ((k * 7 + j * 13) % 49);
      store.applyDelta(MARKET, side, levelPrice(level), marker(level), k, k);
      store.applyDelta(MARKET, side, levelPrice(level), -marker(level), k, k);
      report.updates += 2;
    }
  }
  Atomics.store(control, 1, 1);
}

function check(condition: boolean, what: string): boolean {
  if (!condition) {
    report.torn++;
    report.firstTorn ??= what;
  }
  return condition;
}

function read(): void {
  Atomics.add(control, 0, 1);
  Atomics.notify(control, 0);
  const top = emptyBookTop();
  const prices = new Int32Array(101);
  const sizes = new Int32Array(101);
  let lastUpdates = -1;
  while (Atomics.load(control, 1) === 0) {
    if (!store.readTop(MARKET, top)) {
      report.busy++;
      continue;
    }
    report.reads++;
    if (top.updates !== lastUpdates) {
      if (++report.versions === versionsWanted) Atomics.add(control, 2, 1);
      lastUpdates = top.updates;
    }
    if (!top.stale) {
      for (const [price, size] of [[top.yesBid, top.yesBidSize], [top.noBid, top.noBidSize]]) {
        const level = price / 100;
        if (level > 50) check(size === marker(level), `top: level ${level} size ${size}`);
        else check(level === 50 && size >= 1 && size <= 1000, `top: best ${level} size ${size}`);
      }
    }
    for (const side of [SIDE_YES, SIDE_NO] as const) {
      const n = store.readDepth(MARKET, side, 101, prices, sizes);
      if (n < 0) {
        report.busy++;
        continue;
      }
      report.reads++;
      if (n === 0) continue; // before the first snapshot
      let base = -1;
      let baseLevels = 0;
      for (let i = 0; i < n; i++) {
        const level = prices[i] / 100;
        if (i > 0) check(prices[i] < prices[i - 1], `depth: not descending at ${i}`);
        if (level > 50) check(sizes[i] === marker(level), `depth: marker ${level} size ${sizes[i]}`);
        else {
          if (base < 0) base = sizes[i];
          check(sizes[i] === base, `depth: base sizes ${base} and ${sizes[i]} in one read`);
          baseLevels++;
        }
      }
      check(baseLevels === 50, `depth: ${baseLevels} base levels`);
      check(n - baseLevels <= 1, `depth: ${n - baseLevels} markers at once`);
    }
  }
}

if (role === 'write') write();
else read();
parentPort!.postMessage(report);
