/**
 * The REST transport: one keep-alive connection pool to the base origin, every request signed
 * (kalshi-api.md §1.2) and bounded by a per-request timeout. Two implementations with the same
 * contract: `UndiciTransport` here (undici 7 `Pool`, the default: the faster of the two against
 * the simulator, see bench/kalshi/rest-transport.bench.ts) and `NodeHttpTransport`
 * (node-http-transport.ts: node:http with a keep-alive Agent, kept for the comparison and as a
 * fallback).
 *
 * Contract of `send`:
 * - Resolves with the status and the whole body text for ANY HTTP answer (4xx and 5xx too):
 *   classifying answers is the caller's job (outcome.ts, request-pipeline.ts).
 * - Rejects only with `KalshiTransportError`: `timeout` when no complete answer arrived within
 *   `timeoutMs` (measured from the call: connect + send + headers + body), `connection` when the
 *   connection failed. `sent: false` only when the request provably never left this process
 *   (connection refused, DNS failure, connect timeout); otherwise the exchange may have executed it.
 * - Signing happens inside `send`, immediately before the request is written, so the timestamp
 *   is fresh even when the caller waited for rate-limit tokens (a pre-signed signature is taken
 *   there too, and is at most the pool's max age old). The signed path is the full URL path
 *   (`/trade-api/v2/...`) without the query string.
 *
 * Secrets: a transport holds `KalshiCredentials` (the private key sits in its #private field and
 * redacts itself from inspect/JSON/String); no error or log line here contains headers.
 */
import { EventEmitter } from 'node:events';
import { Pool } from 'undici';
import type { KalshiCredentials } from '../../kalshi-signing.js';
import type { RestBase } from './environments.js';
import { KalshiTransportError } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RestRequest {
  readonly method: HttpMethod;
  /** Relative to the base path, starting with `/`: `/portfolio/orders`. Already percent-encoded. */
  readonly path: string;
  /** Encoded query without `?` (`ticker=A&limit=5`), or ''. Not signed. */
  readonly query: string;
  /** JSON text, or undefined for no body. */
  readonly body?: string;
}

export interface RestReply {
  readonly status: number;
  /** The whole body as text ('' for none). */
  readonly text: string;
}

export type TransportKind = 'undici' | 'node:http';

export interface RestTransport {
  readonly kind: TransportKind;
  readonly base: RestBase;
  /** See the file comment for what resolves and what rejects. */
  send(request: RestRequest, timeoutMs: number, onSent?: () => void): Promise<RestReply>;
  /** Close idle connections and refuse new requests. In-flight requests are abandoned. */
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Signs every request when given; unsigned requests reach only public market data. */
  credentials?: KalshiCredentials;
  /** Keep-alive connections to the origin at most (default 4). */
  connections?: number;
  /**
   * Close a connection idle this long, ms (default 4,000, undici's own default). Shorter than the
   * server's idle timeout (uWebSockets.js, i.e. the simulator: 10 s; Kalshi's load balancers:
   * undocumented), so that a request is not written onto a socket the server is closing — for an
   * order that race is an UNKNOWN outcome and a lookup.
   */
  keepAliveTimeoutMs?: number;
}

export const DEFAULT_CONNECTIONS = 4;
export const DEFAULT_KEEP_ALIVE_MS = 4_000;

/** The URL path as sent (base path + path) and with its query. */
export function requestTarget(base: RestBase, request: RestRequest): { path: string; target: string } {
  const path = base.basePath + request.path;
  return { path, target: request.query === '' ? path : `${path}?${request.query}` };
}

/**
 * Headers of one request: signed when credentials are given (RSA-PSS, ~250–400 µs of CPU for a
 * 2048-bit key on the 2-vCPU VM), or carrying a pre-signed signature when the credentials have a
 * pool with a fresh one for this method and path (KalshiCredentials.withPresigned: order creation).
 */
export function requestHeaders(credentials: KalshiCredentials | undefined, method: HttpMethod, path: string, body: string | undefined): Record<string, string> {
  const headers: Record<string, string> = credentials === undefined ? {} : credentials.headers(method, path);
  headers.accept = 'application/json';
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return headers;
}

/** Errors that happen before a connection exists: the request was never written. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Map whatever a client library threw into a KalshiTransportError (never with headers or bodies). */
export function transportFailure(method: HttpMethod, path: string, err: unknown, timedOut: boolean): KalshiTransportError {
  if (err instanceof KalshiTransportError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown error';
  if (timedOut) return new KalshiTransportError(method, path, 'timeout', true, reason);
  return new KalshiTransportError(method, path, 'connection', !(typeof code === 'string' && NOT_SENT.has(code)), reason);
}

export function checkTimeout(timeoutMs: number): void {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`REST timeout must be a positive number of ms, got ${timeoutMs}`);
}

/**
 * undici 7 `Pool` to the origin: up to `connections` keep-alive sockets, no pipelining (one
 * request per socket at a time, so a slow answer never holds up another request), undici's own
 * header/body timers off: one deadline per request covers the wait for a free connection,
 * connect, send, headers and body. An aborted request destroys its socket; the pool opens another.
 *
 * The deadline aborts through a plain EventEmitter, which undici accepts as `signal`: an
 * AbortController costs ~8 µs of CPU per request here (EventTarget listeners), about a quarter
 * of the whole round trip on loopback (bench/kalshi/rest-transport.bench.ts).
 */
export class UndiciTransport implements RestTransport {
  readonly kind = 'undici' as const;
  readonly base: RestBase;
  readonly #pool: Pool;
  readonly #credentials: KalshiCredentials | undefined;

  constructor(base: RestBase, options: TransportOptions = {}) {
    this.base = base;
    this.#credentials = options.credentials;
    this.#pool = new Pool(base.origin, {
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      pipelining: 1,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_MS,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  async send(request: RestRequest, timeoutMs: number, onSent?: () => void): Promise<RestReply> {
    checkTimeout(timeoutMs);
    const { path, target } = requestTarget(this.base, request);
    const abort = new EventEmitter();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.emit('abort');
    }, timeoutMs);
    try {
      const pending = this.#pool.request({
        method: request.method,
        path: target,
        headers: requestHeaders(this.#credentials, request.method, path, request.body),
        body: request.body,
        signal: abort,
      });
      onSent?.(); // signed and dispatched: undici writes it now, or as soon as a connection is free
      const res = await pending;
      const text = await res.body.text();
      return { status: res.statusCode, text };
    } catch (err) {
      throw transportFailure(request.method, path, err, timedOut);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }

  toString(): string {
    return `UndiciTransport { origin: '${this.base.origin}' }`;
  }
}
