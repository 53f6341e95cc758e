/**
 * The host's HTTP control surface, on uWebSockets.js: supervisor state, the kill switch, liveness.
 *
 *   GET  /healthz      200 text `ok` (the process is alive and serving)
 *   GET  /supervisor   200 JSON of `handlers.state()`
 *   POST /kill         body {"reason"?: string, "flatten"?: boolean} → handlers.kill({reason, flatten, by: 'http'})
 *   POST /kill/clear   body empty or {} → handlers.clear()
 *
 * Request pipeline (one `app.any('/*')` entry; the route table is a Map keyed "METHOD /path"):
 *
 *   read guard: Host/Origin (tokenless only, 403) → bearer token (401)
 *   → route (404, 405 + Allow) → action guard (every non-GET route: the action token, 401)
 *   → body (≤ 16 KiB, else 400 and the connection is closed) → handler → exactly one reply
 *
 * - Bound to 127.0.0.1 by default. Binding anywhere else requires a token (≥ 16 visible ASCII
 *   characters): `startControlServer` throws otherwise. With a token, EVERY request must carry
 *   `Authorization: Bearer <token>` — or, on a GET only, `?token=<token>` in the URL, since a
 *   browser cannot set the header on a page load. The comparison is constant time (SHA-256 of
 *   both sides, then `timingSafeEqual`, so not even the length leaks). The token is never logged
 *   or echoed.
 * - Without a token (loopback only) a web page the operator happens to visit must not be able to
 *   read the host's state or act on it: a request whose Host header names something other than
 *   a loopback address (DNS rebinding) or whose Origin is not this server (cross-site request)
 *   gets 403. curl and other non-browser clients send no Origin and pass.
 * - Actions (every route but GET) ALWAYS need a bearer token, in the header only: `token` when
 *   one is set, else `actionToken` (the host makes one per start and keeps it in its data dir,
 *   readable by the operator only). With neither, actions answer 403.
 * - Bodies are JSON objects with known fields only: bad JSON, another type, an unknown field
 *   (a typo such as "flaten" must not silently skip the flatten) or a body over 16 KiB → 400 with
 *   `{"error": …}`, and the handler is not called.
 * - A handler that throws (or rejects) → 500 `{"error": <its message>}` (no stack); a
 *   `ControlHttpError` → its own status. The server keeps serving. A handler result of undefined
 *   is answered `{"ok": true}`.
 * - Every request is answered exactly once; after the client aborts (or `close()`), nothing is
 *   written. Everything needed from the uWS request is copied before the first await.
 *
 * Extending: pass more `routes` (they go through the same guards), and register WebSocket routes
 * in `configure(app, guard)` — uWS matches them before the catch-all, so they must call `guard`
 * (the read guard) themselves on upgrade.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import uWS from 'uWebSockets.js';
import type { KillSwitchOrigin } from '../supervisor/kill-switch.js';

export const MAX_CONTROL_BODY_BYTES = 16 * 1024;
export const MIN_TOKEN_CHARS = 16;

/** What POST /kill asks of the host. */
export interface KillRequest {
  reason?: string;
  flatten: boolean;
  by: KillSwitchOrigin;
}

export interface ControlHandlers {
  /** Any JSON-able object: the supervisor's state, for GET /supervisor. */
  state(): unknown;
  kill(request: KillRequest): unknown;
  clear(): unknown;
}

export interface ControlRequest {
  /** Upper case. */
  readonly method: string;
  /** As received, without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** A request header by name, any case; undefined when absent. */
  header(name: string): string | undefined;
  /** The body (empty when there was none), at most MAX_CONTROL_BODY_BYTES. */
  readonly body: Buffer;
}

export interface ControlReply {
  status: number;
  /** Sent as JSON (`application/json`) unless `text` is given. */
  json?: unknown;
  text?: string;
  /** For `text` (default text/plain; charset=utf-8). */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Exact path, e.g. '/metrics'. */
  path: string;
  /**
   * A GET served without the read guard: static files that carry no state of the host (the
   * dashboard's script and style sheet, which a page loaded with `?token=` cannot fetch with it).
   */
  public?: boolean;
  handle(req: ControlRequest): ControlReply | Promise<ControlReply>;
}

/** Thrown by a route for a reply other than 500: `{"error": message}` with `status`. */
export class ControlHttpError extends Error {
  override readonly name = 'ControlHttpError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Refuses a request (a reply) or lets it through (undefined), by its headers alone. */
export type ControlGuard = (header: (name: string) => string | undefined) => ControlReply | undefined;

export interface ControlServerOptions {
  /** Default 127.0.0.1; anything but a loopback address requires `token`. */
  host?: string;
  /** 0: an ephemeral port (see the returned `port`). */
  port: number;
  /** Required for every request (reads and actions) when set. */
  token?: string;
  /** Without `token`: the bearer token actions need (reads stay tokenless on loopback). */
  actionToken?: string;
  handlers: ControlHandlers;
  /** More routes, served behind the same guard (a duplicate of any route throws). */
  routes?: ControlRoute[];
  /** Add WebSocket routes (they bypass the HTTP pipeline: call `guard` on upgrade). */
  configure?: (app: uWS.TemplatedApp, guard: ControlGuard) => void;
  /** Unexpected errors: a handler that threw, a failed write. Never given the token. */
  onError?: (err: unknown, where: string) => void;
}

export interface ControlServer {
  readonly host: string;
  readonly port: number;
  /** Stop listening and close every open connection (idempotent). */
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

const error = (status: number, message: string, headers?: Record<string, string>): ControlReply => ({ status, json: { error: message }, headers });

/** 127.0.0.0/8, ::1, ::ffff:127.x, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The host part of a Host header ('127.0.0.1:8090', '[::1]:8090', 'localhost'). */
function hostOfHeader(value: string): string {
  const bracket = /^\[([^\]]*)\](?::\d+)?$/.exec(value);
  if (bracket) return bracket[1];
  const colon = value.lastIndexOf(':');
  return colon >= 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The guard every request passes before its route: see the header comment. */
export function controlGuard(token: string | undefined): ControlGuard {
  if (token === undefined) {
    return (header) => {
      const hostHeader = header('host');
      if (hostHeader !== undefined && !isLoopbackHost(hostOfHeader(hostHeader))) {
        return error(403, 'refused: the Host header does not name this machine (set a token to serve other names)');
      }
      const origin = header('origin');
      if (origin !== undefined && (hostHeader === undefined || origin !== `http://${hostHeader}`)) {
        return error(403, 'refused: a cross-origin request');
      }
      return undefined;
    };
  }
  const expected = digest(token);
  return (header) => {
    const match = /^Bearer +(\S+) *$/i.exec(header('authorization') ?? '');
    if (match === null || !timingSafeEqual(digest(match[1]), expected)) {
      return error(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
    }
    return undefined;
  };
}

/**
 * The check every action (non-GET route) passes after the read guard: a bearer token in the
 * header — `token` when set (the read guard checked it already), else `actionToken`.
 */
export function actionGuard(token: string | undefined, actionToken: string | undefined): ControlGuard {
  if (token !== undefined) return () => undefined;
  if (actionToken === undefined) return () => error(403, 'actions are disabled: no control token is set');
  return controlGuard(actionToken);
}

/** The body as a JSON object with only `allowed` fields; an empty body is {}. Throws ControlHttpError 400. */
export function jsonObjectBody(req: ControlRequest, allowed: readonly string[]): Record<string, unknown> {
  if (req.body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString('utf8'));
  } catch (e) {
    throw new ControlHttpError(400, `invalid JSON body: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ControlHttpError(400, 'the body must be a JSON object');
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    const known = allowed.length > 0 ? `known: ${allowed.join(', ')}` : 'this action takes none';
    throw new ControlHttpError(400, `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (${known})`);
  }
  return value as Record<string, unknown>;
}

const ok = (result: unknown): ControlReply => ({ status: 200, json: result === undefined ? { ok: true } : result });

/** GET /healthz, GET /supervisor, POST /kill, POST /kill/clear. */
export function controlRoutes(handlers: ControlHandlers): ControlRoute[] {
  return [
    { method: 'GET', path: '/healthz', handle: () => ({ status: 200, text: 'ok' }) },
    { method: 'GET', path: '/supervisor', handle: async () => ok(await handlers.state()) },
    {
      method: 'POST', path: '/kill', handle: async (req) => {
        const body = jsonObjectBody(req, ['reason', 'flatten']);
        if (body.reason !== undefined && typeof body.reason !== 'string') throw new ControlHttpError(400, '"reason" must be a string');
        if (body.flatten !== undefined && typeof body.flatten !== 'boolean') throw new ControlHttpError(400, '"flatten" must be true or false');
        return ok(await handlers.kill({ reason: body.reason as string | undefined, flatten: body.flatten === true, by: 'http' }));
      },
    },
    {
      method: 'POST', path: '/kill/clear', handle: async (req) => {
        jsonObjectBody(req, []);
        return ok(await handlers.clear());
      },
    },
  ];
}

/** One request in flight: `done` once answered or aborted — `res` must not be touched again. */
interface Exchange {
  res: uWS.HttpResponse;
  done: boolean;
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const host = options.host ?? '127.0.0.1';
  const { token } = options;
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new RangeError(`control server: port must be 0 to 65535, got ${options.port}`);
  }
  for (const [name, t] of [['token', token], ['action token', options.actionToken]] as const) {
    if (t !== undefined && (t.length < MIN_TOKEN_CHARS || !/^[\x21-\x7e]+$/.test(t))) {
      throw new Error(`control server: the ${name} must be at least ${MIN_TOKEN_CHARS} visible ASCII characters, without spaces`);
    }
  }
  if (token === undefined && !isLoopbackHost(host)) {
    throw new Error(`control server: binding to ${host} would expose the kill switch beyond this machine; set a token (or bind to 127.0.0.1)`);
  }
  const onError = options.onError ?? (() => undefined);
  const report = (err: unknown, where: string): void => {
    try {
      onError(err, where);
    } catch {
      // A failing logger must not take the server down.
    }
  };

  const table = new Map<string, ControlRoute>();
  const methodsByPath = new Map<string, string[]>();
  for (const route of [...controlRoutes(options.handlers), ...(options.routes ?? [])]) {
    const key = `${route.method} ${route.path}`;
    if (table.has(key)) throw new Error(`control server: duplicate route ${key}`);
    table.set(key, route);
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
  }
  const guard = controlGuard(token);
  const actionAllowed = actionGuard(token, options.actionToken);

  const send = (ex: Exchange, reply: ControlReply, closeConnection = false): void => {
    if (ex.done) return;
    let payload: string;
    let type: string;
    if (reply.text !== undefined) {
      payload = reply.text;
      type = reply.contentType ?? 'text/plain; charset=utf-8';
    } else {
      try {
        payload = JSON.stringify(reply.json ?? null);
      } catch (e) {
        report(e, 'serializing a reply');
        reply = error(500, `the reply could not be serialized: ${e instanceof Error ? e.message : String(e)}`);
        payload = JSON.stringify(reply.json);
      }
      type = 'application/json';
    }
    ex.done = true;
    try {
      ex.res.cork(() => {
        ex.res.writeStatus(`${reply.status} ${REASONS[reply.status] ?? 'Status'}`);
        ex.res.writeHeader('content-type', type);
        ex.res.writeHeader('cache-control', 'no-store');
        for (const [k, v] of Object.entries(reply.headers ?? {})) ex.res.writeHeader(k, v);
        ex.res.end(payload, closeConnection);
      });
    } catch (e) {
      report(e, 'writing a reply'); // e.g. the connection closed under us
    }
  };

  const run = async (ex: Exchange, route: ControlRoute, req: ControlRequest): Promise<void> => {
    let reply: ControlReply;
    try {
      reply = await route.handle(req);
    } catch (e) {
      if (e instanceof ControlHttpError) {
        reply = error(e.status, e.message);
      } else {
        report(e, `${route.method} ${route.path}`);
        reply = error(500, e instanceof Error ? e.message : String(e));
      }
    }
    send(ex, reply);
  };

  const serve = (res: uWS.HttpResponse, ureq: uWS.HttpRequest): void => {
    const ex: Exchange = { res, done: false };
    res.onAborted(() => {
      ex.done = true;
    });
    const method = ureq.getMethod().toUpperCase();
    const path = ureq.getUrl();
    const query = new URLSearchParams(ureq.getQuery() ?? '');
    const headers = new Map<string, string>();
    ureq.forEach((k, v) => {
      if (!headers.has(k)) headers.set(k, v);
    });
    const header = (name: string): string | undefined => headers.get(name.toLowerCase());
    // A page load cannot carry the header: on a GET, `?token=` stands for it (never on an action).
    const readHeader = (name: string): string | undefined => {
      const h = header(name);
      if (h !== undefined || method !== 'GET' || name.toLowerCase() !== 'authorization') return h;
      const t = query.get('token');
      return t === null ? undefined : `Bearer ${t}`;
    };
    // A body we will not read: answer and close, so the unread bytes are not taken for a request.
    const length = header('content-length');
    const hasBody = header('transfer-encoding') !== undefined || (length !== undefined && length !== '' && length !== '0');

    const route = table.get(`${method} ${path}`);
    const refused = route?.public === true && method === 'GET' ? undefined : guard(readHeader);
    if (refused) return send(ex, refused, hasBody);
    if (route === undefined) {
      const allowed = methodsByPath.get(path);
      if (allowed === undefined) return send(ex, error(404, `no route ${method} ${path}`), hasBody);
      return send(ex, error(405, `${method} not allowed on ${path} (allowed: ${allowed.join(', ')})`, { allow: allowed.join(', ') }), hasBody);
    }
    if (method !== 'GET') {
      const notAllowed = actionAllowed(header);
      if (notAllowed) return send(ex, notAllowed, hasBody);
    }
    const tooLarge = () => error(400, `request body larger than ${MAX_CONTROL_BODY_BYTES} bytes`);
    if (!hasBody) {
      void run(ex, route, { method, path, query, header, body: Buffer.alloc(0) });
      return;
    }
    if (length !== undefined && Number(length) > MAX_CONTROL_BODY_BYTES) return send(ex, tooLarge(), true);
    const chunks: Buffer[] = [];
    let total = 0;
    res.onData((chunk, isLast) => {
      if (ex.done) return;
      total += chunk.byteLength;
      if (total > MAX_CONTROL_BODY_BYTES) return send(ex, tooLarge(), true);
      chunks.push(Buffer.from(new Uint8Array(chunk))); // a copy: uWS reuses `chunk`
      if (isLast) void run(ex, route, { method, path, query, header, body: Buffer.concat(chunks, total) });
    });
  };

  const app = uWS.App();
  options.configure?.(app, guard);
  app.any('/*', serve);

  let listenSocket: uWS.us_listen_socket;
  try {
    listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
      app.listen(host, options.port, (s) => (s ? resolve(s) : reject(new Error(`control server: cannot listen on ${host}:${options.port} (in use, or not an address of this machine)`))));
    });
  } catch (e) {
    (app as unknown as { close(): void }).close();
    throw e;
  }
  const port = uWS.us_socket_local_port(listenSocket);
  let closed = false;
  return {
    host,
    port,
    close: async () => {
      if (closed) return;
      closed = true;
      uWS.us_listen_socket_close(listenSocket);
      // Also the open keep-alive connections (`close` exists at run time but not in the types).
      (app as unknown as { close(): void }).close();
    },
  };
}
