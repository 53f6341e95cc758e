/**
 * Rule-based policies: baselines beside any model (lessons.md #7), and deterministic policies
 * for tests. Each decides from the observation row alone (features.ts), like a model would.
 *
 * - `hold`: always HOLD.
 * - `hardcoded`: the seed's test selector — a fixed cycle of actions, one step per decided row.
 * - `spread-capture`: a small market-making rule, written for the host's default `passive`
 *   price mode (buy = join the bid, sell = join the ask): enter on the side the book's pressure
 *   favours only when the spread is wide enough to be worth capturing; exit on take-profit,
 *   stop-loss, max hold, a reversal of pressure, or an approaching close. Never opens on a tight
 *   spread, a stale book, with a working order in the market, while openings are not allowed
 *   or cash is below the reserve, or soon after its last order.
 *
 * `policyByName` is the registry the CLI's `--policy` uses for the rule names.
 */
import {
  FEATURE_COUNT, FEATURE_SPEC_HASH, F_BELOW_RESERVE, F_BOOK_STALE, F_CLOSING_SOON, F_HAS_YES_ASK, F_HAS_YES_BID,
  F_IMBALANCE_DEPTH, F_IMBALANCE_TOP, F_LAST_ORDER_AGE, F_MID, F_MOMENTUM_SHORT, F_OPENING_ALLOWED,
  F_POSITION_SIDE, F_SPREAD, F_TICK_SIZE, F_TIME_IN_POSITION, F_UNREALIZED_RETURN, F_WORKING_CLOSING, F_WORKING_SIDE,
  FEATURE_PARAMS,
} from '../observation/features.js';
import { Action } from './actions.js';
import { checkBatch, type Policy } from './policy.js';

/** Always HOLD. */
export class HoldPolicy implements Policy {
  readonly name = 'hold';
  readonly featureSpecHash = FEATURE_SPEC_HASH;
  decide(observations: Float32Array, count: number, actions: Uint8Array): void {
    checkBatch(observations, count, actions);
    actions.fill(Action.HOLD, 0, count);
  }
}

/** The default cycle of HardcodedPolicy: every trading action, each followed by a HOLD. */
export const HARDCODED_CYCLE: readonly Action[] = Object.freeze([
  Action.HOLD, Action.BUY_YES, Action.HOLD, Action.SELL_YES, Action.HOLD, Action.BUY_NO, Action.HOLD, Action.SELL_NO,
]);

/**
 * A deterministic cycle of actions, ignoring the observation: row k decided since construction
 * (or `reset`) gets cycle[k mod length], across calls and markets — so a batch of n rows
 * advances it by n, exactly as n calls of one row would.
 */
export class HardcodedPolicy implements Policy {
  readonly name = 'hardcoded';
  readonly featureSpecHash = FEATURE_SPEC_HASH;
  readonly cycle: readonly Action[];
  private step = 0;

  constructor(cycle: readonly Action[] = HARDCODED_CYCLE) {
    if (cycle.length === 0) throw new RangeError('hardcoded policy: the cycle needs at least one action');
    for (const a of cycle) {
      if (!(a >>> 0 === a && a <= Action.SELL_NO)) throw new RangeError(`hardcoded policy: ${String(a)} is not an action`);
    }
    this.cycle = Object.freeze([...cycle]);
  }

  decide(observations: Float32Array, count: number, actions: Uint8Array): void {
    checkBatch(observations, count, actions);
    const n = this.cycle.length;
    for (let i = 0; i < count; i++) {
      actions[i] = this.cycle[this.step];
      this.step = this.step + 1 === n ? 0 : this.step + 1;
    }
  }

  reset(): void {
    this.step = 0;
  }
}

export interface SpreadCaptureOptions {
  /** Open only when the spread is at least this many grid ticks (default 3)… */
  minSpreadTicks: number;
  /** …and at least this many dollars (default 0.02). */
  minSpread: number;
  /** Book pressure (mean of top and depth imbalance) needed to pick a side (default 0.25). */
  minPressure: number;
  /** Skip an entry when the short momentum ($) runs against it by this much (default 0.02). */
  maxAdverseMomentum: number;
  /** Only open while the mid is inside [band, 1 − band] (default 0.05). */
  priceBand: number;
  /** Seconds since the market's last order before a new opening (default 2). */
  cooldownS: number;
  /** Close when the net-of-fee executable return reaches this (default 0.04)… */
  takeProfit: number;
  /** …or falls to minus this (default 0.12)… */
  stopLoss: number;
  /** …or the pressure against the position reaches this (default 0.6). */
  reversalPressure: number;
}

export const SPREAD_CAPTURE_DEFAULTS: Readonly<SpreadCaptureOptions> = Object.freeze({
  minSpreadTicks: 3,
  minSpread: 0.02,
  minPressure: 0.25,
  maxAdverseMomentum: 0.02,
  priceBand: 0.05,
  cooldownS: 2,
  takeProfit: 0.04,
  stopLoss: 0.12,
  reversalPressure: 0.6,
});

/**
 * Buy the side the book leans towards when the spread is wide; close on profit, loss, time,
 * reversal or the market's close. Stateless: every decision reads only its own row.
 */
export class SpreadCapturePolicy implements Policy {
  readonly name = 'spread-capture';
  readonly featureSpecHash = FEATURE_SPEC_HASH;
  readonly options: Readonly<SpreadCaptureOptions>;
  /** last_order_age feature value at the cooldown (log scale of features.ts). */
  private readonly cooldownFeature: number;

  constructor(options: Partial<SpreadCaptureOptions> = {}) {
    const o = { ...SPREAD_CAPTURE_DEFAULTS, ...options };
    for (const [k, v] of Object.entries(o)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`spread-capture: ${k} must be a finite number ≥ 0, got ${String(v)}`);
    }
    this.options = Object.freeze(o);
    this.cooldownFeature = Math.log10(1 + o.cooldownS) / FEATURE_PARAMS.orderAgeDecades;
  }

  decide(observations: Float32Array, count: number, actions: Uint8Array): void {
    checkBatch(observations, count, actions);
    for (let i = 0; i < count; i++) actions[i] = this.decideRow(observations, i * FEATURE_COUNT);
  }

  /** The action for the row at `row` (an offset into `obs`). */
  decideRow(obs: Float32Array, row: number): Action {
    const o = this.options;
    if (obs[row + F_BOOK_STALE] >= 0.5) return Action.HOLD;
    const hasBid = obs[row + F_HAS_YES_BID] >= 0.5;
    const hasAsk = obs[row + F_HAS_YES_ASK] >= 0.5;
    const pressure = 0.5 * (obs[row + F_IMBALANCE_TOP] + obs[row + F_IMBALANCE_DEPTH]);
    const side = obs[row + F_POSITION_SIDE];

    if (side !== 0) {
      // Closing: sell the held outcome, if it has a bid to sell into and no close is working.
      const exitable = side > 0 ? hasBid : hasAsk; // a NO position exits into the NO bid = YES ask side
      if (!exitable || obs[row + F_WORKING_CLOSING] >= 0.5) return Action.HOLD;
      const ret = obs[row + F_UNREALIZED_RETURN];
      const against = side > 0 ? -pressure : pressure;
      if (
        ret >= o.takeProfit ||
        ret <= -o.stopLoss ||
        obs[row + F_TIME_IN_POSITION] >= 1 ||
        obs[row + F_CLOSING_SOON] >= 0.5 ||
        against >= o.reversalPressure
      ) {
        return side > 0 ? Action.SELL_YES : Action.SELL_NO;
      }
      return Action.HOLD;
    }

    // Opening: every precondition, then a side.
    if (!hasBid || !hasAsk) return Action.HOLD;
    if (obs[row + F_OPENING_ALLOWED] < 0.5 || obs[row + F_BELOW_RESERVE] >= 0.5 || obs[row + F_CLOSING_SOON] >= 0.5) return Action.HOLD;
    if (obs[row + F_WORKING_SIDE] !== 0 || obs[row + F_LAST_ORDER_AGE] < this.cooldownFeature) return Action.HOLD;
    const spread = obs[row + F_SPREAD] / FEATURE_PARAMS.priceGain; // $
    const tick = obs[row + F_TICK_SIZE] / FEATURE_PARAMS.tickGain; // $
    // Float32 features: compare with half a $0.0001 unit of slack so 3 ticks of 1¢ count as 3.
    if (spread + 0.00005 < o.minSpread || spread + 0.00005 < o.minSpreadTicks * tick) return Action.HOLD;
    const mid = obs[row + F_MID];
    if (mid < o.priceBand || mid > 1 - o.priceBand) return Action.HOLD;
    const momentum = obs[row + F_MOMENTUM_SHORT] / FEATURE_PARAMS.priceGain; // $
    if (pressure >= o.minPressure && momentum > -o.maxAdverseMomentum) return Action.BUY_YES;
    if (pressure <= -o.minPressure && momentum < o.maxAdverseMomentum) return Action.BUY_NO;
    return Action.HOLD;
  }
}

export type RulePolicyName = 'hold' | 'hardcoded' | 'spread-capture';

/** The rule names `policyByName` accepts (`hold-only` is an alias of `hold`). */
export const RULE_POLICY_NAMES: readonly RulePolicyName[] = Object.freeze(['hold', 'hardcoded', 'spread-capture']);

const ALIASES: Readonly<Record<string, RulePolicyName>> = Object.freeze({ 'hold-only': 'hold' });

/** A new rule policy by name; throws a RangeError listing the valid names. */
export function policyByName(name: string): Policy {
  const canonical = (RULE_POLICY_NAMES as readonly string[]).includes(name) ? (name as RulePolicyName) : ALIASES[name];
  switch (canonical) {
    case 'hold':
      return new HoldPolicy();
    case 'hardcoded':
      return new HardcodedPolicy();
    case 'spread-capture':
      return new SpreadCapturePolicy();
    default:
      throw new RangeError(
        `unknown rule policy ${JSON.stringify(name)}; valid: ${RULE_POLICY_NAMES.join(', ')} (alias: hold-only); ` +
          'models load through onnx:FILE or mlp:FILE',
      );
  }
}
