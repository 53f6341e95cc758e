/**
 * Per-subscription sequence numbers (kalshi-api.md §2.3, §2.4).
 *
 * `seq` counts per `sid` (not per market, not per connection): the first frame of a sid is 1 and
 * every later data frame on that sid is the previous + 1, across all markets of the subscription.
 * Only some channels carry it (SEQUENCED_CHANNELS); `ticker`, `fill`, `market_position` and
 * `user_order` frames have none.
 *
 * Verdicts, for a data frame `seq` on a tracked sid whose last seen number is `last`:
 * - IN_ORDER   seq = last + 1;
 * - DUPLICATE  seq ≤ last: already seen — the caller ignores the frame and counts it;
 * - GAP        seq > last + 1: frames were lost — every book of the sid is untrusted. The tracker
 *              moves on to `seq` (`lastGapExpected` holds last + 1) so that one loss is
 *              reported once, not on every later frame.
 * - UNTRACKED  the sid is not (or no longer) ours: a frame still in flight after an unsubscribe,
 *              or a sid from an earlier connection. The caller ignores it.
 *
 * Hot path: `check` is an array load, two compares and a store for the sids a session hands out
 * (small integers counted from 1); other sids fall back to a Map. Sequence numbers are kept in a
 * Float64Array: at 300,000 frames/s an Int32 would wrap in two hours.
 */

/** Channels whose frames carry `seq` (§2.3). */
export const SEQUENCED_CHANNELS: ReadonlySet<string> = new Set([
  'orderbook_delta',
  'trade',
  'order_group_updates',
  'market_lifecycle_v2',
  'multivariate_market_lifecycle',
  'communications',
]);

export const SeqVerdict = { IN_ORDER: 0, DUPLICATE: 1, GAP: 2, UNTRACKED: 3 } as const;
export type SeqVerdict = (typeof SeqVerdict)[keyof typeof SeqVerdict];

const UNTRACKED = -1;
/** Sids below this live in the typed array; anything else in the Map. */
const DENSE_SIDS = 1 << 16;

export class SequenceTracker {
  private last = new Float64Array(64).fill(UNTRACKED);
  private readonly sparse = new Map<number, number>();
  /** After a GAP verdict: the seq that was expected (the first lost one). */
  lastGapExpected = 0;

  /** Start tracking `sid` (on `subscribed`): the next data frame must be seq 1. */
  track(sid: number): void {
    this.set(sid, 0);
  }

  /** Forget `sid` (unsubscribed, terminated, resubscribed): its later frames are UNTRACKED. */
  untrack(sid: number): void {
    if (sid >= 0 && sid < DENSE_SIDS && Number.isInteger(sid)) {
      if (sid < this.last.length) this.last[sid] = UNTRACKED;
    } else {
      this.sparse.delete(sid);
    }
  }

  /** Forget every sid (the connection is gone: sids do not survive a reconnect). */
  reset(): void {
    this.last.fill(UNTRACKED);
    this.sparse.clear();
  }

  isTracked(sid: number): boolean {
    return this.get(sid) !== UNTRACKED;
  }

  /** The last seq seen on `sid` (0 before its first frame), or -1 when untracked. */
  lastSeq(sid: number): number {
    return this.get(sid);
  }

  /** A data frame `seq` arrived on `sid`. Hot path. */
  check(sid: number, seq: number): SeqVerdict {
    let last: number;
    const dense = sid >= 0 && sid < this.last.length;
    if (dense) last = this.last[sid];
    else {
      const v = this.sparse.get(sid);
      last = v === undefined ? UNTRACKED : v;
    }
    if (last === UNTRACKED) return SeqVerdict.UNTRACKED;
    if (seq <= last) return SeqVerdict.DUPLICATE;
    if (dense) this.last[sid] = seq;
    else this.sparse.set(sid, seq);
    if (seq === last + 1) return SeqVerdict.IN_ORDER;
    this.lastGapExpected = last + 1;
    return SeqVerdict.GAP;
  }

  /**
   * A control frame (`ok`, `error`, `unsubscribed`) carrying `seq` arrived on `sid`. Kalshi does not
   * say whether an ack consumes a number (§2.4, UNCONFIRMED), so both readings are accepted:
   * seq ≤ last + 1 advances to seq (or changes nothing) and is IN_ORDER. A seq beyond last + 1
   * cannot be explained by the ack alone — at least one data frame was lost — so it is a GAP.
   */
  acknowledge(sid: number, seq: number): SeqVerdict {
    const last = this.get(sid);
    if (last === UNTRACKED) return SeqVerdict.UNTRACKED;
    if (seq <= last) return SeqVerdict.IN_ORDER;
    this.set(sid, seq);
    if (seq === last + 1) return SeqVerdict.IN_ORDER;
    this.lastGapExpected = last + 1;
    return SeqVerdict.GAP;
  }

  private get(sid: number): number {
    if (sid >= 0 && sid < this.last.length) return this.last[sid];
    const v = this.sparse.get(sid);
    return v === undefined ? UNTRACKED : v;
  }

  private set(sid: number, value: number): void {
    if (sid >= 0 && sid < DENSE_SIDS && Number.isInteger(sid)) {
      if (sid >= this.last.length) {
        let n = this.last.length;
        while (n <= sid) n *= 2;
        const grown = new Float64Array(n).fill(UNTRACKED);
        grown.set(this.last);
        this.last = grown;
      }
      this.last[sid] = value;
    } else {
      this.sparse.set(sid, value);
    }
  }
}
