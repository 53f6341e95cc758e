/**
 * `kalshi-actor bench` (and `npm run bench`): per-market decision latency and scale, end to end.
 *
 * For every markets count, every offered rate and every topology (threaded and inline side by
 * side, interleaved so both see the same machine), one point (./bench-point.ts): the simulator
 * in its own process, the host trading it open loop, each stage of the decision path measured
 * over the window. Per (topology, markets), rates run from low to high and stop at the first
 * rate not sustained (`--all-rates` runs them all). Prints each point's stage table, then the
 * sweep table and the verdicts; writes the whole report as JSON.
 *
 * A point that fails to run (a host that cannot start, a simulator that dies) is one line and is
 * listed in the report's `failures`; the sweep goes on. Exit code 0 when every point ran, 1
 * otherwise, 2 on a bad flag.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
import { COMMANDS, UsageError, parseFlags, type Command } from '../cli.js';
import { loadConfig } from '../config/load.js';
import { SETTINGS, SettingError } from '../config/settings.js';
import { PATH_NAMES, type BenchReport, type PathName, type PointResult, type Topology } from './bench-types.js';
import { runPoint, type PointSettings } from './bench-point.js';
import { Progress } from './progress.js';
import { formatPointTable, formatSummary, formatSweepTable, writeReport } from './report.js';
import { parseList, ratios, rejudge, summarize } from './sweep.js';

const USAGE =
  'kalshi-actor bench [--quick] [--markets 10,100,1k,10k] [--rates 1k,10k,50k,100k,200k] [--topology threaded,inline]\n' +
  '                   [--seconds 10] [--warmup-s 3] [--p99-budget-us 1000] [--budget-path received→acked]\n' +
  '                   [--all-rates] [--seed 42] [--out FILE] [--verbose] [-- host settings as for `run`]';

const DEFAULTS = {
  markets: [10, 100, 1_000, 10_000],
  rates: [1_000, 10_000, 50_000, 100_000, 200_000],
  topologies: ['threaded', 'inline'] as Topology[],
  seconds: 10,
  warmupS: 3,
  p99BudgetUs: 1_000,
  budgetPath: 'received→acked' as PathName,
  seed: 42,
};

/** `--quick`: one point, for a fast check. */
const QUICK = { markets: [1_000], rates: [10_000], topologies: ['threaded'] as Topology[], seconds: 10 };

export interface BenchPlan {
  markets: number[];
  rates: number[];
  topologies: Topology[];
  seconds: number;
  warmupS: number;
  p99BudgetUs: number;
  budgetPath: PathName;
  allRates: boolean;
  seed: number;
  out: string;
  verbose: boolean;
  hostArgs: string[];
}

function whole(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const [n] = parseList(flag, text, min, max);
  if (n === undefined || text.includes(',')) throw new UsageError(`--${flag} takes one number, got '${text}'`);
  return n;
}

/** The plan from the command line; throws UsageError on a bad flag. */
export function parseBenchArgs(argv: string[], now = new Date()): BenchPlan {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const hostArgs = dash < 0 ? [] : argv.slice(dash + 1);
  const { values: v } = parseFlags(own, {
    quick: { type: 'boolean' },
    markets: { type: 'string' },
    rates: { type: 'string' },
    topology: { type: 'string' },
    seconds: { type: 'string' },
    'warmup-s': { type: 'string' },
    'p99-budget-us': { type: 'string' },
    'budget-path': { type: 'string' },
    'all-rates': { type: 'boolean' },
    seed: { type: 'string' },
    out: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  const base = v.quick === true ? { ...DEFAULTS, ...QUICK } : DEFAULTS;
  const topologies = v.topology === undefined ? base.topologies : v.topology.split(',').map((t) => t.trim());
  for (const t of topologies) if (t !== 'threaded' && t !== 'inline') throw new UsageError(`--topology takes threaded and/or inline, got '${t}'`);
  if (new Set(topologies).size !== topologies.length) throw new UsageError(`--topology lists a topology twice: '${v.topology}'`);
  const budgetPath = v['budget-path'] ?? base.budgetPath;
  if (!(PATH_NAMES as readonly string[]).includes(budgetPath)) throw new UsageError(`--budget-path takes one of ${PATH_NAMES.join(', ')}, got '${budgetPath}'`);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return {
    markets: v.markets === undefined ? base.markets : parseList('markets', v.markets, 1, 100_000),
    rates: v.rates === undefined ? base.rates : parseList('rates', v.rates, 1, 10_000_000),
    topologies: topologies as Topology[],
    seconds: whole('seconds', v.seconds, base.seconds, 1, 3_600),
    warmupS: whole('warmup-s', v['warmup-s'], base.warmupS, 0, 600),
    p99BudgetUs: whole('p99-budget-us', v['p99-budget-us'], base.p99BudgetUs, 1, 10_000_000),
    budgetPath: budgetPath as PathName,
    allRates: v['all-rates'] === true,
    seed: whole('seed', v.seed, base.seed, 0, 2 ** 31 - 1),
    out: resolve(v.out ?? `bench/results/bench-${stamp}.json`),
    verbose: v.verbose === true,
    hostArgs,
  };
}

/** Flags of secret settings (a database URL with its password, the control token). */
const SECRET_FLAGS = new Set(Object.values(SETTINGS).filter((s) => s.secret === true).map((s) => `--${s.flag}`));

/** Host settings as the report shows them: the values of secret settings redacted (`--db X`, `--db=X`). */
export function redactHostArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    if (eq > 0 && SECRET_FLAGS.has(a.slice(0, eq))) out.push(`${a.slice(0, eq)}=[redacted]`);
    else if (SECRET_FLAGS.has(a) && i + 1 < args.length) out.push(a, '[redacted]'), i++;
    else out.push(a);
  }
  return out;
}

function machine(): BenchReport['machine'] {
  const c = cpus();
  return { cpus: c[0]?.model ?? 'unknown', cores: c.length, memoryBytes: totalmem(), os: `${type()} ${release()}`, node: process.version };
}

export function benchCommand(out: (line: string) => void = (l) => console.log(l), err: (line: string) => void = (l) => console.error(l)): Command {
  return {
    summary: 'benchmark: per-stage decision latency and the max sustained rate, markets × rates × topologies, against the simulator',
    usage: USAGE,
    async run(argv) {
      const plan = parseBenchArgs(argv);
      // A bad host setting is a usage error before anything starts (the bench's own come first, the user's win).
      try {
        loadConfig(['--markets', 'X', ...plan.hostArgs], {});
      } catch (e) {
        if (e instanceof SettingError) throw new UsageError(`host setting after --: ${e.message}`);
        throw e;
      }
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const key = { keyId: `bench-${randomUUID()}`, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
      // One data dir for the run: the PGlite journal is created once (initdb costs seconds of CPU), each point is a session in it.
      const dataDir = await mkdtemp(join(tmpdir(), 'kalshi-actor-bench-'));
      try {
        return await runSweep(plan, key, dataDir, out, err);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Every point of the plan, in order; the tables on `out`, the report to its file. Returns the exit code. */
async function runSweep(plan: BenchPlan, key: PointSettings['key'], dataDir: string, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const total = plan.markets.length * plan.rates.length * plan.topologies.length;
  const progress = new Progress({ total });
  const points: PointResult[] = [];
  const failures: BenchReport['failures'] = [];
  const startedAt = new Date().toISOString();
  /** Per topology × markets: the first rate that was not sustained (higher rates are skipped). */
  const stoppedAt = new Map<string, number>();
  out(`bench: ${total} points at most (${plan.markets.join(', ')} markets × ${plan.rates.join(', ')} msgs/s × ${plan.topologies.join(', ')}), ${plan.warmupS} s warm-up + ${plan.seconds} s each; p99 budget ${plan.p99BudgetUs} µs on ${plan.budgetPath}`);
  for (const markets of plan.markets) {
    for (const rate of [...plan.rates].sort((a, b) => a - b)) {
      for (const topology of plan.topologies) {
        const label = `${topology} ${markets.toLocaleString('en-US')} mkts ${rate.toLocaleString('en-US')}/s`;
        const stopped = stoppedAt.get(`${topology}/${markets}`);
        if (stopped !== undefined && !plan.allRates) {
          progress.point(label, 0);
          progress.tick(0, `skipped: ${stopped.toLocaleString('en-US')}/s was not sustained even on received→decided`);
          continue;
        }
        progress.point(label, plan.warmupS + plan.seconds);
        const settings: PointSettings = {
          topology, markets, rate, seconds: plan.seconds, warmupS: plan.warmupS, key, seed: plan.seed, hostArgs: plan.hostArgs, dataDir,
          budget: { path: plan.budgetPath, p99Us: plan.p99BudgetUs },
          onTick: (phase, s, line) => progress.tick(phase === 'window' ? plan.warmupS + s : phase === 'warm-up' ? s : plan.warmupS + plan.seconds, line),
          log: plan.verbose ? (line) => progress.log(`  host: ${line}`) : undefined,
        };
        try {
          const p = await runPoint(settings);
          points.push(p);
          progress.log(`${formatPointTable(p)}\n  delivered ${Math.round(p.deliveredRate).toLocaleString('en-US')}/s of ${Math.round(p.generatedRate).toLocaleString('en-US')}/s generated, lost ${p.lostUpdates}, decisions ${p.decisions.toLocaleString('en-US')}, orders ${p.ordersSent.toLocaleString('en-US')} (place ${p.orderMix.place}, amend ${p.orderMix.amend}, cancel ${p.orderMix.cancel}${p.presign === null ? '' : `; pre-signed ${p.presign.hits}, signed inline ${p.presign.misses}`}); sustained: ${p.sustained ? 'yes' : `no (${p.shortfalls.join(', ')})`}\n`);
          // Higher rates are skipped once even the shortest path (received → decided) misses the
          // budget or the host falls behind: the longer paths contain it, so they miss too.
          const [shortest] = rejudge([p], 'received→decided', { p99BudgetUs: plan.p99BudgetUs });
          if (!shortest.sustained) stoppedAt.set(`${topology}/${markets}`, rate);
        } catch (e) {
          const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
          failures.push({ topology, markets, offeredRate: rate, error: message });
          progress.log(`${label}: failed: ${message}`);
          stoppedAt.set(`${topology}/${markets}`, rate);
        }
      }
    }
  }
  const summary = summarize(points);
  const byPath = PATH_NAMES.map((path) => {
    const s = summarize(rejudge(points, path, { p99BudgetUs: plan.p99BudgetUs }));
    return { path, summary: s, ratios: ratios(s) };
  });
  const report: BenchReport = {
    kind: 'kalshi-actor-bench', version: 1, startedAt, machine: machine(),
    settings: { ...plan, out: undefined, hostArgs: redactHostArgs(plan.hostArgs) }, points, summary, ratios: ratios(summary), byPath, failures,
  };
  progress.done(`${points.length} points measured, ${failures.length} failed`);
  if (points.length > 0) {
    const verdicts = byPath.map((b) => formatSummary(b.summary, b.ratios, `p99 ≤ ${plan.p99BudgetUs.toLocaleString('en-US')} µs on ${b.path}`)).join('\n\n');
    out(`\n${formatSweepTable(points)}\n\n${verdicts}`);
  }
  for (const f of failures) err(`bench: ${f.topology} ${f.markets} markets ${f.offeredRate}/s failed: ${f.error}`);
  await writeReport(report, plan.out);
  out(`\nreport: ${plan.out}`);
  return failures.length === 0 ? 0 : 1;
}

/** Add `bench` to `COMMANDS` (idempotent). */
export function registerBenchCommand(): void {
  if (COMMANDS.bench === undefined) COMMANDS.bench = benchCommand();
}
