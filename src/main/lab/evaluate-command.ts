/**
 * `kalshi-actor evaluate` (issue 11, the policy lab): one or more policies over many episodes,
 * side by side.
 *
 *   kalshi-actor evaluate --policy hold,spread-capture,onnx:models/x.onnx [--policy …] --seeds 1-20
 *                         [--markets 8] [--duration-s 600] [--rate 200] [--start-cash 1000.00]
 *                         [--session ID …] [--db URL] [--data-dir DIR]
 *                         [--workers N] [--baseline NAME] [--out report.json] [--json] [-- run settings…]
 *
 * Simulator episodes (policy × seed) run through the live decision path (episode.ts), one piscina
 * task each (episode-pool.ts). Recorded sessions (`--session`, read from the journal as
 * `kalshi-actor replay` does) are a second kind of episode: the session's market data through the
 * same observation and policy code, with replay.ts's paper fill model (taker at the touch, no
 * throttle or limits) — their figures are reported apart, never mixed with the simulator's. Of
 * the settings after `--`, a replay takes the order size (`--contract-size`) and the cash reserve
 * its policy gate sees (`--cash-reserve`); the others are execution rules replay does not apply.
 *
 * Progress on stderr; the table on stdout, or the JSON report with `--json`; `--out FILE` writes
 * the JSON report too. The report holds no wall-clock figure and does not depend on `--workers`:
 * the same seeds give the same report. Exit codes: 0 when every episode ran, 1 when one failed
 * (the others still run and are reported) or a model cannot be loaded, 2 on bad input (before
 * any work).
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseMoney } from '../../shared/fixed-point.js';
import { loadPolicy } from '../../shared/policy/load-policy.js';
import { COMMANDS, UsageError, parseFlags, type Command } from '../cli.js';
import { POLICY_FORMAT } from '../config/load.js';
import { SETTINGS } from '../config/settings.js';
import { Progress } from '../bench/progress.js';
import { loadSession, ReplayError, type RecordedSession } from '../replay/load-session.js';
import { replaySession } from '../replay/replay.js';
import { openJournal } from '../store/open-journal.js';
import { runEpisodes, type EpisodeOutcome } from './episode-pool.js';
import { parseEpisodeSettings, parseSeeds, wholeFlag } from './lab-args.js';
import type { EpisodeResult, EpisodeSpec } from './episode-types.js';
import { buildReport, type EpisodeFailure, type EvaluationReport, type EvaluationSettings, type PolicyEpisodes } from './report.js';
import { formatReport } from './report-table.js';

const USAGE =
  'kalshi-actor evaluate --policy hold,spread-capture,onnx:FILE [--policy …] --seeds 1-20 [--markets 8] [--duration-s 600]\n' +
  '                      [--rate 200] [--start-cash 1000.00] [--session ID …] [--db URL] [--data-dir ./data]\n' +
  '                      [--workers N] [--baseline NAME] [--out report.json] [--json] [-- execution settings as for `run`]';

export const EVALUATE_DEFAULTS = Object.freeze({ markets: 8, durationS: 600, rate: 200 });

/** Settings after `--` that evaluate sets itself (or that mean nothing for an episode). */
const OWN_SETTINGS: Record<string, string> = {
  policy: '--policy', exchange: '(always the simulator)', markets: '--markets', 'sim-markets': '--markets', 'sim-rate': '--rate',
  'sim-seed': '--seeds', 'sim-balance': '--start-cash',
};

/** What the report records of the run (EvaluationSettings; `settings`: execution settings for the episodes, flag → value), and how to run it. */
export interface EvaluatePlan extends Omit<EvaluationSettings, 'startCash'> {
  /** µ$; undefined: the episode's default ($1,000). */
  startCash: number | undefined;
  workers: number | undefined;
  out: string | undefined;
  json: boolean;
  db: string | undefined;
  dataDir: string | undefined;
}



/** Check one policy spec; throws UsageError (unknown rule, a model file that is not there). */
export function checkPolicySpec(spec: string): void {
  const model = /^(onnx|mlp):(.*)$/.exec(spec);
  if (model !== null) {
    const file = model[2];
    if (file === '') throw new UsageError(`--policy ${spec}: no file after '${model[1]}:'`);
    if (!existsSync(file)) throw new UsageError(`--policy ${spec}: no such file ${file}`);
    if (!statSync(file).isFile()) throw new UsageError(`--policy ${spec}: ${file} is not a file`);
    return;
  }
  // The episode's own check (episode.ts reads `--policy` as `run` does).
  if (!POLICY_FORMAT.test(spec)) throw new UsageError(`unknown policy '${spec}': hold, hardcoded, spread-capture, onnx:FILE or mlp:FILE`);
}


/** The plan from the command line; throws UsageError on any bad input (nothing has run yet). */
export function parseEvaluateArgs(argv: readonly string[]): EvaluatePlan {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? [...argv] : argv.slice(0, dash);
  const { values: v } = parseFlags(own, {
    policy: { type: 'string', multiple: true },
    seeds: { type: 'string' },
    session: { type: 'string', multiple: true },
    db: { type: 'string' },
    'data-dir': { type: 'string' },
    markets: { type: 'string' },
    'duration-s': { type: 'string' },
    rate: { type: 'string' },
    'start-cash': { type: 'string' },
    workers: { type: 'string' },
    baseline: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  });
  const policies = (v.policy ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  if (policies.length === 0) throw new UsageError('--policy is required (e.g. --policy hold,spread-capture)');
  for (const p of policies) checkPolicySpec(p);
  const dup = policies.find((p, i) => policies.indexOf(p) !== i);
  if (dup !== undefined) throw new UsageError(`--policy lists ${dup} twice`);
  const sessions = (v.session ?? []).map((s) => s.trim());
  if (sessions.some((s) => s === '')) throw new UsageError('--session takes a session id');
  if (new Set(sessions).size !== sessions.length) throw new UsageError('--session lists a session twice');
  if (v.seeds === undefined && sessions.length === 0) throw new UsageError('--seeds is required (e.g. --seeds 1-20), or --session ID');
  const seeds = v.seeds === undefined ? [] : parseSeeds(v.seeds);
  if ((v.db !== undefined || v['data-dir'] !== undefined) && sessions.length === 0) throw new UsageError('--db and --data-dir are for --session');
  const baseline = v.baseline ?? policies[0];
  if (!policies.includes(baseline)) throw new UsageError(`--baseline ${baseline} is not one of the policies (${policies.join(', ')})`);
  let startCash: number | undefined;
  if (v['start-cash'] !== undefined) {
    try {
      startCash = parseMoney(v['start-cash']);
    } catch {
      throw new UsageError(`--start-cash takes dollars such as 1000.00, got '${v['start-cash']}'`);
    }
    if (startCash <= 0) throw new UsageError(`--start-cash must be positive, got '${v['start-cash']}'`);
  }
  if (v.out !== undefined && v.out === '') throw new UsageError('--out takes a file name');
  return {
    policies,
    seeds,
    sessions,
    markets: wholeFlag('markets', v.markets, EVALUATE_DEFAULTS.markets, 1, 10_000),
    durationMs: wholeFlag('duration-s', v['duration-s'], EVALUATE_DEFAULTS.durationS, 1, 7 * 86_400) * 1000,
    rate: wholeFlag('rate', v.rate, EVALUATE_DEFAULTS.rate, 0, 10_000_000),
    startCash,
    workers: v.workers === undefined ? undefined : wholeFlag('workers', v.workers, 1, 1, 1_024),
    baseline,
    out: v.out,
    json: v.json === true,
    settings: parseEpisodeSettings(dash < 0 ? [] : argv.slice(dash + 1), OWN_SETTINGS, 'evaluate'),
    db: v.db,
    dataDir: v['data-dir'],
  };
}

/** The simulator episodes of a plan, policy-major (every seed of the first policy, then the next …). */
export function episodeSpecs(plan: EvaluatePlan): EpisodeSpec[] {
  return plan.policies.flatMap((policy) =>
    plan.seeds.map((seed) => ({
      policy, seed, markets: plan.markets, durationMs: plan.durationMs, rate: plan.rate,
      ...(plan.startCash === undefined ? {} : { startCash: plan.startCash }),
      ...(Object.keys(plan.settings).length === 0 ? {} : { settings: { ...plan.settings } }),
    })),
  );
}

/** Paper contract size of session episodes, contracts (replay.ts's default; `-- --contract-size N` changes it). */
const SESSION_CONTRACTS = 5;

/** What a session replay takes from the settings after `--`: the paper order size and the cash reserve its gate sees. */
export interface SessionOptions {
  startCash?: number;
  /** Contracts per paper order. */
  contractSize?: number;
  /** µ$. */
  cashReserve?: number;
}

export function sessionOptionsOf(plan: Pick<EvaluatePlan, 'startCash' | 'settings'>): SessionOptions {
  const o: SessionOptions = {};
  if (plan.startCash !== undefined) o.startCash = plan.startCash;
  const size = plan.settings['contract-size'];
  if (size !== undefined) o.contractSize = SETTINGS.contractSize.parse(size);
  const reserve = plan.settings['cash-reserve'];
  if (reserve !== undefined) o.cashReserve = SETTINGS.cashReserve.parse(reserve);
  return o;
}

/** ms from the first to the last timestamped record of a session (0 without two). */
export function recordedSpanMs(session: Pick<RecordedSession, 'records'>): number {
  let first = Infinity;
  let last = -Infinity;
  for (const rec of session.records) {
    const t = rec.ts_ms ?? 0;
    if (t <= 0) continue;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  return last > first ? last - first : 0;
}

/**
 * One recorded session replayed with one policy, as an EpisodeResult: P&L = realized + unrealized
 * − fees (the simulator episodes' definition); every paper order fills (replay.ts's model), so
 * orders sent = orders filled = paper trades; no curve (no drawdown), nothing blocked (replay
 * applies no execution rules); market-hours = markets × the span of the recorded data.
 */
export async function sessionEpisode(session: RecordedSession, policySpec: string, ordinal: number, options: SessionOptions = {}): Promise<EpisodeResult> {
  const policy = await loadPolicy(policySpec);
  const contracts = options.contractSize ?? SESSION_CONTRACTS;
  try {
    const r = await replaySession(session.markets, session.records, { policy, startCash: options.startCash, contractSize: contracts, cashReserve: options.cashReserve });
    const spanMs = recordedSpanMs(session);
    const actions = [0, 0, 0, 0, 0] as [number, number, number, number, number];
    for (let a = 0; a < 5; a++) actions[a] = r.byAction[a] ?? 0;
    return {
      seed: ordinal,
      policy: policySpec,
      pnlMicros: r.realizedPnl + r.unrealizedPnl - r.feesPaid,
      feesMicros: r.feesPaid,
      curve: [],
      curveStepMs: 0,
      actions,
      blocked: {},
      ordersSent: r.paperTrades,
      ordersFilled: r.paperTrades,
      filledCount: r.paperTrades * contracts * 100,
      marketHours: (session.markets.length * spanMs) / 3_600_000,
      bookChanges: r.records,
    };
  } finally {
    await policy.close?.();
  }
}

export interface EvaluateDeps {
  /** Progress output (default: stderr). */
  progressWrite?: (s: string) => void;
  /** Progress redrawn in place (default: stderr is a terminal). */
  tty?: boolean;
  /** Recorded sessions by id (default: from the journal at --db / --data-dir). Throws ReplayError for a missing one. */
  loadSessions?: (ids: readonly string[], plan: EvaluatePlan) => Promise<RecordedSession[]>;
  /** The simulator episodes' runner (default: the piscina pool, episode-pool.ts). */
  runEpisodes?: typeof runEpisodes;
}

async function loadSessionsFromJournal(ids: readonly string[], plan: EvaluatePlan): Promise<RecordedSession[]> {
  const journal = await openJournal({ url: plan.db, dataDir: plan.dataDir, requireConnected: true, spillDir: null });
  try {
    const sessions: RecordedSession[] = [];
    for (const id of ids) sessions.push(await loadSession(journal, id));
    return sessions;
  } finally {
    await journal.close();
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function evaluateCommand(out: (line: string) => void = (l) => console.log(l), err: (line: string) => void = (l) => console.error(l), deps: EvaluateDeps = {}): Command {
  return {
    summary: 'the policy lab: policies over many simulator seeds (and recorded sessions), P&L with confidence intervals, side by side',
    usage: USAGE,
    async run(argv) {
      const plan = parseEvaluateArgs(argv);
      // Models are loaded once here, so a file that is not a usable model is one line before any episode runs.
      for (const spec of plan.policies) {
        if (!/^(onnx|mlp):/.test(spec)) continue;
        try {
          const p = await loadPolicy(spec);
          await p.close?.();
        } catch (e) {
          err(`kalshi-actor evaluate: --policy ${spec}: ${firstLine(e)}`);
          return 1;
        }
      }
      let sessions: RecordedSession[] = [];
      if (plan.sessions.length > 0) {
        try {
          sessions = await (deps.loadSessions ?? loadSessionsFromJournal)(plan.sessions, plan);
        } catch (e) {
          if (!(e instanceof ReplayError)) throw e;
          err(`kalshi-actor evaluate: ${e.message}`);
          return 1;
        }
      }
      return evaluate(plan, sessions, out, err, deps);
    },
  };
}

async function evaluate(plan: EvaluatePlan, sessions: RecordedSession[], out: (line: string) => void, err: (line: string) => void, deps: EvaluateDeps): Promise<number> {
  const progress = new Progress({ total: (plan.seeds.length > 0 ? 1 : 0) + (sessions.length > 0 ? 1 : 0), write: deps.progressWrite, tty: deps.tty });
  const failures: EpisodeFailure[] = [];
  const groups: PolicyEpisodes[] = [];

  // Simulator episodes through the pool; the bar counts simulated seconds (every episode is as long).
  const specs = episodeSpecs(plan);
  let outcomes: EpisodeOutcome[] = [];
  if (specs.length > 0) {
    const durationS = plan.durationMs / 1000;
    progress.point(`${plural(specs.length, 'episode')} (${plural(plan.policies.length, 'policy', 'policies')} × ${plural(plan.seeds.length, 'seed')}), simulated time`, specs.length * durationS);
    outcomes = await (deps.runEpisodes ?? runEpisodes)(specs, {
      workers: plan.workers,
      onDone: (finished, total, o) => {
        const what = `${o.spec.policy as string} seed ${o.spec.seed}`;
        if (o.error !== undefined) progress.log(`evaluate: ${what} failed: ${o.error}`);
        progress.tick(finished * durationS, `${finished}/${total} episodes, last ${what}`);
      },
    });
  }
  for (const policy of plan.policies) {
    const mine = outcomes.filter((o) => o.spec.policy === policy);
    for (const o of mine) if (o.error !== undefined) failures.push({ kind: 'sim', policy, seed: o.spec.seed, error: o.error });
    if (plan.seeds.length > 0) groups.push({ policy, kind: 'sim', results: mine.flatMap((o) => (o.result === undefined ? [] : [o.result])) });
  }

  // Recorded sessions: replayed here, one after another (replay.ts is a loop over the records, no exchange to simulate).
  if (sessions.length > 0) {
    const spans = sessions.map((s) => Math.round(recordedSpanMs(s) / 1000));
    const totalS = spans.reduce((a, b) => a + b, 0) * plan.policies.length;
    progress.point(`${plural(sessions.length * plan.policies.length, 'session replay')} (${plural(plan.policies.length, 'policy', 'policies')} × ${plural(sessions.length, 'session')}), recorded time`, totalS);
    let doneS = 0;
    let finished = 0;
    for (const policy of plan.policies) {
      const results: EpisodeResult[] = [];
      const ids: string[] = [];
      for (let i = 0; i < sessions.length; i++) {
        const id = sessions[i].sessionId;
        try {
          results.push(await sessionEpisode(sessions[i], policy, i + 1, sessionOptionsOf(plan)));
          ids.push(id);
        } catch (e) {
          failures.push({ kind: 'session', policy, seed: i + 1, session: id, error: firstLine(e) });
          progress.log(`evaluate: ${policy} session ${id} failed: ${firstLine(e)}`);
        }
        doneS += spans[i];
        finished++;
        progress.tick(doneS, `${finished}/${sessions.length * plan.policies.length} replays, last ${policy} session ${id}`);
      }
      groups.push({ policy, kind: 'session', results, sessions: ids });
    }
  }

  const report: EvaluationReport = buildReport(
    {
      policies: plan.policies, seeds: plan.seeds, sessions: plan.sessions, markets: plan.markets, durationMs: plan.durationMs, rate: plan.rate,
      startCash: plan.startCash ?? null, settings: plan.settings, baseline: plan.baseline,
    },
    groups,
    failures,
  );
  const episodes = specs.length + sessions.length * plan.policies.length;
  progress.done(`evaluate: ${plural(episodes - failures.length, 'episode')} ran${failures.length > 0 ? `, ${failures.length} failed` : ''}`);
  if (plan.json) out(JSON.stringify(report, null, 2));
  else out(formatReport(report));
  if (plan.out !== undefined) {
    const file = resolve(plan.out);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    // stdout stays pure JSON with --json.
    (plan.json ? err : out)(`report: ${file}`);
  }
  return failures.length === 0 ? 0 : 1;
}

/** Add `evaluate` to `COMMANDS` (idempotent). */
export function registerEvaluateCommand(): void {
  if (COMMANDS.evaluate === undefined) COMMANDS.evaluate = evaluateCommand();
}
