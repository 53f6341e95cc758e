import { describe, expect, it } from 'vitest';
import { BreakerState } from '../../../src/shared/position-records.js';
import { Breakers, DEFAULT_BREAKER_COOLDOWN_MS, DEFAULT_BREAKER_ERRORS } from '../../../src/workers/execution/breaker.js';

const T = 1_767_225_600_000;

describe('Breakers', () => {
  it('defaults: 10 consecutive errors, 300 s cool-down', () => {
    expect(DEFAULT_BREAKER_ERRORS).toBe(10);
    expect(DEFAULT_BREAKER_COOLDOWN_MS).toBe(300_000);
    const b = new Breakers(2);
    expect([b.threshold, b.cooldownMs]).toEqual([10, 300_000]);
  });

  it('CLOSED → OPEN after N consecutive errors; a success in between resets the count', () => {
    const b = new Breakers(2, { threshold: 3, cooldownMs: 1_000 });
    b.onError(0, T);
    b.onError(0, T);
    b.onSuccess(0);
    expect(b.errorCount(0)).toBe(0);
    b.onError(0, T);
    b.onError(0, T);
    expect(b.stateAt(0, T)).toBe(BreakerState.CLOSED);
    expect(b.allows(0, T)).toBe(true);
    b.onError(0, T + 5);
    expect(b.stateAt(0, T + 5)).toBe(BreakerState.OPEN);
    expect(b.errorCount(0)).toBe(3);
    expect(b.allows(0, T + 5)).toBe(false);
    expect(b.tryAcquire(0, T + 1_004)).toBe(false);
    // Market 1 is unaffected.
    expect(b.stateAt(1, T + 5)).toBe(BreakerState.CLOSED);
  });

  it('OPEN → HALF_OPEN after the cool-down: exactly one trial; success closes it', () => {
    const b = new Breakers(1, { threshold: 1, cooldownMs: 1_000 });
    b.onError(0, T);
    expect(b.stateAt(0, T + 999)).toBe(BreakerState.OPEN);
    expect(b.stateAt(0, T + 1_000)).toBe(BreakerState.HALF_OPEN);
    expect(b.allows(0, T + 1_000)).toBe(true);
    expect(b.tryAcquire(0, T + 1_000)).toBe(true);
    expect(b.allows(0, T + 1_001)).toBe(false); // the trial is out
    expect(b.tryAcquire(0, T + 1_001)).toBe(false);
    b.onSuccess(0);
    expect(b.stateAt(0, T + 1_002)).toBe(BreakerState.CLOSED);
    expect(b.errorCount(0)).toBe(0);
    expect(b.tryAcquire(0, T + 1_002)).toBe(true);
    expect(b.tryAcquire(0, T + 1_002)).toBe(true);
  });

  it('HALF_OPEN → OPEN on a failed trial, for a full new cool-down', () => {
    const b = new Breakers(1, { threshold: 2, cooldownMs: 1_000 });
    b.onError(0, T);
    b.onError(0, T);
    expect(b.tryAcquire(0, T + 1_000)).toBe(true);
    b.onError(0, T + 1_500);
    expect(b.stateAt(0, T + 1_500)).toBe(BreakerState.OPEN);
    expect(b.stateAt(0, T + 2_499)).toBe(BreakerState.OPEN);
    expect(b.stateAt(0, T + 2_500)).toBe(BreakerState.HALF_OPEN);
    // A trial given back without a verdict lets the next one through.
    expect(b.tryAcquire(0, T + 2_500)).toBe(true);
    b.release(0);
    expect(b.tryAcquire(0, T + 2_501)).toBe(true);
    b.reset(0);
    expect(b.stateAt(0, T + 2_502)).toBe(BreakerState.CLOSED);
  });

  it('default numbers end to end: 10 errors open it, 300 s later one trial', () => {
    const b = new Breakers(1);
    for (let i = 0; i < 9; i++) b.onError(0, T + i);
    expect(b.allows(0, T + 10)).toBe(true);
    b.onError(0, T + 10);
    expect(b.allows(0, T + 10)).toBe(false);
    expect(b.allows(0, T + 10 + 299_999)).toBe(false);
    expect(b.allows(0, T + 10 + 300_000)).toBe(true);
  });

  it('rejects bad settings', () => {
    expect(() => new Breakers(1, { threshold: 0 })).toThrow(RangeError);
    expect(() => new Breakers(1, { cooldownMs: -5 })).toThrow(RangeError);
  });
});
