/**
 * What a `KalshiRestClient` is configured with (client.ts), and how the settings become its parts.
 */
import { RateBudgets, type UsageTier } from '../../rate-budgets.js';
import type { KalshiCredentials } from '../../kalshi-signing.js';
import { restBase, type RestBase } from './environments.js';
import { NodeHttpTransport } from './node-http-transport.js';
import {
  DEFAULT_BACKOFF, DEFAULT_BUDGET_WAITS, KALSHI_ENDPOINT_COSTS, realSleep,
  type BackoffPolicy, type BudgetWaits, type EndpointCosts, type Sleep,
} from './request-budget.js';
import { UndiciTransport, type RestTransport, type TransportKind } from './transport.js';

export interface KalshiRestSettings {
  /** A base URL (`https://…/trade-api/v2`, the simulator's `restUrl`) or an environment name (`prod`, `demo`, …). */
  baseUrl: string;
  /** Without credentials only public market data can be read. */
  credentials?: KalshiCredentials;
  /**
   * `undici` (default, the faster in bench/kalshi/rest-transport.bench.ts), `node:http`, or a
   * transport instance — which then brings its own base URL and signs with its own credentials
   * (`baseUrl` is ignored, `credentials` only names the key id in `String(client)`).
   */
  transport?: TransportKind | RestTransport;
  /** Keep-alive connections (default 4). */
  connections?: number;
  /** Per-request timeout, ms: wait for a free connection + connect + send + complete answer (default 5,000). */
  timeoutMs?: number;
  /** The account's shared buckets (post `budgets.shared` to other threads). Default: the `tier`'s table budgets. */
  budgets?: RateBudgets;
  /** Used only when `budgets` is not given (default `basic`, the most conservative). */
  tier?: UsageTier;
  waits?: Partial<BudgetWaits>;
  backoff?: Partial<BackoffPolicy>;
  costs?: Partial<EndpointCosts>;
  /** Tests only. */
  sleep?: Sleep;
}

/** Per-call overrides. */
export interface CallOptions {
  /** Query only: draw on the bucket's reserve (reconciliation). Cancels and decreases always do. */
  priority?: boolean;
  timeoutMs?: number;
  /** Longest wait for local tokens, ms. */
  maxWaitMs?: number;
  /** 429 retries. */
  retries?: number;
  /**
   * Called each time the request, signed, has been handed to the HTTP client (each attempt):
   * the decision path's "order request written" stamp. Must not throw.
   */
  onSent?: () => void;
}

export const DEFAULT_TIMEOUT_MS = 5_000;

/** Everything a client is made of; shared by `withBudgets` twins. */
export interface ClientParts {
  readonly base: RestBase;
  readonly transport: RestTransport;
  readonly keyId: string | undefined;
  readonly budgets: RateBudgets;
  readonly timeoutMs: number;
  readonly waits: BudgetWaits;
  readonly backoff: BackoffPolicy;
  readonly costs: EndpointCosts;
  readonly sleep: Sleep;
}


export function partsOf(settings: KalshiRestSettings): ClientParts {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  const budgets = settings.budgets ?? RateBudgets.forTier(settings.tier ?? 'basic');
  const t = settings.transport ?? 'undici';
  let transport: RestTransport;
  if (typeof t === 'object') {
    transport = t; // its own base URL and credentials
  } else {
    const base = restBase(settings.baseUrl);
    const options = { credentials: settings.credentials, connections: settings.connections };
    transport = t === 'node:http' ? new NodeHttpTransport(base, options) : new UndiciTransport(base, options);
  }
  return {
    base: transport.base,
    transport,
    keyId: settings.credentials?.keyId,
    budgets,
    timeoutMs,
    waits: { ...DEFAULT_BUDGET_WAITS, ...settings.waits },
    backoff: { ...DEFAULT_BACKOFF, ...settings.backoff },
    costs: { ...KALSHI_ENDPOINT_COSTS, ...settings.costs },
    sleep: settings.sleep ?? realSleep,
  };
}
