import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  FEATURES,
  FEATURE_COUNT,
  FEATURE_SPEC_HASH,
  F_BELOW_RESERVE,
  F_BOOK_STALE,
  F_CLOSING_SOON,
  F_HAS_YES_ASK,
  F_HAS_YES_BID,
  F_IMBALANCE_DEPTH,
  F_IMBALANCE_TOP,
  F_MID,
  F_OPENING_ALLOWED,
  F_POSITION_SIDE,
  F_SPREAD,
  F_UNREALIZED_RETURN,
  F_YES_ASK,
  F_YES_BID,
} from '../../../src/shared/observation/features.js';
import { BASELINE_RULE, baselineRule, buildBaselineModel, labelObservations, sampleObservations } from '../../../src/shared/onnx/baseline-model.js';
import { MODEL_CONTRACT, MODEL_METADATA } from '../../../src/shared/onnx/model-contract.js';
import { decodeModel, metadataValue } from '../../../src/shared/onnx/model-reader.js';
import { Action } from '../../../src/shared/policy/actions.js';

const SHIPPED = new URL('../../../models/baseline-mlp.onnx', import.meta.url);

/** A flat, tradeable, wide-spread observation with neutral order flow. */
function flatRow(): Float32Array {
  const row = new Float32Array(FEATURE_COUNT);
  row[F_YES_BID] = 0.4;
  row[F_YES_ASK] = 0.45;
  row[F_HAS_YES_BID] = 1;
  row[F_HAS_YES_ASK] = 1;
  row[F_MID] = 0.425;
  row[F_SPREAD] = 0.5;
  row[F_OPENING_ALLOWED] = 1;
  return row;
}

describe('baselineRule', () => {
  it('buys the side the order flow favours when the spread is wide and that side is cheap', () => {
    const row = flatRow();
    expect(baselineRule(row, 0)).toBe(Action.HOLD);
    row[F_IMBALANCE_TOP] = 0.8;
    row[F_IMBALANCE_DEPTH] = 0.5;
    expect(baselineRule(row, 0)).toBe(Action.BUY_YES);
    row[F_SPREAD] = BASELINE_RULE.wideSpread - 0.1; // 2¢: not wide
    expect(baselineRule(row, 0)).toBe(Action.HOLD);
    row[F_SPREAD] = 0.5;
    row[F_MID] = 0.8; // YES is the expensive side
    expect(baselineRule(row, 0)).toBe(Action.HOLD);
    row[F_IMBALANCE_TOP] = -0.8;
    row[F_IMBALANCE_DEPTH] = -0.5;
    expect(baselineRule(row, 0)).toBe(Action.BUY_NO); // NO costs 0.2
  });

  it('never opens on a stale or one-sided book, below the reserve, near the close or when openings are off', () => {
    for (const [feature, value] of [
      [F_BOOK_STALE, 1],
      [F_HAS_YES_BID, 0],
      [F_HAS_YES_ASK, 0],
      [F_BELOW_RESERVE, 1],
      [F_CLOSING_SOON, 1],
      [F_OPENING_ALLOWED, 0],
    ]) {
      const row = flatRow();
      row[F_IMBALANCE_TOP] = 0.9;
      row[F_IMBALANCE_DEPTH] = 0.9;
      row[feature] = value;
      expect(baselineRule(row, 0)).toBe(Action.HOLD);
    }
  });

  it('sells the held outcome at take-profit, stop-loss or the close, else holds it', () => {
    for (const [side, sell] of [
      [1, Action.SELL_YES],
      [-1, Action.SELL_NO],
    ]) {
      const row = flatRow();
      row[F_POSITION_SIDE] = side;
      row[F_UNREALIZED_RETURN] = 0.05;
      expect(baselineRule(row, 0)).toBe(Action.HOLD);
      row[F_UNREALIZED_RETURN] = BASELINE_RULE.takeProfit;
      expect(baselineRule(row, 0)).toBe(sell);
      row[F_UNREALIZED_RETURN] = BASELINE_RULE.stopLoss;
      expect(baselineRule(row, 0)).toBe(sell);
      row[F_UNREALIZED_RETURN] = 0;
      row[F_CLOSING_SOON] = 1;
      expect(baselineRule(row, 0)).toBe(sell);
    }
  });
});

describe('sampleObservations', () => {
  it('is deterministic, inside every clip range, and labels into all five actions', () => {
    const a = sampleObservations(2000, 5);
    expect(Buffer.from(a.buffer).equals(Buffer.from(sampleObservations(2000, 5).buffer))).toBe(true);
    for (let r = 0; r < 2000; r++) {
      for (const f of FEATURES) {
        const v = a[r * FEATURE_COUNT + f.index];
        expect(v >= f.clip[0] && v <= f.clip[1], `${f.name} = ${v}`).toBe(true);
      }
      expect(a[r * FEATURE_COUNT + F_YES_ASK]).toBeGreaterThanOrEqual(a[r * FEATURE_COUNT + F_YES_BID]);
    }
    const counts = [0, 0, 0, 0, 0];
    for (const y of labelObservations(a)) counts[y]++;
    expect(counts.every((c) => c > 2000 * 0.03)).toBe(true);
  });
});

describe('buildBaselineModel', () => {
  it('rebuilds models/baseline-mlp.onnx byte for byte (run `npm run model` after changing the feature table)', async () => {
    const rebuilt = buildBaselineModel();
    const shipped = await readFile(SHIPPED);
    const shippedHash = metadataValue(decodeModel(shipped).metadata, MODEL_METADATA.featureSpecHash);
    expect(shippedHash, 'the shipped model was made for another feature table: run npm run model').toBe(FEATURE_SPEC_HASH);
    expect(Buffer.from(rebuilt).equals(shipped)).toBe(true);
    expect(shipped.length).toBeLessThan(100_000);
  });

  it('follows the contract: observation [N, 52] → action_logits [N, 5], opset 17, metadata stamped', async () => {
    const model = decodeModel(await readFile(SHIPPED));
    expect(model.irVersion).toBe(MODEL_CONTRACT.irVersion);
    expect(model.opsetImports).toEqual([{ domain: '', version: MODEL_CONTRACT.opset }]);
    expect(model.producerName).toBe('kalshi-actor');
    expect(model.graph.inputs).toEqual([{ name: 'observation', elemType: 1, shape: ['N', FEATURE_COUNT] }]);
    expect(model.graph.outputs).toEqual([{ name: 'action_logits', elemType: 1, shape: ['N', 5] }]);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    expect(metadataValue(model.metadata, MODEL_METADATA.featureCount)).toBe('52');
    expect(metadataValue(model.metadata, MODEL_METADATA.actions)).toBe('HOLD,BUY_YES,SELL_YES,BUY_NO,SELL_NO');
  });
});
