import { describe, expect, it } from 'vitest';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import { OrderBook, type BookOrder } from '../../../src/sim/engine/order-book.js';
import type { BookSideV2 } from '../../../src/sim/engine/types.js';
import { rng } from '../../support/fixed-point.js';

interface TestOrder extends BookOrder {
  id: number;
  remainingCount: number;
  priority: number;
}

let seq = 0;
function mk(side: BookSideV2, price: number, count: number): TestOrder {
  seq++;
  return { id: seq, side, price, remainingCount: count, priority: seq, inBook: false };
}

const cent = PriceGrid.forStructure('linear_cent');

describe('OrderBook', () => {
  it('tracks best bid / ask and the public levels (NO side at 10000 − price, ascending, best last)', () => {
    const book = new OrderBook<TestOrder>(cent);
    expect(book.bestBidPrice()).toBe(-1);
    expect(book.bestAskPrice()).toBe(-1);
    book.add(mk('bid', 4000, 500));
    book.add(mk('bid', 4200, 300));
    book.add(mk('bid', 4200, 200));
    book.add(mk('ask', 4500, 100));
    book.add(mk('ask', 4700, 700));
    expect(book.bestBidPrice()).toBe(4200);
    expect(book.bestAskPrice()).toBe(4500);
    expect(book.levels('yes')).toEqual([[4000, 500], [4200, 500]]);
    // Asks 0.45 and 0.47 are NO bids at 0.55 and 0.53: ascending NO price, best (0.55) last.
    expect(book.levels('no')).toEqual([[5300, 700], [5500, 100]]);
    expect(book.crosses('bid', 4500)).toBe(true);
    expect(book.crosses('bid', 4400)).toBe(false);
    expect(book.crosses('ask', 4200)).toBe(true);
    expect(book.crosses('ask', 4300)).toBe(false);
  });

  it('keeps FIFO order within a level and skips removed orders lazily', () => {
    const book = new OrderBook<TestOrder>(cent);
    const a = mk('ask', 5000, 100);
    const b = mk('ask', 5000, 200);
    const c = mk('ask', 5000, 300);
    book.add(a);
    book.add(b);
    book.add(c);
    const level = cent.levelOf(5000);
    expect(book.peek('ask', level)).toBe(a);
    book.remove(b); // from the middle
    expect(book.sizeAt('ask', level)).toBe(400);
    expect(book.peek('ask', level)).toBe(a);
    book.remove(a);
    expect(book.peek('ask', level)).toBe(c);
    book.reduce(c, 50);
    c.remainingCount -= 50;
    expect(book.levels('no')).toEqual([[5000, 250]]);
    book.remove(c);
    expect(book.peek('ask', level)).toBeUndefined();
    expect(book.bestAskLevel).toBe(-1);
    expect(book.levels('no')).toEqual([]);
  });

  it('a re-queued order (new priority) goes to the back; its old entry is dead', () => {
    const book = new OrderBook<TestOrder>(cent);
    const a = mk('bid', 3000, 100);
    const b = mk('bid', 3000, 100);
    book.add(a);
    book.add(b);
    book.remove(a);
    a.priority = ++seq;
    book.add(a);
    const level = cent.levelOf(3000);
    const seen: TestOrder[] = [];
    book.forEachAt('bid', level, (o) => (seen.push(o), true));
    expect(seen).toEqual([b, a]);
    expect(book.peek('bid', level)).toBe(b);
    expect(book.sizeAt('bid', level)).toBe(200);
  });

  it('finds the next best level across empty levels (bitset scan) on a fine grid', () => {
    const grid = PriceGrid.forStructure('center_centi_edge_centi_cent'); // 10001 levels
    const book = new OrderBook<TestOrder>(grid);
    const hi = mk('bid', 9999, 100);
    const lo = mk('bid', 1, 100);
    const mid = mk('bid', 4321, 100);
    book.add(hi);
    book.add(lo);
    book.add(mid);
    expect(book.bestBidPrice()).toBe(9999);
    book.remove(hi);
    expect(book.bestBidPrice()).toBe(4321);
    book.remove(mid);
    expect(book.bestBidPrice()).toBe(1);
    const a1 = mk('ask', 33, 100);
    const a2 = mk('ask', 9998, 100);
    book.add(a2);
    book.add(a1);
    expect(book.bestAskPrice()).toBe(33);
    book.remove(a1);
    expect(book.bestAskPrice()).toBe(9998);
    expect(book.nextLevel('ask', grid.levelOf(9998))).toBe(-1);
    expect(book.nextLevel('bid', grid.levelOf(1))).toBe(-1);
  });

  it('stays consistent with a naive model under random adds / removes / reductions, and compacts', () => {
    const r = rng(7);
    const book = new OrderBook<TestOrder>(cent);
    const live = new Set<TestOrder>();
    for (let step = 0; step < 20_000; step++) {
      const x = r();
      if (x < 0.5 || live.size === 0) {
        const side: BookSideV2 = r() < 0.5 ? 'bid' : 'ask';
        // keep bids ≤ 0.50 < asks so the book never crosses (the book does not match)
        const price = side === 'bid' ? 100 * (1 + Math.floor(r() * 50)) : 100 * (51 + Math.floor(r() * 48));
        const o = mk(side, price, 1 + Math.floor(r() * 1000));
        book.add(o);
        live.add(o);
      } else {
        const arr = [...live];
        const o = arr[Math.floor(r() * arr.length)];
        if (r() < 0.3 && o.remainingCount > 1) {
          book.reduce(o, 1);
          o.remainingCount -= 1;
        } else {
          book.remove(o);
          live.delete(o);
        }
      }
      if (step % 997 === 0) {
        const yes = new Map<number, number>();
        const no = new Map<number, number>();
        for (const o of live) {
          if (o.side === 'bid') yes.set(o.price, (yes.get(o.price) ?? 0) + o.remainingCount);
          else no.set(10_000 - o.price, (no.get(10_000 - o.price) ?? 0) + o.remainingCount);
        }
        expect(book.levels('yes')).toEqual([...yes].sort((p, q) => p[0] - q[0]));
        expect(book.levels('no')).toEqual([...no].sort((p, q) => p[0] - q[0]));
        const bids = [...live].filter((o) => o.side === 'bid').map((o) => o.price);
        expect(book.bestBidPrice()).toBe(bids.length === 0 ? -1 : Math.max(...bids));
        // FIFO: within a level, live orders in priority order
        for (const [price] of yes) {
          const seen: number[] = [];
          book.forEachAt('bid', cent.levelOf(price), (o) => (seen.push(o.priority), true));
          expect(seen).toEqual([...seen].sort((p, q) => p - q));
          expect(seen.length).toBe([...live].filter((o) => o.side === 'bid' && o.price === price).length);
        }
      }
    }
    // The FIFOs hold no more than a bounded multiple of the live orders (lazy deletion compacts).
    let entries = 0;
    for (let l = 0; l < cent.levelCount; l++) {
      for (const side of ['bid', 'ask'] as const) {
        const lv = (book as unknown as { bids: Array<{ orders: unknown[] } | undefined>; asks: Array<{ orders: unknown[] } | undefined> })[side === 'bid' ? 'bids' : 'asks'][l];
        entries += lv?.orders.length ?? 0;
      }
    }
    expect(entries).toBeLessThanOrEqual(2 * live.size + 2 * 64 * cent.levelCount);
  });
});
