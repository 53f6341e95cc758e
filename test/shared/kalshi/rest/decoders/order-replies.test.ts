import { describe, expect, it } from 'vitest';
import {
  decodeAmendOrderReply, decodeBatchCancelReply, decodeBatchCreateReply, decodeCancelOrderReply, decodeCreateOrderReply, decodeDecreaseOrderReply,
} from '../../../../../src/shared/kalshi/rest/decoders/order-replies.js';
import { validateRestResponse } from '../../../../support/spec-validator.js';
import { DELETE, expectSchemaError, fixture, withValue } from './fixtures.js';

describe('V2 order-entry replies (the OpenAPI examples)', () => {
  it('Create Order V2', () => {
    const doc = fixture('create-order-v2.json');
    expect(validateRestResponse('CreateOrderV2', 201, doc)).toEqual([]);
    expect(decodeCreateOrderReply(doc)).toEqual({
      orderId: '3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d', clientOrderId: '8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1', fillCount: 0, remainingCount: 1_000,
      averageFillPrice: undefined, averageFeePaid: undefined, tsMs: 1_715_793_600_123,
    });
    // A volume-weighted average need not lie on a price grid: money per contract, µ$.
    expect(decodeCreateOrderReply(withValue(doc, 'average_fill_price', '0.563333')).averageFillPrice).toBe(563_333);
    expectSchemaError(() => decodeCreateOrderReply(withValue(doc, 'fill_count', DELETE)), 'reply.fill_count');
    expectSchemaError(() => decodeCreateOrderReply(withValue(doc, 'order_id', DELETE)), 'reply.order_id');
    expectSchemaError(() => decodeCreateOrderReply(withValue(doc, 'remaining_count', 10)), 'reply.remaining_count');
    expectSchemaError(() => decodeCreateOrderReply(withValue(doc, 'ts_ms', '1715793600123')), 'reply.ts_ms');
    expectSchemaError(() => decodeCreateOrderReply(withValue(doc, 'average_fill_price', '0.5633331')), 'reply.average_fill_price');
  });

  it('Batch Create Orders V2, with a per-item error', () => {
    const doc = fixture('batch-create-orders-v2.json');
    expect(validateRestResponse('BatchCreateOrdersV2', 201, doc)).toEqual([]);
    const items = decodeBatchCreateReply(doc);
    expect(items).toEqual([
      { ok: true, reply: { orderId: '3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d', clientOrderId: '8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1', fillCount: 0, remainingCount: 1_000, averageFillPrice: undefined, averageFeePaid: undefined, tsMs: 1_715_793_600_123 } },
      { ok: true, reply: { orderId: 'a6d6010d-6d5f-40a1-a7e7-5501386bb621', clientOrderId: '2a0e3fc9-b593-4aa3-96e5-82f7f7566c2a', fillCount: 500, remainingCount: 0, averageFillPrice: 580_000, averageFeePaid: 1_200, tsMs: 1_715_793_600_456 } },
    ]);
    const failed = withValue(doc, 'orders[1]', { client_order_id: 'x', fill_count: null, remaining_count: null, average_fill_price: null, average_fee_paid: null, ts_ms: null, error: { code: 'invalid_price', message: 'off grid' } });
    expect(validateRestResponse('BatchCreateOrdersV2', 201, failed)).toEqual([]);
    expect(decodeBatchCreateReply(failed)[1]).toEqual({ ok: false, clientOrderId: 'x', orderId: undefined, error: { code: 'invalid_price', message: 'off grid' } });
    expectSchemaError(() => decodeBatchCreateReply(withValue(doc, 'orders[1].fill_count', null)), 'reply.orders[1].fill_count');
    expectSchemaError(() => decodeBatchCreateReply(withValue(failed, 'orders[1].error', { message: 'no code' })), 'reply.orders[1].error.code');
    expectSchemaError(() => decodeBatchCreateReply({}), 'reply.orders');
  });

  it('Cancel Order V2 and its batch', () => {
    const one = fixture('cancel-order-v2.json');
    expect(validateRestResponse('CancelOrderV2', 200, one)).toEqual([]);
    expect(decodeCancelOrderReply(one)).toEqual({ orderId: '3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d', clientOrderId: '8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1', reducedBy: 1_000, tsMs: 1_715_793_660_456 });
    expectSchemaError(() => decodeCancelOrderReply(withValue(one, 'reduced_by', DELETE)), 'reply.reduced_by');

    const batch = fixture('batch-cancel-orders-v2.json');
    expect(validateRestResponse('BatchCancelOrdersV2', 200, batch)).toEqual([]);
    expect(decodeBatchCancelReply(batch).map((i) => i.ok && i.reply.reducedBy)).toEqual([1_000, 500]);
    const failed = withValue(batch, 'orders[0]', { order_id: 'gone', client_order_id: null, reduced_by: '0.00', ts_ms: null, error: { code: 'not_found', message: 'order not found', details: 'x' } });
    expect(decodeBatchCancelReply(failed)[0]).toEqual({ ok: false, clientOrderId: undefined, orderId: 'gone', error: { code: 'not_found', message: 'order not found', details: 'x' } });
  });

  it('Amend Order V2: counts only when present', () => {
    const doc = fixture('amend-order-v2.json');
    expect(validateRestResponse('AmendOrderV2', 200, doc)).toEqual([]);
    expect(decodeAmendOrderReply(doc)).toEqual({
      orderId: '3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d', clientOrderId: '2a0e3fc9-b593-4aa3-96e5-82f7f7566c2a', remainingCount: 800, fillCount: 0,
      averageFillPrice: undefined, averageFeePaid: undefined, tsMs: 1_715_793_690_123,
    });
    const bare = withValue(withValue(doc, 'remaining_count', null), 'fill_count', DELETE);
    expect(decodeAmendOrderReply(bare)).toMatchObject({ remainingCount: undefined, fillCount: undefined });
    expectSchemaError(() => decodeAmendOrderReply(withValue(doc, 'remaining_count', '8.001')), 'reply.remaining_count');
  });

  it('Decrease Order V2', () => {
    const doc = fixture('decrease-order-v2.json');
    expect(validateRestResponse('DecreaseOrderV2', 200, doc)).toEqual([]);
    expect(decodeDecreaseOrderReply(doc)).toEqual({ orderId: '3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d', clientOrderId: '8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1', remainingCount: 800, tsMs: 1_715_793_680_789 });
    expectSchemaError(() => decodeDecreaseOrderReply(withValue(doc, 'remaining_count', DELETE)), 'reply.remaining_count');
  });
});
