/** Step 1 against the simulator: reachable, open, clock; and each way it fails. */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KalshiCredentials } from '../../../src/shared/kalshi-signing.js';
import { KalshiRestClient } from '../../../src/shared/kalshi/rest/index.js';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.js';
import { checkConnection, connectionStep, formatSkew, statusUrlOf } from '../../../src/supervisor/calibration/connection.js';
import type { ClockSkew } from '../../../src/supervisor/calibration/report.js';
import { makeKey, type TestKey } from '../../support/sim-client.js';

let sim: Simulator;
let key: TestKey;
let rest: KalshiRestClient;

beforeAll(async () => {
  key = makeKey(`conn-${randomInt(1e9)}`);
  sim = await startSimulator({ keys: [key], port: 0, markets: 4, rate: 0, tier: 'prestige' });
  rest = new KalshiRestClient({ baseUrl: sim.restUrl, credentials: new KalshiCredentials(key.keyId, key.privateKey), tier: 'prestige' });
});
afterAll(async () => {
  await rest?.close();
  await sim?.close();
});

const skew = (ms: number | null): ClockSkew => ms === null
  ? { measured: false, skewMs: null, lowMs: null, highMs: null, resolutionMs: 1000, rttMs: 1, serverDate: null, error: 'the reply had no Date header' }
  : { measured: true, skewMs: ms, lowMs: ms - 500, highMs: ms + 500, resolutionMs: 1000, rttMs: 1, serverDate: 'x' };

describe('checkConnection', () => {
  it('the simulator: reachable, active, trading, its clock is ours', async () => {
    expect(statusUrlOf(rest)).toBe(`${sim.restUrl}/exchange/status`);
    const c = await checkConnection(rest, { clock: Date.now, maxClockSkewMs: 2_000 });
    expect(c).toMatchObject({ reachable: true, exchangeActive: true, tradingActive: true, estimatedResumeMs: null, maxClockSkewMs: 2_000 });
    expect(c.latencyMs).toBeGreaterThanOrEqual(0);
    expect(c.clock.measured).toBe(true);
    expect(c.clock.lowMs!).toBeLessThanOrEqual(0);
    expect(c.clock.highMs!).toBeGreaterThanOrEqual(0);
    const step = connectionStep(c);
    expect(step.status).toBe('ok');
    expect(step.summary).toMatch(/^exchange answered in \d+ ms; exchange active; trading active; clock skew [+−]\d\.\d s/);
  });

  it('trading paused: fail', async () => {
    sim.control.setTradingActive(false);
    try {
      const c = await checkConnection(rest, { clock: Date.now, maxClockSkewMs: 2_000 });
      expect(c.tradingActive).toBe(false);
      expect(connectionStep(c)).toMatchObject({ status: 'fail', summary: expect.stringContaining('trading PAUSED') });
    } finally {
      sim.control.setTradingActive(true);
    }
  });

  it('skew beyond the limit: fail; not measured: warn', async () => {
    const far = await checkConnection(rest, { clock: Date.now, maxClockSkewMs: 2_000, measureSkew: async () => skew(-5_000) });
    expect(connectionStep(far)).toMatchObject({ status: 'fail', summary: expect.stringContaining('BEYOND THE LIMIT') });
    const none = await checkConnection(rest, { clock: Date.now, maxClockSkewMs: 2_000, measureSkew: async () => skew(null) });
    expect(connectionStep(none)).toMatchObject({ status: 'warn', summary: expect.stringContaining('clock skew not measured') });
  });

  it('unreachable: fail, and the clock is not probed', async () => {
    const dead = new KalshiRestClient({ baseUrl: 'http://127.0.0.1:9/trade-api/v2', timeoutMs: 2_000 });
    try {
      let probed = false;
      const c = await checkConnection(dead, { clock: Date.now, maxClockSkewMs: 2_000, measureSkew: async () => { probed = true; return skew(0); } });
      expect(c).toMatchObject({ reachable: false, latencyMs: null, exchangeActive: null });
      expect(c.error).toMatch(/GET \/trade-api\/v2\/exchange\/status|exchange\/status/);
      expect(probed).toBe(false);
      expect(connectionStep(c)).toMatchObject({ status: 'fail', summary: expect.stringMatching(/^exchange unreachable: /) });
    } finally {
      await dead.close();
    }
  });

  it('formatSkew', () => {
    expect(formatSkew(350)).toBe('+0.4 s');
    expect(formatSkew(-12_000)).toBe('−12.0 s');
  });
});
