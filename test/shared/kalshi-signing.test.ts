import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import {
  authHeaders,
  KalshiCredentials,
  KeyError,
  loadPrivateKey,
  signedMessage,
  signRequest,
  verifySignature,
  WS_SIGNED_PATH,
} from '../../src/shared/kalshi-signing.js';

const pair = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = createPrivateKey(pair.privateKey);
const publicKey = createPublicKey(pair.publicKey);
/** The base64 body of the private PEM, and a few distinctive slices of it. */
const pemBody = pair.privateKey.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
const pemSlices = [pemBody.slice(0, 24), pemBody.slice(200, 240), pemBody.slice(-40, -4)];

function expectNoKeyMaterial(text: string) {
  expect(text).not.toContain('BEGIN PRIVATE KEY');
  for (const slice of pemSlices) expect(text).not.toContain(slice);
}

const TS = '1703123456789';
const BALANCE = '/trade-api/v2/portfolio/balance';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kalshi-signing-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('signRequest / verifySignature', () => {
  it('signs exactly timestamp + METHOD + path with RSA-PSS SHA-256, salt = digest length', () => {
    const sig = signRequest(privateKey, TS, 'get', BALANCE);
    const ok = verify('sha256', Buffer.from(`${TS}GET${BALANCE}`), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(sig, 'base64'));
    expect(ok).toBe(true);
    expect(signedMessage(Number(TS), 'get', `${BALANCE}?x=1`)).toBe(`${TS}GET${BALANCE}`);
  });

  it('gives a 344-character standard base64 signature for a 2048-bit key, randomized per call', () => {
    const a = signRequest(privateKey, TS, 'GET', BALANCE);
    const b = signRequest(privateKey, Number(TS), 'GET', BALANCE);
    expect(a).toHaveLength(344);
    expect(a).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(a).not.toBe(b); // PSS salt is random
    expect(verifySignature(publicKey, TS, 'GET', BALANCE, a)).toBe(true);
    expect(verifySignature(publicKey, TS, 'GET', BALANCE, b)).toBe(true);
  });

  it('strips a query string from the signed path (signer and verifier)', () => {
    const sig = signRequest(privateKey, TS, 'GET', '/trade-api/v2/portfolio/orders?limit=5&status=resting');
    expect(verifySignature(publicKey, TS, 'GET', '/trade-api/v2/portfolio/orders', sig)).toBe(true);
    expect(verifySignature(publicKey, TS, 'GET', '/trade-api/v2/portfolio/orders?limit=999', sig)).toBe(true);
    const direct = verify('sha256', Buffer.from(`${TS}GET/trade-api/v2/portfolio/orders`), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(sig, 'base64'));
    expect(direct).toBe(true);
  });

  it('rejects a wrong key, path, method or timestamp', () => {
    const sig = signRequest(privateKey, TS, 'POST', '/trade-api/v2/portfolio/events/orders');
    expect(verifySignature(publicKey, TS, 'POST', '/trade-api/v2/portfolio/events/orders', sig)).toBe(true);
    expect(verifySignature(publicKey, TS, 'post', '/trade-api/v2/portfolio/events/orders', sig)).toBe(true); // uWS lower-cases methods
    expect(verifySignature(other.publicKey, TS, 'POST', '/trade-api/v2/portfolio/events/orders', sig)).toBe(false);
    expect(verifySignature(publicKey, TS, 'POST', '/trade-api/v2/portfolio/orders', sig)).toBe(false);
    expect(verifySignature(publicKey, TS, 'POST', '/portfolio/events/orders', sig)).toBe(false);
    expect(verifySignature(publicKey, TS, 'DELETE', '/trade-api/v2/portfolio/events/orders', sig)).toBe(false);
    expect(verifySignature(publicKey, '1703123456790', 'POST', '/trade-api/v2/portfolio/events/orders', sig)).toBe(false);
  });

  it('returns false, never throws, on garbage', () => {
    const good = signRequest(privateKey, TS, 'GET', BALANCE);
    for (const garbage of ['', 'not base64!!', '%%%%', 'AAAA', good.slice(0, -4), `${good}AAAA`, good.replace(/=+$/, ''), `${good} `, 'ab=c']) {
      expect(verifySignature(publicKey, TS, 'GET', BALANCE, garbage)).toBe(false);
    }
    expect(verifySignature(publicKey, 'abc', 'GET', BALANCE, good)).toBe(false);
    expect(verifySignature(publicKey, '', 'GET', BALANCE, good)).toBe(false);
    expect(verifySignature(publicKey, TS, 'GET', BALANCE, undefined as unknown as string)).toBe(false);
    expect(verifySignature(undefined as unknown as KeyObject, TS, 'GET', BALANCE, good)).toBe(false);
  });

  it('refuses a malformed timestamp or a path that is not a pathname when signing', () => {
    expect(() => signRequest(privateKey, 1.5, 'GET', BALANCE)).toThrow(RangeError);
    expect(() => signRequest(privateKey, '12a', 'GET', BALANCE)).toThrow(RangeError);
    expect(() => signRequest(privateKey, TS, 'GET', 'trade-api/v2/portfolio/balance')).toThrow(TypeError);
  });
});

describe('authHeaders', () => {
  it('builds the three headers from a full URL or a path, signing the pathname only', () => {
    const now = 1_760_000_000_123;
    for (const url of [
      `https://external-api.kalshi.com${BALANCE}?foo=bar`,
      `https://demo-api.kalshi.co${BALANCE}`,
      BALANCE,
      `${BALANCE}?a=1#frag`,
    ]) {
      const h = authHeaders('key-1', privateKey, 'get', url, now);
      expect(Object.keys(h).sort()).toEqual(['KALSHI-ACCESS-KEY', 'KALSHI-ACCESS-SIGNATURE', 'KALSHI-ACCESS-TIMESTAMP']);
      expect(h['KALSHI-ACCESS-KEY']).toBe('key-1');
      expect(h['KALSHI-ACCESS-TIMESTAMP']).toBe(String(now));
      expect(verifySignature(publicKey, String(now), 'GET', BALANCE, h['KALSHI-ACCESS-SIGNATURE'])).toBe(true);
    }
  });

  it('signs the WebSocket handshake path and defaults the timestamp to now', () => {
    const before = Date.now();
    const h = authHeaders('key-1', privateKey, 'GET', 'wss://external-api-ws.kalshi.com/trade-api/ws/v2');
    const ts = Number(h['KALSHI-ACCESS-TIMESTAMP']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Date.now());
    expect(verifySignature(publicKey, h['KALSHI-ACCESS-TIMESTAMP'], 'GET', WS_SIGNED_PATH, h['KALSHI-ACCESS-SIGNATURE'])).toBe(true);
  });
});

describe('loadPrivateKey', () => {
  it('loads from a PEM string, a file and an environment variable', () => {
    const file = join(dir, 'ok.pem');
    writeFileSync(file, pair.privateKey, { mode: 0o600 });
    const name = 'KALSHI_ACTOR_TEST_PRIVATE_KEY';
    process.env[name] = pair.privateKey;
    try {
      for (const key of [loadPrivateKey({ pem: pair.privateKey }), loadPrivateKey({ path: file }), loadPrivateKey({ env: name })]) {
        expect(key.type).toBe('private');
        expect(key.asymmetricKeyType).toBe('rsa');
        expect(verifySignature(publicKey, TS, 'GET', BALANCE, signRequest(key, TS, 'GET', BALANCE))).toBe(true);
      }
      // One-line env value with literal \n escapes, as .env files carry it.
      process.env[name] = pair.privateKey.replace(/\n/g, '\\n');
      expect(verifySignature(publicKey, TS, 'GET', BALANCE, signRequest(loadPrivateKey({ env: name }), TS, 'GET', BALANCE))).toBe(true);
      // PKCS#1 (`BEGIN RSA PRIVATE KEY`, as Kalshi's download) works too.
      const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      expect(loadPrivateKey({ pem: pkcs1 }).asymmetricKeyType).toBe('rsa');
    } finally {
      delete process.env[name];
    }
  });

  function keyError(fn: () => unknown): KeyError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(KeyError);
      return e as KeyError;
    }
    throw new Error('expected a KeyError');
  }

  it('reports a missing file as a KeyError with code ENOENT', () => {
    const e = keyError(() => loadPrivateKey({ path: join(dir, 'nope.pem') }));
    expect(e.code).toBe('ENOENT');
    expect(e.message).toBe(`private key file ${join(dir, 'nope.pem')}: no such file`);
  });

  it('reports an unset environment variable, a directory and a bad argument', () => {
    expect(keyError(() => loadPrivateKey({ env: 'KALSHI_ACTOR_TEST_UNSET_VAR' })).code).toBe('ENOENV');
    const sub = join(dir, 'a-dir');
    mkdirSync(sub, { recursive: true });
    expect(keyError(() => loadPrivateKey({ path: sub })).code).toBe('EREAD');
    expect(keyError(() => loadPrivateKey({})).code).toBe('EARGS');
    expect(keyError(() => loadPrivateKey({ pem: pair.privateKey, path: 'x' })).code).toBe('EARGS');
  });

  it('rejects bad PEMs with a clear message that contains no key material', () => {
    const file = join(dir, 'bad.pem');
    // A truncated private key: real key text, so any echo of the input would show up.
    const truncated = pair.privateKey.slice(0, 900);
    writeFileSync(file, truncated);
    const e1 = keyError(() => loadPrivateKey({ path: file }));
    expect(e1.code).toBe('EBADKEY');
    expect(e1.message).toBe(`private key file ${file}: not a PEM RSA private key`);

    const lines = pair.privateKey.split('\n');
    const corrupted = [lines[0], 'A'.repeat(64), ...lines.slice(2)].join('\n'); // DER header destroyed, the rest real key text
    const e2 = keyError(() => loadPrivateKey({ pem: corrupted }));
    expect(e2.message).toBe('private key (inline PEM): not a PEM RSA private key');

    const e3 = keyError(() => loadPrivateKey({ pem: pemBody })); // no PEM armour
    expect(e3.message).toBe('private key (inline PEM): not a PEM RSA private key');

    const e4 = keyError(() => loadPrivateKey({ pem: pair.publicKey })); // a public key
    expect(e4.code).toBe('EBADKEY');

    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const e5 = keyError(() => loadPrivateKey({ pem: ec }));
    expect(e5.message).toBe('private key (inline PEM): not a PEM RSA private key (found ec key)');

    const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    const e6 = keyError(() => loadPrivateKey({ pem: encrypted }));
    expect(e6.message).toBe('private key (inline PEM): passphrase-protected keys are not supported');

    for (const e of [e1, e2, e3, e4, e5, e6]) {
      expectNoKeyMaterial(e.message);
      expectNoKeyMaterial(inspect(e, { showHidden: true, depth: 10 }));
      expectNoKeyMaterial(String(e.stack));
      expect(e.cause).toBeUndefined();
    }
  });
});

describe('KalshiCredentials', () => {
  it('never prints the private key through inspect, console formatting, JSON or String', () => {
    const creds = KalshiCredentials.load('11111111-2222-3333-4444-555555555555', { pem: pair.privateKey });
    const holder = { name: 'client', creds, nested: { list: [creds] } };
    const outputs = [
      inspect(creds),
      inspect(holder, { depth: 10 }),
      inspect(holder, { depth: 10, showHidden: true }),
      inspect(holder, { depth: 10, customInspect: false, showHidden: true, getters: true }),
      format('%o %O %s %j', creds, holder, creds, holder),
      JSON.stringify(creds),
      JSON.stringify(holder),
      String(creds),
      `${creds}`,
      JSON.stringify({ ...creds }),
      inspect(structuredClone(holder.nested), { depth: 10 }),
    ];
    for (const text of outputs) expectNoKeyMaterial(text);
    expect(JSON.parse(JSON.stringify(creds))).toEqual({ keyId: '11111111-2222-3333-4444-555555555555', privateKey: '[redacted]' });
    expect(inspect(creds)).toContain('[redacted]');
    expect(String(creds)).toContain('11111111-2222-3333-4444-555555555555');
  });

  it('signs through headers() with its key', () => {
    const creds = new KalshiCredentials('kid', privateKey);
    const h = creds.headers('GET', `https://external-api.kalshi.com${BALANCE}?x=1`, 42);
    expect(h['KALSHI-ACCESS-KEY']).toBe('kid');
    expect(verifySignature(publicKey, '42', 'GET', BALANCE, h['KALSHI-ACCESS-SIGNATURE'])).toBe(true);
    expect(creds.privateKey).toBe(privateKey);
    expect(() => new KalshiCredentials('kid', publicKey)).toThrow(TypeError);
    expect(() => new KalshiCredentials('', privateKey)).toThrow(TypeError);
  });
});
