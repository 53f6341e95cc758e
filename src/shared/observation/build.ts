/**
 * The observation: ONE function, `buildObservation`, turns a market's book, its recent history,
 * its position and the account into the 52 float32 features of features.ts. Live trading
 * (ObservationReader over BookStore + PositionBoard), replay and training (plain input objects)
 * all call it, so the features cannot drift apart (lessons.md #1).
 *
 * Pure and deterministic: the output depends only on the input (history is read, never
 * written); no allocation; no exception on any numeric input (only a market slot outside the
 * history throws); every output is finite and inside its clip range: values are computed in
 * float64, clipped (a NaN from a bad input lands on the lower bound, ±Infinity on a bound), and
 * stored to float32 once. Cost ≈ 0.35 µs (bench/shared/observation.bench.ts), most of it the
 * fourteen Math.log10 of the log-scaled features — kept exact rather than approximated so that a
 * training pipeline in another language computes the same values.
 *
 * Units in: prices in $0.0001 units (NO side in NO price, YES ask = 10000 − NO bid), counts in
 * hundredths of a contract, money in µ$, wall times in ms since the epoch, `nowNs` and
 * `top.receiveNs` on the shared monotonic clock (clock.ts). Converted once, here.
 */
import type { BookTop } from '../book-store.js';
import type { PriceGrid } from '../price-grid.js';
import {
  BreakerState, MarketTradingState, TradingState, WorkingSide, type AccountState, type MarketPosition,
} from '../position-records.js';
import {
  FEATURE_CLIP_HI, FEATURE_CLIP_LO, FEATURE_COUNT, FEATURE_PARAMS,
  F_ACTIVITY, F_ASK_DEPTH, F_ASK_SIZE, F_ASK_VWAP_GAP, F_BELOW_RESERVE, F_BID_DEPTH, F_BID_SIZE, F_BID_VWAP_GAP,
  F_BOOK_AGE, F_BOOK_STALE, F_CASH_SHARE, F_CASH_VS_START, F_CLOSING_SOON, F_HAS_YES_ASK, F_HAS_YES_BID,
  F_HISTORY_FILL, F_IMBALANCE_DEPTH, F_IMBALANCE_MEAN, F_IMBALANCE_TOP, F_LAST_ORDER_AGE, F_MARKET_REALIZED,
  F_MESSAGE_LATENCY, F_MICROPRICE_EDGE, F_MID, F_MID_AGE, F_MID_DIRECTION, F_MOMENTUM_LONG, F_MOMENTUM_SHORT,
  F_OPENING_ALLOWED, F_POSITION_AVG_PRICE, F_POSITION_EXPOSURE, F_POSITION_SIDE, F_POSITION_SIZE,
  F_RESERVE_HEADROOM, F_SESSION_RETURN, F_SPREAD, F_SPREAD_VS_MEAN, F_TICK_SIZE, F_TIME_IN_POSITION,
  F_TIME_TO_CLOSE, F_UNREALIZED_RETURN, F_UNREALIZED_VS_EQUITY, F_UPDATE_RATE, F_VOLATILITY_LONG,
  F_VOLATILITY_SHORT, F_WINDOW_RETURN, F_WORKING_CLOSING, F_WORKING_DISTANCE, F_WORKING_REMAINING,
  F_WORKING_SIDE, F_YES_ASK, F_YES_BID,
} from './features.js';
import { createHistoryStats, type MarketHistory } from './market-history.js';

/** What the observation needs to know about a market besides its book. */
export interface MarketMeta {
  /** Scheduled close, ms since the epoch; 0 when unknown. */
  closeTimeMs: number;
  /** The market's price grid (for the tick size). */
  grid: PriceGrid;
}

/** Everything `buildObservation` reads. Live fills it from shared memory; replay/training by hand. */
export interface ObservationInput {
  /** Top of book: best bids and their sizes, stale flag, times. */
  top: BookTop;
  /** YES bid levels, best first: prices ($0.0001), sizes (hundredths); `yesLevels` of them used. */
  yesPrices: Int32Array;
  yesSizes: Int32Array;
  yesLevels: number;
  /** NO bid levels, best first, in NO price. */
  noPrices: Int32Array;
  noSizes: Int32Array;
  noLevels: number;
  /** The worker's history, and this market's slot in it. */
  history: MarketHistory;
  market: number;
  position: MarketPosition;
  account: AccountState;
  meta: MarketMeta;
  /** Wall clock, ms since the epoch (close time, order and position ages). */
  nowMs: number;
  /** Monotonic clock, ns (book age against `top.receiveNs`). */
  nowNs: number;
}

const P = FEATURE_PARAMS;
const PRICE_TO_DOLLARS = 1 / 10_000;
const COUNT_TO_CONTRACTS = 1 / 100;
const MONEY_TO_DOLLARS = 1 / 1_000_000;
const GAIN = P.priceGain;
const INV_SIZE_DECADES = 1 / P.sizeDecades;
const INV_POSITION_DECADES = 1 / P.positionDecades;
const INV_HOLD_DECADES = 1 / Math.log10(1 + P.maxHoldMs / 1000);

/**
 * Scratch, one per thread (buildObservation is synchronous): the history read, and the raw
 * values before clipping — computed in float64, clipped, then stored to float32 once.
 */
const stats = createHistoryStats();
const scratch = new Float64Array(FEATURE_COUNT);
const CLIP_LO = Float64Array.from(FEATURE_CLIP_LO);
const CLIP_HI = Float64Array.from(FEATURE_CLIP_HI);

/** log10(1 + x) × invDecades (= ÷ decades) for x > 0; a negative or NaN x counts as 0. */
function logScale(x: number, invDecades: number): number {
  return x > 0 ? Math.log10(1 + x) * invDecades : 0;
}

/**
 * Write the 52 features of `input` to `out[offset … offset + 51]`. Pure: reads the input (and
 * the history it names) only. See features.ts for each feature's definition.
 */
export function buildObservation(input: ObservationInput, out: Float32Array, offset: number): void {
  const top = input.top;
  const nowMs = input.nowMs;
  const o = offset;
  const raw = scratch;

  // ------------------------------------------------------------------ book
  const yb = top.yesBid;
  const nb = top.noBid;
  const hasBid = yb >= 0 && yb <= 10_000; // NONE (−1) is an empty side
  const hasAsk = nb >= 0 && nb <= 10_000;
  const bid = hasBid ? yb * PRICE_TO_DOLLARS : 0;
  const ask = hasAsk ? (10_000 - nb) * PRICE_TO_DOLLARS : 1; // YES ask = $1 − NO bid
  const noBid = hasAsk ? nb * PRICE_TO_DOLLARS : 0; // the exit price of a NO position
  const mid = (bid + ask) * 0.5;
  const bidSize = hasBid && top.yesBidSize > 0 ? top.yesBidSize * COUNT_TO_CONTRACTS : 0;
  const askSize = hasAsk && top.noBidSize > 0 ? top.noBidSize * COUNT_TO_CONTRACTS : 0;
  const topSize = bidSize + askSize;

  raw[F_YES_BID] = bid;
  raw[F_YES_ASK] = ask;
  raw[F_HAS_YES_BID] = hasBid ? 1 : 0;
  raw[F_HAS_YES_ASK] = hasAsk ? 1 : 0;
  raw[F_MID] = mid;
  raw[F_SPREAD] = (ask - bid) * GAIN;
  raw[F_MICROPRICE_EDGE] =
    hasBid && hasAsk && topSize > 0 ? ((bid * askSize + ask * bidSize) / topSize - mid) * GAIN : 0;
  raw[F_BID_SIZE] = logScale(bidSize, INV_SIZE_DECADES);
  raw[F_ASK_SIZE] = logScale(askSize, INV_SIZE_DECADES);
  raw[F_IMBALANCE_TOP] = topSize > 0 ? (bidSize - askSize) / topSize : 0;

  // Depth over the best `depthLevels` non-empty levels of each bid ladder.
  let bidDepth = 0;
  let bidNotional = 0;
  const yesN = Math.min(input.yesLevels, P.depthLevels, input.yesPrices.length, input.yesSizes.length);
  for (let i = 0; i < yesN; i++) {
    const s = input.yesSizes[i];
    if (s > 0) {
      bidDepth += s;
      bidNotional += s * input.yesPrices[i];
    }
  }
  let askDepth = 0;
  let askNotional = 0; // in NO price
  const noN = Math.min(input.noLevels, P.depthLevels, input.noPrices.length, input.noSizes.length);
  for (let i = 0; i < noN; i++) {
    const s = input.noSizes[i];
    if (s > 0) {
      askDepth += s;
      askNotional += s * input.noPrices[i];
    }
  }
  raw[F_BID_DEPTH] = logScale(bidDepth * COUNT_TO_CONTRACTS, INV_SIZE_DECADES);
  raw[F_ASK_DEPTH] = logScale(askDepth * COUNT_TO_CONTRACTS, INV_SIZE_DECADES);
  raw[F_IMBALANCE_DEPTH] = bidDepth + askDepth > 0 ? (bidDepth - askDepth) / (bidDepth + askDepth) : 0;
  raw[F_BID_VWAP_GAP] = hasBid && bidDepth > 0 ? (yb - bidNotional / bidDepth) * PRICE_TO_DOLLARS * GAIN : 0;
  raw[F_ASK_VWAP_GAP] = hasAsk && askDepth > 0 ? (nb - askNotional / askDepth) * PRICE_TO_DOLLARS * GAIN : 0;
  raw[F_TICK_SIZE] = tickAt(input.meta.grid, (hasBid ? yb : 0) + (hasAsk ? 10_000 - nb : 10_000)) * PRICE_TO_DOLLARS * P.tickGain;

  // ------------------------------------------------------------------ freshness
  raw[F_BOOK_STALE] = top.stale ? 1 : 0;
  let ageS = 0;
  if (top.receiveNs > 0) {
    ageS = (input.nowNs - top.receiveNs) * 1e-9;
    if (!(ageS > 0)) ageS = 0;
    raw[F_BOOK_AGE] = logScale(ageS, 1 / P.ageDecades);
  } else {
    raw[F_BOOK_AGE] = 1;
  }
  raw[F_MESSAGE_LATENCY] =
    top.receiveNs > 0 && top.exchangeTsMs > 0
      ? logScale((nowMs - ageS * 1000 - top.exchangeTsMs) * 0.001, 1 / P.latencyDecades)
      : 0;

  // ------------------------------------------------------------------ market
  const closeMs = input.meta.closeTimeMs;
  if (closeMs > 0) {
    const left = closeMs - nowMs;
    raw[F_TIME_TO_CLOSE] = logScale(left * 0.001, 1 / P.closeDecades);
    raw[F_CLOSING_SOON] = left <= P.closingSoonMs ? 1 : 0;
  } else {
    raw[F_TIME_TO_CLOSE] = 1;
    raw[F_CLOSING_SOON] = 0;
  }

  // ------------------------------------------------------------------ history
  input.history.read(input.market, nowMs, stats);
  const n = stats.count;
  raw[F_HISTORY_FILL] = n / input.history.capacity;
  if (n > 0) {
    const spanMs = nowMs - stats.oldestMs;
    raw[F_UPDATE_RATE] = logScale((n * 1000) / (spanMs > P.rateFloorMs ? spanMs : P.rateFloorMs), 1 / P.rateDecades);
  } else {
    raw[F_UPDATE_RATE] = 0;
  }
  raw[F_ACTIVITY] = logScale((stats.activity * 1000) / P.tauShortMs, 1 / P.rateDecades);
  raw[F_MID_AGE] = stats.hasMid ? logScale((nowMs - stats.midChangedAtMs) * 0.001, 1 / P.midAgeDecades) : 1;
  raw[F_VOLATILITY_SHORT] = Math.sqrt(stats.moveVarShort > 0 ? stats.moveVarShort : 0) * GAIN;
  raw[F_VOLATILITY_LONG] = Math.sqrt(stats.moveVarLong > 0 ? stats.moveVarLong : 0) * GAIN;
  raw[F_MOMENTUM_SHORT] = stats.hasMid ? (stats.mid - stats.midMeanShort) * GAIN : 0;
  raw[F_MOMENTUM_LONG] = stats.hasMid ? (stats.mid - stats.midMeanLong) * GAIN : 0;
  raw[F_WINDOW_RETURN] = stats.windowReturn * GAIN;
  const turns = stats.rises + stats.falls;
  raw[F_MID_DIRECTION] = turns > 0 ? (stats.rises - stats.falls) / turns : 0;
  raw[F_SPREAD_VS_MEAN] = hasBid && hasAsk && stats.spreadCount > 0 ? (ask - bid - stats.spreadMean) * GAIN : 0;
  raw[F_IMBALANCE_MEAN] = stats.hasImbalance ? stats.imbalanceMean : 0;

  // ------------------------------------------------------------------ portfolio
  const pos = input.position;
  const acct = input.account;
  const q = pos.position;
  const side = q > 0 ? 1 : q < 0 ? -1 : 0;
  const contracts = (q < 0 ? -q : q) * COUNT_TO_CONTRACTS;
  const cash = acct.cash * MONEY_TO_DOLLARS;
  const reserve = acct.cashReserve * MONEY_TO_DOLLARS;
  const equity = cash + acct.portfolioValue * MONEY_TO_DOLLARS;
  const cost = (pos.costBasis < 0 ? -pos.costBasis : pos.costBasis) * MONEY_TO_DOLLARS;

  raw[F_POSITION_SIDE] = side;
  raw[F_POSITION_SIZE] = logScale(contracts, INV_POSITION_DECADES);
  if (side !== 0) {
    // The held outcome: YES (bid = YES bid) or NO (bid = NO bid = $1 − YES ask).
    const heldMid = side > 0 ? mid : 1 - mid;
    const exitPrice = side > 0 ? bid : noBid;
    const exitValue = contracts * exitPrice;
    const exitFee = P.exitFeeRate * contracts * exitPrice * (1 - exitPrice);
    const unrealized = exitValue - exitFee - cost;
    raw[F_POSITION_AVG_PRICE] = cost / contracts;
    raw[F_POSITION_EXPOSURE] = equity > 0 ? (contracts * heldMid) / equity : 1;
    raw[F_UNREALIZED_RETURN] = cost > 0 ? unrealized / cost : 0;
    raw[F_UNREALIZED_VS_EQUITY] = equity > 0 ? (unrealized / equity) * P.pnlGain : 0;
    raw[F_TIME_IN_POSITION] =
      pos.positionOpenedAtMs > 0 ? logScale((nowMs - pos.positionOpenedAtMs) * 0.001, INV_HOLD_DECADES) : 0;
  } else {
    raw[F_POSITION_AVG_PRICE] = 0;
    raw[F_POSITION_EXPOSURE] = 0;
    raw[F_UNREALIZED_RETURN] = 0;
    raw[F_UNREALIZED_VS_EQUITY] = 0;
    raw[F_TIME_IN_POSITION] = 0;
  }
  raw[F_MARKET_REALIZED] =
    equity > 0 ? (((pos.realizedPnl - pos.feesPaid) * MONEY_TO_DOLLARS) / equity) * P.pnlGain : 0;
  raw[F_LAST_ORDER_AGE] =
    pos.lastOrderAtMs > 0 ? logScale((nowMs - pos.lastOrderAtMs) * 0.001, 1 / P.orderAgeDecades) : 1;
  const startCash = acct.sessionStartCash * MONEY_TO_DOLLARS;
  raw[F_CASH_VS_START] = startCash > 0 ? cash / startCash - 1 : 0;
  let scale = equity > reserve ? equity : reserve;
  if (!(scale > 1)) scale = 1;
  raw[F_RESERVE_HEADROOM] = (cash - reserve) / scale;
  raw[F_BELOW_RESERVE] = acct.cash < acct.cashReserve ? 1 : 0;
  raw[F_CASH_SHARE] = equity > 0 ? cash / equity : 0;
  const startEquity = startCash + acct.sessionStartPortfolioValue * MONEY_TO_DOLLARS;
  raw[F_SESSION_RETURN] = startEquity > 0 ? (equity / startEquity - 1) * P.pnlGain : 0;
  raw[F_OPENING_ALLOWED] =
    acct.tradingState === TradingState.TRADING &&
    pos.tradingState === MarketTradingState.ACTIVE &&
    pos.breakerState === BreakerState.CLOSED
      ? 1
      : 0;

  // ------------------------------------------------------------------ working order
  const ws = pos.workingSide;
  if (ws === WorkingSide.BID || ws === WorkingSide.ASK) {
    const price = pos.workingPrice * PRICE_TO_DOLLARS; // YES book price
    raw[F_WORKING_SIDE] = ws === WorkingSide.BID ? 1 : -1;
    if (ws === WorkingSide.BID) raw[F_WORKING_DISTANCE] = hasBid ? (bid - price) * GAIN : 1;
    else raw[F_WORKING_DISTANCE] = hasAsk ? (price - ask) * GAIN : 1;
    raw[F_WORKING_REMAINING] = logScale(pos.workingRemaining * COUNT_TO_CONTRACTS, INV_POSITION_DECADES);
    raw[F_WORKING_CLOSING] = (ws === WorkingSide.BID && q < 0) || (ws === WorkingSide.ASK && q > 0) ? 1 : 0;
  } else {
    raw[F_WORKING_SIDE] = 0;
    raw[F_WORKING_DISTANCE] = 0;
    raw[F_WORKING_REMAINING] = 0;
    raw[F_WORKING_CLOSING] = 0;
  }

  // ------------------------------------------------------------------ clip (NaN → lower bound)
  for (let i = 0; i < FEATURE_COUNT; i++) {
    const v = raw[i];
    const lo = CLIP_LO[i];
    const hi = CLIP_HI[i];
    out[o + i] = v > lo ? (v < hi ? v : hi) : lo;
  }
}

/**
 * The grid step at a price given doubled (`mid2` = bid + ask in $0.0001): from the highest level
 * at or below the mid to the next level up (down at the top level). 0 for a one-level grid.
 */
function tickAt(grid: PriceGrid, mid2: number): number {
  const count = grid.levelCount;
  if (count < 2) return 0;
  const floor = grid.snapDown(Math.floor(mid2 / 2));
  let level = floor >= 0 ? grid.levelOf(floor) : 0;
  if (level < 0) level = 0;
  const other = level + 1 < count ? level + 1 : level - 1;
  const d = grid.priceAt(other) - grid.priceAt(level);
  return d < 0 ? -d : d;
}
