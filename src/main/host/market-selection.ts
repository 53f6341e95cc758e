/**
 * Which markets the host trades: the explicit `--markets` list, or discovery — the exchange's
 * open markets that pass the filters (volume, YES spread, time to close), best first, up to
 * `maxMarkets`. Discovery is re-run as markets close, to replace them.
 *
 * Ranking (documented choice): most volume first, then tightest spread, then ticker — so the
 * same exchange state always gives the same selection.
 */
import type { Market } from '../../shared/kalshi/rest/decoders/market.js';
import type { KalshiRestClient } from '../../shared/kalshi/rest/client.js';

export interface SelectionFilter {
  maxMarkets: number;
  /** Least contracts traded, in contracts. */
  minVolume: number;
  /** Widest YES spread, $0.0001 units. */
  maxSpread: number;
  /** Least time left before close, s. */
  minTimeToCloseS: number;
}

export interface Selection {
  markets: Market[];
  /** Why the others were passed over, counted by reason. */
  rejected: Record<'status' | 'closing' | 'volume' | 'spread' | 'one_sided' | 'excluded', number>;
}

export class MarketSelectionError extends Error {
  override readonly name = 'MarketSelectionError';
}

/** Filter and rank `candidates` (pure; `nowMs` wall clock). */
export function selectMarkets(candidates: readonly Market[], filter: SelectionFilter, nowMs: number, exclude: ReadonlySet<string> = new Set()): Selection {
  const rejected: Selection['rejected'] = { status: 0, closing: 0, volume: 0, spread: 0, one_sided: 0, excluded: 0 };
  const kept: Market[] = [];
  for (const m of candidates) {
    if (exclude.has(m.ticker)) rejected.excluded++;
    else if (m.status !== 'active') rejected.status++;
    else if (m.closeTimeMs - nowMs < filter.minTimeToCloseS * 1000) rejected.closing++;
    else if (m.volume < filter.minVolume * 100) rejected.volume++;
    else if (m.yesBid <= 0 || m.yesAsk >= 10_000) rejected.one_sided++;
    else if (m.yesAsk - m.yesBid > filter.maxSpread) rejected.spread++;
    else kept.push(m);
  }
  kept.sort((a, b) => b.volume - a.volume || (a.yesAsk - a.yesBid) - (b.yesAsk - b.yesBid) || (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0));
  return { markets: kept.slice(0, filter.maxMarkets), rejected };
}

/** Discover from the exchange: every open market (paged), then `selectMarkets`. */
export async function discoverMarkets(client: KalshiRestClient, filter: SelectionFilter, nowMs: number, exclude?: ReadonlySet<string>): Promise<Selection> {
  const all: Market[] = [];
  const minCloseTs = Math.floor((nowMs + filter.minTimeToCloseS * 1000) / 1000);
  for await (const page of client.marketPages({ status: 'open', limit: 1000, minCloseTs })) all.push(...page.items);
  return selectMarkets(all, filter, nowMs, exclude);
}

/** The explicit list: each ticker must exist and be open; anything else is one clear error. */
export async function explicitMarkets(client: KalshiRestClient, tickers: readonly string[]): Promise<Market[]> {
  const found = new Map<string, Market>();
  for (let i = 0; i < tickers.length; i += 100) {
    const chunk = tickers.slice(i, i + 100);
    for await (const page of client.marketPages({ tickers: chunk, limit: 1000 })) for (const m of page.items) found.set(m.ticker, m);
  }
  const missing = tickers.filter((t) => !found.has(t));
  if (missing.length > 0) throw new MarketSelectionError(`unknown market${missing.length > 1 ? 's' : ''}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (+${missing.length - 5} more)` : ''}`);
  const inactive = tickers.filter((t) => found.get(t)!.status !== 'active');
  if (inactive.length === tickers.length) throw new MarketSelectionError(`none of the markets is open for trading (${inactive.slice(0, 3).map((t) => `${t}: ${found.get(t)!.status}`).join(', ')})`);
  return tickers.map((t) => found.get(t)!);
}
