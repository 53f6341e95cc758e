/**
 * The market-data hot path: `orderbook_delta` / `orderbook_snapshot` frames (kalshi-api.md §2.4,
 * AsyncAPI `orderbookDeltaPayload` / `orderbookSnapshotPayload`) read straight from the bytes `ws`
 * hands to 'message', into one reusable `OrderbookFrame` per connection, in exact fixed point
 * (../../fixed-point.ts). No allocation per delta frame, no string, no throw.
 *
 * Every other frame is only classified (`Other`, after a full syntax check) so that the caller
 * can `JSON.parse` it on the cold path (channel-events.ts).
 *
 * Rules (each failure returns `Malformed` with a constant `error`, one of `FrameError`):
 * - The frame must be one JSON object (RFC 8259 syntax, checked byte by byte, whitespace allowed
 *   anywhere JSON allows it, nothing after the object). Nesting deeper than `MAX_NESTING` is
 *   refused (`FrameError.TooDeep`) so hostile input cannot exhaust the stack.
 * - `type` may appear anywhere in the object. Kalshi (and the simulator) send it first: then
 *   `msg` is read in one pass. Otherwise `msg` is skipped, and read once `type` is known.
 * - Required: `sid`, `seq` (non-negative integers written as plain digits — `2.0` or `2e0` are
 *   refused — within the safe range), `msg` (an object), `msg.market_ticker` (1+ printable
 *   ASCII bytes, no escape); for a delta also `msg.price_dollars` (a price string, [0, 1], ≤ 4
 *   decimals), `msg.delta_fp` (a signed count string, ≤ 2 decimals, not zero) and `msg.side`
 *   ("yes" | "no"). `msg.market_id`, required by the spec, is not used and not required.
 * - Optional: `msg.ts_ms` (plain non-negative integer, or null = absent), `msg.client_order_id`
 *   (a string; its presence sets `ownOrder`; null = absent), and for a snapshot
 *   `msg.yes_dollars_fp` / `msg.no_dollars_fp` (arrays of `[price, size]` string pairs; an absent
 *   key, null or `[]` is an empty side). A level's size must be > 0 and ≤ 2 decimals, and a price
 *   may appear only once per side.
 * - Duplicate keys: a key the parser reads (`type`, `sid`, `seq`, `msg`, and inside `msg` the
 *   fields above that matter for the frame's kind) may appear only once — a second occurrence is
 *   `DuplicateKey` whether or not the values agree (JSON.parse would silently keep the last one;
 *   a book must not depend on which). Duplicates of other keys are skipped like any unknown key.
 * - Escapes: keys of the top-level object and of `msg`, and the string values read (type,
 *   market_ticker, prices, counts, side), must contain no backslash escape (`Escaped`). Kalshi
 *   never escapes them: they are ASCII identifiers and numbers. Elsewhere (values of unknown keys,
 *   `client_order_id`) escapes are validated and skipped.
 * - Unknown keys, at any level, with any JSON value (nested objects, arrays, numbers, escaped
 *   strings), are skipped with full syntax validation.
 * - Only the keys relevant to the kind are read: a delta's `yes_dollars_fp` or a snapshot's
 *   `price_dollars` is skipped as unknown.
 *
 * Price scale (§2.4 `use_yes_price`): prices are reported exactly as sent. With the default
 * `use_yes_price:false` a NO-side price is a NO price; with `true` it is re-expressed in YES
 * price. The parser does not know which; the subscription owner does.
 *
 * A `Delta` result always has an integer `price` in [0, 10000], an integer `delta` ≠ 0 (safe
 * range), `side` 0 or 1, a ticker range of ≥ 1 byte; a `Snapshot` result integer prices in
 * [0, 10000], distinct per side, and integer sizes > 0. After `Malformed`, `sid`, `seq` and the
 * ticker range hold what was read before the failure (-1 / empty when not reached): a hint for
 * logs and for choosing what to resync, never data for a book.
 *
 * Speed: Kalshi's layout (`type` first, then sid, seq, msg; in msg market_ticker, market_id,
 * price_dollars, delta_fp, side, ts_ms, client_order_id) is matched as runs of constant bytes;
 * any other layout falls back, at the first difference, to the general key-by-key loop, which
 * gives the same result. Intermediate results live in one module-level scratch object: calls
 * never overlap (synchronous, no callbacks) and every worker thread has its own module instance.
 */
import { FIXED_POINT_INVALID, parseCountBytes, parsePriceBytes, parseSignedCountBytes } from '../../fixed-point.js';

export const FrameKind = { Malformed: -1, Other: 0, Delta: 1, Snapshot: 2 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export const BookSide = { Yes: 0, No: 1 } as const;
export type BookSide = (typeof BookSide)[keyof typeof BookSide];

/** Objects and arrays nested deeper than this (the frame itself is level 1) are refused. */
export const MAX_NESTING = 64;

/** `OrderbookFrame.error` after `Malformed`: constant strings, so a caller can count by reason. */
export const FrameError = {
  Syntax: 'invalid JSON',
  TooDeep: 'JSON nested too deeply',
  NotObject: 'frame is not a JSON object',
  MissingType: 'missing type',
  BadType: 'type is not a string',
  Escaped: 'escape in a key or a field read by the parser',
  DuplicateKey: 'duplicate key',
  MissingSid: 'missing sid',
  BadSid: 'sid is not a non-negative integer',
  MissingSeq: 'missing seq',
  BadSeq: 'seq is not a non-negative integer',
  MissingMsg: 'missing msg',
  BadMsg: 'msg is not an object',
  MissingTicker: 'missing msg.market_ticker',
  BadTicker: 'msg.market_ticker is not a printable ASCII string',
  MissingPrice: 'missing msg.price_dollars',
  BadPrice: 'msg.price_dollars is not a price string in [0, 1] with at most 4 decimals',
  MissingDelta: 'missing msg.delta_fp',
  BadDelta: 'msg.delta_fp is not a count string with at most 2 decimals',
  ZeroDelta: 'msg.delta_fp is zero',
  MissingSide: 'missing msg.side',
  BadSide: 'msg.side is not "yes" or "no"',
  BadTsMs: 'msg.ts_ms is not a non-negative integer',
  BadClientOrderId: 'msg.client_order_id is not a string',
  BadLevels: 'snapshot side is not an array of [price, size] string pairs',
  BadLevelPrice: 'snapshot level price is not a price string in [0, 1] with at most 4 decimals',
  BadLevelSize: 'snapshot level size is not a count string with at most 2 decimals',
  ZeroLevelSize: 'snapshot level size is zero',
  DuplicateLevel: 'snapshot side lists a price twice',
} as const;
export type FrameError = (typeof FrameError)[keyof typeof FrameError];

const INITIAL_LEVELS = 64;
const PRICE_SLOTS = 10_001;

/** Reusable output; one per connection; the parser allocates nothing per delta frame. */
export class OrderbookFrame {
  kind: FrameKind = FrameKind.Other;
  /** -1 when absent. */
  sid = -1;
  /** -1 when absent. */
  seq = -1;
  /** `msg.market_ticker` as byte offsets into the parsed buffer (valid until the next parse). */
  tickerStart = 0;
  tickerEnd = 0;
  /** Delta: `BookSide` (0 yes, 1 no). */
  side = 0;
  /** Delta: price in $0.0001 units, as sent (see `use_yes_price` in the module comment). */
  price = 0;
  /** Delta: signed change of the level's size, hundredths of a contract. */
  delta = 0;
  /** Delta: `ts_ms`, -1 when absent. */
  tsMs = -1;
  /** Delta: true when the delta carries `client_order_id` (our own order caused it). */
  ownOrder = false;
  /** Snapshot YES levels: count, and parallel arrays grown as needed (never shrunk). */
  yesLevels = 0;
  yesPrices: Int32Array = new Int32Array(INITIAL_LEVELS);
  yesSizes: Float64Array = new Float64Array(INITIAL_LEVELS);
  /** Snapshot NO levels (NO price unless the subscription set `use_yes_price`). */
  noLevels = 0;
  noPrices: Int32Array = new Int32Array(INITIAL_LEVELS);
  noSizes: Float64Array = new Float64Array(INITIAL_LEVELS);
  /** After `Malformed`: a short reason, one of `FrameError`; '' otherwise. */
  error: string = '';
  /** Duplicate-price marks per side: `stamp[price] === generation` means seen in this side. */
  private readonly stamp = new Uint32Array(PRICE_SLOTS);
  private generation = 0;

  /** Decodes the ticker (allocates; cold path / logging only). '' when none was read. */
  ticker(buf: Uint8Array): string {
    let s = '';
    const end = Math.min(this.tickerEnd, buf.length);
    for (let i = this.tickerStart; i < end; i++) s += String.fromCharCode(buf[i]);
    return s;
  }

  /** @internal A fresh duplicate-price generation for one snapshot side. */
  nextGeneration(): number {
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }

  /** @internal */
  stamps(): Uint32Array {
    return this.stamp;
  }

  /** @internal Grows one side's arrays to hold at least `need` levels. */
  grow(side: number, need: number): void {
    const old = side === BookSide.Yes ? this.yesPrices.length : this.noPrices.length;
    let cap = old * 2;
    while (cap < need) cap *= 2;
    const prices = new Int32Array(cap);
    const sizes = new Float64Array(cap);
    if (side === BookSide.Yes) {
      prices.set(this.yesPrices);
      sizes.set(this.yesSizes);
      this.yesPrices = prices;
      this.yesSizes = sizes;
    } else {
      prices.set(this.noPrices);
      sizes.set(this.noSizes);
      this.noPrices = prices;
      this.noSizes = sizes;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * A constant byte string for `matches`: its bytes as little-endian 32-bit words (compared four
 * bytes at a time against the frame) and the 0–3 bytes left over.
 */
interface Bytes {
  readonly length: number;
  readonly words: readonly number[];
  readonly rest: readonly number[];
}

function ascii(s: string): Bytes {
  const words: number[] = [];
  let i = 0;
  for (; i + 4 <= s.length; i += 4) {
    words.push(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24));
  }
  const rest: number[] = [];
  for (; i < s.length; i++) rest.push(s.charCodeAt(i));
  return { length: s.length, words, rest };
}

// Key tails: the key's bytes after its first one, with the closing quote, so that one compare
// identifies a key and finds its end.
const T_TYPE = ascii('ype"');
const T_SID = ascii('id"');
const T_SEQ = ascii('eq"');
const T_MSG = ascii('sg"');
const T_MARKET_TICKER = ascii('arket_ticker"');
const T_MARKET_ID = ascii('arket_id"');
const T_PRICE_DOLLARS = ascii('rice_dollars"');
const T_DELTA_FP = ascii('elta_fp"');
const T_SIDE = ascii('ide"');
const T_TS_MS = ascii('s_ms"');
const T_CLIENT_ORDER_ID = ascii('lient_order_id"');
const T_YES_DOLLARS_FP = ascii('es_dollars_fp"');
const T_NO_DOLLARS_FP = ascii('o_dollars_fp"');
// Values: `orderbook_delta"` / `orderbook_snapshot"` after the opening quote share `orderbook_`.
const V_ORDERBOOK = ascii('orderbook_');
const V_DELTA = ascii('delta"');
const V_SNAPSHOT = ascii('snapshot"');
const V_TRUE = ascii('true');
const V_FALSE = ascii('false');
const V_NULL = ascii('null');

/** buf[i, i + tail.length) === tail (bounds checked). */
function matches(buf: Uint8Array, i: number, n: number, tail: Bytes): boolean {
  if (i + tail.length > n) return false;
  const words = tail.words;
  for (let k = 0; k < words.length; k++, i += 4) {
    if ((buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)) !== words[k]) return false;
  }
  const rest = tail.rest;
  for (let k = 0; k < rest.length; k++) if (buf[i + k] !== rest[k]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Module-level scratch (the parser is synchronous and single-threaded per worker)

/**
 * Results besides the returned position (one object, not module-level `let`s: property access on
 * a constant object is cheaper than a module binding's hole check in optimized code).
 */
const S = {
  /** Why the last step failed (a FrameError). */
  failure: FrameError.Syntax as string,
  /** Set by scanString: whether the string held a backslash escape. */
  escaped: false,
  /** Set by readInt: the value, NUM_NULL for null, NUM_BAD for a valid JSON value that is not a plain safe non-negative integer. */
  num: 0,
  /** Set by topKey / msgKey: the index after the key's closing quote. */
  keyEnd: 0,
  /** Set by readType. */
  typeKind: 0,
  /** Set by looseLevel: the level's price and size strings, buf[start, end). */
  priceStart: 0,
  priceEnd: 0,
  sizeStart: 0,
  sizeEnd: 0,
};
const NUM_NULL = -1;
const NUM_BAD = -2;

/** Records a failure; returns -1 so callers can `return fail(...)` as a position. */
function fail(reason: string): number {
  S.failure = reason;
  return -1;
}

function skipWs(buf: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const c = buf[i];
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) break;
    i++;
  }
  return i;
}

/** 1 for a byte a JSON string holds as itself (not a quote, a backslash or a control character). */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 256; c++) PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
}

/**
 * `i` is just after an opening quote. Returns the index of the closing quote, or -1 (Syntax)
 * for an unterminated string, a raw control character or a bad escape. Sets `S.escaped`.
 */
function scanString(buf: Uint8Array, i: number, n: number): number {
  S.escaped = false;
  while (i + 4 <= n && PLAIN[buf[i]] + PLAIN[buf[i + 1]] + PLAIN[buf[i + 2]] + PLAIN[buf[i + 3]] === 4) i += 4;
  while (i < n) {
    const c = buf[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) {
      S.escaped = true;
      if (i + 1 >= n) return fail(FrameError.Syntax);
      const e = buf[i + 1];
      if (e === 117) {
        // \uXXXX
        if (i + 5 >= n || !isHex(buf[i + 2]) || !isHex(buf[i + 3]) || !isHex(buf[i + 4]) || !isHex(buf[i + 5])) return fail(FrameError.Syntax);
        i += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
        i += 2; // \" \\ \/ \b \f \n \r \t
      } else {
        return fail(FrameError.Syntax);
      }
    } else if (c < SPACE) {
      return fail(FrameError.Syntax);
    } else {
      i++;
    }
  }
  return fail(FrameError.Syntax);
}

/** `i` is at a number's first byte. Returns the index after it (RFC 8259 grammar), or -1. */
function skipNumber(buf: Uint8Array, i: number, n: number): number {
  if (buf[i] === MINUS) i++;
  if (i >= n) return fail(FrameError.Syntax);
  let c = buf[i];
  if (c === ZERO) {
    i++;
  } else if (c > ZERO && c <= NINE) {
    i++;
    while (i < n && (c = buf[i]) >= ZERO && c <= NINE) i++;
  } else {
    return fail(FrameError.Syntax);
  }
  if (i < n && buf[i] === DOT) {
    i++;
    const start = i;
    while (i < n && (c = buf[i]) >= ZERO && c <= NINE) i++;
    if (i === start) return fail(FrameError.Syntax);
  }
  if (i < n && (buf[i] | 0x20) === 101) {
    // e / E
    i++;
    if (i < n && (buf[i] === 43 || buf[i] === MINUS)) i++;
    const start = i;
    while (i < n && (c = buf[i]) >= ZERO && c <= NINE) i++;
    if (i === start) return fail(FrameError.Syntax);
  }
  return i;
}

/** `i` is at a value's first byte (whitespace skipped). Returns the index after it, or -1. */
function skipValue(buf: Uint8Array, i: number, n: number, depth: number): number {
  if (i >= n) return fail(FrameError.Syntax);
  const c = buf[i];
  if (c === QUOTE) {
    const end = scanString(buf, i + 1, n);
    return end < 0 ? -1 : end + 1;
  }
  if (c === LBRACE) return skipObject(buf, i, n, depth + 1);
  if (c === LBRACKET) return skipArray(buf, i, n, depth + 1);
  if (c === 116) return matches(buf, i, n, V_TRUE) ? i + 4 : fail(FrameError.Syntax);
  if (c === 102) return matches(buf, i, n, V_FALSE) ? i + 5 : fail(FrameError.Syntax);
  if (c === 110) return matches(buf, i, n, V_NULL) ? i + 4 : fail(FrameError.Syntax);
  if (c === MINUS || (c >= ZERO && c <= NINE)) return skipNumber(buf, i, n);
  return fail(FrameError.Syntax);
}

/** `i` is at '{', `depth` its nesting level. */
function skipObject(buf: Uint8Array, i: number, n: number, depth: number): number {
  if (depth > MAX_NESTING) return fail(FrameError.TooDeep);
  i = skipWs(buf, i + 1, n);
  if (i < n && buf[i] === RBRACE) return i + 1;
  for (;;) {
    if (i >= n || buf[i] !== QUOTE) return fail(FrameError.Syntax);
    i = scanString(buf, i + 1, n);
    if (i < 0) return -1;
    i = skipWs(buf, i + 1, n);
    if (i >= n || buf[i] !== COLON) return fail(FrameError.Syntax);
    i = skipValue(buf, skipWs(buf, i + 1, n), n, depth);
    if (i < 0) return -1;
    i = skipWs(buf, i, n);
    if (i >= n) return fail(FrameError.Syntax);
    const c = buf[i];
    if (c === RBRACE) return i + 1;
    if (c !== COMMA) return fail(FrameError.Syntax);
    i = skipWs(buf, i + 1, n);
  }
}

/** `i` is at '[', `depth` its nesting level. */
function skipArray(buf: Uint8Array, i: number, n: number, depth: number): number {
  if (depth > MAX_NESTING) return fail(FrameError.TooDeep);
  i = skipWs(buf, i + 1, n);
  if (i < n && buf[i] === RBRACKET) return i + 1;
  for (;;) {
    i = skipValue(buf, i, n, depth);
    if (i < 0) return -1;
    i = skipWs(buf, i, n);
    if (i >= n) return fail(FrameError.Syntax);
    const c = buf[i];
    if (c === RBRACKET) return i + 1;
    if (c !== COMMA) return fail(FrameError.Syntax);
    i = skipWs(buf, i + 1, n);
  }
}

/**
 * `i` is at a value's first byte. Reads an integer field: sets `S.num` to the value when it is
 * plain digits (no sign, no leading zero, no fraction or exponent) within the safe range, to
 * NUM_NULL for `null`, to NUM_BAD for any other valid JSON value. Returns the index after the
 * value, or -1 on a syntax error.
 */
function readInt(buf: Uint8Array, i: number, n: number, depth: number): number {
  let c = i < n ? buf[i] : -1;
  if (c >= ZERO && c <= NINE) {
    const start = i;
    let v = 0;
    while (i < n && (c = buf[i]) >= ZERO && c <= NINE) {
      v = v * 10 + (c - ZERO);
      i++;
    }
    if (i >= n || (c !== DOT && (c | 0x20) !== 101)) {
      // Plain digits: valid JSON unless a leading zero starts a longer number.
      if (buf[start] === ZERO && i - start > 1) return fail(FrameError.Syntax);
      S.num = v > MAX_SAFE ? NUM_BAD : v;
      return i;
    }
    i = skipNumber(buf, start, n);
    S.num = NUM_BAD;
    return i;
  }
  if (c === 110 && matches(buf, i, n, V_NULL)) {
    S.num = NUM_NULL;
    return i + 4;
  }
  i = skipValue(buf, i, n, depth);
  S.num = NUM_BAD;
  return i;
}

// ---------------------------------------------------------------------------------------------
// The frame

const KIND_UNKNOWN = -2;

// Top-level keys
const K_OTHER = 0;
const K_TYPE = 1;
const K_SID = 2;
const K_SEQ = 3;
const K_MSG = 4;
// msg keys (bit flags, for duplicate detection)
const M_TICKER = 1;
const M_PRICE = 2;
const M_DELTA = 4;
const M_SIDE = 8;
const M_TS = 16;
const M_CLIENT = 32;
const M_YES = 64;
const M_NO = 128;
const M_MARKET_ID = 256; // recognised only to skip its value quickly; duplicates not checked


/**
 * `i` is at a top-level key's opening quote. Identifies it (K_*) and sets `S.keyEnd`; -1 on a
 * syntax error or an escaped key.
 */
function topKey(buf: Uint8Array, i: number, n: number): number {
  const c = i + 1 < n ? buf[i + 1] : -1;
  if (c === 116 && matches(buf, i + 2, n, T_TYPE)) {
    S.keyEnd = i + 6;
    return K_TYPE;
  }
  if (c === 115) {
    if (matches(buf, i + 2, n, T_SID)) {
      S.keyEnd = i + 5;
      return K_SID;
    }
    if (matches(buf, i + 2, n, T_SEQ)) {
      S.keyEnd = i + 5;
      return K_SEQ;
    }
  } else if (c === 109 && matches(buf, i + 2, n, T_MSG)) {
    S.keyEnd = i + 5;
    return K_MSG;
  }
  return otherKey(buf, i, n);
}

/** Any other key: scanned and validated; an escaped key is refused. */
function otherKey(buf: Uint8Array, i: number, n: number): number {
  const end = scanString(buf, i + 1, n);
  if (end < 0) return -1;
  if (S.escaped) return fail(FrameError.Escaped);
  S.keyEnd = end + 1;
  return K_OTHER;
}

/** `i` is at a msg key's opening quote: M_* flag (0 = unknown) and `S.keyEnd`, or -1. */
function msgKey(buf: Uint8Array, i: number, n: number): number {
  const c = i + 1 < n ? buf[i + 1] : -1;
  const t = i + 2;
  switch (c) {
    case 109: // m
      if (matches(buf, t, n, T_MARKET_TICKER)) {
        S.keyEnd = t + 13;
        return M_TICKER;
      }
      if (matches(buf, t, n, T_MARKET_ID)) {
        S.keyEnd = t + 9;
        return M_MARKET_ID;
      }
      break;
    case 112: // p
      if (matches(buf, t, n, T_PRICE_DOLLARS)) {
        S.keyEnd = t + 13;
        return M_PRICE;
      }
      break;
    case 100: // d
      if (matches(buf, t, n, T_DELTA_FP)) {
        S.keyEnd = t + 8;
        return M_DELTA;
      }
      break;
    case 115: // s
      if (matches(buf, t, n, T_SIDE)) {
        S.keyEnd = t + 4;
        return M_SIDE;
      }
      break;
    case 116: // t
      if (matches(buf, t, n, T_TS_MS)) {
        S.keyEnd = t + 5;
        return M_TS;
      }
      break;
    case 99: // c
      if (matches(buf, t, n, T_CLIENT_ORDER_ID)) {
        S.keyEnd = t + 15;
        return M_CLIENT;
      }
      break;
    case 121: // y
      if (matches(buf, t, n, T_YES_DOLLARS_FP)) {
        S.keyEnd = t + 14;
        return M_YES;
      }
      break;
    case 110: // n
      if (matches(buf, t, n, T_NO_DOLLARS_FP)) {
        S.keyEnd = t + 13;
        return M_NO;
      }
      break;
  }
  return otherKey(buf, i, n) < 0 ? -1 : 0;
}

/**
 * `i` is just after the opening quote of a string the parser reads. Returns the index of its
 * closing quote, or -1: Escaped when it holds a (valid) escape, Syntax when it is not a valid
 * string. The loop looks for the quote only; anything unusual goes to scanString to classify.
 */
function scanPlain(buf: Uint8Array, i: number, n: number): number {
  const start = i;
  while (i < n) {
    const c = buf[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < SPACE) break;
    i++;
  }
  return scanString(buf, start, n) < 0 ? -1 : fail(FrameError.Escaped);
}

/**
 * `i` is at a value that must be a string the parser reads. Returns the index of its closing
 * quote (the content is buf[i + 1, result)), or -1: `wrongType` when it is not a string,
 * Escaped when it holds an escape, Syntax when it is not a valid string.
 */
function fieldString(buf: Uint8Array, i: number, n: number, wrongType: string): number {
  if (i >= n) return fail(FrameError.Syntax);
  if (buf[i] !== QUOTE) return fail(wrongType);
  return scanPlain(buf, i + 1, n);
}

/** Parse one text frame (the Buffer `ws` hands to 'message'). Never throws. */
export function parseOrderbookFrame(buf: Uint8Array, out: OrderbookFrame): FrameKind {
  out.sid = -1;
  out.seq = -1;
  out.tickerStart = 0;
  out.tickerEnd = 0;
  out.side = 0;
  out.price = 0;
  out.delta = 0;
  out.tsMs = -1;
  out.ownOrder = false;
  out.yesLevels = 0;
  out.noLevels = 0;
  out.error = '';
  const kind = parseTop(buf, buf.length, out);
  if (kind === FrameKind.Malformed) out.error = S.failure;
  out.kind = kind;
  return kind;
}

// The layout Kalshi and the simulator send, matched as whole runs of bytes (each ending at the
// colon: the value may still be preceded by whitespace) before falling back to the key-by-key
// loop, which takes over, with the keys seen so far, at the first difference.
const P_DELTA = ascii('{"type":"orderbook_delta","sid":');
const P_SNAPSHOT = ascii('{"type":"orderbook_snapshot","sid":');
const F_SEQ = ascii(',"seq":');
const F_MSG = ascii(',"msg":');
const F_TICKER = ascii('"market_ticker":');
const F_MARKET_ID = ascii(',"market_id":');
const F_PRICE = ascii(',"price_dollars":');
const F_DELTA = ascii(',"delta_fp":');
const F_SIDE = ascii(',"side":');
const F_TS = ascii(',"ts_ms":');
const F_CLIENT = ascii(',"client_order_id":');
const F_YES = ascii(',"yes_dollars_fp":');
const F_NO = ascii(',"no_dollars_fp":');

const B_TYPE = 1 << K_TYPE;
const B_SID = 1 << K_SID;
const B_SEQ = 1 << K_SEQ;
const B_MSG = 1 << K_MSG;

function parseTop(buf: Uint8Array, n: number, out: OrderbookFrame): FrameKind {
  let i = 0;
  let kind: number = KIND_UNKNOWN;
  let seen = 0; // bit per top-level key
  let sid = -1; // -1 absent, NUM_BAD for a bad value
  let seq = -1;
  let msgAt = -1; // start of a msg value read before `type`
  let afterValue = false; // the loop resumes after a value (else after '{')

  // Fast path: {"type":"orderbook_delta","sid":N,"seq":N,"msg":{…}
  const fast = matches(buf, 0, n, P_DELTA) ? FrameKind.Delta : matches(buf, 0, n, P_SNAPSHOT) ? FrameKind.Snapshot : 0;
  if (fast !== 0) {
    kind = fast;
    seen = B_TYPE | B_SID;
    i = readInt(buf, skipWs(buf, fast === FrameKind.Delta ? P_DELTA.length : P_SNAPSHOT.length, n), n, 1);
    if (i < 0) return FrameKind.Malformed;
    sid = S.num === NUM_NULL ? NUM_BAD : S.num;
    if (sid >= 0) out.sid = sid;
    afterValue = true;
    if (matches(buf, i, n, F_SEQ)) {
      seen |= B_SEQ;
      i = readInt(buf, skipWs(buf, i + F_SEQ.length, n), n, 1);
      if (i < 0) return FrameKind.Malformed;
      seq = S.num === NUM_NULL ? NUM_BAD : S.num;
      if (seq >= 0) out.seq = seq;
      if (matches(buf, i, n, F_MSG)) {
        seen |= B_MSG;
        i = parseMsg(buf, skipWs(buf, i + F_MSG.length, n), n, kind, out);
        if (i < 0) return FrameKind.Malformed;
      }
    }
  } else {
    i = skipWs(buf, 0, n);
    if (i >= n || buf[i] !== LBRACE) return notAnObject(buf, i, n);
    i++;
  }

  for (;;) {
    if (afterValue) {
      i = skipWs(buf, i, n);
      if (i >= n) return malformed(FrameError.Syntax);
      const c = buf[i];
      if (c === RBRACE) {
        i++;
        break;
      }
      if (c !== COMMA) return malformed(FrameError.Syntax);
      i = skipWs(buf, i + 1, n);
    } else {
      afterValue = true;
      i = skipWs(buf, i, n);
      if (i < n && buf[i] === RBRACE) {
        i++;
        break;
      }
    }
    if (i >= n || buf[i] !== QUOTE) return malformed(FrameError.Syntax);
    const key = topKey(buf, i, n);
    if (key < 0) return FrameKind.Malformed;
    i = skipWs(buf, S.keyEnd, n);
    if (i >= n || buf[i] !== COLON) return malformed(FrameError.Syntax);
    i = skipWs(buf, i + 1, n);
    if (key !== K_OTHER) {
      const bit = 1 << key;
      if ((seen & bit) !== 0) return malformed(FrameError.DuplicateKey);
      seen |= bit;
    }
    switch (key) {
      case K_TYPE:
        i = readType(buf, i, n);
        kind = S.typeKind;
        break;
      case K_SID:
        i = readInt(buf, i, n, 1);
        sid = S.num === NUM_NULL ? NUM_BAD : S.num;
        if (sid >= 0) out.sid = sid;
        break;
      case K_SEQ:
        i = readInt(buf, i, n, 1);
        seq = S.num === NUM_NULL ? NUM_BAD : S.num;
        if (seq >= 0) out.seq = seq;
        break;
      case K_MSG:
        if (kind === FrameKind.Delta || kind === FrameKind.Snapshot) {
          i = parseMsg(buf, i, n, kind, out);
        } else {
          if (kind === KIND_UNKNOWN) msgAt = i;
          i = skipValue(buf, i, n, 1);
        }
        break;
      default:
        i = skipValue(buf, i, n, 1);
    }
    if (i < 0) return FrameKind.Malformed;
  }
  if (skipWs(buf, i, n) !== n) return malformed(FrameError.Syntax);
  if (kind === KIND_UNKNOWN) return malformed(FrameError.MissingType);
  if (kind === FrameKind.Other) return FrameKind.Other;
  if (sid === -1) return malformed(FrameError.MissingSid);
  if (sid < 0) return malformed(FrameError.BadSid);
  if (seq === -1) return malformed(FrameError.MissingSeq);
  if (seq < 0) return malformed(FrameError.BadSeq);
  if ((seen & B_MSG) === 0) return malformed(FrameError.MissingMsg);
  if (msgAt >= 0 && parseMsg(buf, msgAt, n, kind, out) < 0) return FrameKind.Malformed;
  return kind as FrameKind;
}

function malformed(reason: string): FrameKind {
  S.failure = reason;
  return FrameKind.Malformed;
}

/** The frame does not start with '{': NotObject if it is some other JSON value, else Syntax. */
function notAnObject(buf: Uint8Array, i: number, n: number): FrameKind {
  const end = skipValue(buf, i, n, 0);
  if (end < 0) return FrameKind.Malformed;
  return malformed(skipWs(buf, end, n) === n ? FrameError.NotObject : FrameError.Syntax);
}

/** `i` is at the value of `type`: sets `S.typeKind` (Delta, Snapshot or Other). */
function readType(buf: Uint8Array, i: number, n: number): number {
  if (i >= n) return fail(FrameError.Syntax);
  if (buf[i] !== QUOTE) {
    // Not a string: BadType if it is valid JSON, else Syntax.
    return skipValue(buf, i, n, 1) < 0 ? -1 : fail(FrameError.BadType);
  }
  const s = i + 1;
  if (matches(buf, s, n, V_ORDERBOOK)) {
    if (matches(buf, s + 10, n, V_DELTA)) {
      S.typeKind = FrameKind.Delta;
      return s + 16;
    }
    if (matches(buf, s + 10, n, V_SNAPSHOT)) {
      S.typeKind = FrameKind.Snapshot;
      return s + 19;
    }
  }
  const end = scanString(buf, s, n);
  if (end < 0) return -1;
  if (S.escaped) return fail(FrameError.Escaped);
  S.typeKind = FrameKind.Other;
  return end + 1;
}

/** `i` is at the value of `msg`; `kind` is Delta or Snapshot. Returns the index after it, or -1. */
function parseMsg(buf: Uint8Array, i: number, n: number, kind: number, out: OrderbookFrame): number {
  if (i >= n) return fail(FrameError.Syntax);
  if (buf[i] !== LBRACE) return skipValue(buf, i, n, 1) < 0 ? -1 : fail(FrameError.BadMsg);
  const delta = kind === FrameKind.Delta;
  let seen = 0;
  let afterValue = false;
  out.yesLevels = 0;
  out.noLevels = 0;
  i++;

  // Fast path: "market_ticker":…,"market_id":…, then price_dollars, delta_fp, side, ts_ms,
  // client_order_id (delta) or yes_dollars_fp, no_dollars_fp (snapshot), as far as they match.
  if (matches(buf, i, n, F_TICKER)) {
    i = readTicker(buf, skipWs(buf, i + F_TICKER.length, n), n, out);
    if (i < 0) return -1;
    seen = M_TICKER;
    afterValue = true;
    if (matches(buf, i, n, F_MARKET_ID)) {
      i = skipValue(buf, skipWs(buf, i + F_MARKET_ID.length, n), n, 2);
      if (i < 0) return -1;
    }
    if (delta) {
      if (matches(buf, i, n, F_PRICE)) {
        i = readPrice(buf, skipWs(buf, i + F_PRICE.length, n), n, out);
        if (i < 0) return -1;
        seen |= M_PRICE;
        if (matches(buf, i, n, F_DELTA)) {
          i = readDelta(buf, skipWs(buf, i + F_DELTA.length, n), n, out);
          if (i < 0) return -1;
          seen |= M_DELTA;
          if (matches(buf, i, n, F_SIDE)) {
            i = readSide(buf, skipWs(buf, i + F_SIDE.length, n), n, out);
            if (i < 0) return -1;
            seen |= M_SIDE;
            if (matches(buf, i, n, F_TS)) {
              i = readTs(buf, skipWs(buf, i + F_TS.length, n), n, out);
              if (i < 0) return -1;
              seen |= M_TS;
            }
            if (matches(buf, i, n, F_CLIENT)) {
              i = readClient(buf, skipWs(buf, i + F_CLIENT.length, n), n, out);
              if (i < 0) return -1;
              seen |= M_CLIENT;
            }
          }
        }
      }
    } else if (matches(buf, i, n, F_YES)) {
      i = parseLevels(buf, skipWs(buf, i + F_YES.length, n), n, BookSide.Yes, out);
      if (i < 0) return -1;
      seen |= M_YES;
      if (matches(buf, i, n, F_NO)) {
        i = parseLevels(buf, skipWs(buf, i + F_NO.length, n), n, BookSide.No, out);
        if (i < 0) return -1;
        seen |= M_NO;
      }
    } else if (matches(buf, i, n, F_NO)) {
      i = parseLevels(buf, skipWs(buf, i + F_NO.length, n), n, BookSide.No, out);
      if (i < 0) return -1;
      seen |= M_NO;
    }
  }

  for (;;) {
    if (afterValue) {
      i = skipWs(buf, i, n);
      if (i >= n) return fail(FrameError.Syntax);
      const c = buf[i];
      if (c === RBRACE) {
        i++;
        break;
      }
      if (c !== COMMA) return fail(FrameError.Syntax);
      i = skipWs(buf, i + 1, n);
    } else {
      afterValue = true;
      i = skipWs(buf, i, n);
      if (i < n && buf[i] === RBRACE) {
        i++;
        break;
      }
    }
    if (i >= n || buf[i] !== QUOTE) return fail(FrameError.Syntax);
    let key = msgKey(buf, i, n);
    if (key < 0) return -1;
    i = skipWs(buf, S.keyEnd, n);
    if (i >= n || buf[i] !== COLON) return fail(FrameError.Syntax);
    i = skipWs(buf, i + 1, n);
    // Keys of the other kind are unknown keys here.
    if (delta ? (key & (M_YES | M_NO)) !== 0 : (key & (M_PRICE | M_DELTA | M_SIDE | M_TS | M_CLIENT)) !== 0) key = 0;
    if (key !== 0 && key !== M_MARKET_ID) {
      if ((seen & key) !== 0) return fail(FrameError.DuplicateKey);
      seen |= key;
    }
    switch (key) {
      case M_TICKER:
        i = readTicker(buf, i, n, out);
        break;
      case M_PRICE:
        i = readPrice(buf, i, n, out);
        break;
      case M_DELTA:
        i = readDelta(buf, i, n, out);
        break;
      case M_SIDE:
        i = readSide(buf, i, n, out);
        break;
      case M_TS:
        i = readTs(buf, i, n, out);
        break;
      case M_CLIENT:
        i = readClient(buf, i, n, out);
        break;
      case M_YES:
        i = parseLevels(buf, i, n, BookSide.Yes, out);
        break;
      case M_NO:
        i = parseLevels(buf, i, n, BookSide.No, out);
        break;
      default: // unknown key, or market_id
        i = skipValue(buf, i, n, 2);
    }
    if (i < 0) return -1;
  }
  if ((seen & M_TICKER) === 0) return fail(FrameError.MissingTicker);
  if (delta) {
    if ((seen & M_PRICE) === 0) return fail(FrameError.MissingPrice);
    if ((seen & M_DELTA) === 0) return fail(FrameError.MissingDelta);
    if ((seen & M_SIDE) === 0) return fail(FrameError.MissingSide);
  }
  return i;
}

// Field values: `i` is at the value; each returns the index after it, or -1.

/** `market_ticker`: 1+ bytes of 0x21–0x7E, no escape. */
function readTicker(buf: Uint8Array, i: number, n: number, out: OrderbookFrame): number {
  if (i >= n) return fail(FrameError.Syntax);
  if (buf[i] !== QUOTE) return fail(FrameError.BadTicker);
  const start = i + 1;
  for (let j = start; j < n; j++) {
    const c = buf[j];
    if (c === QUOTE) {
      if (j === start) return fail(FrameError.BadTicker);
      out.tickerStart = start;
      out.tickerEnd = j;
      return j + 1;
    }
    if (c <= SPACE || c >= 127 || c === BACKSLASH) {
      // Classify: a string with an escape, an invalid string, or a valid one with a bad byte.
      if (scanString(buf, start, n) < 0) return -1;
      return fail(S.escaped ? FrameError.Escaped : FrameError.BadTicker);
    }
  }
  return fail(FrameError.Syntax);
}

function readPrice(buf: Uint8Array, i: number, n: number, out: OrderbookFrame): number {
  const end = fieldString(buf, i, n, FrameError.BadPrice);
  if (end < 0) return -1;
  const p = parsePriceBytes(buf, i + 1, end);
  if (p === FIXED_POINT_INVALID) return fail(FrameError.BadPrice);
  out.price = p;
  return end + 1;
}

function readDelta(buf: Uint8Array, i: number, n: number, out: OrderbookFrame): number {
  const end = fieldString(buf, i, n, FrameError.BadDelta);
  if (end < 0) return -1;
  const d = parseSignedCountBytes(buf, i + 1, end);
  if (d === FIXED_POINT_INVALID) return fail(FrameError.BadDelta);
  if (d === 0) return fail(FrameError.ZeroDelta);
  out.delta = d;
  return end + 1;
}

function readSide(buf: Uint8Array, i: number, n: number, out: OrderbookFrame): number {
  const end = fieldString(buf, i, n, FrameError.BadSide);
  if (end < 0) return -1;
  const len = end - i - 1;
  if (len === 3 && buf[i + 1] === 121 && buf[i + 2] === 101 && buf[i + 3] === 115) out.side = BookSide.Yes;
  else if (len === 2 && buf[i + 1] === 110 && buf[i + 2] === 111) out.side = BookSide.No;
  else return fail(FrameError.BadSide);
  return end + 1;
}

function readTs(buf: Uint8Array, i: number, n: number, out: OrderbookFrame): number {
  i = readInt(buf, i, n, 2);
  if (i < 0) return -1;
  if (S.num === NUM_BAD) return fail(FrameError.BadTsMs);
  out.tsMs = S.num; // NUM_NULL is -1: absent
  return i;
}

/** `client_order_id`: any string (escapes allowed; not read) sets ownOrder; null is absent. */
function readClient(buf: Uint8Array, i: number, n: number, out: OrderbookFrame): number {
  if (i < n && buf[i] === QUOTE) {
    const end = scanString(buf, i + 1, n);
    if (end < 0) return -1;
    out.ownOrder = true;
    return end + 1;
  }
  if (matches(buf, i, n, V_NULL)) return i + 4;
  return skipValue(buf, i, n, 2) < 0 ? -1 : fail(FrameError.BadClientOrderId);
}

/**
 * `i` is at the value of `yes_dollars_fp` / `no_dollars_fp`: null, or an array of
 * `["price","size"]` pairs. Fills the side's arrays; returns the index after the value, or -1.
 */
function parseLevels(buf: Uint8Array, i: number, n: number, side: number, out: OrderbookFrame): number {
  if (i >= n) return fail(FrameError.Syntax);
  if (buf[i] !== LBRACKET) {
    if (matches(buf, i, n, V_NULL)) return i + 4;
    return skipValue(buf, i, n, 2) < 0 ? -1 : fail(FrameError.BadLevels);
  }
  const gen = out.nextGeneration();
  const stamp = out.stamps();
  const yes = side === BookSide.Yes;
  let prices = yes ? out.yesPrices : out.noPrices;
  let sizes = yes ? out.yesSizes : out.noSizes;
  let count = 0;
  i = skipWs(buf, i + 1, n);
  if (i < n && buf[i] === RBRACKET) return i + 1;
  for (;;) {
    // A level, compact (`["0.4100","10.00"]`, read inline) or not (looseLevel).
    let ps = i + 2;
    let pe = ps;
    let ss = -1;
    let se = -1;
    if (i + 1 < n && buf[i] === LBRACKET && buf[i + 1] === QUOTE) {
      let c = 0;
      while (pe < n && (c = buf[pe]) !== QUOTE && c !== BACKSLASH && c >= SPACE) pe++;
      if (c === QUOTE && pe + 2 < n && buf[pe + 1] === COMMA && buf[pe + 2] === QUOTE) {
        ss = se = pe + 3;
        while (se < n && (c = buf[se]) !== QUOTE && c !== BACKSLASH && c >= SPACE) se++;
        if (!(c === QUOTE && se + 1 < n && buf[se + 1] === RBRACKET)) ss = -1;
      }
    }
    if (ss >= 0) {
      i = se + 2;
    } else {
      i = looseLevel(buf, i, n);
      if (i < 0) return -1;
      ps = S.priceStart;
      pe = S.priceEnd;
      ss = S.sizeStart;
      se = S.sizeEnd;
    }
    const price = parsePriceBytes(buf, ps, pe);
    if (price === FIXED_POINT_INVALID) return fail(FrameError.BadLevelPrice);
    const size = parseCountBytes(buf, ss, se);
    if (size === FIXED_POINT_INVALID) return fail(FrameError.BadLevelSize);
    if (size === 0) return fail(FrameError.ZeroLevelSize);
    if (stamp[price] === gen) return fail(FrameError.DuplicateLevel);
    stamp[price] = gen;
    if (count === prices.length) {
      out.grow(side, count + 1);
      prices = yes ? out.yesPrices : out.noPrices;
      sizes = yes ? out.yesSizes : out.noSizes;
    }
    prices[count] = price;
    sizes[count] = size;
    count++;
    if (yes) out.yesLevels = count;
    else out.noLevels = count;
    if (i < n && buf[i] !== COMMA && buf[i] !== RBRACKET) i = skipWs(buf, i, n);
    if (i >= n) return fail(FrameError.Syntax);
    const c = buf[i];
    if (c === RBRACKET) return i + 1;
    if (c !== COMMA) return fail(FrameError.Syntax);
    i++;
    if (i < n && buf[i] !== LBRACKET) i = skipWs(buf, i, n);
  }
}

/**
 * `i` is at a level that is not in the compact form: any whitespace, or an error. Sets
 * S.priceStart/End and S.sizeStart/End; returns the index after its ']', or -1.
 */
function looseLevel(buf: Uint8Array, i: number, n: number): number {
  if (i >= n) return fail(FrameError.Syntax);
  if (buf[i] !== LBRACKET) return skipValue(buf, i, n, 3) < 0 ? -1 : fail(FrameError.BadLevels);
  i = skipWs(buf, i + 1, n);
  const priceEnd = fieldString(buf, i, n, FrameError.BadLevels);
  if (priceEnd < 0) return -1;
  S.priceStart = i + 1;
  S.priceEnd = priceEnd;
  i = skipWs(buf, priceEnd + 1, n);
  if (i >= n) return fail(FrameError.Syntax);
  if (buf[i] !== COMMA) return buf[i] === RBRACKET ? fail(FrameError.BadLevels) : fail(FrameError.Syntax);
  i = skipWs(buf, i + 1, n);
  const sizeEnd = fieldString(buf, i, n, FrameError.BadLevels);
  if (sizeEnd < 0) return -1;
  S.sizeStart = i + 1;
  S.sizeEnd = sizeEnd;
  i = skipWs(buf, sizeEnd + 1, n);
  if (i >= n) return fail(FrameError.Syntax);
  if (buf[i] !== RBRACKET) return buf[i] === COMMA ? fail(FrameError.BadLevels) : fail(FrameError.Syntax);
  return i + 1;
}
