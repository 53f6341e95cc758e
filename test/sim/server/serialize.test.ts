import { describe, expect, it } from 'vitest';
import { parseCount, parseMoney, parsePrice, parseSignedCount } from '../../../src/shared/fixed-point.js';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import type { MarketStatus } from '../../../src/sim/engine/types.js';
import { isUuid, marketIdOf, userIdOf } from '../../../src/sim/server/ids.js';
import {
  balanceJson,
  type BookTop,
  createOrderGroupJson,
  dollars,
  EMPTY_BOOK_TOP,
  errorBody,
  eventJson,
  eventPositionJson,
  exchangeStatusJson,
  fillJson,
  marketJson,
  orderbookJson,
  orderGroupDetailJson,
  orderGroupJson,
  orderJson,
  positionJson,
  rfc3339,
  seriesJson,
  settlementJson,
  TOO_MANY_REQUESTS_BODY,
  tradeJson,
} from '../../../src/sim/server/serialize.js';
import { validateRestResponse, validateRestSchema } from '../../support/spec-validator.js';
import * as fx from './fixtures.js';

const TOP: BookTop = { yesBid: 5500, yesBidSize: 30_000, yesAsk: 5700, yesAskSize: 15_000, noBid: 4300, noAsk: 4500 };
const STATUSES: MarketStatus[] = ['initialized', 'inactive', 'active', 'closed', 'determined', 'disputed', 'amended', 'finalized'];

describe('marketJson', () => {
  it('is a valid Market with every required field and the engine numbers round-tripping', () => {
    const m = fx.market();
    const j = marketJson(m, TOP);
    expect(validateRestSchema('Market', j)).toEqual([]);
    expect(validateRestResponse('GetMarket', 200, { market: j })).toEqual([]);
    expect(validateRestResponse('GetMarkets', 200, { markets: [j], cursor: '' })).toEqual([]);
    expect(j).toMatchObject({
      ticker: m.ticker,
      event_ticker: m.eventTicker,
      market_type: 'binary',
      status: 'active',
      result: '',
      notional_value_dollars: '1.0000',
      yes_bid_dollars: '0.5500',
      yes_bid_size_fp: '300.00',
      yes_ask_dollars: '0.5700',
      yes_ask_size_fp: '150.00',
      no_bid_dollars: '0.4300',
      no_ask_dollars: '0.4500',
      last_price_dollars: '0.5500',
      volume_fp: '12345.00',
      open_interest_fp: '500.50',
      created_time: '2026-07-31T12:00:00Z',
      close_time: '2026-08-01T13:00:00Z',
      price_level_structure: 'linear_cent',
      price_ranges: [{ start: '0.0000', end: '1.0000', step: '0.0100' }],
      settlement_timer_seconds: 60,
      can_close_early: true,
    });
    expect(parsePrice(j.previous_yes_bid_dollars as string)).toBe(m.previousYesBid);
    expect(parsePrice(j.previous_yes_ask_dollars as string)).toBe(m.previousYesAsk);
    expect(parsePrice(j.previous_price_dollars as string)).toBe(m.previousPrice);
    expect(parseCount(j.volume_24h_fp as string)).toBe(m.volume24h);
    for (const [field, ms] of [['open_time', m.openMs], ['updated_time', m.updatedMs], ['latest_expiration_time', m.determineMs]] as const) {
      expect(Date.parse(j[field] as string)).toBe(ms);
    }
    expect('settlement_value_dollars' in j).toBe(false);
  });

  it('shows an empty book as bid 0 / ask 1', () => {
    const j = marketJson(fx.market(), EMPTY_BOOK_TOP);
    expect(j).toMatchObject({ yes_bid_dollars: '0.0000', yes_ask_dollars: '1.0000', no_bid_dollars: '0.0000', no_ask_dollars: '1.0000', yes_bid_size_fp: '0.00' });
    expect(validateRestSchema('Market', j)).toEqual([]);
  });

  it.each(STATUSES)('is valid in status %s', (status) => {
    const settled = status === 'determined' || status === 'finalized' || status === 'disputed' || status === 'amended';
    const m = fx.market({ status, result: settled ? 'no' : '', settledMs: status === 'finalized' ? fx.T0 + 9_000_000 : 0 });
    const j = marketJson(m, TOP);
    expect(validateRestSchema('Market', j)).toEqual([]);
    if (settled) expect(j.settlement_value_dollars).toBe('0.0000');
    if (status === 'finalized') expect(j.settlement_ts).toBe(rfc3339(fx.T0 + 9_000_000));
  });

  it('writes sub-penny grids from the grid itself', () => {
    const m = fx.market({ priceLevelStructure: 'tapered_deci_cent', grid: PriceGrid.forStructure('tapered_deci_cent') });
    const j = marketJson(m, { ...TOP, yesBid: 9_990, noAsk: 10 });
    expect(j.price_ranges).toEqual([
      { start: '0.0000', end: '0.1000', step: '0.0010' },
      { start: '0.1000', end: '0.9000', step: '0.0100' },
      { start: '0.9000', end: '1.0000', step: '0.0010' },
    ]);
    expect(j.yes_bid_dollars).toBe('0.9990');
    expect(validateRestSchema('Market', j)).toEqual([]);
  });
});

describe('orderJson', () => {
  it('is a valid Order for a bid (buy YES)', () => {
    const o = fx.order();
    const j = orderJson(o, fx.market());
    expect(validateRestSchema('Order', j)).toEqual([]);
    expect(validateRestResponse('GetOrder', 200, { order: j })).toEqual([]);
    expect(validateRestResponse('GetOrders', 200, { orders: [j], cursor: '' })).toEqual([]);
    expect(j).toMatchObject({
      order_id: o.orderId,
      user_id: fx.ACCOUNT,
      client_order_id: 'my-order-1',
      ticker: 'KXSIMBTC-26AUG01-T5000',
      outcome_side: 'yes',
      book_side: 'bid',
      side: 'yes',
      action: 'buy',
      type: 'limit',
      status: 'resting',
      yes_price_dollars: '0.3500',
      no_price_dollars: '0.6500',
      fill_count_fp: '2.50',
      remaining_count_fp: '7.50',
      initial_count_fp: '10.00',
      taker_fill_cost_dollars: '0.875000',
      maker_fill_cost_dollars: '0.000000',
      taker_fees_dollars: '0.020000',
      maker_fees_dollars: '0.000000',
      expiration_time: null,
      created_time: '2026-08-01T12:00:00Z',
      last_update_time: '2026-08-01T12:00:01.234Z',
      self_trade_prevention_type: 'taker_at_cross',
      order_group_id: null,
      cancel_order_on_pause: false,
      exchange_index: 0,
    });
    expect(parseMoney(j.taker_fill_cost_dollars as string)).toBe(o.takerFillCost);
    expect(parseMoney(j.taker_fees_dollars as string)).toBe(o.takerFees);
  });

  it('maps an ask to outcome NO at the complement price, with expiry and group', () => {
    const o = fx.order({ side: 'ask', price: 7000, expirationMs: fx.T0 + 3_600_000, orderGroupId: 'og_123', status: 'canceled', selfTradePrevention: 'maker' });
    const j = orderJson(o, fx.market());
    expect(validateRestSchema('Order', j)).toEqual([]);
    expect(j).toMatchObject({
      outcome_side: 'no',
      book_side: 'ask',
      side: 'no',
      action: 'buy',
      yes_price_dollars: '0.7000',
      no_price_dollars: '0.3000',
      expiration_time: '2026-08-01T13:00:00Z',
      order_group_id: 'og_123',
      status: 'canceled',
      self_trade_prevention_type: 'maker',
    });
  });

  it('derives a UUID user_id from a non-UUID account id, the same every time', () => {
    const j = orderJson(fx.order({ account: 'acct-1' }), fx.market());
    expect(isUuid(j.user_id as string)).toBe(true);
    expect(j.user_id).toBe(userIdOf('acct-1'));
    expect(userIdOf('acct-1')).not.toBe(userIdOf('acct-2'));
    expect(isUuid(marketIdOf('KXSIMBTC-26AUG01-T5000'))).toBe(true);
    expect(marketIdOf('KXSIMBTC-26AUG01-T5000')).toBe(marketIdOf('KXSIMBTC-26AUG01-T5000'));
  });
});

describe('portfolio serializers', () => {
  it('fillJson is a valid Fill', () => {
    const f = fx.fill();
    const j = fillJson(f, fx.market());
    expect(validateRestSchema('Fill', j)).toEqual([]);
    expect(validateRestResponse('GetFills', 200, { fills: [j, fillJson(fx.fill({ side: 'ask', outcomeSide: 'no', isTaker: false }), fx.market())], cursor: '' })).toEqual([]);
    expect(j).toMatchObject({
      fill_id: f.fillId, trade_id: f.tradeId, order_id: f.orderId, ticker: 'KXSIMBTC-26AUG01-T5000', market_ticker: 'KXSIMBTC-26AUG01-T5000',
      outcome_side: 'yes', book_side: 'bid', side: 'yes', action: 'buy', count_fp: '278.00', yes_price_dollars: '0.7500', no_price_dollars: '0.2500',
      is_taker: true, fee_cost: '0.010000', created_time: '2026-08-01T12:00:00.397Z', ts: Math.floor((fx.T0 + 397) / 1000),
    });
  });

  it('positionJson / eventPositionJson are valid, positions signed', () => {
    const m = fx.market();
    const long = positionJson(fx.position(), m);
    const short = positionJson(fx.position({ position: -300, realizedPnl: -1_234_567, exposure: 1_950_000 }), m);
    expect(long).toMatchObject({
      ticker: m.ticker, position_fp: '100.00', market_exposure_dollars: '50.0000', realized_pnl_dollars: '10.0000',
      fees_paid_dollars: '1.0000', total_traded_dollars: '60.0000', last_updated_ts: '2026-08-01T12:00:05Z', exchange_index: 0,
    });
    expect(short).toMatchObject({ position_fp: '-3.00', realized_pnl_dollars: '-1.234567', market_exposure_dollars: '1.9500' });
    expect(parseSignedCount(short.position_fp as string)).toBe(-300);
    const ev = eventPositionJson(m.eventTicker, [fx.position(), fx.position({ position: -300, totalTraded: 1_000_000, volume: 300, feesPaid: 20_000 })]);
    expect(ev).toEqual({
      event_ticker: m.eventTicker, total_cost_dollars: '61.0000', total_cost_shares_fp: '18.00', event_exposure_dollars: '100.0000',
      realized_pnl_dollars: '20.0000', fees_paid_dollars: '1.0200',
    });
    for (const p of [long, short]) expect(validateRestSchema('MarketPosition', p)).toEqual([]);
    expect(validateRestSchema('EventPosition', ev)).toEqual([]);
    expect(validateRestResponse('GetPositions', 200, { market_positions: [long, short], event_positions: [ev], cursor: '' })).toEqual([]);
  });

  it('settlementJson pays revenue in cents and value per YES contract in cents', () => {
    const m = fx.market({ status: 'finalized', result: 'yes' });
    const yes = settlementJson(fx.settlement(), m);
    expect(yes).toMatchObject({
      ticker: m.ticker, event_ticker: m.eventTicker, market_result: 'yes', yes_count_fp: '10.00', yes_total_cost_dollars: '5.6000',
      no_count_fp: '0.00', no_total_cost_dollars: '0.0000', revenue: 1000, value: 100, fee_cost: '0.0000', settled_time: '2026-08-01T14:00:00Z',
    });
    const no = settlementJson(fx.settlement({ result: 'no', yesCount: 0, yesTotalCost: 0, noCount: 250, noTotalCost: 1_125_000, revenue: 2_500_000 }), m);
    expect(no).toMatchObject({ market_result: 'no', revenue: 250, value: 0, no_count_fp: '2.50', no_total_cost_dollars: '1.1250' });
    for (const s of [yes, no]) expect(validateRestSchema('Settlement', s)).toEqual([]);
    expect(validateRestResponse('GetSettlements', 200, { settlements: [yes, no], cursor: '' })).toEqual([]);
  });

  it('balanceJson: integer cents, dollars string, Unix-second updated_ts', () => {
    const j = balanceJson(1_000_123_400, 25_000_000, fx.T0 + 999);
    expect(j).toEqual({
      balance: 100_012, balance_dollars: '1000.1234', portfolio_value: 2_500, updated_ts: fx.T0 / 1000,
      balance_breakdown: [{ exchange_index: 0, balance: '1000.1234' }],
    });
    expect(validateRestResponse('GetBalance', 200, j)).toEqual([]);
    expect(parseMoney(j.balance_dollars as string)).toBe(1_000_123_400);
    expect(dollars(1_234_567)).toBe('1.234567');
  });

  it('order group serializers are valid', () => {
    const g = fx.orderGroup();
    expect(orderGroupJson(g)).toEqual({ id: 'og_123', contracts_limit_fp: '150.00', is_auto_cancel_enabled: true, exchange_index: 0 });
    expect(orderGroupJson(fx.orderGroup({ triggered: true })).is_auto_cancel_enabled).toBe(false);
    expect(validateRestResponse('GetOrderGroups', 200, { order_groups: [orderGroupJson(g)] })).toEqual([]);
    const detail = orderGroupDetailJson(g, ['ee587a1c-8b87-4dcf-b721-9f6f790619fa']);
    expect(detail).toEqual({ is_auto_cancel_enabled: true, contracts_limit_fp: '150.00', orders: ['ee587a1c-8b87-4dcf-b721-9f6f790619fa'], exchange_index: 0 });
    expect(validateRestResponse('GetOrderGroup', 200, detail)).toEqual([]);
    expect(validateRestResponse('CreateOrderGroup', 201, createOrderGroupJson(g))).toEqual([]);
  });
});

describe('market data serializers', () => {
  it('orderbookJson: both keys always, ascending, best bid last', () => {
    const j = orderbookJson([[4100, 1000], [4200, 1300]], [[5600, 1700], [5500, 2000]]);
    expect(j).toEqual({ orderbook_fp: { yes_dollars: [['0.4100', '10.00'], ['0.4200', '13.00']], no_dollars: [['0.5500', '20.00'], ['0.5600', '17.00']] } });
    expect(validateRestResponse('GetMarketOrderbook', 200, j)).toEqual([]);
    const empty = orderbookJson([], []);
    expect(empty).toEqual({ orderbook_fp: { yes_dollars: [], no_dollars: [] } });
    expect(validateRestResponse('GetMarketOrderbook', 200, empty)).toEqual([]);
    for (const p of [1, 9999, 5, 10]) expect(parsePrice(orderbookJson([[p, 1]], []).orderbook_fp.yes_dollars[0][0])).toBe(p);
  });

  it('tradeJson is a valid Trade', () => {
    const j = tradeJson(fx.market(), 'd91bc706-ee49-470d-82d8-11418bda6fed', 3600, 13_600, 'ask', fx.T0);
    expect(j).toEqual({
      trade_id: 'd91bc706-ee49-470d-82d8-11418bda6fed', ticker: 'KXSIMBTC-26AUG01-T5000', count_fp: '136.00', yes_price_dollars: '0.3600',
      no_price_dollars: '0.6400', taker_side: 'no', taker_outcome_side: 'no', taker_book_side: 'ask', created_time: '2026-08-01T12:00:00Z', is_block_trade: false,
    });
    expect(validateRestResponse('GetTrades', 200, { trades: [j], cursor: '' })).toEqual([]);
  });

  it('seriesJson, eventJson and exchangeStatusJson are valid', () => {
    const s = seriesJson(fx.series({ feeType: 'quadratic_with_maker_fees', feeMultiplierMilli: 500 }));
    expect(s).toMatchObject({ ticker: 'KXSIMBTC', fee_type: 'quadratic_with_maker_fees', fee_multiplier: 0.5 });
    expect(validateRestResponse('GetSeries', 200, { series: s })).toEqual([]);
    expect(validateRestResponse('GetSeriesList', 200, { series: [s] })).toEqual([]);
    const e = eventJson(fx.event());
    expect(e).toMatchObject({ event_ticker: 'KXSIMBTC-26AUG01', series_ticker: 'KXSIMBTC', title: 'BTC on Aug 1', sub_title: 'Aug 1, 2026' });
    expect(validateRestResponse('GetEvent', 200, { event: e, markets: [marketJson(fx.market(), TOP)] })).toEqual([]);
    expect(validateRestSchema('EventData', eventJson(fx.event(), [marketJson(fx.market(), TOP)]))).toEqual([]);
    const open = exchangeStatusJson({ exchangeActive: true, tradingActive: true });
    expect(open).toEqual({ exchange_active: true, trading_active: true, exchange_estimated_resume_time: null });
    const paused = exchangeStatusJson({ exchangeActive: true, tradingActive: false, estimatedResumeMs: fx.T0 });
    expect(paused.exchange_estimated_resume_time).toBe('2026-08-01T12:00:00Z');
    for (const x of [open, paused]) expect(validateRestResponse('GetExchangeStatus', 200, x)).toEqual([]);
  });
});

describe('errors', () => {
  it('errorBody wraps code/message/details; 429 is a bare string', () => {
    expect(errorBody('invalid_order', 'bad')).toEqual({ error: { code: 'invalid_order', message: 'bad' } });
    expect(errorBody('authentication_error', 'authentication_error', 'x')).toEqual({ error: { code: 'authentication_error', message: 'authentication_error', details: 'x' } });
    expect(validateRestSchema('ErrorResponse', errorBody('not_found', 'm').error)).toEqual([]);
    expect(JSON.stringify(TOO_MANY_REQUESTS_BODY)).toBe('{"error":"too many requests"}');
  });
});
