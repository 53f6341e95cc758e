import { describe, expect, it } from 'vitest';
import { MlpGraphError, buildMlpModel, extractMlp, type Mlp } from '../../../src/shared/onnx/mlp-graph.js';
import { randomLayers } from '../../../src/shared/onnx/mlp-trainer.js';
import { ATTR_FLOAT, ATTR_INT, ONNX_FLOAT, encodeModel, type OnnxModel } from '../../../src/shared/onnx/model-proto.js';
import { decodeModel } from '../../../src/shared/onnx/model-reader.js';

const OPTS = {
  producerName: 'test',
  producerVersion: '1',
  irVersion: 8,
  opset: 17,
  batchDim: 'N',
  graphName: 'g',
  docString: '',
  metadata: [],
};

function mlp(widths: number[], seed: number, hidden: 'relu' | 'tanh' | 'sigmoid' = 'relu'): Mlp {
  return { inputName: 'x', outputName: 'y', layers: randomLayers(widths, seed, hidden) };
}

/** Dense reference forward pass in float64. */
function forward(m: Mlp, x: number[]): number[] {
  let cur = x;
  for (const l of m.layers) {
    const next: number[] = [];
    for (let o = 0; o < l.outputs; o++) {
      let s = l.bias[o];
      for (let i = 0; i < l.inputs; i++) s += l.weight[o * l.inputs + i] * cur[i];
      next.push(l.activation === 'relu' ? Math.max(0, s) : l.activation === 'tanh' ? Math.tanh(s) : l.activation === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : s);
    }
    cur = next;
  }
  return cur;
}

function graphError(model: OnnxModel): MlpGraphError {
  try {
    extractMlp(model);
  } catch (err) {
    expect(err).toBeInstanceOf(MlpGraphError);
    return err as MlpGraphError;
  }
  throw new Error('expected an MlpGraphError');
}

describe('buildMlpModel', () => {
  it('writes Gemm(transB=1) → activation per layer, named fcN, with a dynamic batch', () => {
    const model = buildMlpModel(mlp([4, 3, 2], 1), OPTS);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm']);
    expect(model.graph.nodes[2].outputs).toEqual(['y']);
    expect(model.graph.initializers.map((t) => [t.name, t.dims])).toEqual([
      ['fc0.weight', [3, 4]],
      ['fc0.bias', [3]],
      ['fc1.weight', [2, 3]],
      ['fc1.bias', [2]],
    ]);
    expect(model.graph.inputs[0]).toEqual({ name: 'x', elemType: ONNX_FLOAT, shape: ['N', 4] });
    expect(model.graph.outputs[0]).toEqual({ name: 'y', elemType: ONNX_FLOAT, shape: ['N', 2] });
  });

  it('refuses layers whose sizes do not chain', () => {
    const bad = mlp([4, 3, 2], 1);
    bad.layers[1] = { ...bad.layers[1], inputs: 5, weight: new Float32Array(10) };
    expect(() => buildMlpModel(bad, OPTS)).toThrow(RangeError);
  });
});

describe('extractMlp', () => {
  it('reads back what buildMlpModel wrote, through the bytes', () => {
    for (const hidden of ['relu', 'tanh', 'sigmoid'] as const) {
      const original = mlp([6, 5, 4, 3], 2, hidden);
      const back = extractMlp(decodeModel(encodeModel(buildMlpModel(original, OPTS))));
      expect(back).toEqual(original);
    }
  });

  it('folds Gemm alpha, beta and transB = 0, and MatMul + Add, into the same dense layers', () => {
    const m = mlp([3, 2], 3);
    const l = m.layers[0];
    const transposed = new Float32Array(6); // [in, out]
    for (let o = 0; o < 2; o++) for (let i = 0; i < 3; i++) transposed[i * 2 + o] = l.weight[o * 3 + i] * 2; // alpha = 0.5 undoes ×2
    const biasHalf = l.bias.map((b) => b * 4); // beta = 0.25
    const base = buildMlpModel(m, OPTS);
    const gemm: OnnxModel = {
      ...base,
      graph: {
        ...base.graph,
        nodes: [
          {
            ...base.graph.nodes[0],
            attributes: [
              { name: 'alpha', type: ATTR_FLOAT, f: 0.5 },
              { name: 'beta', type: ATTR_FLOAT, f: 0.25 },
              { name: 'transB', type: ATTR_INT, i: 0 },
            ],
          },
        ],
        initializers: [
          { name: 'fc0.weight', dims: [3, 2], dataType: ONNX_FLOAT, floats: transposed, external: false },
          { name: 'fc0.bias', dims: [1, 2], dataType: ONNX_FLOAT, floats: biasHalf, external: false },
        ],
      },
    };
    const matmul: OnnxModel = {
      ...base,
      graph: {
        ...base.graph,
        nodes: [
          { opType: 'MatMul', name: 'mm', domain: '', inputs: ['x', 'W'], outputs: ['h'], attributes: [] },
          { opType: 'Add', name: 'add', domain: '', inputs: ['B', 'h'], outputs: ['h2'], attributes: [] },
          { opType: 'Identity', name: 'id', domain: '', inputs: ['h2'], outputs: ['y'], attributes: [] },
        ],
        initializers: [
          { name: 'W', dims: [3, 2], dataType: ONNX_FLOAT, floats: transposed.map((v) => v / 2), external: false },
          { name: 'B', dims: [2], dataType: ONNX_FLOAT, floats: l.bias, external: false },
        ],
      },
    };
    const x = [0.3, -1.2, 0.7];
    const want = forward(m, x);
    for (const model of [gemm, matmul]) {
      const got = forward(extractMlp(model), x);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
  });

  it('refuses anything that is not a dense chain, naming the node', () => {
    const base = buildMlpModel(mlp([4, 3, 2], 4), OPTS);
    const withNodes = (nodes: OnnxModel['graph']['nodes']): OnnxModel => ({ ...base, graph: { ...base.graph, nodes } });
    const [gemm0, relu0, gemm1] = base.graph.nodes;
    expect(graphError(withNodes([gemm0, { ...relu0, opType: 'Softmax' }, gemm1])).message).toMatch(/node 1 \(Softmax "relu0"\).*not supported/);
    expect(graphError(withNodes([gemm0, relu0, { ...relu0, name: 'again' }, gemm1])).message).toMatch(/chain|activation/);
    expect(graphError(withNodes([{ ...relu0, inputs: ['x'] }, gemm0])).message).toMatch(/activation must follow/);
    expect(graphError(withNodes([gemm0, { ...gemm1, inputs: ['x', 'fc1.weight', 'fc1.bias'] }])).message).toMatch(/does not continue the chain/);
    expect(graphError(withNodes([gemm0, relu0])).message).toMatch(/chain ends at "relu0"/);
    expect(graphError(withNodes([{ ...gemm0, domain: 'com.microsoft' }, relu0, gemm1])).message).toMatch(/domain/);
    expect(graphError(withNodes([{ ...gemm0, inputs: ['x', 'missing', 'fc0.bias'] }, relu0, gemm1])).message).toMatch(/initializer|chain/);
    expect(graphError({ ...base, graph: { ...base.graph, inputs: [...base.graph.inputs, { name: 'z', elemType: ONNX_FLOAT, shape: ['N', 1] }] } }).message).toMatch(
      /2 inputs/,
    );
    const int64Weight = base.graph.initializers.map((t, i) => (i === 0 ? { ...t, dataType: 7, floats: null } : t));
    expect(graphError({ ...base, graph: { ...base.graph, initializers: int64Weight } }).message).toMatch(/not float32/);
  });
});
