/**
 * The trading host's lifespan on the main thread (architecture.md §1): open the venue, check
 * the exchange, choose the markets, lay out the shared memory, start the stages — as worker
 * threads (`threaded`, the default) or all on this thread (`inline`: the very same stage
 * objects) — log a status line every interval, and stop gracefully.
 *
 * Start-up order: the signer thread (threaded with `presign`: it pre-signs order creations,
 * src/workers/signer/), the execution stage (it calibrates against the exchange and publishes
 * the PositionBoard), then inference, then market data (books fill, markets turn dirty,
 * decisions flow). Stop order is the reverse of the data flow: inference stops deciding,
 * execution cancels resting orders (a setting) and stops, the signer stops, market data closes
 * its sockets, the journal flushes, the venue closes.
 *
 * With discovery (no `--markets`), markets that close are replaced while the host runs, in new
 * slots of a capacity allocated up front (market-rotation.ts has the rules and the design).
 */
import { randomInt } from 'node:crypto';
import { BookStore, emptyBookTop, type BookTop } from '../../shared/book-store.js';
import { DirtyMarkets } from '../../shared/dirty-markets.js';
import type { Journal } from '../../shared/journal.js';
import { monoNs } from '../../shared/clock.js';
import { mergeSnapshots, percentileNs, type LatencySnapshot } from '../../shared/latency-histogram.js';
import type { MarketMeta } from '../../shared/observation/build.js';
import { loadPolicy } from '../../shared/policy/load-policy.js';
import { ACTION_NAMES } from '../../shared/policy/actions.js';
import { FEATURE_SPEC_HASH } from '../../shared/observation/features.js';
import { PositionBoard } from '../../shared/position-board.js';
import { MarketTradingState } from '../../shared/position-records.js';
import { PresignedSignatures } from '../../shared/presigned-signatures.js';
import { SpscRing } from '../../shared/spsc-ring.js';
import { siblingModule } from '../../shared/worker-spawn.js';
import { KalshiRestClient, presignedOrderTargets } from '../../shared/kalshi/rest/client.js';
import { KalshiTransportError } from '../../shared/kalshi/rest/errors.js';
import type { Market } from '../../shared/kalshi/rest/decoders/market.js';
import { newSessionId } from '../../workers/execution/client-order-id.js';
import { InferenceStage } from '../../workers/inference/inference-stage.js';
import { inferenceStats, type InferenceStats } from '../../workers/inference/inference-stats.js';
import { INTENT_WORDS } from '../../workers/inference/intent-record.js';
import type { InferenceWorkerData } from '../../workers/inference/worker.js';
import { MarketDataStage, type MarketDataStats, type ShardMarket } from '../../workers/market-data/market-data-stage.js';
import type { MarketDataWorkerData } from '../../workers/market-data/worker.js';
import type { AddMarketMessage } from '../../workers/worker-protocol.js';
import { MarketDataRecorder, SHARD_SEQ_STRIDE } from '../../workers/market-data/market-data-recorder.js';
import { openJournal } from '../store/open-journal.js';
import type { HostConfig } from '../config/settings.js';
import { redactedConfig } from '../config/load.js';
import { packageVersion } from '../cli.js';
import { startExecution, type ExecutionHandle } from './execution-handle.js';
import { startSigner } from '../../workers/signer/signer-protocol.js';
import { discoverMarkets, explicitMarkets } from './market-selection.js';
import { ladderWordsFor, MarketRotation, MarketSlots, MAX_ROTATION_LEVELS, slotCapacity, type RotationCounters, type Slot } from './market-rotation.js';
import { channelsOf, planShards, shardFor } from './shards.js';
import { StageWorker } from './stage-worker.js';
import { HeartbeatMonitor, Heartbeats, HeartbeatSlots } from '../../shared/heartbeats.js';
import { TradingState } from '../../shared/position-records.js';
import { cancelSessionOrders, restingOrders } from '../../workers/execution/exchange-view.js';
import type { SupervisedMarket, SupervisorView } from '../../supervisor/supervisor.js';
import { KillSwitchFile, KillSwitchWatch, type KillSwitchState } from '../../supervisor/kill-switch.js';
import { openControlInterface } from './control-interface.js';
import { ControlHttpError } from '../control-server.js';
import { OperatorMarkets } from './operator-markets.js';
import { startSupervisor, type SupervisorHandle } from './supervisor-handle.js';
import { supervisorSettingsOf } from './supervisor-settings.js';
import { ThreadRestarts } from './thread-restarts.js';
import { runStartupCalibration } from '../../supervisor/calibration/startup-calibration.js';
import { verdictLine } from '../../supervisor/calibration/report-table.js';
import { progressLine } from '../calibrate-command.js';
import { StatusLine, type StatusTotals } from './status-line.js';
import { sharedBytesOf, type HostMeasure } from './host-measure.js';
import { DashboardState, HealthEvents } from './dashboard-state.js';
import { ensureActionToken } from './control-token.js';
import { DecisionBoard } from '../../shared/decision-board.js';
import type { LogLine } from '../log-line.js';
import { HostStartError, openVenue, type Venue } from './venue.js';

/** The main thread's `market_data` seq range (lifecycle events): above any shard's (shard × 2^40). */
const MAIN_SEQ_BASE = 1023 * SHARD_SEQ_STRIDE;

/** Intent ring per inference worker, records. */
const INTENT_RING_CAPACITY = 4096;

/** Heartbeat slots for the session: one per thread started, restarts included (never reused). */
const HEARTBEAT_SLOTS = 4096;

/** A market's status for the supervisor after a `market_lifecycle_v2` event (the others leave it as it is). */
const LIFECYCLE_STATUS: Readonly<Record<string, SupervisedMarket['status']>> = Object.freeze({
  activated: 'active', deactivated: 'paused', determined: 'determined', settled: 'settled',
});

export interface HostOptions {
  config: HostConfig;
  /** One line per call (status lines, state changes), with its level. */
  log: LogLine;
  journal?: Journal;
  /** Wall clock, ms. */
  nowMs?: () => number;
  /** Trade this venue instead of opening one from the config (tests: a simulator they own). */
  venue?: Venue;
}

/** Market rotation as tests and the dashboard see it. */
export interface RotationView {
  capacity: number;
  maxMarkets: number;
  /** Every slot handed out, in slot order (copies). */
  slots: Slot[];
  counters: RotationCounters;
}

export interface Host {
  readonly sessionId: string;
  /** By slot: the markets traded at start, then those added as others closed (closed ones stay). */
  readonly markets: readonly Market[];
  readonly venue: Venue;
  /** The cumulative figures behind the status line. */
  totals(): StatusTotals;
  /** The execution stage's latest report. */
  execution(): ReturnType<ExecutionHandle['summary']>;
  /** Market rotation (discovery only; undefined with `--markets`). */
  rotation(): RotationView | undefined;
  /** The supervisor's latest view: state, reason, transitions, threads, exits. */
  supervisor(): SupervisorView | undefined;
  /** The top of the book in market slot `slot` as the host's BookStore has it now (a copy; `stale` when unreadable). */
  book(slot: number): BookTop;
  /** The control interface's port (undefined when off or not started). */
  controlPort(): number | undefined;
  /** Every stage's stats asked of its thread now, memory and CPU: the benchmark's window edges. */
  measure(timeoutMs?: number): Promise<HostMeasure>;
  /** Fault injection (tests, chaos drills): end a thread abruptly, as a crash would. */
  readonly faults: { crashThread(name: string): Promise<void> };
  /** Graceful stop: idempotent; resolves when everything is closed. */
  stop(reason: string): Promise<void>;
}

interface MdHandle {
  readonly name: string;
  stats(): MarketDataStats | undefined;
  /** Stats taken now (threaded: asked of the thread; undefined when it did not answer in `timeoutMs`). */
  freshStats(timeoutMs: number): Promise<MarketDataStats | undefined>;
  /** The worker's heap at its last stats (undefined inline: the main thread's). */
  heapUsedBytes(): number | undefined;
  /** A market for this shard at shard-local index `local` (its slot registered first). */
  addMarket(market: ShardMarket, local: number): Promise<void>;
  removeMarket(index: number): void;
  /** Threaded: end the thread abruptly (fault injection; a hung thread before its restart). */
  crash?(): Promise<void>;
  stop(): Promise<void>;
}
interface InfHandle {
  readonly name: string;
  stats(): InferenceStats | undefined;
  freshStats(timeoutMs: number): Promise<InferenceStats | undefined>;
  heapUsedBytes(): number | undefined;
  /** Local index `local` of channel `channel` is slot `market`. */
  addMarket(channel: number, local: number, market: Market & { index: number }): Promise<void>;
  /** The market's close time moved (`close_date_updated`): the `time_to_close` feature follows. */
  setCloseTime(market: number, closeTimeMs: number): void;
  crash?(): Promise<void>;
  stop(): Promise<void>;
}

/** What a threaded stage's handle answers the same way for every StageWorker: its name, stats, heap, crash and stop. */
function stageWorkerHandle<S>(name: string, w: StageWorker<S>) {
  return {
    name,
    stats: () => w.latest,
    freshStats: (timeoutMs: number) => w.freshStats(timeoutMs),
    heapUsedBytes: () => w.heapUsedBytes,
    crash: () => w.crash(),
    stop: () => w.stop().then(() => undefined),
  };
}

/** The stop's account of the session: decisions by action, intents, order outcomes, denials by reason. */
function sessionSummary(inf: Array<InferenceStats | undefined>, ex: ReturnType<ExecutionHandle['summary']>): string {
  const byAction = [0, 0, 0, 0, 0];
  let decisions = 0;
  let dropped = 0;
  for (const s of inf) {
    if (s === undefined) continue;
    decisions += s.counters.decisions;
    dropped += s.counters.dropped;
    s.counters.byAction.forEach((n, a) => (byAction[a] += n));
  }
  const parts = [`decisions ${decisions} (hold ${byAction[0]}, buy yes ${byAction[1]}, sell yes ${byAction[2]}, buy no ${byAction[3]}, sell no ${byAction[4]}; intents dropped ${dropped})`];
  if (ex !== undefined) {
    const o = ex.stats.orders;
    const r = ex.stats.requests;
    parts.push(`orders sent ${o.sent} (place ${r.place.sent}, amend ${r.amend.sent}, cancel ${r.cancel.sent}) accepted ${o.accepted} rejected ${o.rejected} unknown ${o.unknown} not sent ${o.notSent}`);
    const p = ex.stats.presign;
    if (p !== undefined) parts.push(`pre-signed signatures used ${p.hits}, missed ${p.misses} (signed inline), refreshed unused ${p.refreshed}`);
    const denied = Object.entries(ex.stats.denied.byReason).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ');
    parts.push(`denied ${ex.stats.denied.total}${denied === '' ? '' : ` (${denied})`}`);
    const rejected = Object.entries(ex.stats.rejectedByCode).map(([c, n]) => `${c} ${n}`).join(', ');
    if (rejected !== '') parts.push(`rejected by code: ${rejected}`);
  }
  return `session: ${parts.join(' | ')}`;
}

export async function startHost(options: HostOptions): Promise<Host> {
  const { config } = options;
  const nowMs = options.nowMs ?? Date.now;
  const startedMs = nowMs();
  // Every line but the periodic status line is also a health event for the dashboard.
  const events = new HealthEvents();
  const log: LogLine = (line, level = 'info', fields) => {
    events.push(level, line, nowMs());
    options.log(line, level, fields);
  };
  const sessionId = newSessionId(nowMs(), randomInt(36 ** 4));
  // The policy first: a model built for another feature table is refused before anything starts.
  const probe = await loadPolicy(config.policy);
  await probe.close?.();
  const venue = options.venue ?? (await openVenue(config));
  // The journal: the caller's (tests), else PostgreSQL (--db / DATABASE_URL) or PGlite under --data-dir.
  let store: Awaited<ReturnType<typeof openJournal>> | undefined;
  try {
    store = options.journal === undefined ? await openJournal({ url: config.db, dataDir: config.dataDir }) : undefined;
  } catch (err) {
    await venue.close();
    throw err;
  }
  const journal: Journal = options.journal ?? store!;
  const cleanups: Array<() => Promise<unknown>> = [async () => store?.close({ timeoutMs: 5_000 }), () => venue.close()];
  const unwind = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    // --- the exchange, and the markets
    let rest: KalshiRestClient;
    try {
      rest = await KalshiRestClient.create({ baseUrl: venue.restUrl, credentials: venue.credentials });
      cleanups.push(() => rest.close());
      const status = await rest.exchangeStatus({ priority: true });
      if (!status.exchangeActive) throw new HostStartError(`the exchange at ${venue.restUrl} is not active (maintenance?)`);
    } catch (err) {
      if (err instanceof KalshiTransportError) throw new HostStartError(`exchange unreachable at ${venue.restUrl}: ${err.message}`);
      throw err;
    }
    const now = nowMs();
    const found = (config.markets !== undefined
      ? await explicitMarkets(rest, config.markets)
      : (await discoverMarkets(rest, { maxMarkets: config.maxMarkets, minVolume: config.minVolume, maxSpread: config.maxSpread, minTimeToCloseS: config.minTimeToCloseS }, now)).markets
    ).filter((m) => m.status === 'active');
    const rotating = config.markets === undefined;
    // --- the supervisor's start-up calibration (src/supervisor/calibration/): connection and
    // clock, the account against the exchange and the journal, market viability, portfolio
    // health, and the verdict. Refuse: the host does not start. Non-viable markets found by
    // discovery are dropped (rotation replaces them); explicit --markets are kept, with a warning.
    const calibration = await runStartupCalibration({
      rest, journal: store, markets: found.map((m) => m.ticker), act: true, sessionId, clock: nowMs,
      settings: { cashReserve: config.cashReserve, minTimeToCloseS: config.minTimeToCloseS, maxSpread: config.maxSpread, maxClockSkewMs: config.maxClockSkewMs, cancelOrphans: config.cancelOrphans },
    }, (step) => log(`calibration ${progressLine(step)}`));
    log(`calibration ${verdictLine(calibration)}`);
    if (calibration.verdict.verdict === 'refuse') {
      throw new HostStartError(`calibration refused to trade: ${calibration.verdict.reasons.join('; ')} (kalshi-actor calibrate prints the whole report)`);
    }
    const unfit = new Map(calibration.viability.replace.map((r) => [r.ticker, r.reason]));
    if (!rotating) for (const [ticker, why] of unfit) log(`warning: ${ticker} is not viable (${why}); traded anyway as --markets lists it`, 'warn');
    const markets = rotating ? found.filter((m) => !unfit.has(m.ticker)) : found;
    if (markets.length === 0) throw new HostStartError('no market to trade: none is open and passes the discovery filters (see --max-spread, --min-volume, --min-time-to-close-s)');
    journal.write('session', {
      session_id: sessionId, venue: venue.name, mode: config.topology, started_ms: now,
      config: redactedConfig(config), versions: { host: packageVersion(), node: process.version, feature_spec: FEATURE_SPEC_HASH },
    });
    for (const m of markets) {
      journal.write('market_data', { type: 'market', market_ticker: m.ticker, event_ticker: m.eventTicker, status: m.status, open_ms: m.openTimeMs, close_ms: m.closeTimeMs, price_grid: [...m.grid.ranges], session_id: sessionId, updated_ms: now });
    }

    // --- shared memory
    const n = markets.length;
    // Slots: exactly the markets with --markets; with discovery, room for the markets that will
    // replace those that close (a slot is never reused: market-rotation.ts).
    const capacity = rotating ? slotCapacity(config.maxMarkets, config.marketSlots, n) : n;
    // Ladder space sized to the markets' own grids (a deci_cent market needs 10× a linear_cent
    // one), and to the worst grid a replacement may have for every spare slot.
    const books = BookStore.create({ maxMarkets: capacity, ladderWords: ladderWordsFor(markets, capacity) });
    markets.forEach((m, i) => books.registerMarket(i, m.grid));
    const board = PositionBoard.create(capacity);
    const decisions = DecisionBoard.create(capacity);
    /** The markets the operator disabled from the dashboard (operator-markets.ts); made with the dashboard below. */
    let operatorMarkets: OperatorMarkets | undefined;
    const plan = planShards(markets.map((m) => m.ticker), config.marketDataWorkers, config.inferenceWorkers);
    const dirty = plan.shards.map((s) => DirtyMarkets.create(rotating ? capacity : s.length));
    const intents = plan.inference.map(() => SpscRing.create(INTENT_RING_CAPACITY, INTENT_WORDS));
    const meta: Array<MarketMeta | undefined> = new Array<MarketMeta | undefined>(capacity).fill(undefined);
    markets.forEach((m, i) => (meta[i] = { closeTimeMs: m.closeTimeMs, grid: m.grid }));
    /** Per shard: the next shard-local index for a market added while running (never reused). */
    const nextLocal = plan.shards.map((globals) => globals.length);
    const readerOf = channelsOf(plan);

    // --- thread liveness: a heartbeat slot per thread, never reused (a restarted thread takes a new one)
    const threaded = config.topology === 'threaded';
    const heartbeats = Heartbeats.create(HEARTBEAT_SLOTS);
    const heartbeatSlots = new HeartbeatSlots(heartbeats);
    /** Shared memory allocated above (allocated once: rotation fills slots, it does not grow them). */
    // Pre-signed order signatures (presigned-signatures.ts): threaded only, a pool the signer
    // thread keeps full so the execution thread sends order creations without signing them.
    // Inline there is no extra thread: the one thread signs every request as it is sent.
    const presign = threaded && config.presign
      ? PresignedSignatures.create({ slots: config.presignSlots, targets: presignedOrderTargets(venue.restUrl) })
      : undefined;
    const sharedBytes = sharedBytesOf([books.shared, board.shared, decisions.shared, dirty.map((d) => d.shared), intents.map((r) => r.shared), heartbeats.shared, presign?.shared]);
    // The supervisor starts after execution; what happens before reaches it once it exists.
    let supervisor: SupervisorHandle | undefined;
    /** The supervisor's market table by slot: close times and statuses follow the lifecycle events, rotation adds and retires. */
    const supervised: SupervisedMarket[] = markets.map((m, index) => ({ index, ticker: m.ticker, closeTimeMs: m.closeTimeMs, status: 'active' }));
    const superviseMarket = (index: number, change: Partial<SupervisedMarket>) => {
      const m = supervised[index];
      if (m === undefined) return;
      Object.assign(m, change);
      supervisor?.market({ ...m });
    };
    /** Every watched thread's latest heartbeat slot: told to the supervisor once it starts, and again to a restarted one. */
    const watched = new Map<string, number>();
    let restartSupervisor = async (_why: string): Promise<void> => undefined;
    const watchThread = (name: string, slot: number) => {
      watched.set(name, slot);
      supervisor?.watch(name, slot);
    };
    let stopping: Promise<void> | undefined;
    const threadExited = (name: string, why: string) => {
      if (stopping !== undefined) return;
      log(`${name} exited unexpectedly: ${why}`, 'error');
      // The supervisor restarts the others; its own restart is asked for here.
      if (name === 'supervisor') void restartSupervisor(why);
      else supervisor?.threadExited(name, why);
    };

    // --- execution first: it calibrates and owns the PositionBoard. It starts READY (no order)
    // until the supervisor, given the calibration's verdict, asks for TRADING or RECOVERING.
    const groupIds = new Set<string>();
    const executionJournal: Journal = {
      write(kind, record) {
        if (kind === 'group_event' && record.event === 'created' && typeof record.order_group_id === 'string') groupIds.add(record.order_group_id);
        // The session's group (--order-groups session) is created by the execution stage's
        // calibration, which journals it in its 'calibration' record, not as a group_event.
        if (kind === 'calibration' && typeof record.group_id === 'string' && record.group_id !== '') groupIds.add(record.group_id);
        journal.write(kind, record);
      },
      flush: () => journal.flush(),
    };
    // The signer thread starts first: by the time execution has calibrated, the pool is full.
    // It is not supervised nor restarted: when it is gone, orders are signed inline (the miss path).
    const signer = presign === undefined ? undefined : startSigner({
      pool: presign.shared, privateKey: venue.privateKey, maxAgeMs: config.presignMaxAgeMs, log,
      onUnexpectedExit: (why) => {
        if (stopping === undefined) log(`signer exited unexpectedly: ${why}; order requests are signed inline from now on`, 'error');
      },
    });
    if (signer !== undefined) cleanups.push(() => signer.stop());
    const spawnExecution = async (id: string) => {
      const slot = heartbeatSlots.allocate();
      const handle = await startExecution({
        config, venue, rest, markets, books, board, intents, sessionId: id, journal: executionJournal, log, tradingState: TradingState.READY,
        heartbeat: threaded ? { heartbeats: heartbeats.shared, slot } : undefined,
        onUnexpectedExit: (why) => threadExited('execution', why),
        presign: presign === undefined ? undefined : { pool: presign.shared, maxAgeMs: config.presignMaxAgeMs },
      });
      if (threaded) watchThread('execution', slot);
      return handle;
    };
    let execution = await spawnExecution(sessionId);
    cleanups.push(() => execution.stop(false));

    // --- inference, then market data
    const inference: InfHandle[] = [];
    const marketData: MdHandle[] = [];
    const writeDecision = (d: Record<string, unknown>) => {
      const m = markets[d.market as number];
      journal.write('decision', {
        session_id: sessionId, market_ticker: m?.ticker, book_version: d.bookVersion, action: ACTION_NAMES[d.action as number],
        feature_spec_hash: FEATURE_SPEC_HASH, decide_us: d.decideUs, ts_ms: d.atMs,
      });
    };
    const drains: Array<() => void> = [];
    /** Markets added to each inference worker while running, replayed into a restarted one. */
    const inferenceAdds: AddMarketMessage[][] = plan.inference.map(() => []);
    const spawnInference = async (k: number): Promise<InfHandle> => {
      const shardIds = plan.inference[k];
      const name = `inference-${k}`;
      const slot = heartbeatSlots.allocate();
      const data: InferenceWorkerData = {
        books: books.shared, board: board.shared, decisions: decisions.shared, intents: intents[k].shared, policy: config.policy,
        channels: shardIds.map((s) => ({ dirty: dirty[s].shared, toGlobal: Int32Array.from(plan.shards[s]) })),
        meta: meta.map((m) => (m === undefined ? null : { closeTimeMs: m.closeTimeMs, ranges: [...m.grid.ranges] })),
        recordDecisions: config.journalDecisions, heartbeat: { heartbeats: heartbeats.shared, slot }, waitSpinUs: config.waitSpinUs,
      };
      const w = new StageWorker<InferenceStats>(name, siblingModule(import.meta.url, '../../workers/inference/worker'), data, {
        onExit: (n, why) => threadExited(n, why),
        onJournal: (records) => { for (const r of records) if (r.kind === 'decision') writeDecision(r.record); },
      });
      await w.ready();
      for (const add of inferenceAdds[k]) await w.addMarket(add);
      watchThread(name, slot);
      return {
        ...stageWorkerHandle(name, w),
        addMarket: async (channel, local, m) => {
          const add: AddMarketMessage = { type: 'add_market', index: m.index, ticker: m.ticker, channel, local, closeTimeMs: m.closeTimeMs, ranges: [...m.grid.ranges] };
          await w.addMarket(add);
          inferenceAdds[k].push(add);
        },
        setCloseTime: (market, closeTimeMs) => w.post({ type: 'close_time', index: market, closeTimeMs }),
      };
    };
    for (const [k, shardIds] of plan.inference.entries()) {
      if (threaded) {
        inference.push(await spawnInference(k));
      } else {
        const policy = await loadPolicy(config.policy);
        const stage = new InferenceStage({
          books, board, decisions, policy, intents: intents[k], meta,
          channels: shardIds.map((s) => ({ dirty: dirty[s], toGlobal: Int32Array.from(plan.shards[s]) })),
          recordDecisions: config.journalDecisions,
        });
        drains.push(() => { for (const d of stage.takeDecisions()) writeDecision({ ...d }); });
        let running = true;
        const loop = (async () => {
          while (running) {
            const decided = await stage.step();
            if (decided === 0) await stage.waitForWork(50, config.waitSpinUs);
            else await new Promise((r) => setImmediate(r)); // let sockets and timers in between batches
          }
          await policy.close?.();
        })();
        inference.push({
          name: `inference-${k}`,
          stats: () => inferenceStats(stage),
          freshStats: async () => inferenceStats(stage),
          heapUsedBytes: () => undefined,
          addMarket: async (channel, local, m) => stage.addMarket(channel, local, m.index, { closeTimeMs: m.closeTimeMs, grid: m.grid }),
          setCloseTime: (market, closeTimeMs) => stage.setCloseTime(market, closeTimeMs),
          stop: async () => { running = false; await loop; for (const d of drains) d(); },
        });
      }
    }
    let journalTimer: NodeJS.Timeout | undefined;
    if (drains.length > 0) {
      // Inline: decisions reach the journal four times a second, as from a worker.
      journalTimer = setInterval(() => { for (const d of drains) d(); }, 250);
      journalTimer.unref();
      cleanups.push(async () => clearInterval(journalTimer));
    }
    cleanups.push(() => Promise.all(inference.map((i) => i.stop())));
    // --- market rotation (discovery only): created before market data, which brings lifecycle events
    const rotation = rotating ? new MarketRotation({
      slots: new MarketSlots({ capacity, maxMarkets: config.maxMarkets, windowMs: config.minTimeToCloseS * 1000, maxLevels: MAX_ROTATION_LEVELS }),
      nowMs,
      periodMs: config.rediscoverS * 1000,
      hooks: {
        discover: async (exclude, limit, at) => (await discoverMarkets(rest, { maxMarkets: limit, minVolume: config.minVolume, maxSpread: config.maxSpread, minTimeToCloseS: config.minTimeToCloseS }, at, exclude)).markets,
        shardOf: (ticker) => shardFor(ticker, plan.shards.length),
        register: (slot, m) => {
          books.registerMarket(slot.index, m.grid); // the main thread owns the market table: before any stage hears of the slot
          markets[slot.index] = m;
        },
        attach: async (slot, m) => {
          supervised[slot.index] = { index: slot.index, ticker: m.ticker, closeTimeMs: m.closeTimeMs, status: 'active' };
          supervisor?.market({ ...supervised[slot.index] });
          const s = slot.shard;
          const local = nextLocal[s]++;
          await execution.addMarket(slot.index, m);
          operatorMarkets?.marketAdded(slot.index, m.ticker);
          const r = readerOf[s];
          await inference[r.worker].addMarket(r.channel, local, { ...m, index: slot.index });
          await marketData[s].addMarket({ index: slot.index, ticker: m.ticker }, local);
          journal.write('market_data', { type: 'market', market_ticker: m.ticker, status: m.status, close_ms: m.closeTimeMs, price_grid: [...m.grid.ranges], session_id: sessionId, slot: slot.index });
        },
        retire: (t) => {
          superviseMarket(t.slot.index, { retired: true });
          execution.setMarketState(t.slot.index, t.to === 'closed' ? MarketTradingState.HALTED : MarketTradingState.REDUCING, t.reason);
          if (t.to === 'closed') marketData[t.slot.shard]?.removeMarket(t.slot.index);
        },
        log,
        record: (event, detail) => journal.write('health_event', { session_id: sessionId, monitor: 'market_rotation', ts_ms: nowMs(), event, level: event === 'slots_exhausted' ? 'warn' : 'info', detail }),
      },
    }) : undefined;
    if (rotation !== undefined) {
      markets.forEach((m, i) => rotation.slots.hold(m, plan.shards.findIndex((g) => g.includes(i)), now));
      cleanups.push(() => rotation.stop());
    }
    // Lifecycle events recorded by the main thread: its own seq range, above every shard's.
    let lifecycleSeq = MAIN_SEQ_BASE;
    const onLifecycle = (event: unknown) => {
      const e = event as { type?: string; marketTicker?: string; eventTicker?: string };
      journal.write('market_data', {
        session_id: sessionId, seq: lifecycleSeq++, market_ticker: e.marketTicker ?? e.eventTicker ?? '', type: 'lifecycle',
        recv_ms: nowMs(), payload: event as Record<string, unknown>,
      });
      rotation?.onLifecycle(event);
      // A moved close time reaches every inference stage (only the one reading the market's shard
      // trades it; the others ignore a slot they do not serve).
      const l = event as { type?: string; eventType?: string; marketTicker?: string; closeTsMs?: number };
      if (l.type === 'market_lifecycle_v2' && l.eventType === 'close_date_updated' && l.closeTsMs !== undefined && l.closeTsMs > 0) {
        const slot = markets.findIndex((m) => m?.ticker === l.marketTicker);
        if (slot >= 0) for (const i of inference) i.setCloseTime(slot, l.closeTsMs);
      }
      // The supervisor's market lifecycle (closing soon, paused, closed, determined, settled) runs
      // on what these events say: a close moved in, a pause, a result.
      if (l.type === 'market_lifecycle_v2' && l.marketTicker !== undefined) {
        const slot = markets.findIndex((m) => m?.ticker === l.marketTicker);
        if (slot >= 0) {
          if (l.eventType === 'close_date_updated' && l.closeTsMs !== undefined && l.closeTsMs > 0) superviseMarket(slot, { closeTimeMs: l.closeTsMs });
          const status = LIFECYCLE_STATUS[l.eventType ?? ''];
          if (status !== undefined) superviseMarket(slot, { status });
          // Settled: the payout is booked by the next reconcile; ask for it now rather than at the next periodic sync.
          if (l.eventType === 'settled') execution.reconcile('market_settled');
        }
      }
    };
    /** Markets added to and removed from each shard while running, replayed into a restarted worker. */
    const shardOps: Array<Array<{ add: AddMarketMessage } | { remove: number }>> = plan.shards.map(() => []);
    const spawnMarketData = async (s: number): Promise<MdHandle> => {
      const name = `market-data-${s}`;
      const slot = heartbeatSlots.allocate();
      const data: MarketDataWorkerData = {
        url: venue.wsUrl, keyId: venue.credentials.keyId, privateKey: venue.privateKey,
        books: books.shared, dirty: dirty[s].shared, markets: plan.shards[s].map((i) => ({ index: i, ticker: markets[i].ticker })), lifecycle: s === 0,
        record: config.recordMarketData ? { sessionId, shard: s } : undefined, heartbeat: { heartbeats: heartbeats.shared, slot },
      };
      const w = new StageWorker<MarketDataStats>(name, siblingModule(import.meta.url, '../../workers/market-data/worker'), data, {
        onEvent: onLifecycle,
        onJournal: (records) => { for (const r of records) journal.write(r.kind, r.record); },
        onExit: (n, why) => threadExited(n, why),
      });
      await w.ready();
      for (const op of shardOps[s]) {
        if ('add' in op) await w.addMarket(op.add);
        else w.post({ type: 'remove_market', index: op.remove });
      }
      watchThread(name, slot);
      return {
        ...stageWorkerHandle(name, w),
        addMarket: async (m, local) => {
          const add: AddMarketMessage = { type: 'add_market', index: m.index, ticker: m.ticker, channel: 0, local, closeTimeMs: 0, ranges: [] };
          await w.addMarket(add);
          shardOps[s].push({ add });
        },
        removeMarket: (index) => {
          w.post({ type: 'remove_market', index });
          shardOps[s].push({ remove: index });
        },
      };
    };
    for (const [s, globals] of plan.shards.entries()) {
      const initial = globals.map((i) => ({ index: i, ticker: markets[i].ticker }));
      if (threaded) {
        marketData.push(await spawnMarketData(s));
      } else {
        let stage: MarketDataStage | undefined = undefined;
        const recorder = config.recordMarketData ? new MarketDataRecorder(sessionId, s, (m) => stage?.tickerOf(m)) : undefined;
        stage = new MarketDataStage({
          url: venue.wsUrl, credentials: venue.credentials, books, dirty: dirty[s], markets: initial, lifecycle: s === 0, recorder,
          onEvent: (event) => {
            if (event.type === 'trade') recorder?.trade(event, Date.now());
            else if (event.type === 'market_lifecycle_v2' || event.type === 'event_lifecycle') onLifecycle(event);
          },
        });
        stage.start();
        if (recorder !== undefined) drains.push(() => { for (const record of recorder.take()) journal.write('market_data', record); });
        marketData.push({
          name: `market-data-${s}`,
          stats: () => stage.stats(),
          freshStats: async () => stage.stats(),
          heapUsedBytes: () => undefined,
          addMarket: async (m, local) => void stage.addMarket(m, local),
          removeMarket: (index) => void stage.removeMarket(index),
          stop: () => stage.close(),
        });
      }
    }
    cleanups.push(() => Promise.all(marketData.map((m) => m.stop())));

    // --- the supervisor (its own thread when threaded): health, exits, cash, lifecycle, restarts
    const restarts = new ThreadRestarts({
      log,
      journal: (event, detail) => journal.write('health_event', { session_id: sessionId, monitor: 'threads', ts_ms: nowMs(), event, level: event === 'restart_failed' ? 'error' : 'warn', detail }),
      restart: async (name) => {
        const md = /^market-data-(\d+)$/.exec(name);
        const inf = /^inference-(\d+)$/.exec(name);
        if (md !== null) {
          const s = Number(md[1]);
          await marketData[s].crash?.(); // a hung thread is ended first; a dead one is gone already
          // Its books stay as they were until the new worker's snapshots replace them: stale meanwhile.
          for (const i of plan.shards[s]) books.markStale(i);
          for (const op of shardOps[s]) if ('add' in op) books.markStale(op.add.index);
          marketData[s] = await spawnMarketData(s);
        } else if (inf !== null) {
          const k = Number(inf[1]);
          await inference[k].crash?.();
          inference[k] = await spawnInference(k);
        } else if (name === 'execution') {
          execution = await restartExecution();
        } else if (name === 'supervisor') {
          const old = supervisor;
          supervisor = undefined;
          await old?.stop().catch(() => undefined); // a hung thread is ended (terminated after its deadline)
          const fresh = await spawnSupervisor();
          for (const m of supervised) if (m !== undefined) fresh.market({ ...m });
          for (const [n, slot] of watched) fresh.watch(n, slot);
          fresh.killSwitch(killView(killWatch.current()));
          fresh.calibrated(calibration.verdict.verdict, 'supervisor_restarted');
          supervisor = fresh;
          supervisorWatch.watch('supervisor', supervisorSlot, nowMs());
        } else {
          throw new Error(`no restart for thread ${name}`);
        }
      },
    });
    /**
     * A dead execution thread: trading halts (the supervisor is HALTED already), every order group
     * it created is triggered (the exchange cancels their orders at once) and what still rests of
     * ours is cancelled; its writer claim on the PositionBoard is freed; a new execution stage —
     * a new session id, so no client_order_id repeats — comes back through calibration.
     */
    const restartExecution = async (): Promise<ExecutionHandle> => {
      await execution.crash();
      // Its groups: those its journal named, and those its resting orders are in (the journal
      // reaches this thread once a second: a thread that dies young has not named them yet).
      const prefix = `${executionSession}-`;
      const resting = await restingOrders(rest).catch(() => []);
      for (const o of resting) if (o.clientOrderId.startsWith(prefix) && o.orderGroupId !== undefined && o.orderGroupId !== '') groupIds.add(o.orderGroupId);
      let triggered = 0;
      for (const id of groupIds) if ((await rest.triggerOrderGroup(id).catch(() => undefined))?.kind === 'ACCEPTED') triggered++;
      const { cancelled, remaining } = await cancelSessionOrders(rest, prefix, nowMs() + 5_000, nowMs);
      const tid = execution.threadId;
      if (tid !== undefined) board.releaseWriter(tid);
      const next = newSessionId(nowMs(), randomInt(36 ** 4));
      log(`execution restarted: ${triggered} order groups triggered, ${cancelled} resting orders cancelled (${remaining} left); new execution session ${next}`);
      executionSession = next;
      groupIds.clear();
      const fresh = await spawnExecution(next);
      operatorMarkets?.reapply((slot, reason) => fresh.setOperatorDisabled(slot, true, reason));
      return fresh;
    };
    let executionSession = sessionId;
    restartSupervisor = (why) => restarts.request('supervisor', why);
    const killFile = new KillSwitchFile(config.dataDir);
    /** The supervisor's thread, started (and restarted after a death) with what it must know: the market table, the threads, the verdict, the kill switch. */
    let supervisorSlot = -1;
    const spawnSupervisor = async (): Promise<SupervisorHandle> => {
      supervisorSlot = heartbeatSlots.allocate();
      return startSupervisor({
      threaded, board, books, heartbeats, slot: supervisorSlot, sessionId, journal, log,
      settings: supervisorSettingsOf(config),
      markets: supervised.filter((m) => m !== undefined).map((m) => ({ ...m })),
      actions: {
        setTradingState: (state, reason) => execution.setTradingState(state, reason),
        setMarketState: (index, state, reason) => execution.setMarketState(index, state, reason),
        cancelWorking: (index, reason) => execution.cancelWorking(index, reason),
        exitPosition: (index, reason) => void execution.exitPosition(index, reason).catch((err: unknown) => log(`exit of slot ${index} failed: ${String(err)}`, 'error')),
        reconcile: (reason) => execution.reconcile(reason),
        kill: ({ flatten, reason }) => void execution.kill({ flatten, reason }).then(
          (r) => log(`kill switch: ${r.groupsTriggered} order groups triggered, ${r.cancelled} orders cancelled (${r.remaining} left), ${r.exitsSent} exits sent`),
          (err: unknown) => log(`kill switch: the execution stage failed to act: ${String(err)}`, 'error'),
        ),
        resetGroups: () => execution.resetGroups(),
        restartThread: (name, why) => restarts.request(name, why),
      },
      onUnexpectedExit: (why) => threadExited('supervisor', why),
      });
    };
    supervisor = await spawnSupervisor();
    for (const [name, slot] of watched) supervisor.watch(name, slot);
    // The supervisor's own liveness is the main thread's to watch: its exit, or its heartbeat silent.
    const supervisorWatch = new HeartbeatMonitor(heartbeats, config.threadDeadAfterMs);
    if (threaded) supervisorWatch.watch('supervisor', supervisorSlot, nowMs());
    const supervisorTimer = setInterval(() => {
      if (threaded && supervisorWatch.check(nowMs()).some((t) => !t.alive)) threadExited('supervisor', 'heartbeat silent');
    }, 1_000);
    supervisorTimer.unref();
    cleanups.push(async () => clearInterval(supervisorTimer));
    /** Whatever supervisor thread is current (one restarted after a death included). */
    const sup: SupervisorHandle = {
      view: () => supervisor?.view(),
      executionStats: (st) => supervisor?.executionStats(st),
      market: (m) => supervisor?.market(m),
      calibrated: (verdict, reason) => supervisor?.calibrated(verdict, reason),
      watch: (name, slot) => supervisor?.watch(name, slot),
      threadExited: (name, why) => supervisor?.threadExited(name, why),
      killSwitch: (view) => supervisor?.killSwitch(view),
      stop: async () => supervisor?.stop(),
    };
    cleanups.push(() => sup.stop());
    const statsTimer = setInterval(() => {
      const st = execution.summary()?.stats;
      if (st !== undefined) sup.executionStats(st);
    }, 1_000);
    statsTimer.unref();
    cleanups.push(async () => clearInterval(statsTimer));
    // The kill switch survives restarts (a file under --data-dir): engaged at start → HALTED at once.
    const killView = (k: KillSwitchState | undefined) => (k === undefined ? undefined : { reason: k.reason, flatten: k.flatten });
    const killWatch = new KillSwitchWatch(killFile, (k) => sup.killSwitch(killView(k)));
    killWatch.start();
    cleanups.push(async () => killWatch.stop());
    sup.calibrated(calibration.verdict.verdict, calibration.verdict.reasons.join('; ') || 'calibrated');
    // --- status
    const status = new StatusLine();
    /** The slots whose books are subscribed: every market with --markets; with rotation, those not closed. */
    const subscribed = (): number[] => (rotation === undefined ? markets.map((_, i) => i) : rotation.slots.all().filter((sl) => sl.phase !== 'closed').map((sl) => sl.index));
    const staleBooks = (slots: readonly number[]): number => {
      let stale = 0;
      const top = emptyBookTop();
      for (const i of slots) if (!books.readTop(i, top) || top.stale) stale++;
      return stale;
    };
    const totals = (): StatusTotals => {
      const inf = inference.map((i) => i.stats()).filter((s): s is InferenceStats => s !== undefined);
      const md = marketData.map((m) => m.stats()).filter((s): s is MarketDataStats => s !== undefined);
      const ex = execution.summary();
      const latencies: LatencySnapshot[] = inf.map((s) => s.latency);
      const slots = subscribed();
      return {
        markets: slots.length,
        staleBooks: staleBooks(slots),
        bookMessages: md.reduce((a, s) => a + s.books.deltas + s.books.snapshots, 0),
        decisions: inf.reduce((a, s) => a + s.counters.decisions, 0),
        intents: inf.reduce((a, s) => a + s.counters.intents, 0),
        ordersSent: ex?.ordersSent ?? 0,
        fills: ex?.fills ?? 0,
        cash: ex?.cash ?? 0,
        openPositions: ex?.openPositions ?? 0,
        pnl: ex?.pnl,
        decisionLatency: mergeSnapshots(latencies),
        wireLatency: ex?.stats.latency.receiveToWire,
        state: sup.view()?.state,
      };
    };
    status.line(totals(), nowMs()); // the baseline: the first line's rates cover its whole interval
    /** The status line, with its figures as fields for log shippers (JSON logs): counts, money in µ$. Not a health event. */
    const logStatus = (): void => {
      const t = totals();
      const p99Us = (s: LatencySnapshot | undefined) => (s === undefined || s.total === 0 ? null : percentileNs(s, 0.99) / 1_000);
      options.log(status.line(t, nowMs()), 'info', {
        status: {
          state: t.state ?? null, markets: t.markets, staleBooks: t.staleBooks, bookMessages: t.bookMessages, decisions: t.decisions, intents: t.intents,
          ordersSent: t.ordersSent, fills: t.fills, cashMicros: t.cash, openPositions: t.openPositions, pnlMicros: t.pnl ?? null,
          decisionP99UsSinceStart: p99Us(t.decisionLatency), wireP99UsSinceStart: p99Us(t.wireLatency),
        },
      });
    };
    const statusTimer = setInterval(logStatus, config.statusIntervalS * 1000);
    statusTimer.unref();
    cleanups.push(async () => clearInterval(statusTimer));
    log(`trading ${n} markets on ${venue.name} (${config.topology}, ${plan.shards.length} market-data, ${plan.inference.length} inference, policy ${config.policy}), session ${sessionId}${rotation === undefined ? '' : `; closing markets replaced, ${capacity} market slots`}`);
    rotation?.start();
    // --- the dashboard (docs/dashboard.md): its state, sampled once a second, and the operator's actions
    const tradedNow = () => subscribed().map((slot) => ({ slot, ticker: supervised[slot]?.ticker ?? `slot ${slot}` }));
    // Before the supervisor's first TRADING: a market the operator disabled before a restart does not trade again.
    const operator = (operatorMarkets = new OperatorMarkets({
      dataDir: config.dataDir, traded: tradedNow, log, nowMs, apply: (slot, disabled, reason) => execution.setOperatorDisabled(slot, disabled, reason),
    }));
    operator.restore();
    const dashboard = new DashboardState({
      sessionId, host: { venue: venue.name, topology: config.topology, policy: config.policy, startedMs },
      books, board, decisions, markets: tradedNow, disabled: () => operator.slots(),
      totals, supervisor: () => sup.view(), execution: () => execution.summary(), calibration: () => calibration, nowMs, nowNs: monoNs,
    }, events);
    dashboard.sample();
    const sampler = setInterval(() => dashboard.sample(), 1_000);
    sampler.unref();
    cleanups.push(async () => clearInterval(sampler));
    let actionToken: string | undefined;
    if (config.dashboardPort > 0 && config.controlToken === undefined) {
      try {
        const t = ensureActionToken(config.dataDir);
        actionToken = t.token;
        log(`dashboard actions need the control token in ${t.path}`);
      } catch (err) {
        log(`no control token written in ${config.dataDir} (${err instanceof Error ? err.message : String(err)}): dashboard actions are refused; the kill switch still works through kalshi-actor kill`, 'warn');
      }
    }
    const control = config.dashboardPort > 0
      ? await openControlInterface({
        host: config.dashboardHost, port: config.dashboardPort, token: config.controlToken, actionToken, killFile, supervisor: sup, log,
        state: () => ({ session_id: sessionId, supervisor: sup.view() ?? null, calibration, totals: totals() }),
        metrics: () => ({ totals: totals(), supervisor: sup.view() }),
        stream: { snapshot: (full) => dashboard.snapshot(full) },
        page: true,
        operator: {
          disableMarket: (ticker, reason) => operator.disable(ticker, reason),
          enableMarket: (ticker) => operator.enable(ticker),
          resetGroup: (id) => {
            const g = execution.summary()?.stats.orderGroups.find((x) => x.id === id);
            if (g === undefined) throw new ControlHttpError(400, `unknown order group ${JSON.stringify(id)}`);
            if (g.status !== 'triggered') throw new ControlHttpError(409, `order group ${id} is ${g.status}, not triggered`);
            execution.resetGroup(id);
            log(`order group ${id} reset by the operator`, 'warn');
            return { id, reset: 'sent' };
          },
        },
      })
      : undefined;
    if (control !== undefined) cleanups.push(() => control.close());

    return {
      sessionId,
      markets,
      venue,
      totals,
      execution: () => execution.summary(),
      supervisor: () => sup.view(),
      book: (slot) => {
        const top = emptyBookTop();
        if (slot >= 0 && slot < capacity && !books.readTop(slot, top)) top.stale = true;
        return top;
      },
      controlPort: () => control?.port,
      measure: async (timeoutMs = 2_000) => {
        const late: string[] = [];
        const fresh = async <S>(h: { name: string; stats(): S | undefined; freshStats(ms: number): Promise<S | undefined> }): Promise<S | undefined> => {
          const s = await h.freshStats(timeoutMs);
          if (s !== undefined) return s;
          late.push(h.name);
          return h.stats();
        };
        const [md, inf, ex] = await Promise.all([
          Promise.all(marketData.map((h) => fresh(h))),
          Promise.all(inference.map((h) => fresh(h))),
          execution.freshSummary(timeoutMs).then((s) => s ?? (late.push('execution'), execution.summary())),
        ]);
        const heaps = [...marketData, ...inference].map((h) => h.heapUsedBytes() ?? 0).reduce((a, b) => a + b, execution.heapUsedBytes() ?? 0);
        const cpu = process.cpuUsage();
        const mem = process.memoryUsage();
        return {
          atNs: monoNs(),
          marketData: md.filter((s): s is MarketDataStats => s !== undefined),
          inference: inf.filter((s): s is InferenceStats => s !== undefined),
          execution: ex,
          late,
          memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed + heaps, sharedBytes },
          cpuUs: cpu.user + cpu.system,
        };
      },
      faults: {
        crashThread: async (name) => {
          const t = name === 'execution' ? execution : name === 'supervisor' ? supervisor : [...inference, ...marketData].find((h) => h.name === name);
          if (t?.crash === undefined) throw new Error(`no thread named ${name} to crash (threaded topology only)`);
          await t.crash();
        },
      },
      rotation: () => (rotation === undefined ? undefined : {
        capacity, maxMarkets: config.maxMarkets, slots: rotation.slots.all().map((sl) => ({ ...sl })), counters: { ...rotation.counters },
      }),
      stop(reason: string) {
        stopping ??= (async () => {
          log(`stopping: ${reason}`);
          clearInterval(statusTimer);
          restarts.stop(); // a thread that ends from here on is not restarted
          clearInterval(supervisorTimer);
          clearInterval(statsTimer);
          killWatch.stop();
          await control?.close();
          await sup.stop(); // no supervisor action from here on
          await rotation?.stop(); // no market added or retired from here on
          await Promise.all(inference.map((i) => i.stop())); // no new intents
          clearInterval(journalTimer);
          await execution.stop(config.cancelOnStop);
          await signer?.stop(); // nothing signs orders any more
          log(status.line(totals(), nowMs()));
          log(sessionSummary(inference.map((i) => i.stats()), execution.summary()));
          await Promise.all(marketData.map((m) => m.stop()));
          for (const d of drains) d(); // inline: the last decisions and recorded book changes
          journal.write('session', { session_id: sessionId, ended_ms: nowMs(), end_reason: reason });
          if (store !== undefined) {
            const j = await store.close({ timeoutMs: 10_000 });
            const why = Object.entries(j.rejectedByReason).map(([r, n]) => `${r} ${n}`).join(', ');
            log(`journal: ${j.written} rows written (${j.backend}), ${j.rejected} refused${why === '' ? '' : ` (${why})`}, ${j.spilledRows} spilled, ${j.dropped} dropped`);
          } else {
            await journal.flush();
          }
          await rest.close();
          await venue.close();
          log('stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
