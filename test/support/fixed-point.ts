/** Test helpers for code that throws FixedPointError, and a reproducible PRNG. */
import { expect } from 'vitest';
import { FixedPointError } from '../../src/shared/fixed-point.js';

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The error a call throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

export function fixedPointError(fn: () => unknown): FixedPointError {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(FixedPointError);
  return err as FixedPointError;
}

/** A tiny deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
