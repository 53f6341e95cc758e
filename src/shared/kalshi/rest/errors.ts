/**
 * What a read-only REST query throws (order entry never throws for exchange behaviour: it
 * returns an outcome, outcome.ts). Every class has a `code` and none ever carries key material:
 * messages are built from the method, the path (no query string) and Kalshi's error body.
 *
 * - `KalshiHttpError`: the exchange answered with a non-2xx status (429 included, after the
 *   back-off retries ran out).
 * - `KalshiTransportError`: no answer — the per-request timeout passed or the connection failed.
 * - `KalshiBudgetError`: the local token bucket had no tokens within the allowed wait; nothing
 *   was sent.
 * - `KalshiSchemaError` (../decode.ts): a 2xx reply whose body is not the documented shape.
 */

/** Kalshi's `{"error":{"code","message","details"?}}` (kalshi-api.md §4.2), or the 429 plain string. */
export interface KalshiErrorBody {
  /** snake_case, e.g. `order_already_exists`; `too_many_requests` for the 429 string body; `http_<status>` when the body had none. */
  readonly code: string;
  readonly message: string;
  readonly details?: string;
}

const SHOWN = 200;

function clip(s: string): string {
  return s.length > SHOWN ? s.slice(0, SHOWN) + '…' : s;
}

/**
 * Read Kalshi's error body leniently: an error reply is already a failure, and the status
 * alone must still produce a usable code. Handles the usual object, the 429 body
 * `{"error":"too many requests"}` (a string, §4.1), a top-level `{code, message}` (the
 * OpenAPI `ErrorResponse` without the wrapper) and anything else.
 */
export function readErrorBody(status: number, body: unknown): KalshiErrorBody {
  const o = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const e = o?.error;
  if (typeof e === 'string') {
    return { code: status === 429 ? 'too_many_requests' : `http_${status}`, message: clip(e) };
  }
  const inner = e !== null && typeof e === 'object' && !Array.isArray(e) ? (e as Record<string, unknown>) : o;
  const code = typeof inner?.code === 'string' && inner.code !== '' ? inner.code : status === 429 ? 'too_many_requests' : `http_${status}`;
  const message = typeof inner?.message === 'string' ? clip(inner.message) : '';
  const details = typeof inner?.details === 'string' ? clip(inner.details) : undefined;
  return details === undefined ? { code, message } : { code, message, details };
}

export class KalshiHttpError extends Error {
  override readonly name = 'KalshiHttpError';
  readonly status: number;
  /** Kalshi's `error.code` (see KalshiErrorBody.code). */
  readonly code: string;
  readonly details?: string;

  constructor(method: string, path: string, status: number, error: KalshiErrorBody) {
    super(`${method} ${path}: HTTP ${status} ${error.code}${error.message === '' || error.message === error.code ? '' : `: ${error.message}`}`);
    this.status = status;
    this.code = error.code;
    if (error.details !== undefined) this.details = error.details;
  }

  /** A 429: nothing was executed; back off and retry later. */
  get rateLimited(): boolean {
    return this.status === 429;
  }
}

/**
 * - `timeout`: no complete answer within the per-request timeout (the request may have been
 *   received and executed).
 * - `connection`: the connection failed or was lost. `sent` is false only when it provably
 *   never carried the request (refused, DNS failure, connect timeout).
 */
export type TransportFailure = 'timeout' | 'connection';

export class KalshiTransportError extends Error {
  override readonly name = 'KalshiTransportError';
  readonly code: TransportFailure;
  /** False when the request provably never reached the exchange. */
  readonly sent: boolean;

  constructor(method: string, path: string, code: TransportFailure, sent: boolean, reason: string) {
    super(`${method} ${path}: ${code === 'timeout' ? 'no answer within the timeout' : `connection failed${sent ? '' : ' before sending'}`} (${clip(reason)})`);
    this.code = code;
    this.sent = sent;
  }
}

export class KalshiBudgetError extends Error {
  override readonly name = 'KalshiBudgetError';
  readonly code = 'local_budget_exhausted';
  /** How long until the bucket would have had the tokens, ms (Infinity: more than it ever grants). */
  readonly waitMs: number;

  constructor(method: string, path: string, bucket: 'read' | 'write', waitMs: number) {
    super(`${method} ${path}: the local ${bucket} budget ${waitMs === Infinity ? 'can never grant its tokens' : `has no tokens for ${Math.ceil(waitMs)} ms`}; not sent`);
    this.waitMs = waitMs;
  }
}
