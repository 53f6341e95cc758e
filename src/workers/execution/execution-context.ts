/**
 * What calibration and the periodic sync need from the execution stage: the REST client, the
 * core (the only place account state changes), the journal and the session id its records
 * carry, the counters, the wall clock, and the two questions every REST record raises — which
 * market slot is this ticker (−1: a market we do not trade), and is this client_order_id ours
 * (this session's prefix).
 */
import type { Journal } from '../../shared/journal.js';
import type { KalshiRestClient } from '../../shared/kalshi/rest/index.js';
import type { ExecutionCore } from './execution-core.js';
import type { ExecutionCounters } from './execution-stats.js';

export interface ExecutionContext {
  readonly rest: KalshiRestClient;
  readonly core: ExecutionCore;
  readonly journal: Journal;
  /** This session's id: every journal record carries it. */
  readonly sessionId: string;
  readonly counters: ExecutionCounters;
  /** Wall clock, ms since the epoch (the core's time base). */
  readonly clock: () => number;
  marketOf(ticker: string): number;
  isOurs(clientOrderId: string): boolean;
}

/** The sequence number at the end of one of our client_order_ids (client-order-id.ts), or −1. */
export function sequenceOf(clientOrderId: string): number {
  const dash = clientOrderId.lastIndexOf('-');
  if (dash < 0) return -1;
  const tail = clientOrderId.slice(dash + 1);
  if (!/^[0-9a-z]{1,11}$/.test(tail)) return -1;
  const n = parseInt(tail, 36);
  return Number.isSafeInteger(n) ? n : -1;
}
