/**
 * BookSync without a socket: frames as the exchange writes them, through the orderbook parser,
 * into a real BookStore, with the dirty marks the inference side reads.
 */
import { describe, expect, it } from 'vitest';
import { BookResult, BookStore, emptyBookTop } from '../../../../src/shared/book-store.js';
import { monoNs } from '../../../../src/shared/clock.js';
import { DirtyMarkets, NO_DIRTY_MARKET } from '../../../../src/shared/dirty-markets.js';
import { PriceGrid } from '../../../../src/shared/price-grid.js';
import { BookSync, UNKNOWN_MARKET } from '../../../../src/shared/kalshi/ws/book-sync.js';
import { FrameKind, OrderbookFrame, parseOrderbookFrame } from '../../../../src/shared/kalshi/ws/orderbook-parser.js';
import { TickerIndex } from '../../../../src/shared/kalshi/ws/ticker-index.js';

function setup() {
  const books = BookStore.create({ maxMarkets: 4 });
  const tickers = new TickerIndex();
  const dirty = DirtyMarkets.create(4);
  books.registerMarket(0, PriceGrid.forStructure('linear_cent'));
  books.registerMarket(1, PriceGrid.forStructure('deci_cent'));
  tickers.add('KX-A', 0);
  tickers.add('KX-B', 1);
  const sync = new BookSync({ books, tickers, dirty });
  const frame = new OrderbookFrame();
  const feed = (json: string, receiveNs = 1): number => {
    const buf = Buffer.from(json);
    const kind = parseOrderbookFrame(buf, frame);
    if (kind === FrameKind.Delta) return sync.applyDelta(frame, buf, receiveNs);
    if (kind === FrameKind.Snapshot) return sync.applySnapshot(frame, buf, receiveNs);
    throw new Error(`not an orderbook frame: ${kind} ${frame.error}`);
  };
  const depth = (market: number, side: 0 | 1): Array<[number, number]> => {
    const p = new Int32Array(200);
    const s = new Int32Array(200);
    const n = books.readDepth(market, side, 200, p, s);
    return Array.from({ length: n }, (_, i) => [p[i], s[i]] as [number, number]);
  };
  const drainDirty = (): number[] => {
    const out: number[] = [];
    for (let m = dirty.nextDirty(); m !== NO_DIRTY_MARKET; m = dirty.nextDirty()) out.push(m);
    return out;
  };
  return { books, tickers, sync, feed, depth, drainDirty };
}

const snapshot = (ticker: string, yes: Array<[string, string]>, no: Array<[string, string]>, seq = 1) =>
  JSON.stringify({ type: 'orderbook_snapshot', sid: 1, seq, msg: { market_ticker: ticker, market_id: 'x', ...(yes.length ? { yes_dollars_fp: yes } : {}), ...(no.length ? { no_dollars_fp: no } : {}) } });
const delta = (ticker: string, side: 'yes' | 'no', price: string, d: string, seq = 2, tsMs = 1_755_800_000_123) =>
  JSON.stringify({ type: 'orderbook_delta', sid: 1, seq, msg: { market_ticker: ticker, market_id: 'x', price_dollars: price, delta_fp: d, side, ts_ms: tsMs } });

describe('BookSync', () => {
  it('applies a snapshot (interleaving the parser arrays) and keeps NO bids in NO price', () => {
    const { books, sync, feed, depth, drainDirty } = setup();
    expect(feed(snapshot('KX-A', [['0.4100', '10.00'], ['0.4200', '13.50']], [['0.5500', '20.00'], ['0.5600', '17.00']]))).toBe(BookResult.OK);
    expect(depth(0, 0)).toEqual([[4200, 1350], [4100, 1000]]);
    expect(depth(0, 1)).toEqual([[5600, 1700], [5500, 2000]]); // NO price, as sent with use_yes_price:false
    const top = { yesBid: 0, yesBidSize: 0, noBid: 0, noBidSize: 0, stale: true, updates: 0, exchangeTsMs: 0, receiveNs: 0, appliedNs: 0 };
    books.readTop(0, top);
    expect(top.stale).toBe(false);
    expect(sync.counters.snapshots).toBe(1);
    expect(drainDirty()).toEqual([0]);
  });

  it('applies deltas in place, stamping exchange and receive times; a level that reaches 0 goes', () => {
    const { books, sync, feed, depth, drainDirty } = setup();
    feed(snapshot('KX-A', [['0.4100', '10.00']], [['0.5500', '20.00']]));
    drainDirty();
    expect(feed(delta('KX-A', 'yes', '0.4100', '-2.50', 2, 1234), 99)).toBe(BookResult.OK);
    expect(feed(delta('KX-A', 'no', '0.5700', '3.00', 3))).toBe(BookResult.OK);
    expect(feed(delta('KX-A', 'no', '0.5500', '-20.00', 4))).toBe(BookResult.OK);
    expect(depth(0, 0)).toEqual([[4100, 750]]);
    expect(depth(0, 1)).toEqual([[5700, 300]]);
    expect(sync.counters.deltas).toBe(3);
    expect(drainDirty()).toEqual([0]); // coalesced: one mark for the burst
    const top = { yesBid: 0, yesBidSize: 0, noBid: 0, noBidSize: 0, stale: true, updates: 0, exchangeTsMs: 0, receiveNs: 0, appliedNs: 0 };
    books.readTop(0, top);
    expect(top.exchangeTsMs).toBe(1_755_800_000_123);
    expect(top.receiveNs).toBe(1);
  });

  it('stamps when each update was applied (after the receipt) and keeps the received → applied histogram of deltas', () => {
    const { books, sync, feed } = setup();
    const before = monoNs();
    feed(snapshot('KX-A', [['0.4100', '10.00']], [['0.5500', '20.00']]), before);
    const top = emptyBookTop();
    books.readTop(0, top);
    expect(top.appliedNs).toBeGreaterThanOrEqual(before);
    expect(sync.applyLatency.count).toBe(0); // snapshots are stamped, not counted: the stage is the delta's
    const received = monoNs();
    feed(delta('KX-A', 'yes', '0.4100', '-2.50', 2), received);
    feed(delta('KX-A', 'yes', '0.4100', '-2.50', 3), received);
    books.readTop(0, top);
    expect(top.receiveNs).toBe(received);
    expect(top.appliedNs).toBeGreaterThanOrEqual(received);
    expect(top.appliedNs).toBeLessThanOrEqual(monoNs());
    const h = sync.applyLatency.snapshot();
    expect(h.total).toBe(2);
    expect(h.maxNs).toBeGreaterThan(0);
    expect(h.maxNs).toBeLessThanOrEqual(monoNs() - received);
    feed(delta('KX-A', 'yes', '0.4150', '1.00', 4), received); // off the grid: refused, not counted
    expect(sync.applyLatency.count).toBe(2);
  });

  it('grows its scratch for deep snapshots (sub-penny grid)', () => {
    const { feed, depth } = setup();
    const yes = Array.from({ length: 300 }, (_, i) => [(0.001 * (i + 1)).toFixed(4), '1.00'] as [string, string]);
    expect(feed(snapshot('KX-B', yes, []))).toBe(BookResult.OK);
    const d = depth(1, 0);
    expect(d.length).toBe(200); // readDepth asked for 200
    expect(d[0]).toEqual([3000, 100]);
  });

  it('ignores deltas while the book awaits its snapshot (counted), then resumes after it', () => {
    const { sync, feed, depth } = setup();
    // registered books start stale
    expect(feed(delta('KX-A', 'yes', '0.4100', '1.00'))).toBe(BookResult.STALE);
    expect(sync.counters.staleDrops).toBe(1);
    feed(snapshot('KX-A', [['0.4100', '10.00']], []));
    expect(sync.invalidate(0, 5)).toBe(true);
    expect(sync.isAwaiting(0)).toBe(true);
    expect(feed(delta('KX-A', 'yes', '0.4100', '1.00'))).toBe(BookResult.STALE);
    feed(snapshot('KX-A', [['0.4200', '1.00']], []));
    expect(sync.isAwaiting(0)).toBe(false);
    expect(feed(delta('KX-A', 'yes', '0.4200', '1.00'))).toBe(BookResult.OK);
    expect(depth(0, 0)).toEqual([[4200, 200]]);
  });

  it('counts refusals by reason; the refused book is stale until a snapshot', () => {
    const { sync, feed, drainDirty } = setup();
    feed(snapshot('KX-A', [['0.4100', '1.00']], []));
    drainDirty();
    expect(feed(delta('KX-A', 'yes', '0.4150', '1.00'))).toBe(BookResult.OFF_GRID); // linear_cent: no half cents
    expect(sync.counters.refused).toEqual({ off_grid: 1 });
    expect(drainDirty()).toEqual([0]); // the reader is told (it will see stale)
    expect(feed(delta('KX-A', 'yes', '0.4100', '1.00'))).toBe(BookResult.STALE);
    feed(snapshot('KX-A', [['0.4100', '1.00']], []));
    expect(feed(delta('KX-A', 'yes', '0.4100', '-5.00'))).toBe(BookResult.NEGATIVE_SIZE);
    expect(feed(snapshot('KX-A', [['0.4150', '1.00']], []))).toBe(BookResult.OFF_GRID);
    expect(sync.counters.refused).toEqual({ off_grid: 2, negative_size: 1 });
  });

  it('reports an unknown ticker without touching any book', () => {
    const { sync, feed } = setup();
    expect(feed(delta('KX-NOPE', 'yes', '0.4100', '1.00'))).toBe(UNKNOWN_MARKET);
    expect(feed(snapshot('KX-NOPE', [], []))).toBe(UNKNOWN_MARKET);
    expect(sync.counters.unknownMarket).toBe(2);
    expect(sync.lastMarket).toBe(-1);
  });

  it('tracks books awaiting snapshots: one request per wait, overdue after a deadline, rearm and forget', () => {
    const { books, sync, feed } = setup();
    feed(snapshot('KX-A', [['0.4100', '1.00']], []));
    expect(sync.invalidate(0, 100)).toBe(true);
    expect(sync.invalidate(0, 150)).toBe(false); // a request is already out
    expect(sync.invalidate(1, 200)).toBe(true);
    expect(sync.awaitingCount).toBe(2);
    expect(sync.overdue(99)).toEqual([]);
    expect(sync.overdue(100)).toEqual([0]);
    sync.rearm(0, 300);
    expect(sync.overdue(250)).toEqual([1]);
    sync.forget(1);
    expect(sync.isAwaiting(1)).toBe(false);
    const top = { yesBid: 0, yesBidSize: 0, noBid: 0, noBidSize: 0, stale: false, updates: 0, exchangeTsMs: 0, receiveNs: 0, appliedNs: 0 };
    books.readTop(0, top);
    expect(top.stale).toBe(true);
    expect(sync.invalidate(-1, 0)).toBe(false);
  });
});

describe('BookSync recorder', () => {
  it('records every change in order: replayed into an empty BookStore, the same books at the same versions', () => {
    const books = BookStore.create({ maxMarkets: 2 });
    const replica = BookStore.create({ maxMarkets: 2 });
    for (const b of [books, replica]) b.registerMarket(0, PriceGrid.forStructure('linear_cent'));
    const tickers = new TickerIndex();
    tickers.add('KX-A', 0);
    const calls: string[] = [];
    const sync = new BookSync({
      books, tickers,
      recorder: {
        snapshot(m, yes, yn, no, nn, ts, rn) {
          calls.push('snapshot');
          replica.applySnapshot(m, Array.from(yes).slice(0, 2 * yn), yn, Array.from(no).slice(0, 2 * nn), nn, ts, rn);
        },
        delta(m, side, price, delta, ts, rn) {
          calls.push('delta');
          replica.applyDelta(m, side as 0 | 1, price, delta, ts, rn);
        },
        stale(m) {
          calls.push('stale');
          replica.markStale(m);
        },
      },
    });
    const frame = new OrderbookFrame();
    const feed = (json: string) => {
      const buf = Buffer.from(json);
      const kind = parseOrderbookFrame(buf, frame);
      return kind === FrameKind.Delta ? sync.applyDelta(frame, buf, 5) : sync.applySnapshot(frame, buf, 5);
    };
    feed('{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"KX-A","yes_dollars_fp":[["0.4100","10.00"]],"no_dollars_fp":[["0.5500","20.00"]]}}');
    feed('{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"KX-A","price_dollars":"0.4200","delta_fp":"3.00","side":"yes"}}');
    feed('{"type":"orderbook_delta","sid":1,"seq":3,"msg":{"market_ticker":"KX-A","price_dollars":"0.4200","delta_fp":"-9.00","side":"yes"}}'); // refused: negative size → stale
    sync.invalidate(0, 1);
    feed('{"type":"orderbook_snapshot","sid":1,"seq":4,"msg":{"market_ticker":"KX-A","yes_dollars_fp":[["0.4300","1.00"]]}}');
    feed('{"type":"orderbook_delta","sid":1,"seq":5,"msg":{"market_ticker":"KX-A","price_dollars":"0.5600","delta_fp":"2.00","side":"no"}}');
    expect(calls).toEqual(['snapshot', 'delta', 'stale', 'stale', 'snapshot', 'delta']);
    const a = emptyBookTop();
    const b = emptyBookTop();
    books.readTop(0, a);
    replica.readTop(0, b);
    expect(a.appliedNs).toBeGreaterThan(0);
    expect({ ...b, appliedNs: 0 }).toEqual({ ...a, appliedNs: 0 }); // the applied stamp is a measurement, not book state
    expect(a.updates).toBe(6);
  });
});
