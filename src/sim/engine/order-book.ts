/**
 * One market's book of resting orders, price-time priority, on the YES book (V2, §5.1):
 * `bid` = buy YES at `price`, `ask` = sell YES at `price` (≡ buy NO at 10000 − price).
 *
 * Layout: per side an array indexed by grid level (`PriceGrid.levelOf`), each level a FIFO of
 * orders with its total resting size kept incrementally, plus a bitset of non-empty levels so
 * that the best level after the current best empties is found 32 levels per step.
 *
 * Removal is lazy: `remove` adjusts the level's size and live count at once (O(1)) and leaves
 * the entry in the FIFO; an entry is live iff its order is still `inBook` and its `priority`
 * equals the priority recorded when it was queued (an amend that loses priority re-queues the
 * same order object with a new priority, so its old entry is dead). Dead entries are skipped
 * when they reach the head and compacted away when they outnumber the live ones, so memory
 * stays proportional to the live orders.
 *
 * Costs: add / reduce / remove O(1) amortised; peek O(1) amortised; the best level after an
 * emptied best O(levels / 32) worst case; `levels()` O(non-empty levels). No allocation on
 * add/remove except when a level is first used or a FIFO array grows.
 *
 * The book never touches an order's counts: callers change `remainingCount` and tell the book
 * (`reduce(o, by)` before or after, `remove(o)` while `remainingCount` still holds the size the
 * book counts).
 */
import { PRICE_SCALE } from '../../shared/fixed-point.js';
import type { PriceGrid } from '../../shared/price-grid.js';
import type { BookSideV2, OutcomeSide } from './types.js';

/** What the book needs of an order. */
export interface BookOrder {
  readonly side: BookSideV2;
  readonly price: number;
  readonly remainingCount: number;
  readonly priority: number;
  inBook: boolean;
}

class Level<O extends BookOrder> {
  orders: O[] = [];
  prios: number[] = [];
  head = 0;
  /** Resting hundredths, live orders only. */
  size = 0;
  live = 0;
  /** Dead entries still in `orders` (at or after `head`). */
  dead = 0;
}

/**
 * Compact a level's FIFO once this many dead entries accumulate and outnumber the live. Small:
 * the synthetic books hold a few live orders per level over tens of thousands of levels, and a
 * dead entry keeps a cancelled order alive for the garbage collector (with 32, the simulator at
 * 300,000 book changes/s held more dead orders than live ones — twice the heap to mark).
 */
const COMPACT_MIN = 4;

export class OrderBook<O extends BookOrder = BookOrder> {
  readonly grid: PriceGrid;
  /** Level index of the best (highest) bid, -1 when there is none. */
  bestBidLevel = -1;
  /** Level index of the best (lowest) ask, -1 when there is none. */
  bestAskLevel = -1;
  private readonly bids: Array<Level<O> | undefined>;
  private readonly asks: Array<Level<O> | undefined>;
  private readonly bidBits: Uint32Array;
  private readonly askBits: Uint32Array;

  constructor(grid: PriceGrid) {
    this.grid = grid;
    this.bids = new Array<Level<O> | undefined>(grid.levelCount);
    this.asks = new Array<Level<O> | undefined>(grid.levelCount);
    this.bidBits = new Uint32Array((grid.levelCount + 31) >>> 5);
    this.askBits = new Uint32Array((grid.levelCount + 31) >>> 5);
  }

  /** Best bid price, -1 when none. */
  bestBidPrice(): number {
    return this.bestBidLevel < 0 ? -1 : this.grid.levels[this.bestBidLevel];
  }

  /** Best ask price (YES), -1 when none. */
  bestAskPrice(): number {
    return this.bestAskLevel < 0 ? -1 : this.grid.levels[this.bestAskLevel];
  }

  /** Resting hundredths at a level (0 when empty). */
  sizeAt(side: BookSideV2, level: number): number {
    const lv = (side === 'bid' ? this.bids : this.asks)[level];
    return lv === undefined ? 0 : lv.size;
  }

  /** Would an order at `price` on `side` trade against the other side? */
  crosses(side: BookSideV2, price: number): boolean {
    if (side === 'bid') return this.bestAskLevel >= 0 && this.grid.levels[this.bestAskLevel] <= price;
    return this.bestBidLevel >= 0 && this.grid.levels[this.bestBidLevel] >= price;
  }

  /** Queue `o` at the back of its price level. Sets `o.inBook`. */
  add(o: O): void {
    const level = this.grid.levelOf(o.price);
    if (level < 0) throw new RangeError(`price ${o.price} is not on the market's grid`);
    const isBid = o.side === 'bid';
    const levels = isBid ? this.bids : this.asks;
    let lv = levels[level];
    if (lv === undefined) lv = levels[level] = new Level<O>();
    lv.orders.push(o);
    lv.prios.push(o.priority);
    lv.size += o.remainingCount;
    lv.live++;
    o.inBook = true;
    if (lv.live === 1) {
      const bits = isBid ? this.bidBits : this.askBits;
      bits[level >>> 5] |= 1 << (level & 31);
      if (isBid) {
        if (level > this.bestBidLevel) this.bestBidLevel = level;
      } else if (this.bestAskLevel < 0 || level < this.bestAskLevel) {
        this.bestAskLevel = level;
      }
    }
  }

  /** `o` rests `by` hundredths less (it stays queued, keeping its priority). */
  reduce(o: O, by: number): void {
    const lv = this.levelOf(o);
    lv.size -= by;
  }

  /** Take `o` out of the book; `o.remainingCount` must still be the size the book counts. */
  remove(o: O): void {
    const level = this.grid.levelOf(o.price);
    const isBid = o.side === 'bid';
    const lv = (isBid ? this.bids : this.asks)[level] as Level<O>;
    lv.size -= o.remainingCount;
    lv.live--;
    lv.dead++;
    o.inBook = false;
    if (lv.live === 0) {
      lv.orders.length = 0;
      lv.prios.length = 0;
      lv.head = 0;
      lv.dead = 0;
      lv.size = 0;
      const bits = isBid ? this.bidBits : this.askBits;
      bits[level >>> 5] &= ~(1 << (level & 31));
      if (isBid) {
        if (level === this.bestBidLevel) this.bestBidLevel = highestAtOrBelow(bits, level - 1);
      } else if (level === this.bestAskLevel) {
        this.bestAskLevel = lowestAtOrAbove(bits, level + 1, this.grid.levelCount);
      }
    } else if (lv.dead >= COMPACT_MIN && lv.dead > lv.live) {
      compact(lv);
    }
  }

  /** The first live order at a level (undefined when the level is empty). */
  peek(side: BookSideV2, level: number): O | undefined {
    const lv = (side === 'bid' ? this.bids : this.asks)[level];
    if (lv === undefined || lv.live === 0) return undefined;
    const { orders, prios } = lv;
    let h = lv.head;
    while (h < orders.length) {
      const o = orders[h];
      if (o.inBook && o.priority === prios[h]) break;
      h++;
      lv.dead--;
    }
    if (h > COMPACT_MIN && h * 2 > orders.length) {
      orders.splice(0, h);
      prios.splice(0, h);
      h = 0;
    }
    lv.head = h;
    return orders[h];
  }

  /** Calls `fn` for each live order at a level in time priority until it returns false. */
  forEachAt(side: BookSideV2, level: number, fn: (o: O) => boolean): void {
    const lv = (side === 'bid' ? this.bids : this.asks)[level];
    if (lv === undefined) return;
    const { orders, prios } = lv;
    for (let i = lv.head; i < orders.length; i++) {
      const o = orders[i];
      if (o.inBook && o.priority === prios[i] && !fn(o)) return;
    }
  }

  /** The next non-empty level worse than `level` on `side` (lower bid / higher ask), -1 if none. */
  nextLevel(side: BookSideV2, level: number): number {
    return side === 'bid'
      ? highestAtOrBelow(this.bidBits, level - 1)
      : lowestAtOrAbove(this.askBits, level + 1, this.grid.levelCount);
  }

  /**
   * The public book (§5.1, REST orderbook order): [price, size] ascending, best bid last.
   * YES: resting bids at their price. NO: resting asks at NO price 10000 − price.
   */
  levels(outcome: OutcomeSide): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const prices = this.grid.levels;
    if (outcome === 'yes') {
      for (let l = lowestAtOrAbove(this.bidBits, 0, this.grid.levelCount); l >= 0; l = lowestAtOrAbove(this.bidBits, l + 1, this.grid.levelCount)) {
        out.push([prices[l], (this.bids[l] as Level<O>).size]);
      }
    } else {
      for (let l = highestAtOrBelow(this.askBits, this.grid.levelCount - 1); l >= 0; l = highestAtOrBelow(this.askBits, l - 1)) {
        out.push([PRICE_SCALE - prices[l], (this.asks[l] as Level<O>).size]);
      }
    }
    return out;
  }

  /** Every live order, bids best first then asks best first, each level in time priority. */
  liveOrders(): O[] {
    const out: O[] = [];
    const collect = (o: O): boolean => {
      out.push(o);
      return true;
    };
    for (let l = this.bestBidLevel; l >= 0; l = this.nextLevel('bid', l)) this.forEachAt('bid', l, collect);
    for (let l = this.bestAskLevel; l >= 0; l = this.nextLevel('ask', l)) this.forEachAt('ask', l, collect);
    return out;
  }

  private levelOf(o: O): Level<O> {
    return (o.side === 'bid' ? this.bids : this.asks)[this.grid.levelOf(o.price)] as Level<O>;
  }
}

function compact<O extends BookOrder>(lv: Level<O>): void {
  const { orders, prios } = lv;
  let w = 0;
  for (let r = lv.head; r < orders.length; r++) {
    const o = orders[r];
    if (o.inBook && o.priority === prios[r]) {
      orders[w] = o;
      prios[w] = prios[r];
      w++;
    }
  }
  orders.length = w;
  prios.length = w;
  lv.head = 0;
  lv.dead = 0;
}

/** Highest set bit index ≤ `level`, -1 if none. */
function highestAtOrBelow(bits: Uint32Array, level: number): number {
  if (level < 0) return -1;
  let w = level >>> 5;
  const b = level & 31;
  let x = bits[w] & (b === 31 ? 0xffffffff : (1 << (b + 1)) - 1);
  for (;;) {
    if (x !== 0) return (w << 5) + 31 - Math.clz32(x);
    if (--w < 0) return -1;
    x = bits[w];
  }
}

/** Lowest set bit index ≥ `level` and < `count`, -1 if none. */
function lowestAtOrAbove(bits: Uint32Array, level: number, count: number): number {
  if (level >= count) return -1;
  let w = level >>> 5;
  let x = bits[w] & (0xffffffff << (level & 31));
  for (;;) {
    if (x !== 0) return (w << 5) + 31 - Math.clz32(x & -x);
    if (++w >= bits.length) return -1;
    x = bits[w];
  }
}
