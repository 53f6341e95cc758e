/**
 * The host's own books: positions and cash computed from fills, exactly as the exchange computes
 * them, so that computed and exchange values can be compared to the micro-dollar (drift).
 *
 * Arithmetic: the accounting model of kalshi-api.md §6 as the simulator implements it
 * (src/sim/engine/accounts.ts `applyFill` / `settleMarket`; mirrored here, not imported: src
 * never depends on the simulator). Per market a signed position q (hundredths, +YES / −NO,
 * netting on) with cost basis B (µ$ paid for the open contracts, in their own outcome's price).
 * A fill of n on wire side s at YES price p, with fee f:
 *   held    = NO held for a bid (max(0, −q)), YES held for an ask (max(0, q))
 *   reduce  = min(n, held), open = n − reduce, paid = p for a bid, 10000 − p for an ask
 *   reduce: released = B when reduce = held (closes), else ⌊B·reduce/held⌋;
 *           B −= released; realized += reduce·(10000 − paid) − released; cash += reduce·(10000 − paid)
 *           (the exit price of the held outcome; a bid against NO frees $1 per pair, net 10000 − p)
 *   open:   B += open·paid; cash −= open·paid
 *   q += n for a bid, −n for an ask; cash −= f; fees += f (realized P&L excludes fees)
 * Settlement: winning contracts pay $1 each; realized += revenue − B; B = 0; q = 0.
 * Cash flow: `invested` sums what openings paid, `recouped` what exits and settlements returned.
 *
 * `cash` is the account's cash before reservations: the exchange's available balance plus
 * what its resting orders hold (`drift` takes that reservation as an input).
 *
 * Idempotent: a fill is keyed by (trade_id, order_id) — the WebSocket `fill` and the REST fills
 * of a sync carry both — and a key seen before changes nothing. Single owner: the execution thread.
 */
import { mulDivFloor, notional, PRICE_SCALE } from '../../shared/fixed-point.js';

/** One execution of one of our orders. */
export interface LedgerFill {
  tradeId: string;
  orderId: string;
  market: number;
  /** V2 book side of our order: bid (bought YES / sold NO) or ask (sold YES / bought NO). */
  side: 'bid' | 'ask';
  /** Trade price on the YES book, $0.0001 units. */
  yesPrice: number;
  /** Hundredths of a contract, > 0. */
  count: number;
  /** µ$, ≥ 0. */
  fee: number;
  /** ms since the epoch (exchange time). */
  tsMs: number;
}

/** One market's exchange-reported position, for `adopt` and `drift`. */
export interface PositionSnapshot {
  market: number;
  position: number;
  costBasis: number;
  realizedPnl?: number;
  feesPaid?: number;
}

export interface LedgerSnapshot {
  /** The exchange's available cash, µ$. */
  cash: number;
  /** µ$ the exchange holds for our resting orders (available + reserved = the ledger's cash). Default 0. */
  reservedCash?: number;
  /** Every market where the exchange shows a position (markets absent here are expected flat). */
  positions: Iterable<PositionSnapshot>;
}

/** ledger − exchange, per field; zero everywhere means no drift. */
export interface MarketDrift {
  market: number;
  position: number;
  costBasis: number;
  /** 0 when the snapshot did not report the field. */
  realizedPnl: number;
  feesPaid: number;
}

export interface Drift {
  cash: number;
  /** Markets with any non-zero difference, ascending by market. */
  markets: MarketDrift[];
  /** True when `cash` is 0 and `markets` is empty. */
  ok: boolean;
}

export class Ledger {
  readonly capacity: number;
  /** Signed position, hundredths. */
  readonly position: Float64Array;
  /** Cost basis of the open position, µ$. */
  readonly costBasis: Float64Array;
  readonly realizedPnl: Float64Array;
  readonly feesPaid: Float64Array;
  /** µ$ traded (Σ paid price × count), as the exchange's total_traded. */
  readonly totalTraded: Float64Array;
  /** When the current position was opened (ms), 0 when flat. */
  readonly openedAtMs: Float64Array;
  /** µ$ before reservations (see header). */
  cash = 0;
  /** µ$ paid into positions this session. */
  invested = 0;
  /** µ$ received back from positions (exits and settlements) this session. */
  recouped = 0;
  sessionStartCash = 0;
  sessionStartPortfolioValue = 0;
  /** Σ cost basis over all markets, µ$. */
  totalCostBasis = 0;
  /** Markets with a non-zero position. */
  readonly openMarkets = new Set<number>();
  private readonly seen = new Set<string>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.position = new Float64Array(capacity);
    this.costBasis = new Float64Array(capacity);
    this.realizedPnl = new Float64Array(capacity);
    this.feesPaid = new Float64Array(capacity);
    this.totalTraded = new Float64Array(capacity);
    this.openedAtMs = new Float64Array(capacity);
  }

  /** Starts a session from the exchange's cash and portfolio value; the session counters restart. */
  startSession(cash: number, portfolioValue: number): void {
    assertMoney('cash', cash);
    assertMoney('portfolioValue', portfolioValue);
    this.cash = cash;
    this.sessionStartCash = cash;
    this.sessionStartPortfolioValue = portfolioValue;
    this.invested = 0;
    this.recouped = 0;
  }

  /** Adopts the exchange's cash (a resync after drift). */
  setCash(cash: number): void {
    assertMoney('cash', cash);
    this.cash = cash;
  }

  /** Adopts one market's position from the exchange (calibration, resync). */
  adopt(p: PositionSnapshot, tsMs = 0): void {
    const m = this.checkMarket(p.market);
    assertMoney('position', p.position);
    assertMoney('costBasis', p.costBasis);
    this.totalCostBasis += p.costBasis - this.costBasis[m];
    if (this.position[m] === 0 && p.position !== 0) this.openedAtMs[m] = tsMs;
    this.position[m] = p.position;
    this.costBasis[m] = p.costBasis;
    if (p.realizedPnl !== undefined) this.realizedPnl[m] = p.realizedPnl;
    if (p.feesPaid !== undefined) this.feesPaid[m] = p.feesPaid;
    this.track(m);
  }

  /** True when this (trade, order) fill was applied already. */
  hasFill(tradeId: string, orderId: string): boolean {
    return this.seen.has(fillKey(tradeId, orderId));
  }

  /** Marks a fill as applied without applying it (journal replay into an adopted state). */
  markSeen(tradeId: string, orderId: string): void {
    this.seen.add(fillKey(tradeId, orderId));
  }

  /** Applies a fill; false (and nothing changes) when it was applied before. */
  applyFill(f: LedgerFill): boolean {
    const m = this.checkMarket(f.market);
    const n = f.count;
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`fill count must be a positive integer (hundredths), got ${n}`);
    if (!Number.isSafeInteger(f.fee) || f.fee < 0) throw new RangeError(`fill fee must be a non-negative integer (µ$), got ${f.fee}`);
    if (f.side !== 'bid' && f.side !== 'ask') throw new RangeError(`fill side must be 'bid' or 'ask', got ${String(f.side)}`);
    const key = fillKey(f.tradeId, f.orderId);
    if (this.seen.has(key)) return false;
    const isBid = f.side === 'bid';
    const paid = isBid ? f.yesPrice : PRICE_SCALE - f.yesPrice; // notional() checks the price
    const q = this.position[m];
    const held = isBid ? (q < 0 ? -q : 0) : q > 0 ? q : 0;
    const reduce = n < held ? n : held;
    const open = n - reduce;
    const exitValue = reduce > 0 ? notional(PRICE_SCALE - paid, reduce) : 0;
    const cost = open > 0 ? notional(paid, open) : 0;
    this.seen.add(key);

    if (reduce > 0) {
      const basis = this.costBasis[m];
      const released = reduce === held ? basis : mulDivFloor(basis, reduce, held);
      this.costBasis[m] = basis - released;
      this.totalCostBasis -= released;
      this.realizedPnl[m] += exitValue - released;
      this.cash += exitValue;
      this.recouped += exitValue;
    }
    if (open > 0) {
      this.costBasis[m] += cost;
      this.totalCostBasis += cost;
      this.cash -= cost;
      this.invested += cost;
    }
    const q1 = isBid ? q + n : q - n;
    this.position[m] = q1;
    if (q1 !== 0 && (q === 0 || q1 > 0 !== q > 0)) this.openedAtMs[m] = f.tsMs;
    this.cash -= f.fee;
    this.feesPaid[m] += f.fee;
    this.totalTraded[m] += notional(paid, n);
    this.track(m);
    return true;
  }

  /**
   * Settles `market` at `result`: winning contracts pay $1.00 each, the basis is released into
   * realized P&L and the position closes. Returns the revenue, µ$. A flat market (or a second
   * settlement of the same market) changes nothing.
   */
  applySettlement(market: number, result: 'yes' | 'no'): number {
    const m = this.checkMarket(market);
    const q = this.position[m];
    if (q === 0) return 0;
    const won = q > 0 === (result === 'yes');
    const revenue = won ? notional(PRICE_SCALE, q > 0 ? q : -q) : 0;
    this.cash += revenue;
    this.recouped += revenue;
    this.realizedPnl[m] += revenue - this.costBasis[m];
    this.totalCostBasis -= this.costBasis[m];
    this.costBasis[m] = 0;
    this.position[m] = 0;
    this.track(m);
    return revenue;
  }

  /** ledger − exchange for cash and every market either side shows a position in. */
  drift(snapshot: LedgerSnapshot): Drift {
    const cash = this.cash - (snapshot.cash + (snapshot.reservedCash ?? 0));
    const markets: MarketDrift[] = [];
    const reported = new Set<number>();
    for (const p of snapshot.positions) {
      const m = this.checkMarket(p.market);
      reported.add(m);
      const d: MarketDrift = {
        market: m,
        position: this.position[m] - p.position,
        costBasis: this.costBasis[m] - p.costBasis,
        realizedPnl: p.realizedPnl === undefined ? 0 : this.realizedPnl[m] - p.realizedPnl,
        feesPaid: p.feesPaid === undefined ? 0 : this.feesPaid[m] - p.feesPaid,
      };
      if (d.position !== 0 || d.costBasis !== 0 || d.realizedPnl !== 0 || d.feesPaid !== 0) markets.push(d);
    }
    for (const m of this.openMarkets) {
      if (!reported.has(m)) markets.push({ market: m, position: this.position[m], costBasis: this.costBasis[m], realizedPnl: 0, feesPaid: 0 });
    }
    markets.sort((a, b) => a.market - b.market);
    return { cash, markets, ok: cash === 0 && markets.length === 0 };
  }

  private track(m: number): void {
    if (this.position[m] !== 0) this.openMarkets.add(m);
    else {
      this.openMarkets.delete(m);
      this.openedAtMs[m] = 0;
    }
  }

  private checkMarket(market: number): number {
    if (!Number.isInteger(market) || market < 0 || market >= this.capacity) {
      throw new RangeError(`market index must be an integer in 0..${this.capacity - 1}, got ${market}`);
    }
    return market;
  }
}

function fillKey(tradeId: string, orderId: string): string {
  return tradeId + '\u0000' + orderId;
}

function assertMoney(field: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`${field} must be a safe integer, got ${v}`);
}
