import { describe, expect, it } from 'vitest';
import { KalshiSchemaError, type JsonObject } from '../../../../src/shared/kalshi/decode.js';
import {
  CHANNEL_EVENT_TYPES,
  isKnownLastUpdateReason,
  parseChannelEvent,
  parseControlFrame,
  parseServerFrame,
  type ChannelEvent,
  type ControlFrame,
} from '../../../../src/shared/kalshi/ws/channel-events.js';
import { FrameKind, OrderbookFrame, parseOrderbookFrame } from '../../../../src/shared/kalshi/ws/orderbook-parser.js';
import * as frames from '../../../../src/sim/ws/frames.js';
import { marketIdOf, userIdOf } from '../../../../src/sim/server/ids.js';
import type { BookTop } from '../../../../src/sim/server/serialize.js';
import { wsMessageExamples } from '../../../support/spec-validator.js';
import * as fx from '../../../sim/server/fixtures.js';
import { loadFixtures } from './ws-parser-support.js';

/** The error a call throws; fails the test when it does not throw a KalshiSchemaError. */
function schemaError(fn: () => unknown): KalshiSchemaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KalshiSchemaError);
    return e as KalshiSchemaError;
  }
  throw new Error('expected a KalshiSchemaError');
}

/** A deep copy of `frame` with `msg[key]` set (undefined deletes it). */
function withMsg(frame: JsonObject, key: string, value: unknown): JsonObject {
  const copy = structuredClone(frame) as JsonObject & { msg: JsonObject };
  if (value === undefined) delete copy.msg[key];
  else copy.msg[key] = value;
  return copy;
}

const channelFixtures = loadFixtures<ChannelEvent>('channel-events');
const controlFixtures = loadFixtures<ControlFrame>('control');

/** Spec message key → the event types its examples carry. */
const SPEC_CHANNEL_MESSAGES = [
  'ticker', 'trade', 'fill', 'marketPosition', 'userOrder', 'orderGroupUpdates',
  'marketLifecycleV2', 'marketMetadataUpdated', 'multivariateMarketLifecycle', 'eventLifecycle', 'eventFeeUpdate',
];
const SPEC_CONTROL_MESSAGES = ['subscribedResponse', 'unsubscribedResponse', 'okResponse', 'listSubscriptionsResponse', 'errorResponse'];

describe('fixtures: every data frame of kalshi-api.md §2.5–2.11 and the AsyncAPI examples', () => {
  it.each(channelFixtures.map((f) => [`${f.source}: ${f.name}`, f] as const))('%s', (_, f) => {
    const text = JSON.stringify(f.frame);
    // The hot path leaves these to the cold path.
    expect(parseOrderbookFrame(Buffer.from(text), new OrderbookFrame())).toBe(FrameKind.Other);
    expect(parseChannelEvent(JSON.parse(text))).toEqual(f.expected);
    expect(parseServerFrame(JSON.parse(text))).toEqual(f.expected);
  });

  it('holds every AsyncAPI example of the data channels', () => {
    for (const key of SPEC_CHANNEL_MESSAGES) {
      const examples = wsMessageExamples(key);
      expect(examples.length, key).toBeGreaterThan(0);
      for (const example of examples) expect(channelFixtures.map((f) => f.frame), key).toContainEqual(example);
    }
  });

  it('covers every event type', () => {
    const seen = new Set(channelFixtures.map((f) => (f.expected as ChannelEvent).type));
    expect([...seen].sort()).toEqual([...CHANNEL_EVENT_TYPES].sort());
  });
});

describe('fixtures: every command reply of kalshi-api.md §2.1–2.2 and the AsyncAPI examples', () => {
  it.each(controlFixtures.map((f) => [`${f.source}: ${f.name}`, f] as const))('%s', (_, f) => {
    const text = JSON.stringify(f.frame);
    expect(parseOrderbookFrame(Buffer.from(text), new OrderbookFrame())).toBe(FrameKind.Other);
    expect(parseControlFrame(JSON.parse(text))).toEqual(f.expected);
    expect(parseServerFrame(JSON.parse(text))).toEqual(f.expected);
  });

  it('holds every AsyncAPI example of the command replies', () => {
    for (const key of SPEC_CONTROL_MESSAGES) {
      const examples = wsMessageExamples(key);
      expect(examples.length, key).toBeGreaterThan(0);
      for (const example of examples) expect(controlFixtures.map((f) => f.frame), key).toContainEqual(example);
    }
  });
});

describe('frames built by the simulator (src/sim/ws/frames.ts)', () => {
  const M = fx.market();
  const TOP: BookTop = { yesBid: 4500, yesBidSize: 30_000, yesAsk: 5300, yesAskSize: 15_000, noBid: 4700, noAsk: 5500 };

  it('ticker', () => {
    expect(parseChannelEvent(JSON.parse(frames.ticker(11, M, TOP, 2500, 1669149841000)))).toEqual({
      type: 'ticker', sid: 11, marketTicker: M.ticker, marketId: marketIdOf(M.ticker), price: M.lastPrice,
      yesBid: 4500, yesAsk: 5300, yesBidSize: 30_000, yesAskSize: 15_000, lastTradeSize: 2500,
      volume: M.volume, openInterest: M.openInterest, dollarVolume: Math.floor(M.volume / 200), dollarOpenInterest: Math.floor(M.openInterest / 200),
      tsMs: 1669149841000,
    });
  });

  it('trade, both taker sides', () => {
    for (const takerSide of ['bid', 'ask'] as const) {
      expect(parseChannelEvent(JSON.parse(frames.trade(11, 2, M, 'd91bc706-ee49-470d-82d8-11418bda6fed', 3650, 13_601, takerSide, 1669149841000)))).toEqual({
        type: 'trade', sid: 11, seq: 2, tradeId: 'd91bc706-ee49-470d-82d8-11418bda6fed', marketTicker: M.ticker,
        yesPrice: 3650, noPrice: 6350, count: 13_601, takerOutcomeSide: takerSide === 'bid' ? 'yes' : 'no', takerBookSide: takerSide,
        isBlockTrade: false, tsMs: 1669149841000,
      });
    }
  });

  it('fill, with and without a client order id, short positions', () => {
    const f = fx.fill();
    expect(parseChannelEvent(JSON.parse(frames.fill(13, f, M)))).toEqual({
      type: 'fill', sid: 13, tradeId: f.tradeId, orderId: f.orderId, clientOrderId: f.clientOrderId, marketTicker: M.ticker,
      exchangeIndex: 0, isTaker: true, yesPrice: f.yesPrice, count: f.count, fee: f.fee, outcomeSide: 'yes', bookSide: 'bid',
      postPosition: f.postPosition, tsMs: f.tsMs,
    });
    const ask = fx.fill({ side: 'ask', outcomeSide: 'no', clientOrderId: '', postPosition: -301, fee: 1, count: 1 });
    const e = parseChannelEvent(JSON.parse(frames.fill(13, ask, M)));
    expect(e).toMatchObject({ type: 'fill', outcomeSide: 'no', bookSide: 'ask', postPosition: -301, fee: 1, count: 1 });
    expect('clientOrderId' in e).toBe(false);
  });

  it('market_position, open and flat', () => {
    const p = fx.position();
    expect(parseChannelEvent(JSON.parse(frames.marketPosition(14, fx.ACCOUNT, M, p)))).toEqual({
      type: 'market_position', sid: 14, userId: userIdOf(fx.ACCOUNT), marketTicker: M.ticker, position: p.position,
      positionCost: p.exposure, realizedPnl: p.realizedPnl, feesPaid: p.feesPaid, positionFeeCost: p.feesPaid, volume: p.volume,
    });
    const flat = parseChannelEvent(JSON.parse(frames.marketPosition(14, fx.ACCOUNT, M, fx.position({ position: -5, exposure: 1_234_567, realizedPnl: -10 }))));
    expect(flat).toMatchObject({ position: -5, positionCost: 1_234_567, realizedPnl: -10 });
  });

  it('user_order: resting, canceled by an order group (reason kept as sent), ask side, expiring', () => {
    const o = fx.order({ orderGroupId: 'og_1', expirationMs: fx.T0 + 60_000 });
    expect(parseChannelEvent(JSON.parse(frames.userOrder(22, o, M)))).toEqual({
      type: 'user_order', sid: 22, orderId: o.orderId, userId: userIdOf(o.account), marketTicker: M.ticker, exchangeIndex: 0,
      status: 'resting', outcomeSide: 'yes', bookSide: 'bid', yesPrice: o.price, fillCount: o.fillCount, remainingCount: o.remainingCount,
      initialCount: o.initialCount, takerFillCost: o.takerFillCost, makerFillCost: o.makerFillCost, takerFees: o.takerFees, makerFees: o.makerFees,
      clientOrderId: o.clientOrderId, orderGroupId: 'og_1', selfTradePrevention: 'taker_at_cross', createdTsMs: o.createdMs,
      lastUpdatedTsMs: o.updatedMs, expirationTsMs: fx.T0 + 60_000, lastUpdateReason: 'Trade', subaccount: 0,
    });
    const canceled = parseChannelEvent(JSON.parse(frames.userOrder(22, fx.order({ side: 'ask', status: 'canceled', lastUpdateReason: 'OrderGroupCancel', clientOrderId: '' }), M)));
    expect(canceled).toMatchObject({ status: 'canceled', outcomeSide: 'no', bookSide: 'ask', clientOrderId: '' });
    // The simulator omits a reason the spec does not list; a real one would be kept as sent:
    const raw = withMsg(JSON.parse(frames.userOrder(22, fx.order(), M)) as JsonObject, 'last_update_reason', 'OrderGroupCancel');
    expect(parseChannelEvent(raw)).toMatchObject({ lastUpdateReason: 'OrderGroupCancel' });
    expect(isKnownLastUpdateReason('OrderGroupCancel')).toBe(false);
    expect(isKnownLastUpdateReason('Trade')).toBe(true);
  });

  it('order_group_updates, every event type', () => {
    for (const type of ['created', 'triggered', 'reset', 'deleted', 'limit_updated'] as const) {
      const e = parseChannelEvent(JSON.parse(frames.orderGroupUpdates(21, 7, fx.orderGroup(), type, 1733047200000)));
      expect(e).toEqual({
        type: 'order_group_updates', sid: 21, seq: 7, eventType: type, orderGroupId: 'og_123', tsMs: 1733047200000,
        ...(type === 'created' || type === 'limit_updated' ? { contractsLimit: 15_000 } : {}),
      });
    }
  });

  it('market_lifecycle_v2, every event type the simulator sends', () => {
    const m = fx.market({ result: 'yes', settledMs: fx.T0 + 7_200_000, priceLevelStructure: 'linear_cent' });
    const base = { type: 'market_lifecycle_v2', sid: 13, marketTicker: m.ticker };
    const read = (type: frames.LifecycleEventType, seq: number) => parseChannelEvent(JSON.parse(frames.marketLifecycleV2(13, seq, m, type, fx.T0 + 5000)));
    expect(read('created', 1)).toEqual({
      ...base, seq: 1, eventType: 'created', exchangeIndex: 0, openTsMs: m.openMs, closeTsMs: m.closeMs, priceLevelStructure: 'linear_cent',
      priceRanges: [{ start: 0, end: 10_000, step: 100 }],
      additionalMetadata: {
        name: m.title, title: m.title, yesSubTitle: m.yesSubTitle, noSubTitle: m.noSubTitle, rulesPrimary: `If ${m.yesSubTitle}, then the market resolves to Yes.`,
        rulesSecondary: '', canCloseEarly: true, eventTicker: m.eventTicker, expectedExpirationTsMs: m.determineMs,
      },
    });
    expect(read('activated', 2)).toEqual({ ...base, seq: 2, eventType: 'activated', isDeactivated: false });
    expect(read('deactivated', 3)).toEqual({ ...base, seq: 3, eventType: 'deactivated', isDeactivated: true });
    expect(read('close_date_updated', 4)).toEqual({ ...base, seq: 4, eventType: 'close_date_updated', closeTsMs: m.closeMs });
    expect(read('determined', 5)).toEqual({ ...base, seq: 5, eventType: 'determined', determinationTsMs: fx.T0 + 5000, result: 'yes', settlementValue: 10_000 });
    expect(read('settled', 6)).toEqual({ ...base, seq: 6, eventType: 'settled', settledTsMs: fx.T0 + 7_200_000 });
    expect(read('price_level_structure_updated', 7)).toEqual({
      ...base, seq: 7, eventType: 'price_level_structure_updated', priceLevelStructure: 'linear_cent', priceRanges: [{ start: 0, end: 10_000, step: 100 }],
    });
  });

  it('event_lifecycle, with and without a strike date', () => {
    const ev = fx.event();
    expect(parseChannelEvent(JSON.parse(frames.eventLifecycle(5, 8, ev, fx.T0)))).toEqual({
      type: 'event_lifecycle', sid: 5, seq: 8, eventTicker: ev.ticker, exchangeIndex: 0, title: ev.title, subtitle: ev.subTitle,
      collateralReturnType: '', seriesTicker: ev.seriesTicker, strikeDateMs: fx.T0,
    });
    expect(parseChannelEvent(JSON.parse(frames.eventLifecycle(5, 9, ev)))).not.toHaveProperty('strikeDateMs');
  });

  it('command replies', () => {
    expect(parseControlFrame(JSON.parse(frames.subscribed(1, 'fill', 3)))).toEqual({ type: 'subscribed', id: 1, channel: 'fill', sid: 3 });
    expect(parseControlFrame(JSON.parse(frames.subscribed(undefined, 'fill', 3)))).toEqual({ type: 'subscribed', channel: 'fill', sid: 3 });
    expect(parseControlFrame(JSON.parse(frames.unsubscribed(2, 1, 9)))).toEqual({ type: 'unsubscribed', id: 2, sid: 1, seq: 9 });
    expect(parseControlFrame(JSON.parse(frames.ok(3, 1, 9, ['A-1', 'B-2'])))).toEqual({ type: 'ok', id: 3, sid: 1, seq: 9, marketTickers: ['A-1', 'B-2'] });
    expect(parseControlFrame(JSON.parse(frames.ok(3, 1, undefined)))).toEqual({ type: 'ok', id: 3, sid: 1 });
    expect(parseControlFrame(JSON.parse(frames.listSubscriptions(4, [])))).toEqual({ type: 'list_subscriptions', id: 4, subscriptions: [] });
    expect(parseControlFrame(JSON.parse(frames.error(5, 11, 'unknown market', undefined, { marketTickers: ['NOPE-1'] })))).toEqual({
      type: 'error', id: 5, code: 11, message: 'unknown market', marketTickers: ['NOPE-1'], terminal: false,
    });
    expect(parseControlFrame(JSON.parse(frames.error(undefined, 25, undefined, 4, { seq: 9, marketTicker: 'X-1' })))).toEqual({
      type: 'error', sid: 4, seq: 9, code: 25, message: 'Subscription buffer overflow', marketTicker: 'X-1', terminal: true,
    });
  });
});

describe('schema errors name the field', () => {
  const fixture = (name: string): JsonObject => structuredClone(channelFixtures.find((f) => f.name === name)!.frame);

  it.each([
    ['fill', 'userFill', 'count_fp', undefined, 'fill.msg.count_fp'],
    ['fill: fee with 7 decimals', 'userFill', 'fee_cost', '0.0100001', 'fill.msg.fee_cost'],
    ['fill: post_position not a count', 'userFill', 'post_position_fp', '5.001', 'fill.msg.post_position_fp'],
    ['fill: unknown outcome side', 'userFill', 'outcome_side', 'maybe', 'fill.msg.outcome_side'],
    ['fill: book side contradicts outcome side', 'userFill', 'book_side', 'ask', 'fill.msg.book_side'],
    ['fill: price a number', 'userFill', 'yes_price_dollars', 0.75, 'fill.msg.yes_price_dollars'],
    ['fill: ts_ms a string', 'userFill', 'ts_ms', '1671899397000', 'fill.msg.ts_ms'],
    ['fill: ts_ms negative', 'userFill', 'ts_ms', -1, 'fill.msg.ts_ms'],
    ['user_order: market_ticker is not its field', 'userOrderCreated', 'ticker', undefined, 'user_order.msg.ticker'],
    ['user_order: unknown status', 'userOrderCreated', 'status', 'open', 'user_order.msg.status'],
    ['user_order: created_ts_ms missing', 'userOrderCreated', 'created_ts_ms', undefined, 'user_order.msg.created_ts_ms'],
    ['user_order: unknown stp', 'userOrderCreated', 'self_trade_prevention_type', 'both', 'user_order.msg.self_trade_prevention_type'],
    ['user_order: client_order_id missing', 'userOrderCreated', 'client_order_id', undefined, 'user_order.msg.client_order_id'],
    ['trade: no price not the complement', 'tradeNotification', 'no_price_dollars', '0.6300', 'trade.msg.no_price_dollars'],
    ['trade: taker book side contradicts', 'tradeNotification', 'taker_book_side', 'bid', 'trade.msg.taker_book_side'],
    ['ticker: market_id missing', 'tickerUpdate', 'market_id', undefined, 'ticker.msg.market_id'],
    ['ticker: size negative', 'tickerUpdate', 'yes_bid_size_fp', '-1.00', 'ticker.msg.yes_bid_size_fp'],
    ['position: position not signed count', 'positionUpdate', 'position_fp', 'ten', 'market_position.msg.position_fp'],
    ['order group: limit_updated without limit', 'orderGroupLimitUpdated', 'contracts_limit_fp', undefined, 'order_group_updates.msg.contracts_limit_fp'],
    ['order group: unknown event type', 'orderGroupLimitUpdated', 'event_type', 'paused', 'order_group_updates.msg.event_type'],
    ['lifecycle: unknown event type', 'marketCreated', 'event_type', 'fractional_trading_updated', 'market_lifecycle_v2.msg.event_type'],
    ['lifecycle: unknown price level structure', 'marketCreated', 'price_level_structure', 'mystery_cent', 'market_lifecycle_v2.msg.price_level_structure'],
    ['lifecycle: price_level_structure_updated without ranges', 'priceLevelStructureUpdated', 'price_ranges', undefined, 'market_lifecycle_v2.msg.price_ranges'],
    ['lifecycle: a range with a zero step', 'priceLevelStructureUpdated', 'price_ranges', [{ start: '0.0000', end: '1.0000', step: '0.0000' }], 'market_lifecycle_v2.msg.price_ranges[0].step'],
    ['lifecycle: a range ending before it starts', 'priceLevelStructureUpdated', 'price_ranges', [{ start: '0.5000', end: '0.4000', step: '0.0100' }], 'market_lifecycle_v2.msg.price_ranges[0].end'],
    ['lifecycle: metadata incomplete', 'marketCreated', 'additional_metadata', { name: 'x' }, 'market_lifecycle_v2.msg.additional_metadata.title'],
    ['lifecycle: unknown result', 'market_lifecycle_v2 determined', 'result', 'void', 'market_lifecycle_v2.msg.result'],
    ['lifecycle: settlement value above 1', 'market_lifecycle_v2 determined', 'settlement_value', '1.5', 'market_lifecycle_v2.msg.settlement_value'],
    ['multivariate: metadata_updated is not one of its events', 'mveMarketCreated', 'event_type', 'metadata_updated', 'multivariate_market_lifecycle.msg.event_type'],
    ['event: unknown collateral return type', 'eventCreated', 'collateral_return_type', 'OTHER', 'event_lifecycle.msg.collateral_return_type'],
    ['fee update: override missing (not null)', 'eventFeeOverrideSet', 'fee_type_override', undefined, 'event_fee_update.msg.fee_type_override'],
    ['fee update: unknown fee type', 'eventFeeOverrideSet', 'fee_type_override', 'cubic', 'event_fee_update.msg.fee_type_override'],
    ['fee update: negative multiplier', 'eventFeeOverrideSet', 'fee_multiplier_override', -1, 'event_fee_update.msg.fee_multiplier_override'],
  ] as const)('%s', (_, name, key, value, path) => {
    expect(schemaError(() => parseChannelEvent(withMsg(fixture(name), key, value))).path).toBe(path);
  });

  it('top-level problems', () => {
    expect(schemaError(() => parseChannelEvent(null)).path).toBe('frame');
    expect(schemaError(() => parseChannelEvent([])).path).toBe('frame');
    expect(schemaError(() => parseChannelEvent({ type: 'orderbook_delta' })).path).toBe('frame.type');
    expect(schemaError(() => parseChannelEvent({ type: 'rfq_created' })).path).toBe('frame.type');
    expect(schemaError(() => parseChannelEvent({ type: 'subscribed' })).path).toBe('frame.type');
    const noSid = fixture('userFill');
    delete noSid.sid;
    expect(schemaError(() => parseChannelEvent(noSid)).path).toBe('fill.sid');
    const noSeq = fixture('tradeNotification');
    delete noSeq.seq;
    expect(schemaError(() => parseChannelEvent(noSeq)).path).toBe('trade.seq');
    const noMsg = fixture('tickerUpdate');
    noMsg.msg = 'x';
    expect(schemaError(() => parseChannelEvent(noMsg)).path).toBe('ticker.msg');
  });

  it('command reply problems', () => {
    expect(schemaError(() => parseControlFrame({ type: 'fill' })).path).toBe('frame.type');
    expect(schemaError(() => parseControlFrame({ type: 'subscribed', msg: { channel: 'fill' } })).path).toBe('subscribed.msg.sid');
    expect(schemaError(() => parseControlFrame({ type: 'unsubscribed', sid: 1 })).path).toBe('unsubscribed.seq');
    expect(schemaError(() => parseControlFrame({ type: 'error', msg: { msg: 'x' } })).path).toBe('error.msg.code');
    expect(schemaError(() => parseControlFrame({ type: 'error', msg: { code: 1 } })).path).toBe('error.msg.msg');
    expect(schemaError(() => parseControlFrame({ type: 'ok', msg: [{ channel: 'fill' }] })).path).toBe('ok.msg[0].sid');
    expect(schemaError(() => parseControlFrame({ type: 'ok', msg: { market_tickers: ['A', 3] } })).path).toBe('ok.msg.market_tickers[1]');
    expect(schemaError(() => parseControlFrame({ type: 'ok', id: 'one' })).path).toBe('ok.id');
  });
});

describe('tolerance', () => {
  it('ignores unknown keys at every level, and deprecated fields entirely', () => {
    for (const f of channelFixtures) {
      const frame = structuredClone(f.frame) as JsonObject & { msg: JsonObject };
      frame.extra = { nested: [1, 2, 3] };
      frame.msg.Clock = 12345; // observed in production ticker frames (§2.5)
      frame.msg.future_field = 'x';
      for (const deprecated of ['ts', 'time', 'side', 'action', 'purchased_side', 'taker_side', 'is_yes', 'created_time', 'expiration_time']) {
        delete frame.msg[deprecated];
      }
      expect(parseChannelEvent(frame), f.name).toEqual(f.expected);
    }
  });

  it('keeps error frames whatever the code, and says which are terminal', () => {
    for (const code of [6, 10, 16, 17, 25, 99]) {
      expect(parseControlFrame({ type: 'error', msg: { code, msg: 'x' } })).toEqual({ type: 'error', code, message: 'x', terminal: [10, 17, 25].includes(code) });
    }
  });

  it('reads index and underlying ok replies', () => {
    expect(parseControlFrame({ type: 'ok', sid: 1, seq: 2, msg: { index_ids: ['BRTI'] } })).toEqual({ type: 'ok', sid: 1, seq: 2, indexIds: ['BRTI'] });
    expect(parseControlFrame({ type: 'ok', sid: 1, seq: 2, msg: { underlying_tickers: ['all'] } })).toEqual({ type: 'ok', sid: 1, seq: 2, underlyingTickers: ['all'] });
  });

  it('reads seq on a channel whose schema has none, when present', () => {
    const frame = withMsg(structuredClone(channelFixtures.find((f) => f.name === 'userFill')!.frame), 'x', 1);
    frame.seq = 42;
    expect(parseChannelEvent(frame)).toMatchObject({ type: 'fill', seq: 42 });
  });

  it('reads metadata_updated with a custom strike, and null optional keys as absent', () => {
    const e = parseChannelEvent({
      type: 'market_lifecycle_v2', sid: 1, seq: 2,
      msg: { market_ticker: 'X-1', event_type: 'metadata_updated', custom_strike: { team: 'A' }, floor_strike: null, yes_sub_title: 'A wins' },
    });
    expect(e).toEqual({ type: 'market_lifecycle_v2', sid: 1, seq: 2, marketTicker: 'X-1', eventType: 'metadata_updated', customStrike: { team: 'A' }, yesSubTitle: 'A wins' });
  });

  it('reads a null created_ts_ms as null (the spec allows it)', () => {
    const frame = withMsg(structuredClone(channelFixtures.find((f) => f.name === 'userOrderCreated')!.frame), 'created_ts_ms', null);
    expect(parseChannelEvent(frame)).toMatchObject({ createdTsMs: null });
  });
});
