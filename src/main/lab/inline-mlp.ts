/**
 * Inline MLP weights (a training candidate: no file per candidate) as the policy `mlp:FILE`
 * would give for the same weights: the layers are written as the ONNX model the shipped
 * baseline is written as (`mlpModelBytes`: the feature-spec hash in its metadata) and loaded
 * back through `MlpPolicy.fromBytes` — the very checks and evaluator of `--policy mlp:FILE` —
 * then wrapped in the cash-reserve gate as `loadPolicy` wraps every policy.
 *
 * The shapes are checked first, each problem a RangeError naming the layer and field.
 */
import { FEATURE_COUNT } from '../../shared/observation/features.js';
import { mlpModelBytes } from '../../shared/onnx/baseline-model.js';
import type { Mlp } from '../../shared/onnx/mlp-graph.js';
import { MODEL_CONTRACT } from '../../shared/onnx/model-contract.js';
import { ACTION_COUNT } from '../../shared/policy/actions.js';
import { withCashReserveGate } from '../../shared/policy/gates.js';
import { MlpPolicy } from '../../shared/policy/mlp.js';
import type { Policy } from '../../shared/policy/policy.js';
import type { InlineMlp } from './episode-types.js';

const ACTIVATIONS: readonly string[] = ['none', 'relu', 'tanh', 'sigmoid'];
/** Largest layer accepted (weights): far above any policy this host evaluates per decision. */
const MAX_LAYER_WEIGHTS = 1 << 22;

/** Checks `m` and returns it as the dense layers of `mlp-graph.ts` (float32). Throws RangeError. */
export function mlpOfInline(m: InlineMlp): Mlp {
  const where = 'policy.mlp';
  if (m === null || typeof m !== 'object' || !Array.isArray(m.layers) || m.layers.length === 0) {
    throw new RangeError(`${where}.layers must be a non-empty array of layers`);
  }
  const layers = m.layers.map((l, i) => {
    const at = `${where}.layers[${i}]`;
    if (l === null || typeof l !== 'object') throw new RangeError(`${at} must be an object`);
    for (const k of ['inputs', 'outputs'] as const) {
      if (!Number.isSafeInteger(l[k]) || l[k] < 1) throw new RangeError(`${at}.${k} must be a positive whole number, got ${String(l[k])}`);
    }
    if (l.inputs * l.outputs > MAX_LAYER_WEIGHTS) throw new RangeError(`${at}: ${l.outputs}×${l.inputs} weights is more than ${MAX_LAYER_WEIGHTS}`);
    if (!ACTIVATIONS.includes(l.activation)) throw new RangeError(`${at}.activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(l.activation)}`);
    const weight = floats(l.weights, l.inputs * l.outputs, `${at}.weights (outputs × inputs, row-major)`);
    const bias = floats(l.bias, l.outputs, `${at}.bias`);
    if (i > 0 && l.inputs !== m.layers[i - 1].outputs) throw new RangeError(`${at}.inputs is ${l.inputs}, the layer before gives ${m.layers[i - 1].outputs}`);
    return { inputs: l.inputs, outputs: l.outputs, weight, bias, activation: l.activation };
  });
  if (layers[0].inputs !== FEATURE_COUNT) throw new RangeError(`${where}.layers[0].inputs must be ${FEATURE_COUNT} (the features), got ${layers[0].inputs}`);
  const last = layers[layers.length - 1];
  if (last.outputs !== ACTION_COUNT) throw new RangeError(`${where}.layers[${layers.length - 1}].outputs must be ${ACTION_COUNT} (the actions), got ${last.outputs}`);
  return { inputName: MODEL_CONTRACT.inputName, outputName: MODEL_CONTRACT.outputName, layers };
}

function floats(values: unknown, n: number, what: string): Float32Array {
  if (!Array.isArray(values)) throw new RangeError(`${what} must be an array of ${n} numbers`);
  if (values.length !== n) throw new RangeError(`${what} must hold ${n} numbers, got ${values.length}`);
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const v = values[k] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${what}[${k}] must be a finite number, got ${String(v)}`);
    out[k] = v;
  }
  return out;
}

/**
 * A label for inline weights: `mlp:inline/52-32-5/` + an FNV-1a hash of the float32 weights
 * and biases (the values evaluated), so that two candidates' reports can be told apart.
 */
export function inlineMlpLabel(mlp: Mlp): string {
  let h = 0x811c9dc5;
  for (const l of mlp.layers) {
    for (const arr of [l.weight, l.bias]) {
      const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
      for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    }
    h = Math.imul(h ^ ACTIVATIONS.indexOf(l.activation), 0x01000193);
  }
  const widths = [mlp.layers[0].inputs, ...mlp.layers.map((l) => l.outputs)];
  return `mlp:inline/${widths.join('-')}/${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/** The gated policy of inline weights, and its label. Throws RangeError on bad shapes. */
export function inlineMlpPolicy(m: InlineMlp): { policy: Policy; label: string } {
  const mlp = mlpOfInline(m);
  const label = inlineMlpLabel(mlp);
  const bytes = mlpModelBytes(mlp, 'inline weights (policy lab episode)');
  return { policy: withCashReserveGate(MlpPolicy.fromBytes(bytes, label, { name: label })), label };
}
