/**
 * Calibration step 3: is each market the host means to trade worth trading now?
 *   - the exchange knows it, and its status is `active` (the only one taking orders, §4.3);
 *   - its close is at least `minTimeToCloseS` away;
 *   - a real two-sided book: a YES bid and a YES ask (an empty side shows as bid 0 / ask 1, §5.1),
 *     each with size, and not crossed;
 *   - a spread (YES ask − YES bid) of at most `maxSpread`, $0.0001.
 * The book figures are the market's own top of book from GET /markets (one request per 100
 * tickers, not one per market). Markets that fail are listed with every reason; replacing them
 * is the host's business in discovery mode (market-selection.ts).
 */
import { PRICE_SCALE } from '../../shared/fixed-point.js';
import type { KalshiRestClient, Market } from '../../shared/kalshi/rest/index.js';
import type { MarketCheck, StepStatus, ViabilityReport } from './report.js';
import { priceDollars } from './report-table.js';

export interface ViabilitySettings {
  minTimeToCloseS: number;
  /** $0.0001 units. */
  maxSpread: number;
}

/** Markets by ticker, read 100 tickers per request. Throws like any query. */
export async function fetchMarkets(rest: KalshiRestClient, tickers: Iterable<string>): Promise<Map<string, Market>> {
  const list = [...new Set(tickers)];
  const found = new Map<string, Market>();
  for (let i = 0; i < list.length; i += 100) {
    for await (const page of rest.marketPages({ tickers: list.slice(i, i + 100), limit: 1000 }, { priority: true })) {
      for (const m of page.items) found.set(m.ticker, m);
    }
  }
  return found;
}

/** One market's check (pure). */
export function checkMarket(ticker: string, m: Market | undefined, s: ViabilitySettings, nowMs: number): MarketCheck {
  if (m === undefined) return { ticker, viable: false, reasons: ['the exchange does not know this market'] };
  const reasons: string[] = [];
  if (m.status !== 'active') reasons.push(`status ${m.status}`);
  const leftMs = m.closeTimeMs - nowMs;
  if (leftMs < s.minTimeToCloseS * 1000) reasons.push(leftMs <= 0 ? 'past its close time' : `closes in ${Math.floor(leftMs / 1000)} s (< ${s.minTimeToCloseS} s)`);
  const noBid = m.yesBid <= 0 || m.yesBidSize <= 0;
  const noAsk = m.yesAsk >= PRICE_SCALE || m.yesAskSize <= 0;
  const spread = m.yesAsk - m.yesBid;
  if (noBid || noAsk) reasons.push(`one-sided book (${noBid && noAsk ? 'no bid, no ask' : noBid ? 'no bid' : 'no ask'})`);
  else if (spread <= 0) reasons.push(`crossed book (bid ${priceDollars(m.yesBid)} ≥ ask ${priceDollars(m.yesAsk)})`);
  else if (spread > s.maxSpread) reasons.push(`spread ${priceDollars(spread)} > ${priceDollars(s.maxSpread)}`);
  return { ticker, status: m.status, closeTimeMs: m.closeTimeMs, yesBid: m.yesBid, yesAsk: m.yesAsk, spread, viable: reasons.length === 0, reasons };
}

/** Every ticker checked, in the order given (pure). */
export function assessViability(tickers: readonly string[], markets: ReadonlyMap<string, Market>, s: ViabilitySettings, nowMs: number): ViabilityReport {
  const checks = tickers.map((t) => checkMarket(t, markets.get(t), s, nowMs));
  return {
    viable: checks.filter((c) => c.viable).map((c) => c.ticker),
    replace: checks.filter((c) => !c.viable).map((c) => ({ ticker: c.ticker, reason: c.reasons.join('; ') })),
    markets: checks,
  };
}

/** Warn when any market must be replaced (never a refuse reason by itself: discovery replaces them); fail when the markets could not be read. */
export function viabilityStep(v: ViabilityReport): { status: StepStatus; summary: string } {
  if (v.error !== undefined) return { status: 'fail', summary: `the markets could not be read: ${v.error}` };
  const n = v.markets.length;
  if (n === 0) return { status: 'warn', summary: 'no market to check' };
  const summary = `${v.viable.length} of ${n} market(s) viable`
    + (v.replace.length === 0 ? '' : `; replace ${v.replace.slice(0, 3).map((r) => `${r.ticker} (${r.reason})`).join(', ')}${v.replace.length > 3 ? ` and ${v.replace.length - 3} more` : ''}`);
  return { status: v.replace.length === 0 ? 'ok' : 'warn', summary };
}
