import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import uWS from 'uWebSockets.js';
import { ExchangeError } from '../../../src/sim/engine/types.js';
import {
  DROP_CONNECTION,
  HttpRouter,
  NO_REPLY,
  type AttachOptions,
  type HttpRequest,
  type HttpResponse,
} from '../../../src/sim/server/http.js';
import { errorBody, TOO_MANY_REQUESTS_BODY } from '../../../src/sim/server/serialize.js';

const PREFIX = '/trade-api/v2';

interface Server {
  base: string;
  close(): void;
}

function listen(router: HttpRouter, options: Omit<AttachOptions, 'prefix'> = {}): Promise<Server> {
  const app = uWS.App();
  router.attach(app, { prefix: PREFIX, ...options });
  return new Promise((resolve, reject) => {
    app.listen('127.0.0.1', 0, (token) => {
      if (!token) return reject(new Error('listen failed'));
      resolve({ base: `http://127.0.0.1:${uWS.us_socket_local_port(token)}`, close: () => uWS.us_listen_socket_close(token) });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function echo(req: HttpRequest): HttpResponse {
  return {
    status: 200,
    body: { method: req.method, path: req.path, route: req.route, params: req.params, query: Object.fromEntries(req.query), body: req.body ?? null, keyId: req.keyId ?? null },
  };
}

async function json(r: Response): Promise<unknown> {
  const text = await r.text();
  return JSON.parse(text);
}

describe('HttpRouter.match', () => {
  const router = new HttpRouter()
    .get('/a/:x/c', () => ({ status: 200 }))
    .get('/a/b/d', () => ({ status: 200 }))
    .get('/m/orderbooks', () => ({ status: 200 }))
    .get('/m/:ticker', () => ({ status: 200 }))
    .delete('/m/:ticker', () => ({ status: 200 }));

  it('prefers static segments and backtracks to parameters', () => {
    expect(router.match('GET', '/a/b/c')).toMatchObject({ kind: 'found', pattern: '/a/:x/c', params: { x: 'b' } });
    expect(router.match('GET', '/a/b/d')).toMatchObject({ kind: 'found', pattern: '/a/b/d', params: {} });
    expect(router.match('GET', '/m/orderbooks')).toMatchObject({ kind: 'found', pattern: '/m/orderbooks' });
    expect(router.match('GET', '/m/KX-1')).toMatchObject({ kind: 'found', pattern: '/m/:ticker', params: { ticker: 'KX-1' } });
    expect(router.match('GET', '/m/A%2FB')).toMatchObject({ params: { ticker: 'A/B' } });
  });

  it('tells an unknown path from a wrong method; HEAD follows GET', () => {
    expect(router.match('GET', '/m')).toEqual({ kind: 'none' });
    expect(router.match('GET', '/m/')).toEqual({ kind: 'none' });
    expect(router.match('GET', '/m/X/extra')).toEqual({ kind: 'none' });
    expect(router.match('POST', '/m/X')).toEqual({ kind: 'method', pattern: '/m/:ticker', allowed: ['DELETE', 'GET', 'HEAD'] });
    expect(router.match('HEAD', '/m/X')).toMatchObject({ kind: 'found', pattern: '/m/:ticker' });
  });

  it('refuses duplicate and conflicting routes', () => {
    expect(() => router.get('/m/:ticker', () => ({ status: 200 }))).toThrow(/duplicate/);
    expect(() => router.get('/m/:other/x', () => ({ status: 200 }))).toThrow(/conflicts/);
  });
});

describe('HttpRouter on uWebSockets.js', () => {
  let server: Server;
  let calls = 0;
  const errors: unknown[] = [];
  const router = new HttpRouter()
    .get(`${PREFIX}/markets/:ticker/orderbook`, echo)
    .get(`${PREFIX}/markets/:ticker`, echo)
    .get(`${PREFIX}/exchange/status`, echo)
    .post(`${PREFIX}/portfolio/events/orders`, (req) => {
      calls++;
      return { status: 201, body: { order_id: 'o-1', echo: req.body } };
    })
    .delete(`${PREFIX}/portfolio/events/orders/batched`, echo)
    .get(`${PREFIX}/refused`, () => {
      throw new ExchangeError(409, 'market_closed', 'market is closed', 'KX-1 closed at 12:00');
    })
    .get(`${PREFIX}/refused-async`, async () => {
      await sleep(1);
      throw new ExchangeError(404, 'not_found', 'order not found');
    })
    .get(`${PREFIX}/boom`, () => {
      throw new Error('secret internal detail');
    })
    .get(`${PREFIX}/boom-async`, async () => {
      await sleep(1);
      throw new RangeError('another secret');
    })
    .get(`${PREFIX}/garbage`, () => undefined as unknown as HttpResponse)
    .get(`${PREFIX}/cyclic`, () => {
      const body: Record<string, unknown> = {};
      body.self = body;
      return { status: 200, body };
    })
    .get(`${PREFIX}/slow/:n`, async (req) => {
      const n = Number(req.params.n);
      await sleep((n * 7) % 23);
      return { status: 200, body: { n } };
    })
    .get(`${PREFIX}/empty`, () => ({ status: 204 }))
    .get(`${PREFIX}/raw`, () => ({ status: 200, rawBody: '{"not json', headers: { 'x-sim': 'raw' } }))
    .get(`${PREFIX}/headers`, (req) => ({ status: 200, body: { a: req.header('X-Custom-Thing') ?? null, b: req.header('x-custom-thing') ?? null } }));

  beforeAll(async () => {
    server = await listen(router, { maxBodyBytes: 64 * 1024, catchAll: true, onError: (e) => errors.push(e) });
  });
  afterAll(() => server.close());

  const url = (p: string) => server.base + PREFIX + p;

  it('passes params, query and the JSON body', async () => {
    const r = await fetch(url('/markets/KXSIMBTC-26AUG01-T5000/orderbook?depth=5&x=a%20b'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await json(r)).toEqual({
      method: 'GET', path: `${PREFIX}/markets/KXSIMBTC-26AUG01-T5000/orderbook`, route: `${PREFIX}/markets/:ticker/orderbook`,
      params: { ticker: 'KXSIMBTC-26AUG01-T5000' }, query: { depth: '5', x: 'a b' }, body: null, keyId: null,
    });
    const post = await fetch(url('/portfolio/events/orders'), { method: 'POST', body: JSON.stringify({ ticker: 'KX', side: 'bid', count: '1.00' }), headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(201);
    expect(await json(post)).toEqual({ order_id: 'o-1', echo: { ticker: 'KX', side: 'bid', count: '1.00' } });
    const del = await fetch(url('/portfolio/events/orders/batched'), { method: 'DELETE', body: '{"orders":[{"order_id":"a"}]}' });
    expect(await json(del)).toMatchObject({ method: 'DELETE', body: { orders: [{ order_id: 'a' }] } });
  });

  it('reads headers case-insensitively', async () => {
    const r = await fetch(url('/headers'), { headers: { 'X-Custom-Thing': 'v1' } });
    expect(await json(r)).toEqual({ a: 'v1', b: 'v1' });
  });

  it('copies body chunks (a large body arrives intact)', async () => {
    const items = Array.from({ length: 2000 }, (_, i) => ({ i, s: `item-${i}-${'x'.repeat(i % 7)}` }));
    const text = JSON.stringify({ items });
    expect(text.length).toBeGreaterThan(32 * 1024);
    expect(text.length).toBeLessThan(64 * 1024);
    const r = await fetch(url('/portfolio/events/orders'), { method: 'POST', body: text });
    expect(((await json(r)) as { echo: unknown }).echo).toEqual({ items });
  });

  it('answers bad JSON with 400 bad_request', async () => {
    const before = calls;
    const r = await fetch(url('/portfolio/events/orders'), { method: 'POST', body: '{"ticker":' });
    expect(r.status).toBe(400);
    expect(await json(r)).toEqual({ error: { code: 'bad_request', message: 'invalid JSON body' } });
    expect(calls).toBe(before);
  });

  it('refuses an oversized body with 413, by Content-Length or while streaming', async () => {
    const before = calls;
    const big = 'x'.repeat(64 * 1024 + 1);
    const r = await fetch(url('/portfolio/events/orders'), { method: 'POST', body: big });
    expect(r.status).toBe(413);
    expect(await json(r)).toEqual({ error: { code: 'payload_too_large', message: 'request body larger than 65536 bytes' } });
    const piece = new TextEncoder().encode('y'.repeat(16 * 1024));
    const PIECES = 4096; // 64 MiB in all, produced only as fast as the socket takes it
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled++ < PIECES) c.enqueue(piece);
        else c.close();
      },
    });
    let status: number | string;
    try {
      const s = await fetch(url('/portfolio/events/orders'), { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
      status = s.status;
      expect(await json(s)).toMatchObject({ error: { code: 'payload_too_large' } });
    } catch {
      status = 'connection closed'; // the server may close before the client finished sending
    }
    expect([413, 'connection closed']).toContain(status);
    expect(pulled).toBeLessThan(PIECES / 2); // the server closed long before the whole body went out
    expect(calls).toBe(before);
  });

  it('answers 404 for unknown paths (inside and outside the prefix) and 405 for a wrong method', async () => {
    for (const p of [url('/nope'), url('/markets'), server.base + '/elsewhere', server.base + PREFIX]) {
      const r = await fetch(p);
      expect(r.status).toBe(404);
      expect(await json(r)).toEqual({ error: { code: 'not_found', message: 'not found' } });
    }
    const r = await fetch(url('/markets/KX-1'), { method: 'POST', body: '{}' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    expect(await json(r)).toEqual({ error: { code: 'method_not_allowed', message: 'method POST not allowed' } });
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const r = await fetch(url('/exchange/status'), { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await r.text()).toBe('');
    const after = await fetch(url('/exchange/status'));
    expect(((await json(after)) as { method: string }).method).toBe('GET');
  });

  it('sends 204 without a body and rawBody as is', async () => {
    const e = await fetch(url('/empty'));
    expect(e.status).toBe(204);
    expect(await e.text()).toBe('');
    const raw = await fetch(url('/raw'));
    expect(raw.headers.get('x-sim')).toBe('raw');
    expect(await raw.text()).toBe('{"not json');
  });

  it('turns a thrown ExchangeError into its status and Kalshi error body', async () => {
    const r = await fetch(url('/refused'));
    expect(r.status).toBe(409);
    expect(await json(r)).toEqual({ error: { code: 'market_closed', message: 'market is closed', details: 'KX-1 closed at 12:00' } });
    const a = await fetch(url('/refused-async'));
    expect(a.status).toBe(404);
    expect(await json(a)).toEqual({ error: { code: 'not_found', message: 'order not found' } });
  });

  it('turns any other throw into 500 internal_error without leaking it, and keeps serving', async () => {
    errors.length = 0;
    for (const p of ['/boom', '/boom-async', '/garbage', '/cyclic']) {
      const r = await fetch(url(p));
      expect(r.status).toBe(500);
      const text = await r.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: 'internal server error' } });
      expect(text).not.toMatch(/secret/);
    }
    expect(errors).toHaveLength(4);
    expect(String(errors[0])).toMatch(/secret internal detail/);
    const ok = await fetch(url('/exchange/status'));
    expect(ok.status).toBe(200);
  });

  it('serves concurrent requests, each with its own reply', async () => {
    const n = 200;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => fetch(url(`/slow/${i}`)).then(json)));
    expect(replies).toEqual(Array.from({ length: n }, (_, i) => ({ n: i })));
  });

  it('survives a client that gives up while the handler is pending', async () => {
    const ac = new AbortController();
    const p = fetch(url('/slow/3'), { signal: ac.signal }); // handler sleeps 21 ms
    setTimeout(() => ac.abort(), 2);
    await expect(p).rejects.toThrow();
    await sleep(40);
    expect((await fetch(url('/slow/1'))).status).toBe(200);
  });
});

describe('HttpRouter hooks', () => {
  const PUBLIC = new Set([`${PREFIX}/markets/:ticker`]);
  let placed = 0;
  const router = new HttpRouter()
    .get(`${PREFIX}/markets/:ticker`, echo)
    .get(`${PREFIX}/portfolio/balance`, echo)
    .post(`${PREFIX}/portfolio/events/orders`, () => {
      placed++;
      return { status: 201, body: { order_id: `o-${placed}` } };
    });
  let server: Server;
  let limited = 0;
  let fault: 'none' | '5xx-after-accept' | 'drop' | 'hang' | 'delay' | 'stop-before' = 'none';

  beforeAll(async () => {
    server = await listen(router, {
      authenticate: (req) => {
        if (PUBLIC.has(req.route)) return undefined;
        const key = req.header('KALSHI-ACCESS-KEY');
        if (key === 'good-key') {
          req.keyId = key;
          return undefined;
        }
        return { status: 401, body: { error: { code: 'authentication_error', message: 'authentication_error', details: 'missing' } } };
      },
      rateLimit: (req) => (req.keyId !== undefined && limited > 0 && limited-- > 0 ? { status: 429, body: TOO_MANY_REQUESTS_BODY } : undefined),
      beforeHandle: async () => (fault === 'stop-before' ? { status: 503, body: errorBody('service_unavailable', 'exchange unavailable') } : undefined),
      beforeReply: async (req, res) => {
        if (req.route !== `${PREFIX}/portfolio/events/orders`) return undefined;
        if (fault === '5xx-after-accept') return { status: 500, body: errorBody('internal_error', 'internal server error') };
        if (fault === 'drop') return DROP_CONNECTION;
        if (fault === 'hang') return NO_REPLY;
        if (fault === 'delay') {
          await sleep(60);
          return { ...res, headers: { 'x-delayed': '60' } };
        }
        return undefined;
      },
    });
  });
  afterAll(() => server.close());

  const url = (p: string) => server.base + PREFIX + p;
  const signed = { 'KALSHI-ACCESS-KEY': 'good-key' };

  it('denies an unsigned private request with the hook\'s 401 body, lets public routes through', async () => {
    const r = await fetch(url('/portfolio/balance'));
    expect(r.status).toBe(401);
    expect(await json(r)).toEqual({ error: { code: 'authentication_error', message: 'authentication_error', details: 'missing' } });
    const pub = await fetch(url('/markets/KX-1'));
    expect(await json(pub)).toMatchObject({ keyId: null });
    const ok = await fetch(url('/portfolio/balance'), { headers: signed });
    expect(await json(ok)).toMatchObject({ keyId: 'good-key' });
  });

  it('answers the rate-limit hook\'s 429 with exactly {"error":"too many requests"}', async () => {
    limited = 2;
    const statuses: number[] = [];
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(url('/portfolio/balance'), { headers: signed });
      statuses.push(r.status);
      bodies.push(await r.text());
    }
    expect(statuses).toEqual([429, 429, 200]);
    expect(bodies[0]).toBe('{"error":"too many requests"}');
    expect(bodies[1]).toBe('{"error":"too many requests"}');
  });

  it('beforeReply can answer 500 after the handler ran (the order exists)', async () => {
    fault = '5xx-after-accept';
    const before = placed;
    const r = await fetch(url('/portfolio/events/orders'), { method: 'POST', body: '{}', headers: signed });
    expect(r.status).toBe(500);
    expect(placed).toBe(before + 1);
    fault = 'none';
    const next = await fetch(url('/portfolio/events/orders'), { method: 'POST', body: '{}', headers: signed });
    expect(next.status).toBe(201);
    expect(await json(next)).toEqual({ order_id: `o-${before + 2}` });
  });

  it('beforeReply can delay a reply, drop the connection, or never answer', async () => {
    fault = 'delay';
    const t0 = Date.now();
    const d = await fetch(url('/portfolio/events/orders'), { method: 'POST', body: '{}', headers: signed });
    expect(d.status).toBe(201);
    expect(d.headers.get('x-delayed')).toBe('60');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);

    fault = 'drop';
    const before = placed;
    await expect(fetch(url('/portfolio/events/orders'), { method: 'POST', body: '{}', headers: signed })).rejects.toThrow();
    expect(placed).toBe(before + 1);

    fault = 'hang';
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 100);
    await expect(fetch(url('/portfolio/events/orders'), { method: 'POST', body: '{}', headers: signed, signal: ac.signal })).rejects.toThrow();
    clearTimeout(timer);
    expect(placed).toBe(before + 2);
    fault = 'none';
    expect((await fetch(url('/portfolio/balance'), { headers: signed })).status).toBe(200);
  });

  it('beforeHandle can refuse before the handler runs', async () => {
    fault = 'stop-before';
    const before = placed;
    const r = await fetch(url('/portfolio/events/orders'), { method: 'POST', body: '{}', headers: signed });
    expect(r.status).toBe(503);
    expect(await json(r)).toEqual({ error: { code: 'service_unavailable', message: 'exchange unavailable' } });
    expect(placed).toBe(before);
    fault = 'none';
  });

  it('authenticates before parsing the body', async () => {
    const r = await fetch(url('/portfolio/events/orders'), { method: 'POST', body: 'not json' });
    expect(r.status).toBe(401);
  });
});
