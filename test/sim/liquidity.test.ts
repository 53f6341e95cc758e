/** SyntheticLiquidity: books that look real, move, stay bounded over long runs, from the seed alone. */
import { describe, expect, it } from 'vitest';
import { listCatalogue } from '../../src/sim/catalogue.js';
import { Exchange } from '../../src/sim/engine/exchange.js';
import { SyntheticLiquidity, type LiquidityOptions } from '../../src/sim/liquidity.js';
import { T0 } from './engine/helpers.js';

function market(markets: number, options: Partial<LiquidityOptions> = {}) {
  const ex = new Exchange({ clock: () => T0, seed: 7 });
  listCatalogue(ex, { markets, seed: 7, startMs: T0 });
  ex.advanceTo(T0);
  const active = ex.markets().filter((m) => m.status === 'active');
  const liquidity = new SyntheticLiquidity(ex, active, { seed: 7, ...options });
  return { ex, active, liquidity };
}

describe('SyntheticLiquidity', () => {
  it('seeds two-sided books with a spread on every active market', () => {
    const { ex, active, liquidity } = market(20);
    expect(liquidity.seedBooks()).toBeGreaterThan(active.length * 8);
    for (const m of active) {
      const yes = ex.bestBid(m.index, 'yes');
      const no = ex.bestBid(m.index, 'no');
      expect(yes, m.ticker).toBeDefined();
      expect(no, m.ticker).toBeDefined();
      const yesAsk = 10_000 - no![0];
      expect(yesAsk).toBeGreaterThan(yes![0]); // never crossed, a real spread
    }
  });

  it('keeps every book bounded (at most maxRestingPerMarket synthetic orders) over a long run', () => {
    const { ex, active, liquidity } = market(10, { depthPerSide: 8 });
    liquidity.seedBooks();
    let changes = 0;
    for (let i = 0; i < 200_000; i++) changes += liquidity.step();
    expect(changes).toBeGreaterThan(100_000);
    let total = 0;
    for (const m of active) {
      const n = ex.syntheticOrders(m.index).length;
      expect(n, m.ticker).toBeLessThanOrEqual(32);
      total += n;
    }
    expect(total).toBeGreaterThan(active.length * 8); // and still deep on both sides
  });

  it('honours a custom cap and refuses one below two full ladders', () => {
    const { ex, active, liquidity } = market(3, { depthPerSide: 4, maxRestingPerMarket: 10 });
    liquidity.seedBooks();
    for (let i = 0; i < 20_000; i++) liquidity.step();
    for (const m of active) expect(ex.syntheticOrders(m.index).length).toBeLessThanOrEqual(10);
    expect(() => market(3, { depthPerSide: 8, maxRestingPerMarket: 15 })).toThrow(/at least 2/);
  });

  it('moves the fair value and trades (books change price, takers fill)', () => {
    const { ex, active, liquidity } = market(5);
    liquidity.seedBooks();
    const before = active.map((m) => m.fairValue);
    const tops = new Set<number>();
    for (let i = 0; i < 50_000; i++) {
      liquidity.step();
      if (i % 500 === 0) tops.add(ex.bestBid(active[0].index, 'yes')?.[0] ?? -1);
    }
    expect(active.some((m, i) => m.fairValue !== before[i])).toBe(true);
    expect(tops.size).toBeGreaterThan(1);
    expect(active.some((m) => m.volume > 0)).toBe(true);
  });

  it('is a function of the seed: two runs give the same books', () => {
    const books = () => {
      const { ex, active, liquidity } = market(8);
      liquidity.seedBooks();
      liquidity.run(20_000);
      return active.map((m) => [ex.bookLevels(m.index, 'yes'), ex.bookLevels(m.index, 'no')]);
    };
    expect(books()).toEqual(books());
  });

  it('needs a market', () => {
    const ex = new Exchange({ clock: () => T0, seed: 1 });
    expect(() => new SyntheticLiquidity(ex, [], { seed: 1 })).toThrow(RangeError);
  });
});
