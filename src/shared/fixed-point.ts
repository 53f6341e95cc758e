/**
 * Exact fixed-point numbers for Kalshi's decimal strings (kalshi-api.md §0, architecture.md §2).
 *
 * Every value is a plain JS number holding a safe integer in one of three units:
 * - Price: $0.0001 units in [0, 10000]         ("0.5600" → 5600, "1" → 10000)
 * - Count: hundredths of a contract           ("10.00" → 1000, "0.5" → 50); signed for deltas and positions
 * - Money: micro-dollars (µ$), signed         ("0.010000" → 10000, "-1.5" → -1500000)
 * so price × count ($0.0001 × 0.01 contract) is exact money in µ$ (see `notional`).
 *
 * Strings are parsed digit by digit and never pass through a float: a value that cannot be held
 * exactly in its unit is an error, never rounded.
 *
 * Accepted syntax, for every kind:   `-`? digit+ ( `.` digit+ )?
 * - `-` is part of the grammar only for signed kinds (signed count, money); on an unsigned kind a
 *   syntactically valid negative (even "-0") is a `range` error.
 * - At least one digit on each side of a dot: ".5" and "5." are `syntax` errors. Leading zeros are
 *   accepted ("00.50").
 * - No whitespace, `+`, exponent, hex, "NaN" or "Infinity".
 * - Fraction digits beyond the unit are accepted only when they are all zeros ("0.560000" → 5600);
 *   "0.56789" as a price is a `precision` error.
 * - The result must be a safe integer in its unit other than MIN_SAFE_INTEGER (= FIXED_POINT_INVALID),
 *   and a price must lie in [0, 1], else `range`.
 * - A non-string (Kalshi sometimes sends JSON numbers) is a `type` error; there is deliberately no
 *   lenient variant.
 * When a string breaks several rules, the first reported is syntax, then precision, then range.
 */

/** $0.0001 units per dollar. */
export const PRICE_SCALE = 10_000;
/** Hundredths per contract. */
export const COUNT_SCALE = 100;
/** Micro-dollars per dollar. */
export const MONEY_SCALE = 1_000_000;

/** A price in integer units of $0.0001, in [0, PRICE_SCALE]. The NO price of YES price p is 10000 − p. */
export type Price = number;
/** A contract count in integer hundredths of a contract (signed where it is a delta or a position). */
export type Count = number;
/** Money in integer micro-dollars (µ$), signed. */
export type Money = number;

/**
 * What the byte parsers return for invalid input. No valid result equals it: signed kinds accept
 * [MIN_SAFE_INTEGER + 1, MAX_SAFE_INTEGER], so MIN_SAFE_INTEGER itself is a range error.
 */
export const FIXED_POINT_INVALID = Number.MIN_SAFE_INTEGER;

export type FixedPointKind = 'price' | 'count' | 'money' | 'operand';
export type FixedPointErrorCode = 'empty' | 'syntax' | 'precision' | 'range' | 'type';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const INPUT_LIMIT = 64;
const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

export class FixedPointError extends Error {
  override readonly name = 'FixedPointError';
  readonly code: FixedPointErrorCode;
  readonly kind: FixedPointKind;
  /** The offending input (a non-string shown as text), at most 64 characters. */
  readonly input: string;

  constructor(code: FixedPointErrorCode, kind: FixedPointKind, input: string, reason: string) {
    const shown = input.length > INPUT_LIMIT ? input.slice(0, INPUT_LIMIT) : input;
    const quoted = JSON.stringify(shown) + (shown.length < input.length ? '…' : '');
    super(code === 'type' ? `invalid ${kind}: ${reason}` : `invalid ${kind} ${quoted}: ${reason}`);
    this.code = code;
    this.kind = kind;
    this.input = shown;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing strings (throws)

interface FieldSpec {
  readonly kind: 'price' | 'count' | 'money';
  /** Decimal places of the unit. */
  readonly digits: number;
  readonly signed: boolean;
  /** Largest magnitude, in the unit. */
  readonly max: number;
  readonly rangeReason: string;
}

const PRICE_FIELD: FieldSpec = { kind: 'price', digits: 4, signed: false, max: PRICE_SCALE, rangeReason: 'outside [0, 1]' };
const COUNT_FIELD: FieldSpec = {
  kind: 'count', digits: 2, signed: false, max: MAX_SAFE,
  rangeReason: 'beyond the safe integer range of hundredths of a contract',
};
const SIGNED_COUNT_FIELD: FieldSpec = { ...COUNT_FIELD, signed: true };
const MONEY_FIELD: FieldSpec = {
  kind: 'money', digits: 6, signed: true, max: MAX_SAFE, rangeReason: 'beyond the safe integer range of micro-dollars',
};

/** "0.5600" → 5600 ($0.0001 units). */
export function parsePrice(s: string): Price {
  return parseField(s, PRICE_FIELD);
}

/** "10.00" → 1000 (hundredths), non-negative. */
export function parseCount(s: string): Count {
  return parseField(s, COUNT_FIELD);
}

/** "-3.00" → -300 (hundredths): `delta_fp`, `position_fp`, `post_position_fp`. */
export function parseSignedCount(s: string): Count {
  return parseField(s, SIGNED_COUNT_FIELD);
}

/** "-1.5" → -1500000 (µ$), up to 6 decimal places. */
export function parseMoney(s: string): Money {
  return parseField(s, MONEY_FIELD);
}

function parseField(s: string, f: FieldSpec): number {
  if (typeof s !== 'string') {
    const v: unknown = s;
    throw new FixedPointError('type', f.kind, showValue(v), `expected a string, got ${describeValue(v)}`);
  }
  const n = s.length;
  if (n === 0) throw new FixedPointError('empty', f.kind, s, 'empty string');

  const negative = s.charCodeAt(0) === 45; // '-'
  let i = negative ? 1 : 0;
  // acc collects integer digits and the first `f.digits` fraction digits; once it passes f.max the
  // value is out of range, and accumulation stops so it stays exact, but scanning goes on so a
  // later syntax error is still reported first.
  let acc = 0;
  let tooBig = false;
  const intStart = i;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d >>> 0 > 9) break;
    if (!tooBig) {
      acc = acc * 10 + d;
      tooBig = acc > f.max;
    }
  }
  if (i === intStart) throw syntaxError(s, f, i, i < n && s.charCodeAt(i) === 46 ? 'a digit must precede "."' : '');

  let fracDigits = 0;
  let lostDigit = false;
  if (i < n) {
    if (s.charCodeAt(i) !== 46) throw syntaxError(s, f, i, '');
    const fracStart = ++i;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d >>> 0 > 9) throw syntaxError(s, f, i, '');
      if (fracDigits < f.digits) {
        fracDigits++;
        if (!tooBig) {
          acc = acc * 10 + d;
          tooBig = acc > f.max;
        }
      } else if (d !== 0) {
        lostDigit = true;
      }
    }
    if (i === fracStart) throw syntaxError(s, f, i, 'a digit must follow "."');
  }
  if (lostDigit) throw new FixedPointError('precision', f.kind, s, `more than ${f.digits} decimal places`);
  // acc ≤ f.max ≤ MAX_SAFE here unless tooBig, so the product is exact whenever it is ≤ MAX_SAFE,
  // and a product beyond MAX_SAFE rounds to ≥ 2^53 > f.max (rounding is monotonic).
  if (!tooBig) acc *= POW10[f.digits - fracDigits];
  if (tooBig || acc > f.max) throw new FixedPointError('range', f.kind, s, f.rangeReason);
  if (negative) {
    if (!f.signed) throw new FixedPointError('range', f.kind, s, 'must not be negative');
    // -MAX_SAFE would be Number.MIN_SAFE_INTEGER, the byte parsers' FIXED_POINT_INVALID.
    if (acc === MAX_SAFE) throw new FixedPointError('range', f.kind, s, f.rangeReason);
  }
  return negative ? 0 - acc : acc; // 0 - 0 is +0, so "-0" never yields -0
}

function syntaxError(s: string, f: FieldSpec, at: number, reason: string): FixedPointError {
  if (reason === '') {
    reason = at < s.length ? `unexpected character ${JSON.stringify(s[at])} at offset ${at}` : 'no digits';
  }
  return new FixedPointError('syntax', f.kind, s, reason);
}

/** "number 0.56", "null", "an object": for `type` error messages. */
function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function') return 'a function';
  return `${typeof v} ${String(v)}`;
}

/** A non-string input as text for `FixedPointError.input`, without calling user code. */
function showValue(v: unknown): string {
  if (v !== null && (typeof v === 'object' || typeof v === 'function')) return Object.prototype.toString.call(v);
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// Parsing bytes (hot path: no allocation, no throw)

/**
 * The WebSocket parser's variants: parse `buf[start, end)` (ASCII) with exactly the rules of the
 * string parsers, returning FIXED_POINT_INVALID instead of throwing, so that a caller counts the
 * failure and marks the book stale without a try/catch. Single pass, no allocation.
 * `start` and `end` must be integer offsets with start < end ≤ buf.length, else invalid.
 */
export function parsePriceBytes(buf: Uint8Array, start: number, end: number): Price {
  return scanBytes(buf, start, end, 4, false, PRICE_SCALE);
}

export function parseCountBytes(buf: Uint8Array, start: number, end: number): Count {
  return scanBytes(buf, start, end, 2, false, MAX_SAFE);
}

export function parseSignedCountBytes(buf: Uint8Array, start: number, end: number): Count {
  return scanBytes(buf, start, end, 2, true, MAX_SAFE);
}

export function parseMoneyBytes(buf: Uint8Array, start: number, end: number): Money {
  return scanBytes(buf, start, end, 6, true, MAX_SAFE);
}

/** Small enough to inline into each wrapper, where `digits`, `signed` and `max` become constants. */
function scanBytes(buf: Uint8Array, start: number, end: number, digits: number, signed: boolean, max: number): number {
  if (start >>> 0 !== start || end >>> 0 !== end || start >= end || end > buf.length) return FIXED_POINT_INVALID;
  let i = start;
  const negative = buf[i] === 45; // '-'
  if (negative) {
    if (!signed) return FIXED_POINT_INVALID;
    i++;
  }
  // acc stays ≤ max ≤ MAX_SAFE, hence exact; it exits as soon as it passes max.
  let acc = 0;
  const intStart = i;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d >>> 0 > 9) break;
    acc = acc * 10 + d;
    if (acc > max) return FIXED_POINT_INVALID;
  }
  if (i === intStart) return FIXED_POINT_INVALID;
  let missing = digits; // fraction digits still to append
  if (i < end) {
    if (buf[i] !== 46 || ++i === end) return FIXED_POINT_INVALID; // '.' then at least one digit
    for (; i < end; i++) {
      const d = buf[i] - 48;
      if (d >>> 0 > 9) return FIXED_POINT_INVALID;
      if (missing > 0) {
        missing--;
        acc = acc * 10 + d;
        if (acc > max) return FIXED_POINT_INVALID;
      } else if (d !== 0) {
        return FIXED_POINT_INVALID;
      }
    }
  }
  acc *= POW10[missing];
  if (acc > max) return FIXED_POINT_INVALID;
  return negative ? 0 - acc : acc;
}

// ---------------------------------------------------------------------------------------------
// Formatting to wire strings

/** 5600 → "0.5600"; throws on a non-integer or a price outside [0, 10000]. */
export function formatPrice(p: Price): string {
  assertPrice(p);
  return (p === PRICE_SCALE ? '1.' : '0.') + String(PRICE_SCALE + (p % PRICE_SCALE)).slice(1);
}

/** 1000 → "10.00", -300 → "-3.00"; throws on a non-integer or unsafe count. */
export function formatCount(c: Count): string {
  assertSafe(c, 'count');
  return formatScaled(c, 2);
}

/**
 * -1500000 → "-1.500000"; with `decimals` < 6 the value must be a whole number of those units
 * (formatMoney(-1500000, 4) → "-1.5000"), else a `precision` error: never rounds.
 * `decimals` must be an integer in [0, 6] (RangeError otherwise).
 */
export function formatMoney(m: Money, decimals = 6): string {
  assertSafe(m, 'money');
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 6) {
    throw new RangeError(`formatMoney: decimals must be an integer in [0, 6], got ${decimals}`);
  }
  const unit = POW10[6 - decimals];
  if (m % unit !== 0) {
    throw new FixedPointError('precision', 'money', String(m), `${m} µ$ is not representable with ${decimals} decimal places`);
  }
  return formatScaled(m / unit, decimals);
}

/** `v` in units of 10^-digits → decimal string; exact for any safe integer. */
function formatScaled(v: number, digits: number): string {
  const sign = v < 0 ? '-' : '';
  const abs = v < 0 ? -v : v;
  const unit = POW10[digits];
  const frac = abs % unit; // exact for integers
  const whole = (abs - frac) / unit; // exact: an integer quotient of exact operands
  if (digits === 0) return sign + String(whole);
  return `${sign}${whole}.${String(unit + frac).slice(1)}`;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

/** The other outcome's price: 10000 − p ($1 − p, never 99¢ − p). */
export function complement(p: Price): Price {
  assertPrice(p);
  return PRICE_SCALE - p;
}

/** price × count in µ$, exact ($0.0001 × 0.01 contract = $0.000001). `count` may be signed. */
export function notional(price: Price, count: Count): Money {
  assertPrice(price);
  assertSafe(count, 'count');
  const m = price * count;
  if (!Number.isSafeInteger(m)) {
    throw new FixedPointError('range', 'money', `${price}×${count}`, 'notional beyond the safe integer range of µ$');
  }
  return m;
}

/** ⌊a·b/d⌋ for non-negative safe integers a, b and a positive safe integer d; exact. */
export function mulDivFloor(a: number, b: number, d: number): number {
  return mulDiv(a, b, d, false);
}

/** ⌈a·b/d⌉ for non-negative safe integers a, b and a positive safe integer d; exact. */
export function mulDivCeil(a: number, b: number, d: number): number {
  return mulDiv(a, b, d, true);
}

/** Number arithmetic while a·b is safe; BigInt (≈100× slower) only when it is not. */
function mulDiv(a: number, b: number, d: number, ceil: boolean): number {
  assertOperand(a, 0);
  assertOperand(b, 0);
  assertOperand(d, 1);
  const p = a * b;
  if (p <= MAX_SAFE) {
    // An unsafe exact product rounds to ≥ 2^53, so this branch sees only exact products.
    const r = p % d;
    const q = (p - r) / d;
    return ceil && r !== 0 ? q + 1 : q;
  }
  const bp = BigInt(a) * BigInt(b);
  const bd = BigInt(d);
  let q = bp / bd;
  if (ceil && bp % bd !== 0n) q += 1n;
  if (q > BigInt(MAX_SAFE)) {
    throw new FixedPointError('range', 'operand', `${a}×${b}/${d}`, 'quotient beyond Number.MAX_SAFE_INTEGER');
  }
  return Number(q);
}

// ---------------------------------------------------------------------------------------------
// Checks shared by formatting and arithmetic (the first two also by fees.ts)

/** An integer price in [0, 10000] ($0.0001 units), else a `type` or `range` FixedPointError of kind `price`. */
export function assertPrice(p: number): void {
  if (p >>> 0 === p && p <= PRICE_SCALE) return; // fast path: integer in [0, 10000]
  if (typeof p !== 'number' || !Number.isInteger(p)) {
    throw new FixedPointError('type', 'price', showValue(p), `expected an integer number of $0.0001, got ${describeValue(p)}`);
  }
  throw new FixedPointError('range', 'price', String(p), `${p} is outside [0, 10000] ($0.0001 units)`);
}

function assertSafe(v: number, kind: 'count' | 'money'): void {
  if (Number.isSafeInteger(v)) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new FixedPointError('type', kind, showValue(v), `expected an integer, got ${describeValue(v)}`);
  }
  throw new FixedPointError('range', kind, String(v), 'beyond Number.MAX_SAFE_INTEGER');
}

/** Non-negative (min 0) or positive (min 1) safe integer, else a `type` or `range` FixedPointError of kind `operand`. */
export function assertOperand(v: number, min: 0 | 1): void {
  if (Number.isSafeInteger(v) && v >= min) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new FixedPointError('type', 'operand', showValue(v), `expected an integer, got ${describeValue(v)}`);
  }
  throw new FixedPointError('range', 'operand', String(v), min === 0 ? 'must be a non-negative safe integer' : 'must be a positive safe integer');
}
