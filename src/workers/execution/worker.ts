/**
 * Execution worker thread entry (threaded topology; the protocol is worker-protocol.ts):
 * attaches the shared memory and the intent rings from `workerData`, builds the REST client on
 * the account's shared token buckets and the private-channel credentials from the key in
 * `workerData` (taking pre-signed order signatures from the signer thread's pool when given),
 * beats its heartbeat slot, runs an ExecutionStage, reports stats every second, carries out the
 * supervisor's commands (trading state, exits, kill, group resets, reconcile) and stops on
 * command.
 *
 * Failures are posted as `{type:'fatal', message}`: the message of the error only — our errors
 * never carry headers or key material, and anything that looks like a PEM block is cut anyway.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BookStore } from '../../shared/book-store.js';
import { Heartbeats } from '../../shared/heartbeats.js';
import type { Journal, JournalKind } from '../../shared/journal.js';
import { KalshiCredentials } from '../../shared/kalshi-signing.js';
import { KalshiRestClient } from '../../shared/kalshi/rest/index.js';
import { PositionBoard } from '../../shared/position-board.js';
import { PresignedSignatures } from '../../shared/presigned-signatures.js';
import { PriceGrid } from '../../shared/price-grid.js';
import { RateBudgets } from '../../shared/rate-budgets.js';
import { SpscRing } from '../../shared/spsc-ring.js';
import type { MarketTradingState, TradingState } from '../../shared/position-records.js';
import { ExecutionStage, type KillReport } from './execution-stage.js';
import { heapUsedBytes } from '../worker-protocol.js';
import type { ExecutionWorkerCommand, ExecutionWorkerData, ExecutionWorkerMessage } from './worker-protocol.js';

if (parentPort === null) throw new Error('the execution worker must run in a worker thread');
const port = parentPort;

const post = (m: ExecutionWorkerMessage): void => port.postMessage(m);

/** Journal records batched to the parent with each stats tick (the store lives on the main thread). */
class ForwardingJournal implements Journal {
  private batch: Array<{ kind: JournalKind; record: Record<string, unknown> }> = [];
  constructor(private readonly forward: boolean) {}
  write(kind: JournalKind, record: Readonly<Record<string, unknown>>): void {
    if (this.forward) this.batch.push({ kind, record: { ...record } });
  }
  flush(): Promise<void> {
    if (this.batch.length > 0) {
      post({ type: 'journal', records: this.batch });
      this.batch = [];
    }
    return Promise.resolve();
  }
}

const EMPTY_KILL: KillReport = { groupsTriggered: 0, cancelled: 0, remaining: 0, exitsSent: 0, exitsDenied: 0, openPositions: 0, durationMs: 0 };

function messageOf(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.replace(/-----BEGIN[\s\S]*?-----END[^-]*-----/g, '[redacted]').slice(0, 2_000);
}

async function main(data: ExecutionWorkerData): Promise<void> {
  // From the first moment: a worker stuck in start-up is as dead as one stuck later.
  if (data.heartbeat !== undefined) Heartbeats.attach(data.heartbeat.heartbeats).startBeating(data.heartbeat.slot);
  // With a pre-signed pool (the signer thread fills it), order creations are sent with a
  // signature made ahead of need; everything else, and any miss, is signed here as it is sent.
  const presigned = data.presign === undefined ? undefined : PresignedSignatures.attach(data.presign.pool);
  const keyed = new KalshiCredentials(data.keyId, data.privateKey);
  const credentials = presigned === undefined ? keyed : keyed.withPresigned(presigned, data.presign!.maxAgeMs);
  const rest = new KalshiRestClient({
    baseUrl: data.restUrl, credentials, budgets: RateBudgets.attach(data.budgets), connections: data.restConnections, timeoutMs: data.restTimeoutMs,
  });
  const journal = new ForwardingJournal(data.forwardJournal ?? true);
  const stage = new ExecutionStage({
    rest,
    ws: data.wsUrl === undefined ? undefined : { url: data.wsUrl, credentials },
    markets: data.markets.map((m) => ({ index: m.index, ticker: m.ticker, grid: PriceGrid.fromRanges(m.ranges), closeTimeMs: m.closeTimeMs })),
    books: BookStore.attach(data.books),
    board: PositionBoard.attach(data.board),
    intents: data.intents.map((r) => SpscRing.attach(r)),
    settings: data.settings,
    sessionId: data.sessionId,
    journal,
    tradingState: data.tradingState as TradingState | undefined,
    presigned,
  });
  let ticker: NodeJS.Timeout | undefined;
  let stopping = false;
  const fail = async (err: unknown): Promise<void> => {
    if (ticker !== undefined) clearInterval(ticker);
    post({ type: 'fatal', message: messageOf(err) });
    if (!stopping) {
      stopping = true;
      await stage.stop({ cancelResting: false }).catch(() => undefined);
    }
    await journal.flush();
    port.close();
  };
  process.on('unhandledRejection', (err) => void fail(err));
  port.on('message', (m: ExecutionWorkerCommand) => {
    if (m?.type === 'trading_state') stage.setTradingState(m.state as TradingState, m.reason);
    if (m?.type === 'exit_position') post({ type: 'exit_result', index: m.index, result: stage.exitPosition(m.index, m.reason) });
    if (m?.type === 'cancel_working') stage.cancelWorking(m.index, m.reason);
    if (m?.type === 'reset_groups') stage.resetTriggeredGroups();
    if (m?.type === 'reset_group') stage.resetGroup(m.id);
    if (m?.type === 'operator_disable') stage.setOperatorDisabled(m.index, m.disabled, m.reason);
    if (m?.type === 'reconcile') stage.requestReconcile(m.reason);
    if (m?.type === 'stats_now' && !stopping) post({ type: 'stats', stats: stage.stats(), heapUsedBytes: heapUsedBytes() });
    if (m?.type === 'kill') {
      stage.kill({ flatten: m.flatten, reason: m.reason, timeoutMs: m.timeoutMs }).then(
        (report) => post({ type: 'killed', report }),
        (err: unknown) => post({ type: 'killed', report: EMPTY_KILL, error: messageOf(err) }),
      );
    }
    if (m?.type === 'add_market') {
      const { index, ticker, ranges, closeTimeMs } = m.market;
      try {
        stage.addMarket({ index, ticker, grid: PriceGrid.fromRanges(ranges), closeTimeMs });
        post({ type: 'market_added', index });
      } catch (err) {
        post({ type: 'market_added', index, error: messageOf(err) });
      }
    }
    if (m?.type === 'market_state') stage.setMarketTradingState(m.index, m.state as MarketTradingState, m.reason);
    if (m?.type !== 'stop' || stopping) return;
    stopping = true;
    if (ticker !== undefined) clearInterval(ticker);
    stage.stop({ cancelResting: m.cancelResting }).then(
      async (report) => {
        post({ type: 'stats', stats: stage.stats(), heapUsedBytes: heapUsedBytes() });
        await journal.flush();
        post({ type: 'stopped', report });
        port.close();
      },
      (err: unknown) => void fail(err),
    );
  });
  try {
    const calibration = await stage.start();
    if (stopping) return;
    post({ type: 'started', calibration });
    ticker = setInterval(() => {
      post({ type: 'stats', stats: stage.stats(), heapUsedBytes: heapUsedBytes() });
      void journal.flush();
    }, data.statsIntervalMs ?? 1_000);
  } catch (err) {
    if (!stopping) await fail(err); // a stop during start answers for itself
  }
}

main(workerData as ExecutionWorkerData).catch((err: unknown) => {
  post({ type: 'fatal', message: messageOf(err) });
  port.close();
});
