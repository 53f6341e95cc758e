/**
 * The sweep's verdicts, as pure functions of the measured points: whether a point sustained its
 * offered rate (and if not, why), the highest sustained rate per (topology, markets), the
 * threaded ÷ inline ratios, and the parsing of the sweep's list flags.
 */
import { UsageError } from '../cli.js';
import type { BenchReport, PathName, PointResult, ShortfallReason, SweepSummary } from './bench-types.js';

export interface JudgeOptions {
  /** The p99 bound on the point's budget path (`p.budget.path`), µs. */
  p99BudgetUs: number;
  /** Delivered rate must be at least this fraction of the offered rate (default 0.95). */
  minDeliveredFraction?: number;
  /** Backlog at the window's end may be at most this fraction of the changes generated (default 0.01). */
  maxBacklogFraction?: number;
}

/** Backlog slack, messages: a backlog this small is in flight, not growing. */
const MIN_BACKLOG_SLACK = 1000;

/** Did the point sustain its offered rate? Empty shortfalls ⇔ sustained. */
export function judgePoint(
  p: Omit<PointResult, 'sustained' | 'shortfalls'>,
  o: JudgeOptions,
): { sustained: boolean; shortfalls: ShortfallReason[] } {
  const minDelivered = o.minDeliveredFraction ?? 0.95;
  const maxBacklog = o.maxBacklogFraction ?? 0.01;
  const shortfalls: ShortfallReason[] = [];
  if (p.decisions === 0) {
    shortfalls.push('no decisions');
  } else {
    // Decisions were made, so the budget path should have samples: none is a shortfall of its own
    // (an order path with no order in the window proves nothing either way).
    const path = p.paths.find((f) => f.name === p.budget.path);
    const measured = path !== undefined && path.count > 0 && !Number.isNaN(path.p99Us);
    if (!measured) shortfalls.push('budget path not sampled');
    else if (path.p99Us > o.p99BudgetUs) shortfalls.push('p99 over budget');
  }
  if (p.lostUpdates > 0) shortfalls.push('lost updates');
  if (p.generatedRate < minDelivered * p.offeredRate) shortfalls.push('rate not generated');
  if (p.deliveredRate < minDelivered * p.generatedRate) shortfalls.push('rate not delivered');
  if (p.backlogAtEnd > Math.max(MIN_BACKLOG_SLACK, maxBacklog * p.generated)) shortfalls.push('backlog growing');
  if (p.intentsDropped > 0) shortfalls.push('intents dropped');
  return { sustained: shortfalls.length === 0, shortfalls };
}

/** Per (topology, markets), in first-seen order: the highest sustained rate and the first failure. */
export function summarize(points: PointResult[]): SweepSummary[] {
  const groups = new Map<string, PointResult[]>();
  for (const p of points) {
    const key = `${p.topology}\u0000${p.markets}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [p]);
    else group.push(p);
  }
  const out: SweepSummary[] = [];
  for (const group of groups.values()) {
    const byRate = [...group].sort((a, b) => a.offeredRate - b.offeredRate);
    const s: SweepSummary = { path: group[0].budget.path, topology: group[0].topology, markets: group[0].markets, maxSustainedRate: 0 };
    // Monotone rule: a rate counts only if every lower rate of the group was sustained too. A
    // sustained rate above a failed one is noise (a lucky window), not capacity, so the walk
    // stops at the first failure.
    for (const p of byRate) {
      if (!p.sustained) {
        s.firstShortfall = { offeredRate: p.offeredRate, shortfalls: p.shortfalls };
        break;
      }
      s.maxSustainedRate = p.offeredRate;
      s.at = p;
    }
    out.push(s);
  }
  return out;
}

/** The points judged again with the p99 budget held on `path` instead (the figures are the same). */
export function rejudge(points: readonly PointResult[], path: PathName, o: JudgeOptions): PointResult[] {
  return points.map((p) => {
    const again = { ...p, budget: { path, p99Us: o.p99BudgetUs } };
    return { ...again, ...judgePoint(again, o) };
  });
}

/** threaded ÷ inline max sustained rate, per markets count measured in both topologies (first-seen order); null when inline sustained none. */
export function ratios(summary: SweepSummary[]): BenchReport['ratios'] {
  const out: BenchReport['ratios'] = [];
  const seen = new Set<number>();
  for (const s of summary) {
    if (seen.has(s.markets)) continue;
    seen.add(s.markets);
    const threaded = summary.find((x) => x.markets === s.markets && x.topology === 'threaded');
    const inline = summary.find((x) => x.markets === s.markets && x.topology === 'inline');
    if (threaded === undefined || inline === undefined) continue;
    out.push({
      markets: s.markets,
      threadedOverInline: inline.maxSustainedRate === 0 ? null : threaded.maxSustainedRate / inline.maxSustainedRate,
    });
  }
  return out;
}

/** `1000`, `10_000`, `1k`, `2.5k`, `1m` (whole results only). */
const ITEM = /^(\d+(?:_\d+)*)(?:\.(\d+))?([km])?$/i;

/**
 * A comma-separated list of whole numbers in [min, max], in the order given: `1k,10k,1m`,
 * `500,2_000`. Throws a UsageError naming the flag on an empty item, a non-number, a fraction,
 * a value out of range or a duplicate.
 */
export function parseList(flag: string, text: string, min: number, max: number): number[] {
  const name = flag.startsWith('-') ? flag : `--${flag}`;
  const out: number[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') throw new UsageError(`${name}: empty item in '${text}' (a comma-separated list such as 1k,10k)`);
    const m = ITEM.exec(item);
    if (m === null) throw new UsageError(`${name}: '${item}' is not a whole number (digits, '_', and an optional k or m suffix)`);
    const scale = m[3] === undefined ? 1 : m[3].toLowerCase() === 'k' ? 1_000 : 1_000_000;
    const fraction = m[2] ?? '';
    // Exact integer arithmetic on the digits: no float rounding decides "whole".
    const digits = BigInt(m[1].replaceAll('_', '') + fraction) * BigInt(scale);
    const divisor = 10n ** BigInt(fraction.length);
    if (digits % divisor !== 0n) throw new UsageError(`${name}: '${item}' is not a whole number`);
    const value = Number(digits / divisor);
    if (value < min || value > max) throw new UsageError(`${name}: ${item} is out of range [${min}, ${max}]`);
    if (out.includes(value)) throw new UsageError(`${name}: ${item} is listed twice`);
    out.push(value);
  }
  return out;
}
