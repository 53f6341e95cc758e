/**
 * The market-data side of the WebSocket client: parsed `orderbook_delta` / `orderbook_snapshot`
 * frames (orderbook-parser.ts) applied to the shared BookStore (architecture.md §3, §4 step 1):
 * frame → market index (TickerIndex, no string) → applyDelta / applySnapshot → dirty mark.
 *
 * It also remembers which books await a snapshot (after a gap, a bad frame, a disconnect, a new
 * subscription) and since when, so the client can tell a resync that never came back
 * (`overdue`) and fall back to resubscribing.
 *
 * Prices: the client subscribes with `use_yes_price: false`, so NO-side levels and deltas arrive
 * in NO price — exactly what BookStore's NO ladder is indexed by. No conversion here.
 *
 * Single writer: every book this BookSync touches is written only through it, on one thread.
 * Hot path (`applyDelta`): one ticker lookup, one BookStore.applyDelta, one clock read (the
 * "book applied" stamp and the received → applied histogram: clock.ts's 40–80 ns), one dirty mark; no
 * allocation beyond the clock's. A snapshot interleaves the parser's price/size arrays into reusable scratch arrays
 * (BookStore.applySnapshot takes flat [price, size, …] pairs).
 */
import { BookResult, type BookStore } from '../../book-store.js';
import { monoNs } from '../../clock.js';
import { LatencyHistogram } from '../../latency-histogram.js';
import type { OrderbookFrame } from './orderbook-parser.js';
import type { TickerIndex } from './ticker-index.js';

/** BookSync's own outcome besides BookResult: the frame's ticker is not in the TickerIndex. */
export const UNKNOWN_MARKET = -1;
export type SyncResult = BookResult | typeof UNKNOWN_MARKET;

/** BookResult names by code, for counters and logs. */
export const BOOK_RESULT_NAMES: readonly string[] = [
  'ok', 'stale', 'off_grid', 'negative_size', 'bad_size', 'unregistered', 'bad_side', 'duplicate_level',
];

/** Where dirty markets go (DirtyMarkets, or an adapter when shard-local indexes differ). */
export interface DirtySink {
  markDirty(market: number): unknown;
}

export interface BookSyncOptions {
  books: BookStore;
  tickers: TickerIndex;
  /** Told about every market whose book changed (updated, or turned stale). */
  dirty?: DirtySink;
  /** Told of every change made to a book, in order (recording market data for replay). */
  recorder?: BookRecorder;
}

/**
 * Everything that moved a book's version (BookTop.updates), in order: applying the same calls
 * to an empty BookStore rebuilds the same books at the same versions — what replay relies on.
 * Called after the change; must not throw (a recorder that fails loses records, not books).
 */
export interface BookRecorder {
  /** `yes`/`no`: flat [price, size, …] pairs (valid until the call returns). */
  snapshot(market: number, yes: ArrayLike<number>, yesLevels: number, no: ArrayLike<number>, noLevels: number, tsMs: number, receiveNs: number): void;
  delta(market: number, side: number, price: number, delta: number, tsMs: number, receiveNs: number): void;
  /** The book was marked stale (a refused update, a gap, a disconnect). */
  stale(market: number): void;
}

export interface BookSyncCounters {
  /** Deltas applied. */
  deltas: number;
  /** Snapshots applied. */
  snapshots: number;
  /** Deltas ignored because their book awaits a snapshot (after a gap, a bad frame, a reconnect). */
  staleDrops: number;
  /** Frames for a ticker the TickerIndex does not know. */
  unknownMarket: number;
  /** Updates refused by BookStore (the book was marked stale), by reason (BOOK_RESULT_NAMES). */
  refused: Record<string, number>;
  /** Books marked stale by `invalidate` / `invalidateAll`. */
  invalidations: number;
}

export class BookSync {
  readonly books: BookStore;
  readonly tickers: TickerIndex;
  readonly counters: BookSyncCounters = { deltas: 0, snapshots: 0, staleDrops: 0, unknownMarket: 0, refused: {}, invalidations: 0 };
  /** Delta frames: received (the frame's `receiveNs`) → applied to the book, ns. */
  readonly applyLatency = new LatencyHistogram();
  /** The market of the last frame given to apply*, or -1 when its ticker was unknown. */
  lastMarket = -1;
  private readonly dirty: DirtySink | undefined;
  private readonly recorder: BookRecorder | undefined;
  /** Market → clock reading (ms) since when its book awaits a snapshot. */
  private readonly awaiting = new Map<number, number>();
  private yesScratch: Float64Array = new Float64Array(128);
  private noScratch: Float64Array = new Float64Array(128);

  constructor(options: BookSyncOptions) {
    this.books = options.books;
    this.tickers = options.tickers;
    this.dirty = options.dirty;
    this.recorder = options.recorder;
  }

  /** The market of a parsed frame's ticker, or -1. */
  marketOf(frame: OrderbookFrame, buf: Uint8Array): number {
    return frame.tickerEnd > frame.tickerStart ? this.tickers.lookup(buf, frame.tickerStart, frame.tickerEnd) : -1;
  }

  /** Apply a parsed delta. Hot path. Returns BookResult (OK, STALE: ignored, else refused) or UNKNOWN_MARKET. */
  applyDelta(frame: OrderbookFrame, buf: Uint8Array, receiveNs: number): SyncResult {
    const market = this.tickers.lookup(buf, frame.tickerStart, frame.tickerEnd);
    this.lastMarket = market;
    if (market < 0) {
      this.counters.unknownMarket++;
      return UNKNOWN_MARKET;
    }
    const tsMs = frame.tsMs >= 0 ? frame.tsMs : 0;
    const r = this.books.applyDelta(market, frame.side as 0 | 1, frame.price, frame.delta, tsMs, receiveNs);
    if (r === BookResult.OK) {
      this.counters.deltas++;
      this.recorder?.delta(market, frame.side, frame.price, frame.delta, tsMs, receiveNs);
      const appliedNs = monoNs();
      this.books.stampApplied(market, appliedNs); // before the dirty mark: a reader woken by it sees this stamp
      this.applyLatency.record(appliedNs - receiveNs);
      this.dirty?.markDirty(market);
    } else if (r === BookResult.STALE) {
      this.counters.staleDrops++;
    } else {
      this.refused(market, r);
    }
    return r;
  }

  /** Apply a parsed snapshot (replaces the whole book; clears its stale flag when valid). */
  applySnapshot(frame: OrderbookFrame, buf: Uint8Array, receiveNs: number): SyncResult {
    const market = this.tickers.lookup(buf, frame.tickerStart, frame.tickerEnd);
    this.lastMarket = market;
    if (market < 0) {
      this.counters.unknownMarket++;
      return UNKNOWN_MARKET;
    }
    const yes = interleave(this.yesScratch, frame.yesPrices, frame.yesSizes, frame.yesLevels);
    this.yesScratch = yes;
    const no = interleave(this.noScratch, frame.noPrices, frame.noSizes, frame.noLevels);
    this.noScratch = no;
    const tsMs = frame.tsMs >= 0 ? frame.tsMs : 0;
    const r = this.books.applySnapshot(market, yes, frame.yesLevels, no, frame.noLevels, tsMs, receiveNs);
    if (r === BookResult.OK) {
      this.counters.snapshots++;
      this.recorder?.snapshot(market, yes, frame.yesLevels, no, frame.noLevels, tsMs, receiveNs);
      if (this.awaiting.size > 0) this.awaiting.delete(market);
      this.books.stampApplied(market, monoNs());
      this.dirty?.markDirty(market);
    } else {
      this.refused(market, r);
    }
    return r;
  }

  private refused(market: number, r: BookResult): void {
    const name = BOOK_RESULT_NAMES[r] ?? `result_${r}`;
    const refused = this.counters.refused;
    refused[name] = (refused[name] ?? 0) + 1;
    if (r !== BookResult.UNREGISTERED) this.recorder?.stale(market); // BookStore marked it stale
    // BookStore has already marked the book stale (except UNREGISTERED: there is no book); the
    // caller decides on a resync (`invalidate`).
    this.dirty?.markDirty(market);
  }

  // -------------------------------------------------------------------------- staleness (cold)

  /**
   * Mark `market`'s book stale and awaiting a snapshot since `now`. Returns true when it was not
   * awaiting one already — a snapshot must be asked for; false when a request is already out:
   * frames are handled in order, so a snapshot not yet seen will arrive after the point where the
   * book went bad and is good enough. (A bad snapshot therefore is not re-asked at once, which
   * could loop; the client's overdue check resubscribes after its timeout.)
   */
  invalidate(market: number, now: number): boolean {
    if (market < 0) return false;
    const since = this.awaiting.get(market);
    this.books.markStale(market);
    this.recorder?.stale(market);
    this.counters.invalidations++;
    this.dirty?.markDirty(market);
    if (since !== undefined) return false;
    this.awaiting.set(market, now);
    return true;
  }

  /** The book of `market` awaits a snapshot. */
  isAwaiting(market: number): boolean {
    return this.awaiting.has(market);
  }

  /** Markets awaiting a snapshot asked for at or before `deadline`. */
  overdue(deadline: number): number[] {
    const out: number[] = [];
    for (const [market, since] of this.awaiting) if (since <= deadline) out.push(market);
    return out;
  }

  /** Restart the wait of `market` from `now` (a new subscribe or get_snapshot went out). */
  rearm(market: number, now: number): void {
    if (market >= 0) this.awaiting.set(market, now);
  }

  /** `market` is no longer subscribed: its book is stale and nothing is awaited for it. */
  forget(market: number): void {
    if (market < 0) return;
    this.awaiting.delete(market);
    this.books.markStale(market);
    this.recorder?.stale(market);
    this.dirty?.markDirty(market);
  }

  /** Markets awaiting a snapshot. */
  get awaitingCount(): number {
    return this.awaiting.size;
  }
}

/** [p0, s0, p1, s1, …] from parallel arrays into `scratch` (grown when too small; returned). */
function interleave(scratch: Float64Array, prices: Int32Array, sizes: Float64Array, n: number): Float64Array {
  let out = scratch;
  if (out.length < 2 * n) {
    let cap = out.length * 2;
    while (cap < 2 * n) cap *= 2;
    out = new Float64Array(cap);
  }
  for (let i = 0; i < n; i++) {
    out[2 * i] = prices[i];
    out[2 * i + 1] = sizes[i];
  }
  return out;
}
