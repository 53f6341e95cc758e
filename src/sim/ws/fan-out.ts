/**
 * Engine events → WebSocket frames: the listener that turns every change of the exchange into
 * the frames of the channels that cover it. Public channels (orderbook_delta, trade, ticker,
 * market_lifecycle_v2) go through the SubscriptionIndex; private ones (fill, user_orders,
 * market_positions, order_group_updates) go to the connections of the account concerned.
 *
 * The orderbook path is the hot one (hundreds of thousands of deltas per second): one cached
 * index lookup and one string build per subscription, no closure per delta; events nobody
 * subscribed to (a ticker at every top-of-book change) cost one lookup and build nothing.
 */
import type { Exchange } from '../engine/exchange.js';
import type { ExchangeListener } from '../engine/types.js';
import { bookTopOf } from '../server/routes/market-data.js';
import type { ConnectionRegistry } from './connections.js';
import * as frames from './frames.js';
import type { WsSession } from './session.js';
import type { SubscriptionIndex } from './subscription-index.js';

export function fanOut(exchange: Exchange, index: SubscriptionIndex, connections: ConnectionRegistry): ExchangeListener {
  /** Last trade size per market, for ticker frames (hundredths). */
  const lastTradeSize = new Map<number, number>();
  /** `index.sessionsOf('orderbook_delta', ticker)` by market index, while `index.version` holds. */
  let bookSessions: Array<readonly WsSession[] | undefined> = [];
  let bookVersion = -1;
  const eachOfAccount = (account: string, fn: (s: WsSession) => void) => {
    const set = connections.ofAccount(account);
    if (set !== undefined) for (const c of set) fn(c.session);
  };
  return {
    bookDelta(market, outcome, price, delta, tsMs, causedBy) {
      if (index.version !== bookVersion) {
        bookSessions = [];
        bookVersion = index.version;
      }
      let sessions = bookSessions[market.index];
      if (sessions === undefined) sessions = bookSessions[market.index] = index.sessionsOf('orderbook_delta', market.ticker);
      if (sessions.length === 0) return;
      const cause = causedBy === undefined ? undefined : { account: causedBy.account, clientOrderId: causedBy.clientOrderId };
      for (let i = 0; i < sessions.length; i++) sessions[i].deliverOrderbookDelta(market, outcome, price, delta, tsMs, cause);
    },
    trade(market, tradeId, yesPrice, count, takerSide, tsMs) {
      lastTradeSize.set(market.index, count);
      const sessions = index.sessionsOf('trade', market.ticker);
      for (let i = 0; i < sessions.length; i++) {
        sessions[i].deliver('trade', market.ticker, (sid, seq) => frames.trade(sid, seq, market, tradeId, yesPrice, count, takerSide, tsMs));
      }
    },
    ticker(market, tsMs) {
      const sessions = index.sessionsOf('ticker', market.ticker);
      if (sessions.length === 0) return; // nobody listens: skip the book top (most ticker events at high rates)
      const top = bookTopOf(exchange, market);
      const size = lastTradeSize.get(market.index) ?? 0;
      for (let i = 0; i < sessions.length; i++) sessions[i].deliver('ticker', market.ticker, (sid) => frames.ticker(sid, market, top, size, tsMs));
    },
    lifecycle(market, eventType, tsMs) {
      index.forEachSession('market_lifecycle_v2', undefined, (s) =>
        s.deliver('market_lifecycle_v2', undefined, (sid, seq) => frames.marketLifecycleV2(sid, seq, market, eventType, tsMs)));
    },
    fill(account, fill) {
      const market = exchange.marketAt(fill.marketIndex);
      eachOfAccount(account.id, (s) => s.deliver('fill', market.ticker, (sid) => frames.fill(sid, fill, market)));
    },
    order(account, order) {
      const market = exchange.marketAt(order.marketIndex);
      eachOfAccount(account.id, (s) => s.deliver('user_orders', market.ticker, (sid) => frames.userOrder(sid, order, market)));
    },
    position(account, position) {
      const market = exchange.marketAt(position.marketIndex);
      eachOfAccount(account.id, (s) => s.deliver('market_positions', market.ticker, (sid) => frames.marketPosition(sid, account.id, market, position)));
    },
    orderGroup(account, group, eventType, tsMs) {
      eachOfAccount(account.id, (s) => s.deliver('order_group_updates', undefined, (sid, seq) => frames.orderGroupUpdates(sid, seq, group, eventType, tsMs)));
    },
  };
}
