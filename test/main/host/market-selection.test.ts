/** Market selection: explicit tickers checked against the exchange; discovery filtered and ranked. */
import { describe, expect, it } from 'vitest';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import type { Market } from '../../../src/shared/kalshi/rest/decoders/market.js';
import { discoverMarkets, explicitMarkets, MarketSelectionError, selectMarkets } from '../../../src/main/host/market-selection.js';
import { startRestSim } from '../../shared/kalshi/rest/sim-fixture.js';

const NOW = 1_767_225_600_000;
const GRID = PriceGrid.forStructure('linear_cent');

function market(ticker: string, over: Partial<Market> = {}): Market {
  return {
    ticker, eventTicker: 'E', marketType: 'binary', status: 'active', openTimeMs: NOW - 1, closeTimeMs: NOW + 7_200_000,
    expectedExpirationTimeMs: undefined, latestExpirationTimeMs: NOW + 9_000_000, settlementTimerSeconds: 60, canCloseEarly: false,
    notionalValue: 1_000_000, yesBid: 4000, yesAsk: 4200, noBid: 5800, noAsk: 6000, yesBidSize: 100, yesAskSize: 100, lastPrice: 4100,
    volume: 10_000, volume24h: 0, openInterest: 0, result: '', settlementValue: undefined, settlementTimeMs: undefined,
    feeWaiverExpirationMs: undefined, priceLevelStructure: 'linear_cent', grid: GRID, exchangeIndex: 0, ...over,
  } as Market;
}

const FILTER = { maxMarkets: 3, minVolume: 10, maxSpread: 500, minTimeToCloseS: 900 };

describe('selectMarkets', () => {
  it('filters by status, time to close, volume, one-sidedness and spread, and ranks by volume then spread then ticker', () => {
    const s = selectMarkets([
      market('CLOSED', { status: 'closed' }),
      market('SOON', { closeTimeMs: NOW + 60_000 }),
      market('THIN', { volume: 500 }),
      market('ONESIDED', { yesBid: 0 }),
      market('WIDE', { yesAsk: 4600 }),
      market('B', { volume: 50_000 }),
      market('A', { volume: 50_000 }),
      market('TIGHT', { volume: 20_000, yesAsk: 4100 }),
      market('LOOSE', { volume: 20_000, yesAsk: 4400 }),
      market('SKIPPED'),
    ], FILTER, NOW, new Set(['SKIPPED']));
    expect(s.markets.map((m) => m.ticker)).toEqual(['A', 'B', 'TIGHT']);
    expect(s.rejected).toEqual({ status: 1, closing: 1, volume: 1, spread: 1, one_sided: 1, excluded: 1 });
  });
});

describe('against the simulator', () => {
  it('discovers up to N open markets, and checks an explicit list', async () => {
    const rs = await startRestSim({ markets: 40, rate: 0 });
    try {
      const client = rs.client();
      const now = Date.now();
      const s = await discoverMarkets(client, { maxMarkets: 10, minVolume: 0, maxSpread: 10_000, minTimeToCloseS: 60 }, now);
      expect(s.markets.length).toBeGreaterThan(0);
      expect(s.markets.length).toBeLessThanOrEqual(10);
      for (const m of s.markets) {
        expect(m.status).toBe('active');
        expect(m.closeTimeMs - now).toBeGreaterThanOrEqual(60_000);
      }
      const tickers = s.markets.slice(0, 3).map((m) => m.ticker);
      expect((await explicitMarkets(client, tickers)).map((m) => m.ticker)).toEqual(tickers);
      await expect(explicitMarkets(client, [...tickers, 'KXNOPE-1'])).rejects.toThrow(MarketSelectionError);
      await expect(explicitMarkets(client, ['KXNOPE-1'])).rejects.toThrow(/unknown market: KXNOPE-1/);
    } finally {
      await rs.close();
    }
  });
});
