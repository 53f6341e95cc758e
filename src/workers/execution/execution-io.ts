/**
 * The execution core's requests on the wire (requests.ts → src/shared/kalshi/rest), and the
 * REST outcomes back in the core's terms. Field for field:
 *   place        → OrderEntry.place(OrderIntent)   (UNKNOWN is resolved by lookup there: one order per intent)
 *   amend        → client.amendOrder(orderId, AmendChange)
 *   cancel       → client.cancelOrder(orderId, {marketTicker})
 *   create_group → client.createOrderGroup(contractsLimit)
 *   reset_group  → client.resetOrderGroup(id)
 *   lookup       → client.order(orderId) (amend / cancel), or OrderEntry.findByClientOrderId (place)
 * Outcome classes (the core's colleague's note): ACCEPTED → ACCEPTED; REJECTED → REJECTED (with
 * Kalshi's code and HTTP status); UNKNOWN with `sent` → UNKNOWN; UNKNOWN with `sent: false`,
 * RATE_LIMITED and DENIED (our REST layer's own refusal) → NOT_SENT: nothing happened.
 *
 * `execute` never throws: an exception from below (a bug, a closed client) becomes UNKNOWN for
 * a write — it may have left — and a failed lookup for a lookup (retried by the core's poll).
 */
import {
  KalshiHttpError, type KalshiRestClient, type OrderEntry, type Outcome as RestOutcome, type PlacedOrder,
} from '../../shared/kalshi/rest/index.js';
import type { PriceGrid } from '../../shared/price-grid.js';
import type { Outcome } from './execution-core.js';
import { orderUpdateOf } from './exchange-view.js';
import type { SendRequest } from './requests.js';
import { OutcomeStatus, type OrderUpdate } from './working-orders.js';

/** What one request came back with. */
export type IoResult =
  | { kind: 'outcome'; outcome: Outcome; /** place: the order was found by lookup (after UNKNOWN or 409). */ viaLookup: boolean }
  /** A lookup's answer: the order, or null when it provably does not exist. */
  | { kind: 'found'; order: OrderUpdate | null }
  /** A lookup that could not be answered (network, 5xx, budget): the core retries later. */
  | { kind: 'lookup_failed'; message: string };

export interface RequestIoOptions {
  rest: KalshiRestClient;
  entry: OrderEntry;
  /** Grid per market slot (off-grid prices are refused locally, never sent). */
  gridOf: (market: number) => PriceGrid | undefined;
  /** Wall clock, ms. */
  clock: () => number;
  /** When the UNKNOWN request being looked up was sent (ms), for the lookup's time bound. */
  sentAtOf: (market: number) => number | undefined;
  /** Lookups search from the request's send time minus this (clock skew), ms (default 60 000). */
  lookupSlackMs?: number;
}

export class RequestIo {
  private readonly o: RequestIoOptions;
  private readonly slackMs: number;

  constructor(options: RequestIoOptions) {
    this.o = options;
    this.slackMs = options.lookupSlackMs ?? 60_000;
  }

  /** `onSent`: told when the request (place, amend, cancel) has been signed and handed to the HTTP client. */
  async execute(req: SendRequest, onSent?: () => void): Promise<IoResult> {
    try {
      switch (req.kind) {
        case 'place':
          return placed(await this.o.entry.place({
            ticker: req.ticker, side: req.side, price: req.price, count: req.count, clientOrderId: req.clientOrderId,
            timeInForce: req.timeInForce, postOnly: req.postOnly, reduceOnly: req.reduceOnly ? true : undefined,
            orderGroupId: req.orderGroupId === '' ? undefined : req.orderGroupId, grid: this.o.gridOf(req.market),
          }, { createdAtMs: this.o.clock(), onSent }));
        case 'amend': {
          const r = await this.o.rest.amendOrder(req.orderId, {
            ticker: req.ticker, side: req.side, price: req.price, count: req.count, clientOrderId: req.clientOrderId,
            updatedClientOrderId: req.updatedClientOrderId, grid: this.o.gridOf(req.market),
          }, { onSent });
          if (r.kind !== 'ACCEPTED') return notAccepted(r);
          return ok({ status: OutcomeStatus.ACCEPTED, orderId: r.reply.orderId, remaining: r.reply.remainingCount, filled: r.reply.fillCount ?? 0, tsMs: r.reply.tsMs });
        }
        case 'cancel': {
          const r = await this.o.rest.cancelOrder(req.orderId, { marketTicker: req.ticker }, { onSent });
          if (r.kind !== 'ACCEPTED') return notAccepted(r);
          return ok({ status: OutcomeStatus.ACCEPTED, orderId: r.reply.orderId, remaining: 0, tsMs: r.reply.tsMs });
        }
        case 'create_group': {
          const r = await this.o.rest.createOrderGroup(req.contractsLimit);
          if (r.kind !== 'ACCEPTED') return notAccepted(r);
          return ok({ status: OutcomeStatus.ACCEPTED, orderGroupId: r.reply.orderGroupId });
        }
        case 'reset_group': {
          const r = await this.o.rest.resetOrderGroup(req.orderGroupId);
          return r.kind === 'ACCEPTED' ? ok({ status: OutcomeStatus.ACCEPTED }) : notAccepted(r);
        }
        case 'lookup':
          return await this.lookup(req.market, req.ticker, req.clientOrderId, req.orderId);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (req.kind === 'lookup') return { kind: 'lookup_failed', message };
      return ok({ status: OutcomeStatus.UNKNOWN, code: 'internal_error' });
    }
  }

  private async lookup(market: number, ticker: string, clientOrderId: string, orderId: string): Promise<IoResult> {
    try {
      if (orderId !== '') return { kind: 'found', order: orderUpdateOf(await this.o.rest.order(orderId, { priority: true })) };
      const since = (this.o.sentAtOf(market) ?? this.o.clock()) - this.slackMs;
      const o = await this.o.entry.findByClientOrderId(ticker, clientOrderId, since);
      return { kind: 'found', order: o === undefined ? null : orderUpdateOf(o) };
    } catch (err) {
      if (err instanceof KalshiHttpError && err.status === 404) return { kind: 'found', order: null };
      return { kind: 'lookup_failed', message: err instanceof Error ? err.message : String(err) };
    }
  }
}

function ok(outcome: Outcome): IoResult {
  return { kind: 'outcome', outcome, viaLookup: false };
}

function placed(r: RestOutcome<PlacedOrder>): IoResult {
  if (r.kind !== 'ACCEPTED') return notAccepted(r);
  const p = r.reply;
  if (p.via === 'reply') {
    return ok({ status: OutcomeStatus.ACCEPTED, orderId: p.orderId, remaining: p.reply.remainingCount, filled: p.reply.fillCount, tsMs: p.reply.tsMs });
  }
  const o = p.order;
  return {
    kind: 'outcome',
    viaLookup: true,
    outcome: {
      status: OutcomeStatus.ACCEPTED, orderId: o.orderId, remaining: o.status === 'resting' ? o.remainingCount : 0, filled: o.fillCount,
      tsMs: o.lastUpdateTimeMs ?? o.createdTimeMs ?? 0,
    },
  };
}

/** Every non-ACCEPTED REST outcome in the core's classes. */
export function coreOutcomeOf(r: Exclude<RestOutcome<unknown>, { kind: 'ACCEPTED' }>): Outcome {
  switch (r.kind) {
    case 'REJECTED':
      return { status: OutcomeStatus.REJECTED, code: r.code, httpStatus: r.status };
    case 'UNKNOWN':
      return r.sent ? { status: OutcomeStatus.UNKNOWN, code: r.code ?? r.cause, httpStatus: r.status } : { status: OutcomeStatus.NOT_SENT, code: r.cause };
    case 'RATE_LIMITED':
      return { status: OutcomeStatus.NOT_SENT, code: r.source === 'local' ? 'local_rate_limited' : 'too_many_requests' };
    case 'DENIED':
      return { status: OutcomeStatus.NOT_SENT, code: r.reason };
  }
}

function notAccepted(r: Exclude<RestOutcome<unknown>, { kind: 'ACCEPTED' }>): IoResult {
  return ok(coreOutcomeOf(r));
}
