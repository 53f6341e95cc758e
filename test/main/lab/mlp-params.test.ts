/**
 * The trainer's weight conversions: Mlp ↔ flat vector ↔ InlineMlp, shapes checked, values
 * rounded to float32 once and then kept exactly.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '../../../src/shared/observation/features.js';
import { extractMlp, type Mlp } from '../../../src/shared/onnx/mlp-graph.js';
import { decodeModel } from '../../../src/shared/onnx/model-reader.js';
import {
  checkShape,
  flattenMlp,
  fromInlineMlp,
  paramCount,
  policyShape,
  randomParams,
  shapeOf,
  toInlineMlp,
  toLayers,
  toMlp,
} from '../../../src/main/lab/mlp-params.js';

const SHIPPED = new URL('../../../models/baseline-mlp.onnx', import.meta.url);

describe('mlp-params', () => {
  it('the default policy shape is 52 → 16 (ReLU) → 5 (no activation), 933 parameters', () => {
    const shape = policyShape();
    expect(shape).toEqual({ widths: [FEATURE_COUNT, 16, 5], activations: ['relu', 'none'] });
    expect(paramCount(shape)).toBe(52 * 16 + 16 + 16 * 5 + 5);
    expect(policyShape([8, 4])).toEqual({ widths: [52, 8, 4, 5], activations: ['relu', 'relu', 'none'] });
    expect(paramCount(policyShape([]))).toBe(52 * 5 + 5);
  });

  it('refuses shapes that break the policy contract', () => {
    expect(() => policyShape([0])).toThrow(/positive integers/);
    expect(() => policyShape([2.5])).toThrow(/positive integers/);
    expect(() => checkShape({ widths: [51, 16, 5], activations: ['relu', 'none'] })).toThrow(/takes 52 inputs/);
    expect(() => checkShape({ widths: [52, 16, 4], activations: ['relu', 'none'] })).toThrow(/gives 5 scores/);
    expect(() => checkShape({ widths: [52, 16, 5], activations: ['relu'] })).toThrow(/2 layers need 2 activations/);
    expect(() => checkShape({ widths: [52, 16, 5], activations: ['relu', 'softmax' as 'none'] })).toThrow(/unknown activation/);
  });

  it('vector → Mlp → vector → InlineMlp → Mlp keeps every value (float32)', () => {
    const shape = policyShape([7]);
    const params = randomParams(shape, 42);
    // Biases non-zero too, and values that are not float32 to start with.
    for (let i = 0; i < params.length; i += 3) params[i] += 0.1 / 3;
    const mlp = toMlp(shape, params);
    expect(mlp.inputName).toBe('observation');
    expect(mlp.outputName).toBe('action_logits');
    expect(mlp.layers.map((l) => [l.inputs, l.outputs, l.activation])).toEqual([[52, 7, 'relu'], [7, 5, 'none']]);
    const flat = flattenMlp(mlp);
    expect(flat.length).toBe(paramCount(shape));
    for (let i = 0; i < flat.length; i++) expect(flat[i]).toBe(Math.fround(params[i]));
    // Layout: layer 0 weights (row-major, outputs × inputs), then its bias, then layer 1.
    expect(flat[52 * 7 + 2]).toBe(mlp.layers[0].bias[2]);
    expect(flat[52 * 7 + 7 + 5 * 7 + 1]).toBe(mlp.layers[1].bias[1]);
    expect(flat[3 * 52 + 9]).toBe(mlp.layers[0].weight[3 * 52 + 9]);

    const inline = toInlineMlp(shape, flat);
    expect(inline.layers).toHaveLength(2);
    expect(inline.layers[0]).toMatchObject({ inputs: 52, outputs: 7, activation: 'relu' });
    expect(Array.isArray(inline.layers[0].weights)).toBe(true);
    expect(JSON.parse(JSON.stringify(inline))).toEqual(inline); // plain data: crosses into a worker
    const back = fromInlineMlp(inline);
    expect(flattenMlp(back)).toEqual(flat);
    expect(shapeOf(back)).toEqual(shape);
  });

  it('checks sizes in every direction', () => {
    const shape = policyShape([4]);
    const n = paramCount(shape);
    expect(() => toLayers(shape, new Float64Array(n - 1))).toThrow(`has ${n} parameters, the vector holds ${n - 1}`);
    expect(() => toInlineMlp(shape, new Float64Array(n + 1))).toThrow(/the vector holds/);
    const mlp = toMlp(shape, new Float64Array(n));
    const broken: Mlp = { ...mlp, layers: [mlp.layers[0], { ...mlp.layers[1], inputs: 3, weight: new Float32Array(15) }] };
    expect(() => flattenMlp(broken)).toThrow(/layer 1: takes 3 inputs, layer 0 gives 4/);
    const badBias: Mlp = { ...mlp, layers: [{ ...mlp.layers[0], bias: new Float32Array(3) }, mlp.layers[1]] };
    expect(() => shapeOf(badBias)).toThrow(/layer 0: 3 biases, 4 expected/);
    const inline = toInlineMlp(shape, new Float64Array(n));
    inline.layers[0].weights.pop();
    expect(() => fromInlineMlp(inline)).toThrow(/layer 0: 207 weights, 4×52 expected/);
    expect(() => flattenMlp({ layers: [] })).toThrow(/no layer/);
  });

  it('random starting weights: deterministic, small, biases 0', () => {
    const shape = policyShape();
    const a = randomParams(shape, 7);
    expect(randomParams(shape, 7)).toEqual(a);
    expect(randomParams(shape, 8)).not.toEqual(a);
    const layers = toLayers(shape, a);
    expect([...layers[0].bias, ...layers[1].bias].every((b) => b === 0)).toBe(true);
    const sd = (xs: Float32Array) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    expect(sd(layers[0].weight)).toBeGreaterThan(0.8 / Math.sqrt(52));
    expect(sd(layers[0].weight)).toBeLessThan(1.2 / Math.sqrt(52));
    for (const v of a) expect(v).toBe(Math.fround(v));
  });

  it('reads the shipped baseline (52 → 32 → 32 → 5) and writes it back unchanged', async () => {
    const mlp = extractMlp(decodeModel(await readFile(SHIPPED)));
    const shape = shapeOf(mlp);
    expect(shape).toEqual({ widths: [52, 32, 32, 5], activations: ['relu', 'relu', 'none'] });
    const again = toMlp(shape, flattenMlp(mlp));
    again.layers.forEach((l, i) => {
      expect(l.weight).toEqual(mlp.layers[i].weight);
      expect(l.bias).toEqual(mlp.layers[i].bias);
    });
  });
});
