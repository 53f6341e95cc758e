/**
 * Reading a policy model file and checking it against the contract (src/shared/onnx/model-contract.ts)
 * before any runtime sees it. The bytes are read once and the same bytes are handed to the
 * runtime, so what was checked is what runs.
 */
import { readFile } from 'node:fs/promises';
import { FEATURE_COUNT, FEATURE_SPEC_HASH } from '../observation/features.js';
import { MODEL_CONTRACT, MODEL_METADATA } from '../onnx/model-contract.js';
import { metadataValue, readModelHeader, type OnnxModelHeader } from '../onnx/model-reader.js';
import { ProtoDecodeError } from '../onnx/protobuf.js';
import { ModelLoadError, ModelMismatchError } from './onnx-errors.js';

export interface PolicyModelFile {
  file: string;
  bytes: Uint8Array;
  header: OnnxModelHeader;
  /** The model's feature-spec hash (equal to the expected one once checked). */
  featureSpecHash: string;
}

export async function readModelBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelLoadError('not-found', file, 'no such file', err);
    throw new ModelLoadError('unreadable', file, `cannot read it (${code ?? String(err)})`, err);
  }
}

/**
 * Parses the top of the model and checks its metadata: `feature_spec_hash` must be present and
 * equal `expectedHash`; `feature_count`, when present, must equal FEATURE_COUNT.
 */
export function checkModelBytes(bytes: Uint8Array, file: string, expectedHash: string = FEATURE_SPEC_HASH): PolicyModelFile {
  let header: OnnxModelHeader;
  try {
    header = readModelHeader(bytes);
  } catch (err) {
    if (err instanceof ProtoDecodeError) {
      throw new ModelLoadError('not-onnx', file, `not an ONNX model (${bytes.length} bytes): ${err.message}`, err);
    }
    throw err;
  }
  const hash = metadataValue(header.metadata, MODEL_METADATA.featureSpecHash);
  if (hash !== expectedHash) {
    const detail =
      hash === undefined
        ? `carries no ${MODEL_METADATA.featureSpecHash} in its metadata; stamp it with the hash it was trained with`
        : `was trained on feature spec ${hash}, this host computes feature spec ${expectedHash}`;
    throw new ModelMismatchError('feature-hash', file, expectedHash, hash, detail);
  }
  const count = metadataValue(header.metadata, MODEL_METADATA.featureCount);
  if (count !== undefined && count !== String(FEATURE_COUNT)) {
    throw new ModelMismatchError('feature-count', file, String(FEATURE_COUNT), count, `${MODEL_METADATA.featureCount} disagrees with the feature table`);
  }
  return { file, bytes, header, featureSpecHash: hash };
}

export async function readPolicyModel(file: string, expectedHash: string = FEATURE_SPEC_HASH): Promise<PolicyModelFile> {
  return checkModelBytes(await readModelBytes(file), file, expectedHash);
}

function describe(type: string, shape: readonly (number | string)[] | null): string {
  if (shape === null) return `${type} (no shape)`;
  return `${type} [${shape.map((d) => (typeof d === 'number' && d >= 0 ? String(d) : d === '' || d === -1 ? '?' : String(d))).join(', ')}]`;
}

/**
 * Checks one end of the model: `type` must be float32 and `shape` [batch, width] with a dynamic
 * batch (symbolic or unknown: the host batches any number of markets into one call).
 */
export function checkTensorShape(
  file: string,
  role: 'input' | 'output',
  name: string,
  type: string,
  shape: readonly (number | string)[] | null,
  width: number,
): void {
  const expected = `float32 [${MODEL_CONTRACT.batchDim}, ${width}]`;
  const found = describe(type, shape);
  const fail = (why: string): never => {
    throw new ModelMismatchError('shape', file, expected, found, `${role} "${name}" ${why}`);
  };
  if (type !== 'float32') fail('is not float32');
  if (shape === null || shape.length !== 2) fail('is not a matrix [batch, values]');
  const [batch, cols] = shape as readonly (number | string)[];
  if (typeof batch === 'number' && batch >= 0) fail('has a fixed batch size; export it with a dynamic batch axis');
  if (cols !== width) fail(`must have ${width} columns`);
}
