/**
 * Thread heartbeats in shared memory (architecture.md §6: thread liveness).
 *
 * One Int32 counter per thread slot. The thread that owns a slot bumps it from a timer
 * (`HEARTBEAT_INTERVAL_MS`): a timer callback runs only when the thread's event loop turns, so
 * a thread that died, hangs in a loop or is blocked stops beating. The supervisor samples the
 * counters (`HeartbeatMonitor`) and calls a slot dead when its counter has not moved for
 * `deadAfterMs`. No clock is shared between threads: only "did it move since I last looked".
 *
 * Single writer per slot (its thread); any number of readers. Slots are handed out by the main
 * thread (`HeartbeatSlots.allocate`) and never reused within a session, so a restarted worker
 * gets a fresh slot and its predecessor's stale counter is simply no longer watched.
 *
 * Cost: one Atomics.add per beat (a few ns), four beats a second per thread.
 */
export const HEARTBEAT_INTERVAL_MS = 250;

/** Structured-cloneable handle: post it to a worker and `Heartbeats.attach` there. */
export interface HeartbeatsShared {
  readonly buffer: SharedArrayBuffer;
}

export class Heartbeats {
  readonly shared: HeartbeatsShared;
  readonly capacity: number;
  readonly #beats: Int32Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.shared = { buffer };
    this.#beats = new Int32Array(buffer);
    this.capacity = this.#beats.length;
  }

  static create(capacity: number): Heartbeats {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 65_536) throw new RangeError(`heartbeat capacity must be 1..65536, got ${capacity}`);
    return new Heartbeats(new SharedArrayBuffer(capacity * 4));
  }

  static attach(shared: HeartbeatsShared): Heartbeats {
    if (!(shared?.buffer instanceof SharedArrayBuffer)) throw new TypeError('heartbeats: not a SharedArrayBuffer');
    return new Heartbeats(shared.buffer);
  }

  /** One beat of slot `slot` (its owning thread only). */
  beat(slot: number): void {
    Atomics.add(this.#beats, this.#check(slot), 1);
  }

  /** The counter of `slot` (wraps at 2^32; compare for equality only). */
  read(slot: number): number {
    return Atomics.load(this.#beats, this.#check(slot));
  }

  /**
   * Beat `slot` now and every `intervalMs` from this thread's event loop; returns the stop
   * function. The timer is unref'd: a heartbeat never keeps a thread alive.
   */
  startBeating(slot: number, intervalMs = HEARTBEAT_INTERVAL_MS): () => void {
    this.beat(slot);
    const timer = setInterval(() => this.beat(slot), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  #check(slot: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.capacity) throw new RangeError(`heartbeat slot must be 0..${this.capacity - 1}, got ${slot}`);
    return slot;
  }
}

/** Hands out heartbeat slots on the main thread; a slot is never handed out twice. */
export class HeartbeatSlots {
  #next = 0;
  constructor(readonly heartbeats: Heartbeats) {}

  allocate(): number {
    if (this.#next >= this.heartbeats.capacity) throw new RangeError(`heartbeat slots exhausted (${this.heartbeats.capacity})`);
    return this.#next++;
  }
}

/** A watched thread as the monitor reports it. */
export interface ThreadLiveness {
  name: string;
  slot: number;
  alive: boolean;
  /** ms since the counter last moved (as seen by the monitor's samples). */
  silentMs: number;
}

/**
 * The supervisor's view: watch named slots, sample them (`check(nowMs)`), report the ones whose
 * counter has not moved for `deadAfterMs`. Time is passed in (ms, any monotonic-enough clock).
 */
export class HeartbeatMonitor {
  readonly #watched = new Map<string, { slot: number; last: number; movedAtMs: number }>();

  constructor(private readonly heartbeats: Heartbeats, private readonly deadAfterMs: number) {
    if (!(deadAfterMs > 0)) throw new RangeError(`deadAfterMs must be positive, got ${deadAfterMs}`);
  }

  /** Watch `name` at `slot` from now on (replaces an earlier slot of the same name: a restarted thread). */
  watch(name: string, slot: number, nowMs: number): void {
    this.#watched.set(name, { slot, last: this.heartbeats.read(slot), movedAtMs: nowMs });
  }

  unwatch(name: string): void {
    this.#watched.delete(name);
  }

  /** Sample every watched slot; returns each thread's liveness. */
  check(nowMs: number): ThreadLiveness[] {
    const out: ThreadLiveness[] = [];
    for (const [name, w] of this.#watched) {
      const v = this.heartbeats.read(w.slot);
      if (v !== w.last) {
        w.last = v;
        w.movedAtMs = nowMs;
      }
      const silentMs = Math.max(0, nowMs - w.movedAtMs);
      out.push({ name, slot: w.slot, alive: silentMs < this.deadAfterMs, silentMs });
    }
    return out;
  }
}
