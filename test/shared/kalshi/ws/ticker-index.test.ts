import { describe, expect, it } from 'vitest';
import { FrameKind, OrderbookFrame, parseOrderbookFrame } from '../../../../src/shared/kalshi/ws/orderbook-parser.js';
import { MAX_TICKER_LENGTH, TickerIndex, hashBytes } from '../../../../src/shared/kalshi/ws/ticker-index.js';
import * as frames from '../../../../src/sim/ws/frames.js';
import { rng } from '../../../support/fixed-point.js';

const enc = new TextEncoder();

/** Looks `ticker` up from the middle of a larger buffer, the way a frame holds it. */
function lookupIn(index: TickerIndex, ticker: string): number {
  const buf = enc.encode(`{"market_ticker":"${ticker}","x":1}`);
  const start = 18;
  return index.lookup(buf, start, start + ticker.length);
}

describe('TickerIndex', () => {
  it('maps tickers to market indexes, from bytes and from strings', () => {
    const index = new TickerIndex();
    index.add('KXFOO-26AUG01-T50', 0);
    index.add('FED-23DEC-T3.00', 7);
    index.add('HIGHNY-22DEC23-B53.5', 3);
    expect(index.size).toBe(3);
    expect(lookupIn(index, 'KXFOO-26AUG01-T50')).toBe(0);
    expect(lookupIn(index, 'FED-23DEC-T3.00')).toBe(7);
    expect(index.get('HIGHNY-22DEC23-B53.5')).toBe(3);
    expect(lookupIn(index, 'FED-23DEC-T3.0')).toBe(-1);
    expect(lookupIn(index, 'FED-23DEC-T3.000')).toBe(-1);
    expect(lookupIn(index, 'fed-23dec-t3.00')).toBe(-1);
    expect(index.get('NOPE')).toBe(-1);
    expect(index.tickers().sort()).toEqual(['FED-23DEC-T3.00', 'HIGHNY-22DEC23-B53.5', 'KXFOO-26AUG01-T50']);
  });

  it('returns -1 for empty, too long or out-of-range byte ranges', () => {
    const index = new TickerIndex();
    index.add('A', 1);
    const buf = enc.encode('AAAA');
    expect(index.lookup(buf, 0, 1)).toBe(1);
    expect(index.lookup(buf, 1, 1)).toBe(-1);
    expect(index.lookup(buf, 2, 1)).toBe(-1);
    expect(index.lookup(buf, -1, 0)).toBe(-1);
    expect(index.lookup(buf, 3, 5)).toBe(-1);
    expect(index.lookup(new Uint8Array(200).fill(65), 0, 101)).toBe(-1);
  });

  it('refuses duplicates and bad input', () => {
    const index = new TickerIndex();
    index.add('X-1', 0);
    expect(() => index.add('X-1', 1)).toThrow(/already/);
    expect(() => index.add('', 1)).toThrow(RangeError);
    expect(() => index.add('A'.repeat(MAX_TICKER_LENGTH + 1), 1)).toThrow(RangeError);
    expect(() => index.add('A B', 1)).toThrow(RangeError);
    expect(() => index.add('AÖ', 1)).toThrow(RangeError);
    expect(() => index.add('A"B', 1)).toThrow(RangeError);
    expect(() => index.add('A\\B', 1)).toThrow(RangeError);
    expect(() => index.add(5 as unknown as string, 1)).toThrow(RangeError);
    expect(() => index.add('Y', -1)).toThrow(RangeError);
    expect(() => index.add('Y', 1.5)).toThrow(RangeError);
    expect(() => index.add('Y', 2 ** 31)).toThrow(RangeError);
    expect(index.size).toBe(1);
    index.add('A'.repeat(MAX_TICKER_LENGTH), 2);
    expect(lookupIn(index, 'A'.repeat(MAX_TICKER_LENGTH))).toBe(2);
  });

  it('removes, and takes a ticker again after removal', () => {
    const index = new TickerIndex();
    index.add('A', 1);
    expect(index.remove('A')).toBe(true);
    expect(index.remove('A')).toBe(false);
    expect(index.size).toBe(0);
    expect(lookupIn(index, 'A')).toBe(-1);
    index.add('A', 2);
    expect(lookupIn(index, 'A')).toBe(2);
  });

  it('stays exact through growth and heavy churn (against a Map)', () => {
    const r = rng(3);
    const index = new TickerIndex();
    const model = new Map<string, number>();
    const pool = Array.from({ length: 3000 }, (_, i) => `KX${Math.floor(r() * 1e6).toString(36).toUpperCase()}-${i}`);
    for (let step = 0; step < 40_000; step++) {
      const t = pool[Math.floor(r() * pool.length)];
      if (model.has(t) && r() < 0.5) {
        expect(index.remove(t)).toBe(true);
        model.delete(t);
      } else if (!model.has(t)) {
        const v = Math.floor(r() * 100_000);
        index.add(t, v);
        model.set(t, v);
      }
      if (step % 1000 === 0) {
        expect(index.size).toBe(model.size);
        for (const p of pool) expect(lookupIn(index, p)).toBe(model.get(p) ?? -1);
      }
    }
  });

  it('stays exact when every ticker collides into one probe run', () => {
    // Tickers whose hashes share their low bits with the first one's: one long run, then removals
    // from its middle must keep every later member reachable (backward-shift deletion).
    const index = new TickerIndex();
    const target = hashBytes(enc.encode('SEED'), 0, 4) & 63;
    const colliding: string[] = [];
    for (let i = 0; colliding.length < 20; i++) {
      const t = `C${i}`;
      if ((hashBytes(enc.encode(t), 0, t.length) & 63) === target) colliding.push(t);
    }
    colliding.forEach((t, i) => index.add(t, i));
    for (let k = 0; k < colliding.length; k += 3) index.remove(colliding[k]);
    colliding.forEach((t, i) => expect(lookupIn(index, t)).toBe(i % 3 === 0 ? -1 : i));
  });

  it('looks up the ticker range the orderbook parser reports', () => {
    const index = new TickerIndex();
    index.add('KXSIMBTC-26AUG01-T5000', 42);
    const frame = new OrderbookFrame();
    const buf = Buffer.from(frames.orderbookDelta(1, 1, { ticker: 'KXSIMBTC-26AUG01-T5000' }, 'yes', 5000, 100, 0, undefined));
    expect(parseOrderbookFrame(buf, frame)).toBe(FrameKind.Delta);
    expect(index.lookup(buf, frame.tickerStart, frame.tickerEnd)).toBe(42);
  });
});
