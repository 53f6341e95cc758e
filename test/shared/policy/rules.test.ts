import { describe, expect, it } from 'vitest';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import { WorkingSide, type MarketPosition } from '../../../src/shared/position-records.js';
import { buildObservation } from '../../../src/shared/observation/build.js';
import { FEATURE_COUNT, FEATURE_INDEX as I, FEATURE_SPEC_HASH } from '../../../src/shared/observation/features.js';
import { MarketHistory } from '../../../src/shared/observation/market-history.js';
import { Action, isOpening, positionDirection } from '../../../src/shared/policy/actions.js';
import { applyCashReserveGate } from '../../../src/shared/policy/gates.js';
import type { Policy } from '../../../src/shared/policy/policy.js';
import {
  HARDCODED_CYCLE, HardcodedPolicy, HoldPolicy, RULE_POLICY_NAMES, SpreadCapturePolicy, policyByName,
} from '../../../src/shared/policy/rules.js';
import { plainInput, rng, simpleInput, tradingAccount, tradingPosition, type BookState } from '../observation/support.js';

const NOW_MS = 1_767_225_600_000;

/** A wide (4¢), fresh, two-sided book with given top sizes: YES 0.48 / ask 0.52. */
function wideBook(bidSize: number, askSize: number, spreadCents = 4): BookState {
  const bid = 5000 - (spreadCents / 2) * 100;
  const ask = bid + spreadCents * 100;
  return {
    yes: [[bid, bidSize], [bid - 100, bidSize]],
    no: [[10_000 - ask, askSize], [10_000 - ask - 100, askSize]],
    stale: false, updates: 1, exchangeTsMs: NOW_MS - 100, receiveNs: 100e9 - 1e8,
  };
}

/** One observation row built from a book and position overrides (then features overridden by name). */
function row(book: BookState, position: Partial<MarketPosition> = {}, features: Record<string, number> = {}): Float32Array {
  const out = new Float32Array(FEATURE_COUNT);
  buildObservation(simpleInput(book, { position, nowMs: NOW_MS, nowNs: 100e9 }), out, 0);
  for (const [name, v] of Object.entries(features)) {
    if (I[name] === undefined) throw new Error(`no feature ${name}`);
    out[I[name]] = v;
  }
  return out;
}

function decide(policy: Policy, obs: Float32Array): number {
  const actions = new Uint8Array(1);
  void policy.decide(obs, 1, actions);
  return actions[0];
}

describe('hold', () => {
  it('holds on every row', () => {
    const p = new HoldPolicy();
    const obs = new Float32Array(3 * FEATURE_COUNT).fill(0.5);
    const actions = new Uint8Array(3).fill(9);
    p.decide(obs, 3, actions);
    expect(Array.from(actions)).toEqual([0, 0, 0]);
    expect(p.featureSpecHash).toBe(FEATURE_SPEC_HASH);
  });
});

describe('hardcoded', () => {
  it('cycles deterministically, one step per row, across calls and batch sizes', () => {
    const one = new HardcodedPolicy();
    const seq1 = Array.from({ length: 20 }, () => decide(one, new Float32Array(FEATURE_COUNT)));
    expect(seq1).toEqual(Array.from({ length: 20 }, (_, k) => HARDCODED_CYCLE[k % HARDCODED_CYCLE.length]));
    const batched = new HardcodedPolicy();
    const a = new Uint8Array(7);
    const b = new Uint8Array(13);
    batched.decide(new Float32Array(7 * FEATURE_COUNT), 7, a);
    batched.decide(new Float32Array(13 * FEATURE_COUNT), 13, b);
    expect([...a, ...b]).toEqual(seq1);
    batched.reset();
    expect(decide(batched, new Float32Array(FEATURE_COUNT))).toBe(HARDCODED_CYCLE[0]);
  });

  it('takes a custom cycle and rejects a bad one', () => {
    const p = new HardcodedPolicy([Action.BUY_NO, Action.SELL_NO]);
    expect([0, 1, 2].map(() => decide(p, new Float32Array(FEATURE_COUNT)))).toEqual([3, 4, 3]);
    expect(() => new HardcodedPolicy([])).toThrow(RangeError);
    expect(() => new HardcodedPolicy([7 as Action])).toThrow(RangeError);
  });

  it('checks the batch shape', () => {
    expect(() => new HardcodedPolicy().decide(new Float32Array(51), 1, new Uint8Array(1))).toThrow(RangeError);
    expect(() => new HardcodedPolicy().decide(new Float32Array(104), 2, new Uint8Array(1))).toThrow(RangeError);
  });
});

describe('spread-capture: openings', () => {
  const p = new SpreadCapturePolicy();

  it('buys the side the book leans towards when the spread is wide', () => {
    expect(decide(p, row(wideBook(9000, 1000)))).toBe(Action.BUY_YES); // bids outweigh asks
    expect(decide(p, row(wideBook(1000, 9000)))).toBe(Action.BUY_NO);
    expect(decide(p, row(wideBook(1000, 1100)))).toBe(Action.HOLD); // no lean
  });

  it('never opens on a tight spread (1 or 2 ticks), whatever else the row says', () => {
    expect(decide(p, row(wideBook(9000, 1000, 1)))).toBe(Action.HOLD);
    expect(decide(p, row(wideBook(9000, 1000, 2)))).toBe(Action.HOLD);
    expect(decide(p, row(wideBook(9000, 1000, 3)))).toBe(Action.BUY_YES);
    const r = rng(5);
    const obs = new Float32Array(FEATURE_COUNT);
    for (let k = 0; k < 20_000; k++) {
      for (let i = 0; i < FEATURE_COUNT; i++) obs[i] = r() * 2 - 1;
      obs[I.position_side] = 0;
      obs[I.tick_size] = r() < 0.5 ? 1 : 0.1; // 1¢ or 0.1¢ grids
      const tick = obs[I.tick_size] / 100;
      obs[I.spread] = Math.min(0.02, (1 + Math.floor(r() * 2)) * tick) * 10 * (r() < 0.999 ? 0.999 : 1); // < 3 ticks or < 2¢
      for (const f of ['has_yes_bid', 'has_yes_ask', 'opening_allowed', 'last_order_age']) obs[I[f]] = 1;
      for (const f of ['book_stale', 'below_reserve', 'closing_soon', 'working_side']) obs[I[f]] = 0;
      expect(isOpening(decide(p, obs), 0)).toBe(false);
    }
  });

  it('does not open on a stale or one-sided book, near the close, below the reserve, when openings are off', () => {
    const ok = wideBook(9000, 1000);
    expect(decide(p, row({ ...ok, stale: true }))).toBe(Action.HOLD);
    expect(decide(p, row({ ...ok, no: [] }))).toBe(Action.HOLD);
    expect(decide(p, row(ok, {}, { closing_soon: 1 }))).toBe(Action.HOLD);
    expect(decide(p, row(ok, {}, { below_reserve: 1 }))).toBe(Action.HOLD);
    expect(decide(p, row(ok, {}, { opening_allowed: 0 }))).toBe(Action.HOLD);
    expect(decide(p, row(ok, {}, { mid: 0.02 }))).toBe(Action.HOLD); // outside the price band
  });

  it('does not stack: no opening with a working order, or within the cooldown after the last order', () => {
    const ok = wideBook(9000, 1000);
    expect(decide(p, row(ok, { workingSide: WorkingSide.BID, workingPrice: 4800, workingRemaining: 500 }))).toBe(Action.HOLD);
    expect(decide(p, row(ok, { lastOrderAtMs: NOW_MS - 500 }))).toBe(Action.HOLD);
    expect(decide(p, row(ok, { lastOrderAtMs: NOW_MS - 5_000 }))).toBe(Action.BUY_YES);
  });

  it('does not buy into momentum running against the side', () => {
    expect(decide(p, row(wideBook(9000, 1000), {}, { momentum_short: -0.5 }))).toBe(Action.HOLD);
    expect(decide(p, row(wideBook(1000, 9000), {}, { momentum_short: 0.5 }))).toBe(Action.HOLD);
  });
});

describe('spread-capture: closings', () => {
  const p = new SpreadCapturePolicy();
  // Long 5 YES bought at 0.40; the book (YES bid 0.48) marks it up 20 %: take profit.
  const longYes = { position: 500, costBasis: 5 * 4000 * 100, positionOpenedAtMs: NOW_MS - 60_000 };
  // Long 5 NO bought at 0.40; NO bid = 1 − YES ask 0.52 = 0.48.
  const longNo = { position: -500, costBasis: 5 * 4000 * 100, positionOpenedAtMs: NOW_MS - 60_000 };
  const neutral = wideBook(1000, 1000);

  it('takes profit by selling the held outcome, on either side', () => {
    expect(decide(p, row(neutral, longYes))).toBe(Action.SELL_YES);
    expect(decide(p, row(neutral, longNo))).toBe(Action.SELL_NO);
  });

  it('holds a position between its barriers, and never adds to it', () => {
    const atCost = { ...longYes, costBasis: 5 * 4800 * 100 };
    expect(decide(p, row(wideBook(9000, 1000), atCost))).toBe(Action.HOLD);
    const noAtCost = { ...longNo, costBasis: 5 * 4800 * 100 };
    expect(decide(p, row(wideBook(1000, 9000), noAtCost))).toBe(Action.HOLD);
  });

  it('stops the loss, the hold time, the reversal and the close', () => {
    const atCost = { ...longYes, costBasis: 5 * 4800 * 100 };
    expect(decide(p, row(neutral, { ...longYes, costBasis: 5 * 6000 * 100 }))).toBe(Action.SELL_YES); // −20 %
    expect(decide(p, row(neutral, { ...atCost, positionOpenedAtMs: NOW_MS - 3_700_000 }))).toBe(Action.SELL_YES);
    expect(decide(p, row(wideBook(1000, 9000), atCost))).toBe(Action.SELL_YES); // pressure against YES
    expect(decide(p, row(neutral, atCost, { closing_soon: 1 }))).toBe(Action.SELL_YES);
  });

  it('holds when it cannot exit: stale book, no bid for the held outcome, a close already working', () => {
    expect(decide(p, row({ ...neutral, stale: true }, longYes))).toBe(Action.HOLD);
    expect(decide(p, row({ ...neutral, yes: [] }, longYes))).toBe(Action.HOLD); // no YES bid
    expect(decide(p, row({ ...neutral, no: [] }, longNo))).toBe(Action.HOLD); // no NO bid
    expect(decide(p, row(neutral, { ...longYes, workingSide: WorkingSide.ASK, workingPrice: 5200, workingRemaining: 500 }))).toBe(Action.HOLD);
  });

  it('closes even below the cash reserve, and the gate lets it through', () => {
    const obs = row(neutral, longNo, { below_reserve: 1 });
    const actions = new Uint8Array(1);
    p.decide(obs, 1, actions);
    expect(applyCashReserveGate(obs, 1, actions)).toBe(0);
    expect(actions[0]).toBe(Action.SELL_NO);
  });

  it('rejects bad options', () => {
    expect(() => new SpreadCapturePolicy({ takeProfit: -1 })).toThrow(/takeProfit/);
    expect(() => new SpreadCapturePolicy({ minSpread: Number.NaN })).toThrow(RangeError);
  });
});

describe('policyByName', () => {
  it('builds each rule by name, with hold-only as an alias of hold', () => {
    expect(RULE_POLICY_NAMES).toEqual(['hold', 'hardcoded', 'spread-capture']);
    for (const name of RULE_POLICY_NAMES) expect(policyByName(name).name).toBe(name);
    expect(policyByName('hold-only')).toBeInstanceOf(HoldPolicy);
    expect(policyByName('hardcoded')).not.toBe(policyByName('hardcoded')); // a fresh cycle each time
  });

  it('lists the valid names for an unknown one', () => {
    expect(() => policyByName('spread')).toThrow('unknown rule policy "spread"; valid: hold, hardcoded, spread-capture');
    expect(() => policyByName('constructor')).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// A small market with a hidden fair value: makers quote around a centre that follows the fair
// value with a lag, in regimes of tight and wide spreads; the top sizes lean towards the fair
// value (informed flow); the fair value drifts and sometimes jumps (news); our resting orders
// fill when a taker comes: rarely at random, often when the fair value says our price is a bad
// one (adverse selection), so quoting blindly loses. Orders follow the host's default
// `passive` price mode (buy at the bid, sell at the ask), one working order per market, five
// contracts per opening, closings capped at the position. P&L is marked to the fair value.

interface SimResult { pnl: number; openings: number; tightOpenings: number; fills: number; steps: number }

function simulate(policy: Policy, seed: number, steps: number): SimResult {
  const r = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const grid = PriceGrid.forStructure('linear_cent');
  const history = new MarketHistory(1);
  const obs = new Float32Array(FEATURE_COUNT);
  const actions = new Uint8Array(1);
  let fair = 5000;
  let centre = 5000;
  let spreadTicks = 4;
  let nowMs = NOW_MS;
  let nowNs = 100e9;
  const START = 1_000_000_000; // $1000 in µ$
  let cash = START;
  let q = 0; // hundredths, + YES / − NO
  let cost = 0; // µ$, of the held outcome
  let openedAt = 0;
  let lastOrderAt = 0;
  let working: { dir: 1 | -1; price: number; remaining: number } | undefined;
  const result: SimResult = { pnl: 0, openings: 0, tightOpenings: 0, fills: 0, steps };

  /** A fill of n hundredths in direction dir (+1 buys YES) at YES price p. */
  const fill = (dir: 1 | -1, p: number, n: number) => {
    const heldPrice = dir > 0 ? p : 10_000 - p; // the price of what this trade buys
    const reducing = Math.min(n, dir > 0 ? Math.max(-q, 0) : Math.max(q, 0));
    if (reducing > 0) {
      // Buying YES against NO (or NO against YES) redeems pairs for $1: cash += n × (1 − price of held).
      cash += reducing * (10_000 - heldPrice);
      cost -= Math.round((cost * reducing) / Math.abs(q));
      q += dir * reducing;
    }
    const opening = n - reducing;
    if (opening > 0) {
      if (q === 0) openedAt = nowMs;
      cash -= opening * heldPrice;
      cost += opening * heldPrice;
      q += dir * opening;
    }
    cash -= Math.ceil(0.0175 * (n / 100) * (p / 10_000) * (1 - p / 10_000) * 1e6); // maker fee, µ$
    if (q === 0) { cost = 0; openedAt = 0; }
    result.fills++;
  };

  for (let step = 0; step < steps; step++) {
    nowMs += 500;
    nowNs += 5e8;
    let move = normal() * 30;
    if (r() < 0.01) move += (r() < 0.5 ? -1 : 1) * (200 + r() * 600); // news: a jump of 2–8¢
    fair = Math.max(1500, Math.min(8500, Math.round(fair + move)));
    centre += 0.15 * (fair - centre);
    if (r() < 0.01) spreadTicks = [1, 1, 2, 3, 4, 6][Math.floor(r() * 6)];
    const bid = grid.snapDown(centre - (spreadTicks * 100) / 2);
    const ask = bid + spreadTicks * 100;
    const lean = (fair - centre) / 100; // cents the fair value sits above the quotes' centre
    const bidSize = Math.round(2000 * Math.exp(0.6 * lean) * (0.5 + r()));
    const askSize = Math.round(2000 * Math.exp(-0.6 * lean) * (0.5 + r()));

    // Fills of the resting order against this book.
    if (working) {
      const w = working;
      const informed = w.dir > 0 ? fair < w.price : fair > w.price;
      if (w.dir > 0 && w.price >= ask) fill(1, ask, w.remaining), (working = undefined);
      else if (w.dir < 0 && w.price <= bid) fill(-1, bid, w.remaining), (working = undefined);
      else if ((w.dir > 0 ? w.price >= bid : w.price <= ask) && r() < (informed ? 0.5 : 0.03)) {
        fill(w.dir, w.price, w.remaining);
        working = undefined;
      }
    }

    const book: BookState = {
      yes: [[bid, bidSize], [bid - 100, 3000]],
      no: [[10_000 - ask, askSize], [10_000 - ask - 100, 3000]],
      stale: false, updates: step + 1, exchangeTsMs: nowMs - 50, receiveNs: nowNs - 1e7,
    };
    history.push(0, nowMs, bid, bidSize, 10_000 - ask, askSize);
    const position = tradingPosition({
      position: q, costBasis: cost, positionOpenedAtMs: openedAt, lastOrderAtMs: lastOrderAt,
      workingSide: working ? (working.dir > 0 ? WorkingSide.BID : WorkingSide.ASK) : WorkingSide.NONE,
      workingPrice: working?.price ?? 0, workingRemaining: working?.remaining ?? 0,
    });
    const held = q > 0 ? (q * fair) : (-q * (10_000 - fair));
    const account = tradingAccount({ cash, portfolioValue: held, sessionStartCash: START, sessionStartPortfolioValue: 0 });
    buildObservation(plainInput({ state: book, history, market: 0, position, account, meta: { closeTimeMs: 0, grid }, nowMs, nowNs }), obs, 0);
    void policy.decide(obs, 1, actions);
    applyCashReserveGate(obs, 1, actions);
    const a = actions[0];
    if (a === Action.HOLD) continue;
    const dir = positionDirection(a) as 1 | -1;
    const opening = isOpening(a, q);
    if (opening) {
      result.openings++;
      if (spreadTicks < 3) result.tightOpenings++;
    }
    // Passive: a bid joins the YES bid, an ask joins the YES ask; one working order (replaced).
    const size = opening ? 500 : Math.abs(q);
    working = { dir, price: dir > 0 ? bid : ask, remaining: size };
    lastOrderAt = nowMs;
  }
  result.pnl = (cash + (q > 0 ? q * fair : -q * (10_000 - fair)) - START) / 1e6; // dollars
  return result;
}

describe('spread-capture against a market with a hidden fair value', () => {
  const seeds = [1, 2, 3, 4, 5, 6];
  const STEPS = 20_000;

  it('makes money on balance, never opens on a tight spread, and does not churn', () => {
    const runs = seeds.map((s) => simulate(new SpreadCapturePolicy(), s, STEPS));
    const total = runs.reduce((a, b) => a + b.pnl, 0);
    const hardcoded = seeds.map((s) => simulate(new HardcodedPolicy(), s, STEPS)).reduce((a, b) => a + b.pnl, 0);
    const hold = simulate(new HoldPolicy(), 1, STEPS);
    console.log(
      `spread-capture P&L per seed: ${runs.map((x) => x.pnl.toFixed(2)).join(', ')} (total $${total.toFixed(2)}, ` +
        `fills ${runs.map((x) => x.fills).join('/')}, openings ${runs.map((x) => x.openings).join('/')}); hardcoded total $${hardcoded.toFixed(2)}`,
    );
    expect(hold.pnl).toBe(0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(hardcoded);
    for (const x of runs) {
      expect(x.tightOpenings).toBe(0);
      expect(x.fills).toBeGreaterThan(10); // it does trade
      expect(x.openings).toBeLessThan(STEPS / 20); // and does not churn
    }
  });
});
