/**
 * The market-data stage (architecture.md §4 step 1) for one shard of markets: its own WebSocket
 * client, orderbook snapshots and deltas parsed from bytes straight into the shared BookStore
 * (this stage is the single writer of its markets' books), the shard's dirty channel told of
 * every book that changed, and lifecycle and trade events handed on (cold path).
 *
 * The same object runs in a market-data worker (threaded topology) or on the one thread
 * (inline). Gaps, duplicates, malformed frames, reconnects: the WebSocket client's business
 * (src/shared/kalshi/ws/client.ts) — books go stale and are rebuilt from fresh snapshots.
 *
 * Markets come and go while it runs (market rotation, src/main/host/market-rotation.ts):
 * `addMarket` takes a slot the main thread has already registered in the BookStore, gives it
 * the next shard-local index (never reused) and adds it to the orderbook and trade
 * subscriptions (`update_subscription add_markets`; its snapshot follows); `removeMarket` takes
 * a closed market out of both (its book turns stale, its local index stays retired).
 */
import { emptyBookTop, type BookStore } from '../../shared/book-store.js';
import type { DirtyMarkets } from '../../shared/dirty-markets.js';
import type { LatencySnapshot } from '../../shared/latency-histogram.js';
import type { KalshiCredentials } from '../../shared/kalshi-signing.js';
import { BookSync, type BookRecorder } from '../../shared/kalshi/ws/book-sync.js';
import type { ChannelEvent } from '../../shared/kalshi/ws/channel-events.js';
import { KalshiWsClient, type ClientNotice, type KalshiWsStats, type Subscription } from '../../shared/kalshi/ws/client.js';
import { TickerIndex } from '../../shared/kalshi/ws/ticker-index.js';

export interface ShardMarket {
  /** Global market index (BookStore and PositionBoard slot). */
  index: number;
  ticker: string;
}

export interface MarketDataStageOptions {
  url: string;
  credentials: KalshiCredentials;
  books: BookStore;
  /** This shard's markets, in shard-local order: local index i ↔ markets[i]. */
  markets: readonly ShardMarket[];
  /** The shard's dirty channel (shard-local indexes) to its inference worker. */
  dirty: DirtyMarkets;
  /** Also subscribe `market_lifecycle_v2` (one shard does, for all markets). */
  lifecycle: boolean;
  /** Lifecycle and trade events, and client notices (cold path). */
  onEvent?: (event: ChannelEvent) => void;
  onNotice?: (notice: ClientNotice) => void;
  /** WebSocket watchdog: no frame for this long → reconnect (ms, default 30,000). */
  staleAfterMs?: number;
  /** Told of every book change in order (recording market data for replay). */
  recorder?: BookRecorder;
}

export interface MarketDataStats {
  ws: KalshiWsStats;
  books: BookSync['counters'];
  markets: number;
  /** Delta frames received → applied to the book, ns, since the start. */
  applyLatency: LatencySnapshot;
}

export class MarketDataStage {
  private readonly client: KalshiWsClient;
  private readonly sync: BookSync;
  private readonly tickers = new TickerIndex();
  /** Global slot → shard-local index (−1: not this shard's). */
  private readonly toLocal: Int32Array;
  /** This shard's markets by local index, removed ones included (a local index is never reused). */
  private readonly markets = new Map<number, ShardMarket>();
  /** The lowest local index never given out. */
  private nextLocal = 0;
  /** Local indexes taken out of the subscriptions. */
  private readonly removed = new Set<number>();
  private bookSub: Subscription | undefined;
  private tradeSub: Subscription | undefined;

  constructor(private readonly o: MarketDataStageOptions) {
    if (o.markets.length === 0) throw new RangeError('a market-data shard needs at least one market');
    if (o.markets.length > o.dirty.markets) throw new RangeError(`the shard has ${o.markets.length} markets but its dirty channel covers ${o.dirty.markets}`);
    const tickers = this.tickers;
    const toLocal = (this.toLocal = new Int32Array(o.books.maxMarkets).fill(-1));
    o.markets.forEach((m, local) => {
      tickers.add(m.ticker, m.index);
      toLocal[m.index] = local;
      this.markets.set(local, { index: m.index, ticker: m.ticker });
    });
    this.nextLocal = o.markets.length;
    const dirty = o.dirty;
    this.sync = new BookSync({
      books: o.books,
      tickers,
      recorder: o.recorder,
      dirty: {
        markDirty(global: number): boolean {
          const local = toLocal[global];
          return local >= 0 ? dirty.markDirty(local) : false;
        },
      },
    });
    this.client = new KalshiWsClient({
      url: o.url,
      credentials: o.credentials,
      books: this.sync,
      onEvent: o.onEvent,
      onNotice: o.onNotice,
      staleAfterMs: o.staleAfterMs,
    });
  }

  /** The ticker of a global slot this shard serves (removed ones included), for records. */
  tickerOf(index: number): string | undefined {
    const local = this.toLocal[index];
    return local >= 0 ? this.markets.get(local)?.ticker : undefined;
  }

  start(): void {
    const tickers = [...this.markets.values()].map((m) => m.ticker);
    this.bookSub = this.client.subscribe('orderbook_delta', { marketTickers: tickers });
    this.tradeSub = this.client.subscribe('trade', { marketTickers: tickers });
    if (this.o.lifecycle) this.client.subscribe('market_lifecycle_v2');
    this.client.start();
  }

  /**
   * A new market for this shard (cold path): slot `market.index` must already be registered in
   * the BookStore (by the main thread, the owner of the market table). It takes shard-local index
   * `local` (default: the next one; the host chooses it, as it tells the inference stage the same
   * index; local indexes are never reused) — returned — and joins the subscriptions; its book
   * stays stale until its snapshot.
   */
  addMarket(market: ShardMarket, local = this.nextLocal): number {
    const { index, ticker } = market;
    if (this.bookSub === undefined || this.tradeSub === undefined) throw new Error('addMarket before start');
    if (!Number.isInteger(index) || index < 0 || index >= this.toLocal.length) throw new RangeError(`market ${ticker}: slot ${index} outside the BookStore's 0..${this.toLocal.length - 1}`);
    if (this.toLocal[index] >= 0) throw new RangeError(`market slot ${index} is already in this shard`);
    if (!this.o.books.isRegistered(index)) throw new RangeError(`market ${ticker}: slot ${index} is not registered in the BookStore`);
    if (!Number.isInteger(local) || local < this.nextLocal) throw new RangeError(`local index ${local} is taken (next free: ${this.nextLocal})`);
    if (local >= this.o.dirty.markets) throw new RangeError(`the shard's dirty channel covers ${this.o.dirty.markets} markets: no room for ${ticker} at ${local}`);
    this.tickers.add(ticker, index); // throws on a ticker already indexed, before anything changed
    this.toLocal[index] = local;
    this.markets.set(local, { index, ticker });
    this.nextLocal = local + 1;
    this.client.addMarkets(this.bookSub, [ticker]);
    this.client.addMarkets(this.tradeSub, [ticker]);
    return local;
  }

  /** Take a market (it closed) out of the subscriptions: its book turns stale; its local index is not reused. */
  removeMarket(index: number): boolean {
    const local = index >= 0 && index < this.toLocal.length ? this.toLocal[index] : -1;
    if (local < 0 || this.removed.has(local)) return false;
    this.removed.add(local);
    const { ticker } = this.markets.get(local)!;
    if (this.bookSub !== undefined) this.client.removeMarkets(this.bookSub, [ticker]);
    if (this.tradeSub !== undefined) this.client.removeMarkets(this.tradeSub, [ticker]);
    return true;
  }

  /** Books of this shard's subscribed markets not yet (or no longer) fresh. */
  staleBooks(): number {
    let n = 0;
    const top = emptyBookTop();
    for (const [local, m] of this.markets) {
      if (this.removed.has(local)) continue;
      if (!this.o.books.readTop(m.index, top) || top.stale) n++;
    }
    return n;
  }

  stats(): MarketDataStats {
    return { ws: this.client.stats(), books: { ...this.sync.counters }, markets: this.markets.size - this.removed.size, applyLatency: this.sync.applyLatency.snapshot() };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
