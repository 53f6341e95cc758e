import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PriceGrid } from '../../../../src/shared/price-grid.js';
import {
  amendOrderBody, checkAmend, checkDecrease, checkOrderId, checkOrderIntent, createOrderBody, decreaseOrderBody, type OrderIntent,
} from '../../../../src/shared/kalshi/rest/order-intent.js';
import { validateRestSchema } from '../../../support/spec-validator.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../fixtures/kalshi/rest/${name}`, import.meta.url), 'utf8'));

const base: OrderIntent = {
  ticker: 'HIGHNY-24JAN01-T60', side: 'bid', price: 5_600, count: 1_000, clientOrderId: '8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1',
  timeInForce: 'good_till_canceled',
};

describe('create order body', () => {
  it('is the OpenAPI CreateOrderV2Request example for the same intent', () => {
    const body = createOrderBody({ ...base, selfTradePrevention: 'taker_at_cross', postOnly: false, cancelOrderOnPause: false, reduceOnly: false, subaccount: 0, exchangeIndex: 0 });
    expect(body).toEqual(fixture('create-order-v2-request.json'));
    expect(validateRestSchema('CreateOrderV2Request', body)).toEqual([]);
  });

  it('writes exact fixed-point strings and optional fields only when given', () => {
    const body = createOrderBody({ ...base, price: 1, count: 1, orderGroupId: 'og_1', expirationTs: 1_800_000_000 });
    expect(body).toEqual({
      ticker: base.ticker, client_order_id: base.clientOrderId, side: 'bid', count: '0.01', price: '0.0001',
      time_in_force: 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross', order_group_id: 'og_1', expiration_time: 1_800_000_000,
    });
    expect(validateRestSchema('CreateOrderV2Request', body)).toEqual([]);
  });
});

describe('checkOrderIntent', () => {
  const grid = PriceGrid.forStructure('linear_cent');
  it('lets a well-formed intent through', () => {
    expect(checkOrderIntent(base)).toBeUndefined();
    expect(checkOrderIntent({ ...base, grid })).toBeUndefined();
    expect(checkOrderIntent({ ...base, timeInForce: 'immediate_or_cancel', reduceOnly: true })).toBeUndefined();
  });

  it.each<[string, Partial<OrderIntent>, string]>([
    ['empty ticker', { ticker: '' }, 'invalid_ticker'],
    ['bad side', { side: 'buy' as never }, 'invalid_side'],
    ['price 0', { price: 0 }, 'invalid_price'],
    ['price 1', { price: 10_000 }, 'invalid_price'],
    ['fractional price', { price: 56.5 }, 'invalid_price'],
    ['price as dollars', { price: 0.56 }, 'invalid_price'],
    ['off the grid', { price: 5_605, grid }, 'off_grid'],
    ['count 0', { count: 0 }, 'invalid_count'],
    ['negative count', { count: -100 }, 'invalid_count'],
    ['fractional count', { count: 1.5 }, 'invalid_count'],
    ['no client order id', { clientOrderId: '' }, 'invalid_client_order_id'],
    ['unknown time in force', { timeInForce: 'day' as never }, 'invalid_order'],
    ['unknown self-trade prevention', { selfTradePrevention: 'none' as never }, 'invalid_order'],
    ['reduce_only resting', { reduceOnly: true }, 'invalid_order'],
    ['expiring IOC', { timeInForce: 'immediate_or_cancel', expirationTs: 1_800_000_000 }, 'invalid_order'],
    ['expiration in ms', { expirationTs: 1.5 }, 'invalid_order'],
    ['empty group id', { orderGroupId: '' }, 'invalid_order'],
    ['negative shard', { exchangeIndex: -1 }, 'invalid_order'],
  ])('denies %s', (_name, change, reason) => {
    expect(checkOrderIntent({ ...base, ...change })).toMatchObject({ kind: 'DENIED', reason });
  });
});

describe('amend, decrease, cancel', () => {
  it('builds the AmendOrderV2Request example', () => {
    const change = { ticker: base.ticker, side: 'bid' as const, price: 5_700, count: 800, clientOrderId: base.clientOrderId, updatedClientOrderId: '2a0e3fc9-b593-4aa3-96e5-82f7f7566c2a', exchangeIndex: 0 };
    expect(checkAmend('o1', change)).toBeUndefined();
    expect(amendOrderBody(change)).toEqual(fixture('amend-order-v2-request.json'));
    expect(amendOrderBody({ ...change, expirationTs: 0 }).expiration_time).toBe(0);
  });

  it('checks amends', () => {
    const change = { ticker: base.ticker, side: 'bid' as const, price: 5_700, count: 800 };
    expect(checkAmend('', change)).toMatchObject({ reason: 'invalid_order_id' });
    expect(checkAmend('o1', { ...change, count: 0 })).toMatchObject({ reason: 'invalid_count' });
    expect(checkAmend('o1', { ...change, price: 5_705, grid: PriceGrid.forStructure('linear_cent') })).toMatchObject({ reason: 'off_grid' });
    expect(checkAmend('o1', { ...change, expirationTs: -1 })).toMatchObject({ reason: 'invalid_order' });
    expect(checkAmend('o1', { ...change, updatedClientOrderId: '' })).toMatchObject({ reason: 'invalid_client_order_id' });
  });

  it('builds and checks decreases: exactly one of reduceBy and reduceTo', () => {
    expect(decreaseOrderBody({ reduceBy: 200 })).toEqual({ reduce_by: '2.00' });
    expect(decreaseOrderBody({ reduceTo: 0 })).toEqual({ reduce_to: '0.00' });
    expect(validateRestSchema('DecreaseOrderV2Request', decreaseOrderBody({ reduceBy: 200 }))).toEqual([]);
    expect(checkDecrease('o1', { reduceBy: 200 })).toBeUndefined();
    expect(checkDecrease('o1', { reduceTo: 0 })).toBeUndefined();
    expect(checkDecrease('o1', { reduceBy: 1, reduceTo: 1 } as never)).toMatchObject({ reason: 'invalid_count' });
    expect(checkDecrease('o1', {} as never)).toMatchObject({ reason: 'invalid_count' });
    expect(checkDecrease('o1', { reduceTo: -1 })).toMatchObject({ reason: 'invalid_count' });
    expect(checkDecrease('', { reduceBy: 1 })).toMatchObject({ reason: 'invalid_order_id' });
  });

  it('checks order ids', () => {
    expect(checkOrderId('o1')).toBeUndefined();
    expect(checkOrderId('')).toMatchObject({ reason: 'invalid_order_id' });
    expect(checkOrderId(undefined)).toMatchObject({ reason: 'invalid_order_id' });
  });
});
