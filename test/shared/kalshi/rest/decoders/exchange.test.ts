import { describe, expect, it } from 'vitest';
import { decodeExchangeStatus } from '../../../../../src/shared/kalshi/rest/decoders/exchange.js';
import { validateRestResponse } from '../../../../support/spec-validator.js';
import { DELETE, expectSchemaError, fixture, withValue } from './fixtures.js';

describe('decodeExchangeStatus', () => {
  const doc = fixture('exchange-status.json');

  it('decodes the fixture (valid per the OpenAPI schema)', () => {
    expect(validateRestResponse('GetExchangeStatus', 200, doc)).toEqual([]);
    expect(decodeExchangeStatus(doc)).toEqual({ exchangeActive: true, tradingActive: false, estimatedResumeMs: Date.UTC(2026, 7, 27, 9) });
    expect(decodeExchangeStatus(withValue(doc, 'exchange_estimated_resume_time', null)).estimatedResumeMs).toBeUndefined();
  });

  it('refuses missing or mistyped flags', () => {
    expectSchemaError(() => decodeExchangeStatus(withValue(doc, 'trading_active', DELETE)), 'exchange_status.trading_active');
    expectSchemaError(() => decodeExchangeStatus(withValue(doc, 'exchange_active', 'true')), 'exchange_status.exchange_active');
    expectSchemaError(() => decodeExchangeStatus(withValue(doc, 'exchange_estimated_resume_time', 1755800000)), 'exchange_status.exchange_estimated_resume_time');
    expectSchemaError(() => decodeExchangeStatus([]), 'exchange_status');
  });
});
