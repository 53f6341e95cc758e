/**
 * The shipped baseline model (models/baseline-mlp.onnx): a rule distilled into a small MLP, so
 * the ONNX path has a model that trades sensibly and does not collapse to one action (lessons.md
 * #7), without Python and without recorded data.
 *
 * 1. `sampleObservations` draws market-like observations: every feature inside its clip range,
 *    flags 0/1 at plausible rates, the book self-consistent (ask ≥ bid, mid and spread derived),
 *    everything else uniform noise the model must learn to ignore.
 * 2. `baselineRule` labels them (the teacher, below).
 * 3. `trainClassifier` fits 52 → 32 → 32 → 5 (ReLU) to the labels with Adam.
 * 4. `buildBaselineModel` writes it as ONNX with the feature-spec hash in its metadata.
 * Same seed → same bytes: test/shared/onnx/baseline-model.test.ts regenerates it and compares with
 * the committed file, so a feature-table change (new hash) fails until `npm run model` is re-run.
 */
import {
  FEATURES,
  FEATURE_COUNT,
  FEATURE_SPEC_HASH,
  F_ASK_DEPTH,
  F_ASK_SIZE,
  F_BELOW_RESERVE,
  F_BID_DEPTH,
  F_BID_SIZE,
  F_BOOK_STALE,
  F_CLOSING_SOON,
  F_HAS_YES_ASK,
  F_HAS_YES_BID,
  F_IMBALANCE_DEPTH,
  F_IMBALANCE_TOP,
  F_MICROPRICE_EDGE,
  F_MID,
  F_OPENING_ALLOWED,
  F_POSITION_AVG_PRICE,
  F_POSITION_SIDE,
  F_POSITION_SIZE,
  F_SPREAD,
  F_TIME_IN_POSITION,
  F_UNREALIZED_RETURN,
  F_YES_ASK,
  F_YES_BID,
} from '../observation/features.js';
import { Action, closingAction } from '../policy/actions.js';
import { encodeModel } from './model-proto.js';
import { buildMlpModel, type Mlp } from './mlp-graph.js';
import { trainClassifier, Xorshift32, type TrainOptions } from './mlp-trainer.js';
import { MODEL_CONTRACT, MODEL_METADATA } from './model-contract.js';

/** Rule thresholds, in feature units (see the feature table). */
export const BASELINE_RULE = Object.freeze({
  /** Spread feature is $ × 10: 0.3 = 3¢. At or above it the spread is "wide". */
  wideSpread: 0.3,
  /** Order-flow signal 0.6 · imbalance_top + 0.4 · imbalance_depth beyond ±this favours a side. */
  imbalance: 0.2,
  /** The favoured side must be the cheap one: its price (YES mid, or 1 − mid for NO) at most this. */
  cheapSide: 0.6,
  /** Close a position at +20 % or −10 % unrealized return (lessons.md: the original's defaults). */
  takeProfit: 0.2,
  stopLoss: -0.1,
});

/**
 * The teacher. Flags count as set above 0.5.
 * - Stale or one-sided book → HOLD.
 * - Holding a position: sell it (SELL_YES for YES, SELL_NO for NO) on take-profit, stop-loss or
 *   a closing market; else HOLD.
 * - Flat: no openings when they are not allowed, below the cash reserve or near the close.
 *   Otherwise, with a wide spread, buy the side the order flow favours if it is the cheap side:
 *   YES when the signal is positive (bids outweigh asks), NO when it is negative.
 */
export function baselineRule(obs: Float32Array, row: number): Action {
  const { HOLD, BUY_YES, BUY_NO } = Action;
  const o = row * FEATURE_COUNT;
  if (obs[o + F_BOOK_STALE] > 0.5 || obs[o + F_HAS_YES_BID] < 0.5 || obs[o + F_HAS_YES_ASK] < 0.5) return HOLD;
  const side = obs[o + F_POSITION_SIDE];
  if (side > 0.5 || side < -0.5) {
    const ret = obs[o + F_UNREALIZED_RETURN];
    const exit = ret >= BASELINE_RULE.takeProfit || ret <= BASELINE_RULE.stopLoss || obs[o + F_CLOSING_SOON] > 0.5;
    return exit ? closingAction(side) : HOLD;
  }
  if (obs[o + F_OPENING_ALLOWED] < 0.5 || obs[o + F_BELOW_RESERVE] > 0.5 || obs[o + F_CLOSING_SOON] > 0.5) return HOLD;
  if (obs[o + F_SPREAD] < BASELINE_RULE.wideSpread) return HOLD;
  const signal = 0.6 * obs[o + F_IMBALANCE_TOP] + 0.4 * obs[o + F_IMBALANCE_DEPTH];
  const mid = obs[o + F_MID];
  if (signal > BASELINE_RULE.imbalance && mid <= BASELINE_RULE.cheapSide) return BUY_YES;
  if (signal < -BASELINE_RULE.imbalance && 1 - mid <= BASELINE_RULE.cheapSide) return BUY_NO;
  return HOLD;
}

const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * `count` market-like observations (count × FEATURE_COUNT, row-major) from a seed. Rates: stale
 * 5 %, one side missing 5 % each, flat 70 % / long YES 15 % / long NO 15 %, closing soon 5 %,
 * openings not allowed 10 %, below reserve 5 %; spreads 1–15¢, 65 % of them 3¢ or wider;
 * unrealized return of a position uniform in [−30 %, +35 %].
 */
export function sampleObservations(count: number, seed: number): Float32Array {
  const rng = new Xorshift32(seed);
  const u = (lo: number, hi: number): number => lo + (hi - lo) * rng.next();
  const flag = (p: number): number => (rng.next() < p ? 1 : 0);
  const out = new Float32Array(count * FEATURE_COUNT);
  for (let r = 0; r < count; r++) {
    const o = r * FEATURE_COUNT;
    // Noise first: every feature uniform in its clip range, then the structured ones overwrite.
    for (const f of FEATURES) out[o + f.index] = u(f.clip[0], f.clip[1]);
    const hasBid = flag(0.95);
    const hasAsk = flag(0.95);
    const spreadCents = rng.next() < 0.35 ? 1 + Math.floor(rng.next() * 2) : 3 + Math.floor(rng.next() * 13);
    const bid = hasBid ? Math.round(u(0.01, 0.99 - spreadCents / 100) * 100) / 100 : 0;
    const ask = hasAsk ? (hasBid ? bid + spreadCents / 100 : Math.round(u(0.02, 0.99) * 100) / 100) : 1;
    out[o + F_YES_BID] = bid;
    out[o + F_YES_ASK] = ask;
    out[o + F_HAS_YES_BID] = hasBid;
    out[o + F_HAS_YES_ASK] = hasAsk;
    out[o + F_MID] = (bid + ask) / 2;
    out[o + F_SPREAD] = clip((ask - bid) * 10, -1, 1);
    const bidSize = hasBid ? u(0, 1) : 0;
    const askSize = hasAsk ? u(0, 1) : 0;
    out[o + F_BID_SIZE] = bidSize;
    out[o + F_ASK_SIZE] = askSize;
    const imbTop = bidSize + askSize > 0 ? (bidSize - askSize) / (bidSize + askSize) : 0;
    out[o + F_IMBALANCE_TOP] = imbTop;
    const imbDepth = clip(0.6 * imbTop + u(-0.4, 0.4), -1, 1);
    out[o + F_IMBALANCE_DEPTH] = imbDepth;
    out[o + F_BID_DEPTH] = Math.max(bidSize, u(0, 1));
    out[o + F_ASK_DEPTH] = Math.max(askSize, u(0, 1));
    out[o + F_MICROPRICE_EDGE] = hasBid && hasAsk ? clip(((ask - bid) / 2) * imbTop * 10, -1, 1) : 0;
    out[o + F_BOOK_STALE] = flag(0.05);
    out[o + F_CLOSING_SOON] = flag(0.05);
    out[o + F_OPENING_ALLOWED] = flag(0.9);
    out[o + F_BELOW_RESERVE] = flag(0.05);
    const p = rng.next();
    const side = p < 0.7 ? 0 : p < 0.85 ? 1 : -1;
    out[o + F_POSITION_SIDE] = side;
    if (side === 0) {
      out[o + F_POSITION_SIZE] = 0;
      out[o + F_POSITION_AVG_PRICE] = 0;
      out[o + F_UNREALIZED_RETURN] = 0;
      out[o + F_TIME_IN_POSITION] = 0;
    } else {
      out[o + F_UNREALIZED_RETURN] = u(-0.3, 0.35);
      out[o + F_POSITION_SIZE] = u(0.1, 1);
      out[o + F_POSITION_AVG_PRICE] = u(0.02, 0.98);
    }
  }
  return out;
}

export function labelObservations(obs: Float32Array): Uint8Array {
  const rows = obs.length / FEATURE_COUNT;
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) y[r] = baselineRule(obs, r);
  return y;
}

/** How the shipped model is trained. Changing any of it changes the model's bytes. */
export const BASELINE_TRAINING = Object.freeze({
  seed: 20_260_101,
  rows: 24_000,
  hidden: [32, 32],
  epochs: 16,
  batchSize: 32,
  learningRate: 0.003,
  weightDecay: 1e-4,
});

/** Trains the baseline MLP (deterministic; a few seconds). */
export function trainBaselineMlp(): Mlp {
  const t = BASELINE_TRAINING;
  const x = sampleObservations(t.rows, t.seed);
  const y = labelObservations(x);
  const opts: TrainOptions = {
    hidden: [...t.hidden],
    classes: MODEL_CONTRACT.actionCount,
    epochs: t.epochs,
    batchSize: t.batchSize,
    learningRate: t.learningRate,
    seed: t.seed + 1,
    weightDecay: t.weightDecay,
  };
  const { layers } = trainClassifier(x, y, FEATURE_COUNT, opts);
  return { inputName: MODEL_CONTRACT.inputName, outputName: MODEL_CONTRACT.outputName, layers };
}

/**
 * The ONNX bytes of an MLP under our contract, stamped with the current feature-spec hash (and
 * `extra` metadata after it). The defaults are the baseline's (its bytes depend on them).
 */
export function mlpModelBytes(
  mlp: Mlp,
  docString: string,
  o: { producerVersion?: string; graphName?: string; extra?: ReadonlyArray<{ key: string; value: string }> } = {},
): Uint8Array {
  return encodeModel(
    buildMlpModel(mlp, {
      producerName: 'kalshi-actor',
      producerVersion: o.producerVersion ?? 'make-model/1',
      irVersion: MODEL_CONTRACT.irVersion,
      opset: MODEL_CONTRACT.opset,
      batchDim: MODEL_CONTRACT.batchDim,
      graphName: o.graphName ?? 'baseline_mlp',
      docString,
      metadata: [
        { key: MODEL_METADATA.featureSpecHash, value: FEATURE_SPEC_HASH },
        { key: MODEL_METADATA.featureCount, value: String(FEATURE_COUNT) },
        { key: MODEL_METADATA.actions, value: MODEL_CONTRACT.actions.join(',') },
        ...(o.extra ?? []),
      ],
    }),
  );
}

/** models/baseline-mlp.onnx, byte for byte. */
export function buildBaselineModel(): Uint8Array {
  const t = BASELINE_TRAINING;
  const doc =
    `Baseline rule distilled into an MLP (${FEATURE_COUNT} → ${t.hidden.join(' → ')} → ${MODEL_CONTRACT.actionCount}, ReLU) ` +
    `by scripts/make-model.ts: seed ${t.seed}, ${t.rows} synthetic observations, ${t.epochs} epochs of Adam.`;
  return mlpModelBytes(trainBaselineMlp(), doc);
}
