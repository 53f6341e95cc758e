import { describe, expect, it } from 'vitest';
import { decodeCreatedOrderGroup, decodeOrderGroupDetail, decodeOrderGroups } from '../../../../../src/shared/kalshi/rest/decoders/order-groups.js';
import { validateRestResponse } from '../../../../support/spec-validator.js';
import { DELETE, expectSchemaError, fixture, withValue } from './fixtures.js';

describe('order group replies', () => {
  it('lists groups (an absent list is empty)', () => {
    const doc = fixture('order-groups.json');
    expect(validateRestResponse('GetOrderGroups', 200, doc)).toEqual([]);
    expect(decodeOrderGroups(doc)).toEqual([
      { id: 'og_123', contractsLimit: 15_000, autoCancelEnabled: true, exchangeIndex: 0 },
      { id: 'og_456', contractsLimit: undefined, autoCancelEnabled: false, exchangeIndex: 0 },
    ]);
    expect(decodeOrderGroups({})).toEqual([]);
    expectSchemaError(() => decodeOrderGroups(withValue(doc, 'order_groups[0].is_auto_cancel_enabled', 'true')), 'reply.order_groups[0].is_auto_cancel_enabled');
    expectSchemaError(() => decodeOrderGroups(withValue(doc, 'order_groups[1].id', DELETE)), 'reply.order_groups[1].id');
  });

  it('reads one group with its order ids', () => {
    const doc = fixture('order-group.json');
    expect(validateRestResponse('GetOrderGroup', 200, doc)).toEqual([]);
    expect(decodeOrderGroupDetail(doc)).toEqual({
      contractsLimit: 15_000, autoCancelEnabled: true, orderIds: ['ee587a1c-8b87-4dcf-b721-9f6f790619fa', '3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d'], exchangeIndex: 0,
    });
    expectSchemaError(() => decodeOrderGroupDetail(withValue(doc, 'orders[1]', 42)), 'reply.orders[1]');
    expectSchemaError(() => decodeOrderGroupDetail(withValue(doc, 'orders', DELETE)), 'reply.orders');
    expectSchemaError(() => decodeOrderGroupDetail(withValue(doc, 'contracts_limit_fp', '1.5e2')), 'reply.contracts_limit_fp');
  });

  it('reads a created group', () => {
    const doc = fixture('create-order-group.json');
    expect(validateRestResponse('CreateOrderGroup', 201, doc)).toEqual([]);
    expect(decodeCreatedOrderGroup(doc)).toEqual({ orderGroupId: 'og_123', subaccount: 0, exchangeIndex: 0 });
    expectSchemaError(() => decodeCreatedOrderGroup(withValue(doc, 'subaccount', DELETE)), 'reply.subaccount');
  });
});
