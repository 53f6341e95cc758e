/**
 * One REST call from start to answer: take tokens from the shared budget (request-budget.ts),
 * send through the transport, and on a 429 back off and send again while the policy allows.
 * Then one of two readings of the result:
 * - `outcomeOf` for order entry (never throws for exchange or network behaviour, outcome.ts);
 * - `valueOf` for queries (throws KalshiHttpError / KalshiTransportError / KalshiBudgetError /
 *   KalshiSchemaError, errors.ts).
 *
 * Retries happen only after a 429, which Kalshi answers before executing anything (§4.1), so a
 * retry can never execute a request twice. Timeouts, 5xx and lost connections are never retried
 * here: for a write they are UNKNOWN and only a lookup may resolve them (order-entry.ts).
 */
import { KalshiSchemaError, show } from '../decode.js';
import type { RateBudgets } from '../../rate-budgets.js';
import { KalshiBudgetError, KalshiHttpError, KalshiTransportError, readErrorBody } from './errors.js';
import type { Outcome } from './outcome.js';
import { backoffDelayMs, takeTokens, type BackoffPolicy, type RequestCost, type Sleep } from './request-budget.js';
import type { RestRequest, RestTransport } from './transport.js';

export interface ExchangeCall extends RestRequest {
  readonly cost: RequestCost;
}

/** How one call is run (the client's settings merged with the call's options). */
export interface CallPolicy {
  readonly timeoutMs: number;
  readonly maxWaitMs: number;
  readonly backoff: BackoffPolicy;
  readonly sleep: Sleep;
  /** CallOptions.onSent. */
  readonly onSent?: () => void;
}

export type CallResult =
  /** An HTTP answer; `body` is the parsed JSON (undefined for an empty body), `json` false when the text was not JSON. */
  | { readonly kind: 'answer'; readonly status: number; readonly body: unknown; readonly json: boolean; readonly text: string; readonly attempts: number }
  /** Refused by the local bucket before the first send. */
  | { readonly kind: 'refused'; readonly waitMs: number }
  /** No answer. */
  | { readonly kind: 'lost'; readonly error: KalshiTransportError; readonly attempts: number };

export async function runCall(transport: RestTransport, budgets: RateBudgets, call: ExchangeCall, policy: CallPolicy): Promise<CallResult> {
  let last: CallResult | undefined;
  for (let attempt = 0; ; attempt++) {
    const grant = await takeTokens(budgets, call.cost, policy.maxWaitMs, policy.sleep);
    // After a 429 the answer already in hand is the better report than the local refusal.
    if (!grant.granted) return last ?? { kind: 'refused', waitMs: grant.waitMs };
    let status: number;
    let text: string;
    try {
      ({ status, text } = await transport.send(call, policy.timeoutMs, policy.onSent));
    } catch (err) {
      if (err instanceof KalshiTransportError) return { kind: 'lost', error: err, attempts: attempt + 1 };
      throw err;
    }
    last = answer(status, text, attempt + 1);
    if (status !== 429 || attempt >= policy.backoff.retries) return last;
    await policy.sleep(backoffDelayMs(policy.backoff, attempt));
  }
}

function answer(status: number, text: string, attempts: number): CallResult {
  if (text === '') return { kind: 'answer', status, body: undefined, json: true, text, attempts };
  try {
    return { kind: 'answer', status, body: JSON.parse(text) as unknown, json: true, text, attempts };
  } catch {
    return { kind: 'answer', status, body: undefined, json: false, text, attempts };
  }
}

/** Decoders get the parsed body (undefined for an empty one) and throw KalshiSchemaError. */
export type Decoder<T> = (body: unknown) => T;

/** The order-entry reading: see outcome.ts for what each kind means. */
export function outcomeOf<T>(call: ExchangeCall, result: CallResult, decode: Decoder<T>): Outcome<T> {
  if (result.kind === 'refused') {
    if (result.waitMs === Infinity) {
      return { kind: 'DENIED', reason: 'exceeds_budget', message: `${call.cost.tokens} tokens are more than the ${call.cost.bucket} bucket can ever grant a ${call.cost.priority} request` };
    }
    return { kind: 'RATE_LIMITED', source: 'local', retryAfterMs: result.waitMs, attempts: 0 };
  }
  if (result.kind === 'lost') {
    const e = result.error;
    return { kind: 'UNKNOWN', cause: e.code, sent: e.sent, message: e.message };
  }
  const { status } = result;
  if (status >= 200 && status < 300) {
    if (!result.json) return badReply(call, status, `the body is not JSON (${show(result.text)})`);
    try {
      return { kind: 'ACCEPTED', status, reply: decode(result.body) };
    } catch (err) {
      if (err instanceof KalshiSchemaError) return badReply(call, status, err.message);
      throw err;
    }
  }
  const error = readErrorBody(status, result.body);
  if (status === 429) return { kind: 'RATE_LIMITED', source: 'exchange', attempts: result.attempts };
  if (status >= 400 && status < 500) {
    const base = { kind: 'REJECTED' as const, status, code: error.code, message: error.message };
    return error.details === undefined ? base : { ...base, details: error.details };
  }
  const cause = status >= 500 ? 'server_error' : 'bad_reply';
  return { kind: 'UNKNOWN', cause, sent: true, status, code: error.code, message: `${call.method} ${call.path}: HTTP ${status} ${error.code}` };
}

function badReply<T>(call: ExchangeCall, status: number, why: string): Outcome<T> {
  return { kind: 'UNKNOWN', cause: 'bad_reply', sent: true, status, message: `${call.method} ${call.path}: HTTP ${status} but ${why}` };
}

/** The query reading: the decoded 2xx body, or a typed error (errors.ts, KalshiSchemaError). */
export function valueOf<T>(call: ExchangeCall, result: CallResult, decode: Decoder<T>): T {
  if (result.kind === 'refused') throw new KalshiBudgetError(call.method, call.path, call.cost.bucket, result.waitMs);
  if (result.kind === 'lost') throw result.error;
  if (result.status >= 200 && result.status < 300) {
    if (!result.json) throw new KalshiSchemaError('reply', 'a JSON document', show(result.text));
    return decode(result.body);
  }
  throw new KalshiHttpError(call.method, call.path, result.status, readErrorBody(result.status, result.body));
}
