/**
 * KalshiWsClient's protocol handling, frame by frame, against a scripted server: what the
 * simulator cannot produce on demand (terminal error codes, a refused or unanswered get_snapshot,
 * acks carrying seq, late replies, refused markets, schema errors) and the exact commands the
 * client sends in answer.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BookStore, emptyBookTop } from '../../../../src/shared/book-store.js';
import { KalshiCredentials } from '../../../../src/shared/kalshi-signing.js';
import { PriceGrid } from '../../../../src/shared/price-grid.js';
import { BookSync } from '../../../../src/shared/kalshi/ws/book-sync.js';
import type { ChannelEvent } from '../../../../src/shared/kalshi/ws/channel-events.js';
import { KalshiWsClient, type ClientNotice, type KalshiWsClientOptions } from '../../../../src/shared/kalshi/ws/client.js';
import { TickerIndex } from '../../../../src/shared/kalshi/ws/ticker-index.js';
import { FakeKalshiServer, type FakeSocket, type ReceivedCommand } from './fake-server.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const credentials = new KalshiCredentials('proto-key', privateKey);
const TICKERS = ['M-A', 'M-B', 'M-C'];

let server: FakeKalshiServer;
const clients: KalshiWsClient[] = [];

beforeAll(async () => {
  server = await FakeKalshiServer.start(publicKey);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.onCommand = undefined;
});
afterAll(() => server.close());

type Level = [string, string];

/** A tiny exchange behind the fake server: answers commands the way the simulator does, unless told not to. */
class Script {
  nextSid = 1;
  readonly seq = new Map<number, number>();
  answerSubscribe = true;
  answerGetSnapshot = true;
  book: Record<string, { yes: Level[]; no: Level[] }> = {};

  constructor() {
    server.onCommand = (c) => this.handle(c);
  }

  next(sid: number): number {
    const n = (this.seq.get(sid) ?? 0) + 1;
    this.seq.set(sid, n);
    return n;
  }

  snapshot(s: FakeSocket, sid: number, ticker: string, id?: number, seq = this.next(sid)): void {
    const b = this.book[ticker] ?? { yes: [['0.4000', '1.00']], no: [['0.5000', '2.00']] };
    s.send({ ...(id === undefined ? {} : { id }), type: 'orderbook_snapshot', sid, seq, msg: { market_ticker: ticker, market_id: 'x', yes_dollars_fp: b.yes, no_dollars_fp: b.no } });
  }

  delta(s: FakeSocket, sid: number, ticker: string, price: string, d: string, side: 'yes' | 'no' = 'yes', seq = this.next(sid)): void {
    s.send({ type: 'orderbook_delta', sid, seq, msg: { market_ticker: ticker, market_id: 'x', price_dollars: price, delta_fp: d, side, ts_ms: 1 } });
  }

  handle(c: ReceivedCommand): void {
    const p = c.params ?? {};
    if (c.cmd === 'subscribe' && this.answerSubscribe) {
      const sid = this.nextSid++;
      c.socket.send({ id: c.id, type: 'subscribed', msg: { channel: p.channels[0], sid } });
      if (p.channels[0] === 'orderbook_delta') for (const t of p.market_tickers) this.snapshot(c.socket, sid, t);
    } else if (c.cmd === 'update_subscription' && p.action === 'get_snapshot' && this.answerGetSnapshot) {
      for (const t of p.market_tickers) this.snapshot(c.socket, p.sid, t, c.id);
    } else if (c.cmd === 'update_subscription' && (p.action === 'add_markets' || p.action === 'delete_markets')) {
      c.socket.send({ id: c.id, sid: p.sid, type: 'ok', msg: { market_tickers: [] } });
      if (p.action === 'add_markets') for (const t of p.market_tickers) this.snapshot(c.socket, p.sid, t);
    } else if (c.cmd === 'unsubscribe') {
      for (const sid of p.sids) c.socket.send({ id: c.id, sid, seq: this.next(sid), type: 'unsubscribed' });
    } else if (c.cmd === 'list_subscriptions') {
      c.socket.send({ id: c.id, type: 'ok', msg: [] });
    }
  }
}

interface Harness {
  client: KalshiWsClient;
  books: BookStore;
  sync: BookSync;
  events: ChannelEvent[];
  notices: ClientNotice[];
  logs: Array<{ level: string; msg: string; fields: Record<string, unknown> }>;
}

function harness(options: Partial<KalshiWsClientOptions> = {}): Harness {
  const books = BookStore.create({ maxMarkets: TICKERS.length });
  const tickers = new TickerIndex();
  TICKERS.forEach((t, i) => {
    books.registerMarket(i, PriceGrid.forStructure('linear_cent'));
    tickers.add(t, i);
  });
  const sync = new BookSync({ books, tickers });
  const events: ChannelEvent[] = [];
  const notices: ClientNotice[] = [];
  const logs: Harness['logs'] = [];
  const client = new KalshiWsClient({
    url: server.url,
    credentials,
    books: sync,
    onEvent: (e) => events.push(e),
    onNotice: (n) => notices.push(n),
    onLog: (level, msg, fields) => logs.push({ level, msg, fields }),
    backoff: { baseMs: 10, capMs: 50 },
    staleAfterMs: 0,
    tickMs: 20,
    ...options,
  });
  clients.push(client);
  return { client, books, sync, events, notices, logs };
}

const until = (pred: () => boolean, what: string, timeoutMs = 20_000) => server.until(pred, timeoutMs, what);

function stale(books: BookStore, market: number): boolean {
  const top = emptyBookTop();
  books.readTop(market, top);
  return top.stale;
}

function yesBid(books: BookStore, market: number): [number, number] {
  const top = emptyBookTop();
  books.readTop(market, top);
  return [top.yesBid, top.yesBidSize];
}

/** Start a client with one orderbook subscription over all three markets, snapshots applied. */
async function bookSession(options: Partial<KalshiWsClientOptions> = {}) {
  const script = new Script();
  const h = harness(options);
  const sub = h.client.subscribe('orderbook_delta', { marketTickers: TICKERS });
  h.client.start();
  await until(() => sub.state === 'active' && h.sync.counters.snapshots === 3, 'subscribed with snapshots');
  const socket = server.last;
  return { ...h, script, sub, socket, sid: sub.sid };
}

/** Start the client and return the server side of its (new) connection once its first subscribe is in. */
async function started(client: KalshiWsClient): Promise<FakeSocket> {
  const before = server.sockets.length;
  client.start();
  await until(() => server.sockets.length > before && server.commandsOf('subscribe', server.sockets[before]).length >= 1, 'first subscribe');
  return server.sockets[before];
}

const updates = (socket: FakeSocket, action: string) =>
  server.commandsOf('update_subscription', socket).filter((c) => c.params!.action === action);

describe('KalshiWsClient protocol', () => {
  it('one channel per subscribe, ids from 1 per connection, use_yes_price:false; restored after a reconnect', async () => {
    const script = new Script();
    const h = harness();
    const book = h.client.subscribe('orderbook_delta', { marketTickers: ['M-A', 'M-B'] });
    const fills = h.client.subscribe('fill', { marketTickers: ['M-A'] });
    h.client.start();
    await until(() => book.state === 'active' && fills.state === 'active', 'subscribed');
    const first = server.last;
    expect(server.commandsOf('subscribe', first).map(({ id, params }) => ({ id, params }))).toEqual([
      { id: 1, params: { channels: ['orderbook_delta'], market_tickers: ['M-A', 'M-B'], use_yes_price: false } },
      { id: 2, params: { channels: ['fill'], market_tickers: ['M-A'] } },
    ]);
    const oldSids = [book.sid, fills.sid];
    first.drop();
    await until(() => server.last !== first && book.state === 'active' && fills.state === 'active', 'restored');
    const second = server.last;
    expect(server.commandsOf('subscribe', second).map((c) => c.id)).toEqual([1, 2]);
    expect([book.sid, fills.sid]).not.toEqual(oldSids);
    expect(script.nextSid).toBe(5);
    await until(() => !stale(h.books, 0) && !stale(h.books, 1), 'books rebuilt');
    expect(h.client.stats().reconnects).toBe(1);
  });

  it('gap: every book of the sid goes stale, one get_snapshot for its tickers, fresh again on the reply', async () => {
    const s = await bookSession();
    s.script.answerGetSnapshot = false;
    s.script.book['M-B'] = { yes: [['0.4500', '7.00']], no: [] };
    s.script.next(s.sid); // a number the client never sees
    s.script.delta(s.socket, s.sid, 'M-A', '0.4000', '1.00');
    await until(() => updates(s.socket, 'get_snapshot').length === 1, 'get_snapshot');
    const cmd = updates(s.socket, 'get_snapshot')[0];
    expect(cmd.params).toEqual({ sid: s.sid, market_tickers: TICKERS, action: 'get_snapshot' });
    expect([0, 1, 2].map((m) => stale(s.books, m))).toEqual([true, true, true]);
    expect(s.client.stats()).toMatchObject({ gaps: 1, resyncs: 1 });
    // further deltas are ignored until the snapshots, a second gap asks for nothing more
    s.script.delta(s.socket, s.sid, 'M-A', '0.4000', '1.00');
    s.script.next(s.sid);
    s.script.delta(s.socket, s.sid, 'M-A', '0.4000', '1.00');
    await until(() => s.client.stats().gaps === 2, 'second gap');
    expect(updates(s.socket, 'get_snapshot').length).toBe(1);
    for (const t of TICKERS) s.script.snapshot(s.socket, s.sid, t, cmd.id);
    await until(() => [0, 1, 2].every((m) => !stale(s.books, m)), 'fresh books');
    expect(yesBid(s.books, 1)).toEqual([4500, 700]);
    s.script.delta(s.socket, s.sid, 'M-B', '0.4500', '-2.00');
    await until(() => yesBid(s.books, 1)[1] === 500, 'delta applied after the resync');
    expect(s.client.stats().resubscribes).toBe(0);
  });

  it('a refused get_snapshot falls back to unsubscribe + subscribe (new sid, fresh snapshots)', async () => {
    const s = await bookSession();
    s.script.answerGetSnapshot = false;
    s.script.next(s.sid);
    s.script.delta(s.socket, s.sid, 'M-A', '0.4000', '1.00');
    await until(() => updates(s.socket, 'get_snapshot').length === 1, 'get_snapshot');
    const cmd = updates(s.socket, 'get_snapshot')[0];
    s.socket.send({ id: cmd.id, type: 'error', msg: { code: 18, msg: 'Command timeout' } });
    await until(() => server.commandsOf('subscribe', s.socket).length === 2 && s.sub.state === 'active', 'resubscribed');
    expect(server.commandsOf('unsubscribe', s.socket).map((c) => c.params)).toEqual([{ sids: [s.sid] }]);
    expect(s.sub.sid).not.toBe(s.sid);
    await until(() => [0, 1, 2].every((m) => !stale(s.books, m)), 'fresh books');
    expect(s.client.stats()).toMatchObject({ resubscribes: 1, errors: { 18: 1 } });
    expect(s.notices.some((n) => n.kind === 'resubscribing' && /get_snapshot refused/.test(n.reason))).toBe(true);
    // frames still in flight on the old sid are ignored
    s.script.delta(s.socket, s.sid, 'M-A', '0.4000', '1.00');
    await until(() => s.client.stats().untracked === 1, 'old sid ignored');
  });

  for (const code of [10, 25, 17]) {
    it(`error ${code} on a subscription resubscribes that channel (the server ended it: no unsubscribe)`, async () => {
      const s = await bookSession();
      const trades = s.client.subscribe('trade');
      await until(() => trades.state === 'active', 'trade subscribed');
      s.socket.send({ type: 'error', sid: s.sid, msg: { code, msg: 'terminal' } });
      s.socket.send({ type: 'error', sid: trades.sid, msg: { code, msg: 'terminal' } });
      await until(() => server.commandsOf('subscribe', s.socket).length === 4 && s.sub.state === 'active' && trades.state === 'active', 'resubscribed');
      expect(server.commandsOf('subscribe', s.socket).slice(2).map((c) => c.params!.channels[0]).sort()).toEqual(['orderbook_delta', 'trade']);
      expect(server.commandsOf('unsubscribe', s.socket)).toEqual([]);
      await until(() => [0, 1, 2].every((m) => !stale(s.books, m)), 'books rebuilt');
      expect(s.client.stats()).toMatchObject({ resubscribes: 2, errors: { [code]: 2 } });
    });
  }

  it('ok / error frames carrying seq are tolerated (advance); one beyond last + 1 is a gap', async () => {
    const s = await bookSession();
    s.script.answerGetSnapshot = false;
    const last = s.script.seq.get(s.sid)!; // 3: the snapshots
    s.socket.send({ id: 99, sid: s.sid, seq: last, type: 'ok', msg: { market_tickers: TICKERS } }); // ack not consuming
    s.script.delta(s.socket, s.sid, 'M-A', '0.4000', '1.00');
    s.socket.send({ id: 98, sid: s.sid, seq: s.script.next(s.sid), type: 'ok' }); // ack consuming a number
    s.script.delta(s.socket, s.sid, 'M-A', '0.4000', '1.00');
    s.socket.send({ id: 97, sid: s.sid, seq: s.script.next(s.sid), type: 'error', msg: { code: 27, msg: 'Too many requests' } });
    s.script.delta(s.socket, s.sid, 'M-A', '0.4000', '1.00');
    await until(() => yesBid(s.books, 0)[1] === 400, 'three deltas applied');
    expect(s.client.stats()).toMatchObject({ gaps: 0, duplicates: 0, errors: { 27: 1 } });
    s.socket.send({ sid: s.sid, seq: s.script.next(s.sid) + 1, type: 'ok' });
    await until(() => s.client.stats().gaps === 1, 'gap from an ack');
    expect(updates(s.socket, 'get_snapshot').length).toBe(1);
  });

  it('a stale book whose snapshot never comes: the subscription is re-issued after snapshotTimeoutMs', async () => {
    const s = await bookSession({ snapshotTimeoutMs: 300 });
    s.script.answerGetSnapshot = false;
    s.script.next(s.sid);
    s.script.delta(s.socket, s.sid, 'M-C', '0.4000', '1.00');
    await until(() => updates(s.socket, 'get_snapshot').length === 1, 'get_snapshot');
    await until(() => server.commandsOf('subscribe', s.socket).length === 2 && s.sub.state === 'active', 'resubscribed');
    expect(server.commandsOf('unsubscribe', s.socket).map((c) => c.params)).toEqual([{ sids: [s.sid] }]);
    await until(() => [0, 1, 2].every((m) => !stale(s.books, m)), 'fresh books');
    expect(s.notices.some((n) => n.kind === 'resubscribing' && /no snapshot within 300 ms/.test(n.reason))).toBe(true);
  });

  it('a subscribe never answered is sent again; the late reply to the first is unsubscribed', async () => {
    let subscribes = 0;
    server.onCommand = (c) => {
      // the first subscribe is never answered (in time); later ones at once, sids 41, 42, …
      if (c.cmd === 'subscribe' && ++subscribes > 1) c.socket.send({ id: c.id, type: 'subscribed', msg: { channel: 'trade', sid: 39 + subscribes } });
    };
    const h = harness({ commandTimeoutMs: 300 });
    const trades = h.client.subscribe('trade');
    h.client.start();
    await until(() => trades.state === 'active', 'bound to the second');
    const socket = server.last;
    const [first] = server.commandsOf('subscribe', socket);
    expect(trades.sid).toBe(41);
    socket.send({ id: first.id, type: 'subscribed', msg: { channel: 'trade', sid: 40 } });
    await until(() => server.commandsOf('unsubscribe', socket).length === 1, 'orphan unsubscribed');
    expect(server.commandsOf('unsubscribe', socket)[0].params).toEqual({ sids: [40] });
    expect(trades.sid).toBe(41);
    expect(h.client.stats().commandTimeouts).toBe(1);
  });

  it('markets the exchange refuses are dropped (notice) and the rest subscribed', async () => {
    const script = new Script();
    script.answerSubscribe = false;
    const h = harness();
    const sub = h.client.subscribe('orderbook_delta', { marketTickers: TICKERS });
    const socket = await started(h.client);
    script.answerSubscribe = true;
    socket.send({ id: 1, type: 'error', msg: { code: 11, msg: 'unknown market ticker', market_tickers: ['M-C'] } });
    await until(() => sub.state === 'active', 'subscribed without M-C');
    expect(server.commandsOf('subscribe', socket)[1].params!.market_tickers).toEqual(['M-A', 'M-B']);
    expect(h.notices.find((n) => n.kind === 'markets_refused')).toMatchObject({ tickers: ['M-C'], code: 11 });
    expect([...sub.tickers!]).toEqual(['M-A', 'M-B']);
    await until(() => !stale(h.books, 0) && !stale(h.books, 1), 'books');
    expect(stale(h.books, 2)).toBe(true);
    expect(h.sync.isAwaiting(2)).toBe(false);
  });

  it('a subscribe refused outright is left refused (retried on the next connection)', async () => {
    const script = new Script();
    script.answerSubscribe = false;
    const h = harness();
    const sub = h.client.subscribe('market_lifecycle_v2');
    const first = await started(h.client);
    first.send({ id: 1, type: 'error', msg: { code: 8, msg: 'Unknown channel name' } });
    await until(() => sub.state === 'refused', 'refused');
    expect(sub.lastError).toEqual({ code: 8, msg: 'Unknown channel name' });
    script.answerSubscribe = true;
    first.drop();
    await until(() => sub.state === 'active', 'subscribed on the next connection');
  });

  it('schema errors are counted and reported, never thrown; sequenced events stay in order', async () => {
    const script = new Script();
    const h = harness();
    const trades = h.client.subscribe('trade');
    const fills = h.client.subscribe('fill');
    h.client.start();
    await until(() => trades.state === 'active' && fills.state === 'active', 'subscribed');
    const socket = server.last;
    const trade = (seq: number, price = '0.3600', no = '0.6400') => ({
      type: 'trade', sid: trades.sid, seq,
      msg: { trade_id: `t${seq}`, market_ticker: 'M-A', yes_price_dollars: price, no_price_dollars: no, count_fp: '1.00', taker_outcome_side: 'yes', taker_book_side: 'bid', is_block_trade: false, ts_ms: 5 },
    });
    socket.send(trade(1));
    socket.send(trade(2, '0.3600', '0.6500')); // no price is not 1 − yes: schema error, its number consumed
    socket.send({ type: 'fill', sid: fills.sid, msg: { trade_id: 'x' } }); // fields missing
    socket.send(trade(3));
    socket.send(trade(3)); // duplicate
    socket.send(trade(5)); // gap: 4 lost
    await until(() => h.events.filter((e) => e.type === 'trade').length === 3, 'trades');
    expect(h.events.map((e) => e.type === 'trade' && e.seq)).toEqual([1, 3, 5]);
    const s = h.client.stats();
    expect(s).toMatchObject({ schemaErrors: 2, duplicates: 1, gaps: 1, callbackErrors: 0, internalErrors: 0 });
    expect(h.notices.filter((n) => n.kind === 'events_lost').map((n) => n.kind === 'events_lost' && [n.channel, n.reason])).toEqual([
      ['trade', 'schema'],
      ['fill', 'schema'],
      ['trade', 'gap'],
    ]);
    expect(h.logs.some((l) => l.msg.includes('does not match the schema') && String(l.fields.error).includes('no_price_dollars'))).toBe(true);
    void script;
  });

  it('unsequenced private events are delivered whatever their sid; a throwing onEvent is counted', async () => {
    new Script();
    let calls = 0;
    const h = harness({
      onEvent: () => {
        calls++;
        throw new Error('host bug');
      },
    });
    h.client.subscribe('fill');
    h.client.start();
    await until(() => h.client.stats().connects === 1, 'open');
    server.last.send({
      type: 'fill', sid: 999,
      msg: {
        trade_id: 't', order_id: 'o', market_ticker: 'M-A', exchange_index: 0, is_taker: true, yes_price_dollars: '0.5000', count_fp: '1.00',
        fee_cost: '0.010000', outcome_side: 'yes', book_side: 'bid', post_position_fp: '1.00', ts_ms: 1,
      },
    });
    await until(() => h.client.stats().callbackErrors === 1, 'callback error');
    expect(calls).toBe(1);
    expect(h.client.stats().events).toBe(1);
    expect(h.client.state).toBe('open');
  });

  it('a snapshot with an old-looking seq is applied when its book awaits one, else ignored as a duplicate', async () => {
    const s = await bookSession();
    s.script.answerGetSnapshot = false;
    s.script.next(s.sid);
    s.script.delta(s.socket, s.sid, 'M-A', '0.4000', '1.00');
    await until(() => updates(s.socket, 'get_snapshot').length === 1, 'get_snapshot');
    const cmd = updates(s.socket, 'get_snapshot')[0];
    // replies that do not consume sequence numbers (Kalshi is silent on it)
    const last = s.script.seq.get(s.sid)!;
    s.script.book['M-A'] = { yes: [['0.3000', '3.00']], no: [] };
    for (const t of TICKERS) s.script.snapshot(s.socket, s.sid, t, cmd.id, last);
    await until(() => [0, 1, 2].every((m) => !stale(s.books, m)), 'applied');
    expect(yesBid(s.books, 0)).toEqual([3000, 300]);
    expect(s.client.stats().duplicates).toBe(0);
    // the same again: no book awaits it now
    s.script.snapshot(s.socket, s.sid, 'M-A', undefined, last);
    await until(() => s.client.stats().duplicates === 1, 'duplicate');
    expect(s.client.stats().books!.snapshots).toBe(6);
  });

  it('a refused delta resyncs just its book; a malformed frame naming sid and ticker likewise', async () => {
    const s = await bookSession();
    s.script.answerGetSnapshot = false;
    s.script.delta(s.socket, s.sid, 'M-A', '0.4150', '1.00'); // off the cent grid
    await until(() => updates(s.socket, 'get_snapshot').length === 1, 'get_snapshot');
    expect(updates(s.socket, 'get_snapshot')[0].params!.market_tickers).toEqual(['M-A']);
    expect(s.client.stats().books!.refused).toEqual({ off_grid: 1 });
    expect([0, 1, 2].map((m) => stale(s.books, m))).toEqual([true, false, false]);

    s.socket.send(`{"type":"orderbook_delta","sid":${s.sid},"seq":${s.script.next(s.sid)},"msg":{"market_ticker":"M-B","price_dollars":"0.4x","delta_fp":"1.00","side":"yes"}}`);
    await until(() => updates(s.socket, 'get_snapshot').length === 2, 'second get_snapshot');
    expect(updates(s.socket, 'get_snapshot')[1].params!.market_tickers).toEqual(['M-B']);
    expect(Object.values(s.client.stats().malformed)).toEqual([1]);
    expect(s.client.stats().gaps).toBe(0); // its seq was read and accounted for
    expect([0, 1, 2].map((m) => stale(s.books, m))).toEqual([true, true, false]);
  });

  it('addMarkets while the subscribe is in flight is sent once it is bound; removeMarkets sends delete_markets', async () => {
    const script = new Script();
    script.answerSubscribe = false;
    const h = harness();
    const sub = h.client.subscribe('orderbook_delta', { marketTickers: ['M-A'] });
    const socket = await started(h.client);
    h.client.addMarkets(sub, ['M-B', 'M-A']);
    expect(server.commandsOf('update_subscription', socket).map((c) => c.params)).toEqual([]);
    socket.send({ id: 1, type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 7 } });
    script.snapshot(socket, 7, 'M-A');
    await until(() => updates(socket, 'add_markets').length === 1, 'add_markets');
    expect(updates(socket, 'add_markets')[0].params).toEqual({ sid: 7, market_tickers: ['M-B'], action: 'add_markets' });
    await until(() => !stale(h.books, 0) && !stale(h.books, 1), 'both books');
    h.client.removeMarkets(sub, ['M-A']);
    await until(() => updates(socket, 'delete_markets').length === 1, 'delete_markets');
    expect(updates(socket, 'delete_markets')[0].params).toEqual({ sid: 7, market_tickers: ['M-A'], action: 'delete_markets' });
    expect(stale(h.books, 0)).toBe(true);
    // a snapshot still in flight for the removed market does not revive its book
    script.snapshot(socket, 7, 'M-A');
    await until(() => h.client.stats().untracked === 1, 'ignored');
    expect(stale(h.books, 0)).toBe(true);
  });
  it('refuses orderbook markets the host has not indexed and registered, or already subscribed elsewhere', () => {
    const books = BookStore.create({ maxMarkets: 2 });
    const tickers = new TickerIndex();
    books.registerMarket(0, PriceGrid.forStructure('linear_cent'));
    tickers.add('M-A', 0);
    tickers.add('M-U', 1); // indexed, never registered
    const client = new KalshiWsClient({ url: server.url, credentials, books: new BookSync({ books, tickers }) });
    clients.push(client);
    expect(() => client.subscribe('orderbook_delta', { marketTickers: ['M-Z'] })).toThrow(/not in the TickerIndex/);
    expect(() => client.subscribe('orderbook_delta', { marketTickers: ['M-U'] })).toThrow(/not registered in the BookStore/);
    const sub = client.subscribe('orderbook_delta', { marketTickers: ['M-A'] });
    expect(() => client.subscribe('orderbook_delta', { marketTickers: ['M-A'] })).toThrow(/already in subscription/);
    client.unsubscribe(sub);
    expect(client.subscribe('orderbook_delta', { marketTickers: ['M-A'] }).state).toBe('pending');
    const bare = new KalshiWsClient({ url: server.url, credentials });
    clients.push(bare);
    expect(() => bare.subscribe('orderbook_delta', { marketTickers: ['M-A'] })).toThrow(/needs a BookSync/);
  });
});
