/**
 * `orderbookDelta` is built from cached pieces (per-sid prefix, per-market head, price table,
 * whole-contract counts, the ts_ms tail of the last millisecond): byte for byte the frame the
 * plain concatenation gives, whatever the order of sids, markets, timestamps and values.
 */
import { describe, expect, it } from 'vitest';
import { formatCount, formatPrice } from '../../../src/shared/fixed-point.js';
import { marketIdOf } from '../../../src/sim/server/ids.js';
import * as frames from '../../../src/sim/ws/frames.js';

function reference(sid: number, seq: number, ticker: string, outcome: 'yes' | 'no', price: number, delta: number, tsMs: number, coid: string | undefined, useYesPrice: boolean): string {
  const shown = outcome === 'no' && useYesPrice ? 10_000 - price : price;
  const msg: Record<string, unknown> = {
    market_ticker: ticker,
    market_id: marketIdOf(ticker),
    price_dollars: formatPrice(shown),
    delta_fp: formatCount(delta),
    side: outcome,
    ts_ms: tsMs,
  };
  if (coid !== undefined) {
    msg.client_order_id = coid;
    msg.subaccount = 0;
  }
  return JSON.stringify({ type: 'orderbook_delta', sid, seq, msg });
}

describe('orderbookDelta fast path', () => {
  it('matches the plain frame over sids, markets, prices, counts and timestamps in any order', () => {
    let x = 12345;
    const rand = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    const tickers = ['KXA-26JAN01-T1', 'KXB-26JAN01-B2.5', 'KX"Q"-1'];
    const counts = [0, 1, 99, 100, 3300, -3300, -1, 999_999, 1_000_000, -1_000_000, 123_456_789, 2 ** 31 + 100, -(2 ** 31) - 100];
    const times = [1_755_800_000_000, 1_755_800_000_001, 1_755_800_000_000, 0, 1_755_800_000_001];
    for (let i = 0; i < 20_000; i++) {
      const sid = [1, 2, 7, 4095, 4096, 100_000][rand(6)];
      const ticker = tickers[rand(tickers.length)];
      const outcome = rand(2) === 0 ? 'yes' : 'no';
      const price = rand(10_001);
      const delta = rand(3) === 0 ? counts[rand(counts.length)] : (rand(20_000) - 10_000) * (rand(2) === 0 ? 100 : 1);
      const ts = times[rand(times.length)] + (i >> 7);
      const coid = rand(50) === 0 ? 'my "order" \\1' : undefined;
      const useYes = rand(2) === 0;
      const got = frames.orderbookDelta(sid, i + 1, { ticker }, outcome, price, delta, ts, coid, useYes);
      expect(got).toBe(reference(sid, i + 1, ticker, outcome, price, delta, ts, coid, useYes));
    }
  });

  it('still refuses a price off the scale and a fractional count', () => {
    expect(() => frames.orderbookDelta(1, 1, { ticker: 'T' }, 'yes', 10_001, 100, 0, undefined)).toThrow();
    expect(() => frames.orderbookDelta(1, 1, { ticker: 'T' }, 'yes', -1, 100, 0, undefined)).toThrow();
    expect(() => frames.orderbookDelta(1, 1, { ticker: 'T' }, 'yes', 5000.5, 100, 0, undefined)).toThrow();
    expect(() => frames.orderbookDelta(1, 1, { ticker: 'T' }, 'yes', 5000, 1.5, 0, undefined)).toThrow();
  });
});
