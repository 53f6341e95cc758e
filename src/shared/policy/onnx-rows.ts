/**
 * The argmax that turns a model's count × 5 scores into actions, shared by the model policies.
 */
import { ACTION_COUNT as ACTIONS } from './actions.js';

/**
 * Index of the largest of the 5 scores at `at`. Strictly greater wins, so a tie goes to the
 * lower code (HOLD = 0 first). A row with a NaN score is HOLD: the model is broken for that
 * input, and doing nothing is the only safe reading of it.
 */
export function argmaxRow(scores: Float32Array, at: number): number {
  let best = 0;
  let bestScore = scores[at];
  let nan = bestScore !== bestScore;
  for (let a = 1; a < ACTIONS; a++) {
    const s = scores[at + a];
    if (s > bestScore) {
      best = a;
      bestScore = s;
    } else if (s !== s) nan = true;
  }
  return nan ? 0 : best;
}

/** actions[r] = argmaxRow of row r, for `count` rows of 5 scores. */
export function argmaxRows(scores: Float32Array, count: number, actions: Uint8Array): void {
  for (let r = 0; r < count; r++) actions[r] = argmaxRow(scores, r * ACTIONS);
}
