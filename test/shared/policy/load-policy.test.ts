import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/shared/policy/load-policy.js';
import { FEATURE_SPEC_HASH } from '../../../src/shared/observation/features.js';

const MODEL = fileURLToPath(new URL('../../../models/baseline-mlp.onnx', import.meta.url));

describe('loadPolicy', () => {
  it('rules by name, models by onnx:/mlp: prefix, always behind the cash-reserve gate', async () => {
    for (const spec of ['hold', 'hardcoded', 'spread-capture', `onnx:${MODEL}`, `mlp:${MODEL}`]) {
      const p = await loadPolicy(spec);
      expect(p.name).toMatch(/\+reserve$/);
      expect(p.featureSpecHash).toBe(FEATURE_SPEC_HASH);
      await p.close?.();
    }
  });

  it('a bad name or a missing model is a clear error', async () => {
    await expect(loadPolicy('magic')).rejects.toThrow(/unknown rule policy "magic"/);
    await expect(loadPolicy('onnx:/nonexistent/model.onnx')).rejects.toThrow(/nonexistent/);
  });
});
