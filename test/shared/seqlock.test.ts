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

  it('keeps retrying however many attempts fail, until the record has been unreadable for WRITER_STALL_MS', () => {
    let t = 1_000; // a fake clock, ms
    const clock = () => t;
    let since = 0;
    // Only every 1024th attempt reads the clock: call those (a million failed attempts in no time).
    for (let k = 1; k <= 1000; k++) {
      since = readRetry(k * 1024, since, clock);
      expect(since).toBe(1_000); // keep trying, the stall measured from the first clock read
    }
    expect(readRetry(1025, since, clock)).toBe(since); // other attempts cost nothing
    t += WRITER_STALL_MS; // exactly the window: still trying
    since = readRetry(1024 * 2000, since, clock);
    expect(since).toBeGreaterThan(0);
    t += 1; // past it: give up
    expect(readRetry(1024 * 2001, since, clock)).toBe(-1);
  });

  it('gives up on the real clock only after a real stall', () => {
    const t0 = performance.now();
    let since = 0;
    let attempt = 0;
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
