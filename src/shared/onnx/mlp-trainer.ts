/**
 * A small, deterministic MLP classifier trainer: ReLU hidden layers, softmax cross-entropy,
 * minibatch Adam. It exists to distil a rule into the shipped baseline model without Python;
 * it is not a training framework (no GPU, no autograd, a few thousand parameters).
 *
 * Determinism: the only randomness is `Xorshift32` from the seed; arithmetic is float64 with
 * Math.exp / Math.log / Math.sqrt / Math.cos (V8's fdlibm port, the same bits on every platform),
 * so a given seed and data set always produce the same weights. They are rounded to float32 once,
 * at the end.
 */
import type { DenseLayer } from './mlp-graph.js';

/** xorshift32: tiny, fast, and the same sequence everywhere. */
export class Xorshift32 {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  nextU32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 2 ** 32;
  }
  /** Standard normal (Box–Muller, one value per call). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

export interface TrainOptions {
  /** Hidden layer widths, e.g. [32, 32]. */
  hidden: number[];
  classes: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Loss weight per class (default 1 each): counters a rule that is mostly HOLD. */
  classWeights?: number[];
  /** L2 penalty on weights (not biases). */
  weightDecay?: number;
}

export interface TrainResult {
  layers: DenseLayer[];
  /** Mean weighted cross-entropy over the last epoch. */
  finalLoss: number;
}

interface Param {
  w: Float64Array;
  b: Float64Array;
  gw: Float64Array;
  gb: Float64Array;
  mw: Float64Array;
  vw: Float64Array;
  mb: Float64Array;
  vb: Float64Array;
  ins: number;
  outs: number;
}

/**
 * Trains on `x` (rows × features, row-major) with integer labels `y` in [0, classes).
 * Every hidden layer is ReLU; the last layer outputs logits.
 */
export function trainClassifier(x: Float32Array, y: Uint8Array, features: number, opts: TrainOptions): TrainResult {
  const rows = y.length;
  if (x.length !== rows * features) throw new RangeError(`x holds ${x.length} values, expected ${rows} × ${features}`);
  const rng = new Xorshift32(opts.seed);
  const sizes = [features, ...opts.hidden, opts.classes];
  const params: Param[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const ins = sizes[l];
    const outs = sizes[l + 1];
    const scale = Math.sqrt(2 / ins); // He initialisation for ReLU
    const w = new Float64Array(ins * outs);
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * scale;
    const z = (n: number): Float64Array => new Float64Array(n);
    params.push({ w, b: z(outs), gw: z(ins * outs), gb: z(outs), mw: z(ins * outs), vw: z(ins * outs), mb: z(outs), vb: z(outs), ins, outs });
  }
  const classWeights = opts.classWeights ?? new Array<number>(opts.classes).fill(1);
  const decay = opts.weightDecay ?? 0;
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  // Activations per layer (a[0] = input) and their gradients, for one sample at a time.
  const acts = sizes.map((n) => new Float64Array(n));
  const grads = sizes.map((n) => new Float64Array(n));
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  let step = 0;
  let epochLoss = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = rows - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    epochLoss = 0;
    let weightSum = 0;
    for (let start = 0; start < rows; start += opts.batchSize) {
      const end = Math.min(rows, start + opts.batchSize);
      for (const p of params) {
        p.gw.fill(0);
        p.gb.fill(0);
      }
      let batchWeight = 0;
      for (let k = start; k < end; k++) {
        const r = order[k];
        const input = acts[0];
        for (let f = 0; f < features; f++) input[f] = x[r * features + f];
        // Forward.
        for (let l = 0; l < params.length; l++) {
          const p = params[l];
          const a = acts[l];
          const out = acts[l + 1];
          const hidden = l < params.length - 1;
          for (let o = 0; o < p.outs; o++) {
            let s = p.b[o];
            const row = o * p.ins;
            for (let i = 0; i < p.ins; i++) s += p.w[row + i] * a[i];
            out[o] = hidden && s < 0 ? 0 : s;
          }
        }
        // Softmax cross-entropy on the logits.
        const logits = acts[params.length];
        let max = -Infinity;
        for (let c = 0; c < opts.classes; c++) if (logits[c] > max) max = logits[c];
        let sum = 0;
        for (let c = 0; c < opts.classes; c++) sum += Math.exp(logits[c] - max);
        const label = y[r];
        const cw = classWeights[label];
        epochLoss += cw * (Math.log(sum) - (logits[label] - max));
        batchWeight += cw;
        const gOut = grads[params.length];
        for (let c = 0; c < opts.classes; c++) gOut[c] = cw * (Math.exp(logits[c] - max) / sum - (c === label ? 1 : 0));
        // Backward.
        for (let l = params.length - 1; l >= 0; l--) {
          const p = params[l];
          const a = acts[l];
          const g = grads[l + 1];
          const gIn = grads[l];
          gIn.fill(0);
          for (let o = 0; o < p.outs; o++) {
            const go = g[o];
            if (go === 0) continue;
            p.gb[o] += go;
            const row = o * p.ins;
            for (let i = 0; i < p.ins; i++) {
              p.gw[row + i] += go * a[i];
              gIn[i] += go * p.w[row + i];
            }
          }
          if (l > 0) for (let i = 0; i < p.ins; i++) if (a[i] <= 0) gIn[i] = 0; // ReLU'
        }
      }
      weightSum += batchWeight;
      // Adam.
      step++;
      const lr = (opts.learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
      const inv = batchWeight > 0 ? 1 / batchWeight : 0;
      for (const p of params) {
        for (let i = 0; i < p.w.length; i++) {
          const g = p.gw[i] * inv + decay * p.w[i];
          p.mw[i] = beta1 * p.mw[i] + (1 - beta1) * g;
          p.vw[i] = beta2 * p.vw[i] + (1 - beta2) * g * g;
          p.w[i] -= (lr * p.mw[i]) / (Math.sqrt(p.vw[i]) + eps);
        }
        for (let o = 0; o < p.b.length; o++) {
          const g = p.gb[o] * inv;
          p.mb[o] = beta1 * p.mb[o] + (1 - beta1) * g;
          p.vb[o] = beta2 * p.vb[o] + (1 - beta2) * g * g;
          p.b[o] -= (lr * p.mb[o]) / (Math.sqrt(p.vb[o]) + eps);
        }
      }
    }
    epochLoss /= weightSum;
  }
  const layers: DenseLayer[] = params.map((p, l) => ({
    inputs: p.ins,
    outputs: p.outs,
    weight: Float32Array.from(p.w),
    bias: Float32Array.from(p.b),
    activation: l < params.length - 1 ? 'relu' : 'none',
  }));
  return { layers, finalLoss: epochLoss };
}

/**
 * Untrained layers of the given widths (He-initialised weights, small random biases): fixtures
 * for tests and benchmarks of the evaluators. Hidden layers get `hidden`, the last none.
 */
export function randomLayers(widths: readonly number[], seed: number, hidden: DenseLayer['activation'] = 'relu'): DenseLayer[] {
  const rng = new Xorshift32(seed);
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const ins = widths[l];
    const outs = widths[l + 1];
    const scale = Math.sqrt(2 / ins);
    const weight = new Float32Array(ins * outs);
    for (let i = 0; i < weight.length; i++) weight[i] = rng.normal() * scale;
    const bias = new Float32Array(outs);
    for (let o = 0; o < outs; o++) bias[o] = rng.normal() * 0.1;
    layers.push({ inputs: ins, outputs: outs, weight, bias, activation: l + 2 < widths.length ? hidden : 'none' });
  }
  return layers;
}
