/**
 * OnnxPolicy: any ONNX model under our contract (models/README.md), run by onnxruntime-node on
 * the CPU.
 *
 * `load` reads the file once, checks its metadata with our own protobuf reader (onnxruntime-node
 * 1.30 exposes input/output shapes but not metadata_props), then hands the same bytes to
 * onnxruntime and checks the input/output shapes it reports. Every failure is a ModelLoadError or
 * ModelMismatchError; nothing half-loaded is left behind.
 *
 * `decide` runs all dirty markets as one batch: the input tensor is a view of the caller's rows
 * (no copy), the output is count × 5 scores, and each row's argmax becomes its action (ties and
 * NaN scores resolve to the lower action code, so HOLD wins them).
 *
 * Threads: intra-op and inter-op pools default to 1. The inference worker is one thread of a
 * budget planned per machine (architecture.md §1); onnxruntime spinning its own pool on a 2-core
 * box would starve the market-data and execution threads.
 */
import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FEATURE_COUNT, FEATURE_SPEC_HASH } from '../observation/features.js';
import { MODEL_CONTRACT } from '../onnx/model-contract.js';
import { ModelLoadError, ModelMismatchError } from './onnx-errors.js';
import { checkModelBytes, checkTensorShape, readModelBytes } from './onnx-model-file.js';
import { argmaxRows } from './onnx-rows.js';
import { checkBatch, type Policy } from './policy.js';

export { ModelLoadError, ModelMismatchError } from './onnx-errors.js';

export interface OnnxPolicyOptions {
  /** The hash the model must carry. Default: this build's FEATURE_SPEC_HASH. */
  expectedFeatureSpecHash?: string;
  /** onnxruntime intra-op threads (default 1). */
  intraOpNumThreads?: number;
  /** onnxruntime inter-op threads (default 1). */
  interOpNumThreads?: number;
  /** Default 'all'. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Policy name in logs and decision records. Default `onnx:<file name>`. */
  name?: string;
}

const WIDTH = FEATURE_COUNT;
const ACTIONS = MODEL_CONTRACT.actionCount;

type ValueMetadata = ort.InferenceSession.ValueMetadata;

function pickOutput(outputs: readonly ValueMetadata[]): ValueMetadata | undefined {
  return outputs.find((o) => o.name === MODEL_CONTRACT.outputName) ?? (outputs.length === 1 ? outputs[0] : undefined);
}

export class OnnxPolicy implements Policy {
  readonly name: string;
  readonly featureSpecHash: string;
  readonly file: string;
  readonly inputName: string;
  readonly outputName: string;
  private session: ort.InferenceSession | null;
  /** The last input tensor and what it views: reused while the caller passes the same rows. */
  private lastRows: Float32Array | null = null;
  private lastCount = -1;
  private lastTensor: ort.Tensor | null = null;

  private constructor(session: ort.InferenceSession, file: string, featureSpecHash: string, name: string, input: string, output: string) {
    this.session = session;
    this.file = file;
    this.featureSpecHash = featureSpecHash;
    this.name = name;
    this.inputName = input;
    this.outputName = output;
  }

  static async load(file: string, opts: OnnxPolicyOptions = {}): Promise<OnnxPolicy> {
    const bytes = await readModelBytes(file);
    return OnnxPolicy.fromBytes(bytes, file, opts);
  }

  /** Same as `load` for bytes already in memory; `file` names them in errors. */
  static async fromBytes(bytes: Uint8Array, file: string, opts: OnnxPolicyOptions = {}): Promise<OnnxPolicy> {
    const checked = checkModelBytes(bytes, file, opts.expectedFeatureSpecHash ?? FEATURE_SPEC_HASH);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(checked.bytes, {
        intraOpNumThreads: opts.intraOpNumThreads ?? 1,
        interOpNumThreads: opts.interOpNumThreads ?? 1,
        executionProviders: ['cpu'],
        executionMode: 'sequential',
        graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
        logSeverityLevel: 3,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ModelLoadError('runtime', file, `onnxruntime refused it: ${message}`, err);
    }
    try {
      if (session.inputMetadata.length !== 1) {
        throw new ModelMismatchError('shape', file, '1 input', String(session.inputMetadata.length), 'must take exactly one input');
      }
      const input = session.inputMetadata[0];
      const output = pickOutput(session.outputMetadata);
      if (output === undefined) {
        const names = session.outputNames.join(', ');
        throw new ModelMismatchError('shape', file, `one output or one named ${MODEL_CONTRACT.outputName}`, names, 'has no action output');
      }
      checkTensorShape(file, 'input', input.name, input.isTensor ? input.type : 'non-tensor', input.isTensor ? input.shape : null, WIDTH);
      checkTensorShape(file, 'output', output.name, output.isTensor ? output.type : 'non-tensor', output.isTensor ? output.shape : null, ACTIONS);
      return new OnnxPolicy(session, file, checked.featureSpecHash, opts.name ?? `onnx:${basename(file)}`, input.name, output.name);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /**
   * Scores of `count` rows (count × 5, row-major), as the model computes them. The rows must not
   * change until the promise settles (the tensor views them).
   */
  async scores(observations: Float32Array, count: number): Promise<Float32Array> {
    const session = this.session;
    if (session === null) throw new Error(`policy ${this.name} is closed`);
    if (this.lastRows !== observations || this.lastCount !== count || this.lastTensor === null) {
      this.lastTensor = new ort.Tensor('float32', observations.subarray(0, count * WIDTH), [count, WIDTH]);
      this.lastRows = observations;
      this.lastCount = count;
    }
    const result = await session.run({ [this.inputName]: this.lastTensor });
    return result[this.outputName].data as Float32Array;
  }

  async decide(observations: Float32Array, count: number, actions: Uint8Array): Promise<void> {
    checkBatch(observations, count, actions);
    if (count === 0) return;
    argmaxRows(await this.scores(observations, count), count, actions);
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    this.lastRows = null;
    this.lastTensor = null;
    if (session !== null) await session.release();
  }
}
