/**
 * The account as the exchange reports it over REST, read whole (every page) and turned into the
 * execution core's units: the snapshot that calibration and the periodic sync compare against.
 *
 * Also the two translations every reader of REST needs: an `Order` as the core's `OrderUpdate`,
 * and the µ$ the exchange holds for our resting orders (`reservation`), which the ledger's cash
 * includes and the exchange's available balance does not (ledger.ts: "cash before reservations").
 *
 * Reservation, exactly where it can be: a resting order holds its opening part at its own paid
 * price — count beyond what it reduces of the position, × (YES price for a bid, 10000 − price for
 * an ask) — which is the simulator's rule and the only one Kalshi's numbers allow. On series
 * with maker fees the exchange also holds the maker fee the remaining count could cost; the host
 * does not know a series' fee type, so that part is an upper bound (`makerFeeBound`): a cash
 * difference inside [0, bound] is explained, not drift (periodic-sync.ts).
 */
import { notional } from '../../shared/fixed-point.js';
import { makerFee } from '../../shared/fees.js';
import type { KalshiRestClient, MarketPosition, Order } from '../../shared/kalshi/rest/index.js';
import { WorkingSide } from '../../shared/position-records.js';
import { heldAgainst } from './limits.js';
import { paidPrice } from './pricing.js';
import type { OrderUpdate } from './working-orders.js';

/** Orders per page when listing (Kalshi's maximum is 1000; 200 keeps replies small). */
const PAGE = 200;

/** The account at one moment (read in parallel, so "one moment" within a round trip). */
export interface AccountSnapshot {
  /** Wall clock when the reads started, ms. */
  takenAtMs: number;
  /** Available balance, µ$. */
  balance: number;
  /** µ$, as the exchange marks it. */
  portfolioValue: number;
  /** Every market position the exchange lists (flat ones included when it lists them). */
  positions: MarketPosition[];
  /** Every resting order of the account. */
  resting: Order[];
}

/** Reads balance, positions and resting orders in parallel, all pages, reconciliation priority. Throws like any query. */
export async function readAccount(rest: KalshiRestClient, nowMs: number): Promise<AccountSnapshot> {
  const [balance, positions, resting] = await Promise.all([
    rest.balance({ priority: true }),
    allPositions(rest),
    restingOrders(rest),
  ]);
  return { takenAtMs: nowMs, balance: balance.balance, portfolioValue: balance.portfolioValue, positions, resting };
}

export async function allPositions(rest: KalshiRestClient): Promise<MarketPosition[]> {
  const out: MarketPosition[] = [];
  for await (const page of rest.positionPages({ limit: PAGE }, { priority: true })) out.push(...page.items);
  return out;
}

export async function restingOrders(rest: KalshiRestClient): Promise<Order[]> {
  const out: Order[] = [];
  for await (const page of rest.orderPages({ status: 'resting', limit: PAGE }, { priority: true })) out.push(...page.items);
  return out;
}

/** An order as the core's `OrderUpdate` (exchange time: last update, else creation, else 0). */
export function orderUpdateOf(o: Order): OrderUpdate {
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    side: o.bookSide === 'bid' ? WorkingSide.BID : WorkingSide.ASK,
    price: o.yesPrice,
    status: o.status,
    remaining: o.remainingCount,
    filled: o.fillCount,
    tsMs: o.lastUpdateTimeMs ?? o.createdTimeMs ?? 0,
  };
}

/** µ$ the exchange holds for one resting order's opening part, given the market's position (hundredths). */
export function openingReservation(o: Order, position: number): number {
  const side = o.bookSide === 'bid' ? WorkingSide.BID : WorkingSide.ASK;
  const open = o.remainingCount - Math.min(o.remainingCount, heldAgainst(side, position));
  return open > 0 ? notional(paidPrice(side, o.yesPrice), open) : 0;
}

/**
 * Upper bound of the maker fee the exchange may hold for an order's remaining count (series with
 * maker fees): the fee of the whole remaining count, plus one $0.0001 for the accumulator's
 * rounding (fees.ts rounds up to $0.0001).
 */
export function makerFeeBound(o: Order): number {
  return o.remainingCount > 0 ? makerFee(o.yesPrice, o.remainingCount) + 100 : 0;
}

/** Σ reservation and Σ maker-fee bound over `orders`, with positions by ticker (hundredths). */
export function reservationOf(orders: Iterable<Order>, positionOf: (ticker: string) => number): { reserved: number; makerBound: number } {
  let reserved = 0;
  let makerBound = 0;
  for (const o of orders) {
    reserved += openingReservation(o, positionOf(o.ticker));
    makerBound += makerFeeBound(o);
  }
  return { reserved, makerBound };
}

/** Orders per batch cancel (Kalshi and the simulator take at most 20). */
const CANCEL_BATCH = 20;

/**
 * Cancels `orders` in batches (priority budget). An order the exchange no longer has (404,
 * `not_found`) counts as gone. Returns how many are gone and how many could not be cancelled.
 * Never throws.
 */
export async function cancelOrders(rest: KalshiRestClient, orders: readonly Order[]): Promise<{ cancelled: number; failed: number }> {
  let cancelled = 0;
  let failed = 0;
  for (let i = 0; i < orders.length; i += CANCEL_BATCH) {
    const chunk = orders.slice(i, i + CANCEL_BATCH);
    let r;
    try {
      r = await rest.batchCancelOrders(chunk.map((o) => ({ orderId: o.orderId, marketTicker: o.ticker })));
    } catch {
      failed += chunk.length;
      continue;
    }
    if (r.kind !== 'ACCEPTED') {
      failed += chunk.length;
      continue;
    }
    for (const item of r.reply) {
      if (item.ok || item.error.code === 'not_found' || item.error.code === 'order_not_found') cancelled++;
      else failed++;
    }
  }
  return { cancelled, failed };
}

/**
 * Cancels every resting order whose client_order_id starts with `prefix` (one session's), a few
 * rounds — list, batch cancel, list again — until none is left, the rounds run out or `deadlineMs`
 * (wall clock) passes. Never throws. Returns how many it cancelled and how many still rest.
 */
export async function cancelSessionOrders(rest: KalshiRestClient, prefix: string, deadlineMs: number, clock: () => number): Promise<{ cancelled: number; remaining: number }> {
  let cancelled = 0;
  let remaining = 0;
  for (let round = 0; round < 4; round++) {
    let ours: Order[];
    try {
      ours = (await restingOrders(rest)).filter((o) => o.clientOrderId.startsWith(prefix));
    } catch {
      break;
    }
    remaining = ours.length;
    if (ours.length === 0 || round === 3 || clock() >= deadlineMs) break;
    cancelled += (await cancelOrders(rest, ours)).cancelled;
  }
  return { cancelled, remaining };
}
