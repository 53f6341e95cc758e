/**
 * Replays the journal's baseline forward through every fill and settlement since, market by
 * market, and says what does not add up — pure, exact integers.
 *
 * Positions. For a market the baseline knows (baseline.ts: a market its session traded), the
 * expected position is the baseline's plus every fill since (journaled ones and the exchange's
 * that the journal lacks); a settlement since then closes it. What the exchange holds beyond that
 * is the residual: a position change no fill explains. For a settled market the comparison is
 * made at the settlement, against the position the exchange settled. A market the baseline does
 * not know has no expectation: its starting position is inferred backwards (the exchange's
 * position, or the settled one, less the fills since), its residual is 0 by construction, and
 * the reconcile step reports the position as unknown to the journal instead.
 *
 * Cash (µ$, the ledger's "cash before reservations": available balance + what resting orders
 * hold). From the baseline's cash, each fill moves cash by the accounting of ledger.ts / the
 * simulator (kalshi-api.md §6):
 *     held = NO held for a bid, YES held for an ask; reduce = min(n, held); open = n − reduce
 *     paid = p for a bid, 10000 − p for an ask
 *     cash += reduce·(10000 − paid) − open·paid − fee
 * and a settlement by its revenue less its fee; a synthesized fill (journal-reconcile.ts) moves the
 * position only — what the change it stands for cost is not known. The exchange's cash minus that is the cash
 * difference (a deposit, a withdrawal, fees the journal did not see); inside `tolerance` (the
 * maker fees the exchange may hold for resting orders) it is no difference. Not comparable
 * without a baseline cash.
 */
import { notional, PRICE_SCALE } from '../../shared/fixed-point.js';

export interface ReplayBaseline {
  atMs: number;
  positions: ReadonlyMap<string, number>;
  knownTickers: ReadonlySet<string>;
  cash: number | null;
}

/** One fill: `delta` signed hundredths (+ bought YES / sold NO, − the reverse). */
export interface ReplayFill {
  ticker: string;
  delta: number;
  yesPrice: number;
  fee: number;
  tsMs: number;
  /** A synthesized fill: it moves the position, but what it cost is unknown, so it moves no cash. */
  cashless?: boolean;
}

export interface ReplaySettlement {
  ticker: string;
  /** The position the exchange settled: yes count − no count, hundredths. */
  position: number;
  revenue: number;
  fee: number;
  settledMs: number;
}

export interface ReplayPosition {
  position: number;
  lastUpdatedMs: number;
}

export interface MarketReplay {
  ticker: string;
  /** The baseline knows this market's position. */
  known: boolean;
  baseline: number;
  /** Σ deltas of all fills since the baseline. */
  fillsDelta: number;
  settled: boolean;
  /** What the journal + fills add up to (at the settlement, for a settled market). */
  expected: number;
  /** What the exchange has (the settled position, for a settled market). */
  exchange: number;
  /** exchange − expected; 0 for markets the baseline does not know. */
  residual: number;
}

export interface CashReplay {
  comparable: boolean;
  expected: number | null;
  exchange: number;
  /** exchange − expected (null when not comparable). */
  difference: number | null;
  tolerance: number;
  /** |difference| > tolerance. */
  differs: boolean;
  why?: string;
}

export interface ReplayResult {
  markets: MarketReplay[];
  cash: CashReplay;
}

/** Cash moved by one fill on a position `q` (hundredths); returns it and the position after. */
export function fillCashEffect(q: number, delta: number, yesPrice: number, fee: number): { cash: number; position: number } {
  const bid = delta > 0;
  const n = Math.abs(delta);
  const held = bid ? Math.max(0, -q) : Math.max(0, q);
  const reduce = Math.min(n, held);
  const open = n - reduce;
  const paid = bid ? yesPrice : PRICE_SCALE - yesPrice;
  return { cash: notional(PRICE_SCALE - paid, reduce) - notional(paid, open) - fee, position: q + delta };
}

export interface ReplayInput {
  baseline: ReplayBaseline | undefined;
  /** All fills since the baseline (journaled and exchange-only), any order. */
  fills: readonly ReplayFill[];
  /** The exchange's settlements since the baseline. */
  settlements: readonly ReplaySettlement[];
  /** The exchange's positions (all markets it lists). */
  positions: ReadonlyMap<string, ReplayPosition>;
  /** The exchange's cash before reservations, µ$. */
  exchangeCash: number;
  tolerance: number;
}

export function replay(input: ReplayInput): ReplayResult {
  const { baseline } = input;
  const fillsBy = new Map<string, ReplayFill[]>();
  for (const f of input.fills) {
    let list = fillsBy.get(f.ticker);
    if (list === undefined) fillsBy.set(f.ticker, (list = []));
    list.push(f);
  }
  const settlementOf = new Map<string, ReplaySettlement>();
  for (const s of input.settlements) {
    const had = settlementOf.get(s.ticker);
    if (had === undefined || s.settledMs > had.settledMs) settlementOf.set(s.ticker, s);
  }
  const tickers = new Set<string>([...fillsBy.keys(), ...settlementOf.keys(), ...input.positions.keys(), ...(baseline?.positions.keys() ?? [])]);

  const markets: MarketReplay[] = [];
  let cashMoved = 0;
  for (const ticker of [...tickers].sort()) {
    const fills = (fillsBy.get(ticker) ?? []).slice().sort((a, b) => a.tsMs - b.tsMs);
    const s = settlementOf.get(ticker);
    const exchangeNow = input.positions.get(ticker)?.position ?? 0;
    const known = baseline !== undefined && (baseline.knownTickers.has(ticker) || baseline.positions.has(ticker));
    const before = s === undefined ? fills : fills.filter((f) => f.tsMs <= s.settledMs);
    const fillsDelta = fills.reduce((n, f) => n + f.delta, 0);
    const deltaBefore = before.reduce((n, f) => n + f.delta, 0);
    const q0 = known ? (baseline!.positions.get(ticker) ?? 0) : (s !== undefined ? s.position : exchangeNow) - deltaBefore;
    // Walk the fills (and the settlement, after the fills of its millisecond) for cash.
    let q = q0;
    let settledDone = false;
    let atSettlement = q0 + deltaBefore;
    for (const f of fills) {
      if (s !== undefined && !settledDone && f.tsMs > s.settledMs) {
        atSettlement = q;
        cashMoved += s.revenue - s.fee;
        q = 0;
        settledDone = true;
      }
      if (f.cashless === true) {
        q += f.delta;
        continue;
      }
      const e = fillCashEffect(q, f.delta, f.yesPrice, f.fee);
      cashMoved += e.cash;
      q = e.position;
    }
    if (s !== undefined && !settledDone) {
      atSettlement = q;
      cashMoved += s.revenue - s.fee;
      q = 0;
    }
    const expected = s !== undefined ? atSettlement : q;
    const exchange = s !== undefined ? s.position : exchangeNow;
    markets.push({ ticker, known, baseline: q0, fillsDelta, settled: s !== undefined, expected, exchange, residual: known ? exchange - expected : 0 });
  }

  const tolerance = input.tolerance;
  let cash: CashReplay;
  if (baseline === undefined || baseline.cash === null) {
    cash = { comparable: false, expected: null, exchange: input.exchangeCash, difference: null, tolerance, differs: false, why: baseline === undefined ? 'no baseline session in the journal' : 'the baseline session recorded no cash' };
  } else {
    const expected = baseline.cash + cashMoved;
    const difference = input.exchangeCash - expected;
    cash = { comparable: true, expected, exchange: input.exchangeCash, difference, tolerance, differs: Math.abs(difference) > tolerance };
  }
  return { markets, cash };
}
