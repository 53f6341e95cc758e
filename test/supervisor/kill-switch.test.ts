/** The persisted kill switch: atomic writes, fail-safe reads, and the watch that brings a change to a running host. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  KILL_SWITCH_FILE_NAME, KillSwitchFile, KillSwitchWatch, MAX_KILL_SWITCH_FILE_BYTES, MAX_REASON_CHARS, normalizeReason,
  type KillSwitchState,
} from '../../src/supervisor/kill-switch.js';

const root = mkdtempSync(join(tmpdir(), 'kalshi-actor-kill-switch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${n++}`);

async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('KillSwitchFile', () => {
  it('a missing file is clear; engage persists, survives a new instance (a restart), clear releases', () => {
    const dir = join(freshDir(), 'nested', 'data'); // created on the first engage
    const file = new KillSwitchFile(dir);
    expect(file.path).toBe(join(dir, KILL_SWITCH_FILE_NAME));
    expect(file.read()).toBeUndefined();
    expect(file.clear()).toBe(false);

    const state = file.engage({ reason: 'fat finger', flatten: true, by: 'cli', atMs: 1_700_000_000_000 });
    expect(state).toEqual({ engaged: true, reason: 'fat finger', flatten: true, atMs: 1_700_000_000_000, by: 'cli' });
    expect(JSON.parse(readFileSync(file.path, 'utf8'))).toEqual(state);
    expect(new KillSwitchFile(dir).read()).toEqual(state);
    expect(readdirSync(dir)).toEqual([KILL_SWITCH_FILE_NAME]); // no temp file left behind

    const later = file.engage({ reason: 'still bad', flatten: false, by: 'http' });
    expect(later.atMs).toBeGreaterThanOrEqual(Date.now() - 60_000);
    expect(new KillSwitchFile(dir).read()).toEqual(later); // the latest engage wins

    expect(file.clear()).toBe(true);
    expect(existsSync(file.path)).toBe(false);
    expect(new KillSwitchFile(dir).read()).toBeUndefined();
    expect(file.clear()).toBe(false);
  });

  it('fails safe: a file that exists but is not a valid state reads as engaged, never as clear', () => {
    const cases: Array<[string, string | Buffer, RegExp]> = [
      ['empty', '', /invalid JSON/],
      ['garbage', '{"engaged": tru', /invalid JSON/],
      ['engaged false', '{"engaged": false, "reason": "x", "flatten": false, "atMs": 1, "by": "cli"}', /"engaged" must be true, got false/],
      ['array', '[]', /not a JSON object/],
      ['null', 'null', /not a JSON object/],
      ['no reason', '{"engaged": true, "flatten": false, "atMs": 1, "by": "cli"}', /"reason" must be a string/],
      ['flatten text', '{"engaged": true, "reason": "r", "flatten": "yes", "atMs": 1, "by": "cli"}', /"flatten" must be true or false/],
      ['bad time', '{"engaged": true, "reason": "r", "flatten": false, "atMs": "now", "by": "cli"}', /"atMs"/],
      ['unknown origin', '{"engaged": true, "reason": "r", "flatten": false, "atMs": 1, "by": "cron"}', /"by" must be one of/],
      ['too large', Buffer.alloc(MAX_KILL_SWITCH_FILE_BYTES + 1, 0x20), /larger than/],
    ];
    for (const [name, content, why] of cases) {
      const dir = freshDir();
      mkdirSync(dir);
      const file = new KillSwitchFile(dir);
      writeFileSync(file.path, content);
      const s = file.read();
      expect(s, name).toMatchObject({ engaged: true, flatten: false, by: 'supervisor' });
      expect(s!.reason, name).toMatch(/^unreadable kill-switch file: /);
      expect(s!.reason, name).toMatch(why);
      expect(s!.reason.length, name).toBeLessThanOrEqual(MAX_REASON_CHARS);
      expect(s!.reason, name).not.toContain('\n');
      // Clearing (or engaging over) such a file is how an operator gets out of it.
      expect(file.clear(), name).toBe(true);
      expect(file.read(), name).toBeUndefined();
    }
  });

  it('fails safe when the path cannot be looked into: a directory in its place, or a data dir that is a file', () => {
    const dir = freshDir();
    const file = new KillSwitchFile(dir);
    mkdirSync(file.path, { recursive: true });
    expect(file.read()?.reason).toMatch(/^unreadable kill-switch file: EISDIR/);
    expect(() => file.clear()).toThrow(); // a clear error, not "was not engaged"

    const notADir = join(freshDir() + '-file');
    writeFileSync(notADir, 'x');
    const under = new KillSwitchFile(notADir);
    expect(under.read()?.reason).toMatch(/^unreadable kill-switch file: ENOTDIR/);
    expect(() => under.engage({ reason: 'r', flatten: false, by: 'cli' })).toThrow(/ENOTDIR|EEXIST/);
    expect(() => under.clear()).toThrow(/ENOTDIR/);
  });

  it('keeps reasons to one bounded line', () => {
    expect(normalizeReason('  two\nlines\r\n\tand \x1b[31mcolour  ')).toBe('two lines and [31mcolour');
    expect(normalizeReason('')).toBe('no reason given');
    expect(normalizeReason(' \n ')).toBe('no reason given');
    const long = normalizeReason('x'.repeat(100_000));
    expect(Array.from(long)).toHaveLength(MAX_REASON_CHARS);
    expect(long.endsWith('…')).toBe(true);
    const emoji = normalizeReason('😀'.repeat(600)); // cut on code points, never half a surrogate pair
    expect(Array.from(emoji)).toHaveLength(MAX_REASON_CHARS);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);

    const file = new KillSwitchFile(freshDir());
    const s = file.engage({ reason: `line one\nline two ${'y'.repeat(1000)}`, flatten: false, by: 'dashboard' });
    expect(s.reason).toMatch(/^line one line two y+…$/);
    expect(file.read()).toEqual(s);
  });

  it('refuses a malformed engage request with a clear error and writes nothing', () => {
    const file = new KillSwitchFile(freshDir());
    expect(() => file.engage({ reason: 'r', flatten: false, by: 'cron' as never })).toThrow(/"by" must be one of cli, http, dashboard, supervisor/);
    expect(() => file.engage({ reason: 'r', flatten: 'yes' as never, by: 'cli' })).toThrow(/flatten/);
    expect(() => file.engage({ reason: 'r', flatten: false, by: 'cli', atMs: Number.NaN })).toThrow(/atMs/);
    expect(() => file.engage({ reason: 42 as never, flatten: false, by: 'cli' })).toThrow(/reason/);
    expect(file.read()).toBeUndefined();
  });
});

describe('KillSwitchWatch', () => {
  it('start() delivers an engaged switch at once; later changes arrive by polling, rewrites of the same state do not', async () => {
    const dir = freshDir();
    const file = new KillSwitchFile(dir);
    const engaged = file.engage({ reason: 'left over from before the restart', flatten: false, by: 'supervisor' });
    const seen: Array<KillSwitchState | undefined> = [];
    const watch = new KillSwitchWatch(file, (s) => seen.push(s), 20);
    try {
      expect(watch.start()).toEqual(engaged);
      expect(seen).toEqual([engaged]); // synchronously, before start() returned
      expect(watch.current()).toEqual(engaged);

      // Another writer (another process in production): same reason and flatten, new time → no call.
      const other = new KillSwitchFile(dir);
      other.engage({ reason: 'left over from before the restart', flatten: false, by: 'cli', atMs: engaged.atMs + 1 });
      await until(() => watch.current()?.by === 'cli', 'the watch to re-read the rewritten file');
      expect(seen).toHaveLength(1);

      const flatten = other.engage({ reason: 'left over from before the restart', flatten: true, by: 'http' });
      await until(() => seen.length === 2, 'flatten to be delivered');
      expect(seen[1]).toEqual(flatten);

      other.clear();
      await until(() => seen.length === 3, 'the clear to be delivered');
      expect(seen[2]).toBeUndefined();
      expect(watch.current()).toBeUndefined();

      const again = other.engage({ reason: 'again', flatten: false, by: 'dashboard' });
      await until(() => seen.length === 4, 'the second engage to be delivered');
      expect(seen[3]).toEqual(again);
    } finally {
      watch.stop();
    }
    // Stopped: no timer is left to deliver anything.
    expect((watch as unknown as { timer: unknown }).timer).toBeUndefined();
    expect(seen).toHaveLength(4);
  });

  it('a clear switch at start calls nothing; a file that turns unreadable is delivered as engaged', async () => {
    const dir = freshDir();
    const file = new KillSwitchFile(dir);
    const seen: Array<KillSwitchState | undefined> = [];
    const watch = new KillSwitchWatch(file, (s) => seen.push(s), 20);
    try {
      expect(watch.start()).toBeUndefined();
      expect(watch.start()).toBeUndefined(); // idempotent
      expect(seen).toEqual([]);
      mkdirSync(dir, { recursive: true });
      writeFileSync(file.path, 'not json');
      await until(() => seen.length === 1, 'the unreadable file to be delivered');
      expect(seen[0]?.reason).toMatch(/^unreadable kill-switch file: invalid JSON/);
    } finally {
      watch.stop();
    }
  });

  it('redelivers when onChange throws, and its timer does not keep the process alive', async () => {
    const file = new KillSwitchFile(freshDir());
    let calls = 0;
    const errors: unknown[] = [];
    const watch = new KillSwitchWatch(file, () => {
      calls += 1;
      if (calls === 1) throw new Error('halt failed');
    }, 20, (e) => errors.push(e));
    try {
      watch.start();
      expect((watch as unknown as { timer: NodeJS.Timeout }).timer.hasRef()).toBe(false);
      file.engage({ reason: 'r', flatten: false, by: 'cli' });
      await until(() => calls === 2, 'the state to be delivered again after the failure');
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).toMatch(/halt failed/);
      expect(watch.poll()).toMatchObject({ reason: 'r' });
      expect(calls).toBe(2); // accepted: not delivered a third time
    } finally {
      watch.stop();
    }
  });

  it('rejects a non-positive interval', () => {
    expect(() => new KillSwitchWatch(new KillSwitchFile(freshDir()), () => undefined, 0)).toThrow(/intervalMs/);
  });
});
