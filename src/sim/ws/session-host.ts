/**
 * The SessionHost a WsSession asks about markets and snapshots, answered from the engine, and
 * feeding every subscription change into the SubscriptionIndex the fan-out reads.
 */
import type { Exchange } from '../engine/exchange.js';
import type { SessionHost } from './session.js';
import type { SubscriptionIndex } from './subscription-index.js';

export function sessionHostFor(exchange: Exchange, index: SubscriptionIndex): SessionHost {
  return {
    marketExists: (ticker) => exchange.market(ticker) !== undefined,
    snapshot: (ticker) => {
      const m = exchange.market(ticker)!;
      return { yes: exchange.bookLevels(m.index, 'yes'), no: exchange.bookLevels(m.index, 'no') };
    },
    subscriptionChanged: (session, change) => index.apply(session, change),
  };
}
