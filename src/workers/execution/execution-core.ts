/**
 * The execution thread's decision logic (architecture.md §1, §4), thread-agnostic: no I/O, no
 * timers, time passed in as ms. The thread (or the inline topology) feeds it intents, request
 * outcomes and private-channel events, sends what it returns, and calls `poll` periodically.
 *
 * onIntent(market, action, now):
 *   trading-state gate (account × market: all / closings only / nothing; an UNKNOWN outcome
 *   makes the market closings-only) → throttle (250 ms) → one request in flight per market →
 *   breaker → size (opening: 5 contracts within the position limit; closing: capped at the
 *   position) → price by mode, snapped to the grid → cash reserve and exposure (openings only)
 *   → working-order plan (place / amend / cancel-then-place / nothing) → order group →
 *   client_order_id → SEND.
 * Openings vs closings: with netting, an order is a closing when its wire side reduces what is
 * held (limits.ts). While a request's outcome is UNKNOWN the market is "reduced": openings are
 * refused, and a closing goes out as an aggressive immediate_or_cancel reduce_only order, which
 * can neither rest beside the order we are unsure of nor flip the position.
 *
 * Order style per mode: aggressive → immediate_or_cancel (takes what is there, never rests;
 * reduce_only on closings); passive and mid → good_till_canceled + post_only (they are priced
 * not to cross; if the book moved, the exchange refuses with post_only_cross, which is a market
 * outcome, not an error for the breaker).
 *
 * Follow-ups: cancel-then-place and create-group-then-place defer the intent's action; when the
 * first request succeeds, `onOutcome` returns the second decision, re-priced on the book of that
 * moment (the throttle was paid by the first request).
 *
 * Exits (`exitPosition`, the supervisor's and the kill switch's): the whole position out at once —
 * an aggressive immediate_or_cancel reduce_only order for |position| (not capped by the order
 * size or the limits: reduce_only cannot flip it, and the exchange caps it at what is held),
 * SELL_YES when long YES, SELL_NO when long NO. Only the breaker and the one-request-per-market
 * rule apply: no throttle, no trading-state gate (exits must work while REDUCING, RECOVERING and
 * HALTED), and no order group (a triggered group must not block an exit). A working order is
 * cancelled first (it could claim the position an exit reduces), the exit deferred behind it
 * under its own marker, so the follow-up is an exit again, priced on the book of that moment.
 *
 * Order groups: a triggered group is reset by `poll` after its cool-down (when `autoReset`),
 * except while the account is HALTED — the kill switch triggers the groups and they stay
 * triggered until it is cleared; `resetGroupsNow` resets every triggered group at once.
 *
 * Every change is published to the PositionBoard (this thread is its single writer): the market
 * record after each market change, the account record after cash changes.
 */
import { NONE } from '../../shared/book-layout.js';
import { emptyBookTop, type BookTop } from '../../shared/book-store.js';
import { notional } from '../../shared/fixed-point.js';
import type { PositionBoardWriter } from '../../shared/position-board.js';
import {
  MarketTradingState,
  TradingState,
  WorkingSide,
  type AccountState,
  type MarketPosition,
} from '../../shared/position-records.js';
import type { PriceGrid } from '../../shared/price-grid.js';
import { Action, closingAction, isAction } from '../../shared/policy/actions.js';
import { Breakers, type BreakerOptions } from './breaker.js';
import { ClientOrderIds } from './client-order-id.js';
import { Ledger, type LedgerFill } from './ledger.js';
import { checkOpening, DenyReason, heldAgainst, isClosing, limitsConfig, openingCost, orderCount, type LimitsConfig } from './limits.js';
import { GroupGate, GroupStatus, OrderGroups, type GroupEventType, type OrderGroupConfig } from './order-groups.js';
import { limitYesPrice, paidPrice, wireSideOf, type PricingMode } from './pricing.js';
import { denied, type CancelRequest, type Decision, type PlaceRequest, type SendRequest, type TimeInForce } from './requests.js';
import { Throttle } from './throttle.js';
import {
  OrderPlan,
  OutcomeStatus,
  UpdateEffect,
  WorkingOrders,
  isNotFound,
  type OrderUpdate,
  type PendingRequest,
  type RequestOutcome,
} from './working-orders.js';

/** Reads the top of a market's book (BookStore satisfies it). False: no consistent read. */
export interface BookReader {
  readTop(market: number, out: BookTop): boolean;
}

export interface ExecutionCoreOptions {
  /** Market slots 0..capacity−1 (≤ the board's capacity). */
  capacity: number;
  /** This session's id (client-order-id.ts), 1..12 of [A-Za-z0-9]. */
  sessionId: string;
  books: BookReader;
  board: PositionBoardWriter;
  mode?: PricingMode;
  throttleMs?: number;
  limits?: Partial<LimitsConfig>;
  breaker?: BreakerOptions;
  groups?: Partial<OrderGroupConfig>;
  /** ms after an UNKNOWN outcome (and between retries) before the order is looked up (default 1000). */
  lookupDelayMs?: number;
  /** Exchange error codes that are market outcomes, not errors, for the breaker. */
  benignRejections?: readonly string[];
  /** Initial account trading state (default BOOTING: nothing is sent until the supervisor says TRADING). */
  tradingState?: TradingState;
}

/** The answer to any request, as the I/O layer reports it. */
export interface Outcome extends RequestOutcome {
  /** create_group: the new group's id. */
  orderGroupId?: string;
}

/** A fill of one of our orders (WS `fill` or a REST fill), in exact units. */
export interface ExecFill extends LedgerFill {
  clientOrderId?: string;
  /** `post_position_fp`, when the source carries it: checked against the ledger. */
  postPosition?: number;
}

export const DEFAULT_BENIGN_REJECTIONS: readonly string[] = ['post_only_cross', 'exceeded_order_group_risk_limit', 'order_already_exists'];

/** `deferred` marker of an exit waiting for the cancel of the working order (not an Action: those are 1..4). */
const DEFERRED_EXIT = 255;

/** Trading permission of a gate: nothing, closings only, everything. */
const ALLOW_NONE = 0;
const ALLOW_CLOSINGS = 1;
const ALLOW_ALL = 2;

function accountAllows(s: TradingState): number {
  if (s === TradingState.TRADING) return ALLOW_ALL;
  if (s === TradingState.REDUCING || s === TradingState.RECOVERING) return ALLOW_CLOSINGS;
  return ALLOW_NONE;
}

function marketAllows(s: MarketTradingState): number {
  if (s === MarketTradingState.ACTIVE) return ALLOW_ALL;
  if (s === MarketTradingState.REDUCING) return ALLOW_CLOSINGS;
  return ALLOW_NONE;
}

interface GroupPendingOp {
  kind: 'create_group' | 'reset_group';
  key: number;
  groupId: string;
  /** The market whose intent waits for the group (−1: none). */
  market: number;
}

export class ExecutionCore {
  readonly capacity: number;
  readonly mode: PricingMode;
  readonly limits: LimitsConfig;
  readonly ledger: Ledger;
  readonly throttle: Throttle;
  readonly breakers: Breakers;
  readonly groups: OrderGroups;
  readonly working: WorkingOrders;
  readonly ids: ClientOrderIds;
  /** Fills whose `post_position` disagreed with the ledger (a drift signal for the supervisor). */
  positionMismatches = 0;

  private readonly books: BookReader;
  private readonly board: PositionBoardWriter;
  private readonly lookupDelayMs: number;
  private readonly benign: ReadonlySet<string>;
  private readonly tickers: string[];
  private readonly grids: (PriceGrid | undefined)[];
  private readonly marketState: Uint8Array;
  /** Action waiting for a cancel / group creation to finish (0: none; DEFERRED_EXIT: an exit behind a cancel). */
  private readonly deferred: Uint8Array;
  /** µ$ of cash held by the market's working (or in-flight) opening. */
  private readonly reserve: Float64Array;
  private totalReserve = 0;
  private readonly lookupInFlight: Uint8Array;
  private readonly lastLookupMs: Float64Array;
  private tradingState: TradingState;
  private nextRequestId = 1;
  private readonly requests = new Map<number, SendRequest>();
  private readonly groupOps = new Map<number, GroupPendingOp>();
  private readonly top: BookTop = emptyBookTop();
  private readonly record: MarketPosition = {
    position: 0, costBasis: 0, realizedPnl: 0, feesPaid: 0, workingSide: WorkingSide.NONE, workingPrice: 0,
    workingRemaining: 0, workingOrderCount: 0, lastOrderAtMs: 0, positionOpenedAtMs: 0, breakerState: 0,
    breakerErrorCount: 0, tradingState: MarketTradingState.INACTIVE,
  };
  private readonly account: AccountState = {
    cash: 0, cashReserve: 0, portfolioValue: 0, invested: 0, recouped: 0, sessionStartCash: 0,
    sessionStartPortfolioValue: 0, tradingState: TradingState.BOOTING, updatedAtMs: 0,
  };

  constructor(o: ExecutionCoreOptions) {
    const n = o.capacity;
    if (!Number.isInteger(n) || n < 1 || n > o.board.board.capacity) {
      throw new RangeError(`capacity must be an integer in 1..${o.board.board.capacity} (the board's), got ${n}`);
    }
    this.capacity = n;
    this.mode = o.mode ?? 'passive';
    this.limits = limitsConfig(o.limits);
    this.ledger = new Ledger(n);
    this.throttle = new Throttle(n, o.throttleMs);
    this.breakers = new Breakers(n, o.breaker);
    this.groups = new OrderGroups(o.groups);
    this.ids = new ClientOrderIds(o.sessionId);
    const prefix = `${o.sessionId}-`;
    this.working = new WorkingOrders(n, (cid) => cid.startsWith(prefix));
    this.books = o.books;
    this.board = o.board;
    this.lookupDelayMs = o.lookupDelayMs ?? 1_000;
    this.benign = new Set(o.benignRejections ?? DEFAULT_BENIGN_REJECTIONS);
    this.tickers = new Array<string>(n).fill('');
    this.grids = new Array<PriceGrid | undefined>(n).fill(undefined);
    this.marketState = new Uint8Array(n);
    this.deferred = new Uint8Array(n);
    this.reserve = new Float64Array(n);
    this.lookupInFlight = new Uint8Array(n);
    this.lastLookupMs = new Float64Array(n);
    this.tradingState = o.tradingState ?? TradingState.BOOTING;
    this.account.cashReserve = this.limits.cashReserve;
  }

  // ------------------------------------------------------------------ configuration (cold)

  /** Registers market slot `market`; trading in it starts in `state` (default ACTIVE). */
  addMarket(market: number, ticker: string, grid: PriceGrid, state: MarketTradingState = MarketTradingState.ACTIVE, nowMs = 0): void {
    this.checkMarket(market);
    if (typeof ticker !== 'string' || ticker.length === 0) throw new RangeError('ticker must be a non-empty string');
    this.tickers[market] = ticker;
    this.grids[market] = grid;
    this.marketState[market] = state;
    this.publishMarket(market, nowMs);
  }

  /** A new price grid for a market (`price_level_structure_updated`). */
  setGrid(market: number, grid: PriceGrid): void {
    this.checkMarket(market);
    this.grids[market] = grid;
  }

  setMarketTradingState(market: number, state: MarketTradingState, nowMs: number): void {
    this.checkMarket(market);
    this.marketState[market] = state;
    this.publishMarket(market, nowMs);
  }

  setTradingState(state: TradingState, nowMs: number): void {
    this.tradingState = state;
    this.publishAccount(nowMs);
  }

  getTradingState(): TradingState {
    return this.tradingState;
  }

  /** Session start (calibration): the exchange's cash and portfolio value. */
  startSession(cash: number, portfolioValue: number, nowMs: number): void {
    this.ledger.startSession(cash, portfolioValue);
    this.publishAccount(nowMs);
  }

  tickerOf(market: number): string {
    return this.tickers[market];
  }

  // ------------------------------------------------------------------ intents (hot)

  /** The decision for one intent (see the header). DENIED decisions are shared frozen objects. */
  onIntent(market: number, action: number, nowMs: number): Decision {
    if (!isAction(action) || action === Action.HOLD) return denied(DenyReason.NOT_AN_ORDER);
    if (!(market >>> 0 === market && market < this.capacity) || this.grids[market] === undefined) return denied(DenyReason.UNKNOWN_MARKET);
    return this.decide(market, action, nowMs, false);
  }

  private decide(market: number, action: Action, nowMs: number, followUp: boolean): Decision {
    const side = wireSideOf(action);
    const q = this.ledger.position[market];
    const closing = isClosing(side, q);
    const acct = accountAllows(this.tradingState);
    const mkt = marketAllows(this.marketState[market] as MarketTradingState);
    const allowed = acct < mkt ? acct : mkt;
    if (allowed === ALLOW_NONE) return denied(DenyReason.NOT_TRADING);
    const reduced = this.working.isReduced(market);
    if (!closing && (allowed === ALLOW_CLOSINGS || reduced)) return denied(DenyReason.REDUCING_ONLY);
    if (!followUp && !this.throttle.allows(market, nowMs)) return denied(DenyReason.THROTTLED);
    if (this.working.inFlight(market) !== undefined) return denied(DenyReason.IN_FLIGHT);
    if (!this.breakers.allows(market, nowMs)) return denied(DenyReason.BREAKER_OPEN);

    const count = orderCount(action, side, q, this.limits);
    if (count < 0) return denied(-count as DenyReason);
    const top = this.top;
    const mode: PricingMode = reduced ? 'aggressive' : this.mode;
    if (!this.books.readTop(market, top)) return denied(DenyReason.NO_PRICE);
    const price = limitYesPrice(action, mode, top, this.grids[market]!);
    if (price < 0) return denied(DenyReason.NO_PRICE);

    if (!closing) {
      const cost = openingCost(side, price, count, this.limits.feeRate);
      const own = this.reserve[market]; // this market's working opening is replaced, not added to
      const verdict = checkOpening(cost, this.ledger.cash - this.totalReserve + own, this.ledger.totalCostBasis + this.totalReserve - own, this.limits);
      if (verdict !== 0) return denied(verdict);
    }

    // An UNKNOWN order may be resting: only an order that cannot rest may go beside it.
    const plan = reduced ? OrderPlan.PLACE : this.working.plan(market, side, price, count);
    if (plan === OrderPlan.NONE) return denied(DenyReason.ALREADY_WORKING);
    const w = this.working.workingOrder(market);
    if (plan === OrderPlan.CANCEL_THEN_PLACE) {
      const d = this.sendCancel(market, w!.orderId, w!.clientOrderId, false, nowMs);
      this.deferred[market] = action;
      return d;
    }

    const gate = this.groups.gate(market);
    if (gate === GroupGate.TRIGGERED) return denied(DenyReason.GROUP_TRIGGERED);
    if (gate === GroupGate.PENDING) return denied(DenyReason.GROUP_PENDING);
    if (gate === GroupGate.CREATE) {
      const key = this.groups.keyOf(market);
      this.groups.beginCreate(key);
      const requestId = this.nextRequestId++;
      this.groupOps.set(requestId, { kind: 'create_group', key, groupId: '', market });
      this.deferred[market] = action;
      this.throttle.record(market, nowMs);
      const request: SendRequest = { kind: 'create_group', requestId, groupKey: key, contractsLimit: this.groups.config.contractsLimit };
      this.requests.set(requestId, request);
      return { kind: 'SEND', request };
    }

    const ticker = this.tickers[market];
    const wireSide = side === WorkingSide.BID ? 'bid' : 'ask';
    if (!this.breakers.tryAcquire(market, nowMs)) return denied(DenyReason.BREAKER_OPEN);
    const requestId = this.nextRequestId++;
    const clientOrderId = this.ids.next(ticker);
    let request: SendRequest;
    if (plan === OrderPlan.AMEND) {
      request = {
        kind: 'amend', requestId, market, ticker, orderId: w!.orderId, side: wireSide, price,
        count: w!.filled + count, clientOrderId: w!.clientOrderId, updatedClientOrderId: clientOrderId, action, closing,
      };
      this.working.begin(market, pending('amend', requestId, clientOrderId, w!.orderId, side, price, count, false, nowMs));
    } else {
      const ioc = mode === 'aggressive';
      const tif: TimeInForce = ioc ? 'immediate_or_cancel' : 'good_till_canceled';
      const place: PlaceRequest = {
        kind: 'place', requestId, market, ticker, clientOrderId, side: wireSide, price, count, timeInForce: tif,
        postOnly: !ioc, reduceOnly: ioc && closing, orderGroupId: this.groups.idFor(market), action, closing,
      };
      request = place;
      this.working.begin(market, pending('place', requestId, clientOrderId, '', side, price, count, ioc, nowMs));
    }
    this.requests.set(requestId, request);
    this.throttle.record(market, nowMs);
    this.refreshReserve(market, nowMs);
    this.publishMarket(market, nowMs);
    return { kind: 'SEND', request };
  }

  // ------------------------------------------------------------------ exits (cold)

  /**
   * An immediately marketable exit of the whole position in `market` (see the header): SEND of
   * the exit place, or of the cancel of the working order with the exit deferred behind it.
   * DENIED: UNKNOWN_MARKET, FLAT (nothing held), IN_FLIGHT (a request for the market is out: ask
   * again when it is answered), NO_PRICE (no readable bid for the outcome held), BREAKER_OPEN.
   * Supersedes an intent waiting for a cancel or a group creation in that market.
   */
  exitPosition(market: number, nowMs: number): Decision {
    if (!(market >>> 0 === market && market < this.capacity) || this.grids[market] === undefined) return denied(DenyReason.UNKNOWN_MARKET);
    if (this.ledger.position[market] === 0) return denied(DenyReason.FLAT);
    if (this.working.inFlight(market) !== undefined) return denied(DenyReason.IN_FLIGHT);
    this.deferred[market] = 0;
    const w = this.working.workingOrder(market);
    if (w !== undefined && w.remaining > 0) {
      const d = this.sendCancel(market, w.orderId, w.clientOrderId, false, nowMs);
      this.deferred[market] = DEFERRED_EXIT;
      return d;
    }
    return this.placeExit(market, nowMs);
  }

  /** True while an exit waits for the cancel of `market`'s working order. */
  exitDeferred(market: number): boolean {
    return this.deferred[market] === DEFERRED_EXIT;
  }

  private placeExit(market: number, nowMs: number): Decision {
    const q = this.ledger.position[market];
    if (q === 0) return denied(DenyReason.FLAT);
    const action = closingAction(q);
    const top = this.top;
    if (!this.books.readTop(market, top)) return denied(DenyReason.NO_PRICE);
    const price = limitYesPrice(action, 'aggressive', top, this.grids[market]!);
    if (price < 0) return denied(DenyReason.NO_PRICE);
    if (!this.breakers.tryAcquire(market, nowMs)) return denied(DenyReason.BREAKER_OPEN);
    const side = wireSideOf(action);
    const count = q > 0 ? q : -q;
    const requestId = this.nextRequestId++;
    const clientOrderId = this.ids.next(this.tickers[market]);
    const request: PlaceRequest = {
      kind: 'place', requestId, market, ticker: this.tickers[market], clientOrderId, side: side === WorkingSide.BID ? 'bid' : 'ask', price, count,
      timeInForce: 'immediate_or_cancel', postOnly: false, reduceOnly: true, orderGroupId: '', action, closing: true, exit: true,
    };
    this.working.begin(market, pending('place', requestId, clientOrderId, '', side, price, count, true, nowMs));
    this.requests.set(requestId, request);
    this.throttle.record(market, nowMs);
    this.refreshReserve(market, nowMs);
    this.publishMarket(market, nowMs);
    return { kind: 'SEND', request };
  }

  /** Cancel the working order of `market` now (kill switch, closing market): bypasses throttle and trading state. */
  cancelWorking(market: number, nowMs: number): Decision {
    this.checkMarket(market);
    this.deferred[market] = 0;
    if (this.working.inFlight(market) !== undefined) return denied(DenyReason.IN_FLIGHT);
    const w = this.working.workingOrder(market);
    if (w === undefined) return denied(DenyReason.ALREADY_WORKING);
    return this.sendCancel(market, w.orderId, w.clientOrderId, false, nowMs);
  }

  private sendCancel(market: number, orderId: string, clientOrderId: string, stray: boolean, nowMs: number): Decision {
    const requestId = this.nextRequestId++;
    const request: CancelRequest = { kind: 'cancel', requestId, market, ticker: this.tickers[market], orderId, clientOrderId, stray };
    this.working.begin(market, pending('cancel', requestId, clientOrderId, orderId, WorkingSide.NONE, 0, 0, false, nowMs));
    this.requests.set(requestId, request);
    if (!stray) this.throttle.record(market, nowMs);
    this.publishMarket(market, nowMs);
    return { kind: 'SEND', request };
  }

  // ------------------------------------------------------------------ outcomes

  /**
   * The answer to request `requestId`. Returns a follow-up decision (the deferred place after a
   * cancel or a group creation), or undefined. Unknown ids (late duplicates) are ignored.
   */
  onOutcome(requestId: number, outcome: Outcome, nowMs: number): Decision | undefined {
    const req = this.requests.get(requestId);
    if (req === undefined) return undefined;
    this.requests.delete(requestId);
    switch (req.kind) {
      case 'place':
      case 'amend':
      case 'cancel':
        return this.orderOutcome(req, outcome, nowMs);
      case 'create_group':
      case 'reset_group':
        return this.groupOutcome(requestId, outcome, nowMs);
      case 'lookup':
        // Lookups answer through onLookupResult; an outcome here is a failed lookup: retry later.
        this.lookupInFlight[req.market] = 0;
        return undefined;
    }
  }

  private orderOutcome(req: Extract<SendRequest, { kind: 'place' | 'amend' | 'cancel' }>, outcome: Outcome, nowMs: number): Decision | undefined {
    const market = req.market;
    const code = outcome.code ?? '';
    // Our deterministic id already exists: an earlier send of this very request got through
    // (a restart replaying the journal). Not a refusal: find the order, like an UNKNOWN.
    if (req.kind === 'place' && outcome.status === OutcomeStatus.REJECTED && code === 'order_already_exists') {
      outcome = { ...outcome, status: OutcomeStatus.UNKNOWN };
    }
    const done = this.working.complete(market, req.requestId, outcome, nowMs);
    if (done === undefined) return undefined;
    const status = outcome.status;
    const notFound = status === OutcomeStatus.REJECTED && isNotFound(outcome);
    // A 404 on amend / cancel is a race with a fill or a cancel, not a fault.
    if (status === OutcomeStatus.NOT_SENT) this.breakers.release(market); // no verdict either way
    else if (status === OutcomeStatus.ACCEPTED || this.benign.has(code) || (notFound && req.kind !== 'place')) this.breakers.onSuccess(market);
    else this.breakers.onError(market, nowMs);
    if (req.kind === 'place' && status === OutcomeStatus.REJECTED && req.orderGroupId !== '') this.groups.onOrderRefused(req.orderGroupId, code, nowMs);
    const gone = status === OutcomeStatus.ACCEPTED || notFound;
    if (req.kind === 'cancel' && gone) this.working.dropStray(market, req.orderId);
    this.refreshReserve(market, nowMs);
    this.publishMarket(market, nowMs);

    const action = this.deferred[market];
    if (action === 0 || req.kind !== 'cancel' || req.stray) return undefined;
    this.deferred[market] = 0;
    if (!gone) return undefined; // the cancel failed or is unknown: the flip (or exit) waits for a fresh request
    if (action === DEFERRED_EXIT) return this.placeExit(market, nowMs);
    return this.decide(market, action as Action, nowMs, true);
  }

  private groupOutcome(requestId: number, outcome: Outcome, nowMs: number): Decision | undefined {
    const op = this.groupOps.get(requestId);
    if (op === undefined) return undefined;
    this.groupOps.delete(requestId);
    const ok = outcome.status === OutcomeStatus.ACCEPTED;
    if (op.kind === 'reset_group') {
      if (outcome.status === OutcomeStatus.REJECTED && (outcome.httpStatus === 404 || outcome.code === 'order_group_not_found')) {
        this.groups.onNotFound(op.groupId);
      } else {
        this.groups.onResetDone(op.key, ok, nowMs);
      }
      return undefined;
    }
    if (ok && outcome.orderGroupId !== undefined && outcome.orderGroupId !== '') this.groups.onCreated(op.key, outcome.orderGroupId);
    else this.groups.onCreateFailed(op.key);
    const market = op.market;
    if (market < 0) return undefined;
    const action = this.deferred[market];
    if (action === DEFERRED_EXIT) return undefined; // an exit superseded the intent: it waits for its cancel
    this.deferred[market] = 0;
    if (action === 0 || !ok) return undefined;
    return this.decide(market, action as Action, nowMs, true);
  }

  /**
   * The answer to a lookup: the order as the exchange has it, or null when it does not exist
   * (proven absent). Resolves the market's UNKNOWN request.
   */
  onLookupResult(requestId: number, found: OrderUpdate | null, nowMs: number): void {
    const req = this.requests.get(requestId);
    if (req === undefined || req.kind !== 'lookup') return;
    this.requests.delete(requestId);
    const market = req.market;
    this.lookupInFlight[market] = 0;
    const un = this.working.unresolvedRequest(market);
    if (un === undefined || un.clientOrderId !== req.clientOrderId) return; // resolved meanwhile
    if (found === null) this.working.resolveAbsent(market);
    else if (this.working.onOrderUpdate(market, found) !== UpdateEffect.RESOLVED) this.working.resolveAbsent(market);
    this.refreshReserve(market, nowMs);
    this.publishMarket(market, nowMs);
  }

  // ------------------------------------------------------------------ private channels

  /** A fill of ours (WS or REST; duplicates are ignored). Returns whether it changed the books. */
  onFill(fill: ExecFill, nowMs: number): boolean {
    if (!this.ledger.applyFill(fill)) return false;
    const market = fill.market;
    if (fill.postPosition !== undefined && fill.postPosition !== this.ledger.position[market]) this.positionMismatches++;
    this.refreshReserve(market, nowMs);
    this.publishMarket(market, nowMs);
    this.publishAccount(nowMs);
    return true;
  }

  /** A `user_order` update of one of the account's orders in `market`. */
  onUserOrder(market: number, update: OrderUpdate, nowMs: number): UpdateEffect {
    this.checkMarket(market);
    const effect = this.working.onOrderUpdate(market, update);
    this.refreshReserve(market, nowMs);
    this.publishMarket(market, nowMs);
    return effect;
  }

  /** An `order_group_updates` event. */
  onGroupEvent(type: GroupEventType, orderGroupId: string, nowMs: number, limit?: number): boolean {
    return this.groups.onEvent(type, orderGroupId, nowMs, limit);
  }

  /** A market settled at `result`: winning contracts pay $1, the basis is released. Returns the revenue, µ$. */
  onSettlement(market: number, result: 'yes' | 'no', nowMs: number): number {
    const revenue = this.ledger.applySettlement(market, result);
    this.refreshReserve(market, nowMs);
    this.publishMarket(market, nowMs);
    this.publishAccount(nowMs);
    return revenue;
  }

  // ------------------------------------------------------------------ periodic

  /**
   * Time-driven requests: order-group resets whose cool-down has elapsed (none while the account
   * is HALTED: see the header), lookups of UNKNOWN requests, cancels of stray orders. Call every
   * few hundred ms.
   */
  poll(nowMs: number): SendRequest[] {
    const out: SendRequest[] = [];
    if (this.tradingState !== TradingState.HALTED) for (const key of this.groups.dueResets(nowMs)) out.push(this.resetRequest(key));
    for (const market of this.working.unresolvedMarkets) {
      if (this.lookupInFlight[market] !== 0) continue;
      const since = Math.max(this.working.unresolvedSinceMs(market), this.lastLookupMs[market]);
      if (nowMs - since < this.lookupDelayMs) continue;
      const un = this.working.unresolvedRequest(market)!;
      const requestId = this.nextRequestId++;
      const request: SendRequest = { kind: 'lookup', requestId, market, ticker: this.tickers[market], clientOrderId: un.clientOrderId, orderId: un.orderId };
      this.requests.set(requestId, request);
      this.lookupInFlight[market] = 1;
      this.lastLookupMs[market] = nowMs;
      out.push(request);
    }
    for (const market of [...this.working.strayMarkets()]) {
      if (this.working.inFlight(market) !== undefined) continue;
      const orderId = this.working.straysOf(market)[0];
      const d = this.sendCancel(market, orderId, '', true, nowMs);
      if (d.kind === 'SEND') out.push(d.request);
    }
    return out;
  }

  /**
   * Reset requests for every TRIGGERED group now, whatever its cool-down, the `autoReset`
   * setting or the trading state (the kill switch cleared; the supervisor's call). Their
   * outcomes come back through `onOutcome` like the automatic ones.
   */
  resetGroupsNow(): SendRequest[] {
    return this.groups.triggeredKeys().map((key) => this.resetRequest(key));
  }

  /** A reset request for the group `id` now, if it is TRIGGERED (an operator's reset); undefined otherwise. */
  resetGroupNow(id: string): SendRequest | undefined {
    const key = this.groups.keyOfId(id);
    if (key === undefined || this.groups.statusOf(key) !== GroupStatus.TRIGGERED) return undefined;
    return this.resetRequest(key);
  }

  private resetRequest(key: number): SendRequest {
    const groupId = this.groups.beginReset(key);
    const requestId = this.nextRequestId++;
    this.groupOps.set(requestId, { kind: 'reset_group', key, groupId, market: -1 });
    const request: SendRequest = { kind: 'reset_group', requestId, groupKey: key, orderGroupId: groupId };
    this.requests.set(requestId, request);
    return request;
  }

  /** Requests sent and not yet answered. */
  outstanding(): number {
    return this.requests.size;
  }

  // ------------------------------------------------------------------ publishing

  /**
   * Recomputes the µ$ of cash the market's working (or in-flight) opening holds at the exchange;
   * republishes the account's available cash when it changed.
   */
  private refreshReserve(market: number, nowMs: number): void {
    const q = this.ledger.position[market];
    let held = 0;
    const p = this.working.inFlight(market);
    if (p !== undefined && p.kind !== 'cancel') {
      if (!p.ioc) held = openingHold(p.side, p.price, p.count, q);
    } else {
      const w = this.working.workingOrder(market);
      if (w !== undefined) held = openingHold(w.side, w.price, w.remaining, q);
    }
    const before = this.reserve[market];
    if (held === before) return;
    this.totalReserve += held - before;
    this.reserve[market] = held;
    this.publishAccount(nowMs, false);
  }

  /** Writes the market's PositionBoard record. */
  publishMarket(market: number, nowMs: number): void {
    const r = this.record;
    const l = this.ledger;
    const w = this.working.workingOrder(market);
    r.position = l.position[market];
    r.costBasis = l.costBasis[market];
    r.realizedPnl = l.realizedPnl[market];
    r.feesPaid = l.feesPaid[market];
    r.workingSide = w === undefined ? WorkingSide.NONE : w.side;
    r.workingPrice = w === undefined ? 0 : w.price;
    r.workingRemaining = w === undefined ? 0 : w.remaining;
    r.workingOrderCount = (w === undefined ? 0 : 1) + this.working.straysOf(market).length;
    r.lastOrderAtMs = this.throttle.lastAt(market);
    r.positionOpenedAtMs = l.openedAtMs[market];
    r.breakerState = this.breakers.stateAt(market, nowMs);
    r.breakerErrorCount = this.breakers.errorCount(market);
    const state = this.marketState[market] as MarketTradingState;
    r.tradingState = state === MarketTradingState.ACTIVE && this.working.isReduced(market) ? MarketTradingState.REDUCING : state;
    this.board.writeMarket(market, r);
  }

  /**
   * Writes the account record. `revalue`: mark the open positions again at the best bid of the
   * outcome held (one book read per open position); otherwise the last marks are kept.
   */
  publishAccount(nowMs: number, revalue = true): void {
    const a = this.account;
    const l = this.ledger;
    a.cash = l.cash - this.totalReserve;
    a.cashReserve = this.limits.cashReserve;
    if (revalue) a.portfolioValue = this.portfolioValue();
    a.invested = l.invested;
    a.recouped = l.recouped;
    a.sessionStartCash = l.sessionStartCash;
    a.sessionStartPortfolioValue = l.sessionStartPortfolioValue;
    a.tradingState = this.tradingState;
    a.updatedAtMs = nowMs;
    this.board.writeAccount(a);
  }

  /** µ$: open positions at the best bid of the outcome held (0 where there is none or the book is unreadable). */
  portfolioValue(): number {
    let value = 0;
    const top = this.top;
    for (const m of this.ledger.openMarkets) {
      if (!this.books.readTop(m, top)) continue;
      const q = this.ledger.position[m];
      const bid = q > 0 ? top.yesBid : top.noBid;
      if (bid !== NONE && bid > 0) value += notional(bid, q > 0 ? q : -q);
    }
    return value;
  }

  private checkMarket(market: number): void {
    if (!Number.isInteger(market) || market < 0 || market >= this.capacity) {
      throw new RangeError(`market index must be an integer in 0..${this.capacity - 1}, got ${market}`);
    }
  }
}

/** µ$ an order on `side` at YES `price` for `count` holds: its opening part (beyond what it reduces) at the paid price. */
function openingHold(side: WorkingSide, price: number, count: number, position: number): number {
  const open = count - heldAgainst(side, position);
  return open > 0 ? notional(paidPrice(side, price), open) : 0;
}

function pending(
  kind: PendingRequest['kind'], requestId: number, clientOrderId: string, orderId: string,
  side: WorkingSide, price: number, count: number, ioc: boolean, sentAtMs: number,
): PendingRequest {
  return { kind, requestId, clientOrderId, orderId, side, price, count, ioc, sentAtMs };
}
