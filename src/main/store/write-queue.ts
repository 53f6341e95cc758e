/**
 * The WriteQueue: every journal record of the process reaches one writer here, on the main
 * thread, and goes to the database in large COPY batches without ever making a caller wait.
 *
 *   write(kind, record)            main thread: encode into the table's open chunk (row-batcher.ts)
 *   PortJournal (port-journal.ts)  other threads: encode there, post sealed chunks here
 *        │ sealed chunks (~64 KB)
 *        ▼
 *   per-table FIFOs in memory ──(over maxQueueBytes)──► spill file (spill.ts) ──(replay)──┐
 *        │ ◄─────────────────────────────────────────────────────────────────────────────┘
 *        ▼ batches of ≤ maxBatchBytes, ≤ store.concurrency in flight, oldest table first
 *   Store.write → one transaction: COPY (direct, or staging + ON CONFLICT DO NOTHING)
 *
 * Guarantees:
 * - `write` is O(1), never awaits, never throws; a record it cannot take (unknown kind, missing
 *   natural key, wrong type) is counted in `rejected` by kind and reason.
 * - At least once: a batch leaves memory only when its transaction committed, a spill line is
 *   removed only when written; natural keys make the second write of a row a counted no-op.
 * - Bounded memory: past `maxQueueBytes` chunks go to the spill file; past `maxSpillBytes` (or
 *   when the disk fails) chunks are dropped and counted — except fills and settlements, which are
 *   kept (in the spill, or in memory past the bound) whatever it costs, and merge tables
 *   (sessions, markets: a few rows, whose order matters), which stay in memory (a flush during an
 *   outage spills them too).
 * - An outage (connection refused or lost) is seen at once, shown in `stats()`, and retried with
 *   backoff; the host keeps writing meanwhile. A batch the database refuses as data (SQLSTATE
 *   22/23/42) is bisected down to the bad row, which is set aside in `rejected.jsonl` in the
 *   spill directory (same line format as a spill file) and counted in `failedRows`.
 * - `flush()` resolves once everything journaled before it is in the database — or, while the
 *   database is away, in the spill file (fsynced).
 *
 * Merge tables keep their order (one batch in flight at a time); append tables do not need one.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Journal, JournalKind } from '../../shared/journal.js';
import { Fifo } from './fifo.js';
import { attachJournalPort } from './port-journal.js';
import { countReason, DEFAULT_CHUNK_BYTES, RowBatcher, type Chunk } from './row-batcher.js';
import { SpillDir, type SpillFile } from './spill.js';
import type { Store, StoreBackend } from './store.js';
import { tableSpec } from './tables.js';
import { failureClass, type WriteOutcome } from './table-writer.js';

export interface WriteQueueOptions {
  store: Store;
  /** Where to spill past the memory bound; null: no spill (drop instead, fills stay in memory). */
  spillDir?: string | null;
  /** Memory bound for sealed chunks, bytes of COPY text (default 64 MiB). */
  maxQueueBytes?: number;
  /** Spill bound, bytes (default 1 GiB); fills and settlements are spilled past it. */
  maxSpillBytes?: number;
  /** A chunk is sealed at this size (default 64 KiB). */
  chunkBytes?: number;
  /** Chunks of one table written in one transaction, bytes (default 2 MiB). */
  maxBatchBytes?: number;
  /** Gather writes this long before sealing a partly filled chunk, ms (default 10; 0: the next turn
   *  of the event loop). Bounds the transactions per second at moderate rates. */
  lingerMs?: number;
  /** COPY straight into append tables while no duplicate is seen (default true). */
  copyDirect?: boolean;
  /** Reconnect backoff, ms (default 200 doubling to 5 000). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  clock?: () => number;
  /** Outages, recoveries, spill errors, rows set aside. */
  onEvent?: (event: JournalEvent) => void;
}

export type JournalEvent =
  | { type: 'outage'; error: string }
  | { type: 'restored'; outageMs: number }
  | { type: 'spill_error'; error: string }
  | { type: 'quarantined'; table: string; rows: number; error: string }
  /** A bug in the queue's own bookkeeping, caught so that it never reaches the host. */
  | { type: 'error'; error: string };

export interface JournalStats {
  backend: StoreBackend;
  connected: boolean;
  /** When the current outage began, ms; null while connected. */
  outageSince: number | null;
  lastError: string | null;
  /** Rows in memory not yet written (open, queued and in flight). */
  depth: number;
  queuedBytes: number;
  /** Age of the oldest row not yet written (memory or spill), ms. */
  lagMs: number;
  /** Records taken (by write on this thread, and from other threads' ports). */
  enqueued: number;
  /** Rows committed as new, and rows whose natural key was already there. */
  written: number;
  duplicatesIgnored: number;
  /** Rows given up: past every bound (never fills), or left in memory at a close that timed out. */
  dropped: number;
  /** Records refused by `write` (here or in a worker), and why: `<kind>:<reason>`. */
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Rows the database refused as data, set aside in rejected-*.jsonl. */
  failedRows: number;
  /** Rows written to spill files (cumulative), read back from them, and still there. */
  spilledRows: number;
  replayedRows: number;
  spillBacklogRows: number;
  spillBacklogBytes: number;
  spillFiles: number;
  batches: number;
  inFlight: number;
}

/** The journal the host holds: `Journal` plus what the lifespan and the dashboard need. */
export interface StoreJournal extends Journal {
  readonly backend: StoreBackend;
  stats(): JournalStats;
  /** A port for one worker thread: give it to `new PortJournal(port)` there. */
  connectPort(): MessagePort;
  /** Reads (calibration, restart, tests). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Flush (at most `timeoutMs`, default 30 s), then close the store. */
  close(options?: { timeoutMs?: number }): Promise<JournalStats>;
}

interface ReplayFile {
  readonly file: SpillFile;
  pending: number;
  eof: boolean;
}

interface Queued extends Chunk {
  /** Enqueue order (flush targets). */
  readonly seq: number;
  /** The spill file it was read back from. */
  readonly from?: ReplayFile;
  /** Write alone (bisecting a batch the database refused). */
  readonly isolate?: boolean;
}

interface Batch {
  readonly table: string;
  readonly chunks: Queued[];
  readonly rows: number;
  readonly bytes: number;
}

/** After a conflict on the direct path, a table goes by staging for this long, ms. */
const STAGING_HOLD_MS = 10_000;
const TICK_MS = 250;

export class WriteQueue implements StoreJournal {
  readonly backend: StoreBackend;
  private readonly store: Store;
  private readonly batcher: RowBatcher;
  private readonly queues = new Map<string, Fifo<Queued>>();
  private readonly spill: SpillDir | undefined;
  private readonly o: Required<Omit<WriteQueueOptions, 'store' | 'spillDir' | 'onEvent'>>;
  private readonly onEvent: (event: JournalEvent) => void;
  private readonly lowWater: number;

  private seq = 0;
  private memBytes = 0;
  private memRows = 0;
  private inflight = 0;
  private readonly inflightBatches = new Set<Batch>();
  private readonly busyMerge = new Set<string>();
  private readonly stagingUntil = new Map<string, number>();
  private pumpScheduled = false;
  private connected = false;
  private outageSince: number | null = null;
  private lastError: string | null = null;
  private reconnecting = false;
  private replaying = false;
  private closed = false;
  private spillUsable = false;
  private readonly waiters: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ports = new Set<MessagePort>();
  private tick: NodeJS.Timeout | undefined;

  private portRows = 0;
  private portRejected = 0;
  private readonly rejectedByReason = new Map<string, number>();
  private written = 0;
  private duplicates = 0;
  private dropped = 0;
  private failedRows = 0;
  private spilledRows = 0;
  private replayedRows = 0;
  private batches = 0;

  constructor(options: WriteQueueOptions) {
    this.store = options.store;
    this.backend = options.store.backend;
    this.o = {
      maxQueueBytes: options.maxQueueBytes ?? 64 * 1024 * 1024,
      maxSpillBytes: options.maxSpillBytes ?? 1024 * 1024 * 1024,
      chunkBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
      maxBatchBytes: options.maxBatchBytes ?? 2 * 1024 * 1024,
      lingerMs: options.lingerMs ?? 10,
      copyDirect: options.copyDirect ?? true,
      reconnectMinMs: options.reconnectMinMs ?? 200,
      reconnectMaxMs: options.reconnectMaxMs ?? 5_000,
      clock: options.clock ?? Date.now,
    };
    this.lowWater = Math.floor(this.o.maxQueueBytes / 2);
    this.onEvent = options.onEvent ?? (() => undefined);
    this.batcher = new RowBatcher((chunk) => this.accept(chunk), this.o.chunkBytes, this.o.clock);
    this.spill = options.spillDir == null ? undefined : new SpillDir(options.spillDir, this.o.clock);
  }

  /** Pick up an earlier run's spill files and make the first connection (an outage if it fails). */
  async start(): Promise<void> {
    if (this.spill !== undefined) {
      try {
        await this.spill.init();
        this.spillUsable = true;
      } catch (err) {
        this.onEvent({ type: 'spill_error', error: message(err) });
      }
    }
    try {
      await this.store.connect();
      this.connected = true;
    } catch (err) {
      this.outage(err);
    }
    this.tick = setInterval(() => {
      this.maybeReplay();
      this.schedulePump();
      this.notify();
    }, TICK_MS);
    this.tick.unref();
    this.schedulePump();
  }

  // ── Journal ────────────────────────────────────────────────────────────────────────────────

  write(kind: JournalKind, record: Readonly<Record<string, unknown>>): void {
    if (this.closed) {
      countReason(this.rejectedByReason, `${kind}:closed`, 1);
      this.portRejected++;
      return;
    }
    this.batcher.add(kind, record);
    if (!this.pumpScheduled && this.connected && this.inflight < this.store.concurrency) this.schedulePump();
  }

  async flush(): Promise<void> {
    this.batcher.sealAll();
    const target = this.seq;
    for (;;) {
      const memory = this.pendingUpTo(target);
      if (this.connected) {
        if (!memory && (this.spill === undefined || this.spill.minSeq > target)) return;
      } else if (this.inflight === 0) {
        if (memory) this.spillAll(target);
        if (!this.pendingUpTo(target) && this.spill !== undefined) {
          await this.spill.sync();
          if (this.spill.pendingWrites === 0 && !this.pendingUpTo(target)) return;
        } else if (!this.pendingUpTo(target)) return;
      }
      this.schedulePump();
      await this.progress();
    }
  }

  // ── the host's view ────────────────────────────────────────────────────────────────────────

  stats(): JournalStats {
    const now = this.o.clock();
    let oldest = Infinity;
    for (const q of this.queues.values()) for (const c of q) if (c.firstAtMs < oldest) oldest = c.firstAtMs;
    for (const b of this.inflightBatches) for (const c of b.chunks) if (c.firstAtMs < oldest) oldest = c.firstAtMs;
    const openOldest = this.batcher.oldestOpenMs();
    if (openOldest < oldest) oldest = openOldest;
    const spillOldest = this.spill?.oldestMs ?? 0;
    if (spillOldest > 0 && spillOldest < oldest) oldest = spillOldest;
    const rejectedByReason: Record<string, number> = {};
    for (const [k, v] of this.batcher.rejected) rejectedByReason[k] = v;
    for (const [k, v] of this.rejectedByReason) rejectedByReason[k] = (rejectedByReason[k] ?? 0) + v;
    return {
      backend: this.backend,
      connected: this.connected,
      outageSince: this.outageSince,
      lastError: this.lastError,
      depth: this.memRows + this.batcher.openRows,
      queuedBytes: this.memBytes + this.batcher.openBytes,
      lagMs: oldest === Infinity ? 0 : Math.max(0, now - oldest),
      enqueued: this.batcher.accepted + this.portRows,
      written: this.written,
      duplicatesIgnored: this.duplicates,
      dropped: this.dropped,
      rejected: this.batcher.rejectedTotal + this.portRejected,
      rejectedByReason,
      failedRows: this.failedRows,
      spilledRows: this.spilledRows,
      replayedRows: this.replayedRows,
      spillBacklogRows: this.spill?.backlogRows ?? 0,
      spillBacklogBytes: this.spill?.backlogBytes ?? 0,
      spillFiles: this.spill?.files ?? 0,
      batches: this.batches,
      inFlight: this.inflight,
    };
  }

  connectPort(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.ports.add(port1);
    attachJournalPort(port1, {
      chunk: (chunk) => {
        if (this.closed) {
          this.dropped += chunk.rows;
          return;
        }
        this.portRows += chunk.rows;
        this.accept(chunk);
        if (!this.pumpScheduled && this.connected) this.schedulePump();
      },
      rejected: (counts) => {
        for (const [k, v] of Object.entries(counts)) {
          countReason(this.rejectedByReason, k, v);
          this.portRejected += v;
        }
      },
      flush: () => this.flush(),
    });
    port1.once('close', () => this.ports.delete(port1));
    return port2;
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.store.query<T>(sql, params);
  }

  async close(options: { timeoutMs?: number } = {}): Promise<JournalStats> {
    if (!this.closed) {
      const timeoutMs = options.timeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.flush().then(() => false),
        new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), timeoutMs); }),
      ]);
      clearTimeout(timer);
      this.closed = true;
      if (timedOut) {
        this.batcher.sealAll();
        for (const q of this.queues.values()) for (const c of q) this.dropped += c.rows;
      }
      clearInterval(this.tick);
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      for (const p of this.ports) p.close();
      this.notify();
      await this.spill?.close();
      await this.store.close();
    }
    return this.stats();
  }

  // ── queueing ───────────────────────────────────────────────────────────────────────────────

  private accept(chunk: Chunk): void {
    const q: Queued = { table: chunk.table, text: chunk.text, rows: chunk.rows, firstAtMs: chunk.firstAtMs, seq: ++this.seq };
    const spec = tableSpec(chunk.table);
    if (spec?.mode === 'merge' || this.memBytes + q.text.length <= this.o.maxQueueBytes) this.push(q);
    else this.overflow(q);
  }

  private push(q: Queued): void {
    let fifo = this.queues.get(q.table);
    if (fifo === undefined) this.queues.set(q.table, (fifo = new Fifo()));
    fifo.push(q);
    this.memBytes += q.text.length;
    this.memRows += q.rows;
  }

  /** Past the memory bound: to the spill file, else dropped (never a fill, kept in memory). */
  private overflow(q: Queued): void {
    const spec = tableSpec(q.table);
    const neverDrop = spec?.neverDrop === true;
    const spill = this.spill;
    if (spill !== undefined && this.spillUsable && (neverDrop || spill.backlogBytes + q.text.length <= this.o.maxSpillBytes)) {
      const taken = spill.append(q, q.seq, (err) => {
        if (err === null) {
          this.spilledRows += q.rows;
          if (q.from !== undefined) this.doneFrom(q.from);
        } else {
          this.onEvent({ type: 'spill_error', error: err.message });
          this.lost(q, neverDrop);
        }
        this.notify();
      });
      if (taken) return;
    }
    this.lost(q, neverDrop);
  }

  private lost(q: Queued, neverDrop: boolean): void {
    if (neverDrop) {
      this.push(q); // a fill is kept, past the bound if need be
      return;
    }
    this.dropped += q.rows;
    if (q.from !== undefined) this.doneFrom(q.from);
  }

  /** Database away at a flush: everything in memory up to `target` goes to the spill. */
  private spillAll(target: number): void {
    if (this.spill === undefined || !this.spillUsable || !this.spill.writable) return;
    for (const fifo of this.queues.values()) {
      for (const q of fifo.take((c) => c.seq <= target)) {
        this.memBytes -= q.text.length;
        this.memRows -= q.rows;
        this.overflow(q);
      }
    }
  }

  private pendingUpTo(target: number): boolean {
    // (Rows still open were written after the flush began: it sealed everything before it.)
    for (const q of this.queues.values()) for (const c of q) if (c.seq <= target) return true;
    for (const b of this.inflightBatches) for (const c of b.chunks) if (c.seq <= target) return true;
    return false;
  }

  // ── writing ────────────────────────────────────────────────────────────────────────────────

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    if (this.o.lingerMs > 0) this.later(this.o.lingerMs, this.pump);
    else setImmediate(this.pump);
  }

  private readonly pump = (): void => {
    this.pumpScheduled = false;
    if (this.closed || !this.connected) return;
    if (this.inflight < this.store.concurrency) this.batcher.sealAll();
    while (this.inflight < this.store.concurrency) {
      const batch = this.nextBatch();
      if (batch === undefined) break;
      this.send(batch);
    }
    this.maybeReplay();
  };

  /** The table whose oldest chunk is oldest; up to maxBatchBytes of its chunks. */
  private nextBatch(): Batch | undefined {
    let best: Fifo<Queued> | undefined;
    let bestTable = '';
    let bestAt = Infinity;
    for (const [table, fifo] of this.queues) {
      const head = fifo.peek();
      if (head === undefined || this.busyMerge.has(table)) continue;
      if (head.firstAtMs < bestAt) {
        best = fifo;
        bestTable = table;
        bestAt = head.firstAtMs;
      }
    }
    if (best === undefined) return undefined;
    const first = best.shift()!;
    const chunks = [first];
    let bytes = first.text.length;
    let rows = first.rows;
    if (first.isolate !== true) {
      for (let next = best.peek(); next !== undefined && next.isolate !== true && bytes + next.text.length <= this.o.maxBatchBytes; next = best.peek()) {
        chunks.push(best.shift()!);
        bytes += next.text.length;
        rows += next.rows;
      }
    }
    return { table: bestTable, chunks, rows, bytes };
  }

  private send(batch: Batch): void {
    this.inflight++;
    this.inflightBatches.add(batch);
    const merge = tableSpec(batch.table)?.mode === 'merge';
    if (merge) this.busyMerge.add(batch.table);
    const direct = this.o.copyDirect && (this.stagingUntil.get(batch.table) ?? 0) <= this.o.clock();
    this.store.write({ table: batch.table, texts: batch.chunks.map((c) => c.text), rows: batch.rows, direct })
      .then((outcome) => this.committed(batch, outcome), (err: unknown) => this.failed(batch, err))
      .catch((err: unknown) => this.onEvent({ type: 'error', error: message(err) }))
      .finally(() => {
        this.inflight--;
        this.inflightBatches.delete(batch);
        if (merge) this.busyMerge.delete(batch.table);
        this.schedulePump();
        this.notify();
      });
  }

  private committed(batch: Batch, outcome: WriteOutcome): void {
    this.batches++;
    this.written += outcome.inserted;
    this.duplicates += outcome.duplicates;
    if (outcome.conflict) this.stagingUntil.set(batch.table, this.o.clock() + STAGING_HOLD_MS);
    this.release(batch.chunks);
  }

  private failed(batch: Batch, err: unknown): void {
    const fifo = this.queues.get(batch.table)!;
    if (failureClass(err) === 'outage' || this.closed) {
      for (let i = batch.chunks.length - 1; i >= 0; i--) fifo.unshift(batch.chunks[i]);
      this.outage(err);
      return;
    }
    // The database refused the data: find the bad rows by halving, write the rest.
    if (batch.chunks.length > 1) {
      for (let i = batch.chunks.length - 1; i >= 0; i--) fifo.unshift({ ...batch.chunks[i], isolate: true });
      return;
    }
    const only = batch.chunks[0];
    if (only.rows > 1) {
      const lines = only.text.split('\n');
      lines.pop(); // the text ends with LF
      const half = lines.length >> 1;
      const a = lines.slice(0, half).join('\n') + '\n';
      const b = lines.slice(half).join('\n') + '\n';
      const second: Queued = { ...only, text: b, rows: lines.length - half, isolate: true };
      const first: Queued = { ...only, text: a, rows: half, isolate: true };
      if (only.from !== undefined) only.from.pending++; // one chunk became two
      fifo.unshift(second);
      fifo.unshift(first);
      return;
    }
    this.quarantine(only, err);
  }

  private quarantine(q: Queued, err: unknown): void {
    this.failedRows += q.rows;
    this.release([q]);
    const error = message(err);
    this.onEvent({ type: 'quarantined', table: q.table, rows: q.rows, error });
    if (this.spill !== undefined) {
      const line = JSON.stringify({ v: 1, table: q.table, rows: q.rows, firstAtMs: q.firstAtMs, text: q.text, error }) + '\n';
      appendFile(join(this.spill.dir, 'rejected.jsonl'), line).catch((e: unknown) => this.onEvent({ type: 'spill_error', error: message(e) }));
    }
  }

  private release(chunks: readonly Queued[]): void {
    for (const c of chunks) {
      this.memBytes -= c.text.length;
      this.memRows -= c.rows;
      if (c.from !== undefined) this.doneFrom(c.from);
    }
  }

  // ── outages ────────────────────────────────────────────────────────────────────────────────

  private outage(err: unknown): void {
    this.lastError = message(err);
    if (this.connected || this.outageSince === null) {
      this.connected = false;
      this.outageSince ??= this.o.clock();
      this.onEvent({ type: 'outage', error: this.lastError });
    }
    if (!this.reconnecting && !this.closed) void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    this.reconnecting = true;
    let delay = this.o.reconnectMinMs;
    try {
      while (!this.closed && !this.connected) {
        await new Promise<void>((resolve) => this.later(delay, resolve));
        if (this.closed) return;
        try {
          await this.store.connect();
          const since = this.outageSince ?? this.o.clock();
          this.connected = true;
          this.outageSince = null;
          this.lastError = null;
          this.onEvent({ type: 'restored', outageMs: this.o.clock() - since });
        } catch (err) {
          this.lastError = message(err);
          delay = Math.min(delay * 2, this.o.reconnectMaxMs);
        }
      }
    } finally {
      this.reconnecting = false;
      this.schedulePump();
      this.notify();
    }
  }

  // ── spill replay ───────────────────────────────────────────────────────────────────────────

  private readonly replayFiles = new Map<SpillFile, ReplayFile>();

  private maybeReplay(): void {
    const spill = this.spill;
    if (spill === undefined || !this.spillUsable || this.replaying || !this.connected || this.closed) return;
    if (this.memBytes >= this.lowWater || spill.pendingWrites > 0) return;
    const next = spill.closed.find((f) => !this.replayFiles.has(f));
    if (next === undefined && !spill.hasCurrent) return;
    this.replaying = true;
    this.replay(next)
      .catch((err: unknown) => this.onEvent({ type: 'spill_error', error: message(err) }))
      .finally(() => {
        this.replaying = false;
        this.schedulePump();
        this.notify();
      });
  }

  private async replay(next: SpillFile | undefined): Promise<void> {
    const spill = this.spill!;
    if (next === undefined) {
      await spill.rotate();
      next = spill.closed.find((f) => !this.replayFiles.has(f));
      if (next === undefined) return;
    }
    const rf: ReplayFile = { file: next, pending: 0, eof: false };
    this.replayFiles.set(next, rf);
    const seq = next.minSeq;
    for await (const line of spill.read(next, () => { this.failedRows++; })) {
      if (this.closed) return; // the file stays; the next run replays it
      if (tableSpec(line.table) === undefined) {
        this.quarantine({ table: line.table, text: line.text, rows: line.rows, firstAtMs: line.firstAtMs, seq }, new Error('unknown table'));
        continue;
      }
      rf.pending++;
      this.push({ table: line.table, text: line.text, rows: line.rows, firstAtMs: line.firstAtMs, seq, from: rf });
      this.replayedRows += line.rows;
      this.schedulePump();
      while (!this.closed && (!this.connected || this.memBytes >= this.lowWater)) await this.progress();
    }
    rf.eof = true;
    if (rf.pending === 0) await this.removeReplayed(rf);
  }

  private doneFrom(rf: ReplayFile): void {
    rf.pending--;
    if (rf.eof && rf.pending === 0) void this.removeReplayed(rf);
  }

  private async removeReplayed(rf: ReplayFile): Promise<void> {
    this.replayFiles.delete(rf.file);
    await this.spill!.remove(rf.file);
    this.notify();
  }

  // ── plumbing ───────────────────────────────────────────────────────────────────────────────

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** Resolves at the next progress (a batch done, a spill write, a state change) or tick. */
  private progress(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const list = this.waiters.splice(0);
    for (const w of list) w();
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
