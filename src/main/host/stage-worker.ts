/**
 * A stage worker as the main thread sees it: started, waited for (`ready` or a one-line
 * failure), its latest stats kept, stopped with a deadline. A worker that dies is reported
 * through `onExit` (the supervisor restarts it); its `fatal` line never carries a key.
 * `addMarket` posts an `add_market` and resolves on the stage's `market_added` answer.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../shared/worker-spawn.js';
import type { AddMarketMessage, FromWorker, ToWorker } from '../../workers/worker-protocol.js';

/** How long an `add_market` may wait for the stage's answer, ms. */
const ADD_MARKET_TIMEOUT_MS = 10_000;

export class StageWorker<S> {
  latest: S | undefined;
  /** The thread's V8 heap in use at its last stats, bytes. */
  heapUsedBytes: number | undefined;
  /** `stats_now` answers awaited (any `stats` message answers them all). */
  private statsWaiters: Array<() => void> = [];
  exited = false;
  private readonly worker: Worker;
  private readonly readyPromise: Promise<void>;
  private stopped: Promise<S | undefined> | undefined;
  private readonly adding = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  constructor(
    readonly name: string,
    entry: URL,
    workerData: unknown,
    handlers: { onJournal?: (records: Array<{ kind: import('../../shared/journal.js').JournalKind; record: Record<string, unknown> }>) => void; onEvent?: (event: unknown) => void; onNotice?: (notice: unknown) => void; onExit?: (name: string, reason: string) => void } = {},
    transferList: ReadonlyArray<import('node:worker_threads').TransferListItem> = [],
  ) {
    this.worker = spawnWorker(entry, { workerData, transferList: [...transferList], name });
    let fail: (e: Error) => void = () => undefined;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      fail = reject;
      this.worker.on('message', (m: FromWorker<S>) => {
        switch (m.type) {
          case 'ready': return resolve();
          case 'stats': {
            this.latest = m.stats;
            if (m.heapUsedBytes !== undefined) this.heapUsedBytes = m.heapUsedBytes;
            const waiters = this.statsWaiters;
            this.statsWaiters = [];
            for (const w of waiters) w();
            return;
          }
          case 'event': return handlers.onEvent?.(m.event);
          case 'journal': return handlers.onJournal?.(m.records);
          case 'notice': return handlers.onNotice?.(m.notice);
          case 'stopped': this.latest = m.stats; return;
          case 'market_added': {
            const w = this.adding.get(m.index);
            this.adding.delete(m.index);
            if (m.error === undefined) w?.resolve();
            else w?.reject(new Error(`${name} refused market slot ${m.index}: ${m.error}`));
            return;
          }
          case 'fatal': return reject(new Error(`${name}: ${m.message}`));
        }
      });
    });
    this.readyPromise.catch(() => undefined);
    this.worker.on('error', (err) => fail(new Error(`${name}: ${err.message}`)));
    this.worker.on('exit', (code) => {
      this.exited = true;
      for (const w of this.adding.values()) w.reject(new Error(`${name} exited (code ${code})`));
      this.adding.clear();
      fail(new Error(`${name} stopped at start-up (exit code ${code})`));
      if (this.stopped === undefined) handlers.onExit?.(name, `exit code ${code}`);
    });
  }

  /** The worker's thread id (for a writer claim left behind by a crash). */
  get threadId(): number {
    return this.worker.threadId;
  }

  /**
   * End the thread abruptly, as a crash would (fault injection, and the end of a hung thread
   * before its restart): no `stop`, so `onExit` reports it like any unexpected exit.
   */
  async crash(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
  }

  /** Stats taken now: resolves with the thread's answer to `stats_now`, or undefined after `timeoutMs` or once it has exited. */
  freshStats(timeoutMs = 2_000): Promise<S | undefined> {
    if (this.exited) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.statsWaiters = this.statsWaiters.filter((w) => w !== answer);
        resolve(undefined);
      }, timeoutMs);
      const answer = (): void => {
        clearTimeout(timer);
        resolve(this.latest);
      };
      this.statsWaiters.push(answer);
      this.worker.postMessage({ type: 'stats_now' } satisfies ToWorker);
    });
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  post(message: ToWorker): void {
    if (!this.exited) this.worker.postMessage(message);
  }

  /** Tell the stage about a new market; resolves once it took it, rejects when it refused, exited or did not answer. */
  addMarket(message: AddMarketMessage, timeoutMs = ADD_MARKET_TIMEOUT_MS): Promise<void> {
    if (this.exited || this.stopped !== undefined) return Promise.reject(new Error(`${this.name} is stopping`));
    if (this.adding.has(message.index)) return Promise.reject(new Error(`market slot ${message.index} is already being added to ${this.name}`));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.adding.delete(message.index);
        reject(new Error(`${this.name} did not answer add_market for slot ${message.index} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.adding.set(message.index, {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.worker.postMessage(message);
    });
  }

  /** Ask the stage to stop; terminate it if it has not exited within `deadlineMs`. Resolves with its last stats. */
  stop(message: ToWorker = { type: 'stop' }, deadlineMs = 5_000): Promise<S | undefined> {
    this.stopped ??= new Promise<S | undefined>((resolve) => {
      if (this.exited) return resolve(this.latest);
      const timer = setTimeout(() => void this.worker.terminate(), deadlineMs);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve(this.latest);
      });
      this.worker.postMessage(message);
    });
    return this.stopped;
  }
}
