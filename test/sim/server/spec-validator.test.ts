import { describe, expect, it } from 'vitest';
import {
  validateRestResponse,
  validateRestSchema,
  validateWsMessage,
  wsMessageExamples,
} from '../../support/spec-validator.js';

const WS_KEYS = [
  'orderbookSnapshot', 'orderbookDelta', 'ticker', 'trade', 'fill', 'marketPosition', 'userOrder',
  'orderGroupUpdates', 'marketLifecycleV2', 'subscribedResponse', 'okResponse', 'errorResponse',
  'listSubscriptionsResponse', 'unsubscribedResponse',
];

describe('spec validator: AsyncAPI messages', () => {
  // The spec contradicts itself in one place: `marketTicker` has pattern ^[A-Z0-9-]+$ while its own
  // examples (and real Kalshi tickers) use dots, e.g. "FED-23DEC-T3.00". The validator applies the
  // pattern as written; here the dotted examples must fail on that pattern and nothing else.
  it.each(WS_KEYS)('accepts the spec\'s own examples of %s', (key) => {
    const examples = wsMessageExamples(key) as Array<{ msg?: Record<string, unknown> }>;
    expect(examples.length).toBeGreaterThan(0);
    for (const ex of examples) {
      const errors = validateWsMessage(key, ex);
      const dotted = ['market_ticker', 'ticker'].filter((f) => typeof ex.msg?.[f] === 'string' && String(ex.msg[f]).includes('.'));
      expect(errors).toEqual(dotted.map((f) => `/msg/${f} must match pattern "^[A-Z0-9-]+$" {"pattern":"^[A-Z0-9-]+$"}`));
    }
  });

  it('rejects a delta without a required field, with a wrong type, or a bad enum', () => {
    const good = wsMessageExamples('orderbookDelta')[0] as { msg: Record<string, unknown> };
    const noSide = structuredClone(good);
    delete noSide.msg.side;
    expect(validateWsMessage('orderbookDelta', noSide).join('\n')).toMatch(/side/);
    const numericPrice = structuredClone(good);
    numericPrice.msg.price_dollars = 0.96;
    expect(validateWsMessage('orderbookDelta', numericPrice)).not.toEqual([]);
    const badSide = structuredClone(good);
    badSide.msg.side = 'bid';
    expect(validateWsMessage('orderbookDelta', badSide)).not.toEqual([]);
    expect(validateWsMessage('orderbookDelta', { ...good, seq: 0 })).not.toEqual([]);
  });

  it('checks formats (uuid market_id) and consts (type)', () => {
    const good = wsMessageExamples('orderbookSnapshot')[0] as { msg: Record<string, unknown> };
    const bad = structuredClone(good);
    bad.msg.market_id = 'not-a-uuid';
    expect(validateWsMessage('orderbookSnapshot', bad).join('\n')).toMatch(/market_id/);
    expect(validateWsMessage('orderbookSnapshot', { ...good, type: 'orderbook_delta' })).not.toEqual([]);
  });

  it('throws on an unknown message key', () => {
    expect(() => validateWsMessage('noSuchMessage', {})).toThrow(/noSuchMessage/);
  });
});

describe('spec validator: OpenAPI', () => {
  it('validates a named schema, with OpenAPI nullable on plain types and on $ref', () => {
    const level = ['0.1500', '100.00'];
    expect(validateRestSchema('PriceLevelDollarsCountFp', level)).toEqual([]);
    expect(validateRestSchema('PriceLevelDollarsCountFp', ['0.1500'])).not.toEqual([]);
    // Settlement.value is `integer, nullable`.
    const settlement = {
      ticker: 'KXFOO-26AUG01-T50', exchange_index: 0, event_ticker: 'KXFOO-26AUG01', market_result: 'yes',
      yes_count_fp: '1.00', yes_total_cost_dollars: '0.5000', no_count_fp: '0.00', no_total_cost_dollars: '0.0000',
      revenue: 100, settled_time: '2026-08-01T12:00:00Z', fee_cost: '0.0000', value: null,
    };
    expect(validateRestSchema('Settlement', settlement)).toEqual([]);
    expect(validateRestSchema('Settlement', { ...settlement, value: 'x' })).not.toEqual([]);
    expect(validateRestSchema('Settlement', { ...settlement, settled_time: 'yesterday' })).not.toEqual([]);
    // AmendOrderV2Response.remaining_count is `$ref FixedPointCount` + nullable.
    expect(validateRestSchema('AmendOrderV2Response', { order_id: 'o', ts_ms: 1, remaining_count: null })).toEqual([]);
    expect(validateRestSchema('AmendOrderV2Response', { order_id: 'o', ts_ms: 1, remaining_count: 3 })).not.toEqual([]);
  });

  it('finds an operation\'s response schema, through components.responses too', () => {
    const book = { orderbook_fp: { yes_dollars: [['0.4100', '10.00']], no_dollars: [] } };
    expect(validateRestResponse('GetMarketOrderbook', 200, book)).toEqual([]);
    expect(validateRestResponse('GetMarketOrderbook', 200, { orderbook_fp: { yes_dollars: [] } }).join('\n')).toMatch(/no_dollars/);
    expect(validateRestResponse('GetMarketOrderbook', 404, { code: 'not_found', message: 'x' })).toEqual([]);
    expect(validateRestResponse('GetMarketOrderbook', 404, { code: 7 })).not.toEqual([]);
    expect(() => validateRestResponse('GetMarketOrderbook', 418, {})).toThrow(/418/);
    expect(() => validateRestResponse('NoSuchOperation', 200, {})).toThrow(/NoSuchOperation/);
  });
});
