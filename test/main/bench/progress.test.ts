/** The sweep's progress line: redrawn in place on a terminal, throttled plain lines elsewhere. */
import { describe, expect, it } from 'vitest';
import { Progress } from '../../../src/main/bench/progress.js';

function harness(tty: boolean) {
  const out: string[] = [];
  let now = 0;
  const progress = new Progress({ total: 16, tty, write: (s) => out.push(s), nowMs: () => now });
  return { out, progress, setNow: (ms: number) => { now = ms; } };
}

describe('Progress on a terminal', () => {
  it('redraws one line with a bar, then leaves the summary', () => {
    const { out, progress, setNow } = harness(true);
    progress.point('threaded 1,000 mkts 10,000/s', 10);
    expect(out.at(-1)).toBe('\r\x1b[K[1/16] threaded 1,000 mkts 10,000/s  [..................] 0/10 s');
    setNow(6000);
    progress.tick(6, 'msgs/s 9,987 | p99 412 µs');
    expect(out.at(-1)).toBe('\r\x1b[K[1/16] threaded 1,000 mkts 10,000/s  [##########........] 6/10 s  msgs/s 9,987 | p99 412 µs');
    progress.tick(10, 'msgs/s 10,012 | p99 398 µs');
    expect(out.at(-1)).toContain('[##################] 10/10 s  msgs/s 10,012');
    // Never a newline while redrawing.
    expect(out.join('')).not.toContain('\n');

    progress.point('inline 1,000 mkts 10,000/s', 10);
    expect(out.at(-1)).toMatch(/^\r\x1b\[K\[2\/16\] inline 1,000 mkts 10,000\/s {2}\[\.+\] 0\/10 s$/);
    progress.log('a point table\n');
    expect(out.at(-2)).toBe('\r\x1b[Ka point table\n');
    expect(out.at(-1)).toMatch(/^\r\x1b\[K\[2\/16\] inline/); // redrawn below it
    progress.done('16 points in 4 min 12 s');
    expect(out.at(-1)).toBe('\r\x1b[K16 points in 4 min 12 s\n');
  });
});

describe('Progress in a log', () => {
  it('writes at most one line per 5 s, plus the end of each point', () => {
    const { out, progress, setNow } = harness(false);
    progress.point('threaded 1,000 mkts 10,000/s', 10);
    expect(out).toEqual([]);
    for (let s = 1; s <= 10; s++) {
      setNow(s * 1000);
      progress.tick(s, `msgs/s ${(9_980 + s).toLocaleString('en-US')} | p99 ${400 + s} µs`);
    }
    expect(out).toEqual([
      '[1/16] threaded 1,000 mkts 10,000/s  1/10 s  msgs/s 9,981 | p99 401 µs\n',
      '[1/16] threaded 1,000 mkts 10,000/s  6/10 s  msgs/s 9,986 | p99 406 µs\n',
      '[1/16] threaded 1,000 mkts 10,000/s  10/10 s  msgs/s 9,990 | p99 410 µs\n',
    ]);
    // Ticks after the window (a drain) are throttled again.
    setNow(10_500);
    progress.tick(10.5, 'draining');
    expect(out).toHaveLength(3);
  });

  it('flushes an unprinted last tick when the next point starts or the sweep ends', () => {
    const { out, progress, setNow } = harness(false);
    progress.point('inline 100 mkts 2,000/s', 10);
    setNow(1000);
    progress.tick(1, 'msgs/s 1,998');
    setNow(3000);
    progress.tick(3, 'msgs/s 2,001'); // throttled
    expect(out).toHaveLength(1);
    progress.point('inline 100 mkts 4,000/s', 10); // the window was cut short: its last line still shows
    expect(out.at(-1)).toBe('[1/16] inline 100 mkts 2,000/s  3/10 s  msgs/s 2,001\n');
    setNow(4000);
    progress.tick(1, 'msgs/s 3,990');
    setNow(5000);
    progress.tick(2, 'msgs/s 4,002');
    progress.done('2 points');
    expect(out.slice(-3)).toEqual([
      '[2/16] inline 100 mkts 4,000/s  1/10 s  msgs/s 3,990\n',
      '[2/16] inline 100 mkts 4,000/s  2/10 s  msgs/s 4,002\n',
      '2 points\n',
    ]);
    expect(out.join('')).not.toMatch(/\r|\x1b/);
  });
});
