/**
 * The market-data stage (architecture.md §4 step 1) for one shard of markets: its own WebSocket
 * client, orderbook snapshots and deltas parsed from bytes straight into the shared BookStore
 * (this stage is the single writer of its markets' books), the shard's dirty channel told of
 * every book that changed, and lifecycle and trade events handed on (cold path).
 *
 * The same object runs in a market-data worker (threaded topology) or on the one thread
 * (inline). Gaps, duplicates, malformed frames, reconnects: the WebSocket client's business
 * (src/shared/kalshi/ws/client.ts) — books go stale and are rebuilt from fresh snapshots.
 */
import { emptyBookTop, type BookStore } from '../../shared/book-store.js';
import type { DirtyMarkets } from '../../shared/dirty-markets.js';
import type { KalshiCredentials } from '../../shared/kalshi-signing.js';
import { BookSync } from '../../shared/kalshi/ws/book-sync.js';
import type { ChannelEvent } from '../../shared/kalshi/ws/channel-events.js';
import { KalshiWsClient, type ClientNotice, type KalshiWsStats } from '../../shared/kalshi/ws/client.js';
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
}

export interface MarketDataStats {
  ws: KalshiWsStats;
  books: BookSync['counters'];
  markets: number;
}

export class MarketDataStage {
  private readonly client: KalshiWsClient;
  private readonly sync: BookSync;

  constructor(private readonly o: MarketDataStageOptions) {
    if (o.markets.length === 0) throw new RangeError('a market-data shard needs at least one market');
    if (o.markets.length > o.dirty.markets) throw new RangeError(`the shard has ${o.markets.length} markets but its dirty channel covers ${o.dirty.markets}`);
    const tickers = new TickerIndex();
    const toLocal = new Int32Array(o.books.maxMarkets).fill(-1);
    o.markets.forEach((m, local) => {
      tickers.add(m.ticker, m.index);
      toLocal[m.index] = local;
    });
    const dirty = o.dirty;
    this.sync = new BookSync({
      books: o.books,
      tickers,
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

  start(): void {
    this.client.subscribe('orderbook_delta', { marketTickers: this.o.markets.map((m) => m.ticker) });
    this.client.subscribe('trade', { marketTickers: this.o.markets.map((m) => m.ticker) });
    if (this.o.lifecycle) this.client.subscribe('market_lifecycle_v2');
    this.client.start();
  }

  /** Books of this shard not yet (or no longer) fresh. */
  staleBooks(): number {
    let n = 0;
    const top = emptyBookTop();
    for (const m of this.o.markets) {
      if (!this.o.books.readTop(m.index, top) || top.stale) n++;
    }
    return n;
  }

  stats(): MarketDataStats {
    return { ws: this.client.stats(), books: { ...this.sync.counters }, markets: this.o.markets.length };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
