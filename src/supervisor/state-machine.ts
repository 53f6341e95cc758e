/**
 * The account's trading state (docs/architecture.md §6, issue 8): which states exist, which moves
 * between them are legal, and which state the account's conditions call for. Pure: no I/O, no
 * timers; time comes in as ms since the epoch.
 *
 *   BOOTING → CALIBRATING → READY → TRADING ⇄ REDUCING → RECOVERING → TRADING, and HALTED.
 *
 * Legal edges (EDGES below):
 *   BOOTING     → CALIBRATING
 *   CALIBRATING → READY | HALTED
 *   READY       → TRADING | REDUCING | RECOVERING | HALTED
 *   TRADING     → REDUCING | HALTED
 *   REDUCING    → TRADING | RECOVERING | HALTED
 *   RECOVERING  → TRADING | REDUCING | HALTED
 *   HALTED      → CALIBRATING (the only way out of HALTED is to recalibrate)
 * and every state but CALIBRATING itself → CALIBRATING (recalibration, e.g. after the execution
 * thread was restarted). Nothing leads back to BOOTING.
 *
 * `SupervisorStateMachine.moveTo` takes the direct edge when it is legal and otherwise the
 * shortest legal path (ties broken by the order of EDGES), every step carrying the same reason:
 * TRADING → RECOVERING is TRADING → REDUCING → RECOVERING; HALTED → TRADING is
 * HALTED → CALIBRATING → READY → TRADING. Asking for the current state is a no-op (no
 * transition; the state keeps the reason and time it was entered with).
 *
 * `decideAccountState` maps the account's conditions to the state they call for; the supervisor
 * then `moveTo`s it. It never answers BOOTING or READY: READY is only a stop on the way out of
 * CALIBRATING.
 */
import { TradingState } from '../shared/position-records.js';

export { TradingState };

/** Lower-case names for logs, the journal and the dashboard, indexed by TradingState. */
export const TRADING_STATE_NAMES: readonly string[] = Object.freeze([
  'booting', 'calibrating', 'ready', 'trading', 'reducing', 'recovering', 'halted',
]);

const STATE_COUNT = TRADING_STATE_NAMES.length;

const { BOOTING, CALIBRATING, READY, TRADING, REDUCING, RECOVERING, HALTED } = TradingState;

/** Legal next states, indexed by TradingState; the order breaks ties between equally short paths. */
const EDGES: readonly (readonly TradingState[])[] = [
  /* BOOTING     */ [CALIBRATING],
  /* CALIBRATING */ [READY, HALTED],
  /* READY       */ [TRADING, REDUCING, RECOVERING, HALTED, CALIBRATING],
  /* TRADING     */ [REDUCING, HALTED, CALIBRATING],
  /* REDUCING    */ [TRADING, RECOVERING, HALTED, CALIBRATING],
  /* RECOVERING  */ [TRADING, REDUCING, HALTED, CALIBRATING],
  /* HALTED      */ [CALIBRATING],
];

/** ROUTES[from][to]: the states entered on the shortest legal path (excluding `from`); null when none. */
const ROUTES: readonly (readonly (readonly TradingState[] | null)[])[] = EDGES.map((_, from) => shortestPaths(from as TradingState));

/** Breadth-first search from `from`, neighbours in EDGES order: deterministic shortest paths. */
function shortestPaths(from: TradingState): (readonly TradingState[] | null)[] {
  const paths: (TradingState[] | null)[] = new Array<TradingState[] | null>(STATE_COUNT).fill(null);
  paths[from] = [];
  const queue: TradingState[] = [from];
  for (let i = 0; i < queue.length; i++) {
    const s = queue[i];
    for (const next of EDGES[s]) {
      if (paths[next] !== null) continue;
      paths[next] = [...(paths[s] as TradingState[]), next];
      queue.push(next);
    }
  }
  return paths.map((p) => (p === null ? null : Object.freeze(p)));
}

/** 'trading' for TradingState.TRADING; RangeError for anything that is not a TradingState. */
export function tradingStateName(state: TradingState): string {
  assertState(state, 'state');
  return TRADING_STATE_NAMES[state];
}

/** True when `from → to` is a single legal edge. */
export function isLegalTransition(from: TradingState, to: TradingState): boolean {
  assertState(from, 'from');
  assertState(to, 'to');
  return EDGES[from].includes(to);
}

/** One step of the state machine; a reason always comes with it. */
export interface Transition {
  readonly from: TradingState;
  readonly to: TradingState;
  readonly reason: string;
  /** ms since the epoch. */
  readonly atMs: number;
}

/** Transitions kept for `history` by default. */
export const DEFAULT_HISTORY_CAPACITY = 100;

/** The reason of the initial BOOTING state. */
export const INITIAL_REASON = 'start';

export class SupervisorStateMachine {
  private current: TradingState = BOOTING;
  private currentReason = INITIAL_REASON;
  private enteredAtMs: number;
  /** Ring of the last `capacity` transitions; `count` of them written in total. */
  private readonly ring: (Transition | undefined)[];
  private count = 0;

  constructor(nowMs: number, readonly historyCapacity: number = DEFAULT_HISTORY_CAPACITY) {
    assertTime(nowMs);
    if (!Number.isSafeInteger(historyCapacity) || historyCapacity < 1) {
      throw new RangeError(`historyCapacity must be a positive integer, got ${historyCapacity}`);
    }
    this.enteredAtMs = nowMs;
    this.ring = new Array<Transition | undefined>(historyCapacity);
  }

  get state(): TradingState {
    return this.current;
  }

  /** Why the current state was entered. */
  get reason(): string {
    return this.currentReason;
  }

  /** When the current state was entered, ms since the epoch. */
  get sinceMs(): number {
    return this.enteredAtMs;
  }

  /**
   * Moves to `target` along the direct edge or, when that is illegal, the shortest legal path;
   * returns the transitions taken, in order (empty when already in `target`). Throws a RangeError
   * for a bad target, an empty reason or a non-finite time, and an Error when no legal path leads
   * to `target` (only BOOTING is unreachable); the state is unchanged when it throws.
   */
  moveTo(target: TradingState, reason: string, nowMs: number): Transition[] {
    assertState(target, 'target');
    if (typeof reason !== 'string' || reason.length === 0) throw new RangeError('a transition needs a non-empty reason');
    assertTime(nowMs);
    const from = this.current;
    if (target === from) return [];
    const route = ROUTES[from][target];
    if (route === null) {
      throw new Error(`no legal path from ${TRADING_STATE_NAMES[from]} to ${TRADING_STATE_NAMES[target]} (reason: ${reason})`);
    }
    const taken: Transition[] = [];
    let prev = from;
    for (const to of route) {
      const t: Transition = Object.freeze({ from: prev, to, reason, atMs: nowMs });
      taken.push(t);
      this.ring[this.count % this.historyCapacity] = t;
      this.count++;
      prev = to;
    }
    this.current = target;
    this.currentReason = reason;
    this.enteredAtMs = nowMs;
    return taken;
  }

  /** The last `limit` transitions (at most `historyCapacity`), oldest first. */
  history(limit: number = this.historyCapacity): Transition[] {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    const n = Math.min(limit, this.count, this.historyCapacity);
    const out: Transition[] = [];
    for (let i = this.count - n; i < this.count; i++) out.push(this.ring[i % this.historyCapacity] as Transition);
    return out;
  }

  /** Transitions taken since construction, including those the history has dropped. */
  get transitionCount(): number {
    return this.count;
  }
}

// ---------------------------------------------------------------------------------------------
// What the conditions call for

/** The calibration's readiness verdict (issue 8, start-up calibration step 5). */
export type CalibrationVerdict = 'trade' | 'recover' | 'refuse';

/** The account's conditions, as the supervisor sees them on one pass. */
export interface AccountConditions {
  /** The kill switch is set (it survives restarts until cleared). */
  killSwitch: boolean;
  /** The execution thread is dead or not answering its heartbeat. */
  executionDown: boolean;
  /** A calibration is running. */
  calibrating: boolean;
  /** The last calibration's verdict. */
  verdict: CalibrationVerdict;
  /**
   * Available cash is below the reserve and there are positions that can be closed to free it.
   * (Below the reserve with nothing closable is not a recovery: openings are refused by the
   * execution thread's cash limits anyway.)
   */
  cashShort: boolean;
  /** Order groups currently triggered (a non-negative integer). */
  groupsTriggered: number;
  /** A private stream had a gap and has not been resynced yet (the reconnect gate). */
  streamBlind: boolean;
  /** Drift beyond tolerance between computed and exchange state that no resync has cleared. */
  driftUnresolved: boolean;
}

export type AccountReason =
  | 'kill_switch'
  | 'execution_down'
  | 'calibrating'
  | 'calibration_refused'
  | 'cash_below_reserve'
  | 'calibration_recover'
  | 'order_group_triggered'
  | 'private_stream_gap'
  | 'drift'
  | 'healthy';

export interface AccountDecision {
  state: TradingState;
  reason: AccountReason;
}

/**
 * The state the conditions call for, first match wins:
 *   killSwitch → HALTED; executionDown → HALTED; calibrating → CALIBRATING;
 *   verdict 'refuse' → HALTED; cashShort → RECOVERING; verdict 'recover' → RECOVERING;
 *   groupsTriggered > 0 → REDUCING; streamBlind → REDUCING; driftUnresolved → REDUCING;
 *   else TRADING 'healthy'.
 */
export function decideAccountState(c: AccountConditions): AccountDecision {
  if (!Number.isSafeInteger(c.groupsTriggered) || c.groupsTriggered < 0) {
    throw new RangeError(`groupsTriggered must be a non-negative integer, got ${c.groupsTriggered}`);
  }
  if (c.verdict !== 'trade' && c.verdict !== 'recover' && c.verdict !== 'refuse') {
    throw new RangeError(`verdict must be 'trade', 'recover' or 'refuse', got ${String(c.verdict)}`);
  }
  if (c.killSwitch) return { state: HALTED, reason: 'kill_switch' };
  if (c.executionDown) return { state: HALTED, reason: 'execution_down' };
  if (c.calibrating) return { state: CALIBRATING, reason: 'calibrating' };
  if (c.verdict === 'refuse') return { state: HALTED, reason: 'calibration_refused' };
  if (c.cashShort) return { state: RECOVERING, reason: 'cash_below_reserve' };
  if (c.verdict === 'recover') return { state: RECOVERING, reason: 'calibration_recover' };
  if (c.groupsTriggered > 0) return { state: REDUCING, reason: 'order_group_triggered' };
  if (c.streamBlind) return { state: REDUCING, reason: 'private_stream_gap' };
  if (c.driftUnresolved) return { state: REDUCING, reason: 'drift' };
  return { state: TRADING, reason: 'healthy' };
}

// ---------------------------------------------------------------------------------------------

function assertState(s: number, what: string): void {
  if (!Number.isInteger(s) || s < 0 || s >= STATE_COUNT) throw new RangeError(`${what} must be a TradingState (0..6), got ${String(s)}`);
}

function assertTime(ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new RangeError(`time must be a finite number of ms, got ${String(ms)}`);
}
