/**
 * Thread entry of an inference worker: one InferenceStage over its dirty channels, looping
 * drain → decide → intents, waiting on the channels (Atomics.waitAsync) when idle. Markets
 * added while running arrive as `add_market` (answered `market_added`); the loop awaits between
 * batches, so the message is handled between two batches.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BookStore, type BookStoreShared } from '../../shared/book-store.js';
import { DecisionBoard, type DecisionBoardShared } from '../../shared/decision-board.js';
import { DirtyMarkets, type DirtyMarketsShared } from '../../shared/dirty-markets.js';
import { Heartbeats, type HeartbeatsShared } from '../../shared/heartbeats.js';
import { PriceGrid, type PriceRange } from '../../shared/price-grid.js';
import { PositionBoard, type PositionBoardShared } from '../../shared/position-board.js';
import { loadPolicy } from '../../shared/policy/load-policy.js';
import { SpscRing, type SpscRingShared } from '../../shared/spsc-ring.js';
import { errorLine, heapUsedBytes, JOURNAL_INTERVAL_MS, STATS_INTERVAL_MS, type FromWorker, type ToWorker } from '../worker-protocol.js';
import { InferenceStage } from './inference-stage.js';
import { inferenceStats } from './inference-stats.js';

export interface InferenceWorkerData {
  books: BookStoreShared;
  board: PositionBoardShared;
  /** The last decision per market (the dashboard's). */
  decisions?: DecisionBoardShared;
  channels: Array<{ dirty: DirtyMarketsShared; toGlobal: Int32Array }>;
  intents: SpscRingShared;
  /** Per global market index: close time and grid ranges (undefined: not traded). */
  meta: Array<{ closeTimeMs: number; ranges: PriceRange[] } | null>;
  policy: string;
  maxBatch?: number;
  /** Post every decision to the parent as journal records ('decision'). */
  recordDecisions?: boolean;
  /** This thread's heartbeat slot (the supervisor watches it; a loop that never yields stops beating). */
  heartbeat?: { heartbeats: HeartbeatsShared; slot: number };
  /** Busy-poll the dirty channels this long before parking, µs (0: park at once). */
  waitSpinUs?: number;
}

/** Longest stretch of back-to-back batches before the event loop gets a turn, ms. */
const YIELD_MS = 20;

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const data = workerData as InferenceWorkerData;

async function main(): Promise<void> {
  const policy = await loadPolicy(data.policy);
  const stage = new InferenceStage({
    books: BookStore.attach(data.books),
    board: PositionBoard.attach(data.board),
    channels: data.channels.map((c) => ({ dirty: DirtyMarkets.attach(c.dirty), toGlobal: c.toGlobal })),
    policy,
    intents: SpscRing.attach(data.intents),
    meta: data.meta.map((m) => (m === null ? undefined : { closeTimeMs: m.closeTimeMs, grid: PriceGrid.fromRanges(m.ranges) })),
    maxBatch: data.maxBatch,
    recordDecisions: data.recordDecisions,
    decisions: data.decisions === undefined ? undefined : DecisionBoard.attach(data.decisions),
  });
  const postDecisions = () => {
    if (!data.recordDecisions) return;
    const records = stage.takeDecisions().map((d) => ({ kind: 'decision' as const, record: { ...d } }));
    if (records.length > 0) post({ type: 'journal', records });
  };
  const journalTimer = setInterval(postDecisions, JOURNAL_INTERVAL_MS);
  let running = true;
  const postStats = () => post({ type: 'stats', stats: inferenceStats(stage), heapUsedBytes: heapUsedBytes() });
  const timer = setInterval(postStats, STATS_INTERVAL_MS);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') running = false;
    if (m.type === 'close_time') stage.setCloseTime(m.index, m.closeTimeMs);
    if (m.type === 'stats_now') postStats();
    if (m.type === 'add_market') {
      try {
        stage.addMarket(m.channel, m.local, m.index, { closeTimeMs: m.closeTimeMs, grid: PriceGrid.fromRanges(m.ranges) });
        post({ type: 'market_added', index: m.index });
      } catch (err) {
        post({ type: 'market_added', index: m.index, error: errorLine(err) });
      }
    }
  });
  const stopBeating = data.heartbeat === undefined ? () => undefined : Heartbeats.attach(data.heartbeat.heartbeats).startBeating(data.heartbeat.slot);
  post({ type: 'ready' });
  // A loop that always finds work awaits only microtasks, so messages (stop, add_market) and
  // timers would wait for a quiet moment: give them a turn at least every YIELD_MS.
  let yieldedAt = performance.now();
  while (running) {
    const decided = await stage.step();
    if (decided === 0) {
      await stage.waitForWork(50, data.waitSpinUs ?? 0);
      yieldedAt = performance.now();
    } else if (performance.now() - yieldedAt >= YIELD_MS) {
      await new Promise((r) => setImmediate(r));
      yieldedAt = performance.now();
    }
  }
  stopBeating();
  clearInterval(timer);
  clearInterval(journalTimer);
  postDecisions();
  await policy.close?.();
  post({ type: 'stopped', stats: inferenceStats(stage) });
  port.close();
}

main().catch((err: unknown) => {
  post({ type: 'fatal', message: errorLine(err) });
  port.close();
});
