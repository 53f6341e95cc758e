/**
 * The supervisor (architecture.md §6; issue #8): watches the whole host and asks the execution
 * thread to act. It never sends an order itself and writes no shared state: it READS the
 * PositionBoard (positions, cash, trading states), the BookStore (executable prices), the thread
 * heartbeats and the execution stage's stats, and calls `SupervisorActions` (trading state,
 * market states, exits, reconciles, the kill switch, thread restarts). Thread-agnostic like the
 * stages: the same object runs in the supervisor worker (threaded, ./worker.ts) or on the main
 * thread (inline).
 *
 * Account state machine (state-machine.ts): BOOTING → CALIBRATING → READY → TRADING ⇄ REDUCING
 * → RECOVERING → TRADING, and HALTED. The supervisor's state is the account state it REQUESTS;
 * the execution thread applies it (and may hold a requested TRADING at REDUCING while its private
 * stream is blind: the reconnect gate) and publishes the applied one in the PositionBoard. Every
 * transition is logged, journaled ('state_transition', machine 'supervisor', with its reason) and
 * kept in `history()` for the dashboard.
 *
 * Every `tickMs` (default 1 s; all reads are of shared memory or the last stats message):
 * 1. Kill switch engaged → HALTED: `actions.kill` once (groups triggered, orders cancelled,
 *    positions flattened when asked). Nothing else runs until it is cleared; clearing goes
 *    HALTED → CALIBRATING (reconcile, triggered groups reset) → READY → TRADING.
 * 2. Threads: a heartbeat silent for `deadAfterMs` (or an exit reported by the host through
 *    `threadExited`) → `actions.restartThread`. A dead execution thread → HALTED
 *    'execution_down' until it is back (the host triggers its groups and recalibrates it).
 * 3. Market lifecycle (market-lifecycle.ts) per traded market: closing soon → closings only and
 *    its working order cancelled; inside `flattenBeforeCloseMs` → flattened; closed, determined,
 *    settled → HALTED (the periodic sync books the settlement); paused → closings only.
 * 4. Position health (position-health.ts): take-profit, stop-loss, max hold, trailing stop on
 *    the net-of-fee P&L at the executable price (the best bid of the side held, minus the taker
 *    fee of the exit and the fees paid in the market) → an exit
 *    (immediately marketable, reduce-only: ExecutionCore.exitPosition).
 * 5. Cash (cash-recovery.ts): available cash below the reserve → RECOVERING and the worst
 *    positions closed first until reserve + margin is back; then TRADING again.
 * 6. From the execution stats: a triggered order group → REDUCING until it is reset (the
 *    execution thread resets it after the cool-down when the setting allows); a private stream
 *    gap → REDUCING until resynced; a confirmed drift → recorded ('health_event' monitor 'drift',
 *    `driftsSeen`): the sync that confirmed it has already adopted the exchange's figures.
 * 7. Market data: no book update in any supervised market for `bookSilenceMs` → a warning,
 *    journaled once per episode (`checkBooks`).
 * Every `intervalMs` (default 60 s): a reconcile with the exchange ('supervisor'), whose drift
 * the next stats show.
 *
 * An exit asked for a market is not asked again while it is pending (`EXIT_RETRY_MS`), so one
 * condition never sends a burst of orders; the execution core's one-request-per-market rule is
 * the second guard.
 */
import { NONE } from '../shared/book-layout.js';
import { emptyBookTop, type BookTop } from '../shared/book-store.js';
import { monoNs } from '../shared/clock.js';
import { HeartbeatMonitor, type Heartbeats } from '../shared/heartbeats.js';
import { writeRecord } from '../shared/journal-records.js';
import type { Journal } from '../shared/journal.js';
import { createAccountView, createMarketPositionView, MarketTradingState, TradingState } from '../shared/position-records.js';
import type { PositionBoard } from '../shared/position-board.js';
import type { ExecutionStats } from '../workers/execution/execution-stats.js';
import { planCashRecovery } from './cash-recovery.js';
import { lifecycleAction, type LifecycleRules, type MarketLife } from './market-lifecycle.js';
import { PositionHealth, type ExitRules, type PositionMark } from './position-health.js';
import { decideAccountState, SupervisorStateMachine, TRADING_STATE_NAMES, type Transition } from './state-machine.js';

/** How long an exit asked for stays pending before the supervisor may ask again, ms. */
export const EXIT_RETRY_MS = 5_000;

export interface SupervisedMarket {
  index: number;
  ticker: string;
  /** ms since the epoch (0: unknown). */
  closeTimeMs: number;
  status: MarketLife['status'];
  /** Retired by market rotation (winding down or closed): never back to ACTIVE. */
  retired?: boolean;
}

export interface SupervisorActions {
  /** The account state the execution thread should apply (with the transition's reason). */
  setTradingState(state: TradingState, reason: string): void;
  setMarketState(index: number, state: MarketTradingState, reason: string): void;
  /** Cancel the working order of a market (closing markets). */
  cancelWorking(index: number, reason: string): void;
  /** An immediately marketable reduce-only exit of the whole position. */
  exitPosition(index: number, reason: string): void;
  reconcile(reason: string): void;
  kill(options: { flatten: boolean; reason: string }): void;
  resetGroups(): void;
  /** Restart a dead thread (`name` as registered with `watchThread`). */
  restartThread(name: string, why: string): void;
}

export interface SupervisorSettings {
  tickMs: number;
  intervalMs: number;
  exitRules: ExitRules;
  lifecycle: LifecycleRules;
  /** µ$ of available cash that must stay free, and the margin recovered above it. */
  cashReserve: number;
  cashMargin: number;
  /** A heartbeat silent this long is a dead thread, ms. */
  deadAfterMs: number;
  /** No book update in any supervised market for this long is a silent market-data stream, ms (0: not watched; default 60 000). */
  bookSilenceMs?: number;
}

export interface KillSwitchView {
  reason: string;
  flatten: boolean;
}

export interface SupervisorOptions {
  board: PositionBoard;
  books: { readTop(market: number, out: BookTop): boolean };
  heartbeats?: Heartbeats;
  actions: SupervisorActions;
  settings: SupervisorSettings;
  sessionId: string;
  journal: Journal;
  log: (line: string) => void;
  clock?: () => number;
}

/** What the supervisor publishes (dashboard, `GET /supervisor`, tests). */
export interface SupervisorView {
  state: string;
  reason: string;
  sinceMs: number;
  killSwitch: KillSwitchView | null;
  transitions: Array<{ from: string; to: string; reason: string; atMs: number }>;
  threads: Array<{ name: string; alive: boolean; silentMs: number; restarts: number }>;
  exits: Record<string, number>;
  cashShortMicros: number;
  driftsSeen: number;
  restarts: number;
  /** Supervision passes run (`tick`), and the wall clock of the last one (ms; 0 before the first). */
  passes: number;
  lastPassMs: number;
  /** Market data: ms since the newest book update of any supervised market was received (−1: none yet), stale books, and whether that silence is past `bookSilenceMs`. */
  books: { newestAgeMs: number; stale: number; silent: boolean };
}

export class Supervisor {
  readonly machine: SupervisorStateMachine;
  private readonly o: SupervisorOptions;
  private readonly clock: () => number;
  private readonly health: PositionHealth;
  private readonly monitor: HeartbeatMonitor | undefined;
  private readonly markets = new Map<number, SupervisedMarket>();
  /** Per market: the MarketTradingState last asked for, and the lifecycle reason. */
  private readonly marketAsked = new Map<number, string>();
  private readonly pendingExits = new Map<number, number>();
  private readonly exitsByReason: Record<string, number> = {};
  private readonly threadRestarts = new Map<string, number>();
  private readonly restarting = new Set<string>();
  private stats: ExecutionStats | undefined;
  private kill: KillSwitchView | undefined;
  private killActed = false;
  private executionDown = false;
  private calibrating = true;
  /** The start-up calibration's verdict (`calibrated`): refuse → HALTED, recover → RECOVERING first. */
  private verdict: 'trade' | 'recover' | 'refuse' = 'trade';
  private cashShort = 0;
  /** Positions being flattened out of closing markets, at the last pass. */
  private flattening = 0;
  private driftsSeen = 0;
  private passes = 0;
  private lastPassMs = 0;
  private bookAgeMs = -1;
  private staleBooks = 0;
  private booksSilent = false;
  private lastDriftConfirmed = 0;
  private tickTimer: NodeJS.Timeout | undefined;
  private intervalTimer: NodeJS.Timeout | undefined;
  private readonly account = createAccountView();
  private readonly position = createMarketPositionView();
  private readonly top = emptyBookTop();

  constructor(options: SupervisorOptions) {
    this.o = options;
    this.clock = options.clock ?? Date.now;
    this.machine = new SupervisorStateMachine(this.clock());
    this.health = new PositionHealth(options.settings.exitRules);
    this.monitor = options.heartbeats === undefined ? undefined : new HeartbeatMonitor(options.heartbeats, options.settings.deadAfterMs);
    this.apply(this.machine.moveTo(TradingState.CALIBRATING, 'start', this.clock()));
  }

  // ------------------------------------------------------------------------------- inputs

  /** Calibration done: its verdict decides the first state after READY. */
  calibrated(verdict: 'trade' | 'recover' | 'refuse', reason = 'calibrated'): void {
    this.verdict = verdict;
    this.calibrating = false;
    const now = this.clock();
    if (this.kill !== undefined) return this.tick(); // a kill switch engaged before (or across a restart) holds
    this.apply(this.machine.moveTo(verdict === 'refuse' ? TradingState.HALTED : TradingState.READY, verdict === 'refuse' ? 'calibration_refused' : reason, now));
  }

  /** A market traded (at start or added by rotation), or its close time / status moved. */
  upsertMarket(m: SupervisedMarket): void {
    const known = this.markets.get(m.index);
    this.markets.set(m.index, known === undefined ? { ...m } : { ...known, ...m });
  }

  /** The execution stage's latest stats (every second). */
  executionStats(stats: ExecutionStats): void {
    this.stats = stats;
  }

  /** A thread to watch by heartbeat (a restarted thread comes back under the same name with a new slot). */
  watchThread(name: string, slot: number): void {
    this.monitor?.watch(name, slot, this.clock());
    this.restarting.delete(name);
    if (name === 'execution' && this.executionDown) {
      this.executionDown = false;
      this.calibrating = false;
      this.note('threads', 'execution_restarted', 'info', { name });
      this.apply(this.machine.moveTo(TradingState.CALIBRATING, 'execution_restarted', this.clock()));
      this.apply(this.machine.moveTo(TradingState.READY, 'recalibrated', this.clock()));
    }
  }

  /** The host saw a thread exit that nobody asked to stop. */
  threadExited(name: string, why: string): void {
    this.onDead(name, why);
  }

  /** The kill switch engaged (`view`) or cleared (undefined): from the file watch, HTTP or the CLI. */
  setKillSwitch(view: KillSwitchView | undefined): void {
    const was = this.kill;
    this.kill = view;
    if (view !== undefined && (was === undefined || (view.flatten && !was.flatten))) {
      // Engaged, or engaged again with --flatten: the kill runs (again) with the new request.
      this.killActed = false;
      this.log(`kill switch engaged: ${view.reason}${view.flatten ? ' (flatten)' : ''}`);
    } else if (view === undefined && was !== undefined) {
      this.log('kill switch cleared: recalibrating');
      const now = this.clock();
      this.apply(this.machine.moveTo(TradingState.CALIBRATING, 'kill_switch_cleared', now));
      this.o.actions.resetGroups();
      this.o.actions.reconcile('kill_switch_cleared');
      this.apply(this.machine.moveTo(TradingState.READY, 'recalibrated', now));
    }
    this.tick();
  }

  // ------------------------------------------------------------------------------- life

  start(): void {
    this.tickTimer ??= setInterval(() => this.tick(), this.o.settings.tickMs);
    this.intervalTimer ??= setInterval(() => this.o.actions.reconcile('supervisor'), this.o.settings.intervalMs);
    this.tickTimer.unref();
    this.intervalTimer.unref();
    this.tick();
  }

  stop(): void {
    clearInterval(this.tickTimer);
    clearInterval(this.intervalTimer);
    this.tickTimer = undefined;
    this.intervalTimer = undefined;
  }

  /** One supervision pass (see the file comment). Public for tests and the inline topology. */
  tick(): void {
    const now = this.clock();
    this.passes++;
    this.lastPassMs = now;
    if (this.kill !== undefined) {
      this.apply(this.machine.moveTo(TradingState.HALTED, 'kill_switch', now));
      if (!this.killActed) {
        this.killActed = true;
        this.o.actions.kill({ flatten: this.kill.flatten, reason: this.kill.reason });
      }
      this.checkThreads(now);
      return;
    }
    this.checkThreads(now);
    this.checkDrift();
    this.checkBooks();
    if (!this.calibrating && !this.executionDown && this.machine.state !== TradingState.HALTED) {
      this.checkMarkets(now);
      this.checkCash(now);
      // "Recover first" (the calibration's verdict) lasts until a pass finds nothing to recover:
      // cash at the reserve and no position being flattened out of a closing market.
      if (this.verdict === 'recover' && this.cashShort === 0 && this.flattening === 0) {
        this.verdict = 'trade';
        this.log('recovered: cash at the reserve, no position left to close in a closing market');
      }
    }
    const s = this.stats;
    const decided = decideAccountState({
      killSwitch: false,
      executionDown: this.executionDown,
      calibrating: this.calibrating,
      verdict: this.verdict,
      cashShort: this.cashShort > 0,
      groupsTriggered: s?.groups?.triggered ?? 0,
      streamBlind: s !== undefined && (!s.streamUp || s.reconcilePending === true),
      driftUnresolved: false,
    });
    if (this.machine.state === TradingState.HALTED && decided.state !== TradingState.HALTED) return; // HALTED leaves only through recalibration
    if (this.machine.state === TradingState.CALIBRATING && decided.state !== TradingState.HALTED) return;
    this.apply(this.machine.moveTo(decided.state, decided.reason, now));
  }

  // ---------------------------------------------------------------------------- monitors

  private checkThreads(now: number): void {
    if (this.monitor === undefined) return;
    for (const t of this.monitor.check(now)) if (!t.alive) this.onDead(t.name, `heartbeat silent for ${t.silentMs} ms`);
  }

  private onDead(name: string, why: string): void {
    if (this.restarting.has(name)) return;
    this.restarting.add(name);
    this.monitor?.unwatch(name);
    this.threadRestarts.set(name, (this.threadRestarts.get(name) ?? 0) + 1);
    this.note('threads', 'thread_dead', 'error', { name, why });
    this.log(`${name} is dead (${why}): restarting it`);
    if (name === 'execution') {
      this.executionDown = true;
      this.apply(this.machine.moveTo(TradingState.HALTED, 'execution_down', this.clock()));
    }
    this.o.actions.restartThread(name, why);
  }

  /**
   * The market-data streams, as the books show them: the newest receipt of any supervised live
   * market (receipt stamps are `monoNs`, one clock for every thread of the process). Silent
   * past `bookSilenceMs` → a warning, journaled once per episode (a quiet market is not an
   * error, so the state does not change; the WebSocket clients reconnect by themselves, and a
   * hung market-data thread is caught by its heartbeat).
   */
  private checkBooks(): void {
    const top = this.top;
    let newest = 0;
    let stale = 0;
    for (const m of this.markets.values()) {
      if (m.retired === true || m.status === 'closed' || m.status === 'determined' || m.status === 'settled') continue;
      if (!this.o.books.readTop(m.index, top) || top.stale) stale++;
      else if (top.receiveNs > newest) newest = top.receiveNs;
    }
    this.staleBooks = stale;
    this.bookAgeMs = newest === 0 ? -1 : Math.max(0, Math.round((monoNs() - newest) / 1e6));
    const limit = this.o.settings.bookSilenceMs ?? 60_000;
    const silent = limit > 0 && this.bookAgeMs > limit;
    if (silent === this.booksSilent) return;
    this.booksSilent = silent;
    if (silent) this.log(`market data silent: no book update for ${Math.round(this.bookAgeMs / 1000)} s`);
    this.note('streams', silent ? 'book_stream_silent' : 'book_stream_resumed', silent ? 'warn' : 'info', { newest_age_ms: this.bookAgeMs, stale_books: stale });
  }

  private checkDrift(): void {
    const d = this.stats?.drift;
    if (d === undefined || d.confirmed === this.lastDriftConfirmed) return;
    const fresh = d.confirmed - this.lastDriftConfirmed;
    this.lastDriftConfirmed = d.confirmed;
    this.driftsSeen += fresh;
    this.note('drift', 'drift_corrected', 'warn', { confirmed: d.confirmed, cash_micros: -d.lastCash, markets: d.lastMarkets });
    this.log(`drift with the exchange corrected (cash ${-d.lastCash} µ$, ${d.lastMarkets} markets): exchange figures adopted`);
  }

  private checkMarkets(now: number): void {
    const { board, books, settings } = this.o;
    const p = this.position;
    this.flattening = 0;
    for (const m of this.markets.values()) {
      if (m.index >= board.capacity || !board.readMarket(m.index, p)) continue;
      const life: { state: MarketTradingState; cancelWorking: boolean; flatten: boolean; reason: string } = lifecycleAction(
        { market: m.index, closeTimeMs: m.closeTimeMs, status: m.status, position: p.position, hasWorkingOrder: p.workingOrderCount > 0 },
        settings.lifecycle, now,
      );
      // A market retired by rotation never trades openings again, whatever its status says.
      if (m.retired === true && life.state === MarketTradingState.ACTIVE) {
        life.state = MarketTradingState.REDUCING;
        life.reason = 'retired';
      }
      const asked = `${life.state}:${life.reason}`;
      const before = this.marketAsked.get(m.index);
      if (before !== asked) {
        this.marketAsked.set(m.index, asked);
        // Markets start ACTIVE in the execution stage: an ACTIVE is sent only to undo an earlier ask.
        if (before !== undefined || life.state !== MarketTradingState.ACTIVE) this.o.actions.setMarketState(m.index, life.state, life.reason);
      }
      // Flattening: the exit cancels the working order itself, then goes out (ExecutionCore.exitPosition);
      // a cancel of our own sent first would only make that exit wait (IN_FLIGHT) for its retry.
      if (life.cancelWorking && !life.flatten && p.workingOrderCount > 0) this.o.actions.cancelWorking(m.index, life.reason);
      if (p.position === 0) {
        this.health.forget(m.index);
        this.pendingExits.delete(m.index);
        continue;
      }
      if (life.flatten) {
        this.flattening++;
        this.exit(m.index, 'market_closing', now);
        continue;
      }
      if (life.state === MarketTradingState.HALTED) continue; // no longer trades: it settles
      const mark = this.markOf(m.index, books);
      const reason = this.health.check(mark, now);
      if (reason !== undefined) this.exit(m.index, reason, now);
    }
  }

  private checkCash(now: number): void {
    const { board, books, settings } = this.o;
    if (!board.readAccount(this.account)) return;
    const available = this.account.cash;
    if (available >= settings.cashReserve) {
      if (this.cashShort > 0) this.log(`cash back above the reserve (${available} µ$ available)`);
      this.cashShort = 0;
      return;
    }
    const positions: PositionMark[] = [];
    for (const m of this.markets.values()) {
      if (m.index >= board.capacity || !board.readMarket(m.index, this.position) || this.position.position === 0) continue;
      positions.push(this.markOf(m.index, books));
    }
    const pending = new Set<number>();
    for (const [m, at] of this.pendingExits) if (now - at < EXIT_RETRY_MS) pending.add(m);
    const plan = planCashRecovery({ availableCash: available, reserve: settings.cashReserve, margin: settings.cashMargin, positions, pending });
    if (this.cashShort === 0) {
      this.note('cash', 'below_reserve', 'warn', { available_micros: available, reserve_micros: settings.cashReserve, short_micros: plan.short, coverable: plan.coverable });
      this.log(`cash below the reserve: ${available} µ$ available, reserve ${settings.cashReserve} µ$; closing the worst positions first`);
    }
    this.cashShort = positions.length === 0 ? 0 : plan.short; // nothing to close: openings are refused by the reserve anyway
    for (const m of plan.markets) this.exit(m, 'cash_recovery', now);
  }

  /** The position of `market` at its executable price (the best bid of the side held). */
  private markOf(market: number, books: SupervisorOptions['books']): PositionMark {
    const p = this.position;
    this.o.board.readMarket(market, p);
    const top = this.top;
    let exitBid = NONE;
    if (books.readTop(market, top) && !top.stale) exitBid = p.position > 0 ? top.yesBid : top.noBid;
    // Entry fees: the board keeps the market's fees paid this session, all trades together (the
    // ledger does not split them per open position). Counting all of them is the conservative
    // side: a stop-loss fires no later, a take-profit no earlier, than on the position's own fees.
    return { market, position: p.position, costBasis: p.costBasis, openedAtMs: p.positionOpenedAtMs, exitBid, entryFees: p.feesPaid };
  }

  private exit(market: number, reason: string, now: number): void {
    const at = this.pendingExits.get(market);
    if (at !== undefined && now - at < EXIT_RETRY_MS) return;
    this.pendingExits.set(market, now);
    this.exitsByReason[reason] = (this.exitsByReason[reason] ?? 0) + 1;
    this.note('positions', 'exit', 'info', { market, ticker: this.markets.get(market)?.ticker ?? null, reason });
    this.o.actions.exitPosition(market, reason);
  }

  // ---------------------------------------------------------------------------- output

  private apply(transitions: Transition[]): void {
    for (const t of transitions) {
      const from = TRADING_STATE_NAMES[t.from];
      const to = TRADING_STATE_NAMES[t.to];
      this.log(`supervisor: ${from} → ${to} (${t.reason})`);
      writeRecord(this.o.journal, 'state_transition', { session_id: this.o.sessionId, machine: 'supervisor', ts_ms: t.atMs, from_state: from, to_state: to, reason: t.reason });
      if (t.to !== TradingState.CALIBRATING && t.to !== TradingState.BOOTING) this.o.actions.setTradingState(t.to, t.reason);
    }
  }

  private note(monitor: string, event: string, level: 'info' | 'warn' | 'error', detail: Record<string, unknown>): void {
    writeRecord(this.o.journal, 'health_event', { session_id: this.o.sessionId, monitor, ts_ms: this.clock(), event, level, detail });
  }

  private log(line: string): void {
    this.o.log(line);
  }

  view(): SupervisorView {
    return {
      state: TRADING_STATE_NAMES[this.machine.state],
      reason: this.machine.reason,
      sinceMs: this.machine.sinceMs,
      killSwitch: this.kill === undefined ? null : { ...this.kill },
      transitions: this.machine.history(50).map((t) => ({ from: TRADING_STATE_NAMES[t.from], to: TRADING_STATE_NAMES[t.to], reason: t.reason, atMs: t.atMs })),
      threads: this.monitor === undefined ? [] : this.monitor.check(this.clock()).map((t) => ({ name: t.name, alive: t.alive, silentMs: t.silentMs, restarts: this.threadRestarts.get(t.name) ?? 0 })),
      exits: { ...this.exitsByReason },
      cashShortMicros: this.cashShort,
      driftsSeen: this.driftsSeen,
      restarts: [...this.threadRestarts.values()].reduce((a, b) => a + b, 0),
      passes: this.passes,
      books: { newestAgeMs: this.bookAgeMs, stale: this.staleBooks, silent: this.booksSilent },
      lastPassMs: this.lastPassMs,
    };
  }
}
