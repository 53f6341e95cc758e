/**
 * Policy inference on the shipped model (models/baseline-mlp.onnx, 52 → 32 → 32 → 5): onnxruntime
 * (OnnxPolicy, one intra-op thread, one async run per call) against the JS evaluator (MlpPolicy,
 * synchronous), for one dirty market and for a batch of 64.
 *
 * Every task counts markets as its operations, so the table reads ns per market; per call is that
 * times the batch. The MLP batch-of-1 task makes 100 calls per sample (one call is a couple of
 * microseconds, too close to the timer's own cost); the others make one.
 */
import { fileURLToPath } from 'node:url';
import { consume, defineSuite } from '../harness.js';
import { sampleObservations } from '../../src/shared/onnx/baseline-model.js';
import { MlpPolicy } from '../../src/shared/policy/mlp.js';
import { OnnxPolicy } from '../../src/shared/policy/onnx-policy.js';

const MODEL = fileURLToPath(new URL('../../models/baseline-mlp.onnx', import.meta.url));
const BATCH = 64;
const SINGLE_CALLS = 100;

let onnx: OnnxPolicy | null = null;

export default defineSuite({
  name: 'policy',
  tasks: async () => {
    onnx = await OnnxPolicy.load(MODEL);
    const mlp = await MlpPolicy.load(MODEL);
    const ort = onnx;
    // Market-like rows (the distribution the model was trained on), one fixed set per run.
    const batch = sampleObservations(BATCH, 4242);
    const singles = sampleObservations(SINGLE_CALLS, 4343);
    const singleRows = Array.from({ length: SINGLE_CALLS }, (_, i) => singles.subarray(i * 52, (i + 1) * 52));
    const actions = new Uint8Array(BATCH);
    return [
      {
        name: 'onnxruntime decide, batch 1',
        opsPerCall: 1,
        fn: async () => {
          await ort.decide(batch, 1, actions);
          consume(actions[0]);
        },
      },
      {
        name: `onnxruntime decide, batch ${BATCH}`,
        opsPerCall: BATCH,
        fn: async () => {
          await ort.decide(batch, BATCH, actions);
          consume(actions[BATCH - 1]);
        },
      },
      {
        name: 'MLP evaluator decide, batch 1',
        opsPerCall: SINGLE_CALLS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < SINGLE_CALLS; i++) {
            mlp.decide(singleRows[i], 1, actions);
            sum += actions[0];
          }
          consume(sum);
        },
      },
      {
        name: `MLP evaluator decide, batch ${BATCH}`,
        opsPerCall: BATCH,
        fn: () => {
          mlp.decide(batch, BATCH, actions);
          consume(actions[BATCH - 1]);
        },
      },
    ];
  },
  teardown: async () => {
    await onnx?.close();
    onnx = null;
  },
});
