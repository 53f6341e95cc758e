import { describe, expect, it } from 'vitest';
import { BookStore } from '../../../src/shared/book-store.js';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import { PositionBoard } from '../../../src/shared/position-board.js';
import {
  BreakerState, MarketTradingState, TradingState, WorkingSide, type AccountState, type MarketPosition,
} from '../../../src/shared/position-records.js';
import { buildObservation, type ObservationInput } from '../../../src/shared/observation/build.js';
import { FEATURES, FEATURE_COUNT, FEATURE_INDEX as I } from '../../../src/shared/observation/features.js';
import { MarketHistory } from '../../../src/shared/observation/market-history.js';
import { ObservationReader } from '../../../src/shared/observation/reader.js';
import { plainInput, randomInput, rng, simpleInput, tradingAccount, tradingPosition, type BookState } from './support.js';

const NOW_MS = 1_767_225_600_000;
const NOW_NS = 100e9;

function build(input: ObservationInput): Float32Array {
  const out = new Float32Array(FEATURE_COUNT);
  buildObservation(input, out, 0);
  return out;
}

/** A known book: YES bids 0.56×10, 0.55×20, 0.54×5; NO bids 0.42×30, 0.41×10 (contracts). */
const KNOWN: BookState = {
  yes: [[5500, 2000], [5600, 1000], [5400, 500]],
  no: [[4100, 1000], [4200, 3000]],
  stale: false,
  updates: 7,
  exchangeTsMs: NOW_MS - 2_500 - 300, // sent 0.3 s before it was received
  receiveNs: NOW_NS - 2.5e9, // received 2.5 s ago
};

describe('buildObservation: a known book, by hand', () => {
  const out = build(simpleInput(KNOWN, { meta: { closeTimeMs: NOW_MS + 3_600_000 } }));

  it('prices: YES ask is $1 − NO bid (0.58, not 0.57)', () => {
    expect(out[I.yes_bid]).toBeCloseTo(0.56, 7);
    expect(out[I.yes_ask]).toBeCloseTo(0.58, 7);
    expect(out[I.has_yes_bid]).toBe(1);
    expect(out[I.has_yes_ask]).toBe(1);
    expect(out[I.mid]).toBeCloseTo(0.57, 7);
    expect(out[I.spread]).toBeCloseTo(0.2, 6); // 2¢ × 10
    // microprice = (0.56·30 + 0.58·10) / 40 = 0.565
    expect(out[I.microprice_edge]).toBeCloseTo((0.565 - 0.57) * 10, 6);
    expect(out[I.tick_size]).toBeCloseTo(1, 7);
  });

  it('sizes, depth, imbalance, book shape', () => {
    expect(out[I.bid_size]).toBeCloseTo(Math.log10(11) / 4, 6);
    expect(out[I.ask_size]).toBeCloseTo(Math.log10(31) / 4, 6);
    expect(out[I.bid_depth]).toBeCloseTo(Math.log10(36) / 4, 6);
    expect(out[I.ask_depth]).toBeCloseTo(Math.log10(41) / 4, 6);
    expect(out[I.imbalance_top]).toBeCloseTo(-0.5, 7);
    expect(out[I.imbalance_depth]).toBeCloseTo((35 - 40) / 75, 6);
    expect(out[I.bid_vwap_gap]).toBeCloseTo((5600 - 19.3e6 / 3500) / 1000, 6);
    expect(out[I.ask_vwap_gap]).toBeCloseTo((4200 - 4175) / 1000, 6);
  });

  it('freshness and market time', () => {
    expect(out[I.book_stale]).toBe(0);
    expect(out[I.book_age]).toBeCloseTo(Math.log10(3.5) / 3, 6);
    expect(out[I.message_latency]).toBeCloseTo(Math.log10(1.3) / 2, 6);
    expect(out[I.time_to_close]).toBeCloseTo(Math.log10(3601) / 6, 6);
    expect(out[I.closing_soon]).toBe(0);
  });

  it('account features', () => {
    // cash $1000, reserve $100, positions $250, session start cash $1200 → equity 1250
    expect(out[I.cash_vs_start]).toBeCloseTo(1000 / 1200 - 1, 6);
    expect(out[I.reserve_headroom]).toBeCloseTo(900 / 1250, 6);
    expect(out[I.below_reserve]).toBe(0);
    expect(out[I.cash_share]).toBeCloseTo(0.8, 6);
    expect(out[I.session_return]).toBeCloseTo((1250 / 1200 - 1) * 10, 6);
    expect(out[I.opening_allowed]).toBe(1);
    expect(out[I.position_side]).toBe(0);
    expect(out[I.unrealized_return]).toBe(0);
    expect(out[I.last_order_age]).toBe(1); // never ordered
    expect(out[I.working_side]).toBe(0);
  });

  const held = {
    realizedPnl: 2_000_000, feesPaid: 500_000,
    positionOpenedAtMs: NOW_MS - 600_000, lastOrderAtMs: NOW_MS - 5_000,
  };

  it('long YES: exits into the YES bid (0.56), net of the taker fee', () => {
    const o = build(simpleInput(KNOWN, {
      position: { ...held, position: 1000, costBasis: 5_000_000, workingSide: WorkingSide.BID, workingPrice: 5500, workingRemaining: 500 },
    }));
    const fee = 0.07 * 10 * 0.56 * 0.44;
    const unrealized = 10 * 0.56 - fee - 5;
    expect(o[I.position_side]).toBe(1);
    expect(o[I.position_size]).toBeCloseTo(Math.log10(11) / 3, 6);
    expect(o[I.position_avg_price]).toBeCloseTo(0.5, 7);
    expect(o[I.position_exposure]).toBeCloseTo((10 * 0.57) / 1250, 7);
    expect(o[I.unrealized_return]).toBeCloseTo(unrealized / 5, 6);
    expect(o[I.unrealized_vs_equity]).toBeCloseTo((unrealized / 1250) * 10, 7);
    expect(o[I.market_realized]).toBeCloseTo((1.5 / 1250) * 10, 7);
    expect(o[I.time_in_position]).toBeCloseTo(Math.log10(601) / Math.log10(3601), 6);
    expect(o[I.last_order_age]).toBeCloseTo(Math.log10(6) / 3, 6);
    expect(o[I.working_side]).toBe(1);
    expect(o[I.working_distance]).toBeCloseTo(0.1, 6); // one cent behind the 0.56 bid
    expect(o[I.working_remaining]).toBeCloseTo(Math.log10(6) / 3, 6);
    expect(o[I.working_closing]).toBe(0); // a bid adds to a YES position
  });

  it('long NO: exits into the NO bid (0.42 = 1 − 0.58), priced in NO terms', () => {
    const o = build(simpleInput(KNOWN, {
      position: { ...held, position: -1000, costBasis: 4_000_000, workingSide: WorkingSide.BID, workingPrice: 5600, workingRemaining: 1000 },
    }));
    const fee = 0.07 * 10 * 0.42 * 0.58;
    const unrealized = 10 * 0.42 - fee - 4; // an off-by-one complement would exit at 0.41 or 0.43
    expect(o[I.position_side]).toBe(-1);
    expect(o[I.position_avg_price]).toBeCloseTo(0.4, 7);
    expect(o[I.position_exposure]).toBeCloseTo((10 * 0.43) / 1250, 7);
    expect(o[I.unrealized_return]).toBeCloseTo(unrealized / 4, 6);
    expect(o[I.unrealized_vs_equity]).toBeCloseTo((unrealized / 1250) * 10, 7);
    expect(o[I.working_distance]).toBeCloseTo(0, 7); // at the touch
    expect(o[I.working_closing]).toBe(1); // a YES bid reduces a NO position
  });

  it('a working ask is measured from the YES ask (1 − NO bid)', () => {
    const o = build(simpleInput(KNOWN, { position: { workingSide: WorkingSide.ASK, workingPrice: 5900, workingRemaining: 100, position: 300, costBasis: 1_500_000 } }));
    expect(o[I.working_side]).toBe(-1);
    expect(o[I.working_distance]).toBeCloseTo(0.1, 6);
    expect(o[I.working_closing]).toBe(1);
  });

  it('the NO side of a finer grid: complement exact to $0.0001', () => {
    const grid = PriceGrid.forStructure('deci_cent');
    const o = build(simpleInput(
      { ...KNOWN, yes: [[5610, 100]], no: [[4370, 200]] },
      { meta: { grid }, position: { position: -200, costBasis: 2 * 4000 * 100 } },
    ));
    expect(o[I.yes_ask]).toBeCloseTo(0.563, 7);
    expect(o[I.tick_size]).toBeCloseTo(0.1, 7);
    const exit = 0.437;
    expect(o[I.unrealized_return]).toBeCloseTo((2 * exit - 0.07 * 2 * exit * (1 - exit) - 0.8) / 0.8, 6);
  });
});

describe('buildObservation: history features, by hand', () => {
  it('a 1¢ rise over one short time constant, then the known book', () => {
    const history = new MarketHistory(1);
    const tau = 15_000;
    // Before: YES bid 0.54 × 30, NO bid 0.42 × 10 → mid 0.56, spread 4¢, imbalance +0.5.
    history.push(0, NOW_MS - tau, 5400, 3000, 4200, 1000);
    history.push(0, NOW_MS, 5600, 1000, 4200, 3000); // the known book: mid 0.57, spread 2¢
    const o = build(simpleInput(KNOWN, { history }));
    expect(o[I.history_fill]).toBeCloseTo(2 / 128, 7);
    expect(o[I.update_rate]).toBeCloseTo(Math.log10(1 + 2 / 15) / 3, 6);
    expect(o[I.activity]).toBeCloseTo(Math.log10(1 + (1 + Math.exp(-1)) / 15) / 3, 6);
    expect(o[I.mid_age]).toBe(0);
    expect(o[I.volatility_short]).toBeCloseTo(0.1, 6);
    expect(o[I.volatility_long]).toBeCloseTo(0.1, 6);
    expect(o[I.momentum_short]).toBeCloseTo(0.1, 6); // 0.57 − 0.56 (the past mid, held)
    expect(o[I.momentum_long]).toBeCloseTo(0.1, 6);
    expect(o[I.window_return]).toBeCloseTo(0.1, 6);
    expect(o[I.mid_direction]).toBe(1);
    expect(o[I.spread_vs_mean]).toBeCloseTo((0.02 - 0.03) * 10, 6);
    expect(o[I.imbalance_mean]).toBeCloseTo(0.5, 6); // the past imbalance, held
    // Ten seconds later with no update: the mid is 10 s old, the EWMAs decay towards it.
    const later = build(simpleInput(KNOWN, { history, nowMs: NOW_MS + 10_000 }));
    expect(later[I.mid_age]).toBeCloseTo(Math.log10(11) / 4, 6);
    expect(later[I.momentum_short]).toBeCloseTo(0.1 * Math.exp(-10 / 15), 6);
    expect(later[I.volatility_short]).toBeCloseTo(0.1 * Math.sqrt(Math.exp(-10 / 15)), 6);
  });
});

describe('buildObservation: missing inputs have defined values', () => {
  it('an empty, stale, never-received book', () => {
    const o = build(simpleInput({ yes: [], no: [], stale: true, updates: 0, exchangeTsMs: 0, receiveNs: 0 }));
    expect(o[I.yes_bid]).toBe(0);
    expect(o[I.yes_ask]).toBe(1);
    expect(o[I.has_yes_bid]).toBe(0);
    expect(o[I.has_yes_ask]).toBe(0);
    expect(o[I.mid]).toBe(0.5);
    expect(o[I.spread]).toBe(1);
    expect(o[I.microprice_edge]).toBe(0);
    expect(o[I.imbalance_top]).toBe(0);
    expect(o[I.book_stale]).toBe(1);
    expect(o[I.book_age]).toBe(1);
    expect(o[I.message_latency]).toBe(0);
    expect(o[I.time_to_close]).toBe(1);
    expect(o[I.history_fill]).toBe(0);
    expect(o[I.mid_age]).toBe(1);
    for (const n of ['volatility_short', 'momentum_short', 'window_return', 'mid_direction', 'imbalance_mean']) expect(o[I[n]]).toBe(0);
  });

  it('one-sided book: the empty side takes its default, the spread saturates', () => {
    const o = build(simpleInput({ ...KNOWN, no: [] }));
    expect(o[I.yes_bid]).toBeCloseTo(0.56, 7);
    expect(o[I.yes_ask]).toBe(1);
    expect(o[I.spread]).toBe(1);
    expect(o[I.imbalance_top]).toBe(1);
  });

  it('a long YES with no YES bid is marked at zero exit value (−1 return)', () => {
    const o = build(simpleInput({ ...KNOWN, yes: [] }, { position: { position: 1000, costBasis: 5_000_000 } }));
    expect(o[I.unrealized_return]).toBe(-1);
  });

  it('zero cash and a zero account', () => {
    const o = build(simpleInput(KNOWN, {
      account: { cash: 0, cashReserve: 100_000_000, portfolioValue: 0, sessionStartCash: 0, sessionStartPortfolioValue: 0 },
      position: { position: 500, costBasis: 0 },
    }));
    expect(o[I.below_reserve]).toBe(1);
    expect(o[I.reserve_headroom]).toBe(-1);
    expect(o[I.cash_share]).toBe(0);
    expect(o[I.cash_vs_start]).toBe(0);
    expect(o[I.session_return]).toBe(0);
    expect(o[I.position_exposure]).toBe(1);
    expect(o[I.unrealized_return]).toBe(0);
  });

  it('a closed market and trading restrictions', () => {
    const o = build(simpleInput(KNOWN, {
      meta: { closeTimeMs: NOW_MS - 1 },
      account: { tradingState: TradingState.REDUCING },
    }));
    expect(o[I.time_to_close]).toBe(0);
    expect(o[I.closing_soon]).toBe(1);
    expect(o[I.opening_allowed]).toBe(0);
    const p = build(simpleInput(KNOWN, { position: { breakerState: BreakerState.OPEN } }));
    expect(p[I.opening_allowed]).toBe(0);
    const q = build(simpleInput(KNOWN, { position: { tradingState: MarketTradingState.REDUCING } }));
    expect(q[I.opening_allowed]).toBe(0);
  });
});

describe('buildObservation: invariants', () => {
  it('every output is finite and inside its clip on 100,000 random books and positions', () => {
    const r = rng(42);
    const history = new MarketHistory(128);
    const out = new Float32Array(FEATURE_COUNT * 2);
    for (let k = 0; k < 100_000; k++) {
      const input = randomInput(r, history, k % 128);
      buildObservation(input, out, FEATURE_COUNT); // at an offset: row 1
      for (let i = 0; i < FEATURE_COUNT; i++) {
        const v = out[FEATURE_COUNT + i];
        if (!(Number.isFinite(v) && v >= FEATURES[i].clip[0] && v <= FEATURES[i].clip[1])) {
          throw new Error(`sample ${k}: ${FEATURES[i].name} = ${v} outside [${FEATURES[i].clip.join(', ')}]`);
        }
      }
      for (let i = 0; i < FEATURE_COUNT; i++) if (out[i] !== 0) throw new Error(`sample ${k}: row 0 written`);
    }
  });

  it('is pure: the same input twice gives the same bits, and the history is not changed', () => {
    const r = rng(7);
    const history = new MarketHistory(4);
    for (let k = 0; k < 200; k++) {
      const input = randomInput(r, history, k % 4);
      const before = JSON.stringify(history.entries(k % 4));
      const a = build(input);
      const b = build(input);
      expect(new Uint32Array(b.buffer)).toEqual(new Uint32Array(a.buffer));
      expect(JSON.stringify(history.entries(k % 4))).toBe(before);
    }
  });

  it('NaN inputs land on a bound, never in the output', () => {
    const o = build(simpleInput(KNOWN, {
      account: { cash: Number.NaN, portfolioValue: Number.NaN },
      position: { position: 100, costBasis: Number.NaN, realizedPnl: Number.NaN },
      nowMs: Number.NaN,
    }));
    for (let i = 0; i < FEATURE_COUNT; i++) expect(Number.isFinite(o[i]), FEATURES[i].name).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Golden test (lessons.md #1): one recorded stream through the live path (BookStore +
// PositionBoard + ObservationReader) and through the replay/training path (plain inputs built
// from the recording by hand) gives bit-identical observations.

interface Frame {
  market: number;
  nowMs: number;
  nowNs: number;
  book: BookState;
  markStale: boolean;
  position: MarketPosition;
  account: AccountState;
}

function record(seed: number, frames: number, grids: PriceGrid[]): Frame[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const fair = grids.map(() => 5000);
  const out: Frame[] = [];
  let nowMs = NOW_MS;
  let nowNs = NOW_NS;
  const updates = grids.map(() => 0);
  let cash = 1_000_000_000;
  for (let f = 0; f < frames; f++) {
    const market = int(0, grids.length - 1);
    const grid = grids[market];
    nowMs += int(0, 3000);
    nowNs += int(0, 3e9);
    fair[market] = Math.max(500, Math.min(9500, fair[market] + int(-150, 150)));
    const level = (p: number) => grid.levelOf(grid.snapNearest(p));
    const fl = level(fair[market]);
    const yes: [number, number][] = [];
    const no: [number, number][] = [];
    if (r() > 0.05) for (let i = 0; i < int(1, 7); i++) yes.push([grid.priceAt(Math.max(0, fl - 1 - i * int(1, 2))), int(1, 5000)]);
    if (r() > 0.05) for (let i = 0; i < int(1, 7); i++) no.push([10_000 - grid.priceAt(Math.min(grid.levelCount - 1, fl + 1 + i * int(1, 2))), int(1, 5000)]);
    const dedupe = (xs: [number, number][]) => [...new Map(xs.map((x) => [x[0], x])).values()];
    updates[market]++;
    cash += int(-5_000_000, 5_000_000);
    out.push({
      market, nowMs, nowNs,
      book: {
        yes: dedupe(yes), no: dedupe(no), stale: false, updates: updates[market],
        exchangeTsMs: nowMs - int(0, 2000), receiveNs: nowNs - int(0, 1e9),
      },
      markStale: r() < 0.05,
      position: tradingPosition({
        position: int(-3000, 3000), costBasis: int(0, 20_000_000), realizedPnl: int(-1e6, 1e6), feesPaid: int(0, 1e5),
        workingSide: int(0, 2) as WorkingSide, workingPrice: grid.priceAt(int(1, grid.levelCount - 2)),
        workingRemaining: int(0, 2000), workingOrderCount: 1,
        lastOrderAtMs: nowMs - int(0, 60_000), positionOpenedAtMs: nowMs - int(0, 4e6),
      }),
      account: tradingAccount({ cash, updatedAtMs: nowMs }),
    });
  }
  return out;
}

describe('golden: live and replay paths give bit-identical observations', () => {
  it('over one recorded stream of 2,000 book states on three markets and grids', () => {
    const grids = [PriceGrid.forStructure('linear_cent'), PriceGrid.forStructure('tapered_deci_cent'), PriceGrid.forStructure('deci_cent')];
    const frames = record(2026, 2000, grids);
    const metas = grids.map((grid, i) => ({ grid, closeTimeMs: NOW_MS + (i + 1) * 1_800_000 }));

    // Live: a market-data writer fills the BookStore, execution the PositionBoard; the reader
    // reads them back as an inference worker would.
    const books = BookStore.create({ maxMarkets: grids.length });
    grids.forEach((g, i) => books.registerMarket(i, g));
    const board = PositionBoard.create(grids.length);
    const writer = board.claimWriter();
    const liveHistory = new MarketHistory(grids.length);
    const reader = new ObservationReader(books, board, liveHistory, metas[0]);
    const live = new Float32Array(frames.length * FEATURE_COUNT);

    // Replay/training: the recording as plain objects, nothing shared.
    const replayHistory = new MarketHistory(grids.length);
    const replay = new Float32Array(frames.length * FEATURE_COUNT);
    const replayUpdates = grids.map(() => 1); // registration counts as none; the store counts snapshots + stale marks

    try {
      frames.forEach((f, k) => {
        const flat = (xs: [number, number][]) => xs.flat();
        expect(books.applySnapshot(f.market, flat(f.book.yes), f.book.yes.length, flat(f.book.no), f.book.no.length,
          f.book.exchangeTsMs, f.book.receiveNs)).toBe(0);
        if (f.markStale) books.markStale(f.market);
        writer.writeMarket(f.market, f.position);
        writer.writeAccount(f.account);
        expect(reader.observe(f.market, metas[f.market], f.nowMs, f.nowNs, live, k * FEATURE_COUNT)).toBe('ok');

        // The replay side knows only what was recorded: the book state, the records, the clocks.
        const state: BookState = { ...f.book, stale: f.markStale, updates: replayUpdates[f.market]++ + (f.markStale ? 1 : 0) };
        if (f.markStale) replayUpdates[f.market]++;
        expect(state.updates).toBe(reader.input.top.updates);
        const input = plainInput({
          state, history: replayHistory, market: f.market, position: f.position, account: f.account,
          meta: metas[f.market], nowMs: f.nowMs, nowNs: f.nowNs,
        });
        replayHistory.push(f.market, f.nowMs, input.top.yesBid, input.top.yesBidSize, input.top.noBid, input.top.noBidSize);
        buildObservation(input, replay, k * FEATURE_COUNT);
      });
    } finally {
      writer.release();
    }
    const a = new Uint32Array(live.buffer);
    const b = new Uint32Array(replay.buffer);
    for (let k = 0; k < a.length; k++) {
      if (a[k] !== b[k]) {
        throw new Error(`frame ${Math.floor(k / FEATURE_COUNT)} feature ${FEATURES[k % FEATURE_COUNT].name}: live ${live[k]} ≠ replay ${replay[k]}`);
      }
    }
    // The stream exercised the history and the portfolio, not only constants.
    for (const name of ['momentum_short', 'volatility_long', 'mid_direction', 'unrealized_return', 'book_stale', 'working_closing']) {
      const col = Array.from({ length: frames.length }, (_, k) => live[k * FEATURE_COUNT + I[name]]);
      expect(new Set(col).size, name).toBeGreaterThan(1);
    }
  });
});
