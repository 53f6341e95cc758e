/**
 * The cross-entropy method on a fake, deterministic evaluator: an episode's P&L is
 * −‖w − w*ₛ‖² in $ (w*ₛ a target that moves a little with the seed), as integer µ$. No simulator:
 * this tests the search (improvement, determinism, one evaluator call per population, the seed
 * discipline, the bookkeeping), train-command.test.ts runs it on real episodes.
 */
import { describe, expect, it } from 'vitest';
import { Xorshift32 } from '../../../src/shared/onnx/mlp-trainer.js';
import { eliteCount, meanMicros, trainCem, type CemOptions, type CemResult, type Evaluator } from '../../../src/main/lab/cem.js';
import type { EpisodeResult, EpisodeSpec } from '../../../src/main/lab/episode-types.js';

const DIMS = 24;

/** The parameters ride in the spec as a one-layer "MLP", as the real trainer's inline weights do. */
function spec(params: Float64Array, seed: number): EpisodeSpec {
  return { seed, policy: { mlp: { layers: [{ weights: Array.from(params), bias: [], inputs: params.length, outputs: 1, activation: 'none' }] } } };
}

function target(seed: number): Float64Array {
  const rng = new Xorshift32(99);
  const t = new Float64Array(DIMS);
  for (let i = 0; i < DIMS; i++) t[i] = 0.5 * rng.normal();
  const jitter = new Xorshift32(seed);
  for (let i = 0; i < DIMS; i++) t[i] += 0.05 * jitter.normal();
  return t;
}

function result(seed: number, pnlMicros: number): EpisodeResult {
  return {
    seed, policy: 'inline', pnlMicros, feesMicros: 0, curve: [], curveStepMs: 1000, actions: [0, 0, 0, 0, 0],
    blocked: {}, ordersSent: 0, ordersFilled: 0, filledCount: 0, marketHours: 0, bookChanges: 0,
  };
}

/** A deterministic evaluator; records the size of every call. */
function fakeEvaluator(calls: number[] = []): Evaluator {
  const targets = new Map<number, Float64Array>();
  return async (specs) => {
    calls.push(specs.length);
    return specs.map((s) => {
      if (typeof s.policy === 'string') throw new Error('expected inline weights');
      const w = s.policy.mlp.layers[0].weights;
      let t = targets.get(s.seed);
      if (t === undefined) targets.set(s.seed, (t = target(s.seed)));
      let d = 0;
      for (let i = 0; i < DIMS; i++) d += (w[i] - t[i]) ** 2;
      return result(s.seed, -Math.round(d * 1e6));
    });
  };
}

function options(over: Partial<CemOptions> = {}): CemOptions {
  return {
    start: new Float64Array(DIMS),
    spec,
    evaluate: fakeEvaluator(),
    trainSeeds: [1001, 1002, 1003],
    validationSeeds: [2001, 2002],
    iterations: 8,
    population: 16,
    eliteFraction: 0.25,
    seed: 5,
    sigma0: 0.3,
    now: () => 0,
    ...over,
  };
}

describe('trainCem', () => {
  it('improves on its starting weights, on the training seeds and on validation', async () => {
    const r = await trainCem(options());
    expect(r.dims).toBe(DIMS);
    expect(r.eliteCount).toBe(4);
    expect(r.iterations).toHaveLength(9);
    const [first, ...rest] = r.iterations;
    expect(first.iteration).toBe(0);
    expect(first.meanTrainMicros).toBe(r.start.trainMicros);
    expect(first.validationMicros).toBe(r.start.validationMicros);
    // The start (0) is ‖w*‖² ≈ $8 from the target (24 weights of sd 0.5); after 8 iterations μ is over 3× closer, on both seed sets.
    const last = rest[rest.length - 1];
    expect(r.start.trainMicros).toBeLessThan(-2_000_000);
    expect(last.meanTrainMicros).toBeGreaterThan(r.start.trainMicros / 3);
    expect(last.validationMicros).toBeGreaterThan(r.start.validationMicros / 3);
    expect(r.bestTrain.scoreMicros).toBeGreaterThan(r.start.trainMicros / 3);
    expect(r.best.scoreMicros).toBeGreaterThan(r.start.validationMicros / 3);
    expect(r.best.iteration).toBeGreaterThan(0);
    // The best on validation is the μ of its iteration, and the report's figure is its score.
    expect(r.best.scoreMicros).toBe(r.iterations[r.best.iteration].validationMicros);
    expect(r.best.scoreMicros).toBe(Math.max(...r.iterations.map((i) => i.validationMicros)));
    // Re-evaluating the chosen parameters gives the same validation score.
    const again = await fakeEvaluator()([2001, 2002].map((s) => spec(r.best.params, s)));
    expect(again[0].pnlMicros + again[1].pnlMicros).toBe(r.best.sumMicros);
    // Per-iteration stats are consistent.
    for (const it of rest) {
      expect(it.train.candidates).toBe(16);
      expect(it.train.bestMicros).toBeGreaterThanOrEqual(it.train.eliteMicros);
      expect(it.train.eliteMicros).toBeGreaterThanOrEqual(it.train.meanMicros);
      expect(it.train.meanMicros).toBeGreaterThanOrEqual(it.train.worstMicros);
      expect(it.episodes).toBe(16 * 3 + 3 + 2);
      expect(it.sigmaMean).toBeGreaterThan(0);
    }
    expect(r.episodes).toBe(5 + 8 * (16 * 3 + 5));
  });

  it('is deterministic for a seed, and the seed matters', async () => {
    const a = await trainCem(options());
    const b = await trainCem(options());
    expect(b).toEqual(a);
    const c = await trainCem(options({ seed: 6 }));
    expect(c.mean).not.toEqual(a.mean);
  });

  it('evaluates a whole population in one call, then μ on the training and validation seeds in another', async () => {
    const calls: number[] = [];
    await trainCem(options({ evaluate: fakeEvaluator(calls), iterations: 3, population: 10 }));
    expect(calls).toEqual([5, 30, 5, 30, 5, 30, 5]);
  });

  it('samples antithetic pairs around μ, float32 values only', async () => {
    const seen: EpisodeSpec[][] = [];
    const inner = fakeEvaluator();
    await trainCem(options({ iterations: 1, population: 6, trainSeeds: [1001], validationSeeds: [2001], evaluate: async (s) => (seen.push(s), inner(s)) }));
    const population = seen[1].map((s) => (s.policy as { mlp: { layers: { weights: number[] }[] } }).mlp.layers[0].weights);
    expect(population).toHaveLength(6);
    for (let k = 0; k < 6; k += 2) {
      for (let i = 0; i < DIMS; i++) {
        expect(population[k][i] + population[k + 1][i]).toBeCloseTo(0, 6); // μ = 0
        expect(population[k][i]).toBe(Math.fround(population[k][i]));
      }
    }
    expect(population[0]).not.toEqual(population[2]);
  });

  it('keeps the start when nothing beats it on validation', async () => {
    // A flat objective: every episode earns the same, so no μ is strictly better than the start.
    const flat: Evaluator = async (specs) => specs.map((s) => result(s.seed, 1_234));
    const start = Float64Array.from({ length: DIMS }, (_, i) => i / 10);
    const r = await trainCem(options({ evaluate: flat, start, iterations: 2 }));
    expect(r.best.iteration).toBe(0);
    expect(r.best.params).toEqual(Float64Array.from(start, Math.fround));
    expect(r.best.scoreMicros).toBe(1_234);
    expect(r.bestTrain.iteration).toBe(0);
  });

  it('σ: refit to the elite, extra noise decays, never below the floor', async () => {
    const sigmas: number[] = [];
    await trainCem(options({ iterations: 6, sigma0: 0.3, extraNoise: 0.2, noiseDecay: 0.5, sigmaMin: 0.05, onIteration: (r) => sigmas.push(r.sigmaMean) }));
    expect(sigmas[0]).toBeCloseTo(0.3, 12);
    for (let i = 1; i < sigmas.length; i++) expect(sigmas[i]).toBeGreaterThanOrEqual(0.05);
    expect(sigmas[sigmas.length - 1]).toBeLessThan(sigmas[1]);
  });

  it('refuses overlapping seed sets, bad sizes and an evaluator that loses results', async () => {
    await expect(trainCem(options({ validationSeeds: [1003, 2001] }))).rejects.toThrow('seeds 1003 are both training and validation seeds');
    await expect(trainCem(options({ trainSeeds: [1, 1] }))).rejects.toThrow(/listed twice/);
    await expect(trainCem(options({ trainSeeds: [] }))).rejects.toThrow(/no training seed/);
    await expect(trainCem(options({ population: 1 }))).rejects.toThrow(/population must be an integer ≥ 2/);
    await expect(trainCem(options({ eliteFraction: 0 }))).rejects.toThrow(/eliteFraction/);
    await expect(trainCem(options({ start: Float64Array.of(Number.NaN) }))).rejects.toThrow(/start parameter 0 is NaN/);
    const lossy: Evaluator = async (specs) => specs.slice(1).map((s) => result(s.seed, 0));
    await expect(trainCem(options({ evaluate: lossy }))).rejects.toThrow(/returned 4 results for 5 episodes/);
    const fractional: Evaluator = async (specs) => specs.map((s) => result(s.seed, 0.5));
    await expect(trainCem(options({ evaluate: fractional }))).rejects.toThrow(/not an integer/);
  });

  it('elite size and means', () => {
    expect(eliteCount(24, 0.2)).toBe(5);
    expect(eliteCount(6, 0.2)).toBe(2);
    expect(eliteCount(2, 1)).toBe(2);
    expect(eliteCount(3, 0.99)).toBe(3);
    expect(meanMicros(10, 4)).toBe(3);
    expect(meanMicros(-10, 4)).toBe(-2);
    expect(meanMicros(7, 0)).toBe(0);
  });
});

// Keep the type import used when the file is read alone.
export type { CemResult };
