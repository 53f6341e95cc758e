/** SubscriptionIndex.sessionsOf: the cached answer of the orderbook hot path equals forEachSession's, and follows every change. */
import { describe, expect, it } from 'vitest';
import { SubscriptionIndex } from '../../../src/sim/ws/subscription-index.js';
import { WsSession } from '../../../src/sim/ws/session.js';

describe('SubscriptionIndex.sessionsOf', () => {
  it('answers what forEachSession visits, in the same order, after every change', () => {
    const index = new SubscriptionIndex();
    const host = { marketExists: () => true, snapshot: () => ({ yes: [], no: [] }), subscriptionChanged: (s: WsSession, c: Parameters<SubscriptionIndex['apply']>[1]) => index.apply(s, c) };
    const sessions = [0, 1, 2].map(() => new WsSession(host, () => undefined, { account: 'a' }));
    const check = () => {
      for (const channel of ['orderbook_delta', 'ticker'] as const) {
        for (const t of ['A', 'B', 'C']) expect(index.sessionsOf(channel, t)).toEqual(index.sessions(channel, t));
      }
    };
    check();
    const v0 = index.version;
    sessions[0].handleText(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: ['A', 'B'] } }));
    check();
    sessions[1].handleText(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta', 'ticker'], market_tickers: ['B'] } }));
    sessions[2].handleText(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'] } }));
    check();
    expect(index.sessionsOf('orderbook_delta', 'B')).toEqual([sessions[0], sessions[1]]);
    sessions[0].handleText(JSON.stringify({ id: 2, cmd: 'update_subscription', params: { sid: 1, action: 'delete_markets', market_tickers: ['B'] } }));
    check();
    expect(index.sessionsOf('orderbook_delta', 'B')).toEqual([sessions[1]]);
    sessions[1].close();
    check();
    expect(index.sessionsOf('orderbook_delta', 'B')).toEqual([]);
    expect(index.sessionsOf('ticker', 'C')).toEqual([sessions[2]]);
    expect(index.version).toBeGreaterThan(v0);
  });
});
