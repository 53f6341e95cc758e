/**
 * The evaluation report as a terminal table: one column per policy, one row per figure, aligned;
 * money from exact µ$ (status-line.ts `dollars`: truncated toward zero to the cent, integer
 * arithmetic); flags spelled out in words; then the paired comparisons and any failed episode.
 */
import { ACTION_NAMES } from '../../shared/policy/actions.js';
import { dollars } from '../host/status-line.js';
import type { EpisodeKind, EvaluationReport, PairedComparison, PolicyReport } from './report.js';

const DASH = '—';

/** µ$ with an explicit sign for P&L: +$1.23, -$0.50, $0.00. */
export function signedDollars(micro: number): string {
  return micro > 0 ? `+${dollars(micro)}` : dollars(micro);
}

/** A fraction as a percentage with at most one decimal: 0.97 → "97 %", 0.1234 → "12.3 %". */
export function percent(fraction: number): string {
  return `${String(Number((fraction * 100).toFixed(1)))} %`;
}

function fixed(x: number | null, decimals: number): string {
  return x === null ? DASH : x.toFixed(decimals);
}

/** The policy's flags in words ('' when none). */
export function flagWords(p: PolicyReport): string {
  const words: string[] = [];
  if (p.collapsed !== null) {
    words.push(`COLLAPSED: ${percent(p.collapsed.share)} ${p.collapsed.action}${p.collapsed.of === 'non-hold' ? ' of non-HOLD decisions' : ' of all decisions'}`);
  }
  if (p.flags.includes('never_trades')) words.push(p.holdOnly ? 'NEVER TRADES (holds every decision)' : 'NEVER TRADES: no order sent');
  return words.join('; ');
}

function comparisonLine(c: PairedComparison): string {
  const unit = c.kind === 'session' ? 'sessions' : 'seeds';
  const ci = c.ci95 === null ? 'no CI (fewer than 2 pairs)' : `95 % CI [${signedDollars(c.ci95[0])}, ${signedDollars(c.ci95[1])}]`;
  const verdict = {
    better: `${c.policy} beats ${c.baseline}`,
    worse: `${c.policy} trails ${c.baseline}`,
    no_difference: 'no significant difference',
    undetermined: 'undetermined',
  }[c.verdict];
  return `  ${c.policy} − ${c.baseline}: mean ${signedDollars(c.meanDiff)} per episode, ${ci} over ${c.pairs} ${unit}: ${verdict}`;
}

/** Rows × columns, the first column left-aligned, the others right-aligned. */
function grid(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** One kind's table (sim episodes or recorded sessions). */
export function formatPolicyTable(policies: readonly PolicyReport[]): string[] {
  const col = (f: (p: PolicyReport) => string) => policies.map(f);
  const rows: string[][] = [
    ['episodes', ...col((p) => String(p.episodes))],
    ['P&L mean', ...col((p) => signedDollars(p.pnl.mean))],
    ['P&L 95 % CI', ...col((p) => (p.pnl.ci95 === null ? DASH : `[${signedDollars(p.pnl.ci95[0])}, ${signedDollars(p.pnl.ci95[1])}]`))],
    ['P&L sd', ...col((p) => (p.pnl.sd === null ? DASH : dollars(p.pnl.sd)))],
    ['P&L median', ...col((p) => signedDollars(p.pnl.median))],
    ['P&L min / max', ...col((p) => `${signedDollars(p.pnl.min)} / ${signedDollars(p.pnl.max)}`)],
    ['Sharpe-like (mean/sd)', ...col((p) => fixed(p.sharpe, 3))],
    ['max drawdown mean / worst', ...col((p) => (p.maxDrawdown === null ? DASH : `${dollars(p.maxDrawdown.mean)} / ${dollars(p.maxDrawdown.worst)}`))],
    ['fees mean / total', ...col((p) => `${dollars(p.fees.mean)} / ${dollars(p.fees.total)}`)],
    ['orders sent / filled', ...col((p) => `${p.orders.sent} / ${p.orders.filled}`)],
    ['fill rate', ...col((p) => (p.fillRate === null ? DASH : percent(p.fillRate)))],
    ['fills / market-hour', ...col((p) => fixed(p.perMarketHour?.fills ?? null, 2))],
    ['orders / market-hour', ...col((p) => fixed(p.perMarketHour?.orders ?? null, 2))],
    ['decisions', ...col((p) => String(p.decisions))],
    ...ACTION_NAMES.map((name) => [`  ${name}`, ...col((p) => percent(p.actions.fractions[name]))]),
    ['blocked (of non-HOLD)', ...col((p) => (p.blocked.nonHoldDecisions === 0 ? DASH : percent(p.blocked.fraction)))],
    ...(['throttle', 'reserve', 'limits', 'other'] as const).map((g) => [`  ${g}`, ...col((p) => (p.blocked.nonHoldDecisions === 0 ? DASH : percent(p.blocked.groups[g])))]),
    ['flags', ...col((p) => [p.collapsed === null ? '' : 'COLLAPSED', p.flags.includes('never_trades') ? 'NEVER TRADES' : ''].filter((w) => w !== '').join(', ') || DASH)],
  ];
  return grid(['', ...policies.map((p) => p.policy)], rows);
}

function reasonLines(policies: readonly PolicyReport[]): string[] {
  const lines: string[] = [];
  for (const p of policies) {
    const reasons = Object.entries(p.blocked.byReason).sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1));
    if (reasons.length === 0) continue;
    lines.push(`  ${p.policy}: ${reasons.map(([name, r]) => `${name} ${percent(r.fraction)} (${r.count})`).join(', ')}`);
  }
  return lines.length === 0 ? [] : ['blocked by reason (share of non-HOLD decisions):', ...lines];
}

const KIND_TITLE: Record<EpisodeKind, string> = {
  sim: 'simulator episodes',
  session: 'recorded sessions (replay: paper taker fills at the touch, no throttle or limits)',
};

/** The whole report as text lines (no trailing newline). */
export function formatReport(report: EvaluationReport): string {
  const s = report.settings;
  const out: string[] = [];
  const seeds = s.seeds.length === 0 ? '' : `${s.seeds.length} seed${s.seeds.length === 1 ? '' : 's'} (${s.markets} markets, ${s.durationMs / 1000} s, ${s.rate} msgs/s)`;
  const sessions = s.sessions.length === 0 ? '' : `${s.sessions.length} recorded session${s.sessions.length === 1 ? '' : 's'}`;
  out.push(`evaluate: ${s.policies.length} polic${s.policies.length === 1 ? 'y' : 'ies'} × ${[seeds, sessions].filter((x) => x !== '').join(' + ')}; baseline ${s.baseline}`);
  for (const kind of ['sim', 'session'] as const) {
    const policies = report.policies.filter((p) => p.kind === kind);
    if (policies.length === 0) continue;
    out.push('', `${KIND_TITLE[kind]}:`, ...formatPolicyTable(policies));
    const flagged = policies.filter((p) => flagWords(p) !== '');
    if (flagged.length > 0) out.push('', 'flags:', ...flagged.map((p) => `  ${p.policy}: ${flagWords(p)}`));
    const reasons = reasonLines(policies);
    if (reasons.length > 0) out.push('', ...reasons);
    const comparisons = report.comparisons.filter((c) => c.kind === kind);
    if (comparisons.length > 0) {
      out.push('', `paired P&L difference vs ${comparisons[0].baseline} (same ${kind === 'session' ? 'sessions' : 'seeds'}):`, ...comparisons.map(comparisonLine));
    }
  }
  if (report.failures.length > 0) {
    out.push('', `FAILED episodes (${report.failures.length}):`);
    for (const f of report.failures) out.push(`  ${f.policy} ${f.kind === 'session' ? `session ${f.session ?? f.seed}` : `seed ${f.seed}`}: ${f.error}`);
  }
  return out.join('\n');
}
