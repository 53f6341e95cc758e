/**
 * The last decision per market slot, in shared memory: what the dashboard shows as "last
 * decision" without a message per decision.
 *
 * Writer: the inference stage that owns the market (one per slot, as for every shared record);
 * readers: the main thread, about once a second. Per slot an Int32 action code (Action + 1; 0:
 * never decided) and a Float64 wall-clock time (ms since the epoch). The time is written first
 * and the action with Atomics.store after it, so a reader that sees an action sees at least that
 * decision's time or a later one; a reader may pair an action with the time of the next decision
 * (a display, not a ledger: off by one decision at most). Cost on the decision path: two stores.
 *
 * Layout: Float64 [capacity] times | Int32 [capacity] actions (byte offset capacity × 8).
 */
export interface DecisionBoardShared {
  buffer: SharedArrayBuffer;
  capacity: number;
}

export interface LastDecision {
  /** The Action code, or −1 when the market was never decided. */
  action: number;
  /** ms since the epoch (0 when never). */
  atMs: number;
}

export class DecisionBoard {
  private readonly times: Float64Array;
  private readonly actions: Int32Array;

  private constructor(readonly shared: DecisionBoardShared) {
    const { buffer, capacity } = shared;
    if (!Number.isInteger(capacity) || capacity < 1 || buffer.byteLength < capacity * 12) {
      throw new RangeError(`decision board: a buffer of ${buffer.byteLength} bytes cannot hold ${capacity} markets`);
    }
    this.times = new Float64Array(buffer, 0, capacity);
    this.actions = new Int32Array(buffer, capacity * 8, capacity);
  }

  static create(capacity: number): DecisionBoard {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`decision board: capacity must be a positive integer, got ${capacity}`);
    return new DecisionBoard({ buffer: new SharedArrayBuffer(capacity * 12), capacity });
  }

  static attach(shared: DecisionBoardShared): DecisionBoard {
    return new DecisionBoard(shared);
  }

  get capacity(): number {
    return this.shared.capacity;
  }

  /** The owning inference stage, after each decision. Slots outside the board are ignored. */
  record(market: number, action: number, atMs: number): void {
    if (market >>> 0 !== market || market >= this.shared.capacity) return;
    this.times[market] = atMs;
    Atomics.store(this.actions, market, action + 1);
  }

  read(market: number, out: LastDecision): LastDecision {
    if (market >>> 0 !== market || market >= this.shared.capacity) {
      out.action = -1;
      out.atMs = 0;
      return out;
    }
    out.action = Atomics.load(this.actions, market) - 1;
    out.atMs = out.action < 0 ? 0 : this.times[market];
    return out;
  }
}
