/**
 * MarketHistory: the per-market rolling window an inference worker keeps for the history
 * features (features.ts, group `history`). One instance per worker, one slot per market it
 * decides on; never shared between threads, so no atomics.
 *
 * Storage: fixed-capacity rings in typed arrays, `FEATURE_PARAMS.historyCapacity` entries per
 * market (time ms, two-sided mid, spread, top sizes), plus per-market running statistics:
 * - exact rolling sums over the ring (integers in $0.0001 units, so adding and evicting never
 *   drifts): spread sum and count, mid rises and falls;
 * - time-decayed sums (EWMA with time constants tauShort / tauLong): activity, squared mid
 *   moves, the time-weighted mean of past mids and of past top imbalances.
 * `push` is O(1) and allocation-free (two `Math.exp` when time moved); `read` decays the
 * running statistics forward to `nowMs` without changing them, so it is pure.
 *
 * What an entry is: one observation of the market's top of book, pushed by the caller once per
 * book state it decides on (live: one per drained dirty market, so a burst of deltas is one
 * entry). Replay and training must push at the same points (same coalescing), or the history
 * features differ from live (lessons.md #1).
 *
 * The "mid" here is the two-sided mid only: an entry whose book lacks a side carries the last
 * two-sided mid forward (no move), so an emptied side is not a price jump.
 *
 * Units: prices as stored in the BookStore ($0.0001, YES ask = 10000 − NO bid), the mid kept
 * doubled (bid + ask, exact integer), sizes in hundredths of a contract, times in ms.
 */
import { FEATURE_PARAMS } from './features.js';

/** What `read` reports for one market at a time `nowMs`. Natural units; build.ts normalises. */
export interface HistoryStats {
  /** Entries in the window (0 … capacity). */
  count: number;
  /** Time of the oldest entry in the window, ms (0 when empty). */
  oldestMs: number;
  /** True once a two-sided mid has been seen. */
  hasMid: boolean;
  /** Current (last two-sided) mid, $. 0 without one. */
  mid: number;
  /** When the two-sided mid last changed (or first appeared), ms. */
  midChangedAtMs: number;
  /** Σ e^(−age/tauShort) over pushes, decayed to now. */
  activity: number;
  /** Σ Δmid² ($²) decayed with tauShort / tauLong, to now. */
  moveVarShort: number;
  moveVarLong: number;
  /** Time-weighted EWMA of the mid, $, with tauShort / tauLong, to now. */
  midMeanShort: number;
  midMeanLong: number;
  /** Mid of the newest minus mid of the oldest window entry, $ (0 if the oldest had no mid). */
  windowReturn: number;
  /** Mid rises and falls between consecutive window entries. */
  rises: number;
  falls: number;
  /** Mean two-sided spread over the window entries that had one, $; `spreadCount` of them. */
  spreadMean: number;
  spreadCount: number;
  /** Time-weighted EWMA (tauShort) of top imbalance, to now; `hasImbalance` false before any. */
  imbalanceMean: number;
  hasImbalance: boolean;
}

export function createHistoryStats(): HistoryStats {
  return {
    count: 0, oldestMs: 0, hasMid: false, mid: 0, midChangedAtMs: 0, activity: 0,
    moveVarShort: 0, moveVarLong: 0, midMeanShort: 0, midMeanLong: 0, windowReturn: 0,
    rises: 0, falls: 0, spreadMean: 0, spreadCount: 0, imbalanceMean: 0, hasImbalance: false,
  };
}

// Per-market scalar state, Float64 slots.
const S_COUNT = 0;
const S_HEAD = 1; // next write index in the ring
const S_LAST_MS = 2; // latest push time (monotone: max of the times pushed)
const S_HAS_MID = 3;
const S_MID2 = 4; // bid + ask of the last two-sided book, $0.0001
const S_MID_CHANGED_MS = 5;
const S_ACTIVITY = 6;
const S_VAR_SHORT = 7;
const S_VAR_LONG = 8;
const S_MEAN_SHORT = 9; // EWMA of mid2
const S_MEAN_LONG = 10;
const S_HAS_IMB = 11;
const S_IMB = 12; // last top imbalance
const S_IMB_MEAN = 13;
const S_SPREAD_SUM = 14; // Σ spread over entries with one, $0.0001 (exact)
const S_SPREAD_N = 15;
const S_RISES = 16;
const S_FALLS = 17;
const STATE_SLOTS = 18;

const NO_MID = -1;
const NO_SPREAD = -1;
/** mid2 ($0.0001, doubled) → $. */
const MID2_TO_DOLLARS = 1 / 20_000;
const PRICE_TO_DOLLARS = 1 / 10_000;

export class MarketHistory {
  readonly maxMarkets: number;
  readonly capacity: number;
  private readonly state: Float64Array;
  private readonly times: Float64Array;
  private readonly mid2: Int32Array;
  private readonly spread: Int32Array;
  private readonly bidSize: Int32Array;
  private readonly askSize: Int32Array;
  private readonly tauShortMs = FEATURE_PARAMS.tauShortMs;
  private readonly tauLongMs = FEATURE_PARAMS.tauLongMs;

  /** Room for market slots 0 … maxMarkets − 1; ≈ 2.5 KB per market. */
  constructor(maxMarkets: number) {
    if (!Number.isInteger(maxMarkets) || maxMarkets < 1 || maxMarkets > 1_000_000) {
      throw new RangeError(`MarketHistory: maxMarkets must be an integer in [1, 1000000], got ${maxMarkets}`);
    }
    this.maxMarkets = maxMarkets;
    this.capacity = FEATURE_PARAMS.historyCapacity;
    const entries = maxMarkets * this.capacity;
    this.state = new Float64Array(maxMarkets * STATE_SLOTS);
    this.times = new Float64Array(entries);
    this.mid2 = new Int32Array(entries);
    this.spread = new Int32Array(entries);
    this.bidSize = new Int32Array(entries);
    this.askSize = new Int32Array(entries);
  }

  /** Forget a market's history (a new market in the slot, or a book rebuilt from scratch). */
  reset(market: number): void {
    this.check(market);
    this.state.fill(0, market * STATE_SLOTS, (market + 1) * STATE_SLOTS);
  }

  /** Entries currently in the market's window. */
  count(market: number): number {
    return this.state[market * STATE_SLOTS + S_COUNT];
  }

  /**
   * Record one top of book at time `tMs`. Prices in $0.0001 units with −1 (NONE) for an empty
   * side: `yesBid` the best YES bid, `noBid` the best NO bid (in NO price; the YES ask is
   * 10000 − noBid); sizes in hundredths. O(1), no allocation. A time earlier than the latest
   * push counts as no time passing.
   */
  push(market: number, tMs: number, yesBid: number, yesBidSize: number, noBid: number, noBidSize: number): void {
    this.check(market);
    const st = this.state;
    const s = market * STATE_SLOTS;
    const cap = this.capacity;
    const base = market * cap;
    const count = st[s + S_COUNT];
    const head = st[s + S_HEAD];
    const hasBid = yesBid >= 0 && yesBid <= 10_000;
    const hasAsk = noBid >= 0 && noBid <= 10_000;
    const bs = hasBid && yesBidSize > 0 ? yesBidSize : 0;
    const as = hasAsk && noBidSize > 0 ? noBidSize : 0;

    // Time step and decay factors.
    const lastMs = st[s + S_LAST_MS];
    let dt = count === 0 ? 0 : tMs - lastMs;
    if (!(dt > 0)) dt = 0;
    const decayShort = dt === 0 ? 1 : Math.exp(-dt / this.tauShortMs);
    const decayLong = dt === 0 ? 1 : Math.exp(-dt / this.tauLongMs);
    if (count === 0 || tMs > lastMs) st[s + S_LAST_MS] = tMs;

    st[s + S_ACTIVITY] = st[s + S_ACTIVITY] * decayShort + 1;

    // Mid (two-sided only; carried forward otherwise).
    const hadMid = st[s + S_HAS_MID] === 1;
    const prevMid2 = st[s + S_MID2];
    let mid2 = hadMid ? prevMid2 : NO_MID;
    let spread = NO_SPREAD;
    if (hasBid && hasAsk) {
      const ask = 10_000 - noBid;
      mid2 = yesBid + ask;
      spread = ask - yesBid;
      if (!hadMid) {
        st[s + S_HAS_MID] = 1;
        st[s + S_MEAN_SHORT] = mid2;
        st[s + S_MEAN_LONG] = mid2;
        st[s + S_MID_CHANGED_MS] = tMs;
      } else {
        // Time-weighted EWMA: the previous mid held for dt.
        st[s + S_MEAN_SHORT] = prevMid2 + (st[s + S_MEAN_SHORT] - prevMid2) * decayShort;
        st[s + S_MEAN_LONG] = prevMid2 + (st[s + S_MEAN_LONG] - prevMid2) * decayLong;
        if (mid2 !== prevMid2) st[s + S_MID_CHANGED_MS] = tMs;
      }
      st[s + S_MID2] = mid2;
    } else if (hadMid) {
      st[s + S_MEAN_SHORT] = prevMid2 + (st[s + S_MEAN_SHORT] - prevMid2) * decayShort;
      st[s + S_MEAN_LONG] = prevMid2 + (st[s + S_MEAN_LONG] - prevMid2) * decayLong;
    }
    const move = hadMid && mid2 !== NO_MID ? (mid2 - prevMid2) * MID2_TO_DOLLARS : 0;
    st[s + S_VAR_SHORT] = st[s + S_VAR_SHORT] * decayShort + move * move;
    st[s + S_VAR_LONG] = st[s + S_VAR_LONG] * decayLong + move * move;

    // Imbalance EWMA: the previous imbalance held for dt; a top with no size keeps it.
    if (st[s + S_HAS_IMB] === 1) {
      const prev = st[s + S_IMB];
      st[s + S_IMB_MEAN] = prev + (st[s + S_IMB_MEAN] - prev) * decayShort;
    }
    if (bs + as > 0) {
      const imb = (bs - as) / (bs + as);
      if (st[s + S_HAS_IMB] !== 1) {
        st[s + S_HAS_IMB] = 1;
        st[s + S_IMB_MEAN] = imb;
      }
      st[s + S_IMB] = imb;
    }

    // Ring: evict the oldest when full, then append.
    if (count === cap) {
      const oldest = base + head; // head is also the oldest when full
      const next = base + ((head + 1) % cap);
      this.evictTransition(s, this.mid2[oldest], this.mid2[next]);
      if (this.spread[oldest] !== NO_SPREAD) {
        st[s + S_SPREAD_SUM] -= this.spread[oldest];
        st[s + S_SPREAD_N] -= 1;
      }
    }
    if (count > 0) {
      const newest = base + ((head + cap - 1) % cap);
      const before = this.mid2[newest];
      if (before !== NO_MID && mid2 !== NO_MID) {
        if (mid2 > before) st[s + S_RISES] += 1;
        else if (mid2 < before) st[s + S_FALLS] += 1;
      }
    }
    const at = base + head;
    this.times[at] = tMs;
    this.mid2[at] = mid2;
    this.spread[at] = spread;
    this.bidSize[at] = bs;
    this.askSize[at] = as;
    if (spread !== NO_SPREAD) {
      st[s + S_SPREAD_SUM] += spread;
      st[s + S_SPREAD_N] += 1;
    }
    st[s + S_HEAD] = (head + 1) % cap;
    if (count < cap) st[s + S_COUNT] = count + 1;
  }

  /** The oldest entry leaves: the rise or fall between it and the next one leaves the window. */
  private evictTransition(s: number, oldMid2: number, nextMid2: number): void {
    if (oldMid2 === NO_MID || nextMid2 === NO_MID) return;
    if (nextMid2 > oldMid2) this.state[s + S_RISES] -= 1;
    else if (nextMid2 < oldMid2) this.state[s + S_FALLS] -= 1;
  }

  /**
   * The market's statistics as of `nowMs` (decayed forward from the latest push; a `nowMs`
   * before it counts as no time passing). Writes `out`; changes nothing. No allocation.
   */
  read(market: number, nowMs: number, out: HistoryStats): void {
    this.check(market);
    const st = this.state;
    const s = market * STATE_SLOTS;
    const cap = this.capacity;
    const base = market * cap;
    const count = st[s + S_COUNT];
    out.count = count;
    if (count === 0) {
      out.oldestMs = 0; out.hasMid = false; out.mid = 0; out.midChangedAtMs = 0; out.activity = 0;
      out.moveVarShort = 0; out.moveVarLong = 0; out.midMeanShort = 0; out.midMeanLong = 0;
      out.windowReturn = 0; out.rises = 0; out.falls = 0; out.spreadMean = 0; out.spreadCount = 0;
      out.imbalanceMean = 0; out.hasImbalance = false;
      return;
    }
    const head = st[s + S_HEAD];
    const oldest = base + (count === cap ? head : 0);
    const newest = base + ((head + cap - 1) % cap);
    let dt = nowMs - st[s + S_LAST_MS];
    if (!(dt > 0)) dt = 0;
    const decayShort = dt === 0 ? 1 : Math.exp(-dt / this.tauShortMs);
    const decayLong = dt === 0 ? 1 : Math.exp(-dt / this.tauLongMs);

    out.oldestMs = this.times[oldest];
    out.activity = st[s + S_ACTIVITY] * decayShort;
    out.moveVarShort = st[s + S_VAR_SHORT] * decayShort;
    out.moveVarLong = st[s + S_VAR_LONG] * decayLong;
    const hasMid = st[s + S_HAS_MID] === 1;
    out.hasMid = hasMid;
    if (hasMid) {
      const mid2 = st[s + S_MID2];
      out.mid = mid2 * MID2_TO_DOLLARS;
      out.midChangedAtMs = st[s + S_MID_CHANGED_MS];
      out.midMeanShort = (mid2 + (st[s + S_MEAN_SHORT] - mid2) * decayShort) * MID2_TO_DOLLARS;
      out.midMeanLong = (mid2 + (st[s + S_MEAN_LONG] - mid2) * decayLong) * MID2_TO_DOLLARS;
      const first = this.mid2[oldest];
      const last = this.mid2[newest];
      out.windowReturn = first !== NO_MID && last !== NO_MID ? (last - first) * MID2_TO_DOLLARS : 0;
    } else {
      out.mid = 0; out.midChangedAtMs = 0; out.midMeanShort = 0; out.midMeanLong = 0; out.windowReturn = 0;
    }
    out.rises = st[s + S_RISES];
    out.falls = st[s + S_FALLS];
    const n = st[s + S_SPREAD_N];
    out.spreadCount = n;
    out.spreadMean = n > 0 ? (st[s + S_SPREAD_SUM] / n) * PRICE_TO_DOLLARS : 0;
    const hasImb = st[s + S_HAS_IMB] === 1;
    out.hasImbalance = hasImb;
    if (hasImb) {
      const imb = st[s + S_IMB];
      out.imbalanceMean = imb + (st[s + S_IMB_MEAN] - imb) * decayShort;
    } else {
      out.imbalanceMean = 0;
    }
  }

  /**
   * Copy the market's window, oldest first, for inspection and tests (allocates; cold path).
   * Mid is doubled ($0.0001 × 2, −1 when none yet), spread in $0.0001 (−1 when one-sided).
   */
  entries(market: number): { tMs: number; mid2: number; spread: number; bidSize: number; askSize: number }[] {
    this.check(market);
    const s = market * STATE_SLOTS;
    const count = this.state[s + S_COUNT];
    const head = this.state[s + S_HEAD];
    const start = count === this.capacity ? head : 0;
    const out = [];
    for (let i = 0; i < count; i++) {
      const at = market * this.capacity + ((start + i) % this.capacity);
      out.push({ tMs: this.times[at], mid2: this.mid2[at], spread: this.spread[at], bidSize: this.bidSize[at], askSize: this.askSize[at] });
    }
    return out;
  }

  private check(market: number): void {
    if (!(market >>> 0 === market && market < this.maxMarkets)) {
      throw new RangeError(`MarketHistory: market ${market} outside [0, ${this.maxMarkets})`);
    }
  }
}
