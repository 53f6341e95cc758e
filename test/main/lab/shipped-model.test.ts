/**
 * The model shipped in models/ (issue 11): trained by `kalshi-actor train`, it loads the way the
 * host loads a policy (the feature-spec hash checked), and its committed evaluation — the claim
 * that it beats hold and spread-capture on held-out seeds — is reproducible: episodes re-run here
 * give exactly the committed figures.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runEpisode } from '../../../src/main/lab/episode.js';
import { FEATURE_COUNT, FEATURE_SPEC_HASH } from '../../../src/shared/observation/features.js';
import { MODEL_METADATA } from '../../../src/shared/onnx/model-contract.js';
import { decodeModel, metadataValue } from '../../../src/shared/onnx/model-reader.js';
import { loadPolicy } from '../../../src/shared/policy/load-policy.js';

const MODEL = 'models/trained-mlp.onnx';
const root = new URL('../../../', import.meta.url);
const json = (path: string) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));

interface Row { seed: number; pnlMicros: number; feesMicros: number; ordersSent: number; ordersFilled: number; decisions: number }
interface PolicyReport { policy: string; flags: string[]; rows: Row[] }

describe('the shipped trained model', () => {
  it('carries this build\'s feature-spec hash and its training, and loads as the host loads a policy (onnx: and mlp:)', async () => {
    const model = decodeModel(new Uint8Array(readFileSync(new URL(MODEL, root))));
    expect(metadataValue(model.metadata, MODEL_METADATA.featureSpecHash)).toBe(FEATURE_SPEC_HASH);
    const training = JSON.parse(metadataValue(model.metadata, 'training')!) as Record<string, unknown>;
    expect(training).toMatchObject({ method: 'cem' });
    const obs = new Float32Array(FEATURE_COUNT * 4);
    for (let i = 0; i < obs.length; i++) obs[i] = ((i * 7919) % 200) / 100 - 1;
    const decided: Uint8Array[] = [];
    const file = new URL(MODEL, root).pathname;
    for (const runtime of ['onnx', 'mlp']) {
      const policy = await loadPolicy(`${runtime}:${file}`);
      const actions = new Uint8Array(4);
      await policy.decide(obs, 4, actions);
      decided.push(actions);
      await policy.close?.();
    }
    expect(decided[0]).toEqual(decided[1]);
  });

  it('its committed evaluation says it beats hold and spread-capture on held-out seeds, without collapsing', () => {
    const report = json('models/trained-mlp.evaluate.json') as { settings: { seeds: number[] }; policies: PolicyReport[]; comparisons: Array<{ policy: string; baseline: string; ci95: [number, number]; verdict: string }> };
    const train = json('models/trained-mlp.report.json') as { settings: { trainSeeds: string; validationSeeds: string } };
    expect(train.settings).toMatchObject({ trainSeeds: '1001-1006', validationSeeds: '2001-2004' });
    expect(Math.max(...report.settings.seeds)).toBeLessThan(1000); // the reporting seeds: neither trained nor validated on
    const trained = report.policies.find((p) => p.policy === `onnx:${MODEL}`)!;
    expect(trained.flags).toEqual([]);
    const vsSpread = report.comparisons.find((c) => c.policy === `onnx:${MODEL}` && c.baseline === 'spread-capture')!;
    expect(vsSpread.verdict).toBe('better');
    expect(vsSpread.ci95[0]).toBeGreaterThan(0);
    const hold = report.policies.find((p) => p.policy === 'hold')!;
    const mean = (p: PolicyReport) => p.rows.reduce((a, r) => a + r.pnlMicros, 0) / p.rows.length;
    expect(mean(trained)).toBeGreaterThan(mean(hold));
  });

  it('re-running two of the committed episodes gives exactly the committed figures', async () => {
    const report = json('models/trained-mlp.evaluate.json') as { settings: { markets: number; durationMs: number; rate: number }; policies: PolicyReport[] };
    const s = report.settings;
    for (const policy of [`onnx:${MODEL}`, 'spread-capture']) {
      const committed = report.policies.find((p) => p.policy === policy)!.rows.slice(0, 2);
      for (const row of committed) {
        const r = await runEpisode({ policy: policy.startsWith('onnx:') ? `onnx:${new URL(MODEL, root).pathname}` : policy, seed: row.seed, markets: s.markets, durationMs: s.durationMs, rate: s.rate });
        expect({ seed: r.seed, pnlMicros: r.pnlMicros, feesMicros: r.feesMicros, ordersSent: r.ordersSent, ordersFilled: r.ordersFilled }, `${policy} seed ${row.seed}`)
          .toEqual({ seed: row.seed, pnlMicros: row.pnlMicros, feesMicros: row.feesMicros, ordersSent: row.ordersSent, ordersFilled: row.ordersFilled });
      }
    }
  }, 120_000);
});
