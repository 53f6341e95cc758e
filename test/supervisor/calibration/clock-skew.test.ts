/** Clock skew from the Date header: the interval arithmetic, and the probe against a real HTTP server. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_ALLOWANCE_MS, measureClockSkew, probeServerClock, skewBeyond, skewOf } from '../../../src/supervisor/calibration/clock-skew.js';

const H = Date.parse('Tue, 24 Nov 2026 10:00:00 GMT');

describe('skewOf', () => {
  it('brackets the skew between the send and receive times, widened by the header resolution and caching', () => {
    // Sent 200 ms before H, received 100 ms after: the exchange's H..H+2s happened between.
    const k = skewOf({ serverDate: 'Tue, 24 Nov 2026 10:00:00 GMT', sentMs: H - 200, receivedMs: H + 100 });
    expect(k).toMatchObject({ measured: true, lowMs: -100, highMs: 1000 + CACHE_ALLOWANCE_MS + 200, resolutionMs: 1000, rttMs: 300 });
    expect(k.skewMs).toBe(Math.round((-100 + 2200) / 2));
    expect(skewBeyond(k, 2_000)).toBe(false);
    expect(skewBeyond(k, 1_000)).toBe(true);
  });

  it('a local clock 10 s ahead shows as a skew near −10 s', () => {
    const k = skewOf({ serverDate: new Date(H).toUTCString(), sentMs: H + 10_000, receivedMs: H + 10_020 });
    expect(k.lowMs).toBe(-10_020);
    expect(k.highMs).toBe(-8_000);
    expect(k.skewMs).toBe(-9_010);
    expect(skewBeyond(k, 2_000)).toBe(true);
  });

  it('no header, or an unreadable one: not measured, never beyond', () => {
    const none = skewOf({ serverDate: undefined, sentMs: 0, receivedMs: 5 });
    expect(none).toMatchObject({ measured: false, skewMs: null, error: 'the reply had no Date header' });
    expect(skewBeyond(none, 0)).toBe(false);
    expect(skewOf({ serverDate: 'yesterday', sentMs: 0, receivedMs: 5 }).error).toMatch(/unreadable Date header "yesterday"/);
  });
});

describe('probeServerClock', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('date', 'Tue, 24 Nov 2026 10:00:00 GMT');
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trade-api/v2/exchange/status`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the Date header with a plain request, timing it on the given clock', async () => {
    let t = H + 5_000;
    const clock = () => (t += 10);
    const s = await probeServerClock(url, clock);
    expect(s).toEqual({ serverDate: 'Tue, 24 Nov 2026 10:00:00 GMT', sentMs: H + 5_010, receivedMs: H + 5_020 });
    t = H + 5_000;
    const k = await measureClockSkew(url, clock);
    expect(k).toMatchObject({ measured: true, lowMs: -5_020, highMs: -3_010 });
  });

  it('a server that does not answer: unmeasured, with the reason', async () => {
    const k = await measureClockSkew('http://127.0.0.1:9/trade-api/v2/exchange/status', Date.now, 2_000);
    expect(k.measured).toBe(false);
    expect(k.error).toMatch(/^Date probe failed/);
  });
});
