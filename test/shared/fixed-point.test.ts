import { describe, it, expect } from 'vitest';
import {
  COUNT_SCALE,
  FIXED_POINT_INVALID,
  FixedPointError,
  MONEY_SCALE,
  PRICE_SCALE,
  complement,
  formatCount,
  formatMoney,
  formatPrice,
  mulDivCeil,
  mulDivFloor,
  notional,
  parseCount,
  parseCountBytes,
  parseMoney,
  parseMoneyBytes,
  parsePrice,
  parsePriceBytes,
  parseSignedCount,
  parseSignedCountBytes,
  type FixedPointErrorCode,
} from '../../src/shared/fixed-point.js';
import { fixedPointError, MAX_SAFE, rng } from '../support/fixed-point.js';

describe('constants', () => {
  it('define the three units', () => {
    expect(PRICE_SCALE).toBe(10_000);
    expect(COUNT_SCALE).toBe(100);
    expect(MONEY_SCALE).toBe(1_000_000);
    // $0.0001 × 0.01 contract = $0.000001: price × count is money in µ$.
    expect(MONEY_SCALE).toBe(PRICE_SCALE * COUNT_SCALE);
    expect(FIXED_POINT_INVALID).toBe(Number.MIN_SAFE_INTEGER);
  });
});

describe('parsePrice', () => {
  it.each([
    ['0', 0],
    ['0.0000', 0],
    ['0.0001', 1],
    ['0.01', 100],
    ['0.5', 5000],
    ['0.56', 5600],
    ['0.5600', 5600],
    ['0.560000', 5600],
    ['0.9999', 9999],
    ['1', 10_000],
    ['1.0', 10_000],
    ['1.0000', 10_000],
    ['1.000000000', 10_000],
    ['00.50', 5000],
    ['0.00000000', 0],
  ])('%j → %i', (s, want) => {
    expect(parsePrice(s)).toBe(want);
  });

  it('parses every 4-decimal price exactly', () => {
    for (let p = 0; p <= PRICE_SCALE; p++) {
      const s = `${p === PRICE_SCALE ? 1 : 0}.${String(p % PRICE_SCALE).padStart(4, '0')}`;
      expect(parsePrice(s)).toBe(p);
    }
  });

  it.each<[string, FixedPointErrorCode]>([
    ['', 'empty'],
    [' 0.5', 'syntax'],
    ['0.5 ', 'syntax'],
    ['0. 5', 'syntax'],
    ['\t0.5', 'syntax'],
    ['0.5\n', 'syntax'],
    ['1e5', 'syntax'],
    ['1E5', 'syntax'],
    ['5e-1', 'syntax'],
    ['+1', 'syntax'],
    ['+0.5', 'syntax'],
    ['NaN', 'syntax'],
    ['Infinity', 'syntax'],
    ['-Infinity', 'syntax'],
    ['0x10', 'syntax'],
    ['0x1p-2', 'syntax'],
    ['1.2.3', 'syntax'],
    ['0..5', 'syntax'],
    ['.5', 'syntax'],
    ['5.', 'syntax'],
    ['.', 'syntax'],
    ['-', 'syntax'],
    ['--1', 'syntax'],
    ['-.5', 'syntax'],
    ['0,5', 'syntax'],
    ['1_0', 'syntax'],
    ['\u0661', 'syntax'], // Arabic-Indic digit one
    ['\uff11', 'syntax'], // full-width digit one
    ['0.5\u0000', 'syntax'],
    ['$0.50', 'syntax'],
    ['0.56789', 'precision'],
    ['0.00001', 'precision'],
    ['0.560001', 'precision'],
    ['1.0001', 'range'],
    ['2', 'range'],
    ['10.00', 'range'],
    ['-0.01', 'range'],
    ['-1', 'range'],
    ['-0', 'range'],
    ['99999999999999999999999', 'range'],
  ])('rejects %j with %s', (s, code) => {
    const err = fixedPointError(() => parsePrice(s));
    expect(err.code).toBe(code);
    expect(err.kind).toBe('price');
    expect(err.input).toBe(s);
    expect(err.message).toContain('invalid price');
  });

  it('names the field and the reason in its message', () => {
    expect(() => parsePrice('0.56789')).toThrow('invalid price "0.56789": more than 4 decimal places');
    expect(() => parsePrice('1.0001')).toThrow('invalid price "1.0001": outside [0, 1]');
    expect(() => parsePrice('1e5')).toThrow('invalid price "1e5": unexpected character "e" at offset 1');
    expect(() => parsePrice('')).toThrow('invalid price "": empty string');
    expect(() => parsePrice('.5')).toThrow('invalid price ".5": a digit must precede "."');
    expect(() => parsePrice('5.')).toThrow('invalid price "5.": a digit must follow "."');
    expect(() => parsePrice('-0.01')).toThrow('invalid price "-0.01": must not be negative');
  });

  it.each<[unknown, string]>([
    [0.56, 'number 0.56'],
    [5600, 'number 5600'],
    [Number.NaN, 'number NaN'],
    [null, 'null'],
    [undefined, 'undefined'],
    [true, 'boolean true'],
    [10n, 'bigint 10'],
    [{}, 'an object'],
    [['0.5'], 'an array'],
  ])('rejects the non-string %s with code type', (v, shown) => {
    const err = fixedPointError(() => parsePrice(v as string));
    expect(err.code).toBe('type');
    expect(err.message).toBe(`invalid price: expected a string, got ${shown}`);
  });

  it('reports syntax before precision before range', () => {
    expect(fixedPointError(() => parsePrice('2.56789x')).code).toBe('syntax');
    expect(fixedPointError(() => parsePrice('2.56789')).code).toBe('precision');
    expect(fixedPointError(() => parsePrice('99999999999999999999x')).code).toBe('syntax');
  });

  it('truncates a long input to 64 characters in the error', () => {
    const long = '0.' + '1'.repeat(200);
    const err = fixedPointError(() => parsePrice(long));
    expect(err.input).toBe(long.slice(0, 64));
    expect(err.message).toBe(`invalid price "${long.slice(0, 64)}"…: more than 4 decimal places`);
    expect(err.name).toBe('FixedPointError');
    expect(err).toBeInstanceOf(Error);
  });

  it('is exact where floats are not: 10,000 × "0.0001" sums to exactly $1', () => {
    let sum = 0;
    let floatSum = 0;
    for (let i = 0; i < 10_000; i++) {
      sum += parsePrice('0.0001');
      floatSum += 0.0001;
    }
    expect(sum).toBe(10_000);
    expect(floatSum).not.toBe(1); // why we never parse through a float
  });
});

describe('parseCount and parseSignedCount', () => {
  it.each([
    ['0', 0],
    ['0.00', 0],
    ['0.01', 1],
    ['0.5', 50],
    ['0.010', 1],
    ['10', 1000],
    ['10.0', 1000],
    ['10.00', 1000],
    ['278.00', 27_800],
    ['33896.00', 3_389_600],
    ['90071992547409.91', MAX_SAFE],
  ])('parseCount(%j) → %i', (s, want) => {
    expect(parseCount(s)).toBe(want);
    expect(parseSignedCount(s)).toBe(want);
  });

  it.each([
    ['-3.00', -300],
    ['-0.01', -1],
    ['-10', -1000],
    ['-90071992547409.90', -(MAX_SAFE - 1)],
  ])('parseSignedCount(%j) → %i', (s, want) => {
    expect(parseSignedCount(s)).toBe(want);
  });

  it('parses "-0" as +0, never -0', () => {
    expect(Object.is(parseSignedCount('-0'), 0)).toBe(true);
    expect(Object.is(parseSignedCount('-0.00'), 0)).toBe(true);
  });

  it.each<[string, FixedPointErrorCode]>([
    ['', 'empty'],
    [' 1', 'syntax'],
    ['1 ', 'syntax'],
    ['1e2', 'syntax'],
    ['+1', 'syntax'],
    ['NaN', 'syntax'],
    ['Infinity', 'syntax'],
    ['0x1', 'syntax'],
    ['1.0.0', 'syntax'],
    ['.5', 'syntax'],
    ['1.', 'syntax'],
    ['0.001', 'precision'],
    ['10.005', 'precision'],
    ['90071992547409.92', 'range'],
    ['99999999999999999999', 'range'],
  ])('both reject %j with %s', (s, code) => {
    for (const parse of [parseCount, parseSignedCount]) {
      const err = fixedPointError(() => parse(s));
      expect(err.code).toBe(code);
      expect(err.kind).toBe('count');
    }
  });

  it.each(['-1.00', '-0.01', '-0'])('parseCount rejects the negative %j with code range', (s) => {
    const err = fixedPointError(() => parseCount(s));
    expect(err.code).toBe('range');
    expect(err.message).toBe(`invalid count "${s}": must not be negative`);
  });

  it('parseSignedCount rejects -MAX_SAFE (it would collide with FIXED_POINT_INVALID) and beyond', () => {
    expect(fixedPointError(() => parseSignedCount('-90071992547409.91')).code).toBe('range');
    expect(fixedPointError(() => parseSignedCount('-90071992547409.92')).code).toBe('range');
    expect(fixedPointError(() => parseSignedCount('--1')).code).toBe('syntax');
    expect(fixedPointError(() => parseSignedCount('-')).code).toBe('syntax');
  });

  it('rejects numbers from JSON', () => {
    expect(fixedPointError(() => parseCount(10 as unknown as string)).code).toBe('type');
    expect(fixedPointError(() => parseSignedCount(-3 as unknown as string)).code).toBe('type');
  });
});

describe('parseMoney', () => {
  it.each([
    ['0.010000', 10_000],
    ['-1.5', -1_500_000],
    ['50.0000', 50_000_000],
    ['0.000001', 1],
    ['-0.000001', -1],
    ['10', 10_000_000],
    ['0.0000010', 1],
    ['9007199254.740991', MAX_SAFE],
    ['-9007199254.740990', -(MAX_SAFE - 1)],
  ])('%j → %i µ$', (s, want) => {
    expect(parseMoney(s)).toBe(want);
  });

  it.each<[string, FixedPointErrorCode]>([
    ['', 'empty'],
    ['1.5 ', 'syntax'],
    ['1e-6', 'syntax'],
    ['+1.5', 'syntax'],
    ['$1.50', 'syntax'],
    ['-', 'syntax'],
    ['0.0000001', 'precision'],
    ['1.2345678', 'precision'],
    ['9007199254.740992', 'range'],
    ['-9007199254.740991', 'range'],
  ])('rejects %j with %s', (s, code) => {
    const err = fixedPointError(() => parseMoney(s));
    expect(err.code).toBe(code);
    expect(err.kind).toBe('money');
  });

  it('rejects a number with code type', () => {
    expect(fixedPointError(() => parseMoney(1.5 as unknown as string)).message).toBe(
      'invalid money: expected a string, got number 1.5',
    );
  });
});

describe('byte parsers agree with the string parsers', () => {
  const encoder = new TextEncoder();
  const pairs: Array<[string, (s: string) => number, (b: Uint8Array, s: number, e: number) => number]> = [
    ['price', parsePrice, parsePriceBytes],
    ['count', parseCount, parseCountBytes],
    ['signed count', parseSignedCount, parseSignedCountBytes],
    ['money', parseMoney, parseMoneyBytes],
  ];

  /** The string parser's verdict in the byte parsers' terms. */
  function expected(parse: (s: string) => number, s: string): number {
    try {
      return parse(s);
    } catch (err) {
      expect(err).toBeInstanceOf(FixedPointError);
      return FIXED_POINT_INVALID;
    }
  }

  /** Parse `s` where it sits inside a JSON frame, so the bytes around it must be ignored. */
  function viaBytes(parseBytes: (b: Uint8Array, s: number, e: number) => number, s: string): number {
    const prefix = '{"price_dollars":"';
    const buf = encoder.encode(`${prefix}${s}","delta_fp":"9"}`);
    return parseBytes(buf, prefix.length, prefix.length + s.length);
  }

  const fixed = [
    '0', '1', '0.5', '0.56', '0.5600', '0.560000', '0.0001', '0.9999', '1.0000', '1.0001', '00.50', '10', '10.00',
    '0.01', '0.001', '0.0000001', '-0', '-0.00', '-3.00', '-1.5', '-0.01', '278.00', '33896.00', '2', '9', '99',
    '90071992547409.91', '90071992547409.92', '-90071992547409.91', '-90071992547409.90', '9007199254.740991',
    '9007199254.740992', '-9007199254.740991', '99999999999999999999', '0.56789', '10.005',
    ' 0.5', '0.5 ', '1e5', '+1', 'NaN', 'Infinity', '0x10', '1.2.3', '.5', '5.', '-', '--1', '-.5', '.', '0..5',
    '0,5', '1_0', '/', ':', '0/5', '0:5',
  ];

  // Random ASCII strings over the characters that matter, plus random valid numbers.
  const random = rng(0x5eed);
  const alphabet = '0000111222335678999..--+e x';
  const fuzz: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const len = 1 + Math.floor(random() * 12);
    let s = '';
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(random() * alphabet.length)];
    fuzz.push(s);
  }
  for (let i = 0; i < 5000; i++) {
    const whole = Math.floor(random() * (random() < 0.5 ? 2 : 1e9));
    const frac = String(Math.floor(random() * 1e7)).padStart(7, '0').slice(0, Math.floor(random() * 8));
    fuzz.push(`${random() < 0.3 ? '-' : ''}${whole}${frac === '' ? '' : '.' + frac}`);
  }

  it.each(pairs)('%s: fixed cases', (_kind, parse, parseBytes) => {
    for (const s of fixed) expect(viaBytes(parseBytes, s), JSON.stringify(s)).toBe(expected(parse, s));
  });

  it.each(pairs)('%s: 10,000 fuzzed strings', (_kind, parse, parseBytes) => {
    let valid = 0;
    for (const s of fuzz) {
      const want = expected(parse, s);
      if (want !== FIXED_POINT_INVALID) valid++;
      expect(viaBytes(parseBytes, s), JSON.stringify(s)).toBe(want);
    }
    expect(valid).toBeGreaterThan(100); // the fuzz exercises both outcomes
  });

  it.each(pairs)('%s: non-ASCII bytes are invalid', (_kind, _parse, parseBytes) => {
    for (const s of ['\uff11', '\u0661', '0.5\u00a0', '\u22125']) {
      const buf = encoder.encode(s);
      expect(parseBytes(buf, 0, buf.length)).toBe(FIXED_POINT_INVALID);
    }
  });

  it.each(pairs)('%s: bad offsets are invalid, not a crash', (_kind, _parse, parseBytes) => {
    const buf = encoder.encode('0.5');
    expect(parseBytes(buf, 0, 3)).not.toBe(FIXED_POINT_INVALID);
    expect(parseBytes(buf, 0, 0)).toBe(FIXED_POINT_INVALID); // empty
    expect(parseBytes(buf, 2, 1)).toBe(FIXED_POINT_INVALID);
    expect(parseBytes(buf, -1, 3)).toBe(FIXED_POINT_INVALID);
    expect(parseBytes(buf, 0, 4)).toBe(FIXED_POINT_INVALID);
    expect(parseBytes(buf, 0.5, 3)).toBe(FIXED_POINT_INVALID);
    expect(parseBytes(buf, 0, 2.5)).toBe(FIXED_POINT_INVALID);
    expect(parseBytes(buf, Number.NaN, 3)).toBe(FIXED_POINT_INVALID);
  });

  it('read only their slice of the buffer', () => {
    const buf = encoder.encode('X0.5600Y-3.00Z');
    expect(parsePriceBytes(buf, 1, 7)).toBe(5600);
    expect(parseSignedCountBytes(buf, 8, 13)).toBe(-300);
    expect(parseCountBytes(buf, 8, 13)).toBe(FIXED_POINT_INVALID);
    expect(parsePriceBytes(buf, 0, 7)).toBe(FIXED_POINT_INVALID);
    expect(Object.is(parseSignedCountBytes(encoder.encode('-0.00'), 0, 5), 0)).toBe(true);
  });
});

describe('formatPrice', () => {
  it.each([
    [0, '0.0000'],
    [1, '0.0001'],
    [100, '0.0100'],
    [5600, '0.5600'],
    [9999, '0.9999'],
    [10_000, '1.0000'],
  ])('%i → %j', (p, s) => {
    expect(formatPrice(p)).toBe(s);
  });

  it('round-trips every price both ways', () => {
    for (let p = 0; p <= PRICE_SCALE; p++) {
      const s = formatPrice(p);
      expect(s).toMatch(/^[01]\.\d{4}$/);
      expect(parsePrice(s)).toBe(p);
      expect(formatPrice(parsePrice(s))).toBe(s);
    }
  });

  it.each<[number, FixedPointErrorCode]>([
    [5600.5, 'type'],
    [Number.NaN, 'type'],
    [Number.POSITIVE_INFINITY, 'type'],
    [-1, 'range'],
    [10_001, 'range'],
    [2 ** 53, 'range'],
  ])('rejects %d with %s', (p, code) => {
    const err = fixedPointError(() => formatPrice(p));
    expect(err.code).toBe(code);
    expect(err.kind).toBe('price');
  });

  it('rejects a string with code type', () => {
    expect(fixedPointError(() => formatPrice('0.56' as unknown as number)).code).toBe('type');
  });
});

describe('formatCount', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [50, '0.50'],
    [1000, '10.00'],
    [-300, '-3.00'],
    [-1, '-0.01'],
    [-0, '0.00'],
    [MAX_SAFE, '90071992547409.91'],
    [-MAX_SAFE, '-90071992547409.91'],
  ])('%i → %j', (c, s) => {
    expect(formatCount(c)).toBe(s);
  });

  it('round-trips a sweep of counts', () => {
    const random = rng(42);
    const values = [0, 1, -1, 99, 100, 101, -99, -100, MAX_SAFE, -(MAX_SAFE - 1)];
    for (let c = -100_000; c <= 100_000; c += 7) values.push(c);
    for (let i = 0; i < 2000; i++) values.push(Math.floor((random() - 0.5) * 2 * MAX_SAFE));
    for (const c of values) {
      const s = formatCount(c);
      expect(s).toMatch(/^-?\d+\.\d{2}$/);
      expect(parseSignedCount(s)).toBe(c);
      expect(formatCount(parseSignedCount(s))).toBe(s);
      if (c >= 0) expect(parseCount(s)).toBe(c);
    }
  });

  it.each<[number, FixedPointErrorCode]>([
    [1.5, 'type'],
    [Number.NaN, 'type'],
    [Number.NEGATIVE_INFINITY, 'type'],
    [2 ** 53, 'range'],
    [-(2 ** 53), 'range'],
  ])('rejects %d with %s', (c, code) => {
    const err = fixedPointError(() => formatCount(c));
    expect(err.code).toBe(code);
    expect(err.kind).toBe('count');
  });
});

describe('formatMoney', () => {
  it.each<[number, number, string]>([
    [0, 6, '0.000000'],
    [10_000, 6, '0.010000'],
    [-1_500_000, 6, '-1.500000'],
    [-1_500_000, 4, '-1.5000'],
    [-1_500_000, 1, '-1.5'],
    [-2_000_000, 0, '-2'],
    [5_600_000, 2, '5.60'],
    [1, 6, '0.000001'],
    [-1, 6, '-0.000001'],
    [MAX_SAFE, 6, '9007199254.740991'],
  ])('formatMoney(%i, %i) → %j', (m, decimals, s) => {
    expect(formatMoney(m, decimals)).toBe(s);
  });

  it('defaults to 6 decimals', () => {
    expect(formatMoney(17_500)).toBe('0.017500');
  });

  it('throws rather than rounds when fewer decimals cannot hold the value', () => {
    const err = fixedPointError(() => formatMoney(1, 4));
    expect(err.code).toBe('precision');
    expect(err.kind).toBe('money');
    expect(fixedPointError(() => formatMoney(-1_500_000, 0)).code).toBe('precision');
    expect(fixedPointError(() => formatMoney(17_550, 4)).code).toBe('precision');
    expect(formatMoney(17_500, 4)).toBe('0.0175');
  });

  it('round-trips a sweep at every precision', () => {
    const random = rng(7);
    for (let decimals = 0; decimals <= 6; decimals++) {
      const unit = 10 ** (6 - decimals);
      for (let i = 0; i < 1000; i++) {
        const m = Math.floor((random() - 0.5) * 2 * Math.floor(MAX_SAFE / unit)) * unit;
        const s = formatMoney(m, decimals);
        expect(parseMoney(s)).toBe(m);
      }
    }
    for (let m = -100_000; m <= 100_000; m += 13) {
      expect(parseMoney(formatMoney(m))).toBe(m);
    }
  });

  it('rejects bad values and bad precisions', () => {
    expect(fixedPointError(() => formatMoney(0.5)).code).toBe('type');
    expect(fixedPointError(() => formatMoney(Number.POSITIVE_INFINITY)).code).toBe('type');
    expect(fixedPointError(() => formatMoney(2 ** 60)).code).toBe('range');
    expect(() => formatMoney(1, 7)).toThrow(RangeError);
    expect(() => formatMoney(1, -1)).toThrow(RangeError);
    expect(() => formatMoney(1, 2.5)).toThrow(RangeError);
  });
});

describe('complement', () => {
  it('is 10000 − p, never 9900 − p', () => {
    expect(complement(5600)).toBe(4400);
    expect(complement(100)).toBe(9900); // 1¢ YES ↔ 99¢ NO
    expect(complement(9900)).toBe(100);
    expect(complement(0)).toBe(10_000);
    expect(complement(10_000)).toBe(0);
    expect(complement(5000)).toBe(5000);
  });

  it('is an involution over all prices', () => {
    for (let p = 0; p <= PRICE_SCALE; p++) {
      expect(complement(p) + p).toBe(PRICE_SCALE);
      expect(complement(complement(p))).toBe(p);
    }
  });

  it('rejects prices outside [0, 10000] and non-integers', () => {
    expect(fixedPointError(() => complement(10_001)).code).toBe('range');
    expect(fixedPointError(() => complement(-1)).code).toBe('range');
    expect(fixedPointError(() => complement(0.5)).code).toBe('type');
  });
});

describe('notional', () => {
  it('is price × count in µ$, exactly', () => {
    expect(notional(5600, 1000)).toBe(5_600_000); // 10 contracts at $0.56 = $5.60
    expect(formatMoney(notional(5600, 1000), 2)).toBe('5.60');
    expect(notional(1, 1)).toBe(1); // $0.0001 × 0.01 contract = $0.000001
    expect(notional(7500, 27_800)).toBe(parseMoney('208.50')); // fill of 278 at 0.75
    expect(notional(4200, -300)).toBe(-1_260_000);
    expect(notional(0, 1000)).toBe(0);
  });

  it('rejects a bad price, a bad count, and an unsafe product', () => {
    expect(fixedPointError(() => notional(10_001, 1)).code).toBe('range');
    expect(fixedPointError(() => notional(5600.5, 1)).code).toBe('type');
    expect(fixedPointError(() => notional(5600, 1.5)).code).toBe('type');
    const err = fixedPointError(() => notional(10_000, MAX_SAFE));
    expect(err.code).toBe('range');
    expect(err.kind).toBe('money');
  });
});

describe('mulDivFloor and mulDivCeil', () => {
  it('handle small exact and inexact quotients', () => {
    expect(mulDivFloor(7, 3, 2)).toBe(10);
    expect(mulDivCeil(7, 3, 2)).toBe(11);
    expect(mulDivFloor(6, 4, 3)).toBe(8);
    expect(mulDivCeil(6, 4, 3)).toBe(8);
    expect(mulDivFloor(0, 5, 3)).toBe(0);
    expect(mulDivCeil(0, 5, 3)).toBe(0);
    expect(mulDivCeil(1, 1, MAX_SAFE)).toBe(1);
    expect(mulDivFloor(1, 1, MAX_SAFE)).toBe(0);
  });

  it('stay exact when the product exceeds 2^53', () => {
    expect(mulDivFloor(2 ** 40, 2 ** 20, 2 ** 10)).toBe(2 ** 50);
    expect(mulDivFloor(MAX_SAFE, 3, 3)).toBe(MAX_SAFE);
    expect(mulDivCeil(MAX_SAFE, MAX_SAFE, MAX_SAFE)).toBe(MAX_SAFE);
    // (2^53 − 1)·10 is unsafe, its quotient by 70 is safe and inexact.
    expect(mulDivFloor(MAX_SAFE, 10, 70)).toBe(Number((BigInt(MAX_SAFE) * 10n) / 70n));
    expect(mulDivCeil(MAX_SAFE, 10, 70)).toBe(Number((BigInt(MAX_SAFE) * 10n + 69n) / 70n));
  });

  it('match BigInt on random operands of every size', () => {
    const random = rng(99);
    const pick = (): number => Math.floor(random() * 2 ** Math.floor(random() * 53));
    for (let i = 0; i < 5000; i++) {
      const a = pick();
      const b = pick();
      const d = Math.max(1, pick());
      const p = BigInt(a) * BigInt(b);
      const floor = p / BigInt(d);
      const ceil = (p + BigInt(d) - 1n) / BigInt(d);
      if (floor <= BigInt(MAX_SAFE)) expect(mulDivFloor(a, b, d)).toBe(Number(floor));
      if (ceil <= BigInt(MAX_SAFE)) expect(mulDivCeil(a, b, d)).toBe(Number(ceil));
    }
  });

  it('reject an unsafe quotient and bad operands', () => {
    expect(fixedPointError(() => mulDivFloor(MAX_SAFE, 2, 1)).code).toBe('range');
    expect(fixedPointError(() => mulDivCeil(-1, 2, 1)).code).toBe('range');
    expect(fixedPointError(() => mulDivCeil(1, 2, 0)).code).toBe('range');
    expect(fixedPointError(() => mulDivFloor(1.5, 2, 1)).code).toBe('type');
    expect(fixedPointError(() => mulDivFloor(1, 2, Number.NaN)).code).toBe('type');
    expect(fixedPointError(() => mulDivFloor(2 ** 53, 1, 1)).code).toBe('range');
    expect(fixedPointError(() => mulDivFloor(1, 2, 1.5)).kind).toBe('operand');
  });
});
