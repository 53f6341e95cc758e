/**
 * The signed account views: balance, positions, orders, fills, settlements, order groups and
 * the account's API limits. Lists are newest first with cursor paging (request.ts).
 */
import { TIER_BUDGETS, type UsageTier } from '../../../shared/rate-budgets.js';
import type { Exchange } from '../../engine/exchange.js';
import { ExchangeError, type OrderStatus, type PositionState } from '../../engine/types.js';
import type { HttpRequest, HttpRouter } from '../http.js';
import { badRequest, bodyObject, countField, paginate, queryInt } from '../request.js';
import {
  balanceJson, createOrderGroupJson, eventPositionJson, fillJson, orderGroupDetailJson, orderGroupJson,
  orderJson, positionJson, settlementJson,
} from '../serialize.js';
import { API } from './market-data.js';
import { accountOf } from './orders.js';

function account(exchange: Exchange, req: HttpRequest) {
  const id = accountOf(req);
  const acct = exchange.account(id);
  if (acct === undefined) throw new ExchangeError(401, 'authentication_error', 'authentication_error', 'no account for this key');
  return acct;
}

/** Optional `min_ts`/`max_ts` (Unix seconds) as ms bounds. */
function timeWindow(req: HttpRequest): { minMs: number; maxMs: number } {
  const min = queryInt(req, 'min_ts', 0, 2 ** 40);
  const max = queryInt(req, 'max_ts', 0, 2 ** 40);
  return { minMs: min === undefined ? -Infinity : min * 1000, maxMs: max === undefined ? Infinity : max * 1000 + 999 };
}

/** A contracts limit for an order group: `contracts_limit_fp` or the integer `contracts_limit`. */
function groupLimit(obj: Record<string, unknown>): number {
  const limit = countField(obj, 'contracts_limit_fp', 'contracts_limit');
  if (limit < 100 || limit > 100_000_000) throw badRequest('contracts_limit must be between 1 and 1,000,000 contracts', 'invalid_parameters');
  return limit;
}

export function portfolioRoutes(router: HttpRouter, exchange: Exchange, tier: () => UsageTier): void {
  const P = `${API}/portfolio`;

  router.get(`${P}/balance`, (req) => {
    const acct = account(exchange, req);
    return { status: 200, body: balanceJson(acct.cash, exchange.portfolioValue(acct.id), exchange.now()) };
  });

  router.get(`${P}/positions`, (req) => {
    const acct = account(exchange, req);
    const ticker = req.query.get('ticker') || undefined;
    const eventTicker = req.query.get('event_ticker') || undefined;
    const countFilter = req.query.get('count_filter') || undefined; // "position", "total_traded"
    const all = [...acct.positions.values()]
      .filter((p) => {
        const m = exchange.marketAt(p.marketIndex);
        if (ticker !== undefined && m.ticker !== ticker) return false;
        if (eventTicker !== undefined && m.eventTicker !== eventTicker) return false;
        if (countFilter?.includes('position') && p.position === 0) return false;
        if (countFilter?.includes('total_traded') && p.totalTraded === 0) return false;
        return true;
      })
      .sort((a, b) => a.marketIndex - b.marketIndex);
    const page = paginate(req, all, 100, 1000);
    const byEvent = new Map<string, PositionState[]>();
    for (const p of page.items) {
      const e = exchange.marketAt(p.marketIndex).eventTicker;
      byEvent.set(e, [...(byEvent.get(e) ?? []), p]);
    }
    return {
      status: 200,
      body: {
        market_positions: page.items.map((p) => positionJson(p, exchange.marketAt(p.marketIndex))),
        event_positions: [...byEvent].map(([e, ps]) => eventPositionJson(e, ps)),
        cursor: page.cursor,
      },
    };
  });

  router.get(`${P}/orders`, (req) => {
    const acct = account(exchange, req);
    const status = req.query.get('status') || undefined;
    if (status !== undefined && !['resting', 'canceled', 'executed'].includes(status)) throw badRequest('status must be one of resting, canceled, executed', 'invalid_parameters');
    const { minMs, maxMs } = timeWindow(req);
    const orders = exchange.listOrders(acct.id, {
      ticker: req.query.get('ticker') || undefined,
      eventTicker: req.query.get('event_ticker') || undefined,
      status: status as OrderStatus | undefined,
      minTsMs: Number.isFinite(minMs) ? minMs : undefined,
      maxTsMs: Number.isFinite(maxMs) ? maxMs : undefined,
    });
    const page = paginate(req, orders, 100, 1000);
    return { status: 200, body: { orders: page.items.map((o) => orderJson(o, exchange.marketAt(o.marketIndex))), cursor: page.cursor } };
  });

  router.get(`${P}/orders/:order_id`, (req) => {
    const acct = account(exchange, req);
    const o = exchange.getOrder(acct.id, req.params.order_id);
    return { status: 200, body: { order: orderJson(o, exchange.marketAt(o.marketIndex)) } };
  });

  router.get(`${P}/fills`, (req) => {
    const acct = account(exchange, req);
    const ticker = req.query.get('ticker') || undefined;
    const orderId = req.query.get('order_id') || undefined;
    const { minMs, maxMs } = timeWindow(req);
    const fills = acct.fills
      .filter((f) => (ticker === undefined || exchange.marketAt(f.marketIndex).ticker === ticker) &&
        (orderId === undefined || f.orderId === orderId) && f.tsMs >= minMs && f.tsMs <= maxMs)
      .reverse(); // newest first
    const page = paginate(req, fills, 100, 1000);
    return { status: 200, body: { fills: page.items.map((f) => fillJson(f, exchange.marketAt(f.marketIndex))), cursor: page.cursor } };
  });

  router.get(`${P}/settlements`, (req) => {
    const acct = account(exchange, req);
    const ticker = req.query.get('ticker') || undefined;
    const eventTicker = req.query.get('event_ticker') || undefined;
    const { minMs, maxMs } = timeWindow(req);
    const settlements = acct.settlements
      .filter((s) => {
        const m = exchange.marketAt(s.marketIndex);
        return (ticker === undefined || m.ticker === ticker) && (eventTicker === undefined || m.eventTicker === eventTicker) &&
          s.settledMs >= minMs && s.settledMs <= maxMs;
      })
      .reverse();
    const page = paginate(req, settlements, 100, 1000);
    return { status: 200, body: { settlements: page.items.map((s) => settlementJson(s, exchange.marketAt(s.marketIndex))), cursor: page.cursor } };
  });

  // Order groups.
  const G = `${P}/order_groups`;
  router.get(G, (req) => ({ status: 200, body: { order_groups: exchange.listOrderGroups(account(exchange, req).id).map(orderGroupJson) } }));
  router.post(`${G}/create`, (req) => {
    const g = exchange.createOrderGroup(account(exchange, req).id, groupLimit(bodyObject(req)));
    return { status: 201, body: createOrderGroupJson(g) };
  });
  router.get(`${G}/:order_group_id`, (req) => {
    const id = account(exchange, req).id;
    const g = exchange.getOrderGroup(id, req.params.order_group_id);
    return { status: 200, body: orderGroupDetailJson(g, exchange.orderGroupOrders(id, g.id).map((o) => o.orderId)) };
  });
  router.delete(`${G}/:order_group_id`, (req) => {
    exchange.deleteOrderGroup(account(exchange, req).id, req.params.order_group_id);
    return { status: 200, body: {} };
  });
  router.put(`${G}/:order_group_id/reset`, (req) => {
    exchange.resetOrderGroup(account(exchange, req).id, req.params.order_group_id);
    return { status: 200, body: {} };
  });
  router.put(`${G}/:order_group_id/trigger`, (req) => {
    exchange.triggerOrderGroup(account(exchange, req).id, req.params.order_group_id);
    return { status: 200, body: {} };
  });
  router.put(`${G}/:order_group_id/limit`, (req) => {
    exchange.updateOrderGroupLimit(account(exchange, req).id, req.params.order_group_id, groupLimit(bodyObject(req)));
    return { status: 200, body: {} };
  });

  router.get(`${API}/account/limits`, (req) => {
    account(exchange, req);
    const t = tier();
    const b = TIER_BUDGETS[t];
    return {
      status: 200,
      body: {
        usage_tier: t,
        read: { refill_rate: b.read.ratePerSecond, bucket_capacity: b.read.capacity },
        write: { refill_rate: b.write.ratePerSecond, bucket_capacity: b.write.capacity },
        grants: [],
      },
    };
  });
}
