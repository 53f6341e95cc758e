/**
 * The supervisor as the main thread sees it, in either topology: its own worker thread
 * (threaded; src/supervisor/worker.ts) or the very same Supervisor on this thread (inline).
 * The main thread feeds it what is not in shared memory (execution stats, market table changes,
 * thread exits, the kill switch) and carries out its actions (`SupervisorActions`, given by the
 * host: they reach the execution stage or restart a thread). A supervisor thread that dies is
 * reported through `onUnexpectedExit`; the host restarts it (and watches its heartbeat), telling
 * the new one the market table, the threads, the verdict and the kill switch. Meanwhile the
 * stages trade on in the state last requested, under the execution thread's own limits.
 */
import type { Worker } from 'node:worker_threads';
import type { BookStore } from '../../shared/book-store.js';
import type { Heartbeats } from '../../shared/heartbeats.js';
import type { Journal } from '../../shared/journal.js';
import type { PositionBoard } from '../../shared/position-board.js';
import type { ExecutionStats } from '../../workers/execution/execution-stats.js';
import { Supervisor, type KillSwitchView, type SupervisedMarket, type SupervisorActions, type SupervisorSettings, type SupervisorView } from '../../supervisor/supervisor.js';
import { startSupervisorWorker, type FromSupervisor, type SupervisorAction, type ToSupervisor } from '../../supervisor/supervisor-protocol.js';

export interface SupervisorHandle {
  /** The supervisor's latest published view (undefined before its first). */
  view(): SupervisorView | undefined;
  executionStats(stats: ExecutionStats): void;
  market(m: SupervisedMarket): void;
  calibrated(verdict: 'trade' | 'recover' | 'refuse', reason?: string): void;
  watch(name: string, slot: number): void;
  threadExited(name: string, why: string): void;
  killSwitch(view: KillSwitchView | undefined): void;
  /** Threaded: end the thread abruptly, as a crash would (fault injection). */
  crash?(): Promise<void>;
  stop(): Promise<void>;
}

export interface SupervisorStartOptions {
  threaded: boolean;
  board: PositionBoard;
  books: BookStore;
  heartbeats: Heartbeats;
  /** The supervisor thread's own heartbeat slot (threaded). */
  slot: number;
  settings: SupervisorSettings;
  sessionId: string;
  markets: SupervisedMarket[];
  journal: Journal;
  log: (line: string) => void;
  actions: SupervisorActions;
  /** The supervisor thread exited without being asked to. */
  onUnexpectedExit?: (why: string) => void;
}

/** Carry out one action message on `actions`. */
export function dispatch(actions: SupervisorActions, a: SupervisorAction): void {
  switch (a.action) {
    case 'setTradingState': return actions.setTradingState(a.state as never, a.reason);
    case 'setMarketState': return actions.setMarketState(a.index, a.state as never, a.reason);
    case 'cancelWorking': return actions.cancelWorking(a.index, a.reason);
    case 'exitPosition': return actions.exitPosition(a.index, a.reason);
    case 'reconcile': return actions.reconcile(a.reason);
    case 'kill': return actions.kill({ flatten: a.flatten, reason: a.reason });
    case 'resetGroups': return actions.resetGroups();
    case 'restartThread': return actions.restartThread(a.name, a.why);
  }
}

export async function startSupervisor(o: SupervisorStartOptions): Promise<SupervisorHandle> {
  if (!o.threaded) {
    // Inline: no other thread to watch by heartbeat (a hung main thread hangs everything).
    const s = new Supervisor({ board: o.board, books: o.books, actions: o.actions, settings: o.settings, sessionId: o.sessionId, journal: o.journal, log: o.log });
    for (const m of o.markets) s.upsertMarket(m);
    return {
      view: () => s.view(),
      executionStats: (stats) => s.executionStats(stats),
      market: (m) => s.upsertMarket(m),
      calibrated: (verdict, reason) => {
        s.calibrated(verdict, reason);
        s.start();
      },
      watch: (name, slot) => s.watchThread(name, slot),
      threadExited: (name, why) => s.threadExited(name, why),
      killSwitch: (view) => s.setKillSwitch(view),
      stop: async () => s.stop(),
    };
  }
  const worker: Worker = startSupervisorWorker({
    board: o.board.shared, books: o.books.shared, heartbeats: o.heartbeats.shared, slot: o.slot,
    settings: o.settings, sessionId: o.sessionId, markets: o.markets,
  });
  let latest: SupervisorView | undefined;
  let exited = false;
  let stopping = false;
  let stopped: (() => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: FromSupervisor) => {
      switch (m.type) {
        case 'ready': return resolve();
        case 'act': return dispatch(o.actions, m.act);
        case 'journal': for (const r of m.records) o.journal.write(r.kind, r.record); return;
        case 'log': return o.log(m.line);
        case 'view': latest = m.view; return;
        case 'stopped': return;
        case 'fatal':
          o.log(`supervisor: ${m.message}`);
          return reject(new Error(`supervisor could not start: ${m.message}`));
      }
    });
    worker.on('error', (err) => reject(err));
    worker.on('exit', (code) => {
      exited = true;
      stopped?.();
      reject(new Error(`supervisor thread exited at start-up (code ${code})`));
      if (!stopping) o.onUnexpectedExit?.(`exit code ${code}`);
    });
  });
  await ready;
  const post = (m: ToSupervisor) => {
    if (!exited) worker.postMessage(m);
  };
  return {
    view: () => latest,
    executionStats: (stats) => post({ type: 'stats', stats }),
    market: (market) => post({ type: 'market', market }),
    calibrated: (verdict, reason) => post({ type: 'calibrated', verdict, reason }),
    watch: (name, slot) => post({ type: 'watch', name, slot }),
    threadExited: (name, why) => post({ type: 'thread_exited', name, why }),
    killSwitch: (view) => post({ type: 'kill_switch', view: view ?? null }),
    crash: async () => {
      if (!exited) await worker.terminate();
    },
    stop: () => new Promise<void>((resolve) => {
      stopping = true;
      if (exited) return resolve();
      stopped = resolve;
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      timer.unref();
      post({ type: 'stop' });
    }),
  };
}
