/** Fixture loading and mutation for the decoder tests (test/fixtures/kalshi/rest, see its README). */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { KalshiSchemaError } from '../../../../../src/shared/kalshi/decode.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON under test
export type Json = any;

export function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../../../../fixtures/kalshi/rest/${name}`, import.meta.url), 'utf8'));
}

/**
 * A deep copy of `doc` with the value at `path` (dot/bracket path, e.g. `market.price_ranges[1].step`)
 * replaced by `value`, or removed when `value` is `DELETE`.
 */
export const DELETE = Symbol('delete');
export function withValue(doc: Json, path: string, value: unknown): Json {
  const copy = structuredClone(doc);
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) node = node[k];
  const last = keys[keys.length - 1];
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return copy;
}

/** `fn` throws a KalshiSchemaError at exactly `path`. */
export function expectSchemaError(fn: () => unknown, path: string): KalshiSchemaError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(KalshiSchemaError);
  expect((caught as KalshiSchemaError).path).toBe(path);
  return caught as KalshiSchemaError;
}
