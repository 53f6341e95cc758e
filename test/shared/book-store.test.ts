import { describe, expect, it } from 'vitest';
import { BookResult, BookStore, emptyBookTop, markValue, noAsk, yesAsk } from '../../src/shared/book-store.js';
import { NONE, SIDE_NO, SIDE_YES, type BookSide } from '../../src/shared/book-layout.js';
import { parsePrice, parseSignedCount, parseCount } from '../../src/shared/fixed-point.js';
import { PriceGrid } from '../../src/shared/price-grid.js';
import { siblingModule, spawnWorker, workerExit } from '../../src/shared/worker-spawn.js';
import type { BookWorkerData, BookWorkerReport } from './workers/book-worker.js';

const linear = PriceGrid.forStructure('linear_cent');
const tapered = PriceGrid.forStructure('tapered_deci_cent');

// Real frames (kalshi-api.md §2.4): a snapshot, then a delta on the same subscription.
const SNAPSHOT = {
  type: 'orderbook_snapshot', sid: 2, seq: 1,
  msg: {
    market_ticker: 'KXFOO-26AUG01-T50', market_id: '9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1',
    yes_dollars_fp: [['0.4100', '10.00'], ['0.4200', '13.00']],
    no_dollars_fp: [['0.5500', '20.00'], ['0.5600', '17.00']],
  },
};
const DELTA = {
  type: 'orderbook_delta', sid: 2, seq: 2,
  msg: {
    market_ticker: 'KXFOO-26AUG01-T50', market_id: '9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1',
    price_dollars: '0.4200', delta_fp: '-3.00', side: 'yes', ts_ms: 1755800000123,
  },
};

function flat(levels: string[][]): number[] {
  return levels.flatMap(([p, c]) => [parsePrice(p), parseCount(c)]);
}

function storeWith(grid: PriceGrid = linear): BookStore {
  const store = BookStore.create({ maxMarkets: 4 });
  store.registerMarket(1, grid);
  return store;
}

function top(store: BookStore, m = 1) {
  const out = emptyBookTop();
  expect(store.readTop(m, out)).toBe(true);
  return out;
}

describe('BookStore on one thread', () => {
  it('applies a real snapshot and delta, with derived asks', () => {
    const store = storeWith();
    expect(top(store).stale).toBe(true); // registered, awaiting its snapshot
    const yes = flat(SNAPSHOT.msg.yes_dollars_fp);
    const no = flat(SNAPSHOT.msg.no_dollars_fp);
    expect(store.applySnapshot(1, yes, 2, no, 2, 0, 111)).toBe(BookResult.OK);
    let t = top(store);
    expect(t).toMatchObject({ yesBid: 4200, yesBidSize: 1300, noBid: 5600, noBidSize: 1700, stale: false, receiveNs: 111 });
    expect(yesAsk(t)).toBe(4400); // 1 − 0.56, never 0.99 − 0.56
    expect(noAsk(t)).toBe(5800);

    const d = DELTA.msg;
    const r = store.applyDelta(1, d.side === 'yes' ? SIDE_YES : SIDE_NO, parsePrice(d.price_dollars), parseSignedCount(d.delta_fp), d.ts_ms, 222);
    expect(r).toBe(BookResult.OK);
    t = top(store);
    expect(t).toMatchObject({ yesBid: 4200, yesBidSize: 1000, exchangeTsMs: 1755800000123, receiveNs: 222 });
  });

  it('moves the best bid up on a new level and down when the best level empties', () => {
    const store = storeWith();
    store.applySnapshot(1, [4100, 500, 3000, 100], 2, [], 0, 0, 0);
    expect(store.applyDelta(1, SIDE_YES, 4500, 200, 0, 0)).toBe(BookResult.OK);
    expect(top(store)).toMatchObject({ yesBid: 4500, yesBidSize: 200, noBid: NONE, noBidSize: 0 });
    expect(yesAsk(top(store))).toBe(NONE);
    store.applyDelta(1, SIDE_YES, 4500, -200, 0, 0);
    expect(top(store)).toMatchObject({ yesBid: 4100, yesBidSize: 500 });
    store.applyDelta(1, SIDE_YES, 4100, -500, 0, 0);
    expect(top(store)).toMatchObject({ yesBid: 3000, yesBidSize: 100 });
    store.applyDelta(1, SIDE_YES, 3000, -100, 0, 0);
    expect(top(store)).toMatchObject({ yesBid: NONE, yesBidSize: 0, stale: false });
    // a delta below the best leaves the best alone
    store.applyDelta(1, SIDE_NO, 5000, 100, 0, 0);
    store.applyDelta(1, SIDE_NO, 4000, 100, 0, 0);
    expect(top(store)).toMatchObject({ noBid: 5000, noBidSize: 100 });
  });

  it('reads depth best first, skipping empty levels', () => {
    const store = storeWith();
    store.applySnapshot(1, [100, 1, 4100, 500, 3000, 100], 3, [9900, 7], 1, 0, 0);
    const prices = new Int32Array(8);
    const sizes = new Int32Array(8);
    expect(store.readDepth(1, SIDE_YES, 8, prices, sizes)).toBe(3);
    expect([...prices.subarray(0, 3)]).toEqual([4100, 3000, 100]);
    expect([...sizes.subarray(0, 3)]).toEqual([500, 100, 1]);
    expect(store.readDepth(1, SIDE_YES, 2, prices, sizes)).toBe(2);
    expect(store.readDepth(1, SIDE_NO, 8, prices, sizes)).toBe(1);
    expect(prices[0]).toBe(9900);
  });

  it('indexes sub-penny grids by level and keeps them apart per market', () => {
    const store = storeWith(tapered);
    store.registerMarket(2, linear);
    expect(store.gridOf(1)).toBe(tapered);
    expect(store.gridOf(2)).toBe(linear);
    expect(store.applySnapshot(1, [50, 100, 9950, 300], 2, [10, 5], 1, 0, 0)).toBe(BookResult.OK); // 0.005 and 0.995 are on the tapered grid
    expect(top(store)).toMatchObject({ yesBid: 9950, yesBidSize: 300, noBid: 10 });
    expect(store.applyDelta(1, SIDE_YES, 4550, 1, 0, 0)).toBe(BookResult.OFF_GRID); // 0.455: mid-range is whole cents only
    expect(store.applySnapshot(2, [50, 100], 1, [], 0, 0, 0)).toBe(BookResult.OFF_GRID);
  });

  describe('bad input never corrupts a book', () => {
    function liveStore() {
      const store = storeWith();
      store.applySnapshot(1, [4100, 500], 1, [5500, 200], 1, 0, 0);
      return store;
    }
    const cases: [string, BookSide, number, number, BookResult][] = [
      ['off-grid price', SIDE_YES, 4150, 100, BookResult.OFF_GRID],
      ['price above 1', SIDE_YES, 10100, 100, BookResult.OFF_GRID],
      ['negative price', SIDE_NO, -100, 100, BookResult.OFF_GRID],
      ['NaN price', SIDE_NO, Number.NaN, 100, BookResult.OFF_GRID],
      ['size going negative', SIDE_YES, 4100, -501, BookResult.NEGATIVE_SIZE],
      ['removing an absent level', SIDE_NO, 2000, -1, BookResult.NEGATIVE_SIZE],
      ['size overflow', SIDE_YES, 4100, 2 ** 31, BookResult.BAD_SIZE],
      ['fractional size', SIDE_YES, 4100, 0.5, BookResult.BAD_SIZE],
      ['NaN size', SIDE_YES, 4100, Number.NaN, BookResult.BAD_SIZE],
      ['bad side', 2 as BookSide, 4100, 1, BookResult.BAD_SIDE],
    ];
    it.each(cases)('%s: rejected, book unchanged and stale until the next snapshot', (_name, side, price, delta, expected) => {
      const store = liveStore();
      const before = top(store);
      expect(store.applyDelta(1, side, price, delta, 9, 9)).toBe(expected);
      const after = top(store);
      expect(after.stale).toBe(true);
      expect({ ...after, stale: false, updates: 0 }).toEqual({ ...before, updates: 0 });
      // deltas are ignored while stale; a valid snapshot brings the book back
      expect(store.applyDelta(1, SIDE_YES, 4100, 1, 0, 0)).toBe(BookResult.STALE);
      expect(store.applySnapshot(1, [4000, 1], 1, [], 0, 0, 0)).toBe(BookResult.OK);
      expect(top(store)).toMatchObject({ stale: false, yesBid: 4000, yesBidSize: 1, noBid: NONE });
    });

    it.each([
      ['off-grid level', [4100, 500, 4155, 1], 2, BookResult.OFF_GRID],
      ['negative size', [4100, -5], 1, BookResult.NEGATIVE_SIZE],
      ['duplicate price', [4100, 5, 4100, 6], 2, BookResult.DUPLICATE_LEVEL],
      ['fractional size', [4100, 1.5], 1, BookResult.BAD_SIZE],
      ['fewer values than levels', [4100], 1, BookResult.BAD_SIDE],
    ] as const)('a snapshot with %s is rejected whole', (_name, yes, levels, expected) => {
      const store = liveStore();
      const before = top(store);
      expect(store.applySnapshot(1, yes, levels, [5000, 1], 1, 0, 0)).toBe(expected);
      const after = top(store);
      expect(after.stale).toBe(true);
      expect(after.yesBid).toBe(before.yesBid);
      expect(after.noBid).toBe(before.noBid); // the valid NO side was not written either
      // the duplicate check leaves no residue: the same levels once each now pass
      expect(store.applySnapshot(1, [4100, 5], 1, [], 0, 0, 0)).toBe(BookResult.OK);
    });

    it('refuses unregistered markets and out-of-range slots', () => {
      const store = BookStore.create({ maxMarkets: 2 });
      expect(store.applyDelta(0, SIDE_YES, 100, 1, 0, 0)).toBe(BookResult.UNREGISTERED);
      expect(store.applySnapshot(0, [], 0, [], 0, 0, 0)).toBe(BookResult.UNREGISTERED);
      expect(store.readTop(0, emptyBookTop())).toBe(false);
      expect(store.readDepth(0, SIDE_YES, 4, new Int32Array(4), new Int32Array(4))).toBe(-1);
      expect(() => store.registerMarket(2, linear)).toThrow(RangeError);
      expect(() => store.registerMarket(-1, linear)).toThrow(RangeError);
      expect(() => store.gridOf(0)).toThrow(/not registered/);
      expect(() => BookStore.create({ maxMarkets: 0 })).toThrow(RangeError);
    });
  });

  it('marks a book stale on request (gap, disconnect) and re-registers a slot with fresh ladders', () => {
    const store = storeWith();
    store.applySnapshot(1, [4100, 500], 1, [], 0, 0, 0);
    store.markStale(1);
    expect(top(store)).toMatchObject({ stale: true, yesBid: 4100 });
    store.registerMarket(1, tapered);
    expect(top(store)).toMatchObject({ stale: true, yesBid: NONE, noBid: NONE });
    expect(store.gridOf(1)).toBe(tapered);
  });

  it('fails cleanly when ladder space is exhausted', () => {
    const store = BookStore.create({ maxMarkets: 4, ladderWords: 2 * 101 * 2 });
    store.registerMarket(0, linear);
    store.registerMarket(1, linear);
    expect(() => store.registerMarket(2, linear)).toThrow(/ladder space exhausted/);
    store.applySnapshot(1, [100, 1], 1, [], 0, 0, 0);
    expect(top(store)).toMatchObject({ yesBid: 100 }); // earlier markets unharmed
  });

  it('is visible to another attach of the same shared memory', () => {
    const store = storeWith();
    store.applySnapshot(1, [4100, 500], 1, [5500, 200], 1, 0, 0);
    const other = BookStore.attach(store.shared);
    expect(top(other)).toMatchObject({ yesBid: 4100, noBid: 5500 });
    expect(other.gridOf(1)).toBe(linear);
  });
});

describe('BookStore across real worker threads', () => {
  it('a writer hammering one book never lets a reader on another thread see a torn book', async () => {
    const store = BookStore.create({ maxMarkets: 1 });
    store.registerMarket(0, linear);
    const control = new SharedArrayBuffer(12);
    const entry = siblingModule(import.meta.url, './workers/book-worker');
    const start = (role: BookWorkerData['role']) => {
      const data: BookWorkerData = { role, store: store.shared, control, versionsWanted: 5_000, deadlineMs: 60_000 };
      const worker = spawnWorker(entry, { workerData: data });
      const report = new Promise<BookWorkerReport>((resolve) => worker.once('message', resolve));
      return Promise.all([report, workerExit(worker)]).then(([r]) => r);
    };
    const [readerA, readerB, writer] = await Promise.all([start('read'), start('read'), start('write')]);
    expect(writer.updates).toBeGreaterThan(10_000);
    for (const reader of [readerA, readerB]) {
      expect(reader.firstTorn).toBeUndefined();
      expect(reader.torn).toBe(0);
      expect(reader.busy).toBe(0);
      expect(reader.reads).toBeGreaterThan(10_000);
      expect(reader.versions).toBeGreaterThanOrEqual(5_000); // the reads really raced the writes
    }
  });
});

describe('markValue', () => {
  it('values a position at the best bid of its side, exactly in µ$; null without a bid', () => {
    const top = { ...emptyBookTop(), yesBid: 4_500, noBid: 5_300 };
    expect(markValue(top, 300)).toBe(1_350_000); // 3 YES at $0.45
    expect(markValue(top, -250)).toBe(1_325_000); // 2.5 NO at $0.53
    expect(markValue({ ...top, noBid: NONE }, -100)).toBeNull();
    expect(markValue({ ...top, yesBid: 0 }, 100)).toBeNull();
  });
});
