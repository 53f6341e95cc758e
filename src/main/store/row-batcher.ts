/**
 * Journal records → COPY chunks: one open chunk per table, each record encoded at once into its
 * table's open chunk (so a caller may reuse or mutate its object after `write` returns); a chunk
 * is sealed and handed on when it reaches `chunkBytes` (~64 KB) or when `sealAll` is called.
 * Used by the main thread's WriteQueue and by each worker thread's PortJournal alike.
 *
 * Cost per record: the row encoding (copy-text.ts) plus one string append; O(1) in the number of
 * records queued. No I/O, no promise, no throw.
 */
import { RowEncoder } from './copy-text.js';
import { tableFor, type TableSpec } from './tables.js';

/** Rows of one table in COPY text format, each ended by LF. */
export interface Chunk {
  readonly table: string;
  readonly text: string;
  readonly rows: number;
  /** When the chunk's first row was written, ms (lag). */
  readonly firstAtMs: number;
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024;

/** At most this many distinct rejection reasons are counted by name; the rest under 'other'. */
const MAX_REASONS = 200;

interface OpenChunk {
  /** Rows, joined at seal: one flat string, so the many small strings of each row die young
   *  (a chunk grown by `+=` is a rope that keeps every piece alive — 4x slower under retention). */
  parts: string[];
  bytes: number;
  rows: number;
  firstAtMs: number;
}

export class RowBatcher {
  private readonly encoder = new RowEncoder();
  private readonly open = new Map<TableSpec, OpenChunk>();
  /** Rows and string length in open (unsealed) chunks. */
  openRows = 0;
  openBytes = 0;
  /** Records accepted. */
  accepted = 0;
  /** Records refused, by `<kind>:<reason>`. */
  readonly rejected = new Map<string, number>();
  rejectedTotal = 0;

  constructor(
    private readonly onChunk: (chunk: Chunk) => void,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Encode one record into its table's open chunk; false (and counted) when it is refused. */
  add(kind: string, record: Readonly<Record<string, unknown>>): boolean {
    if (record === null || typeof record !== 'object') return this.reject(kind, 'not_an_object');
    const spec = tableFor(kind, record);
    if (spec === undefined) return this.reject(kind, 'unknown_kind');
    let row: string | undefined;
    try {
      row = this.encoder.encode(spec, record);
    } catch {
      row = undefined; // a getter that throws: the record is refused, never the caller
      this.encoder.reason = 'unreadable';
    }
    if (row === undefined) return this.reject(kind, this.encoder.reason);
    let chunk = this.open.get(spec);
    if (chunk === undefined) {
      chunk = { parts: [], bytes: 0, rows: 0, firstAtMs: this.clock() };
      this.open.set(spec, chunk);
    } else if (chunk.rows === 0) {
      chunk.firstAtMs = this.clock();
    }
    chunk.parts.push(row);
    chunk.bytes += row.length + 1;
    chunk.rows++;
    this.openRows++;
    this.openBytes += row.length + 1;
    this.accepted++;
    if (chunk.bytes >= this.chunkBytes) this.seal(spec, chunk);
    return true;
  }

  /** Hand on every open chunk that holds a row. */
  sealAll(): void {
    for (const [spec, chunk] of this.open) if (chunk.rows > 0) this.seal(spec, chunk);
  }

  /** When the oldest row in an open chunk was written, ms (Infinity when none). */
  oldestOpenMs(): number {
    let oldest = Infinity;
    for (const chunk of this.open.values()) if (chunk.rows > 0 && chunk.firstAtMs < oldest) oldest = chunk.firstAtMs;
    return oldest;
  }

  /** Take and reset the rejection counts (a worker reports them to the main thread). */
  takeRejected(): Record<string, number> | undefined {
    if (this.rejected.size === 0) return undefined;
    const out = Object.fromEntries(this.rejected);
    this.rejected.clear();
    return out;
  }

  private seal(spec: TableSpec, chunk: OpenChunk): void {
    const sealed: Chunk = { table: spec.table, text: chunk.parts.join('\n') + '\n', rows: chunk.rows, firstAtMs: chunk.firstAtMs };
    this.openRows -= chunk.rows;
    this.openBytes -= chunk.bytes;
    chunk.parts = [];
    chunk.bytes = 0;
    chunk.rows = 0;
    this.onChunk(sealed);
  }

  private reject(kind: string, reason: string): false {
    countReason(this.rejected, `${String(kind).slice(0, 40)}:${reason}`, 1);
    this.rejectedTotal++;
    return false;
  }
}

/** Add `n` to `map[key]`, folding new keys into 'other' past MAX_REASONS. */
export function countReason(map: Map<string, number>, key: string, n: number): void {
  const k = map.has(key) || map.size < MAX_REASONS ? key : 'other';
  map.set(k, (map.get(k) ?? 0) + n);
}
