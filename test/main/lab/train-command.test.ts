/**
 * `kalshi-actor train`: the arguments (errors are one line and exit 2), the seed discipline, the
 * files it writes — the model loads through the host's own path (`loadPolicy('onnx:…')` and
 * `loadPolicy('mlp:…')`, the feature-spec hash checked) and in onnxruntime-node, and decides as
 * the trained weights do — and the report. A fake evaluator (a deterministic objective over the
 * weights) keeps these fast; the last test trains on real simulated episodes through the pool.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../../../src/main/cli.js';
import { FEATURES, FEATURE_COUNT, FEATURE_SPEC_HASH, F_BELOW_RESERVE } from '../../../src/shared/observation/features.js';
import { labelObservations, sampleObservations } from '../../../src/shared/onnx/baseline-model.js';
import type { Mlp } from '../../../src/shared/onnx/mlp-graph.js';
import { MODEL_METADATA } from '../../../src/shared/onnx/model-contract.js';
import { decodeModel, metadataValue } from '../../../src/shared/onnx/model-reader.js';
import { applyCashReserveGate } from '../../../src/shared/policy/gates.js';
import { loadPolicy } from '../../../src/shared/policy/load-policy.js';
import { MlpPolicy } from '../../../src/shared/policy/mlp.js';
import { OnnxPolicy } from '../../../src/shared/policy/onnx-policy.js';
import type { Policy } from '../../../src/shared/policy/policy.js';
import type { Evaluator } from '../../../src/main/lab/cem.js';
import type { EpisodeResult } from '../../../src/main/lab/episode-types.js';
import { fromInlineMlp } from '../../../src/main/lab/mlp-params.js';
import {
  defaultReportPath,
  parseTrainArgs,
  registerTrainCommand,
  runTraining,
  seedWarnings,
  signedDollars,
  trainCommand,
  type TrainingReport,
} from '../../../src/main/lab/train-command.js';
import type { PoolEvaluator } from '../../../src/main/lab/episode-pool.js';

const root = mkdtempSync(join(tmpdir(), 'kalshi-actor-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name = 'model.onnx') => join(root, `d${n++}-${name}`);

function result(seed: number, pnlMicros: number): EpisodeResult {
  return {
    seed, policy: 'inline', pnlMicros, feesMicros: 0, curve: [], curveStepMs: 1000, actions: [0, 0, 0, 0, 0],
    blocked: {}, ordersSent: 0, ordersFilled: 0, filledCount: 0, marketHours: 0, bookChanges: 0,
  };
}

/**
 * A stand-in for the simulator: an episode "earns" 1¢ for every one of 200 market-like
 * observations of its seed (sampleObservations) on which the weights pick the baseline rule's
 * action. Deterministic, cheap, and a real policy objective (the argmax of the MLP), so the search
 * has to improve decisions, not just shrink numbers.
 */
const imitation = new Map<number, { x: Float32Array; y: Uint8Array }>();
const imitate: Evaluator = async (specs) =>
  specs.map((s) => {
    if (typeof s.policy === 'string') throw new Error('expected inline weights');
    let d = imitation.get(s.seed);
    if (d === undefined) {
      const x = sampleObservations(200, s.seed);
      imitation.set(s.seed, (d = { x, y: labelObservations(x) }));
    }
    const actions = forward(fromInlineMlp(s.policy.mlp), d.x, 200);
    let agree = 0;
    for (let i = 0; i < 200; i++) if (actions[i] === d.y[i]) agree++;
    return result(s.seed, agree * 10_000);
  });

function fakePool(evaluate: Evaluator = imitate, calls: number[] = []): (plan: unknown) => PoolEvaluator {
  return () => ({ threads: 1, evaluate: (specs) => (calls.push(specs.length), evaluate(specs)), close: async () => undefined });
}

async function train(argv: string[], evaluate?: Evaluator, calls?: number[]) {
  const out: string[] = [];
  const err: string[] = [];
  COMMANDS.train = trainCommand((l) => out.push(l), (l) => err.push(l), { openEvaluator: fakePool(evaluate, calls) });
  const code = await main(['train', ...argv], (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

/** The trained weights' actions, computed here (float32 layers, float64 sums, as MlpPolicy does). */
function forward(mlp: Mlp, obs: Float32Array, rows: number): Uint8Array {
  const actions = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let x: number[] = Array.from(obs.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT));
    for (const l of mlp.layers) {
      const y: number[] = [];
      for (let o = 0; o < l.outputs; o++) {
        let s = l.bias[o];
        for (let i = 0; i < l.inputs; i++) s += l.weight[o * l.inputs + i] * x[i];
        s = Math.fround(s);
        y.push(l.activation === 'relu' ? Math.max(0, s) : s);
      }
      x = y;
    }
    let best = 0;
    for (let a = 1; a < x.length; a++) if (x[a] > x[best]) best = a;
    actions[r] = best;
  }
  return actions;
}

async function decide(policy: Policy, obs: Float32Array, rows: number): Promise<Uint8Array> {
  const actions = new Uint8Array(rows);
  await policy.decide(obs, rows, actions);
  return actions;
}

function agreement(a: Uint8Array, b: Uint8Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

describe('train: arguments', () => {
  it('defaults, and the report beside the model', () => {
    const out = fresh('m.onnx');
    const plan = parseTrainArgs(['--out', out]);
    expect(plan).toMatchObject({
      hidden: [16], iterations: 20, population: 24, eliteFraction: 0.2, sigma: 0.05, markets: 8, durationMs: 300_000, rate: 200, seed: 1,
      init: { kind: 'random' }, workers: undefined, out, report: out.replace(/\.onnx$/, '.report.json'), settings: {},
      trainSeeds: [1001, 1002, 1003, 1004], validationSeeds: [2001, 2002, 2003, 2004],
    });
    expect(defaultReportPath('models/trained.onnx')).toBe('models/trained.report.json');
    expect(defaultReportPath('x')).toBe('x.report.json');
    expect(parseTrainArgs(['--out', out, '--hidden', '32,8', '--init', 'random']).hidden).toEqual([32, 8]);
    expect(parseTrainArgs(['--out', out, '--init', 'onnx:a.onnx']).init).toMatchObject({ kind: 'file' });
    expect(parseTrainArgs(['--out', out, '--workers', '3']).workers).toBe(3);
  });

  it('usage errors are one line and exit 2, before any episode runs', async () => {
    const out = fresh();
    const cases: Array<[string[], RegExp]> = [
      [[], /--out FILE is required/],
      [['--out', out, '--train-seeds', '1001-1004', '--validation-seeds', '1004-1006'], /--train-seeds and --validation-seeds overlap \(1004\)/],
      [['--out', out, '--elite', '0'], /--elite takes a number in \(0, 1\]/],
      [['--out', out, '--elite', '1.5'], /--elite/],
      [['--out', out, '--population', '1'], /--population must be between 2 and 10000/],
      [['--out', out, '--iterations', 'many'], /--iterations takes a whole number/],
      [['--out', out, '--hidden', '16,x'], /--hidden takes a whole number/],
      [['--out', out, '--hidden', '8', '--init', 'baseline'], /--hidden applies to --init random only/],
      [['--out', out, '--init', 'pytorch'], /--init takes random, baseline or onnx:FILE/],
      [['--out', out, '--workers', '0'], /--workers must be between 1 and 256/],
      [['--out', join(root, 'no-such-dir', 'm.onnx')], /--out: directory .* does not exist/],
      [['--out', out, '--report', out], /--report must not be the model file/],
      [['--out', out, '--', '--exchange', 'prod'], /after --: settings: 'exchange' does not apply to an episode/],
      [['--out', out, '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const calls: number[] = [];
      const r = await train(argv, imitate, calls);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.out).toEqual([]);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^kalshi-actor train: /);
      expect(r.err[0]).toMatch(message);
      expect(calls).toEqual([]);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('warns about seeds outside the convention, and always about the reporting seeds', () => {
    expect(seedWarnings({ trainSeeds: [1001, 1002], validationSeeds: [2001] })).toEqual([]);
    expect(seedWarnings({ trainSeeds: [5, 1001], validationSeeds: [2001, 3000] })).toEqual([
      "warning: training seeds 5 are outside the convention's 1000–1999: keep them apart from the seeds you report on",
      "warning: validation seeds 3000 are outside the convention's 2000–2999: keep them apart from the seeds you report on",
    ]);
  });

  it('help lists the seed convention', async () => {
    registerTrainCommand();
    const out: string[] = [];
    expect(await main(['train', '--help'], (l) => out.push(l))).toBe(0);
    expect(out.join('\n')).toMatch(/training 1000–1999, validation 2000–2999/);
    expect(out.join('\n')).toMatch(/1–999/);
  });
});

describe('train: with a fake evaluator', () => {
  it('trains, writes the model and the report, prints progress per iteration', async () => {
    const out = fresh('trained.onnx');
    const calls: number[] = [];
    const r = await train(
      ['--out', out, '--iterations', '3', '--population', '6', '--train-seeds', '1001-1002', '--validation-seeds', '2001', '--markets', '2', '--duration-s', '30', '--seed', '3', '--', '--throttle-ms', '100'],
      imitate,
      calls,
    );
    expect(r.code, r.err.join('\n')).toBe(0);
    // One call per population (6 × 2 training seeds), one per mean (2 + 1 seeds), the start first.
    expect(calls).toEqual([3, 12, 3, 12, 3, 12, 3]);
    expect(r.err[0]).toMatch(/^note: report results \(kalshi-actor evaluate\) on seeds that are neither training \(1001-1002\) nor validation \(2001\) seeds — by convention 1–999$/);
    expect(r.err[1]).toMatch(/^train: 52 → 16 → 5 \(933 parameters\) from random \(seed 3\); 3 iterations × 6 candidates × 2 training seeds/);
    const progress = r.err.slice(2);
    expect(progress).toHaveLength(4);
    expect(progress[0]).toMatch(/^iteration 0\/3  start: training \+\$\d+\.\d+  validation \+\$\d+\.\d+  \(3 episodes, \d+\.\d s\)/);
    for (const line of progress.slice(1)) {
      expect(line).toMatch(/^iteration [1-3]\/3  training best \+\$[\d.]+ elite \+\$[\d.]+ mean \+\$[\d.]+ \| μ training \+\$[\d.]+ validation \+\$[\d.]+  σ [\d.]+  \(15 episodes, \d+\.\d s\)/);
    }
    expect(r.out).toHaveLength(2);
    expect(r.out[0]).toMatch(/^wrote .*trained\.onnx: 52 → 16 → 5, the mean of iteration \d, validation P&L \+\$[\d.]+ per episode \(start \+\$[\d.]+\), feature spec /);

    const report = JSON.parse(readFileSync(out.replace(/\.onnx$/, '.report.json'), 'utf8')) as TrainingReport;
    expect(report.kind).toBe('kalshi-actor-train');
    expect(report.featureSpecHash).toBe(FEATURE_SPEC_HASH);
    expect(report.settings).toMatchObject({
      method: 'cem', parameters: 933, iterations: 3, population: 6, eliteCount: 2, trainSeeds: '1001-1002', validationSeeds: '2001',
      markets: 2, durationMs: 30_000, rate: 200, settings: { 'throttle-ms': '100' }, init: 'random (seed 3)',
    });
    expect(report.curve.map((c) => c.iteration)).toEqual([0, 1, 2, 3]);
    // Imitating the rule pays on every seed: validation improves, and the model is the best mean on it.
    const vals = report.curve.map((c) => c.validationMicros);
    const chosen = report.choice.iteration;
    expect(chosen).toBeGreaterThan(0);
    expect(vals[chosen]).toBe(Math.max(...vals));
    expect(vals[chosen]).toBeGreaterThan(vals[0]);
    expect(report.choice).toMatchObject({ validationMicros: vals[chosen], improvementMicros: vals[chosen] - vals[0], model: out });
    expect(report.bestTraining.trainingMicros).toBeGreaterThan(report.start.trainingMicros);
    expect(report.episodes).toBe(3 + 3 * 15);

    // The model: the host's checks, the training metadata.
    const model = decodeModel(readFileSync(out));
    expect(metadataValue(model.metadata, MODEL_METADATA.featureSpecHash)).toBe(FEATURE_SPEC_HASH);
    expect(metadataValue(model.metadata, MODEL_METADATA.featureCount)).toBe('52');
    const training = JSON.parse(metadataValue(model.metadata, 'training')!) as Record<string, unknown>;
    expect(training).toMatchObject({ method: 'cem', iterations: 3, trainSeeds: '1001-1002', validationSeeds: '2001', chosenIteration: chosen, validationPnlMicros: vals[chosen], widths: [52, 16, 5] });
    expect(model.docString).toMatch(/trained by kalshi-actor train: cross-entropy method/);
    for (const spec of [`onnx:${out}`, `mlp:${out}`]) {
      const p = await loadPolicy(spec);
      expect(p.featureSpecHash).toBe(FEATURE_SPEC_HASH);
      await p.close?.();
    }
  });

  it('is deterministic: the same command writes the same model bytes', async () => {
    const argv = (out: string) => ['--out', out, '--iterations', '2', '--population', '4', '--train-seeds', '1001', '--validation-seeds', '2001', '--seed', '9'];
    const a = fresh();
    const b = fresh();
    expect((await train(argv(a))).code).toBe(0);
    expect((await train(argv(b))).code).toBe(0);
    expect(readFileSync(b)).toEqual(readFileSync(a));
    const c = fresh();
    expect((await train([...argv(c).slice(0, -1), '10'])).code).toBe(0);
    expect(readFileSync(c)).not.toEqual(readFileSync(a));
  });

  it('the exported model decides as the trained weights do: onnxruntime-node, MlpPolicy and the host path', async () => {
    const out = fresh();
    const plan = parseTrainArgs(['--out', out, '--iterations', '2', '--population', '4', '--train-seeds', '1001', '--validation-seeds', '2001', '--hidden', '12']);
    const outcome = await runTraining(plan, imitate, () => undefined);
    writeFileSync(out, outcome.bytes);
    const rows = 256;
    const obs = sampleObservations(rows, 77);
    // Some rows below the cash reserve: the host's path gates openings there.
    for (let r = 0; r < rows; r += 5) obs[r * FEATURE_COUNT + F_BELOW_RESERVE] = 1;
    const expected = forward(outcome.mlp, obs, rows);
    expect(new Set(expected).size).toBeGreaterThan(1); // not a constant policy: the comparison means something

    const js = await MlpPolicy.load(out);
    expect(await decide(js, obs, rows)).toEqual(expected);
    const ort = await OnnxPolicy.load(out);
    // onnxruntime sums in float32: a near-tie may break the other way, nothing more.
    expect(agreement(await decide(ort, obs, rows), expected)).toBeGreaterThanOrEqual(0.99);
    await ort.close();

    const gated = expected.slice();
    applyCashReserveGate(obs, rows, gated);
    expect(gated).not.toEqual(expected);
    const viaMlp = await loadPolicy(`mlp:${out}`);
    expect(await decide(viaMlp, obs, rows)).toEqual(gated);
    const viaOnnx = await loadPolicy(`onnx:${out}`);
    expect(agreement(await decide(viaOnnx, obs, rows), gated)).toBeGreaterThanOrEqual(0.99);
    await viaOnnx.close?.();

    // Uniform random rows over every feature's range too.
    const uniform = new Float32Array(rows * FEATURE_COUNT);
    let s = 4321;
    for (let r = 0; r < rows; r++) {
      for (const f of FEATURES) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        uniform[r * FEATURE_COUNT + f.index] = f.clip[0] + ((f.clip[1] - f.clip[0]) * s) / 2 ** 32;
      }
    }
    expect(await decide(js, uniform, rows)).toEqual(forward(outcome.mlp, uniform, rows));
  });

  it('starts from the shipped baseline, keeping its shape', async () => {
    const out = fresh();
    const r = await train(['--out', out, '--init', 'baseline', '--iterations', '1', '--population', '2', '--train-seeds', '1001', '--validation-seeds', '2001']);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err[1]).toMatch(/^train: 52 → 32 → 32 → 5 \(2917 parameters\) from baseline \(models\/baseline-mlp\.onnx\)/);
    expect((await MlpPolicy.load(out)).widths).toEqual([52, 32, 32, 5]);
  });

  it('a starting model that cannot be read, or an episode that fails, is one line and exit 1', async () => {
    const missing = await train(['--out', fresh(), '--init', `onnx:${join(root, 'nope.onnx')}`]);
    expect(missing.code).toBe(1);
    expect(missing.err.at(-1)).toMatch(/^kalshi-actor train: .*nope\.onnx/);
    const junk = join(root, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    const bad = await train(['--out', fresh(), '--init', `onnx:${junk}`]);
    expect(bad.code).toBe(1);
    expect(bad.err.at(-1)).toMatch(/^kalshi-actor train: .*junk\.onnx/);
    const out = fresh();
    const failing: Evaluator = async () => {
      throw new Error('episode on seed 1001 failed: the simulator broke\nstack…');
    };
    const r = await train(['--out', out, '--iterations', '1', '--population', '2'], failing);
    expect(r.code).toBe(1);
    expect(r.err.at(-1)).toBe('kalshi-actor train: episode on seed 1001 failed: the simulator broke');
    expect(existsSync(out)).toBe(false);
  });

  it('money in exact dollars', () => {
    expect(signedDollars(0)).toBe('$0.00');
    expect(signedDollars(1_250_000)).toBe('+$1.25');
    expect(signedDollars(-35_000)).toBe('-$0.0350');
    expect(signedDollars(-1)).toBe('-$0.000001');
  });
});

describe('train: on real simulated episodes (the piscina pool)', () => {
  async function realTrain(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    COMMANDS.train = trainCommand((l) => out.push(l), (l) => err.push(l));
    const code = await main(['train', ...argv], (l) => out.push(l), (l) => err.push(l));
    return { code, out, err };
  }
  const tiny = (out: string, workers: string) => [
    '--out', out, '--population', '6', '--iterations', '2', '--train-seeds', '1001', '--validation-seeds', '2001',
    '--markets', '2', '--duration-s', '30', '--workers', workers,
  ];

  it('a tiny run beats its starting weights on its training seed; the file written is the policy validated; workers do not matter', async () => {
    const out = fresh('real.onnx');
    const r = await realTrain(tiny(out, '2'));
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err.filter((l) => l.startsWith('iteration '))).toHaveLength(3);
    const report = JSON.parse(readFileSync(defaultReportPath(out), 'utf8')) as TrainingReport;
    expect(report.episodes).toBe(2 + 2 * (6 + 2));
    // Strictly better: some candidate of the search earned more on the training seed than the start did.
    expect(report.bestTraining.iteration).toBeGreaterThan(0);
    expect(report.bestTraining.trainingMicros).toBeGreaterThan(report.start.trainingMicros);
    expect(Math.max(...report.curve.slice(1).map((c) => c.training.bestMicros))).toBe(report.bestTraining.trainingMicros);

    // The model file is exactly the weights validated: its episode on the validation seed, through
    // the host's `mlp:FILE` path, earns the figure the report chose it for.
    const { runEpisode } = await import('../../../src/main/lab/episode.js');
    const replay = await runEpisode({ policy: `mlp:${out}`, seed: 2001, markets: 2, durationMs: 30_000, rate: 200 });
    expect(replay.pnlMicros).toBe(report.choice.validationSumMicros);
    for (const spec of [`onnx:${out}`, `mlp:${out}`]) await (await loadPolicy(spec)).close?.();

    // Deterministic whatever the number of threads.
    const one = fresh('real-1.onnx');
    expect((await realTrain(tiny(one, '1'))).code).toBe(0);
    expect(readFileSync(one)).toEqual(readFileSync(out));
  });
});
