/**
 * Price-time matching of an incoming (taker) order against one market's book.
 *
 * A bid at limit L takes resting asks priced ≤ L, lowest first; an ask at L takes bids ≥ L,
 * highest first; within a level, oldest first. Every trade is at the resting order's price.
 *
 * Self-trade prevention (the taker's `selfTradePrevention`, real accounts only — synthetic
 * participants are a crowd and may trade with each other):
 * - `taker_at_cross`: meeting its own resting order, the taker stops; its remainder is cancelled
 *   (SelfTradeCancel). Fills before that stand.
 * - `maker`: its own resting order is cancelled (SelfTradeCancel) and matching goes on.
 *
 * Events per trade, in order: book delta of the maker's level (−n; `causedBy` = the taker when
 * it is a real account's order, since the taker's action changed the level), trade, then the
 * maker's fill / position / order update (real makers), the taker's fill / position (real
 * takers; the taker's order update is sent once by the caller when the call ends) — each
 * followed by updates of the same account's orders whose position claims the fill used up —
 * then order group accounting, which may cancel orders (their own deltas and updates follow).
 *
 * Cost: O(orders and levels touched).
 */
import { applyFill } from './accounts.js';
import { IdKind } from './ids.js';
import { recordGroupFill } from './order-groups.js';
import { accountOf, cancelOrder, completeOrder, emitOrder, settleClaims } from './orders.js';
import type { EngineOrder, EngineState, MarketRuntime } from './state.js';
import { SYNTHETIC, type FillState } from './types.js';

/** Why matching stopped short of the limit: '' = book exhausted at the limit, or fully filled. */
export type MatchStop = '' | 'SelfTradeCancel' | 'OrderGroupCancel';

/**
 * Matches `taker` (not in the book) against the book; updates counts, accounts, events.
 * Real-account fills of the taker are appended to `fills`.
 */
export function match(st: EngineState, rt: MarketRuntime, taker: EngineOrder, fills: FillState[] | undefined): MatchStop {
  const book = rt.book;
  const prices = book.grid.levels;
  const isBid = taker.side === 'bid';
  const makerSide = isBid ? 'ask' : 'bid';
  const limit = taker.price;
  const real = taker.account !== SYNTHETIC;
  st.currentTaker = taker;
  st.takerKilled = false;
  let stop: MatchStop = '';
  try {
    while (taker.remainingCount > 0) {
      const level = isBid ? book.bestAskLevel : book.bestBidLevel;
      if (level < 0) break;
      const price = prices[level];
      if (isBid ? price > limit : price < limit) break;
      const maker = book.peek(makerSide, level) as EngineOrder;
      if (real && maker.account === taker.account) {
        if (taker.selfTradePrevention === 'maker') {
          cancelOrder(st, maker, 'SelfTradeCancel');
          continue;
        }
        stop = 'SelfTradeCancel';
        break;
      }
      const n = Math.min(taker.remainingCount, maker.remainingCount);
      trade(st, rt, taker, maker, price, n, fills);
      if (st.takerKilled) {
        stop = 'OrderGroupCancel';
        break;
      }
    }
  } finally {
    st.currentTaker = undefined;
    st.takerKilled = false;
  }
  return stop;
}

function trade(st: EngineState, rt: MarketRuntime, taker: EngineOrder, maker: EngineOrder, price: number, n: number, fills: FillState[] | undefined): void {
  const m = rt.market;
  const ts = st.ts;
  const done = n === maker.remainingCount;
  if (done) rt.book.remove(maker);
  else rt.book.reduce(maker, n);
  maker.remainingCount -= n;
  maker.fillCount += n;
  maker.updatedMs = ts;
  maker.lastUpdateReason = 'Trade';
  taker.remainingCount -= n;
  taker.fillCount += n;
  taker.updatedMs = ts;
  const takerReal = taker.account !== SYNTHETIC;
  st.bookDelta(rt, maker.side, price, -n, takerReal ? taker : undefined);

  const tradeId = st.ids.next(IdKind.Trade);
  m.lastPrice = price;
  m.volume += n;
  m.volume24h += n;
  m.updatedMs = ts;
  st.emitter.trade(m, tradeId, price, n, taker.side, ts);

  if (maker.account !== SYNTHETIC) {
    const rec = accountOf(st, maker);
    applyFill(st, rec, rt, maker, price, n, false, tradeId);
    if (done) completeOrder(st, rt, maker);
    emitOrder(st, maker);
    settleClaims(st, rec, rt, maker);
  } else if (done) {
    completeOrder(st, rt, maker);
  }
  if (takerReal) {
    taker.lastUpdateReason = 'Trade';
    const rec = accountOf(st, taker);
    const fill = applyFill(st, rec, rt, taker, price, n, true, tradeId);
    if (fills !== undefined) fills.push(fill);
    settleClaims(st, rec, rt, taker);
  }
  if (maker.account !== SYNTHETIC) recordGroupFill(st, accountOf(st, maker), maker, n);
  if (takerReal) recordGroupFill(st, accountOf(st, taker), taker, n);
}

/**
 * Hundredths a taker could fill right now, up to `need`, honouring its self-trade prevention
 * (for fill-or-kill). Read-only.
 */
export function fillable(rt: MarketRuntime, taker: EngineOrder, need: number): number {
  const book = rt.book;
  const prices = book.grid.levels;
  const isBid = taker.side === 'bid';
  const makerSide = isBid ? 'ask' : 'bid';
  const real = taker.account !== SYNTHETIC;
  let total = 0;
  let blocked = false;
  for (let level = isBid ? book.bestAskLevel : book.bestBidLevel; level >= 0 && total < need && !blocked; level = book.nextLevel(makerSide, level)) {
    const price = prices[level];
    if (isBid ? price > taker.price : price < taker.price) break;
    book.forEachAt(makerSide, level, (o) => {
      if (real && o.account === taker.account) {
        if (taker.selfTradePrevention === 'maker') return true;
        blocked = true;
        return false;
      }
      total += o.remainingCount;
      return total < need;
    });
  }
  return Math.min(total, need);
}
