/**
 * Why a policy model file was refused. Both policies (OnnxPolicy, MlpPolicy) throw only these
 * from `load`, so the host can print one clear line and exit instead of crashing mid-start.
 */

/**
 * The file could not be used as a model at all.
 * - `not-found`: no such file.
 * - `unreadable`: it exists but reading failed (a directory, permissions, I/O).
 * - `not-onnx`: the bytes are not an ONNX ModelProto (truncated, another format).
 * - `runtime`: onnxruntime refused the model (unknown operator, bad graph).
 * - `unsupported-graph`: a valid model the MLP evaluator cannot run (not a dense chain).
 */
export type ModelLoadErrorCode = 'not-found' | 'unreadable' | 'not-onnx' | 'runtime' | 'unsupported-graph';

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  readonly code: ModelLoadErrorCode;
  readonly file: string;

  constructor(code: ModelLoadErrorCode, file: string, detail: string, cause?: unknown) {
    super(`model ${file}: ${detail}`, cause === undefined ? undefined : { cause });
    this.code = code;
    this.file = file;
  }
}

/**
 * A readable model that does not fit this host.
 * - `feature-hash`: trained on another feature spec (or carries none): its observations would
 *   mean something else (lessons.md #1).
 * - `feature-count`: its `feature_count` metadata disagrees with FEATURE_COUNT.
 * - `shape`: input or output is not float32 [N, FEATURE_COUNT] → [N, 5] with a dynamic N.
 */
export type ModelMismatchErrorCode = 'feature-hash' | 'feature-count' | 'shape';

export class ModelMismatchError extends Error {
  override readonly name = 'ModelMismatchError';
  readonly code: ModelMismatchErrorCode;
  readonly file: string;
  /** What the host expects (for `feature-hash`, its FEATURE_SPEC_HASH). */
  readonly expected: string;
  /** What the model has; undefined when it has nothing (no hash in its metadata). */
  readonly found: string | undefined;

  constructor(code: ModelMismatchErrorCode, file: string, expected: string, found: string | undefined, detail: string) {
    super(`model ${file}: ${detail} (expected ${expected}, found ${found ?? 'none'})`);
    this.code = code;
    this.file = file;
    this.expected = expected;
    this.found = found;
  }
}
