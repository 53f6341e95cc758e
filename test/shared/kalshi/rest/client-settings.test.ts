import { describe, expect, it } from 'vitest';
import { RateBudgets } from '../../../../src/shared/rate-budgets.js';
import { DEFAULT_TIMEOUT_MS, partsOf } from '../../../../src/shared/kalshi/rest/client-settings.js';
import { DEFAULT_BACKOFF, DEFAULT_BUDGET_WAITS, KALSHI_ENDPOINT_COSTS, NodeHttpTransport, UndiciTransport, restBase } from '../../../../src/shared/kalshi/rest/index.js';

describe('partsOf', () => {
  it('defaults: undici, Basic budgets, 5 s timeout, Kalshi\'s costs', async () => {
    const p = partsOf({ baseUrl: 'demo' });
    try {
      expect(p.transport).toBeInstanceOf(UndiciTransport);
      expect(p.base.origin).toBe('https://external-api.demo.kalshi.co');
      expect(p.budgets.tier).toBe('basic');
      expect(p.budgets.write.capacity).toBe(100);
      expect(p.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
      expect(p.waits).toEqual(DEFAULT_BUDGET_WAITS);
      expect(p.backoff).toEqual(DEFAULT_BACKOFF);
      expect(p.costs).toEqual(KALSHI_ENDPOINT_COSTS);
      expect(p.keyId).toBeUndefined();
    } finally {
      await p.transport.close();
    }
  });

  it('takes overrides, a transport kind or instance, and given budgets', async () => {
    const budgets = RateBudgets.forTier('expert');
    const p = partsOf({ baseUrl: 'http://127.0.0.1:1/trade-api/v2', transport: 'node:http', budgets, timeoutMs: 250, waits: { write: 0 }, backoff: { retries: 0 }, costs: { cancelOrder: 3 } });
    expect(p.transport).toBeInstanceOf(NodeHttpTransport);
    expect(p.budgets).toBe(budgets);
    expect(p.timeoutMs).toBe(250);
    expect(p.waits).toEqual({ ...DEFAULT_BUDGET_WAITS, write: 0 });
    expect(p.backoff.retries).toBe(0);
    expect(p.costs.cancelOrder).toBe(3);
    await p.transport.close();
    const given = new UndiciTransport(restBase('prod'));
    expect(partsOf({ baseUrl: 'prod', transport: given, tier: 'premier' })).toMatchObject({ transport: given });
    expect(partsOf({ baseUrl: 'prod', transport: given, tier: 'premier' }).budgets.tier).toBe('premier');
    await given.close();
  });

  it('refuses a bad timeout or base URL', () => {
    expect(() => partsOf({ baseUrl: 'prod', transport: new UndiciTransport(restBase('prod')), timeoutMs: 0 })).toThrow(RangeError);
    expect(() => partsOf({ baseUrl: 'nowhere' })).toThrow(TypeError);
  });
});
