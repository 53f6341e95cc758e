/**
 * Idempotent order creation: one intent, at most one order on the exchange, and an UNKNOWN
 * resolved by looking the order up rather than by guessing (architecture.md §4).
 *
 * `place(intent)`:
 * 1. Create Order V2 with the intent's deterministic `client_order_id`.
 * 2. ACCEPTED, DENIED, RATE_LIMITED (nothing executed) and REJECTED are returned as they are —
 *    except REJECTED 409 `order_already_exists`: an order with this id exists (an earlier send
 *    of this intent went through), so it is looked up and returned ACCEPTED (`via: 'lookup'`).
 * 3. UNKNOWN (timeout, 5xx, lost connection, undecodable 2xx): before anything else the order is
 *    looked up by `client_order_id` — GET /portfolio/orders filtered by ticker and `min_ts`
 *    (the intent's time minus `lookupSlackMs` for clock skew), every page, reconciliation
 *    priority. Found → ACCEPTED via lookup. The lookup failed → UNKNOWN (the original cause,
 *    with the lookup's failure in the message). Proven absent → the same request is sent again,
 *    at most `maxResends` times.
 *
 * Why a resend cannot make a second order: it carries the same `client_order_id`, and Kalshi
 * refuses a second order with an id it has seen (409 `order_already_exists`, kalshi-api.md §4.2),
 * which step 2 turns into a lookup. The lookup after a timeout or a lost connection waits
 * `settleMs` first, so that a request still travelling when the client gave up has landed (our
 * side has aborted it; the exchange may still be processing it). Should it land even later, the
 * resend is refused with 409 and resolved by lookup — still one order.
 */
import type { KalshiRestClient } from './client.js';
import type { CallOptions } from './client-settings.js';
import type { CreateOrderReply } from './decoders/order-replies.js';
import type { Order } from './decoders/orders.js';
import { KalshiHttpError } from './errors.js';
import type { OrderIntent } from './order-intent.js';
import type { Outcome, Unknown } from './outcome.js';
import { backoffDelayMs, DEFAULT_BACKOFF, realSleep, type Sleep } from './request-budget.js';

/** The order an ACCEPTED placement stands for: the create reply, or the order found by lookup. */
export type PlacedOrder =
  | { readonly via: 'reply'; readonly orderId: string; readonly clientOrderId: string; readonly reply: CreateOrderReply }
  | { readonly via: 'lookup'; readonly orderId: string; readonly clientOrderId: string; readonly order: Order };

export interface OrderEntrySettings {
  /** Sends after the first, each only after a lookup proved the order absent (default 2). */
  maxResends?: number;
  /** The lookup searches from the intent's time minus this, ms (clock skew; default 60,000). */
  lookupSlackMs?: number;
  /** Wait before the lookup after a timeout or a lost connection, ms (default 250). */
  settleMs?: number;
  /** Lookup attempts when the lookup itself fails (429, 5xx, timeout), spaced by back-off (default 3). */
  lookupAttempts?: number;
  /** Orders per lookup page (default 200). */
  lookupPageSize?: number;
  /** Wall clock, ms (default Date.now). */
  now?: () => number;
  sleep?: Sleep;
}

export interface PlaceOptions extends CallOptions {
  /** When the intent was made, ms since the epoch (default: now). Bounds the lookup. */
  createdAtMs?: number;
}

type Lookup = { readonly found: Order | undefined } | { readonly failed: string };

export class OrderEntry {
  readonly #client: KalshiRestClient;
  readonly #maxResends: number;
  readonly #slackMs: number;
  readonly #settleMs: number;
  readonly #attempts: number;
  readonly #pageSize: number;
  readonly #now: () => number;
  readonly #sleep: Sleep;

  constructor(client: KalshiRestClient, settings: OrderEntrySettings = {}) {
    this.#client = client;
    this.#maxResends = settings.maxResends ?? 2;
    this.#slackMs = settings.lookupSlackMs ?? 60_000;
    this.#settleMs = settings.settleMs ?? 250;
    this.#attempts = Math.max(1, settings.lookupAttempts ?? 3);
    this.#pageSize = settings.lookupPageSize ?? 200;
    this.#now = settings.now ?? Date.now;
    this.#sleep = settings.sleep ?? realSleep;
  }

  /** Place one intent; see the file comment. Never throws for exchange or network behaviour. */
  async place(intent: OrderIntent, options: PlaceOptions = {}): Promise<Outcome<PlacedOrder>> {
    const sinceMs = (options.createdAtMs ?? this.#now()) - this.#slackMs;
    for (let sends = 1; ; sends++) {
      const outcome = await this.#client.createOrder(intent, options);
      switch (outcome.kind) {
        case 'ACCEPTED': {
          const reply = outcome.reply;
          return { kind: 'ACCEPTED', status: outcome.status, reply: { via: 'reply', orderId: reply.orderId, clientOrderId: intent.clientOrderId, reply } };
        }
        case 'DENIED':
        case 'RATE_LIMITED':
          return outcome;
        case 'REJECTED': {
          if (outcome.status !== 409 || outcome.code !== 'order_already_exists') return outcome;
          const lookup = await this.#lookup(intent, sinceMs);
          const unknown: Unknown = { kind: 'UNKNOWN', cause: 'bad_reply', sent: true, status: 409, code: outcome.code, message: 'the exchange says an order with this client_order_id exists' };
          if ('failed' in lookup) return { ...unknown, message: `${unknown.message}, and looking it up failed: ${lookup.failed}` };
          if (lookup.found === undefined) return { ...unknown, message: `${unknown.message}, but no order with it was found since ${new Date(sinceMs).toISOString()}` };
          const mismatch = differs(intent, lookup.found);
          if (mismatch !== undefined) {
            return { ...outcome, message: `${outcome.message} — client_order_id ${intent.clientOrderId} belongs to another order (${mismatch})` };
          }
          return found(lookup.found);
        }
        case 'UNKNOWN': {
          if (outcome.sent && (outcome.cause === 'timeout' || outcome.cause === 'connection') && this.#settleMs > 0) await this.#sleep(this.#settleMs);
          const lookup = await this.#lookup(intent, sinceMs);
          if ('failed' in lookup) return { ...outcome, message: `${outcome.message}; looking the order up failed: ${lookup.failed}` };
          if (lookup.found !== undefined) return found(lookup.found);
          if (sends > this.#maxResends) return { ...outcome, message: `${outcome.message}; not found by lookup after ${sends} sends` };
          // Proven absent: send the same request again (same client_order_id).
        }
      }
    }
  }

  /**
   * The order with `clientOrderId` on `ticker` created since `sinceMs`, or undefined when there
   * is none. Reconciliation priority; throws like any query (errors.ts).
   */
  async findByClientOrderId(ticker: string, clientOrderId: string, sinceMs: number, options: CallOptions = {}): Promise<Order | undefined> {
    const minTs = Math.max(0, Math.floor(sinceMs / 1000));
    for await (const page of this.#client.orderPages({ ticker, minTs, limit: this.#pageSize }, { priority: true, ...options })) {
      const hit = page.items.find((o) => o.clientOrderId === clientOrderId);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  /** `findByClientOrderId` with retries; a failure is reported, never thrown. */
  async #lookup(intent: OrderIntent, sinceMs: number): Promise<Lookup> {
    let why = '';
    for (let attempt = 0; attempt < this.#attempts; attempt++) {
      if (attempt > 0) await this.#sleep(backoffDelayMs(DEFAULT_BACKOFF, attempt - 1));
      try {
        return { found: await this.findByClientOrderId(intent.ticker, intent.clientOrderId, sinceMs) };
      } catch (err) {
        why = err instanceof Error ? err.message : String(err);
        // A refusal that will not change by asking again (bad key, bad request): stop now.
        if (err instanceof KalshiHttpError && err.status >= 400 && err.status < 500 && err.status !== 429) break;
      }
    }
    return { failed: why };
  }
}

function found(order: Order): Outcome<PlacedOrder> {
  return { kind: 'ACCEPTED', status: 0, reply: { via: 'lookup', orderId: order.orderId, clientOrderId: order.clientOrderId, order } };
}

/** Whether an order found under the intent's client_order_id is a different order (ticker and side; price and size may have been amended since). */
function differs(intent: OrderIntent, order: Order): string | undefined {
  if (order.ticker !== intent.ticker) return `ticker ${order.ticker}`;
  if (order.bookSide !== intent.side) return `side ${order.bookSide}`;
  return undefined;
}
