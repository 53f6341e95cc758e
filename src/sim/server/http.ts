/**
 * The simulator's REST transport: a small router mounted on uWebSockets.js.
 *
 * Request pipeline (every step is a seam the integrator fills in):
 *
 *   body read (≤ maxBodyBytes, else 413) → route match (404 / 405) → authenticate (401)
 *   → rateLimit (429) → JSON parse (400) → beforeHandle → handler → beforeReply → write
 *
 * - Routes are full paths with `:name` segments ('/trade-api/v2/markets/:ticker/orderbook'); a
 *   static segment wins over a parameter ('/markets/orderbooks' before '/markets/:ticker').
 * - A handler returns `{status, body}` (or throws). A thrown `ExchangeError` becomes its status and
 *   Kalshi's `{"error":{"code","message","details"?}}`; anything else becomes 500 `internal_error`
 *   with a fixed message (the error goes to `onError`, never to the client) and the server keeps
 *   serving.
 * - `beforeReply` sees every reply made after the body was read (errors included) and may delay it
 *   (return a promise), replace it, answer nothing (`NO_REPLY`: the client times out) or cut the
 *   connection (`DROP_CONNECTION`) — e.g. "the order executed but the client got a 500".
 *
 * uWebSockets.js rules honoured here: everything needed from `req` is copied before the first
 * await (it is invalid afterwards); `res.onAborted` is set before any asynchronous step and no
 * write happens after an abort; body chunks are copied (uWS reuses their memory); async writes
 * are corked; HEAD answers the GET route's headers with no body.
 *
 * Choices where Kalshi documents nothing (UNCONFIRMED): unknown path → 404 `not_found`; known path
 * with another method → 405 `method_not_allowed` with an `Allow` header; oversized body → 413
 * `payload_too_large` and the connection is closed (the rest of the body is never read);
 * malformed JSON → 400 `bad_request` "invalid JSON body". Paths are matched exactly (no trailing
 * slash folding); parameters are percent-decoded.
 */
import type { HttpRequest as UwsRequest, HttpResponse as UwsResponse, TemplatedApp } from 'uWebSockets.js';
import { ExchangeError } from '../engine/types.js';
import { errorBody } from './serialize.js';

export interface HttpRequest {
  /** Upper case: 'GET', 'POST', … */
  readonly method: string;
  /** The path as received, without the query string (what Kalshi's signature covers). */
  readonly path: string;
  /** The matched route pattern, '' when none matched. */
  readonly route: string;
  /** Route parameters, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** A request header by name, any case; undefined when absent. */
  header(name: string): string | undefined;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
  /** Set by the `authenticate` hook when the request is signed by a known key. */
  keyId?: string;
}

export interface HttpResponse {
  status: number;
  /** Serialized with JSON.stringify unless `rawBody` is given. */
  body?: unknown;
  /** Sent as is (a fault can send a malformed body); content-type stays application/json unless set. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

/** Reply nothing; the request stays open until the client gives up (a lost response). */
export const NO_REPLY: unique symbol = Symbol('NO_REPLY');
/** Close the connection without a response. */
export const DROP_CONNECTION: unique symbol = Symbol('DROP_CONNECTION');

/** What `beforeReply` decides: undefined keeps the response, a response replaces it. */
export type ReplyDecision = HttpResponse | typeof NO_REPLY | typeof DROP_CONNECTION | undefined | void;

/** A gate before the handler: undefined lets the request through, a response answers it. */
export type Gate = (req: HttpRequest) => HttpResponse | undefined;

export interface AttachOptions {
  /** Mount point, e.g. '/trade-api/v2'; every path under it is answered (404 when unrouted). */
  prefix: string;
  /** Signature check; on success set `req.keyId` and return undefined. Routes may be public: decide by `req.route`. */
  authenticate?: Gate;
  /** Token buckets; return 429 `TOO_MANY_REQUESTS_BODY` to refuse. Runs after authenticate (so it sees `keyId`). */
  rateLimit?: Gate;
  /** Last gate before the handler (e.g. fault injection that must stop the request before the engine sees it). */
  beforeHandle?: (req: HttpRequest) => HttpResponse | undefined | Promise<HttpResponse | undefined>;
  /** Last look at a reply before it is written (fault injection after the handler ran). */
  beforeReply?: (req: HttpRequest, res: HttpResponse) => ReplyDecision | Promise<ReplyDecision>;
  /** Largest request body, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Also answer 404 for every path outside `prefix` (a catch-all `/*`; WebSocket routes still win). */
  catchAll?: boolean;
  /** Unexpected errors (a handler or hook threw something other than ExchangeError). */
  onError?: (err: unknown, req: HttpRequest) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 1 << 20;

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone',
  413: 'Payload Too Large', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

// Fresh objects per reply: beforeReply may modify what it is given.
const notFound = (): HttpResponse => ({ status: 404, body: errorBody('not_found', 'not found') });
const badJson = (): HttpResponse => ({ status: 400, body: errorBody('bad_request', 'invalid JSON body') });
const internal = (): HttpResponse => ({ status: 500, body: errorBody('internal_error', 'internal server error') });

interface RouteNode {
  statics: Map<string, RouteNode>;
  param?: { name: string; node: RouteNode };
  handlers: Map<string, { handler: Handler; pattern: string }>;
}

export type RouteMatch =
  | { kind: 'found'; handler: Handler; pattern: string; params: Record<string, string> }
  | { kind: 'method'; pattern: string; allowed: string[] }
  | { kind: 'none' };

function newNode(): RouteNode {
  return { statics: new Map(), handlers: new Map() };
}

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

class Request implements HttpRequest {
  body: unknown = undefined;
  keyId?: string;
  route = '';
  params: Record<string, string> = {};

  constructor(
    readonly method: string,
    readonly path: string,
    readonly query: URLSearchParams,
    private readonly headers: Map<string, string>,
  ) {}

  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase());
  }
}

export class HttpRouter {
  private readonly root = newNode();

  /** Add a route; `pattern` is a full path with `:name` parameter segments. */
  route(method: string, pattern: string, handler: Handler): this {
    if (!pattern.startsWith('/')) throw new TypeError(`route pattern must start with '/': ${pattern}`);
    const m = method.toUpperCase();
    let node = this.root;
    for (const seg of pattern.split('/').slice(1)) {
      if (seg.startsWith(':')) {
        const name = seg.slice(1);
        if (name === '') throw new TypeError(`empty parameter name in ${pattern}`);
        if (node.param && node.param.name !== name) {
          throw new TypeError(`parameter :${name} in ${pattern} conflicts with :${node.param.name} at the same place`);
        }
        node.param ??= { name, node: newNode() };
        node = node.param.node;
      } else {
        let next = node.statics.get(seg);
        if (!next) {
          next = newNode();
          node.statics.set(seg, next);
        }
        node = next;
      }
    }
    if (node.handlers.has(m)) throw new TypeError(`duplicate route ${m} ${pattern}`);
    node.handlers.set(m, { handler, pattern });
    return this;
  }

  get(pattern: string, handler: Handler): this {
    return this.route('GET', pattern, handler);
  }

  post(pattern: string, handler: Handler): this {
    return this.route('POST', pattern, handler);
  }

  put(pattern: string, handler: Handler): this {
    return this.route('PUT', pattern, handler);
  }

  delete(pattern: string, handler: Handler): this {
    return this.route('DELETE', pattern, handler);
  }

  /** Find the handler of `method` `path`. HEAD falls back to GET. */
  match(method: string, path: string): RouteMatch {
    const params: Record<string, string> = {};
    const node = this.find(this.root, path.split('/'), 1, params);
    if (!node) return { kind: 'none' };
    const m = method.toUpperCase();
    const hit = node.handlers.get(m) ?? (m === 'HEAD' ? node.handlers.get('GET') : undefined);
    const pattern = node.handlers.values().next().value?.pattern ?? '';
    if (!hit) {
      const allowed = [...node.handlers.keys()];
      if (allowed.includes('GET')) allowed.push('HEAD');
      return { kind: 'method', pattern, allowed: allowed.sort() };
    }
    return { kind: 'found', handler: hit.handler, pattern: hit.pattern, params };
  }

  /** Static segments first, then the parameter; backtracks so '/a/:x/c' and '/a/b/d' coexist. */
  private find(node: RouteNode, segs: string[], i: number, params: Record<string, string>): RouteNode | undefined {
    if (i === segs.length) return node.handlers.size > 0 ? node : undefined;
    const seg = segs[i];
    const s = node.statics.get(seg);
    if (s) {
      const found = this.find(s, segs, i + 1, params);
      if (found) return found;
    }
    if (node.param && seg !== '') {
      const found = this.find(node.param.node, segs, i + 1, params);
      if (found) {
        params[node.param.name] = decode(seg);
        return found;
      }
    }
    return undefined;
  }

  /** Serve the routes on `app` under `options.prefix`. */
  attach(app: TemplatedApp, options: AttachOptions): void {
    const prefix = options.prefix.endsWith('/') ? options.prefix.slice(0, -1) : options.prefix;
    const serve = (res: UwsResponse, req: UwsRequest): void => this.serve(res, req, options);
    app.any(prefix + '/*', serve);
    if (prefix !== '') app.any(prefix, serve);
    if (options.catchAll) app.any('/*', serve);
  }

  /** One uWS request: synchronous part (copy everything out of `req`, start reading the body). */
  private serve(res: UwsResponse, ureq: UwsRequest, options: AttachOptions): void {
    const method = ureq.getMethod().toUpperCase();
    const path = ureq.getUrl();
    const query = new URLSearchParams(ureq.getQuery() ?? '');
    const headers = new Map<string, string>();
    ureq.forEach((k, v) => {
      if (!headers.has(k)) headers.set(k, v);
    });
    const req = new Request(method, path, query, headers);
    const state: InFlight = { res, req, done: false, head: method === 'HEAD' };
    res.onAborted(() => {
      state.done = true;
    });

    const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const lengthHeader = headers.get('content-length');
    const chunked = headers.has('transfer-encoding');
    const declared = lengthHeader === undefined || lengthHeader === '' ? 0 : Number(lengthHeader);
    if (declared > max) {
      write(state, tooLarge(max), true);
      return;
    }
    if (declared === 0 && !chunked) {
      void this.process(state, undefined, options);
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let refused = false;
    res.onData((chunk, isLast) => {
      if (refused || state.done) return;
      total += chunk.byteLength;
      if (total > max) {
        refused = true;
        write(state, tooLarge(max), true);
        return;
      }
      chunks.push(Buffer.from(new Uint8Array(chunk))); // a copy: uWS reuses `chunk`
      if (isLast) void this.process(state, Buffer.concat(chunks, total), options);
    });
  }

  /** Everything after the body is in; never rejects. */
  private async process(state: InFlight, raw: Buffer | undefined, options: AttachOptions): Promise<void> {
    const req = state.req;
    let reply: HttpResponse;
    try {
      reply = await this.respond(req, raw, options);
    } catch (err) {
      reply = failure(err, req, options);
    }
    let decision: ReplyDecision = undefined;
    if (options.beforeReply) {
      try {
        decision = await options.beforeReply(req, reply);
      } catch (err) {
        decision = failure(err, req, options);
      }
    }
    if (decision === NO_REPLY) return;
    if (decision === DROP_CONNECTION) {
      if (!state.done) {
        state.done = true;
        state.res.close();
      }
      return;
    }
    write(state, decision ?? reply, false, req, options);
  }

  private async respond(req: Request, raw: Buffer | undefined, options: AttachOptions): Promise<HttpResponse> {
    const match = this.match(req.method, req.path);
    if (match.kind === 'none') return notFound();
    req.route = match.pattern;
    if (match.kind === 'method') {
      return {
        status: 405,
        body: errorBody('method_not_allowed', `method ${req.method} not allowed`),
        headers: { allow: match.allowed.join(', ') },
      };
    }
    req.params = match.params;
    const denied = options.authenticate?.(req) ?? options.rateLimit?.(req);
    if (denied) return denied;
    if (raw !== undefined && raw.length > 0) {
      try {
        req.body = JSON.parse(raw.toString('utf8'));
      } catch {
        return badJson();
      }
    }
    const stopped = await options.beforeHandle?.(req);
    if (stopped) return stopped;
    try {
      const out = await match.handler(req);
      if (out === null || typeof out !== 'object' || !Number.isInteger(out.status)) {
        throw new TypeError(`handler of ${req.method} ${match.pattern} returned ${String(out)} instead of {status, body}`);
      }
      return out;
    } catch (err) {
      return failure(err, req, options);
    }
  }
}

interface InFlight {
  res: UwsResponse;
  req: Request;
  /** The client went away, or the reply was written: `res` must not be touched again. */
  done: boolean;
  head: boolean;
}

function tooLarge(max: number): HttpResponse {
  return { status: 413, body: errorBody('payload_too_large', `request body larger than ${max} bytes`) };
}

function failure(err: unknown, req: HttpRequest, options: AttachOptions): HttpResponse {
  if (err instanceof ExchangeError) return { status: err.status, body: errorBody(err.code, err.message, err.details) };
  try {
    options.onError?.(err, req);
  } catch {
    // A failing logger must not take the server down.
  }
  return internal();
}

/** Writes a reply (corked); a no-op after an abort. */
function write(state: InFlight, r: HttpResponse, close: boolean, req?: HttpRequest, options?: AttachOptions): void {
  if (state.done) return;
  let payload: string;
  try {
    payload = r.rawBody ?? (r.body === undefined ? '' : JSON.stringify(r.body));
  } catch (err) {
    if (req && options) failure(err, req, options);
    r = internal();
    payload = JSON.stringify(r.body);
  }
  const noBody = r.status === 204 || r.status === 304;
  const res = state.res;
  state.done = true; // answered: nothing may be written again
  res.cork(() => {
    res.writeStatus(`${r.status} ${REASONS[r.status] ?? 'Status'}`);
    let typed = false;
    if (r.headers) {
      for (const [k, v] of Object.entries(r.headers)) {
        if (k.toLowerCase() === 'content-type') typed = true;
        res.writeHeader(k, v);
      }
    }
    if (!typed && !noBody && (r.body !== undefined || r.rawBody !== undefined)) res.writeHeader('content-type', 'application/json');
    if (noBody) res.endWithoutBody(0, close);
    else if (state.head) res.endWithoutBody(Buffer.byteLength(payload), close);
    else res.end(payload, close);
  });
}
