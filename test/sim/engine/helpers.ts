/** Fixtures for the engine tests: an exchange on a manual clock, one market, accounts, an event log. */
import { expect } from 'vitest';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import { Exchange, type NewOrder } from '../../../src/sim/engine/exchange.js';
import {
  ExchangeError,
  type BookSideV2,
  type FeeType,
  type MarketState,
  type OrderState,
  type OutcomeSide,
} from '../../../src/sim/engine/types.js';

export const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
export const SERIES = 'KXTEST';
export const EVENT = 'KXTEST-26JAN01';
export const TICKER = 'KXTEST-26JAN01-T50';
export const CLOSE = T0 + 3_600_000;
/** $1,000 in µ$. */
export const CASH = 1_000_000_000;

export interface Setup {
  ex: Exchange;
  clock: { now: number };
  m: MarketState;
  log: LoggedEvent[];
  /** Moves the manual clock forward by `ms` and lets the exchange catch up. */
  advance(ms: number): void;
}

export interface SetupOptions {
  seed?: number;
  feeType?: FeeType;
  feeMultiplierMilli?: number;
  structure?: string;
  openMs?: number;
  closeMs?: number;
  fairValue?: number;
  settlementTimerSeconds?: number;
  inclusive?: boolean;
  accounts?: string[];
  canCloseEarly?: boolean;
}

export function setup(options: SetupOptions = {}): Setup {
  const clock = { now: T0 };
  const ex = new Exchange({ clock: () => clock.now, seed: options.seed ?? 42, orderGroupTriggerInclusive: options.inclusive });
  ex.addSeries({ ticker: SERIES, title: 'Test', category: 'Test', feeType: options.feeType ?? 'quadratic', feeMultiplierMilli: options.feeMultiplierMilli ?? 1000 });
  ex.addEvent({ ticker: EVENT, seriesTicker: SERIES, title: 'Test event', subTitle: '', marketTickers: [] });
  const m = ex.addMarket(marketSpec(TICKER, options));
  for (const id of options.accounts ?? ['alice', 'bob']) ex.openAccount(id, CASH);
  const log = record(ex);
  return {
    ex,
    clock,
    m,
    log,
    advance(ms: number) {
      clock.now += ms;
      ex.advanceTo(clock.now);
    },
  };
}

export function marketSpec(ticker: string, options: SetupOptions = {}) {
  return {
    ticker,
    eventTicker: EVENT,
    title: 'Test market',
    yesSubTitle: 'Yes',
    noSubTitle: 'No',
    priceLevelStructure: options.structure ?? 'linear_cent',
    grid: PriceGrid.forStructure(options.structure ?? 'linear_cent'),
    openMs: options.openMs ?? T0 - 60_000,
    closeMs: options.closeMs ?? CLOSE,
    settlementTimerSeconds: options.settlementTimerSeconds ?? 60,
    canCloseEarly: options.canCloseEarly ?? true,
    fairValue: options.fairValue ?? 5000,
  };
}

/** A V2 order with defaults: good till cancelled, taker_at_cross. */
export function order(side: BookSideV2, price: number, count: number, extra: Partial<NewOrder> = {}): NewOrder {
  return { ticker: TICKER, side, price, count, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross', ...extra };
}

export type LoggedEvent =
  | { e: 'delta'; outcome: OutcomeSide; price: number; delta: number; ts: number; by: string | undefined }
  | { e: 'trade'; id: string; price: number; count: number; takerSide: BookSideV2; ts: number }
  | { e: 'fill'; account: string; orderId: string; tradeId: string; count: number; price: number; isTaker: boolean; fee: number; post: number }
  | { e: 'order'; account: string; orderId: string; status: string; remaining: number; fill: number; reason: string }
  | { e: 'position'; account: string; position: number; exposure: number }
  | { e: 'group'; account: string; id: string; type: string; ts: number }
  | { e: 'lifecycle'; ticker: string; type: string; ts: number }
  | { e: 'ticker'; ticker: string; ts: number };

export function record(ex: Exchange): LoggedEvent[] {
  const log: LoggedEvent[] = [];
  ex.addListener({
    bookDelta: (_m, outcome, price, delta, ts, by) => log.push({ e: 'delta', outcome, price, delta, ts, by: by?.orderId }),
    trade: (_m, id, price, count, takerSide, ts) => log.push({ e: 'trade', id, price, count, takerSide, ts }),
    fill: (a, f) => log.push({ e: 'fill', account: a.id, orderId: f.orderId, tradeId: f.tradeId, count: f.count, price: f.yesPrice, isTaker: f.isTaker, fee: f.fee, post: f.postPosition }),
    order: (a, o) => log.push({ e: 'order', account: a.id, orderId: o.orderId, status: o.status, remaining: o.remainingCount, fill: o.fillCount, reason: o.lastUpdateReason }),
    position: (a, p) => log.push({ e: 'position', account: a.id, position: p.position, exposure: p.exposure }),
    orderGroup: (a, g, type, ts) => log.push({ e: 'group', account: a.id, id: g.id, type, ts }),
    lifecycle: (m, type, ts) => log.push({ e: 'lifecycle', ticker: m.ticker, type, ts }),
    ticker: (m, ts) => log.push({ e: 'ticker', ticker: m.ticker, ts }),
  });
  return log;
}

/** Events of one kind logged since index `from`. */
export function eventsOf<K extends LoggedEvent['e']>(log: LoggedEvent[], kind: K, from = 0): Array<Extract<LoggedEvent, { e: K }>> {
  return log.slice(from).filter((x): x is Extract<LoggedEvent, { e: K }> => x.e === kind);
}

/** The ExchangeError a call throws (fails when it throws nothing or something else). */
export function exchangeError(fn: () => unknown): ExchangeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ExchangeError);
    return err as ExchangeError;
  }
  throw new Error('expected an ExchangeError');
}

export function expectError(fn: () => unknown, status: number, code: string): ExchangeError {
  const err = exchangeError(fn);
  expect({ status: err.status, code: err.code }).toEqual({ status, code });
  return err;
}

/** µ$ held by the account's resting orders. */
export function reserved(ex: Exchange, id: string): number {
  return ex.listOrders(id, { status: 'resting' }).reduce((s, o) => s + o.reservedCash, 0);
}

/**
 * The accounting identity of §6's model: cash + reserved + Σ exposure − Σ realized + Σ fees
 * equals what was deposited.
 */
export function expectIdentity(ex: Exchange, id: string, deposited = CASH): void {
  const a = ex.account(id)!;
  let exposure = 0;
  let realized = 0;
  let fees = 0;
  for (const p of a.positions.values()) {
    exposure += p.exposure;
    realized += p.realizedPnl;
    fees += p.feesPaid;
  }
  expect(a.cash + reserved(ex, id) + exposure - realized + fees).toBe(deposited);
  expect(a.cash).toBeGreaterThanOrEqual(0);
}

export function ids(orders: readonly OrderState[]): string[] {
  return orders.map((o) => o.orderId);
}
