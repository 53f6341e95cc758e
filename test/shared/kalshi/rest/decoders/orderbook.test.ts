import { describe, expect, it } from 'vitest';
import { decodeOrderbook } from '../../../../../src/shared/kalshi/rest/decoders/orderbook.js';
import { validateRestResponse } from '../../../../support/spec-validator.js';
import { DELETE, expectSchemaError, fixture, withValue } from './fixtures.js';

describe('decodeOrderbook', () => {
  const doc = fixture('orderbook.json');

  it('decodes both sides ascending, best bid last', () => {
    expect(validateRestResponse('GetMarketOrderbook', 200, doc)).toEqual([]);
    expect(decodeOrderbook(doc)).toEqual({ yes: [[1_500, 10_000], [4_100, 1_000], [4_200, 1_300]], no: [[5_500, 2_000], [5_600, 1_750]] });
    expect(decodeOrderbook({ orderbook_fp: { yes_dollars: [], no_dollars: [] } })).toEqual({ yes: [], no: [] });
  });

  it('puts a best-first side in ascending order too', () => {
    const reversed = withValue(doc, 'orderbook_fp.yes_dollars', [...doc.orderbook_fp.yes_dollars].reverse());
    expect(decodeOrderbook(reversed).yes).toEqual([[1_500, 10_000], [4_100, 1_000], [4_200, 1_300]]);
  });

  it('refuses two levels at one price', () => {
    expectSchemaError(() => decodeOrderbook(withValue(doc, 'orderbook_fp.no_dollars', [['0.5600', '1.00'], ['0.5600', '2.00']])), 'reply.orderbook_fp.no_dollars');
  });

  it.each([
    ['orderbook_fp.yes_dollars[1][0]', '0.12345'],
    ['orderbook_fp.yes_dollars[1][0]', 0.41],
    ['orderbook_fp.yes_dollars[1][1]', 10],
    ['orderbook_fp.yes_dollars[1][1]', '-1.00'],
    ['orderbook_fp.no_dollars[0]', ['0.5500']],
    ['orderbook_fp.no_dollars', 'none'],
  ])('refuses %s = %j naming the path', (path, value) => {
    expectSchemaError(() => decodeOrderbook(withValue(doc, path, value)), `reply.${path}`);
  });

  it('needs both sides (the legacy `orderbook` shape is refused)', () => {
    expectSchemaError(() => decodeOrderbook(withValue(doc, 'orderbook_fp.no_dollars', DELETE)), 'reply.orderbook_fp.no_dollars');
    expectSchemaError(() => decodeOrderbook({ orderbook: { yes: [[41, 10]], no: [] } }), 'reply.orderbook_fp');
  });
});
