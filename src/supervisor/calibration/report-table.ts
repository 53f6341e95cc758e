/**
 * The calibration report as a person reads it: aligned tables, money in dollars (fixed-point.ts
 * `formatMoney`, never a float), contracts with two decimals, times as durations. One string per
 * line, no colour codes, nothing secret (the report holds no credentials).
 */
import { formatCount, formatMoney, formatPrice } from '../../shared/fixed-point.js';
import type { DiffValue, Difference, StartupCalibrationReport } from './report.js';

/** µ$ as dollars with the fewest of 2, 4 or 6 decimals that is exact: $1,000.00 is "$1000.00", 12.5¢ is "$0.1250". */
export function dollars(m: number, signed = false): string {
  const abs = Math.abs(m);
  const decimals = abs % 10_000 === 0 ? 2 : abs % 100 === 0 ? 4 : 6;
  const sign = m < 0 ? '-' : signed && m > 0 ? '+' : '';
  return `${sign}$${formatMoney(abs, decimals)}`;
}

/** $0.0001 units as "$0.4500". */
export function priceDollars(p: number): string {
  return `$${formatPrice(p)}`;
}

/** Signed hundredths as "+5.00 YES" / "-3.00 NO" / "0". */
export function contracts(q: number): string {
  if (q === 0) return '0';
  return `${q > 0 ? '+' : '-'}${formatCount(Math.abs(q))} ${q > 0 ? 'YES' : 'NO'}`;
}

/** 850 ms, 12.3 s, 4m05s, 3h07m, 2d04h. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

export type Align = 'l' | 'r';

/** Rows under a header, columns padded to their widest cell, two spaces apart, a rule under the header. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, align: readonly Align[] = [], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => indent + cells.map((c, i) => {
    const cell = c ?? '';
    return align[i] === 'r' ? cell.padStart(widths[i]) : i === cells.length - 1 ? cell : cell.padEnd(widths[i]);
  }).join('  ').trimEnd();
  return [line(header), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

function value(v: DiffValue, unit: Difference['unit']): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  return unit === 'money' ? dollars(v) : unit === 'count' ? contracts(v) : String(v);
}

export interface FormatOptions {
  /** Include the table of steps (the `calibrate` command prints them as progress lines instead). Default true. */
  steps?: boolean;
}

export function formatCalibrationReport(r: StartupCalibrationReport, options: FormatOptions = {}): string[] {
  const out: string[] = [];
  out.push(`Start-up calibration ${r.sessionId} at ${new Date(r.startedMs).toISOString()} (${duration(r.durationMs)}) against ${r.exchangeUrl}`);
  out.push(`  ${r.reconcile.note}`);
  if (options.steps ?? true) {
    out.push('', 'Steps');
    out.push(...table(['#', 'step', 'status', 'time', 'summary'], r.steps.map((s) => [`${s.index}/${s.total}`, s.name, s.status.toUpperCase(), duration(s.durationMs), s.summary]), ['r', 'l', 'l', 'r', 'l']));
  }

  const c = r.connection;
  out.push('', 'Connection');
  const k = c.clock;
  out.push(...table(['check', 'value'], [
    ['exchange', c.reachable ? `reachable, ${c.latencyMs} ms` : `UNREACHABLE: ${c.error ?? ''}`],
    ['exchange active', c.exchangeActive === null ? '—' : c.exchangeActive ? 'yes' : 'NO'],
    ['trading active', c.tradingActive === null ? '—' : c.tradingActive ? 'yes' : 'NO (paused)'],
    ['clock skew', k.measured ? `${k.skewMs} ms (exchange − local, within [${k.lowMs}, ${k.highMs}] ms; limit ${c.maxClockSkewMs} ms)` : `not measured (${k.error ?? ''})`],
    ['Date header', k.serverDate === null ? '—' : `${k.serverDate} (whole seconds, possibly cached; probe round trip ${k.rttMs} ms)`],
  ]));

  const rec = r.reconcile;
  out.push('', 'Reconcile');
  if (!rec.ok) out.push(`  NOT DONE: ${rec.error ?? ''}`);
  else {
    const b = rec.journal.baseline;
    out.push(...table(['source', 'figures'], [
      ['exchange', `balance ${dollars(rec.exchange.balance)}, reserved for orders ${dollars(rec.exchange.reserved)}, portfolio value ${dollars(rec.exchange.portfolioValue)}; ${rec.exchange.positions} position(s), ${rec.exchange.resting} resting order(s); ${rec.exchange.fills} fill(s), ${rec.exchange.settlements} settlement(s) since ${new Date(rec.exchange.sinceMs).toISOString()}`],
      ['journal', !rec.journal.available ? (rec.journal.error === undefined ? 'none' : `did not answer: ${rec.journal.error}`)
        : b === null ? 'no session to compare with'
        : `session ${b.sessionId} (${b.source} values at ${new Date(b.atMs).toISOString()}, ${b.markets} market(s), cash ${b.cash === null ? '—' : dollars(b.cash)}); ${rec.journal.fillsSince} fill(s) journaled since`],
    ]));
    out.push('');
    if (rec.differences.length === 0) out.push('  No differences.');
    else {
      out.push(`  Differences (${rec.differences.length})`);
      out.push(...table(['kind', 'market', 'journal', 'exchange', 'action', 'detail'], rec.differences.map((d) => [
        d.kind, d.ticker ?? '—', value(d.journal, d.unit), value(d.exchange, d.unit), d.action, [d.detail, d.id].filter((x) => x !== undefined && x !== '').join(' · '),
      ])));
    }
    if (rec.ordersElsewhere > 0) out.push(`  ${rec.ordersElsewhere} other resting order(s) in markets not traded: left alone.`);
  }

  out.push('', 'Markets');
  if (r.viability.markets.length === 0) out.push('  none');
  else {
    out.push(...table(['market', 'status', 'closes in', 'bid', 'ask', 'spread', 'viable'], r.viability.markets.map((m) => [
      m.ticker, m.status ?? '—', m.closeTimeMs === undefined ? '—' : m.closeTimeMs <= r.startedMs ? 'closed' : duration(m.closeTimeMs - r.startedMs),
      m.yesBid === undefined || m.yesBid <= 0 ? '—' : priceDollars(m.yesBid), m.yesAsk === undefined || m.yesAsk >= 10_000 ? '—' : priceDollars(m.yesAsk),
      m.spread === undefined || m.yesBid! <= 0 || m.yesAsk! >= 10_000 ? '—' : priceDollars(Math.max(0, m.spread)), m.viable ? 'yes' : `NO: ${m.reasons.join('; ')}`,
    ]), ['l', 'l', 'r', 'r', 'r', 'r', 'l']));
  }

  const h = r.health;
  out.push('', 'Positions');
  if (h.positions.length === 0) out.push('  none');
  else {
    out.push(...table(['market', 'position', 'cost', 'exit bid', 'exit value', 'P&L', 'P&L %', 'held', 'flags'], h.positions.map((p) => [
      p.ticker, contracts(p.position), dollars(p.costBasis), p.exitPrice > 0 ? priceDollars(p.exitPrice) : '—', dollars(p.exitValue), dollars(p.pnl, true),
      p.pnlBps === null ? '—' : `${(p.pnlBps / 100).toFixed(2)} %`, `${duration(p.heldMs)} (${p.heldSource})`, p.flags.join(', '),
    ]), ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']));
  }
  out.push('', 'Cash');
  out.push(...table(['available', 'reserve', 'short', 'closable now'], [[
    dollars(h.cash.available), dollars(h.cash.reserve), dollars(h.cash.short), `${dollars(h.cash.closableValue)} (${h.cash.closable} position(s))`,
  ]], ['r', 'r', 'r', 'r']));

  const v = r.verdict;
  if (v.warnings.length > 0) out.push('', 'Notes', ...v.warnings.map((w) => `  - ${w}`));
  out.push('', verdictLine(r));
  return out;
}

/** The last line: `VERDICT: TRADE`, `VERDICT: REFUSE — why; why`. */
export function verdictLine(r: Pick<StartupCalibrationReport, 'verdict'>): string {
  const v = r.verdict;
  return `VERDICT: ${v.verdict.toUpperCase()}${v.reasons.length === 0 ? '' : ` — ${v.reasons.join('; ')}`}`;
}
