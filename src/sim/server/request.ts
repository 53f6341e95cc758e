/**
 * Reading client input for the REST routes: every field is checked and a bad one is Kalshi's
 * 400 body naming it — the simulator never trusts a client and never crashes on one.
 * Cursor paging: an opaque cursor that encodes the offset into a stable ordering.
 */
import { FixedPointError, parseCount, parsePrice } from '../../shared/fixed-point.js';
import { ExchangeError } from '../engine/types.js';
import type { HttpRequest } from './http.js';

export function badRequest(message: string, code = 'bad_request'): ExchangeError {
  return new ExchangeError(400, code, message);
}

/** The JSON body as an object, or a 400. */
export function bodyObject(req: HttpRequest): Record<string, unknown> {
  const body = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function requiredString(obj: Record<string, unknown>, field: string, maxLength = 256): string {
  const v = obj[field];
  if (v === undefined || v === null) throw badRequest(`${field} is required`, 'invalid_parameters');
  if (typeof v !== 'string' || v.length === 0) throw badRequest(`${field} must be a non-empty string`, 'invalid_parameters');
  if (v.length > maxLength) throw badRequest(`${field} is longer than ${maxLength} characters`, 'invalid_parameters');
  return v;
}

export function optionalString(obj: Record<string, unknown>, field: string, maxLength = 256): string | undefined {
  return obj[field] === undefined || obj[field] === null ? undefined : requiredString(obj, field, maxLength);
}

export function optionalBoolean(obj: Record<string, unknown>, field: string): boolean | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw badRequest(`${field} must be a boolean`, 'invalid_parameters');
  return v;
}

export function oneOf<T extends string>(obj: Record<string, unknown>, field: string, allowed: readonly T[], fallback?: T): T {
  const v = obj[field];
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw badRequest(`${field} must be one of ${allowed.join(', ')}`, 'invalid_parameters');
  }
  return v as T;
}

/** A FixedPointDollars price string → $0.0001 units; 400 `invalid_price` when malformed. */
export function priceField(obj: Record<string, unknown>, field: string): number {
  const v = obj[field];
  if (typeof v !== 'string') throw badRequest(`${field} must be a fixed-point dollar string such as "0.5600"`, 'invalid_price');
  try {
    return parsePrice(v);
  } catch (err) {
    throw badRequest(`${field}: ${(err as FixedPointError).message}`, 'invalid_price');
  }
}

/** A FixedPointCount string (or, for legacy fields, a whole number of contracts) → hundredths. */
export function countField(obj: Record<string, unknown>, field: string, legacyIntegerField?: string): number {
  const v = obj[field];
  if (v === undefined && legacyIntegerField !== undefined && obj[legacyIntegerField] !== undefined) {
    const n = obj[legacyIntegerField];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw badRequest(`${legacyIntegerField} must be a positive whole number`, 'invalid_order_size');
    return n * 100;
  }
  if (typeof v !== 'string') throw badRequest(`${field} must be a fixed-point count string such as "10.00"`, 'invalid_order_size');
  try {
    return parseCount(v);
  } catch (err) {
    throw badRequest(`${field}: ${(err as FixedPointError).message}`, 'invalid_order_size');
  }
}

/** An optional whole-number query parameter within [min, max]. */
export function queryInt(req: HttpRequest, name: string, min: number, max: number): number | undefined {
  const v = req.query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d{1,16}$/.test(v)) throw badRequest(`${name} must be a whole number`, 'invalid_parameters');
  const n = Number(v);
  if (n < min || n > max) throw badRequest(`${name} must be between ${min} and ${max}`, 'invalid_parameters');
  return n;
}

export interface Page<T> {
  items: T[];
  cursor: string;
}

/**
 * One page of `all` (already in its stable order) per `limit` and `cursor` query parameters.
 * The cursor is the base64url of the next offset; "" when there is no next page.
 */
export function paginate<T>(req: HttpRequest, all: readonly T[], defaultLimit = 100, maxLimit = 1000): Page<T> {
  const limit = queryInt(req, 'limit', 1, maxLimit) ?? defaultLimit;
  let offset = 0;
  const cursor = req.query.get('cursor');
  if (cursor !== null && cursor !== '') {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    if (!/^o:\d{1,9}$/.test(decoded)) throw badRequest('cursor is not one this server issued', 'invalid_parameters');
    offset = Number(decoded.slice(2));
  }
  const items = all.slice(offset, offset + limit);
  const next = offset + items.length;
  return { items, cursor: next < all.length ? Buffer.from(`o:${next}`).toString('base64url') : '' };
}

/** A comma-separated list query parameter (e.g. `tickers=A,B`), empty entries dropped. */
export function queryList(req: HttpRequest, name: string): string[] | undefined {
  const v = req.query.get(name);
  if (v === null || v === '') return undefined;
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
