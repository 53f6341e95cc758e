/**
 * The host in the Prometheus text exposition format (version 0.0.4), for `GET /metrics` on the
 * control interface, and its readiness for `GET /readyz`. Pure functions of what the status line
 * and the supervisor already know: no state of their own, nothing read twice.
 *
 * Units follow Prometheus conventions: seconds, and money in dollars. Money is exact
 * fixed-point µ$ inside the host; here it is printed as a decimal with six places from the
 * integer (never through a float), e.g. 980490000 µ$ → `980.490000`.
 *
 * Latency histograms are log-linear with 656 buckets (latency-histogram.ts): too many for a
 * Prometheus histogram, so each is a `summary` (p50/p90/p99/p99.9, `_sum`, `_count`), since the
 * start of the session.
 */
import { percentileNs, type LatencySnapshot } from '../../shared/latency-histogram.js';
import type { SupervisorView } from '../../supervisor/supervisor.js';
import { TRADING_STATE_NAMES } from '../../supervisor/state-machine.js';
import type { StatusTotals } from './status-line.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The supervisor states in which the host is ready: it trades, or manages its positions. */
const READY_STATES = new Set(['trading', 'reducing', 'recovering']);

export interface MetricsInput {
  totals: StatusTotals;
  supervisor: SupervisorView | undefined;
}

/** µ$ (an integer) as dollars with six decimals, exactly. */
export function microsAsDollars(micros: number): string {
  if (!Number.isSafeInteger(micros)) return 'NaN';
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, '0')}`;
}

/** A label value, escaped as the exposition format requires (backslash, quote, newline). */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: 'counter' | 'gauge' | 'summary', help: string, samples: Array<[labels: string, value: string | number]>): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.lines.push(`${name}${labels} ${typeof value === 'number' ? formatNumber(value) : value}`);
  }

  summary(name: string, help: string, s: LatencySnapshot | undefined): void {
    if (s === undefined) return;
    const samples: Array<[string, string | number]> = [0.5, 0.9, 0.99, 0.999].map((q) => [`{quantile="${q}"}`, percentileNs(s, q) / 1e9]);
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} summary`);
    for (const [labels, value] of samples) this.lines.push(`${name}${labels} ${formatNumber(value as number)}`);
    this.lines.push(`${name}_sum ${formatNumber(s.sumNs / 1e9)}`, `${name}_count ${s.total}`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The exposition text for `GET /metrics`. */
export function prometheusMetrics(input: MetricsInput): string {
  const t = input.totals;
  const sup = input.supervisor;
  const e = new Exposition();
  e.metric('kalshi_actor_markets', 'gauge', 'Markets whose books are subscribed.', [['', t.markets]]);
  e.metric('kalshi_actor_stale_books', 'gauge', 'Subscribed books that must not be traded now (no snapshot yet, a gap, a disconnect).', [['', t.staleBooks]]);
  e.metric('kalshi_actor_book_messages_total', 'counter', 'Book messages (snapshots and deltas) applied.', [['', t.bookMessages]]);
  e.metric('kalshi_actor_decisions_total', 'counter', 'Policy decisions taken (one per changed book, bursts coalesced).', [['', t.decisions]]);
  e.metric('kalshi_actor_intents_total', 'counter', 'Non-HOLD decisions handed to execution.', [['', t.intents]]);
  e.metric('kalshi_actor_orders_sent_total', 'counter', 'Order requests sent (place, amend, cancel).', [['', t.ordersSent]]);
  e.metric('kalshi_actor_fills_total', 'counter', 'Fills applied to the ledger.', [['', t.fills]]);
  e.metric('kalshi_actor_cash_dollars', 'gauge', 'Cash in the ledger, dollars (exact to the micro-dollar).', [['', microsAsDollars(t.cash)]]);
  e.metric('kalshi_actor_open_positions', 'gauge', 'Markets with a position.', [['', t.openPositions]]);
  if (t.pnl !== undefined) e.metric('kalshi_actor_pnl_dollars', 'gauge', 'Realized + unrealized (at executable prices) − fees since the session start, dollars.', [['', microsAsDollars(t.pnl)]]);
  e.summary('kalshi_actor_decision_latency_seconds', 'Book update received → decision taken.', t.decisionLatency);
  e.summary('kalshi_actor_wire_latency_seconds', 'Book update received → order request written (signed, handed to the HTTP client).', t.wireLatency);
  if (sup !== undefined) {
    e.metric('kalshi_actor_trading_state', 'gauge', 'The supervisor\'s state: 1 for the current one.', TRADING_STATE_NAMES.map((s) => [`{state="${s}"}`, s === sup.state ? 1 : 0]));
    e.metric('kalshi_actor_kill_switch_engaged', 'gauge', 'The kill switch is engaged.', [['', sup.killSwitch === null ? 0 : 1]]);
    e.metric('kalshi_actor_thread_up', 'gauge', 'A watched thread is alive (its heartbeat is fresh).', sup.threads.map((th) => [`{thread="${label(th.name)}"}`, th.alive ? 1 : 0]));
    e.metric('kalshi_actor_thread_restarts_total', 'counter', 'Restarts of a watched thread.', sup.threads.map((th) => [`{thread="${label(th.name)}"}`, th.restarts]));
    e.metric('kalshi_actor_exits_total', 'counter', 'Whole-position exits asked for by the supervisor, by reason.', Object.entries(sup.exits).map(([r, n]) => [`{reason="${label(r)}"}`, n]));
    e.metric('kalshi_actor_drifts_total', 'counter', 'Differences between the ledger and the exchange seen by the supervisor.', [['', sup.driftsSeen]]);
    e.metric('kalshi_actor_supervisor_passes_total', 'counter', 'Supervision passes run.', [['', sup.passes]]);
  }
  return e.text();
}

export interface Readiness {
  ready: boolean;
  state: string;
  reason: string;
}

/** Ready when the supervisor trades or manages positions (trading, reducing, recovering); not before calibration ends, nor halted. */
export function readiness(sup: SupervisorView | undefined): Readiness {
  if (sup === undefined) return { ready: false, state: 'booting', reason: 'the supervisor has not reported yet' };
  return { ready: READY_STATES.has(sup.state), state: sup.state, reason: sup.reason };
}
