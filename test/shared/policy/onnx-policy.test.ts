import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES, FEATURE_COUNT, FEATURE_SPEC_HASH } from '../../../src/shared/observation/features.js';
import { mlpModelBytes, sampleObservations } from '../../../src/shared/onnx/baseline-model.js';
import { buildMlpModel, type Mlp } from '../../../src/shared/onnx/mlp-graph.js';
import { Xorshift32, randomLayers } from '../../../src/shared/onnx/mlp-trainer.js';
import { encodeModel } from '../../../src/shared/onnx/model-proto.js';
import { stampMetadata } from '../../../src/shared/onnx/model-reader.js';
import { ModelLoadError, ModelMismatchError, OnnxPolicy } from '../../../src/shared/policy/onnx-policy.js';
import type { ModelLoadErrorCode } from '../../../src/shared/policy/onnx-errors.js';
import type { Policy } from '../../../src/shared/policy/policy.js';

const SHIPPED = fileURLToPath(new URL('../../../models/baseline-mlp.onnx', import.meta.url));
const OPTS = { producerName: 't', producerVersion: '1', irVersion: 8, opset: 17, batchDim: 'N', graphName: 'g', docString: '' };
const HASH_META = [
  { key: 'feature_spec_hash', value: FEATURE_SPEC_HASH },
  { key: 'feature_count', value: String(FEATURE_COUNT) },
];

let dir: string;
let shipped: OnnxPolicy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-policy-'));
  shipped = await OnnxPolicy.load(SHIPPED);
});

afterAll(async () => {
  await shipped.close();
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

function randomMlp(widths: number[], seed: number): Mlp {
  return { inputName: 'observation', outputName: 'action_logits', layers: randomLayers(widths, seed) };
}

/** Uniform in every feature's clip range. */
function uniformObservations(rows: number, seed: number): Float32Array {
  const rng = new Xorshift32(seed);
  const out = new Float32Array(rows * FEATURE_COUNT);
  for (let r = 0; r < rows; r++) for (const f of FEATURES) out[r * FEATURE_COUNT + f.index] = f.clip[0] + (f.clip[1] - f.clip[0]) * rng.next();
  return out;
}

async function loadError<T extends Error>(type: new (...args: never[]) => T, promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as T;
  }
  throw new Error(`expected a ${type.name}`);
}

describe('OnnxPolicy.load', () => {
  it('loads the shipped model and implements Policy', () => {
    const policy: Policy = shipped;
    expect(policy.name).toBe('onnx:baseline-mlp.onnx');
    expect(policy.featureSpecHash).toBe(FEATURE_SPEC_HASH);
    expect(shipped.inputName).toBe('observation');
    expect(shipped.outputName).toBe('action_logits');
    expect(shipped.file).toBe(SHIPPED);
  });

  it('refuses a model trained on another feature spec, naming both hashes and the file', async () => {
    const err = await loadError(ModelMismatchError, OnnxPolicy.load(SHIPPED, { expectedFeatureSpecHash: 'deadbeefdeadbeef' }));
    expect(err.code).toBe('feature-hash');
    expect(err.expected).toBe('deadbeefdeadbeef');
    expect(err.found).toBe(FEATURE_SPEC_HASH);
    expect(err.file).toBe(SHIPPED);
    expect(err.message).toContain('deadbeefdeadbeef');
    expect(err.message).toContain(FEATURE_SPEC_HASH);
    expect(err.message).toContain(SHIPPED);

    const other = stampMetadata(mlpModelBytes(randomMlp([52, 8, 5], 1), ''), [{ key: 'feature_spec_hash', value: '0123456789abcdef' }]);
    const restamped = await write('restamped.onnx', other);
    const err2 = await loadError(ModelMismatchError, OnnxPolicy.load(restamped));
    expect([err2.expected, err2.found]).toEqual([FEATURE_SPEC_HASH, '0123456789abcdef']);
  });

  it('refuses a model with no feature-spec hash, or a feature_count that disagrees', async () => {
    const bare = await write('bare.onnx', encodeModel(buildMlpModel(randomMlp([52, 8, 5], 2), { ...OPTS, metadata: [] })));
    const err = await loadError(ModelMismatchError, OnnxPolicy.load(bare));
    expect(err.code).toBe('feature-hash');
    expect(err.found).toBeUndefined();
    expect(err.message).toMatch(/no feature_spec_hash/);
    expect(err.message).toContain(FEATURE_SPEC_HASH);

    const count = await write(
      'count.onnx',
      encodeModel(buildMlpModel(randomMlp([52, 8, 5], 2), { ...OPTS, metadata: [HASH_META[0], { key: 'feature_count', value: '51' }] })),
    );
    const err2 = await loadError(ModelMismatchError, OnnxPolicy.load(count));
    expect([err2.code, err2.expected, err2.found]).toEqual(['feature-count', '52', '51']);
  });

  it('refuses input or output shapes outside the contract', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['in51.onnx', encodeModel(buildMlpModel(randomMlp([51, 8, 5], 3), { ...OPTS, metadata: HASH_META })), /input "observation" must have 52 columns/],
      ['out4.onnx', encodeModel(buildMlpModel(randomMlp([52, 8, 4], 3), { ...OPTS, metadata: HASH_META })), /output "action_logits" must have 5 columns/],
    ];
    const fixed = buildMlpModel(randomMlp([52, 8, 5], 3), { ...OPTS, metadata: HASH_META });
    fixed.graph.inputs[0].shape = [1, 52];
    fixed.graph.outputs[0].shape = [1, 5];
    cases.push(['fixed.onnx', encodeModel(fixed), /fixed batch size/]);
    for (const [name, bytes, message] of cases) {
      const err = await loadError(ModelMismatchError, OnnxPolicy.load(await write(name, bytes)));
      expect(err.code).toBe('shape');
      expect(err.message).toMatch(message);
      expect(err.message).toContain(name);
    }
  });

  it('turns a missing, unreadable, truncated or foreign file into a ModelLoadError', async () => {
    const bytes = await readFile(SHIPPED);
    const cases: [string, ModelLoadErrorCode][] = [
      [join(dir, 'nope.onnx'), 'not-found'],
      [dir, 'unreadable'],
      [await write('truncated.onnx', bytes.subarray(0, bytes.length >> 1)), 'not-onnx'],
      [await write('text.onnx', 'this is not a model\n'), 'not-onnx'],
      [await write('json.onnx', '{"weights": [1, 2, 3]}'), 'not-onnx'],
      [await write('empty.onnx', ''), 'not-onnx'],
    ];
    for (const [path, code] of cases) {
      const err = await loadError(ModelLoadError, OnnxPolicy.load(path));
      expect(err.code, path).toBe(code);
      expect(err.file).toBe(path);
      expect(err.message).toContain(path);
    }
  });

  it('reports a model onnxruntime refuses as a runtime ModelLoadError', async () => {
    const model = buildMlpModel(randomMlp([52, 8, 5], 4), { ...OPTS, metadata: HASH_META });
    model.graph.nodes[1] = { ...model.graph.nodes[1], opType: 'Frobnicate' };
    const err = await loadError(ModelLoadError, OnnxPolicy.load(await write('frob.onnx', encodeModel(model))));
    expect(err.code).toBe('runtime');
    expect(err.message).toMatch(/Frobnicate/);
  });
});

describe('OnnxPolicy.decide', () => {
  it('gives the same actions for a batch of 500 as for 500 batches of 1', async () => {
    const obs = sampleObservations(500, 11);
    const batch = new Uint8Array(500);
    await shipped.decide(obs, 500, batch);
    const one = new Uint8Array(1);
    for (let r = 0; r < 500; r++) {
      await shipped.decide(obs.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT), 1, one);
      expect(one[0], `row ${r}`).toBe(batch[r]);
    }
    const scores = await shipped.scores(obs, 500);
    expect(scores.length).toBe(500 * 5);
  });

  it('uses at least three actions and none above 90 % on 10,000 random observations (lessons.md #7)', async () => {
    for (const obs of [sampleObservations(10_000, 2024), uniformObservations(10_000, 2024)]) {
      const actions = new Uint8Array(10_000);
      await shipped.decide(obs, 10_000, actions);
      const counts = [0, 0, 0, 0, 0];
      for (const a of actions) counts[a]++;
      expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...counts)).toBeLessThanOrEqual(9_000);
    }
  });

  it('reads only `count` rows, from a view at any offset, and writes only `count` actions', async () => {
    const obs = sampleObservations(40, 12);
    const expected = new Uint8Array(40);
    await shipped.decide(obs, 40, expected);
    const backing = new Float32Array(FEATURE_COUNT * 50).fill(Number.NaN);
    backing.set(obs.subarray(10 * FEATURE_COUNT, 30 * FEATURE_COUNT), 3 * FEATURE_COUNT);
    const view = backing.subarray(3 * FEATURE_COUNT); // 47 rows, the first 20 real, then NaN
    const actions = new Uint8Array(30).fill(9);
    await shipped.decide(view, 20, actions);
    expect([...actions.subarray(0, 20)]).toEqual([...expected.subarray(10, 30)]);
    expect([...actions.subarray(20)]).toEqual(new Array<number>(10).fill(9));
    // Same view object, other count: the cached tensor must not be reused.
    await shipped.decide(view, 5, actions);
    expect([...actions.subarray(0, 5)]).toEqual([...expected.subarray(10, 15)]);
  });

  it('holds on rows whose scores are NaN, and on ties', async () => {
    const obs = new Float32Array(FEATURE_COUNT * 2).fill(Number.NaN);
    const actions = new Uint8Array(2).fill(7);
    await shipped.decide(obs, 2, actions);
    expect([...actions]).toEqual([0, 0]);
    const zero: Mlp = randomMlp([52, 4, 5], 5);
    for (const l of zero.layers) {
      l.weight.fill(0);
      l.bias.fill(0);
    }
    const tie = await OnnxPolicy.load(await write('zero.onnx', mlpModelBytes(zero, '')));
    await tie.decide(sampleObservations(2, 1), 2, actions);
    expect([...actions]).toEqual([0, 0]);
    await tie.close();
  });

  it('does nothing for count 0 and refuses a count that does not fit', async () => {
    const actions = new Uint8Array(2).fill(9);
    await shipped.decide(new Float32Array(0), 0, actions);
    expect([...actions]).toEqual([9, 9]);
    await expect(shipped.decide(new Float32Array(FEATURE_COUNT), 2, actions)).rejects.toThrow(RangeError);
    await expect(shipped.decide(new Float32Array(FEATURE_COUNT * 3), 3, actions)).rejects.toThrow(RangeError);
    await expect(shipped.decide(new Float32Array(FEATURE_COUNT), 1.5, actions)).rejects.toThrow(RangeError);
  });

  it('refuses to decide after close, and close is idempotent', async () => {
    const policy = await OnnxPolicy.load(SHIPPED, { name: 'mine', intraOpNumThreads: 1 });
    expect(policy.name).toBe('mine');
    await policy.close();
    await policy.close();
    await expect(policy.decide(new Float32Array(FEATURE_COUNT), 1, new Uint8Array(1))).rejects.toThrow(/closed/);
  });
});
