/**
 * WebSocket frames as JSON text, exactly as kalshi-api.md §2.2–2.11 and the AsyncAPI messages
 * (../shared/specs/kalshi-asyncapi.yaml) show them, built from engine data.
 *
 * Hot path: `orderbookDelta` is written by string concatenation of precomputed pieces — a
 * 10001-entry table of price strings, the market's `"market_ticker":…,"market_id":…` head cached
 * per ticker, a table of two-digit fractions for counts — with no JSON.stringify and no object
 * per frame (the target is ≥ 300,000 deltas/s to one client). The other data frames are rarer
 * and use JSON.stringify on an object literal whose key order follows Kalshi's examples.
 *
 * Units in: prices $0.0001, counts hundredths, money µ$, times ms. Out: `*_dollars` "0.5600",
 * `*_fp` "10.00", `ts` Unix seconds, `ts_ms` ms, RFC 3339 `time`.
 *
 * Price scale of the NO side (§2.4): the engine reports NO levels in NO price. By default frames
 * keep NO price; with `use_yes_price` a NO level at q is shown at 1 − q (YES price), `side`
 * staying "no". In a snapshot the levels keep their order (best bid last in the engine's order),
 * only the numbers change — Kalshi does not say how it orders re-expressed levels (UNCONFIRMED;
 * clients should not rely on the order).
 */
import { formatCount, formatPrice, PRICE_SCALE, type Count, type Price } from '../../shared/fixed-point.js';
import type {
  EventState,
  FillState,
  MarketState,
  OrderGroupState,
  OrderState,
  OutcomeSide,
  PositionState,
} from '../engine/types.js';
import { marketIdOf, userIdOf } from '../server/ids.js';
import { dollars, dollars6, outcomeOf, priceRangesOf, rfc3339, rulesPrimary, unixSeconds, type BookTop, type Level } from '../server/serialize.js';

/** Anything with a ticker: a `MarketState`, or `{ticker}` in tests. */
export interface MarketRef {
  readonly ticker: string;
}

/** What `orderbook_delta` frames repeat for a market, computed once per ticker. */
interface MarketPieces {
  readonly marketId: string;
  /** `"market_ticker":"…","market_id":"…"` */
  readonly head: string;
  /** `,"msg":{"market_ticker":"…","market_id":"…","price_dollars":"` (a delta frame after its seq) */
  readonly deltaMsg: string;
}

const pieceCache = new Map<string, MarketPieces>();
function pieces(ticker: string): MarketPieces {
  let p = pieceCache.get(ticker);
  if (p === undefined) {
    const marketId = marketIdOf(ticker);
    const head = `"market_ticker":${JSON.stringify(ticker)},"market_id":"${marketId}"`;
    p = { marketId, head, deltaMsg: ',"msg":{' + head + ',"price_dollars":"' };
    pieceCache.set(ticker, p);
  }
  return p;
}

/** "0.0000" … "1.0000" by $0.0001 price. */
const PRICE_DOLLARS: readonly string[] = Array.from({ length: PRICE_SCALE + 1 }, (_, p) => formatPrice(p));
/** ".00" … ".99" */
const FRACTION: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '.0' : '.') + i);
const SMALL = 2 ** 31;
/** "0.00", "1.00", … and "-1.00", … for whole contracts below this many, filled in on first use. */
const WHOLE_CACHED = 10_000;
const WHOLE: string[] = [];
const MINUS_WHOLE: string[] = [];

/** formatCount, without its checks on the common small values (|c| < 2^31 hundredths). */
function countFp(c: Count): string {
  if (c >= 0 && c < SMALL && c === (c | 0)) {
    const whole = (c / 100) | 0;
    const frac = c - whole * 100;
    if (frac === 0 && whole < WHOLE_CACHED) return WHOLE[whole] ?? (WHOLE[whole] = whole + '.00');
    return whole + FRACTION[frac];
  }
  if (c < 0 && c > -SMALL && c === (c | 0)) {
    const a = -c;
    const whole = (a / 100) | 0;
    const frac = a - whole * 100;
    if (frac === 0 && whole < WHOLE_CACHED) return MINUS_WHOLE[whole] ?? (MINUS_WHOLE[whole] = '-' + whole + '.00');
    return '-' + whole + FRACTION[frac];
  }
  return formatCount(c);
}

function priceDollars(p: Price): string {
  const s = PRICE_DOLLARS[p];
  return s === undefined ? formatPrice(p) : s; // formatPrice throws on a bad price
}

/** The price a NO level is shown at: NO price, or YES price with `use_yes_price`. */
function shownPrice(outcome: OutcomeSide, price: Price, useYesPrice: boolean): Price {
  return outcome === 'no' && useYesPrice ? PRICE_SCALE - price : price;
}

// ---------------------------------------------------------------------------------------------
// orderbook_delta channel

/**
 * `orderbook_snapshot`. `yes` are YES bids in YES price, `no` NO bids in NO price, each as the
 * engine orders them (ascending, best last). A side with no levels omits its key. `id` is set
 * when the snapshot answers `get_snapshot`.
 */
export function orderbookSnapshot(
  sid: number,
  seq: number,
  market: MarketRef,
  yes: ReadonlyArray<Level>,
  no: ReadonlyArray<Level>,
  useYesPrice = false,
  id?: number,
): string {
  let s = id === undefined ? '{"type":"orderbook_snapshot","sid":' : `{"id":${id},"type":"orderbook_snapshot","sid":`;
  s += sid + ',"seq":' + seq + ',"msg":{' + pieces(market.ticker).head;
  if (yes.length > 0) s += ',"yes_dollars_fp":' + levels(yes, false);
  if (no.length > 0) s += ',"no_dollars_fp":' + levels(no, useYesPrice);
  return s + '}}';
}

function levels(ls: ReadonlyArray<Level>, flip: boolean): string {
  let s = '[';
  for (let i = 0; i < ls.length; i++) {
    const [p, c] = ls[i];
    s += (i === 0 ? '["' : ',["') + priceDollars(flip ? PRICE_SCALE - p : p) + '","' + countFp(c) + '"]';
  }
  return s + ']';
}

/**
 * `orderbook_delta`: a signed change `delta` (hundredths) of the resting size at (`outcome`,
 * `price`), `price` in the engine's convention (NO side in NO price). `clientOrderId` only when
 * the receiving session's own order caused the change (then `subaccount` 0 too).
 */
export function orderbookDelta(
  sid: number,
  seq: number,
  market: MarketRef,
  outcome: OutcomeSide,
  price: Price,
  delta: Count,
  tsMs: number,
  clientOrderId: string | undefined,
  useYesPrice = false,
): string {
  // Hot path: the frame is cached pieces around the four values that change (sid, seq, price,
  // delta); the tail with ts_ms is rebuilt only when the millisecond changes.
  if (tsMs !== tailTs) setTail(tsMs);
  const shown = shownPrice(outcome, price, useYesPrice);
  const s =
    deltaPrefix(sid) + seq + pieces(market.ticker).deltaMsg + (PRICE_DELTA_KEY[shown] ?? priceDollars(shown) + '","delta_fp":"') + countFp(delta);
  if (clientOrderId === undefined) return s + (outcome === 'yes' ? tailYes : tailNo);
  return s + (outcome === 'yes' ? '","side":"yes","ts_ms":' : '","side":"no","ts_ms":') + tsMs +
    ',"client_order_id":' + JSON.stringify(clientOrderId) + ',"subaccount":0}}';
}

/** `{"type":"orderbook_delta","sid":<sid>,"seq":` by sid (small integers), filled in on first use. */
const DELTA_PREFIX: string[] = [];

function deltaPrefix(sid: number): string {
  if (sid >= 0 && sid < 4096 && sid === (sid | 0)) return DELTA_PREFIX[sid] ?? (DELTA_PREFIX[sid] = '{"type":"orderbook_delta","sid":' + sid + ',"seq":');
  return '{"type":"orderbook_delta","sid":' + sid + ',"seq":';
}

/** `0.5600","delta_fp":"` by price: what follows `"price_dollars":"` up to the delta's digits. */
const PRICE_DELTA_KEY: readonly string[] = PRICE_DOLLARS.map((p) => p + '","delta_fp":"');

/** `","side":"yes","ts_ms":<tailTs>}}` and the same for "no", for the last `ts_ms` seen. */
let tailTs = Number.NaN;
let tailYes = '';
let tailNo = '';

function setTail(tsMs: number): void {
  tailTs = tsMs;
  tailYes = '","side":"yes","ts_ms":' + tsMs + '}}';
  tailNo = '","side":"no","ts_ms":' + tsMs + '}}';
}

// ---------------------------------------------------------------------------------------------
// Market data channels

/**
 * `ticker` (no seq). `dollar_volume` / `dollar_open_interest` are whole dollars at $0.50 a
 * contract, which reproduces Kalshi's example (33896 contracts → 16948); Kalshi does not define
 * them (UNCONFIRMED, and deprecated-looking).
 */
export function ticker(sid: number, market: MarketState, top: BookTop, lastTradeSize: Count, tsMs: number): string {
  return JSON.stringify({
    type: 'ticker',
    sid,
    msg: {
      market_id: pieces(market.ticker).marketId,
      market_ticker: market.ticker,
      price_dollars: priceDollars(market.lastPrice),
      yes_bid_dollars: priceDollars(top.yesBid),
      yes_ask_dollars: priceDollars(top.yesAsk),
      yes_bid_size_fp: countFp(top.yesBidSize),
      yes_ask_size_fp: countFp(top.yesAskSize),
      last_trade_size_fp: countFp(lastTradeSize),
      volume_fp: countFp(market.volume),
      open_interest_fp: countFp(market.openInterest),
      dollar_volume: Math.floor(market.volume / 200),
      dollar_open_interest: Math.floor(market.openInterest / 200),
      ts: unixSeconds(tsMs),
      ts_ms: tsMs,
      time: rfc3339(tsMs),
    },
  });
}

/** `trade` (sequenced). `takerSide` on the YES book: bid → taker bought YES. */
export function trade(sid: number, seq: number, market: MarketRef, tradeId: string, yesPrice: Price, count: Count, takerSide: 'bid' | 'ask', tsMs: number): string {
  const outcome = outcomeOf(takerSide);
  return JSON.stringify({
    type: 'trade',
    sid,
    seq,
    msg: {
      trade_id: tradeId,
      market_ticker: market.ticker,
      yes_price_dollars: priceDollars(yesPrice),
      no_price_dollars: priceDollars(PRICE_SCALE - yesPrice),
      count_fp: countFp(count),
      taker_side: outcome,
      taker_outcome_side: outcome,
      taker_book_side: takerSide,
      is_block_trade: false,
      ts: unixSeconds(tsMs),
      ts_ms: tsMs,
    },
  });
}

/** `market_lifecycle_v2` event types the simulator emits. */
export type LifecycleEventType =
  | 'created' | 'activated' | 'deactivated' | 'close_date_updated' | 'determined' | 'settled' | 'price_level_structure_updated';

/** `market_lifecycle_v2` (sequenced); each event type carries only its own keys (§2.10). */
export function marketLifecycleV2(sid: number, seq: number, market: MarketState, eventType: LifecycleEventType, tsMs: number): string {
  const msg: Record<string, unknown> = { market_ticker: market.ticker, event_type: eventType };
  switch (eventType) {
    case 'created':
      msg.exchange_index = 0;
      msg.open_ts = unixSeconds(market.openMs);
      msg.close_ts = unixSeconds(market.closeMs);
      msg.price_level_structure = market.priceLevelStructure;
      msg.price_ranges = priceRangesOf(market);
      msg.additional_metadata = {
        name: market.title,
        title: market.title,
        yes_sub_title: market.yesSubTitle,
        no_sub_title: market.noSubTitle,
        rules_primary: rulesPrimary(market),
        rules_secondary: '',
        can_close_early: market.canCloseEarly,
        event_ticker: market.eventTicker,
        expected_expiration_ts: unixSeconds(market.determineMs),
      };
      break;
    case 'activated':
    case 'deactivated':
      msg.is_deactivated = eventType === 'deactivated';
      break;
    case 'close_date_updated':
      msg.close_ts = unixSeconds(market.closeMs);
      break;
    case 'determined':
      msg.determination_ts = unixSeconds(tsMs);
      msg.result = market.result;
      msg.settlement_value = priceDollars(market.result === 'yes' ? PRICE_SCALE : 0);
      break;
    case 'settled':
      msg.settled_ts = unixSeconds(market.settledMs > 0 ? market.settledMs : tsMs);
      break;
    case 'price_level_structure_updated':
      msg.price_level_structure = market.priceLevelStructure;
      msg.price_ranges = priceRangesOf(market);
      break;
  }
  return JSON.stringify({ type: 'market_lifecycle_v2', sid, seq, msg });
}

/** `event_lifecycle` (on market_lifecycle_v2, sequenced): an event was created. */
export function eventLifecycle(sid: number, seq: number, event: EventState, strikeMs?: number): string {
  const msg: Record<string, unknown> = {
    event_ticker: event.ticker,
    exchange_index: 0,
    title: event.title,
    subtitle: event.subTitle,
    collateral_return_type: '',
    series_ticker: event.seriesTicker,
  };
  if (strikeMs !== undefined) msg.strike_date = unixSeconds(strikeMs);
  return JSON.stringify({ type: 'event_lifecycle', sid, seq, msg });
}

// ---------------------------------------------------------------------------------------------
// Private channels

/** `fill` (no seq). Legacy `side`/`purchased_side` = outcome bought, `action` "buy" (see serialize.ts). */
export function fill(sid: number, f: FillState, market: MarketRef): string {
  const msg: Record<string, unknown> = {
    trade_id: f.tradeId,
    order_id: f.orderId,
    market_ticker: market.ticker,
    exchange_index: 0,
    is_taker: f.isTaker,
    yes_price_dollars: priceDollars(f.yesPrice),
    count_fp: countFp(f.count),
    fee_cost: dollars6(f.fee),
    outcome_side: f.outcomeSide,
    book_side: f.side,
    post_position_fp: countFp(f.postPosition),
    side: f.outcomeSide,
    action: 'buy',
    purchased_side: f.outcomeSide,
    ts: unixSeconds(f.tsMs),
    ts_ms: f.tsMs,
  };
  if (f.clientOrderId !== '') msg.client_order_id = f.clientOrderId;
  return JSON.stringify({ type: 'fill', sid, msg });
}

/**
 * `market_position` (no seq). `position_fee_cost_dollars` (fees carried by the open position) is
 * not tracked apart by the engine: it repeats `fees_paid_dollars` while a position is open and is
 * 0 when flat (UNCONFIRMED).
 */
export function marketPosition(sid: number, accountId: string, market: MarketRef, p: PositionState): string {
  return JSON.stringify({
    type: 'market_position',
    sid,
    msg: {
      user_id: userIdOf(accountId),
      market_ticker: market.ticker,
      position_fp: countFp(p.position),
      position_cost_dollars: dollars(p.exposure),
      realized_pnl_dollars: dollars(p.realizedPnl),
      fees_paid_dollars: dollars(p.feesPaid),
      position_fee_cost_dollars: dollars(p.position === 0 ? 0 : p.feesPaid),
      volume_fp: countFp(p.volume),
    },
  });
}

/** The AsyncAPI `lastUpdateReason` enum. */
const UPDATE_REASONS: ReadonlySet<string> = new Set([
  'Decrease', 'Amend', 'MarginCancel', 'SelfTradeCancel', 'ExpiryCancel', 'CloseCancel', 'HaltCancel', 'Trade', 'PostOnlyCrossCancel', 'ReduceOnlyCancel',
]);

/**
 * `user_order` (no seq). Note the field is `ticker` here. `last_update_reason` is written only
 * when it is one of the spec's values: the spec has none for an order-group cancel (what Kalshi
 * sends then is UNCONFIRMED), so the engine's `OrderGroupCancel` — or an empty reason — is omitted.
 */
export function userOrder(sid: number, o: OrderState, market: MarketRef): string {
  const outcome = outcomeOf(o.side);
  const msg: Record<string, unknown> = {
    order_id: o.orderId,
    user_id: userIdOf(o.account),
    ticker: market.ticker,
    exchange_index: 0,
    status: o.status,
    outcome_side: outcome,
    book_side: o.side,
    side: outcome,
    is_yes: o.side === 'bid',
    yes_price_dollars: priceDollars(o.price),
    fill_count_fp: countFp(o.fillCount),
    remaining_count_fp: countFp(o.remainingCount),
    initial_count_fp: countFp(o.initialCount),
    taker_fill_cost_dollars: dollars6(o.takerFillCost),
    maker_fill_cost_dollars: dollars6(o.makerFillCost),
    taker_fees_dollars: dollars6(o.takerFees),
    maker_fees_dollars: dollars6(o.makerFees),
    client_order_id: o.clientOrderId,
  };
  if (o.orderGroupId !== '') msg.order_group_id = o.orderGroupId;
  msg.self_trade_prevention_type = o.selfTradePrevention;
  msg.created_time = rfc3339(o.createdMs);
  msg.created_ts_ms = o.createdMs;
  msg.last_update_time = rfc3339(o.updatedMs);
  msg.last_updated_ts_ms = o.updatedMs;
  if (o.expirationMs > 0) {
    msg.expiration_time = rfc3339(o.expirationMs);
    msg.expiration_ts_ms = o.expirationMs;
  }
  if (UPDATE_REASONS.has(o.lastUpdateReason)) msg.last_update_reason = o.lastUpdateReason;
  msg.subaccount_number = 0;
  return JSON.stringify({ type: 'user_order', sid, msg });
}

export type OrderGroupEventType = 'created' | 'triggered' | 'reset' | 'deleted' | 'limit_updated';

/** `order_group_updates` (sequenced); `contracts_limit_fp` only on created / limit_updated. */
export function orderGroupUpdates(sid: number, seq: number, group: OrderGroupState, eventType: OrderGroupEventType, tsMs: number): string {
  const msg: Record<string, unknown> = { event_type: eventType, order_group_id: group.id };
  if (eventType === 'created' || eventType === 'limit_updated') msg.contracts_limit_fp = countFp(group.limit);
  msg.ts_ms = tsMs;
  return JSON.stringify({ type: 'order_group_updates', sid, seq, msg });
}

// ---------------------------------------------------------------------------------------------
// Command replies

/** `subscribed`: one per channel of a subscribe command, each with its own sid. */
export function subscribed(id: number | undefined, channel: string, sid: number): string {
  return JSON.stringify({ id, type: 'subscribed', msg: { channel, sid } });
}

/** `unsubscribed` (its `seq` is required by the spec; see session.ts for which number it carries). */
export function unsubscribed(id: number | undefined, sid: number, seq: number): string {
  return JSON.stringify({ id, sid, seq, type: 'unsubscribed' });
}

/** `ok` after update_subscription: the subscription's full market list unless omitted. */
export function ok(id: number | undefined, sid: number | undefined, seq: number | undefined, marketTickers?: ReadonlyArray<string>): string {
  return JSON.stringify({ id, sid, seq, type: 'ok', msg: marketTickers === undefined ? undefined : { market_tickers: marketTickers } });
}

/** `ok` answering list_subscriptions. */
export function listSubscriptions(id: number | undefined, subs: ReadonlyArray<{ channel: string; sid: number }>): string {
  return JSON.stringify({ id, type: 'ok', msg: subs.map((s) => ({ channel: s.channel, sid: s.sid })) });
}

/** WebSocket error codes in use (AsyncAPI `x-error-codes`; 6, 16, 17 are retired). */
export const WS_ERROR_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  1: 'Unable to process message',
  2: 'Params required',
  3: 'Channels required',
  4: 'Subscription IDs required',
  5: 'Unknown command',
  7: 'Unknown subscription ID',
  8: 'Unknown channel name',
  9: 'Authentication required',
  10: 'Channel error',
  11: 'Invalid parameter',
  12: 'Exactly one subscription ID is required',
  13: 'Unsupported action',
  14: 'Market Ticker required',
  15: 'Action required',
  18: 'Command timeout',
  25: 'Subscription buffer overflow',
  26: 'Subscription market limit exceeded',
  27: 'Too many requests',
});

export interface ErrorExtra {
  seq?: number;
  marketTicker?: string;
  marketTickers?: ReadonlyArray<string>;
}

/** `error`; `msg` defaults to the spec's name of the code. */
export function error(id: number | undefined, code: number, msg?: string, sid?: number, extra: ErrorExtra = {}): string {
  return JSON.stringify({
    id,
    sid,
    seq: extra.seq,
    type: 'error',
    msg: {
      code,
      msg: msg ?? WS_ERROR_MESSAGES[code] ?? 'Error',
      market_ticker: extra.marketTicker,
      market_tickers: extra.marketTickers,
    },
  });
}
