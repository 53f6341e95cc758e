import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KalshiBudgetError, KalshiHttpError, KalshiTransportError, readErrorBody } from '../../../../src/shared/kalshi/rest/errors.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../fixtures/kalshi/rest/${name}`, import.meta.url), 'utf8'));

describe('readErrorBody', () => {
  it('reads Kalshi\'s error object (observed 401)', () => {
    expect(readErrorBody(401, fixture('error-authentication.json'))).toEqual({
      code: 'authentication_error', message: 'authentication_error', details: 'rpc error: code = Unauthenticated desc = INCORRECT_API_KEY_SIGNATURE',
    });
  });

  it('reads the 429 plain-string body', () => {
    expect(readErrorBody(429, fixture('error-too-many-requests.json'))).toEqual({ code: 'too_many_requests', message: 'too many requests' });
  });

  it('falls back to the status when the body says nothing usable', () => {
    expect(readErrorBody(502, undefined)).toEqual({ code: 'http_502', message: '' });
    expect(readErrorBody(503, 'upstream down')).toEqual({ code: 'http_503', message: '' });
    expect(readErrorBody(400, { error: { code: 7, message: ['x'] } })).toEqual({ code: 'http_400', message: '' });
    expect(readErrorBody(429, {})).toEqual({ code: 'too_many_requests', message: '' });
    expect(readErrorBody(418, { error: 'teapot' })).toEqual({ code: 'http_418', message: 'teapot' });
  });

  it('reads an unwrapped ErrorResponse and clips long texts', () => {
    const long = 'x'.repeat(1_000);
    const read = readErrorBody(409, { code: 'market_closed', message: long });
    expect(read.code).toBe('market_closed');
    expect(read.message.length).toBeLessThan(210);
  });
});

describe('error classes', () => {
  it('KalshiHttpError carries status and code; 429 is rateLimited', () => {
    const e = new KalshiHttpError('GET', '/portfolio/balance', 401, { code: 'authentication_error', message: 'authentication_error', details: 'd' });
    expect(e).toMatchObject({ name: 'KalshiHttpError', status: 401, code: 'authentication_error', details: 'd', rateLimited: false });
    expect(e.message).toBe('GET /portfolio/balance: HTTP 401 authentication_error');
    const r = new KalshiHttpError('GET', '/x', 429, { code: 'too_many_requests', message: 'too many requests' });
    expect(r.rateLimited).toBe(true);
    expect(r.message).toBe('GET /x: HTTP 429 too_many_requests: too many requests');
  });

  it('KalshiTransportError says whether the request may have been sent', () => {
    expect(new KalshiTransportError('POST', '/p', 'timeout', true, 'aborted').message).toBe('POST /p: no answer within the timeout (aborted)');
    expect(new KalshiTransportError('GET', '/p', 'connection', false, 'ECONNREFUSED').message).toBe('GET /p: connection failed before sending (ECONNREFUSED)');
    expect(new KalshiTransportError('GET', '/p', 'connection', true, 'UND_ERR_SOCKET')).toMatchObject({ code: 'connection', sent: true });
  });

  it('KalshiBudgetError reports the wait', () => {
    expect(new KalshiBudgetError('GET', '/p', 'read', 1234.2).message).toBe('GET /p: the local read budget has no tokens for 1235 ms; not sent');
    expect(new KalshiBudgetError('GET', '/p', 'write', Infinity).message).toMatch(/can never grant/);
  });
});
