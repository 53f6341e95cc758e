/** `kalshi-actor run` failures: one clear line and a non-zero exit, never a stack trace or a key. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../../src/main/cli.js';
import { runCommand } from '../../src/main/run-command.js';
import { stampMetadata } from '../../src/shared/onnx/model-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'kalshi-actor-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const keyFile = join(dir, 'key.pem');
writeFileSync(keyFile, pem, { mode: 0o600 });

async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, env);
  COMMANDS.run = runCommand((l) => out.push(l), (l) => err.push(l));
  try {
    const code = await main(['run', ...argv], (l) => out.push(l), (l) => err.push(l));
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

function oneLine(r: { err: string[] }, pattern: RegExp): void {
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toMatch(pattern);
  expect(r.err[0]).not.toContain('\n');
  expect(r.err[0]).not.toContain('PRIVATE KEY');
  expect(r.err[0]).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
}

describe('kalshi-actor run', () => {
  it('a bad flag or value: usage, exit 2', async () => {
    let r = await run(['--bogus']);
    expect(r.code).toBe(2);
    oneLine(r, /^kalshi-actor run: .*bogus/);
    r = await run(['--throttle-ms', 'soon']);
    expect(r.code).toBe(2);
    oneLine(r, /^kalshi-actor run: --throttle-ms must be a whole number/);
  });

  it('production without the explicit flag, or without a key: exit 2', async () => {
    const r = await run([], { KALSHI_ACTOR_EXCHANGE: 'prod', KALSHI_API_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PATH: keyFile });
    expect(r.code).toBe(2);
    oneLine(r, /explicit --exchange prod/);
    const r2 = await run(['--exchange', 'prod']);
    expect(r2.code).toBe(2);
    oneLine(r2, /needs --key-id/);
  });

  it('a missing key file: one line naming the file, exit 1', async () => {
    const r = await run(['--exchange', 'demo', '--key-id', 'k', '--private-key', join(dir, 'missing.pem')]);
    expect(r.code).toBe(1);
    oneLine(r, /missing\.pem/);
  });

  it('an unreachable exchange: one line, exit 1', async () => {
    const r = await run(['--exchange', 'demo', '--key-id', 'k', '--private-key', keyFile, '--rest-url', 'http://127.0.0.1:9/trade-api/v2', '--ws-url', 'ws://127.0.0.1:9/trade-api/ws/v2', '--data-dir', join(dir, 'data')]);
    expect(r.code).toBe(1);
    oneLine(r, /^kalshi-actor run: exchange unreachable at http:\/\/127\.0\.0\.1:9\/trade-api\/v2/);
  });

  it('a model built for another feature table: one line naming both hashes, exit 1', async () => {
    const shipped = readFileSync(fileURLToPath(new URL('../../models/baseline-mlp.onnx', import.meta.url)));
    const other = join(dir, 'other.onnx');
    writeFileSync(other, stampMetadata(shipped, [{ key: 'feature_spec_hash', value: '0123456789abcdef' }]));
    const r = await run(['--policy', `onnx:${other}`]);
    expect(r.code).toBe(1);
    oneLine(r, /0123456789abcdef/);
    const r2 = await run(['--policy', `mlp:${join(dir, 'nope.onnx')}`]);
    expect(r2.code).toBe(1);
    oneLine(r2, /nope\.onnx/);
  });
});
