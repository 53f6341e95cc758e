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
    return (
      `${hex(h1, 8)}-${hex(h2 >>> 16, 4)}-4${hex(kind, 1)}${hex((h2 >>> 8) & 0xff, 2)}-` +
      `${hex(8 | ((h2 >>> 6) & 3), 1)}${hex(h2 & 0xfff, 3)}-${hex(n, 12)}`
    );
  }

  nextSynthetic(): string {
    return 'syn-' + ++this.synthetic;
  }
}
