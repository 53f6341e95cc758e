/**
 * Fixed-point parsing, formatting and price-grid lookups: the per-delta work of the market-data
 * worker (parse price and size, find the level) and the per-order work of execution (snap, format).
 * Each task runs over 1,000 varied, precomputed inputs; the byte variants read them from one
 * buffer, the way the WebSocket parser reads a frame.
 */
import { consume, defineSuite } from '../harness.js';
import {
  formatPrice,
  parsePrice,
  parsePriceBytes,
  parseSignedCountBytes,
  type Price,
} from '../../src/shared/fixed-point.js';
import { PriceGrid } from '../../src/shared/price-grid.js';

const OPS = 1000;

/** Deterministic inputs (LCG), so runs compare. */
function inputs() {
  let seed = 12345;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const grid = PriceGrid.forStructure('tapered_deci_cent');
  const prices: Price[] = [];
  const priceStrings: string[] = [];
  const countStrings: string[] = [];
  const offPrices: number[] = [];
  for (let i = 0; i < OPS; i++) {
    const p = grid.priceAt(1 + next(grid.levelCount - 2));
    prices.push(p);
    // Kalshi writes 4 decimals; a few requests-style short forms keep the parser honest.
    const s = formatPrice(p);
    priceStrings.push(i % 10 === 0 ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
    const size = `${next(5000)}.${String(next(100)).padStart(2, '0')}`;
    countStrings.push(i % 3 === 0 ? `-${size}` : size);
    offPrices.push(next(10_001));
  }
  return { grid, prices, priceStrings, countStrings, offPrices };
}

/** All strings in one buffer, separated by a quote, with their [start, end) offsets. */
function pack(strings: string[]): { buf: Uint8Array; starts: Int32Array; ends: Int32Array } {
  const text = strings.join('"');
  const buf = new TextEncoder().encode(text);
  const starts = new Int32Array(strings.length);
  const ends = new Int32Array(strings.length);
  let at = 0;
  strings.forEach((s, i) => {
    starts[i] = at;
    ends[i] = at + s.length;
    at += s.length + 1;
  });
  return { buf, starts, ends };
}

export default defineSuite({
  name: 'fixed-point',
  tasks: () => {
    const { grid, prices, priceStrings, countStrings, offPrices } = inputs();
    const priceBytes = pack(priceStrings);
    const countBytes = pack(countStrings);
    return [
      {
        name: 'parsePrice string',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) sum += parsePrice(priceStrings[i]);
          consume(sum);
        },
      },
      {
        name: 'parsePriceBytes',
        opsPerCall: OPS,
        fn: () => {
          const { buf, starts, ends } = priceBytes;
          let sum = 0;
          for (let i = 0; i < OPS; i++) sum += parsePriceBytes(buf, starts[i], ends[i]);
          consume(sum);
        },
      },
      {
        name: 'parseSignedCountBytes',
        opsPerCall: OPS,
        fn: () => {
          const { buf, starts, ends } = countBytes;
          let sum = 0;
          for (let i = 0; i < OPS; i++) sum += parseSignedCountBytes(buf, starts[i], ends[i]);
          consume(sum);
        },
      },
      {
        name: 'formatPrice',
        opsPerCall: OPS,
        fn: () => {
          let len = 0;
          for (let i = 0; i < OPS; i++) len += formatPrice(prices[i]).length;
          consume(len);
        },
      },
      {
        name: 'PriceGrid.levelOf (tapered_deci_cent)',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) sum += grid.levelOf(prices[i]);
          consume(sum);
        },
      },
      {
        name: 'PriceGrid.snapDown (tapered_deci_cent, any price)',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) sum += grid.snapDown(offPrices[i]);
          consume(sum);
        },
      },
    ];
  },
});
