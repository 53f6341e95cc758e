/**
 * Private-channel events into the execution core (kalshi-api.md §2.7–2.11), exact units in,
 * exact units on:
 *   fill                → core.onFill (the ledger ignores a fill it has seen: trade_id + order_id);
 *                         a fill of a market we do not trade is counted (the sync's drift check sees its cash)
 *   user_order          → core.onUserOrder (working order, UNKNOWN resolution, strays)
 *   order_group_updates → core.onGroupEvent (created / triggered / reset / deleted / limit_updated)
 *   market_position     → compared with the ledger, counted when it differs (informative: the
 *                         ledger may already hold fills the stream delivers later, or earlier)
 * Journal (records.ts, snake_case, exact units): every applied fill (kind 'fill', source 'ws', side
 * = the outcome side: bid ≡ yes) and every event of one of our groups ('group_event', at the
 * exchange's time).
 */
import { writeRecord } from '../../shared/journal-records.js';
import type { ChannelEvent } from '../../shared/kalshi/ws/channel-events.js';
import { WorkingSide } from '../../shared/position-records.js';
import type { ExecutionContext } from './execution-context.js';

export function applyChannelEvent(ctx: ExecutionContext, e: ChannelEvent): void {
  const now = ctx.clock();
  const c = ctx.counters;
  const core = ctx.core;
  switch (e.type) {
    case 'fill': {
      const m = ctx.marketOf(e.marketTicker);
      if (m < 0) {
        c.fillsUntracked++;
        return;
      }
      const changed = core.onFill({
        tradeId: e.tradeId, orderId: e.orderId, market: m, side: e.bookSide, yesPrice: e.yesPrice, count: e.count, fee: e.fee,
        tsMs: e.tsMs, clientOrderId: e.clientOrderId, postPosition: e.postPosition,
      }, now);
      if (!changed) {
        c.fillDuplicates++;
        return;
      }
      c.fillsFromWs++;
      writeRecord(ctx.journal, 'fill', {
        session_id: ctx.sessionId, trade_id: e.tradeId, order_id: e.orderId, client_order_id: e.clientOrderId ?? null, market_ticker: e.marketTicker,
        side: e.outcomeSide, yes_price: e.yesPrice, count: e.count, fee_micros: e.fee, is_taker: e.isTaker, ts_ms: e.tsMs,
        post_position: e.postPosition, source: 'ws',
      });
      return;
    }
    case 'user_order': {
      const m = ctx.marketOf(e.marketTicker);
      if (m < 0) return;
      c.userOrders++;
      core.onUserOrder(m, {
        orderId: e.orderId, clientOrderId: e.clientOrderId, side: e.bookSide === 'bid' ? WorkingSide.BID : WorkingSide.ASK, price: e.yesPrice,
        status: e.status, remaining: e.remainingCount, filled: e.fillCount, tsMs: e.lastUpdatedTsMs ?? e.createdTsMs ?? 0,
      }, now);
      return;
    }
    case 'order_group_updates':
      c.groupEvents++;
      if (core.onGroupEvent(e.eventType, e.orderGroupId, now, e.contractsLimit)) {
        const key = core.groups.keyOfId(e.orderGroupId);
        writeRecord(ctx.journal, 'group_event', {
          session_id: ctx.sessionId, order_group_id: e.orderGroupId, ts_ms: e.tsMs, event: e.eventType, contracts_limit: e.contractsLimit ?? null,
          market_ticker: key !== undefined && key >= 0 ? core.tickerOf(key) || null : null,
        });
      }
      return;
    case 'market_position': {
      const m = ctx.marketOf(e.marketTicker);
      if (m < 0) return;
      c.positionEvents++;
      if (core.ledger.position[m] !== e.position) c.positionEventMismatches++;
      return;
    }
    default:
      return;
  }
}
