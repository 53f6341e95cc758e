import { describe, expect, it } from 'vitest';
import { RateLimitedLog, type LogLevel } from '../../../../src/shared/kalshi/ws/rate-limited-log.js';

describe('RateLimitedLog', () => {
  it('writes at most maxLines per interval, then one "suppressed K" line when the interval is over', () => {
    let t = 0;
    const lines: Array<[LogLevel, string]> = [];
    const log = new RateLimitedLog((level, msg) => lines.push([level, msg]), { maxLines: 2, intervalMs: 1000, now: () => t });
    for (let i = 0; i < 5; i++) log.log('warn', `bad ${i}`);
    expect(lines).toEqual([['warn', 'bad 0'], ['warn', 'bad 1']]);
    t = 1000;
    log.log('error', 'later');
    expect(lines.slice(2)).toEqual([['warn', 'suppressed 3 log lines (limit 2 per 1000 ms)'], ['error', 'later']]);
    expect(log.suppressedTotal).toBe(3);
    log.log('warn', 'x');
    log.log('warn', 'y');
    log.flush();
    expect(lines.slice(4)).toEqual([['warn', 'x'], ['warn', 'suppressed 1 log line (limit 2 per 1000 ms)']]);
    log.flush();
    expect(lines.length).toBe(6);
  });

  it('writes to a pino-like logger with fields first, and never throws from a failing sink', () => {
    const got: Array<[string, object, string]> = [];
    const pino = {
      info: (o: object, m: string) => got.push(['info', o, m]),
      warn: (o: object, m: string) => got.push(['warn', o, m]),
      error: () => {
        throw new Error('disk full');
      },
    };
    const log = new RateLimitedLog(pino);
    log.log('warn', 'gap', { sid: 3 });
    expect(got).toEqual([['warn', { sid: 3 }, 'gap']]);
    expect(() => log.log('error', 'boom')).not.toThrow();
    expect(() => new RateLimitedLog(undefined).log('info', 'nowhere')).not.toThrow();
  });
});
