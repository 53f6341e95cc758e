import { describe, expect, it } from 'vitest';
import { KalshiSchemaError } from '../../../../../src/shared/kalshi/decode.js';
import {
  decodeEmpty, decodeItemError, decodePage, exchangeIndexOf, idElement, reqCents,
} from '../../../../../src/shared/kalshi/rest/decoders/common.js';
import { expectSchemaError } from './fixtures.js';

describe('decoder pieces', () => {
  it('decodePage: items and cursor, the cursor optional where the spec says so', () => {
    const item = (v: unknown) => v as number;
    expect(decodePage({ things: [1, 2], cursor: 'c' }, 'things', item)).toEqual({ items: [1, 2], cursor: 'c' });
    expect(decodePage({ things: [] }, 'things', item, false)).toEqual({ items: [], cursor: '' });
    expect(decodePage({ things: [], cursor: null }, 'things', item, false)).toEqual({ items: [], cursor: '' });
    expectSchemaError(() => decodePage({ things: [] }, 'things', item), 'reply.cursor');
    expectSchemaError(() => decodePage({ things: [], cursor: 5 }, 'things', item, false), 'reply.cursor');
    expectSchemaError(() => decodePage('x', 'things', item), 'reply');
  });

  it('reqCents: integer cents as µ$, within the safe range', () => {
    expect(reqCents({ c: 1250 }, 'c', 'r')).toBe(12_500_000);
    expect(reqCents({ c: -3 }, 'c', 'r')).toBe(-30_000);
    expectSchemaError(() => reqCents({ c: 12.5 }, 'c', 'r'), 'r.c');
    expectSchemaError(() => reqCents({ c: 2 ** 50 }, 'c', 'r'), 'r.c');
  });

  it('exchangeIndexOf: absent is shard 0; negative is refused', () => {
    expect(exchangeIndexOf({}, 'r')).toBe(0);
    expect(exchangeIndexOf({ exchange_index: 2 }, 'r')).toBe(2);
    expectSchemaError(() => exchangeIndexOf({ exchange_index: -1 }, 'r'), 'r.exchange_index');
    expectSchemaError(() => exchangeIndexOf({ exchange_index: '0' }, 'r'), 'r.exchange_index');
  });

  it('idElement, decodeEmpty, decodeItemError', () => {
    expect(idElement('a', 'p[0]')).toBe('a');
    expectSchemaError(() => idElement('', 'p[0]'), 'p[0]');
    expect(decodeEmpty(undefined)).toBeUndefined();
    expect(decodeEmpty({})).toBeUndefined();
    expect(() => decodeEmpty('ok')).toThrow(KalshiSchemaError);
    expect(decodeItemError({ code: 'x', message: 'm' }, 'e')).toEqual({ code: 'x', message: 'm' });
    expect(decodeItemError({ code: 'x' }, 'e')).toEqual({ code: 'x', message: '' });
    expectSchemaError(() => decodeItemError({ code: '' }, 'e'), 'e.code');
  });
});
