import { describe, expect, it } from 'vitest';
import { TradingState } from '../../src/shared/position-records.js';
import {
  DEFAULT_HISTORY_CAPACITY,
  INITIAL_REASON,
  SupervisorStateMachine,
  TRADING_STATE_NAMES,
  decideAccountState,
  isLegalTransition,
  tradingStateName,
  type AccountConditions,
  type Transition,
} from '../../src/supervisor/state-machine.js';

const T = 1_767_225_600_000;
const { BOOTING, CALIBRATING, READY, TRADING, REDUCING, RECOVERING, HALTED } = TradingState;
const ALL: TradingState[] = [BOOTING, CALIBRATING, READY, TRADING, REDUCING, RECOVERING, HALTED];

/** The legal edges of the issue, written out independently of the implementation's table. */
const LEGAL: Record<TradingState, TradingState[]> = {
  [BOOTING]: [CALIBRATING],
  [CALIBRATING]: [READY, HALTED],
  [READY]: [TRADING, REDUCING, RECOVERING, HALTED, CALIBRATING],
  [TRADING]: [REDUCING, HALTED, CALIBRATING],
  [REDUCING]: [TRADING, RECOVERING, HALTED, CALIBRATING],
  [RECOVERING]: [TRADING, REDUCING, HALTED, CALIBRATING],
  [HALTED]: [CALIBRATING],
};

/** A machine driven into `state` (from BOOTING) at time T. */
function machineIn(state: TradingState): SupervisorStateMachine {
  const sm = new SupervisorStateMachine(T);
  if (state !== BOOTING) sm.moveTo(state, 'setup', T);
  return sm;
}

const steps = (ts: Transition[]): [string, string][] => ts.map((t) => [TRADING_STATE_NAMES[t.from], TRADING_STATE_NAMES[t.to]]);

/** Shortest path length by breadth-first search over LEGAL (independent of the implementation). */
function distance(from: TradingState, to: TradingState): number {
  const dist = new Map<TradingState, number>([[from, 0]]);
  const queue = [from];
  while (queue.length > 0) {
    const s = queue.shift() as TradingState;
    for (const n of LEGAL[s]) {
      if (!dist.has(n)) {
        dist.set(n, (dist.get(s) as number) + 1);
        queue.push(n);
      }
    }
  }
  return dist.get(to) ?? -1;
}

describe('TRADING_STATE_NAMES / tradingStateName', () => {
  it('names every TradingState by its value', () => {
    expect(TRADING_STATE_NAMES).toEqual(['booting', 'calibrating', 'ready', 'trading', 'reducing', 'recovering', 'halted']);
    expect(tradingStateName(TradingState.RECOVERING)).toBe('recovering');
    expect(Object.isFrozen(TRADING_STATE_NAMES)).toBe(true);
    expect(() => tradingStateName(7 as TradingState)).toThrow(RangeError);
  });
});

describe('isLegalTransition', () => {
  it('is exactly the edge table of the issue, plus X → CALIBRATING from every state but CALIBRATING', () => {
    for (const from of ALL) {
      for (const to of ALL) {
        expect(isLegalTransition(from, to), `${TRADING_STATE_NAMES[from]} → ${TRADING_STATE_NAMES[to]}`).toBe(LEGAL[from].includes(to));
      }
    }
    for (const from of ALL) expect(isLegalTransition(from, CALIBRATING)).toBe(from !== CALIBRATING);
    for (const from of ALL) expect(isLegalTransition(from, BOOTING)).toBe(false);
  });

  it('rejects values that are not TradingStates', () => {
    expect(() => isLegalTransition(-1 as TradingState, READY)).toThrow(RangeError);
    expect(() => isLegalTransition(READY, 1.5 as TradingState)).toThrow(RangeError);
  });
});

describe('SupervisorStateMachine', () => {
  it('starts in BOOTING at the given time', () => {
    const sm = new SupervisorStateMachine(T);
    expect([sm.state, sm.reason, sm.sinceMs]).toEqual([BOOTING, INITIAL_REASON, T]);
    expect(sm.history()).toEqual([]);
    expect(sm.historyCapacity).toBe(DEFAULT_HISTORY_CAPACITY);
  });

  it('start-up: BOOTING → CALIBRATING → READY → TRADING, one reason and time on every step', () => {
    const sm = new SupervisorStateMachine(T);
    expect(sm.moveTo(CALIBRATING, 'start_up', T + 1)).toEqual([{ from: BOOTING, to: CALIBRATING, reason: 'start_up', atMs: T + 1 }]);
    const ts = sm.moveTo(TRADING, 'healthy', T + 2);
    expect(steps(ts)).toEqual([['calibrating', 'ready'], ['ready', 'trading']]);
    expect(ts.every((t) => t.reason === 'healthy' && t.atMs === T + 2)).toBe(true);
    expect([sm.state, sm.reason, sm.sinceMs]).toEqual([TRADING, 'healthy', T + 2]);
  });

  it('takes the direct edge when it is legal', () => {
    const sm = machineIn(TRADING);
    expect(steps(sm.moveTo(REDUCING, 'drift', T + 5))).toEqual([['trading', 'reducing']]);
    expect(steps(sm.moveTo(TRADING, 'healthy', T + 6))).toEqual([['reducing', 'trading']]);
  });

  it('routes an illegal move along the shortest legal path: TRADING → REDUCING → RECOVERING', () => {
    const sm = machineIn(TRADING);
    const ts = sm.moveTo(RECOVERING, 'cash_below_reserve', T + 10);
    expect(ts).toEqual([
      { from: TRADING, to: REDUCING, reason: 'cash_below_reserve', atMs: T + 10 },
      { from: REDUCING, to: RECOVERING, reason: 'cash_below_reserve', atMs: T + 10 },
    ]);
    expect(sm.state).toBe(RECOVERING);
  });

  it('leaves HALTED only through calibration: HALTED → CALIBRATING → READY → TRADING', () => {
    const sm = machineIn(HALTED);
    expect(steps(sm.moveTo(TRADING, 'kill_switch_cleared', T + 1))).toEqual([
      ['halted', 'calibrating'], ['calibrating', 'ready'], ['ready', 'trading'],
    ]);
  });

  it('recalibrates from a trading state (execution thread restarted), and READY means recalibrating', () => {
    for (const s of [READY, TRADING, REDUCING, RECOVERING, HALTED]) {
      const sm = machineIn(s);
      expect(steps(sm.moveTo(CALIBRATING, 'execution_restarted', T + 1))).toEqual([[TRADING_STATE_NAMES[s], 'calibrating']]);
    }
    expect(steps(machineIn(TRADING).moveTo(READY, 'recalibrate', T + 1))).toEqual([['trading', 'calibrating'], ['calibrating', 'ready']]);
  });

  it('every reachable pair: legal steps only, shortest, ending in the target', () => {
    for (const from of ALL) {
      for (const to of ALL) {
        const d = distance(from, to);
        const sm = machineIn(from);
        if (d < 0) {
          expect(() => sm.moveTo(to, 'x', T + 1)).toThrow(/no legal path/);
          continue;
        }
        const ts = sm.moveTo(to, 'x', T + 1);
        expect(ts.length, `${TRADING_STATE_NAMES[from]} → ${TRADING_STATE_NAMES[to]}`).toBe(d);
        let at = from;
        for (const t of ts) {
          expect(t.from).toBe(at);
          expect(LEGAL[t.from].includes(t.to)).toBe(true);
          at = t.to;
        }
        expect(sm.state).toBe(to);
      }
    }
  });

  it('asking for the current state takes no transition and keeps its reason and time', () => {
    const sm = machineIn(REDUCING);
    sm.moveTo(TRADING, 'healthy', T + 1);
    sm.moveTo(REDUCING, 'drift', T + 2);
    expect(sm.moveTo(REDUCING, 'private_stream_gap', T + 3)).toEqual([]);
    expect([sm.state, sm.reason, sm.sinceMs]).toEqual([REDUCING, 'drift', T + 2]);
  });

  it('nothing leads back to BOOTING: a clear error, state unchanged', () => {
    const sm = machineIn(TRADING);
    const before = sm.transitionCount;
    expect(() => sm.moveTo(BOOTING, 'reboot', T + 1)).toThrow('no legal path from trading to booting (reason: reboot)');
    expect([sm.state, sm.reason, sm.transitionCount]).toEqual([TRADING, 'setup', before]);
  });

  it('rejects a bad target, an empty reason, a non-finite time and a bad history capacity', () => {
    const sm = machineIn(TRADING);
    expect(() => sm.moveTo(7 as TradingState, 'x', T)).toThrow(RangeError);
    expect(() => sm.moveTo(REDUCING, '', T)).toThrow(RangeError);
    expect(() => sm.moveTo(REDUCING, 'x', Number.NaN)).toThrow(RangeError);
    expect(() => sm.moveTo(REDUCING, 'x', Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(sm.state).toBe(TRADING);
    expect(() => new SupervisorStateMachine(Number.NaN)).toThrow(RangeError);
    expect(() => new SupervisorStateMachine(T, 0)).toThrow(RangeError);
  });

  it('history keeps the last N transitions, oldest first; transitions are frozen', () => {
    const sm = new SupervisorStateMachine(T, 3);
    sm.moveTo(TRADING, 'a', T + 1); // 3 transitions: booting→calibrating→ready→trading
    sm.moveTo(REDUCING, 'b', T + 2);
    sm.moveTo(TRADING, 'c', T + 3);
    expect(sm.transitionCount).toBe(5);
    const h = sm.history();
    expect(h.map((t) => [TRADING_STATE_NAMES[t.from], TRADING_STATE_NAMES[t.to], t.reason, t.atMs])).toEqual([
      ['ready', 'trading', 'a', T + 1],
      ['trading', 'reducing', 'b', T + 2],
      ['reducing', 'trading', 'c', T + 3],
    ]);
    expect(sm.history(2).map((t) => t.reason)).toEqual(['b', 'c']);
    expect(sm.history(0)).toEqual([]);
    expect(sm.history(50)).toHaveLength(3);
    expect(Object.isFrozen(h[0])).toBe(true);
    expect(() => sm.history(-1)).toThrow(RangeError);
  });

  it('the default history is bounded at 100', () => {
    const sm = machineIn(TRADING);
    for (let i = 0; i < 150; i++) sm.moveTo(i % 2 === 0 ? REDUCING : TRADING, `r${i}`, T + i);
    expect(sm.transitionCount).toBe(153);
    const h = sm.history();
    expect(h).toHaveLength(100);
    expect(h[99].reason).toBe('r149');
    expect(h[0].reason).toBe('r50');
  });
});

describe('decideAccountState', () => {
  const healthy: AccountConditions = {
    killSwitch: false, executionDown: false, calibrating: false, verdict: 'trade',
    cashShort: false, groupsTriggered: 0, streamBlind: false, driftUnresolved: false,
  };
  /** Everything wrong at once. */
  const worst: AccountConditions = {
    killSwitch: true, executionDown: true, calibrating: true, verdict: 'refuse',
    cashShort: true, groupsTriggered: 2, streamBlind: true, driftUnresolved: true,
  };

  it('healthy → TRADING', () => {
    expect(decideAccountState(healthy)).toEqual({ state: TRADING, reason: 'healthy' });
  });

  it('each condition alone', () => {
    const cases: [Partial<AccountConditions>, TradingState, string][] = [
      [{ killSwitch: true }, HALTED, 'kill_switch'],
      [{ executionDown: true }, HALTED, 'execution_down'],
      [{ calibrating: true }, CALIBRATING, 'calibrating'],
      [{ verdict: 'refuse' }, HALTED, 'calibration_refused'],
      [{ cashShort: true }, RECOVERING, 'cash_below_reserve'],
      [{ verdict: 'recover' }, RECOVERING, 'calibration_recover'],
      [{ groupsTriggered: 1 }, REDUCING, 'order_group_triggered'],
      [{ streamBlind: true }, REDUCING, 'private_stream_gap'],
      [{ driftUnresolved: true }, REDUCING, 'drift'],
    ];
    for (const [c, state, reason] of cases) expect(decideAccountState({ ...healthy, ...c })).toEqual({ state, reason });
  });

  it('precedence: clearing conditions one by one from the worst case walks down the list', () => {
    const c = { ...worst };
    const seen: string[] = [];
    const clear: (() => void)[] = [
      () => (c.killSwitch = false),
      () => (c.executionDown = false),
      () => (c.calibrating = false),
      () => (c.verdict = 'recover'),
      () => (c.cashShort = false),
      () => (c.verdict = 'trade'),
      () => (c.groupsTriggered = 0),
      () => (c.streamBlind = false),
      () => (c.driftUnresolved = false),
    ];
    seen.push(decideAccountState(c).reason);
    for (const f of clear) {
      f();
      seen.push(decideAccountState(c).reason);
    }
    expect(seen).toEqual([
      'kill_switch', 'execution_down', 'calibrating', 'calibration_refused', 'cash_below_reserve',
      'calibration_recover', 'order_group_triggered', 'private_stream_gap', 'drift', 'healthy',
    ]);
  });

  it('fails loudly on a malformed count or verdict rather than reading it as healthy', () => {
    expect(() => decideAccountState({ ...healthy, groupsTriggered: Number.NaN })).toThrow(RangeError);
    expect(() => decideAccountState({ ...healthy, groupsTriggered: -1 })).toThrow(RangeError);
    expect(() => decideAccountState({ ...healthy, verdict: 'ok' as never })).toThrow(RangeError);
  });

  it('feeds the machine: a triggered group while trading, then a cash shortfall, then healthy again', () => {
    const sm = machineIn(TRADING);
    const go = (c: Partial<AccountConditions>, at: number) => {
      const d = decideAccountState({ ...healthy, ...c });
      return steps(sm.moveTo(d.state, d.reason, at));
    };
    expect(go({ groupsTriggered: 1 }, T + 1)).toEqual([['trading', 'reducing']]);
    expect(go({ groupsTriggered: 1, cashShort: true }, T + 2)).toEqual([['reducing', 'recovering']]);
    expect(go({}, T + 3)).toEqual([['recovering', 'trading']]);
    expect(sm.reason).toBe('healthy');
  });
});
