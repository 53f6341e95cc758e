/**
 * The one status line the host logs every `statusIntervalS` (10 s by default): markets (fresh /
 * traded), book messages per second, decisions per second, orders and fills, cash, open
 * positions, P&L against the session start, the p99 decision latency over the interval (book
 * update received → decision taken) and the p99 of the whole path to an order request on the
 * wire (book update received → request handed to the REST client, orders only). Rates and the p99 are over the last interval, from
 * cumulative counters and histograms (the difference of two snapshots).
 */
import { formatMoney } from '../../shared/fixed-point.js';
import { percentileNs, type LatencySnapshot } from '../../shared/latency-histogram.js';

export interface StatusTotals {
  markets: number;
  staleBooks: number;
  /** Book messages (snapshots + deltas) received, cumulative. */
  bookMessages: number;
  decisions: number;
  intents: number;
  ordersSent: number;
  fills: number;
  /** µ$ */
  cash: number;
  openPositions: number;
  /** µ$, realized + unrealized at executable prices minus fees, since the session start; undefined until known. */
  pnl: number | undefined;
  decisionLatency: LatencySnapshot;
  /** Book update received → order request on the wire (execution), ns; undefined before execution reports. */
  wireLatency?: LatencySnapshot;
  /** The supervisor's state ('trading', 'reducing', …); undefined before it reports. */
  state?: string;
}

export class StatusLine {
  private last: StatusTotals | undefined;
  private lastAtMs = 0;

  /** The line for `now`, and the interval's figures kept for the next call. */
  line(t: StatusTotals, nowMs: number): string {
    const prev = this.last;
    const seconds = prev === undefined ? 0 : Math.max(0.001, (nowMs - this.lastAtMs) / 1000);
    const rate = (now: number, before: number | undefined) => (prev === undefined ? 0 : Math.round((now - (before ?? 0)) / seconds));
    const interval = prev === undefined ? t.decisionLatency : diffSnapshot(t.decisionLatency, prev.decisionLatency);
    const p99 = percentileNs(interval, 0.99);
    const wire = t.wireLatency === undefined ? undefined : prev?.wireLatency === undefined ? t.wireLatency : diffSnapshot(t.wireLatency, prev.wireLatency);
    const wireP99 = wire === undefined ? Number.NaN : percentileNs(wire, 0.99);
    this.last = t;
    this.lastAtMs = nowMs;
    return [
      `markets ${t.markets - t.staleBooks}/${t.markets}`,
      `msgs/s ${rate(t.bookMessages, prev?.bookMessages)}`,
      `decisions/s ${rate(t.decisions, prev?.decisions)}`,
      `orders ${t.ordersSent}`,
      `fills ${t.fills}`,
      `cash ${dollars(t.cash)}`,
      `positions ${t.openPositions}`,
      `pnl ${t.pnl === undefined ? '—' : (t.pnl < 0 ? '' : '+') + dollars(t.pnl)}`,
      `p99 decision ${Number.isNaN(p99) ? '—' : formatLatency(p99)}`,
      `p99 to wire ${Number.isNaN(wireP99) ? '—' : formatLatency(wireP99)}`,
      ...(t.state === undefined ? [] : [t.state]),
    ].join(' | ');
  }
}

/** The histogram of what was recorded between `before` and `now` (both cumulative). */
export function diffSnapshot(now: LatencySnapshot, before: LatencySnapshot): LatencySnapshot {
  const counts = now.counts.map((c, i) => c - (before.counts[i] ?? 0));
  // The interval's max is not known from cumulative data; the cumulative max bounds it.
  return { counts, total: now.total - before.total, maxNs: now.maxNs, sumNs: now.sumNs - before.sumNs };
}

/** µ$ as dollars and cents for display, truncated toward zero to the cent (exact integers). */
export function dollars(micro: number): string {
  const abs = Math.abs(micro);
  return `${micro < 0 ? '-' : ''}$${formatMoney(abs - (abs % 10_000), 2)}`;
}

export function formatLatency(ns: number): string {
  if (ns < 1_000) return `${Math.round(ns)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 1 : 0)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(ns < 10_000_000 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}
