/**
 * The control server over real HTTP (port 0, undici): routes, body checks, handler failures,
 * aborted requests, the bearer token, the tokenless Host/Origin guard, extra routes, and close.
 */
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import {
  controlGuard, isLoopbackHost, MAX_CONTROL_BODY_BYTES, startControlServer, type ControlHandlers, type ControlServer,
  type ControlServerOptions, type KillRequest,
} from '../../src/main/control-server.js';

const TOKEN = 'test-token-0123456789abcdef';
/** The action token of a tokenless (loopback) server: `call` sends it on actions unless told otherwise. */
const ACTION = 'action-token-0123456789abcdef';
const ACTION_AUTH = { authorization: `Bearer ${ACTION}` };
const servers: ControlServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function recorder(overrides: Partial<ControlHandlers> = {}) {
  const kills: KillRequest[] = [];
  let clears = 0;
  const handlers: ControlHandlers = {
    state: () => ({ state: 'TRADING', reason: 'calibrated', markets: 3 }),
    kill: async (r) => {
      kills.push(r);
      return { state: 'HALTED', reason: r.reason ?? 'no reason given', flatten: r.flatten };
    },
    clear: () => {
      clears += 1;
      return { cleared: true };
    },
    ...overrides,
  };
  return { handlers, kills, clears: () => clears };
}

async function start(options: Partial<ControlServerOptions> & { handlers: ControlHandlers }) {
  const server = await startControlServer({ port: 0, ...('actionToken' in options ? {} : { actionToken: ACTION }), ...options });
  servers.push(server);
  const base = `http://127.0.0.1:${server.port}`;
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'OPTIONS', path: string, body?: string | Buffer, headers: Record<string, string> = {}) => {
    // Actions carry the action token unless the test sets its own authorization (or the server has a token).
    const auth = method !== 'GET' && options.token === undefined && options.actionToken === undefined && !('authorization' in headers) ? ACTION_AUTH : {};
    const r = await request(`${base}${path}`, { method, body, headers: { ...auth, ...headers } });
    const text = await r.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.statusCode, text, json, headers: r.headers };
  };
  return { server, base, call };
}

describe('control server: routes', () => {
  it('serves /healthz, /supervisor, /kill and /kill/clear; 404 and 405 as JSON', async () => {
    const rec = recorder();
    const { call } = await start({ handlers: rec.handlers });

    const health = await call('GET', '/healthz');
    expect(health).toMatchObject({ status: 200, text: 'ok' });
    expect(health.headers['content-type']).toMatch(/^text\/plain/);

    const state = await call('GET', '/supervisor');
    expect(state.status).toBe(200);
    expect(state.headers['content-type']).toBe('application/json');
    expect(state.json).toEqual({ state: 'TRADING', reason: 'calibrated', markets: 3 });

    const killed = await call('POST', '/kill', JSON.stringify({ reason: 'drawdown', flatten: true }), { 'content-type': 'application/json' });
    expect(killed).toMatchObject({ status: 200, json: { state: 'HALTED', reason: 'drawdown', flatten: true } });
    expect(rec.kills).toEqual([{ reason: 'drawdown', flatten: true, by: 'http' }]);

    const bare = await call('POST', '/kill'); // no body: no reason, no flatten
    expect(bare.status).toBe(200);
    expect(rec.kills[1]).toEqual({ reason: undefined, flatten: false, by: 'http' });

    expect(await call('POST', '/kill/clear')).toMatchObject({ status: 200, json: { cleared: true } });
    expect(await call('POST', '/kill/clear', '{}')).toMatchObject({ status: 200 });
    expect(rec.clears()).toBe(2);

    expect(await call('GET', '/nope')).toMatchObject({ status: 404, json: { error: 'no route GET /nope' } });
    expect(await call('GET', '/kill/')).toMatchObject({ status: 404 });
    const wrong = await call('GET', '/kill');
    expect(wrong).toMatchObject({ status: 405, json: { error: 'GET not allowed on /kill (allowed: POST)' } });
    expect(wrong.headers.allow).toBe('POST');
    expect(rec.kills).toHaveLength(2);
  });

  it('an undefined handler result is {"ok": true}; async state works', async () => {
    const { call } = await start({
      handlers: { state: async () => ({ n: 1 }), kill: () => undefined, clear: async () => undefined },
    });
    expect(await call('GET', '/supervisor')).toMatchObject({ status: 200, json: { n: 1 } });
    expect(await call('POST', '/kill', '{"reason":"r"}')).toMatchObject({ status: 200, json: { ok: true } });
    expect(await call('POST', '/kill/clear')).toMatchObject({ status: 200, json: { ok: true } });
  });
});

describe('control server: bad input → 400, the handler not called', () => {
  it.each([
    ['/kill', '{"reason": "x"', /^invalid JSON body/],
    ['/kill', '[]', /must be a JSON object/],
    ['/kill', 'null', /must be a JSON object/],
    ['/kill', '"stop"', /must be a JSON object/],
    ['/kill', '{"reason": 42}', /"reason" must be a string/],
    ['/kill', '{"reason": null}', /"reason" must be a string/],
    ['/kill', '{"flatten": "yes"}', /"flatten" must be true or false/],
    ['/kill', '{"reason": "r", "flaten": true}', /unknown field "flaten" \(known: reason, flatten\)/],
    ['/kill/clear', '{"force": true}', /unknown field "force" \(this action takes none\)/],
    ['/kill/clear', 'yes', /^invalid JSON body/],
  ])('POST %s %s', async (path, body, message) => {
    const rec = recorder();
    const { call } = await start({ handlers: rec.handlers });
    const r = await call('POST', path, body, { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect((r.json as { error: string }).error).toMatch(message);
    expect(rec.kills).toEqual([]);
    expect(rec.clears()).toBe(0);
    expect((await call('GET', '/healthz')).status).toBe(200); // still serving
  });

  it('a body over 16 KiB, declared or streamed (chunked), is refused', async () => {
    const rec = recorder();
    const { call, base } = await start({ handlers: rec.handlers });
    const big = JSON.stringify({ reason: 'x'.repeat(MAX_CONTROL_BODY_BYTES) });
    const declared = await call('POST', '/kill', big);
    expect(declared.status).toBe(400);
    expect((declared.json as { error: string }).error).toBe(`request body larger than ${MAX_CONTROL_BODY_BYTES} bytes`);

    async function* chunks() {
      for (let i = 0; i < 40; i++) yield Buffer.alloc(1024, 0x20); // no content-length: chunked
    }
    const streamed = await request(`${base}/kill`, { method: 'POST', body: Readable.from(chunks()), headers: ACTION_AUTH }).then(
      async (r) => ({ status: r.statusCode, text: await r.body.text() }),
      (e: unknown) => ({ status: 0, text: String(e) }), // the server may close before the client finished sending
    );
    if (streamed.status !== 0) {
      expect(streamed.status).toBe(400);
      expect(streamed.text).toContain('larger than');
    }
    expect(rec.kills).toEqual([]);

    async function* small() {
      yield Buffer.from('{"reason":');
      yield Buffer.from('"chunked"}');
    }
    const chunked = await request(`${base}/kill`, { method: 'POST', body: Readable.from(small()), headers: ACTION_AUTH });
    expect(chunked.statusCode).toBe(200);
    await chunked.body.text();
    expect(rec.kills).toEqual([{ reason: 'chunked', flatten: false, by: 'http' }]);

    // Just under the limit is fine; the reason is passed on as given (the kill switch bounds it).
    const fits = JSON.stringify({ reason: 'y'.repeat(MAX_CONTROL_BODY_BYTES - 20) });
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(MAX_CONTROL_BODY_BYTES);
    expect((await call('POST', '/kill', fits)).status).toBe(200);
    expect(rec.kills).toHaveLength(2);
  });
});

describe('control server: failures and aborts', () => {
  it('a handler that throws or rejects → 500 {error: message}, and the server keeps serving', async () => {
    const errors: string[] = [];
    const { call } = await start({
      handlers: {
        state: () => {
          throw new Error('board not ready');
        },
        kill: async () => {
          throw new Error('execution thread gone');
        },
        clear: () => ({ big: 1n }), // not JSON-able
      },
      onError: (e, where) => errors.push(`${where}: ${(e as Error).message}`),
    });
    const s = await call('GET', '/supervisor');
    expect(s).toMatchObject({ status: 500, json: { error: 'board not ready' } });
    expect(s.text).not.toMatch(/\bat .*:\d+:\d+/); // no stack
    expect(await call('POST', '/kill', '{}')).toMatchObject({ status: 500, json: { error: 'execution thread gone' } });
    const c = await call('POST', '/kill/clear');
    expect(c.status).toBe(500);
    expect((c.json as { error: string }).error).toMatch(/could not be serialized/);
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, text: 'ok' });
    expect(errors).toEqual(expect.arrayContaining(['GET /supervisor: board not ready', 'POST /kill: execution thread gone']));
  });

  it('a client that goes away mid-request: the late answer writes nothing, the server keeps serving', async () => {
    let release!: (v: unknown) => void;
    let started = 0;
    const errors: unknown[] = [];
    const { call, base } = await start({
      handlers: {
        state: () => ({}),
        kill: () => {
          started += 1;
          return new Promise((r) => (release = r));
        },
        clear: () => undefined,
      },
      onError: (e) => errors.push(e),
    });
    const abort = new AbortController();
    const pending = request(`${base}/kill`, { method: 'POST', body: '{"reason":"slow"}', signal: abort.signal, headers: ACTION_AUTH }).catch((e: unknown) => e);
    await until(() => started === 1, 'the handler to be called');
    abort.abort();
    expect(await pending).toBeInstanceOf(Error);
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200 }); // meanwhile the server has seen the abort
    release({ late: true }); // answered after the abort: must not write (uWS would throw), must not crash
    expect(await call('GET', '/supervisor')).toMatchObject({ status: 200, json: {} });
    expect(errors).toEqual([]);
  });
});

describe('control server: authentication', () => {
  it('binding beyond loopback requires a token; a weak token is refused; the token is not echoed', async () => {
    const handlers = recorder().handlers;
    await expect(startControlServer({ host: '0.0.0.0', port: 0, handlers })).rejects.toThrow(/binding to 0\.0\.0\.0 .*set a token/);
    await expect(startControlServer({ host: '::', port: 0, handlers })).rejects.toThrow(/set a token/);
    await expect(startControlServer({ port: 0, handlers, token: 'short-secret' })).rejects.toThrow(/at least 16/);
    await expect(startControlServer({ port: 0, handlers, token: 'has a space in the middle!' })).rejects.toThrow(/without spaces/);
    const e = await startControlServer({ port: 0, handlers, token: 'short-secret' }).catch((x: Error) => x);
    expect(String(e)).not.toContain('short-secret');
    await expect(startControlServer({ port: 70_000, handlers })).rejects.toThrow(/port must be/);
  });

  it('with a token, every request needs the bearer token: 401 otherwise', async () => {
    const rec = recorder();
    const { call } = await start({ host: '0.0.0.0', token: TOKEN, handlers: rec.handlers });
    const refused: Array<Record<string, string>> = [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: 'Bearer short' }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }];
    for (const headers of refused) {
      const h = await call('GET', '/healthz', undefined, headers);
      expect(h.status, JSON.stringify(headers)).toBe(401);
      expect(h.json).toEqual({ error: 'missing or wrong bearer token' });
      expect(h.headers['www-authenticate']).toBe('Bearer');
      expect(h.text).not.toContain(TOKEN);
      expect((await call('POST', '/kill', '{"reason":"x"}', headers)).status).toBe(401);
    }
    expect(rec.kills).toEqual([]);
    expect((await call('GET', '/nope')).status).toBe(401); // no route discovery without the token
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect(await call('GET', '/healthz', undefined, auth)).toMatchObject({ status: 200, text: 'ok' });
    expect(await call('GET', '/supervisor', undefined, { authorization: `bearer ${TOKEN}` })).toMatchObject({ status: 200 });
    expect(await call('POST', '/kill', '{"flatten":true}', auth)).toMatchObject({ status: 200 });
    expect(rec.kills).toEqual([{ reason: undefined, flatten: true, by: 'http' }]);
    // With a token, Host and Origin are not policed (a reverse proxy may rewrite them).
    expect((await call('GET', '/healthz', undefined, { ...auth, origin: 'https://dash.example' })).status).toBe(200);
  });

  it('without a token (loopback): a foreign Host (DNS rebinding) or a cross-site Origin → 403', async () => {
    const rec = recorder();
    const { server, call } = await start({ handlers: rec.handlers });
    const self = `127.0.0.1:${server.port}`;
    const evil = await call('POST', '/kill/clear', undefined, { host: `evil.example:${server.port}` });
    expect(evil.status).toBe(403);
    expect((evil.json as { error: string }).error).toMatch(/Host header/);
    const cross = await call('POST', '/kill/clear', undefined, { origin: 'https://evil.example' });
    expect(cross).toMatchObject({ status: 403, json: { error: 'refused: a cross-origin request' } });
    expect((await call('POST', '/kill/clear', undefined, { origin: 'null' })).status).toBe(403);
    expect(rec.clears()).toBe(0);
    expect((await call('POST', '/kill/clear', undefined, { origin: `http://${self}` })).status).toBe(200);
    expect((await call('GET', '/healthz', undefined, { host: `localhost:${server.port}` })).status).toBe(200);
    expect(rec.clears()).toBe(1);
  });

  it('without a token, actions still need the action token (in the header only); reads do not', async () => {
    const rec = recorder();
    const { call } = await start({ handlers: rec.handlers });
    for (const headers of [{ authorization: '' }, { authorization: `Bearer ${ACTION}x` }, { authorization: `Bearer ${TOKEN}` }]) {
      const r = await call('POST', '/kill', '{"reason":"x"}', headers);
      expect(r, JSON.stringify(headers)).toMatchObject({ status: 401, json: { error: 'missing or wrong bearer token' } });
      expect(r.text).not.toContain(ACTION);
    }
    // ?token= stands for the header on a GET only, never on an action.
    expect((await call('POST', `/kill?token=${ACTION}`, '{}', { authorization: '' })).status).toBe(401);
    expect(rec.kills).toEqual([]);
    expect((await call('GET', '/supervisor')).status).toBe(200);
    expect((await call('POST', '/kill', '{"reason":"ok"}')).status).toBe(200);
    expect(rec.kills).toEqual([{ reason: 'ok', flatten: false, by: 'http' }]);
    // No action token at all: actions are refused, reads served.
    const bare = await start({ handlers: rec.handlers, actionToken: undefined });
    expect(await bare.call('POST', '/kill/clear', undefined, { authorization: `Bearer ${ACTION}` })).toMatchObject({ status: 403, json: { error: 'actions are disabled: no control token is set' } });
    expect((await bare.call('GET', '/healthz')).status).toBe(200);
    expect(rec.clears()).toBe(0);
    await expect(startControlServer({ port: 0, handlers: rec.handlers, actionToken: 'short' })).rejects.toThrow(/action token must be at least 16/);
  });

  it('with a token, a GET may carry it as ?token= (a page load); an action may not; a public GET needs nothing', async () => {
    const rec = recorder();
    const { call } = await start({
      host: '0.0.0.0', token: TOKEN, handlers: rec.handlers,
      routes: [{ method: 'GET', path: '/static.js', public: true, handle: () => ({ status: 200, text: 'export {};', contentType: 'text/javascript' }) }],
    });
    expect(await call('GET', '/static.js')).toMatchObject({ status: 200, text: 'export {};' });
    expect((await call('POST', '/static.js', '{}', { authorization: `Bearer ${TOKEN}` })).status).toBe(405);
    expect(await call('GET', `/supervisor?token=${TOKEN}`)).toMatchObject({ status: 200 });
    expect((await call('GET', `/supervisor?token=${TOKEN}x`)).status).toBe(401);
    expect((await call('POST', `/kill?token=${TOKEN}`, '{}')).status).toBe(401);
    expect(rec.kills).toEqual([]);
  });

  it('recognizes loopback hosts and the guard stands alone (for WebSocket upgrades)', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '', '10.0.0.1', '128.0.0.1', 'example.com', '127.0.0.1.evil.example']) expect(isLoopbackHost(h), h).toBe(false);
    const guard = controlGuard(TOKEN);
    const headers = (m: Record<string, string>) => (name: string) => m[name];
    expect(guard(headers({ authorization: `Bearer ${TOKEN}` }))).toBeUndefined();
    expect(guard(headers({}))?.status).toBe(401);
  });
});

describe('control server: extension and lifecycle', () => {
  it('serves extra routes behind the same guard; a duplicate route is refused', async () => {
    const { call } = await start({
      token: TOKEN,
      handlers: recorder().handlers,
      routes: [{ method: 'GET', path: '/metrics', handle: () => ({ status: 200, text: 'up 1\n', contentType: 'text/plain; version=0.0.4' }) }],
    });
    expect((await call('GET', '/metrics')).status).toBe(401);
    const m = await call('GET', '/metrics', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(m).toMatchObject({ status: 200, text: 'up 1\n' });
    expect(m.headers['content-type']).toBe('text/plain; version=0.0.4');
    await expect(startControlServer({
      port: 0, handlers: recorder().handlers, routes: [{ method: 'GET', path: '/healthz', handle: () => ({ status: 200 }) }],
    })).rejects.toThrow(/duplicate route GET \/healthz/);
  });

  it('a port in use is a clear error; close() stops listening and is idempotent', async () => {
    const { server, call, base } = await start({ handlers: recorder().handlers });
    await expect(startControlServer({ port: server.port, handlers: recorder().handlers })).rejects.toThrow(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${server.port}`));
    expect((await call('GET', '/healthz')).status).toBe(200); // a keep-alive connection is now open
    await server.close();
    await server.close();
    await expect(request(`${base}/healthz`)).rejects.toThrow();
  });
});
