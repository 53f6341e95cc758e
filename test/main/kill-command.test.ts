/**
 * `kalshi-actor kill`: engage, clear and status through the CLI's `main` (exit codes, one line
 * each, usage errors), and once as a user runs it — a child process — reaching a watch in this
 * process, the way it reaches a running host.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, helpText, main } from '../../src/main/cli.js';
import { killCommand, killDataDir, registerKillCommand } from '../../src/main/kill-command.js';
import { KillSwitchFile, KillSwitchWatch, type KillSwitchState } from '../../src/supervisor/kill-switch.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsxLoader = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
const root = mkdtempSync(join(tmpdir(), 'kalshi-actor-kill-cmd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${n++}`);

async function kill(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  COMMANDS.kill = killCommand((l) => out.push(l), (l) => err.push(l), env);
  const code = await main(['kill', ...argv], (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kalshi-actor kill', () => {
  it('engages (one line naming reason, file and how to clear), shows status, clears', async () => {
    const dir = freshDir();
    const file = new KillSwitchFile(dir);
    let r = await kill(['--status', '--data-dir', dir]);
    expect(r).toEqual({ code: 0, out: [`kill switch clear (no ${file.path})`], err: [] });

    r = await kill(['--reason', 'spread blew out\non every market', '--flatten', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toContain('kill switch ENGAGED (reason: "spread blew out on every market", flatten yes)');
    expect(r.out[0]).toContain(file.path);
    expect(r.out[0]).toMatch(/halts within a second and stays halted across restarts until `kalshi-actor kill --clear`/);
    expect(file.read()).toMatchObject({ engaged: true, reason: 'spread blew out on every market', flatten: true, by: 'cli' });

    r = await kill(['--status', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/^kill switch ENGAGED: engaged by cli at \d{4}-\d\d-\d\dT.*Z, flatten yes, reason: "spread blew out on every market" \(/);

    r = await kill(['--clear', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/^kill switch cleared \(.*kill-switch\.json\); it was engaged by cli at /);
    expect(file.read()).toBeUndefined();

    r = await kill(['--clear', '--data-dir', dir]);
    expect(r).toEqual({ code: 0, out: [`kill switch was not engaged (no ${file.path}); nothing to clear`], err: [] });
  });

  it('without --reason uses a default reason and does not flatten', async () => {
    const dir = freshDir();
    const r = await kill(['--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(new KillSwitchFile(dir).read()).toMatchObject({ reason: 'engaged from the command line', flatten: false, by: 'cli' });
  });

  it('finds the data dir like the host: --data-dir, then KALSHI_ACTOR_DATA_DIR, then ./data', async () => {
    expect(killDataDir('/x', { KALSHI_ACTOR_DATA_DIR: '/y' })).toBe('/x');
    expect(killDataDir(undefined, { KALSHI_ACTOR_DATA_DIR: '/y' })).toBe('/y');
    expect(killDataDir(undefined, { KALSHI_ACTOR_DATA_DIR: '' })).toBe('./data');
    expect(killDataDir(undefined, {})).toBe('./data');
    const dir = freshDir();
    const r = await kill(['--reason', 'from env'], { KALSHI_ACTOR_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.out[0]).toContain(join(dir, 'kill-switch.json'));
    expect(new KillSwitchFile(dir).read()?.reason).toBe('from env');
    expect(resolve('data')).not.toBe(dir); // never the checkout's ./data
  });

  it.each([
    [['--clear', '--status'], /--clear and --status cannot be combined/],
    [['--clear', '--reason', 'x'], /--reason and --flatten go with engaging, not with --clear/],
    [['--status', '--flatten'], /not with --status/],
    [['--reason', '  '], /--reason must not be empty/],
    [['--reason'], /reason/],
    [['--data-dir', ''], /--data-dir must not be empty/],
    [['--bogus'], /bogus/],
    [['stray'], /stray|positional/i],
  ])('%j → one line, exit 2, nothing written', async (argv, message) => {
    const dir = freshDir();
    const r = await kill([...argv, ...(argv.includes('--data-dir') ? [] : ['--data-dir', dir])]);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^kalshi-actor kill: /);
    expect(r.err[0]).toMatch(message);
    expect(r.out).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it('a data dir that cannot be written: one line, exit 1', async () => {
    const notADir = join(root, `file-${n++}`);
    writeFileSync(notADir, 'a file where the data dir should be'); // fails for root too (unlike a chmod)
    const r = await kill(['--data-dir', join(notADir, 'data')]);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^kalshi-actor kill: cannot engage the kill switch at .*kill-switch\.json: .*ENOTDIR/);
    const c = await kill(['--clear', '--data-dir', join(notADir, 'data')]);
    expect(c.code).toBe(1);
    expect(c.err[0]).toMatch(/^kalshi-actor kill: cannot clear the kill switch at /);
  });

  it('is registered with the CLI', () => {
    delete COMMANDS.kill;
    registerKillCommand();
    expect(COMMANDS.kill).toBeDefined();
    expect(helpText()).toMatch(/\bkill\b.*kill switch/);
  });

  it('from another process, reaches a running watch and persists until cleared', async () => {
    const dir = freshDir();
    const seen: Array<KillSwitchState | undefined> = [];
    const watch = new KillSwitchWatch(new KillSwitchFile(dir), (s) => seen.push(s)); // the host's default interval
    watch.start();
    try {
      const cli = (...argv: string[]) => new Promise<{ code: number | null; out: string; err: string }>((done) => {
        // cwd outside the checkout (a wrong default would land there, not in ./data); tsx by its path.
        const child = spawn(process.execPath, ['--import', tsxLoader, join(repo, 'src/main/bin.ts'), 'kill', ...argv], {
          cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KALSHI_ACTOR_DATA_DIR: dir },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) => done({ code, out, err }));
      });
      const engaged = await cli('--reason', 'operator says stop', '--flatten');
      expect(engaged.err).toBe('');
      expect(engaged.code).toBe(0);
      expect(engaged.out.trim().split('\n')).toHaveLength(1);
      await until(() => seen.length === 1, 'the watch to see the engage');
      expect(seen[0]).toMatchObject({ engaged: true, reason: 'operator says stop', flatten: true, by: 'cli' });

      // A "restart": a fresh watch starts engaged.
      const restarted = new KillSwitchWatch(new KillSwitchFile(dir), () => undefined);
      expect(restarted.start()).toMatchObject({ reason: 'operator says stop' });
      restarted.stop();

      const cleared = await cli('--clear');
      expect(cleared.code).toBe(0);
      expect(cleared.out).toMatch(/^kill switch cleared/);
      await until(() => seen.length === 2, 'the watch to see the clear');
      expect(seen[1]).toBeUndefined();
    } finally {
      watch.stop();
    }
  });
});
