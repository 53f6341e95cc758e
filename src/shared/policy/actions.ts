/**
 * The policy's action space (seed Phase 3, architecture.md §4): five discrete actions per market.
 *
 * Kalshi semantics, in the host's signed-position model (position-records.ts: + YES, − NO; with
 * netting, as the simulator and Kalshi's "positions are netted" describe — kalshi-api.md §5,
 * marked UNCONFIRMED there for netting-disabled accounts):
 *
 * | action   | on the YES book (Create Order V2)       | position | flat / long YES / long NO  |
 * |----------|-----------------------------------------|----------|----------------------------|
 * | BUY_YES  | bid at p                                | +        | opening / opening / closing|
 * | SELL_YES | ask at p                                | −        | opening / closing / opening|
 * | BUY_NO   | ask at 10000 − q (a NO bid at q)        | −        | opening / closing / opening|
 * | SELL_NO  | bid at 10000 − q (a NO ask at q)        | +        | opening / opening / closing|
 *
 * An action is CLOSING when it moves a non-zero position toward zero (buying NO while long YES
 * reduces YES: a YES/NO pair pays $1 whatever happens, so it is netted away); otherwise it is
 * OPENING — from flat, adding to the position, or selling an outcome not held (selling YES while
 * flat is buying NO at the complement). Only an order capped at |position| (`reduce_only`) is
 * purely closing: a larger one flips the position, and its excess opens. Execution caps closing
 * orders accordingly, so a CLOSING action never adds exposure.
 * HOLD is neither. Closings always pass the cash-reserve gate; openings do not (gates.ts).
 */

export const Action = {
  HOLD: 0,
  BUY_YES: 1,
  SELL_YES: 2,
  BUY_NO: 3,
  SELL_NO: 4,
} as const;
export type Action = (typeof Action)[keyof typeof Action];

export const ACTION_COUNT = 5;

/** Index → name: ACTION_NAMES[Action.BUY_NO] === 'BUY_NO'. */
export const ACTION_NAMES = Object.freeze(['HOLD', 'BUY_YES', 'SELL_YES', 'BUY_NO', 'SELL_NO'] as const);
export type ActionName = (typeof ACTION_NAMES)[number];

export function isAction(value: unknown): value is Action {
  return typeof value === 'number' && value >>> 0 === value && value < ACTION_COUNT;
}

/** 'BUY_YES' for 1; throws a RangeError for anything that is not an action. */
export function actionName(action: number): ActionName {
  if (!isAction(action)) throw new RangeError(`not an action: ${String(action)} (valid: 0..${ACTION_COUNT - 1})`);
  return ACTION_NAMES[action];
}

/** 'BUY_YES' → 1; throws a RangeError listing the valid names. */
export function actionByName(name: string): Action {
  const i = (ACTION_NAMES as readonly string[]).indexOf(name);
  if (i < 0) throw new RangeError(`unknown action ${JSON.stringify(name)}; valid: ${ACTION_NAMES.join(', ')}`);
  return i as Action;
}

/** Sign of the action's effect on the signed position: +1 (BUY_YES, SELL_NO), −1 (SELL_YES, BUY_NO), 0 (HOLD). */
export function positionDirection(action: number): -1 | 0 | 1 {
  switch (action) {
    case Action.BUY_YES:
    case Action.SELL_NO:
      return 1;
    case Action.SELL_YES:
    case Action.BUY_NO:
      return -1;
    default:
      return 0;
  }
}

/** Side of the resulting order on the YES book (V2 `bid`/`ask`): BUY_YES and SELL_NO bid, the others ask. */
export function yesBookSide(action: number): 'bid' | 'ask' | undefined {
  const d = positionDirection(action);
  return d > 0 ? 'bid' : d < 0 ? 'ask' : undefined;
}

/** True for BUY_NO and SELL_NO: the policy's price is a NO price q, sent as YES price 10000 − q. */
export function isNoAction(action: number): boolean {
  return action === Action.BUY_NO || action === Action.SELL_NO;
}

export const ActionEffect = { NONE: 0, OPENING: 1, CLOSING: 2 } as const;
export type ActionEffect = (typeof ActionEffect)[keyof typeof ActionEffect];

/**
 * What `action` does to `position` (any signed number: hundredths, or the ±1 of the
 * observation's position_side): CLOSING when it moves a non-zero position toward zero, OPENING
 * otherwise, NONE for HOLD (and for anything that is not an action).
 */
export function actionEffect(action: number, position: number): ActionEffect {
  const d = positionDirection(action);
  if (d === 0) return ActionEffect.NONE;
  return (d > 0 && position < 0) || (d < 0 && position > 0) ? ActionEffect.CLOSING : ActionEffect.OPENING;
}

export function isOpening(action: number, position: number): boolean {
  return actionEffect(action, position) === ActionEffect.OPENING;
}

export function isClosing(action: number, position: number): boolean {
  return actionEffect(action, position) === ActionEffect.CLOSING;
}

/** The action that closes `position` by selling the held outcome: SELL_YES when long YES, SELL_NO when long NO, HOLD when flat. */
export function closingAction(position: number): Action {
  return position > 0 ? Action.SELL_YES : position < 0 ? Action.SELL_NO : Action.HOLD;
}
