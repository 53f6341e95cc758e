import { describe, expect, it } from 'vitest';
import { IdKind, IdSource } from '../../../src/sim/engine/ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('IdSource', () => {
  it('UUID-shaped, unique per kind and across kinds, the same for the same seed', () => {
    const a = new IdSource(7);
    const b = new IdSource(7);
    const c = new IdSource(8);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      for (const kind of [IdKind.Order, IdKind.Trade, IdKind.Fill, IdKind.Group]) {
        const id = a.next(kind);
        expect(id).toMatch(UUID);
        expect(seen.has(id)).toBe(false);
        seen.add(id);
        expect(b.next(kind)).toBe(id);
        expect(c.next(kind)).not.toBe(id);
      }
    }
    expect(a.nextSynthetic()).toBe('syn-1');
    expect(a.nextSynthetic()).toBe('syn-2');
  });

  it('accepts any finite seed', () => {
    for (const seed of [0, -1, 2 ** 40 + 3, 1.5]) expect(new IdSource(seed).next(IdKind.Order)).toMatch(UUID);
  });
});
