/**
 * Helpers for the observation tests: plain ObservationInputs (the replay/training path) from a
 * recorded book state, and random inputs for the invariant checks.
 */
import { NONE } from '../../../src/shared/book-layout.js';
import type { BookTop } from '../../../src/shared/book-store.js';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import {
  BreakerState, MarketTradingState, TradingState, WorkingSide, createAccountView, createMarketPositionView,
  type AccountState, type MarketPosition,
} from '../../../src/shared/position-records.js';
import type { MarketMeta, ObservationInput } from '../../../src/shared/observation/build.js';
import { FEATURE_PARAMS } from '../../../src/shared/observation/features.js';
import { MarketHistory } from '../../../src/shared/observation/market-history.js';

export { rng } from '../../support/fixed-point.js';

/** One recorded book state: bid levels per side as [price, size] pairs (any order), NO side in NO price. */
export interface BookState {
  yes: [number, number][];
  no: [number, number][];
  stale: boolean;
  updates: number;
  exchangeTsMs: number;
  receiveNs: number;
}

/** The top of a recorded book, computed by hand (no BookStore): the training path. */
export function topOf(state: BookState): BookTop {
  const best = (levels: [number, number][]) => levels.filter(([, s]) => s > 0).reduce<[number, number] | undefined>(
    (b, l) => (b === undefined || l[0] > b[0] ? l : b), undefined);
  const y = best(state.yes);
  const n = best(state.no);
  return {
    yesBid: y ? y[0] : NONE, yesBidSize: y ? y[1] : 0,
    noBid: n ? n[0] : NONE, noBidSize: n ? n[1] : 0,
    stale: state.stale, updates: state.updates, exchangeTsMs: state.exchangeTsMs, receiveNs: state.receiveNs, appliedNs: 0,
  };
}

/** Best-first depth of one recorded side into the given arrays; returns the levels written. */
export function depthOf(levels: [number, number][], prices: Int32Array, sizes: Int32Array): number {
  const sorted = levels.filter(([, s]) => s > 0).sort((a, b) => b[0] - a[0]);
  const n = Math.min(sorted.length, prices.length, sizes.length);
  for (let i = 0; i < n; i++) {
    prices[i] = sorted[i][0];
    sizes[i] = sorted[i][1];
  }
  return n;
}

/** A plain input (replay/training path) for one recorded state. */
export function plainInput(args: {
  state: BookState; history: MarketHistory; market: number; position: MarketPosition; account: AccountState;
  meta: MarketMeta; nowMs: number; nowNs: number;
}): ObservationInput {
  const d = FEATURE_PARAMS.depthLevels;
  const yesPrices = new Int32Array(d);
  const yesSizes = new Int32Array(d);
  const noPrices = new Int32Array(d);
  const noSizes = new Int32Array(d);
  return {
    top: topOf(args.state),
    yesPrices, yesSizes, yesLevels: depthOf(args.state.yes, yesPrices, yesSizes),
    noPrices, noSizes, noLevels: depthOf(args.state.no, noPrices, noSizes),
    history: args.history, market: args.market, position: args.position, account: args.account,
    meta: args.meta, nowMs: args.nowMs, nowNs: args.nowNs,
  };
}

export function tradingPosition(over: Partial<MarketPosition> = {}): MarketPosition {
  const p = createMarketPositionView();
  p.tradingState = MarketTradingState.ACTIVE;
  p.breakerState = BreakerState.CLOSED;
  return Object.assign(p, over);
}

export function tradingAccount(over: Partial<AccountState> = {}): AccountState {
  const a = createAccountView();
  Object.assign(a, {
    cash: 1_000_000_000, cashReserve: 100_000_000, portfolioValue: 250_000_000, invested: 0, recouped: 0,
    sessionStartCash: 1_200_000_000, sessionStartPortfolioValue: 0, tradingState: TradingState.TRADING, updatedAtMs: 0,
  });
  return Object.assign(a, over);
}

const GRIDS = [PriceGrid.forStructure('linear_cent'), PriceGrid.forStructure('tapered_deci_cent'), PriceGrid.forStructure('deci_cent')];

/**
 * A random input, deliberately including the awkward cases: empty sides, crossed and stale
 * books, garbage sizes, zero/negative cash, zero reserve, huge positions, times in the future
 * and the past, missing close times. `history` gets a few random pushes first.
 */
export function randomInput(r: () => number, history: MarketHistory, market: number): ObservationInput {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const grid = pick(GRIDS);
  const level = () => grid.priceAt(int(0, grid.levelCount - 1));
  const side = (): [number, number][] => {
    const n = r() < 0.2 ? 0 : int(1, 8);
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) out.push([level(), pick([0, 1, 100, int(1, 1e6), 0x7fffffff])]);
    return out;
  };
  const nowMs = pick([0, 1, 1_767_225_600_000, int(0, 2e12)]);
  const nowNs = pick([0, 1e9, int(0, 1e15)]);
  const state: BookState = {
    yes: side(), no: side(), stale: r() < 0.2, updates: int(0, 1e6),
    exchangeTsMs: pick([0, nowMs, nowMs - int(0, 1e7), nowMs + int(0, 1e6)]),
    receiveNs: pick([0, nowNs, nowNs - int(0, 1e13), nowNs + int(0, 1e9)]),
  };
  const huge = Number.MAX_SAFE_INTEGER;
  const money = () => pick([0, -1, 1, int(-1e12, 1e12), huge, -huge]);
  const position = tradingPosition({
    position: pick([0, 0, 1, -1, int(-1e6, 1e6), huge, -huge]),
    costBasis: money(), realizedPnl: money(), feesPaid: money(),
    workingSide: pick([WorkingSide.NONE, WorkingSide.BID, WorkingSide.ASK]),
    workingPrice: int(0, 10_000), workingRemaining: pick([0, int(0, 1e6), huge]),
    lastOrderAtMs: pick([0, nowMs, nowMs - int(0, 1e8), nowMs + int(0, 1e6)]),
    positionOpenedAtMs: pick([0, nowMs, nowMs - int(0, 1e8), nowMs + int(0, 1e6)]),
    breakerState: pick([BreakerState.CLOSED, BreakerState.OPEN]),
    tradingState: pick([MarketTradingState.ACTIVE, MarketTradingState.REDUCING, MarketTradingState.INACTIVE]),
  });
  const account = tradingAccount({
    cash: money(), cashReserve: pick([0, 100_000_000, money()]), portfolioValue: money(),
    sessionStartCash: money(), sessionStartPortfolioValue: money(),
    tradingState: pick([TradingState.TRADING, TradingState.REDUCING]),
  });
  const pushes = int(0, 4);
  for (let i = 0; i < pushes; i++) {
    const t = topOf({ ...state, yes: side(), no: side() });
    history.push(market, nowMs - int(-1000, 1e6), t.yesBid, t.yesBidSize, t.noBid, t.noBidSize);
  }
  return plainInput({
    state, history, market, position, account, nowMs, nowNs,
    meta: { closeTimeMs: pick([0, nowMs, nowMs + int(-1e6, 1e9)]), grid },
  });
}

/** A flat-position, TRADING account input at `nowMs` for a given book, fresh history slot 0. */
export function simpleInput(state: BookState, over: { position?: Partial<MarketPosition>; account?: Partial<AccountState>; meta?: Partial<MarketMeta>; nowMs?: number; nowNs?: number; history?: MarketHistory } = {}): ObservationInput {
  return plainInput({
    state,
    history: over.history ?? new MarketHistory(1),
    market: 0,
    position: tradingPosition(over.position),
    account: tradingAccount(over.account),
    meta: { closeTimeMs: 0, grid: PriceGrid.forStructure('linear_cent'), ...over.meta },
    nowMs: over.nowMs ?? 1_767_225_600_000,
    nowNs: over.nowNs ?? 100e9,
  });
}
