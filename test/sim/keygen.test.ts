import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS, helpText, main } from '../../src/main/cli.js';
import { authHeaders, loadPrivateKey, signRequest, verifySignature } from '../../src/shared/kalshi-signing.js';
import { headerGetter, KeyRegistry } from '../../src/sim/auth.js';
import { registerKeygenCommand } from '../../src/sim/keygen-command.js';
import { generateKeyPair, KeyFilesExistError, writeKeyFiles } from '../../src/sim/keygen.js';

const posix = process.platform !== 'win32';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sim-keygen-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function pemBody(pem: string) {
  return pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
}

describe('generateKeyPair', () => {
  it('makes an RSA-2048 PKCS#8/SPKI pair with a UUID key id that signs and verifies', () => {
    const pair = generateKeyPair();
    expect(pair.keyId).toMatch(UUID);
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    expect(pair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    const priv = createPrivateKey(pair.privateKeyPem);
    expect(priv.asymmetricKeyType).toBe('rsa');
    expect(priv.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const sig = signRequest(priv, '1700000000000', 'GET', '/trade-api/v2/portfolio/balance');
    expect(sig).toHaveLength(344);
    expect(verifySignature(createPublicKey(pair.publicKeyPem), '1700000000000', 'GET', '/trade-api/v2/portfolio/balance', sig)).toBe(true);
    expect(generateKeyPair().keyId).not.toBe(pair.keyId);
  });
});

describe('writeKeyFiles', () => {
  it('creates the directory and writes the three files, the private key with mode 0600', () => {
    const dir = join(root, 'a', 'nested');
    const pair = generateKeyPair();
    const paths = writeKeyFiles(dir, pair);
    expect(paths).toEqual({ keyId: pair.keyId, privateKeyPath: join(dir, 'private-key.pem'), publicKeyPath: join(dir, 'public-key.pem'), keyIdPath: join(dir, 'key-id') });
    expect(readdirSync(dir).sort()).toEqual(['key-id', 'private-key.pem', 'public-key.pem']);
    expect(readFileSync(paths.privateKeyPath, 'utf8')).toBe(pair.privateKeyPem);
    expect(readFileSync(paths.publicKeyPath, 'utf8')).toBe(pair.publicKeyPem);
    expect(readFileSync(paths.keyIdPath, 'utf8')).toBe(`${pair.keyId}\n`);
    if (posix) {
      expect(statSync(paths.privateKeyPath).mode & 0o777).toBe(0o600);
      expect(statSync(paths.publicKeyPath).mode & 0o077 & ~0o044).toBe(0); // no write/exec for others
    }
    // The files round-trip through the loaders: the host's private key, the simulator's registry.
    const registry = new KeyRegistry();
    expect(registry.registerKeyDir(dir)).toBe(pair.keyId);
    const key = loadPrivateKey({ path: paths.privateKeyPath });
    const now = 1_760_000_000_000;
    const h = authHeaders(pair.keyId, key, 'GET', '/trade-api/v2/portfolio/balance', now);
    expect(registry.authenticate(headerGetter(h), 'GET', '/trade-api/v2/portfolio/balance', now)).toEqual({ ok: true, keyId: pair.keyId });
  });

  it('refuses to overwrite any existing file without force, writing nothing', () => {
    const dir = join(root, 'refuse');
    const first = generateKeyPair();
    writeKeyFiles(dir, first);
    const second = generateKeyPair();
    let error: unknown;
    try {
      writeKeyFiles(dir, second);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyFilesExistError);
    expect((error as KeyFilesExistError).code).toBe('EEXIST');
    expect((error as KeyFilesExistError).paths).toHaveLength(3);
    expect((error as Error).message).not.toContain(pemBody(first.privateKeyPem).slice(0, 20));
    expect(readFileSync(join(dir, 'key-id'), 'utf8')).toBe(`${first.keyId}\n`);
    expect(readFileSync(join(dir, 'private-key.pem'), 'utf8')).toBe(first.privateKeyPem);

    // Only one of the three present is still a refusal, and the others are not written.
    const partial = join(root, 'partial');
    writeKeyFiles(partial, first);
    rmSync(join(partial, 'private-key.pem'));
    rmSync(join(partial, 'public-key.pem'));
    expect(() => writeKeyFiles(partial, second)).toThrow(KeyFilesExistError);
    expect(existsSync(join(partial, 'private-key.pem'))).toBe(false);
  });

  it('replaces existing files with force, restoring mode 0600 on the private key', () => {
    const dir = join(root, 'force');
    writeKeyFiles(dir, generateKeyPair());
    if (posix) chmodSync(join(dir, 'private-key.pem'), 0o644);
    const second = generateKeyPair();
    writeKeyFiles(dir, second, { force: true });
    expect(readFileSync(join(dir, 'private-key.pem'), 'utf8')).toBe(second.privateKeyPem);
    expect(readFileSync(join(dir, 'key-id'), 'utf8')).toBe(`${second.keyId}\n`);
    if (posix) expect(statSync(join(dir, 'private-key.pem')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['key-id', 'private-key.pem', 'public-key.pem']); // no temp files left
  });
});

describe('kalshi-actor keygen', () => {
  beforeAll(() => {
    registerKeygenCommand();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function run(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
    try {
      const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
      return { code, out: out.join('\n'), err: err.join('\n'), errLines: err };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  it('registers idempotently and appears in the help', () => {
    const first = COMMANDS.keygen;
    registerKeygenCommand();
    expect(COMMANDS.keygen).toBe(first);
    expect(helpText()).toContain('keygen');
    expect(first.usage).toContain('kalshi-actor keygen --out DIR [--force]');
  });

  it('writes the key files and prints the key id and paths, never the private key', async () => {
    const dir = join(root, 'cli');
    const r = await run(['keygen', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const keyId = readFileSync(join(dir, 'key-id'), 'utf8').trim();
    expect(keyId).toMatch(UUID);
    expect(r.out).toContain(keyId);
    expect(r.out).toContain(join(dir, 'private-key.pem'));
    expect(r.out).toContain(join(dir, 'public-key.pem'));
    const privatePem = readFileSync(join(dir, 'private-key.pem'), 'utf8');
    expect(r.out).not.toContain('BEGIN');
    const body = pemBody(privatePem);
    for (let i = 0; i + 32 <= body.length; i += 97) expect(r.out).not.toContain(body.slice(i, i + 32));
    if (posix) expect(statSync(join(dir, 'private-key.pem')).mode & 0o777).toBe(0o600);

    // A second run refuses (one line, exit 2); --force replaces.
    const again = await run(['keygen', '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.errLines).toHaveLength(1);
    expect(again.err).toMatch(/^kalshi-actor keygen: refusing to overwrite existing files .*--force/);
    expect(readFileSync(join(dir, 'key-id'), 'utf8').trim()).toBe(keyId);
    const forced = await run(['keygen', '--out', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'key-id'), 'utf8').trim()).not.toBe(keyId);
  });

  it('requires --out: one line, exit code 2', async () => {
    for (const argv of [['keygen'], ['keygen', '--force'], ['keygen', '--out', '']]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.errLines).toHaveLength(1);
      expect(r.err).toBe('kalshi-actor keygen: --out DIR is required (usage: kalshi-actor keygen --out DIR [--force])');
      expect(r.out).toBe('');
    }
    const bogus = await run(['keygen', '--out', join(root, 'x'), '--bits', '4096']);
    expect(bogus.code).toBe(2);
    expect(bogus.errLines).toHaveLength(1);
    expect(existsSync(join(root, 'x'))).toBe(false);
  });

  it('reports an --out that is not a directory in one line, exit code 2', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    for (const out of [file, join(file, 'sub')]) {
      const r = await run(['keygen', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`kalshi-actor keygen: --out ${out}: not a directory`);
    }
  });
});
