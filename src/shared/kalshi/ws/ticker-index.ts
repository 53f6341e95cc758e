/**
 * Market ticker → market index, looked up straight from the bytes of a frame (the range
 * `OrderbookFrame.tickerStart/tickerEnd` gives) without decoding a string: the per-delta step
 * between parsing a frame and applying it to the book store.
 *
 * Open addressing with linear probing over a power-of-two slot table kept at most half full,
 * keyed by a 32-bit hash of the ticker's bytes, with a final byte compare. The hash takes the
 * bytes four at a time (one multiply per word, then murmur3's finalizer): a quarter of FNV-1a's
 * byte-serial multiply chain; the final compare makes any hash correct. Removal shifts the
 * following entries back (no tombstones), so lookups stay short after any churn. O(1) lookups,
 * no allocation per lookup; `add` / `remove` are the cold path (subscription changes) and may
 * allocate (growth, and the `Map` behind `get`).
 *
 * Tickers are printable ASCII (bytes 0x21–0x7E, without `"` and `\`, which a frame could only
 * carry escaped), 1–100 characters: the orderbook parser refuses any other ticker byte, so a
 * ticker outside this set could never be looked up.
 */

/** Longest ticker accepted (Kalshi tickers are far shorter; this bounds the key store). */
export const MAX_TICKER_LENGTH = 100;

const EMPTY = -1;
const GOLDEN = 0x9e3779b1;
const INITIAL_SLOTS = 64;
const INITIAL_ENTRIES = 32;

/** The table's hash of buf[start, end) (bytes), as an int32; the same for a Uint8Array and a Buffer. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = (end - start) | 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
    h = Math.imul(((h << 5) | (h >>> 27)) ^ w, GOLDEN);
  }
  let w = 0;
  for (let shift = 0; i < end; i++, shift += 8) w |= buf[i] << shift;
  h = Math.imul(((h << 5) | (h >>> 27)) ^ w, GOLDEN);
  // murmur3 fmix32: every input bit reaches the low bits the slot index uses.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class TickerIndex {
  /** Per slot: entry id, or EMPTY. */
  private slots: Int32Array = new Int32Array(INITIAL_SLOTS).fill(EMPTY);
  /** Per slot: the entry's hash (saves a byte compare on most collisions). */
  private slotHash: Int32Array = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /** Per entry: ticker bytes at id × MAX_TICKER_LENGTH, length, market index. */
  private keyBytes: Uint8Array = new Uint8Array(INITIAL_ENTRIES * MAX_TICKER_LENGTH);
  private keyLength: Uint8Array = new Uint8Array(INITIAL_ENTRIES);
  private value: Int32Array = new Int32Array(INITIAL_ENTRIES);
  /** Entry ids released by `remove`, reused first. */
  private free: number[] = [];
  private entries = 0;
  /** Ticker → entry id: `get`, duplicate checks and removal. */
  private readonly byTicker = new Map<string, number>();

  get size(): number {
    return this.byTicker.size;
  }

  /** Maps `ticker` to `marketIndex` (an integer in [0, 2^31)). Throws on a duplicate ticker or bad input. */
  add(ticker: string, marketIndex: number): void {
    checkTicker(ticker);
    if (!Number.isInteger(marketIndex) || marketIndex < 0 || marketIndex > 0x7fffffff) {
      throw new RangeError(`TickerIndex.add: market index must be an integer in [0, 2^31), got ${String(marketIndex)}`);
    }
    if (this.byTicker.has(ticker)) throw new Error(`TickerIndex.add: ${JSON.stringify(ticker)} is already indexed`);
    if ((this.byTicker.size + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);

    const id = this.free.length > 0 ? (this.free.pop() as number) : this.newEntry();
    const len = ticker.length;
    const at = id * MAX_TICKER_LENGTH;
    for (let i = 0; i < len; i++) this.keyBytes[at + i] = ticker.charCodeAt(i);
    this.keyLength[id] = len;
    this.value[id] = marketIndex;
    this.byTicker.set(ticker, id);
    this.place(id, hashBytes(this.keyBytes, at, at + len));
  }

  /** Forgets `ticker`; returns whether it was indexed. */
  remove(ticker: string): boolean {
    const id = this.byTicker.get(ticker);
    if (id === undefined) return false;
    this.byTicker.delete(ticker);
    const at = id * MAX_TICKER_LENGTH;
    const hash = hashBytes(this.keyBytes, at, at + this.keyLength[id]);
    const slots = this.slots;
    const mask = this.mask;
    let s = hash & mask;
    while (slots[s] !== id) s = (s + 1) & mask; // present: the loop ends
    // Backward-shift deletion: pull later members of the probe run into the hole.
    let hole = s;
    for (let j = (hole + 1) & mask; slots[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.slotHash[j] & mask;
      // Entry j may move to the hole unless its home lies cyclically in (hole, j].
      const homeInRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!homeInRange) {
        slots[hole] = slots[j];
        this.slotHash[hole] = this.slotHash[j];
        hole = j;
      }
    }
    slots[hole] = EMPTY;
    this.keyLength[id] = 0;
    this.free.push(id);
    return true;
  }

  /** Market index for the ticker in buf[start, end), without allocating; -1 when unknown. */
  lookup(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    if (!(len > 0 && len <= MAX_TICKER_LENGTH) || start < 0 || end > buf.length) return -1;
    const h = hashBytes(buf, start, end);
    const slots = this.slots;
    const hashes = this.slotHash;
    const mask = this.mask;
    const keys = this.keyBytes;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const id = slots[s];
      if (id === EMPTY) return -1;
      if (hashes[s] === h && this.keyLength[id] === len) {
        const at = id * MAX_TICKER_LENGTH - start;
        let i = start;
        while (i < end && keys[at + i] === buf[i]) i++;
        if (i === end) return this.value[id];
      }
    }
  }

  /** Market index of `ticker`; -1 when unknown. */
  get(ticker: string): number {
    const id = this.byTicker.get(ticker);
    return id === undefined ? -1 : this.value[id];
  }

  /** All indexed tickers (cold path). */
  tickers(): string[] {
    return [...this.byTicker.keys()];
  }

  private newEntry(): number {
    const id = this.entries++;
    if (id === this.value.length) {
      const cap = this.value.length * 2;
      const keyBytes = new Uint8Array(cap * MAX_TICKER_LENGTH);
      keyBytes.set(this.keyBytes);
      const keyLength = new Uint8Array(cap);
      keyLength.set(this.keyLength);
      const value = new Int32Array(cap);
      value.set(this.value);
      this.keyBytes = keyBytes;
      this.keyLength = keyLength;
      this.value = value;
    }
    return id;
  }

  private place(id: number, hash: number): void {
    const mask = this.mask;
    let s = hash & mask;
    while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
    this.slots[s] = id;
    this.slotHash[s] = hash;
  }

  private rehash(slotCount: number): void {
    const oldSlots = this.slots;
    const oldHash = this.slotHash;
    this.slots = new Int32Array(slotCount).fill(EMPTY);
    this.slotHash = new Int32Array(slotCount);
    this.mask = slotCount - 1;
    for (let s = 0; s < oldSlots.length; s++) if (oldSlots[s] !== EMPTY) this.place(oldSlots[s], oldHash[s]);
  }
}

function checkTicker(ticker: string): void {
  if (typeof ticker !== 'string' || ticker.length === 0 || ticker.length > MAX_TICKER_LENGTH) {
    throw new RangeError(`TickerIndex: a ticker must be a string of 1–${MAX_TICKER_LENGTH} characters, got ${describe(ticker)}`);
  }
  for (let i = 0; i < ticker.length; i++) {
    const c = ticker.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x5c) {
      throw new RangeError(`TickerIndex: ticker ${JSON.stringify(ticker)} has a character outside printable ASCII (or a quote or backslash) at ${i}`);
    }
  }
}

function describe(v: unknown): string {
  return typeof v === 'string' ? `${v.length} characters` : typeof v;
}
