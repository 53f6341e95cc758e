/**
 * What stands between a REST request and the engine: the signature check, the per-key token
 * buckets (kalshi-api.md §4.1: Read and Write buckets, default cost 10 tokens, 429 with a
 * plain-string body), and the REST faults (a burst of 429s; an order executed but answered
 * with a 500 or never answered — the ambiguous case a client must resolve by lookup).
 */
import { RateBudgets } from '../../shared/rate-budgets.js';
import type { UsageTier } from '../../shared/rate-budgets.js';
import type { KeyRegistry } from '../auth.js';
import { NO_REPLY, type AttachOptions, type HttpRequest, type HttpResponse } from './http.js';
import { errorBody, TOO_MANY_REQUESTS_BODY } from './serialize.js';

/** Tokens per request (Kalshi's default cost). */
export const REQUEST_COST = 10;

/** Routes anyone may call unsigned (market data); everything else needs a signed request. */
export function isPublicRoute(route: string): boolean {
  return /\/trade-api\/v2\/(exchange|markets|events|series)(\/|$)/.test(route);
}

/** Order entry and order-group operations draw on the Write bucket; everything else on Read. */
export function isWrite(req: HttpRequest): boolean {
  return req.method !== 'GET' && req.method !== 'HEAD';
}

export interface RestFaults {
  /** Requests still to be answered 429 by a burst. */
  tooManyRequests: number;
  /** Order creations still to be executed and then answered 500. */
  errorAfterAccept: number;
  /** Order creations still to be executed and then never answered. */
  silenceAfterAccept: number;
}

export function restGates(
  keys: KeyRegistry,
  tier: UsageTier,
  now: () => number,
  faults: RestFaults,
): Pick<AttachOptions, 'authenticate' | 'rateLimit' | 'beforeHandle' | 'beforeReply'> {
  const budgets = new Map<string, RateBudgets>();
  const budgetOf = (keyId: string) => {
    let b = budgets.get(keyId);
    if (b === undefined) budgets.set(keyId, (b = RateBudgets.forTier(tier)));
    return b;
  };
  const isOrderCreate = (req: HttpRequest) => req.method === 'POST' && /\/portfolio\/events\/orders(\/batched)?$/.test(req.route);
  return {
    authenticate(req) {
      const signed = req.header('kalshi-access-key') !== undefined || req.header('kalshi-access-signature') !== undefined;
      if (!signed && isPublicRoute(req.route)) return undefined;
      const result = keys.authenticate((name) => req.header(name), req.method, req.path, now());
      if (!result.ok) return { status: 401, body: result.body };
      req.keyId = result.keyId;
      return undefined;
    },
    rateLimit(req) {
      if (req.keyId === undefined) return undefined; // unsigned market data: not metered per account
      const b = budgetOf(req.keyId);
      // Cancels are never starved by new orders: they may use the bucket's reserve.
      const bucket = isWrite(req) ? b.write : b.read;
      const priority = req.method === 'DELETE' ? 'priority' : 'normal';
      return bucket.tryTake(REQUEST_COST, priority) ? undefined : { status: 429, body: TOO_MANY_REQUESTS_BODY };
    },
    beforeHandle() {
      if (faults.tooManyRequests > 0) {
        faults.tooManyRequests--;
        return { status: 429, body: TOO_MANY_REQUESTS_BODY };
      }
      return undefined;
    },
    beforeReply(req, res: HttpResponse) {
      if (!isOrderCreate(req) || res.status >= 300) return undefined;
      if (faults.errorAfterAccept > 0) {
        faults.errorAfterAccept--;
        return { status: 500, body: errorBody('internal_error', 'internal server error') };
      }
      if (faults.silenceAfterAccept > 0) {
        faults.silenceAfterAccept--;
        return NO_REPLY;
      }
      return undefined;
    },
  };
}

