/**
 * The account's money and holdings: GET /portfolio/balance, /portfolio/positions
 * (`market_positions` only — the per-event sums are derivable), /portfolio/settlements
 * (kalshi-api.md §6). Money in µ$: `balance_dollars` is exact; the legacy integer-cent fields
 * are scaled to µ$ (exact, but only to the cent).
 */
import type { Count, Money, Price } from '../../../fixed-point.js';
import {
  asObject, KalshiSchemaError, optArray, optInt, reqCount, reqEnum, reqId, reqInt, reqMoney, reqSignedCount, reqTimeMs, show,
} from '../../decode.js';
import { decodePage, exchangeIndexOf, reqCents, type Page } from './common.js';

export interface Balance {
  /** Available cash, µ$ (from `balance_dollars`). */
  readonly balance: Money;
  /** Portfolio value, µ$ (from the integer cents of `portfolio_value`). */
  readonly portfolioValue: Money;
  /** When the balance last changed, Unix seconds (as Kalshi sends it). */
  readonly updatedTs: number;
  /** Cash per exchange shard (absent for subaccount-restricted keys: empty). */
  readonly byExchangeIndex: ReadonlyArray<{ readonly exchangeIndex: number; readonly balance: Money }>;
}

export function decodeBalance(body: unknown): Balance {
  const o = asObject(body, 'balance');
  reqInt(o, 'balance', 'balance'); // required by the spec; the exact figure is balance_dollars
  return {
    balance: reqMoney(o, 'balance_dollars', 'balance'),
    portfolioValue: reqCents(o, 'portfolio_value', 'balance'),
    updatedTs: reqInt(o, 'updated_ts', 'balance'),
    byExchangeIndex: optArray(o, 'balance_breakdown', 'balance', (v, p) => {
      const b = asObject(v, p);
      return { exchangeIndex: reqInt(b, 'exchange_index', p), balance: reqMoney(b, 'balance', p) };
    }),
  };
}

/** OpenAPI `MarketPosition`. */
export interface MarketPosition {
  readonly ticker: string;
  readonly exchangeIndex: number;
  /** Signed hundredths: positive = YES contracts, negative = NO contracts. */
  readonly position: Count;
  /** Cost basis of the open position, µ$. */
  readonly marketExposure: Money;
  readonly realizedPnl: Money;
  readonly feesPaid: Money;
  /** Total spent on this market, µ$. */
  readonly totalTraded: Money;
  readonly lastUpdatedMs: number;
}

export function decodeMarketPosition(v: unknown, path: string): MarketPosition {
  const o = asObject(v, path);
  return {
    ticker: reqId(o, 'ticker', path),
    exchangeIndex: exchangeIndexOf(o, path),
    position: reqSignedCount(o, 'position_fp', path),
    marketExposure: reqMoney(o, 'market_exposure_dollars', path),
    realizedPnl: reqMoney(o, 'realized_pnl_dollars', path),
    feesPaid: reqMoney(o, 'fees_paid_dollars', path),
    totalTraded: reqMoney(o, 'total_traded_dollars', path),
    lastUpdatedMs: reqTimeMs(o, 'last_updated_ts', path),
  };
}

/** GET /portfolio/positions → `{market_positions, event_positions, cursor?}`. */
export function decodePositionsPage(body: unknown): Page<MarketPosition> {
  return decodePage(body, 'market_positions', decodeMarketPosition, false);
}

export const SETTLEMENT_RESULTS = ['yes', 'no', 'scalar'] as const;

/** OpenAPI `Settlement`: one market paid out to this account. */
export interface Settlement {
  readonly ticker: string;
  readonly eventTicker: string;
  readonly exchangeIndex: number;
  readonly marketResult: (typeof SETTLEMENT_RESULTS)[number];
  /** Contracts held at settlement, hundredths. */
  readonly yesCount: Count;
  readonly noCount: Count;
  /** Cost basis of those contracts, µ$. */
  readonly yesTotalCost: Money;
  readonly noTotalCost: Money;
  /** Paid out, µ$ (from integer cents; 100 cents per winning contract). */
  readonly revenue: Money;
  readonly fee: Money;
  readonly settledTimeMs: number;
  /** Payout of one YES contract, $0.0001 (from integer cents); undefined when Kalshi sends none. */
  readonly yesPayout: Price | undefined;
}

export function decodeSettlement(v: unknown, path: string): Settlement {
  const o = asObject(v, path);
  const valueCents = optInt(o, 'value', path);
  if (valueCents !== undefined && (valueCents < 0 || valueCents > 100)) {
    throw new KalshiSchemaError(`${path}.value`, 'cents in [0, 100]', show(valueCents));
  }
  return {
    ticker: reqId(o, 'ticker', path),
    eventTicker: reqId(o, 'event_ticker', path),
    exchangeIndex: exchangeIndexOf(o, path),
    marketResult: reqEnum(o, 'market_result', path, SETTLEMENT_RESULTS),
    yesCount: reqCount(o, 'yes_count_fp', path),
    noCount: reqCount(o, 'no_count_fp', path),
    yesTotalCost: reqMoney(o, 'yes_total_cost_dollars', path),
    noTotalCost: reqMoney(o, 'no_total_cost_dollars', path),
    revenue: reqCents(o, 'revenue', path),
    fee: reqMoney(o, 'fee_cost', path),
    settledTimeMs: reqTimeMs(o, 'settled_time', path),
    yesPayout: valueCents === undefined ? undefined : valueCents * 100,
  };
}

/** GET /portfolio/settlements → `{settlements, cursor?}`. */
export function decodeSettlementsPage(body: unknown): Page<Settlement> {
  return decodePage(body, 'settlements', decodeSettlement, false);
}
