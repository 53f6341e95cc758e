/**
 * The benchmark's human report (fixed-width text tables) and its JSON file.
 *
 * Formatting rules: latencies in µs with 0 decimals from 100 µs, 1 from 10 µs, else 2; counts
 * and rates as whole numbers; every figure with thousands separators (en-US, whatever the
 * locale); NaN (a histogram with no samples) prints as `—`.
 *
 * JSON: `writeReport` writes the report as is, so a NaN latency is written as `null` (JSON has
 * no NaN); every other field reads back unchanged.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BenchReport, LatencyFigures, PathName, PointResult, SweepSummary } from './bench-types.js';

const NONE = '—';
const MIB = 1024 * 1024;
const formatters = new Map<number, Intl.NumberFormat>();

/** `x` with `decimals` decimals and thousands separators; NaN (or ±∞) → `—`. */
function fixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return NONE;
  let f = formatters.get(decimals);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formatters.set(decimals, f);
  }
  return f.format(x);
}

/** A latency (or any µs figure): ≥100 → 0 decimals, ≥10 → 1, else 2. */
export function formatUs(us: number): string {
  const a = Math.abs(us);
  return fixed(us, a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

/** A count or a rate, whole, with thousands separators. */
export function formatCount(n: number): string {
  return fixed(n, 0);
}

function mib(bytes: number): string {
  return fixed(bytes / MIB, 1);
}

/**
 * Fixed-width columns two spaces apart, a dashed rule under the header; the columns listed in
 * `left` (text) are left-aligned, the rest (figures) right-aligned. A row `null` is a rule.
 */
function table(header: string[], rows: Array<string[] | null>, left: readonly number[] = [0]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r === null ? 0 : r[i].length))));
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const line = (cells: string[]): string =>
    cells.map((c, i) => (left.includes(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), rule, ...rows.map((r) => (r === null ? rule : line(r)))].join('\n');
}

function figuresRow(f: LatencyFigures): string[] {
  return [f.name, formatCount(f.count), formatUs(f.p50Us), formatUs(f.p90Us), formatUs(f.p99Us), formatUs(f.p999Us), formatUs(f.maxUs)];
}

function pathOf(p: PointResult, name: PathName): LatencyFigures | undefined {
  return p.paths.find((f) => f.name === name);
}

/** One point's latencies: a row per stage, then (after a rule) a row per whole path. */
export function formatPointTable(p: PointResult): string {
  const title =
    `${p.topology}, ${formatCount(p.markets)} markets, ${formatCount(p.offeredRate)}/s offered, ` +
    `${formatCount(p.seconds)} s measured — latencies in µs`;
  const rows: Array<string[] | null> = p.stages.map(figuresRow);
  if (p.stages.length > 0 && p.paths.length > 0) rows.push(null);
  rows.push(...p.paths.map(figuresRow));
  return `${title}\n${table(['stage', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'], rows)}`;
}

/** The verdict cell: `yes`, or `no: reason, reason`. */
function verdict(sustained: boolean, shortfalls: readonly string[]): string {
  return sustained ? 'yes' : `no${shortfalls.length > 0 ? `: ${shortfalls.join(', ')}` : ''}`;
}

/** One row per point of the sweep. */
export function formatSweepTable(points: PointResult[]): string {
  const header = [
    'topology', 'markets', 'offered/s', 'delivered/s', 'lost',
    'r→w p50', 'r→w p99', 'r→d p50', 'r→d p99',
    'decisions', 'orders', 'rss MiB', 'heap MiB', 'shared MiB', 'CPU µs/msg', 'sustained',
  ];
  const rows = points.map((p) => {
    const w = pathOf(p, 'received→written');
    const d = pathOf(p, 'received→decided');
    return [
      p.topology, formatCount(p.markets), formatCount(p.offeredRate), formatCount(p.deliveredRate), formatCount(p.lostUpdates),
      formatUs(w?.p50Us ?? NaN), formatUs(w?.p99Us ?? NaN), formatUs(d?.p50Us ?? NaN), formatUs(d?.p99Us ?? NaN),
      formatCount(p.decisions), formatCount(p.ordersSent),
      mib(p.memory.rssBytes), mib(p.memory.heapUsedBytes), mib(p.memory.sharedBytes),
      formatUs(p.cpu.perMessageUs), verdict(p.sustained, p.shortfalls),
    ];
  });
  const text = table(header, rows, [0, header.length - 1]);
  return `${text}\nr→w: received→written, r→d: received→decided (µs); rates in book messages/s, all markets`;
}

/** The sweep's verdicts per (topology, markets), then threaded ÷ inline per markets count. */
export function formatSummary(summary: SweepSummary[], ratios: BenchReport['ratios'], condition?: string): string {
  const rows = summary.map((s) => {
    const at = s.at;
    const p99 = at === undefined ? undefined : pathOf(at, at.budget.path);
    return [
      s.topology,
      `${formatCount(s.markets)} markets`,
      s.maxSustainedRate > 0 ? `${formatCount(s.maxSustainedRate)}/s` : 'none',
      at === undefined ? '' : `p99 ${at.budget.path} ${formatUs(p99?.p99Us ?? NaN)} µs (budget ${formatUs(at.budget.p99Us)} µs)`,
      s.firstShortfall === undefined
        ? 'every rate sustained'
        : `first shortfall ${formatCount(s.firstShortfall.offeredRate)}/s: ${s.firstShortfall.shortfalls.join(', ') || '?'}`,
    ];
  });
  const heading = `Max sustained offered rate (book messages/s, all markets)${condition === undefined ? '' : `, ${condition}`}:`;
  const out = [heading, table(['topology', 'markets', 'max', 'at', 'beyond'], rows, [0, 3, 4])];
  if (ratios.length > 0) {
    out.push('', 'threaded ÷ inline max sustained rate:');
    for (const r of ratios) {
      out.push(`  ${formatCount(r.markets)} markets: ${r.threadedOverInline === null ? `${NONE} (inline sustained no rate)` : `${fixed(r.threadedOverInline, 2)}×`}`);
    }
  }
  return out.join('\n');
}

/** Write the report as pretty JSON (creating the directory). NaN becomes null. */
export async function writeReport(report: BenchReport, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`, 'utf8');
}
