/**
 * The execution thread's side of the intent rings (one SPSC ring per inference worker,
 * intent-record.ts): take records fairly, hand each to the stage, and wait for more without
 * blocking the thread's event loop.
 *
 * Fairness: round robin, at most PER_RING records from one ring before the next ring's turn,
 * the starting ring rotating every round — a flooded ring delays another by ≤ PER_RING
 * decisions. At most PER_TURN records per turn of the event loop: after a drain that did work
 * the loop yields a macrotask (setImmediate), so the REST answers and WebSocket frames this
 * thread also serves are never starved by a busy ring.
 *
 * Waiting: an idle loop parks in `Atomics.waitAsync` on every ring at once (SpscRing
 * `waitForDataAsync`), keeping ONE pending wait per ring — re-armed only when it ends — so a
 * long run never piles waits up. A wait ends on data or after WAIT_SLICE_MS; `stop` wakes the
 * loop at once. Cost of a parked hand-off: ≈22 µs (performance.md). With `spinUs` > 0 the
 * loop first busy-polls the rings that long (spin-then-park): a record landing meanwhile is
 * taken at the cost of a poll, at the price of that much CPU and event-loop time per idle spell.
 */
import { spinFor, type SpscRing } from '../../shared/spsc-ring.js';
import { I_ACTION, I_ENQUEUE_HI, I_MARKET, I_RECEIVE_HI, readNs } from '../inference/intent-record.js';

/** Records from one ring before the next ring's turn. */
export const PER_RING = 64;
/** Records handled before yielding to the event loop. */
export const PER_TURN = 512;
/** Longest single park (the wait is re-armed; a stop ends it at once). */
const WAIT_SLICE_MS = 200;

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class IntentDrain {
  private nextRing = 0;
  private stopped = false;
  private wake: () => void = () => {};
  private readonly stopSignal: Promise<void>;

  /**
   * @param rings the rings, consumer side
   * @param taken per-ring counters of records taken (incremented here)
   * @param onIntent the decision for one record; runs synchronously inside the drain
   */
  constructor(
    private readonly rings: readonly SpscRing[],
    private readonly taken: number[],
    /** `enqueuedNs` / `receivedNs`: the record's monotonic stamps (0: unknown). */
    private readonly onIntent: (market: number, action: number, enqueuedNs: number, receivedNs: number) => void,
    /** Busy-poll this long before parking, µs (0: park at once). */
    private readonly spinUs = 0,
  ) {
    this.stopSignal = new Promise<void>((resolve) => (this.wake = resolve));
  }

  /** Drains and waits until `stop`. */
  async run(): Promise<void> {
    const rings = this.rings;
    const waits: Array<Promise<void> | undefined> = new Array(rings.length).fill(undefined);
    while (!this.stopped) {
      if (this.drain() > 0) {
        await yieldTurn();
        continue;
      }
      if (this.stopped) break;
      if (this.spinUs > 0 && spinFor(this.spinUs, () => this.anyData())) continue;
      const pending: Array<Promise<void>> = [this.stopSignal];
      for (let i = 0; i < rings.length; i++) {
        let w = waits[i];
        if (w === undefined) {
          w = rings[i].waitForDataAsync(WAIT_SLICE_MS).then(() => {
            waits[i] = undefined;
          });
          waits[i] = w;
        }
        pending.push(w);
      }
      await Promise.race(pending);
    }
  }

  /** No record is taken after this; `run` returns promptly. */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  private anyData(): boolean {
    for (const r of this.rings) if (r.peek() >= 0) return true;
    return false;
  }

  /** Takes records from every ring, round robin, up to PER_TURN. Returns how many. */
  drain(): number {
    const rings = this.rings;
    const n = rings.length;
    if (n === 0) return 0;
    const taken = this.taken;
    let total = 0;
    let progress = true;
    while (progress && total < PER_TURN) {
      progress = false;
      for (let k = 0; k < n; k++) {
        const i = (this.nextRing + k) % n;
        const ring = rings[i];
        const data = ring.data;
        for (let j = 0; j < PER_RING; j++) {
          if (this.stopped) return total;
          const at = ring.peek();
          if (at < 0) break;
          const market = data[at + I_MARKET];
          const action = data[at + I_ACTION];
          const enqueuedNs = readNs(data, at + I_ENQUEUE_HI);
          const receivedNs = readNs(data, at + I_RECEIVE_HI);
          ring.release();
          taken[i]++;
          total++;
          progress = true;
          this.onIntent(market, action, enqueuedNs, receivedNs);
        }
      }
      this.nextRing = (this.nextRing + 1) % n;
    }
    return total;
  }
}
