/**
 * MlpPolicy: the same models as OnnxPolicy, evaluated in plain JS when the graph is a small
 * dense chain (Gemm / MatMul + Add, Relu / Tanh / Sigmoid; see extractMlp). It skips
 * onnxruntime's per-call overhead (tensor wrapping, an async hop, output allocation), which
 * dominates for a few thousand weights, and `decide` is synchronous.
 *
 * Numerics: weights and every layer's outputs are float32, as in onnxruntime; each dot product
 * is accumulated in float64 (JS arithmetic), so results differ from onnxruntime's float32 SIMD
 * sums by rounding only (test/shared/policy/mlp.test.ts checks 10,000 rows against it).
 *
 * No allocation per call: all layers' weights live in one Float32Array, and scratch rows of the
 * widest layer are reused. Rows are evaluated four at a time (then one at a time for the rest),
 * so the batch size costs no memory; the shipped model's weights (≈ 11 KB) stay in L1 throughout.
 *
 * Where it wins: one call costs no async hop and no tensor wrapping, so for a handful of dirty
 * markets it is several times faster than onnxruntime; scalar JS cannot match onnxruntime's
 * AVX kernels per row, so for large batches onnxruntime is faster (bench/shared/policy.bench.ts).
 */
import { basename } from 'node:path';
import { FEATURE_COUNT, FEATURE_SPEC_HASH } from '../observation/features.js';
import { MODEL_CONTRACT } from '../onnx/model-contract.js';
import { MlpGraphError, extractMlp, type Activation, type Mlp } from '../onnx/mlp-graph.js';
import { ONNX_FLOAT, type OnnxModel } from '../onnx/model-proto.js';
import { decodeModel } from '../onnx/model-reader.js';
import { ProtoDecodeError } from '../onnx/protobuf.js';
import { ModelLoadError } from './onnx-errors.js';
import { checkModelBytes, checkTensorShape, readModelBytes } from './onnx-model-file.js';
import { argmaxRow } from './onnx-rows.js';
import { checkBatch, type Policy } from './policy.js';

export { ModelLoadError, ModelMismatchError } from './onnx-errors.js';

export interface MlpPolicyOptions {
  /** The hash the model must carry. Default: this build's FEATURE_SPEC_HASH. */
  expectedFeatureSpecHash?: string;
  /** Policy name in logs and decision records. Default `mlp:<file name>`. */
  name?: string;
}

const WIDTH = FEATURE_COUNT;
const ACTIONS = MODEL_CONTRACT.actionCount;

const ACT_NONE = 0;
const ACT_RELU = 1;
const ACT_TANH = 2;
const ACT_SIGMOID = 3;
const ACTIVATION_CODE: Record<Activation, number> = { none: ACT_NONE, relu: ACT_RELU, tanh: ACT_TANH, sigmoid: ACT_SIGMOID };

export class MlpPolicy implements Policy {
  readonly name: string;
  readonly featureSpecHash: string;
  readonly file: string;
  /** Layer widths, input first: [52, …, 5]. */
  readonly widths: readonly number[];
  /** All weights then all biases per layer, packed: layer l's weights at wOff[l], bias at bOff[l]. */
  private readonly params: Float32Array;
  private readonly wOff: Int32Array;
  private readonly bOff: Int32Array;
  private readonly ins: Int32Array;
  private readonly outs: Int32Array;
  private readonly act: Int32Array;
  /** One row's layer outputs (ping-pong), for `evalRow`. */
  private readonly scratchA: Float32Array;
  private readonly scratchB: Float32Array;
  /** Four rows' layer outputs, for `evalQuad`. */
  private readonly quadA: Float32Array;
  private readonly quadB: Float32Array;
  /** Four rows of scores, for `decide`. */
  private readonly quadScores = new Float32Array(4 * ACTIONS);

  private constructor(mlp: Mlp, file: string, featureSpecHash: string, name: string) {
    this.file = file;
    this.featureSpecHash = featureSpecHash;
    this.name = name;
    const n = mlp.layers.length;
    this.wOff = new Int32Array(n);
    this.bOff = new Int32Array(n);
    this.ins = new Int32Array(n);
    this.outs = new Int32Array(n);
    this.act = new Int32Array(n);
    let size = 0;
    let widest = 0;
    for (const l of mlp.layers) {
      size += l.weight.length + l.bias.length;
      widest = Math.max(widest, l.inputs, l.outputs);
    }
    this.params = new Float32Array(size);
    let at = 0;
    mlp.layers.forEach((l, i) => {
      this.wOff[i] = at;
      this.params.set(l.weight, at);
      at += l.weight.length;
      this.bOff[i] = at;
      this.params.set(l.bias, at);
      at += l.bias.length;
      this.ins[i] = l.inputs;
      this.outs[i] = l.outputs;
      this.act[i] = ACTIVATION_CODE[l.activation];
    });
    this.widths = [mlp.layers[0].inputs, ...mlp.layers.map((l) => l.outputs)];
    this.scratchA = new Float32Array(widest);
    this.scratchB = new Float32Array(widest);
    this.quadA = new Float32Array(4 * widest);
    this.quadB = new Float32Array(4 * widest);
  }

  static async load(file: string, opts: MlpPolicyOptions = {}): Promise<MlpPolicy> {
    return MlpPolicy.fromBytes(await readModelBytes(file), file, opts);
  }

  /** Same as `load` for bytes already in memory; `file` names them in errors. */
  static fromBytes(bytes: Uint8Array, file: string, opts: MlpPolicyOptions = {}): MlpPolicy {
    const checked = checkModelBytes(bytes, file, opts.expectedFeatureSpecHash ?? FEATURE_SPEC_HASH);
    let model: OnnxModel;
    try {
      model = decodeModel(checked.bytes);
    } catch (err) {
      if (err instanceof ProtoDecodeError) throw new ModelLoadError('not-onnx', file, `malformed graph: ${err.message}`, err);
      throw err;
    }
    const typeName = (t: number): string => (t === ONNX_FLOAT ? 'float32' : `ONNX type ${t}`);
    const inputs = model.graph.inputs.filter((v) => !model.graph.initializers.some((t) => t.name === v.name));
    const [input] = inputs;
    const [output] = model.graph.outputs;
    if (inputs.length === 1) checkTensorShape(file, 'input', input.name, typeName(input.elemType), input.shape, WIDTH);
    if (model.graph.outputs.length === 1) checkTensorShape(file, 'output', output.name, typeName(output.elemType), output.shape, ACTIONS);
    let mlp: Mlp;
    try {
      mlp = extractMlp(model);
    } catch (err) {
      if (err instanceof MlpGraphError) throw new ModelLoadError('unsupported-graph', file, `the MLP evaluator cannot run it: ${err.message}`, err);
      throw err;
    }
    const first = mlp.layers[0];
    const last = mlp.layers[mlp.layers.length - 1];
    if (first.inputs !== WIDTH || last.outputs !== ACTIONS) {
      throw new ModelLoadError('unsupported-graph', file, `its layers map ${first.inputs} → ${last.outputs} values, not ${WIDTH} → ${ACTIONS}`);
    }
    return new MlpPolicy(mlp, file, checked.featureSpecHash, opts.name ?? `mlp:${basename(file)}`);
  }

  /** Writes row `row`'s 5 scores into `out` at `outAt`. */
  private evalRow(observations: Float32Array, row: number, out: Float32Array, outAt: number): void {
    const p = this.params;
    const layers = this.wOff.length;
    let src: Float32Array = observations;
    let srcAt = row * WIDTH;
    let dst = this.scratchA;
    for (let l = 0; l < layers; l++) {
      const ins = this.ins[l];
      const outs = this.outs[l];
      const act = this.act[l];
      const lastLayer = l === layers - 1;
      const target = lastLayer ? out : dst;
      const targetAt = lastLayer ? outAt : 0;
      let w = this.wOff[l];
      const b = this.bOff[l];
      for (let o = 0; o < outs; o++, w += ins) {
        let s = p[b + o];
        let i = 0;
        // Four products per addition to `s`: the chain of dependent additions is the bottleneck
        // (an add waits for the previous one), so grouping cuts its length by four.
        for (; i + 4 <= ins; i += 4) {
          const x = srcAt + i;
          s += p[w + i] * src[x] + p[w + i + 1] * src[x + 1] + p[w + i + 2] * src[x + 2] + p[w + i + 3] * src[x + 3];
        }
        for (; i < ins; i++) s += p[w + i] * src[srcAt + i];
        target[targetAt + o] = activate(s, act);
      }
      src = dst;
      srcAt = 0;
      dst = dst === this.scratchA ? this.scratchB : this.scratchA;
    }
  }

  /**
   * Rows `row` … `row + 3` at once: each weight is loaded once for four rows, which is most of
   * the cost in scalar JS (≈ 1.5× faster per row than `evalRow`). The sums run in the same order
   * as in `evalRow`, so a row scores bit for bit the same in a batch as alone.
   */
  private evalQuad(observations: Float32Array, row: number, out: Float32Array, outAt: number): void {
    const p = this.params;
    const layers = this.wOff.length;
    let src: Float32Array = observations;
    let srcAt = row * WIDTH;
    let stride = WIDTH;
    let dst = this.quadA;
    for (let l = 0; l < layers; l++) {
      const ins = this.ins[l];
      const outs = this.outs[l];
      const act = this.act[l];
      const lastLayer = l === layers - 1;
      const target = lastLayer ? out : dst;
      const t0 = lastLayer ? outAt : 0;
      const tStride = lastLayer ? ACTIONS : outs;
      const s1 = srcAt + stride;
      const s2 = s1 + stride;
      const s3 = s2 + stride;
      let w = this.wOff[l];
      const b = this.bOff[l];
      for (let o = 0; o < outs; o++, w += ins) {
        let a0 = p[b + o];
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        let i = 0;
        // Same grouping as evalRow, so the sums are bit for bit the same.
        for (; i + 4 <= ins; i += 4) {
          const w0 = p[w + i];
          const w1 = p[w + i + 1];
          const w2 = p[w + i + 2];
          const w3 = p[w + i + 3];
          a0 += w0 * src[srcAt + i] + w1 * src[srcAt + i + 1] + w2 * src[srcAt + i + 2] + w3 * src[srcAt + i + 3];
          a1 += w0 * src[s1 + i] + w1 * src[s1 + i + 1] + w2 * src[s1 + i + 2] + w3 * src[s1 + i + 3];
          a2 += w0 * src[s2 + i] + w1 * src[s2 + i + 1] + w2 * src[s2 + i + 2] + w3 * src[s2 + i + 3];
          a3 += w0 * src[s3 + i] + w1 * src[s3 + i + 1] + w2 * src[s3 + i + 2] + w3 * src[s3 + i + 3];
        }
        for (; i < ins; i++) {
          const wi = p[w + i];
          a0 += wi * src[srcAt + i];
          a1 += wi * src[s1 + i];
          a2 += wi * src[s2 + i];
          a3 += wi * src[s3 + i];
        }
        target[t0 + o] = activate(a0, act);
        target[t0 + tStride + o] = activate(a1, act);
        target[t0 + 2 * tStride + o] = activate(a2, act);
        target[t0 + 3 * tStride + o] = activate(a3, act);
      }
      src = dst;
      srcAt = 0;
      stride = outs;
      dst = dst === this.quadA ? this.quadB : this.quadA;
    }
  }

  /** Scores of `count` rows into `out` (count × 5, row-major). */
  scores(observations: Float32Array, count: number, out: Float32Array): void {
    if (!Number.isInteger(count) || count < 0 || count * WIDTH > observations.length || count * ACTIONS > out.length) {
      throw new RangeError(`scores: count ${count} does not fit ${observations.length} observation values and ${out.length} scores`);
    }
    let r = 0;
    for (; r + 4 <= count; r += 4) this.evalQuad(observations, r, out, r * ACTIONS);
    for (; r < count; r++) this.evalRow(observations, r, out, r * ACTIONS);
  }

  decide(observations: Float32Array, count: number, actions: Uint8Array): void {
    checkBatch(observations, count, actions);
    const scores = this.quadScores;
    let r = 0;
    for (; r + 4 <= count; r += 4) {
      this.evalQuad(observations, r, scores, 0);
      actions[r] = argmaxRow(scores, 0);
      actions[r + 1] = argmaxRow(scores, ACTIONS);
      actions[r + 2] = argmaxRow(scores, 2 * ACTIONS);
      actions[r + 3] = argmaxRow(scores, 3 * ACTIONS);
    }
    for (; r < count; r++) {
      this.evalRow(observations, r, scores, 0);
      actions[r] = argmaxRow(scores, 0);
    }
  }
}

function activate(s: number, act: number): number {
  if (act === ACT_RELU) return s < 0 ? 0 : s; // NaN stays NaN, as in onnxruntime (→ HOLD)
  if (act === ACT_TANH) return Math.tanh(s);
  if (act === ACT_SIGMOID) return 1 / (1 + Math.exp(-s));
  return s;
}
