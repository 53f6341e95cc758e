/**
 * runEpisode: one policy on a simulated exchange, through the live decision path, on a virtual
 * clock. Short episodes (1–2 simulated minutes); every figure asserted here was checked by
 * running it. The ledger/exchange cross-check runs at the end of every episode (a failure throws),
 * so every episode that resolves here passed it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkEpisodeSpec, CURVE_STEP_MS, runEpisode } from '../../../src/main/lab/episode.js';
import type { EpisodeResult, EpisodeSpec, InlineMlp } from '../../../src/main/lab/episode-types.js';
import { FEATURE_COUNT } from '../../../src/shared/observation/features.js';
import { extractMlp } from '../../../src/shared/onnx/mlp-graph.js';
import { decodeModel } from '../../../src/shared/onnx/model-reader.js';
import { Action, ACTION_COUNT } from '../../../src/shared/policy/actions.js';

/** One dense layer, zero weights: the bias alone decides, so `action` always wins. */
function alwaysMlp(action: Action): InlineMlp {
  const bias = new Array<number>(ACTION_COUNT).fill(0);
  bias[action] = 1;
  return { layers: [{ inputs: FEATURE_COUNT, outputs: ACTION_COUNT, weights: new Array<number>(FEATURE_COUNT * ACTION_COUNT).fill(0), bias, activation: 'none' }] };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

function expectExactMoney(r: EpisodeResult): void {
  for (const v of [r.pnlMicros, r.feesMicros, ...r.curve]) expect(Number.isSafeInteger(v)).toBe(true);
  for (const v of [r.ordersSent, r.ordersFilled, r.filledCount, r.bookChanges, ...r.actions, ...Object.values(r.blocked)]) {
    expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
  }
}

describe('runEpisode', () => {
  it('is deterministic: the same spec twice gives the same result; another seed, other books and another result', async () => {
    const spec: EpisodeSpec = { policy: 'spread-capture', seed: 12, durationMs: 60_000 };
    const a = await runEpisode(spec);
    const b = await runEpisode({ ...spec });
    expect(b).toEqual(a);
    const c = await runEpisode({ ...spec, seed: 13 });
    expect(c).not.toEqual(a);
    expect(c.bookChanges).not.toBe(a.bookChanges);
    expect(c.curve).not.toEqual(a.curve);
    // The shape of the report.
    expect(a).toMatchObject({ seed: 12, policy: 'spread-capture', curveStepMs: CURVE_STEP_MS, marketHours: (8 * 60_000) / 3_600_000 });
    expect(a.curve).toHaveLength(60_000 / CURVE_STEP_MS + 1);
    expect(a.curve[a.curve.length - 1]).toBe(a.pnlMicros);
    // 200 book messages per simulated second from the crowd, plus what our own orders change.
    expect(a.bookChanges).toBeGreaterThan(11_500);
    expectExactMoney(a);
  });

  it('hold: every decision HOLD, no order, zero P&L and fees', async () => {
    const r = await runEpisode({ policy: 'hold', seed: 1, durationMs: 60_000 });
    expect(r.actions[Action.HOLD]).toBeGreaterThan(10_000); // one decision per book change, changes at one instant coalesced
    expect(r.actions.slice(1)).toEqual([0, 0, 0, 0]);
    expect(sum(r.actions)).toBe(r.actions[Action.HOLD]);
    expect(r).toMatchObject({ pnlMicros: 0, feesMicros: 0, ordersSent: 0, ordersFilled: 0, filledCount: 0, blocked: {} });
    expect(r.curve).toEqual(new Array(7).fill(0));
  });

  it('hardcoded with a short throttle: orders, fills and fees, exact money, throttled and rate-limited intents counted', async () => {
    // Seed 12's series charges maker fees: passive fills pay them.
    const r = await runEpisode({ policy: 'hardcoded', seed: 12, durationMs: 120_000, settings: { 'throttle-ms': '100' } });
    expectExactMoney(r);
    expect(r.ordersSent).toBeGreaterThan(100);
    expect(r.ordersFilled).toBeGreaterThan(10);
    expect(r.ordersFilled).toBeLessThanOrEqual(r.ordersSent);
    expect(r.filledCount).toBeGreaterThan(0);
    expect(r.filledCount % 100).toBe(0); // whole contracts: orders of 5
    expect(r.feesMicros).toBeGreaterThan(0);
    // The cycle: HOLD, BUY_YES, HOLD, SELL_YES, HOLD, BUY_NO, HOLD, SELL_NO — one step per decision.
    expect(Math.abs(r.actions[Action.HOLD] - sum(r.actions.slice(1)))).toBeLessThanOrEqual(1);
    expect(r.blocked.THROTTLED).toBeGreaterThan(1_000);
    // More orders than the basic tier's Write budget (10 creates a second): the REST layer refuses the rest.
    expect(r.blocked.RATE_LIMITED).toBeGreaterThan(0);
    // Every intent was refused by the rules, or sent (reaching the exchange, or refused by the
    // budget); at most one request per market may still wait for tokens at the end.
    expect(sum(Object.values(r.blocked)) + r.ordersSent).toBeGreaterThanOrEqual(sum(r.actions.slice(1)) - 8);
  });

  it('a higher usage tier lets more of the same orders out', async () => {
    const spec: EpisodeSpec = { policy: 'hardcoded', seed: 12, durationMs: 60_000, settings: { 'throttle-ms': '100' } };
    const basic = await runEpisode(spec);
    const prestige = await runEpisode({ ...spec, tier: 'prestige' });
    expect(prestige.blocked.RATE_LIMITED).toBeUndefined();
    expect(prestige.ordersSent).toBeGreaterThan(basic.ordersSent);
  });

  it('spread-capture: a passive market maker that gets filled and pays maker fees', async () => {
    const r = await runEpisode({ policy: 'spread-capture', seed: 12, durationMs: 120_000 });
    expectExactMoney(r);
    expect(r.ordersSent).toBeGreaterThan(5);
    expect(r.ordersFilled).toBeGreaterThan(0);
    expect(r.feesMicros).toBeGreaterThan(0);
    expect(r.pnlMicros).toBe(r.curve[r.curve.length - 1]);
  });

  it('inline MLP that always says BUY_YES: every decision BUY_YES, stopped by the position limit', async () => {
    const r = await runEpisode({ policy: { mlp: alwaysMlp(Action.BUY_YES) }, seed: 3, durationMs: 120_000 });
    expect(r.policy).toMatch(/^mlp:inline\/52-5\/[0-9a-f]{8}$/);
    expect(r.actions[Action.BUY_YES]).toBeGreaterThan(10_000);
    expect(r.actions[Action.BUY_YES]).toBe(sum(r.actions));
    // 50 contracts per market (--max-position) in 8 markets, then POSITION_LIMIT for every later intent.
    expect(r.filledCount).toBe(8 * 50 * 100);
    expect(r.blocked.POSITION_LIMIT).toBeGreaterThan(r.actions[Action.BUY_YES] / 2);
    expectExactMoney(r);
  });

  it('inline MLP weights trade exactly as the same weights from a model file (mlp:FILE)', async () => {
    const file = fileURLToPath(new URL('../../../models/baseline-mlp.onnx', import.meta.url));
    const mlp = extractMlp(decodeModel(readFileSync(file)));
    const inline: InlineMlp = { layers: mlp.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, weights: [...l.weight], bias: [...l.bias], activation: l.activation })) };
    const spec = { seed: 4, durationMs: 60_000 };
    const fromFile = await runEpisode({ ...spec, policy: `mlp:${file}` });
    const fromWeights = await runEpisode({ ...spec, policy: { mlp: inline } });
    expect(fromWeights.policy).toMatch(/^mlp:inline\/52-32-32-5\//);
    expect({ ...fromWeights, policy: '' }).toEqual({ ...fromFile, policy: '' });
    expect(fromFile.ordersSent).toBeGreaterThan(0); // the baseline trades: the comparison means something
  });

  it('inline MLP with execution settings applied as `kalshi-actor run` reads them: contract size and position limit', async () => {
    const r = await runEpisode({ policy: { mlp: alwaysMlp(Action.BUY_YES) }, seed: 3, durationMs: 120_000, settings: { 'contract-size': '2', 'max-position': '4' } });
    expect(r.filledCount).toBe(8 * 4 * 100);
    expect(r.blocked.POSITION_LIMIT).toBeGreaterThan(0);
  });

  it('inline MLP near the cash reserve: openings stop at the reserve', async () => {
    // $110 against the default $100 reserve: two orders of 5 contracts, then CASH_RESERVE.
    const r = await runEpisode({ policy: { mlp: alwaysMlp(Action.BUY_YES) }, seed: 3, durationMs: 60_000, startCash: 110_000_000 });
    expect(r.blocked.CASH_RESERVE).toBeGreaterThan(1_000);
    expect(r.filledCount).toBeLessThanOrEqual(2 * 500);
    expect(r.blocked.POSITION_LIMIT).toBeUndefined();
  });

  it('markets that close during the episode are halted and their positions settled', async () => {
    // Seed 8's markets close 1.7 minutes in, are determined 5 s later and paid out a minute after.
    const r = await runEpisode({ policy: 'hardcoded', seed: 8, durationMs: 240_000, settings: { 'price-mode': 'aggressive' } });
    expect(r.filledCount).toBeGreaterThan(0);
    expect(r.feesMicros).toBeGreaterThan(0); // takers pay
    expect(r.blocked.NOT_TRADING).toBeGreaterThan(0); // intents after the close
    // Settled (by 170 s): nothing left to mark, the curve is flat once paid out.
    expect(new Set(r.curve.slice(-7)).size).toBe(1);
    expect(r.pnlMicros).toBe(r.curve[r.curve.length - 1]);
  });

  describe('bad input is refused with a RangeError naming the field, before any work', () => {
    const cases: Array<[string, Partial<EpisodeSpec> & Record<string, unknown>, RegExp]> = [
      ['an unknown policy', { policy: 'yolo' }, /^policy must be .*'?"yolo"/],
      ['no markets', { markets: 0 }, /^markets must be a whole number from 1/],
      ['a negative duration', { durationMs: -1_000 }, /^durationMs must be a whole number of ms from 1/],
      ['a fractional seed', { seed: 1.5 }, /^seed must be a whole number/],
      ['a negative rate', { rate: -1 }, /^rate must be/],
      ['negative cash', { startCash: -1 }, /^startCash must be/],
      ['an unknown tier', { tier: 'gold' as never }, /^tier must be/],
      ['a bad setting value', { settings: { 'throttle-ms': '-5' } }, /^settings: --throttle-ms must be/],
      ['an unknown setting', { settings: { 'throttle-msec': '5' } }, /^settings: unknown setting 'throttle-msec'/],
      ['a setting an episode does not apply', { settings: { 'close-guard-s': '5' } }, /^settings: 'close-guard-s' does not apply/],
      ['settings that contradict each other', { settings: { 'contract-size': '10', 'max-position': '5' } }, /^settings: --max-position \(5\) is smaller than --contract-size/],
      ['MLP weights of the wrong size', { policy: { mlp: { layers: [{ ...alwaysMlp(Action.HOLD).layers[0], weights: [1, 2, 3] }] } } }, /^policy\.mlp\.layers\[0\]\.weights .* must hold 260 numbers/],
      ['an MLP that does not end in the actions', { policy: { mlp: { layers: [{ inputs: FEATURE_COUNT, outputs: 4, weights: new Array(FEATURE_COUNT * 4).fill(0), bias: [0, 0, 0, 0], activation: 'relu' }] } } }, /^policy\.mlp\.layers\[0\]\.outputs must be 5/],
      ['a non-finite weight', { policy: { mlp: { layers: [{ ...alwaysMlp(Action.HOLD).layers[0], bias: [0, Number.NaN, 0, 0, 0] }] } } }, /^policy\.mlp\.layers\[0\]\.bias\[1\] must be a finite number/],
    ];
    for (const [what, patch, message] of cases) {
      it(what, async () => {
        const spec = { policy: 'hold', seed: 1, ...patch } as EpisodeSpec;
        expect(() => checkEpisodeSpec(spec)).toThrow(RangeError);
        expect(() => checkEpisodeSpec(spec)).toThrow(message);
        await expect(runEpisode(spec)).rejects.toThrow(RangeError);
      });
    }

    it('a model file that is not there fails when the policy is loaded, before the exchange is built', async () => {
      await expect(runEpisode({ policy: 'mlp:/nonexistent/model.onnx', seed: 1 })).rejects.toThrow(/no such file/);
    });
  });
});
