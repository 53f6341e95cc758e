/**
 * The execution core's requests performed on the simulator's engine at once, answered as the
 * live REST layer answers them (execution-io.ts `RequestIo.execute` → `IoResult`), and the
 * engine's private events for our account turned into the core's calls as the live stage turns
 * the private WebSocket's messages into them (private-events.ts).
 *
 * Requests (fields as RequestIo hands them to the REST client, replies as the simulator's REST
 * routes write them, src/sim/server/routes/orders.ts):
 *   place        → the REST client's local checks (checkOrderIntent: off-grid price, …: NOT_SENT),
 *                  then Create Order V2: ACCEPTED {order id, remaining (0 unless resting), filled
 *                  by this call, the exchange's time}
 *   amend        → checkAmend, then Amend Order V2: the same reply
 *   cancel       → checkOrderId, then Cancel Order V2: ACCEPTED {order id, remaining 0}
 *   create_group → create order group: ACCEPTED {group id};  reset_group → reset: ACCEPTED
 *   lookup       → the order by id, or by client_order_id: `found` (null: it does not exist)
 *   a refusal by the exchange (ExchangeError) → REJECTED {Kalshi's code, HTTP status}
 * An exception that is not an ExchangeError is a bug of the episode and is thrown.
 *
 * Private events (the engine's listener; our account's only): fill → core.onFill; order →
 * core.onUserOrder (timestamp: the order's last update, as `user_order` carries it);
 * orderGroup → core.onGroupEvent (the limit only on created / limit_updated). They are handed
 * over while the engine call that caused them runs — before its REST answer, as they can come
 * on the wire. The core never calls the engine, so this does not re-enter it.
 */
import type { Exchange } from '../../sim/engine/exchange.js';
import { ExchangeError, type ExchangeListener, type FillState, type OrderState } from '../../sim/engine/types.js';
import { checkAmend, checkOrderId, checkOrderIntent, type OrderIntent } from '../../shared/kalshi/rest/order-intent.js';
import { WorkingSide } from '../../shared/position-records.js';
import type { PriceGrid } from '../../shared/price-grid.js';
import type { ExecFill, ExecutionCore, Outcome } from '../../workers/execution/execution-core.js';
import { coreOutcomeOf, type IoResult } from '../../workers/execution/execution-io.js';
import type { SendRequest } from '../../workers/execution/requests.js';
import { OutcomeStatus, type OrderUpdate } from '../../workers/execution/working-orders.js';

/** An engine order as the core's OrderUpdate (what `user_order` or a lookup carries). */
export function orderUpdateOfEngine(o: OrderState): OrderUpdate {
  return {
    orderId: o.orderId, clientOrderId: o.clientOrderId, side: o.side === 'bid' ? WorkingSide.BID : WorkingSide.ASK, price: o.price,
    status: o.status, remaining: o.remainingCount, filled: o.fillCount, tsMs: o.updatedMs,
  };
}

/** An engine fill as the core's ExecFill (what the `fill` message carries). */
export function execFillOfEngine(f: FillState): ExecFill {
  return {
    tradeId: f.tradeId, orderId: f.orderId, market: f.marketIndex, side: f.side, yesPrice: f.yesPrice, count: f.count, fee: f.fee,
    tsMs: f.tsMs, clientOrderId: f.clientOrderId === '' ? undefined : f.clientOrderId, postPosition: f.postPosition,
  };
}

const outcome = (o: Outcome): IoResult => ({ kind: 'outcome', outcome: o, viaLookup: false });

export class EngineVenue {
  constructor(
    private readonly exchange: Exchange,
    /** Our account at the exchange. */
    readonly account: string,
    /** Grid per market slot: off-grid prices are refused locally, as the live REST layer does. */
    private readonly gridOf: (market: number) => PriceGrid | undefined,
  ) {}

  /** Performs `req` at the exchange now; see the file comment. */
  perform(req: SendRequest): IoResult {
    const ex = this.exchange;
    const acct = this.account;
    switch (req.kind) {
      case 'place': {
        const intent: OrderIntent = {
          ticker: req.ticker, side: req.side, price: req.price, count: req.count, clientOrderId: req.clientOrderId,
          timeInForce: req.timeInForce, postOnly: req.postOnly, reduceOnly: req.reduceOnly ? true : undefined,
          orderGroupId: req.orderGroupId === '' ? undefined : req.orderGroupId, grid: this.gridOf(req.market),
        };
        const refused = checkOrderIntent(intent);
        if (refused !== undefined) return outcome(coreOutcomeOf(refused));
        return this.attempt(() => {
          const r = ex.createOrder(acct, {
            ticker: intent.ticker, side: intent.side, price: intent.price, count: intent.count, timeInForce: intent.timeInForce,
            selfTradePrevention: intent.selfTradePrevention ?? 'taker_at_cross', postOnly: intent.postOnly, reduceOnly: intent.reduceOnly,
            clientOrderId: intent.clientOrderId, orderGroupId: intent.orderGroupId,
          });
          return orderReply(r.order, r.fills, ex.now());
        });
      }
      case 'amend': {
        const change = {
          ticker: req.ticker, side: req.side, price: req.price, count: req.count, clientOrderId: req.clientOrderId,
          updatedClientOrderId: req.updatedClientOrderId, grid: this.gridOf(req.market),
        };
        const refused = checkAmend(req.orderId, change);
        if (refused !== undefined) return outcome(coreOutcomeOf(refused));
        return this.attempt(() => {
          const r = ex.amendOrder(acct, req.orderId, { ticker: change.ticker, side: change.side, price: change.price, count: change.count, updatedClientOrderId: change.updatedClientOrderId });
          return orderReply(r.order, r.fills, ex.now());
        });
      }
      case 'cancel': {
        const refused = checkOrderId(req.orderId);
        if (refused !== undefined) return outcome(coreOutcomeOf(refused));
        return this.attempt(() => {
          const o = ex.cancelOrder(acct, req.orderId);
          return { status: OutcomeStatus.ACCEPTED, orderId: o.orderId, remaining: 0, tsMs: ex.now() };
        });
      }
      case 'create_group':
        return this.attempt(() => ({ status: OutcomeStatus.ACCEPTED, orderGroupId: ex.createOrderGroup(acct, req.contractsLimit).id }));
      case 'reset_group':
        return this.attempt(() => {
          ex.resetOrderGroup(acct, req.orderGroupId);
          return { status: OutcomeStatus.ACCEPTED };
        });
      case 'lookup': {
        if (req.orderId !== '') {
          try {
            return { kind: 'found', order: orderUpdateOfEngine(ex.getOrder(acct, req.orderId)) };
          } catch (err) {
            if (err instanceof ExchangeError && err.status === 404) return { kind: 'found', order: null };
            throw err;
          }
        }
        const o = ex.findByClientOrderId(acct, req.clientOrderId);
        return { kind: 'found', order: o === undefined ? null : orderUpdateOfEngine(o) };
      }
    }
  }

  private attempt(fn: () => Outcome): IoResult {
    try {
      return outcome(fn());
    } catch (err) {
      if (err instanceof ExchangeError) return outcome({ status: OutcomeStatus.REJECTED, code: err.code, httpStatus: err.status });
      throw err;
    }
  }

  /**
   * The engine listener that hands our account's private events to `core` at `nowMs()`;
   * `onFill` is told of each fill the core applied (for the episode's own counts).
   */
  privateEvents(core: ExecutionCore, nowMs: () => number, onFill: (f: FillState) => void): ExchangeListener {
    const account = this.account;
    return {
      fill: (a, f) => {
        if (a.id !== account) return;
        if (core.onFill(execFillOfEngine(f), nowMs())) onFill(f);
      },
      order: (a, o) => {
        if (a.id === account) core.onUserOrder(o.marketIndex, orderUpdateOfEngine(o), nowMs());
      },
      orderGroup: (a, g, type) => {
        if (a.id !== account) return;
        core.onGroupEvent(type, g.id, nowMs(), type === 'created' || type === 'limit_updated' ? g.limit : undefined);
      },
    };
  }
}

/** Create / Amend Order V2's reply: remaining 0 unless the order rests, filled by this call. */
function orderReply(order: OrderState, fills: readonly FillState[], tsMs: number): Outcome {
  let filled = 0;
  for (const f of fills) filled += f.count;
  return { status: OutcomeStatus.ACCEPTED, orderId: order.orderId, remaining: order.status === 'resting' ? order.remainingCount : 0, filled, tsMs };
}
