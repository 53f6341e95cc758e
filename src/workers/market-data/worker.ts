/** Thread entry of a market-data worker: one MarketDataStage over its shard (see worker-protocol.ts); markets added and removed on command. */
import { parentPort, workerData } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { BookStore, type BookStoreShared } from '../../shared/book-store.js';
import { DirtyMarkets, type DirtyMarketsShared } from '../../shared/dirty-markets.js';
import { Heartbeats, type HeartbeatsShared } from '../../shared/heartbeats.js';
import { KalshiCredentials } from '../../shared/kalshi-signing.js';
import { MarketDataRecorder } from './market-data-recorder.js';
import { errorLine, heapUsedBytes, JOURNAL_INTERVAL_MS, STATS_INTERVAL_MS, type FromWorker, type ToWorker } from '../worker-protocol.js';
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
  /** Record every book change for replay (journal `market_data`), with this session id and shard number. */
  record?: { sessionId: string; shard: number };
  /** This thread's heartbeat slot (the supervisor watches it). */
  heartbeat?: { heartbeats: HeartbeatsShared; slot: number };
}

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const data = workerData as MarketDataWorkerData;

try {
  let stage: MarketDataStage | undefined;
  const recorder = data.record === undefined ? undefined : new MarketDataRecorder(data.record.sessionId, data.record.shard, (m) => stage?.tickerOf(m));
  const postRecords = () => {
    const rows = recorder?.take();
    if (rows !== undefined && rows.length > 0) post({ type: 'journal', records: rows.map((record) => ({ kind: 'market_data' as const, record })) });
  };
  stage = new MarketDataStage({
    url: data.url,
    credentials: new KalshiCredentials(data.keyId, data.privateKey),
    books: BookStore.attach(data.books),
    dirty: DirtyMarkets.attach(data.dirty),
    markets: data.markets,
    lifecycle: data.lifecycle,
    staleAfterMs: data.staleAfterMs,
    recorder,
    onEvent: (event) => {
      if (event.type === 'market_lifecycle_v2' || event.type === 'event_lifecycle') post({ type: 'event', event });
      else if (event.type === 'trade') recorder?.trade(event, Date.now());
    },
    onNotice: (notice) => post({ type: 'notice', notice }),
  });
  const md = stage;
  md.start();
  const stopBeating = data.heartbeat === undefined ? () => undefined : Heartbeats.attach(data.heartbeat.heartbeats).startBeating(data.heartbeat.slot);
  const postStats = () => post({ type: 'stats', stats: md.stats(), heapUsedBytes: heapUsedBytes() });
  const timer = setInterval(postStats, STATS_INTERVAL_MS);
  const journalTimer = recorder === undefined ? undefined : setInterval(postRecords, JOURNAL_INTERVAL_MS);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'add_market') {
      try {
        md.addMarket({ index: m.index, ticker: m.ticker }, m.local);
        post({ type: 'market_added', index: m.index });
      } catch (err) {
        post({ type: 'market_added', index: m.index, error: errorLine(err) });
      }
      return;
    }
    if (m.type === 'stats_now') {
      postStats();
      return;
    }
    if (m.type === 'remove_market') {
      md.removeMarket(m.index);
      return;
    }
    if (m.type !== 'stop') return;
    stopBeating();
    clearInterval(timer);
    clearInterval(journalTimer);
    void md.close().then(() => {
      postRecords();
      post({ type: 'stopped', stats: md.stats() });
      port.close();
    });
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'fatal', message: errorLine(err) });
  port.close();
}
