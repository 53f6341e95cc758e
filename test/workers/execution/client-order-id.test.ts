import { describe, expect, it } from 'vitest';
import {
  ClientOrderIds,
  formatClientOrderId,
  MAX_CLIENT_ORDER_ID_LENGTH,
  newSessionId,
  tickerDigest,
} from '../../../src/workers/execution/client-order-id.js';

const ALPHABET = /^[A-Za-z0-9-]+$/;

describe('formatClientOrderId', () => {
  it('readable form for ordinary tickers: <session>-<TICKER>-<seq base 36>', () => {
    expect(formatClientOrderId('mk3x9a000001', 'KXHIGHNY-24JAN01-T60', 0)).toBe('mk3x9a000001-KXHIGHNY-24JAN01-T60-0');
    expect(formatClientOrderId('s1', 'KXFOO-26AUG01-T50', 36)).toBe('s1-KXFOO-26AUG01-T50-10');
  });

  it('hashed form for tickers outside [A-Z0-9-] or too long for 64 characters', () => {
    const dotted = formatClientOrderId('s1', 'KXBTCD-25AUG0517-T118999.99', 5);
    expect(dotted).toBe(`s1-h${tickerDigest('KXBTCD-25AUG0517-T118999.99')}-5`);
    const long = 'KXMVECROSSCATEGORY-S2025ABCDEF0123456789-ABCDEFGHIJ0123456789XYZ';
    const id = formatClientOrderId('mk3x9a000001', long, Number.MAX_SAFE_INTEGER);
    expect(id.length).toBeLessThanOrEqual(MAX_CLIENT_ORDER_ID_LENGTH);
    expect(id).toMatch(ALPHABET);
    expect(id.startsWith('mk3x9a000001-h')).toBe(true);
    expect(tickerDigest('x')).toMatch(/^[0-9a-z]{13}$/);
  });

  it('is a pure function of (session, ticker, seq)', () => {
    expect(formatClientOrderId('abc', 'KXA-1', 7)).toBe(formatClientOrderId('abc', 'KXA-1', 7));
    expect(formatClientOrderId('abc', 'KXA-1', 7)).not.toBe(formatClientOrderId('abd', 'KXA-1', 7));
  });

  it('refuses bad inputs', () => {
    expect(() => formatClientOrderId('has-dash', 'KXA', 0)).toThrow(RangeError);
    expect(() => formatClientOrderId('', 'KXA', 0)).toThrow(RangeError);
    expect(() => formatClientOrderId('abcdefghijklm', 'KXA', 0)).toThrow(RangeError); // 13 > 12
    expect(() => formatClientOrderId('abc', '', 0)).toThrow(RangeError);
    expect(() => formatClientOrderId('abc', 'KXA', -1)).toThrow(RangeError);
    expect(() => formatClientOrderId('abc', 'KXA', 1.5)).toThrow(RangeError);
  });
});

describe('newSessionId', () => {
  it('12 characters of [a-z0-9], from the start time and a random draw', () => {
    const id = newSessionId(1_767_225_600_000, 36 ** 4 - 1);
    expect(id).toMatch(/^[0-9a-z]{12}$/);
    expect(id.endsWith('zzzz')).toBe(true);
    expect(newSessionId(1_767_225_600_000, 0)).not.toBe(newSessionId(1_767_225_600_001, 0));
    expect(() => newSessionId(1, 36 ** 4)).toThrow(RangeError);
  });
});

describe('ClientOrderIds', () => {
  it('hands out seq 0, 1, 2 … per ticker, equal to formatClientOrderId', () => {
    const ids = new ClientOrderIds('sess01');
    expect(ids.next('KXA-1')).toBe(formatClientOrderId('sess01', 'KXA-1', 0));
    expect(ids.next('KXA-1')).toBe(formatClientOrderId('sess01', 'KXA-1', 1));
    expect(ids.next('KXB-1')).toBe(formatClientOrderId('sess01', 'KXB-1', 0));
    expect(ids.nextSeq('KXA-1')).toBe(2);
    expect(ids.idFor('KXA-1', 1)).toBe('sess01-KXA-1-1');
    const weird = 'kx.lower-case';
    expect(ids.next(weird)).toBe(formatClientOrderId('sess01', weird, 0));
  });

  it('is stable across a restart that replays the sequence from the journal', () => {
    const before = new ClientOrderIds('sess01');
    const issued = Array.from({ length: 50 }, () => before.next('KXA-1'));
    const after = new ClientOrderIds('sess01');
    after.restore('KXA-1', 30); // journal: intents 0..29 were recorded
    expect(after.next('KXA-1')).toBe(issued[30]);
    after.restore('KXA-1', 10); // never goes back
    expect(after.next('KXA-1')).toBe(issued[31]);
    expect(() => after.restore('KXA-1', -1)).toThrow(RangeError);
  });

  it('never reuses an id: 1e5 intents over 200 markets are all distinct, ≤ 64 chars, [A-Za-z0-9-]', () => {
    const ids = new ClientOrderIds('mk3x9a000001');
    const tickers = Array.from({ length: 200 }, (_, i) =>
      i % 3 === 0 ? `KXEV${i}-26JAN01-T${i}.5` : i % 3 === 1 ? `KXE-${i}` : `KXE-${i}-${'LONGTICKERPART'.repeat(4)}`,
    );
    // Tickers that would collide in a naive concatenation: "KXE-1" + seq "1-…" vs "KXE-1-1".
    tickers.push('KXE-1-1', 'KXE-11');
    const seen = new Set<string>();
    let n = 0;
    for (let round = 0; n < 100_000; round++) {
      for (const t of tickers) {
        if (n === 100_000) break;
        const id = ids.next(t);
        expect(id.length <= MAX_CLIENT_ORDER_ID_LENGTH && ALPHABET.test(id)).toBe(true);
        seen.add(id);
        n++;
      }
    }
    expect(seen.size).toBe(100_000);
  });

  it('refuses to reuse ids when two tickers share a digest', () => {
    const ids = new ClientOrderIds('s1');
    ids.next('a.first');
    // Simulate a 64-bit digest collision: pretend another ticker already owns this digest.
    (ids as unknown as { digests: Map<string, string> }).digests.set(tickerDigest('b.second'), 'c.third');
    expect(() => ids.next('b.second')).toThrow(/collision/);
  });
});
