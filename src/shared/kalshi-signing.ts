/**
 * Kalshi request signing (kalshi-api.md §1.2, §1.3), shared by the host's REST/WebSocket client
 * and the simulator's tests.
 *
 * Every authenticated request carries three headers: KALSHI-ACCESS-KEY (the key id),
 * KALSHI-ACCESS-TIMESTAMP (Unix ms, decimal) and KALSHI-ACCESS-SIGNATURE = base64 of an RSA-PSS
 * signature (SHA-256, MGF1-SHA-256, salt = digest length = 32 bytes) over
 * `timestamp + METHOD + path`, where `path` is the URL pathname from the host root — it includes
 * `/trade-api/v2` (or `/trade-api/ws/v2` for the WebSocket handshake) and never the query string.
 * PSS is randomized: two signatures of the same message differ, so a verifier must verify, not
 * compare strings.
 *
 * Secrets hygiene: no error raised here ever contains key material (not even a prefix), and
 * `KalshiCredentials` keeps its private key in a `#private` field and redacts itself from
 * `util.inspect` / `console.log`, `JSON.stringify` and `String()`.
 *
 * Pre-signed signatures: since the message is only `timestamp + METHOD + path`, a request to a
 * fixed path can carry a signature made ahead of need (presigned-signatures.ts, filled by the
 * signer thread). `KalshiCredentials.withPresigned` gives credentials whose `headers` take one
 * from such a pool when it has a fresh one for that method and path, and sign inline otherwise.
 */
import { constants, createPrivateKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';

export const HEADER_KEY = 'KALSHI-ACCESS-KEY';
export const HEADER_TIMESTAMP = 'KALSHI-ACCESS-TIMESTAMP';
export const HEADER_SIGNATURE = 'KALSHI-ACCESS-SIGNATURE';

/** The path signed for the WebSocket upgrade request (method `GET`). */
export const WS_SIGNED_PATH = '/trade-api/ws/v2';

/**
 * Why a key could not be loaded.
 * - `ENOENT`: the key file does not exist.
 * - `ENOENV`: the environment variable is unset or empty.
 * - `EACCES`: the key file exists but may not be read.
 * - `EREAD`: any other failure reading the file (a directory, an I/O error…).
 * - `EBADKEY`: the text is not a PEM RSA key of the expected kind (or is passphrase-protected).
 * - `EARGS`: the caller did not name exactly one source.
 */
export type KeyErrorCode = 'ENOENT' | 'ENOENV' | 'EACCES' | 'EREAD' | 'EBADKEY' | 'EARGS';

/** A key could not be loaded. The message names the source (file path / env var), never the key. */
export class KeyError extends Error {
  override readonly name = 'KeyError';
  readonly code: KeyErrorCode;
  constructor(code: KeyErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface PrivateKeySource {
  /** The PEM text itself (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`). */
  pem?: string;
  /** A file holding the PEM. */
  path?: string;
  /** The name of an environment variable holding the PEM. */
  env?: string;
}

/**
 * Load an RSA private key from exactly one of: a PEM string, a file path, or the name of an
 * environment variable holding the PEM. An environment value written on one line with literal
 * `\n` escapes (as .env files and container settings often carry it) is accepted too.
 * Throws `KeyError`; its message never contains key material.
 */
export function loadPrivateKey(source: PrivateKeySource): KeyObject {
  const given = (['pem', 'path', 'env'] as const).filter((k) => source[k] !== undefined);
  if (given.length !== 1) {
    throw new KeyError('EARGS', `private key: give exactly one of pem, path or env (got ${given.length === 0 ? 'none' : given.join(', ')})`);
  }
  let text: string;
  let label: string;
  if (source.pem !== undefined) {
    label = 'private key (inline PEM)';
    text = source.pem;
  } else if (source.path !== undefined) {
    label = `private key file ${source.path}`;
    text = readKeyFile(source.path, label);
  } else {
    const name = source.env as string;
    label = `private key env ${name}`;
    const value = process.env[name];
    if (value === undefined || value.trim() === '') throw new KeyError('ENOENV', `${label}: environment variable is not set`);
    text = !value.includes('\n') && value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
  }
  return parsePrivatePem(text, label);
}

/** Read a key file, turning I/O failures into `KeyError` (message: the path and the reason only). */
export function readKeyFile(path: string, label: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyError('ENOENT', `${label}: no such file`);
    if (code === 'EACCES' || code === 'EPERM') throw new KeyError('EACCES', `${label}: permission denied`);
    if (code === 'EISDIR') throw new KeyError('EREAD', `${label}: is a directory`);
    throw new KeyError('EREAD', `${label}: cannot be read (${code ?? 'unknown error'})`);
  }
}

function parsePrivatePem(text: string, label: string): KeyObject {
  if (!text.includes('-----BEGIN')) throw new KeyError('EBADKEY', `${label}: not a PEM RSA private key`);
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new KeyError('EBADKEY', `${label}: passphrase-protected keys are not supported`);
  }
  let key: KeyObject;
  try {
    // Deliberately drop the underlying error: its message is generic OpenSSL text today, but
    // nothing guarantees it never echoes input, and `cause` would be printed with the error.
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new KeyError('EBADKEY', `${label}: not a PEM RSA private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new KeyError('EBADKEY', `${label}: not a PEM RSA private key (found ${key.asymmetricKeyType ?? 'unknown'} key)`);
  }
  return key;
}

/** `path` without `?query` / `#fragment`. */
function stripQuery(path: string): string {
  const q = path.search(/[?#]/);
  return q === -1 ? path : path.slice(0, q);
}

function timestampString(timestampMs: number | string): string {
  if (typeof timestampMs === 'number') {
    if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) throw new RangeError(`signRequest: timestamp must be a whole number of ms, got ${timestampMs}`);
    return String(timestampMs);
  }
  if (!/^\d+$/.test(timestampMs)) throw new RangeError(`signRequest: timestamp must be a decimal number of ms, got '${timestampMs}'`);
  return timestampMs;
}

/** The exact byte string Kalshi signs: `timestamp + METHOD + path` (path without the query). */
export function signedMessage(timestampMs: number | string, method: string, path: string): string {
  return timestampString(timestampMs) + method.toUpperCase() + stripQuery(path);
}

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } as const;

/**
 * Base64 RSA-PSS-SHA256 signature (MGF1-SHA256, 32-byte salt) of
 * `timestamp + METHOD + path`. `path` is the URL pathname including `/trade-api/v2`; a query
 * string, if present, is stripped.
 */
export function signRequest(privateKey: KeyObject, timestampMs: number | string, method: string, path: string): string {
  if (!path.startsWith('/')) throw new TypeError(`signRequest: path must be a pathname starting with '/', got '${path}'`);
  return sign('sha256', Buffer.from(signedMessage(timestampMs, method, path), 'utf8'), { key: privateKey, ...PSS }).toString('base64');
}

/** The pathname of a full URL or of a path (query and fragment dropped), as the official SDK signs it. */
export function signedPath(urlOrPath: string): string {
  return new URL(urlOrPath, 'http://h').pathname;
}

/**
 * The three authentication headers for one request. `urlOrPath` may be a full URL
 * (`https://…/trade-api/v2/portfolio/orders?limit=5`) or a path; only its pathname is signed.
 * For the WebSocket handshake use method `GET` and the ws URL (or `WS_SIGNED_PATH`).
 */
export function authHeaders(keyId: string, privateKey: KeyObject, method: string, urlOrPath: string, nowMs: number = Date.now()): Record<string, string> {
  const ts = String(Math.floor(nowMs));
  return {
    [HEADER_KEY]: keyId,
    [HEADER_TIMESTAMP]: ts,
    [HEADER_SIGNATURE]: signRequest(privateKey, ts, method, signedPath(urlOrPath)),
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Verify a Kalshi signature. Strict: salt length must be the digest length, the signature must
 * be canonical standard base64, and the timestamp a decimal string. Never throws — any garbage
 * (bad base64, wrong length, wrong key type) is simply `false`. `method` is upper-cased (uWebSockets.js
 * reports it lower-case) and a query string on `path` is ignored.
 */
export function verifySignature(publicKey: KeyObject, timestampMs: string, method: string, path: string, signatureB64: string): boolean {
  try {
    if (typeof signatureB64 !== 'string' || signatureB64.length === 0 || !BASE64.test(signatureB64)) return false;
    if (typeof timestampMs !== 'string' || !/^\d+$/.test(timestampMs)) return false;
    const message = Buffer.from(signedMessage(timestampMs, method, path), 'utf8');
    return verify('sha256', message, { key: publicKey, ...PSS }, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Where `KalshiCredentials.headers` may find a signature made ahead of need
 * (`PresignedSignatures` in presigned-signatures.ts): a fresh one for (method, signed path) —
 * its timestamp at most `maxAgeMs` before `nowMs` — handed out once, or undefined.
 */
export interface PresignedSource {
  take(method: string, path: string, nowMs: number, maxAgeMs: number): { timestampMs: number; signature: string } | undefined;
}

/**
 * A key id and its private key, safe to hold in objects that get logged: the key lives in a
 * `#private` field, and `util.inspect` (hence `console.log`), `JSON.stringify` and `String()`
 * show only `{ keyId, privateKey: '[redacted]' }`.
 */
export class KalshiCredentials {
  readonly keyId: string;
  readonly #privateKey: KeyObject;
  /** Pre-signed signatures to use when fresh (withPresigned); undefined: every request signed inline. */
  #presigned: PresignedSource | undefined;
  #presignMaxAgeMs = 0;

  constructor(keyId: string, privateKey: KeyObject) {
    if (typeof keyId !== 'string' || keyId.trim() === '') throw new TypeError('KalshiCredentials: keyId must be a non-empty string');
    if (privateKey.type !== 'private') throw new TypeError('KalshiCredentials: privateKey must be a private KeyObject');
    this.keyId = keyId;
    this.#privateKey = privateKey;
  }

  /** Load the private key from a PEM string, a file or an environment variable (see `loadPrivateKey`). */
  static load(keyId: string, source: PrivateKeySource): KalshiCredentials {
    return new KalshiCredentials(keyId, loadPrivateKey(source));
  }

  /** The private key (a `KeyObject`, which itself never prints its material). */
  get privateKey(): KeyObject {
    return this.#privateKey;
  }

  /**
   * The same key id and key, taking signatures from `pool` when it has a fresh one for the
   * request's method and signed path (its timestamp at most `maxAgeMs` old, ms), and signing
   * inline otherwise. The pool's timestamp is then the request's KALSHI-ACCESS-TIMESTAMP.
   * `this` is left as it is.
   */
  withPresigned(pool: PresignedSource, maxAgeMs: number): KalshiCredentials {
    if (!Number.isFinite(maxAgeMs) || maxAgeMs <= 0) throw new RangeError(`withPresigned: maxAgeMs must be a positive number of ms, got ${maxAgeMs}`);
    const c = new KalshiCredentials(this.keyId, this.#privateKey);
    c.#presigned = pool;
    c.#presignMaxAgeMs = maxAgeMs;
    return c;
  }

  /** Whether these credentials take pre-signed signatures (withPresigned). */
  get presigned(): boolean {
    return this.#presigned !== undefined;
  }

  /**
   * The three headers for one request: `authHeaders(this.keyId, this.privateKey, …)`, or, with a
   * pre-signed pool that has a fresh signature for (method, signed path), that signature and its
   * timestamp: no signing at all (~1 µs in a tight loop, ~40 µs p50 measured in the busy
   * threaded host, against ~300–500 µs for a 2048-bit signature).
   */
  headers(method: string, urlOrPath: string, nowMs: number = Date.now()): Record<string, string> {
    const pool = this.#presigned;
    if (pool !== undefined) {
      // A plain path (what the REST transport passes) is looked up as is: pool targets are
      // normalized pathnames, so one that matches is what `signedPath` would sign too.
      const path = urlOrPath.charCodeAt(0) === 0x2f && !/[?#]/.test(urlOrPath) ? urlOrPath : signedPath(urlOrPath);
      const hit = pool.take(method, path, nowMs, this.#presignMaxAgeMs);
      if (hit !== undefined) {
        return { [HEADER_KEY]: this.keyId, [HEADER_TIMESTAMP]: String(hit.timestampMs), [HEADER_SIGNATURE]: hit.signature };
      }
    }
    return authHeaders(this.keyId, this.#privateKey, method, urlOrPath, nowMs);
  }

  toJSON(): { keyId: string; privateKey: '[redacted]' } {
    return { keyId: this.keyId, privateKey: '[redacted]' };
  }

  toString(): string {
    return `KalshiCredentials { keyId: '${this.keyId}', privateKey: '[redacted]' }`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
