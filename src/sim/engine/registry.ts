/**
 * What the exchange lists and who trades on it: series → events → markets, and accounts.
 * Set-up calls (the catalogue, tests); refusals are ExchangeErrors with code invalid_parameters.
 */
import type { PriceGrid } from '../../shared/price-grid.js';
import { accountExists, invalidParameters } from './errors.js';
import { marketFees } from './fee-schedule.js';
import { runTimers, scheduleMarket } from './lifecycle.js';
import { newRuntime, type EngineState } from './state.js';
import { SYNTHETIC, type AccountState, type EventState, type MarketState, type SeriesState } from './types.js';

export interface MarketSpec {
  ticker: string;
  eventTicker: string;
  title: string;
  yesSubTitle: string;
  noSubTitle: string;
  priceLevelStructure: string;
  grid: PriceGrid;
  openMs: number;
  closeMs: number;
  settlementTimerSeconds: number;
  canCloseEarly: boolean;
  /** Hidden fair probability of YES, $0.0001. */
  fairValue: number;
}

export function addSeries(st: EngineState, s: SeriesState): void {
  if (st.series.has(s.ticker)) throw invalidParameters(`series ${s.ticker} already exists`);
  try {
    marketFees(s);
  } catch (err) {
    throw invalidParameters((err as Error).message);
  }
  st.series.set(s.ticker, s);
}

export function addEvent(st: EngineState, e: EventState): void {
  if (st.events.has(e.ticker)) throw invalidParameters(`event ${e.ticker} already exists`);
  if (!st.series.has(e.seriesTicker)) throw invalidParameters(`series ${e.seriesTicker} not found`);
  st.events.set(e.ticker, { ...e, marketTickers: [...e.marketTickers] });
}

export function addMarket(st: EngineState, spec: MarketSpec): MarketState {
  const event = st.events.get(spec.eventTicker);
  if (event === undefined) throw invalidParameters(`event ${spec.eventTicker} not found`);
  if (st.byTicker.has(spec.ticker)) throw invalidParameters(`market ${spec.ticker} already exists`);
  if (!Number.isSafeInteger(spec.openMs) || !Number.isSafeInteger(spec.closeMs) || spec.closeMs <= spec.openMs) {
    throw invalidParameters(`market ${spec.ticker}: needs integer openMs < closeMs`);
  }
  if (!Number.isSafeInteger(spec.settlementTimerSeconds) || spec.settlementTimerSeconds < 0) {
    throw invalidParameters(`market ${spec.ticker}: settlementTimerSeconds must be a non-negative integer`);
  }
  if (!Number.isInteger(spec.fairValue) || spec.fairValue < 0 || spec.fairValue > 10_000) {
    throw invalidParameters(`market ${spec.ticker}: fairValue must be an integer in [0, 10000]`);
  }
  const series = st.series.get(event.seriesTicker) as SeriesState;
  const ts = st.ts;
  const m: MarketState = {
    index: st.markets.length,
    ticker: spec.ticker,
    eventTicker: spec.eventTicker,
    seriesTicker: event.seriesTicker,
    title: spec.title,
    yesSubTitle: spec.yesSubTitle,
    noSubTitle: spec.noSubTitle,
    status: 'initialized',
    priceLevelStructure: spec.priceLevelStructure,
    grid: spec.grid,
    createdMs: ts,
    openMs: spec.openMs,
    closeMs: spec.closeMs,
    determineMs: spec.closeMs + st.config.determinationDelayMs, // expected; the close sets the actual
    settlementTimerSeconds: spec.settlementTimerSeconds,
    canCloseEarly: spec.canCloseEarly,
    result: '',
    settledMs: 0,
    fairValue: spec.fairValue,
    lastPrice: 0,
    previousYesBid: 0,
    previousYesAsk: 0,
    previousPrice: 0,
    volume: 0,
    volume24h: 0,
    openInterest: 0,
    updatedMs: ts,
  };
  const rt = newRuntime(m, marketFees(series));
  st.markets.push(m);
  st.runtimes.push(rt);
  st.byTicker.set(m.ticker, rt);
  event.marketTickers.push(m.ticker);
  st.emitter.lifecycle(m, 'created', ts);
  scheduleMarket(st, m);
  runTimers(st, ts); // opens it at once when openMs has passed
  return m;
}

export function openAccount(st: EngineState, id: string, cash: number): AccountState {
  if (st.accounts.has(id)) throw accountExists(id);
  if (typeof id !== 'string' || id === '' || id === SYNTHETIC) throw invalidParameters(`invalid account id ${JSON.stringify(id)}`);
  if (!Number.isSafeInteger(cash) || cash < 0) throw invalidParameters(`opening cash must be a non-negative integer µ$, got ${cash}`);
  const state: AccountState = { id, cash, positions: new Map(), fills: [], settlements: [], orderGroups: new Map() };
  st.accounts.set(id, {
    state,
    orders: [],
    byId: new Map(),
    byClientId: new Map(),
    resting: new Map(),
    holdings: new Map(),
    groups: new Map(),
  });
  return state;
}
