/**
 * Deterministic identifiers: the same seed and the same sequence of calls give the same ids.
 *
 * Public ids (orders of real accounts, trades, fills, order groups) are UUID-shaped strings
 *   hhhhhhhh-hhhh-4Khh-Vhhh-cccccccccccc
 * where h are hash bits of (seed, kind, counter), K the kind, V the RFC 4122 variant nibble and
 * c the counter in hex: unique per kind by construction (the counter), unique across kinds by K,
 * and random-looking like Kalshi's. Synthetic orders, which never appear on the wire, get a
 * cheap `syn-<n>` id (one string concatenation on the hot path).
 */

/** murmur3's 32-bit finalizer: a bijection on uint32 with good avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a small integer `a`, non-negative safe integers `b` and `c`, and a uint32 `d`. */
export function hashInts(a: number, b: number, c: number, d: number): number {
  let h = fmix32((a >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul((b >>> 0) | 0, 0xcc9e2d51));
  h = fmix32(h ^ Math.imul(Math.floor(b / 4294967296) | 0, 0x1b873593));
  h = fmix32(h ^ Math.imul((c >>> 0) | 0, 0xe6546b64));
  h = fmix32(h ^ Math.imul(Math.floor(c / 4294967296) | 0, 0x85ebca6b));
  return fmix32(h ^ (d >>> 0));
}

export const IdKind = { Order: 0, Trade: 1, Fill: 2, Group: 3 } as const;
export type IdKind = (typeof IdKind)[keyof typeof IdKind];

function hex(v: number, digits: number): string {
  return v.toString(16).padStart(digits, '0');
}

/** '00' … 'ff', and '0' … 'f': `next` formats ids from these (a trade id per fill: hot path). */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => hex(i, 2));
const HEX1: readonly string[] = Array.from({ length: 16 }, (_, i) => hex(i, 1));
const TWO_24 = 0x1000000;

/** `hex(v, 8)` of a uint32. */
function hex8(v: number): string {
  return HEX2[v >>> 24] + HEX2[(v >>> 16) & 0xff] + HEX2[(v >>> 8) & 0xff] + HEX2[v & 0xff];
}

/** `hex(n, 12)` of a non-negative safe integer (more digits when n ≥ 16¹²). */
function hex12(n: number): string {
  if (n >= 2 ** 48) return hex(n, 12);
  const hi = Math.floor(n / TWO_24);
  const lo = n - hi * TWO_24;
  return HEX2[hi >>> 16] + HEX2[(hi >>> 8) & 0xff] + HEX2[hi & 0xff] + HEX2[lo >>> 16] + HEX2[(lo >>> 8) & 0xff] + HEX2[lo & 0xff];
}

export class IdSource {
  /** A non-negative safe integer derived from the seed (any finite number is accepted). */
  private readonly seed: number;
  private readonly counters = [0, 0, 0, 0];
  private synthetic = 0;

  constructor(seed: number) {
    this.seed = Math.abs(Math.trunc(seed)) % Number.MAX_SAFE_INTEGER;
  }

  next(kind: IdKind): string {
    const n = ++this.counters[kind];
    const h1 = hashInts(kind * 2, this.seed, n, 0);
    const h2 = hashInts(kind * 2 + 1, this.seed, n, 0);
    // = `${hex(h1, 8)}-${hex(h2 >>> 16, 4)}-4${hex(kind, 1)}${hex((h2 >>> 8) & 0xff, 2)}-` +
    //   `${hex(8 | ((h2 >>> 6) & 3), 1)}${hex(h2 & 0xfff, 3)}-${hex(n, 12)}`, from tables
    return (
      hex8(h1) + '-' + HEX2[h2 >>> 24] + HEX2[(h2 >>> 16) & 0xff] + '-4' + HEX1[kind] + HEX2[(h2 >>> 8) & 0xff] + '-' +
      HEX1[8 | ((h2 >>> 6) & 3)] + HEX1[(h2 >>> 8) & 0xf] + HEX2[h2 & 0xff] + '-' + hex12(n)
    );
  }

  nextSynthetic(): string {
    return 'syn-' + ++this.synthetic;
  }
}

/**
 * The serial number `n` of a synthetic order id `syn-<n>` as `nextSynthetic` writes it (no sign,
 * no leading zero, a safe integer), or -1 for any other string. Lets the engine key its
 * synthetic orders by number, without changing the ids.
 */
export function syntheticSerial(orderId: string): number {
  const len = orderId.length;
  if (len < 5 || len > 20 || orderId.charCodeAt(0) !== 115 || orderId.charCodeAt(1) !== 121 || orderId.charCodeAt(2) !== 110 || orderId.charCodeAt(3) !== 45) return -1; // 'syn-'
  let n = 0;
  for (let i = 4; i < len; i++) {
    const d = orderId.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (d === 0 && i === 4)) return -1;
    n = n * 10 + d;
  }
  return Number.isSafeInteger(n) ? n : -1;
}
