/**
 * The simulated exchange's data model: everything in exact integers, as in src/shared —
 * prices in $0.0001 units on the YES book, counts in hundredths of a contract, money in µ$,
 * times in ms since the Unix epoch (the engine's clock, which tests may drive by hand).
 *
 * V2 semantics (kalshi-api.md §5.1): every order lives on the YES book. `bid` = buy YES at
 * `price`; `ask` = sell YES at `price` ≡ buy NO at 10000 − price. The public order book shows
 * resting bids as YES bids at `price` and resting asks as NO bids at 10000 − price.
 * Positions are signed: + YES, − NO (netting on). A bid fill adds to the position, an ask fill
 * subtracts from it.
 */
import type { PriceGrid } from '../../shared/price-grid.js';

export type BookSideV2 = 'bid' | 'ask';
export type OutcomeSide = 'yes' | 'no';
export type TimeInForce = 'fill_or_kill' | 'good_till_canceled' | 'immediate_or_cancel';
export type SelfTradePrevention = 'taker_at_cross' | 'maker';
export type OrderStatus = 'resting' | 'canceled' | 'executed';

/** Kalshi's REST `Market.status`. */
export type MarketStatus = 'initialized' | 'inactive' | 'active' | 'closed' | 'determined' | 'disputed' | 'amended' | 'finalized';
export type MarketResult = '' | 'yes' | 'no';

/** Series-level fee schedule (kalshi-api.md §5.3). */
export type FeeType = 'quadratic' | 'quadratic_with_maker_fees' | 'flat';

export interface SeriesState {
  ticker: string;
  title: string;
  category: string;
  feeType: FeeType;
  /** Multiplier applied to the base fee rate, as a fraction numerator/1000 (1000 = ×1). */
  feeMultiplierMilli: number;
}

export interface EventState {
  ticker: string;
  seriesTicker: string;
  title: string;
  subTitle: string;
  /** Tickers of the event's markets, in creation order. */
  marketTickers: string[];
}

export interface MarketState {
  /** Dense index 0 … n−1, stable for the simulator's life. */
  index: number;
  ticker: string;
  eventTicker: string;
  seriesTicker: string;
  title: string;
  yesSubTitle: string;
  noSubTitle: string;
  status: MarketStatus;
  priceLevelStructure: string;
  grid: PriceGrid;
  createdMs: number;
  openMs: number;
  closeMs: number;
  /**
   * When the market is (expected to be, until it closes: close + the determination delay) determined;
   * a determined market is finalized (paid out) settlementTimerSeconds later.
   */
  determineMs: number;
  settlementTimerSeconds: number;
  canCloseEarly: boolean;
  result: MarketResult;
  settledMs: number;
  /** Hidden fair probability of YES in $0.0001 units (the synthetic participants trade around it). */
  fairValue: number;
  lastPrice: number;
  previousYesBid: number;
  previousYesAsk: number;
  previousPrice: number;
  /** Contracts traded, hundredths. */
  volume: number;
  volume24h: number;
  openInterest: number;
  updatedMs: number;
}

/** One order, resting or done. Synthetic participants' orders have `account === SYNTHETIC`. */
export interface OrderState {
  orderId: string;
  account: string;
  clientOrderId: string;
  marketIndex: number;
  side: BookSideV2;
  /** Limit price on the YES book, $0.0001 units. */
  price: number;
  initialCount: number;
  remainingCount: number;
  fillCount: number;
  status: OrderStatus;
  timeInForce: TimeInForce;
  postOnly: boolean;
  reduceOnly: boolean;
  selfTradePrevention: SelfTradePrevention;
  cancelOnPause: boolean;
  orderGroupId: string;
  /** 0 = none. */
  expirationMs: number;
  createdMs: number;
  updatedMs: number;
  /** Price-time priority: a global sequence number, reassigned when an amend loses priority. */
  priority: number;
  takerFillCost: number;
  makerFillCost: number;
  takerFees: number;
  makerFees: number;
  /** µ$ of cash held against this resting order (openings only). */
  reservedCash: number;
  lastUpdateReason: string;
  /**
   * Hundredths removed from `remainingCount` by the latest cancel or decrease (the V2 cancel
   * response's `reduced_by`). Always set by the engine; optional so that hand-built fixtures
   * need not carry it.
   */
  reducedBy?: number;
}

export const SYNTHETIC = '__synthetic__';

export interface FillState {
  fillId: string;
  tradeId: string;
  orderId: string;
  clientOrderId: string;
  account: string;
  marketIndex: number;
  side: BookSideV2;
  /** Outcome bought: bid → yes, ask → no. */
  outcomeSide: OutcomeSide;
  /** Trade price on the YES book, $0.0001 units. */
  yesPrice: number;
  count: number;
  isTaker: boolean;
  /** µ$ */
  fee: number;
  /** Signed position after the fill, hundredths. */
  postPosition: number;
  tsMs: number;
}

export interface PositionState {
  marketIndex: number;
  /** Signed contracts, hundredths: + YES, − NO. */
  position: number;
  /** Cost basis of the open position, µ$ (market_exposure). */
  exposure: number;
  realizedPnl: number;
  feesPaid: number;
  /** µ$ spent on this market in total. */
  totalTraded: number;
  /** Hundredths traded in total (volume). */
  volume: number;
  lastUpdatedMs: number;
}

export interface SettlementState {
  marketIndex: number;
  result: 'yes' | 'no';
  yesCount: number;
  yesTotalCost: number;
  noCount: number;
  noTotalCost: number;
  /** µ$ paid out. */
  revenue: number;
  fee: number;
  settledMs: number;
}

export interface OrderGroupState {
  id: string;
  account: string;
  /** Contracts, hundredths. */
  limit: number;
  triggered: boolean;
  /** Fills inside the rolling 15 s window: [tsMs, count] pairs, oldest first. */
  window: Array<[number, number]>;
  createdMs: number;
}

export interface AccountState {
  id: string;
  /** Available cash, µ$ (already net of cash reserved by resting orders). */
  cash: number;
  positions: Map<number, PositionState>;
  fills: FillState[];
  settlements: SettlementState[];
  orderGroups: Map<string, OrderGroupState>;
}

/** What the REST and WebSocket layers hear from the engine, in the order it happens. */
export interface ExchangeListener {
  /**
   * A change of resting size at one level of the public book (NO side in NO price), after the
   * book changed. `causedBy`: the real account's order whose action changed the level — the
   * resting order itself when it is placed, amended, decreased or cancelled (for any reason),
   * the taker when a fill consumes resting size; undefined when a synthetic order is the cause.
   */
  bookDelta?(market: MarketState, outcome: OutcomeSide, price: number, delta: number, tsMs: number, causedBy?: OrderState): void;
  trade?(market: MarketState, tradeId: string, yesPrice: number, count: number, takerSide: BookSideV2, tsMs: number): void;
  fill?(account: AccountState, fill: FillState): void;
  order?(account: AccountState, order: OrderState): void;
  position?(account: AccountState, position: PositionState): void;
  orderGroup?(account: AccountState, group: OrderGroupState, eventType: 'created' | 'triggered' | 'reset' | 'deleted' | 'limit_updated', tsMs: number): void;
  lifecycle?(market: MarketState, eventType: 'created' | 'activated' | 'deactivated' | 'close_date_updated' | 'determined' | 'settled', tsMs: number): void;
  ticker?(market: MarketState, tsMs: number): void;
}

/** A refusal by the exchange: becomes Kalshi's error body `{error:{code,message}}` with `status`. */
export class ExchangeError extends Error {
  override readonly name = 'ExchangeError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }
}
