/**
 * A logger that writes at most `maxLines` lines per `intervalMs` and then stays quiet, telling how
 * many lines it held back ("suppressed K") once the interval is over. A feed that goes bad sends
 * the same complaint thousands of times a second; the first few lines say what is wrong, the
 * counters (kept by the caller) say how often.
 *
 * No timer: the summary of an interval is written by the first call after it ended, or by
 * `flush()` (call it on close). So the logger never keeps a process alive.
 *
 * The sink is a pino logger (anything with pino's `info/warn/error(obj, msg)`) or a callback.
 */

export type LogLevel = 'info' | 'warn' | 'error';

/** The part of a pino `Logger` used here. */
export interface PinoLike {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type LogCallback = (level: LogLevel, msg: string, fields: Record<string, unknown>) => void;

export type LogSink = PinoLike | LogCallback;

export interface RateLimitedLogOptions {
  /** Lines per interval before suppression. Default 10. */
  maxLines?: number;
  /** Default 10,000 ms. */
  intervalMs?: number;
  /** Clock, ms (default Date.now). */
  now?: () => number;
}

export class RateLimitedLog {
  readonly maxLines: number;
  readonly intervalMs: number;
  private readonly now: () => number;
  private windowStart = -Infinity;
  private written = 0;
  private suppressed = 0;
  /** Lines held back since the logger was made (for tests and the dashboard). */
  suppressedTotal = 0;

  constructor(
    private readonly sink: LogSink | undefined,
    options: RateLimitedLogOptions = {},
  ) {
    this.maxLines = options.maxLines ?? 10;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.maxLines) || this.maxLines < 1) throw new RangeError(`maxLines must be a positive integer, got ${this.maxLines}`);
    if (!(this.intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${this.intervalMs}`);
  }

  /** Write a line unless this interval's quota is used up. Never throws (a failing sink is ignored). */
  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    const t = this.now();
    if (t - this.windowStart >= this.intervalMs) {
      this.flush();
      this.windowStart = t;
      this.written = 0;
    }
    if (this.written >= this.maxLines) {
      this.suppressed++;
      this.suppressedTotal++;
      return;
    }
    this.written++;
    this.write(level, msg, fields);
  }

  /** Write the "suppressed K" summary now if lines were held back. */
  flush(): void {
    if (this.suppressed === 0) return;
    const k = this.suppressed;
    this.suppressed = 0;
    this.write('warn', `suppressed ${k} log line${k === 1 ? '' : 's'} (limit ${this.maxLines} per ${this.intervalMs} ms)`, { suppressed: k });
  }

  private write(level: LogLevel, msg: string, fields: Record<string, unknown>): void {
    const sink = this.sink;
    if (sink === undefined) return;
    try {
      if (typeof sink === 'function') sink(level, msg, fields);
      else sink[level](fields, msg);
    } catch {
      // logging must never break the socket handler
    }
  }
}
