/** The control token a host makes at start when none is set: fresh, readable by its owner only, never reused. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN_FILE, ensureActionToken } from '../../../src/main/host/control-token.js';
import { MIN_TOKEN_CHARS } from '../../../src/main/control-server.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ensureActionToken', () => {
  it('writes a fresh token to <data dir>/control-token, mode 0600, and a new one at every start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kalshi-actor-token-'));
    dirs.push(dir);
    const data = join(dir, 'data'); // created when missing
    const a = ensureActionToken(data);
    expect(a.path).toBe(join(data, CONTROL_TOKEN_FILE));
    expect(readFileSync(a.path, 'utf8')).toBe(`${a.token}\n`);
    expect(statSync(a.path).mode & 0o777).toBe(0o600);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token.length).toBeGreaterThanOrEqual(MIN_TOKEN_CHARS);
    writeFileSync(a.path, 'old', { mode: 0o644 });
    const b = ensureActionToken(data);
    expect(b.token).not.toBe(a.token);
    expect(statSync(b.path).mode & 0o777).toBe(0o600);
    expect(readdirSync(data)).toEqual([CONTROL_TOKEN_FILE]); // no temporary file left behind
  });

  it('a data dir that cannot be written throws (the host logs it and serves no actions)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kalshi-actor-token-'));
    dirs.push(dir);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect(() => ensureActionToken(file)).toThrow();
  });
});
