/**
 * Whose resting order is this? The host's client_order_ids are a pure function of (session id,
 * ticker, sequence) (src/workers/execution/client-order-id.ts), so an id is the host's exactly
 * when re-formatting its parts for the order's own ticker gives the same string back — which
 * rejects ids that merely look alike (another ticker's id, a non-canonical sequence, a person's
 * UUID).
 *
 * "The host" is every session of it: with a journal, a session the journal knows (its sessions
 * table, or the order's id among its order events); without one, any id of the host's format.
 */
import { formatCount, formatPrice } from '../../shared/fixed-point.js';
import type { Order } from '../../shared/kalshi/rest/index.js';
import { formatClientOrderId, MAX_SESSION_ID_LENGTH } from '../../workers/execution/client-order-id.js';
import type { Difference } from './report.js';

const SESSION_RE = new RegExp(`^[A-Za-z0-9]{1,${MAX_SESSION_ID_LENGTH}}$`);
const SEQ_RE = /^[0-9a-z]{1,11}$/;

export interface HostOrderId {
  session: string;
  seq: number;
}

/** The (session, seq) of one of the host's ids for `ticker`; undefined for anything else. */
export function parseHostOrderId(clientOrderId: string, ticker: string): HostOrderId | undefined {
  if (typeof clientOrderId !== 'string' || clientOrderId === '' || typeof ticker !== 'string' || ticker === '') return undefined;
  const first = clientOrderId.indexOf('-');
  const last = clientOrderId.lastIndexOf('-');
  if (first <= 0 || last <= first) return undefined;
  const session = clientOrderId.slice(0, first);
  const tail = clientOrderId.slice(last + 1);
  if (!SESSION_RE.test(session) || !SEQ_RE.test(tail)) return undefined;
  const seq = parseInt(tail, 36);
  if (!Number.isSafeInteger(seq)) return undefined;
  try {
    return formatClientOrderId(session, ticker, seq) === clientOrderId ? { session, seq } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Is this the host's order? `knownSessions` undefined: by format alone (no journal to ask);
 * otherwise the session must be one of them, or `knownIds` must hold the id itself.
 */
export function isHostOrder(clientOrderId: string, ticker: string, knownSessions?: ReadonlySet<string>, knownIds?: ReadonlySet<string>): boolean {
  const parsed = parseHostOrderId(clientOrderId, ticker);
  if (parsed === undefined) return false;
  if (knownSessions === undefined) return true;
  return knownSessions.has(parsed.session) || (knownIds?.has(clientOrderId) ?? false);
}

/** The journal's view of one client_order_id (journal-view.ts `journaledOrders`). */
export interface JournaledOrderState {
  status: string | null;
  lastEvent: string;
}

export interface OrderClassification {
  differences: Difference[];
  /** Foreign resting orders in markets to trade: the orphans. */
  orphans: Order[];
  /**
   * Host orders in markets to trade. They belong to an earlier session (a process start is a new
   * session id), so the execution thread's calibration cancels them like orphans and the policy
   * decides afresh on fresh books (src/workers/execution/calibration.ts).
   */
  hostOrders: number;
  /** Foreign resting orders in markets not traded: left alone, counted. */
  elsewhere: number;
}

export interface ClassifyOptions {
  /** Tickers the host means to trade. */
  traded: ReadonlySet<string>;
  /** Sessions of this host the journal knows (undefined: no journal, judge by format). */
  knownSessions: ReadonlySet<string> | undefined;
  /** The journal's orders by client_order_id (undefined: no journal). */
  journaled: ReadonlyMap<string, JournaledOrderState> | undefined;
  /** Cancel the orphans now (act && cancelOrphans): their action is 'cancel', else 'would_cancel'. */
  cancel: boolean;
}

/** Journal statuses that contradict an order the exchange still lists as resting. */
const FINAL = new Set(['canceled', 'cancelled', 'executed', 'filled', 'rejected', 'expired']);

/**
 * Every resting order, sorted into the host's and the others', in markets to trade or not:
 *   host's, in a traded market: the journal never recorded it → 'order_unknown'; the journal
 *     last saw it final → 'order_state'; else consistent, no difference. The execution thread
 *     cancels every one of them at its calibration (an earlier session's order), so a listed
 *     difference says 'cancel' when acting with cancelOrphans, else 'would_cancel';
 *   host's, elsewhere, unknown to the journal → 'order_unknown' (leave);
 *   foreign, in a traded market → 'order_foreign' (cancel / would_cancel): an orphan;
 *   foreign, elsewhere → counted, left alone.
 */
export function classifyRestingOrders(resting: readonly Order[], o: ClassifyOptions): OrderClassification {
  const differences: Difference[] = [];
  const orphans: Order[] = [];
  let hostOrders = 0;
  let elsewhere = 0;
  const knownIds = o.journaled === undefined ? undefined : new Set(o.journaled.keys());
  for (const order of resting) {
    const traded = o.traded.has(order.ticker);
    const exchange = describeOrder(order);
    if (isHostOrder(order.clientOrderId, order.ticker, o.knownSessions, knownIds)) {
      if (traded) hostOrders++;
      const j = o.journaled?.get(order.clientOrderId);
      const previous = o.cancel ? 'cancel' : 'would_cancel';
      if (o.journaled !== undefined && j === undefined) {
        differences.push({ kind: 'order_unknown', ticker: order.ticker, journal: null, exchange, action: traded ? previous : 'leave', id: order.orderId, detail: order.clientOrderId });
      } else if (j !== undefined && traded && j.status !== null && FINAL.has(j.status)) {
        differences.push({ kind: 'order_state', ticker: order.ticker, journal: `${j.status} (${j.lastEvent})`, exchange, action: previous, id: order.orderId, detail: order.clientOrderId });
      } else if (o.journaled === undefined && traded) {
        differences.push({ kind: 'order_unknown', ticker: order.ticker, journal: null, exchange, action: previous, id: order.orderId, detail: `${order.clientOrderId} (no journal)` });
      }
    } else if (traded) {
      orphans.push(order);
      differences.push({
        kind: 'order_foreign', ticker: order.ticker, journal: null, exchange, action: o.cancel ? 'cancel' : 'would_cancel', id: order.orderId,
        detail: order.clientOrderId === '' ? 'no client_order_id' : `client_order_id ${order.clientOrderId}`,
      });
    } else {
      elsewhere++;
    }
  }
  return { differences, orphans, hostOrders, elsewhere };
}

/** "bid 5.00 @ 0.4500 resting" — the order as the exchange lists it. */
export function describeOrder(order: Order): string {
  return `${order.bookSide} ${formatCount(order.remainingCount)} @ ${formatPrice(order.yesPrice)} ${order.status}`;
}
