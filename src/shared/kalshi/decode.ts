/**
 * Checked reading of exchange JSON at the boundary: every field the host uses is read through
 * one of these, so a missing field, a wrong type, a bad fixed-point string or an unknown enum
 * value becomes one typed `KalshiSchemaError` naming the field's path — never an `undefined`
 * or a NaN downstream.
 *
 * Conventions: `req*` throw when the key is absent or null; `opt*` return `undefined` for an
 * absent or null key and throw for a present value of the wrong shape. Paths are for humans:
 * `order.yes_price_dollars`, `markets[3].price_ranges[0].step`. The offending value is shown
 * truncated (64 characters); these objects never hold secrets.
 *
 * Cold path (REST replies, private channel frames): clarity over speed. The orderbook hot path
 * has its own byte parser (ws/orderbook-parser.ts).
 */
import { FixedPointError, parseCount, parseMoney, parsePrice, parseSignedCount, type Count, type Money, type Price } from '../fixed-point.js';

export type JsonObject = Record<string, unknown>;

export class KalshiSchemaError extends Error {
  override readonly name = 'KalshiSchemaError';
  constructor(
    /** Where in the document, e.g. `market.price_ranges[0].step`. */
    readonly path: string,
    /** What was expected there, e.g. `a price string`. */
    readonly expected: string,
    /** The value found, shown as text (truncated), or `missing`. */
    readonly found: string,
  ) {
    super(`exchange sent an invalid ${path}: expected ${expected}, got ${found}`);
  }
}

const SHOWN = 64;

/** A value as short text for error messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  } catch {
    s = typeof v;
  }
  return s.length > SHOWN ? s.slice(0, SHOWN) + '…' : s;
}

function fail(path: string, expected: string, v: unknown): never {
  throw new KalshiSchemaError(path, expected, show(v));
}

function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The document itself must be an object (`path` names it: `market`, `reply`). */
export function asObject(v: unknown, path: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, 'an object', v);
  return v as JsonObject;
}

export function reqObject(o: JsonObject, key: string, path: string): JsonObject {
  return asObject(o[key], at(path, key));
}

export function optObject(o: JsonObject, key: string, path: string): JsonObject | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : asObject(v, at(path, key));
}

/** An array, each element decoded by `item(element, elementPath)`. */
export function reqArray<T>(o: JsonObject, key: string, path: string, item: (v: unknown, path: string) => T): T[] {
  const p = at(path, key);
  const v = o[key];
  if (!Array.isArray(v)) fail(p, 'an array', v);
  const out = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = item(v[i], `${p}[${i}]`);
  return out;
}

/** As `reqArray`, with an absent or null key read as an empty array (Kalshi omits empty lists). */
export function optArray<T>(o: JsonObject, key: string, path: string, item: (v: unknown, path: string) => T): T[] {
  const v = o[key];
  return v === undefined || v === null ? [] : reqArray(o, key, path, item);
}

export function reqString(o: JsonObject, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(at(path, key), 'a string', v);
  return v;
}

export function optString(o: JsonObject, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(at(path, key), 'a string', v);
  return v;
}

/** A non-empty string (ids, tickers). */
export function reqId(o: JsonObject, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) fail(at(path, key), 'a non-empty string', v);
  return v;
}

export function reqBoolean(o: JsonObject, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') fail(at(path, key), 'true or false', v);
  return v;
}

export function optBoolean(o: JsonObject, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(at(path, key), 'true or false', v);
  return v;
}

/** A JSON integer within the safe range (timestamps, ids, sequence numbers, legacy integers). */
export function reqInt(o: JsonObject, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(at(path, key), 'an integer', v);
  return v;
}

export function optInt(o: JsonObject, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return reqInt(o, key, path);
}

/** A finite JSON number (fee multipliers and the like — never money or prices). */
export function reqNumber(o: JsonObject, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(at(path, key), 'a finite number', v);
  return v;
}

export function optNumber(o: JsonObject, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return reqNumber(o, key, path);
}

/** One of `values`; anything else (an enum value this host does not know) is an error. */
export function reqEnum<T extends string>(o: JsonObject, key: string, path: string, values: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(at(path, key), `one of ${values.join('|')}`, v);
  return v as T;
}

export function optEnum<T extends string>(o: JsonObject, key: string, path: string, values: readonly T[]): T | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return reqEnum(o, key, path, values);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An RFC 3339 time string as epoch ms. The offset is required (a time without one would be read
 * in this machine's time zone), and an impossible date (Feb 30) is refused rather than rolled over.
 */
export function reqTimeMs(o: JsonObject, key: string, path: string): number {
  const v = o[key];
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  const ms = m === null ? Number.NaN : Date.parse(v as string);
  if (m === null || !Number.isFinite(ms)) fail(at(path, key), 'an RFC 3339 time', v);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const calendar = new Date(Date.UTC(y, mo - 1, d));
  if (calendar.getUTCFullYear() !== y || calendar.getUTCMonth() !== mo - 1 || calendar.getUTCDate() !== d || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) {
    fail(at(path, key), 'an RFC 3339 time', v);
  }
  return ms;
}

export function optTimeMs(o: JsonObject, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  return reqTimeMs(o, key, path);
}

function fixed<T>(parse: (s: string) => T, expected: string) {
  const req = (o: JsonObject, key: string, path: string): T => {
    const v = o[key];
    if (typeof v !== 'string') fail(at(path, key), expected, v);
    try {
      return parse(v);
    } catch (e) {
      if (e instanceof FixedPointError) fail(at(path, key), expected, v);
      throw e;
    }
  };
  const opt = (o: JsonObject, key: string, path: string): T | undefined => {
    const v = o[key];
    return v === undefined || v === null ? undefined : req(o, key, path);
  };
  return { req, opt };
}

const PRICE = fixed(parsePrice, 'a price string in [0, 1] with at most 4 decimals');
const COUNT = fixed(parseCount, 'a non-negative count string with at most 2 decimals');
const SIGNED_COUNT = fixed(parseSignedCount, 'a count string with at most 2 decimals');
const MONEY = fixed(parseMoney, 'a dollar string with at most 6 decimals');

/** `"0.5600"` → 5600 ($0.0001 units). */
export const reqPrice: (o: JsonObject, key: string, path: string) => Price = PRICE.req;
export const optPrice: (o: JsonObject, key: string, path: string) => Price | undefined = PRICE.opt;
/** `"10.00"` → 1000 (hundredths of a contract), non-negative. */
export const reqCount: (o: JsonObject, key: string, path: string) => Count = COUNT.req;
export const optCount: (o: JsonObject, key: string, path: string) => Count | undefined = COUNT.opt;
/** `"-3.00"` → -300: positions and deltas. */
export const reqSignedCount: (o: JsonObject, key: string, path: string) => Count = SIGNED_COUNT.req;
export const optSignedCount: (o: JsonObject, key: string, path: string) => Count | undefined = SIGNED_COUNT.opt;
/** `"-1.500000"` → -1500000 (µ$). */
export const reqMoney: (o: JsonObject, key: string, path: string) => Money = MONEY.req;
export const optMoney: (o: JsonObject, key: string, path: string) => Money | undefined = MONEY.opt;

/** One `[price_dollars, count_fp]` pair of a REST orderbook or WS snapshot. */
export function priceLevel(v: unknown, path: string): [Price, Count] {
  if (!Array.isArray(v) || v.length !== 2) fail(path, 'a [price, count] pair', v);
  const holder: JsonObject = { price: v[0], count: v[1] };
  try {
    return [reqPrice(holder, 'price', ''), reqCount(holder, 'count', '')];
  } catch (e) {
    if (e instanceof KalshiSchemaError) throw new KalshiSchemaError(`${path}[${e.path === 'price' ? 0 : 1}]`, e.expected, e.found);
    throw e;
  }
}
