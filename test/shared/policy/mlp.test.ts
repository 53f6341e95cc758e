import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES, FEATURE_COUNT, FEATURE_SPEC_HASH } from '../../../src/shared/observation/features.js';
import { sampleObservations } from '../../../src/shared/onnx/baseline-model.js';
import { buildMlpModel, type Mlp } from '../../../src/shared/onnx/mlp-graph.js';
import { Xorshift32, randomLayers } from '../../../src/shared/onnx/mlp-trainer.js';
import { ONNX_FLOAT, encodeModel, type OnnxModel } from '../../../src/shared/onnx/model-proto.js';
import { MlpPolicy, ModelLoadError, ModelMismatchError } from '../../../src/shared/policy/mlp.js';
import { OnnxPolicy } from '../../../src/shared/policy/onnx-policy.js';
import type { Policy } from '../../../src/shared/policy/policy.js';

const SHIPPED = fileURLToPath(new URL('../../../models/baseline-mlp.onnx', import.meta.url));
const HASH_META = [
  { key: 'feature_spec_hash', value: FEATURE_SPEC_HASH },
  { key: 'feature_count', value: String(FEATURE_COUNT) },
];
const OPTS = { producerName: 't', producerVersion: '1', irVersion: 8, opset: 17, batchDim: 'N', graphName: 'g', docString: '', metadata: HASH_META };
const ROWS = 10_000;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlp-policy-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

function uniformObservations(rows: number, seed: number): Float32Array {
  const rng = new Xorshift32(seed);
  const out = new Float32Array(rows * FEATURE_COUNT);
  for (let r = 0; r < rows; r++) for (const f of FEATURES) out[r * FEATURE_COUNT + f.index] = f.clip[0] + (f.clip[1] - f.clip[0]) * rng.next();
  return out;
}

/**
 * Runs both evaluators on the same rows: identical argmax everywhere, and every score within
 * 1e-4 relative of onnxruntime's (relative to max(|score|, 1): near zero, an absolute 1e-4).
 */
async function expectAgreement(path: string, observations: Float32Array): Promise<number> {
  const rows = observations.length / FEATURE_COUNT;
  const ort = await OnnxPolicy.load(path);
  const mlp = await MlpPolicy.load(path);
  try {
    const reference = await ort.scores(observations, rows);
    const ours = new Float32Array(rows * 5);
    mlp.scores(observations, rows, ours);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) {
      const rel = Math.abs(ours[i] - reference[i]) / Math.max(Math.abs(reference[i]), 1);
      if (!(rel <= worst)) worst = rel;
    }
    expect(worst).toBeLessThan(1e-4);
    const a = new Uint8Array(rows);
    const b = new Uint8Array(rows);
    await ort.decide(observations, rows, a);
    mlp.decide(observations, rows, b);
    let differ = 0;
    for (let r = 0; r < rows; r++) if (a[r] !== b[r]) differ++;
    expect(differ).toBe(0);
    return worst;
  } finally {
    await ort.close();
  }
}

function policyOf(mlp: Mlp, hidden?: 'tanh' | 'sigmoid'): Mlp {
  if (hidden) for (const l of mlp.layers.slice(0, -1)) l.activation = hidden;
  return mlp;
}

describe('MlpPolicy against onnxruntime', () => {
  it('agrees on the shipped model over 10,000 market-like and 10,000 uniform random observations', async () => {
    await expectAgreement(SHIPPED, sampleObservations(ROWS, 777));
    await expectAgreement(SHIPPED, uniformObservations(ROWS, 778));
  });

  it('agrees on Tanh and Sigmoid hidden layers and on a MatMul + Add export', async () => {
    for (const hidden of ['tanh', 'sigmoid'] as const) {
      const mlp = policyOf({ inputName: 'obs', outputName: 'q', layers: randomLayers([52, 24, 16, 5], 9) }, hidden);
      await expectAgreement(await write(`${hidden}.onnx`, encodeModel(buildMlpModel(mlp, OPTS))), uniformObservations(ROWS, 9));
    }
    // PyTorch's newer exporter writes Linear as MatMul(x, Wᵀ) + b.
    const layers = randomLayers([52, 16, 5], 10);
    const nodes: OnnxModel['graph']['nodes'] = [];
    const initializers: OnnxModel['graph']['initializers'] = [];
    let current = 'input';
    layers.forEach((l, i) => {
      const wt = new Float32Array(l.inputs * l.outputs);
      for (let o = 0; o < l.outputs; o++) for (let k = 0; k < l.inputs; k++) wt[k * l.outputs + o] = l.weight[o * l.inputs + k];
      initializers.push(
        { name: `w${i}`, dims: [l.inputs, l.outputs], dataType: ONNX_FLOAT, floats: wt, external: false },
        { name: `b${i}`, dims: [l.outputs], dataType: ONNX_FLOAT, floats: l.bias, external: false },
      );
      nodes.push({ opType: 'MatMul', name: `mm${i}`, domain: '', inputs: [current, `w${i}`], outputs: [`mm${i}`], attributes: [] });
      const last = i === layers.length - 1;
      nodes.push({ opType: 'Add', name: `add${i}`, domain: '', inputs: [`mm${i}`, `b${i}`], outputs: [last ? 'output' : `add${i}`], attributes: [] });
      current = `add${i}`;
      if (!last) {
        nodes.push({ opType: 'Relu', name: `relu${i}`, domain: '', inputs: [current], outputs: [`relu${i}`], attributes: [] });
        current = `relu${i}`;
      }
    });
    const base = buildMlpModel({ inputName: 'input', outputName: 'output', layers }, OPTS);
    const matmul: OnnxModel = { ...base, graph: { ...base.graph, nodes, initializers } };
    await expectAgreement(await write('matmul.onnx', encodeModel(matmul)), sampleObservations(ROWS, 10));
  });
});

describe('MlpPolicy.load', () => {
  it('loads the shipped model and implements Policy, synchronously deciding', async () => {
    const mlp = await MlpPolicy.load(SHIPPED);
    const policy: Policy = mlp;
    expect(policy.name).toBe('mlp:baseline-mlp.onnx');
    expect(policy.featureSpecHash).toBe(FEATURE_SPEC_HASH);
    expect(mlp.widths).toEqual([52, 32, 32, 5]);
    expect(policy.decide(sampleObservations(1, 1), 1, new Uint8Array(1))).toBeUndefined();
    expect(MlpPolicy.fromBytes(await readFile(SHIPPED), 'in-memory', { name: 'x' }).name).toBe('x');
  });

  it('refuses a hash mismatch or a missing hash with ModelMismatchError naming both hashes', async () => {
    const err = await MlpPolicy.load(SHIPPED, { expectedFeatureSpecHash: 'feedfacefeedface' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelMismatchError);
    expect((err as ModelMismatchError).message).toContain('feedfacefeedface');
    expect((err as ModelMismatchError).message).toContain(FEATURE_SPEC_HASH);
    expect((err as ModelMismatchError).message).toContain(SHIPPED);
    const bare = await write('bare.onnx', encodeModel(buildMlpModel({ inputName: 'x', outputName: 'y', layers: randomLayers([52, 5], 1) }, { ...OPTS, metadata: [] })));
    const err2 = await MlpPolicy.load(bare).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(ModelMismatchError);
    expect((err2 as ModelMismatchError).found).toBeUndefined();
  });

  it('refuses wrong shapes with ModelMismatchError and graphs it cannot run with ModelLoadError', async () => {
    const in51 = await write('in51.onnx', encodeModel(buildMlpModel({ inputName: 'x', outputName: 'y', layers: randomLayers([51, 5], 1) }, OPTS)));
    const err = await MlpPolicy.load(in51).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelMismatchError);
    expect((err as ModelMismatchError).code).toBe('shape');

    // Softmax at the end is valid ONNX (onnxruntime runs it) but not a dense chain.
    const model = buildMlpModel({ inputName: 'x', outputName: 'y', layers: randomLayers([52, 8, 5], 2) }, OPTS);
    model.graph.nodes[2].outputs = ['logits'];
    model.graph.nodes.push({ opType: 'Softmax', name: 'sm', domain: '', inputs: ['logits'], outputs: ['y'], attributes: [] });
    const path = await write('softmax.onnx', encodeModel(model));
    await (await OnnxPolicy.load(path)).close();
    const err2 = await MlpPolicy.load(path).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(ModelLoadError);
    expect((err2 as ModelLoadError).code).toBe('unsupported-graph');
    expect((err2 as ModelLoadError).message).toMatch(/Softmax/);
  });

  it('turns a missing, truncated or foreign file into a ModelLoadError', async () => {
    const bytes = await readFile(SHIPPED);
    const cases: [string, string][] = [
      [join(dir, 'nope.onnx'), 'not-found'],
      [await write('truncated.onnx', bytes.subarray(0, 3000)), 'not-onnx'],
      [await write('garbage.onnx', new Uint8Array(256).map((_, i) => (i * 37) & 0xff)), 'not-onnx'],
    ];
    for (const [path, code] of cases) {
      const err = await MlpPolicy.load(path).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(ModelLoadError);
      expect((err as ModelLoadError).code, path).toBe(code);
    }
  });
});

describe('MlpPolicy.decide', () => {
  it('gives the same actions and scores for a batch of 500 as for batches of 1', async () => {
    const mlp = await MlpPolicy.load(SHIPPED);
    const obs = sampleObservations(500, 21);
    const batch = new Uint8Array(500);
    mlp.decide(obs, 500, batch);
    const scores = new Float32Array(500 * 5);
    mlp.scores(obs, 500, scores);
    const one = new Uint8Array(1);
    const oneScores = new Float32Array(5);
    for (let r = 0; r < 500; r++) {
      const row = obs.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT);
      mlp.decide(row, 1, one);
      expect(one[0]).toBe(batch[r]);
      mlp.scores(row, 1, oneScores);
      expect([...oneScores]).toEqual([...scores.subarray(r * 5, r * 5 + 5)]);
    }
  });

  it('holds on NaN rows, writes only `count` actions and refuses a count that does not fit', async () => {
    const mlp = await MlpPolicy.load(SHIPPED);
    const obs = new Float32Array(FEATURE_COUNT * 3);
    obs.set(sampleObservations(1, 3));
    obs.fill(Number.NaN, FEATURE_COUNT, FEATURE_COUNT * 2);
    const actions = new Uint8Array(4).fill(9);
    mlp.decide(obs, 2, actions);
    expect(actions[1]).toBe(0);
    expect([...actions.subarray(2)]).toEqual([9, 9]);
    expect(() => mlp.decide(obs, 4, actions)).toThrow(RangeError);
    expect(() => mlp.decide(obs, 2, new Uint8Array(1))).toThrow(RangeError);
    expect(() => mlp.scores(obs, 2, new Float32Array(9))).toThrow(RangeError);
    mlp.decide(obs, 0, actions);
  });
});
