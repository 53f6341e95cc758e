/**
 * What an order-entry call returns (architecture.md §4, "Outcome classes"). Order entry never
 * throws for anything the exchange or the network does; it returns exactly one of:
 *
 * - `ACCEPTED`: a 2xx whose body decoded as documented; `reply` is the decoded reply.
 * - `DENIED`: our own checks refused the request (a malformed intent, a batch larger than the
 *   budget can ever grant). Nothing was sent.
 * - `REJECTED`: the exchange answered a 4xx other than 429 — final for this request. Kalshi's
 *   `error.code` / `message` / `details` are kept (e.g. 409 `order_already_exists`).
 * - `RATE_LIMITED`: nothing was executed. `source: 'exchange'` — Kalshi answered 429 (the body
 *   is the plain `{"error":"too many requests"}`, §4.1) on every attempt of the back-off;
 *   `source: 'local'` — the shared token bucket had no tokens within the allowed wait, so the
 *   request was never sent. Both mean: nothing happened, try again later.
 * - `UNKNOWN`: the request may or may not have been executed — a timeout, a 5xx, a connection lost
 *   after sending, or a 2xx whose body could not be decoded. Never treat it as rejected: an order
 *   may exist; resolve it by looking the order up (order-entry.ts).
 */

export interface Accepted<T> {
  readonly kind: 'ACCEPTED';
  /** The HTTP status (201 for creates, 200 or 204 otherwise); 0 when known from a lookup. */
  readonly status: number;
  readonly reply: T;
}

/** Why our own checks refused a request. */
export type DenyReason =
  | 'invalid_ticker'
  | 'invalid_side'
  | 'invalid_price'
  | 'off_grid'
  | 'invalid_count'
  | 'invalid_client_order_id'
  | 'invalid_order'
  | 'invalid_order_id'
  | 'invalid_batch'
  | 'exceeds_budget';

export interface Denied {
  readonly kind: 'DENIED';
  readonly reason: DenyReason;
  readonly message: string;
}

export interface Rejected {
  readonly kind: 'REJECTED';
  readonly status: number;
  /** Kalshi's `error.code`, e.g. `invalid_price`, `order_already_exists`, `authentication_error`. */
  readonly code: string;
  readonly message: string;
  readonly details?: string;
}

export interface RateLimited {
  readonly kind: 'RATE_LIMITED';
  readonly source: 'exchange' | 'local';
  /** Local: ms until the bucket would have had the tokens. Exchange: undefined (Kalshi sends no Retry-After). */
  readonly retryAfterMs?: number;
  /** Requests sent (0 when refused locally). */
  readonly attempts: number;
}

/**
 * - `timeout`: no complete answer within the per-request timeout.
 * - `connection`: the connection failed or was lost (`sent` false: provably never sent).
 * - `server_error`: a 5xx (Kalshi's code kept when it sent one).
 * - `bad_reply`: a 2xx (or another unexpected status) whose body is not the documented shape.
 */
export type UnknownCause = 'timeout' | 'connection' | 'server_error' | 'bad_reply';

export interface Unknown {
  readonly kind: 'UNKNOWN';
  readonly cause: UnknownCause;
  /** False only when the request provably never reached the exchange. */
  readonly sent: boolean;
  readonly message: string;
  readonly status?: number;
  readonly code?: string;
}

export type Outcome<T> = Accepted<T> | Denied | Rejected | RateLimited | Unknown;
export type OutcomeKind = Outcome<unknown>['kind'];

export function accepted<T>(status: number, reply: T): Accepted<T> {
  return { kind: 'ACCEPTED', status, reply };
}

export function denied(reason: DenyReason, message: string): Denied {
  return { kind: 'DENIED', reason, message };
}

/** Any non-ACCEPTED outcome carries no reply, so it fits `Outcome<U>` for every U. */
export type NotAccepted = Denied | Rejected | RateLimited | Unknown;

export function isAccepted<T>(o: Outcome<T>): o is Accepted<T> {
  return o.kind === 'ACCEPTED';
}
