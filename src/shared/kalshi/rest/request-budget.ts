/**
 * What each REST request costs against Kalshi's token buckets (kalshi-api.md §4.1), and how a
 * request waits for its tokens and backs off after a 429.
 *
 * Buckets: GETs draw on Read; order create/amend/cancel/decrease and every order-group change
 * draw on Write. (GET /portfolio/order_groups is read-only and billed on Read here — §3 says
 * "order-group operations draw from the Write bucket" without singling out the GETs; the
 * simulator also bills every GET on Read.)
 *
 * Costs (tokens, from the OpenAPI `Rate limit` notes; Kalshi's default is 10): GET one order 2,
 * cancel one order 2, cancel all 2, batch cancel 2 per order, batch create 10 per order, all
 * else 10. A batch must fit the bucket whole or Kalshi rejects all of it; ours is taken in
 * one go too.
 *
 * Priority: cancels, decreases, order-group trigger/delete and reconciliation queries are
 * `priority` and may use the bucket's reserve (token-bucket.ts), so new orders can never starve them.
 *
 * Waiting: a request whose tokens are not there waits for them only when the bucket says they
 * will be there within the request's `maxWaitMs` (it never sleeps to find out); otherwise it
 * is refused locally at once (RATE_LIMITED source 'local' for order entry, KalshiBudgetError
 * for queries) and nothing is sent. Defaults: new orders 25 ms (a decision that waited longer is
 * stale; the caller decides again with fresh data), priority writes 1,000 ms (a cancel must go
 * out), reads 1,000 ms.
 */
import type { RateBudgets } from '../../rate-budgets.js';
import { TokenBucketError, type TokenPriority } from '../../token-bucket.js';

export type BucketName = 'read' | 'write';

export interface RequestCost {
  readonly bucket: BucketName;
  /** Tokens, ≥ 1. */
  readonly tokens: number;
  readonly priority: TokenPriority;
}

/** Kalshi's non-default endpoint costs that the host's calls touch (tokens). */
export interface EndpointCosts {
  /** Every endpoint not listed below. */
  readonly default: number;
  readonly getOrder: number;
  readonly cancelOrder: number;
  readonly cancelAll: number;
  /** Per order in a batch cancel. */
  readonly batchCancelPerOrder: number;
  /** Per order in a batch create. */
  readonly batchCreatePerOrder: number;
}

export const KALSHI_ENDPOINT_COSTS: EndpointCosts = Object.freeze({
  default: 10,
  getOrder: 2,
  cancelOrder: 2,
  cancelAll: 2,
  batchCancelPerOrder: 2,
  batchCreatePerOrder: 10,
});

export interface BudgetWaits {
  /** Longest wait for Read tokens, ms. */
  readonly read: number;
  /** Longest wait for Write tokens of a normal (new order, amend, group change) request, ms. */
  readonly write: number;
  /** Longest wait for Write tokens of a priority request (cancel, decrease), ms. */
  readonly priority: number;
}

export const DEFAULT_BUDGET_WAITS: BudgetWaits = Object.freeze({ read: 1_000, write: 25, priority: 1_000 });

/** The wait bound of a request under `waits`. */
export function maxWaitFor(cost: RequestCost, waits: BudgetWaits): number {
  if (cost.bucket === 'read') return waits.read;
  return cost.priority === 'priority' ? waits.priority : waits.write;
}

export type TokenGrant =
  | { readonly granted: true }
  /** `waitMs`: until the tokens would be there (Infinity: the request is larger than the bucket ever grants). */
  | { readonly granted: false; readonly waitMs: number };

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Take `cost.tokens` from the shared bucket, waiting at most `maxWaitMs` when the bucket says
 * they will come in time. Lock-free underneath: another thread may take the tokens first, in
 * which case this one waits again (still within `maxWaitMs` of the call).
 */
export async function takeTokens(budgets: RateBudgets, cost: RequestCost, maxWaitMs: number, sleep: Sleep = realSleep): Promise<TokenGrant> {
  const bucket = cost.bucket === 'read' ? budgets.read : budgets.write;
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    let wait: number;
    try {
      if (bucket.tryTake(cost.tokens, cost.priority)) return { granted: true };
      wait = bucket.waitTimeMs(cost.tokens, cost.priority);
    } catch (err) {
      if (err instanceof TokenBucketError && err.code === 'ERR_TOKEN_BUCKET_TOKENS') return { granted: false, waitMs: Infinity };
      throw err;
    }
    const now = performance.now();
    if (now + wait > deadline) return { granted: false, waitMs: wait };
    // waitTimeMs is rounded up to the µs; +0.1 ms so the retry does not land a hair early.
    await sleep(Math.max(wait, 0) + 0.1);
  }
}

export interface BackoffPolicy {
  /** 429 answers retried at most this many times (0: none). */
  readonly retries: number;
  /** First delay, ms; doubled per retry. */
  readonly baseMs: number;
  /** Longest single delay, ms. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ retries: 3, baseMs: 100, maxMs: 2_000 });

/**
 * Delay before retry `attempt` (0-based) after a 429: exponential, "equal jitter" — half fixed,
 * half random — so that threads hitting the limit together do not retry together.
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return full / 2 + (random() * full) / 2;
}
