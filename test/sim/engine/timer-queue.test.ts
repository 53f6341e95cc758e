import { describe, expect, it } from 'vitest';
import { TimerQueue } from '../../../src/sim/engine/timer-queue.js';
import { rng } from '../../support/fixed-point.js';

describe('TimerQueue', () => {
  it('pops in time order, equal times in insertion order', () => {
    const q = new TimerQueue<string>();
    expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
    expect(q.pop()).toBeUndefined();
    q.push(30, 'c');
    q.push(10, 'a1');
    q.push(20, 'b');
    q.push(10, 'a2');
    q.push(10, 'a3');
    expect(q.size).toBe(5);
    expect(q.peekTime()).toBe(10);
    const out: string[] = [];
    for (let x = q.pop(); x !== undefined; x = q.pop()) out.push(x);
    expect(out).toEqual(['a1', 'a2', 'a3', 'b', 'c']);
  });

  it('agrees with a sort under random pushes and pops', () => {
    const r = rng(5);
    const q = new TimerQueue<number>();
    const model: Array<[number, number]> = [];
    let seq = 0;
    for (let i = 0; i < 5000; i++) {
      if (r() < 0.6 || model.length === 0) {
        const t = Math.floor(r() * 100);
        q.push(t, ++seq);
        model.push([t, seq]);
        model.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      } else {
        expect(q.pop()).toBe(model.shift()![1]);
      }
    }
  });
});
