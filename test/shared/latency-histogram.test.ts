import { describe, expect, it } from 'vitest';
import { coarseCounts, diffSnapshots, LatencyHistogram, mergeSnapshots, percentileNs } from '../../src/shared/latency-histogram.js';

describe('LatencyHistogram', () => {
  it('reports percentiles within 6.25 % of the exact ones', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    let x = 12345;
    for (let i = 0; i < 50_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const v = 1 + Math.floor(((x / 2 ** 31) ** 3) * 5e9); // 1 ns … 5 s, skewed low
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    const s = h.snapshot();
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const exact = values[Math.ceil(q * values.length) - 1];
      const got = percentileNs(s, q);
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(exact * 1.0625 + 1);
    }
    expect(percentileNs(s, 1)).toBe(values[values.length - 1]);
    expect(s.total).toBe(50_000);
  });

  it('small, huge and bad values land somewhere sane; empty is NaN', () => {
    const h = new LatencyHistogram();
    expect(percentileNs(h.snapshot(), 0.5)).toBeNaN();
    for (const v of [0, -5, Number.NaN, 3, 2 ** 45]) h.record(v);
    const s = h.snapshot();
    expect(s.total).toBe(5);
    expect(percentileNs(s, 1)).toBe(2 ** 45);
    expect(percentileNs(s, 0.2)).toBeLessThanOrEqual(1);
  });

  it('exact for every value below 16 ns and every power of two', () => {
    for (const v of [1, 2, 7, 15, 16, 32, 1024, 2 ** 20, 2 ** 33]) {
      const h = new LatencyHistogram();
      h.record(v);
      expect(percentileNs(h.snapshot(), 0.5)).toBe(v);
    }
  });

  it('values past 2^32 ns keep their bucket (two values an octave apart are told apart)', () => {
    const h = new LatencyHistogram();
    h.record(2 ** 33);
    h.record(2 ** 33);
    h.record(2 ** 35);
    expect(percentileNs(h.snapshot(), 0.5)).toBeLessThanOrEqual(2 ** 33 * 1.0625);
    expect(percentileNs(h.snapshot(), 0.5)).toBeGreaterThanOrEqual(2 ** 33);
  });

  it('merges per-thread snapshots and resets', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 100; i++) a.record(1000);
    for (let i = 0; i < 100; i++) b.record(100_000);
    const m = mergeSnapshots([a.snapshot(), b.snapshot()]);
    expect(m.total).toBe(200);
    expect(percentileNs(m, 0.25)).toBeLessThanOrEqual(1063);
    expect(percentileNs(m, 0.99)).toBe(100_000);
    a.reset();
    expect(a.count).toBe(0);
  });

  it('diffSnapshots gives the window between two snapshots of one histogram', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i * 1000); // 1 µs … 1 ms
    const before = h.snapshot();
    for (let i = 0; i < 100; i++) h.record(5_000); // the window: 100 × 5 µs
    const after = h.snapshot();
    const w = diffSnapshots(after, before);
    expect(w.total).toBe(100);
    expect(w.sumNs).toBe(500_000);
    expect(percentileNs(w, 0.5)).toBeGreaterThanOrEqual(5_000);
    expect(percentileNs(w, 0.99)).toBeLessThanOrEqual(5_000 * 1.0625);
    expect(w.maxNs).toBeGreaterThanOrEqual(5_000); // not the all-time 1 ms maximum
    expect(w.maxNs).toBeLessThanOrEqual(5_000 * 1.0625);
    h.record(2_000_000); // a new all-time maximum inside the window: exact
    expect(diffSnapshots(h.snapshot(), before).maxNs).toBe(2_000_000);
    expect(diffSnapshots(after, undefined)).toEqual(after); // no start: everything
    expect(diffSnapshots(before, after)).toEqual(before); // reset in between (fewer samples): the later one as is
    const empty = diffSnapshots(after, after);
    expect(empty.total).toBe(0);
    expect(empty.maxNs).toBe(0);
    expect(percentileNs(empty, 0.99)).toBeNaN();
  });

  it('coarseCounts gathers the buckets under display bounds, everything counted once', () => {
    const h = new LatencyHistogram();
    for (const ns of [3_000, 4_000, 9_000, 15_000, 15_000, 700_000, 5e9]) h.record(ns);
    const counts = coarseCounts(h.snapshot(), [5_000, 10_000, 1_000_000]);
    expect(counts).toEqual([2, 1, 3, 1]); // ≤ 5 µs, ≤ 10 µs, ≤ 1 ms, above
    expect(counts.reduce((a, b) => a + b, 0)).toBe(h.snapshot().total);
    expect(coarseCounts(new LatencyHistogram().snapshot(), [1_000])).toEqual([0, 0]);
  });
});
