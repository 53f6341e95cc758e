/**
 * The contract every RestTransport keeps (transport.ts), run against the simulator by
 * transport.test.ts (undici) and node-http-transport.test.ts (node:http).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KalshiCredentials } from '../../../../src/shared/kalshi-signing.js';
import { KalshiTransportError, restBase, type RestBase, type RestTransport } from '../../../../src/shared/kalshi/rest/index.js';
import { startRestSim, tradableMarket, type RestSim } from './sim-fixture.js';

export type MakeTransport = (base: RestBase, options: { credentials?: KalshiCredentials; connections?: number }) => RestTransport;

export function transportContract(make: MakeTransport): void {
  let rs: RestSim;
  let signed: RestTransport;
  let unsigned: RestTransport;
  /** A server that accepts connections and never answers. */
  let silent: Server;

  beforeAll(async () => {
    rs = await startRestSim({ seed: 31 });
    signed = make(restBase(rs.sim.restUrl), { credentials: rs.credentials, connections: 2 });
    unsigned = make(restBase(rs.sim.restUrl), {});
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await signed?.close();
    await unsigned?.close();
    silent?.closeAllConnections();
    await new Promise((resolve) => silent?.close(resolve));
    await rs?.close();
  });

  it('signs requests: the portfolio answers a signed GET, refuses an unsigned one (resolved, not thrown)', async () => {
    const ok = await signed.send({ method: 'GET', path: '/portfolio/balance', query: '' }, 5_000);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toHaveProperty('balance_dollars');
    const refused = await unsigned.send({ method: 'GET', path: '/portfolio/balance', query: '' }, 5_000);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text).error.code).toBe('authentication_error');
  });

  it('sends a query string (not signed) and a JSON body', async () => {
    const m = tradableMarket(rs.sim);
    const page = await signed.send({ method: 'GET', path: '/markets', query: `tickers=${m.ticker}&limit=5` }, 5_000);
    expect(JSON.parse(page.text).markets.map((x: { ticker: string }) => x.ticker)).toEqual([m.ticker]);
    const body = JSON.stringify({ ticker: m.ticker, side: 'bid', count: '1.00', price: '0.0100', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', client_order_id: `contract-${Math.random()}` });
    const created = await signed.send({ method: 'POST', path: '/portfolio/events/orders', query: '', body }, 5_000);
    expect(created.status).toBe(201);
    const cancelled = await signed.send({ method: 'DELETE', path: '/portfolio/events/orders', query: '' }, 5_000);
    expect(cancelled.status).toBe(204);
    expect(cancelled.text).toBe('');
  });

  it('tells onSent once the request is signed and handed over, before the answer', async () => {
    const events: string[] = [];
    const reply = signed.send({ method: 'GET', path: '/portfolio/balance', query: '' }, 5_000, () => events.push('sent')).then((r) => {
      events.push('answered');
      return r;
    });
    expect((await reply).status).toBe(200);
    expect(events).toEqual(['sent', 'answered']);
  });

  it('reuses keep-alive connections for many requests in parallel', async () => {
    const replies = await Promise.all(Array.from({ length: 40 }, () => signed.send({ method: 'GET', path: '/exchange/status', query: '' }, 10_000)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
  });

  it('times out a request that is never answered: KalshiTransportError timeout, sent', async () => {
    const t = make(restBase(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/trade-api/v2`), {});
    try {
      const err = await t.send({ method: 'POST', path: '/portfolio/events/orders', query: '', body: '{}' }, 150).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KalshiTransportError);
      expect(err).toMatchObject({ code: 'timeout', sent: true });
      expect((err as Error).message).toMatch(/POST \/trade-api\/v2\/portfolio\/events\/orders: no answer within the timeout/);
    } finally {
      await t.close();
    }
  });

  it('fails a refused connection: KalshiTransportError connection, not sent', async () => {
    const t = make(restBase('http://127.0.0.1:9/trade-api/v2'), {});
    try {
      const err = await t.send({ method: 'GET', path: '/exchange/status', query: '' }, 5_000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KalshiTransportError);
      expect(err).toMatchObject({ code: 'connection', sent: false });
    } finally {
      await t.close();
    }
  });

  it('refuses a timeout that is not a positive number', async () => {
    await expect(signed.send({ method: 'GET', path: '/exchange/status', query: '' }, 0)).rejects.toThrow(RangeError);
  });

  it('never shows the key in String or inspect', () => {
    const pem = rs.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const probe = pem.split('\n')[3];
    for (const text of [String(signed), inspect(signed, { depth: 10, showHidden: true })]) {
      expect(text).not.toContain(probe);
      expect(text).not.toContain('PRIVATE KEY');
    }
  });
}
