/**
 * Pre-signed Kalshi request signatures in shared memory: a pool of slots that a signer thread
 * keeps full of fresh signatures for a few fixed request targets (method + signed path), and
 * that the execution thread takes from on the order path instead of signing inline.
 *
 * Why: a Kalshi signature is RSA-PSS-SHA256 over `timestamp_ms + METHOD + path`
 * (kalshi-signing.ts) — neither the body nor the query is signed. With a 2048-bit key one
 * signature costs ~250–400 µs of CPU on the 2-vCPU VM, most of the time from "intent dequeued"
 * to "order request written". For a fixed path the signed message depends only on the
 * timestamp, so it can be signed ahead of need, off the hot path; a request then carries the
 * pre-signed timestamp (at most `maxAgeMs` old) in KALSHI-ACCESS-TIMESTAMP. Kalshi's tolerance
 * for old timestamps is undocumented: keep `maxAgeMs` small (the host's default is 1 s).
 *
 * Slot states (one Int32 state word per slot; every transition is an `Atomics.compareExchange`
 * by the side that owns the step, so a producer and a consumer never both own a slot):
 *
 *   EMPTY ──producer CAS──► SIGNING ──producer store──► READY ──consumer CAS──► TAKEN ──consumer store──► EMPTY
 *                              ▲                           │
 *                              └─────producer CAS──────────┘  (refresh: READY older than maxAgeMs / 2, or ahead of the clock)
 *
 * - Only the owner of a slot writes its target, timestamp and signature words: the producer in
 *   SIGNING, nobody in READY, the consumer (reading only) in TAKEN. The owner publishes its
 *   writes with the `Atomics.store` of the next state; the other side acquires them with its
 *   CAS (sequentially consistent atomics order the plain accesses around them), so a signature
 *   is never read half-written (torn).
 * - A signature is handed out at most once: only the consumer that won the READY→TAKEN CAS
 *   copies it, and the slot is EMPTY (or re-signed, with a new timestamp and signature) before
 *   anyone can claim it again.
 * - Consumers may scan READY slots without owning them (to pick the freshest); whatever they saw
 *   is checked again after the CAS, and a slot that no longer qualifies is put back READY unused.
 * - Any number of consumers and producers are safe (everything is CAS); the host runs one of each.
 * - A thread killed mid-step (worker.terminate between its CAS and its store) leaves that one
 *   slot SIGNING or TAKEN for good: the pool works on with one slot fewer. Nothing else breaks.
 *
 * Targets: a small table of (METHOD, path) fixed at `create` and carried in the shared handle;
 * a slot's target word indexes it. Slots are not tied to a target: the producer gives an EMPTY
 * (or refreshed) slot to the target furthest below its share, shares following the consumers'
 * demand (takes + misses per target), every target keeping at least one slot (when there are
 * enough slots).
 *
 * Units: timestamps are Unix ms, exact integers (two Int32 words), from the same wall clock
 * (`Date.now`) on both sides. A signature is the base64 text (ASCII), at most 684 characters:
 * room for a 4096-bit key; a longer one is refused.
 *
 * Costs: `take` scans the slots (a few Atomics loads each) and copies one ~344-character string
 * out; it never signs, and rarely notifies the producer (see `take`: a notify can cost this
 * thread a whole signature's time on a busy machine). `KalshiCredentials.headers` with a hit
 * measured ~1 µs in a tight loop with 16 slots (~6 µs with 256: the scan is O(slots)), and ~40 µs
 * p50 in the busy threaded host (cold code and caches at a few orders a second), against
 * ~280–500 µs for an inline signature on the 2-vCPU VM. `fill` signs one signature per EMPTY
 * or stale slot (~300–450 µs each, on the signer thread): kept fresh, K slots cost about
 * K / (maxAgeMs / 2) signatures a second — 16 slots at 1 s: ~32/s, 1–1.5 % of a core, whether
 * orders come or not — plus one per signature taken.
 *
 * Layout (Int32 words):
 *   header (64 words, 256 bytes)
 *     [0]  wake        bumped by a consumer after every take or miss (the producer waits on it)
 *     [1]  parked      1 while the producer waits on `wake` (a notify is sent only then)
 *     [16] hits        signatures taken (consumer)
 *     [17] misses      takes of a known target that found nothing fresh (consumer)
 *     [32] signed      signatures written (producer), refreshes included
 *     [33] refreshed   READY slots re-signed because they had grown stale (producer)
 *     [34] signErrors  signatures the producer could not make (its sign function threw)
 *     [48 + t] demand  takes + misses of target t (consumer), the producer's share of slots
 *   slots (SLOT_BYTES = 768 bytes each)
 *     word 0 state, 1 target, 2 timestamp ÷ 2^32, 3 timestamp mod 2^32, 4 signature length;
 *     bytes 32 … 32 + 684: the signature's ASCII characters
 */

/** A slot's state word. */
export const SlotState = Object.freeze({ EMPTY: 0, SIGNING: 1, READY: 2, TAKEN: 3 });

/** The longest signature a slot holds: base64 of a 4096-bit (512-byte) RSA signature. */
export const MAX_SIGNATURE_CHARS = 684;
/** A pre-signed timestamp ahead of the consumer's clock by more than this is not handed out, ms. */
export const FUTURE_SLACK_MS = 5;
/** Targets a pool may have (the demand words of the header). */
export const MAX_TARGETS = 16;
export const MAX_SLOTS = 4096;

const WAKE = 0;
const PARKED = 1;
const HITS = 16;
const MISSES = 17;
const SIGNED = 32;
const REFRESHED = 33;
const SIGN_ERRORS = 34;
const DEMAND = 48;
const HEADER_WORDS = 64;

const SLOT_BYTES = 768;
const SLOT_WORDS = SLOT_BYTES / 4;
const S_STATE = 0;
const S_TARGET = 1;
const S_TS_HI = 2;
const S_TS_LO = 3;
const S_LEN = 4;
const S_BYTES = 32;

const TWO_32 = 2 ** 32;
/** Rescans a `take` makes when another thread wins a slot under it, before it calls it a miss. */
const TAKE_ATTEMPTS = 4;
const BASE64_CHARS = /^[A-Za-z0-9+/]+={0,2}$/;

/** A request target signed ahead: the method (upper case) and the signed path (`/trade-api/v2/…`, no query). */
export interface PresignTarget {
  readonly method: string;
  readonly path: string;
}

/** Structured-cloneable handle: post it to a worker and `PresignedSignatures.attach` there. */
export interface PresignedSignaturesShared {
  readonly buffer: SharedArrayBuffer;
  readonly slots: number;
  readonly targets: readonly PresignTarget[];
}

/** A signature taken: send `timestampMs` as KALSHI-ACCESS-TIMESTAMP and `signature` as KALSHI-ACCESS-SIGNATURE. */
export interface PresignedSignature {
  timestampMs: number;
  signature: string;
}

/** Makes the base64 signature of `timestampMs + method + path` (kalshi-signing.ts `signRequest`). */
export type SignFunction = (timestampMs: number, method: string, path: string) => string;

/** The pool's counters (cumulative since `create`; they wrap at 2^32) and the READY slots now. */
export interface PresignStats {
  /** Signatures taken (requests sent with a pre-signed signature). */
  hits: number;
  /** Takes of a pre-signed target that found no fresh signature (signed inline instead). */
  misses: number;
  /** READY slots re-signed because they had grown older than maxAgeMs / 2 unused. */
  refreshed: number;
  /** Signatures written, refreshes included. */
  signed: number;
  signErrors: number;
  /** Slots READY now (any target). */
  ready: number;
}

/** What one `fill` did. */
export interface FillReport {
  /** EMPTY slots signed. */
  signed: number;
  /** Stale READY slots re-signed. */
  refreshed: number;
}

export class PresignedSignatures {
  readonly shared: PresignedSignaturesShared;
  readonly slots: number;
  readonly targets: readonly PresignTarget[];
  readonly #header: Int32Array;
  readonly #words: Int32Array;
  /** The whole buffer as bytes (a view, no copy): signatures are written and read through it. */
  readonly #bytes: Buffer;
  /** A take that leaves fewer fresh signatures of its target than this notifies the producer (a quarter of the slots, at least 1). */
  readonly lowWater: number;
  #notifyQueued = false;

  /** A pool of `slots` slots for `targets` (method + signed path each; at most MAX_TARGETS). */
  static create(options: { slots: number; targets: readonly PresignTarget[] }): PresignedSignatures {
    const { slots, targets } = options;
    if (!Number.isInteger(slots) || slots < 1 || slots > MAX_SLOTS) throw new RangeError(`pre-signed slots must be 1..${MAX_SLOTS}, got ${slots}`);
    if (!Array.isArray(targets) || targets.length < 1 || targets.length > MAX_TARGETS) throw new RangeError(`pre-signed targets: 1..${MAX_TARGETS} of them, got ${targets?.length}`);
    const table = targets.map((t) => {
      if (typeof t?.method !== 'string' || !/^[A-Za-z]+$/.test(t.method)) throw new TypeError(`pre-signed target: bad method '${t?.method}'`);
      // Exactly as a URL's pathname (what kalshi-signing.ts signs): no query, nothing to normalize.
      if (typeof t.path !== 'string' || !t.path.startsWith('/') || t.path.startsWith('//') || new URL(t.path, 'http://h').pathname !== t.path) {
        throw new TypeError(`pre-signed target: the path must be a normalized pathname without a query, got '${t.path}'`);
      }
      return Object.freeze({ method: t.method.toUpperCase(), path: t.path });
    });
    const keys = new Set(table.map((t) => `${t.method} ${t.path}`));
    if (keys.size !== table.length) throw new TypeError('pre-signed targets: a target is listed twice');
    const buffer = new SharedArrayBuffer(HEADER_WORDS * 4 + slots * SLOT_BYTES);
    return new PresignedSignatures({ buffer, slots, targets: Object.freeze(table) });
  }

  /** The other side's handle on a pool created elsewhere. */
  static attach(shared: PresignedSignaturesShared): PresignedSignatures {
    if (!(shared?.buffer instanceof SharedArrayBuffer)) throw new TypeError('pre-signed signatures: not a SharedArrayBuffer');
    if (shared.buffer.byteLength !== HEADER_WORDS * 4 + shared.slots * SLOT_BYTES) throw new TypeError('pre-signed signatures: buffer size does not match the slot count');
    return new PresignedSignatures(shared);
  }

  private constructor(shared: PresignedSignaturesShared) {
    this.shared = shared;
    this.slots = shared.slots;
    this.targets = shared.targets;
    this.#header = new Int32Array(shared.buffer, 0, HEADER_WORDS);
    this.#words = new Int32Array(shared.buffer, HEADER_WORDS * 4, shared.slots * SLOT_WORDS);
    this.#bytes = Buffer.from(shared.buffer);
    this.lowWater = Math.max(1, Math.floor(shared.slots / 4));
  }

  /** The index of (method, path) in the target table, or -1. `method` in any case. */
  targetIndex(method: string, path: string): number {
    const targets = this.targets;
    for (let t = 0; t < targets.length; t++) {
      const x = targets[t];
      if (x.path === path && (x.method === method || x.method === method.toUpperCase())) return t;
    }
    return -1;
  }

  // ---------------------------------------------------------------- consumer side

  /**
   * A fresh pre-signed signature for (method, path), used at most once; undefined when the
   * target is not pre-signed (nothing counted) or no READY slot of it is fresh (a miss).
   *
   * Fresh: `nowMs − timestampMs ≤ maxAgeMs` and the timestamp at most FUTURE_SLACK_MS ahead of
   * `nowMs`. The freshest such slot is claimed (READY→TAKEN CAS), checked again, copied out and
   * set EMPTY. Never signs, never blocks.
   *
   * Waking the producer: every take and miss bumps the wake word (so a producer about to park
   * does not), but `Atomics.notify` — which wakes the parked signer thread — is sent only on a
   * miss or when this target has fewer than `lowWater` fresh signatures left, and then in a
   * microtask, i.e. after the caller's synchronous run (the transport writes the request in it).
   * Otherwise the signer refills at its next paced round (≤ its idle wait, ~15 ms by default).
   * Why: a notify makes the kernel run the woken signer at once, and on a busy 2-vCPU machine it
   * takes the CPU from this thread for a whole signature: notifying on every take measured
   * ~0.5 ms (p50) inside `take`, more than the inline signature it replaces.
   */
  take(method: string, path: string, nowMs: number, maxAgeMs: number): PresignedSignature | undefined {
    const t = this.targetIndex(method, path);
    if (t < 0) return undefined;
    const w = this.#words;
    for (let attempt = 0; attempt < TAKE_ATTEMPTS; attempt++) {
      let best = -1;
      let bestTs = -1;
      let candidates = 0;
      for (let i = 0, o = 0; i < this.slots; i++, o += SLOT_WORDS) {
        if (Atomics.load(w, o + S_STATE) !== SlotState.READY || Atomics.load(w, o + S_TARGET) !== t) continue;
        const ts = this.#timestamp(o);
        if (!fresh(ts, nowMs, maxAgeMs)) continue;
        candidates++;
        if (ts > bestTs) {
          best = o;
          bestTs = ts;
        }
      }
      if (best < 0) break;
      if (Atomics.compareExchange(w, best + S_STATE, SlotState.READY, SlotState.TAKEN) !== SlotState.READY) continue;
      // Ours now: what the scan read may have changed in between (a refresh), so check again.
      const ts = this.#timestamp(best);
      if (Atomics.load(w, best + S_TARGET) !== t || !fresh(ts, nowMs, maxAgeMs)) {
        Atomics.store(w, best + S_STATE, SlotState.READY); // unused: back as it was
        continue;
      }
      const start = (HEADER_WORDS + best) * 4 + S_BYTES;
      const signature = this.#bytes.toString('latin1', start, start + Atomics.load(w, best + S_LEN));
      Atomics.store(w, best + S_STATE, SlotState.EMPTY);
      Atomics.add(this.#header, HITS, 1);
      Atomics.add(this.#header, DEMAND + t, 1);
      Atomics.add(this.#header, WAKE, 1);
      if (candidates - 1 < this.lowWater) this.#notifySoon();
      return { timestampMs: ts, signature };
    }
    Atomics.add(this.#header, MISSES, 1);
    Atomics.add(this.#header, DEMAND + t, 1);
    Atomics.add(this.#header, WAKE, 1);
    this.#notifySoon();
    return undefined;
  }

  /** Bump the wake word, and notify the producer now when it is parked on it (a stop; tests). */
  wakeProducer(): void {
    Atomics.add(this.#header, WAKE, 1);
    if (Atomics.load(this.#header, PARKED) !== 0) Atomics.notify(this.#header, WAKE, 1);
  }

  /** Notify the parked producer after the current synchronous run (one notify however many takes asked). */
  #notifySoon(): void {
    if (this.#notifyQueued) return;
    this.#notifyQueued = true;
    queueMicrotask(() => {
      this.#notifyQueued = false;
      if (Atomics.load(this.#header, PARKED) !== 0) Atomics.notify(this.#header, WAKE, 1);
    });
  }

  // ---------------------------------------------------------------- producer side

  /**
   * Sign every EMPTY slot (EMPTY→SIGNING), then every READY slot older than `maxAgeMs / 2` or
   * ahead of the clock (READY→SIGNING, oldest first, so no consumer takes one mid-rewrite); each
   * is written and stored READY before the next is claimed, so at most one slot is out of use
   * at a time. `nowMs`: a number, or a clock read again for every signature (timestamps are
   * then as fresh as can be; the host passes `Date.now`).
   *
   * `maxRefreshes` (default: no limit) caps the stale slots re-signed by this call, the oldest
   * first: the signer thread paces its refreshes with it, so that slots signed together (at
   * start, or after a burst of takes) do not all come due — and cost a burst of CPU — together.
   * EMPTY slots are always all signed.
   *
   * A signature that `sign` returns longer than MAX_SIGNATURE_CHARS, or not base64, is refused
   * (RangeError); when `sign` throws, the slot goes back EMPTY and the error propagates.
   */
  fill(sign: SignFunction, nowMs: number | (() => number), maxAgeMs: number, maxRefreshes = Infinity): FillReport {
    checkMaxAge(maxAgeMs);
    const now = typeof nowMs === 'function' ? nowMs : () => nowMs;
    const w = this.#words;
    const report: FillReport = { signed: 0, refreshed: 0 };
    for (let i = 0, o = 0; i < this.slots; i++, o += SLOT_WORDS) {
      if (Atomics.compareExchange(w, o + S_STATE, SlotState.EMPTY, SlotState.SIGNING) !== SlotState.EMPTY) continue;
      this.#signInto(o, sign, now());
      report.signed++;
    }
    const t0 = now();
    const stale: Array<{ o: number; ts: number }> = [];
    for (let i = 0, o = 0; i < this.slots; i++, o += SLOT_WORDS) {
      if (Atomics.load(w, o + S_STATE) !== SlotState.READY) continue;
      const ts = this.#timestamp(o);
      if (isStale(ts, t0, maxAgeMs)) stale.push({ o, ts });
    }
    stale.sort((a, b) => a.ts - b.ts);
    for (const { o } of stale) {
      if (report.refreshed >= maxRefreshes) break;
      if (Atomics.compareExchange(w, o + S_STATE, SlotState.READY, SlotState.SIGNING) !== SlotState.READY) continue; // taken meanwhile
      const t = now();
      if (!isStale(this.#timestamp(o), t, maxAgeMs)) {
        Atomics.store(w, o + S_STATE, SlotState.READY); // another producer refreshed it meanwhile
        continue;
      }
      this.#signInto(o, sign, t);
      Atomics.add(this.#header, REFRESHED, 1);
      report.refreshed++;
    }
    return report;
  }

  /** The wake word now: read it BEFORE a `fill`, then `waitForWake(seen, …)` (no wake-up is lost). */
  wakeValue(): number {
    return Atomics.load(this.#header, WAKE);
  }

  /**
   * Producer: resolve when the wake word differs from `seen` (a take, a miss, `wakeProducer`),
   * or after `timeoutMs` — without blocking the thread (`Atomics.waitAsync`): its event loop
   * keeps running. Resolves 'woken', 'timed-out' or 'not-equal' (it had moved already).
   */
  async waitForWake(seen: number, timeoutMs: number): Promise<'woken' | 'timed-out' | 'not-equal'> {
    Atomics.store(this.#header, PARKED, 1);
    try {
      const r = Atomics.waitAsync(this.#header, WAKE, seen, timeoutMs);
      const outcome = r.async ? await r.value : r.value;
      return outcome === 'ok' ? 'woken' : outcome;
    } finally {
      Atomics.store(this.#header, PARKED, 0);
    }
  }

  // ---------------------------------------------------------------- reports

  stats(): PresignStats {
    const h = this.#header;
    let ready = 0;
    for (let i = 0, o = 0; i < this.slots; i++, o += SLOT_WORDS) if (Atomics.load(this.#words, o + S_STATE) === SlotState.READY) ready++;
    return {
      hits: Atomics.load(h, HITS) >>> 0, misses: Atomics.load(h, MISSES) >>> 0, refreshed: Atomics.load(h, REFRESHED) >>> 0,
      signed: Atomics.load(h, SIGNED) >>> 0, signErrors: Atomics.load(h, SIGN_ERRORS) >>> 0, ready,
    };
  }

  /** Slots READY now whose timestamp is fresh at `nowMs` (per target when `target` is given). */
  freshCount(nowMs: number, maxAgeMs: number, target?: number): number {
    let n = 0;
    for (let i = 0, o = 0; i < this.slots; i++, o += SLOT_WORDS) {
      if (Atomics.load(this.#words, o + S_STATE) !== SlotState.READY) continue;
      if (target !== undefined && Atomics.load(this.#words, o + S_TARGET) !== target) continue;
      if (fresh(this.#timestamp(o), nowMs, maxAgeMs)) n++;
    }
    return n;
  }

  /** The state of slot `i` (tests, diagnostics). */
  slotState(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.slots) throw new RangeError(`slot must be 0..${this.slots - 1}, got ${i}`);
    return Atomics.load(this.#words, i * SLOT_WORDS + S_STATE);
  }

  toString(): string {
    return `PresignedSignatures { slots: ${this.slots}, targets: ${this.targets.length} }`;
  }

  // ---------------------------------------------------------------- internals

  #timestamp(o: number): number {
    return Atomics.load(this.#words, o + S_TS_HI) * TWO_32 + (Atomics.load(this.#words, o + S_TS_LO) >>> 0);
  }

  /** Sign slot `o` (owned: SIGNING) for the target furthest below its share, and publish it READY. */
  #signInto(o: number, sign: SignFunction, nowMs: number): void {
    const w = this.#words;
    const ts = Math.floor(nowMs);
    let signature: string;
    const t = this.#pickTarget(o);
    const { method, path } = this.targets[t];
    try {
      if (!Number.isSafeInteger(ts) || ts < 0) throw new RangeError(`pre-signed timestamp must be a whole number of ms, got ${nowMs}`);
      signature = sign(ts, method, path);
      if (typeof signature !== 'string' || signature.length > MAX_SIGNATURE_CHARS || !BASE64_CHARS.test(signature)) {
        throw new RangeError(`pre-signed signature refused: not base64 of at most ${MAX_SIGNATURE_CHARS} characters (a key over 4096 bits?)`);
      }
    } catch (err) {
      Atomics.add(this.#header, SIGN_ERRORS, 1);
      Atomics.store(w, o + S_STATE, SlotState.EMPTY);
      throw err;
    }
    this.#bytes.write(signature, (HEADER_WORDS + o) * 4 + S_BYTES, signature.length, 'latin1');
    Atomics.store(w, o + S_LEN, signature.length);
    Atomics.store(w, o + S_TARGET, t);
    Atomics.store(w, o + S_TS_HI, Math.floor(ts / TWO_32));
    Atomics.store(w, o + S_TS_LO, ts % TWO_32 | 0);
    Atomics.add(this.#header, SIGNED, 1);
    Atomics.store(w, o + S_STATE, SlotState.READY); // publishes everything above
  }

  /**
   * The target whose live slots (READY or SIGNING, slot `self` left out) are furthest below its
   * share: max(1, ⌊slots × (demand_t + 1) / Σ(demand + 1)⌋). Ties go to the lower index.
   */
  #pickTarget(self: number): number {
    const n = this.targets.length;
    if (n === 1) return 0;
    const live = new Array<number>(n).fill(0);
    for (let i = 0, o = 0; i < this.slots; i++, o += SLOT_WORDS) {
      if (o === self) continue;
      const s = Atomics.load(this.#words, o + S_STATE);
      if (s === SlotState.READY || s === SlotState.SIGNING) {
        const t = Atomics.load(this.#words, o + S_TARGET);
        if (t >= 0 && t < n) live[t]++;
      }
    }
    const demand = new Array<number>(n);
    let total = 0;
    for (let t = 0; t < n; t++) total += demand[t] = (Atomics.load(this.#header, DEMAND + t) >>> 0) + 1;
    let best = 0;
    let bestGap = -Infinity;
    for (let t = 0; t < n; t++) {
      const gap = Math.max(1, Math.floor((this.slots * demand[t]) / total)) - live[t];
      if (gap > bestGap) {
        best = t;
        bestGap = gap;
      }
    }
    return best;
  }
}

function fresh(ts: number, nowMs: number, maxAgeMs: number): boolean {
  return nowMs - ts <= maxAgeMs && ts - nowMs <= FUTURE_SLACK_MS;
}

/** Due for a refresh: older than half the usable age, or ahead of the clock (the clock went back). */
function isStale(ts: number, nowMs: number, maxAgeMs: number): boolean {
  return nowMs - ts > maxAgeMs / 2 || ts - nowMs > FUTURE_SLACK_MS;
}

function checkMaxAge(maxAgeMs: number): void {
  if (!Number.isFinite(maxAgeMs) || maxAgeMs <= 0) throw new RangeError(`maxAgeMs must be a positive number of ms, got ${maxAgeMs}`);
}
