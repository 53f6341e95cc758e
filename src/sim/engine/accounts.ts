/**
 * Cash, reservations, positions and P&L of the real accounts, exact in µ$ — the "Simulator
 * accounting model" of kalshi-api.md §6 (UNCONFIRMED as a whole: Kalshi documents the fields,
 * not the arithmetic).
 *
 * Position `q` (hundredths, + YES / − NO, netting on) with cost basis `exposure` (µ$ paid for the
 * open contracts in their own outcome's price). A fill of n on `side` at YES price p:
 * - the part that reduces the held outcome (a bid reduces NO, an ask reduces YES) releases basis
 *   pro rata (exposure·r/|q|, floored; all of it when the position closes), pays the exit price
 *   of the held outcome (YES held: p; NO held: 10000 − p) into cash — a bid at p against a NO
 *   position frees $1 per pair, net 10000 − p — and realizes exit − released basis;
 * - the rest opens (or adds to) the bought outcome at its price (bid: p, ask: 10000 − p),
 *   paid from cash, added to the basis;
 * - the fee is paid from cash and kept apart in `feesPaid` (realized P&L excludes fees).
 * Per account this keeps  cash + Σ reserved + Σ exposure − Σ realized + Σ fees = deposits.
 *
 * Reservations: a resting order holds cash for its opening part only. At placement an order
 * claims (`reduceClaim`) as much of the position it reduces as no other resting order of the
 * same direction has claimed; the claimed hundredths need no cash. The rest, at the order's
 * limit, plus (on maker-fee series) the maker fee its remaining count could cost, is reserved:
 *   reservedCash = notional(paid at limit, remaining − claim) + maker fee increment(remaining).
 * Invariant: the claims of one direction never exceed the position they reduce. Netting is
 * physical — any fill reduces what is held, claimed or not — so when an order fills beyond its
 * own claim, the claims it ate are taken back from the account's other resting orders (newest
 * first), whose reservations grow accordingly; one the account can no longer back is cancelled
 * with reason MarginCancel (orders.ts `settleClaims`). So a resting order's fills are always
 * covered and available cash never goes negative.
 */
import { mulDivFloor, notional, PRICE_SCALE } from '../../shared/fixed-point.js';
import { chargeFee, feeIncrement } from './fee-schedule.js';
import { IdKind } from './ids.js';
import type { AccountRecord, EngineOrder, EngineState, Holding, MarketRuntime } from './state.js';
import type { BookSideV2, FillState, PositionState, SettlementState } from './types.js';

export function holdingOf(rec: AccountRecord, marketIndex: number): Holding {
  let h = rec.holdings.get(marketIndex);
  if (h === undefined) {
    h = { claimBid: 0, claimAsk: 0 };
    rec.holdings.set(marketIndex, h);
  }
  return h;
}

export function positionOf(rec: AccountRecord, marketIndex: number, tsMs: number): PositionState {
  let p = rec.state.positions.get(marketIndex);
  if (p === undefined) {
    p = { marketIndex, position: 0, exposure: 0, realizedPnl: 0, feesPaid: 0, totalTraded: 0, volume: 0, lastUpdatedMs: tsMs };
    rec.state.positions.set(marketIndex, p);
  }
  return p;
}

/** Hundredths of the position an order on `side` would reduce: NO held for a bid, YES for an ask. */
export function heldAgainst(rec: AccountRecord, marketIndex: number, side: BookSideV2): number {
  const q = rec.state.positions.get(marketIndex)?.position ?? 0;
  return side === 'bid' ? Math.max(0, -q) : Math.max(0, q);
}

/** The part of that position no resting order of the same direction has claimed. */
export function unclaimed(rec: AccountRecord, marketIndex: number, side: BookSideV2): number {
  const h = rec.holdings.get(marketIndex);
  const claimed = h === undefined ? 0 : side === 'bid' ? h.claimBid : h.claimAsk;
  return Math.max(0, heldAgainst(rec, marketIndex, side) - claimed);
}

export function setClaim(rec: AccountRecord, o: EngineOrder, claim: number): void {
  if (claim === o.reduceClaim) return;
  const h = holdingOf(rec, o.marketIndex);
  if (o.side === 'bid') h.claimBid += claim - o.reduceClaim;
  else h.claimAsk += claim - o.reduceClaim;
  o.reduceClaim = claim;
}

/** Price per contract the order's side pays, $0.0001: bid → YES price, ask → NO price. */
export function paidPrice(side: BookSideV2, yesPrice: number): number {
  return side === 'bid' ? yesPrice : PRICE_SCALE - yesPrice;
}

/** µ$ a resting order must hold (0 unless it is in the book). */
export function reserveFor(rt: MarketRuntime, o: EngineOrder): number {
  if (!o.inBook) return 0;
  return notional(paidPrice(o.side, o.price), o.remainingCount - o.reduceClaim) + feeIncrement(o.makerFeeAcc, rt.fees.maker, o.price, o.remainingCount);
}

/** Brings `o.reservedCash` to what it must hold, moving the difference from / to available cash. */
export function rebalance(rec: AccountRecord, rt: MarketRuntime, o: EngineOrder): void {
  const next = reserveFor(rt, o);
  const diff = next - o.reservedCash;
  if (diff === 0) return;
  rec.state.cash -= diff;
  o.reservedCash = next;
}

/**
 * Books one fill of `o` (already counted in its fillCount / remainingCount) for its account,
 * emits `fill` and `position`, and returns the fill. The caller then restores the claim
 * invariant (orders.ts `settleClaims`): a fill beyond its own claim may have reduced position
 * that other resting orders had claimed.
 */
export function applyFill(st: EngineState, rec: AccountRecord, rt: MarketRuntime, o: EngineOrder, yesPrice: number, n: number, isTaker: boolean, tradeId: string): FillState {
  const ts = st.ts;
  const mi = o.marketIndex;
  const acct = rec.state;
  const pos = positionOf(rec, mi, ts);
  const isBid = o.side === 'bid';
  const q = pos.position;
  const held = isBid ? Math.max(0, -q) : Math.max(0, q);
  // Netting is physical: a fill reduces whatever is held first, claimed or not.
  const reduce = Math.min(n, held);
  const open = n - reduce;
  setClaim(rec, o, o.reduceClaim - Math.min(n, o.reduceClaim));

  const paid = paidPrice(o.side, yesPrice);
  if (reduce > 0) {
    // Exit price of the held outcome = 10000 − the price paid for the opposite one.
    const exitValue = notional(PRICE_SCALE - paid, reduce);
    const released = reduce === held ? pos.exposure : mulDivFloor(pos.exposure, reduce, held);
    pos.exposure -= released;
    pos.realizedPnl += exitValue - released;
    acct.cash += exitValue;
  }
  if (open > 0) {
    const cost = notional(paid, open);
    pos.exposure += cost;
    acct.cash -= cost;
  }
  const q1 = isBid ? q + n : q - n;
  pos.position = q1;

  let fee: number;
  if (isTaker) {
    if (o.takerFeeAcc === undefined) o.takerFeeAcc = { q: 0, r: 0 };
    fee = chargeFee(o.takerFeeAcc, rt.fees.taker, yesPrice, n);
    o.takerFees += fee;
    o.takerFillCost += notional(paid, n);
  } else {
    if (o.makerFeeAcc === undefined) o.makerFeeAcc = { q: 0, r: 0 };
    fee = chargeFee(o.makerFeeAcc, rt.fees.maker, yesPrice, n);
    o.makerFees += fee;
    o.makerFillCost += notional(paid, n);
  }
  acct.cash -= fee;
  pos.feesPaid += fee;
  pos.totalTraded += notional(paid, n);
  pos.volume += n;
  pos.lastUpdatedMs = ts;
  rebalance(rec, rt, o);

  rt.realLong += Math.max(q1, 0) - Math.max(q, 0);
  rt.realNet += q1 - q;
  rt.market.openInterest = rt.realLong + Math.max(-rt.realNet, 0);

  const fill: FillState = {
    fillId: st.ids.next(IdKind.Fill),
    tradeId,
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    account: acct.id,
    marketIndex: mi,
    side: o.side,
    outcomeSide: isBid ? 'yes' : 'no',
    yesPrice,
    count: n,
    isTaker,
    fee,
    postPosition: q1,
    tsMs: ts,
  };
  acct.fills.push(fill);
  st.emitter.fill(acct, fill);
  st.emitter.position(acct, pos);
  return fill;
}

/**
 * Finalization (§6): every account holding a position in the market is paid $1 per winning
 * contract; the basis is released into realized P&L, the position closes, a settlement record
 * is added and `position` emitted. Resting orders were cancelled at close, so no claims remain.
 */
export function settleMarket(st: EngineState, rt: MarketRuntime): void {
  const m = rt.market;
  const result = m.result === 'yes' ? 'yes' : 'no';
  for (const rec of st.accounts.values()) {
    const pos = rec.state.positions.get(m.index);
    if (pos === undefined || pos.position === 0) continue;
    const q = pos.position;
    const won = (q > 0) === (result === 'yes');
    const revenue = won ? notional(PRICE_SCALE, Math.abs(q)) : 0;
    const settlement: SettlementState = {
      marketIndex: m.index,
      result,
      yesCount: q > 0 ? q : 0,
      yesTotalCost: q > 0 ? pos.exposure : 0,
      noCount: q < 0 ? -q : 0,
      noTotalCost: q < 0 ? pos.exposure : 0,
      revenue,
      fee: 0,
      settledMs: st.ts,
    };
    rec.state.cash += revenue;
    pos.realizedPnl += revenue - pos.exposure;
    pos.exposure = 0;
    pos.position = 0;
    pos.lastUpdatedMs = st.ts;
    rec.state.settlements.push(settlement);
    st.emitter.position(rec.state, pos);
  }
}

/** µ$: each position marked at the best bid of the outcome it holds (0 where there is none). */
export function portfolioValue(st: EngineState, rec: AccountRecord): number {
  let value = 0;
  for (const pos of rec.state.positions.values()) {
    if (pos.position === 0) continue;
    const book = st.runtimes[pos.marketIndex].book;
    if (pos.position > 0) {
      const bid = book.bestBidPrice();
      if (bid > 0) value += notional(bid, pos.position);
    } else {
      const ask = book.bestAskPrice();
      if (ask >= 0) value += notional(PRICE_SCALE - ask, -pos.position);
    }
  }
  return value;
}
