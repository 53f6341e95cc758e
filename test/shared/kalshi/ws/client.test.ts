/**
 * KalshiWsClient against the in-process simulator (real sockets, real signing, synthetic
 * liquidity in real time): every channel with typed events, books in BookStore equal to the
 * exchange's own, and recovery from each WebSocket fault the simulator injects (gap, duplicate,
 * malformed, drop, stall). Books are compared after the liquidity is stopped, waiting for the
 * stream to settle — never after a fixed sleep.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BookStore, emptyBookTop } from '../../../../src/shared/book-store.js';
import { DirtyMarkets, NO_DIRTY_MARKET } from '../../../../src/shared/dirty-markets.js';
import { KalshiCredentials } from '../../../../src/shared/kalshi-signing.js';
import { BookSync } from '../../../../src/shared/kalshi/ws/book-sync.js';
import type { ChannelEvent } from '../../../../src/shared/kalshi/ws/channel-events.js';
import { KalshiWsClient, type ClientNotice, type KalshiWsClientOptions } from '../../../../src/shared/kalshi/ws/client.js';
import { TickerIndex } from '../../../../src/shared/kalshi/ws/ticker-index.js';
import type { MarketState } from '../../../../src/sim/engine/types.js';
import { startSimulator, type Simulator } from '../../../../src/sim/simulator.js';
import { makeKey, type TestKey } from '../../../support/sim-client.js';

let sim: Simulator;
let key: TestKey;
let credentials: KalshiCredentials;
/** Active markets that stay open well past the test run. */
let markets: MarketState[];
const clients: KalshiWsClient[] = [];

beforeAll(async () => {
  key = makeKey('ws-client-key');
  credentials = new KalshiCredentials(key.keyId, key.privateKey);
  sim = await startSimulator({ keys: [key], port: 0, markets: 24, rate: 1500, seed: 5, pingIntervalMs: 100, balance: 1_000_000_000, tier: 'prestige' });
  const soon = Date.now() + 3_600_000;
  markets = sim.exchange.markets().filter((m) => m.status === 'active' && m.closeMs > soon).slice(0, 10);
  expect(markets.length).toBeGreaterThanOrEqual(6);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  sim.control.setLiquidity(true);
});

afterAll(() => sim?.close());

/** Resolves when `pred()` holds; checks every 20 ms. */
async function until(pred: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Harness {
  client: KalshiWsClient;
  books: BookStore;
  sync: BookSync;
  dirty: DirtyMarkets;
  events: ChannelEvent[];
  notices: ClientNotice[];
  logs: string[];
}

function harness(options: Partial<KalshiWsClientOptions> = {}): Harness {
  const all = sim.exchange.markets();
  const ladderWords = all.reduce((n, m) => n + 2 * m.grid.levelCount, 0);
  const books = BookStore.create({ maxMarkets: all.length, ladderWords });
  const tickers = new TickerIndex();
  for (const m of markets) {
    books.registerMarket(m.index, m.grid);
    tickers.add(m.ticker, m.index);
  }
  const dirty = DirtyMarkets.create(all.length);
  const sync = new BookSync({ books, tickers, dirty });
  const events: ChannelEvent[] = [];
  const notices: ClientNotice[] = [];
  const logs: string[] = [];
  const client = new KalshiWsClient({
    url: sim.wsUrl,
    credentials,
    books: sync,
    onEvent: (e) => events.push(e),
    onNotice: (n) => notices.push(n),
    onLog: (level, msg) => logs.push(`${level} ${msg}`),
    backoff: { baseMs: 20, capMs: 200 },
    staleAfterMs: 0,
    ...options,
  });
  clients.push(client);
  return { client, books, sync, dirty, events, notices, logs };
}

/** Markets whose BookStore book is stale or differs from the exchange's book (both sides). */
function mismatches(books: BookStore): string[] {
  const out: string[] = [];
  const prices = new Int32Array(20_002);
  const sizes = new Int32Array(20_002);
  const top = emptyBookTop();
  for (const m of markets) {
    if (!books.readTop(m.index, top) || top.stale) {
      out.push(`${m.ticker}: stale`);
      continue;
    }
    for (const [side, name] of [[0, 'yes'], [1, 'no']] as const) {
      const n = books.readDepth(m.index, side, prices.length, prices, sizes);
      const ours = Array.from({ length: n }, (_, i) => `${prices[i]}:${sizes[i]}`);
      const theirs = sim.exchange.bookLevels(m.index, name).reverse().map(([p, s]) => `${p}:${s}`);
      if (ours.join(',') !== theirs.join(',')) out.push(`${m.ticker} ${name}: ${n} levels vs ${theirs.length}`);
    }
  }
  return out;
}

/** Stop the crowd and wait until every book in BookStore equals the exchange's. */
async function expectBooksEqual(books: BookStore): Promise<void> {
  sim.control.setLiquidity(false);
  await expect.poll(() => mismatches(books), { timeout: 30_000, interval: 50 }).toEqual([]);
}

function subscribeBooks(h: Harness) {
  return h.client.subscribe('orderbook_delta', { marketTickers: markets.map((m) => m.ticker) });
}

const tickersOf = () => markets.map((m) => m.ticker);

describe('KalshiWsClient against the simulator', () => {
  it('keeps BookStore equal to the exchange through a live stream, answering heartbeat Pings', async () => {
    const h = harness();
    const sub = subscribeBooks(h);
    h.client.start();
    await until(() => sub.state === 'active', 'subscribed');
    await until(() => h.sync.counters.snapshots >= markets.length, 'initial snapshots');
    await until(() => h.sync.counters.deltas >= 300, '300 deltas');
    // heartbeat: the simulator pings every 100 ms; ws pongs; the connection stays up
    await until(() => h.client.stats().pings >= 5, 'five pings');
    await expectBooksEqual(h.books);
    const s = h.client.stats();
    expect(s.connects).toBe(1);
    expect(s.reconnects).toBe(0);
    expect(s.gaps).toBe(0);
    expect(s.duplicates).toBe(0);
    expect(s.malformed).toEqual({});
    expect(s.books!.refused).toEqual({});
    expect(s.frames).toBeGreaterThan(300);
    expect(s.lastFrameWallMs).toBeGreaterThan(0);
    // every applied update reached the dirty channel (coalesced per market)
    const seen = new Set<number>();
    for (let m = h.dirty.nextDirty(); m !== NO_DIRTY_MARKET; m = h.dirty.nextDirty()) seen.add(m);
    expect([...seen].sort((a, b) => a - b)).toEqual(markets.map((m) => m.index).sort((a, b) => a - b));
  });

  it('subscribes every public and private channel and delivers typed events', async () => {
    const h = harness();
    const [m] = markets;
    const subs = [
      subscribeBooks(h),
      h.client.subscribe('ticker', { marketTickers: [m.ticker] }),
      h.client.subscribe('trade', { marketTickers: [m.ticker] }),
      h.client.subscribe('fill'),
      h.client.subscribe('market_positions'),
      h.client.subscribe('user_orders'),
      h.client.subscribe('order_group_updates'),
      h.client.subscribe('market_lifecycle_v2'),
    ];
    h.client.start();
    await until(() => subs.every((s) => s.state === 'active'), 'all subscribed');
    expect(new Set(subs.map((s) => s.sid)).size).toBe(subs.length);
    await until(() => h.sync.counters.snapshots >= markets.length, 'snapshots');
    sim.control.setLiquidity(false);

    const group = sim.exchange.createOrderGroup(key.keyId, 100_000);
    const [noBid] = sim.exchange.bestBid(m.index, 'no')!;
    const result = sim.control.placeOrder(key.keyId, {
      ticker: m.ticker, side: 'bid', price: 10_000 - noBid, count: 100, timeInForce: 'immediate_or_cancel',
      selfTradePrevention: 'taker_at_cross', clientOrderId: 'ws-client-fill-1', orderGroupId: group.id,
    });
    expect(result.fills.length).toBeGreaterThan(0);
    sim.exchange.pause(m.ticker);
    sim.exchange.resume(m.ticker);

    const has = (pred: (e: ChannelEvent) => boolean) => h.events.some(pred);
    await until(
      () =>
        has((e) => e.type === 'fill' && e.clientOrderId === 'ws-client-fill-1') &&
        has((e) => e.type === 'user_order' && e.clientOrderId === 'ws-client-fill-1') &&
        has((e) => e.type === 'market_position' && e.marketTicker === m.ticker) &&
        has((e) => e.type === 'order_group_updates' && e.orderGroupId === group.id) &&
        has((e) => e.type === 'trade' && e.marketTicker === m.ticker) &&
        has((e) => e.type === 'ticker' && e.marketTicker === m.ticker) &&
        has((e) => e.type === 'market_lifecycle_v2' && e.marketTicker === m.ticker && e.eventType === 'activated'),
      'an event on every channel',
    );
    const fill = h.events.find((e) => e.type === 'fill' && e.clientOrderId === 'ws-client-fill-1')!;
    expect(fill).toMatchObject({ type: 'fill', marketTicker: m.ticker, outcomeSide: 'yes', bookSide: 'bid', yesPrice: 10_000 - noBid, isTaker: true });
    const order = h.events.find((e) => e.type === 'user_order' && e.clientOrderId === 'ws-client-fill-1')!;
    expect(order).toMatchObject({ marketTicker: m.ticker, orderGroupId: group.id, initialCount: 100 });
    const position = h.events.filter((e) => e.type === 'market_position' && e.marketTicker === m.ticker).at(-1)!;
    expect(position.type === 'market_position' && position.position).toBeGreaterThan(0);
    const created = h.events.find((e) => e.type === 'order_group_updates' && e.orderGroupId === group.id)!;
    expect(created).toMatchObject({ eventType: 'created', contractsLimit: 100_000 });
    const lifecycle = h.events.filter((e) => e.type === 'market_lifecycle_v2' && e.marketTicker === m.ticker).map((e) => e.type === 'market_lifecycle_v2' && e.eventType);
    expect(lifecycle).toEqual(['deactivated', 'activated']);
    const s = h.client.stats();
    expect(s.schemaErrors).toBe(0);
    expect(s.gaps).toBe(0);
    await expectBooksEqual(h.books); // our own order's deltas too
  });

  it('gap: every book of the subscription goes stale, is re-snapshotted, and matches again', async () => {
    const h = harness();
    const sub = subscribeBooks(h);
    h.client.start();
    await until(() => h.sync.counters.snapshots >= markets.length && h.sync.counters.deltas >= 50, 'streaming');
    const before = h.sync.counters.snapshots;
    const sid = sub.sid;
    sim.control.inject('gap');
    await until(() => h.client.stats().gaps >= 1, 'the gap seen');
    await until(() => h.sync.counters.snapshots >= before + markets.length, 'fresh snapshots for every book');
    const s = h.client.stats();
    expect(s.resyncs).toBeGreaterThanOrEqual(1);
    expect(s.books!.invalidations).toBeGreaterThanOrEqual(markets.length);
    expect(s.resubscribes).toBe(0); // get_snapshot did it, on the same sid
    expect(sub.sid).toBe(sid);
    await expectBooksEqual(h.books);
  });

  it('duplicate: the repeated frame is ignored and counted; no resync', async () => {
    const h = harness();
    subscribeBooks(h);
    h.client.start();
    await until(() => h.sync.counters.snapshots >= markets.length && h.sync.counters.deltas >= 50, 'streaming');
    sim.control.inject('duplicate');
    await until(() => h.client.stats().duplicates === 1, 'the duplicate seen');
    await expectBooksEqual(h.books);
    const s = h.client.stats();
    expect(s.duplicates).toBe(1);
    expect(s.gaps).toBe(0);
    expect(s.resyncs).toBe(0);
    expect(s.books!.refused).toEqual({});
  });

  it('malformed frame: counted by reason, never thrown; the books it may have touched are rebuilt', async () => {
    const h = harness();
    subscribeBooks(h);
    h.client.start();
    await until(() => h.sync.counters.snapshots >= markets.length && h.sync.counters.deltas >= 50, 'streaming');
    const before = h.sync.counters.snapshots;
    sim.control.inject('malformed');
    await until(() => Object.keys(h.client.stats().malformed).length > 0, 'the malformed frame seen');
    expect(h.client.stats().malformed).toEqual({ 'invalid JSON': 1 });
    // the frame named no subscription: every book was marked stale and re-snapshotted
    await until(() => h.sync.counters.snapshots >= before + markets.length, 'fresh snapshots');
    expect(h.notices.some((n) => n.kind === 'events_lost' && n.reason === 'malformed')).toBe(true);
    expect(h.logs.some((l) => l.includes('malformed frame'))).toBe(true);
    await expectBooksEqual(h.books);
    expect(h.client.state).toBe('open');
    expect(h.client.stats().internalErrors).toBe(0);
  });

  it('drop: reconnects with a fresh handshake, restores every subscription (new sids), rebuilds the books', async () => {
    const h = harness();
    const sub = subscribeBooks(h);
    const fills = h.client.subscribe('fill');
    h.client.start();
    await until(() => h.sync.counters.snapshots >= markets.length && h.sync.counters.deltas >= 50 && fills.state === 'active', 'streaming');
    const before = h.sync.counters.snapshots;
    sim.control.inject('drop');
    await until(() => h.notices.some((n) => n.kind === 'disconnected'), 'disconnect noticed');
    const down = h.notices.find((n) => n.kind === 'disconnected')!;
    expect(down).toMatchObject({ willReconnect: true, stale: false });
    await until(() => h.client.stats().reconnects === 1 && sub.state === 'active' && fills.state === 'active', 'reconnected and resubscribed');
    const resubscribed = h.notices.filter((n) => n.kind === 'subscribed');
    expect(resubscribed.length).toBe(4); // two subscriptions, two connections
    await until(() => h.sync.counters.snapshots >= before + markets.length, 'books rebuilt');
    expect(sim.control.connections()).toBe(1);
    await expectBooksEqual(h.books);
  });

  it('stall longer than the watchdog: the connection is cut and re-established; Pings do not keep it alive', async () => {
    const h = harness({ staleAfterMs: 1_000, tickMs: 50 });
    const sub = subscribeBooks(h);
    h.client.start();
    await until(() => h.sync.counters.snapshots >= markets.length && h.sync.counters.deltas >= 50, 'streaming');
    const before = h.sync.counters.snapshots;
    const pings = h.client.stats().pings;
    sim.control.inject('stall:5000');
    await until(() => h.notices.some((n) => n.kind === 'disconnected'), 'watchdog trip');
    expect(h.client.stats().staleTrips).toBe(1);
    expect(h.client.stats().pings).toBeGreaterThan(pings); // heartbeats went on during the stall
    expect(h.notices.find((n) => n.kind === 'disconnected')).toMatchObject({ stale: true, willReconnect: true });
    await until(() => h.client.stats().reconnects === 1 && sub.state === 'active', 'reconnected');
    await until(() => h.sync.counters.snapshots >= before + markets.length, 'books rebuilt');
    await expectBooksEqual(h.books);
  });

  it('a quiet feed is probed instead of cut by the watchdog', async () => {
    const h = harness({ staleAfterMs: 1_500, tickMs: 30 });
    h.client.subscribe('order_group_updates'); // nothing happens on it
    h.client.start();
    await until(() => h.client.stats().probes >= 4, 'four probes');
    expect(h.client.stats().staleTrips).toBe(0);
    expect(h.client.stats().connects).toBe(1);
  });

  it('close(): the socket goes, nothing reconnects, no timer is left', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const h = harness({ staleAfterMs: 5_000 });
    subscribeBooks(h);
    h.client.start();
    await until(() => h.sync.counters.snapshots >= markets.length, 'snapshots');
    await until(() => sim.control.connections() === 1, 'one connection');
    await h.client.close();
    expect(h.client.state).toBe('closed');
    expect(h.notices.at(-1)).toMatchObject({ kind: 'disconnected', willReconnect: false });
    await until(() => sim.control.connections() === 0, 'simulator sees the close');
    const frames = h.client.stats().frames;
    const t0 = Date.now();
    await until(() => Date.now() - t0 > 300, 'time to pass');
    expect(sim.control.connections()).toBe(0);
    expect(h.client.stats().frames).toBe(frames);
    // what is left: the simulator's own timers (liquidity driver, pings), nothing of the client
    sim.control.setLiquidity(true);
    const withClientGone = timers();
    const other = harness({ staleAfterMs: 5_000 });
    other.client.start();
    await until(() => other.client.state === 'open', 'second client open');
    await other.client.close();
    expect(timers()).toBeLessThanOrEqual(withClientGone);
    expect(() => h.client.subscribe('fill')).toThrow(/closed/);
  });

  it('adds and removes markets on a live orderbook subscription', async () => {
    const h = harness();
    const [a, b, c] = tickersOf();
    const sub = h.client.subscribe('orderbook_delta', { marketTickers: [a] });
    h.client.start();
    await until(() => sub.state === 'active' && h.sync.counters.snapshots >= 1, 'first market');
    h.client.addMarkets(sub, [b, c]);
    await until(() => h.sync.counters.snapshots >= 3, 'added markets snapshotted');
    h.client.removeMarkets(sub, [a]);
    expect([...sub.tickers!]).toEqual([b, c]);
    const top = emptyBookTop();
    h.books.readTop(markets[0].index, top);
    expect(top.stale).toBe(true); // no longer maintained
    sim.control.setLiquidity(false);
    const ours = markets.slice(1, 3);
    await expect
      .poll(() => mismatches(h.books).filter((x) => ours.some((m) => x.startsWith(m.ticker))), { timeout: 30_000, interval: 50 })
      .toEqual([]);
    expect(() => h.client.addMarkets(sub, ['NOT-INDEXED'])).toThrow(/TickerIndex/);
    const other = h.client.subscribe('ticker');
    expect(() => h.client.subscribe('orderbook_delta', { marketTickers: [b] })).toThrow(/already in subscription/);
    h.client.unsubscribe(other);
    expect(h.client.subscriptions()).toEqual([sub]);
  });
});
