/**
 * One measured window of the host: the difference of two `HostMeasure`s (taken at the
 * window's edges), as the stage and path figures of bench-types.ts and the counts behind them.
 * Cumulative histograms are differenced bucket by bucket (latency-histogram.ts `diffSnapshots`),
 * then merged across the threads that run the same stage.
 */
import { diffSnapshots, mergeSnapshots, percentileNs, type LatencySnapshot } from '../../shared/latency-histogram.js';
import type { HostMeasure } from '../host/host-measure.js';
import type { ExecutionStats } from '../../workers/execution/execution-stats.js';
import type { InferenceStats } from '../../workers/inference/inference-stats.js';
import type { MarketDataStats } from '../../workers/market-data/market-data-stage.js';
import type { LatencyFigures, PathName, PointResult, StageName } from './bench-types.js';

/** The window's figures: the point's counts and histograms as PointResult names them, and what they are made of. */
export interface HostWindow extends Pick<PointResult,
  'seconds' | 'stages' | 'paths' | 'delivered' | 'decisions' | 'intents' | 'intentsDropped' | 'ordersSent' | 'ordersAcked' | 'orderMix' | 'presign'> {
  /** Sequence gaps, resyncs and resubscriptions, reconnects seen by the market-data clients. */
  gaps: number;
  resyncs: number;
  reconnects: number;
  /** CPU time of the host process over the window (all threads), µs. */
  cpuUs: number;
}

/** Per-thread snapshots of the same stage, each differenced against its own earlier copy, then merged. */
function windowOf(after: LatencySnapshot[], before: LatencySnapshot[]): LatencySnapshot {
  return mergeSnapshots(after.map((a, i) => diffSnapshots(a, before[i])));
}

export function figuresOf(name: StageName | PathName, s: LatencySnapshot): LatencyFigures {
  const us = (q: number) => percentileNs(s, q) / 1000;
  return { name, count: s.total, p50Us: us(0.5), p90Us: us(0.9), p99Us: us(0.99), p999Us: us(0.999), maxUs: s.total === 0 ? Number.NaN : s.maxNs / 1000 };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function hostWindow(before: HostMeasure, after: HostMeasure): HostWindow {
  const md = (m: HostMeasure) => m.marketData;
  const inf = (m: HostMeasure) => m.inference;
  type Pair = [LatencySnapshot[], LatencySnapshot[]];
  const mdPair = (pick: (s: MarketDataStats) => LatencySnapshot): Pair => [md(after).map(pick), md(before).map(pick)];
  const infPair = (pick: (s: InferenceStats) => LatencySnapshot): Pair => [inf(after).map(pick), inf(before).map(pick)];
  const exPair = (key: keyof ExecutionStats['latency']): Pair => [
    after.execution === undefined ? [] : [after.execution.stats.latency[key]],
    before.execution === undefined ? [] : [before.execution.stats.latency[key]],
  ];
  const stageSnaps: Array<[StageName, Pair]> = [
    ['received→applied', mdPair((s) => s.applyLatency)],
    ['applied→observed', infPair((s) => s.stages.appliedToObserved)],
    ['observed→decided', infPair((s) => s.stages.observedToDecided)],
    ['decided→enqueued', infPair((s) => s.stages.decidedToEnqueued)],
    ['enqueued→dequeued', exPair('queueWait')],
    ['dequeued→written', exPair('intentToWire')],
    ['written→acked', exPair('writtenToAck')],
  ];
  const pathSnaps: Array<[PathName, Pair]> = [
    ['received→decided', infPair((s) => s.latency)],
    ['received→written', exPair('receiveToWire')],
    ['received→acked', exPair('receiveToAck')],
  ];
  const count = (m: HostMeasure) => ({
    delivered: sum(md(m).map((s) => s.books.deltas)),
    gaps: sum(md(m).map((s) => s.ws.gaps)),
    resyncs: sum(md(m).map((s) => s.ws.resyncs + s.ws.resubscribes)),
    reconnects: sum(md(m).map((s) => s.ws.reconnects)),
    decisions: sum(inf(m).map((s) => s.counters.decisions)),
    intents: sum(inf(m).map((s) => s.counters.intents)),
    intentsDropped: sum(inf(m).map((s) => s.counters.dropped)),
    ordersSent: m.execution?.stats.orders.sent ?? 0,
    ordersAcked: (m.execution?.stats.orders.accepted ?? 0) + (m.execution?.stats.orders.rejected ?? 0),
    place: m.execution?.stats.requests.place.sent ?? 0,
    amend: m.execution?.stats.requests.amend.sent ?? 0,
    cancel: m.execution?.stats.requests.cancel.sent ?? 0,
  });
  const pa = after.execution?.stats.presign;
  const pb = before.execution?.stats.presign;
  const a = count(after);
  const b = count(before);
  return {
    seconds: (after.atNs - before.atNs) / 1e9,
    stages: stageSnaps.map(([name, [x, y]]) => figuresOf(name, windowOf(x, y))),
    paths: pathSnaps.map(([name, [x, y]]) => figuresOf(name, windowOf(x, y))),
    delivered: a.delivered - b.delivered,
    gaps: a.gaps - b.gaps,
    resyncs: a.resyncs - b.resyncs,
    reconnects: a.reconnects - b.reconnects,
    decisions: a.decisions - b.decisions,
    intents: a.intents - b.intents,
    intentsDropped: a.intentsDropped - b.intentsDropped,
    ordersSent: a.ordersSent - b.ordersSent,
    ordersAcked: a.ordersAcked - b.ordersAcked,
    orderMix: { place: a.place - b.place, amend: a.amend - b.amend, cancel: a.cancel - b.cancel },
    presign: pa === undefined ? null : { hits: pa.hits - (pb?.hits ?? 0), misses: pa.misses - (pb?.misses ?? 0) },
    cpuUs: after.cpuUs - before.cpuUs,
  };
}
