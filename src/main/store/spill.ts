/**
 * The WriteQueue's overflow on local disk: when the database is away (or slower than the host)
 * and the memory bound is reached, sealed chunks are appended to a spill file, one JSON line per
 * chunk:
 *
 *   {"v":1,"table":"fills","rows":412,"firstAtMs":1767000000000,"text":"<COPY text rows>"}
 *
 * Files are `spill-<ms>-<pid>-<n>.jsonl` under the spill directory (./data/spill by default),
 * named so that name order is write order. A file is closed (rotated) before it is replayed, and
 * removed only once every chunk read from it has reached the database (or been spilled again), so
 * a crash at any point loses nothing; what was already written is written again, harmlessly
 * (natural keys). Files left by an earlier run are replayed at start.
 *
 * Writes are asynchronous (a write stream); the callback of each append says when its bytes are
 * in the file. `sync` fsyncs what has been written (graceful stop during an outage).
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Chunk } from './row-batcher.js';

export interface SpillLine {
  v: 1;
  table: string;
  rows: number;
  firstAtMs: number;
  text: string;
}

export interface SpillFile {
  readonly path: string;
  /** Bytes and rows written to it (rows unknown, -1, for a file left by an earlier run). */
  bytes: number;
  rows: number;
  /** When its oldest row was journaled, ms (lag); 0 when unknown. */
  oldestMs: number;
  /** The WriteQueue's sequence number of its first chunk (flush targets); 0 for an earlier run's file. */
  minSeq: number;
}

const NAME = /^spill-\d+-\d+-\d+\.jsonl$/;

export class SpillDir {
  /** Closed files, oldest first, waiting for replay (or being replayed). */
  readonly closed: SpillFile[] = [];
  private current: (SpillFile & { stream: WriteStream }) | undefined;
  /** The file `rotate` is closing: out of `current`, not yet in `closed` (counted by `minSeq` meanwhile). */
  private closing: (SpillFile & { stream: WriteStream }) | undefined;
  private seq = 0;
  /** Appends whose bytes are not in the file yet. */
  pendingWrites = 0;
  /** The last write or open error; appends are refused for a while after one. */
  lastError: string | null = null;
  private brokenUntilMs = 0;

  constructor(readonly dir: string, private readonly clock: () => number = Date.now) {}

  /** Create the directory and pick up files an earlier run left behind. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => NAME.test(n)).sort();
    for (const name of names) {
      const path = join(this.dir, name);
      const { size } = await stat(path);
      if (size === 0) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      this.closed.push({ path, bytes: size, rows: -1, oldestMs: 0, minSeq: 0 });
    }
  }

  /** Bytes and rows in files not yet replayed (rows of leftover files are not known). */
  get backlogBytes(): number {
    let n = this.current?.bytes ?? 0;
    for (const f of this.closed) n += f.bytes;
    return n;
  }

  get backlogRows(): number {
    let n = this.current?.rows ?? 0;
    for (const f of this.closed) n += Math.max(0, f.rows);
    return n;
  }

  get files(): number {
    return this.closed.length + (this.current === undefined ? 0 : 1) + (this.closing === undefined ? 0 : 1);
  }

  get oldestMs(): number {
    let oldest = this.closed.length > 0 ? this.closed[0].oldestMs : 0;
    if (oldest === 0 && this.current !== undefined) oldest = this.current.oldestMs;
    return oldest;
  }

  /** The lowest flush sequence number still in a file (Infinity when none). */
  get minSeq(): number {
    let min = this.current?.minSeq ?? Infinity;
    // A file being rotated is in neither `current` nor `closed` while its stream ends: it still
    // holds rows (a flush that missed them would return before they reached the database).
    if (this.closing !== undefined && this.closing.bytes > 0 && this.closing.minSeq < min) min = this.closing.minSeq;
    for (const f of this.closed) if (f.minSeq < min) min = f.minSeq;
    return min;
  }

  get hasCurrent(): boolean {
    return this.current !== undefined && this.current.bytes > 0;
  }

  /** Whether appends are accepted now (false for a while after an I/O error). */
  get writable(): boolean {
    return this.clock() >= this.brokenUntilMs;
  }

  /**
   * Append one chunk; `done` is called once its line is in the file (or with the error). Returns
   * false (and does not call `done`) when the spill is refusing appends after an error.
   */
  append(chunk: Chunk, seq: number, done: (err: Error | null) => void): boolean {
    if (!this.writable) return false;
    let cur = this.current;
    if (cur === undefined) {
      const path = join(this.dir, `spill-${String(this.clock()).padStart(14, '0')}-${process.pid}-${this.seq++}.jsonl`);
      const stream = createWriteStream(path, { flags: 'a' });
      cur = { path, bytes: 0, rows: 0, oldestMs: 0, minSeq: seq, stream };
      stream.on('error', (err) => this.broken(err));
      this.current = cur;
    }
    const line: SpillLine = { v: 1, table: chunk.table, rows: chunk.rows, firstAtMs: chunk.firstAtMs, text: chunk.text };
    const text = JSON.stringify(line) + '\n';
    cur.bytes += text.length;
    cur.rows += chunk.rows;
    if (cur.oldestMs === 0 || chunk.firstAtMs < cur.oldestMs) cur.oldestMs = chunk.firstAtMs;
    this.pendingWrites++;
    cur.stream.write(text, (err) => {
      this.pendingWrites--;
      if (err) this.broken(err);
      done(err ?? null);
    });
    return true;
  }

  /** Close the file being appended to; it joins `closed` (ready to replay). */
  async rotate(): Promise<void> {
    const cur = this.current;
    if (cur === undefined) return;
    this.current = undefined;
    this.closing = cur;
    try {
      await new Promise<void>((resolve) => cur.stream.end(() => resolve()));
    } finally {
      this.closing = undefined;
    }
    const { stream: _stream, ...file } = cur;
    if (file.bytes > 0) this.closed.push(file);
    else await unlink(file.path).catch(() => undefined);
  }

  /** The lines of a closed file, in order; a line that does not parse (a torn write) is skipped and counted. */
  async *read(file: SpillFile, onCorrupt: () => void): AsyncGenerator<SpillLine> {
    const lines = createInterface({ input: createReadStream(file.path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.length === 0) continue;
      let parsed: SpillLine | undefined;
      try {
        const v = JSON.parse(line) as SpillLine;
        if (v.v === 1 && typeof v.table === 'string' && typeof v.text === 'string' && typeof v.rows === 'number') parsed = v;
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined) onCorrupt();
      else yield parsed;
    }
  }

  /** Remove a replayed file. */
  async remove(file: SpillFile): Promise<void> {
    const i = this.closed.indexOf(file);
    if (i >= 0) this.closed.splice(i, 1);
    await unlink(file.path).catch(() => undefined);
  }

  /** Everything appended so far is written and fsynced. */
  async sync(): Promise<void> {
    const cur = this.current;
    if (cur === undefined) return;
    // Writes complete in order: an empty write's callback comes after every earlier one.
    await new Promise<void>((resolve) => cur.stream.write('', () => resolve()));
    let fh;
    try {
      fh = await open(cur.path, 'r');
      await fh.sync();
    } catch {
      // fsync is best effort: the bytes are with the OS already
    } finally {
      await fh?.close();
    }
  }

  async close(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    if (cur !== undefined) {
      await new Promise<void>((resolve) => cur.stream.end(() => resolve()));
      const { stream: _stream, ...file } = cur;
      if (file.bytes > 0) this.closed.push(file);
    }
  }

  private broken(err: Error): void {
    this.lastError = err.message;
    this.brokenUntilMs = this.clock() + 5_000;
    const cur = this.current;
    if (cur !== undefined) {
      this.current = undefined;
      cur.stream.destroy();
      const { stream: _stream, ...file } = cur;
      if (file.bytes > 0) this.closed.push(file);
    }
  }
}
