/**
 * `kalshi-actor sim` as a user runs it: a child process that prints its URLs and a `ready`
 * line, serves, and stops cleanly on SIGTERM; bad flags are one line and exit code 2.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeKey } from '../support/sim-client.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = ['--import', 'tsx', join(root, 'src/main/bin.ts')];
const key = makeKey('cli-key');
// Made at load time: the test table below names the file.
const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
const pubFile = join(dir, 'public-key.pem');
writeFileSync(pubFile, key.publicKeyPem);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kalshi-actor sim (child process)', () => {
  it('prints its URLs and ready, serves REST, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [...bin, 'sim', '--port', '0', '--markets', '5', '--rate', '100', '--key-id', key.keyId, '--public-key', pubFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await expect.poll(() => out, { timeout: 30_000 }).toContain('ready');
    const rest = /REST\s+(\S+)/.exec(out)![1];
    expect(out).toMatch(/WebSocket\s+ws:\/\/127\.0\.0\.1:\d+\/trade-api\/ws\/v2/);
    const status = await fetch(`${rest}/exchange/status`);
    expect(status.status).toBe(200);
    const markets = (await (await fetch(`${rest}/markets`)).json()) as { markets: unknown[] };
    expect(markets.markets).toHaveLength(5);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('simulator stopped');
    expect(err).toBe('');
  });

  it.each([
    [['sim', '--port', '0'], /at least one --key-id/],
    [['sim', '--rate', 'fast', '--key-id', 'k', '--public-key', pubFile], /--rate must be a whole number/],
    [['sim', '--bogus'], /bogus/],
  ])('%j → one line on stderr, exit code 2', (argv, message) => {
    const r = spawnSync(process.execPath, [...bin, ...argv], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
