/**
 * The policy lab's report (issue 11): what a set of episodes says about each policy, and whether
 * one policy beats another. Pure functions from `EpisodeResult`s to plain, JSON-able data.
 *
 * Rounding rule (the report is deterministic: the same results give the same JSON, bit for bit):
 * - money is µ$ and always an integer. Sums, minima, maxima and one episode's values are exact;
 *   figures derived by division (means, the median of an even count, standard deviations,
 *   confidence bounds, mean drawdown, mean fees) are rounded to the nearest µ$ (halves up,
 *   `Math.round`), from the unrounded value — never from another rounded figure;
 * - every other number (ratios, fractions, rates) is rounded to 6 decimal places.
 *
 * Statistics across episodes treat each episode as one observation:
 * - standard deviation: the sample one (n − 1); null for one episode;
 * - 95 % confidence interval of the mean: mean ± t(0.975, n − 1) · sd / √n, with Student's t
 *   from an exact table up to 30 degrees of freedom and the Cornish–Fisher expansion beyond
 *   (error < 1e-7 there); null for one episode (no spread to judge by);
 * - Sharpe-like ratio: mean / sd of the per-episode P&L (no risk-free rate, not annualized; a
 *   measure of how consistently a policy earns across seeds); null when sd is 0 or undefined;
 * - max drawdown of an episode: the worst fall from a running peak of its P&L curve, the peak
 *   starting at 0 (an episode starts flat) and the final P&L counted as the curve's last point;
 *   reported as a positive µ$ amount, mean and worst across episodes.
 *
 * Pooled rates (over all episodes together, not averaged per episode):
 * - fill rate = Σ orders with at least one fill ÷ Σ order requests sent (place + amend + cancel,
 *   as the episode counts them); null when nothing was sent;
 * - fills, orders and contracts per market-hour = the sums ÷ Σ market-hours;
 * - action distribution = Σ decisions by action ÷ Σ decisions;
 * - blocked fractions = Σ blocked ÷ Σ non-HOLD decisions, in total, by group and by reason. The
 *   numerator is the episode's `blocked` (episode.ts: DENIED decisions by the execution core's
 *   DenyReason names, src/workers/execution/limits.ts, follow-ups included, plus requests refused
 *   before they left), so it is a rate per non-HOLD decision and can exceed 100 % in principle.
 *   throttle = THROTTLED (the per-market least time between orders), RATE_LIMITED (the exchange's
 *   Write budget: pacing too);
 *   reserve = CASH_RESERVE (an opening would take cash below the reserve);
 *   limits = POSITION_LIMIT, EXPOSURE_LIMIT (per-market position, total exposure);
 *   other = the rest (IN_FLIGHT, NO_PRICE, ALREADY_WORKING, NOT_TRADING, REDUCING_ONLY,
 *   BREAKER_OPEN, NOTHING_TO_SELL, GROUP_TRIGGERED, GROUP_PENDING, …). The short names of the
 *   episode contract's comment (RESERVE, LIMIT) are accepted as aliases.
 *
 * Flags (a warning about the policy's behaviour, not an error of the run):
 * - `collapsed`: one non-HOLD action is ≥ 90 % of the non-HOLD decisions and there are at least
 *   20 of them; or the policy collapsed onto HOLD: it took some non-HOLD decision, but fewer than
 *   20 in at least 100 decisions (≥ 99 % HOLD). A policy that trades normally is mostly HOLD too
 *   — it decides on every book change, and spread-capture is 99.7–99.9 % HOLD while sending
 *   hundreds of orders — so HOLD's share alone flags nothing;
 * - `never_trades`: no order was sent in any episode. Expected of `hold` (then `holdOnly` is
 *   true too: every decision was HOLD); a policy that wants to trade but is always blocked shows
 *   it in the blocked fractions.
 *
 * The paired comparison: policy vs baseline over the episodes both ran (same seed ⇒ the same
 * simulated market), the per-episode difference of P&L, its mean and 95 % CI (the t interval of
 * the differences). Pairing removes the variation between seeds, so a CI that excludes 0 says
 * one policy beats the other on these markets.
 */
import { ACTION_NAMES, type ActionName } from '../../shared/policy/actions.js';
import type { EpisodeResult } from './episode-types.js';

/** Where an episode's market data came from. */
export type EpisodeKind = 'sim' | 'session';

export type BlockGroup = 'throttle' | 'reserve' | 'limits' | 'other';

/** Deny reason name → group. Names not listed are `other`. */
export const BLOCK_GROUPS: Readonly<Record<string, BlockGroup>> = Object.freeze({
  THROTTLED: 'throttle',
  RATE_LIMITED: 'throttle',
  CASH_RESERVE: 'reserve',
  RESERVE: 'reserve',
  POSITION_LIMIT: 'limits',
  EXPOSURE_LIMIT: 'limits',
  LIMIT: 'limits',
});

export function blockGroup(reason: string): BlockGroup {
  return BLOCK_GROUPS[reason] ?? 'other';
}

/** Flag thresholds (see the module comment); compared in integers (count × 100 ≥ percent × base). */
export const COLLAPSE = Object.freeze({ nonHoldPercent: 90, minNonHold: 20, allPercent: 99, minDecisions: 100 });

export interface Distribution {
  /** µ$: mean and median rounded to the µ$; min, max exact. */
  mean: number;
  /** Sample standard deviation, µ$ (rounded); null for n = 1. */
  sd: number | null;
  /** 95 % confidence interval of the mean, µ$ (rounded); null for n = 1. */
  ci95: [number, number] | null;
  median: number;
  min: number;
  max: number;
}

export interface CollapsedFlag {
  action: ActionName;
  /** The action's share of the decisions counted (`of`), 6 decimals. */
  share: number;
  /** Counted over the non-HOLD decisions, or over all decisions. */
  of: 'non-hold' | 'all';
}

export type PolicyFlag = 'collapsed' | 'never_trades';

export interface EpisodeRow {
  kind: EpisodeKind;
  /** The seed (sim), or the episode's ordinal among the sessions (session). */
  seed: number;
  /** The recorded session's id (session episodes). */
  session?: string;
  pnlMicros: number;
  feesMicros: number;
  maxDrawdownMicros: number | null;
  decisions: number;
  ordersSent: number;
  ordersFilled: number;
}

export interface PolicyReport {
  policy: string;
  kind: EpisodeKind;
  episodes: number;
  pnl: Distribution;
  /** mean / sd of per-episode P&L; null when sd is 0 or n = 1. */
  sharpe: number | null;
  /** Max drawdown, µ$ (positive): mean (rounded) and worst across episodes; null when no episode has a curve. */
  maxDrawdown: { mean: number; worst: number } | null;
  fees: { mean: number; total: number };
  orders: { sent: number; filled: number; contractsFilled: number };
  /** Orders with a fill ÷ orders sent; null when none was sent. */
  fillRate: number | null;
  marketHours: number;
  perMarketHour: { fills: number; orders: number; contracts: number } | null;
  decisions: number;
  actions: { counts: Record<ActionName, number>; fractions: Record<ActionName, number> };
  blocked: {
    nonHoldDecisions: number;
    total: number;
    /** Fractions of the non-HOLD decisions (0 when there were none). */
    fraction: number;
    groups: Record<BlockGroup, number>;
    byReason: Record<string, { count: number; fraction: number; group: BlockGroup }>;
  };
  flags: PolicyFlag[];
  collapsed: CollapsedFlag | null;
  /** Every decision was HOLD (a hold rule). */
  holdOnly: boolean;
  rows: EpisodeRow[];
}

export interface PairedComparison {
  policy: string;
  baseline: string;
  kind: EpisodeKind;
  /** Episodes both ran (same seed / session). */
  pairs: number;
  /** Mean of (policy − baseline) P&L per episode, µ$ rounded. */
  meanDiff: number;
  sd: number | null;
  ci95: [number, number] | null;
  /** `better`/`worse`: the CI excludes 0; `no_difference`: it contains 0; `undetermined`: fewer than 2 pairs. */
  verdict: 'better' | 'worse' | 'no_difference' | 'undetermined';
}

/** Two-sided 95 % Student t quantiles t(0.975, df), df = 1..30 (6 decimals). */
const T975 = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
  2.200985, 2.178813, 2.160369, 2.144787, 2.13145, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
  2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];
/** Φ⁻¹(0.975). */
const Z975 = 1.959963984540054;

/** t(0.975, df): the table up to 30, the Cornish–Fisher expansion of t around z beyond. */
export function tQuantile975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= T975.length) return T975[df - 1];
  const z = Z975;
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/** µ$ rounding: nearest integer, halves up; never −0. */
export function roundMicros(x: number): number {
  return Math.round(x) + 0;
}

/** Non-money rounding: 6 decimal places; never −0. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6 + 0;
}

interface Moments {
  n: number;
  mean: number;
  /** Sample sd (n − 1); NaN for n < 2. */
  sd: number;
}

function moments(xs: readonly number[]): Moments {
  const n = xs.length;
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = n === 0 ? 0 : sum / n;
  if (n < 2) return { n, mean, sd: Number.NaN };
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return { n, mean, sd: Math.sqrt(ss / (n - 1)) };
}

/** The 95 % t interval of the mean, unrounded; null for n < 2. */
function interval(m: Moments): [number, number] | null {
  if (m.n < 2) return null;
  const half = (tQuantile975(m.n - 1) * m.sd) / Math.sqrt(m.n);
  return [m.mean - half, m.mean + half];
}

/** Mean, sd, CI, median, min, max of integer µ$ values (at least one). */
export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) throw new RangeError('distribution of no values');
  const m = moments(values);
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const ci = interval(m);
  return {
    mean: roundMicros(m.mean),
    sd: m.n < 2 ? null : roundMicros(m.sd),
    ci95: ci === null ? null : [roundMicros(ci[0]), roundMicros(ci[1])],
    median: roundMicros(median),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/** mean / sd (unrounded inputs), 6 decimals; null when sd is 0 or undefined. */
export function sharpeRatio(values: readonly number[]): number | null {
  const m = moments(values);
  if (!(m.sd > 0)) return null;
  return round6(m.mean / m.sd);
}

/** The worst fall from a running peak (starting at 0) over `curve` then `final`, µ$ (≥ 0). */
export function maxDrawdown(curve: readonly number[], final: number): number {
  let peak = 0;
  let worst = 0;
  const step = (v: number) => {
    if (v > peak) peak = v;
    else if (peak - v > worst) worst = peak - v;
  };
  for (const v of curve) step(v);
  step(final);
  return worst;
}

function sumActions(results: readonly EpisodeResult[]): number[] {
  const counts = [0, 0, 0, 0, 0];
  for (const r of results) for (let a = 0; a < counts.length; a++) counts[a] += r.actions[a] ?? 0;
  return counts;
}

/** The collapse flag from decision counts by action (see the module comment); null when not collapsed. */
export function collapseOf(counts: readonly number[]): CollapsedFlag | null {
  const total = counts.reduce((a, b) => a + b, 0);
  const nonHold = total - counts[0];
  if (nonHold >= COLLAPSE.minNonHold) {
    for (let a = 1; a < counts.length; a++) {
      if (counts[a] * 100 >= COLLAPSE.nonHoldPercent * nonHold) return { action: ACTION_NAMES[a], share: round6(counts[a] / nonHold), of: 'non-hold' };
    }
  }
  if (nonHold > 0 && nonHold < COLLAPSE.minNonHold && total >= COLLAPSE.minDecisions && counts[0] * 100 >= COLLAPSE.allPercent * total) {
    return { action: ACTION_NAMES[0], share: round6(counts[0] / total), of: 'all' };
  }
  return null;
}

function byAction<T>(f: (a: number) => T): Record<ActionName, T> {
  return Object.fromEntries(ACTION_NAMES.map((name, a) => [name, f(a)])) as Record<ActionName, T>;
}

/** One policy's report over its episodes (at least one), in the order given. */
export function summarizePolicy(policy: string, results: readonly EpisodeResult[], kind: EpisodeKind = 'sim', sessions?: readonly string[]): PolicyReport {
  if (results.length === 0) throw new RangeError(`no episodes for policy ${policy}`);
  const pnls = results.map((r) => r.pnlMicros);
  const withCurve = results.filter((r) => r.curve.length > 0);
  const drawdowns = withCurve.map((r) => maxDrawdown(r.curve, r.pnlMicros));
  let feesTotal = 0;
  let sent = 0;
  let filled = 0;
  let contracts = 0;
  let marketHours = 0;
  const reasons = new Map<string, number>();
  for (const r of results) {
    feesTotal += r.feesMicros;
    sent += r.ordersSent;
    filled += r.ordersFilled;
    contracts += r.filledCount;
    marketHours += r.marketHours;
    for (const [reason, n] of Object.entries(r.blocked)) reasons.set(reason, (reasons.get(reason) ?? 0) + n);
  }
  const counts = sumActions(results);
  const decisions = counts.reduce((a, b) => a + b, 0);
  const nonHold = decisions - counts[0];
  const frac = (n: number) => (nonHold > 0 ? round6(n / nonHold) : 0);
  const groupCounts: Record<BlockGroup, number> = { throttle: 0, reserve: 0, limits: 0, other: 0 };
  let blockedTotal = 0;
  const byReason: PolicyReport['blocked']['byReason'] = {};
  for (const reason of [...reasons.keys()].sort()) {
    const n = reasons.get(reason)!;
    if (n === 0) continue;
    const group = blockGroup(reason);
    groupCounts[group] += n;
    blockedTotal += n;
    byReason[reason] = { count: n, fraction: frac(n), group };
  }
  const collapsed = collapseOf(counts);
  const flags: PolicyFlag[] = [];
  if (collapsed !== null) flags.push('collapsed');
  if (sent === 0) flags.push('never_trades');
  return {
    policy,
    kind,
    episodes: results.length,
    pnl: distribution(pnls),
    sharpe: sharpeRatio(pnls),
    maxDrawdown: drawdowns.length === 0 ? null : { mean: roundMicros(drawdowns.reduce((a, b) => a + b, 0) / drawdowns.length), worst: Math.max(...drawdowns) },
    fees: { mean: roundMicros(feesTotal / results.length), total: feesTotal },
    orders: { sent, filled, contractsFilled: contracts },
    fillRate: sent > 0 ? round6(filled / sent) : null,
    marketHours: round6(marketHours),
    perMarketHour: marketHours > 0 ? { fills: round6(filled / marketHours), orders: round6(sent / marketHours), contracts: round6(contracts / 100 / marketHours) } : null,
    decisions,
    actions: { counts: byAction((a) => counts[a]), fractions: byAction((a) => (decisions > 0 ? round6(counts[a] / decisions) : 0)) },
    blocked: {
      nonHoldDecisions: nonHold,
      total: blockedTotal,
      fraction: frac(blockedTotal),
      groups: { throttle: frac(groupCounts.throttle), reserve: frac(groupCounts.reserve), limits: frac(groupCounts.limits), other: frac(groupCounts.other) },
      byReason,
    },
    flags,
    collapsed,
    holdOnly: nonHold === 0,
    rows: results.map((r, i) => ({
      kind,
      seed: r.seed,
      ...(sessions?.[i] === undefined ? {} : { session: sessions[i] }),
      pnlMicros: r.pnlMicros,
      feesMicros: r.feesMicros,
      maxDrawdownMicros: r.curve.length > 0 ? maxDrawdown(r.curve, r.pnlMicros) : null,
      decisions: r.actions.reduce((a, b) => a + b, 0),
      ordersSent: r.ordersSent,
      ordersFilled: r.ordersFilled,
    })),
  };
}

/** One side of a paired comparison: a policy's episodes, and their pairing keys (default: the seeds). */
export interface PairSide {
  name: string;
  results: readonly EpisodeResult[];
  /** Index-aligned with `results` (e.g. session ids); default `String(seed)`. */
  keys?: readonly string[];
}

/**
 * `policy` vs `baseline` over the episodes both ran, paired by key (the seed by default; the
 * first occurrence of a key counts). Differences are policy − baseline, µ$.
 */
export function comparePaired(policy: PairSide, baseline: PairSide, kind: EpisodeKind = 'sim'): PairedComparison {
  const keyOf = (side: PairSide, i: number) => side.keys?.[i] ?? String(side.results[i].seed);
  const base = new Map<string, number>();
  baseline.results.forEach((r, i) => {
    const k = keyOf(baseline, i);
    if (!base.has(k)) base.set(k, r.pnlMicros);
  });
  const seen = new Set<string>();
  const diffs: number[] = [];
  policy.results.forEach((r, i) => {
    const k = keyOf(policy, i);
    const b = base.get(k);
    if (b === undefined || seen.has(k)) return;
    seen.add(k);
    diffs.push(r.pnlMicros - b);
  });
  const m = moments(diffs);
  const ci = interval(m);
  const verdict: PairedComparison['verdict'] = ci === null ? 'undetermined' : ci[0] > 0 ? 'better' : ci[1] < 0 ? 'worse' : 'no_difference';
  return {
    policy: policy.name,
    baseline: baseline.name,
    kind,
    pairs: diffs.length,
    meanDiff: diffs.length === 0 ? 0 : roundMicros(m.mean),
    sd: m.n < 2 ? null : roundMicros(m.sd),
    ci95: ci === null ? null : [roundMicros(ci[0]), roundMicros(ci[1])],
    verdict,
  };
}

export interface EvaluationSettings {
  policies: string[];
  seeds: number[];
  sessions: string[];
  markets: number;
  durationMs: number;
  rate: number;
  startCash: number | null;
  settings: Record<string, string>;
  baseline: string;
}

export interface EpisodeFailure {
  kind: EpisodeKind;
  policy: string;
  seed: number;
  session?: string;
  error: string;
}

/** The whole evaluation, as written by `--out` / `--json`. No wall-clock figure: the same inputs give the same JSON. */
export interface EvaluationReport {
  kind: 'kalshi-actor-evaluate';
  version: 1;
  settings: EvaluationSettings;
  policies: PolicyReport[];
  comparisons: PairedComparison[];
  failures: EpisodeFailure[];
}

export interface PolicyEpisodes {
  policy: string;
  kind: EpisodeKind;
  /** Successful episodes, in submission order. */
  results: EpisodeResult[];
  /** Session ids, index-aligned with `results` (session episodes). */
  sessions?: string[];
}

/**
 * The report of every policy (those with at least one successful episode), and the paired
 * comparison of each with `baseline` (default: the first policy), per episode kind.
 */
export function buildReport(settings: EvaluationSettings, groups: readonly PolicyEpisodes[], failures: readonly EpisodeFailure[]): EvaluationReport {
  const ran = groups.filter((g) => g.results.length > 0);
  const policies = ran.map((g) => summarizePolicy(g.policy, g.results, g.kind, g.sessions));
  const comparisons: PairedComparison[] = [];
  for (const kind of ['sim', 'session'] as const) {
    const ofKind = ran.filter((g) => g.kind === kind);
    const base = ofKind.find((g) => g.policy === settings.baseline);
    if (base === undefined) continue;
    for (const g of ofKind) {
      if (g === base) continue;
      comparisons.push(comparePaired({ name: g.policy, results: g.results, keys: g.sessions }, { name: base.policy, results: base.results, keys: base.sessions }, kind));
    }
  }
  return { kind: 'kalshi-actor-evaluate', version: 1, settings, policies, comparisons, failures: [...failures] };
}
