import { describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE_MS, Throttle } from '../../../src/workers/execution/throttle.js';

describe('Throttle', () => {
  it('defaults to 250 ms per market', () => {
    expect(DEFAULT_THROTTLE_MS).toBe(250);
    expect(new Throttle(4).intervalMs).toBe(250);
  });

  it('allows the first order, then one per interval, per market', () => {
    const t = new Throttle(4);
    const T = 1_767_225_600_000;
    expect(t.allows(0, T)).toBe(true);
    expect(t.lastAt(0)).toBe(0);
    t.record(0, T);
    expect(t.lastAt(0)).toBe(T);
    expect(t.allows(0, T)).toBe(false);
    expect(t.allows(0, T + 249)).toBe(false);
    expect(t.waitMs(0, T + 249)).toBe(1);
    expect(t.allows(0, T + 250)).toBe(true);
    expect(t.waitMs(0, T + 250)).toBe(0);
    // Other markets are independent.
    expect(t.allows(1, T)).toBe(true);
    expect(t.allows(3, T + 1)).toBe(true);
    t.clear(0);
    expect(t.allows(0, T + 1)).toBe(true);
    expect(t.lastAt(0)).toBe(0);
  });

  it('a zero interval never throttles; a clock stepping back only delays', () => {
    const z = new Throttle(1, 0);
    z.record(0, 100);
    expect(z.allows(0, 100)).toBe(true);
    const t = new Throttle(1, 250);
    t.record(0, 1_000);
    expect(t.allows(0, 900)).toBe(false);
    expect(t.allows(0, 1_250)).toBe(true);
  });

  it('rejects bad settings', () => {
    expect(() => new Throttle(0)).toThrow(RangeError);
    expect(() => new Throttle(1, -1)).toThrow(RangeError);
    expect(() => new Throttle(1, Number.NaN)).toThrow(RangeError);
  });
});
