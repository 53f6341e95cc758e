import { describe, expect, it } from 'vitest';
import { MarketTradingState } from '../../src/shared/position-records.js';
import { lifecycleAction, lifecycleRules, type LifecycleRules, type MarketLife } from '../../src/supervisor/market-lifecycle.js';

const CLOSE = 1_767_225_600_000;
const MIN = 60_000;
/** Stop opening 30 min before the close, flatten 10 min before. */
const RULES: LifecycleRules = lifecycleRules({ stopOpeningBeforeCloseMs: 30 * MIN, flattenBeforeCloseMs: 10 * MIN });

function life(over: Partial<MarketLife> = {}): MarketLife {
  return { market: 5, closeTimeMs: CLOSE, status: 'active', position: 1000, hasWorkingOrder: true, ...over };
}

const { INACTIVE, ACTIVE, REDUCING, HALTED } = MarketTradingState;

describe('lifecycleRules', () => {
  it('defaults to off, validates, freezes', () => {
    expect(lifecycleRules()).toEqual({ stopOpeningBeforeCloseMs: 0, flattenBeforeCloseMs: 0 });
    expect(Object.isFrozen(RULES)).toBe(true);
    expect(() => lifecycleRules({ stopOpeningBeforeCloseMs: -1 })).toThrow(RangeError);
    expect(() => lifecycleRules({ stopOpeningBeforeCloseMs: 1.5 })).toThrow(/stopOpeningBeforeCloseMs/);
    expect(() => lifecycleRules({ stopOpeningBeforeCloseMs: 10, flattenBeforeCloseMs: Number.NaN })).toThrow(/flattenBeforeCloseMs/);
  });

  it('the flatten window stops openings too, even when it is the larger one (or stop-opening is off)', () => {
    for (const rules of [lifecycleRules({ stopOpeningBeforeCloseMs: 5 * MIN, flattenBeforeCloseMs: 10 * MIN }), lifecycleRules({ flattenBeforeCloseMs: 10 * MIN })]) {
      expect(lifecycleAction(life(), rules, CLOSE - 8 * MIN).reason).toBe('flatten_before_close');
      // Flat inside the flatten window: no opening again.
      expect(lifecycleAction(life({ position: 0 }), rules, CLOSE - 8 * MIN)).toEqual({
        state: MarketTradingState.REDUCING, cancelWorking: true, flatten: false, reason: 'closing_soon',
      });
      expect(lifecycleAction(life({ position: 0 }), rules, CLOSE - 10 * MIN - 1).reason).toBe('open');
    }
  });

  it('lifecycleAction checks unvalidated rules too', () => {
    expect(() => lifecycleAction(life(), { stopOpeningBeforeCloseMs: -1, flattenBeforeCloseMs: 0 }, CLOSE - 2 * MIN)).toThrow(RangeError);
  });
});

describe('lifecycleAction', () => {
  it('well before the close: ACTIVE, nothing to do', () => {
    expect(lifecycleAction(life(), RULES, CLOSE - 31 * MIN)).toEqual({ state: ACTIVE, cancelWorking: false, flatten: false, reason: 'open' });
  });

  it('closed, determined, settled: HALTED, working orders cancelled, the position left to settle', () => {
    for (const status of ['closed', 'determined', 'settled'] as const) {
      // Even with a close time still in the future (the exchange closed it early).
      expect(lifecycleAction(life({ status }), RULES, CLOSE - 60 * MIN)).toEqual({ state: HALTED, cancelWorking: true, flatten: false, reason: status });
      expect(lifecycleAction(life({ status, hasWorkingOrder: false }), RULES, CLOSE + MIN).cancelWorking).toBe(false);
    }
  });

  it('the close time passed while the status still says active (or paused): HALTED', () => {
    expect(lifecycleAction(life(), RULES, CLOSE)).toEqual({ state: HALTED, cancelWorking: true, flatten: false, reason: 'close_time_passed' });
    expect(lifecycleAction(life({ status: 'paused' }), RULES, CLOSE + 1).reason).toBe('close_time_passed');
    expect(lifecycleAction(life({ status: 'unknown' }), RULES, CLOSE + 1).state).toBe(HALTED);
  });

  it('paused: REDUCING, working orders kept; no flatten into a market that cannot trade', () => {
    const paused = { state: REDUCING, cancelWorking: false, flatten: false, reason: 'paused' };
    expect(lifecycleAction(life({ status: 'paused' }), RULES, CLOSE - 60 * MIN)).toEqual(paused);
    expect(lifecycleAction(life({ status: 'paused' }), RULES, CLOSE - MIN)).toEqual(paused);
  });

  it('within the flatten window, holding a position: cancel and flatten (boundary inclusive)', () => {
    const flatten = { state: REDUCING, cancelWorking: true, flatten: true, reason: 'flatten_before_close' };
    expect(lifecycleAction(life(), RULES, CLOSE - 10 * MIN)).toEqual(flatten);
    expect(lifecycleAction(life(), RULES, CLOSE - 1)).toEqual(flatten);
    expect(lifecycleAction(life({ position: -300 }), RULES, CLOSE - MIN).flatten).toBe(true);
    expect(lifecycleAction(life({ hasWorkingOrder: false }), RULES, CLOSE - MIN)).toEqual({ ...flatten, cancelWorking: false });
    // 1 ms before the window: only closing soon.
    expect(lifecycleAction(life(), RULES, CLOSE - 10 * MIN - 1).reason).toBe('closing_soon');
  });

  it('within the flatten window but flat: closing soon, nothing to flatten', () => {
    expect(lifecycleAction(life({ position: 0 }), RULES, CLOSE - MIN)).toEqual({ state: REDUCING, cancelWorking: true, flatten: false, reason: 'closing_soon' });
  });

  it('within the stop-opening window: REDUCING, working orders cancelled (boundary inclusive)', () => {
    const soon = { state: REDUCING, cancelWorking: true, flatten: false, reason: 'closing_soon' };
    expect(lifecycleAction(life(), RULES, CLOSE - 30 * MIN)).toEqual(soon);
    expect(lifecycleAction(life(), RULES, CLOSE - 30 * MIN - 1).reason).toBe('open');
    expect(lifecycleAction(life({ hasWorkingOrder: false }), RULES, CLOSE - 20 * MIN)).toEqual({ ...soon, cancelWorking: false });
  });

  it('flattenBeforeCloseMs 0: never flatten, the position settles', () => {
    const rules = lifecycleRules({ stopOpeningBeforeCloseMs: 30 * MIN });
    expect(lifecycleAction(life(), rules, CLOSE - 1)).toEqual({ state: REDUCING, cancelWorking: true, flatten: false, reason: 'closing_soon' });
  });

  it('all rules off: ACTIVE until the close, then HALTED', () => {
    const off = lifecycleRules();
    expect(lifecycleAction(life(), off, CLOSE - 1).reason).toBe('open');
    expect(lifecycleAction(life(), off, CLOSE).reason).toBe('close_time_passed');
  });

  it('an unknown close time (0) never triggers a time rule', () => {
    expect(lifecycleAction(life({ closeTimeMs: 0 }), RULES, CLOSE + 10 ** 9)).toEqual({ state: ACTIVE, cancelWorking: false, flatten: false, reason: 'open' });
  });

  it('unknown status: REDUCING (no new exposure), but the time rules still apply first', () => {
    expect(lifecycleAction(life({ status: 'unknown' }), RULES, CLOSE - 60 * MIN)).toEqual({
      state: REDUCING, cancelWorking: false, flatten: false, reason: 'status_unknown',
    });
    expect(lifecycleAction(life({ status: 'unknown', closeTimeMs: 0 }), RULES, CLOSE).reason).toBe('status_unknown');
    expect(lifecycleAction(life({ status: 'unknown' }), RULES, CLOSE - MIN).reason).toBe('flatten_before_close');
    expect(lifecycleAction(life({ status: 'unknown' }), RULES, CLOSE - 20 * MIN).reason).toBe('closing_soon');
  });

  it('never answers INACTIVE (approval is calibration’s business)', () => {
    const statuses = ['active', 'paused', 'closed', 'determined', 'settled', 'unknown'] as const;
    for (const status of statuses) {
      for (const t of [CLOSE - 60 * MIN, CLOSE - 20 * MIN, CLOSE - MIN, CLOSE]) {
        expect(lifecycleAction(life({ status }), RULES, t).state).not.toBe(INACTIVE);
      }
    }
  });

  it('rejects malformed input', () => {
    expect(() => lifecycleAction(life({ status: 'open' as never }), RULES, CLOSE)).toThrow(/status of market 5/);
    expect(() => lifecycleAction(life({ closeTimeMs: -1 }), RULES, CLOSE)).toThrow(RangeError);
    expect(() => lifecycleAction(life({ position: 0.5 }), RULES, CLOSE)).toThrow(RangeError);
    expect(() => lifecycleAction(life(), RULES, Number.NaN)).toThrow(RangeError);
  });
});
