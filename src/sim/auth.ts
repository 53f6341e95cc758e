/**
 * The simulator's authentication: the same three headers and RSA-PSS signature check as Kalshi
 * (kalshi-api.md §1.2, §1.3), against a registry of public keys.
 *
 * Failures answer HTTP 401 with Kalshi's observed body shape
 * `{"error":{"code":"authentication_error","message":"authentication_error","details":"…"}}`.
 * Only the bad-signature `details` text is observed from the real exchange
 * (`rpc error: code = Unauthenticated desc = INCORRECT_API_KEY_SIGNATURE`); the others follow the
 * same pattern but are the simulator's own wording, chosen to tell the cases apart.
 *
 * Checks, in order: all three headers present → key id known → timestamp a decimal number →
 * timestamp within ±`timestampWindowMs` of the simulator's clock → signature valid.
 * Kalshi does not document its clock-skew allowance; 30 s either way is this simulator's default.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { HEADER_KEY, HEADER_SIGNATURE, HEADER_TIMESTAMP, KeyError, readKeyFile, verifySignature } from '../shared/kalshi-signing.js';

/**
 * Header lookup by name. `authenticate` always asks with the name in lower case
 * (`kalshi-access-key`, …) — uWebSockets.js lower-cases request header names and its
 * `req.getHeader(name)` only matches a lower-case `name` (and returns `''` when the header is
 * absent, which is treated as missing here). Other sources (plain objects in tests, fetch
 * `Headers`) can be wrapped with `headerGetter` for case-insensitive lookup.
 * With uWebSockets.js, read the headers synchronously inside the handler: the request object is
 * invalid after the handler returns or awaits.
 */
export type HeaderGetter = (name: string) => string | undefined;

/** Kalshi's 401 body. */
export interface AuthErrorBody {
  error: { code: 'authentication_error'; message: 'authentication_error'; details: string };
}

/** Why authentication failed (for the simulator's logs and tests; not sent to the client). */
export type AuthFailure = 'missing_headers' | 'unknown_key' | 'bad_timestamp' | 'timestamp_window' | 'bad_signature';

export type AuthResult = { ok: true; keyId: string } | { ok: false; status: 401; reason: AuthFailure; body: AuthErrorBody };

export const DETAILS_BAD_SIGNATURE = 'rpc error: code = Unauthenticated desc = INCORRECT_API_KEY_SIGNATURE';
export const DETAILS_UNKNOWN_KEY = 'rpc error: code = Unauthenticated desc = INCORRECT_API_KEY';

export const DEFAULT_TIMESTAMP_WINDOW_MS = 30_000;

/** A case-insensitive `HeaderGetter` over a plain header record (e.g. Node's `IncomingMessage.headers`). */
export function headerGetter(headers: Record<string, string | string[] | undefined> | { get(name: string): string | null }): HeaderGetter {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const h = headers as { get(name: string): string | null };
    return (name) => h.get(name) ?? undefined;
  }
  const lowered = new Map<string, string>();
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && !lowered.has(k.toLowerCase())) lowered.set(k.toLowerCase(), value);
  }
  return (name) => lowered.get(name.toLowerCase());
}

function fail(reason: AuthFailure, details: string): AuthResult {
  return { ok: false, status: 401, reason, body: { error: { code: 'authentication_error', message: 'authentication_error', details } } };
}

function toPublicKey(key: string | KeyObject, label: string): KeyObject {
  let pub: KeyObject;
  if (typeof key === 'string') {
    if (!key.includes('-----BEGIN')) throw new KeyError('EBADKEY', `${label}: not a PEM RSA public key`);
    try {
      // Accepts SPKI (`BEGIN PUBLIC KEY`), PKCS#1 (`BEGIN RSA PUBLIC KEY`), or a private key PEM
      // (its public half is taken). The underlying error is dropped on purpose (no key text).
      pub = createPublicKey({ key, format: 'pem' });
    } catch {
      throw new KeyError('EBADKEY', `${label}: not a PEM RSA public key`);
    }
  } else {
    pub = key.type === 'private' ? createPublicKey(key) : key;
    if (pub.type !== 'public') throw new KeyError('EBADKEY', `${label}: not an RSA public key (got a ${pub.type} key)`);
  }
  if (pub.asymmetricKeyType !== 'rsa') throw new KeyError('EBADKEY', `${label}: not an RSA public key (found ${pub.asymmetricKeyType ?? 'unknown'} key)`);
  return pub;
}

export interface KeyRegistryOptions {
  /** Largest accepted |now − KALSHI-ACCESS-TIMESTAMP|, in ms, past or future. Default 30 000. */
  timestampWindowMs?: number;
}

/** The simulator's API keys: key id → RSA public key, and the request authenticator over them. */
export class KeyRegistry {
  readonly timestampWindowMs: number;
  readonly #keys = new Map<string, KeyObject>();

  constructor(options: KeyRegistryOptions = {}) {
    const window = options.timestampWindowMs ?? DEFAULT_TIMESTAMP_WINDOW_MS;
    if (!Number.isFinite(window) || window < 0) throw new RangeError(`KeyRegistry: timestampWindowMs must be a non-negative number, got ${window}`);
    this.timestampWindowMs = window;
  }

  /**
   * Register (or replace) a key. `publicKey` is a PEM string (SPKI or PKCS#1) or a `KeyObject`;
   * a private key is accepted and reduced to its public half. A bad PEM throws `KeyError`.
   */
  register(keyId: string, publicKey: string | KeyObject): this {
    checkKeyId(keyId);
    this.#keys.set(keyId, toPublicKey(publicKey, `public key for ${keyId}`));
    return this;
  }

  /** Register a key from a public-key PEM file. */
  registerFile(keyId: string, publicKeyPath: string): this {
    checkKeyId(keyId);
    const label = `public key file ${publicKeyPath}`;
    this.#keys.set(keyId, toPublicKey(readKeyFile(publicKeyPath, label), label));
    return this;
  }

  /**
   * Register the key in a directory written by `kalshi-actor keygen` (`key-id` and
   * `public-key.pem`); returns its key id.
   */
  registerKeyDir(dir: string): string {
    const idPath = join(dir, 'key-id');
    const keyId = readKeyFile(idPath, `key id file ${idPath}`).trim();
    if (keyId === '' || /\s/.test(keyId)) throw new KeyError('EBADKEY', `key id file ${idPath}: not a key id`);
    this.registerFile(keyId, join(dir, 'public-key.pem'));
    return keyId;
  }

  unregister(keyId: string): boolean {
    return this.#keys.delete(keyId);
  }

  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  get size(): number {
    return this.#keys.size;
  }

  keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  /**
   * Authenticate one request (or WebSocket upgrade: method `GET`, path `/trade-api/ws/v2`).
   * `headers` is asked for lower-case names (see `HeaderGetter`); `method` may be any case;
   * `path` is the request path from the host root — a query string is ignored.
   */
  authenticate(headers: HeaderGetter, method: string, path: string, nowMs: number): AuthResult {
    const keyId = nonEmpty(headers(HEADER_KEY.toLowerCase()));
    const timestamp = nonEmpty(headers(HEADER_TIMESTAMP.toLowerCase()));
    const signature = nonEmpty(headers(HEADER_SIGNATURE.toLowerCase()));
    if (keyId === undefined || timestamp === undefined || signature === undefined) {
      const missing = [keyId === undefined && HEADER_KEY, timestamp === undefined && HEADER_TIMESTAMP, signature === undefined && HEADER_SIGNATURE].filter(Boolean);
      return fail('missing_headers', `missing authentication header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
    }
    const key = this.#keys.get(keyId);
    if (key === undefined) return fail('unknown_key', DETAILS_UNKNOWN_KEY);
    if (!/^\d+$/.test(timestamp)) return fail('bad_timestamp', `${HEADER_TIMESTAMP} is not a number of milliseconds`);
    const ts = Number(timestamp);
    const skew = ts - nowMs;
    if (Math.abs(skew) > this.timestampWindowMs) {
      const secondsHint = Math.abs(ts * 1000 - nowMs) <= this.timestampWindowMs + 1000 ? ' (it looks like seconds; Kalshi wants milliseconds)' : '';
      const where = skew < 0 ? `${-skew} ms in the past` : `${skew} ms in the future`;
      return fail('timestamp_window', `${HEADER_TIMESTAMP} outside the allowed window of ±${this.timestampWindowMs} ms: ${where}${secondsHint}`);
    }
    if (!verifySignature(key, timestamp, method, path, signature)) return fail('bad_signature', DETAILS_BAD_SIGNATURE);
    return { ok: true, keyId };
  }
}

function checkKeyId(keyId: string): void {
  if (typeof keyId !== 'string' || keyId === '' || /\s/.test(keyId)) throw new TypeError(`KeyRegistry: key id must be a non-empty string without spaces, got '${keyId}'`);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
