/**
 * BookStore hot functions on one thread: delta apply (seqlocked write), best-price read and a
 * 10-level depth read (seqlocked reads), snapshot replace; plus dirty-market coalescing.
 * 1,000 markets on linear_cent so the working set is larger than one market's cache lines.
 */
import { consume, defineSuite } from '../harness.js';
import { BookStore, emptyBookTop } from '../../src/shared/book-store.js';
import { SIDE_NO, SIDE_YES } from '../../src/shared/book-layout.js';
import { DirtyMarkets } from '../../src/shared/dirty-markets.js';
import { PriceGrid } from '../../src/shared/price-grid.js';

const OPS = 1000;
const MARKETS = 1000;

export default defineSuite({
  name: 'book-store',
  tasks: () => {
    const store = BookStore.create({ maxMarkets: MARKETS });
    const grid = PriceGrid.forStructure('linear_cent');
    const yes: number[] = [];
    const no: number[] = [];
    for (let l = 1; l <= 40; l++) {
      yes.push(l * 100, 1000 + l);
      no.push(l * 100, 2000 + l);
    }
    for (let m = 0; m < MARKETS; m++) {
      store.registerMarket(m, grid);
      store.applySnapshot(m, yes, 40, no, 40, 0, 0);
    }
    const dirty = DirtyMarkets.create(MARKETS);
    // Pre-drawn delta stream: market, side, price on the grid below the best, +/- size pairs.
    const N = 4096;
    const mk = new Int32Array(N);
    const side = new Int32Array(N);
    const price = new Int32Array(N);
    const delta = new Int32Array(N);
    let x = 12345;
    for (let i = 0; i < N; i += 2) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      mk[i] = mk[i + 1] = x % MARKETS;
      side[i] = side[i + 1] = x & 1 ? SIDE_YES : SIDE_NO;
      price[i] = price[i + 1] = (1 + ((x >>> 8) % 45)) * 100; // sometimes above the best: moves it
      delta[i] = 500;
      delta[i + 1] = -500;
    }
    const top = emptyBookTop();
    const prices = new Int32Array(10);
    const sizes = new Int32Array(10);
    let k = 0;
    return [
      {
        name: 'applyDelta (seqlocked write, O(1))',
        opsPerCall: OPS,
        fn: () => {
          let r = 0;
          for (let i = 0; i < OPS; i++) {
            const j = k++ & (N - 1);
            r |= store.applyDelta(mk[j], side[j] as 0 | 1, price[j], delta[j], 1, 1);
          }
          consume(r);
        },
      },
      {
        name: 'readTop (best prices, seqlocked read)',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) {
            store.readTop(mk[k++ & (N - 1)], top);
            sum += top.yesBid + top.noBidSize;
          }
          consume(sum);
        },
      },
      {
        name: 'readDepth 10 levels (seqlocked read)',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) sum += store.readDepth(mk[k++ & (N - 1)], SIDE_YES, 10, prices, sizes);
          consume(sum);
        },
      },
      {
        name: 'applySnapshot 2×40 levels (validate + replace)',
        opsPerCall: 100,
        fn: () => {
          let r = 0;
          for (let i = 0; i < 100; i++) r |= store.applySnapshot(mk[k++ & (N - 1)], yes, 40, no, 40, 0, 0);
          consume(r);
        },
      },
      {
        name: 'markDirty + nextDirty (coalescing hand-off, one thread)',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) {
            dirty.markDirty(mk[k++ & (N - 1)]);
            dirty.markDirty(mk[k & (N - 1)]);
            sum += dirty.nextDirty();
          }
          while (dirty.nextDirty() >= 0) sum++;
          consume(sum);
        },
      },
    ];
  },
});
