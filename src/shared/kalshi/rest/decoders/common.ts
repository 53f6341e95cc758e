/**
 * Pieces shared by the REST decoders: pages, integer cents, exchange shards, the YES-book
 * direction enums. Units everywhere: prices $0.0001, counts hundredths of a contract, money µ$,
 * times ms since the epoch (fixed-point.ts). Every reader throws KalshiSchemaError naming the path.
 */
import { MONEY_SCALE, type Money } from '../../../fixed-point.js';
import {
  asObject, KalshiSchemaError, optInt, reqArray, reqInt, show, type JsonObject,
} from '../../decode.js';

/** One page of a cursor-paged list. `cursor` is '' on the last page. */
export interface Page<T> {
  readonly items: T[];
  readonly cursor: string;
}

/** `{ <key>: [...], cursor }`; `cursorRequired` false where the spec makes the cursor optional. */
export function decodePage<T>(body: unknown, key: string, item: (v: unknown, path: string) => T, cursorRequired = true): Page<T> {
  const o = asObject(body, 'reply');
  const cursor = o.cursor;
  if (typeof cursor !== 'string' && (cursorRequired || (cursor !== undefined && cursor !== null))) {
    throw new KalshiSchemaError('reply.cursor', 'a string', show(cursor));
  }
  return { items: reqArray(o, key, 'reply', item), cursor: typeof cursor === 'string' ? cursor : '' };
}

/** An array element that must be a non-empty string (ids). */
export function idElement(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new KalshiSchemaError(path, 'a non-empty string', show(v));
  return v;
}

/** µ$ per cent. */
const MICROS_PER_CENT = MONEY_SCALE / 100;

/** An integer number of cents (legacy integer money fields) as µ$. */
export function reqCents(o: JsonObject, key: string, path: string): Money {
  const cents = reqInt(o, key, path);
  const m = cents * MICROS_PER_CENT;
  if (!Number.isSafeInteger(m)) throw new KalshiSchemaError(path === '' ? key : `${path}.${key}`, 'cents within the safe range of µ$', show(cents));
  return m;
}

/** `exchange_index`: the shard (0 = default, kalshi-api.md §1.4); absent means 0. */
export function exchangeIndexOf(o: JsonObject, path: string): number {
  const i = optInt(o, 'exchange_index', path);
  if (i !== undefined && i < 0) throw new KalshiSchemaError(`${path}.exchange_index`, 'a shard index ≥ 0', show(i));
  return i ?? 0;
}

/** `bid` = buy YES, `ask` = sell YES ≡ buy NO at 1 − price (§5.1). */
export const BOOK_SIDES = ['bid', 'ask'] as const;
export type BookSide = (typeof BOOK_SIDES)[number];

export const OUTCOME_SIDES = ['yes', 'no'] as const;
export type OutcomeSide = (typeof OUTCOME_SIDES)[number];

/** An EmptyResponse (`{}`) or no body at all (204). */
export function decodeEmpty(body: unknown): void {
  if (body !== undefined) asObject(body, 'reply');
}

/** Kalshi's `ErrorResponse` inside a batch item: `code` and `message`, `details` optional. */
export interface ItemError {
  readonly code: string;
  readonly message: string;
  readonly details?: string;
}

export function decodeItemError(v: unknown, path: string): ItemError {
  const o = asObject(v, path);
  const code = o.code;
  if (typeof code !== 'string' || code === '') throw new KalshiSchemaError(`${path}.code`, 'a non-empty string', show(code));
  const message = typeof o.message === 'string' ? o.message : '';
  return typeof o.details === 'string' ? { code, message, details: o.details } : { code, message };
}
