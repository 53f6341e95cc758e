/**
 * A policy MLP's weights three ways, for the trainer (issue 11):
 * - `Mlp` (src/shared/onnx/mlp-graph.ts): float32 layers, what the ONNX writer and reader use;
 * - a flat parameter vector (Float64Array), what the cross-entropy method moves around;
 * - `InlineMlp` (./episode-types.ts): plain arrays, what an EpisodeSpec carries into a worker.
 *
 * Flat layout, layer by layer: the weights (outputs × inputs, row-major, as in `DenseLayer`), then
 * the bias. A `MlpShape` says how long the vector is and how to cut it; every conversion checks
 * the sizes and refuses a mismatch with a RangeError naming the layer.
 *
 * Float32: the policy that trades (the episode's, and the exported model's) holds float32
 * weights, so `toMlp` / `toInlineMlp` round every parameter to float32 (Math.fround). A vector's
 * score is therefore the score of exactly the model written out.
 */
import { FEATURE_COUNT } from '../../shared/observation/features.js';
import type { Activation, DenseLayer, Mlp } from '../../shared/onnx/mlp-graph.js';
import { MODEL_CONTRACT } from '../../shared/onnx/model-contract.js';
import { Xorshift32 } from '../../shared/onnx/mlp-trainer.js';
import type { InlineMlp } from './episode-types.js';

/** Layer widths, input first ([52, 16, 5]), and each layer's activation (one per layer). */
export interface MlpShape {
  widths: number[];
  activations: Activation[];
}

const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'tanh', 'sigmoid'];

/** 52 → hidden… (ReLU) → 5 (no activation: the scores' argmax is the action). */
export function policyShape(hidden: readonly number[] = [16]): MlpShape {
  const widths = [FEATURE_COUNT, ...hidden, MODEL_CONTRACT.actionCount];
  const shape: MlpShape = { widths, activations: widths.slice(1).map((_, i) => (i === widths.length - 2 ? 'none' : 'relu')) };
  checkShape(shape);
  return shape;
}

/** Throws a RangeError unless the shape is a 52 → … → 5 chain with one activation per layer. */
export function checkShape(shape: MlpShape): void {
  const { widths, activations } = shape;
  if (widths.length < 2) throw new RangeError(`an MLP needs at least 2 widths, got [${widths}]`);
  for (const w of widths) if (!Number.isInteger(w) || w < 1) throw new RangeError(`layer widths must be positive integers, got [${widths}]`);
  if (widths[0] !== FEATURE_COUNT) throw new RangeError(`a policy MLP takes ${FEATURE_COUNT} inputs, the shape says ${widths[0]}`);
  const last = widths[widths.length - 1];
  if (last !== MODEL_CONTRACT.actionCount) throw new RangeError(`a policy MLP gives ${MODEL_CONTRACT.actionCount} scores, the shape says ${last}`);
  if (activations.length !== widths.length - 1) throw new RangeError(`${widths.length - 1} layers need ${widths.length - 1} activations, got ${activations.length}`);
  for (const a of activations) if (!ACTIVATIONS.includes(a)) throw new RangeError(`unknown activation '${a}'`);
}

/** Number of parameters (weights and biases) of the shape. */
export function paramCount(shape: MlpShape): number {
  let n = 0;
  for (let l = 0; l + 1 < shape.widths.length; l++) n += shape.widths[l + 1] * (shape.widths[l] + 1);
  return n;
}

/** The shape of an Mlp (checked against the policy contract). */
export function shapeOf(mlp: Pick<Mlp, 'layers'>): MlpShape {
  if (mlp.layers.length === 0) throw new RangeError('the MLP has no layer');
  mlp.layers.forEach((l, i) => {
    if (l.weight.length !== l.inputs * l.outputs) throw new RangeError(`layer ${i}: ${l.weight.length} weights, ${l.outputs}×${l.inputs} expected`);
    if (l.bias.length !== l.outputs) throw new RangeError(`layer ${i}: ${l.bias.length} biases, ${l.outputs} expected`);
    if (i > 0 && l.inputs !== mlp.layers[i - 1].outputs) throw new RangeError(`layer ${i}: takes ${l.inputs} inputs, layer ${i - 1} gives ${mlp.layers[i - 1].outputs}`);
  });
  const shape: MlpShape = { widths: [mlp.layers[0].inputs, ...mlp.layers.map((l) => l.outputs)], activations: mlp.layers.map((l) => l.activation) };
  checkShape(shape);
  return shape;
}

/** The flat vector of an Mlp (float32 values widened to float64, exactly). */
export function flattenMlp(mlp: Pick<Mlp, 'layers'>): Float64Array {
  const shape = shapeOf(mlp);
  const out = new Float64Array(paramCount(shape));
  let at = 0;
  for (const l of mlp.layers) {
    for (let i = 0; i < l.weight.length; i++) out[at++] = l.weight[i];
    for (let i = 0; i < l.bias.length; i++) out[at++] = l.bias[i];
  }
  return out;
}

function checkLength(shape: MlpShape, params: ArrayLike<number>): void {
  checkShape(shape);
  const n = paramCount(shape);
  if (params.length !== n) throw new RangeError(`the shape [${shape.widths.join(' → ')}] has ${n} parameters, the vector holds ${params.length}`);
}

/** The float32 layers of a flat vector. */
export function toLayers(shape: MlpShape, params: ArrayLike<number>): DenseLayer[] {
  checkLength(shape, params);
  const layers: DenseLayer[] = [];
  let at = 0;
  for (let l = 0; l + 1 < shape.widths.length; l++) {
    const inputs = shape.widths[l];
    const outputs = shape.widths[l + 1];
    const weight = new Float32Array(inputs * outputs);
    for (let i = 0; i < weight.length; i++) weight[i] = params[at++];
    const bias = new Float32Array(outputs);
    for (let i = 0; i < outputs; i++) bias[i] = params[at++];
    layers.push({ inputs, outputs, weight, bias, activation: shape.activations[l] });
  }
  return layers;
}

/** An Mlp under the model contract's names (observation → action_logits). */
export function toMlp(shape: MlpShape, params: ArrayLike<number>): Mlp {
  return { inputName: MODEL_CONTRACT.inputName, outputName: MODEL_CONTRACT.outputName, layers: toLayers(shape, params) };
}

/** The weights as an EpisodeSpec carries them (float32 values as plain numbers). */
export function toInlineMlp(shape: MlpShape, params: ArrayLike<number>): InlineMlp {
  return {
    layers: toLayers(shape, params).map((l) => ({
      weights: Array.from(l.weight),
      bias: Array.from(l.bias),
      inputs: l.inputs,
      outputs: l.outputs,
      activation: l.activation,
    })),
  };
}

/** Back from the inline form, checked. */
export function fromInlineMlp(inline: InlineMlp): Mlp {
  const layers: DenseLayer[] = inline.layers.map((l) => ({
    inputs: l.inputs,
    outputs: l.outputs,
    weight: Float32Array.from(l.weights),
    bias: Float32Array.from(l.bias),
    activation: l.activation,
  }));
  const mlp: Mlp = { inputName: MODEL_CONTRACT.inputName, outputName: MODEL_CONTRACT.outputName, layers };
  shapeOf(mlp);
  return mlp;
}

/**
 * Small random starting weights, deterministic from the seed: each weight normal with standard
 * deviation `gain / √inputs` (the scale at which a layer's outputs have roughly its inputs'
 * magnitude), biases 0.
 */
export function randomParams(shape: MlpShape, seed: number, gain = 1): Float64Array {
  checkShape(shape);
  const rng = new Xorshift32(seed);
  const out = new Float64Array(paramCount(shape));
  let at = 0;
  for (let l = 0; l + 1 < shape.widths.length; l++) {
    const inputs = shape.widths[l];
    const outputs = shape.widths[l + 1];
    const std = gain / Math.sqrt(inputs);
    for (let i = 0; i < inputs * outputs; i++) out[at++] = Math.fround(std * rng.normal());
    at += outputs;
  }
  return out;
}
