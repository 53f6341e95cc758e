import { describe, expect, it } from 'vitest';
import { decodeFillsPage, decodeOrderReply, decodeOrdersPage } from '../../../../../src/shared/kalshi/rest/decoders/orders.js';
import { validateRestResponse } from '../../../../support/spec-validator.js';
import { DELETE, expectSchemaError, fixture, withValue } from './fixtures.js';

describe('decodeOrderReply', () => {
  const doc = fixture('order.json');
  it('decodes an order', () => {
    expect(validateRestResponse('GetOrder', 200, doc)).toEqual([]);
    expect(decodeOrderReply(doc)).toEqual({
      orderId: 'ee587a1c-8b87-4dcf-b721-9f6f790619fa', clientOrderId: 'my-order-1', ticker: 'KXFOO-26AUG01-T50', bookSide: 'bid', outcomeSide: 'yes',
      type: 'limit', status: 'resting', yesPrice: 3_500, noPrice: 6_500, initialCount: 1_000, fillCount: 250, remainingCount: 750,
      takerFillCost: 0, makerFillCost: 875_000, takerFees: 0, makerFees: 10_000, createdTimeMs: Date.UTC(2026, 6, 30, 15),
      lastUpdateTimeMs: Date.UTC(2026, 6, 30, 15, 0, 1, 500), expirationTimeMs: Date.UTC(2026, 6, 30, 16), selfTradePrevention: 'taker_at_cross',
      orderGroupId: 'og_123', cancelOrderOnPause: false, exchangeIndex: 0,
    });
  });

  it.each([
    ['order.status', 'pending'],
    ['order.book_side', 'buy'],
    ['order.outcome_side', 'no'], // bid must be yes
    ['order.type', 'stop'],
    ['order.yes_price_dollars', '0.35001'],
    ['order.yes_price_dollars', 0.35],
    ['order.fill_count_fp', '2.505'],
    ['order.maker_fill_cost_dollars', 0.875],
    ['order.self_trade_prevention_type', 'none'],
    ['order.client_order_id', null],
    ['order.order_id', ''],
  ])('refuses %s = %j', (path, value) => {
    expectSchemaError(() => decodeOrderReply(withValue(doc, path, value)), `reply.${path}`);
  });

  it.each(['order.remaining_count_fp', 'order.taker_fees_dollars', 'order.book_side', 'order.ticker'])('refuses a missing %s', (path) => {
    expectSchemaError(() => decodeOrderReply(withValue(doc, path, DELETE)), `reply.${path}`);
  });
});

describe('decodeOrdersPage', () => {
  const doc = fixture('orders-page.json');
  it('decodes asks, nulls and an empty client order id', () => {
    expect(validateRestResponse('GetOrders', 200, doc)).toEqual([]);
    const page = decodeOrdersPage(doc);
    expect(page.cursor).toBe('b3JkZXJzOjI');
    expect(page.items[0]).toMatchObject({ bookSide: 'ask', outcomeSide: 'no', status: 'executed', yesPrice: 5_800, takerFillCost: 2_100_000, expirationTimeMs: undefined, orderGroupId: undefined, createdTimeMs: Date.UTC(2024, 4, 15, 17, 20, 0, 456) });
    expect(page.items[1]).toMatchObject({ clientOrderId: '', status: 'canceled', selfTradePrevention: undefined, cancelOrderOnPause: undefined });
    expectSchemaError(() => decodeOrdersPage(withValue(doc, 'orders[1].initial_count_fp', '10.001')), 'reply.orders[1].initial_count_fp');
  });
});

describe('decodeFillsPage', () => {
  const doc = fixture('fills-page.json');
  it('decodes a fill', () => {
    expect(validateRestResponse('GetFills', 200, doc)).toEqual([]);
    expect(decodeFillsPage(doc)).toEqual({
      cursor: '',
      items: [{
        fillId: 'd91bc706-ee49-470d-82d8-11418bda6fed', tradeId: 'd91bc706-ee49-470d-82d8-11418bda6fed', orderId: 'ee587a1c-8b87-4dcf-b721-9f6f790619fa',
        ticker: 'KXFOO-26AUG01-T50', bookSide: 'bid', outcomeSide: 'yes', count: 27_800, yesPrice: 7_500, noPrice: 2_500, isTaker: true,
        fee: 10_000, createdTimeMs: Date.UTC(2022, 11, 24, 16, 29, 57), ts: 1_671_899_397, exchangeIndex: 0,
      }],
    });
  });

  it.each([
    ['fills[0].fee_cost', 0.01],
    ['fills[0].count_fp', 278],
    ['fills[0].is_taker', 'true'],
    ['fills[0].outcome_side', 'maybe'],
    ['fills[0].book_side', 'ask'],
    ['fills[0].ts', '1671899397'],
    ['cursor', DELETE],
  ])('refuses %s = %j', (path, value) => {
    expectSchemaError(() => decodeFillsPage(withValue(doc, path, value)), path === 'fills[0].book_side' ? 'reply.fills[0].outcome_side' : `reply.${path}`);
  });
});
