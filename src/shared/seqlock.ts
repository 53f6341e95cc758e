/**
 * Seqlock over one Int32 word of a SharedArrayBuffer: one writer, any number of readers on
 * any threads, readers never block the writer.
 *
 * Protocol
 * - Writer: `beginWrite` makes the word odd, the writer stores its fields with plain typed-array
 *   writes, `endWrite` makes the word even again. Only one thread may ever write a given
 *   record (single-writer rule, docs/architecture.md §1); the seqlock does not arbitrate
 *   between writers.
 * - Reader: `readBegin` returns the word; the reader copies the fields it needs; `readValid(begin)`
 *   is true when the word was even and has not moved, i.e. no write overlapped the copy. On false
 *   the reader retries, for as long as the writer makes progress, and gives up (`readRetry`
 *   returns -1) only when the record has stayed unreadable for `WRITER_STALL_MS` of real time:
 *   a writer that died in the middle of a write leaves the word odd forever, and a reader must
 *   not spin on it. A count of attempts would be the wrong bound: a writer that writes
 *   continuously can fail thousands of consecutive attempts while being perfectly healthy.
 *   A reader must not act on the fields before `readValid`.
 *
 * Ordering: `Atomics.load/store/add` are sequentially consistent in the JS memory model and V8
 * does not move plain SAB accesses across them, so the plain field accesses stay between the
 * two atomic accesses on both sides. Aligned Int32 accesses cannot tear; wider values (Float64,
 * BigInt64) can, and are protected only by the retry.
 *
 * Cost: two atomic loads per read (≈ a few ns uncontended); a read retries only when it races
 * a write of the same record.
 */

/** Make the sequence odd: a write is in progress. */
export function beginWrite(words: Int32Array, index: number): void {
  Atomics.add(words, index, 1);
}

/** Make the sequence even: the record is consistent again. */
export function endWrite(words: Int32Array, index: number): void {
  Atomics.add(words, index, 1);
}

/**
 * How long a record may stay unreadable before a reader gives up: far longer than any healthy
 * write (tens of ns) or an OS time slice that preempts a writer mid-write (a few ms).
 */
export const WRITER_STALL_MS = 250;

/** The sequence at the start of a read (odd: a write is in progress, the read will be invalid). */
export function readBegin(words: Int32Array, index: number): number {
  return Atomics.load(words, index);
}

/** True when the read that started at `begin` saw a consistent record. */
export function readValid(words: Int32Array, index: number, begin: number): boolean {
  return (begin & 1) === 0 && Atomics.load(words, index) === begin;
}

function monotonicMs(): number {
  return performance.now();
}

/**
 * Bookkeeping after a failed read attempt. Pass the attempt number (1, 2, …) and the value this
 * function returned last time (0 at first). Returns the value to pass next time, or -1 when the
 * reader should give up because the record has been unreadable for WRITER_STALL_MS.
 * Cost: nothing on most attempts; one clock read every 1024 failed attempts. `clock` (ms) is for tests.
 *
 *   let since = 0;
 *   for (let attempt = 1; ; attempt++) {
 *     const begin = readBegin(words, i);  … copy …  if (readValid(words, i, begin)) return true;
 *     since = readRetry(attempt, since);  if (since < 0) return false;
 *   }
 */
export function readRetry(attempt: number, since: number, clock: () => number = monotonicMs): number {
  if ((attempt & 1023) !== 0) return since;
  const now = clock();
  if (since === 0) return now;
  return now - since > WRITER_STALL_MS ? -1 : since;
}
