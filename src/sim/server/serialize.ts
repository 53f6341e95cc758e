/**
 * Engine state → Kalshi REST JSON, field for field as the OpenAPI 3.31.0 schemas
 * (../shared/specs/kalshi-openapi.yaml) and kalshi-api.md §4–§6 describe.
 *
 * Units in: prices $0.0001, counts hundredths (signed for positions), money µ$, times ms since
 * the epoch. Units out:
 * - `*_dollars` prices: 4 decimals ("0.5600");
 * - `*_dollars` money: 6 decimals on order/fill cost and fee fields (as Kalshi's own examples,
 *   "0.000000"); elsewhere 4 decimals, or 6 when the amount is not a whole $0.0001 (never rounded);
 * - `*_fp` counts: 2 decimals, signed where the field is a position;
 * - `*_time` / `*_ts` strings: RFC 3339 UTC, milliseconds shown only when non-zero;
 * - `updated_ts` / Fill `ts` integers: Unix seconds (the spec says "Unix timestamp" without a
 *   unit; seconds, as the WebSocket `ts` fields — UNCONFIRMED);
 * - cents (`balance`, `portfolio_value`, Settlement `revenue` / `value`): integers, floored.
 *
 * Choices where Kalshi documents nothing (UNCONFIRMED, kept in one place here):
 * - Legacy `side`/`action` of a V2 order or fill: `side` = the outcome bought (bid → yes,
 *   ask → no), `action` = "buy" (a V2 ask is "buy NO at 1 − price", §5.1).
 * - OrderGroup `is_auto_cancel_enabled`: true while the group is active, false once triggered
 *   (until reset) — the only place REST can show the triggered state.
 * - Market `rules_primary`: a sentence built from the title; `expiration_value` "" until
 *   determined; `latest_expiration_time` = the later of close and determination.
 * - An empty side of the book: `yes_bid_dollars` "0.0000" and `yes_ask_dollars` "1.0000" (no NO
 *   bid ⇒ no YES ask), sizes "0.00".
 */
import { formatCount, formatMoney, formatPrice, PRICE_SCALE, type Count, type Money, type Price } from '../../shared/fixed-point.js';
import type { PriceRangeJson } from '../../shared/price-grid.js';
import type {
  EventState,
  FillState,
  MarketState,
  OrderGroupState,
  OrderState,
  PositionState,
  SeriesState,
  SettlementState,
} from '../engine/types.js';
import { userIdOf } from './ids.js';

/** The simulator is a single exchange shard. */
export const EXCHANGE_INDEX = 0;
/** µ$ per cent. */
const MICROS_PER_CENT = 10_000;
/** µ$ per $0.0001. */
const MICROS_PER_TICK = 100;

/** Best prices and sizes of a market's book (bids only, §5.1), as the engine reports them. */
export interface BookTop {
  /** Best YES bid, $0.0001; 0 when there is none. */
  yesBid: Price;
  /** Hundredths at the best YES bid. */
  yesBidSize: Count;
  /** Best YES ask (= 10000 − best NO bid); 10000 when there is none. */
  yesAsk: Price;
  /** Hundredths at the best YES ask (= size of the best NO bid). */
  yesAskSize: Count;
  /** Best NO bid (= 10000 − best YES ask); 0 when there is none. */
  noBid: Price;
  /** Best NO ask (= 10000 − best YES bid); 10000 when there is none. */
  noAsk: Price;
}

/** A top of book with nothing resting. */
export const EMPTY_BOOK_TOP: Readonly<BookTop> = Object.freeze({
  yesBid: 0, yesBidSize: 0, yesAsk: PRICE_SCALE, yesAskSize: 0, noBid: 0, noAsk: PRICE_SCALE,
});

/** A price level: [price $0.0001, size hundredths]. */
export type Level = readonly [price: Price, count: Count];

// ---------------------------------------------------------------------------------------------
// Scalar formatting

/** RFC 3339 UTC: "2026-08-01T12:00:00Z", or "…:00.123Z" when the milliseconds are not zero. */
export function rfc3339(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % 1000 === 0 ? iso.slice(0, 19) + 'Z' : iso;
}

/** Unix seconds of a ms time. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Money for a `*_dollars` field: 4 decimals when exact, else 6. */
export function dollars(m: Money): string {
  return formatMoney(m, m % MICROS_PER_TICK === 0 ? 4 : 6);
}

/** Money with 6 decimals (order and fill cost/fee fields). */
export function dollars6(m: Money): string {
  return formatMoney(m, 6);
}

/** Whole cents, floored (µ$ → ¢). */
export function cents(m: Money): number {
  return Math.floor(m / MICROS_PER_CENT);
}

/** bid → yes, ask → no (§5.1). */
export function outcomeOf(side: 'bid' | 'ask'): 'yes' | 'no' {
  return side === 'bid' ? 'yes' : 'no';
}

// ---------------------------------------------------------------------------------------------
// Markets, events, series, exchange

export function rulesPrimary(m: MarketState): string {
  return `If ${m.yesSubTitle || m.title}, then the market resolves to Yes.`;
}

/** `Market`: every required field, plus the optional ones a live market shows. */
export function marketJson(m: MarketState, book: BookTop): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ticker: m.ticker,
    event_ticker: m.eventTicker,
    market_type: 'binary',
    title: m.title,
    subtitle: '',
    yes_sub_title: m.yesSubTitle,
    no_sub_title: m.noSubTitle,
    created_time: rfc3339(m.createdMs),
    updated_time: rfc3339(m.updatedMs),
    open_time: rfc3339(m.openMs),
    close_time: rfc3339(m.closeMs),
    expected_expiration_time: rfc3339(m.determineMs),
    expiration_time: rfc3339(m.determineMs),
    latest_expiration_time: rfc3339(Math.max(m.closeMs, m.determineMs)),
    settlement_timer_seconds: m.settlementTimerSeconds,
    status: m.status,
    notional_value_dollars: formatPrice(PRICE_SCALE),
    yes_bid_dollars: formatPrice(book.yesBid),
    yes_bid_size_fp: formatCount(book.yesBidSize),
    yes_ask_dollars: formatPrice(book.yesAsk),
    yes_ask_size_fp: formatCount(book.yesAskSize),
    no_bid_dollars: formatPrice(book.noBid),
    no_ask_dollars: formatPrice(book.noAsk),
    last_price_dollars: formatPrice(m.lastPrice),
    previous_yes_bid_dollars: formatPrice(m.previousYesBid),
    previous_yes_ask_dollars: formatPrice(m.previousYesAsk),
    previous_price_dollars: formatPrice(m.previousPrice),
    volume_fp: formatCount(m.volume),
    volume_24h_fp: formatCount(m.volume24h),
    open_interest_fp: formatCount(m.openInterest),
    result: m.result,
    can_close_early: m.canCloseEarly,
    expiration_value: '',
    rules_primary: rulesPrimary(m),
    rules_secondary: '',
    price_level_structure: m.priceLevelStructure,
    price_ranges: m.grid.toPriceRanges(),
    settlement_bounds_type: 'default',
    exchange_index: EXCHANGE_INDEX,
  };
  if (m.result !== '') {
    out.settlement_value_dollars = formatPrice(m.result === 'yes' ? PRICE_SCALE : 0);
    out.expiration_value = m.result;
  }
  if (m.status === 'finalized' && m.settledMs > 0) out.settlement_ts = rfc3339(m.settledMs);
  return out;
}

/** `Series`. */
export function seriesJson(s: SeriesState): Record<string, unknown> {
  return {
    ticker: s.ticker,
    frequency: 'custom',
    title: s.title,
    category: s.category,
    categories: [s.category],
    tags: [],
    settlement_sources: [],
    contract_url: '',
    contract_terms_url: '',
    fee_type: s.feeType,
    fee_multiplier: s.feeMultiplierMilli / 1000,
    additional_prohibitions: [],
    exchange_index: EXCHANGE_INDEX,
  };
}

/** `EventData`; with `markets` (already serialized) when the caller asks for nested markets. */
export function eventJson(e: EventState, markets?: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    event_ticker: e.ticker,
    series_ticker: e.seriesTicker,
    sub_title: e.subTitle,
    title: e.title,
    collateral_return_type: '',
    mutually_exclusive: false,
    settlement_sources: [],
    exchange_index: EXCHANGE_INDEX,
  };
  if (markets !== undefined) out.markets = markets;
  return out;
}

export interface ExchangeStatusInput {
  exchangeActive: boolean;
  tradingActive: boolean;
  /** When a pause is expected to end, ms; omit or 0 for unknown. */
  estimatedResumeMs?: number;
}

/** `ExchangeStatus`. */
export function exchangeStatusJson(s: ExchangeStatusInput): Record<string, unknown> {
  return {
    exchange_active: s.exchangeActive,
    trading_active: s.tradingActive,
    exchange_estimated_resume_time: s.estimatedResumeMs ? rfc3339(s.estimatedResumeMs) : null,
  };
}

/** `GetMarketOrderbookResponse`: each side ascending by its own price, best bid last (§5.1). */
export function orderbookJson(yes: ReadonlyArray<Level>, no: ReadonlyArray<Level>): { orderbook_fp: { yes_dollars: string[][]; no_dollars: string[][] } } {
  return { orderbook_fp: { yes_dollars: levelsJson(yes), no_dollars: levelsJson(no) } };
}

function levelsJson(levels: ReadonlyArray<Level>): string[][] {
  let sorted = levels;
  for (let i = 1; i < levels.length; i++) {
    if (levels[i][0] < levels[i - 1][0]) {
      sorted = [...levels].sort((a, b) => a[0] - b[0]);
      break;
    }
  }
  const out = new Array<string[]>(sorted.length);
  for (let i = 0; i < sorted.length; i++) out[i] = [formatPrice(sorted[i][0]), formatCount(sorted[i][1])];
  return out;
}

/** `Trade` (GET /markets/trades), from the engine's trade event. */
export function tradeJson(market: MarketState, tradeId: string, yesPrice: Price, count: Count, takerSide: 'bid' | 'ask', tsMs: number): Record<string, unknown> {
  const outcome = outcomeOf(takerSide);
  return {
    trade_id: tradeId,
    ticker: market.ticker,
    count_fp: formatCount(count),
    yes_price_dollars: formatPrice(yesPrice),
    no_price_dollars: formatPrice(PRICE_SCALE - yesPrice),
    taker_side: outcome,
    taker_outcome_side: outcome,
    taker_book_side: takerSide,
    created_time: rfc3339(tsMs),
    is_block_trade: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Portfolio

/** `Order`. */
export function orderJson(o: OrderState, market: MarketState): Record<string, unknown> {
  const outcome = outcomeOf(o.side);
  return {
    order_id: o.orderId,
    user_id: userIdOf(o.account),
    client_order_id: o.clientOrderId,
    ticker: market.ticker,
    side: outcome,
    action: 'buy',
    outcome_side: outcome,
    book_side: o.side,
    type: 'limit',
    status: o.status,
    yes_price_dollars: formatPrice(o.price),
    no_price_dollars: formatPrice(PRICE_SCALE - o.price),
    fill_count_fp: formatCount(o.fillCount),
    remaining_count_fp: formatCount(o.remainingCount),
    initial_count_fp: formatCount(o.initialCount),
    taker_fill_cost_dollars: dollars6(o.takerFillCost),
    maker_fill_cost_dollars: dollars6(o.makerFillCost),
    taker_fees_dollars: dollars6(o.takerFees),
    maker_fees_dollars: dollars6(o.makerFees),
    expiration_time: o.expirationMs > 0 ? rfc3339(o.expirationMs) : null,
    created_time: rfc3339(o.createdMs),
    last_update_time: rfc3339(o.updatedMs),
    self_trade_prevention_type: o.selfTradePrevention,
    order_group_id: o.orderGroupId === '' ? null : o.orderGroupId,
    cancel_order_on_pause: o.cancelOnPause,
    exchange_index: EXCHANGE_INDEX,
  };
}

/** `Fill`. */
export function fillJson(f: FillState, market: MarketState): Record<string, unknown> {
  return {
    fill_id: f.fillId,
    exchange_index: EXCHANGE_INDEX,
    trade_id: f.tradeId,
    order_id: f.orderId,
    ticker: market.ticker,
    market_ticker: market.ticker,
    side: f.outcomeSide,
    action: 'buy',
    outcome_side: f.outcomeSide,
    book_side: f.side,
    count_fp: formatCount(f.count),
    yes_price_dollars: formatPrice(f.yesPrice),
    no_price_dollars: formatPrice(PRICE_SCALE - f.yesPrice),
    is_taker: f.isTaker,
    created_time: rfc3339(f.tsMs),
    fee_cost: dollars6(f.fee),
    ts: unixSeconds(f.tsMs),
  };
}

/** `MarketPosition`. */
export function positionJson(p: PositionState, market: MarketState): Record<string, unknown> {
  return {
    ticker: market.ticker,
    exchange_index: EXCHANGE_INDEX,
    total_traded_dollars: dollars(p.totalTraded),
    position_fp: formatCount(p.position),
    market_exposure_dollars: dollars(p.exposure),
    realized_pnl_dollars: dollars(p.realizedPnl),
    fees_paid_dollars: dollars(p.feesPaid),
    last_updated_ts: rfc3339(p.lastUpdatedMs),
  };
}

/**
 * `EventPosition`: the sums over an event's market positions. `total_cost_shares_fp` is the
 * contracts traded on both sides (§6), i.e. the sum of `volume`.
 */
export function eventPositionJson(eventTicker: string, positions: ReadonlyArray<PositionState>): Record<string, unknown> {
  let cost = 0;
  let shares = 0;
  let exposure = 0;
  let realized = 0;
  let fees = 0;
  for (const p of positions) {
    cost += p.totalTraded;
    shares += p.volume;
    exposure += p.exposure;
    realized += p.realizedPnl;
    fees += p.feesPaid;
  }
  return {
    event_ticker: eventTicker,
    total_cost_dollars: dollars(cost),
    total_cost_shares_fp: formatCount(shares),
    event_exposure_dollars: dollars(exposure),
    realized_pnl_dollars: dollars(realized),
    fees_paid_dollars: dollars(fees),
  };
}

/** `Settlement`: `revenue` and `value` (payout per YES contract) in integer cents. */
export function settlementJson(s: SettlementState, market: MarketState): Record<string, unknown> {
  return {
    ticker: market.ticker,
    exchange_index: EXCHANGE_INDEX,
    event_ticker: market.eventTicker,
    market_result: s.result,
    yes_count_fp: formatCount(s.yesCount),
    yes_total_cost_dollars: dollars(s.yesTotalCost),
    no_count_fp: formatCount(s.noCount),
    no_total_cost_dollars: dollars(s.noTotalCost),
    revenue: cents(s.revenue),
    settled_time: rfc3339(s.settledMs),
    fee_cost: dollars(s.fee),
    value: s.result === 'yes' ? 100 : 0,
  };
}

/** `GetBalanceResponse`: cash and portfolio value in µ$. */
export function balanceJson(cash: Money, portfolioValue: Money, nowMs: number): Record<string, unknown> {
  return {
    balance: cents(cash),
    balance_dollars: dollars(cash),
    portfolio_value: cents(portfolioValue),
    updated_ts: unixSeconds(nowMs),
    balance_breakdown: [{ exchange_index: EXCHANGE_INDEX, balance: dollars(cash) }],
  };
}

/** `OrderGroup` (an element of GET /portfolio/order_groups). */
export function orderGroupJson(g: OrderGroupState): Record<string, unknown> {
  return {
    id: g.id,
    contracts_limit_fp: formatCount(g.limit),
    is_auto_cancel_enabled: !g.triggered,
    exchange_index: EXCHANGE_INDEX,
  };
}

/** `GetOrderGroupResponse`: the group and the ids of its orders. */
export function orderGroupDetailJson(g: OrderGroupState, orderIds: ReadonlyArray<string>): Record<string, unknown> {
  return {
    is_auto_cancel_enabled: !g.triggered,
    contracts_limit_fp: formatCount(g.limit),
    orders: [...orderIds],
    exchange_index: EXCHANGE_INDEX,
  };
}

/** `CreateOrderGroupResponse`. */
export function createOrderGroupJson(g: OrderGroupState): Record<string, unknown> {
  return { order_group_id: g.id, subaccount: 0, exchange_index: EXCHANGE_INDEX };
}

// ---------------------------------------------------------------------------------------------
// Errors

export interface ErrorBody {
  error: { code: string; message: string; details?: string };
}

/** Kalshi's error body `{"error":{"code","message","details"?}}` (§4.2). */
export function errorBody(code: string, message: string, details?: string): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** The 429 body: a bare string, not the usual object (§4.1). */
export const TOO_MANY_REQUESTS_BODY: Readonly<{ error: 'too many requests' }> = Object.freeze({ error: 'too many requests' });

/** `price_ranges` of a market (for WS lifecycle frames, which carry the same objects). */
export function priceRangesOf(m: MarketState): PriceRangeJson[] {
  return m.grid.toPriceRanges();
}
