/**
 * A policy from its setting: a rule name (`hold`, `hardcoded`, `spread-capture`), `onnx:FILE`
 * (onnxruntime-node, one intra-op thread) or `mlp:FILE` (the JS evaluator for small MLPs). The
 * cash-reserve gate is applied around every policy. A model whose feature-spec hash differs from
 * this build's is refused (ModelMismatchError) — the caller turns that into one line and exit 1.
 */
import { withCashReserveGate } from './gates.js';
import { MlpPolicy } from './mlp.js';
import { OnnxPolicy } from './onnx-policy.js';
import type { Policy } from './policy.js';
import { policyByName } from './rules.js';

export async function loadPolicy(spec: string): Promise<Policy> {
  let policy: Policy;
  if (spec.startsWith('onnx:')) policy = await OnnxPolicy.load(spec.slice(5), { intraOpNumThreads: 1 });
  else if (spec.startsWith('mlp:')) policy = await MlpPolicy.load(spec.slice(4));
  else policy = policyByName(spec);
  return withCashReserveGate(policy);
}
