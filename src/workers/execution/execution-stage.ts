/**
 * The execution stage (architecture.md §1, §4 step 3): the I/O around the pure ExecutionCore —
 * the same object in the execution worker (threaded topology, worker.ts) or on the main thread
 * (inline). It does not know which: it needs an event loop (sockets, timers) and nothing else.
 *
 *   intent rings ──drain (round robin)──► core.onIntent ──SEND──► REST (not awaited) ──outcome──► core.onOutcome ──follow-up──► …
 *   private WS (fill, user_orders, market_positions, order_group_updates) ──► core.onFill / onUserOrder / onGroupEvent
 *   every 100 ms: core.poll (lookups of UNKNOWN outcomes, stray cancels, group resets)
 *   every syncIntervalS, and at once after a reconnect or lost events: PeriodicSync (REST reconcile, drift)
 *
 * Concurrency: requests are never awaited in the drain loop (intent-drain.ts: fair round robin,
 * parks in Atomics.waitAsync when idle), so many markets are in flight at once; the core allows
 * one request per market. Outcomes come back on the event loop and may bring a follow-up (the
 * place after a cancel or a group creation), sent the same way. Request mapping: execution-io.ts;
 * private events: private-stream.ts and private-events.ts; calibration: calibration.ts; reconcile
 * and drift: periodic-sync.ts.
 *
 * Trading state: BOOTING → CALIBRATING during `start`, then the requested state (TRADING by
 * default; `setTradingState(state, reason)` for the supervisor, its reason journaled with the
 * transition). While the private stream is down, or after a reconnect until the REST reconcile
 * has run, a requested TRADING is applied as REDUCING: closings only — the host is blind to
 * fills and must not add exposure (lessons.md: reconnect gate).
 *
 * The supervisor's commands (architecture.md §6; it never touches account state itself):
 *   exitPosition(market, reason)  the whole position out, immediately marketable (core.exitPosition:
 *                                 IOC reduce_only, no group, past the trading state); the order_event
 *                                 carries `exit_reason`; counted in stats.exits
 *   cancelWorking(market, reason) the market's working order cancelled now (closing markets)
 *   kill({flatten, reason})       the kill switch: HALTED at once (and until setTradingState says
 *                                 otherwise), every order group of this session triggered (the
 *                                 exchange cancels their resting orders at once), whatever of ours
 *                                 still rests cancelled, then with `flatten` every position exited —
 *                                 retried as requests complete and fills arrive, up to a deadline
 *   resetTriggeredGroups()        every triggered group reset now (the kill switch cleared)
 *
 * The operator's commands (the dashboard, src/main/host/control-interface.ts):
 *   setOperatorDisabled(market, on, reason)  a market disabled: closings only (REDUCING) on top of
 *                                 whatever the supervisor's lifecycle asks, its working order
 *                                 cancelled; enabled: back to the lifecycle's state. The two never
 *                                 overwrite each other: the applied state is the stricter one.
 *   resetGroup(id)                one triggered order group reset now
 *   requestReconcile(reason)      a REST reconcile now
 *
 * Markets added while running (market rotation, src/main/host/market-rotation.ts): `addMarket`
 * takes a slot of the board's capacity that no market has held in this session (slots are never
 * reused: the ledger, the PositionBoard and journal rows are keyed by slot) and asks for a
 * reconcile, so whatever the exchange already holds in that market (a position from another
 * session, an orphan order) is adopted or cancelled by the usual rules. `setMarketTradingState`
 * winds a market down (closings only) or halts it once it closed.
 *
 * Stop: no new intents (the loop exits, the rings are left as they are), timers cleared, the
 * requests in flight allowed to finish (bounded), then — when asked — every resting order of
 * this session cancelled (listed by client_order_id prefix, batch cancels, re-listed until none
 * is left or the deadline) and the session's order groups deleted; WS and REST closed, journal
 * flushed, the PositionBoard's writer role released.
 *
 * Journal (records.ts; snake_case, exact integer units, every record with this session's id):
 * 'session' merge rows at start (started_ms, the calibrated cash and values) and at the end
 * (ended_ms, end_reason, end cash and values); an added market as a 'market_data' market record;
 * 'state_transition' for the account ('trading': from_state → to_state, lower-case names) and
 * per market ('market:<ticker>'); an 'order_event' for each place / amend / cancel sent and for
 * its outcome (keyed by client_order_id and a seq counted here); 'group_event' for a group
 * created; 'health_event' for a reconcile that failed. Fills, settlements and drifts:
 * private-events.ts and periodic-sync.ts; the calibration report: calibration.ts.
 */
import { writeRecord, type MarketRecord, type OrderEventRecord, type SessionRecord, type StateTransitionRecord } from '../../shared/journal-records.js';
import { monoNs } from '../../shared/clock.js';
import { MemoryJournal, type Journal } from '../../shared/journal.js';
import type { KalshiCredentials } from '../../shared/kalshi-signing.js';
import { OrderEntry, type KalshiRestClient, type OrderEntrySettings } from '../../shared/kalshi/rest/index.js';
import type { KalshiWsClientOptions } from '../../shared/kalshi/ws/client.js';
import type { PositionBoard, PositionBoardWriter } from '../../shared/position-board.js';
import { createAccountView, MarketTradingState, TradingState } from '../../shared/position-records.js';
import type { PriceGrid } from '../../shared/price-grid.js';
import type { SpscRing } from '../../shared/spsc-ring.js';
import { calibrate, type CalibrationReport } from './calibration.js';
import { ExecutionCore, type BookReader } from './execution-core.js';
import { DENY_REASON_NAMES } from './limits.js';
import type { ExecutionContext } from './execution-context.js';
import { RequestIo, type IoResult } from './execution-io.js';
import { coreOptionsOf, executionSettings, type ExecutionSettings } from './execution-settings.js';
import { collectStats, ExecutionCounters, type ExecutionStats } from './execution-stats.js';
import { cancelSessionOrders } from './exchange-view.js';
import { IntentDrain } from './intent-drain.js';
import { PeriodicSync, type PeriodicSyncOptions, type SyncReport } from './periodic-sync.js';
import { applyChannelEvent } from './private-events.js';
import { PrivateStream } from './private-stream.js';
import type { PresignStats } from '../../shared/presigned-signatures.js';
import type { AmendRequest, CancelRequest, PlaceRequest, SendRequest } from './requests.js';
import { OutcomeStatus, type RequestOutcome } from './working-orders.js';

export interface ExecutionMarket {
  /** Global market slot (BookStore, PositionBoard, intent records). */
  index: number;
  ticker: string;
  grid: PriceGrid;
  /** ms since the epoch; a market already closed is not traded (0: unknown). */
  closeTimeMs: number;
}

export interface ExecutionStageOptions {
  rest: KalshiRestClient;
  /** The private channels; without it fills arrive only through the periodic sync. */
  ws?: { url: string; credentials: KalshiCredentials; client?: Partial<KalshiWsClientOptions> };
  markets: readonly ExecutionMarket[];
  /** Book tops for pricing (the BookStore). */
  books: BookReader;
  /** This stage claims its writer role. */
  board: PositionBoard;
  /** One ring per inference worker, INTENT_WORDS-word records. */
  intents: readonly SpscRing[];
  settings?: Partial<ExecutionSettings>;
  /** This session's id (client-order-id.ts): 1..12 of [A-Za-z0-9]. */
  sessionId: string;
  journal?: Journal;
  /** Wall clock, ms (default Date.now): the core's time, lookups' time bounds. */
  clock?: () => number;
  /** Trading state requested once calibrated (default TRADING). */
  tradingState?: TradingState;
  /** core.poll period, ms (default 100). */
  pollIntervalMs?: number;
  /** ms after an UNKNOWN outcome before the core looks the order up (default 1000). */
  lookupDelayMs?: number;
  orderEntry?: OrderEntrySettings;
  /** How long `start` waits for the private stream before calibrating anyway (default 5000; openings wait for it). */
  wsReadyTimeoutMs?: number;
  sync?: Partial<Pick<PeriodicSyncOptions, 'fillSlackMs' | 'confirmDelayMs' | 'adoptOnDrift' | 'settlementLookbackMs'>>;
  /** The whole of `stop`, ms (default 5000). */
  stopTimeoutMs?: number;
  /** The pre-signed signature pool the REST credentials take from: its counters go into `stats()`. */
  presigned?: { stats(): PresignStats };
}

export interface StopOptions {
  /** Cancel this session's resting orders (default true). */
  cancelResting?: boolean;
  /** Why the session ends: the session record's end_reason (default 'stop'). */
  reason?: string;
}

export interface StopReport {
  durationMs: number;
  /** Resting orders of this session cancelled, and still resting at the end. */
  cancelled: number;
  remaining: number;
  /** Requests still unanswered when the stage gave up waiting. */
  abandoned: number;
  groupsDeleted: number;
}

/** What `exitPosition` did. */
export type ExitResult =
  /** The exit order is on its way (IOC reduce_only for the whole position). */
  | { status: 'sent'; clientOrderId: string; side: 'bid' | 'ask'; price: number; count: number }
  /** The market's working order `orderId` is being cancelled; the exit follows when it is gone. */
  | { status: 'deferred'; orderId: string }
  /** Nothing sent: a DenyReason name ('FLAT', 'IN_FLIGHT', 'NO_PRICE', 'BREAKER_OPEN', 'UNKNOWN_MARKET'), or 'NOT_CALIBRATED' / 'STOPPING'. */
  | { status: 'denied'; reason: string };

export interface KillOptions {
  /** Exit every position too. */
  flatten: boolean;
  /** Why (journaled with the HALTED transition and the kill's health event). */
  reason: string;
  /** The whole kill, ms (default 10 000): the flatten stops waiting for exits then. */
  timeoutMs?: number;
}

export interface KillReport {
  /** Order groups of this session the exchange triggered. */
  groupsTriggered: number;
  /** Resting orders of this session cancelled after the triggers, and still resting at the end of the cancels. */
  cancelled: number;
  remaining: number;
  /** Exit orders sent (or queued behind the cancel of a working order), and markets whose exit was refused. */
  exitsSent: number;
  exitsDenied: number;
  /** Traded markets still holding a position when the kill returned. */
  openPositions: number;
  durationMs: number;
}

/** An exit is tried this many times per market in one kill (an IOC may fill part of the position). */
const KILL_EXIT_ATTEMPTS = 5;
const DEFAULT_KILL_TIMEOUT_MS = 10_000;

export class ExecutionStage {
  readonly core: ExecutionCore;
  readonly settings: ExecutionSettings;
  readonly counters: ExecutionCounters;
  readonly journal: Journal;
  readonly sessionId: string;
  private readonly o: ExecutionStageOptions;
  private readonly clock: () => number;
  private readonly rest: KalshiRestClient;
  private readonly writer: PositionBoardWriter;
  private readonly io: RequestIo;
  private readonly grids: Array<PriceGrid | undefined>;
  private readonly byTicker = new Map<string, number>();
  private readonly traded: number[] = [];
  private readonly prefix: string;
  private readonly ctx: ExecutionContext;
  private readonly createdGroups: string[] = [];
  /** Per market slot, the market trading state applied (the journal's from_state). */
  private readonly marketStates = new Map<number, MarketTradingState>();
  /** Per market slot, the state the supervisor's lifecycle last asked for (the operator's disable applies on top). */
  private readonly lifecycleStates = new Map<number, MarketTradingState>();
  /** Market slots the operator disabled. */
  private readonly disabled = new Set<number>();
  /** Disabled market slots whose working order is still to be cancelled (see `cancelForDisable`). */
  private readonly disableCancels = new Set<number>();
  /** Per client_order_id, the next order_event seq (see `orderEvent`). */
  private readonly orderSeq = new Map<string, number>();
  private stream: PrivateStream | undefined;
  private sync: PeriodicSync | undefined;
  private requested: TradingState;
  /** The reason given with the requested state (journaled when it is applied). */
  private requestedReason = 'requested';
  private calibrated = false;
  private started = false;
  private stopping = false;
  private stopPromise: Promise<StopReport> | undefined;
  private loop: Promise<void> | undefined;
  private readonly drain: IntentDrain;
  private pollTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncRunning: Promise<void> | undefined;
  private syncAgain: string | undefined;
  /** Reconnects seen, and the count the last successful reconcile started after. */
  private gaps = 0;
  private gapsReconciled = 0;
  private reconcileWhenUp = false;
  /** The trading state last applied was the requested one held back (stream down or reconcile pending). */
  private wasBlind = false;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private lastRevalueMs = 0;
  private lastSync: SyncReport | undefined;
  private readonly account = createAccountView();
  /** Per market, the reason of the last exit asked for (a deferred exit's follow-up carries it). */
  private readonly exitReasons = new Map<number, string>();
  /** Per request id, why it was sent (exits, the supervisor's cancels): journaled with its order events. */
  private readonly requestReasons = new Map<number, string>();
  /** Per market, the last exit sent: |position| then, what its outcome filled (undefined: not answered), whether the exchange refused it. */
  private readonly lastExit = new Map<number, { position: number; filled: number | undefined; refused: boolean }>();
  /** Kills run one after the other. */
  private killQueue: Promise<unknown> = Promise.resolve();
  /** Waiting for anything to happen (an outcome, a private event, a reconcile): see `progress`. */
  private wakers: Array<() => void> = [];

  constructor(options: ExecutionStageOptions) {
    this.o = options;
    this.settings = executionSettings(options.settings);
    this.clock = options.clock ?? Date.now;
    this.rest = options.rest;
    this.sessionId = options.sessionId;
    this.prefix = `${options.sessionId}-`;
    this.journal = options.journal ?? new MemoryJournal(1_000);
    this.counters = new ExecutionCounters(options.intents.length);
    this.requested = options.tradingState ?? TradingState.TRADING;
    const capacity = options.board.capacity;
    for (const m of options.markets) {
      if (!Number.isInteger(m.index) || m.index < 0 || m.index >= capacity) throw new RangeError(`market ${m.ticker}: index ${m.index} outside the board's 0..${capacity - 1}`);
      if (this.byTicker.has(m.ticker)) throw new RangeError(`market ${m.ticker} listed twice`);
      this.byTicker.set(m.ticker, m.index);
      this.traded.push(m.index);
    }
    const grids = (this.grids = new Array<PriceGrid | undefined>(capacity).fill(undefined));
    for (const m of options.markets) grids[m.index] = m.grid;
    this.writer = options.board.claimWriter();
    try {
      this.core = new ExecutionCore({
        capacity, sessionId: options.sessionId, books: options.books, board: this.writer, ...coreOptionsOf(this.settings),
        lookupDelayMs: options.lookupDelayMs, tradingState: TradingState.BOOTING,
      });
      const now = this.clock();
      for (const m of options.markets) {
        const closed = m.closeTimeMs > 0 && m.closeTimeMs <= now;
        const state = closed ? MarketTradingState.HALTED : MarketTradingState.ACTIVE;
        this.core.addMarket(m.index, m.ticker, m.grid, state, now);
        this.marketStates.set(m.index, state);
        this.lifecycleStates.set(m.index, state);
      }
    } catch (err) {
      this.writer.release();
      throw err;
    }
    const entry = new OrderEntry(this.rest, { now: this.clock, ...options.orderEntry });
    this.io = new RequestIo({
      rest: this.rest, entry, clock: this.clock,
      gridOf: (m) => grids[m],
      sentAtOf: (m) => this.core.working.unresolvedRequest(m)?.sentAtMs,
    });
    this.ctx = {
      rest: this.rest, core: this.core, journal: this.journal, sessionId: this.sessionId, counters: this.counters, clock: this.clock,
      marketOf: (t) => this.byTicker.get(t) ?? -1,
      isOurs: (cid) => cid.startsWith(this.prefix),
    };
    this.drain = new IntentDrain(options.intents, this.counters.intentsByRing, (market, action, enqueuedNs, receivedNs) => this.onIntent(market, action, enqueuedNs, receivedNs), this.settings.waitSpinUs);
  }

  // ---------------------------------------------------------------------------------- life

  /** Private stream up (or timed out), calibration, then the loops. Resolves with the calibration report. */
  async start(): Promise<CalibrationReport> {
    if (this.started) throw new Error('ExecutionStage already started');
    this.started = true;
    const startedMs = this.clock();
    this.setTrading(TradingState.CALIBRATING, 'start');
    const ws = this.o.ws;
    if (ws !== undefined) {
      this.stream = new PrivateStream({
        url: ws.url, credentials: ws.credentials, client: ws.client,
        onEvent: (e) => {
          applyChannelEvent(this.ctx, e);
          this.wake();
        },
        onGap: (reason) => {
          if (reason === 'events_lost') {
            this.requestReconcile(reason);
            return;
          }
          // Reconnected: reconcile once the subscriptions are back, so nothing falls between the two.
          this.gaps++;
          if (this.stream?.up === true) this.requestReconcile(reason);
          else this.reconcileWhenUp = true;
        },
        onUpChange: (up) => {
          if (up && this.reconcileWhenUp) {
            this.reconcileWhenUp = false;
            this.requestReconcile('reconnect');
          }
          this.applyTradingState();
        },
      });
      this.stream.start();
      await this.stream.whenUp(this.o.wsReadyTimeoutMs ?? 5_000);
    }
    if (this.stopping) throw new Error('ExecutionStage stopped during start');
    const cal = await calibrate(this.ctx, {
      groupMode: this.settings.orderGroups, groupLimit: this.settings.groupLimit * 100, fillSlackMs: 60_000, cancelOrphans: this.settings.cancelOrphans,
    });
    this.createdGroups.push(...cal.createdGroups);
    if (this.stopping) throw new Error('ExecutionStage stopped during start');
    this.sync = new PeriodicSync(this.ctx, { ...this.o.sync, cancelOrphans: this.settings.cancelOrphans, fillWatermarkMs: cal.fillWatermarkMs, cancelled: () => this.stopping });
    this.stream?.release();
    this.calibrated = true;
    this.applyTradingState();
    this.pollTimer = setInterval(() => this.poll(), this.o.pollIntervalMs ?? 100);
    this.syncTimer = setInterval(() => this.requestReconcile('periodic'), this.settings.syncIntervalS * 1000);
    const r = cal.report;
    writeRecord(this.journal, 'session', {
      session_id: this.sessionId, started_ms: startedMs, start_cash_micros: this.core.ledger.cash, start_portfolio_value_micros: r.portfolioValue,
      start_values: { balance_micros: r.balance, reserved_micros: r.reserved, markets: this.traded.map((m) => this.core.tickerOf(m)), positions: this.positions() },
    });
    this.loop = this.drain.run();
    return cal.report;
  }

  /** See the file comment. Idempotent: a second call returns the first's promise. */
  stop(options: StopOptions = {}): Promise<StopReport> {
    this.stopPromise ??= this.shutdown(options.cancelResting ?? true, options.reason ?? 'stop');
    return this.stopPromise;
  }

  /**
   * The account trading state to apply once calibrated (the supervisor's call); `reason` is
   * journaled with the transition. A TRADING asked for while the private stream is blind is
   * applied as REDUCING until it is not (see the file comment).
   */
  setTradingState(state: TradingState, reason = 'requested'): void {
    this.requested = state;
    this.requestedReason = reason;
    this.applyTradingState();
  }

  // ---------------------------------------------------------------- supervisor commands

  /** An immediately marketable exit of the whole position in `market` (see the file comment). */
  exitPosition(market: number, reason: string): ExitResult {
    this.counters.exitRequested(reason);
    if (this.stopping || !this.calibrated) return this.exitDenied(this.stopping ? 'STOPPING' : 'NOT_CALIBRATED');
    const d = this.core.exitPosition(market, this.clock());
    if (d.kind === 'DENIED') return this.exitDenied(DENY_REASON_NAMES[d.reason]);
    const req = d.request;
    this.exitReasons.set(market, reason);
    this.requestReasons.set(req.requestId, reason);
    this.send(req, 0);
    if (req.kind === 'place') return { status: 'sent', clientOrderId: req.clientOrderId, side: req.side, price: req.price, count: req.count };
    return { status: 'deferred', orderId: req.kind === 'cancel' ? req.orderId : '' };
  }

  private exitDenied(name: string): ExitResult {
    this.counters.exitDenied(name);
    return { status: 'denied', reason: name };
  }

  /** Cancel `market`'s working order now, whatever the trading state (closing markets). False: nothing to cancel, or a request is out. */
  cancelWorking(market: number, reason: string): boolean {
    if (this.stopping || !this.calibrated) return false;
    if (!Number.isInteger(market) || market < 0 || market >= this.grids.length || this.grids[market] === undefined) return false;
    const d = this.core.cancelWorking(market, this.clock());
    if (d.kind === 'DENIED') return false;
    this.requestReasons.set(d.request.requestId, reason);
    this.send(d.request, 0);
    return true;
  }

  /** Resets the order group `id` now if it is TRIGGERED; false otherwise (unknown, active, already resetting). */
  resetGroup(id: string): boolean {
    if (this.stopping || !this.calibrated) return false;
    const request = this.core.resetGroupNow(id);
    if (request === undefined) return false;
    this.send(request, 0);
    return true;
  }

  /** Resets every order group the core has as TRIGGERED, now; returns how many resets were sent. */
  resetTriggeredGroups(): number {
    if (this.stopping || !this.calibrated) return 0;
    const requests = this.core.resetGroupsNow();
    for (const r of requests) this.send(r, 0);
    return requests.length;
  }

  /** The kill switch's execution part (see the file comment). Kills run one after the other. */
  kill(options: KillOptions): Promise<KillReport> {
    const run = this.killQueue.then(() => this.runKill(options));
    this.killQueue = run.catch(() => undefined);
    return run;
  }

  private async runKill(o: KillOptions): Promise<KillReport> {
    const t0 = this.clock();
    const deadline = t0 + (o.timeoutMs ?? DEFAULT_KILL_TIMEOUT_MS);
    const left = (): number => Math.max(0, deadline - this.clock());
    const report: KillReport = { groupsTriggered: 0, cancelled: 0, remaining: 0, exitsSent: 0, exitsDenied: 0, openPositions: 0, durationMs: 0 };
    // 1. Nothing new goes out (exits aside), until the supervisor asks for another state.
    this.setTradingState(TradingState.HALTED, o.reason);
    const busy = this.inFlight > 0;
    if (!this.stopping) {
      // 2. The exchange cancels every resting order of a triggered group at once, and refuses new ones into it.
      const ids = [...new Set(this.createdGroups)];
      const triggered = await Promise.all(ids.map((id) => this.rest.triggerOrderGroup(id).catch(() => undefined)));
      const now = this.clock();
      triggered.forEach((r, i) => {
        if (r?.kind !== 'ACCEPTED') return;
        report.groupsTriggered++;
        this.core.onGroupEvent('triggered', ids[i], now);
        const key = this.core.groups.keyOfId(ids[i]);
        writeRecord(this.journal, 'group_event', {
          session_id: this.sessionId, order_group_id: ids[i], ts_ms: now, event: 'triggered', reason: o.reason,
          market_ticker: key !== undefined && key >= 0 ? this.core.tickerOf(key) || null : null,
        });
      });
      // 3. Whatever of ours still rests (no groups, or placed outside them); once more after the
      // requests in flight have landed (a place answered after the listing may rest).
      ({ cancelled: report.cancelled, remaining: report.remaining } = await cancelSessionOrders(this.rest, this.prefix, deadline, this.clock));
      if ((busy || this.inFlight > 0) && !this.stopping && left() > 0) {
        await this.whenIdle(Math.min(left(), 2_000));
        const again = await cancelSessionOrders(this.rest, this.prefix, deadline, this.clock);
        report.cancelled += again.cancelled;
        report.remaining = again.remaining;
      }
      // 4. Flat.
      if (o.flatten && this.calibrated) await this.flattenAll(o.reason, deadline, report);
      this.requestReconcile('kill');
    }
    const l = this.core.ledger;
    report.openPositions = this.traded.filter((m) => l.position[m] !== 0).length;
    report.durationMs = this.clock() - t0;
    writeRecord(this.journal, 'health_event', {
      session_id: this.sessionId, monitor: 'kill_switch', ts_ms: this.clock(), event: 'killed', level: 'warn', value: report.openPositions,
      detail: { reason: o.reason, flatten: o.flatten, ...report },
    });
    return report;
  }

  /**
   * Exits every traded market with a position until all are flat, each has had its
   * KILL_EXIT_ATTEMPTS (an IOC takes only the best level: a larger position takes several), or
   * the deadline. A market waits while a request of its own is out, and after a partial exit
   * until the ledger holds the exit's fills (the next exit is sized on it; reduce_only caps a
   * stale size at the exchange anyway). Refusals other than IN_FLIGHT, ours or the exchange's,
   * end a market's turn.
   */
  private async flattenAll(reason: string, deadline: number, report: KillReport): Promise<void> {
    const l = this.core.ledger;
    const attempts = new Map<number, number>();
    const refused = new Set<number>();
    for (;;) {
      let waiting = false;
      for (const m of this.traded) {
        const q = l.position[m];
        if (q === 0 || refused.has(m)) continue;
        if (this.core.working.inFlight(m) !== undefined || this.core.exitDeferred(m)) {
          waiting = true;
          continue;
        }
        const last = this.lastExit.get(m);
        if (last !== undefined && last.filled !== undefined && last.filled > 0 && Math.abs(q) > last.position - last.filled) {
          waiting = true; // the exit filled more than the ledger has seen yet
          continue;
        }
        if (attempts.has(m) && last?.refused === true) continue; // the exchange refused it (market closed …): not again
        const n = attempts.get(m) ?? 0;
        if (n >= KILL_EXIT_ATTEMPTS) continue;
        const r = this.exitPosition(m, reason);
        if (r.status === 'denied') {
          if (r.reason === 'IN_FLIGHT') waiting = true;
          else {
            refused.add(m);
            report.exitsDenied++;
          }
          continue;
        }
        attempts.set(m, n + 1);
        report.exitsSent++;
        waiting = true;
      }
      const left = deadline - this.clock();
      if (!waiting || left <= 0 || this.stopping) return;
      await this.progress(left);
    }
  }

  /** Resolves at the next outcome, private event or reconcile (`wake`), or after `timeoutMs`. */
  private progress(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.wakers = this.wakers.filter((w) => w !== done);
        resolve();
      }, timeoutMs);
      this.wakers.push(done);
    });
  }

  private wake(): void {
    if (this.wakers.length === 0) return;
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  /**
   * Trade one more market, in slot `m.index` (cold path; see the file comment). Throws when the
   * slot is outside the board, already held this session, or the ticker is already traded.
   */
  addMarket(m: ExecutionMarket): void {
    if (this.stopping) throw new Error('ExecutionStage is stopping');
    const capacity = this.o.board.capacity;
    if (!Number.isInteger(m.index) || m.index < 0 || m.index >= capacity) throw new RangeError(`market ${m.ticker}: index ${m.index} outside the board's 0..${capacity - 1}`);
    if (this.grids[m.index] !== undefined) throw new RangeError(`market slot ${m.index} is already held (${this.core.tickerOf(m.index)}); slots are not reused`);
    if (this.byTicker.has(m.ticker)) throw new RangeError(`market ${m.ticker} is already traded`);
    const now = this.clock();
    const closed = m.closeTimeMs > 0 && m.closeTimeMs <= now;
    const state = closed ? MarketTradingState.HALTED : MarketTradingState.ACTIVE;
    this.core.addMarket(m.index, m.ticker, m.grid, state, now);
    this.marketStates.set(m.index, state);
    this.lifecycleStates.set(m.index, state);
    this.grids[m.index] = m.grid;
    this.byTicker.set(m.ticker, m.index);
    this.traded.push(m.index);
    const market: MarketRecord & { slot: number } = {
      type: 'market', market_ticker: m.ticker, close_ms: m.closeTimeMs > 0 ? m.closeTimeMs : null, price_grid: [...m.grid.ranges],
      updated_ms: now, session_id: this.sessionId, slot: m.index,
    };
    writeRecord(this.journal, 'market_data', market);
    this.requestReconcile('market_added');
  }

  /** A market's own trading state: ACTIVE, REDUCING (closings only), HALTED (nothing). Unknown slots are ignored. */
  setMarketTradingState(market: number, state: MarketTradingState, reason = ''): void {
    if (!this.isTraded(market)) return;
    this.lifecycleStates.set(market, state);
    this.applyMarketState(market, reason, true);
  }

  /**
   * The operator's disable (`on`) or enable of a market; see the file comment. Returns false for
   * a slot not traded. Disabling cancels the market's working order: now, or — when a request of
   * the market is out or its outcome unknown — once it is answered (`cancelForDisable`).
   */
  setOperatorDisabled(market: number, on: boolean, reason = ''): boolean {
    if (!this.isTraded(market)) return false;
    if (on === this.disabled.has(market)) return true;
    if (on) this.disabled.add(market);
    else this.disabled.delete(market);
    this.applyMarketState(market, reason === '' ? (on ? 'operator_disabled' : 'operator_enabled') : reason, false);
    if (on) {
      this.disableCancels.add(market);
      this.cancelForDisable(market);
    } else {
      this.disableCancels.delete(market);
    }
    return true;
  }

  /**
   * The cancel a disable owes `market`, sent once no request of the market is out and none is
   * UNKNOWN: an order the request in flight at the disable places (or amends, or an UNKNOWN one
   * found resting) is cancelled too. Retried on each of the market's outcomes and by `poll`.
   * (Asking the core while a request is out would also drop what waits behind it, e.g. a deferred exit.)
   */
  private cancelForDisable(market: number): void {
    if (!this.disableCancels.has(market) || this.stopping || !this.calibrated) return;
    const w = this.core.working;
    if (w.inFlight(market) !== undefined || w.isReduced(market)) return;
    this.disableCancels.delete(market);
    this.cancelWorking(market, 'operator_disabled');
  }

  /** Market slots the operator disabled, ascending. */
  operatorDisabled(): number[] {
    return [...this.disabled].sort((a, b) => a - b);
  }

  private isTraded(market: number): boolean {
    return Number.isInteger(market) && market >= 0 && market < this.grids.length && this.grids[market] !== undefined;
  }

  /**
   * Applies the stricter of the lifecycle's state and the operator's disable (REDUCING) and
   * journals it: always when the lifecycle asked (its reason may have changed), else on a change.
   */
  private applyMarketState(market: number, reason: string, lifecycleAsked: boolean): void {
    const lifecycle = this.lifecycleStates.get(market) ?? MarketTradingState.ACTIVE;
    const state = this.disabled.has(market) ? stricterMarketState(lifecycle, MarketTradingState.REDUCING) : lifecycle;
    const now = this.clock();
    const from = this.marketStates.get(market);
    if (from === state && !lifecycleAsked) return;
    this.core.setMarketTradingState(market, state, now);
    this.marketStates.set(market, state);
    writeRecord(this.journal, 'state_transition', {
      session_id: this.sessionId, machine: `market:${this.core.tickerOf(market)}`, ts_ms: now,
      from_state: from === undefined ? null : MARKET_STATE_NAMES[from], to_state: MARKET_STATE_NAMES[state], reason: reason === '' ? null : reason,
    });
  }

  /** A REST reconcile now (one at a time; a request during a run runs once more after it). */
  requestReconcile(reason: string): void {
    if (this.sync === undefined || this.stopping) return;
    if (this.syncRunning !== undefined) {
      this.syncAgain = reason;
      return;
    }
    this.syncRunning = this.runSyncs(reason).finally(() => (this.syncRunning = undefined));
  }

  /** The last reconcile's report. */
  lastSyncReport(): SyncReport | undefined {
    return this.lastSync;
  }

  /** Resolves when no request is in flight (true), or after `timeoutMs` (false). */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  get streamUp(): boolean {
    return this.stream?.up ?? false;
  }

  // ---------------------------------------------------------------------------- intents

  private onIntent(market: number, action: number, enqueuedNs = 0, receivedNs = 0): void {
    const popped = monoNs();
    if (enqueuedNs > 0) this.counters.queueWait.record(popped - enqueuedNs);
    const d = this.core.onIntent(market, action, this.clock());
    if (d.kind === 'DENIED') {
      this.counters.deniedBy(d.reason);
      return;
    }
    this.send(d.request, popped, receivedNs);
  }

  // ---------------------------------------------------------------------------- requests

  private send(req: SendRequest, poppedNs: number, receivedNs = 0): void {
    this.counters.requests[req.kind].sent++;
    if (req.kind === 'place' && req.exit === true) {
      this.counters.exits.sent++;
      this.lastExit.set(req.market, { position: Math.abs(this.core.ledger.position[req.market]), filled: undefined, refused: false });
    }
    this.inFlight++;
    const t0 = monoNs();
    // "Written": the request signed and handed to the HTTP client — after the rate budget, the
    // signature (RSA-PSS, the largest part) and undici's dispatch, which run after this call
    // returns. Never stamped when the request does not leave (refused by the local budget).
    let wire = 0;
    const onSent = poppedNs > 0 ? (): void => {
      if (wire !== 0) return; // a 429 retry is sent again: the first send is the stamp
      wire = monoNs();
      this.counters.intentToWire.record(wire - poppedNs);
      if (receivedNs > 0) this.counters.receiveToWire.record(wire - receivedNs);
    } : undefined;
    const result = this.io.execute(req, onSent);
    if (req.kind === 'place' || req.kind === 'amend' || req.kind === 'cancel') this.orderEvent(req, SENT_EVENT[req.kind], this.clock());
    void result.then(
      (r) => this.onResult(req, r, t0, wire, receivedNs),
      (err: unknown) => this.onResult(req, req.kind === 'lookup'
        ? { kind: 'lookup_failed', message: String(err) }
        : { kind: 'outcome', outcome: { status: OutcomeStatus.UNKNOWN, code: 'internal_error' }, viaLookup: false }, t0, wire, receivedNs),
    );
  }

  /** `wireNs` / `receivedNs`: the stamps of a request made from an intent (0 for the others). */
  private onResult(req: SendRequest, r: IoResult, t0: number, wireNs = 0, receivedNs = 0): void {
    const now = this.clock();
    const c = this.counters;
    try {
      if (req.kind === 'lookup') {
        if (r.kind === 'found') {
          c.requests.lookup.accepted++;
          this.core.onLookupResult(req.requestId, r.order, now);
        } else {
          c.requests.lookup.unknown++;
          c.lookupsFailed++;
          this.core.onOutcome(req.requestId, { status: OutcomeStatus.UNKNOWN, code: 'lookup_failed' }, now);
        }
        return;
      }
      if (r.kind !== 'outcome') return;
      const o = r.outcome;
      c.outcomeOf(req.kind, o);
      if (req.kind === 'place' || req.kind === 'amend' || req.kind === 'cancel') {
        const ackNs = monoNs();
        c.restRoundTrip.record(ackNs - t0);
        if (wireNs > 0 && (o.status === OutcomeStatus.ACCEPTED || o.status === OutcomeStatus.REJECTED)) {
          c.writtenToAck.record(ackNs - wireNs);
          if (receivedNs > 0) c.receiveToAck.record(ackNs - receivedNs);
        }
        if (r.viaLookup) c.placesResolvedByLookup++;
        this.orderEvent(req, OUTCOME_EVENT[req.kind][o.status], now, o, r.viaLookup);
        this.requestReasons.delete(req.requestId);
        if (req.kind === 'place' && req.exit === true) {
          const last = this.lastExit.get(req.market);
          if (last !== undefined) {
            last.filled = o.status === OutcomeStatus.ACCEPTED ? (o.filled ?? 0) : 0;
            last.refused = o.status === OutcomeStatus.REJECTED;
          }
        }
      } else if (req.kind === 'create_group' && o.status === OutcomeStatus.ACCEPTED && o.orderGroupId !== undefined) {
        this.createdGroups.push(o.orderGroupId);
        writeRecord(this.journal, 'group_event', {
          session_id: this.sessionId, order_group_id: o.orderGroupId, ts_ms: now, event: 'created', contracts_limit: req.contractsLimit,
          market_ticker: req.groupKey >= 0 ? this.core.tickerOf(req.groupKey) || null : null,
        });
      }
      const exitWaits = req.kind === 'cancel' && this.core.exitDeferred(req.market);
      let follow = this.core.onOutcome(req.requestId, o, now);
      if (exitWaits && follow === undefined) c.exitDenied('CANCEL_FAILED'); // the working order may still rest: no exit beside it
      while (follow !== undefined) {
        if (follow.kind === 'DENIED') {
          if (exitWaits) c.exitDenied(DENY_REASON_NAMES[follow.reason]);
          else c.deniedBy(follow.reason);
          break;
        }
        if (!this.stopping) {
          const f = follow.request;
          if (f.kind === 'place' && f.exit === true) this.requestReasons.set(f.requestId, this.exitReasons.get(f.market) ?? 'exit');
          this.send(f, 0);
          break;
        }
        // Stopping: the follow-up is not sent; tell the core it never left.
        c.followUpsDropped++;
        follow = this.core.onOutcome(follow.request.requestId, { status: OutcomeStatus.NOT_SENT }, now);
      }
    } finally {
      if (this.disableCancels.size > 0 && req.kind !== 'create_group' && req.kind !== 'reset_group') this.cancelForDisable(req.market);
      this.inFlight--;
      if (this.inFlight === 0 && this.idleWaiters.length > 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
      this.wake();
    }
  }

  private poll(): void {
    if (this.stopping) return;
    const now = this.clock();
    for (const r of this.core.poll(now)) this.send(r, 0);
    for (const m of this.disableCancels) this.cancelForDisable(m);
    if (now - this.lastRevalueMs >= 1_000) {
      this.lastRevalueMs = now;
      this.core.publishAccount(now, true);
    }
  }

  // --------------------------------------------------------------------------- reconcile

  private async runSyncs(reason: string): Promise<void> {
    let next: string | undefined = reason;
    while (next !== undefined && !this.stopping && this.sync !== undefined) {
      this.syncAgain = undefined;
      // A run covers the reconnects before it only if it started with the stream back up.
      const gapsBefore = this.stream === undefined || this.stream.up ? this.gaps : this.gapsReconciled;
      this.counters.reconciles[next] = (this.counters.reconciles[next] ?? 0) + 1;
      try {
        this.lastSync = await this.sync.run(next);
        this.gapsReconciled = gapsBefore;
        this.applyTradingState();
        this.wake();
      } catch (err) {
        this.counters.reconcileErrors++;
        writeRecord(this.journal, 'health_event', {
          session_id: this.sessionId, monitor: 'reconcile', ts_ms: this.clock(), event: 'reconcile_failed', level: 'error',
          detail: { reason: next, message: err instanceof Error ? err.message : String(err) },
        });
      }
      next = this.syncAgain;
    }
  }

  private applyTradingState(): void {
    if (!this.calibrated || this.stopping) return;
    let state = this.requested;
    const blind = this.stream !== undefined && (!this.stream.up || this.gapsReconciled < this.gaps);
    if (blind && state === TradingState.TRADING) state = TradingState.REDUCING;
    const from = this.core.getTradingState();
    if (state === from) return;
    const reason = state !== this.requested ? (this.stream?.up === true ? 'reconcile_pending' : 'stream_down')
      : from === TradingState.CALIBRATING ? 'calibrated' : this.wasBlind ? 'reconciled' : this.requestedReason;
    this.wasBlind = state !== this.requested;
    this.setTrading(state, reason, {
      requested: TRADING_STATE_NAMES[this.requested], requested_reason: this.requestedReason, stream_up: this.stream?.up ?? null,
      reconcile_pending: this.gapsReconciled < this.gaps,
    });
  }

  /** The account trading state, journaled when it changes (machine 'trading'). */
  private setTrading(state: TradingState, reason: string, context?: TradingContext): void {
    const from = this.core.getTradingState();
    const now = this.clock();
    this.core.setTradingState(state, now);
    if (state === from) return;
    const record: StateTransitionRecord & TradingContext = {
      session_id: this.sessionId, machine: 'trading', ts_ms: now, from_state: TRADING_STATE_NAMES[from], to_state: TRADING_STATE_NAMES[state], reason, ...context,
    };
    writeRecord(this.journal, 'state_transition', record);
  }

  /**
   * One order_event of a place, amend or cancel: keyed by the request's client_order_id (an
   * amend's current one; its new one is in `updated_client_order_id`) and a seq counted per id
   * here. The counts are kept for the last MAX_ORDER_SEQ ids (an id older than that, journaled
   * again, would restart at 0 and be taken as a duplicate).
   */
  private orderEvent(req: PlaceRequest | AmendRequest | CancelRequest, event: string, tsMs: number, o?: RequestOutcome, viaLookup?: boolean): void {
    const cid = req.clientOrderId;
    const seq = this.orderSeq.get(cid) ?? 0;
    this.orderSeq.delete(cid); // re-inserted last: the map stays in order of last use
    this.orderSeq.set(cid, seq + 1);
    if (this.orderSeq.size > MAX_ORDER_SEQ) this.orderSeq.delete(this.orderSeq.keys().next().value as string);
    const priced = req.kind === 'cancel' ? undefined : req;
    const record: OrderEventRecord & OrderEventContext = {
      session_id: this.sessionId, client_order_id: cid, seq, ts_ms: tsMs, event,
      order_id: o?.orderId ?? (req.kind === 'place' ? null : req.orderId),
      market_ticker: req.ticker,
      side: priced === undefined ? null : priced.side === 'bid' ? 'yes' : 'no',
      yes_price: priced?.price ?? null,
      count: priced?.count ?? null,
      remaining_count: o?.remaining ?? null,
      filled_count: o?.filled ?? null,
      reason: o?.code ?? null,
      http_status: o?.httpStatus ?? null,
      market: req.market,
      request_id: req.requestId,
    };
    const why = this.requestReasons.get(req.requestId);
    if (req.kind === 'place') {
      record.order_group_id = req.orderGroupId === '' ? null : req.orderGroupId;
      record.time_in_force = req.timeInForce;
      record.post_only = req.postOnly;
      record.reduce_only = req.reduceOnly;
      if (req.exit === true) record.exit_reason = why ?? 'exit';
    } else if (req.kind === 'amend') {
      record.updated_client_order_id = req.updatedClientOrderId;
    } else {
      record.stray = req.stray;
      if (why !== undefined) record.cancel_reason = why;
    }
    if (viaLookup !== undefined) record.via_lookup = viaLookup;
    writeRecord(this.journal, 'order_event', record);
  }

  /** The traded markets' open positions, for the session record. */
  private positions(): Array<Record<string, number | string>> {
    const l = this.core.ledger;
    return this.traded.filter((m) => l.position[m] !== 0).map((m) => ({
      market_ticker: this.core.tickerOf(m), position: l.position[m], cost_basis_micros: l.costBasis[m], realized_pnl_micros: l.realizedPnl[m], fees_paid_micros: l.feesPaid[m],
    }));
  }

  // -------------------------------------------------------------------------------- stop

  private async shutdown(cancelResting: boolean, reason: string): Promise<StopReport> {
    const t0 = this.clock();
    const deadline = t0 + (this.o.stopTimeoutMs ?? 5_000);
    const left = (): number => Math.max(0, deadline - this.clock());
    this.stopping = true;
    this.drain.stop();
    clearInterval(this.pollTimer);
    clearInterval(this.syncTimer);
    if (this.calibrated) this.setTrading(TradingState.HALTED, 'stop');
    await this.loop;
    // Requests in flight decide what is resting; give them a little time (cancels below list the exchange anyway).
    await this.whenIdle(Math.min(left(), 2_000));
    if (this.syncRunning !== undefined) await within(this.syncRunning, Math.min(left(), 1_000));
    let cancelled = 0;
    let remaining = 0;
    let groupsDeleted = 0;
    if (cancelResting && this.started) {
      ({ cancelled, remaining } = await cancelSessionOrders(this.rest, this.prefix, deadline, this.clock));
      for (const id of this.createdGroups) {
        if (left() === 0) break;
        const r = await this.rest.deleteOrderGroup(id).catch(() => undefined);
        if (r?.kind === 'ACCEPTED') groupsDeleted++;
      }
    }
    const abandoned = this.inFlight;
    await this.stream?.close();
    const end: SessionRecord = {
      session_id: this.sessionId, ended_ms: this.clock(), end_reason: reason,
      end_values: { cancelled, remaining, abandoned, groups_deleted: groupsDeleted, positions: this.calibrated ? this.positions() : [] },
    };
    if (this.calibrated) {
      end.end_cash_micros = this.core.ledger.cash;
      end.end_portfolio_value_micros = this.core.portfolioValue();
    }
    writeRecord(this.journal, 'session', end);
    await this.journal.flush();
    await this.rest.close();
    this.writer.release();
    return { durationMs: this.clock() - t0, cancelled, remaining, abandoned, groupsDeleted };
  }

  // ------------------------------------------------------------------------------- stats

  stats(): ExecutionStats {
    const ws = this.stream;
    return collectStats({
      counters: this.counters, core: this.core, traded: this.traded, books: this.o.books,
      availableCash: this.o.board.readAccount(this.account) ? this.account.cash : this.core.ledger.cash,
      inFlight: this.inFlight, streamUp: ws?.up ?? false, eventsLost: ws?.eventsLost ?? 0, reconnects: ws?.reconnects ?? 0, nowMs: this.clock(),
      requestedTradingState: this.requested, reconcilePending: this.gapsReconciled < this.gaps, presign: this.o.presigned?.stats(),
      operatorDisabled: this.operatorDisabled(),
      lastSync: this.lastSync === undefined ? null : {
        atMs: this.lastSync.startedAtMs + this.lastSync.durationMs, reason: this.lastSync.reason, driftOk: this.lastSync.drift.ok, driftConfirmed: this.lastSync.driftConfirmed,
      },
    });
  }
}

/** `p`, or nothing after `ms` — whichever comes first; leaves no timer behind. */
function within(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    p.then(done, done);
  });
}

/** Order events keep a seq per client_order_id for this many ids (the most recently used). */
const MAX_ORDER_SEQ = 100_000;

/** Journal names of the trading states: 'booting', 'calibrating', … */
const TRADING_STATE_NAMES = namesOf(TradingState);
const MARKET_STATE_NAMES = namesOf(MarketTradingState);

/** How much a market state forbids: ACTIVE < REDUCING < HALTED (INACTIVE: nothing was ever approved). */
const STRICTNESS: Record<MarketTradingState, number> = {
  [MarketTradingState.ACTIVE]: 0, [MarketTradingState.REDUCING]: 1, [MarketTradingState.HALTED]: 2, [MarketTradingState.INACTIVE]: 3,
};

/** The stricter of two market states. */
export function stricterMarketState(a: MarketTradingState, b: MarketTradingState): MarketTradingState {
  return STRICTNESS[a] >= STRICTNESS[b] ? a : b;
}

function namesOf(e: Readonly<Record<string, number>>): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(e)) names[value] = name.toLowerCase();
  return names;
}

/** order_event `event` of a request sent, and of its outcome. */
const SENT_EVENT = { place: 'sent', amend: 'amend_sent', cancel: 'cancel_sent' } as const;
const OUTCOME_EVENT: Record<'place' | 'amend' | 'cancel', Record<OutcomeStatus, string>> = {
  place: { [OutcomeStatus.ACCEPTED]: 'accepted', [OutcomeStatus.REJECTED]: 'rejected', [OutcomeStatus.UNKNOWN]: 'unknown', [OutcomeStatus.NOT_SENT]: 'not_sent' },
  amend: { [OutcomeStatus.ACCEPTED]: 'amended', [OutcomeStatus.REJECTED]: 'amend_rejected', [OutcomeStatus.UNKNOWN]: 'amend_unknown', [OutcomeStatus.NOT_SENT]: 'amend_not_sent' },
  cancel: { [OutcomeStatus.ACCEPTED]: 'canceled', [OutcomeStatus.REJECTED]: 'cancel_rejected', [OutcomeStatus.UNKNOWN]: 'cancel_unknown', [OutcomeStatus.NOT_SENT]: 'cancel_not_sent' },
};

/** Fields of a trading-state transition kept in the row's `extra`. */
interface TradingContext {
  requested?: string;
  /** The reason given with the requested state (setTradingState). */
  requested_reason?: string;
  stream_up?: boolean | null;
  reconcile_pending?: boolean;
}

/** Fields of an order event kept in the row's `extra`: the market slot, the request, and per kind what has no column. */
interface OrderEventContext {
  market: number;
  request_id: number;
  updated_client_order_id?: string;
  stray?: boolean;
  via_lookup?: boolean;
  /** An exit's reason (the supervisor's: 'take_profit', 'kill_switch' …). */
  exit_reason?: string;
  /** Why a cancel was asked for outside the policy (an exit ahead of it, a closing market …). */
  cancel_reason?: string;
}
