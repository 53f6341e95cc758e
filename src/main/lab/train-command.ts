/**
 * `kalshi-actor train` (issue 11, the policy lab): trains a small MLP policy (52 → hidden → 5)
 * without Python, by the cross-entropy method (./cem.ts) over its weights, scoring every candidate
 * by the P&L of simulated episodes (./episode-types.ts: the live decision path on a virtual clock),
 * run in parallel on a piscina pool. Writes the ONNX model that did best on the validation seeds,
 * stamped with the feature-spec hash and the training's settings and result, and a training
 * report (JSON: per iteration the training and validation P&L; the final choice).
 *
 * Seeds, three disjoint sets (a convention; only the first rule is enforced):
 *   training    1000–1999   scores the candidates (the search fits them);
 *   validation  2000–2999   scores each iteration's mean policy (the choice of the model fits them);
 *   reporting   1–999       what a result is reported on (`kalshi-actor evaluate`), seen by neither.
 * Overlapping training and validation sets are refused (exit 2); seeds outside their range are
 * accepted with a warning; the seeds of a report cannot be checked here, so the command says so.
 *
 * Exit: 0 trained and written, 1 an episode or the model/report write failed (one line),
 * 2 a usage error (one line).
 *
 * The episodes run on one piscina pool for the whole training (the episode task of
 * ./episode-pool.ts, kept warm between iterations, instead of a pool per call); results come back
 * in submission order, so the training is deterministic whatever the number of workers.
 */
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS, UsageError, parseFlags, type Command } from '../cli.js';
import { FEATURE_SPEC_HASH } from '../../shared/observation/features.js';
import { formatMoney } from '../../shared/fixed-point.js';
import { mlpModelBytes } from '../../shared/onnx/baseline-model.js';
import { extractMlp, MlpGraphError, type Mlp } from '../../shared/onnx/mlp-graph.js';
import { decodeModel } from '../../shared/onnx/model-reader.js';
import { ProtoDecodeError } from '../../shared/onnx/protobuf.js';
import { MlpPolicy } from '../../shared/policy/mlp.js';
import { ModelLoadError } from '../../shared/policy/onnx-errors.js';
import { checkModelBytes, readModelBytes } from '../../shared/policy/onnx-model-file.js';
import { trainCem, type CemIteration, type CemResult, type Evaluator } from './cem.js';
import type { EpisodeSpec, InlineMlp } from './episode-types.js';
import { openEpisodePool, type PoolEvaluator } from './episode-pool.js';
import { formatSeeds, MAX_SEED, parseEpisodeSettings, parseSeeds, wholeFlag } from './lab-args.js';
import { flattenMlp, paramCount, policyShape, randomParams, shapeOf, toInlineMlp, toMlp, type MlpShape } from './mlp-params.js';

const USAGE =
  'kalshi-actor train --out FILE.onnx [--hidden 16] [--iterations 20] [--population 24] [--elite 0.2] [--sigma 0.05]\n' +
  '                   [--train-seeds 1001-1004] [--validation-seeds 2001-2004] [--markets 8] [--duration-s 300] [--rate 200]\n' +
  '                   [--seed 1] [--init random|baseline|onnx:FILE] [--workers N] [--report FILE.json] [-- execution settings]\n' +
  '\n' +
  'Trains a policy MLP (52 → hidden (ReLU) → 5) by the cross-entropy method: every iteration samples\n' +
  '--population weight vectors around the current mean, scores each by its mean P&L over simulated\n' +
  'episodes on the training seeds (all of them in parallel on --workers threads), refits the mean and\n' +
  'spread to the best --elite share, and scores the new mean on the validation seeds. Writes the mean\n' +
  'that did best on validation as ONNX (feature-spec hash and training metadata inside; loads with\n' +
  '--policy onnx:FILE or mlp:FILE) and the training report (default: FILE without .onnx + .report.json).\n' +
  '\n' +
  '  --hidden 16          hidden layer widths, e.g. 16 or 32,32 (random init only; baseline/onnx keep their shape)\n' +
  '  --init random        starting weights: random (small, from --seed), baseline (models/baseline-mlp.onnx),\n' +
  '                       onnx:FILE (a dense 52 → … → 5 model of this feature spec; mlp:FILE is the same)\n' +
  '  --sigma 0.05         initial standard deviation of every weight in the search\n' +
  '  --train-seeds, --validation-seeds   lists and ranges (1001-1004,1010); must not overlap\n' +
  '  --markets, --duration-s, --rate     each episode: markets, simulated seconds, book messages per second\n' +
  '  --workers N          episode threads (default: the machine\'s parallelism)\n' +
  '  -- settings          execution settings as `run` takes them (--throttle-ms 250 --contract-size 5 …)\n' +
  '\n' +
  'Seeds: training 1000–1999, validation 2000–2999, and report results (kalshi-actor evaluate) on\n' +
  'seeds 1–999 that neither has seen. Exit 0 written, 1 failed, 2 usage error.';

/** The seed ranges of the convention (inclusive). */
export const SEED_CONVENTION = Object.freeze({
  training: [1000, 1999] as const,
  validation: [2000, 2999] as const,
  reporting: [1, 999] as const,
});

const DEFAULTS = {
  hidden: [16],
  iterations: 20,
  population: 24,
  elite: 0.2,
  sigma: 0.05,
  trainSeeds: '1001-1004',
  validationSeeds: '2001-2004',
  markets: 8,
  durationS: 300,
  rate: 200,
  seed: 1,
};


/** Most seeds per set: every candidate of every iteration runs on each training seed. */
const MAX_TRAINING_SEEDS = 10_000;

export type InitSpec = { kind: 'random' } | { kind: 'baseline' } | { kind: 'file'; file: string };

export interface TrainPlan {
  hidden: number[];
  /** --hidden was given (only random starting weights take it). */
  hiddenGiven: boolean;
  iterations: number;
  population: number;
  eliteFraction: number;
  sigma: number;
  trainSeeds: number[];
  validationSeeds: number[];
  markets: number;
  durationMs: number;
  rate: number;
  seed: number;
  init: InitSpec;
  workers: number | undefined;
  out: string;
  report: string;
  /** Execution settings for every episode (flag name without `--` → text). */
  settings: Record<string, string>;
}


function real(flag: string, text: string | undefined, fallback: number, ok: (x: number) => boolean, range: string): number {
  if (text === undefined) return fallback;
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag} takes a number ${range}, got '${text}'`);
  return n;
}




/** The report's default path: the model's without `.onnx`, plus `.report.json`. */
export function defaultReportPath(out: string): string {
  return `${out.replace(/\.onnx$/i, '')}.report.json`;
}

/** The plan from the command line; throws UsageError on a bad flag. */
export function parseTrainArgs(argv: string[]): TrainPlan {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const settingsArgs = dash < 0 ? [] : argv.slice(dash + 1);
  const { values: v } = parseFlags(own, {
    hidden: { type: 'string' },
    iterations: { type: 'string' },
    population: { type: 'string' },
    elite: { type: 'string' },
    sigma: { type: 'string' },
    'train-seeds': { type: 'string' },
    'validation-seeds': { type: 'string' },
    markets: { type: 'string' },
    'duration-s': { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    init: { type: 'string' },
    workers: { type: 'string' },
    out: { type: 'string' },
    report: { type: 'string' },
  });
  if (v.out === undefined || v.out === '') throw new UsageError('--out FILE is required (where to write the trained model)');
  const hidden = v.hidden === undefined ? DEFAULTS.hidden : v.hidden.split(',').map((w) => wholeFlag('hidden', w, 0, 1, 4_096));
  if (hidden.length > 8) throw new UsageError(`--hidden takes at most 8 layers, got ${hidden.length}`);
  const init = parseInit(v.init);
  if (v.hidden !== undefined && init.kind !== 'random') throw new UsageError(`--hidden applies to --init random only; --init ${v.init} keeps the model's shape`);
  const trainSeeds = parseSeeds(v['train-seeds'] ?? DEFAULTS.trainSeeds, 'train-seeds', MAX_TRAINING_SEEDS);
  const validationSeeds = parseSeeds(v['validation-seeds'] ?? DEFAULTS.validationSeeds, 'validation-seeds', MAX_TRAINING_SEEDS);
  const train = new Set(trainSeeds);
  const shared = validationSeeds.filter((s) => train.has(s));
  if (shared.length > 0) {
    throw new UsageError(`--train-seeds and --validation-seeds overlap (${formatSeeds(shared)}): validation must be on seeds the training never saw`);
  }
  const out = resolve(v.out);
  const outDir = dirname(out);
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new UsageError(`--out: directory ${outDir} does not exist`);
  const report = resolve(v.report ?? defaultReportPath(v.out));
  if (report === out) throw new UsageError('--report must not be the model file');
  return {
    hidden,
    hiddenGiven: v.hidden !== undefined,
    iterations: wholeFlag('iterations', v.iterations, DEFAULTS.iterations, 1, 10_000),
    population: wholeFlag('population', v.population, DEFAULTS.population, 2, 10_000),
    eliteFraction: real('elite', v.elite, DEFAULTS.elite, (x) => x > 0 && x <= 1, 'in (0, 1]'),
    sigma: real('sigma', v.sigma, DEFAULTS.sigma, (x) => x > 0 && x <= 10, 'in (0, 10]'),
    trainSeeds,
    validationSeeds,
    markets: wholeFlag('markets', v.markets, DEFAULTS.markets, 1, 10_000),
    durationMs: wholeFlag('duration-s', v['duration-s'], DEFAULTS.durationS, 1, 86_400) * 1000,
    rate: wholeFlag('rate', v.rate, DEFAULTS.rate, 1, 1_000_000),
    seed: wholeFlag('seed', v.seed, DEFAULTS.seed, 0, MAX_SEED),
    init,
    workers: v.workers === undefined ? undefined : wholeFlag('workers', v.workers, 1, 1, 256),
    out,
    report,
    settings: parseEpisodeSettings(settingsArgs),
  };
}

function parseInit(text: string | undefined): InitSpec {
  if (text === undefined || text === 'random') return { kind: 'random' };
  if (text === 'baseline') return { kind: 'baseline' };
  const m = /^(onnx|mlp):(.+)$/.exec(text);
  if (m !== null) return { kind: 'file', file: resolve(m[2]) };
  throw new UsageError(`--init takes random, baseline or onnx:FILE, got '${text}'`);
}

/** Seeds outside the convention's ranges, as warnings (one line each). */
export function seedWarnings(plan: Pick<TrainPlan, 'trainSeeds' | 'validationSeeds'>): string[] {
  const out: string[] = [];
  const check = (what: 'training' | 'validation', seeds: readonly number[]) => {
    const [lo, hi] = SEED_CONVENTION[what];
    const outside = seeds.filter((s) => s < lo || s > hi);
    if (outside.length > 0) out.push(`warning: ${what} seeds ${formatSeeds(outside)} are outside the convention's ${lo}–${hi}: keep them apart from the seeds you report on`);
  };
  check('training', plan.trainSeeds);
  check('validation', plan.validationSeeds);
  return out;
}

/** models/baseline-mlp.onnx of this checkout (found by walking up to the package). */
export function baselineModelPath(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'models', 'baseline-mlp.onnx');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('models/baseline-mlp.onnx not found above the train command');
  }
}

/** The starting weights and their shape. Throws ModelLoadError / ModelMismatchError for a bad file. */
export async function startingPoint(plan: Pick<TrainPlan, 'init' | 'hidden' | 'seed'>): Promise<{ shape: MlpShape; params: Float64Array; label: string }> {
  if (plan.init.kind === 'random') {
    const shape = policyShape(plan.hidden);
    return { shape, params: randomParams(shape, plan.seed), label: `random (seed ${plan.seed})` };
  }
  const file = plan.init.kind === 'baseline' ? baselineModelPath() : plan.init.file;
  const checked = checkModelBytes(await readModelBytes(file), file, FEATURE_SPEC_HASH);
  let mlp: Mlp;
  try {
    mlp = extractMlp(decodeModel(checked.bytes));
  } catch (e) {
    if (e instanceof MlpGraphError || e instanceof ProtoDecodeError) throw new ModelLoadError('unsupported-graph', file, `cannot train from it: ${e.message}`, e);
    throw e;
  }
  let shape: MlpShape;
  try {
    shape = shapeOf(mlp);
  } catch (e) {
    if (e instanceof RangeError) throw new ModelLoadError('unsupported-graph', file, `cannot train from it: ${e.message}`, e);
    throw e;
  }
  return { shape, params: flattenMlp(mlp), label: plan.init.kind === 'baseline' ? 'baseline (models/baseline-mlp.onnx)' : `onnx:${file}` };
}

/** µ$ as exact dollars with the fewest of 2, 4 or 6 decimals, signed: +$1.25, -$0.0350, $0.00. */
export function signedDollars(m: number): string {
  const abs = Math.abs(m);
  const decimals = abs % 10_000 === 0 ? 2 : abs % 100 === 0 ? 4 : 6;
  return `${m < 0 ? '-' : m > 0 ? '+' : ''}$${formatMoney(abs, decimals)}`;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One progress line per iteration (stderr). */
export function progressLine(r: CemIteration, iterations: number, bestIteration: number): string {
  const head = `iteration ${String(r.iteration).padStart(String(iterations).length)}/${iterations}`;
  const mark = r.iteration === bestIteration ? '  ← best on validation' : '';
  if (r.iteration === 0) {
    return `${head}  start: training ${signedDollars(r.meanTrainMicros)}  validation ${signedDollars(r.validationMicros)}  (${r.episodes} episodes, ${seconds(r.elapsedMs)})${mark}`;
  }
  const t = r.train;
  return (
    `${head}  training best ${signedDollars(t.bestMicros)} elite ${signedDollars(t.eliteMicros)} mean ${signedDollars(t.meanMicros)}` +
    ` | μ training ${signedDollars(r.meanTrainMicros)} validation ${signedDollars(r.validationMicros)}` +
    `  σ ${r.sigmaMean.toPrecision(3)}  (${r.episodes} episodes, ${seconds(r.elapsedMs)})${mark}`
  );
}

/** What the training was, as the report and the model's metadata state it. */
export interface TrainingSettings {
  method: 'cem';
  shape: MlpShape;
  parameters: number;
  init: string;
  iterations: number;
  population: number;
  eliteFraction: number;
  eliteCount: number;
  sigma: number;
  seed: number;
  trainSeeds: string;
  validationSeeds: string;
  markets: number;
  durationMs: number;
  rate: number;
  settings: Record<string, string>;
}

export interface TrainingReport {
  kind: 'kalshi-actor-train';
  version: 1;
  featureSpecHash: string;
  settings: TrainingSettings;
  /** Per-episode means, µ$. */
  start: { trainingMicros: number; validationMicros: number };
  /** Iteration 0 (the start) then one entry per iteration; P&L as per-episode means, µ$ (rounded to the µ$). */
  curve: Array<{
    iteration: number;
    training: { candidates: number; meanMicros: number; bestMicros: number; eliteMicros: number; worstMicros: number };
    meanTrainingMicros: number;
    validationMicros: number;
    sigmaMean: number;
    episodes: number;
    elapsedMs: number;
  }>;
  /** The model written: the mean of that iteration, the best on validation (ties: the earliest). */
  choice: { iteration: number; validationMicros: number; validationSumMicros: number; improvementMicros: number; model: string };
  /** The best training score seen (a candidate or a mean), for comparison with the start's. */
  bestTraining: { iteration: number; trainingMicros: number };
  episodes: number;
  elapsedMs: number;
}

/** The trained model's ONNX bytes: the contract's metadata plus `training` (JSON of the settings and the result). */
export function trainedModelBytes(mlp: Mlp, settings: TrainingSettings, choice: TrainingReport['choice'], start: TrainingReport['start']): Uint8Array {
  const widths = settings.shape.widths.join(' → ');
  const doc =
    `Policy MLP (${widths}) trained by kalshi-actor train: cross-entropy method, ${settings.iterations} iterations × ${settings.population} candidates, ` +
    `training seeds ${settings.trainSeeds}, validation seeds ${settings.validationSeeds}, ${settings.markets} markets × ${settings.durationMs / 1000} s at ${settings.rate} msg/s; ` +
    `the mean of iteration ${choice.iteration}: validation P&L ${signedDollars(choice.validationMicros)} per episode (start ${signedDollars(start.validationMicros)}).`;
  const { shape, ...rest } = settings;
  const training = {
    ...rest,
    widths: shape.widths,
    activations: shape.activations,
    chosenIteration: choice.iteration,
    validationPnlMicros: choice.validationMicros,
    startValidationPnlMicros: start.validationMicros,
  };
  return mlpModelBytes(mlp, doc, { producerVersion: 'train/1', graphName: 'trained_mlp', extra: [{ key: 'training', value: JSON.stringify(training) }] });
}

export interface TrainingOutcome {
  report: TrainingReport;
  /** The chosen weights (the model written). */
  mlp: Mlp;
  bytes: Uint8Array;
  result: CemResult;
}

export interface RunOptions {
  /** Threads running the episodes (for the header line). */
  threads?: number;
  now?: () => number;
}

/** Trains by the plan with `evaluate` running the episodes; lines to `log` (stderr). Writes nothing. */
export async function runTraining(plan: TrainPlan, evaluate: Evaluator, log: (line: string) => void, o: RunOptions = {}): Promise<TrainingOutcome> {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const startAt = await startingPoint(plan);
  const { shape } = startAt;
  const nTrain = plan.trainSeeds.length;
  log(
    `train: ${shape.widths.join(' → ')} (${paramCount(shape)} parameters) from ${startAt.label}; ` +
      `${plural(plan.iterations, 'iteration')} × ${plan.population} candidates × ${plural(nTrain, 'training seed')}, then the mean on ${nTrain} + ${plural(plan.validationSeeds.length, 'validation seed')}; ` +
      `${plan.markets} markets × ${plan.durationMs / 1000} s at ${plan.rate} msg/s` +
      (o.threads === undefined ? '' : `; ${plural(o.threads, 'worker')}`),
  );
  const episode = { markets: plan.markets, durationMs: plan.durationMs, rate: plan.rate, settings: plan.settings };
  // The specs of one candidate share its inline weights (converted once).
  let lastParams: Float64Array | null = null;
  let lastInline: InlineMlp | null = null;
  const spec = (params: Float64Array, seed: number): EpisodeSpec => {
    if (params !== lastParams) {
      lastParams = params;
      lastInline = toInlineMlp(shape, params);
    }
    return { policy: { mlp: lastInline! }, seed, ...episode };
  };
  let bestIteration = 0;
  let bestSum = -Infinity;
  const result = await trainCem({
    start: startAt.params,
    spec,
    evaluate,
    trainSeeds: plan.trainSeeds,
    validationSeeds: plan.validationSeeds,
    iterations: plan.iterations,
    population: plan.population,
    eliteFraction: plan.eliteFraction,
    seed: (plan.seed ^ 0x5bd1e995) >>> 0,
    sigma0: plan.sigma,
    now,
    onIteration: (r) => {
      if (r.validationSumMicros > bestSum) {
        bestSum = r.validationSumMicros;
        bestIteration = r.iteration;
      }
      log(progressLine(r, plan.iterations, bestIteration));
    },
  });
  const settings: TrainingSettings = {
    method: 'cem',
    shape,
    parameters: paramCount(shape),
    init: startAt.label,
    iterations: plan.iterations,
    population: plan.population,
    eliteFraction: plan.eliteFraction,
    eliteCount: result.eliteCount,
    sigma: plan.sigma,
    seed: plan.seed,
    trainSeeds: formatSeeds(plan.trainSeeds),
    validationSeeds: formatSeeds(plan.validationSeeds),
    markets: plan.markets,
    durationMs: plan.durationMs,
    rate: plan.rate,
    settings: plan.settings,
  };
  const start = { trainingMicros: result.start.trainMicros, validationMicros: result.start.validationMicros };
  const choice: TrainingReport['choice'] = {
    iteration: result.best.iteration,
    validationMicros: result.best.scoreMicros,
    validationSumMicros: result.best.sumMicros,
    improvementMicros: result.best.scoreMicros - result.start.validationMicros,
    model: plan.out,
  };
  const mlp = toMlp(shape, result.best.params);
  const report: TrainingReport = {
    kind: 'kalshi-actor-train',
    version: 1,
    featureSpecHash: FEATURE_SPEC_HASH,
    settings,
    start,
    curve: result.iterations.map((r) => ({
      iteration: r.iteration,
      training: { ...r.train },
      meanTrainingMicros: r.meanTrainMicros,
      validationMicros: r.validationMicros,
      sigmaMean: Math.round(r.sigmaMean * 1e6) / 1e6,
      episodes: r.episodes,
      elapsedMs: Math.round(r.elapsedMs),
    })),
    choice,
    bestTraining: { iteration: result.bestTrain.iteration, trainingMicros: result.bestTrain.scoreMicros },
    episodes: result.episodes,
    elapsedMs: Math.round(now() - t0),
  };
  return { report, mlp, bytes: trainedModelBytes(mlp, settings, choice, start), result };
}

export interface TrainDeps {
  /** The evaluator (tests: a fake); default: the piscina episode pool. */
  openEvaluator?: (plan: TrainPlan) => PoolEvaluator;
}

function rel(path: string): string {
  const cwd = process.cwd();
  return path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
}

export function trainCommand(out: (line: string) => void = (l) => console.log(l), err: (line: string) => void = (l) => console.error(l), deps: TrainDeps = {}): Command {
  return {
    summary: 'train a policy MLP on simulated episodes (cross-entropy method), write it as ONNX with a training report',
    usage: USAGE,
    async run(argv) {
      const plan = parseTrainArgs(argv);
      for (const w of seedWarnings(plan)) err(w);
      err(
        `note: report results (kalshi-actor evaluate) on seeds that are neither training (${formatSeeds(plan.trainSeeds)}) nor validation (${formatSeeds(plan.validationSeeds)}) seeds — ` +
          `by convention ${SEED_CONVENTION.reporting[0]}–${SEED_CONVENTION.reporting[1]}`,
      );
      const perIteration = plan.population * plan.trainSeeds.length;
      let pool: PoolEvaluator | undefined;
      try {
        pool = (deps.openEvaluator ?? ((p) => openEpisodePool(p.workers, perIteration)))(plan);
        const outcome = await runTraining(plan, pool.evaluate, err, { threads: pool.threads });
        await writeFile(plan.out, outcome.bytes);
        await writeFile(plan.report, `${JSON.stringify(outcome.report, null, 2)}\n`);
        // The host's own check of the file: hash, shapes, a dense chain.
        await MlpPolicy.load(plan.out);
        const c = outcome.report.choice;
        out(
          `wrote ${rel(plan.out)}: ${outcome.report.settings.shape.widths.join(' → ')}, the mean of iteration ${c.iteration}, ` +
            `validation P&L ${signedDollars(c.validationMicros)} per episode (start ${signedDollars(outcome.report.start.validationMicros)}), feature spec ${FEATURE_SPEC_HASH}`,
        );
        out(`report: ${rel(plan.report)} (${outcome.report.episodes} episodes in ${seconds(outcome.report.elapsedMs)})`);
        return 0;
      } catch (e) {
        // A bad starting model (ModelLoadError, ModelMismatchError), a failed episode, a write: one line.
        if (e instanceof UsageError || !(e instanceof Error)) throw e;
        err(`kalshi-actor train: ${e.message.split('\n')[0]}`);
        return 1;
      } finally {
        await pool?.close().catch(() => undefined);
      }
    },
  };
}

/** Add `train` to `COMMANDS` (idempotent). */
export function registerTrainCommand(): void {
  if (COMMANDS.train === undefined) COMMANDS.train = trainCommand();
}
