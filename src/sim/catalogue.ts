/**
 * The simulator's listed products: series → events → markets with Kalshi-style tickers, a mix
 * of price grids, fee schedules and close times, generated from the seed.
 *
 * Tickers follow Kalshi's shape: series `KXSIMxxx`, event `SERIES-26NOV24`, market
 * `EVENT-T5000` (a strike). Close times are spread so that a long run sees markets close, be
 * determined and settle: `shortLivedFraction` of the markets close within minutes of the start,
 * the rest within a day.
 */
import { PriceGrid, type PriceLevelStructure } from '../shared/price-grid.js';
import type { Exchange } from './engine/exchange.js';
import type { FeeType, MarketState } from './engine/types.js';
import { Rng } from './rng.js';

export interface CatalogueOptions {
  markets: number;
  seed: number;
  /** The simulator's start, ms since epoch: open times are at or before it. */
  startMs: number;
  /** Share of markets that close within `shortLivedMinutes` (default 0.1). */
  shortLivedFraction?: number;
  /** Upper bound of a short-lived market's life, minutes (default 10). */
  shortLivedMinutes?: number;
  /** Seconds between determination and finalization (default 60). */
  settlementTimerSeconds?: number;
}

const SERIES_THEMES = ['BTC', 'ETH', 'SPX', 'NDX', 'RAIN', 'TEMP', 'FED', 'CPI', 'GAS', 'OIL', 'GOLD', 'JOBS'] as const;
const MARKETS_PER_EVENT = 10;
const EVENTS_PER_SERIES = 10;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Grid mix: most markets trade whole cents, some sub-penny. */
function gridFor(rng: Rng): PriceLevelStructure {
  const r = rng.next();
  if (r < 0.7) return 'linear_cent';
  if (r < 0.85) return 'tapered_deci_cent';
  return 'deci_cent';
}

function eventDate(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear() % 100).padStart(2, '0')}${MONTHS[d.getUTCMonth()]}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Adds `options.markets` markets (with their series and events) to `exchange`; returns them. */
export function listCatalogue(exchange: Exchange, options: CatalogueOptions): MarketState[] {
  const { markets: count, seed, startMs } = options;
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new RangeError(`markets must be an integer in [1, 100000], got ${count}`);
  const shortLived = options.shortLivedFraction ?? 0.1;
  const shortMinutes = options.shortLivedMinutes ?? 10;
  const timer = options.settlementTimerSeconds ?? 60;
  const rng = Rng.derive(seed, 'catalogue');
  const listed: MarketState[] = [];
  for (let seriesNo = 0; listed.length < count; seriesNo++) {
    const theme = SERIES_THEMES[seriesNo % SERIES_THEMES.length];
    const seriesTicker = `KXSIM${theme}${seriesNo >= SERIES_THEMES.length ? Math.floor(seriesNo / SERIES_THEMES.length) : ''}`;
    const feeType: FeeType = rng.chance(0.2) ? 'quadratic_with_maker_fees' : 'quadratic';
    exchange.addSeries({ ticker: seriesTicker, title: `Simulated ${theme}`, category: 'Simulated', feeType, feeMultiplierMilli: 1000 });
    for (let e = 0; e < EVENTS_PER_SERIES && listed.length < count; e++) {
      // One close time per event, as on Kalshi; events differ.
      const closeMs = rng.chance(shortLived)
        ? startMs + rng.range(60, shortMinutes * 60) * 1000
        : startMs + rng.range(shortMinutes * 60 + 60, 24 * 3600) * 1000;
      const eventTicker = `${seriesTicker}-${eventDate(closeMs)}${String.fromCharCode(65 + e)}`;
      const structure = gridFor(rng);
      const grid = PriceGrid.forStructure(structure);
      const marketTickers: string[] = [];
      exchange.addEvent({ ticker: eventTicker, seriesTicker, title: `${theme} on ${eventDate(closeMs)}`, subTitle: '', marketTickers });
      const base = rng.range(20, 80) * 100;
      for (let k = 0; k < MARKETS_PER_EVENT && listed.length < count; k++) {
        const strike = base + k * 500;
        const ticker = `${eventTicker}-T${strike}`;
        // Fair probability falls with the strike: a ladder of "above X" markets.
        const fairValue = Math.max(300, Math.min(9700, 9500 - k * 900 + rng.range(-400, 400)));
        const market = exchange.addMarket({
          ticker,
          eventTicker,
          title: `${theme} above ${strike}?`,
          yesSubTitle: `Above ${strike}`,
          noSubTitle: `${strike} or below`,
          priceLevelStructure: structure,
          grid,
          openMs: startMs - rng.range(1, 72) * 3600 * 1000,
          closeMs,
          settlementTimerSeconds: timer,
          canCloseEarly: rng.chance(0.2),
          fairValue,
        });
        marketTickers.push(ticker);
        listed.push(market);
      }
    }
  }
  return listed;
}
