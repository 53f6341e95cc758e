/**
 * The engine's scheduled work (market opens/closes/determinations/finalizations, order
 * expirations): a binary min-heap on (time, insertion sequence), so that equal times pop in the
 * order they were scheduled and a run is deterministic.
 *
 * Timers are never removed: a handler checks that its timer is still current (the market's
 * close time still equals it, the order still rests with that expiration, …) and ignores a stale
 * one. push/pop O(log n), peek O(1).
 */
export class TimerQueue<T> {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  /** The earliest time scheduled, or +Infinity when nothing is. */
  peekTime(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : this.times[0];
  }

  push(time: number, item: T): void {
    const { times, seqs, items } = this;
    let i = items.length;
    times.push(time);
    seqs.push(++this.seq);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the earliest item (undefined when empty). */
  pop(): T | undefined {
    const { times, seqs, items } = this;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0];
    const lastTime = times.pop() as number;
    const lastSeq = seqs.pop() as number;
    const lastItem = items.pop() as T;
    if (n > 1) {
      times[0] = lastTime;
      seqs[0] = lastSeq;
      items[0] = lastItem;
      let i = 0;
      const m = n - 1;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        const c = r < m && this.less(r, l) ? r : l;
        if (!this.less(c, i)) break;
        this.swap(c, i);
        i = c;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a];
    const tb = this.times[b];
    return ta < tb || (ta === tb && this.seqs[a] < this.seqs[b]);
  }

  private swap(a: number, b: number): void {
    const { times, seqs, items } = this;
    const t = times[a];
    times[a] = times[b];
    times[b] = t;
    const s = seqs[a];
    seqs[a] = seqs[b];
    seqs[b] = s;
    const it = items[a];
    items[a] = items[b];
    items[b] = it;
  }
}
