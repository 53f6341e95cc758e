/**
 * The journal in a worker thread. Records are encoded into COPY chunks on the worker itself (its
 * own CPU, row-batcher.ts), and sealed chunks are posted to the main thread's WriteQueue over a
 * MessagePort the host hands the worker (`journal.connectPort()`, transferred in workerData):
 * one message per ~64 KB chunk, or per `lingerMs` (default 20 ms) of quieter traffic. `write` is
 * O(1) and never blocks; the WriteQueue's bounds, spill and stats cover these rows too.
 *
 *   main:    const port = journal.connectPort();
 *            new Worker(entry, { workerData: { journalPort: port }, transferList: [port] });
 *   worker:  const journal = new PortJournal(workerData.journalPort);
 *            … journal.write('fill', {...}) …
 *            await journal.flush();   // on stop: everything written so far reached the store
 *
 * Messages (worker → main): { t: 'chunks', chunks, rejected? } | { t: 'flush', id };
 * (main → worker): { t: 'flushed', id }. A port message is delivered in order, so a flush
 * follows every chunk posted before it.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Journal, JournalKind } from '../../shared/journal.js';
import { DEFAULT_CHUNK_BYTES, RowBatcher, type Chunk } from './row-batcher.js';

export type FromJournalWorker =
  | { t: 'chunks'; chunks: Chunk[]; rejected?: Record<string, number> }
  | { t: 'flush'; id: number };

export type ToJournalWorker = { t: 'flushed'; id: number };

export interface PortJournalOptions {
  chunkBytes?: number;
  /** Post a partly filled chunk after this long, ms (default 20). */
  lingerMs?: number;
}

export class PortJournal implements Journal {
  private readonly batcher: RowBatcher;
  private readonly lingerMs: number;
  private readonly chunkBytes: number;
  private out: Chunk[] = [];
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, () => void>();
  private closed = false;

  constructor(private readonly port: MessagePort, options: PortJournalOptions = {}) {
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.lingerMs = options.lingerMs ?? 20;
    this.batcher = new RowBatcher((chunk) => {
      this.out.push(chunk);
      if (chunk.text.length >= this.chunkBytes) this.post();
    }, this.chunkBytes);
    port.on('message', (msg: ToJournalWorker) => {
      if (msg?.t !== 'flushed') return;
      this.waiting.get(msg.id)?.();
      this.waiting.delete(msg.id);
      if (this.waiting.size === 0) port.unref();
    });
    port.on('close', () => {
      // The main side went away: nobody will answer; do not hang a stopping worker.
      this.closed = true;
      for (const resolve of this.waiting.values()) resolve();
      this.waiting.clear();
    });
    port.unref(); // the journal alone does not keep a worker alive
  }

  /** Records taken and refused on this thread. */
  get accepted(): number {
    return this.batcher.accepted;
  }

  get rejected(): number {
    return this.batcher.rejectedTotal;
  }

  write(kind: JournalKind, record: Readonly<Record<string, unknown>>): void {
    if (this.closed) return;
    this.batcher.add(kind, record);
    if (this.timer === undefined) {
      this.timer = setTimeout(this.linger, this.lingerMs);
      this.timer.unref();
    }
  }

  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.sealAndPost();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.port.ref();
      this.port.postMessage({ t: 'flush', id } satisfies FromJournalWorker);
    });
  }

  /** Flush, then close the port. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.port.close();
  }

  private readonly linger = (): void => {
    this.timer = undefined;
    this.sealAndPost();
  };

  private sealAndPost(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.batcher.sealAll();
    this.post();
  }

  private post(): void {
    const rejected = this.batcher.takeRejected();
    if (this.out.length === 0 && rejected === undefined) return;
    const msg: FromJournalWorker = rejected === undefined ? { t: 'chunks', chunks: this.out } : { t: 'chunks', chunks: this.out, rejected };
    this.out = [];
    this.port.postMessage(msg);
  }
}

export interface JournalPortSink {
  chunk(chunk: Chunk): void;
  rejected(counts: Record<string, number>): void;
  flush(): Promise<void>;
}

/** Main side of a worker's journal port: chunks into the WriteQueue, flushes answered. */
export function attachJournalPort(port: MessagePort, sink: JournalPortSink): void {
  port.on('message', (msg: FromJournalWorker) => {
    if (msg?.t === 'chunks') {
      for (const c of msg.chunks) sink.chunk(c);
      if (msg.rejected !== undefined) sink.rejected(msg.rejected);
    } else if (msg?.t === 'flush') {
      sink.flush().then(
        () => port.postMessage({ t: 'flushed', id: msg.id } satisfies ToJournalWorker),
        () => port.postMessage({ t: 'flushed', id: msg.id } satisfies ToJournalWorker),
      );
    }
  });
  port.unref();
}
