/**
 * Markets (OpenAPI `Market`, GET /markets and /markets/{ticker}) and series fee settings
 * (`Series`, GET /series/{ticker}): the fields the host trades on, read strictly.
 *
 * A market's valid prices are its `price_ranges` (kalshi-api.md §5.2) — decoded into the interned
 * `PriceGrid` (price-grid.ts); `price_level_structure` is kept only as a label. Book tops are as
 * Kalshi reports them: an empty side shows bid 0 / ask 1.
 */
import type { Count, Money, Price } from '../../../fixed-point.js';
import { PriceGrid, PriceGridError, type PriceRange } from '../../../price-grid.js';
import {
  asObject, KalshiSchemaError, optPrice, optTimeMs, reqArray, reqBoolean, reqCount, reqEnum, reqId, reqInt, reqMoney,
  reqNumber, reqObject, reqPrice, reqString, reqTimeMs, type JsonObject,
} from '../../decode.js';
import { decodePage, exchangeIndexOf, type Page } from './common.js';

/** REST `Market.status` (§4.3): only `active` accepts new orders. There is no `settled`: settled is `finalized`. */
export const MARKET_STATUSES = ['initialized', 'inactive', 'active', 'closed', 'determined', 'disputed', 'amended', 'finalized'] as const;
export type MarketStatus = (typeof MARKET_STATUSES)[number];

export const MARKET_RESULTS = ['yes', 'no', 'scalar', ''] as const;
export type MarketResult = (typeof MARKET_RESULTS)[number];

export interface Market {
  readonly ticker: string;
  readonly eventTicker: string;
  readonly marketType: 'binary' | 'scalar';
  readonly status: MarketStatus;
  /** Trading opens / closes, ms since the epoch. `closeTimeMs` may move (earlier when `canCloseEarly`). */
  readonly openTimeMs: number;
  readonly closeTimeMs: number;
  readonly expectedExpirationTimeMs: number | undefined;
  readonly latestExpirationTimeMs: number;
  /** Seconds from determination to settlement. */
  readonly settlementTimerSeconds: number;
  readonly canCloseEarly: boolean;
  /** Value of one contract at settlement, µ$ ($1 = 1,000,000 on binary markets). */
  readonly notionalValue: Money;
  /** Best YES bid / ask and NO bid / ask, $0.0001 (empty side: bid 0, ask 10000). */
  readonly yesBid: Price;
  readonly yesAsk: Price;
  readonly noBid: Price;
  readonly noAsk: Price;
  /** Hundredths of a contract at the best YES bid / ask. */
  readonly yesBidSize: Count;
  readonly yesAskSize: Count;
  readonly lastPrice: Price;
  readonly volume: Count;
  readonly volume24h: Count;
  readonly openInterest: Count;
  readonly result: MarketResult;
  /** After determination: the YES side's settlement value, $0.0001. */
  readonly settlementValue: Price | undefined;
  readonly settlementTimeMs: number | undefined;
  /** Until when fees are waived on this market, ms; undefined when no waiver. */
  readonly feeWaiverExpirationMs: number | undefined;
  /** A label only (§5.2); `grid` is the truth. */
  readonly priceLevelStructure: string;
  readonly grid: PriceGrid;
  readonly exchangeIndex: number;
}

const MARKET_TYPES = ['binary', 'scalar'] as const;

export function decodeMarket(v: unknown, path: string): Market {
  const o = asObject(v, path);
  return {
    ticker: reqId(o, 'ticker', path),
    eventTicker: reqId(o, 'event_ticker', path),
    marketType: reqEnum(o, 'market_type', path, MARKET_TYPES),
    status: reqEnum(o, 'status', path, MARKET_STATUSES),
    openTimeMs: reqTimeMs(o, 'open_time', path),
    closeTimeMs: reqTimeMs(o, 'close_time', path),
    expectedExpirationTimeMs: optTimeMs(o, 'expected_expiration_time', path),
    latestExpirationTimeMs: reqTimeMs(o, 'latest_expiration_time', path),
    settlementTimerSeconds: reqInt(o, 'settlement_timer_seconds', path),
    canCloseEarly: reqBoolean(o, 'can_close_early', path),
    notionalValue: reqMoney(o, 'notional_value_dollars', path),
    yesBid: reqPrice(o, 'yes_bid_dollars', path),
    yesAsk: reqPrice(o, 'yes_ask_dollars', path),
    noBid: reqPrice(o, 'no_bid_dollars', path),
    noAsk: reqPrice(o, 'no_ask_dollars', path),
    yesBidSize: reqCount(o, 'yes_bid_size_fp', path),
    yesAskSize: reqCount(o, 'yes_ask_size_fp', path),
    lastPrice: reqPrice(o, 'last_price_dollars', path),
    volume: reqCount(o, 'volume_fp', path),
    volume24h: reqCount(o, 'volume_24h_fp', path),
    openInterest: reqCount(o, 'open_interest_fp', path),
    result: reqEnum(o, 'result', path, MARKET_RESULTS),
    settlementValue: optPrice(o, 'settlement_value_dollars', path),
    settlementTimeMs: optTimeMs(o, 'settlement_ts', path),
    feeWaiverExpirationMs: optTimeMs(o, 'fee_waiver_expiration_time', path),
    priceLevelStructure: reqString(o, 'price_level_structure', path),
    grid: decodePriceGrid(o, 'price_ranges', path),
    exchangeIndex: exchangeIndexOf(o, path),
  };
}

/** `price_ranges` → the interned PriceGrid; a range that is not a valid grid is a KalshiSchemaError too. */
export function decodePriceGrid(o: JsonObject, key: string, path: string): PriceGrid {
  const ranges = reqArray(o, key, path, (r, p): PriceRange => {
    const range = asObject(r, p);
    return { start: reqPrice(range, 'start', p), end: reqPrice(range, 'end', p), step: reqPrice(range, 'step', p) };
  });
  try {
    return PriceGrid.fromRanges(ranges);
  } catch (err) {
    if (!(err instanceof PriceGridError)) throw err;
    const at = `${path}.${key}${err.rangeIndex >= 0 ? `[${err.rangeIndex}]` : ''}`;
    throw new KalshiSchemaError(at, 'ascending, non-overlapping price ranges whose step divides them', err.message);
  }
}

/** GET /markets/{ticker} → `{market}`. */
export function decodeMarketReply(body: unknown): Market {
  return decodeMarket(reqObject(asObject(body, 'reply'), 'market', 'reply'), 'reply.market');
}

/** GET /markets → `{markets, cursor}`. */
export function decodeMarketsPage(body: unknown): Page<Market> {
  return decodePage(body, 'markets', decodeMarket);
}

/** `Series.fee_type` (kalshi-api.md §5.3). */
export const FEE_TYPES = ['quadratic', 'quadratic_with_maker_fees', 'quadratic_with_combo_maker_fees', 'flat'] as const;
export type FeeType = (typeof FEE_TYPES)[number];

/** The fee settings of a series (events may override them: WS `event_fee_update`). */
export interface SeriesFees {
  readonly ticker: string;
  readonly feeType: FeeType;
  /** A multiplier on the fee formula (a ratio, not money; how it composes is UNCONFIRMED, §5.3). */
  readonly feeMultiplier: number;
}

/** GET /series/{ticker} → `{series}`. */
export function decodeSeriesReply(body: unknown): SeriesFees {
  const o = reqObject(asObject(body, 'reply'), 'series', 'reply');
  const path = 'reply.series';
  return {
    ticker: reqId(o, 'ticker', path),
    feeType: reqEnum(o, 'fee_type', path, FEE_TYPES),
    feeMultiplier: reqNumber(o, 'fee_multiplier', path),
  };
}
