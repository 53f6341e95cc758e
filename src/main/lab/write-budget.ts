/**
 * The REST client's Write budget on an episode's virtual clock: the same RateBudgets (GCRA token
 * buckets, Kalshi's budget per usage tier, the priority reserve) the live client takes its tokens
 * from, the same costs (KALSHI_ENDPOINT_COSTS: a create / amend / order-group change 10 tokens,
 * normal; a cancel 2 tokens, priority) and the same longest waits (DEFAULT_BUDGET_WAITS: 25 ms
 * for a normal write, 1 s for a priority one). What `takeTokens` does by sleeping, the episode
 * does by putting the request off on its clock: `take` answers granted, wait until a time, or
 * refused (the live RATE_LIMITED 'local', or DENIED 'exceeds_budget' for a request larger than
 * the bucket ever grants).
 *
 * Reads (the lookups of UNKNOWN outcomes, which an episode never has) are not metered.
 */
import { TIER_BUDGETS, RateBudgets, type UsageTier } from '../../shared/rate-budgets.js';
import { TokenBucketError, type TokenPriority } from '../../shared/token-bucket.js';
import { DEFAULT_BUDGET_WAITS, KALSHI_ENDPOINT_COSTS } from '../../shared/kalshi/rest/request-budget.js';
import type { SendRequest } from '../../workers/execution/requests.js';

export type BudgetAnswer =
  | { readonly kind: 'granted' }
  /** Try again at `atNs` (the tokens will be there by then, within the request's longest wait). */
  | { readonly kind: 'wait'; readonly atNs: number }
  | { readonly kind: 'refused'; readonly reason: 'local_rate_limited' | 'exceeds_budget' };

export function isUsageTier(t: unknown): t is UsageTier {
  return typeof t === 'string' && Object.hasOwn(TIER_BUDGETS, t);
}

export class WriteBudget {
  private readonly budgets: RateBudgets;

  /** `nowNs`: the episode's clock, ns (integers). */
  constructor(tier: UsageTier, private readonly nowNs: () => number) {
    this.budgets = RateBudgets.forTier(tier, { now: () => BigInt(nowNs()) });
  }

  /** Cost of a write request; undefined for reads (not metered). */
  static costOf(req: SendRequest): { tokens: number; priority: TokenPriority; maxWaitMs: number } | undefined {
    switch (req.kind) {
      case 'place':
      case 'amend':
      case 'create_group':
      case 'reset_group':
        return { tokens: KALSHI_ENDPOINT_COSTS.default, priority: 'normal', maxWaitMs: DEFAULT_BUDGET_WAITS.write };
      case 'cancel':
        return { tokens: KALSHI_ENDPOINT_COSTS.cancelOrder, priority: 'priority', maxWaitMs: DEFAULT_BUDGET_WAITS.priority };
      case 'lookup':
        return undefined;
    }
  }

  /**
   * Tokens for `req` now; `deadlineNs`: the end of its longest wait (from when it was first
   * tried). Like `takeTokens`: granted, or wait when the tokens come by the deadline, else refused.
   */
  take(req: SendRequest, deadlineNs: number): BudgetAnswer {
    const cost = WriteBudget.costOf(req);
    if (cost === undefined) return { kind: 'granted' };
    const bucket = this.budgets.write;
    let waitMs: number;
    try {
      if (bucket.tryTake(cost.tokens, cost.priority)) return { kind: 'granted' };
      waitMs = bucket.waitTimeMs(cost.tokens, cost.priority);
    } catch (err) {
      if (err instanceof TokenBucketError && err.code === 'ERR_TOKEN_BUCKET_TOKENS') return { kind: 'refused', reason: 'exceeds_budget' };
      throw err;
    }
    const now = this.nowNs();
    if (now + waitMs * 1e6 > deadlineNs) return { kind: 'refused', reason: 'local_rate_limited' };
    // As takeTokens: +0.1 ms so the retry does not land a hair early.
    return { kind: 'wait', atNs: now + Math.ceil((Math.max(waitMs, 0) + 0.1) * 1e6) };
  }
}
