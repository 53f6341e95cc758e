import { describe, expect, it } from 'vitest';
import { KALSHI_REST_URLS, restBase } from '../../../../src/shared/kalshi/rest/environments.js';

describe('restBase', () => {
  it('splits a base URL into the pool origin and the signed base path', () => {
    expect(restBase('https://external-api.kalshi.com/trade-api/v2')).toEqual({ origin: 'https://external-api.kalshi.com', basePath: '/trade-api/v2', protocol: 'https:' });
    expect(restBase('http://127.0.0.1:8080/trade-api/v2/')).toEqual({ origin: 'http://127.0.0.1:8080', basePath: '/trade-api/v2', protocol: 'http:' });
  });

  it('accepts an environment name for each documented host', () => {
    expect(restBase('prod').origin).toBe('https://external-api.kalshi.com');
    expect(restBase('prodShared').origin).toBe('https://api.elections.kalshi.com');
    expect(restBase('demo').origin).toBe('https://external-api.demo.kalshi.co');
    expect(restBase('demoShared').origin).toBe('https://demo-api.kalshi.co');
    for (const url of Object.values(KALSHI_REST_URLS)) expect(restBase(url).basePath).toBe('/trade-api/v2');
  });

  it.each([
    ['not a url', /not a URL/],
    ['ftp://x/trade-api/v2', /http or https/],
    ['https://x/trade-api/v2?a=1', /query/],
    ['https://user:pw@x/trade-api/v2', /credentials/],
  ])('refuses %s', (url, message) => {
    expect(() => restBase(url)).toThrow(message);
  });
});
