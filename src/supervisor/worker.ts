/**
 * Thread entry of the supervisor (threaded topology; protocol: supervisor-protocol.ts). Runs a
 * Supervisor over the shared memory it attaches; its actions go to the main thread as `act`
 * messages (the main thread relays them to the execution stage or restarts a thread), its
 * journal records and log lines are batched to the main thread, its view posted for the
 * dashboard. It beats its own heartbeat, so the main thread can tell a dead supervisor.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BookStore } from '../shared/book-store.js';
import { Heartbeats } from '../shared/heartbeats.js';
import type { Journal, JournalKind } from '../shared/journal.js';
import { PositionBoard } from '../shared/position-board.js';
import { errorLine } from '../workers/worker-protocol.js';
import { Supervisor } from './supervisor.js';
import { SUPERVISOR_POST_MS, type FromSupervisor, type SupervisorAction, type SupervisorWorkerData, type ToSupervisor } from './supervisor-protocol.js';

const port = parentPort!;
const post = (m: FromSupervisor) => port.postMessage(m);
const data = workerData as SupervisorWorkerData;

class BatchJournal implements Journal {
  batch: Array<{ kind: JournalKind; record: Record<string, unknown> }> = [];
  write(kind: JournalKind, record: Readonly<Record<string, unknown>>): void {
    this.batch.push({ kind, record: { ...record } });
  }
  flush(): Promise<void> {
    if (this.batch.length > 0) post({ type: 'journal', records: this.batch });
    this.batch = [];
    return Promise.resolve();
  }
}

function main(): void {
  const heartbeats = Heartbeats.attach(data.heartbeats);
  const stopBeating = heartbeats.startBeating(data.slot);
  const journal = new BatchJournal();
  const act = (a: SupervisorAction) => {
    void journal.flush(); // the journal records that explain an action go first
    post({ type: 'act', act: a });
  };
  const supervisor = new Supervisor({
    board: PositionBoard.attach(data.board),
    books: BookStore.attach(data.books),
    heartbeats,
    settings: data.settings,
    sessionId: data.sessionId,
    journal,
    log: (line) => post({ type: 'log', line }),
    actions: {
      setTradingState: (state, reason) => act({ action: 'setTradingState', state, reason }),
      setMarketState: (index, state, reason) => act({ action: 'setMarketState', index, state, reason }),
      cancelWorking: (index, reason) => act({ action: 'cancelWorking', index, reason }),
      exitPosition: (index, reason) => act({ action: 'exitPosition', index, reason }),
      reconcile: (reason) => act({ action: 'reconcile', reason }),
      kill: ({ flatten, reason }) => act({ action: 'kill', flatten, reason }),
      resetGroups: () => act({ action: 'resetGroups' }),
      restartThread: (name, why) => act({ action: 'restartThread', name, why }),
    },
  });
  for (const m of data.markets) supervisor.upsertMarket(m);
  const poster = setInterval(() => {
    void journal.flush();
    post({ type: 'view', view: supervisor.view() });
  }, SUPERVISOR_POST_MS);
  port.on('message', (m: ToSupervisor) => {
    switch (m.type) {
      case 'stats': return supervisor.executionStats(m.stats);
      case 'market': return supervisor.upsertMarket(m.market);
      case 'calibrated':
        supervisor.calibrated(m.verdict, m.reason);
        return supervisor.start();
      case 'watch': return supervisor.watchThread(m.name, m.slot);
      case 'thread_exited': return supervisor.threadExited(m.name, m.why);
      case 'kill_switch': return supervisor.setKillSwitch(m.view ?? undefined);
      case 'stop':
        supervisor.stop();
        clearInterval(poster);
        stopBeating();
        void journal.flush();
        post({ type: 'view', view: supervisor.view() });
        post({ type: 'stopped' });
        port.close();
        return;
    }
  });
  post({ type: 'ready' });
}

try {
  main();
} catch (err) {
  post({ type: 'fatal', message: errorLine(err) });
  port.close();
}
