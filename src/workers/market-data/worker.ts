/** Thread entry of a market-data worker: one MarketDataStage over its shard (see worker-protocol.ts); markets added and removed on command. */
import { parentPort, workerData } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { BookStore, type BookStoreShared } from '../../shared/book-store.js';
import { DirtyMarkets, type DirtyMarketsShared } from '../../shared/dirty-markets.js';
import { KalshiCredentials } from '../../shared/kalshi-signing.js';
import { errorLine, STATS_INTERVAL_MS, type FromWorker, type ToWorker } from '../worker-protocol.js';
import { MarketDataStage, type ShardMarket } from './market-data-stage.js';

export interface MarketDataWorkerData {
  url: string;
  keyId: string;
  privateKey: KeyObject;
  books: BookStoreShared;
  dirty: DirtyMarketsShared;
  markets: ShardMarket[];
  lifecycle: boolean;
  staleAfterMs?: number;
}

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const data = workerData as MarketDataWorkerData;

try {
  const stage = new MarketDataStage({
    url: data.url,
    credentials: new KalshiCredentials(data.keyId, data.privateKey),
    books: BookStore.attach(data.books),
    dirty: DirtyMarkets.attach(data.dirty),
    markets: data.markets,
    lifecycle: data.lifecycle,
    staleAfterMs: data.staleAfterMs,
    onEvent: (event) => {
      if (event.type === 'market_lifecycle_v2' || event.type === 'event_lifecycle') post({ type: 'event', event });
    },
    onNotice: (notice) => post({ type: 'notice', notice }),
  });
  stage.start();
  const timer = setInterval(() => post({ type: 'stats', stats: stage.stats() }), STATS_INTERVAL_MS);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'add_market') {
      try {
        stage.addMarket({ index: m.index, ticker: m.ticker }, m.local);
        post({ type: 'market_added', index: m.index });
      } catch (err) {
        post({ type: 'market_added', index: m.index, error: errorLine(err) });
      }
      return;
    }
    if (m.type === 'remove_market') {
      stage.removeMarket(m.index);
      return;
    }
    if (m.type !== 'stop') return;
    clearInterval(timer);
    void stage.close().then(() => {
      post({ type: 'stopped', stats: stage.stats() });
      port.close();
    });
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'fatal', message: errorLine(err) });
  port.close();
}
