/**
 * The filters of the paged list queries (GET /markets, /portfolio/orders, /fills, /positions,
 * /settlements), their query strings, and the walk over every page.
 */
import { KalshiSchemaError, show } from '../decode.js';
import type { Page } from './decoders/common.js';
import type { OrderStatus } from './decoders/orders.js';

/** GET /markets filters. `status` speaks the filter vocabulary, not Market.status (§4.3). */
export interface MarketsFilter {
  status?: 'unopened' | 'open' | 'paused' | 'closed' | 'settled';
  tickers?: readonly string[];
  eventTicker?: string;
  seriesTicker?: string;
  /** Unix seconds. */
  minCloseTs?: number;
  maxCloseTs?: number;
  limit?: number;
  cursor?: string;
}

export interface OrdersFilter {
  ticker?: string;
  eventTicker?: string;
  status?: OrderStatus;
  /** Unix seconds (Kalshi's unit): orders created at or after. */
  minTs?: number;
  maxTs?: number;
  limit?: number;
  cursor?: string;
  subaccount?: number;
}

export interface FillsFilter {
  ticker?: string;
  orderId?: string;
  /** Unix seconds: fills at or after. */
  minTs?: number;
  maxTs?: number;
  limit?: number;
  cursor?: string;
  subaccount?: number;
}

export interface PositionsFilter {
  ticker?: string;
  eventTicker?: string;
  /** Only positions where any of these is non-zero. */
  countFilter?: ReadonlyArray<'position' | 'total_traded'>;
  limit?: number;
  cursor?: string;
  subaccount?: number;
}

export interface SettlementsFilter {
  ticker?: string;
  eventTicker?: string;
  minTs?: number;
  maxTs?: number;
  limit?: number;
  cursor?: string;
}

type QueryValue = string | number | boolean | undefined;

/** `a=1&b=x` from the defined values (URL-encoded). */
export function queryString(params: Record<string, QueryValue>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return q.toString();
}

/** GET /markets query. */
export function marketsQuery(f: MarketsFilter): string {
  return queryString({
    limit: f.limit, cursor: f.cursor || undefined, status: f.status, tickers: f.tickers?.join(','),
    event_ticker: f.eventTicker, series_ticker: f.seriesTicker, min_close_ts: f.minCloseTs, max_close_ts: f.maxCloseTs,
  });
}

/** GET /portfolio/positions query. */
export function positionsQuery(f: PositionsFilter): string {
  return queryString({
    limit: f.limit, cursor: f.cursor || undefined, ticker: f.ticker, event_ticker: f.eventTicker,
    count_filter: f.countFilter?.join(','), subaccount: f.subaccount,
  });
}

/** GET /portfolio/orders query. */
export function ordersQuery(f: OrdersFilter): string {
  return queryString({
    limit: f.limit, cursor: f.cursor || undefined, ticker: f.ticker, event_ticker: f.eventTicker,
    status: f.status, min_ts: f.minTs, max_ts: f.maxTs, subaccount: f.subaccount,
  });
}

/** GET /portfolio/fills query. */
export function fillsQuery(f: FillsFilter): string {
  return queryString({
    limit: f.limit, cursor: f.cursor || undefined, ticker: f.ticker, order_id: f.orderId,
    min_ts: f.minTs, max_ts: f.maxTs, subaccount: f.subaccount,
  });
}

/** GET /portfolio/settlements query. */
export function settlementsQuery(f: SettlementsFilter): string {
  return queryString({
    limit: f.limit, cursor: f.cursor || undefined, ticker: f.ticker, event_ticker: f.eventTicker, min_ts: f.minTs, max_ts: f.maxTs,
  });
}

/**
 * Every page from `filter.cursor` on. A cursor seen twice (a server looping) is a
 * KalshiSchemaError rather than an endless loop.
 */
export async function* everyPage<T, F extends { cursor?: string }>(fetchPage: (filter: F) => Promise<Page<T>>, filter: F): AsyncGenerator<Page<T>> {
  const seen = new Set<string>();
  let cursor = filter.cursor ?? '';
  for (;;) {
    const page = await fetchPage({ ...filter, cursor });
    yield page;
    if (page.cursor === '') return;
    if (seen.has(page.cursor)) throw new KalshiSchemaError('reply.cursor', 'a cursor not returned before', show(page.cursor));
    seen.add(page.cursor);
    cursor = page.cursor;
  }
}
