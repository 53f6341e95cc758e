import { describe, expect, it } from 'vitest';
import { INTENT_WORDS, I_ENQUEUE_HI, I_RECEIVE_HI, readNs, writeNs } from '../../../src/workers/inference/intent-record.js';

describe('intent record stamps', () => {
  it('a monotonic ns stamp round-trips exactly through two Int32 words (up to 2^53)', () => {
    const rec = new Int32Array(INTENT_WORDS);
    for (const ns of [0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 123_456_789_012_345, 2 ** 53 - 1]) {
      writeNs(rec, I_ENQUEUE_HI, ns);
      writeNs(rec, I_RECEIVE_HI, ns + 7 <= 2 ** 53 - 1 ? ns + 7 : ns);
      expect(readNs(rec, I_ENQUEUE_HI)).toBe(ns);
    }
    writeNs(rec, I_ENQUEUE_HI, -5);
    expect(readNs(rec, I_ENQUEUE_HI)).toBe(0);
    writeNs(rec, I_ENQUEUE_HI, 1.9);
    expect(readNs(rec, I_ENQUEUE_HI)).toBe(1);
  });
});
