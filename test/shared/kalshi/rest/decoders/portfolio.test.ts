import { describe, expect, it } from 'vitest';
import { decodeBalance, decodePositionsPage, decodeSettlementsPage } from '../../../../../src/shared/kalshi/rest/decoders/portfolio.js';
import { validateRestResponse } from '../../../../support/spec-validator.js';
import { DELETE, expectSchemaError, fixture, withValue } from './fixtures.js';

describe('decodeBalance', () => {
  const doc = fixture('balance.json');
  it('reads the exact dollar balance and the cents portfolio value as µ$', () => {
    expect(validateRestResponse('GetBalance', 200, doc)).toEqual([]);
    expect(decodeBalance(doc)).toEqual({ balance: 1_234_567_800, portfolioValue: 987_650_000, updatedTs: 1_755_800_000, byExchangeIndex: [{ exchangeIndex: 0, balance: 1_234_567_800 }] });
    expect(decodeBalance(withValue(doc, 'balance_breakdown', DELETE)).byExchangeIndex).toEqual([]);
  });

  it.each([
    ['balance_dollars', 1234.5678],
    ['balance_dollars', '1234.5678901'],
    ['balance', '123456'],
    ['portfolio_value', 987.65],
    ['updated_ts', '2026-08-01T00:00:00Z'],
    ['balance_breakdown[0].balance', 12],
  ])('refuses %s = %j', (path, value) => {
    expectSchemaError(() => decodeBalance(withValue(doc, path, value)), `balance.${path}`);
  });

  it('refuses a missing balance', () => {
    expectSchemaError(() => decodeBalance(withValue(doc, 'balance_dollars', DELETE)), 'balance.balance_dollars');
  });
});

describe('decodePositionsPage', () => {
  const doc = fixture('positions-page.json');
  it('reads signed positions and exact money', () => {
    expect(validateRestResponse('GetPositions', 200, doc)).toEqual([]);
    expect(decodePositionsPage(doc)).toEqual({
      cursor: '',
      items: [{
        ticker: 'KXFOO-26AUG01-T50', exchangeIndex: 0, position: -10_000, marketExposure: 52_000_000, realizedPnl: -1_250_000,
        feesPaid: 870_000, totalTraded: 41_750_000, lastUpdatedMs: Date.UTC(2026, 6, 30, 15, 4, 5),
      }],
    });
    expect(decodePositionsPage(withValue(doc, 'cursor', DELETE)).cursor).toBe('');
  });

  it.each([
    ['market_positions[0].position_fp', '-1.005'],
    ['market_positions[0].position_fp', -100],
    ['market_positions[0].last_updated_ts', 1753887845],
    ['market_positions[0].realized_pnl_dollars', '-1.2500001'],
    ['cursor', 7],
  ])('refuses %s = %j', (path, value) => {
    expectSchemaError(() => decodePositionsPage(withValue(doc, path, value)), `reply.${path}`);
  });
});

describe('decodeSettlementsPage', () => {
  const doc = fixture('settlements-page.json');
  it('reads counts, costs and the payout', () => {
    expect(validateRestResponse('GetSettlements', 200, doc)).toEqual([]);
    expect(decodeSettlementsPage(doc)).toEqual({
      cursor: '',
      items: [{
        ticker: 'KXFOO-26AUG01-T40', eventTicker: 'KXFOO-26AUG01', exchangeIndex: 0, marketResult: 'yes', yesCount: 1_250, noCount: 0,
        yesTotalCost: 6_250_000, noTotalCost: 0, revenue: 12_500_000, fee: 340_000, settledTimeMs: Date.UTC(2026, 7, 1, 20, 35, 12), yesPayout: 10_000,
      }],
    });
    expect(decodeSettlementsPage(withValue(doc, 'settlements[0].value', null)).items[0].yesPayout).toBeUndefined();
  });

  it.each([
    ['settlements[0].market_result', 'void'],
    ['settlements[0].value', 150],
    ['settlements[0].revenue', 12.5],
    ['settlements[0].yes_count_fp', '-1.00'],
    ['settlements[0].fee_cost', 0.34],
  ])('refuses %s = %j', (path, value) => {
    expectSchemaError(() => decodeSettlementsPage(withValue(doc, path, value)), `reply.${path}`);
  });
});
