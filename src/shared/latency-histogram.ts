/**
 * A fixed-memory latency histogram for hot paths (HdrHistogram's idea, much simplified):
 * log-linear buckets over nanoseconds — 16 linear sub-buckets per power of two — so any
 * recorded value is reported within 1/16 (6.25 %) of itself, from 1 ns to ~2^40 ns (18 min).
 * `record` is O(1) with no allocation (Math.clz32 on the high part); percentiles scan the
 * 656 buckets. One writer; a reader takes a `snapshot()` (a plain copy) on the cold path, and
 * snapshots merge across threads.
 */
const SUB_BITS = 4;
const SUB = 1 << SUB_BITS; // 16 sub-buckets per octave
const OCTAVES = 41; // values up to 2^41 ns
const BUCKETS = (OCTAVES - SUB_BITS + 1) * SUB;

function bucketOf(ns: number): number {
  if (!(ns >= 1)) return 0; // negatives, NaN, sub-ns: the first bucket
  if (ns < SUB) return Math.floor(ns);
  const v = Math.floor(ns);
  // highest set bit of v (v may exceed 2^32)
  const high = v >= 0x1_0000_0000 ? 63 - Math.clz32(Math.floor(v / 0x1_0000_0000)) : 31 - Math.clz32(v);
  const octave = Math.min(high, OCTAVES - 1);
  if (high > OCTAVES - 1) return BUCKETS - 1;
  const shift = octave - SUB_BITS;
  const sub = Math.floor(v / 2 ** shift) - SUB; // 0 … 15
  return (octave - SUB_BITS + 1) * SUB + sub;
}

/** The lowest value of a bucket, ns. */
function bucketFloor(b: number): number {
  if (b < SUB) return b;
  const octave = Math.floor(b / SUB) - 1 + SUB_BITS;
  const sub = b % SUB;
  return (SUB + sub) * 2 ** (octave - SUB_BITS);
}

export interface LatencySnapshot {
  counts: number[];
  total: number;
  maxNs: number;
  sumNs: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private maxNs = 0;
  private sumNs = 0;

  record(ns: number): void {
    this.counts[bucketOf(ns)]++;
    this.total++;
    if (ns > this.maxNs) this.maxNs = ns;
    if (ns > 0) this.sumNs += ns;
  }

  get count(): number {
    return this.total;
  }

  /** A copy for another thread or for reporting; `reset` afterwards for per-interval figures. */
  snapshot(): LatencySnapshot {
    return { counts: Array.from(this.counts), total: this.total, maxNs: this.maxNs, sumNs: this.sumNs };
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.maxNs = 0;
    this.sumNs = 0;
  }
}

/** Several snapshots (one per worker) as one. */
export function mergeSnapshots(snaps: readonly LatencySnapshot[]): LatencySnapshot {
  const counts = new Array<number>(BUCKETS).fill(0);
  let total = 0;
  let maxNs = 0;
  let sumNs = 0;
  for (const s of snaps) {
    for (let i = 0; i < BUCKETS && i < s.counts.length; i++) counts[i] += s.counts[i];
    total += s.total;
    maxNs = Math.max(maxNs, s.maxNs);
    sumNs += s.sumNs;
  }
  return { counts, total, maxNs, sumNs };
}

/**
 * The value at quantile `q` (0…1), ns: the upper edge of the bucket holding that rank, capped
 * at the largest value seen (so p100 is exact). NaN when empty.
 */
export function percentileNs(s: LatencySnapshot, q: number): number {
  if (s.total === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * s.total));
  let seen = 0;
  for (let b = 0; b < s.counts.length; b++) {
    seen += s.counts[b];
    if (seen >= rank) return Math.min(b + 1 < s.counts.length ? bucketFloor(b + 1) : s.maxNs, s.maxNs);
  }
  return s.maxNs;
}

/**
 * The counts of `s` gathered into coarse buckets: `out[i]` counts the values whose fine bucket
 * ends at or below `boundsNs[i]` and above `boundsNs[i − 1]` (each value is placed within its
 * fine bucket's 1/16); a last element counts everything above the last bound. For display.
 */
export function coarseCounts(s: LatencySnapshot, boundsNs: readonly number[]): number[] {
  const out = new Array<number>(boundsNs.length + 1).fill(0);
  let k = 0;
  for (let b = 0; b < s.counts.length; b++) {
    const n = s.counts[b];
    if (n === 0) continue;
    const upper = b + 1 < s.counts.length ? bucketFloor(b + 1) : Number.POSITIVE_INFINITY;
    while (k < boundsNs.length && upper > boundsNs[k]) k++;
    out[k] += n;
  }
  return out;
}

/**
 * What was recorded between two snapshots of one cumulative histogram (`before` taken first):
 * the window's counts. The window's maximum is not kept by a cumulative histogram, so it is
 * the upper edge of the highest bucket that grew, capped at `after.maxNs` — exact when the
 * window holds the all-time maximum, else within the bucket's 1/16. A histogram that was
 * reset in between (a restarted thread) gives `after` itself.
 */
export function diffSnapshots(after: LatencySnapshot, before: LatencySnapshot | undefined): LatencySnapshot {
  if (before === undefined || before.total > after.total) return after;
  const counts = new Array<number>(after.counts.length);
  let top = -1;
  for (let i = 0; i < after.counts.length; i++) {
    const d = after.counts[i] - (before.counts[i] ?? 0);
    if (d < 0) return after; // not the same histogram's history
    counts[i] = d;
    if (d > 0) top = i;
  }
  const total = after.total - before.total;
  const maxNs = top < 0 ? 0 : Math.min(after.maxNs, top + 1 < counts.length ? bucketFloor(top + 1) : after.maxNs);
  return { counts, total, maxNs, sumNs: after.sumNs - before.sumNs };
}
