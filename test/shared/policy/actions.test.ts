import { describe, expect, it } from 'vitest';
import {
  ACTION_COUNT, ACTION_NAMES, Action, ActionEffect, actionByName, actionEffect, actionName, closingAction, isAction,
  isClosing, isNoAction, isOpening, positionDirection, yesBookSide,
} from '../../../src/shared/policy/actions.js';

describe('Action', () => {
  it('numbers the five actions 0..4 as the seed does, with names', () => {
    expect(Action).toEqual({ HOLD: 0, BUY_YES: 1, SELL_YES: 2, BUY_NO: 3, SELL_NO: 4 });
    expect(ACTION_COUNT).toBe(5);
    expect(ACTION_NAMES).toEqual(['HOLD', 'BUY_YES', 'SELL_YES', 'BUY_NO', 'SELL_NO']);
    for (const [name, value] of Object.entries(Action)) {
      expect(actionName(value)).toBe(name);
      expect(actionByName(name)).toBe(value);
    }
  });

  it('rejects what is not an action, with the valid range or names', () => {
    for (const bad of [-1, 5, 1.5, Number.NaN, '1', null]) expect(isAction(bad)).toBe(false);
    expect(() => actionName(5)).toThrow(/not an action: 5 \(valid: 0..4\)/);
    expect(() => actionByName('BUY')).toThrow(/valid: HOLD, BUY_YES, SELL_YES, BUY_NO, SELL_NO/);
  });

  it('moves the signed position (+YES/−NO) and maps to the YES book side of a V2 order', () => {
    expect([0, 1, 2, 3, 4].map(positionDirection)).toEqual([0, 1, -1, -1, 1]);
    expect([0, 1, 2, 3, 4].map(yesBookSide)).toEqual([undefined, 'bid', 'ask', 'ask', 'bid']);
    expect([0, 1, 2, 3, 4].map(isNoAction)).toEqual([false, false, false, true, true]);
  });
});

describe('opening and closing (Kalshi semantics: a NO position is negative)', () => {
  const FLAT = 0;
  const LONG_YES = 500; // 5 contracts
  const LONG_NO = -500;
  const O = ActionEffect.OPENING;
  const C = ActionEffect.CLOSING;
  const N = ActionEffect.NONE;
  it.each([
    // action,          flat, long YES, long NO
    [Action.HOLD, N, N, N],
    [Action.BUY_YES, O, O, C], // buying YES against NO nets a $1 pair away
    [Action.SELL_YES, O, C, O], // selling YES not held = buying NO
    [Action.BUY_NO, O, C, O], // buying NO while long YES reduces YES
    [Action.SELL_NO, O, O, C],
  ])('action %i: flat %i, long YES %i, long NO %i', (action, flat, longYes, longNo) => {
    expect(actionEffect(action, FLAT)).toBe(flat);
    expect(actionEffect(action, LONG_YES)).toBe(longYes);
    expect(actionEffect(action, LONG_NO)).toBe(longNo);
    expect(isOpening(action, LONG_YES)).toBe(longYes === O);
    expect(isClosing(action, LONG_NO)).toBe(longNo === C);
  });

  it('works on any signed magnitude (hundredths, or the ±1 of position_side)', () => {
    expect(isClosing(Action.SELL_YES, 1)).toBe(true);
    expect(isClosing(Action.SELL_YES, 0.01)).toBe(true);
    expect(isOpening(Action.SELL_YES, -1)).toBe(true);
    expect(actionEffect(9, 100)).toBe(ActionEffect.NONE);
  });

  it('closes by selling the held outcome', () => {
    expect(closingAction(300)).toBe(Action.SELL_YES);
    expect(closingAction(-300)).toBe(Action.SELL_NO);
    expect(closingAction(0)).toBe(Action.HOLD);
    expect(isClosing(closingAction(300), 300)).toBe(true);
    expect(isClosing(closingAction(-300), -300)).toBe(true);
  });
});
