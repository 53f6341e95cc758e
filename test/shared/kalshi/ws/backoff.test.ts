import { describe, expect, it } from 'vitest';
import { Backoff, seededRandom } from '../../../../src/shared/kalshi/ws/backoff.js';

describe('Backoff (capped exponential, full jitter)', () => {
  it('draws each delay uniformly below min(cap, base × 2^n), n = failures so far', () => {
    const draws = [0.5, 0.999, 0, 0.25, 0.75, 0.5, 0.5, 0.5];
    let i = 0;
    const b = new Backoff({ baseMs: 100, capMs: 1_000, random: () => draws[i++] });
    // windows: 100, 200, 400, 800, 1000 (capped), 1000, 1000, 1000
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([50, 199, 0, 200, 750, 500, 500, 500]);
    expect(b.attempts).toBe(8);
  });

  it('window() is the cap for any large exponent (no overflow to NaN)', () => {
    const b = new Backoff({ baseMs: 250, capMs: 30_000 });
    expect(b.window(0)).toBe(250);
    expect(b.window(6)).toBe(16_000);
    expect(b.window(7)).toBe(30_000);
    expect(b.window(5_000)).toBe(30_000);
  });

  it('succeeded() starts the schedule over', () => {
    const b = new Backoff({ baseMs: 100, capMs: 10_000, random: () => 0.999999 });
    b.next();
    b.next();
    b.next();
    expect(b.next()).toBe(799);
    b.succeeded();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(99);
  });

  it('a seeded random source gives a reproducible schedule, every delay within its window', () => {
    const a = new Backoff({ baseMs: 500, capMs: 30_000, random: seededRandom(42) });
    const b = new Backoff({ baseMs: 500, capMs: 30_000, random: seededRandom(42) });
    const sa = Array.from({ length: 20 }, () => a.next());
    const sb = Array.from({ length: 20 }, () => b.next());
    expect(sa).toEqual(sb);
    sa.forEach((d, n) => {
      expect(Number.isInteger(d)).toBe(true);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(30_000, 500 * 2 ** n));
    });
    // jitter: not all the same fraction of their window
    expect(new Set(sa.map((d, n) => Math.floor((d / Math.min(30_000, 500 * 2 ** n)) * 10))).size).toBeGreaterThan(2);
  });

  it('a broken random source cannot produce a negative or NaN delay', () => {
    for (const r of [NaN, -1, 1, 7]) expect(new Backoff({ baseMs: 100, capMs: 200, random: () => r }).next()).toBe(0);
  });

  it('refuses nonsense settings', () => {
    expect(() => new Backoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 100, capMs: 50 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: Number.NaN })).toThrow(RangeError);
  });
});
