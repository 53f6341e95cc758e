/**
 * The policy contract (architecture.md §4–5): every decision maker — rule-based selectors
 * (rules.ts), the ONNX model (onnx-policy.ts), a faster MLP evaluator — implements `Policy`.
 *
 * Batched: `observations` holds `count` rows of FEATURE_COUNT (52) float32 features, row-major
 * (row i at [i·52, i·52 + 52)); the policy writes one action (0..4, actions.ts) per row into
 * `actions[0 … count − 1]`. A policy decides from the observation alone: what it may not do
 * (open with cash below the reserve, trade a stale book…) is enforced after it, by gates.ts and
 * the execution thread, so a model and a rule are judged under the same rules.
 *
 * `featureSpecHash` names the feature table the policy was built for; the host refuses a
 * policy whose hash differs from FEATURE_SPEC_HASH (see `assertFeatureSpec`).
 */
import { FEATURE_COUNT, FEATURE_SPEC_HASH } from '../observation/features.js';

export interface Policy {
  readonly name: string;
  readonly featureSpecHash: string;
  decide(observations: Float32Array, count: number, actions: Uint8Array): void | Promise<void>;
  close?(): Promise<void>;
}

/** Throws unless `policy` was built for the feature table this host computes. */
export function assertFeatureSpec(policy: Pick<Policy, 'name' | 'featureSpecHash'>, expected: string = FEATURE_SPEC_HASH): void {
  if (policy.featureSpecHash !== expected) {
    throw new Error(
      `policy ${policy.name} expects feature spec ${policy.featureSpecHash}, this host computes ${expected}: ` +
        'retrain or export it against the current feature table (src/shared/observation/features.ts)',
    );
  }
}

/** Throws a RangeError unless `count` rows fit in `observations` and `actions`. */
export function checkBatch(observations: Float32Array, count: number, actions: Uint8Array): void {
  if (!(count >>> 0 === count)) throw new RangeError(`policy batch: count must be a non-negative integer, got ${count}`);
  if (observations.length < count * FEATURE_COUNT) {
    throw new RangeError(`policy batch: ${count} rows need ${count * FEATURE_COUNT} floats, got ${observations.length}`);
  }
  if (actions.length < count) throw new RangeError(`policy batch: ${count} rows need ${count} action slots, got ${actions.length}`);
}
