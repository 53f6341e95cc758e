/**
 * Typed, exact decoding of the WebSocket frames that are not orderbook frames (cold path): the
 * data channels of kalshi-api.md §2.5–2.11 and the command replies of §2.2, from the value
 * `JSON.parse` made of a frame the orderbook parser classified as `Other`.
 *
 * Units (../../fixed-point.ts): prices in $0.0001 units, counts in hundredths of a contract
 * (signed for positions), money in µ$; every time in ms since the epoch (Kalshi's second fields
 * `open_ts`, `close_ts`, … are multiplied by 1000, the field name says `Ms`).
 *
 * Required fields follow the AsyncAPI `required` lists (../shared/specs/kalshi-asyncapi.yaml),
 * except deprecated fields (`ts`, `time`, `side`, `action`, `purchased_side`, `taker_side`,
 * `is_yes`, `created_time`, …), which are neither required nor read: Kalshi removes deprecated
 * fields in stages. Unknown extra keys are ignored. Every failure — a missing required field, a
 * wrong type, a bad fixed-point string, an unknown enum value — is a `KalshiSchemaError` naming
 * the field's path (e.g. `fill.msg.count_fp`); the caller counts and logs it at a limited rate.
 *
 * Deliberate leniency, where strictness would drop a frame the host must see:
 * - `user_order.last_update_reason` is kept as sent (`lastUpdateReason: string`): the spec's list
 *   has no value for an order-group cancel, which Kalshi does send (UNCONFIRMED spelling);
 *   `isKnownLastUpdateReason` tells the listed values apart.
 * - `error.msg.code` is any integer: codes get retired and added (6, 16, 17 retired in the newest
 *   spec), and an error reply must never be lost; `terminal` says whether to resubscribe.
 *
 * Extra checks beyond the spec, on invariants the docs state: `outcome_side`/`book_side`
 * (and `taker_outcome_side`/`taker_book_side`) carry the same bit (bid ≡ yes); a trade's
 * `no_price_dollars` is 1 − `yes_price_dollars`; `order_group_updates` `created` and
 * `limit_updated` carry `contracts_limit_fp`; `price_level_structure_updated` carries
 * `price_level_structure` and `price_ranges`.
 */
import type { Count, Money, Price } from '../../fixed-point.js';
import { PRICE_SCALE } from '../../fixed-point.js';
import {
  KalshiSchemaError,
  asObject,
  optArray,
  optBoolean,
  optCount,
  optEnum,
  optInt,
  optNumber,
  optObject,
  optString,
  reqArray,
  reqBoolean,
  reqCount,
  reqEnum,
  reqId,
  reqInt,
  reqMoney,
  reqObject,
  reqPrice,
  reqSignedCount,
  reqString,
  show,
  optPrice,
  type JsonObject,
} from '../decode.js';

// ---------------------------------------------------------------------------------------------
// Enums (AsyncAPI components.schemas)

export const OUTCOME_SIDES = ['yes', 'no'] as const;
export type OutcomeSide = (typeof OUTCOME_SIDES)[number];
export const BOOK_SIDES = ['bid', 'ask'] as const;
export type BookSideName = (typeof BOOK_SIDES)[number];

export const ORDER_STATUSES = ['resting', 'canceled', 'executed', 'unknown'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const SELF_TRADE_PREVENTION_TYPES = ['taker_at_cross', 'maker'] as const;
export type SelfTradePreventionType = (typeof SELF_TRADE_PREVENTION_TYPES)[number];

/** `lastUpdateReason` as the spec lists it (see the module comment: not enforced). */
export const LAST_UPDATE_REASONS = [
  'Decrease', 'Amend', 'MarginCancel', 'SelfTradeCancel', 'ExpiryCancel', 'CloseCancel', 'HaltCancel', 'Trade', 'PostOnlyCrossCancel', 'ReduceOnlyCancel',
] as const;
export type LastUpdateReason = (typeof LAST_UPDATE_REASONS)[number];
export function isKnownLastUpdateReason(reason: string): reason is LastUpdateReason {
  return (LAST_UPDATE_REASONS as readonly string[]).includes(reason);
}

export const ORDER_GROUP_EVENT_TYPES = ['created', 'triggered', 'reset', 'deleted', 'limit_updated'] as const;
export type OrderGroupEventType = (typeof ORDER_GROUP_EVENT_TYPES)[number];

/** `market_lifecycle_v2` event types, with `metadata_updated` (its own message in the spec). */
export const MARKET_LIFECYCLE_EVENT_TYPES = [
  'created', 'activated', 'deactivated', 'close_date_updated', 'determined', 'settled', 'price_level_structure_updated', 'metadata_updated',
] as const;
export type MarketLifecycleEventType = (typeof MARKET_LIFECYCLE_EVENT_TYPES)[number];
/** `multivariate_market_lifecycle` event types. */
export const MULTIVARIATE_LIFECYCLE_EVENT_TYPES = ['created', 'activated', 'deactivated', 'close_date_updated', 'determined', 'settled'] as const;

/** `lifecyclePriceLevelStructure`; '' is Kalshi's "unknown structure". */
export const PRICE_LEVEL_STRUCTURE_NAMES = [
  'banded_centi_cent', '', 'linear_cent', 'deci_cent', 'tapered_deci_cent', 'center_whole_edge_half_cent', 'center_whole_edge_quint_cent',
  'center_half_edge_half_cent', 'center_half_edge_quint_cent', 'center_half_edge_deci_cent', 'center_quint_edge_quint_cent',
  'center_quint_edge_deci_cent', 'center_centi_edge_centi_cent', 'center_deci_edge_centi_cent',
] as const;
export type PriceLevelStructureName = (typeof PRICE_LEVEL_STRUCTURE_NAMES)[number];

/** A determined market's `result`: the WS spec says only "string"; these are REST `Market.result`'s values. */
export const MARKET_RESULTS = ['yes', 'no', 'scalar', ''] as const;
export type MarketResult = (typeof MARKET_RESULTS)[number];

export const COLLATERAL_RETURN_TYPES = ['MECNET', 'DIRECNET', ''] as const;
export type CollateralReturnType = (typeof COLLATERAL_RETURN_TYPES)[number];

export const FEE_TYPE_OVERRIDES = ['quadratic', 'quadratic_with_maker_fees', 'quadratic_with_combo_maker_fees', 'flat', 'margin_market_maker_program_fees'] as const;
export type FeeTypeOverride = (typeof FEE_TYPE_OVERRIDES)[number];

// ---------------------------------------------------------------------------------------------
// Channel events

/** `ticker` (§2.5; no seq). */
export interface TickerEvent {
  type: 'ticker';
  sid: number;
  seq?: number;
  marketTicker: string;
  marketId: string;
  /** Last trade price. */
  price: Price;
  yesBid: Price;
  yesAsk: Price;
  yesBidSize: Count;
  yesAskSize: Count;
  lastTradeSize: Count;
  volume: Count;
  openInterest: Count;
  /** Whole dollars, signed (Kalshi does not define them further). */
  dollarVolume: number;
  dollarOpenInterest: number;
  tsMs: number;
}

/** `trade` (§2.6; sequenced). */
export interface TradeEvent {
  type: 'trade';
  sid: number;
  seq: number;
  tradeId: string;
  marketTicker: string;
  yesPrice: Price;
  noPrice: Price;
  count: Count;
  takerOutcomeSide: OutcomeSide;
  takerBookSide: BookSideName;
  isBlockTrade: boolean;
  tsMs: number;
}

/** `fill` (§2.7; no seq). */
export interface FillEvent {
  type: 'fill';
  sid: number;
  seq?: number;
  tradeId: string;
  orderId: string;
  clientOrderId?: string;
  marketTicker: string;
  exchangeIndex: number;
  isTaker: boolean;
  yesPrice: Price;
  count: Count;
  /** `fee_cost`: the fee of this fill (dollars, 6 dp) in µ$. */
  fee: Money;
  outcomeSide: OutcomeSide;
  bookSide: BookSideName;
  /** Signed position after the fill: + YES, − NO. */
  postPosition: Count;
  tsMs: number;
  subaccount?: number;
}

/** `market_position` (§2.8; channel `market_positions`; no seq). */
export interface MarketPositionEvent {
  type: 'market_position';
  sid: number;
  seq?: number;
  userId: string;
  marketTicker: string;
  /** Signed: + YES, − NO. */
  position: Count;
  positionCost: Money;
  realizedPnl: Money;
  feesPaid: Money;
  positionFeeCost: Money;
  volume: Count;
  subaccount?: number;
}

/** `user_order` (§2.9; no seq). `marketTicker` is the frame's `ticker`. */
export interface UserOrderEvent {
  type: 'user_order';
  sid: number;
  seq?: number;
  orderId: string;
  userId: string;
  marketTicker: string;
  exchangeIndex: number;
  status: OrderStatus;
  outcomeSide: OutcomeSide;
  bookSide: BookSideName;
  yesPrice: Price;
  fillCount: Count;
  remainingCount: Count;
  initialCount: Count;
  takerFillCost: Money;
  makerFillCost: Money;
  takerFees: Money;
  makerFees: Money;
  /** As sent; may be '' for an order placed without one. */
  clientOrderId: string;
  orderGroupId?: string;
  selfTradePrevention?: SelfTradePreventionType;
  /** Required by the spec but nullable. */
  createdTsMs: number | null;
  lastUpdatedTsMs?: number;
  expirationTsMs?: number;
  /** As sent (not checked against LAST_UPDATE_REASONS; see the module comment). */
  lastUpdateReason?: string;
  subaccount?: number;
}

/** `order_group_updates` (§2.11; sequenced). */
export interface OrderGroupUpdateEvent {
  type: 'order_group_updates';
  sid: number;
  seq: number;
  eventType: OrderGroupEventType;
  orderGroupId: string;
  /** Present (and required) for `created` and `limit_updated`. */
  contractsLimit?: Count;
  tsMs: number;
}

/** One `price_ranges` band: start, start + step, …, end. */
export interface PriceRangeEvent {
  start: Price;
  end: Price;
  step: Price;
}

/** `additional_metadata` of a `created` lifecycle event. */
export interface LifecycleMetadata {
  name: string;
  title: string;
  yesSubTitle: string;
  noSubTitle: string;
  rulesPrimary: string;
  rulesSecondary: string;
  canCloseEarly: boolean;
  eventTicker: string;
  expectedExpirationTsMs: number;
  strikeType?: string;
  floorStrike?: number;
  capStrike?: number;
  customStrike?: JsonObject;
}

/**
 * `market_lifecycle_v2` (§2.10; sequenced), also `multivariate_market_lifecycle` (same shape).
 * Optional keys appear only for the event they belong to.
 */
export interface MarketLifecycleEvent {
  type: 'market_lifecycle_v2' | 'multivariate_market_lifecycle';
  sid: number;
  seq: number;
  marketTicker: string;
  eventType: MarketLifecycleEventType;
  exchangeIndex?: number;
  openTsMs?: number;
  closeTsMs?: number;
  determinationTsMs?: number;
  settledTsMs?: number;
  result?: MarketResult;
  settlementValue?: Price;
  isDeactivated?: boolean;
  additionalMetadata?: LifecycleMetadata;
  priceLevelStructure?: PriceLevelStructureName;
  priceRanges?: PriceRangeEvent[];
  // metadata_updated
  strikeType?: string;
  floorStrike?: number;
  capStrike?: number;
  customStrike?: JsonObject;
  yesSubTitle?: string;
}

/** `event_lifecycle` (on market_lifecycle_v2; sequenced): an event was created. */
export interface EventLifecycleEvent {
  type: 'event_lifecycle';
  sid: number;
  seq: number;
  eventTicker: string;
  exchangeIndex: number;
  title: string;
  subtitle: string;
  collateralReturnType: CollateralReturnType;
  seriesTicker: string;
  strikeDateMs?: number;
  strikePeriod?: string;
}

/** `event_fee_update` (on market_lifecycle_v2; sequenced); both overrides null when cleared. */
export interface EventFeeUpdateEvent {
  type: 'event_fee_update';
  sid: number;
  seq: number;
  eventTicker: string;
  feeTypeOverride: FeeTypeOverride | null;
  feeMultiplierOverride: number | null;
}

export type ChannelEvent =
  | TickerEvent
  | TradeEvent
  | FillEvent
  | MarketPositionEvent
  | UserOrderEvent
  | OrderGroupUpdateEvent
  | MarketLifecycleEvent
  | EventLifecycleEvent
  | EventFeeUpdateEvent;

export type ChannelEventType = ChannelEvent['type'];
export const CHANNEL_EVENT_TYPES: readonly ChannelEventType[] = [
  'ticker', 'trade', 'fill', 'market_position', 'user_order', 'order_group_updates',
  'market_lifecycle_v2', 'multivariate_market_lifecycle', 'event_lifecycle', 'event_fee_update',
];

// ---------------------------------------------------------------------------------------------
// Decoding

/** The parsed JSON of a non-orderbook data frame → a typed event. Throws KalshiSchemaError. */
export function parseChannelEvent(frame: unknown): ChannelEvent {
  const f = asObject(frame, 'frame');
  const type = reqEnum(f, 'type', 'frame', CHANNEL_EVENT_TYPES);
  const p = type; // paths read `fill.msg.count_fp`
  const sid = reqInt(f, 'sid', p);
  const msg = reqObject(f, 'msg', p);
  const m = `${p}.msg`;
  switch (type) {
    case 'ticker':
      return withSeq<TickerEvent>(f, p, {
        type, sid,
        marketTicker: reqId(msg, 'market_ticker', m),
        marketId: reqId(msg, 'market_id', m),
        price: reqPrice(msg, 'price_dollars', m),
        yesBid: reqPrice(msg, 'yes_bid_dollars', m),
        yesAsk: reqPrice(msg, 'yes_ask_dollars', m),
        yesBidSize: reqCount(msg, 'yes_bid_size_fp', m),
        yesAskSize: reqCount(msg, 'yes_ask_size_fp', m),
        lastTradeSize: reqCount(msg, 'last_trade_size_fp', m),
        volume: reqCount(msg, 'volume_fp', m),
        openInterest: reqCount(msg, 'open_interest_fp', m),
        dollarVolume: reqInt(msg, 'dollar_volume', m),
        dollarOpenInterest: reqInt(msg, 'dollar_open_interest', m),
        tsMs: reqTsMs(msg, 'ts_ms', m),
      });
    case 'trade': {
      const yesPrice = reqPrice(msg, 'yes_price_dollars', m);
      const noPrice = reqPrice(msg, 'no_price_dollars', m);
      if (yesPrice + noPrice !== PRICE_SCALE) throw new KalshiSchemaError(`${m}.no_price_dollars`, '1 − yes_price_dollars', show(msg.no_price_dollars));
      const takerOutcomeSide = reqEnum(msg, 'taker_outcome_side', m, OUTCOME_SIDES);
      return {
        type, sid,
        seq: reqInt(f, 'seq', p),
        tradeId: reqId(msg, 'trade_id', m),
        marketTicker: reqId(msg, 'market_ticker', m),
        yesPrice, noPrice,
        count: reqCount(msg, 'count_fp', m),
        takerOutcomeSide,
        takerBookSide: bookSideOf(msg, 'taker_book_side', m, takerOutcomeSide),
        isBlockTrade: reqBoolean(msg, 'is_block_trade', m),
        tsMs: reqTsMs(msg, 'ts_ms', m),
      };
    }
    case 'fill': {
      const outcomeSide = reqEnum(msg, 'outcome_side', m, OUTCOME_SIDES);
      return withSeq<FillEvent>(f, p, {
        type, sid,
        tradeId: reqId(msg, 'trade_id', m),
        orderId: reqId(msg, 'order_id', m),
        ...opt('clientOrderId', optString(msg, 'client_order_id', m)),
        marketTicker: reqId(msg, 'market_ticker', m),
        exchangeIndex: reqInt(msg, 'exchange_index', m),
        isTaker: reqBoolean(msg, 'is_taker', m),
        yesPrice: reqPrice(msg, 'yes_price_dollars', m),
        count: reqCount(msg, 'count_fp', m),
        fee: reqMoney(msg, 'fee_cost', m),
        outcomeSide,
        bookSide: bookSideOf(msg, 'book_side', m, outcomeSide),
        postPosition: reqSignedCount(msg, 'post_position_fp', m),
        tsMs: reqTsMs(msg, 'ts_ms', m),
        ...opt('subaccount', optInt(msg, 'subaccount', m)),
      });
    }
    case 'market_position':
      return withSeq<MarketPositionEvent>(f, p, {
        type, sid,
        userId: reqId(msg, 'user_id', m),
        marketTicker: reqId(msg, 'market_ticker', m),
        position: reqSignedCount(msg, 'position_fp', m),
        positionCost: reqMoney(msg, 'position_cost_dollars', m),
        realizedPnl: reqMoney(msg, 'realized_pnl_dollars', m),
        feesPaid: reqMoney(msg, 'fees_paid_dollars', m),
        positionFeeCost: reqMoney(msg, 'position_fee_cost_dollars', m),
        volume: reqCount(msg, 'volume_fp', m),
        ...opt('subaccount', optInt(msg, 'subaccount', m)),
      });
    case 'user_order': {
      const outcomeSide = reqEnum(msg, 'outcome_side', m, OUTCOME_SIDES);
      return withSeq<UserOrderEvent>(f, p, {
        type, sid,
        orderId: reqId(msg, 'order_id', m),
        userId: reqId(msg, 'user_id', m),
        marketTicker: reqId(msg, 'ticker', m),
        exchangeIndex: reqInt(msg, 'exchange_index', m),
        status: reqEnum(msg, 'status', m, ORDER_STATUSES),
        outcomeSide,
        bookSide: bookSideOf(msg, 'book_side', m, outcomeSide),
        yesPrice: reqPrice(msg, 'yes_price_dollars', m),
        fillCount: reqCount(msg, 'fill_count_fp', m),
        remainingCount: reqCount(msg, 'remaining_count_fp', m),
        initialCount: reqCount(msg, 'initial_count_fp', m),
        takerFillCost: reqMoney(msg, 'taker_fill_cost_dollars', m),
        makerFillCost: reqMoney(msg, 'maker_fill_cost_dollars', m),
        takerFees: reqMoney(msg, 'taker_fees_dollars', m),
        makerFees: reqMoney(msg, 'maker_fees_dollars', m),
        clientOrderId: reqString(msg, 'client_order_id', m),
        ...opt('orderGroupId', optString(msg, 'order_group_id', m)),
        ...opt('selfTradePrevention', optEnum(msg, 'self_trade_prevention_type', m, SELF_TRADE_PREVENTION_TYPES)),
        createdTsMs: reqNullable(msg, 'created_ts_ms', m, () => reqTsMs(msg, 'created_ts_ms', m)),
        ...opt('lastUpdatedTsMs', optTsMs(msg, 'last_updated_ts_ms', m)),
        ...opt('expirationTsMs', optTsMs(msg, 'expiration_ts_ms', m)),
        ...opt('lastUpdateReason', optString(msg, 'last_update_reason', m)),
        ...opt('subaccount', optInt(msg, 'subaccount_number', m)),
      });
    }
    case 'order_group_updates': {
      const eventType = reqEnum(msg, 'event_type', m, ORDER_GROUP_EVENT_TYPES);
      const needsLimit = eventType === 'created' || eventType === 'limit_updated';
      return {
        type, sid,
        seq: reqInt(f, 'seq', p),
        eventType,
        orderGroupId: reqId(msg, 'order_group_id', m),
        ...opt('contractsLimit', needsLimit ? reqCount(msg, 'contracts_limit_fp', m) : optCount(msg, 'contracts_limit_fp', m)),
        tsMs: reqTsMs(msg, 'ts_ms', m),
      };
    }
    case 'market_lifecycle_v2':
    case 'multivariate_market_lifecycle':
      return marketLifecycle(type, sid, reqInt(f, 'seq', p), msg, m);
    case 'event_lifecycle':
      return {
        type, sid,
        seq: reqInt(f, 'seq', p),
        eventTicker: reqId(msg, 'event_ticker', m),
        exchangeIndex: reqInt(msg, 'exchange_index', m),
        title: reqString(msg, 'title', m),
        subtitle: reqString(msg, 'subtitle', m),
        collateralReturnType: reqEnum(msg, 'collateral_return_type', m, COLLATERAL_RETURN_TYPES),
        seriesTicker: reqId(msg, 'series_ticker', m),
        ...opt('strikeDateMs', optSecondsAsMs(msg, 'strike_date', m)),
        ...opt('strikePeriod', optString(msg, 'strike_period', m)),
      };
    case 'event_fee_update':
      return {
        type, sid,
        seq: reqInt(f, 'seq', p),
        eventTicker: reqId(msg, 'event_ticker', m),
        feeTypeOverride: reqNullable(msg, 'fee_type_override', m, () => reqEnum(msg, 'fee_type_override', m, FEE_TYPE_OVERRIDES)),
        feeMultiplierOverride: reqNullable(msg, 'fee_multiplier_override', m, () => nonNegative(msg, 'fee_multiplier_override', m)),
      };
  }
}

function marketLifecycle(type: MarketLifecycleEvent['type'], sid: number, seq: number, msg: JsonObject, m: string): MarketLifecycleEvent {
  const eventType =
    type === 'market_lifecycle_v2'
      ? reqEnum(msg, 'event_type', m, MARKET_LIFECYCLE_EVENT_TYPES)
      : reqEnum(msg, 'event_type', m, MULTIVARIATE_LIFECYCLE_EVENT_TYPES);
  const structureRequired = eventType === 'price_level_structure_updated';
  const metadata = optObject(msg, 'additional_metadata', m);
  return {
    type, sid, seq,
    marketTicker: reqId(msg, 'market_ticker', m),
    eventType,
    ...opt('exchangeIndex', optInt(msg, 'exchange_index', m)),
    ...opt('openTsMs', optSecondsAsMs(msg, 'open_ts', m)),
    ...opt('closeTsMs', optSecondsAsMs(msg, 'close_ts', m)),
    ...opt('determinationTsMs', optSecondsAsMs(msg, 'determination_ts', m)),
    ...opt('settledTsMs', optSecondsAsMs(msg, 'settled_ts', m)),
    ...opt('result', optEnum(msg, 'result', m, MARKET_RESULTS)),
    ...opt('settlementValue', optPrice(msg, 'settlement_value', m)),
    ...opt('isDeactivated', optBoolean(msg, 'is_deactivated', m)),
    ...opt('additionalMetadata', metadata === undefined ? undefined : lifecycleMetadata(metadata, `${m}.additional_metadata`)),
    ...opt(
      'priceLevelStructure',
      structureRequired ? reqEnum(msg, 'price_level_structure', m, PRICE_LEVEL_STRUCTURE_NAMES) : optEnum(msg, 'price_level_structure', m, PRICE_LEVEL_STRUCTURE_NAMES),
    ),
    ...opt('priceRanges', structureRequired ? reqArray(msg, 'price_ranges', m, priceRange) : optRanges(msg, m)),
    ...opt('strikeType', optString(msg, 'strike_type', m)),
    ...opt('floorStrike', optNumber(msg, 'floor_strike', m)),
    ...opt('capStrike', optNumber(msg, 'cap_strike', m)),
    ...opt('customStrike', optObject(msg, 'custom_strike', m)),
    ...opt('yesSubTitle', optString(msg, 'yes_sub_title', m)),
  };
}

function optRanges(msg: JsonObject, m: string): PriceRangeEvent[] | undefined {
  const v = msg.price_ranges;
  return v === undefined || v === null ? undefined : optArray(msg, 'price_ranges', m, priceRange);
}

function priceRange(v: unknown, path: string): PriceRangeEvent {
  const o = asObject(v, path);
  const start = reqPrice(o, 'start', path);
  const end = reqPrice(o, 'end', path);
  const step = reqPrice(o, 'step', path);
  if (step === 0) throw new KalshiSchemaError(`${path}.step`, 'a positive tick size', show(o.step));
  if (end < start) throw new KalshiSchemaError(`${path}.end`, 'a price ≥ start', show(o.end));
  return { start, end, step };
}

function lifecycleMetadata(o: JsonObject, p: string): LifecycleMetadata {
  return {
    name: reqString(o, 'name', p),
    title: reqString(o, 'title', p),
    yesSubTitle: reqString(o, 'yes_sub_title', p),
    noSubTitle: reqString(o, 'no_sub_title', p),
    rulesPrimary: reqString(o, 'rules_primary', p),
    rulesSecondary: reqString(o, 'rules_secondary', p),
    canCloseEarly: reqBoolean(o, 'can_close_early', p),
    eventTicker: reqId(o, 'event_ticker', p),
    expectedExpirationTsMs: secondsAsMs(reqInt(o, 'expected_expiration_ts', p), `${p}.expected_expiration_ts`),
    ...opt('strikeType', optString(o, 'strike_type', p)),
    ...opt('floorStrike', optNumber(o, 'floor_strike', p)),
    ...opt('capStrike', optNumber(o, 'cap_strike', p)),
    ...opt('customStrike', optObject(o, 'custom_strike', p)),
  };
}

// ---------------------------------------------------------------------------------------------
// Command replies (§2.2)

export interface SubscribedFrame {
  type: 'subscribed';
  id?: number;
  channel: string;
  sid: number;
}

export interface UnsubscribedFrame {
  type: 'unsubscribed';
  id?: number;
  sid: number;
  seq: number;
}

/** `ok` after `update_subscription` (the full market list unless `skip_ticker_ack`). */
export interface OkFrame {
  type: 'ok';
  id?: number;
  sid?: number;
  seq?: number;
  marketTickers?: string[];
  marketIds?: string[];
  /** CF Benchmarks / Pyth subscriptions only. */
  indexIds?: string[];
  underlyingTickers?: string[];
}

/** The reply to `list_subscriptions`: on the wire `type:"ok"` with an array `msg`. */
export interface ListSubscriptionsFrame {
  type: 'list_subscriptions';
  id?: number;
  subscriptions: Array<{ channel: string; sid: number }>;
}

export interface ErrorFrame {
  type: 'error';
  id?: number;
  sid?: number;
  seq?: number;
  code: number;
  message: string;
  marketTicker?: string;
  marketTickers?: string[];
  /** The subscription is gone and must be re-established (codes 10, 25; 17 in the Aug-2026 spec). */
  terminal: boolean;
}

export type ControlFrame = SubscribedFrame | UnsubscribedFrame | OkFrame | ListSubscriptionsFrame | ErrorFrame;

/** Wire `type`s of command replies. */
export const CONTROL_TYPES = ['subscribed', 'unsubscribed', 'ok', 'error'] as const;
export type ControlType = (typeof CONTROL_TYPES)[number];

/** WebSocket error codes (§2.2; AsyncAPI x-error-codes; 6, 16, 17 retired but kept for older servers). */
export const WS_ERROR_CODES: Readonly<Record<number, string>> = Object.freeze({
  1: 'Unable to process message', 2: 'Params required', 3: 'Channels required', 4: 'Subscription IDs required',
  5: 'Unknown command', 6: 'Already subscribed (retired)', 7: 'Unknown subscription ID', 8: 'Unknown channel name',
  9: 'Authentication required', 10: 'Channel error', 11: 'Invalid parameter', 12: 'Exactly one subscription ID is required',
  13: 'Unsupported action', 14: 'Market Ticker required', 15: 'Action required', 16: 'Market not found (retired)',
  17: 'Internal error (retired)', 18: 'Command timeout', 19: 'shard_factor must be > 0',
  20: 'shard_factor is required when shard_key is set', 21: 'shard_key must be >= 0 and < shard_factor',
  22: 'shard_factor must be <= 100', 23: 'Match IDs required', 24: 'Index IDs required', 25: 'Subscription buffer overflow',
  26: 'Subscription market limit exceeded', 27: 'Too many requests', 28: 'Underlying tickers required',
});

/** Codes after which the subscription must be re-established (§2.12). */
export const TERMINAL_ERROR_CODES: readonly number[] = [10, 17, 25];

/** The parsed JSON of a command reply → a typed frame. Throws KalshiSchemaError. */
export function parseControlFrame(frame: unknown): ControlFrame {
  const f = asObject(frame, 'frame');
  const type = reqEnum(f, 'type', 'frame', CONTROL_TYPES);
  const p = type;
  const id = optInt(f, 'id', p);
  switch (type) {
    case 'subscribed': {
      const msg = reqObject(f, 'msg', p);
      return { type, ...opt('id', id), channel: reqId(msg, 'channel', `${p}.msg`), sid: reqInt(msg, 'sid', `${p}.msg`) };
    }
    case 'unsubscribed':
      return { type, ...opt('id', id), sid: reqInt(f, 'sid', p), seq: reqInt(f, 'seq', p) };
    case 'ok': {
      if (Array.isArray(f.msg)) {
        return {
          type: 'list_subscriptions',
          ...opt('id', id),
          subscriptions: reqArray(f, 'msg', p, (v, path) => {
            const s = asObject(v, path);
            return { channel: reqId(s, 'channel', path), sid: reqInt(s, 'sid', path) };
          }),
        };
      }
      const msg = optObject(f, 'msg', p);
      const m = `${p}.msg`;
      return {
        type,
        ...opt('id', id),
        ...opt('sid', optInt(f, 'sid', p)),
        ...opt('seq', optInt(f, 'seq', p)),
        ...(msg === undefined
          ? {}
          : {
              ...opt('marketTickers', optStrings(msg, 'market_tickers', m)),
              ...opt('marketIds', optStrings(msg, 'market_ids', m)),
              ...opt('indexIds', optStrings(msg, 'index_ids', m)),
              ...opt('underlyingTickers', optStrings(msg, 'underlying_tickers', m)),
            }),
      };
    }
    case 'error': {
      const msg = reqObject(f, 'msg', p);
      const m = `${p}.msg`;
      const code = reqInt(msg, 'code', m);
      return {
        type,
        ...opt('id', id),
        ...opt('sid', optInt(f, 'sid', p)),
        ...opt('seq', optInt(f, 'seq', p)),
        code,
        message: reqString(msg, 'msg', m),
        ...opt('marketTicker', optString(msg, 'market_ticker', m)),
        ...opt('marketTickers', optStrings(msg, 'market_tickers', m)),
        terminal: TERMINAL_ERROR_CODES.includes(code),
      };
    }
  }
}

export type ServerFrame = ControlFrame | ChannelEvent;

/** A command reply or a channel event, by `type` (the orderbook types are not handled here). */
export function parseServerFrame(frame: unknown): ServerFrame {
  const f = asObject(frame, 'frame');
  return (CONTROL_TYPES as readonly unknown[]).includes(f.type) ? parseControlFrame(f) : parseChannelEvent(f);
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** `{[key]: value}` when value is defined, else `{}`: optional properties stay absent, never `undefined`. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Adds `seq` when the frame carries one (channels whose schema has none). */
function withSeq<T extends { seq?: number }>(f: JsonObject, p: string, event: T): T {
  const seq = optInt(f, 'seq', p);
  if (seq !== undefined) event.seq = seq;
  return event;
}

/** A ms timestamp: a non-negative safe integer. */
function reqTsMs(o: JsonObject, key: string, path: string): number {
  const v = reqInt(o, key, path);
  if (v < 0) throw new KalshiSchemaError(`${path}.${key}`, 'a non-negative ms timestamp', show(v));
  return v;
}

function optTsMs(o: JsonObject, key: string, path: string): number | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : reqTsMs(o, key, path);
}

function secondsAsMs(s: number, path: string): number {
  const ms = s * 1000;
  if (s < 0 || !Number.isSafeInteger(ms)) throw new KalshiSchemaError(path, 'a non-negative Unix time in seconds', show(s));
  return ms;
}

/** A Unix-seconds field as ms. */
function optSecondsAsMs(o: JsonObject, key: string, path: string): number | undefined {
  const s = optInt(o, key, path);
  return s === undefined ? undefined : secondsAsMs(s, `${path}.${key}`);
}

/** A key the spec requires but allows to be null: absent is an error, null is null. */
function reqNullable<T>(o: JsonObject, key: string, path: string, read: () => T): T | null {
  const v = o[key];
  if (v === undefined) throw new KalshiSchemaError(`${path}.${key}`, 'a value or null', 'missing');
  return v === null ? null : read();
}

function nonNegative(o: JsonObject, key: string, path: string): number {
  const v = optNumber(o, key, path) as number;
  if (v < 0) throw new KalshiSchemaError(`${path}.${key}`, 'a non-negative number', show(v));
  return v;
}

/** `book_side` that must agree with the outcome side already read (bid ≡ yes). */
function bookSideOf(o: JsonObject, key: string, path: string, outcome: OutcomeSide): BookSideName {
  const side = reqEnum(o, key, path, BOOK_SIDES);
  if ((side === 'bid') !== (outcome === 'yes')) {
    throw new KalshiSchemaError(`${path}.${key}`, outcome === 'yes' ? '"bid" (outcome side is yes)' : '"ask" (outcome side is no)', show(side));
  }
  return side;
}

function optStrings(o: JsonObject, key: string, path: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return reqArray(o, key, path, (item, itemPath) => {
    if (typeof item !== 'string') throw new KalshiSchemaError(itemPath, 'a string', show(item));
    return item;
  });
}
