/**
 * The cross-entropy method over a flat parameter vector (issue 11): gradient-free, so it trains a
 * policy on what the simulator says it earns, through the live decision path, without Python and
 * without a differentiable model of the market.
 *
 * The search distribution is a Gaussian with mean μ and a σ per parameter. Every iteration:
 * 1. samples `population` candidates μ + σ⊙ε (antithetic pairs ε, −ε by default: the pair's
 *    noise cancels in the mean, which halves the drift of μ caused by sampling alone);
 * 2. scores each candidate by its mean P&L over the TRAINING seeds — candidate × seed is one
 *    episode, and all of an iteration's episodes go to the evaluator in ONE call, so a pool runs
 *    them in parallel;
 * 3. keeps the elite (the best `eliteFraction`, at least 2) and refits μ to their mean and σ to
 *    their spread plus extra noise that decays geometrically (σᵢ² = var_eliteᵢ + (noise·decayᵗ)²,
 *    floored at `sigmaMin`), so the search does not collapse onto the first lucky elite;
 * 4. evaluates the new μ on the VALIDATION seeds (and on the training seeds, to show the gap):
 *    the curve of the report. The μ that did best on validation is the result.
 * Iteration 0 evaluates the starting point the same way, so the curve starts where training did.
 *
 * Seeds: training, validation and the seeds results are reported on must be three disjoint sets
 * (train-command.ts enforces the first two); choosing μ on validation seeds overfits them a
 * little, which is why a result is only worth reporting on seeds neither step has seen.
 *
 * Deterministic: the only randomness is Xorshift32 from `seed`, candidates are drawn in a fixed
 * order, ties in rank go to the lower candidate index and in validation to the earlier μ; with a
 * deterministic evaluator the same options give the same result, bit for bit. Every vector that
 * is evaluated or returned is float32-representable (Math.fround), so its score is the score of
 * exactly the float32 model written out.
 *
 * Money: P&L figures are µ$. A candidate's score is its SUM over the training seeds (an exact
 * integer; ranking by it is ranking by the mean); the `…Micros` means in the records are those
 * sums divided by the episode count, rounded to the µ$.
 */
import { Xorshift32 } from '../../shared/onnx/mlp-trainer.js';
import type { EpisodeResult, EpisodeSpec } from './episode-types.js';

/** Runs episodes; results in the order of the specs. */
export type Evaluator = (specs: EpisodeSpec[]) => Promise<EpisodeResult[]>;

export interface CemOptions {
  /** The starting mean μ₀ (rounded to float32). */
  start: Float64Array;
  /** The episode that scores a parameter vector on one seed. */
  spec: (params: Float64Array, seed: number) => EpisodeSpec;
  evaluate: Evaluator;
  trainSeeds: readonly number[];
  validationSeeds: readonly number[];
  iterations: number;
  /** Candidates per iteration (≥ 2). */
  population: number;
  /** Share of the population kept to refit (0, 1]; at least 2 candidates are kept. Default 0.2. */
  eliteFraction?: number;
  /** RNG seed of the sampling. */
  seed: number;
  /** Initial σ of every parameter. Default 0.1. */
  sigma0?: number;
  /** Extra noise (standard deviation) added to the refit σ at the first iteration. Default sigma0 / 2. */
  extraNoise?: number;
  /** The extra noise is multiplied by this every iteration. Default 0.8. */
  noiseDecay?: number;
  /** σ never drops below this. Default 1e-3. */
  sigmaMin?: number;
  /** Sample antithetic pairs (ε, −ε). Default true. */
  antithetic?: boolean;
  /** Called after iteration 0 (the start) and after every iteration. */
  onIteration?: (record: CemIteration, state: CemState) => void;
  /** Clock for the records' elapsed time (ms). Default performance.now. */
  now?: () => number;
}

/** Means per episode, µ$, rounded to the µ$. */
export interface TrainStats {
  /** Candidates scored (1 at iteration 0: the start). */
  candidates: number;
  /** Over every candidate and seed. */
  meanMicros: number;
  /** The best candidate's mean over the seeds. */
  bestMicros: number;
  /** The elite's mean. */
  eliteMicros: number;
  /** The worst candidate's mean. */
  worstMicros: number;
}

export interface CemIteration {
  /** 0 = the starting point; t ≥ 1 after the t-th update. */
  iteration: number;
  /** The population sampled around μₜ₋₁ (at 0: the start alone). */
  train: TrainStats;
  /** μₜ on the training seeds, mean per episode. */
  meanTrainMicros: number;
  /** μₜ on the validation seeds, mean per episode: the curve. */
  validationMicros: number;
  /** μₜ's validation P&L summed over the validation seeds (exact). */
  validationSumMicros: number;
  /** Mean of σ after the update. */
  sigmaMean: number;
  /** Episodes run in this iteration. */
  episodes: number;
  /** Wall time of the iteration, ms (not deterministic). */
  elapsedMs: number;
}

export interface CemState {
  /** Current μ (float32-representable). Do not modify. */
  mean: Float64Array;
  sigma: Float64Array;
}

export interface ScoredParams {
  params: Float64Array;
  /** The iteration that produced it (0 = the start). */
  iteration: number;
  /** Mean per episode, µ$ (rounded). */
  scoreMicros: number;
  /** Sum over the seeds, µ$ (exact). */
  sumMicros: number;
}

export interface CemResult {
  /** The μ that did best on the validation seeds (ties: the earliest). */
  best: ScoredParams;
  /** The best vector seen on the training seeds (a candidate, or a μ; ties: the earliest). */
  bestTrain: ScoredParams;
  /** The starting point's scores. */
  start: { trainMicros: number; trainSumMicros: number; validationMicros: number; validationSumMicros: number };
  /** The final μ and σ. */
  mean: Float64Array;
  sigma: Float64Array;
  iterations: CemIteration[];
  /** Parameters, candidates kept per iteration. */
  dims: number;
  eliteCount: number;
  episodes: number;
}

/** Elite size for a population: round(population × fraction), at least 2, at most the population. */
export function eliteCount(population: number, fraction: number): number {
  return Math.min(population, Math.max(2, Math.round(population * fraction)));
}

/** Mean per episode of an exact sum, rounded to the µ$. */
export function meanMicros(sum: number, episodes: number): number {
  return episodes === 0 ? 0 : Math.round(sum / episodes);
}

function fround(v: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.fround(v[i]);
  return out;
}

function checkOptions(o: CemOptions): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`cem: ${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int('iterations', o.iterations, 0);
  int('population', o.population, 2);
  const fraction = o.eliteFraction ?? 0.2;
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`cem: eliteFraction must be in (0, 1], got ${fraction}`);
  if (o.trainSeeds.length === 0) throw new RangeError('cem: no training seed');
  if (o.validationSeeds.length === 0) throw new RangeError('cem: no validation seed');
  const train = new Set(o.trainSeeds);
  if (train.size !== o.trainSeeds.length) throw new RangeError('cem: a training seed is listed twice');
  if (new Set(o.validationSeeds).size !== o.validationSeeds.length) throw new RangeError('cem: a validation seed is listed twice');
  const shared = o.validationSeeds.filter((s) => train.has(s));
  if (shared.length > 0) throw new RangeError(`cem: seeds ${shared.join(', ')} are both training and validation seeds`);
  if (o.start.length === 0) throw new RangeError('cem: the parameter vector is empty');
  for (const [name, v] of [['sigma0', o.sigma0], ['extraNoise', o.extraNoise], ['sigmaMin', o.sigmaMin], ['noiseDecay', o.noiseDecay]] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`cem: ${name} must be a finite number ≥ 0, got ${v}`);
  }
  for (let i = 0; i < o.start.length; i++) if (!Number.isFinite(o.start[i])) throw new RangeError(`cem: start parameter ${i} is ${o.start[i]}`);
}

/** Runs the cross-entropy method; see the file comment. */
export async function trainCem(o: CemOptions): Promise<CemResult> {
  checkOptions(o);
  const now = o.now ?? (() => performance.now());
  const fraction = o.eliteFraction ?? 0.2;
  const sigma0 = o.sigma0 ?? 0.1;
  const extraNoise = o.extraNoise ?? sigma0 / 2;
  const noiseDecay = o.noiseDecay ?? 0.8;
  const sigmaMin = o.sigmaMin ?? 1e-3;
  const antithetic = o.antithetic ?? true;
  const dims = o.start.length;
  const elite = eliteCount(o.population, fraction);
  const nTrain = o.trainSeeds.length;
  const nVal = o.validationSeeds.length;
  const rng = new Xorshift32(o.seed);

  let mean = fround(o.start);
  const sigma = new Float64Array(dims).fill(Math.max(sigma0, sigmaMin));
  const iterations: CemIteration[] = [];
  let episodes = 0;

  const run = async (specs: EpisodeSpec[]): Promise<number[]> => {
    const results = await o.evaluate(specs);
    if (results.length !== specs.length) throw new Error(`cem: the evaluator returned ${results.length} results for ${specs.length} episodes`);
    episodes += specs.length;
    return results.map((r, i) => {
      if (!Number.isSafeInteger(r.pnlMicros)) throw new Error(`cem: episode ${i} (seed ${specs[i].seed}) returned a P&L of ${r.pnlMicros} µ$, not an integer`);
      if (r.seed !== specs[i].seed) throw new Error(`cem: result ${i} is for seed ${r.seed}, the episode ran seed ${specs[i].seed}`);
      return r.pnlMicros;
    });
  };
  const sum = (xs: number[], from: number, count: number): number => {
    let s = 0;
    for (let i = from; i < from + count; i++) s += xs[i];
    return s;
  };
  /** μ on the training seeds, then on the validation seeds (one call). */
  const meanSpecs = (params: Float64Array): EpisodeSpec[] => [
    ...o.trainSeeds.map((s) => o.spec(params, s)),
    ...o.validationSeeds.map((s) => o.spec(params, s)),
  ];
  const sigmaMean = (): number => {
    let s = 0;
    for (let i = 0; i < dims; i++) s += sigma[i];
    return s / dims;
  };

  // Iteration 0: the start.
  let t0 = now();
  const startPnl = await run(meanSpecs(mean));
  const startTrainSum = sum(startPnl, 0, nTrain);
  const startValSum = sum(startPnl, nTrain, nVal);
  const start = {
    trainMicros: meanMicros(startTrainSum, nTrain),
    trainSumMicros: startTrainSum,
    validationMicros: meanMicros(startValSum, nVal),
    validationSumMicros: startValSum,
  };
  let best: ScoredParams = { params: mean, iteration: 0, scoreMicros: start.validationMicros, sumMicros: startValSum };
  let bestTrain: ScoredParams = { params: mean, iteration: 0, scoreMicros: start.trainMicros, sumMicros: startTrainSum };
  const record0: CemIteration = {
    iteration: 0,
    train: { candidates: 1, meanMicros: start.trainMicros, bestMicros: start.trainMicros, eliteMicros: start.trainMicros, worstMicros: start.trainMicros },
    meanTrainMicros: start.trainMicros,
    validationMicros: start.validationMicros,
    validationSumMicros: startValSum,
    sigmaMean: sigmaMean(),
    episodes: startPnl.length,
    elapsedMs: now() - t0,
  };
  iterations.push(record0);
  o.onIteration?.(record0, { mean, sigma });

  const eps = new Float64Array(dims);
  for (let t = 1; t <= o.iterations; t++) {
    t0 = now();
    // 1. Sample.
    const candidates: Float64Array[] = [];
    for (let k = 0; k < o.population; k++) {
      const mirror = antithetic && k % 2 === 1;
      if (!mirror) for (let i = 0; i < dims; i++) eps[i] = rng.normal();
      const x = new Float64Array(dims);
      for (let i = 0; i < dims; i++) x[i] = Math.fround(mean[i] + sigma[i] * (mirror ? -eps[i] : eps[i]));
      candidates.push(x);
    }
    // 2. Score: every candidate on every training seed, one call.
    const specs: EpisodeSpec[] = [];
    for (const x of candidates) for (const s of o.trainSeeds) specs.push(o.spec(x, s));
    const pnl = await run(specs);
    const sums = candidates.map((_, k) => sum(pnl, k * nTrain, nTrain));
    const order = sums.map((_, k) => k).sort((a, b) => sums[b] - sums[a] || a - b);
    const top = order[0];
    if (sums[top] > bestTrain.sumMicros) bestTrain = { params: candidates[top], iteration: t, scoreMicros: meanMicros(sums[top], nTrain), sumMicros: sums[top] };
    // 3. Refit on the elite.
    const chosen = order.slice(0, elite);
    const next = new Float64Array(dims);
    for (const k of chosen) for (let i = 0; i < dims; i++) next[i] += candidates[k][i];
    for (let i = 0; i < dims; i++) next[i] = Math.fround(next[i] / elite);
    const extra = extraNoise * noiseDecay ** (t - 1);
    for (let i = 0; i < dims; i++) {
      let v = 0;
      for (const k of chosen) v += (candidates[k][i] - next[i]) ** 2;
      sigma[i] = Math.max(sigmaMin, Math.sqrt(v / elite + extra * extra));
    }
    mean = next;
    // 4. The new μ on the training and validation seeds.
    const meanPnl = await run(meanSpecs(mean));
    const meanTrainSum = sum(meanPnl, 0, nTrain);
    const valSum = sum(meanPnl, nTrain, nVal);
    if (meanTrainSum > bestTrain.sumMicros) bestTrain = { params: mean, iteration: t, scoreMicros: meanMicros(meanTrainSum, nTrain), sumMicros: meanTrainSum };
    if (valSum > best.sumMicros) best = { params: mean, iteration: t, scoreMicros: meanMicros(valSum, nVal), sumMicros: valSum };
    let all = 0;
    for (const s of sums) all += s;
    let eliteSum = 0;
    for (const k of chosen) eliteSum += sums[k];
    const record: CemIteration = {
      iteration: t,
      train: {
        candidates: o.population,
        meanMicros: meanMicros(all, o.population * nTrain),
        bestMicros: meanMicros(sums[top], nTrain),
        eliteMicros: meanMicros(eliteSum, elite * nTrain),
        worstMicros: meanMicros(sums[order[order.length - 1]], nTrain),
      },
      meanTrainMicros: meanMicros(meanTrainSum, nTrain),
      validationMicros: meanMicros(valSum, nVal),
      validationSumMicros: valSum,
      sigmaMean: sigmaMean(),
      episodes: pnl.length + meanPnl.length,
      elapsedMs: now() - t0,
    };
    iterations.push(record);
    o.onIteration?.(record, { mean, sigma });
  }

  return { best, bestTrain, start, mean, sigma: Float64Array.from(sigma), iterations, dims, eliteCount: elite, episodes };
}
