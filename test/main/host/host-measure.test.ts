/** sharedBytesOf: every SharedArrayBuffer reachable through the stores' `shared` handles, once each. */
import { describe, expect, it } from 'vitest';
import { sharedBytesOf } from '../../../src/main/host/host-measure.js';
import { BookStore } from '../../../src/shared/book-store.js';
import { SpscRing } from '../../../src/shared/spsc-ring.js';

describe('sharedBytesOf', () => {
  it('adds up distinct SharedArrayBuffers through objects, arrays and views; ignores plain buffers', () => {
    const a = new SharedArrayBuffer(1024);
    const b = new SharedArrayBuffer(4096);
    expect(sharedBytesOf([{ a, nested: [b, new Int32Array(a)] }, a, new ArrayBuffer(999), 'text', null, 7])).toBe(5120);
    expect(sharedBytesOf([])).toBe(0);
  });

  it('counts the stores the host allocates', () => {
    const books = BookStore.create({ maxMarkets: 100 });
    const ring = SpscRing.create(4096, 8);
    const booksBytes = sharedBytesOf([books.shared]);
    expect(booksBytes).toBeGreaterThan(100 * 64); // at least the 64-byte headers
    expect(sharedBytesOf([books.shared, ring.shared])).toBeGreaterThan(booksBytes + 4096 * 8 * 4 - 1);
    expect(sharedBytesOf([books.shared, books.shared])).toBe(booksBytes);
  });
});
