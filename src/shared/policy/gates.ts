/**
 * Gates applied to a policy's actions before they become intents (seed Phase 3, step 2; lessons
 * "cash reserve $100 forcing HOLD"): the cash-reserve gate turns every OPENING action into HOLD
 * while cash is below the reserve. CLOSING actions always pass — they free cash, which is the
 * way out of a low-cash state — and HOLD is untouched. "Opening" and "closing" are defined in
 * actions.ts (a move of the signed position away from / toward zero).
 *
 * Two forms of the same rule: the batch form reads the observation (features below_reserve and
 * position_side, so it needs nothing else and cannot disagree with what the policy saw); the
 * scalar form takes the account numbers, for the execution thread's own check.
 */
import { FEATURE_COUNT, F_BELOW_RESERVE, F_POSITION_SIDE } from '../observation/features.js';
import { Action, isOpening } from './actions.js';
import { checkBatch, type Policy } from './policy.js';

/** True when `action` may go ahead: not an opening, or cash (µ$) at or above the reserve (µ$). */
export function cashReserveAllows(action: number, position: number, cash: number, cashReserve: number): boolean {
  return !(cash < cashReserve) || !isOpening(action, position);
}

/**
 * Force HOLD on every row whose action opens while that row's observation says cash is below
 * the reserve. Returns how many actions were forced (for the HOLD counters). No allocation.
 */
export function applyCashReserveGate(observations: Float32Array, count: number, actions: Uint8Array): number {
  let forced = 0;
  for (let i = 0; i < count; i++) {
    const row = i * FEATURE_COUNT;
    if (observations[row + F_BELOW_RESERVE] >= 0.5 && isOpening(actions[i], observations[row + F_POSITION_SIDE])) {
      actions[i] = Action.HOLD;
      forced++;
    }
  }
  return forced;
}

/** `policy` with the cash-reserve gate applied after every decision; same name suffix `+reserve`, same feature spec. */
export function withCashReserveGate(policy: Policy): Policy & { readonly inner: Policy; forcedHolds: number } {
  const gated = {
    name: `${policy.name}+reserve`,
    featureSpecHash: policy.featureSpecHash,
    inner: policy,
    /** Openings forced to HOLD so far. */
    forcedHolds: 0,
    decide(observations: Float32Array, count: number, actions: Uint8Array): void | Promise<void> {
      checkBatch(observations, count, actions);
      const done = policy.decide(observations, count, actions);
      if (done instanceof Promise) {
        return done.then(() => {
          gated.forcedHolds += applyCashReserveGate(observations, count, actions);
        });
      }
      gated.forcedHolds += applyCashReserveGate(observations, count, actions);
    },
    close: policy.close === undefined ? undefined : () => policy.close!(),
  };
  return gated;
}
