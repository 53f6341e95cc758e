import { describe, expect, it } from 'vitest';
import { PriceGrid } from '../../../../../src/shared/price-grid.js';
import { decodeMarketReply, decodeMarketsPage, decodeSeriesReply } from '../../../../../src/shared/kalshi/rest/decoders/market.js';
import { validateRestResponse } from '../../../../support/spec-validator.js';
import { DELETE, expectSchemaError, fixture, withValue } from './fixtures.js';

describe('decodeMarketReply', () => {
  const doc = fixture('market.json');

  it('decodes every field the host uses into fixed-point units', () => {
    expect(validateRestResponse('GetMarket', 200, doc)).toEqual([]);
    const m = decodeMarketReply(doc);
    expect(m).toEqual({
      ticker: 'KXFOO-26AUG01-T50', eventTicker: 'KXFOO-26AUG01', marketType: 'binary', status: 'active',
      openTimeMs: Date.UTC(2026, 6, 26, 14), closeTimeMs: Date.UTC(2026, 7, 1, 20), expectedExpirationTimeMs: Date.UTC(2026, 7, 1, 20, 5),
      latestExpirationTimeMs: Date.UTC(2026, 7, 8, 20), settlementTimerSeconds: 1800, canCloseEarly: true, notionalValue: 1_000_000,
      yesBid: 4_500, yesAsk: 5_300, noBid: 4_700, noAsk: 5_500, yesBidSize: 30_000, yesAskSize: 15_000, lastPrice: 4_800,
      volume: 3_389_600, volume24h: 125_050, openInterest: 2_042_200, result: '', settlementValue: undefined, settlementTimeMs: undefined,
      feeWaiverExpirationMs: Date.UTC(2026, 6, 31), priceLevelStructure: 'tapered_deci_cent', grid: m.grid, exchangeIndex: 0,
    });
    expect(m.grid).toBe(PriceGrid.forStructure('tapered_deci_cent'));
    expect(m.grid.isOrderable(510)).toBe(true);
    expect(m.grid.isOrderable(505)).toBe(false);
    expect(m.grid.isOrderable(5_005)).toBe(false);
  });

  it.each([
    ['market.status', 'settled'],
    ['market.market_type', 'multi'],
    ['market.result', 'maybe'],
    ['market.yes_bid_dollars', '0.12345'],
    ['market.yes_bid_dollars', 0.45],
    ['market.yes_ask_dollars', '1.5000'],
    ['market.last_price_dollars', '-0.0100'],
    ['market.volume_fp', '-1.00'],
    ['market.volume_fp', 3389600],
    ['market.open_interest_fp', '1.005'],
    ['market.close_time', 1754078400],
    ['market.close_time', 'tomorrow'],
    ['market.settlement_timer_seconds', '1800'],
    ['market.can_close_early', 'yes'],
    ['market.notional_value_dollars', '1.0000001'],
    ['market.price_ranges', 'linear_cent'],
    ['market.price_ranges[0].step', 0.001],
    ['market.ticker', ''],
    ['market.exchange_index', -1],
  ])('refuses %s = %j naming the path', (path, value) => {
    const err = expectSchemaError(() => decodeMarketReply(withValue(doc, path, value)), `reply.${path}`);
    expect(err.message).toContain(`reply.${path}`);
  });

  it.each(['market.ticker', 'market.status', 'market.close_time', 'market.yes_ask_dollars', 'market.price_ranges', 'market.price_ranges[2].end'])('refuses a missing %s', (path) => {
    expectSchemaError(() => decodeMarketReply(withValue(doc, path, DELETE)), `reply.${path}`);
  });

  it('refuses price ranges that do not make a grid', () => {
    const err = expectSchemaError(() => decodeMarketReply(withValue(doc, 'market.price_ranges[1].step', '0.0300')), 'reply.market.price_ranges[1]');
    expect(err.found).toMatch(/step does not divide/);
    expectSchemaError(() => decodeMarketReply(withValue(doc, 'market.price_ranges', [])), 'reply.market.price_ranges');
  });

  it('reads a determined market\'s settlement fields', () => {
    const page = decodeMarketsPage(fixture('markets-page.json'));
    expect(page.cursor).toBe('CgsIgJLmxQYQkNDfLxIJS1hGT08tVDQw');
    expect(page.items[0]).toMatchObject({ status: 'finalized', result: 'yes', settlementValue: 10_000, settlementTimeMs: Date.UTC(2026, 7, 1, 20, 35, 12, 250) });
    expect(page.items[0].grid).toBe(PriceGrid.forStructure('linear_cent'));
  });
});

describe('decodeMarketsPage', () => {
  const doc = fixture('markets-page.json');
  it('needs the markets and the cursor, naming the item that fails', () => {
    expect(validateRestResponse('GetMarkets', 200, doc)).toEqual([]);
    expectSchemaError(() => decodeMarketsPage(withValue(doc, 'cursor', DELETE)), 'reply.cursor');
    expectSchemaError(() => decodeMarketsPage(withValue(doc, 'markets', DELETE)), 'reply.markets');
    expectSchemaError(() => decodeMarketsPage(withValue(doc, 'markets[0].no_bid_dollars', '0.50001')), 'reply.markets[0].no_bid_dollars');
    expect(decodeMarketsPage({ markets: [], cursor: '' })).toEqual({ items: [], cursor: '' });
  });
});

describe('decodeSeriesReply', () => {
  const doc = fixture('series.json');
  it('decodes the fee settings', () => {
    expect(validateRestResponse('GetSeries', 200, doc)).toEqual([]);
    expect(decodeSeriesReply(doc)).toEqual({ ticker: 'KXFOO', feeType: 'quadratic_with_maker_fees', feeMultiplier: 1 });
    expectSchemaError(() => decodeSeriesReply(withValue(doc, 'series.fee_type', 'progressive')), 'reply.series.fee_type');
    expectSchemaError(() => decodeSeriesReply(withValue(doc, 'series.fee_multiplier', '1')), 'reply.series.fee_multiplier');
  });
});
