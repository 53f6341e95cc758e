import { describe, expect, it } from 'vitest';
import { formatCount, parseCount, parseMoney, parsePrice, parseSignedCount } from '../../../src/shared/fixed-point.js';
import { marketIdOf, userIdOf } from '../../../src/sim/server/ids.js';
import type { BookTop } from '../../../src/sim/server/serialize.js';
import * as frames from '../../../src/sim/ws/frames.js';
import { rng } from '../../support/fixed-point.js';
import { validateWsMessage } from '../../support/spec-validator.js';
import * as fx from '../server/fixtures.js';

type Frame = { type: string; id?: number; sid?: number; seq?: number; msg: Record<string, unknown> & Array<Record<string, unknown>> };

/** Parses a frame and checks it against the AsyncAPI message. */
function check(key: string, text: string): Frame {
  const frame = JSON.parse(text) as Frame;
  expect(validateWsMessage(key, frame)).toEqual([]);
  return frame;
}

const M = fx.market();
const TICKER = M.ticker;
const MARKET_ID = marketIdOf(TICKER);
const TOP: BookTop = { yesBid: 4500, yesBidSize: 30_000, yesAsk: 5300, yesAskSize: 15_000, noBid: 4700, noAsk: 5500 };

describe('orderbook_snapshot', () => {
  it('lists YES and NO bids as [price, count] strings, NO in NO price by default', () => {
    const text = frames.orderbookSnapshot(2, 1, M, [[4100, 1000], [4200, 1300]], [[5500, 2000], [5600, 1700]], false);
    const f = check('orderbookSnapshot', text);
    expect(f).toEqual({
      type: 'orderbook_snapshot', sid: 2, seq: 1,
      msg: { market_ticker: TICKER, market_id: MARKET_ID, yes_dollars_fp: [['0.4100', '10.00'], ['0.4200', '13.00']], no_dollars_fp: [['0.5500', '20.00'], ['0.5600', '17.00']] },
    });
  });

  it('re-expresses NO levels in YES price with use_yes_price (same order), YES unchanged', () => {
    const f = check('orderbookSnapshot', frames.orderbookSnapshot(2, 1, M, [[4100, 1000]], [[5500, 2000], [5600, 1700]], true));
    expect(f.msg.yes_dollars_fp).toEqual([['0.4100', '10.00']]);
    expect(f.msg.no_dollars_fp).toEqual([['0.4500', '20.00'], ['0.4400', '17.00']]);
  });

  it('omits the key of an empty side, and both when the book is empty', () => {
    const onlyNo = check('orderbookSnapshot', frames.orderbookSnapshot(3, 4, M, [], [[3000, 5]], false));
    expect('yes_dollars_fp' in onlyNo.msg).toBe(false);
    expect(onlyNo.msg.no_dollars_fp).toEqual([['0.3000', '0.05']]);
    const empty = check('orderbookSnapshot', frames.orderbookSnapshot(3, 5, M, [], [], true));
    expect(empty.msg).toEqual({ market_ticker: TICKER, market_id: MARKET_ID });
  });

  it('carries the command id when it answers get_snapshot', () => {
    const f = check('orderbookSnapshot', frames.orderbookSnapshot(2, 9, M, [[1, 1]], [], false, 127));
    expect(f).toMatchObject({ id: 127, type: 'orderbook_snapshot', sid: 2, seq: 9 });
  });
});

describe('orderbook_delta', () => {
  it('is exactly Kalshi\'s frame (key order included)', () => {
    const text = frames.orderbookDelta(2, 2, M, 'yes', 4200, -300, 1755800000123, undefined, false);
    expect(text).toBe(
      `{"type":"orderbook_delta","sid":2,"seq":2,"msg":{"market_ticker":"${TICKER}","market_id":"${MARKET_ID}",` +
        '"price_dollars":"0.4200","delta_fp":"-3.00","side":"yes","ts_ms":1755800000123}}',
    );
    check('orderbookDelta', text);
  });

  it('adds client_order_id and subaccount for the session\'s own order, JSON-escaped', () => {
    const f = check('orderbookDelta', frames.orderbookDelta(7, 3, M, 'no', 3000, 1050, 5, 'my "order" \\1', false));
    expect(f.msg).toEqual({
      market_ticker: TICKER, market_id: MARKET_ID, price_dollars: '0.3000', delta_fp: '10.50', side: 'no', ts_ms: 5,
      client_order_id: 'my "order" \\1', subaccount: 0,
    });
  });

  it('shows a NO level in NO price by default and in YES price with use_yes_price', () => {
    const no = check('orderbookDelta', frames.orderbookDelta(1, 1, M, 'no', 3000, 100, 0, undefined, false));
    const yesScale = check('orderbookDelta', frames.orderbookDelta(1, 1, M, 'no', 3000, 100, 0, undefined, true));
    const yesSide = check('orderbookDelta', frames.orderbookDelta(1, 1, M, 'yes', 3000, 100, 0, undefined, true));
    expect([no.msg.price_dollars, no.msg.side]).toEqual(['0.3000', 'no']);
    expect([yesScale.msg.price_dollars, yesScale.msg.side]).toEqual(['0.7000', 'no']);
    expect([yesSide.msg.price_dollars, yesSide.msg.side]).toEqual(['0.3000', 'yes']);
  });

  it('round-trips prices and signed counts exactly, at every price and many counts', () => {
    for (let p = 0; p <= 10_000; p += 1) {
      const f = JSON.parse(frames.orderbookDelta(1, 1, M, 'yes', p, 1, 0, undefined)) as Frame;
      expect(parsePrice(f.msg.price_dollars as string)).toBe(p);
    }
    const next = rng(7);
    const counts = [0, 1, -1, 99, -99, 100, -100, 2 ** 31 - 1, -(2 ** 31 - 1), 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, -(Number.MAX_SAFE_INTEGER - 1)];
    for (let i = 0; i < 5000; i++) counts.push(Math.floor((next() - 0.5) * 2 ** (1 + Math.floor(next() * 52))));
    for (const c of counts) {
      const f = JSON.parse(frames.orderbookDelta(1, 1, M, 'yes', 5000, c, 0, undefined)) as Frame;
      expect(f.msg.delta_fp).toBe(formatCount(c));
      expect(parseSignedCount(f.msg.delta_fp as string)).toBe(c);
    }
  });

  it('refuses impossible numbers instead of writing them', () => {
    expect(() => frames.orderbookDelta(1, 1, M, 'yes', 10_001, 1, 0, undefined)).toThrow();
    expect(() => frames.orderbookDelta(1, 1, M, 'yes', 5000, 1.5, 0, undefined)).toThrow();
    expect(() => frames.orderbookSnapshot(1, 1, M, [[-1, 1]], [])).toThrow();
  });

  it('builds at least 300,000 deltas per second', () => {
    const n = 300_000;
    let bytes = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) bytes += frames.orderbookDelta(5, i + 1, M, (i & 1) === 0 ? 'yes' : 'no', 100 + (i % 9800), (i % 2000) - 1000, 1755800000000 + i, undefined, (i & 2) === 0).length;
    const ms = performance.now() - t0;
    expect(bytes).toBeGreaterThan(n * 100);
    expect(ms).toBeLessThan(1000);
  });
});

describe('market data frames', () => {
  it('ticker', () => {
    const m = fx.market({ lastPrice: 4800, volume: 3_389_600, openInterest: 2_042_200 });
    const f = check('ticker', frames.ticker(11, m, TOP, 2500, 1669149841000));
    expect(f).toEqual({
      type: 'ticker', sid: 11,
      msg: {
        market_id: MARKET_ID, market_ticker: TICKER, price_dollars: '0.4800', yes_bid_dollars: '0.4500', yes_ask_dollars: '0.5300',
        yes_bid_size_fp: '300.00', yes_ask_size_fp: '150.00', last_trade_size_fp: '25.00', volume_fp: '33896.00', open_interest_fp: '20422.00',
        dollar_volume: 16948, dollar_open_interest: 10211, ts: 1669149841, ts_ms: 1669149841000, time: '2022-11-22T20:44:01Z',
      },
    });
  });

  it('trade', () => {
    const f = check('trade', frames.trade(11, 2, M, 'd91bc706-ee49-470d-82d8-11418bda6fed', 3600, 13_600, 'ask', 1669149841000));
    expect(f).toEqual({
      type: 'trade', sid: 11, seq: 2,
      msg: {
        trade_id: 'd91bc706-ee49-470d-82d8-11418bda6fed', market_ticker: TICKER, yes_price_dollars: '0.3600', no_price_dollars: '0.6400',
        count_fp: '136.00', taker_side: 'no', taker_outcome_side: 'no', taker_book_side: 'ask', is_block_trade: false, ts: 1669149841, ts_ms: 1669149841000,
      },
    });
    expect(check('trade', frames.trade(1, 1, M, 'd91bc706-ee49-470d-82d8-11418bda6fed', 3600, 1, 'bid', 0)).msg.taker_outcome_side).toBe('yes');
  });

  const LIFECYCLE_KEYS: Record<frames.LifecycleEventType, string[]> = {
    created: ['additional_metadata', 'close_ts', 'event_type', 'exchange_index', 'market_ticker', 'open_ts', 'price_level_structure', 'price_ranges'],
    activated: ['event_type', 'is_deactivated', 'market_ticker'],
    deactivated: ['event_type', 'is_deactivated', 'market_ticker'],
    close_date_updated: ['close_ts', 'event_type', 'market_ticker'],
    determined: ['determination_ts', 'event_type', 'market_ticker', 'result', 'settlement_value'],
    settled: ['event_type', 'market_ticker', 'settled_ts'],
    price_level_structure_updated: ['event_type', 'market_ticker', 'price_level_structure', 'price_ranges'],
  };

  it.each(Object.keys(LIFECYCLE_KEYS) as frames.LifecycleEventType[])('market_lifecycle_v2 %s carries only its keys', (type) => {
    const m = fx.market({ result: 'yes', settledMs: fx.T0 + 10_000, status: 'determined' });
    const f = check('marketLifecycleV2', frames.marketLifecycleV2(13, 3, m, type, fx.T0 + 5000));
    expect(f).toMatchObject({ type: 'market_lifecycle_v2', sid: 13, seq: 3 });
    expect(Object.keys(f.msg).sort()).toEqual(LIFECYCLE_KEYS[type]);
    expect(f.msg.event_type).toBe(type);
  });

  it('market_lifecycle_v2 values', () => {
    const m = fx.market({ result: 'no', settledMs: fx.T0 + 10_000 });
    const created = check('marketLifecycleV2', frames.marketLifecycleV2(1, 1, m, 'created', fx.T0)).msg;
    expect(created).toMatchObject({
      open_ts: (fx.T0 - 3_600_000) / 1000, close_ts: (fx.T0 + 3_600_000) / 1000, price_level_structure: 'linear_cent',
      price_ranges: [{ start: '0.0000', end: '1.0000', step: '0.0100' }],
      additional_metadata: { title: m.title, yes_sub_title: m.yesSubTitle, no_sub_title: m.noSubTitle, can_close_early: true, event_ticker: m.eventTicker, expected_expiration_ts: (fx.T0 + 3_660_000) / 1000 },
    });
    expect(frames.marketLifecycleV2(1, 2, m, 'deactivated', 0)).toContain('"is_deactivated":true');
    expect(frames.marketLifecycleV2(1, 2, m, 'activated', 0)).toContain('"is_deactivated":false');
    const det = JSON.parse(frames.marketLifecycleV2(1, 3, m, 'determined', fx.T0 + 1999)) as Frame;
    expect(det.msg).toMatchObject({ result: 'no', settlement_value: '0.0000', determination_ts: fx.T0 / 1000 + 1 });
    const settled = JSON.parse(frames.marketLifecycleV2(1, 4, m, 'settled', 0)) as Frame;
    expect(settled.msg.settled_ts).toBe((fx.T0 + 10_000) / 1000);
  });

  it('event_lifecycle', () => {
    const f = check('eventLifecycle', frames.eventLifecycle(5, 8, fx.event(), fx.T0));
    expect(f.msg).toEqual({
      event_ticker: 'KXSIMBTC-26AUG01', exchange_index: 0, title: 'BTC on Aug 1', subtitle: 'Aug 1, 2026', collateral_return_type: '',
      series_ticker: 'KXSIMBTC', strike_date: fx.T0 / 1000,
    });
  });
});

describe('private frames', () => {
  it('fill', () => {
    const f = check('fill', frames.fill(13, fx.fill(), M));
    expect(f).toEqual({
      type: 'fill', sid: 13,
      msg: {
        trade_id: 'd91bc706-ee49-470d-82d8-11418bda6fed', order_id: 'ee587a1c-8b87-4dcf-b721-9f6f790619fa', client_order_id: 'my-order-1',
        market_ticker: TICKER, exchange_index: 0, is_taker: true, yes_price_dollars: '0.7500', count_fp: '278.00', fee_cost: '0.010000',
        outcome_side: 'yes', book_side: 'bid', post_position_fp: '500.00', side: 'yes', action: 'buy', purchased_side: 'yes',
        ts: Math.floor((fx.T0 + 397) / 1000), ts_ms: fx.T0 + 397,
      },
    });
    const ask = check('fill', frames.fill(13, fx.fill({ side: 'ask', outcomeSide: 'no', clientOrderId: '', postPosition: -300 }), M));
    expect(ask.msg).toMatchObject({ outcome_side: 'no', book_side: 'ask', side: 'no', purchased_side: 'no', post_position_fp: '-3.00' });
    expect('client_order_id' in ask.msg).toBe(false);
    expect(parseMoney(ask.msg.fee_cost as string)).toBe(10_000);
  });

  it('market_position', () => {
    const f = check('marketPosition', frames.marketPosition(14, fx.ACCOUNT, M, fx.position()));
    expect(f).toEqual({
      type: 'market_position', sid: 14,
      msg: {
        user_id: fx.ACCOUNT, market_ticker: TICKER, position_fp: '100.00', position_cost_dollars: '50.0000', realized_pnl_dollars: '10.0000',
        fees_paid_dollars: '1.0000', position_fee_cost_dollars: '1.0000', volume_fp: '15.00',
      },
    });
    const flat = check('marketPosition', frames.marketPosition(14, 'acct-7', M, fx.position({ position: 0, exposure: 0 })));
    expect(flat.msg).toMatchObject({ user_id: userIdOf('acct-7'), position_fp: '0.00', position_fee_cost_dollars: '0.0000' });
  });

  it('user_order', () => {
    const o = fx.order({ orderGroupId: 'og_123', expirationMs: fx.T0 + 3_600_000 });
    const f = check('userOrder', frames.userOrder(22, o, M));
    expect(f).toEqual({
      type: 'user_order', sid: 22,
      msg: {
        order_id: o.orderId, user_id: fx.ACCOUNT, ticker: TICKER, exchange_index: 0, status: 'resting', outcome_side: 'yes', book_side: 'bid',
        side: 'yes', is_yes: true, yes_price_dollars: '0.3500', fill_count_fp: '2.50', remaining_count_fp: '7.50', initial_count_fp: '10.00',
        taker_fill_cost_dollars: '0.875000', maker_fill_cost_dollars: '0.000000', taker_fees_dollars: '0.020000', maker_fees_dollars: '0.000000',
        client_order_id: 'my-order-1', order_group_id: 'og_123', self_trade_prevention_type: 'taker_at_cross',
        created_time: '2026-08-01T12:00:00Z', created_ts_ms: fx.T0, last_update_time: '2026-08-01T12:00:01.234Z', last_updated_ts_ms: fx.T0 + 1234,
        expiration_time: '2026-08-01T13:00:00Z', expiration_ts_ms: fx.T0 + 3_600_000, last_update_reason: 'Trade', subaccount_number: 0,
      },
    });
    const ask = check('userOrder', frames.userOrder(22, fx.order({ side: 'ask', status: 'canceled', lastUpdateReason: '' }), M));
    expect(ask.msg).toMatchObject({ outcome_side: 'no', book_side: 'ask', side: 'no', is_yes: false, status: 'canceled' });
    for (const k of ['order_group_id', 'expiration_ts_ms', 'last_update_reason']) expect(k in ask.msg).toBe(false);
    expect(parseCount(ask.msg.remaining_count_fp as string)).toBe(750);
    const grouped = check('userOrder', frames.userOrder(22, fx.order({ status: 'canceled', lastUpdateReason: 'OrderGroupCancel' }), M));
    expect('last_update_reason' in grouped.msg).toBe(false);
    for (const reason of ['Decrease', 'Amend', 'SelfTradeCancel', 'ExpiryCancel', 'ReduceOnlyCancel']) {
      expect(check('userOrder', frames.userOrder(22, fx.order({ lastUpdateReason: reason }), M)).msg.last_update_reason).toBe(reason);
    }
  });

  it.each(['created', 'triggered', 'reset', 'deleted', 'limit_updated'] as const)('order_group_updates %s', (type) => {
    const f = check('orderGroupUpdates', frames.orderGroupUpdates(21, 7, fx.orderGroup(), type, 1733047200000));
    const withLimit = type === 'created' || type === 'limit_updated';
    expect(f).toEqual({
      type: 'order_group_updates', sid: 21, seq: 7,
      msg: { event_type: type, order_group_id: 'og_123', ...(withLimit ? { contracts_limit_fp: '150.00' } : {}), ts_ms: 1733047200000 },
    });
  });
});

describe('command replies', () => {
  it('subscribed / unsubscribed / ok / list / error', () => {
    expect(check('subscribedResponse', frames.subscribed(1, 'orderbook_delta', 1))).toEqual({ id: 1, type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 1 } });
    expect(check('unsubscribedResponse', frames.unsubscribed(102, 2, 7))).toEqual({ id: 102, sid: 2, seq: 7, type: 'unsubscribed' });
    expect(check('okResponse', frames.ok(123, 456, 222, ['M-1', 'M-2']))).toEqual({ id: 123, sid: 456, seq: 222, type: 'ok', msg: { market_tickers: ['M-1', 'M-2'] } });
    expect(check('okResponse', frames.ok(123, 456, undefined))).toEqual({ id: 123, sid: 456, type: 'ok' });
    expect(check('listSubscriptionsResponse', frames.listSubscriptions(3, [{ channel: 'orderbook_delta', sid: 1 }, { channel: 'fill', sid: 3 }]))).toEqual({
      id: 3, type: 'ok', msg: [{ channel: 'orderbook_delta', sid: 1 }, { channel: 'fill', sid: 3 }],
    });
    expect(check('listSubscriptionsResponse', frames.listSubscriptions(3, []))).toEqual({ id: 3, type: 'ok', msg: [] });
    expect(check('errorResponse', frames.error(123, 7))).toEqual({ id: 123, type: 'error', msg: { code: 7, msg: 'Unknown subscription ID' } });
    expect(check('errorResponse', frames.error(undefined, 1))).toEqual({ type: 'error', msg: { code: 1, msg: 'Unable to process message' } });
    expect(check('errorResponse', frames.error(5, 11, 'unknown market', undefined, { marketTickers: ['NOPE-1'] }))).toEqual({
      id: 5, type: 'error', msg: { code: 11, msg: 'unknown market', market_tickers: ['NOPE-1'] },
    });
    expect(check('errorResponse', frames.error(undefined, 25, undefined, 4, { seq: 9 }))).toEqual({ sid: 4, seq: 9, type: 'error', msg: { code: 25, msg: 'Subscription buffer overflow' } });
  });
});
