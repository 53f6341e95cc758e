/**
 * A single-producer single-consumer ring of fixed-size records in a SharedArrayBuffer.
 *
 * Guarantees (in the manner of ringbuf.js)
 * - Exactly one thread pushes and exactly one thread pops, each through its own `SpscRing`
 *   object (`create` on one side, `attach` on the other). Used that way, push and pop are
 *   wait-free: they never block and never retry. More than one producer or consumer is a bug
 *   that this class does not detect.
 * - Records come out in the order they went in, each exactly once, and a popped record is
 *   always complete: the producer writes the record's words before it publishes the new tail
 *   with `Atomics.store`, and the consumer reads the tail with `Atomics.load` before it reads
 *   the words (sequentially consistent atomics order the plain accesses around them).
 * - Full and empty are explicit results (`tryPush` → false, `peek` → -1), never an exception
 *   and never an overwrite.
 * - Capacity is a power of two; `head` (records consumed, written by the consumer) and `tail`
 *   (records published, written by the producer) are free-running Int32 counters that wrap
 *   around 2^32 harmlessly: `(tail - head) | 0` is the fill level as long as capacity < 2^31.
 *   Each counter has a 64-byte cache line of its own, so producer and consumer do not
 *   invalidate each other's line on every operation. Each side also caches the other side's
 *   counter and rereads it only when the ring looks full (producer) or empty (consumer).
 *
 * Layout (Int32 words)
 *   [0]   head            written by the consumer
 *   [16]  tail            written by the producer
 *   [32]  consumerParked  > 0 while the consumer waits in Atomics.wait/waitAsync for data
 *   [48]  producerParked  > 0 while the producer waits for space
 *   [64…] records: capacity × recordWords Int32 words
 *
 * Waiting (`WaitStrategy`)
 * - `spin`: busy-poll. The fastest hand-off (a few hundred ns one way on the 2-core CI VM; see
 *   bench/README.md) but burns a core; on a 2-core machine two spinning threads starve
 *   everything else.
 * - `spin-park`: spin a bounded number of polls, then park in `Atomics.wait` with a timeout.
 *   For threads with no event loop to keep alive.
 * - `park`: `Atomics.wait` at once. Costs tens of µs per wake-up (a futex wake and a context
 *   switch), uses no CPU while idle.
 * - `async`: `Atomics.waitAsync` — the thread's event loop keeps running (sockets, timers) and
 *   the wait resolves a promise.
 * A parked side announces itself in its `…Parked` word; the other side calls `Atomics.notify`
 * only when that word is non-zero, so a ring nobody sleeps on pays one atomic load per
 * operation and never a notify. No wake-up is lost: the waiter registers first and then
 * re-checks the counter, and `Atomics.wait` itself refuses to sleep if the counter moved.
 */

/** How a side waits for the other: see the module comment. */
export type WaitStrategy = 'spin' | 'spin-park' | 'park' | 'async';
export const WAIT_STRATEGIES: readonly WaitStrategy[] = ['spin', 'spin-park', 'park', 'async'];

const HEAD = 0;
const TAIL = 16;
const CONSUMER_PARKED = 32;
const PRODUCER_PARKED = 48;
/** Header words before the first record (256 bytes: four cache lines). */
const HEADER_WORDS = 64;

/**
 * Busy-poll `ready` for up to `spinUs` µs (the clock read every 64 polls); true as soon as it
 * holds. The spin-then-park of threads with an event loop: a record that lands within the spin
 * costs a poll (~0.2–0.4 µs across cores) instead of a parked wake-up (~25–40 µs); the price
 * is the CPU spun, and the thread's event loop waits that long.
 */
export function spinFor(spinUs: number, ready: () => boolean): boolean {
  const deadline = performance.now() + spinUs / 1000;
  for (let i = 1; ; i++) {
    if (ready()) return true;
    if ((i & 63) === 0 && performance.now() >= deadline) return ready();
  }
}

/** Polls before `spin-park` parks: a few tens of µs of spinning, about one parked wake-up's cost. */
export const DEFAULT_SPIN_POLLS = 2_000;
/** Longest single park; waiting loops re-check their deadline at least this often. */
const MAX_PARK_MS = 50;

/** What a thread needs to attach to a ring: structured-cloneable, post it to a worker. */
export interface SpscRingShared {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly recordWords: number;
}

export interface WaitOptions {
  /** Give up after this many milliseconds (default: wait forever). */
  timeoutMs?: number;
  /** Polls before parking, for `spin-park` (default `DEFAULT_SPIN_POLLS`). */
  spinPolls?: number;
}

export class SpscRing {
  readonly shared: SpscRingShared;
  readonly capacity: number;
  readonly recordWords: number;
  /** Record storage; the record at word offset `o` is `data[o] … data[o + recordWords - 1]`. */
  readonly data: Int32Array;
  private readonly header: Int32Array;
  private readonly mask: number;
  /** Producer's view of head, refreshed only when the ring looks full. */
  private cachedHead: number;
  /** Consumer's view of tail, refreshed only when the ring looks empty. */
  private cachedTail: number;

  /** A new ring of `capacity` records (a power of two) of `recordWords` Int32 words each. */
  static create(capacity: number, recordWords = 1): SpscRing {
    if (!Number.isInteger(capacity) || capacity < 2 || capacity > 1 << 30 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`ring capacity must be a power of two in [2, 2^30], got ${capacity}`);
    }
    if (!Number.isInteger(recordWords) || recordWords < 1 || recordWords > 1024) {
      throw new RangeError(`ring recordWords must be an integer in [1, 1024], got ${recordWords}`);
    }
    const buffer = new SharedArrayBuffer((HEADER_WORDS + capacity * recordWords) * 4);
    return new SpscRing({ buffer, capacity, recordWords });
  }

  /** The smallest power of two ≥ n (at least 2): a ring that can hold n records. */
  static capacityFor(n: number): number {
    let c = 2;
    while (c < n) c *= 2;
    return c;
  }

  /** The other side's handle on a ring created elsewhere. */
  static attach(shared: SpscRingShared): SpscRing {
    return new SpscRing(shared);
  }

  private constructor(shared: SpscRingShared) {
    this.shared = shared;
    this.capacity = shared.capacity;
    this.recordWords = shared.recordWords;
    this.mask = shared.capacity - 1;
    this.header = new Int32Array(shared.buffer, 0, HEADER_WORDS);
    this.data = new Int32Array(shared.buffer, HEADER_WORDS * 4, shared.capacity * shared.recordWords);
    this.cachedHead = Atomics.load(this.header, HEAD);
    this.cachedTail = Atomics.load(this.header, TAIL);
  }

  // ---------------------------------------------------------------- producer side

  /**
   * Producer: word offset in `data` of the next free slot, or -1 when the ring is full.
   * Write the record there, then `publish()`. Nothing is visible to the consumer before that.
   */
  claim(): number {
    const tail = this.header[TAIL]; // only this thread writes tail: a plain read is current
    if (((tail - this.cachedHead) | 0) >= this.capacity) {
      this.cachedHead = Atomics.load(this.header, HEAD);
      if (((tail - this.cachedHead) | 0) >= this.capacity) return -1;
    }
    return (tail & this.mask) * this.recordWords;
  }

  /** Producer: make the slot returned by the last `claim()` visible to the consumer. */
  publish(): void {
    Atomics.store(this.header, TAIL, (this.header[TAIL] + 1) | 0);
    if (Atomics.load(this.header, CONSUMER_PARKED) !== 0) Atomics.notify(this.header, TAIL);
  }

  /** Producer: copy one record (`recordWords` values) in; false when full. */
  tryPush(record: ArrayLike<number>): boolean {
    const at = this.claim();
    if (at < 0) return false;
    const data = this.data;
    for (let i = 0; i < this.recordWords; i++) data[at + i] = record[i];
    this.publish();
    return true;
  }

  /** Producer: push a one-word record; false when full. */
  tryPush1(value: number): boolean {
    const at = this.claim();
    if (at < 0) return false;
    this.data[at] = value;
    this.publish();
    return true;
  }

  // ---------------------------------------------------------------- consumer side

  /**
   * Consumer: word offset in `data` of the oldest unread record, or -1 when the ring is empty.
   * Read the record there, then `release()` to give the slot back to the producer.
   */
  peek(): number {
    const head = this.header[HEAD]; // only this thread writes head
    if (head === this.cachedTail) {
      this.cachedTail = Atomics.load(this.header, TAIL);
      if (head === this.cachedTail) return -1;
    }
    return (head & this.mask) * this.recordWords;
  }

  /** Consumer: free the slot returned by the last `peek()`. */
  release(): void {
    Atomics.store(this.header, HEAD, (this.header[HEAD] + 1) | 0);
    if (Atomics.load(this.header, PRODUCER_PARKED) !== 0) Atomics.notify(this.header, HEAD);
  }

  /** Consumer: copy the oldest record into `out`; false when empty. */
  tryPop(out: Int32Array | number[]): boolean {
    const at = this.peek();
    if (at < 0) return false;
    const data = this.data;
    for (let i = 0; i < this.recordWords; i++) out[i] = data[at + i];
    this.release();
    return true;
  }

  /**
   * Consumer: pop a one-word record. Returns the value, or `RING_EMPTY` when empty — so a
   * ring used with `tryPop1` must only carry values other than `RING_EMPTY` (-2^31).
   */
  tryPop1(): number {
    const at = this.peek();
    if (at < 0) return RING_EMPTY;
    const value = this.data[at];
    this.release();
    return value;
  }

  // ---------------------------------------------------------------- either side

  /** Records published and not yet released. Exact from either side's own thread at that instant. */
  size(): number {
    return (Atomics.load(this.header, TAIL) - Atomics.load(this.header, HEAD)) | 0;
  }

  // ---------------------------------------------------------------- waiting

  /**
   * Consumer: block this thread until a record is available or the timeout passes.
   * `async` is not allowed here (use `waitForDataAsync`). Returns true when data is there.
   */
  waitForData(strategy: Exclude<WaitStrategy, 'async'>, options: WaitOptions = {}): boolean {
    return this.waitSync(TAIL, CONSUMER_PARKED, strategy, options, () => this.peek() >= 0);
  }

  /**
   * Consumer on a thread with an event loop: resolves true when a record is available, false on
   * timeout. The event loop keeps serving sockets and timers meanwhile.
   */
  waitForDataAsync(timeoutMs?: number, spinUs = 0): Promise<boolean> {
    if (spinUs > 0 && spinFor(spinUs, () => this.peek() >= 0)) return Promise.resolve(true);
    return this.waitAsync(TAIL, CONSUMER_PARKED, timeoutMs, () => this.peek() >= 0);
  }

  /** Producer: block until a slot is free or the timeout passes; true when there is room. */
  waitForSpace(strategy: Exclude<WaitStrategy, 'async'>, options: WaitOptions = {}): boolean {
    return this.waitSync(HEAD, PRODUCER_PARKED, strategy, options, () => this.claim() >= 0);
  }

  /** Producer on a thread with an event loop: resolves true when there is room. */
  waitForSpaceAsync(timeoutMs?: number): Promise<boolean> {
    return this.waitAsync(HEAD, PRODUCER_PARKED, timeoutMs, () => this.claim() >= 0);
  }

  private waitSync(
    word: number,
    parkedWord: number,
    strategy: Exclude<WaitStrategy, 'async'>,
    options: WaitOptions,
    ready: () => boolean,
  ): boolean {
    if (ready()) return true;
    const deadline = options.timeoutMs === undefined ? Infinity : performance.now() + options.timeoutMs;
    if (strategy !== 'park') {
      const polls = strategy === 'spin' ? Infinity : options.spinPolls ?? DEFAULT_SPIN_POLLS;
      for (let i = 1; i <= polls; i++) {
        if (ready()) return true;
        // Reading the clock costs more than a poll: look at it every 1024 polls only.
        if ((i & 1023) === 0 && performance.now() >= deadline) return false;
      }
    }
    for (;;) {
      const observed = this.header[word];
      Atomics.add(this.header, parkedWord, 1);
      // Re-check after announcing: a publish that missed our announcement is seen here.
      if (ready()) {
        Atomics.sub(this.header, parkedWord, 1);
        return true;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        Atomics.sub(this.header, parkedWord, 1);
        return false;
      }
      Atomics.wait(this.header, word, observed, Math.min(left, MAX_PARK_MS));
      Atomics.sub(this.header, parkedWord, 1);
      if (ready()) return true;
    }
  }

  private async waitAsync(
    word: number,
    parkedWord: number,
    timeoutMs: number | undefined,
    ready: () => boolean,
  ): Promise<boolean> {
    if (ready()) return true;
    const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
    // A pending Atomics.waitAsync does not keep a thread's event loop alive (Node 20): a worker
    // with nothing else to do would exit mid-wait and never see the notify. A ref'd timer holds
    // the loop open for the duration of the wait (≈1 µs to create, against a ≈20 µs wake-up).
    const keepAlive = setInterval(noop, 1 << 30);
    try {
      for (;;) {
        const observed = this.header[word];
        Atomics.add(this.header, parkedWord, 1);
        if (ready()) {
          Atomics.sub(this.header, parkedWord, 1);
          return true;
        }
        const left = deadline - performance.now();
        if (left <= 0) {
          Atomics.sub(this.header, parkedWord, 1);
          return false;
        }
        const waited = Atomics.waitAsync(this.header, word, observed, Math.min(left, MAX_PARK_MS));
        if (waited.async) await waited.value;
        Atomics.sub(this.header, parkedWord, 1);
        if (ready()) return true;
      }
    } finally {
      clearInterval(keepAlive);
    }
  }
}

function noop(): void {}

/** `tryPop1` result for an empty ring. */
export const RING_EMPTY = -0x80000000;
