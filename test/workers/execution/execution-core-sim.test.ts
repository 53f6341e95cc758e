/**
 * ExecutionCore end to end against the simulator's engine (in process, manual clock): a random
 * policy's intents for account `alice`, the core's requests executed on the Exchange, its
 * fills / user_orders / order-group events fed back synchronously (so they arrive BEFORE the
 * REST answers, as they can on the wire), plus injected faults — requests lost (UNKNOWN, never
 * executed), executed but answered UNKNOWN, and NOT_SENT. `bob` makes the market.
 *
 * Invariants checked after every step: never two resting orders of alice in one market (no
 * stacking), |position| within the limit, the ledger equal to the engine to the µ$, the
 * PositionBoard equal to the ledger; at the end, after settlement, cash exact.
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../../src/shared/book-layout.js';
import type { BookTop } from '../../../src/shared/book-store.js';
import { PositionBoard } from '../../../src/shared/position-board.js';
import { createAccountView, createMarketPositionView, TradingState, WorkingSide } from '../../../src/shared/position-records.js';
import { ExecutionCore, type Outcome } from '../../../src/workers/execution/execution-core.js';
import type { PricingMode } from '../../../src/workers/execution/pricing.js';
import type { Decision, SendRequest } from '../../../src/workers/execution/requests.js';
import { OutcomeStatus, type OrderUpdate } from '../../../src/workers/execution/working-orders.js';
import { ExchangeError, type OrderState } from '../../../src/sim/engine/types.js';
import { CASH, CLOSE, marketSpec, reserved, setup, TICKER } from '../../sim/engine/helpers.js';
import { seededRandom as prng } from '../../../src/shared/kalshi/ws/backoff.js';


const toUpdate = (o: OrderState): OrderUpdate => ({
  orderId: o.orderId, clientOrderId: o.clientOrderId, side: o.side === 'bid' ? WorkingSide.BID : WorkingSide.ASK,
  price: o.price, status: o.status, remaining: o.remainingCount, filled: o.fillCount, tsMs: o.updatedMs,
});

const MAX_POSITION = 3_000;

function run(mode: PricingMode, seed: number) {
  const { ex, clock } = setup({ seed, feeType: 'quadratic_with_maker_fees' });
  const markets = [ex.market(TICKER)!, ex.addMarket(marketSpec('KXTEST-26JAN01-T60', { structure: 'tapered_deci_cent', fairValue: 8_700 }))];
  const board = PositionBoard.create(markets.length);
  const books = {
    readTop(market: number, out: BookTop): boolean {
      const y = ex.bestBid(market, 'yes');
      const n = ex.bestBid(market, 'no');
      out.yesBid = y?.[0] ?? NONE;
      out.yesBidSize = y?.[1] ?? 0;
      out.noBid = n?.[0] ?? NONE;
      out.noBidSize = n?.[1] ?? 0;
      out.stale = false;
      return true;
    },
  };
  const core = new ExecutionCore({
    capacity: markets.length, sessionId: `e2e${seed}`, books, board: board.claimWriter(), mode,
    limits: { maxPosition: MAX_POSITION }, groups: { mode: 'session', contractsLimit: 4_000, resetCooldownMs: 5_000 }, lookupDelayMs: 700,
  });
  for (const m of markets) core.addMarket(m.index, m.ticker, m.grid);
  core.startSession(CASH, 0, clock.now);
  core.setTradingState(TradingState.TRADING, clock.now);

  ex.addListener({
    fill: (a, f) => {
      if (a.id !== 'alice') return;
      core.onFill({ tradeId: f.tradeId, orderId: f.orderId, market: f.marketIndex, side: f.side, yesPrice: f.yesPrice, count: f.count, fee: f.fee, tsMs: f.tsMs, clientOrderId: f.clientOrderId, postPosition: f.postPosition }, clock.now);
    },
    order: (a, o) => {
      if (a.id === 'alice') core.onUserOrder(o.marketIndex, toUpdate(o), clock.now);
    },
    orderGroup: (a, g, type) => {
      if (a.id === 'alice') core.onGroupEvent(type, g.id, clock.now, g.limit);
    },
    lifecycle: (m, type) => {
      if (type === 'settled') core.onSettlement(m.index, m.result as 'yes' | 'no', clock.now);
    },
  });

  const rnd = prng(seed);
  const stats = { place: 0, amend: 0, cancel: 0, create_group: 0, reset_group: 0, lookup: 0, unknown: 0, lost: 0, notSent: 0, denied: new Map<number, number>() };
  const err = (e: unknown): Outcome => {
    if (!(e instanceof ExchangeError)) throw e;
    return { status: OutcomeStatus.REJECTED, code: e.code, httpStatus: e.status };
  };

  /** Executes one request on the engine; returns the core's follow-up decision, if any. */
  const perform = (req: SendRequest): Decision | undefined => {
    const now = clock.now;
    stats[req.kind]++;
    if (req.kind === 'lookup') {
      let found: OrderState | undefined;
      if (req.orderId !== '') {
        try {
          found = ex.getOrder('alice', req.orderId);
        } catch (e) {
          if (!(e instanceof ExchangeError)) throw e;
        }
      } else {
        found = ex.findByClientOrderId('alice', req.clientOrderId);
      }
      core.onLookupResult(req.requestId, found === undefined ? null : toUpdate(found), now);
      return undefined;
    }
    if (req.kind === 'place' || req.kind === 'amend' || req.kind === 'cancel') {
      const f = rnd();
      if (f < 0.03) {
        stats.lost++;
        return core.onOutcome(req.requestId, { status: OutcomeStatus.UNKNOWN, code: 'timeout' }, now); // never reached the exchange
      }
      if (f < 0.05) {
        stats.notSent++;
        return core.onOutcome(req.requestId, { status: OutcomeStatus.NOT_SENT }, now);
      }
    }
    let outcome: Outcome;
    try {
      switch (req.kind) {
        case 'place': {
          const r = ex.createOrder('alice', {
            ticker: req.ticker, side: req.side, price: req.price, count: req.count, timeInForce: req.timeInForce,
            selfTradePrevention: 'taker_at_cross', postOnly: req.postOnly, reduceOnly: req.reduceOnly, clientOrderId: req.clientOrderId,
            orderGroupId: req.orderGroupId === '' ? undefined : req.orderGroupId,
          });
          outcome = { status: OutcomeStatus.ACCEPTED, orderId: r.order.orderId, remaining: r.order.remainingCount, filled: r.order.fillCount, tsMs: r.order.updatedMs };
          break;
        }
        case 'amend': {
          const r = ex.amendOrder('alice', req.orderId, { ticker: req.ticker, side: req.side, price: req.price, count: req.count, updatedClientOrderId: req.updatedClientOrderId });
          const filled = r.fills.reduce((s, x) => s + x.count, 0);
          outcome = { status: OutcomeStatus.ACCEPTED, orderId: r.order.orderId, remaining: r.order.status === 'resting' ? r.order.remainingCount : 0, filled, tsMs: r.order.updatedMs };
          break;
        }
        case 'cancel': {
          const o = ex.cancelOrder('alice', req.orderId);
          outcome = { status: OutcomeStatus.ACCEPTED, orderId: o.orderId, tsMs: o.updatedMs };
          break;
        }
        case 'create_group':
          outcome = { status: OutcomeStatus.ACCEPTED, orderGroupId: ex.createOrderGroup('alice', req.contractsLimit).id };
          break;
        case 'reset_group':
          ex.resetOrderGroup('alice', req.orderGroupId);
          outcome = { status: OutcomeStatus.ACCEPTED };
          break;
      }
    } catch (e) {
      outcome = err(e);
    }
    if ((req.kind === 'place' || req.kind === 'amend' || req.kind === 'cancel') && rnd() < 0.03) {
      stats.unknown++;
      outcome = { status: OutcomeStatus.UNKNOWN, code: 'timeout' }; // executed, but the answer was lost
    }
    return core.onOutcome(req.requestId, outcome, now);
  };

  const execute = (d: Decision | undefined): void => {
    while (d !== undefined) {
      if (d.kind === 'DENIED') {
        stats.denied.set(d.reason, (stats.denied.get(d.reason) ?? 0) + 1);
        return;
      }
      d = perform(d.request);
    }
  };

  const mv = createMarketPositionView();
  const check = (): void => {
    const acct = ex.account('alice')!;
    for (const m of markets) {
      const resting = ex.listOrders('alice', { status: 'resting', ticker: m.ticker });
      expect(resting.length).toBeLessThanOrEqual(1);
      const p = acct.positions.get(m.index);
      const want = p === undefined ? [0, 0, 0, 0] : [p.position, p.exposure, p.realizedPnl, p.feesPaid];
      const l = core.ledger;
      expect([l.position[m.index], l.costBasis[m.index], l.realizedPnl[m.index], l.feesPaid[m.index]]).toEqual(want);
      expect(Math.abs(l.position[m.index])).toBeLessThanOrEqual(MAX_POSITION);
      board.readMarket(m.index, mv);
      expect([mv.position, mv.costBasis, mv.realizedPnl, mv.feesPaid]).toEqual(want);
    }
    expect(core.ledger.cash).toBe(acct.cash + reserved(ex, 'alice'));
    expect(core.positionMismatches).toBe(0);
  };

  const policy = markets.map(() => 1);
  for (let step = 0; step < 3_000; step++) {
    clock.now += 20 + Math.floor(rnd() * 280);
    ex.advanceTo(clock.now);
    // bob keeps a two-sided book around fair value and sometimes takes liquidity.
    for (const m of markets) {
      if (rnd() < 0.6) {
        const side = rnd() < 0.5 ? 'bid' : 'ask';
        const off = Math.floor(rnd() * 600);
        const price = m.grid.snapOrderable(side === 'bid' ? m.fairValue - 100 - off : m.fairValue + 100 + off, side === 'bid' ? 'down' : 'up');
        if (price > 0) {
          try {
            ex.createOrder('bob', { ticker: m.ticker, side, price, count: 100 + Math.floor(rnd() * 900), timeInForce: rnd() < 0.2 ? 'immediate_or_cancel' : 'good_till_canceled', selfTradePrevention: 'taker_at_cross' });
          } catch (e) {
            if (!(e instanceof ExchangeError)) throw e;
          }
        }
      }
      const bobs = ex.listOrders('bob', { status: 'resting', ticker: m.ticker });
      if (bobs.length > 30) ex.cancelOrder('bob', bobs[bobs.length - 1].orderId);
      if (rnd() < 0.25) {
        // take from the top of the book on one side (may fill alice)
        const side = rnd() < 0.5 ? 'bid' : 'ask';
        const price = side === 'bid' ? m.grid.snapOrderable(9_800, 'down') : m.grid.snapOrderable(200, 'up');
        try {
          ex.createOrder('bob', { ticker: m.ticker, side, price, count: 100 + Math.floor(rnd() * 1_500), timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross' });
        } catch (e) {
          if (!(e instanceof ExchangeError)) throw e;
        }
      }
    }
    // A sticky random policy: each market's action changes now and then, so orders get to rest.
    const m = markets[Math.floor(rnd() * markets.length)];
    if (rnd() < 0.2) policy[m.index] = 1 + Math.floor(rnd() * 4);
    execute(core.onIntent(m.index, policy[m.index], clock.now));
    for (const r of core.poll(clock.now)) execute({ kind: 'SEND', request: r });
    check();
  }

  // Close, determine, pay out.
  clock.now = CLOSE + 5_000 + 60_000 + 1;
  ex.advanceTo(clock.now);
  check();
  expect(reserved(ex, 'alice')).toBe(0);
  expect(core.ledger.cash).toBe(ex.account('alice')!.cash);
  const acct = createAccountView();
  board.readAccount(acct);
  expect(core.ledger.openMarkets.size).toBe(0);
  return { stats, fills: ex.account('alice')!.fills.length };
}

describe('ExecutionCore against the simulator engine', () => {
  for (const [mode, seed] of [['passive', 11], ['mid', 12], ['aggressive', 13]] as const) {
    it(`${mode}: no stacking, limits held, ledger exact, with lost and unknown answers (seed ${seed})`, () => {
      const { stats, fills } = run(mode, seed);
      expect(fills).toBeGreaterThan(50);
      expect(stats.place).toBeGreaterThan(100);
      expect(stats.lookup).toBeGreaterThan(0);
      expect(stats.unknown + stats.lost).toBeGreaterThan(5);
      if (mode !== 'aggressive') {
        expect(stats.amend).toBeGreaterThan(5);
        expect(stats.cancel).toBeGreaterThan(5);
      } else {
        expect(stats.reset_group).toBeGreaterThan(0); // bursts of IOC fills trip the group; it is reset after the cool-down
      }
    });
  }
});
