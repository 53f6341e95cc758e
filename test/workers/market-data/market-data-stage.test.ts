/** A market-data shard against the simulator: books in shared memory equal the exchange's; dirty markets are signalled. */
import { describe, expect, it } from 'vitest';
import { BookStore, emptyBookTop } from '../../../src/shared/book-store.js';
import { SIDE_NO, SIDE_YES } from '../../../src/shared/book-layout.js';
import { DirtyMarkets, NO_DIRTY_MARKET } from '../../../src/shared/dirty-markets.js';
import { KalshiCredentials } from '../../../src/shared/kalshi-signing.js';
import { startSimulator } from '../../../src/sim/simulator.js';
import { MarketDataStage } from '../../../src/workers/market-data/market-data-stage.js';
import { makeKey } from '../../support/sim-client.js';
import { until } from '../../support/host-fixtures.js';

function levels(books: BookStore, m: number, side: 0 | 1): Array<[number, number]> {
  const prices = new Int32Array(200);
  const sizes = new Int32Array(200);
  const n = books.readDepth(m, side, 200, prices, sizes);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) out.push([prices[i], sizes[i]]);
  return out.sort((a, b) => a[0] - b[0]);
}

describe('MarketDataStage', () => {
  it('keeps a shard of books equal to the exchange and marks changed markets dirty', async () => {
    const key = makeKey();
    const sim = await startSimulator({ keys: [key], port: 0, markets: 12, rate: 3000, seed: 5 });
    const active = sim.exchange.markets().filter((m) => m.status === 'active');
    const shard = active.slice(0, 5).map((m, i) => ({ index: i, ticker: m.ticker, sim: m }));
    const books = BookStore.create({ maxMarkets: 8 });
    shard.forEach((m) => books.registerMarket(m.index, m.sim.grid));
    const dirty = DirtyMarkets.create(shard.length);
    const events: string[] = [];
    const stage = new MarketDataStage({
      url: sim.wsUrl, credentials: new KalshiCredentials(key.keyId, key.privateKey), books, dirty, lifecycle: true,
      markets: shard.map(({ index, ticker }) => ({ index, ticker })), onEvent: (e) => events.push(e.type),
    });
    try {
      stage.start();
      await until(() => stage.staleBooks() === 0, 'every book snapshotted');
      const seen = new Set<number>();
      await until(() => {
        for (let m = dirty.nextDirty(); m !== NO_DIRTY_MARKET; m = dirty.nextDirty()) seen.add(m);
        return seen.size === shard.length;
      }, 'every market dirty at least once');
      // Snapshots alone make every market dirty: wait for deltas too before the books stand still.
      await until(() => stage.stats().books.deltas >= 20, 'deltas applied');
      expect([...seen].every((m) => m >= 0 && m < shard.length)).toBe(true);
      // quiesce, then compare every level
      sim.control.setLiquidity(false);
      const top = emptyBookTop();
      let last = -1;
      await until(() => {
        let sum = 0;
        for (const m of shard) {
          books.readTop(m.index, top);
          sum += top.updates;
        }
        const settled = sum === last;
        last = sum;
        const same = (m: (typeof shard)[number], side: 0 | 1, outcome: 'yes' | 'no') =>
          JSON.stringify(levels(books, m.index, side)) === JSON.stringify(sim.exchange.bookLevels(m.sim.index, outcome).slice().sort((a, b) => a[0] - b[0]));
        return settled && shard.every((m) => same(m, SIDE_YES, 'yes') && same(m, SIDE_NO, 'no'));
      }, 'books equal to the exchange');
      for (const m of shard) {
        expect(levels(books, m.index, SIDE_YES)).toEqual(sim.exchange.bookLevels(m.sim.index, 'yes').slice().sort((a, b) => a[0] - b[0]));
        expect(levels(books, m.index, SIDE_NO)).toEqual(sim.exchange.bookLevels(m.sim.index, 'no').slice().sort((a, b) => a[0] - b[0]));
      }
      const s = stage.stats();
      expect(s.books.snapshots).toBeGreaterThanOrEqual(shard.length);
      expect(s.books.deltas).toBeGreaterThan(0);
      expect(s.ws.gaps).toBe(0);
    } finally {
      await stage.close();
      await sim.close();
    }
  });

  it('adds a market while running (registered first): subscribed, snapshotted, dirty under its local index; removes one: stale, out of the count', async () => {
    const key = makeKey();
    const sim = await startSimulator({ keys: [key], port: 0, markets: 12, rate: 3000, seed: 5 });
    const active = sim.exchange.markets().filter((m) => m.status === 'active');
    const [a, b, c] = active;
    const books = BookStore.create({ maxMarkets: 8 });
    books.registerMarket(0, a.grid);
    books.registerMarket(1, b.grid);
    const dirty = DirtyMarkets.create(6);
    const stage = new MarketDataStage({
      url: sim.wsUrl, credentials: new KalshiCredentials(key.keyId, key.privateKey), books, dirty, lifecycle: false,
      markets: [{ index: 0, ticker: a.ticker }, { index: 1, ticker: b.ticker }],
    });
    const top = emptyBookTop();
    const seen = new Set<number>();
    const drain = () => {
      for (let m = dirty.nextDirty(); m !== NO_DIRTY_MARKET; m = dirty.nextDirty()) seen.add(m);
    };
    try {
      expect(() => stage.addMarket({ index: 5, ticker: c.ticker })).toThrow(/before start/);
      stage.start();
      await until(() => stage.staleBooks() === 0, 'the first books snapshotted');
      expect(() => stage.addMarket({ index: 5, ticker: c.ticker })).toThrow(/not registered/);
      books.registerMarket(5, c.grid);
      expect(() => stage.addMarket({ index: 5, ticker: c.ticker }, 1)).toThrow(/local index 1 is taken/);
      expect(() => stage.addMarket({ index: 5, ticker: c.ticker }, 6)).toThrow(/dirty channel covers 6/);
      expect(stage.addMarket({ index: 5, ticker: c.ticker }, 3)).toBe(3); // the host's choice; 2 stays unused
      books.registerMarket(6, c.grid);
      expect(() => stage.addMarket({ index: 6, ticker: c.ticker })).toThrow(/already indexed/);
      expect(stage.addMarket({ index: 6, ticker: active[3].ticker })).toBe(4); // the refusal took nothing
      expect(stage.stats().markets).toBe(4);
      await until(() => stage.staleBooks() === 0 && books.readTop(5, top) && !top.stale, 'the added books snapshotted');
      await until(() => (drain(), seen.has(3)), 'the added market dirty under its local index');
      expect(seen.has(2)).toBe(false);
      sim.control.setLiquidity(false);
      let last = -1;
      await until(() => {
        books.readTop(5, top);
        const settled = top.updates === last;
        last = top.updates;
        return settled && JSON.stringify(levels(books, 5, SIDE_YES)) === JSON.stringify(sim.exchange.bookLevels(c.index, 'yes').slice().sort((x, y) => x[0] - y[0]));
      }, 'the added book equal to the exchange');
      expect(levels(books, 5, SIDE_NO)).toEqual(sim.exchange.bookLevels(c.index, 'no').slice().sort((x, y) => x[0] - y[0]));

      expect(stage.removeMarket(0)).toBe(true);
      expect(stage.removeMarket(0)).toBe(false);
      expect(stage.removeMarket(7)).toBe(false);
      expect(books.readTop(0, top) && top.stale).toBe(true);
      expect(stage.staleBooks()).toBe(0);
      expect(stage.stats().markets).toBe(3);
    } finally {
      await stage.close();
      await sim.close();
    }
  });
});
