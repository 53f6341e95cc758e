import { describe, expect, it } from 'vitest';
import { beginWrite, endWrite, readBegin, readRetry, readValid, WRITER_STALL_MS } from '../../src/shared/seqlock.js';

describe('seqlock', () => {
  it('validates a read only when no write overlapped it', () => {
    const words = new Int32Array(new SharedArrayBuffer(4));
    const before = readBegin(words, 0);
    expect(readValid(words, 0, before)).toBe(true);
    beginWrite(words, 0);
    expect(readValid(words, 0, before)).toBe(false); // a write started after the read began
    const during = readBegin(words, 0);
    expect(during & 1).toBe(1);
    expect(readValid(words, 0, during)).toBe(false); // began mid-write: never valid
    endWrite(words, 0);
    expect(readValid(words, 0, during)).toBe(false);
    const after = readBegin(words, 0);
    expect(after).toBe(before + 2);
    expect(readValid(words, 0, after)).toBe(true);
  });

  it('keeps retrying while the writer makes progress and gives up only after a real stall', () => {
    let since = 0;
    let gaveUp = false;
    for (let attempt = 1; attempt < 1024 * 50; attempt++) {
      since = readRetry(attempt, since);
      if (since < 0) gaveUp = true;
    }
    expect(gaveUp).toBe(false); // 50k fast attempts (well under a millisecond) are inside the window
    const t0 = performance.now();
    let attempt = 1024 * 50;
    while (since >= 0) since = readRetry(++attempt, since);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(WRITER_STALL_MS - 5);
  });

  it('survives the sequence word wrapping past 2^31', () => {
    const words = new Int32Array(new SharedArrayBuffer(4));
    words[0] = 0x7ffffffe;
    beginWrite(words, 0);
    endWrite(words, 0);
    const seq = readBegin(words, 0);
    expect(seq).toBe(-0x80000000);
    expect(readValid(words, 0, seq)).toBe(true);
  });
});
