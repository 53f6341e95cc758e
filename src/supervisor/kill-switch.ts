/**
 * The kill switch, persisted: `<dataDir>/kill-switch.json` exists ⇔ the switch is engaged.
 *
 * Whoever engages it (the CLI in another process, the HTTP control server, the dashboard, the
 * supervisor itself) writes the file; a running host polls it (`KillSwitchWatch`) and halts within
 * a second; a host that starts while the file exists starts halted. Only `clear()` (deleting the
 * file: `kalshi-actor kill --clear`) releases it, so the switch survives restarts.
 *
 * Invariants:
 * - Writes are atomic: a temp file in the same directory, fsync, rename over the target, fsync of
 *   the directory (best effort). A reader sees the old file, the new file, or no file — never half
 *   of one. The directory is created when missing.
 * - Fail safe: only a MISSING file reads as clear. A file that exists but cannot be read or parsed,
 *   is too large, or has the wrong shape (including `"engaged": false`) reads as ENGAGED with the
 *   reason `unreadable kill-switch file: <why>`, flatten false, by 'supervisor'. So does a data
 *   directory that cannot be looked into. Engaging again or clearing replaces such a file.
 * - A reason is one line of at most `MAX_REASON_CHARS` characters: runs of whitespace and control
 *   characters (newlines, ESC, …) become one space, longer text is cut with '…'. A kill is never
 *   refused because of its reason; an empty reason becomes 'no reason given'.
 * - `engage` replaces any earlier state: the latest reason, flatten, origin and time win.
 * - `KillSwitchWatch` calls `onChange` only when engaged/clear, the reason or flatten change (not
 *   for a rewrite of the same state), re-reads the file only when its stat (ino, size, mtime,
 *   ctime) changes — plus a full re-read every `FULL_READ_EVERY` polls as a backstop — and its
 *   timer never keeps the process alive.
 */
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { syncDirectory, writeFileAtomic } from '../shared/atomic-file.js';
import { dirname, join, resolve } from 'node:path';

export const KILL_SWITCH_FILE_NAME = 'kill-switch.json';
export const MAX_REASON_CHARS = 500;
/** A kill-switch file larger than this is not read (it reads as engaged). */
export const MAX_KILL_SWITCH_FILE_BYTES = 64 * 1024;
export const UNREADABLE_PREFIX = 'unreadable kill-switch file: ';

export const KILL_SWITCH_ORIGINS = ['cli', 'http', 'dashboard', 'supervisor'] as const;
export type KillSwitchOrigin = (typeof KILL_SWITCH_ORIGINS)[number];

export interface KillSwitchState {
  engaged: true;
  /** One line, at most MAX_REASON_CHARS characters. */
  reason: string;
  /** Also close the open positions (not only cancel the resting orders). */
  flatten: boolean;
  /** When it was engaged, ms since the epoch. */
  atMs: number;
  by: KillSwitchOrigin;
}

export type EngageRequest = Omit<KillSwitchState, 'engaged' | 'atMs'> & { atMs?: number };

/** One line, bounded: whitespace and control characters collapse to one space; long text ends in '…'. */
export function normalizeReason(text: string): string {
  // Cut far above the limit first so a huge input costs little; then count in code points.
  const flat = text.slice(0, MAX_REASON_CHARS * 4).replace(/[\s\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').trim();
  if (flat === '') return 'no reason given';
  const points = Array.from(flat);
  return points.length <= MAX_REASON_CHARS ? flat : `${points.slice(0, MAX_REASON_CHARS - 1).join('').trimEnd()}…`;
}

/** True when both are clear, or both engaged with the same reason and flatten (origin and time ignored). */
export function sameKillSwitch(a: KillSwitchState | undefined, b: KillSwitchState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.reason === b.reason && a.flatten === b.flatten;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return 'code' in e && typeof e.code === 'string' ? `${e.code}: ${e.message}` : e.message;
  return String(e);
}

/** Why `value` is not a KillSwitchState, or undefined when it is one. */
function shapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  if (v.engaged !== true) return `"engaged" must be true, got ${JSON.stringify(v.engaged) ?? 'nothing'}`;
  if (typeof v.reason !== 'string') return '"reason" must be a string';
  if (typeof v.flatten !== 'boolean') return '"flatten" must be true or false';
  if (typeof v.atMs !== 'number' || !Number.isFinite(v.atMs) || v.atMs < 0) return '"atMs" must be a time in ms';
  if (!(KILL_SWITCH_ORIGINS as readonly unknown[]).includes(v.by)) return `"by" must be one of ${KILL_SWITCH_ORIGINS.join(', ')}`;
  return undefined;
}

export class KillSwitchFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(resolve(dataDir), KILL_SWITCH_FILE_NAME);
  }

  /** The persisted state; undefined only when the file does not exist (see the fail-safe rule above). */
  read(): KillSwitchState | undefined {
    let size: number;
    let mtimeMs = Date.now();
    try {
      const st = statSync(this.path, { throwIfNoEntry: false });
      if (st === undefined) return undefined;
      size = st.size;
      mtimeMs = Math.floor(st.mtimeMs);
    } catch (e) {
      return this.unreadable(errorText(e), mtimeMs);
    }
    if (size > MAX_KILL_SWITCH_FILE_BYTES) return this.unreadable(`${size} bytes, larger than ${MAX_KILL_SWITCH_FILE_BYTES}`, mtimeMs);
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      // Deleted between the stat and the read: cleared.
      if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
      return this.unreadable(errorText(e), mtimeMs);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return this.unreadable(`invalid JSON (${errorText(e)})`, mtimeMs);
    }
    const problem = shapeProblem(value);
    if (problem !== undefined) return this.unreadable(problem, mtimeMs);
    const v = value as KillSwitchState;
    return { engaged: true, reason: normalizeReason(v.reason), flatten: v.flatten, atMs: v.atMs, by: v.by };
  }

  /** Persist an engaged switch (replacing any earlier state); returns what was written. */
  engage(request: EngageRequest): KillSwitchState {
    if (!(KILL_SWITCH_ORIGINS as readonly unknown[]).includes(request.by)) {
      throw new TypeError(`kill switch: "by" must be one of ${KILL_SWITCH_ORIGINS.join(', ')}, got ${String(request.by)}`);
    }
    if (typeof request.flatten !== 'boolean') throw new TypeError('kill switch: "flatten" must be true or false');
    const atMs = request.atMs ?? Date.now();
    if (!Number.isFinite(atMs) || atMs < 0) throw new TypeError(`kill switch: "atMs" must be a time in ms, got ${atMs}`);
    if (typeof request.reason !== 'string') throw new TypeError('kill switch: "reason" must be a string');
    const state: KillSwitchState = { engaged: true, reason: normalizeReason(request.reason), flatten: request.flatten, atMs, by: request.by };
    writeFileAtomic(this.path, `${JSON.stringify(state, null, 2)}\n`);
    return state;
  }

  /** Release the switch (delete the file); true when it was engaged (including an unreadable file). */
  clear(): boolean {
    try {
      unlinkSync(this.path);
    } catch (e) {
      if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return false;
      throw e;
    }
    syncDirectory(dirname(this.path));
    return true;
  }

  private unreadable(why: string, atMs: number): KillSwitchState {
    return { engaged: true, reason: normalizeReason(`${UNREADABLE_PREFIX}${why}`), flatten: false, atMs, by: 'supervisor' };
  }
}

/** Polls between stat checks that still re-read the file in full (a change the stat could miss). */
export const FULL_READ_EVERY = 20;

/**
 * Polls a KillSwitchFile so a change made by another process reaches this one within
 * `intervalMs`. `start()` reads the file at once: when it is engaged, `onChange` is called before
 * `start()` returns (a host assumes clear until told otherwise), and the state is returned.
 * When `onChange` throws, the error goes to `onError` and the same state is delivered again on the
 * next poll, until it is accepted.
 */
export class KillSwitchWatch {
  private timer: NodeJS.Timeout | undefined;
  private signature: string | undefined;
  private state: KillSwitchState | undefined;
  private delivered: KillSwitchState | undefined;
  private polls = 0;

  constructor(
    private readonly file: KillSwitchFile,
    private readonly onChange: (state: KillSwitchState | undefined) => void,
    readonly intervalMs = 500,
    private readonly onError: (err: unknown) => void = (err) => console.error(`kill switch: onChange failed: ${errorText(err)}`),
  ) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`kill switch watch: intervalMs must be positive, got ${intervalMs}`);
  }

  /** Begin polling (idempotent); returns the state read now. */
  start(): KillSwitchState | undefined {
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.poll(), this.intervalMs);
      this.timer.unref();
      this.poll(true);
    }
    return this.state;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The state as last read (undefined: clear, or not started). */
  current(): KillSwitchState | undefined {
    return this.state;
  }

  /** Check the file now (also what the timer does); returns the current state. */
  poll(force = false): KillSwitchState | undefined {
    this.polls += 1;
    const signature = this.statSignature();
    if (force || signature !== this.signature || this.polls % FULL_READ_EVERY === 0) {
      this.signature = signature;
      this.state = this.file.read();
    }
    if (!sameKillSwitch(this.state, this.delivered)) {
      const next = this.state;
      try {
        this.onChange(next);
        this.delivered = next;
      } catch (e) {
        this.onError(e);
      }
    }
    return this.state;
  }

  private statSignature(): string {
    try {
      const st = statSync(this.file.path, { throwIfNoEntry: false, bigint: true });
      return st === undefined ? 'missing' : `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    } catch (e) {
      return `error:${errorText(e)}`;
    }
  }
}
