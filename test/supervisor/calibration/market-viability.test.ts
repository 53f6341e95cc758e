/** Step 3: the checks on one market, the report, and the read against the simulator. */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KalshiCredentials } from '../../../src/shared/kalshi-signing.js';
import { KalshiRestClient, type Market } from '../../../src/shared/kalshi/rest/index.js';
import { startSimulator } from '../../../src/sim/simulator.js';
import { assessViability, checkMarket, fetchMarkets, viabilityStep } from '../../../src/supervisor/calibration/market-viability.js';
import { makeKey } from '../../support/sim-client.js';

const NOW = 1_795_000_000_000;
const S = { minTimeToCloseS: 900, maxSpread: 300 };

function market(o: Partial<Market> = {}): Market {
  return {
    ticker: 'KXA', status: 'active', closeTimeMs: NOW + 3_600_000, yesBid: 4_500, yesAsk: 4_700, noBid: 5_300, noAsk: 5_500, yesBidSize: 1_000, yesAskSize: 500, ...o,
  } as Market;
}

describe('checkMarket', () => {
  it('active, far from close, two-sided, tight: viable', () => {
    expect(checkMarket('KXA', market(), S, NOW)).toEqual({ ticker: 'KXA', status: 'active', closeTimeMs: NOW + 3_600_000, yesBid: 4_500, yesAsk: 4_700, spread: 200, viable: true, reasons: [] });
  });

  it('each failure, with its reason', () => {
    const reasons = (o: Partial<Market>) => checkMarket('KXA', market(o), S, NOW).reasons;
    expect(checkMarket('KXA', undefined, S, NOW)).toEqual({ ticker: 'KXA', viable: false, reasons: ['the exchange does not know this market'] });
    expect(reasons({ status: 'inactive' })).toEqual(['status inactive']);
    expect(reasons({ closeTimeMs: NOW + 600_000 })).toEqual(['closes in 600 s (< 900 s)']);
    expect(reasons({ closeTimeMs: NOW - 1 })).toEqual(['past its close time']);
    expect(reasons({ yesBid: 0 })).toEqual(['one-sided book (no bid)']);
    expect(reasons({ yesAsk: 10_000 })).toEqual(['one-sided book (no ask)']);
    expect(reasons({ yesBidSize: 0, yesAskSize: 0 })).toEqual(['one-sided book (no bid, no ask)']);
    expect(reasons({ yesBid: 4_800 })).toEqual(['crossed book (bid $0.4800 ≥ ask $0.4700)']);
    expect(reasons({ yesBid: 4_000 })).toEqual(['spread $0.0700 > $0.0300']);
    expect(reasons({ status: 'closed', closeTimeMs: NOW - 1, yesBid: 0 })).toEqual(['status closed', 'past its close time', 'one-sided book (no bid)']);
  });

  it('the report keeps the order given; the step warns when a market must be replaced', () => {
    const v = assessViability(['KXA', 'KXB', 'KXC'], new Map([['KXA', market()], ['KXB', market({ ticker: 'KXB', yesBid: 0 })]]), S, NOW);
    expect(v.viable).toEqual(['KXA']);
    expect(v.replace).toEqual([{ ticker: 'KXB', reason: 'one-sided book (no bid)' }, { ticker: 'KXC', reason: 'the exchange does not know this market' }]);
    expect(viabilityStep(v)).toEqual({ status: 'warn', summary: '1 of 3 market(s) viable; replace KXB (one-sided book (no bid)), KXC (the exchange does not know this market)' });
    expect(viabilityStep(assessViability(['KXA'], new Map([['KXA', market()]]), S, NOW)).status).toBe('ok');
    expect(viabilityStep({ error: 'HTTP 503', viable: [], replace: [], markets: [] })).toEqual({ status: 'fail', summary: 'the markets could not be read: HTTP 503' });
  });
});

describe('fetchMarkets', () => {
  it('reads the simulator\'s markets by ticker; an unknown ticker is simply absent', async () => {
    const key = makeKey(`via-${randomInt(1e9)}`);
    const sim = await startSimulator({ keys: [key], port: 0, markets: 8, rate: 0, tier: 'prestige' });
    const rest = new KalshiRestClient({ baseUrl: sim.restUrl, credentials: new KalshiCredentials(key.keyId, key.privateKey), tier: 'prestige' });
    try {
      const tickers = sim.exchange.markets().map((m) => m.ticker);
      const found = await fetchMarkets(rest, [...tickers, 'KXNOPE-1']);
      expect([...found.keys()].sort()).toEqual([...tickers].sort());
      const v = assessViability(tickers, found, { minTimeToCloseS: 0, maxSpread: 10_000 }, Date.now());
      for (const m of v.markets) expect(m.status).toBe(sim.exchange.market(m.ticker)!.status);
    } finally {
      await rest.close();
      await sim.close();
    }
  });
});
