/**
 * BookStore: the order books of many markets in SharedArrayBuffers (layout: book-layout.ts).
 *
 * Per market a YES-bid ladder and a NO-bid ladder indexed by price level of the market's own
 * grid (price-grid.ts), so a delta is an O(1) add and memory is proportional to the grid
 * (linear_cent: 101 levels per side, 808 bytes per market). The NO ladder is indexed by NO
 * price (Kalshi's default `use_yes_price:false`); asks are derived, never stored:
 * best YES ask = 10000 − best NO bid, best NO ask = 10000 − best YES bid.
 *
 * Concurrency
 * - Single writer per market: the market-data worker that owns the market's shard. Nothing
 *   here arbitrates between two writers of one market.
 * - Registration (`registerMarket`) happens on the owner of the market table before the writer
 *   is told about the market; the message that tells it orders the two.
 * - Every write of a market is wrapped in that market's seqlock; readers on any thread copy
 *   what they need and retry on a torn read (bounded: a reader gets `false`, never a spin
 *   forever). Readers never block the writer.
 * - Bad input never corrupts a book: a delta that is off the grid or would make a size
 *   negative or overflow is not applied, and the book is marked stale until the next valid
 *   snapshot; a snapshot is validated whole before any of it is written.
 */
import {
  C_GRID_COUNT, C_GRID_TABLE, C_LADDER_NEXT, CONTROL_WORDS, F_REGISTERED, F_STALE,
  GRID_ENTRY_WORDS, H_BEST_NO, H_BEST_YES, H_FLAGS, H_GRID, H_LADDER, H_LEVELS, H_SEQ,
  H_SNAPSHOTS, H_UPDATES, HEADER_WORDS, MAX_GRIDS, MAX_RANGES_PER_GRID, NONE, SIDE_NO, SIDE_YES,
  T_APPLIED_NS, T_EXCHANGE_MS, T_RECEIVE_NS, TIME_SLOTS, type BookSide,
} from './book-layout.js';
import { notional, PRICE_SCALE } from './fixed-point.js';
import { PriceGrid, type PriceRange } from './price-grid.js';
import { beginWrite, endWrite, readBegin, readRetry, readValid } from './seqlock.js';

/** Outcome of a book update. Anything but OK and STALE marks the book stale. */
export const BookResult = {
  OK: 0,
  /** Ignored: the book awaits a snapshot (after a gap, a disconnect or bad input). */
  STALE: 1,
  OFF_GRID: 2,
  NEGATIVE_SIZE: 3,
  /** A size that is not an integer or exceeds 2^31 − 1 hundredths. */
  BAD_SIZE: 4,
  UNREGISTERED: 5,
  BAD_SIDE: 6,
  DUPLICATE_LEVEL: 7,
} as const;
export type BookResult = (typeof BookResult)[keyof typeof BookResult];

const MAX_SIZE = 0x7fffffff; // hundredths of a contract per level: ≈21.4 M contracts

export interface BookStoreShared {
  readonly control: SharedArrayBuffer;
  readonly headers: SharedArrayBuffer;
  readonly times: SharedArrayBuffer;
  readonly ladders: SharedArrayBuffer;
  readonly maxMarkets: number;
  readonly ladderWords: number;
}

export interface BookStoreOptions {
  /** Market slots (indexes 0 … maxMarkets − 1). */
  maxMarkets: number;
  /**
   * Ladder words for all markets together: 2 × levels per registered market (202 for a
   * linear_cent market). Default: room for every market at linear_cent plus 10 % finer grids.
   */
  ladderWords?: number;
}

/** The top of one market's book, copied out consistently by `readTop`. */
export interface BookTop {
  /** Best YES bid in $0.0001 units, or NONE. */
  yesBid: number;
  /** Resting size at the best YES bid, hundredths of a contract (0 when none). */
  yesBidSize: number;
  /** Best NO bid in $0.0001 units (NO price), or NONE. */
  noBid: number;
  noBidSize: number;
  stale: boolean;
  /** Updates applied so far (wraps at 2^32); a change means the book moved. */
  updates: number;
  exchangeTsMs: number;
  receiveNs: number;
  /** When that update had been applied (T_APPLIED_NS: a measurement, may be one update late); 0 when never stamped. */
  appliedNs: number;
}

export function emptyBookTop(): BookTop {
  return { yesBid: NONE, yesBidSize: 0, noBid: NONE, noBidSize: 0, stale: true, updates: 0, exchangeTsMs: 0, receiveNs: 0, appliedNs: 0 };
}

/**
 * What a position would fetch at the best bid of its side (a YES position at the YES bid, a NO
 * position at the NO bid), µ$, before fees; null when that side has no bid. `position` in
 * hundredths of a contract, + YES / − NO. The mark of unrealized P&L (value − cost basis).
 */
export function markValue(top: BookTop, position: number): number | null {
  const bid = position > 0 ? top.yesBid : top.noBid;
  return bid === NONE || bid <= 0 ? null : notional(bid, position > 0 ? position : -position);
}

/** Best YES ask implied by the best NO bid (a NO bid at q is a YES offer at 1 − q). */
export function yesAsk(top: BookTop): number {
  return top.noBid === NONE ? NONE : PRICE_SCALE - top.noBid;
}

/** Best NO ask implied by the best YES bid. */
export function noAsk(top: BookTop): number {
  return top.yesBid === NONE ? NONE : PRICE_SCALE - top.yesBid;
}

export class BookStore {
  readonly shared: BookStoreShared;
  readonly maxMarkets: number;
  private readonly control: Int32Array;
  private readonly headers: Int32Array;
  private readonly times: Float64Array;
  private readonly ladders: Int32Array;
  /** This thread's PriceGrid per grid-table id (grids are interned, lookups tables shared). */
  private readonly gridsById: (PriceGrid | undefined)[] = [];

  static create(options: BookStoreOptions): BookStore {
    const { maxMarkets } = options;
    if (!Number.isInteger(maxMarkets) || maxMarkets < 1 || maxMarkets > 1_000_000) {
      throw new RangeError(`maxMarkets must be an integer in [1, 1000000], got ${maxMarkets}`);
    }
    const ladderWords = options.ladderWords ?? Math.ceil(maxMarkets * 202 * 1.1) + 2 * 10_001;
    if (!Number.isInteger(ladderWords) || ladderWords < 2) {
      throw new RangeError(`ladderWords must be a positive integer, got ${ladderWords}`);
    }
    return new BookStore({
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
      headers: new SharedArrayBuffer(maxMarkets * HEADER_WORDS * 4),
      times: new SharedArrayBuffer(maxMarkets * TIME_SLOTS * 8),
      ladders: new SharedArrayBuffer(ladderWords * 4),
      maxMarkets,
      ladderWords,
    });
  }

  /** Another thread's handle on a store created elsewhere. */
  static attach(shared: BookStoreShared): BookStore {
    return new BookStore(shared);
  }

  private constructor(shared: BookStoreShared) {
    this.shared = shared;
    this.maxMarkets = shared.maxMarkets;
    this.control = new Int32Array(shared.control);
    this.headers = new Int32Array(shared.headers);
    this.times = new Float64Array(shared.times);
    this.ladders = new Int32Array(shared.ladders);
  }

  /** Bytes of shared memory held by this store. */
  byteLength(): number {
    const s = this.shared;
    return s.control.byteLength + s.headers.byteLength + s.times.byteLength + s.ladders.byteLength;
  }

  // ------------------------------------------------------------------ registration (cold)

  /**
   * Give market slot `market` a grid and fresh ladders; the book starts empty and stale (it
   * awaits its snapshot). Re-registering a slot (a new market, or a `price_level_structure`
   * change) allocates new ladders; the old words are not reused.
   * Cold path, on the one thread that owns the market table, before the writer uses the slot.
   */
  registerMarket(market: number, grid: PriceGrid): void {
    this.checkIndex(market);
    const gridId = this.internGrid(grid);
    const words = 2 * grid.levelCount;
    const ladder = Atomics.add(this.control, C_LADDER_NEXT, words);
    if (ladder + words > this.ladders.length) {
      Atomics.sub(this.control, C_LADDER_NEXT, words);
      throw new RangeError(
        `BookStore ladder space exhausted: ${ladder} of ${this.ladders.length} words used, market ${market} needs ${words}`,
      );
    }
    const h = market * HEADER_WORDS;
    const hd = this.headers;
    beginWrite(hd, h + H_SEQ);
    hd[h + H_FLAGS] = F_REGISTERED | F_STALE;
    hd[h + H_GRID] = gridId;
    hd[h + H_LEVELS] = grid.levelCount;
    hd[h + H_LADDER] = ladder;
    hd[h + H_BEST_YES] = NONE;
    hd[h + H_BEST_NO] = NONE;
    this.times[market * TIME_SLOTS + T_EXCHANGE_MS] = 0;
    this.times[market * TIME_SLOTS + T_RECEIVE_NS] = 0;
    this.times[market * TIME_SLOTS + T_APPLIED_NS] = 0;
    this.ladders.fill(0, ladder, ladder + words);
    endWrite(hd, h + H_SEQ);
  }

  isRegistered(market: number): boolean {
    return (Atomics.load(this.headers, market * HEADER_WORDS + H_FLAGS) & F_REGISTERED) !== 0;
  }

  /** The price grid of a registered market (this thread's interned instance). */
  gridOf(market: number): PriceGrid {
    this.checkIndex(market);
    if (!this.isRegistered(market)) throw new RangeError(`market slot ${market} is not registered`);
    return this.gridById(Atomics.load(this.headers, market * HEADER_WORDS + H_GRID));
  }

  private internGrid(grid: PriceGrid): number {
    const count = Atomics.load(this.control, C_GRID_COUNT);
    for (let id = 0; id < count; id++) if (this.gridById(id) === grid) return id;
    if (count >= MAX_GRIDS) throw new RangeError(`BookStore holds at most ${MAX_GRIDS} distinct price grids`);
    if (grid.ranges.length > MAX_RANGES_PER_GRID) {
      throw new RangeError(`a price grid may have at most ${MAX_RANGES_PER_GRID} ranges, got ${grid.ranges.length}`);
    }
    const at = C_GRID_TABLE + count * GRID_ENTRY_WORDS;
    this.control[at] = grid.ranges.length;
    grid.ranges.forEach((r, i) => {
      this.control[at + 1 + 3 * i] = r.start;
      this.control[at + 2 + 3 * i] = r.end;
      this.control[at + 3 + 3 * i] = r.step;
    });
    Atomics.store(this.control, C_GRID_COUNT, count + 1); // publish the entry after writing it
    return count;
  }

  private gridById(id: number): PriceGrid {
    let grid = this.gridsById[id];
    if (grid === undefined) {
      const at = C_GRID_TABLE + id * GRID_ENTRY_WORDS;
      const ranges: PriceRange[] = [];
      for (let i = 0; i < this.control[at]; i++) {
        ranges.push({ start: this.control[at + 1 + 3 * i], end: this.control[at + 2 + 3 * i], step: this.control[at + 3 + 3 * i] });
      }
      grid = PriceGrid.fromRanges(ranges);
      this.gridsById[id] = grid;
    }
    return grid;
  }

  private checkIndex(market: number): void {
    if (!Number.isInteger(market) || market < 0 || market >= this.maxMarkets) {
      throw new RangeError(`market index ${market} outside [0, ${this.maxMarkets})`);
    }
  }

  // ------------------------------------------------------------------ writer (hot)

  /**
   * Add `delta` (hundredths of a contract, signed) to the size resting at `price` ($0.0001
   * units; NO side in NO price) on `side`. O(1), except when the best level empties: then the
   * next best is found by scanning down the ladder (a few levels in practice).
   * Single writer per market. Stamps the exchange and receive times.
   */
  applyDelta(market: number, side: BookSide, price: number, delta: number, exchangeTsMs: number, receiveNs: number): BookResult {
    const hd = this.headers;
    const h = market * HEADER_WORDS;
    const flags = hd[h + H_FLAGS]; // only this thread writes the header: plain reads are current
    if ((flags & F_REGISTERED) === 0) return BookResult.UNREGISTERED;
    if ((flags & F_STALE) !== 0) return BookResult.STALE;
    if (side !== SIDE_YES && side !== SIDE_NO) return this.fail(market, BookResult.BAD_SIDE);
    const level = this.gridById(hd[h + H_GRID]).levelOf(price);
    if (level < 0) return this.fail(market, BookResult.OFF_GRID);
    const at = hd[h + H_LADDER] + side * hd[h + H_LEVELS] + level;
    const size = this.ladders[at] + delta;
    if (size < 0) return this.fail(market, BookResult.NEGATIVE_SIZE);
    if (size > MAX_SIZE || !Number.isInteger(size)) return this.fail(market, BookResult.BAD_SIZE);

    beginWrite(hd, h + H_SEQ);
    this.ladders[at] = size;
    const bestField = h + (side === SIDE_YES ? H_BEST_YES : H_BEST_NO);
    const best = hd[bestField];
    if (size > 0) {
      if (level > best) hd[bestField] = level;
    } else if (level === best) {
      let l = level - 1;
      const base = at - level;
      while (l >= 0 && this.ladders[base + l] === 0) l--;
      hd[bestField] = l; // -1 (NONE) when the side emptied
    }
    hd[h + H_UPDATES] = (hd[h + H_UPDATES] + 1) | 0;
    const t = market * TIME_SLOTS;
    this.times[t + T_EXCHANGE_MS] = exchangeTsMs;
    this.times[t + T_RECEIVE_NS] = receiveNs;
    endWrite(hd, h + H_SEQ);
    return BookResult.OK;
  }

  /**
   * Replace the whole book. `yes` and `no` are flat [price, size, price, size, …] arrays of
   * `yesLevels` / `noLevels` pairs (prices in $0.0001 units, NO side in NO price; sizes in
   * hundredths, > 0; a zero size is an absent level). Validated whole before anything is
   * written; on bad input nothing is written and the book is left stale. A valid snapshot
   * clears the stale flag.
   */
  applySnapshot(
    market: number,
    yes: ArrayLike<number>, yesLevels: number,
    no: ArrayLike<number>, noLevels: number,
    exchangeTsMs: number, receiveNs: number,
  ): BookResult {
    const hd = this.headers;
    const h = market * HEADER_WORDS;
    if ((hd[h + H_FLAGS] & F_REGISTERED) === 0) return BookResult.UNREGISTERED;
    const grid = this.gridById(hd[h + H_GRID]);
    const levels = hd[h + H_LEVELS];
    const ladder = hd[h + H_LADDER];
    const problem = validateSide(grid, yes, yesLevels) || validateSide(grid, no, noLevels);
    if (problem !== BookResult.OK) return this.fail(market, problem);

    beginWrite(hd, h + H_SEQ);
    const lad = this.ladders;
    lad.fill(0, ladder, ladder + 2 * levels);
    let bestYes = NONE;
    for (let i = 0; i < yesLevels; i++) {
      const level = grid.levelOf(yes[2 * i]);
      lad[ladder + level] = yes[2 * i + 1];
      if (yes[2 * i + 1] > 0 && level > bestYes) bestYes = level;
    }
    let bestNo = NONE;
    for (let i = 0; i < noLevels; i++) {
      const level = grid.levelOf(no[2 * i]);
      lad[ladder + levels + level] = no[2 * i + 1];
      if (no[2 * i + 1] > 0 && level > bestNo) bestNo = level;
    }
    hd[h + H_BEST_YES] = bestYes;
    hd[h + H_BEST_NO] = bestNo;
    hd[h + H_FLAGS] &= ~F_STALE;
    hd[h + H_UPDATES] = (hd[h + H_UPDATES] + 1) | 0;
    hd[h + H_SNAPSHOTS] = (hd[h + H_SNAPSHOTS] + 1) | 0;
    const t = market * TIME_SLOTS;
    this.times[t + T_EXCHANGE_MS] = exchangeTsMs;
    this.times[t + T_RECEIVE_NS] = receiveNs;
    endWrite(hd, h + H_SEQ);
    return BookResult.OK;
  }

  /**
   * Stamp when the market's last update had been applied (monotonic ns): the benchmark's "book
   * applied" stage. Writer of the market only, after `applyDelta` / `applySnapshot` returned OK.
   * Outside the seqlock on purpose (no second seqlock round per delta): a reader may pair a
   * book with the previous update's stamp, which overstates the next stage by the gap between
   * two updates — rare (the write is one store) and never a trading input.
   */
  stampApplied(market: number, appliedNs: number): void {
    this.times[market * TIME_SLOTS + T_APPLIED_NS] = appliedNs;
  }

  /**
   * Mark a book stale (sequence gap, disconnect, bad frame): it must not be traded until the
   * next snapshot. Writer of the market only.
   */
  markStale(market: number): void {
    const hd = this.headers;
    const h = market * HEADER_WORDS;
    if ((hd[h + H_FLAGS] & F_REGISTERED) === 0) return;
    beginWrite(hd, h + H_SEQ);
    hd[h + H_FLAGS] |= F_STALE;
    hd[h + H_UPDATES] = (hd[h + H_UPDATES] + 1) | 0;
    endWrite(hd, h + H_SEQ);
  }

  private fail(market: number, result: BookResult): BookResult {
    this.markStale(market);
    return result;
  }

  // ------------------------------------------------------------------ readers (any thread)

  /**
   * Copy the top of `market`'s book into `out`. Returns false if the market is not registered
   * or stayed mid-update for WRITER_STALL_MS (its writer died mid-write); `out` is then
   * unspecified. No allocation.
   */
  readTop(market: number, out: BookTop): boolean {
    const hd = this.headers;
    const h = market * HEADER_WORDS;
    const lad = this.ladders;
    let since = 0;
    for (let attempt = 1; ; attempt++) {
      const seq = readBegin(hd, h + H_SEQ);
      const flags = hd[h + H_FLAGS];
      const ladder = hd[h + H_LADDER];
      const levels = hd[h + H_LEVELS];
      const bestYes = hd[h + H_BEST_YES];
      const bestNo = hd[h + H_BEST_NO];
      const grid = hd[h + H_GRID];
      out.updates = hd[h + H_UPDATES];
      out.stale = (flags & F_STALE) !== 0;
      out.exchangeTsMs = this.times[market * TIME_SLOTS + T_EXCHANGE_MS];
      out.receiveNs = this.times[market * TIME_SLOTS + T_RECEIVE_NS];
      out.appliedNs = this.times[market * TIME_SLOTS + T_APPLIED_NS];
      // Sizes are read only from indexes that a consistent header makes valid; a torn header
      // could point anywhere, so bounds are checked before the read and the result discarded.
      const yesAt = ladder + bestYes;
      const noAt = ladder + levels + bestNo;
      out.yesBidSize = bestYes >= 0 && yesAt < lad.length ? lad[yesAt] : 0;
      out.noBidSize = bestNo >= 0 && noAt < lad.length ? lad[noAt] : 0;
      if (!readValid(hd, h + H_SEQ, seq)) {
        since = readRetry(attempt, since);
        if (since < 0) return false;
        continue;
      }
      if ((flags & F_REGISTERED) === 0) return false;
      const g = this.gridById(grid);
      out.yesBid = bestYes >= 0 ? g.priceAt(bestYes) : NONE;
      out.noBid = bestNo >= 0 ? g.priceAt(bestNo) : NONE;
      return true;
    }
  }

  /**
   * Copy up to `maxLevels` levels of one side, best first, into `prices` and `sizes`.
   * Returns the number of levels copied, or -1 when the market is not registered or stayed
   * mid-update for WRITER_STALL_MS (see readTop). Cost: O(levels scanned) — the ladder is walked down from the
   * best bid, skipping empty levels.
   */
  readDepth(market: number, side: BookSide, maxLevels: number, prices: Int32Array, sizes: Int32Array): number {
    const hd = this.headers;
    const h = market * HEADER_WORDS;
    const lad = this.ladders;
    const want = Math.min(maxLevels, prices.length, sizes.length);
    let since = 0;
    for (let attempt = 1; ; attempt++) {
      const seq = readBegin(hd, h + H_SEQ);
      const flags = hd[h + H_FLAGS];
      const levels = hd[h + H_LEVELS];
      const base = hd[h + H_LADDER] + (side === SIDE_YES ? 0 : levels);
      const best = hd[h + (side === SIDE_YES ? H_BEST_YES : H_BEST_NO)];
      const gridId = hd[h + H_GRID];
      if ((flags & F_REGISTERED) === 0 && readValid(hd, h + H_SEQ, seq)) return -1;
      let n = 0;
      if (base >= 0 && best < levels && base + levels <= lad.length) {
        for (let l = best; l >= 0 && n < want; l--) {
          const size = lad[base + l];
          if (size !== 0) {
            prices[n] = l; // level for now; converted to a price once the read is known valid
            sizes[n] = size;
            n++;
          }
        }
      }
      if (!readValid(hd, h + H_SEQ, seq)) {
        since = readRetry(attempt, since);
        if (since < 0) return -1;
        continue;
      }
      const g = this.gridById(gridId);
      for (let i = 0; i < n; i++) prices[i] = g.priceAt(prices[i]);
      return n;
    }
  }
}

/** Checks one side of a snapshot before anything is written. */
function validateSide(grid: PriceGrid, pairs: ArrayLike<number>, count: number): BookResult {
  if (!Number.isInteger(count) || count < 0 || pairs.length < 2 * count) return BookResult.BAD_SIDE;
  for (let i = 0; i < count; i++) {
    if (grid.levelOf(pairs[2 * i]) < 0) return BookResult.OFF_GRID;
    const size = pairs[2 * i + 1];
    if (size < 0) return BookResult.NEGATIVE_SIZE;
    if (size > MAX_SIZE || !Number.isInteger(size)) return BookResult.BAD_SIZE;
  }
  // Duplicate prices, without sorting: a per-thread mark per level, cleared again after.
  const seen = markScratch(grid.levelCount);
  let result: BookResult = BookResult.OK;
  for (let i = 0; i < count; i++) {
    const level = grid.levelOf(pairs[2 * i]);
    if (seen[level] === 1) { result = BookResult.DUPLICATE_LEVEL; break; }
    seen[level] = 1;
  }
  for (let i = 0; i < count; i++) seen[grid.levelOf(pairs[2 * i])] = 0;
  return result;
}

let scratch = new Uint8Array(0);
function markScratch(levels: number): Uint8Array {
  if (scratch.length < levels) scratch = new Uint8Array(levels);
  return scratch;
}
