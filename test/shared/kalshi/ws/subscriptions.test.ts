import { describe, expect, it } from 'vitest';
import { SubscriptionTable } from '../../../../src/shared/kalshi/ws/subscriptions.js';

const parse = (text: string) => JSON.parse(text) as { id: number; cmd: string; params?: Record<string, unknown> };

describe('SubscriptionTable', () => {
  it('one channel per subscribe, ids from 1 and increasing; orderbook asks for use_yes_price:false', () => {
    const t = new SubscriptionTable();
    const book = t.add('orderbook_delta', { marketTickers: ['A', 'B'] });
    const fills = t.add('fill');
    const tick = t.add('ticker', { marketTickers: ['A'], sendInitialSnapshot: true, skipTickerAck: true });
    const c1 = t.subscribe(book, 0)!;
    const c2 = t.subscribe(fills, 0)!;
    const c3 = t.subscribe(tick, 0)!;
    expect([c1.id, c2.id, c3.id]).toEqual([1, 2, 3]);
    expect(parse(c1.text)).toEqual({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: ['A', 'B'], use_yes_price: false } });
    expect(parse(c2.text)).toEqual({ id: 2, cmd: 'subscribe', params: { channels: ['fill'] } });
    expect(parse(c3.text)).toEqual({
      id: 3, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: ['A'], send_initial_snapshot: true, skip_ticker_ack: true },
    });
    expect(t.inFlight).toBe(3);
  });

  it('binds sids from subscribed replies and builds update / unsubscribe commands on them', () => {
    const t = new SubscriptionTable();
    const book = t.add('orderbook_delta', { marketTickers: ['A'] });
    const { id } = t.subscribe(book, 0)!;
    expect(t.update(book, 'add_markets', ['B'], 0)).toBeUndefined(); // no sid yet
    const bound = t.bind(id, 7)!;
    expect(bound.sub).toBe(book);
    expect(bound.sentTickers).toEqual(['A']);
    expect(book.sid).toBe(7);
    expect(book.state).toBe('active');
    expect(t.bySidOf(7)).toBe(book);
    const upd = t.update(book, 'get_snapshot', ['A'], 5)!;
    expect(parse(upd.text)).toEqual({ id: 2, cmd: 'update_subscription', params: { sid: 7, market_tickers: ['A'], action: 'get_snapshot' } });
    expect(t.pendingOf(upd.id)).toMatchObject({ kind: 'get_snapshot', sid: 7, tickers: ['A'], sentAt: 5 });
    const un = t.unsubscribe(7, 6);
    expect(parse(un.text)).toEqual({ id: 3, cmd: 'unsubscribe', params: { sids: [7] } });
    expect(t.take(un.id)).toMatchObject({ kind: 'unsubscribe', sid: 7 });
    expect(t.take(un.id)).toBeUndefined();
  });

  it('a reply that matches no subscribe in flight binds nothing', () => {
    const t = new SubscriptionTable();
    const s = t.add('trade');
    const { id } = t.subscribe(s, 0)!;
    expect(t.bind(id + 10, 3)).toBeUndefined();
    const un = t.unsubscribe(9, 0);
    expect(t.bind(un.id, 3)).toBeUndefined(); // an id of another kind
    expect(t.bind(id, 4)).toEqual({ sub: s, sentTickers: [], replacedSid: -1 });
    expect(t.bind(id, 5)).toBeUndefined(); // answered already
    // a second subscribe for the same subscription answered too: the newer sid wins, the old is reported
    const again = t.subscribe(s, 0)!;
    expect(t.bind(again.id, 6)).toMatchObject({ sub: s, replacedSid: 4 });
    expect(t.bySidOf(4)).toBeUndefined();
    expect(t.bySidOf(6)).toBe(s);
  });

  it('resetConnection: ids restart at 1, sids and commands in flight are forgotten, subscriptions kept', () => {
    const t = new SubscriptionTable();
    const a = t.add('fill');
    const b = t.add('orderbook_delta', { marketTickers: ['X'] });
    t.bind(t.subscribe(a, 0)!.id, 1);
    t.subscribe(b, 0);
    t.resetConnection();
    expect(a.sid).toBe(-1);
    expect(a.state).toBe('pending');
    expect(t.bySidOf(1)).toBeUndefined();
    expect(t.inFlight).toBe(0);
    expect(t.subscribe(a, 0)!.id).toBe(1);
    expect(t.size).toBe(2);
  });

  it('detach forgets the sid (resubscribe); delete drops the subscription and its commands', () => {
    const t = new SubscriptionTable();
    const a = t.add('orderbook_delta', { marketTickers: ['X'] });
    t.bind(t.subscribe(a, 0)!.id, 4);
    t.update(a, 'get_snapshot', ['X'], 0);
    expect(t.detach(a)).toBe(4);
    expect(t.bySidOf(4)).toBeUndefined();
    expect(a.state).toBe('pending');
    t.subscribe(a, 0);
    expect(t.delete(a)).toBe(-1);
    expect(a.state).toBe('closed');
    expect(t.has(a)).toBe(false);
    expect(t.inFlight).toBe(0);
  });

  it('a filtered subscription emptied of markets goes idle instead of widening to every market', () => {
    const t = new SubscriptionTable();
    const fills = t.add('fill', { marketTickers: ['A'] });
    fills.tickers!.delete('A');
    expect(t.subscribe(fills, 0)).toBeUndefined();
    expect(fills.state).toBe('idle');
  });

  it('overdue returns (and forgets) commands sent at or before the deadline', () => {
    const t = new SubscriptionTable();
    const a = t.add('trade');
    const b = t.add('fill');
    t.subscribe(a, 100);
    t.subscribe(b, 200);
    t.listSubscriptions(300);
    const due = t.overdue(200);
    expect(due.map((p) => p.kind)).toEqual(['subscribe', 'subscribe']);
    expect(t.inFlight).toBe(1);
    expect(t.overdue(200)).toEqual([]);
  });

  it('refuses channels and filters Kalshi would refuse', () => {
    const t = new SubscriptionTable();
    expect(() => t.add('orderbook_delta')).toThrow(/needs at least one market/);
    expect(() => t.add('orderbook_delta', { marketTickers: [] })).toThrow(/needs at least one market/);
    expect(() => t.add('market_lifecycle_v2', { marketTickers: ['A'] })).toThrow(/takes no market filter/);
    expect(() => t.add('nope' as 'fill')).toThrow(/unknown channel/);
    expect(() => t.add('fill', { marketTickers: [''] })).toThrow(TypeError);
  });
});
