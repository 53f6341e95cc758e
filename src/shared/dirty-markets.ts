/**
 * Dirty-market coalescing: the update channel from one market-data shard to one inference
 * worker. It carries market indexes, at most one per market at any time, so
 * - a burst of deltas on one market becomes one decision, taken on the latest book;
 * - the ring, sized to the shard, can never overflow, whatever the message rate.
 *
 * Protocol (one writer: the shard's market-data worker; one reader: its inference worker)
 * - Writer, after applying an update to market m's book: `markDirty(m)`. It flips m's flag
 *   0→1 with a compare-exchange and enqueues m only on that clean→dirty edge.
 * - Reader: `nextDirty()` pops m and clears its flag BEFORE the caller reads m's book.
 *   An update that lands after the clear re-dirties m and enqueues it again; an update that
 *   found the flag still set was written to the book before the clear (sequentially
 *   consistent atomics), so the read that follows sees it. No update is ever lost, and the
 *   ring holds each market at most once, so shard size ≤ capacity means it never fills.
 *
 * Cost per update on the writer: one compare-exchange (≈5–10 ns), plus one ring push on the
 * clean→dirty edge.
 */
import { RING_EMPTY, SpscRing, type SpscRingShared, type WaitOptions, type WaitStrategy } from './spsc-ring.js';

export interface DirtyMarketsShared {
  readonly flags: SharedArrayBuffer;
  readonly ring: SpscRingShared;
  readonly markets: number;
}

/** `nextDirty` result when no market is dirty. */
export const NO_DIRTY_MARKET = -1;

export class DirtyMarkets {
  readonly shared: DirtyMarketsShared;
  /** Market indexes this channel covers: 0 … markets − 1 (shard-local indexes). */
  readonly markets: number;
  readonly ring: SpscRing;
  private readonly flags: Int32Array;

  static create(markets: number): DirtyMarkets {
    if (!Number.isInteger(markets) || markets < 1 || markets > 1 << 24) {
      throw new RangeError(`DirtyMarkets covers 1 … 2^24 markets, got ${markets}`);
    }
    const ring = SpscRing.create(SpscRing.capacityFor(markets), 1);
    return new DirtyMarkets({ flags: new SharedArrayBuffer(markets * 4), ring: ring.shared, markets });
  }

  static attach(shared: DirtyMarketsShared): DirtyMarkets {
    return new DirtyMarkets(shared);
  }

  private constructor(shared: DirtyMarketsShared) {
    this.shared = shared;
    this.markets = shared.markets;
    this.flags = new Int32Array(shared.flags);
    this.ring = SpscRing.attach(shared.ring);
  }

  /**
   * Writer: market `m`'s book changed. Returns true when `m` was enqueued (it was clean),
   * false when it was already pending (coalesced).
   */
  markDirty(m: number): boolean {
    if (Atomics.compareExchange(this.flags, m, 0, 1) !== 0) return false;
    if (!this.ring.tryPush1(m)) {
      // Impossible while each market is in the ring at most once and capacity ≥ markets.
      throw new Error(`DirtyMarkets invariant broken: ring full while enqueuing market ${m}`);
    }
    return true;
  }

  /**
   * Reader: the next dirty market, its flag already cleared, or NO_DIRTY_MARKET. Read the
   * market's book after this call, not before.
   */
  nextDirty(): number {
    const m = this.ring.tryPop1();
    if (m === RING_EMPTY) return NO_DIRTY_MARKET;
    Atomics.store(this.flags, m, 0);
    return m;
  }

  /** Markets currently pending. */
  pending(): number {
    return this.ring.size();
  }

  /** Reader: block until a market is dirty (see SpscRing.waitForData). */
  waitForDirty(strategy: Exclude<WaitStrategy, 'async'>, options?: WaitOptions): boolean {
    return this.ring.waitForData(strategy, options);
  }

  /** Reader with an event loop: resolves true when a market is dirty, false on timeout. */
  waitForDirtyAsync(timeoutMs?: number, spinUs = 0): Promise<boolean> {
    return this.ring.waitForDataAsync(timeoutMs, spinUs);
  }
}
