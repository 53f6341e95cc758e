/**
 * API keys for the simulator: an RSA-2048 key pair and a UUID key id, as Kalshi issues them
 * (kalshi-api.md §1.1), written to a directory the host (private key) and the simulator
 * (public key) both read.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface GeneratedKeyPair {
  /** A UUID, like Kalshi's key ids. */
  keyId: string;
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  privateKeyPem: string;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  publicKeyPem: string;
}

/** A fresh RSA-2048 key pair with a random UUID key id. */
export function generateKeyPair(): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { keyId: randomUUID(), privateKeyPem: privateKey, publicKeyPem: publicKey };
}

export const PRIVATE_KEY_FILE = 'private-key.pem';
export const PUBLIC_KEY_FILE = 'public-key.pem';
export const KEY_ID_FILE = 'key-id';

export interface KeyFilePaths {
  keyId: string;
  /** Absolute paths. */
  privateKeyPath: string;
  publicKeyPath: string;
  keyIdPath: string;
}

/** `writeKeyFiles` found files it would overwrite (and was not given `force`). Nothing was written. */
export class KeyFilesExistError extends Error {
  override readonly name = 'KeyFilesExistError';
  readonly code = 'EEXIST';
  constructor(readonly paths: string[]) {
    super(`refusing to overwrite existing ${paths.length === 1 ? 'file' : 'files'} ${paths.join(', ')}`);
  }
}

/**
 * Write `private-key.pem` (mode 0600), `public-key.pem` and `key-id` (the id and a newline) into
 * `dir`, creating it (mode 0700) if needed. Refuses — before writing anything — if any of the three
 * already exists, unless `force`; with `force` each file is replaced atomically (temp file +
 * rename), so an existing private key file never keeps looser permissions.
 */
export function writeKeyFiles(dir: string, pair: GeneratedKeyPair, options: { force?: boolean } = {}): KeyFilePaths {
  const root = resolve(dir);
  const paths: KeyFilePaths = {
    keyId: pair.keyId,
    privateKeyPath: join(root, PRIVATE_KEY_FILE),
    publicKeyPath: join(root, PUBLIC_KEY_FILE),
    keyIdPath: join(root, KEY_ID_FILE),
  };
  const files: Array<[path: string, data: string, mode: number]> = [
    [paths.privateKeyPath, pair.privateKeyPem, 0o600],
    [paths.publicKeyPath, pair.publicKeyPem, 0o644],
    [paths.keyIdPath, `${pair.keyId}\n`, 0o644],
  ];
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const force = options.force === true;
  if (!force) {
    const existing = files.map(([p]) => p).filter((p) => existsSync(p));
    if (existing.length > 0) throw new KeyFilesExistError(existing);
  }
  for (const [path, data, mode] of files) {
    if (force) {
      const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        writeFileSync(tmp, data, { mode, flag: 'wx' });
        if (mode === 0o600) chmodSync(tmp, mode); // exactly 0600, whatever the umask
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
    } else {
      // 'wx': fail rather than overwrite if a file appeared since the check above.
      writeFileSync(path, data, { mode, flag: 'wx' });
      if (mode === 0o600) chmodSync(path, mode);
    }
  }
  return paths;
}
