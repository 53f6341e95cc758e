import { describe, expect, it } from 'vitest';
import { NONE } from '../../../src/shared/book-layout.js';
import { emptyBookTop, type BookTop } from '../../../src/shared/book-store.js';
import { PositionBoard } from '../../../src/shared/position-board.js';
import {
  BreakerState,
  createAccountView,
  createMarketPositionView,
  MarketTradingState,
  TradingState,
  WorkingSide,
} from '../../../src/shared/position-records.js';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import { Action } from '../../../src/shared/policy/actions.js';
import { ExecutionCore, type BookReader, type ExecutionCoreOptions, type Outcome } from '../../../src/workers/execution/execution-core.js';
import { DenyReason } from '../../../src/workers/execution/limits.js';
import { SESSION_GROUP } from '../../../src/workers/execution/order-groups.js';
import type { CancelRequest, Decision, PlaceRequest, SendRequest } from '../../../src/workers/execution/requests.js';
import { OutcomeStatus, UpdateEffect } from '../../../src/workers/execution/working-orders.js';

const T0 = 1_767_225_600_000;
const TICKER = 'KXTEST-26JAN01-T50';
const TICKER2 = 'KXTEST-26JAN01-T60';
const linear = PriceGrid.forStructure('linear_cent');

class FakeBooks implements BookReader {
  readonly tops = new Map<number, BookTop>();
  set(market: number, yesBid: number, noBid: number, stale = false): void {
    this.tops.set(market, { ...emptyBookTop(), yesBid, noBid, yesBidSize: 1_000, noBidSize: 1_000, stale });
  }
  readTop(market: number, out: BookTop): boolean {
    const t = this.tops.get(market);
    if (t === undefined) return false;
    Object.assign(out, t);
    return true;
  }
}

interface Rig {
  core: ExecutionCore;
  books: FakeBooks;
  board: PositionBoard;
  clock: { now: number };
}

function rig(options: Partial<ExecutionCoreOptions> = {}, cash = 1_000_000_000): Rig {
  const board = PositionBoard.create(8);
  const books = new FakeBooks();
  books.set(0, 4_500, 5_200); // YES bid 0.45, YES ask 0.48
  books.set(1, 3_000, 6_800); // YES bid 0.30, YES ask 0.32
  const core = new ExecutionCore({ capacity: 4, sessionId: 'sess01', books, board: board.claimWriter(), groups: { mode: 'off' }, ...options });
  core.addMarket(0, TICKER, linear);
  core.addMarket(1, TICKER2, linear);
  core.startSession(cash, cash, T0);
  core.setTradingState(TradingState.TRADING, T0);
  return { core, books, board, clock: { now: T0 } };
}

function sent<K extends SendRequest['kind']>(d: Decision | undefined, kind: K): Extract<SendRequest, { kind: K }> {
  expect(d?.kind).toBe('SEND');
  const r = (d as { request: SendRequest }).request;
  expect(r.kind).toBe(kind);
  return r as Extract<SendRequest, { kind: K }>;
}

function deniedWith(d: Decision | undefined, reason: DenyReason): void {
  expect(d).toEqual({ kind: 'DENIED', reason });
}

const accepted = (o: Partial<Outcome> = {}): Outcome => ({ status: OutcomeStatus.ACCEPTED, ...o });

/** Places a passive bid in market 0 and gets it accepted as order `orderId`. */
function working(r: Rig, orderId = 'o1'): PlaceRequest {
  const p = sent(r.core.onIntent(0, Action.BUY_YES, r.clock.now), 'place');
  r.core.onOutcome(p.requestId, accepted({ orderId, remaining: p.count, filled: 0, tsMs: r.clock.now }), r.clock.now);
  return p;
}

describe('ExecutionCore: the decision path', () => {
  it('a passive BUY_YES becomes a V2 bid joining the YES bid, with a deterministic id, 5 contracts, GTC post-only', () => {
    const r = rig();
    const p = sent(r.core.onIntent(0, Action.BUY_YES, T0), 'place');
    expect(p).toMatchObject({
      market: 0, ticker: TICKER, clientOrderId: `sess01-${TICKER}-0`, side: 'bid', price: 4_500, count: 500,
      timeInForce: 'good_till_canceled', postOnly: true, reduceOnly: false, orderGroupId: '', action: Action.BUY_YES, closing: false,
    });
    const view = createMarketPositionView();
    r.board.readMarket(0, view);
    expect(view.lastOrderAtMs).toBe(T0);
    expect(view.tradingState).toBe(MarketTradingState.ACTIVE);
  });

  it('BUY_NO is an ask at 10000 − the NO price; aggressive IOC takes the opposite side', () => {
    const r = rig({ mode: 'aggressive' });
    const p = sent(r.core.onIntent(0, Action.BUY_NO, T0), 'place');
    // NO ask = 1 − YES bid 0.45 = 0.55 → ask on the YES book at 0.45.
    expect(p).toMatchObject({ side: 'ask', price: 4_500, timeInForce: 'immediate_or_cancel', postOnly: false, reduceOnly: false });
    const q = sent(r.core.onIntent(1, Action.BUY_YES, T0), 'place');
    expect(q).toMatchObject({ side: 'bid', price: 3_200 });
  });

  it('trading-state gate: BOOTING/HALTED nothing, REDUCING closings only; market states likewise', () => {
    const r = rig();
    r.core.setTradingState(TradingState.BOOTING, T0);
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0), DenyReason.NOT_TRADING);
    r.core.setTradingState(TradingState.REDUCING, T0);
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0), DenyReason.REDUCING_ONLY);
    // Give it a YES position: selling it is a closing and passes.
    r.core.onFill({ tradeId: 't1', orderId: 'x', market: 0, side: 'bid', yesPrice: 4_000, count: 300, fee: 0, tsMs: T0 }, T0);
    const close = sent(r.core.onIntent(0, Action.SELL_YES, T0), 'place');
    expect(close).toMatchObject({ side: 'ask', count: 300, closing: true, price: 4_800 });
    r.core.setTradingState(TradingState.HALTED, T0);
    deniedWith(r.core.onIntent(1, Action.SELL_YES, T0 + 1_000), DenyReason.NOT_TRADING);
    r.core.setTradingState(TradingState.TRADING, T0);
    r.core.setMarketTradingState(1, MarketTradingState.HALTED, T0);
    deniedWith(r.core.onIntent(1, Action.BUY_YES, T0 + 1_000), DenyReason.NOT_TRADING);
    r.core.setMarketTradingState(1, MarketTradingState.REDUCING, T0);
    deniedWith(r.core.onIntent(1, Action.BUY_YES, T0 + 1_000), DenyReason.REDUCING_ONLY);
    deniedWith(r.core.onIntent(0, Action.HOLD, T0), DenyReason.NOT_AN_ORDER);
    deniedWith(r.core.onIntent(3, Action.BUY_YES, T0), DenyReason.UNKNOWN_MARKET);
    deniedWith(r.core.onIntent(99, Action.BUY_YES, T0), DenyReason.UNKNOWN_MARKET);
  });

  it('throttle 250 ms, then one request in flight, then nothing to do when the same order works', () => {
    const r = rig();
    const p = sent(r.core.onIntent(0, Action.BUY_YES, T0), 'place');
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0 + 249), DenyReason.THROTTLED);
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0 + 250), DenyReason.IN_FLIGHT);
    sent(r.core.onIntent(1, Action.BUY_YES, T0 + 1), 'place'); // other markets are independent
    r.core.onOutcome(p.requestId, accepted({ orderId: 'o1', remaining: 500, filled: 0 }), T0 + 300);
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0 + 300), DenyReason.ALREADY_WORKING);
    const view = createMarketPositionView();
    r.board.readMarket(0, view);
    expect([view.workingSide, view.workingPrice, view.workingRemaining, view.workingOrderCount]).toEqual([WorkingSide.BID, 4_500, 500, 1]);
    // The same DENIED object every time: the refusal path allocates nothing.
    expect(r.core.onIntent(0, Action.BUY_YES, T0 + 301)).toBe(r.core.onIntent(0, Action.BUY_YES, T0 + 302));
  });

  it('the book moves: amend the working order (price; count = filled + target), never a second place', () => {
    const r = rig();
    working(r);
    r.core.onUserOrder(0, { orderId: 'o1', clientOrderId: `sess01-${TICKER}-0`, side: WorkingSide.BID, price: 4_500, status: 'resting', remaining: 300, filled: 200, tsMs: T0 + 10 }, T0 + 10);
    r.books.set(0, 4_600, 5_200);
    const a = sent(r.core.onIntent(0, Action.BUY_YES, T0 + 300), 'amend');
    expect(a).toMatchObject({ orderId: 'o1', side: 'bid', price: 4_600, count: 200 + 500, clientOrderId: `sess01-${TICKER}-0`, updatedClientOrderId: `sess01-${TICKER}-1` });
    r.core.onOutcome(a.requestId, accepted({ orderId: 'o1', remaining: 500, tsMs: T0 + 310 }), T0 + 310);
    expect(r.core.working.workingOrder(0)).toMatchObject({ price: 4_600, remaining: 500, clientOrderId: `sess01-${TICKER}-1` });
  });

  it('side flip: cancel first, then the place follows on the cancel\'s success, re-priced on the book of that moment', () => {
    const r = rig();
    working(r);
    const c = sent(r.core.onIntent(0, Action.BUY_NO, T0 + 300), 'cancel');
    expect(c).toMatchObject({ orderId: 'o1', ticker: TICKER, stray: false });
    deniedWith(r.core.onIntent(0, Action.BUY_NO, T0 + 600), DenyReason.IN_FLIGHT);
    r.books.set(0, 4_400, 5_300); // YES ask 0.47
    const follow = r.core.onOutcome(c.requestId, accepted({ orderId: 'o1' }), T0 + 320);
    expect(sent(follow, 'place')).toMatchObject({ side: 'ask', price: 4_700, count: 500, action: Action.BUY_NO });
  });

  it('a failed cancel drops the deferred place (the next intent decides afresh)', () => {
    const r = rig();
    working(r);
    const c = sent(r.core.onIntent(0, Action.BUY_NO, T0 + 300), 'cancel');
    expect(r.core.onOutcome(c.requestId, { status: OutcomeStatus.REJECTED, code: 'market_closed', httpStatus: 409 }, T0 + 310)).toBeUndefined();
    expect(r.core.working.workingOrder(0)?.orderId).toBe('o1');
  });

  it('closings are capped at the position and always pass the cash and exposure gates', () => {
    const r = rig({ limits: { cashReserve: 100_000_000, maxTotalExposure: 1 } }, 100_500_000);
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0), DenyReason.CASH_RESERVE);
    r.core.onFill({ tradeId: 't1', orderId: 'x', market: 0, side: 'ask', yesPrice: 6_000, count: 1_234, fee: 0, tsMs: T0 }, T0); // 12.34 NO
    const close = sent(r.core.onIntent(0, Action.BUY_YES, T0 + 1), 'place');
    expect(close).toMatchObject({ side: 'bid', count: 500, closing: true });
    deniedWith(r.core.onIntent(1, Action.BUY_YES, T0 + 1), DenyReason.CASH_RESERVE); // no position in 1: an opening
  });

  it('the cash reserve counts the cash held by working openings in other markets', () => {
    // $102.60: one opening of 5 × $0.45 + fee ≈ $2.34 leaves $100.26 ≥ $100; a second does not fit.
    const r = rig({}, 102_600_000);
    sent(r.core.onIntent(0, Action.BUY_YES, T0), 'place');
    deniedWith(r.core.onIntent(1, Action.BUY_YES, T0), DenyReason.CASH_RESERVE);
    const acct = createAccountView();
    r.board.readAccount(acct);
    expect(acct.cash).toBe(102_600_000 - 4_500 * 500); // available: minus the in-flight opening
    expect(acct.cashReserve).toBe(100_000_000);
  });

  it('SELL with nothing held opens the other outcome (or is refused when configured); NO_PRICE on a stale or one-sided book', () => {
    expect(sent(rig().core.onIntent(0, Action.SELL_YES, T0), 'place')).toMatchObject({ side: 'ask', price: 4_800, closing: false });
    const r = rig({ limits: { allowSellToOpen: false } });
    deniedWith(r.core.onIntent(0, Action.SELL_YES, T0), DenyReason.NOTHING_TO_SELL);
    r.books.set(0, 4_500, 5_200, true);
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0), DenyReason.NO_PRICE);
    r.books.set(0, NONE, 5_200);
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0), DenyReason.NO_PRICE);
    r.books.tops.delete(0);
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0), DenyReason.NO_PRICE);
  });

  it('position limit: openings clamp to the room left and stop at the cap', () => {
    const r = rig({ limits: { maxPosition: 700 } });
    r.core.onFill({ tradeId: 't1', orderId: 'x', market: 0, side: 'bid', yesPrice: 4_000, count: 400, fee: 0, tsMs: T0 }, T0);
    expect(sent(r.core.onIntent(0, Action.BUY_YES, T0), 'place').count).toBe(300);
    r.core.onFill({ tradeId: 't2', orderId: 'x', market: 1, side: 'ask', yesPrice: 4_000, count: 700, fee: 0, tsMs: T0 }, T0);
    deniedWith(r.core.onIntent(1, Action.BUY_NO, T0), DenyReason.POSITION_LIMIT);
  });
});

describe('ExecutionCore: UNKNOWN outcomes', () => {
  it('keep the market reduced until the order is looked up and proven absent', () => {
    const r = rig({ lookupDelayMs: 1_000 });
    const p = sent(r.core.onIntent(0, Action.BUY_YES, T0), 'place');
    r.core.onOutcome(p.requestId, { status: OutcomeStatus.UNKNOWN, code: 'timeout' }, T0 + 5_000);
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0 + 6_000), DenyReason.REDUCING_ONLY);
    const view = createMarketPositionView();
    r.board.readMarket(0, view);
    expect(view.tradingState).toBe(MarketTradingState.REDUCING);
    expect(r.core.poll(T0 + 5_999)).toEqual([]);
    const [lookup] = r.core.poll(T0 + 6_000);
    expect(lookup).toMatchObject({ kind: 'lookup', market: 0, ticker: TICKER, clientOrderId: p.clientOrderId, orderId: '' });
    expect(r.core.poll(T0 + 9_000)).toEqual([]); // one lookup at a time
    r.core.onLookupResult(lookup.requestId, null, T0 + 9_100);
    expect(sent(r.core.onIntent(0, Action.BUY_YES, T0 + 9_200), 'place').clientOrderId).toBe(`sess01-${TICKER}-1`);
  });

  it('a failed lookup is retried after the delay; a found order is adopted as working', () => {
    const r = rig({ lookupDelayMs: 500 });
    const p = sent(r.core.onIntent(0, Action.BUY_YES, T0), 'place');
    r.core.onOutcome(p.requestId, { status: OutcomeStatus.UNKNOWN }, T0);
    const [l1] = r.core.poll(T0 + 500);
    r.core.onOutcome(l1.requestId, { status: OutcomeStatus.UNKNOWN }, T0 + 600);
    expect(r.core.poll(T0 + 900)).toEqual([]);
    const [l2] = r.core.poll(T0 + 1_000);
    r.core.onLookupResult(l2.requestId, { orderId: 'found', clientOrderId: p.clientOrderId, side: WorkingSide.BID, price: 4_500, status: 'resting', remaining: 500, filled: 0, tsMs: T0 + 1 }, T0 + 1_100);
    expect(r.core.working.isReduced(0)).toBe(false);
    expect(r.core.working.workingOrder(0)?.orderId).toBe('found');
    deniedWith(r.core.onIntent(0, Action.BUY_YES, T0 + 1_200), DenyReason.ALREADY_WORKING);
  });

  it('while reduced, a closing goes out as an aggressive IOC reduce_only order', () => {
    const r = rig();
    r.core.onFill({ tradeId: 't1', orderId: 'x', market: 0, side: 'bid', yesPrice: 4_000, count: 300, fee: 0, tsMs: T0 }, T0);
    const p = sent(r.core.onIntent(0, Action.BUY_YES, T0), 'place');
    r.core.onOutcome(p.requestId, { status: OutcomeStatus.UNKNOWN }, T0 + 10);
    const close = sent(r.core.onIntent(0, Action.SELL_YES, T0 + 300), 'place');
    expect(close).toMatchObject({ side: 'ask', price: 4_500, count: 300, timeInForce: 'immediate_or_cancel', reduceOnly: true, postOnly: false, closing: true });
  });

  it('a user_order for the unknown client id resolves it; order_already_exists is resolved the same way', () => {
    const r = rig();
    const p = sent(r.core.onIntent(0, Action.BUY_YES, T0), 'place');
    r.core.onOutcome(p.requestId, { status: OutcomeStatus.REJECTED, code: 'order_already_exists', httpStatus: 409 }, T0);
    expect(r.core.working.isReduced(0)).toBe(true);
    const effect = r.core.onUserOrder(0, { orderId: 'o9', clientOrderId: p.clientOrderId, side: WorkingSide.BID, price: 4_500, status: 'resting', remaining: 500, filled: 0, tsMs: T0 }, T0);
    expect(effect).toBe(UpdateEffect.RESOLVED);
    expect(r.core.working.isReduced(0)).toBe(false);
    expect(r.core.breakers.errorCount(0)).toBe(0);
  });

  it('a stray second order is cancelled by poll, and the working one kept', () => {
    const r = rig();
    working(r);
    expect(r.core.onUserOrder(0, { orderId: 'o2', clientOrderId: `sess01-${TICKER}-7`, side: WorkingSide.BID, price: 4_400, status: 'resting', remaining: 500, filled: 0, tsMs: T0 + 1 }, T0 + 1)).toBe(UpdateEffect.STRAY);
    const view = createMarketPositionView();
    r.board.readMarket(0, view);
    expect(view.workingOrderCount).toBe(2);
    const [c] = r.core.poll(T0 + 2) as CancelRequest[];
    expect(c).toMatchObject({ kind: 'cancel', orderId: 'o2', stray: true });
    r.core.onOutcome(c.requestId, accepted({ orderId: 'o2' }), T0 + 3);
    expect(r.core.working.straysOf(0)).toEqual([]);
    expect(r.core.working.workingOrder(0)?.orderId).toBe('o1');
  });
});

describe('ExecutionCore: breaker', () => {
  it('10 consecutive errors open it; 300 s later one trial; success closes it', () => {
    const r = rig();
    let t = T0;
    for (let i = 0; i < 10; i++) {
      const p = sent(r.core.onIntent(0, Action.BUY_YES, t), 'place');
      r.core.onOutcome(p.requestId, { status: OutcomeStatus.REJECTED, code: 'invalid_price', httpStatus: 400 }, t + 1);
      t += 250;
    }
    deniedWith(r.core.onIntent(0, Action.BUY_YES, t), DenyReason.BREAKER_OPEN);
    const view = createMarketPositionView();
    r.board.readMarket(0, view);
    expect([view.breakerState, view.breakerErrorCount]).toEqual([BreakerState.OPEN, 10]);
    deniedWith(r.core.onIntent(0, Action.BUY_YES, t - 250 + 1 + 299_999), DenyReason.BREAKER_OPEN);
    const trial = sent(r.core.onIntent(0, Action.BUY_YES, t - 250 + 1 + 300_000), 'place');
    r.core.onOutcome(trial.requestId, accepted({ orderId: 'o1', remaining: 500 }), t + 300_100);
    expect(r.core.breakers.stateAt(0, t + 300_100)).toBe(BreakerState.CLOSED);
  });

  it('benign rejections (post_only_cross) and NOT_SENT do not count', () => {
    const r = rig();
    let t = T0;
    for (let i = 0; i < 20; i++) {
      const p = sent(r.core.onIntent(0, Action.BUY_YES, t), 'place');
      r.core.onOutcome(p.requestId, i % 2 === 0 ? { status: OutcomeStatus.REJECTED, code: 'post_only_cross', httpStatus: 409 } : { status: OutcomeStatus.NOT_SENT }, t + 1);
      t += 250;
    }
    expect(r.core.breakers.errorCount(0)).toBe(0);
  });
});

describe('ExecutionCore: order groups', () => {
  it('session group: created before the first order, which follows with its id; triggered → refused → reset after the cool-down', () => {
    const r = rig({ groups: { mode: 'session', contractsLimit: 2_000, resetCooldownMs: 60_000 } });
    const g = sent(r.core.onIntent(0, Action.BUY_YES, T0), 'create_group');
    expect(g).toMatchObject({ groupKey: SESSION_GROUP, contractsLimit: 2_000 });
    deniedWith(r.core.onIntent(1, Action.BUY_YES, T0), DenyReason.GROUP_PENDING);
    const follow = r.core.onOutcome(g.requestId, accepted({ orderGroupId: 'og_1' }), T0 + 20);
    expect(sent(follow, 'place')).toMatchObject({ market: 0, orderGroupId: 'og_1', clientOrderId: `sess01-${TICKER}-0` });
    expect(sent(r.core.onIntent(1, Action.BUY_YES, T0 + 30), 'place').orderGroupId).toBe('og_1');

    r.core.onGroupEvent('triggered', 'og_1', T0 + 1_000);
    deniedWith(r.core.onIntent(1, Action.BUY_YES, T0 + 2_000), DenyReason.IN_FLIGHT);
    r.core.setMarketTradingState(1, MarketTradingState.ACTIVE, T0);
    expect(r.core.poll(T0 + 60_999).filter((x) => x.kind === 'reset_group')).toEqual([]);
    const [reset] = r.core.poll(T0 + 61_000);
    expect(reset).toMatchObject({ kind: 'reset_group', orderGroupId: 'og_1', groupKey: SESSION_GROUP });
    r.core.onOutcome(reset.requestId, accepted(), T0 + 61_010);
    expect(r.core.groups.gate(0)).toBe(1 /* READY */);
  });

  it('a place refused for the group limit marks the group triggered; a 404 group is re-created', () => {
    const r = rig({ groups: { mode: 'session' } });
    const g = sent(r.core.onIntent(0, Action.BUY_YES, T0), 'create_group');
    const p = sent(r.core.onOutcome(g.requestId, accepted({ orderGroupId: 'og_1' }), T0), 'place');
    r.core.onOutcome(p.requestId, { status: OutcomeStatus.REJECTED, code: 'exceeded_order_group_risk_limit', httpStatus: 409 }, T0 + 1);
    deniedWith(r.core.onIntent(1, Action.BUY_YES, T0 + 1), DenyReason.GROUP_TRIGGERED);
    r.core.onGroupEvent('deleted', 'og_1', T0 + 2);
    sent(r.core.onIntent(1, Action.BUY_YES, T0 + 3), 'create_group');
  });
});

describe('ExecutionCore: fills, board, settlement', () => {
  it('publishes positions and cash after fills; duplicates change nothing; post_position is checked', () => {
    const r = rig();
    const f = { tradeId: 't1', orderId: 'o1', market: 0, side: 'bid' as const, yesPrice: 4_500, count: 500, fee: 8_700, tsMs: T0, postPosition: 500 };
    expect(r.core.onFill(f, T0)).toBe(true);
    expect(r.core.onFill(f, T0)).toBe(false);
    const view = createMarketPositionView();
    r.board.readMarket(0, view);
    expect([view.position, view.costBasis, view.feesPaid, view.positionOpenedAtMs]).toEqual([500, 2_250_000, 8_700, T0]);
    const acct = createAccountView();
    r.board.readAccount(acct);
    expect(acct.cash).toBe(1_000_000_000 - 2_250_000 - 8_700);
    expect(acct.invested).toBe(2_250_000);
    expect(acct.portfolioValue).toBe(4_500 * 500); // marked at the YES bid
    expect(acct.sessionStartCash).toBe(1_000_000_000);
    expect(acct.tradingState).toBe(TradingState.TRADING);
    expect(r.core.positionMismatches).toBe(0);
    r.core.onFill({ ...f, tradeId: 't2', postPosition: 999 }, T0);
    expect(r.core.positionMismatches).toBe(1);
    expect(r.core.onSettlement(0, 'yes', T0 + 10)).toBe(10_000 * 1_000);
    r.board.readMarket(0, view);
    expect([view.position, view.costBasis]).toEqual([0, 0]);
  });

  it('cancelWorking bypasses throttle and trading state (kill switch)', () => {
    const r = rig();
    working(r);
    r.core.setTradingState(TradingState.HALTED, T0);
    const c = sent(r.core.cancelWorking(0, T0 + 1), 'cancel');
    expect(c.orderId).toBe('o1');
    deniedWith(r.core.cancelWorking(0, T0 + 2), DenyReason.IN_FLIGHT);
    r.core.onOutcome(c.requestId, accepted(), T0 + 3);
    deniedWith(r.core.cancelWorking(0, T0 + 4), DenyReason.ALREADY_WORKING);
  });

  it('late or unknown outcomes are ignored', () => {
    const r = rig();
    expect(r.core.onOutcome(12345, accepted(), T0)).toBeUndefined();
    const p = working(r);
    expect(r.core.onOutcome(p.requestId, accepted(), T0)).toBeUndefined();
    expect(r.core.outstanding()).toBe(0);
  });
});


describe('ExecutionCore: exits (exitPosition)', () => {
  const fillYes = (r: Rig, count: number, market = 0): void => {
    r.core.onFill({ tradeId: `ty${market}-${count}`, orderId: 'x', market, side: 'bid', yesPrice: 4_000, count, fee: 0, tsMs: T0 }, T0);
  };
  const fillNo = (r: Rig, count: number, market = 0): void => {
    r.core.onFill({ tradeId: `tn${market}-${count}`, orderId: 'x', market, side: 'ask', yesPrice: 6_000, count, fee: 0, tsMs: T0 }, T0);
  };

  it('long YES: SELL_YES as an ask at the YES bid, IOC, reduce_only, the whole position, no group, marked as an exit', () => {
    const r = rig();
    fillYes(r, 300);
    const p = sent(r.core.exitPosition(0, T0), 'place');
    expect(p).toEqual({
      kind: 'place', requestId: p.requestId, market: 0, ticker: TICKER, clientOrderId: `sess01-${TICKER}-0`, side: 'ask', price: 4_500, count: 300,
      timeInForce: 'immediate_or_cancel', postOnly: false, reduceOnly: true, orderGroupId: '', action: Action.SELL_YES, closing: true, exit: true,
    });
    deniedWith(r.core.exitPosition(0, T0), DenyReason.IN_FLIGHT);
    // The IOC never rests: once answered nothing is working and no cash is held.
    r.core.onOutcome(p.requestId, accepted({ orderId: 'e1', remaining: 0, filled: 300 }), T0 + 5);
    expect(r.core.working.workingOrder(0)).toBeUndefined();
    expect(r.core.breakers.errorCount(0)).toBe(0);
  });

  it('long NO: SELL_NO as a bid at the YES ask, for the whole position however large (not capped by the order size or limits)', () => {
    const r = rig({ limits: { orderSize: 500, maxPosition: 700 } });
    fillNo(r, 1_234);
    expect(r.core.ledger.position[0]).toBe(-1_234);
    const p = sent(r.core.exitPosition(0, T0), 'place');
    // YES ask = 1 − NO bid 0.52 = 0.48: selling NO at 0.52 is bidding YES at 0.48.
    expect(p).toMatchObject({ side: 'bid', price: 4_800, count: 1_234, action: Action.SELL_NO, timeInForce: 'immediate_or_cancel', reduceOnly: true, exit: true });
  });

  it('a working order is cancelled first; the exit follows the cancel, re-priced on the book of that moment', () => {
    const r = rig();
    working(r); // a passive bid o1
    fillYes(r, 200);
    const c = sent(r.core.exitPosition(0, T0 + 1), 'cancel');
    expect(c).toMatchObject({ orderId: 'o1', stray: false });
    expect(r.core.exitDeferred(0)).toBe(true);
    deniedWith(r.core.exitPosition(0, T0 + 2), DenyReason.IN_FLIGHT);
    deniedWith(r.core.onIntent(0, Action.BUY_NO, T0 + 1_000), DenyReason.IN_FLIGHT);
    r.books.set(0, 4_400, 5_300);
    const p = sent(r.core.onOutcome(c.requestId, accepted({ orderId: 'o1' }), T0 + 10), 'place');
    expect(p).toMatchObject({ side: 'ask', price: 4_400, count: 200, action: Action.SELL_YES, reduceOnly: true, timeInForce: 'immediate_or_cancel', exit: true, orderGroupId: '' });
    expect(r.core.exitDeferred(0)).toBe(false);
  });

  it('the exit follows a cancel answered 404 (the order was gone); a failed cancel drops it', () => {
    const r = rig();
    working(r, 'o1');
    fillYes(r, 200);
    const c = sent(r.core.exitPosition(0, T0 + 1), 'cancel');
    sent(r.core.onOutcome(c.requestId, { status: OutcomeStatus.REJECTED, code: 'not_found', httpStatus: 404 }, T0 + 2), 'place');

    const r2 = rig();
    working(r2, 'o2');
    fillYes(r2, 200);
    const c2 = sent(r2.core.exitPosition(0, T0 + 1), 'cancel');
    expect(r2.core.onOutcome(c2.requestId, { status: OutcomeStatus.REJECTED, code: 'market_closed', httpStatus: 409 }, T0 + 2)).toBeUndefined();
    expect(r2.core.exitDeferred(0)).toBe(false);
    expect(r2.core.working.workingOrder(0)?.orderId).toBe('o2');
  });

  it('denials: FLAT with nothing held, IN_FLIGHT while a request is out, NO_PRICE without a readable bid, UNKNOWN_MARKET', () => {
    const r = rig();
    deniedWith(r.core.exitPosition(0, T0), DenyReason.FLAT);
    fillYes(r, 300);
    sent(r.core.onIntent(0, Action.BUY_YES, T0), 'place'); // an opening in flight
    deniedWith(r.core.exitPosition(0, T0), DenyReason.IN_FLIGHT);
    fillNo(r, 100, 1);
    r.books.set(1, 3_000, 6_800, true);
    deniedWith(r.core.exitPosition(1, T0), DenyReason.NO_PRICE);
    r.books.set(1, 3_000, NONE); // long NO exits at the YES ask = 1 − NO bid: none
    deniedWith(r.core.exitPosition(1, T0), DenyReason.NO_PRICE);
    deniedWith(r.core.exitPosition(3, T0), DenyReason.UNKNOWN_MARKET);
    deniedWith(r.core.exitPosition(99, T0), DenyReason.UNKNOWN_MARKET);
  });

  it('bypasses the trading state (HALTED, REDUCING, a HALTED market) and the throttle, not the breaker', () => {
    const r = rig({ throttleMs: 250 });
    fillYes(r, 300);
    fillNo(r, 100, 1);
    const p = sent(r.core.onIntent(0, Action.SELL_YES, T0), 'place');
    r.core.onOutcome(p.requestId, accepted({ orderId: 'c1', remaining: 0, filled: 0 }), T0 + 1);
    r.core.setTradingState(TradingState.HALTED, T0 + 2);
    deniedWith(r.core.onIntent(0, Action.SELL_YES, T0 + 300), DenyReason.NOT_TRADING);
    sent(r.core.exitPosition(0, T0 + 3), 'place'); // 3 ms after the last order: the throttle does not apply
    r.core.setMarketTradingState(1, MarketTradingState.HALTED, T0);
    expect(sent(r.core.exitPosition(1, T0 + 3), 'place')).toMatchObject({ side: 'bid', count: 100 });

    const b = rig({ breaker: { threshold: 1, cooldownMs: 300_000 } });
    const q = sent(b.core.onIntent(0, Action.BUY_YES, T0), 'place');
    b.core.onOutcome(q.requestId, { status: OutcomeStatus.REJECTED, code: 'invalid_price', httpStatus: 400 }, T0 + 1);
    fillYes(b, 300);
    b.core.setTradingState(TradingState.REDUCING, T0);
    deniedWith(b.core.exitPosition(0, T0 + 2), DenyReason.BREAKER_OPEN);
    sent(b.core.exitPosition(0, T0 + 300_001), 'place'); // the half-open trial
  });

  it('a TRIGGERED order group does not block an exit (sent without a group)', () => {
    const r = rig({ groups: { mode: 'session' } });
    const g = sent(r.core.onIntent(0, Action.BUY_YES, T0), 'create_group');
    const p = sent(r.core.onOutcome(g.requestId, accepted({ orderGroupId: 'og_1' }), T0), 'place');
    expect(p.orderGroupId).toBe('og_1');
    r.core.onOutcome(p.requestId, accepted({ orderId: 'o1', remaining: 0, filled: 500 }), T0 + 1);
    fillYes(r, 500);
    r.core.onGroupEvent('triggered', 'og_1', T0 + 2);
    deniedWith(r.core.onIntent(0, Action.SELL_YES, T0 + 1_000), DenyReason.GROUP_TRIGGERED);
    expect(sent(r.core.exitPosition(0, T0 + 1_000), 'place')).toMatchObject({ orderGroupId: '', count: 500, reduceOnly: true, exit: true });
  });

  it('supersedes an intent waiting for its group: the group created, nothing more is sent', () => {
    const r = rig({ groups: { mode: 'session' } });
    fillYes(r, 300);
    const g = sent(r.core.onIntent(0, Action.BUY_YES, T0), 'create_group');
    sent(r.core.exitPosition(0, T0 + 1), 'place');
    expect(r.core.onOutcome(g.requestId, accepted({ orderGroupId: 'og_1' }), T0 + 2)).toBeUndefined();
    expect(r.core.groups.idFor(0)).toBe('og_1');
  });
});

describe('ExecutionCore: group resets now (resetGroupsNow)', () => {
  it('resets every triggered group at once, whatever the cool-down and autoReset; poll does not reset while HALTED', () => {
    const r = rig({ groups: { mode: 'market', autoReset: true, resetCooldownMs: 1_000 } });
    for (const m of [0, 1]) {
      const g = sent(r.core.onIntent(m, Action.BUY_YES, T0), 'create_group');
      r.core.onOutcome(g.requestId, accepted({ orderGroupId: `og_${m}` }), T0);
    }
    r.core.setTradingState(TradingState.HALTED, T0);
    r.core.onGroupEvent('triggered', 'og_0', T0 + 1);
    r.core.onGroupEvent('triggered', 'og_1', T0 + 1);
    expect(r.core.poll(T0 + 60_000).filter((x) => x.kind === 'reset_group')).toEqual([]); // the kill switch's triggers stay
    const resets = r.core.resetGroupsNow();
    expect(resets.map((x) => x.kind === 'reset_group' && x.orderGroupId).sort()).toEqual(['og_0', 'og_1']);
    expect(r.core.resetGroupsNow()).toEqual([]); // already resetting
    for (const x of resets) r.core.onOutcome(x.requestId, accepted(), T0 + 60_010);
    expect([r.core.groups.gate(0), r.core.groups.gate(1)]).toEqual([1, 1]); // READY
    expect(r.core.groups.list().map((g) => g.status)).toEqual([2, 2]); // ACTIVE

    const manual = rig({ groups: { mode: 'session', autoReset: false } });
    const g = sent(manual.core.onIntent(0, Action.BUY_YES, T0), 'create_group');
    manual.core.onOutcome(g.requestId, accepted({ orderGroupId: 'og_s' }), T0);
    manual.core.onGroupEvent('triggered', 'og_s', T0 + 1);
    expect(manual.core.poll(T0 + 3_600_000).filter((x) => x.kind === 'reset_group')).toEqual([]);
    expect(manual.core.resetGroupsNow()).toMatchObject([{ kind: 'reset_group', orderGroupId: 'og_s', groupKey: SESSION_GROUP }]);
  });
});
