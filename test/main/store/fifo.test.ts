/** Fifo: order kept through shift, put-back at the head, compaction and take. */
import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../src/main/store/fifo.js';

describe('Fifo', () => {
  it('keeps order through pushes, shifts, put-backs and compaction', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 5_000; i++) q.push(i);
    for (let i = 0; i < 3_000; i++) expect(q.shift()).toBe(i);
    q.unshift(2_999);
    q.unshift(2_998);
    expect(q.length).toBe(2_002);
    expect([...q].slice(0, 3)).toEqual([2_998, 2_999, 3_000]);
    expect(q.peek()).toBe(2_998);
    const out: number[] = [];
    for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x);
    expect(out).toEqual(Array.from({ length: 2_002 }, (_, i) => 2_998 + i));
    expect(q.shift()).toBeUndefined();
    q.unshift(7);
    expect([...q]).toEqual([7]);
  });

  it('take removes the matching items and keeps the rest in order', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 10; i++) q.push(i);
    q.shift();
    expect(q.take((x) => x % 3 === 0)).toEqual([3, 6, 9]);
    expect([...q]).toEqual([1, 2, 4, 5, 7, 8]);
  });
});
