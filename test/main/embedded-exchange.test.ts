/** The embedded simulator in its worker thread: signed REST works with the session key; close is clean. */
import { describe, expect, it } from 'vitest';
import { authHeaders } from '../../src/shared/kalshi-signing.js';
import { startEmbeddedExchange } from '../../src/main/embedded-exchange.js';

describe('startEmbeddedExchange', () => {
  it('serves a signed balance request, then closes its thread', async () => {
    const ex = await startEmbeddedExchange({ markets: 5, rate: 100, seed: 1, balance: 250_000_000 });
    try {
      expect(ex.restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/trade-api\/v2$/);
      expect(ex.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/trade-api\/ws\/v2$/);
      const url = `${ex.restUrl}/portfolio/balance`;
      const res = await fetch(url, { headers: authHeaders(ex.keyId, ex.privateKey, 'GET', url) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { balance: number };
      expect(body.balance).toBe(25_000); // cents
      const unsigned = await fetch(url);
      expect(unsigned.status).toBe(401);
    } finally {
      await ex.close();
    }
    await expect(fetch(`${ex.restUrl}/exchange/status`)).rejects.toThrow();
  });
});
