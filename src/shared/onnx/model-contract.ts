/**
 * What a policy model file must look like (models/README.md states the same for people):
 * - one input, float32 [N, FEATURE_COUNT], N a dynamic batch dimension;
 * - one output, float32 [N, 5]: a score per action, in the Policy's action order; the host takes
 *   the argmax (logits, probabilities or Q-values all work);
 * - metadata_props `feature_spec_hash` = the FEATURE_SPEC_HASH the model was trained with, and
 *   optionally `feature_count` (checked when present).
 * Names are a convention (`observation` → `action_logits`), not a requirement: models exported
 * from PyTorch with other names load as long as the shapes match.
 */
import { FEATURE_COUNT } from '../observation/features.js';
import { ACTION_COUNT, ACTION_NAMES } from '../policy/actions.js';

export const MODEL_CONTRACT = Object.freeze({
  inputName: 'observation',
  outputName: 'action_logits',
  batchDim: 'N',
  featureCount: FEATURE_COUNT,
  actionCount: ACTION_COUNT,
  /** Output column order = the Policy's action codes 0..4. */
  actions: ACTION_NAMES,
  /** What our writer emits: IR 8 / opset 17 (ONNX 1.12), well inside onnxruntime 1.30's range. */
  irVersion: 8,
  opset: 17,
});

/** metadata_props keys. */
export const MODEL_METADATA = Object.freeze({
  featureSpecHash: 'feature_spec_hash',
  featureCount: 'feature_count',
  /** Informational: the action order the output columns follow. */
  actions: 'actions',
});
