import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_SPEC_HASH, F_BELOW_RESERVE, F_POSITION_SIDE } from '../../../src/shared/observation/features.js';
import { Action, isOpening } from '../../../src/shared/policy/actions.js';
import { applyCashReserveGate, cashReserveAllows, withCashReserveGate } from '../../../src/shared/policy/gates.js';
import type { Policy } from '../../../src/shared/policy/policy.js';

const ACTIONS = [Action.HOLD, Action.BUY_YES, Action.SELL_YES, Action.BUY_NO, Action.SELL_NO];
const SIDES = [-1, 0, 1];

/** One row per (position side, action), below the reserve or not. */
function batch(below: boolean): { obs: Float32Array; actions: Uint8Array; count: number } {
  const count = SIDES.length * ACTIONS.length;
  const obs = new Float32Array(count * FEATURE_COUNT);
  const actions = new Uint8Array(count);
  let i = 0;
  for (const side of SIDES) {
    for (const a of ACTIONS) {
      obs[i * FEATURE_COUNT + F_POSITION_SIDE] = side;
      obs[i * FEATURE_COUNT + F_BELOW_RESERVE] = below ? 1 : 0;
      actions[i++] = a;
    }
  }
  return { obs, actions, count };
}

describe('cash-reserve gate', () => {
  it('scalar form: openings need cash ≥ reserve; closings and HOLD always pass', () => {
    const reserve = 100_000_000; // $100 in µ$
    for (const position of [-500, 0, 500]) {
      for (const a of ACTIONS) {
        expect(cashReserveAllows(a, position, reserve, reserve)).toBe(true); // at the reserve: allowed
        expect(cashReserveAllows(a, position, reserve - 1, reserve)).toBe(!isOpening(a, position));
        expect(cashReserveAllows(a, position, 0, reserve)).toBe(!isOpening(a, position));
      }
    }
    expect(cashReserveAllows(Action.SELL_YES, 500, 0, reserve)).toBe(true); // closing a YES position
    expect(cashReserveAllows(Action.BUY_NO, 500, 0, reserve)).toBe(true); // netting it away
    expect(cashReserveAllows(Action.SELL_NO, -500, 0, reserve)).toBe(true);
    expect(cashReserveAllows(Action.BUY_YES, 0, 0, reserve)).toBe(false);
    expect(cashReserveAllows(Action.SELL_YES, 0, 0, reserve)).toBe(false); // = buying NO
  });

  it('batch form: forces HOLD for openings only, and only on rows below the reserve', () => {
    const above = batch(false);
    const before = Uint8Array.from(above.actions);
    expect(applyCashReserveGate(above.obs, above.count, above.actions)).toBe(0);
    expect(above.actions).toEqual(before);

    const below = batch(true);
    const forced = applyCashReserveGate(below.obs, below.count, below.actions);
    let i = 0;
    let openings = 0;
    for (const side of SIDES) {
      for (const a of ACTIONS) {
        const opening = isOpening(a, side);
        if (opening) openings++;
        expect(below.actions[i++], `side ${side} action ${a}`).toBe(opening ? Action.HOLD : a);
      }
    }
    expect(forced).toBe(openings);
    expect(openings).toBe(4 + 2 + 2); // flat: all four; long YES: BUY_YES, SELL_NO; long NO: SELL_YES, BUY_NO
  });

  it('touches only the first `count` rows', () => {
    const b = batch(true);
    expect(applyCashReserveGate(b.obs, 1, b.actions)).toBe(0); // row 0: long NO, HOLD
    expect(b.actions[1]).toBe(Action.BUY_YES); // row 1 (long NO, BUY_YES: closing) untouched anyway
    expect(b.actions[7]).toBe(Action.SELL_YES); // row 7 (flat SELL_YES: opening) not reached
  });

  it('wraps a policy, sync or async, and counts the forced holds', async () => {
    const always = (a: Action, async: boolean): Policy => ({
      name: `always-${a}`,
      featureSpecHash: FEATURE_SPEC_HASH,
      decide(_obs, count, actions) {
        actions.fill(a, 0, count);
        return async ? Promise.resolve() : undefined;
      },
      close: async () => {},
    });
    for (const async of [false, true]) {
      const gated = withCashReserveGate(always(Action.BUY_YES, async));
      expect(gated.name).toBe('always-1+reserve');
      expect(gated.featureSpecHash).toBe(FEATURE_SPEC_HASH);
      const b = batch(true);
      await gated.decide(b.obs, b.count, b.actions);
      // BUY_YES opens when flat or long YES (10 of 15 rows), closes when long NO.
      expect(Array.from(b.actions)).toEqual(SIDES.flatMap((s) => ACTIONS.map(() => (s < 0 ? Action.BUY_YES : Action.HOLD))));
      expect(gated.forcedHolds).toBe(10);
      await gated.close?.();
    }
  });
});
