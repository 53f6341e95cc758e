/**
 * Progress of a benchmark sweep of several points, on stderr.
 *
 * On a terminal one line is redrawn in place (`\r`, then clear to end of line):
 *   [3/16] threaded 1,000 mkts 10,000/s  [##########........] 6/10 s  msgs/s 9,987 | p99 412 µs
 * Elsewhere (CI logs) it writes plain lines: at most one per `PLAIN_INTERVAL_MS` while a point
 * runs, plus the point's last line when it ends, so a log grows by a few lines per point.
 */

/** Width of the bar, characters. */
const BAR_WIDTH = 18;
/** Least time between two plain (non-terminal) progress lines, ms. */
const PLAIN_INTERVAL_MS = 5000;
/** Carriage return, then erase to the end of the line (ANSI EL). */
const REDRAW = '\r\x1b[K';

export interface ProgressOptions {
  /** Points in the sweep. */
  total: number;
  write?: (s: string) => void;
  /** Default: process.stderr.isTTY. */
  tty?: boolean;
  /** Monotonic ms clock (default performance.now). */
  nowMs?: () => number;
}

export class Progress {
  private readonly total: number;
  private readonly write: (s: string) => void;
  private readonly tty: boolean;
  private readonly nowMs: () => number;
  /** 1-based index of the running point; 0 before the first. */
  private index = 0;
  private label = '';
  private seconds = 0;
  /** The latest tick's text, and whether it was printed (plain mode). */
  private last: { elapsedS: number; line: string } | undefined;
  private lastPrinted = true;
  private lastWriteMs = -Infinity;
  /** The window's end was printed (plain mode): later ticks (a drain) are throttled again. */
  private endShown = false;
  /** A redrawn line is on screen (TTY mode). */
  private drawn = false;

  constructor(o: ProgressOptions) {
    this.total = o.total;
    this.write = o.write ?? ((s) => void process.stderr.write(s));
    this.tty = o.tty ?? process.stderr.isTTY === true;
    this.nowMs = o.nowMs ?? (() => performance.now());
  }

  /** A new point begins its measured window of `seconds` s. */
  point(label: string, seconds: number): void {
    this.endPoint();
    this.index++;
    this.label = label;
    this.seconds = seconds;
    this.last = undefined;
    this.lastPrinted = true;
    this.lastWriteMs = -Infinity;
    this.endShown = false;
    if (this.tty) this.draw(0, '');
  }

  /** The running point's progress: `elapsedS` s of its window, and a short status `line`. */
  tick(elapsedS: number, line: string): void {
    this.last = { elapsedS, line };
    if (this.tty) {
      this.draw(elapsedS, line);
      return;
    }
    this.lastPrinted = false;
    const now = this.nowMs();
    const reachedEnd = elapsedS >= this.seconds && !this.endShown;
    if (reachedEnd || now - this.lastWriteMs >= PLAIN_INTERVAL_MS) this.printPlain(now);
    if (reachedEnd) this.endShown = true;
  }

  /** Print `text` (lines, e.g. a point's table) without tearing the redrawn line. */
  log(text: string): void {
    const body = text.endsWith('\n') ? text : `${text}\n`;
    if (!this.tty) {
      this.endPoint();
      this.write(body);
      return;
    }
    this.write(REDRAW + body);
    if (this.drawn) this.draw(this.last?.elapsedS ?? 0, this.last?.line ?? '');
  }

  /** The sweep is over: leaves `summaryLine` (no progress line left on screen). */
  done(summaryLine: string): void {
    this.endPoint();
    this.write(`${this.tty && this.drawn ? REDRAW : ''}${summaryLine}\n`);
    this.drawn = false;
  }

  private prefix(elapsedS: number): string {
    const shown = Math.min(Math.max(elapsedS, 0), this.seconds);
    return `[${this.index}/${this.total}] ${this.label}  ${Math.floor(shown)}/${this.seconds} s`;
  }

  private draw(elapsedS: number, line: string): void {
    const shown = Math.min(Math.max(elapsedS, 0), this.seconds);
    const filled = this.seconds > 0 ? Math.floor((shown / this.seconds) * BAR_WIDTH) : BAR_WIDTH;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    const text = `[${this.index}/${this.total}] ${this.label}  ${bar} ${Math.floor(shown)}/${this.seconds} s`;
    this.write(`${REDRAW}${text}${line === '' ? '' : `  ${line}`}`);
    this.drawn = true;
  }

  private printPlain(now: number): void {
    if (this.last === undefined) return;
    const { elapsedS, line } = this.last;
    this.write(`${this.prefix(elapsedS)}${line === '' ? '' : `  ${line}`}\n`);
    this.lastPrinted = true;
    this.lastWriteMs = now;
  }

  /** Plain mode: the running point's last tick, if not printed yet. */
  private endPoint(): void {
    if (!this.tty && !this.lastPrinted) this.printPlain(this.nowMs());
  }
}
