/** hostWindow: two host measures → the window's stage and path figures and counts. */
import { describe, expect, it } from 'vitest';
import { hostWindow } from '../../../src/main/bench/host-window.js';
import type { HostMeasure } from '../../../src/main/host/host-measure.js';
import { LatencyHistogram, type LatencySnapshot } from '../../../src/shared/latency-histogram.js';

/** A cumulative histogram per stage, and a way to take measures of them. */
function rig() {
  const h = () => new LatencyHistogram();
  const md = [{ apply: h(), deltas: 0 }, { apply: h(), deltas: 0 }];
  const inf = { latency: h(), a: h(), o: h(), d: h(), decisions: 0, intents: 0, dropped: 0 };
  const ex = { queueWait: h(), intentToWire: h(), writtenToAck: h(), receiveToWire: h(), receiveToAck: h(), restRoundTrip: h(), sent: 0, accepted: 0, rejected: 0, place: 0, cancel: 0, hits: 0, misses: 0 };
  let gaps = 0;
  const measure = (atNs: number, cpuUs: number): HostMeasure => {
    const snap = (x: LatencyHistogram): LatencySnapshot => x.snapshot();
    return {
      atNs, cpuUs, late: [],
      memory: { rssBytes: 300 << 20, heapUsedBytes: 80 << 20, sharedBytes: 12 << 20 },
      marketData: md.map((m) => ({
        applyLatency: snap(m.apply), markets: 10,
        books: { deltas: m.deltas, snapshots: 10, staleDrops: 0, unknownMarket: 0, refused: {}, invalidations: 0 },
        ws: { gaps, resyncs: 0, resubscribes: 0, reconnects: 0 },
      })),
      inference: [{
        latency: snap(inf.latency),
        stages: { appliedToObserved: snap(inf.a), observedToDecided: snap(inf.o), decidedToEnqueued: snap(inf.d) },
        counters: { decisions: inf.decisions, intents: inf.intents, dropped: inf.dropped },
      }],
      execution: {
        stats: {
          orders: { sent: ex.sent, accepted: ex.accepted, rejected: ex.rejected, unknown: 0, notSent: 0 },
          requests: { place: { sent: ex.place }, amend: { sent: 0 }, cancel: { sent: ex.cancel } },
          presign: { hits: ex.hits, misses: ex.misses, refreshed: 0, signed: 0, signErrors: 0, ready: 16 },
          latency: {
            queueWait: snap(ex.queueWait), intentToWire: snap(ex.intentToWire), writtenToAck: snap(ex.writtenToAck),
            receiveToWire: snap(ex.receiveToWire), receiveToAck: snap(ex.receiveToAck), restRoundTrip: snap(ex.restRoundTrip),
          },
        },
      },
    } as unknown as HostMeasure; // only the fields the window reads
  };
  return { md, inf, ex, measure, gap: () => gaps++ };
}

describe('hostWindow', () => {
  it('counts and times only what happened between the two measures, across shards', () => {
    const { md, inf, ex, measure, gap } = rig();
    // Before the window: slow start-up samples that must not show.
    md[0].apply.record(9_000_000);
    inf.latency.record(50_000_000);
    md[0].deltas = 100;
    inf.decisions = 40;
    ex.sent = 3;
    ex.place = 3;
    ex.hits = 3;
    const before = measure(1_000_000_000, 5_000);
    // The window: 2 s, two shards.
    for (let i = 0; i < 300; i++) md[0].apply.record(2_000);
    for (let i = 0; i < 100; i++) md[1].apply.record(4_000);
    md[0].deltas += 300;
    md[1].deltas += 100;
    for (let i = 0; i < 50; i++) inf.latency.record(60_000);
    for (let i = 0; i < 50; i++) inf.a.record(40_000);
    inf.decisions += 50;
    inf.intents += 5;
    for (let i = 0; i < 5; i++) inf.d.record(3_000);
    for (let i = 0; i < 5; i++) ex.writtenToAck.record(200_000);
    for (let i = 0; i < 5; i++) ex.receiveToAck.record(400_000);
    ex.sent += 5;
    ex.place += 4;
    ex.cancel += 1;
    ex.hits += 3;
    ex.misses += 1;
    ex.accepted += 4;
    ex.rejected += 1;
    gap();
    const w = hostWindow(before, measure(3_000_000_000, 805_000));
    expect(w.seconds).toBe(2);
    expect(w.delivered).toBe(400);
    expect(w.decisions).toBe(50);
    expect(w.intents).toBe(5);
    expect([w.ordersSent, w.ordersAcked, w.gaps, w.cpuUs]).toEqual([5, 5, 2, 800_000]); // one gap on each of the two shards
    expect(w.orderMix).toEqual({ place: 4, amend: 0, cancel: 1 });
    expect(w.presign).toEqual({ hits: 3, misses: 1 });
    const stage = (name: string) => [...w.stages, ...w.paths].find((f) => f.name === name)!;
    const applied = stage('received→applied');
    expect(applied.count).toBe(400);
    expect(applied.p50Us).toBeCloseTo(2, 0); // 300 of 400 at 2 µs
    expect(applied.p99Us).toBeGreaterThanOrEqual(4);
    expect(applied.maxUs).toBeLessThan(5); // the 9 ms start-up sample is outside the window
    expect(stage('received→decided')).toMatchObject({ count: 50 });
    expect(stage('received→decided').maxUs).toBeLessThan(64);
    expect(stage('applied→observed').count).toBe(50);
    expect(stage('observed→decided').count).toBe(0);
    expect(stage('observed→decided').p99Us).toBeNaN();
    expect(stage('decided→enqueued').count).toBe(5);
    expect(stage('written→acked').p50Us).toBeGreaterThanOrEqual(200);
    expect(stage('received→acked').p99Us).toBeGreaterThanOrEqual(400);
    expect(w.stages.map((f) => f.name)).toEqual(['received→applied', 'applied→observed', 'observed→decided', 'decided→enqueued', 'enqueued→dequeued', 'dequeued→written', 'written→acked']);
    expect(w.paths.map((f) => f.name)).toEqual(['received→decided', 'received→written', 'received→acked']);
  });
});
