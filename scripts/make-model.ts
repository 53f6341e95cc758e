/**
 * Model tooling without Python.
 *
 *   npm run model                         regenerate models/baseline-mlp.onnx (deterministic)
 *   npm run model -- --check              exit 1 if the committed model differs from a rebuild
 *   npm run model -- --out other.onnx     write the baseline elsewhere
 *   npm run model -- --stamp my.onnx [--out stamped.onnx] [--hash <hex>]
 *                                         put feature_spec_hash (default: this build's) and
 *                                         feature_count into a model exported elsewhere
 *
 * The training and the ONNX writer live in src/shared/onnx/ (baseline-model.ts), so the test
 * suite rebuilds the same bytes; this file only reads arguments, writes files and reports.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FEATURES, FEATURE_COUNT, FEATURE_SPEC_HASH } from '../src/shared/observation/features.js';
import {
  BASELINE_TRAINING,
  buildBaselineModel,
  labelObservations,
  sampleObservations,
} from '../src/shared/onnx/baseline-model.js';
import { MODEL_CONTRACT, MODEL_METADATA } from '../src/shared/onnx/model-contract.js';
import { stampMetadata } from '../src/shared/onnx/model-reader.js';
import { MlpPolicy } from '../src/shared/policy/mlp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BASELINE = join(root, 'models', 'baseline-mlp.onnx');

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function percent(counts: number[], total: number): string {
  return counts.map((c, a) => `${MODEL_CONTRACT.actions[a]} ${((100 * c) / total).toFixed(1)}%`).join(', ');
}

/** Action shares of the model on market-like and on uniform random observations, and rule agreement. */
function report(bytes: Uint8Array): void {
  const policy = MlpPolicy.fromBytes(bytes, 'baseline');
  const rows = 10_000;
  const market = sampleObservations(rows, 1);
  const labels = labelObservations(market);
  const actions = new Uint8Array(rows);
  policy.decide(market, rows, actions);
  const counts = [0, 0, 0, 0, 0];
  const ruleCounts = [0, 0, 0, 0, 0];
  let agree = 0;
  for (let r = 0; r < rows; r++) {
    counts[actions[r]]++;
    ruleCounts[labels[r]]++;
    if (actions[r] === labels[r]) agree++;
  }
  console.log(`market-like observations (${rows}, seed 1):`);
  console.log(`  model: ${percent(counts, rows)}`);
  console.log(`  rule:  ${percent(ruleCounts, rows)}`);
  console.log(`  model agrees with the rule on ${((100 * agree) / rows).toFixed(1)}%`);
  const uniform = new Float32Array(rows * FEATURE_COUNT);
  let seed = 12345;
  for (let r = 0; r < rows; r++) {
    for (const f of FEATURES) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      uniform[r * FEATURE_COUNT + f.index] = f.clip[0] + ((f.clip[1] - f.clip[0]) * seed) / 2 ** 32;
    }
  }
  policy.decide(uniform, rows, actions);
  counts.fill(0);
  for (let r = 0; r < rows; r++) counts[actions[r]]++;
  console.log(`uniform random in each feature's clip range: ${percent(counts, rows)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      stamp: { type: 'string' },
      hash: { type: 'string' },
    },
  });
  if (values.stamp !== undefined) {
    const hash = values.hash ?? FEATURE_SPEC_HASH;
    if (!/^[0-9a-f]+$/.test(hash)) throw new Error(`--hash must be lower-case hex, got ${hash}`);
    const out = values.out ?? values.stamp;
    const stamped = stampMetadata(await readFile(values.stamp), [
      { key: MODEL_METADATA.featureSpecHash, value: hash },
      { key: MODEL_METADATA.featureCount, value: String(FEATURE_COUNT) },
    ]);
    await writeFile(out, stamped);
    console.log(`${out}: ${MODEL_METADATA.featureSpecHash}=${hash} ${MODEL_METADATA.featureCount}=${FEATURE_COUNT} (${stamped.length} bytes)`);
    return;
  }
  const t0 = performance.now();
  const bytes = buildBaselineModel();
  const ms = performance.now() - t0;
  if (values.check) {
    const committed = await readFile(BASELINE).catch(() => null);
    if (committed === null || sha256(committed) !== sha256(bytes)) {
      console.error(`${relative(root, BASELINE)} is out of date (feature spec ${FEATURE_SPEC_HASH}): run npm run model`);
      process.exitCode = 1;
      return;
    }
    console.log(`${relative(root, BASELINE)} is up to date (sha256 ${sha256(bytes)})`);
    return;
  }
  const out = values.out ?? BASELINE;
  await writeFile(out, bytes);
  const t = BASELINE_TRAINING;
  console.log(
    `${relative(process.cwd(), out)}: ${bytes.length} bytes, sha256 ${sha256(bytes)}\n` +
      `  ${FEATURE_COUNT} → ${t.hidden.join(' → ')} → ${MODEL_CONTRACT.actionCount}, feature spec ${FEATURE_SPEC_HASH}, ` +
      `trained in ${(ms / 1000).toFixed(1)} s (${t.rows} rows × ${t.epochs} epochs)`,
  );
  report(bytes);
}

main().catch((err: unknown) => {
  console.error(`make-model failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
