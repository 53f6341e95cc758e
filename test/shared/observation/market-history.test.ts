import { describe, expect, it } from 'vitest';
import { FEATURE_PARAMS } from '../../../src/shared/observation/features.js';
import { MarketHistory, createHistoryStats } from '../../../src/shared/observation/market-history.js';
import { rng } from './support.js';

const TAU_S = FEATURE_PARAMS.tauShortMs;
const TAU_L = FEATURE_PARAMS.tauLongMs;
const CAP = FEATURE_PARAMS.historyCapacity;

interface Push { t: number; yesBid: number; yesBidSize: number; noBid: number; noBidSize: number }

/** The statistics recomputed from scratch over every push (the reference for the O(1) ring). */
function reference(pushes: Push[], now: number) {
  const mids: number[] = []; // carried two-sided mid2 per push, −1 before the first
  const spreads: number[] = [];
  const imbs: number[] = [];
  let mid = -1;
  let midChanged = 0;
  for (const p of pushes) {
    const two = p.yesBid >= 0 && p.noBid >= 0;
    if (two) {
      const m = p.yesBid + 10_000 - p.noBid;
      if (m !== mid) midChanged = p.t;
      mid = m;
    }
    mids.push(mid);
    spreads.push(two ? 10_000 - p.noBid - p.yesBid : -1);
    const bs = p.yesBid >= 0 ? p.yesBidSize : 0;
    const as = p.noBid >= 0 ? p.noBidSize : 0;
    imbs.push(bs + as > 0 ? (bs - as) / (bs + as) : Number.NaN);
  }
  const n = pushes.length;
  const w0 = Math.max(0, n - CAP);
  let rises = 0;
  let falls = 0;
  for (let k = w0 + 1; k < n; k++) {
    if (mids[k - 1] >= 0 && mids[k] >= 0) {
      if (mids[k] > mids[k - 1]) rises++;
      else if (mids[k] < mids[k - 1]) falls++;
    }
  }
  const sp = spreads.slice(w0).filter((s) => s >= 0);
  const decay = (t: number, tau: number) => Math.exp(-(now - t) / tau);
  let activity = 0;
  let varS = 0;
  let varL = 0;
  for (let k = 0; k < n; k++) {
    activity += decay(pushes[k].t, TAU_S);
    if (k > 0 && mids[k - 1] >= 0 && mids[k] >= 0) {
      const d = (mids[k] - mids[k - 1]) / 20_000;
      varS += d * d * decay(pushes[k].t, TAU_S);
      varL += d * d * decay(pushes[k].t, TAU_L);
    }
  }
  /** Solution of dE/dt = (x(t) − E)/τ for piecewise-constant x, from E = x at its first value. */
  const ewma = (xs: number[], tau: number) => {
    const first = xs.findIndex((x) => !Number.isNaN(x) && x >= -1);
    if (first < 0) return Number.NaN;
    let e = xs[first] * decay(pushes[first].t, tau);
    let held = xs[first];
    for (let k = first + 1; k <= n; k++) {
      const t1 = k < n ? pushes[k].t : now;
      e += held * (decay(t1, tau) - decay(pushes[k - 1].t, tau));
      if (k < n && !Number.isNaN(xs[k])) held = xs[k];
    }
    return e;
  };
  const midsOrNaN = mids.map((m) => (m >= 0 ? m / 20_000 : Number.NaN));
  return {
    count: n - w0,
    oldestMs: n > 0 ? pushes[w0].t : 0,
    hasMid: mid >= 0,
    mid: mid >= 0 ? mid / 20_000 : 0,
    midChangedAtMs: mid >= 0 ? midChanged : 0,
    activity, varS, varL,
    meanS: ewma(midsOrNaN, TAU_S), meanL: ewma(midsOrNaN, TAU_L),
    windowReturn: n > 0 && mids[w0] >= 0 && mids[n - 1] >= 0 ? (mids[n - 1] - mids[w0]) / 20_000 : 0,
    rises, falls,
    spreadMean: sp.length > 0 ? sp.reduce((a, b) => a + b, 0) / sp.length / 10_000 : 0,
    spreadCount: sp.length,
    imbMean: ewma(imbs, TAU_S),
  };
}

describe('MarketHistory', () => {
  it('starts empty and reports defined zeros', () => {
    const h = new MarketHistory(2);
    const s = createHistoryStats();
    h.read(1, 123, s);
    expect(s).toEqual(createHistoryStats());
    expect(h.capacity).toBe(CAP);
    expect(h.count(1)).toBe(0);
  });

  it('matches a from-scratch recomputation over random streams past the ring capacity', () => {
    const r = rng(99);
    const h = new MarketHistory(3);
    const pushes: Push[][] = [[], [], []];
    let t = 1_000_000;
    const s = createHistoryStats();
    for (let k = 0; k < 3 * CAP * 3; k++) {
      const m = k % 3;
      t += Math.floor(r() * 5000);
      const mid = 3000 + Math.floor(r() * 40) * 100;
      const p: Push = {
        t,
        yesBid: r() < 0.1 ? -1 : mid - 100 * (1 + Math.floor(r() * 3)),
        yesBidSize: Math.floor(r() * 5000),
        noBid: r() < 0.1 ? -1 : 10_000 - mid - 100 * (1 + Math.floor(r() * 3)),
        noBidSize: Math.floor(r() * 5000),
      };
      pushes[m].push(p);
      h.push(m, p.t, p.yesBid, p.yesBidSize, p.noBid, p.noBidSize);
      if (k % 37 !== 0) continue;
      const now = t + Math.floor(r() * 20_000);
      h.read(m, now, s);
      const ref = reference(pushes[m], now);
      expect(s.count).toBe(ref.count);
      expect(s.oldestMs).toBe(ref.oldestMs);
      expect(s.hasMid).toBe(ref.hasMid);
      expect(s.mid).toBeCloseTo(ref.mid, 12);
      expect(s.midChangedAtMs).toBe(ref.midChangedAtMs);
      expect(s.rises).toBe(ref.rises);
      expect(s.falls).toBe(ref.falls);
      expect(s.spreadCount).toBe(ref.spreadCount);
      expect(s.spreadMean).toBeCloseTo(ref.spreadMean, 12);
      expect(s.windowReturn).toBeCloseTo(ref.windowReturn, 12);
      expect(s.activity).toBeCloseTo(ref.activity, 9);
      expect(s.moveVarShort).toBeCloseTo(ref.varS, 12);
      expect(s.moveVarLong).toBeCloseTo(ref.varL, 12);
      if (ref.hasMid) {
        expect(s.midMeanShort).toBeCloseTo(ref.meanS, 9);
        expect(s.midMeanLong).toBeCloseTo(ref.meanL, 9);
      }
      if (!Number.isNaN(ref.imbMean)) expect(s.imbalanceMean).toBeCloseTo(ref.imbMean, 9);
    }
    expect(h.count(0)).toBe(CAP);
    expect(h.entries(0)).toHaveLength(CAP);
    expect(h.entries(0).map((e) => e.tMs)).toEqual(pushes[0].slice(-CAP).map((p) => p.t));
  });

  it('a two-push example by hand: one 1¢ rise over one short time constant', () => {
    const h = new MarketHistory(1);
    const s = createHistoryStats();
    h.push(0, 0, 5600, 1000, 4200, 1000); // mid 0.57
    h.push(0, TAU_S, 5700, 3000, 4100, 1000); // mid 0.58, spread 2¢
    h.read(0, TAU_S, s);
    expect(s.mid).toBeCloseTo(0.58, 12);
    expect(s.midMeanShort).toBeCloseTo(0.57, 12); // the past mid held all along
    expect(s.moveVarShort).toBeCloseTo(1e-4, 12);
    expect(s.activity).toBeCloseTo(1 + Math.exp(-1), 12);
    expect(s.rises).toBe(1);
    expect(s.windowReturn).toBeCloseTo(0.01, 12);
    expect(s.imbalanceMean).toBeCloseTo(0, 12); // the first imbalance (0) held
    h.read(0, 2 * TAU_S, s); // one more time constant with no pushes
    expect(s.moveVarShort).toBeCloseTo(1e-4 * Math.exp(-1), 12);
    expect(s.midMeanShort).toBeCloseTo(0.58 + (0.57 - 0.58) * Math.exp(-1), 12);
    expect(s.imbalanceMean).toBeCloseTo(0.5 * (1 - Math.exp(-1)), 12);
  });

  it('an emptied side carries the mid (no jump), and time going backwards counts as none', () => {
    const h = new MarketHistory(1);
    const s = createHistoryStats();
    h.push(0, 1000, 5000, 100, 4800, 100);
    h.push(0, 2000, -1, 0, 4800, 100);
    h.push(0, 500, 5000, 100, 4800, 100);
    h.read(0, 0, s);
    expect(s.moveVarShort).toBe(0);
    expect(s.rises + s.falls).toBe(0);
    expect(s.mid).toBeCloseTo(0.51, 12);
    expect(s.activity).toBeCloseTo(Math.exp(-1000 / TAU_S) + 2, 12); // the third push is 'no time later'
    expect(s.midChangedAtMs).toBe(1000);
  });

  it('reset forgets a market; bad slots throw', () => {
    const h = new MarketHistory(2);
    h.push(1, 5, 5000, 1, 4000, 1);
    h.reset(1);
    expect(h.count(1)).toBe(0);
    expect(() => h.push(2, 0, 1, 1, 1, 1)).toThrow(RangeError);
    expect(() => h.read(-1, 0, createHistoryStats())).toThrow(RangeError);
    expect(() => new MarketHistory(0)).toThrow(RangeError);
  });
});
