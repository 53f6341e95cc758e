/**
 * Public market data: exchange status, markets (filters, cursor paging), one market, its order
 * book, events and series. These routes need no signature (as on Kalshi), but a request that
 * carries one must carry a valid one.
 */
import type { Exchange } from '../../engine/exchange.js';
import { ExchangeError, type MarketState, type MarketStatus } from '../../engine/types.js';
import type { HttpRouter } from '../http.js';
import { badRequest, paginate, queryInt, queryList } from '../request.js';
import {
  EMPTY_BOOK_TOP, eventJson, exchangeStatusJson, marketJson, orderbookJson, seriesJson, type BookTop,
} from '../serialize.js';

export const API = '/trade-api/v2';

/** Best prices of a market as the serializers want them. */
export function bookTopOf(exchange: Exchange, market: MarketState): BookTop {
  const yes = exchange.bestBid(market.index, 'yes');
  const no = exchange.bestBid(market.index, 'no');
  if (yes === undefined && no === undefined) return EMPTY_BOOK_TOP;
  return {
    yesBid: yes?.[0] ?? 0,
    yesBidSize: yes?.[1] ?? 0,
    yesAsk: no === undefined ? 10_000 : 10_000 - no[0],
    yesAskSize: no?.[1] ?? 0,
    noBid: no?.[0] ?? 0,
    noAsk: yes === undefined ? 10_000 : 10_000 - yes[0],
  };
}

/** `GET /markets?status=` speaks its own vocabulary (kalshi-api.md §4.3). */
const STATUS_FILTER: Record<string, readonly MarketStatus[]> = {
  unopened: ['initialized'],
  open: ['active'],
  paused: ['inactive'],
  closed: ['closed'],
  settled: ['determined', 'disputed', 'amended', 'finalized'],
};

function marketOr404(exchange: Exchange, ticker: string): MarketState {
  const market = exchange.market(ticker);
  if (market === undefined) throw new ExchangeError(404, 'not_found', `market ${ticker} not found`);
  return market;
}

export function marketDataRoutes(router: HttpRouter, exchange: Exchange, status: () => { exchangeActive: boolean; tradingActive: boolean }): void {
  router.get(`${API}/exchange/status`, () => ({ status: 200, body: exchangeStatusJson(status()) }));

  router.get(`${API}/markets`, (req) => {
    const statuses = queryList(req, 'status')?.map((s) => {
      const mapped = STATUS_FILTER[s];
      if (mapped === undefined) throw badRequest(`status must be one of ${Object.keys(STATUS_FILTER).join(', ')}`, 'invalid_parameters');
      return mapped;
    }).flat();
    const tickers = queryList(req, 'tickers');
    const eventTicker = req.query.get('event_ticker') || undefined;
    const seriesTicker = req.query.get('series_ticker') || undefined;
    const minClose = queryInt(req, 'min_close_ts', 0, 2 ** 40);
    const maxClose = queryInt(req, 'max_close_ts', 0, 2 ** 40);
    const wanted = exchange.markets().filter((m) =>
      (statuses === undefined || statuses.includes(m.status)) &&
      (tickers === undefined || tickers.includes(m.ticker)) &&
      (eventTicker === undefined || m.eventTicker === eventTicker) &&
      (seriesTicker === undefined || m.seriesTicker === seriesTicker) &&
      (minClose === undefined || m.closeMs >= minClose * 1000) &&
      (maxClose === undefined || m.closeMs <= maxClose * 1000));
    const page = paginate(req, wanted, 100, 1000);
    return { status: 200, body: { markets: page.items.map((m) => marketJson(m, bookTopOf(exchange, m))), cursor: page.cursor } };
  });

  router.get(`${API}/markets/:ticker`, (req) => {
    const market = marketOr404(exchange, req.params.ticker);
    return { status: 200, body: { market: marketJson(market, bookTopOf(exchange, market)) } };
  });

  router.get(`${API}/markets/:ticker/orderbook`, (req) => {
    const market = marketOr404(exchange, req.params.ticker);
    const depth = queryInt(req, 'depth', 0, 100) ?? 0;
    // Ascending, best last; `depth` keeps the best `depth` levels of each side (0 = all).
    const cut = (levels: Array<[number, number]>) => (depth > 0 ? levels.slice(-depth) : levels);
    return { status: 200, body: orderbookJson(cut(exchange.bookLevels(market.index, 'yes')), cut(exchange.bookLevels(market.index, 'no'))) };
  });

  router.get(`${API}/events`, (req) => {
    const seriesTicker = req.query.get('series_ticker') || undefined;
    const nested = req.query.get('with_nested_markets') === 'true';
    const events = exchange.allEvents().filter((e) => seriesTicker === undefined || e.seriesTicker === seriesTicker);
    const page = paginate(req, events, 100, 200);
    return {
      status: 200,
      body: {
        events: page.items.map((e) => eventJson(e, nested ? e.marketTickers.map((t) => { const m = marketOr404(exchange, t); return marketJson(m, bookTopOf(exchange, m)); }) : undefined)),
        cursor: page.cursor,
      },
    };
  });

  router.get(`${API}/events/:event_ticker`, (req) => {
    const event = exchange.event(req.params.event_ticker);
    if (event === undefined) throw new ExchangeError(404, 'not_found', `event ${req.params.event_ticker} not found`);
    const markets = event.marketTickers.map((t) => { const m = marketOr404(exchange, t); return marketJson(m, bookTopOf(exchange, m)); });
    return { status: 200, body: { event: eventJson(event), markets } };
  });

  router.get(`${API}/series/:series_ticker`, (req) => {
    const series = exchange.series(req.params.series_ticker);
    if (series === undefined) throw new ExchangeError(404, 'not_found', `series ${req.params.series_ticker} not found`);
    return { status: 200, body: { series: seriesJson(series) } };
  });
}
