/**
 * The synthetic liquidity's fast paths (bench/README.md, "Results: simulator") must not change
 * what the engine does: the serial-number key of synthetic ids, the per-market bid count, one
 * engine operation per liquidity step (`syntheticBatch`), and ids formatted from tables.
 */
import { describe, expect, it } from 'vitest';
import { hashInts, IdKind, IdSource, syntheticSerial } from '../../../src/sim/engine/ids.js';
import { listCatalogue } from '../../../src/sim/catalogue.js';
import { Exchange } from '../../../src/sim/engine/exchange.js';
import { SyntheticLiquidity } from '../../../src/sim/liquidity.js';
import { record, setup, T0 } from './helpers.js';

describe('syntheticSerial', () => {
  it('reads the n of syn-<n> exactly as nextSynthetic writes it, -1 for anything else', () => {
    const ids = new IdSource(1);
    for (let n = 1; n <= 1000; n++) expect(syntheticSerial(ids.nextSynthetic())).toBe(n);
    expect(syntheticSerial('syn-9007199254740991')).toBe(9007199254740991);
    for (const bad of ['', 'syn-', 'syn-0', 'syn-01', 'syn--1', 'syn-1a', 'SYN-1', 'syn_1', ' syn-1', 'syn-1 ', 'syn-9007199254740993', 'syn-99999999999999999', '8f2a…', 'nope']) {
      expect(syntheticSerial(bad), bad).toBe(-1);
    }
  });

  it('cancelSynthetic by id still finds exactly the order with that id', () => {
    const { ex, m } = setup();
    const a = ex.placeSynthetic(m.index, 'bid', 4000, 500)!;
    const b = ex.placeSynthetic(m.index, 'bid', 4100, 500)!;
    ex.cancelSynthetic(a.orderId.replace('syn-', 'syn-0')); // not the same id
    expect(a.status).toBe('resting');
    ex.cancelSynthetic(b.orderId);
    expect(b.status).toBe('canceled');
    expect(ex.syntheticOrders(m.index)).toEqual([a]);
  });
});

describe('syntheticBids', () => {
  it('counts the resting synthetic bids through places, partial and whole cancels, fills and the close', () => {
    const { ex, m, advance } = setup();
    const bidsOf = () => ex.syntheticOrders(m.index).filter((o) => o.side === 'bid').length;
    const bids = [4000, 4100, 4200].map((p) => ex.placeSynthetic(m.index, 'bid', p, 500)!);
    ex.placeSynthetic(m.index, 'ask', 6000, 500);
    expect(ex.syntheticBids(m.index)).toBe(3);
    ex.cancelSynthetic(bids[0].orderId, 100);
    expect(ex.syntheticBids(m.index)).toBe(3);
    ex.cancelSynthetic(bids[0].orderId);
    expect(ex.syntheticBids(m.index)).toBe(2);
    ex.takeSynthetic(m.index, 'ask', 4100, 700); // fills the 4200 bid whole and part of the 4100 one
    expect(ex.syntheticBids(m.index)).toBe(1);
    expect(ex.syntheticBids(m.index)).toBe(bidsOf());
    advance(3_600_000); // past the close: every resting order cancelled
    expect(ex.syntheticBids(m.index)).toBe(0);
    expect(ex.syntheticOrders(m.index)).toEqual([]);
  });
});

describe('syntheticBatch', () => {
  it('a step as one engine operation gives the events of the separate calls', () => {
    const run = (batched: boolean) => {
      const { ex, m, log } = setup();
      const os = [4000, 4100, 4200, 4300].map((p) => ex.placeSynthetic(m.index, 'bid', p, 500)!);
      ex.placeSynthetic(m.index, 'ask', 5600, 800);
      const from = log.length;
      if (batched) {
        ex.syntheticBatch((ops) => ops.place(m.index, 'ask', 5700, 300));
        ex.syntheticBatch((ops) => ops.cancel(os[1], 200));
        ex.syntheticBatch((ops) => ops.cancel(os[2]));
        ex.syntheticBatch((ops) => ops.take(m.index, 'ask', 4000, 900));
        ex.syntheticBatch((ops) => ops.cancel(os[2])); // already cancelled: nothing
      } else {
        ex.placeSynthetic(m.index, 'ask', 5700, 300);
        ex.cancelSynthetic(os[1].orderId, 200);
        ex.cancelSynthetic(os[2].orderId);
        ex.takeSynthetic(m.index, 'ask', 4000, 900);
        ex.cancelSynthetic(os[2].orderId);
      }
      return { events: log.slice(from), book: [ex.bookLevels(m.index, 'yes'), ex.bookLevels(m.index, 'no')] };
    };
    const batched = run(true);
    expect(batched.events.length).toBeGreaterThan(5);
    expect(batched).toEqual(run(false));
  });

  it('the synthetic liquidity makes the same events as before the batching (one ticker flush per step)', () => {
    // Reference: the step written with separate Exchange calls, as it was.
    const events = (liquidity: (ex: Exchange) => { step(): number }) => {
      const ex = new Exchange({ clock: () => T0, seed: 9 });
      listCatalogue(ex, { markets: 20, seed: 9, startMs: T0 });
      ex.advanceTo(T0);
      const l = liquidity(ex);
      const log = record(ex);
      for (let i = 0; i < 3000; i++) l.step();
      return log;
    };
    const actual = events((ex) => {
      const l = new SyntheticLiquidity(ex, ex.markets(), { seed: 9 });
      l.seedBooks();
      return l;
    });
    const expected = events((ex) => referenceLiquidity(ex, 9));
    expect(actual.length).toBeGreaterThan(2000);
    expect(actual).toEqual(expected);
  });
});

describe('IdSource.next from tables', () => {
  it('is the template-literal formula, including counters past 2^24, 2^32 and 2^48', () => {
    const hex = (v: number, d: number) => v.toString(16).padStart(d, '0');
    const reference = (seed: number, kind: number, n: number) => {
      const h1 = hashInts(kind * 2, seed, n, 0);
      const h2 = hashInts(kind * 2 + 1, seed, n, 0);
      return `${hex(h1, 8)}-${hex(h2 >>> 16, 4)}-4${hex(kind, 1)}${hex((h2 >>> 8) & 0xff, 2)}-${hex(8 | ((h2 >>> 6) & 3), 1)}${hex(h2 & 0xfff, 3)}-${hex(n, 12)}`;
    };
    const ids = new IdSource(42);
    for (let n = 1; n <= 3000; n++) for (const kind of [IdKind.Order, IdKind.Trade, IdKind.Fill, IdKind.Group]) expect(ids.next(kind)).toBe(reference(42, kind, n));
    for (const n of [2 ** 24 - 1, 2 ** 24, 2 ** 32 + 5, 2 ** 48 - 1, 2 ** 48, 2 ** 52 + 1]) {
      const big = new IdSource(5);
      (big as unknown as { counters: number[] }).counters[IdKind.Trade] = n - 1;
      expect(big.next(IdKind.Trade)).toBe(reference(5, IdKind.Trade, n));
    }
  });
});

/**
 * SyntheticLiquidity.step as it was before the fast paths: every read and action a separate
 * Exchange call, bids counted over the order list (same RNG draws in the same order).
 */
function referenceLiquidity(ex: Exchange, seed: number): { step(): number } {
  // The same Rng stream as SyntheticLiquidity: drawn through a real instance's private rng.
  const l = new SyntheticLiquidity(ex, ex.markets(), { seed }) as unknown as {
    rng: { next(): number; chance(p: number): boolean; int(n: number): number; range(a: number, b: number): number; geometric(p: number): number };
    depth: number;
    changes: number;
    counting: boolean;
    seedBooks(): number;
    pickMarket(): import('../../../src/sim/engine/types.js').MarketState;
    moveFairValue(m: import('../../../src/sim/engine/types.js').MarketState): void;
    quote(m: import('../../../src/sim/engine/types.js').MarketState, side: 'bid' | 'ask'): void;
    take(m: import('../../../src/sim/engine/types.js').MarketState): void;
  };
  l.seedBooks();
  const stepBody = () => {
    const market = l.pickMarket();
    if (market.status !== 'active') return;
    l.moveFairValue(market);
    const orders = ex.syntheticOrders(market.index);
    let bids = 0;
    for (const o of orders) if (o.side === 'bid') bids++;
    const asks = orders.length - bids;
    if (bids < l.depth / 2) return void l.quote(market, 'bid');
    if (asks < l.depth / 2) return void l.quote(market, 'ask');
    const cancelOne = () => {
      const list = ex.syntheticOrders(market.index);
      const order = list[l.rng.int(list.length)];
      if (order.remainingCount > 100 && l.rng.chance(0.3)) ex.cancelSynthetic(order.orderId, 100 * l.rng.range(1, Math.floor(order.remainingCount / 100)));
      else ex.cancelSynthetic(order.orderId);
    };
    if (orders.length >= l.depth * 4) return cancelOne();
    const r = l.rng.next();
    if (r < 0.45 || orders.length === 0) l.quote(market, l.rng.chance(0.5) ? 'bid' : 'ask');
    else if (r < 0.85) cancelOne();
    else {
      // take() outside a batch: the reference goes through the Exchange's own calls
      const yesBid = ex.bestBid(market.index, 'yes');
      const noBid = ex.bestBid(market.index, 'no');
      const yesAsk = noBid === undefined ? undefined : 10_000 - noBid[0];
      let side: 'bid' | 'ask';
      if (yesAsk !== undefined && market.fairValue > yesAsk) side = 'bid';
      else if (yesBid !== undefined && market.fairValue < yesBid[0]) side = 'ask';
      else side = l.rng.chance(0.5) ? 'bid' : 'ask';
      const limit = side === 'bid' ? yesAsk : yesBid?.[0];
      if (limit === undefined) return;
      const contracts = 1 + l.rng.geometric(0.05);
      ex.takeSynthetic(market.index, side, limit, contracts * 100);
    }
  };
  return {
    step: () => {
      stepBody();
      return 0;
    },
  };
}
