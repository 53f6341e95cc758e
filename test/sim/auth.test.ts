import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authHeaders, KeyError, signRequest } from '../../src/shared/kalshi-signing.js';
import { DETAILS_BAD_SIGNATURE, DETAILS_UNKNOWN_KEY, headerGetter, KeyRegistry, type AuthResult } from '../../src/sim/auth.js';

function rsa() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}
const alice = rsa();
const bob = rsa();
const mallory = rsa();

const NOW = 1_760_000_000_000;
const BALANCE = '/trade-api/v2/portfolio/balance';

function registry(windowMs?: number) {
  const r = new KeyRegistry(windowMs === undefined ? {} : { timestampWindowMs: windowMs });
  r.register('alice', alice.publicKey);
  r.register('bob', bob.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return r;
}

function signed(keyId: string, key: KeyObject, method: string, path: string, tsMs: number) {
  return headerGetter(authHeaders(keyId, key, method, path, tsMs));
}

function failure(r: AuthResult) {
  if (r.ok) throw new Error('expected a failure');
  expect(r.status).toBe(401);
  expect(r.body.error.code).toBe('authentication_error');
  expect(r.body.error.message).toBe('authentication_error');
  return r;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sim-auth-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('KeyRegistry.authenticate', () => {
  it('accepts a correctly signed request and names the key', () => {
    const r = registry();
    expect(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE, NOW)).toEqual({ ok: true, keyId: 'alice' });
    expect(r.authenticate(signed('bob', bob.privateKey, 'POST', '/trade-api/v2/portfolio/events/orders', NOW), 'post', '/trade-api/v2/portfolio/events/orders', NOW)).toEqual({ ok: true, keyId: 'bob' });
  });

  it('authenticates the WebSocket handshake path', () => {
    const r = registry();
    const h = signed('alice', alice.privateKey, 'GET', 'wss://external-api-ws.kalshi.com/trade-api/ws/v2', NOW);
    expect(r.authenticate(h, 'get', '/trade-api/ws/v2', NOW)).toEqual({ ok: true, keyId: 'alice' });
  });

  it('ignores the query string of the request path', () => {
    const r = registry();
    const h = signed('alice', alice.privateKey, 'GET', `https://external-api.kalshi.com/trade-api/v2/markets?limit=5&cursor=abc`, NOW);
    expect(r.authenticate(h, 'GET', '/trade-api/v2/markets?limit=5&cursor=abc', NOW).ok).toBe(true);
    expect(r.authenticate(h, 'GET', '/trade-api/v2/markets', NOW).ok).toBe(true);
  });

  it('looks headers up case-insensitively, asking the getter for lower-case names (uWebSockets.js)', () => {
    const r = registry();
    const h = authHeaders('alice', alice.privateKey, 'GET', BALANCE, NOW);
    const mixed = { 'kalshi-access-key': h['KALSHI-ACCESS-KEY'], 'Kalshi-Access-Timestamp': h['KALSHI-ACCESS-TIMESTAMP'], 'KALSHI-ACCESS-SIGNATURE': h['KALSHI-ACCESS-SIGNATURE'] };
    expect(r.authenticate(headerGetter(mixed), 'GET', BALANCE, NOW)).toEqual({ ok: true, keyId: 'alice' });
    // A uWebSockets.js-like getter: lower-case names only, '' for an absent header.
    const lower = new Map(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    const asked: string[] = [];
    const uws = (name: string) => {
      asked.push(name);
      return lower.get(name) ?? '';
    };
    expect(r.authenticate(uws, 'get', BALANCE, NOW)).toEqual({ ok: true, keyId: 'alice' });
    expect(asked.every((n) => n === n.toLowerCase())).toBe(true);
    // A fetch-style Headers object.
    expect(r.authenticate(headerGetter(new Headers(h)), 'GET', BALANCE, NOW).ok).toBe(true);
  });

  it('reports missing headers, naming them (an empty value counts as missing)', () => {
    const r = registry();
    const h = authHeaders('alice', alice.privateKey, 'GET', BALANCE, NOW);
    const none = failure(r.authenticate(() => undefined, 'GET', BALANCE, NOW));
    expect(none.reason).toBe('missing_headers');
    expect(none.body.error.details).toBe('missing authentication headers: KALSHI-ACCESS-KEY, KALSHI-ACCESS-TIMESTAMP, KALSHI-ACCESS-SIGNATURE');
    const noSig = failure(r.authenticate(headerGetter({ ...h, 'KALSHI-ACCESS-SIGNATURE': undefined }), 'GET', BALANCE, NOW));
    expect(noSig.body.error.details).toBe('missing authentication header: KALSHI-ACCESS-SIGNATURE');
    const emptyTs = failure(r.authenticate(headerGetter({ ...h, 'KALSHI-ACCESS-TIMESTAMP': '' }), 'GET', BALANCE, NOW));
    expect(emptyTs.body.error.details).toBe('missing authentication header: KALSHI-ACCESS-TIMESTAMP');
  });

  it('reports an unknown key id', () => {
    const r = registry();
    const res = failure(r.authenticate(signed('carol', mallory.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE, NOW));
    expect(res.reason).toBe('unknown_key');
    expect(res.body.error.details).toBe(DETAILS_UNKNOWN_KEY);
    expect(res.body.error.details).toContain('INCORRECT_API_KEY');
  });

  it('reports a bad signature with the body Kalshi was observed to send', () => {
    const r = registry();
    const cases: Array<[ReturnType<typeof headerGetter>, string, string]> = [
      [signed('alice', mallory.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE], // wrong key
      [signed('alice', bob.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE], // another registered key
      [signed('alice', alice.privateKey, 'GET', BALANCE, NOW), 'POST', BALANCE], // wrong method
      [signed('alice', alice.privateKey, 'GET', '/portfolio/balance', NOW), 'GET', BALANCE], // signed without /trade-api/v2
      [headerGetter({ 'KALSHI-ACCESS-KEY': 'alice', 'KALSHI-ACCESS-TIMESTAMP': String(NOW), 'KALSHI-ACCESS-SIGNATURE': 'garbage!!' }), 'GET', BALANCE],
    ];
    for (const [h, method, path] of cases) {
      const res = failure(r.authenticate(h, method, path, NOW));
      expect(res.reason).toBe('bad_signature');
      expect(res.body).toEqual({ error: { code: 'authentication_error', message: 'authentication_error', details: 'rpc error: code = Unauthenticated desc = INCORRECT_API_KEY_SIGNATURE' } });
      expect(JSON.stringify(res.body)).toBe(`{"error":{"code":"authentication_error","message":"authentication_error","details":"${DETAILS_BAD_SIGNATURE}"}}`);
    }
    // A signature over a different timestamp than the header carries.
    const sig = signRequest(alice.privateKey, NOW - 1, 'GET', BALANCE);
    const res = failure(r.authenticate(headerGetter({ 'KALSHI-ACCESS-KEY': 'alice', 'KALSHI-ACCESS-TIMESTAMP': String(NOW), 'KALSHI-ACCESS-SIGNATURE': sig }), 'GET', BALANCE, NOW));
    expect(res.reason).toBe('bad_signature');
  });

  it('reports a timestamp that is not a number', () => {
    const r = registry();
    const h = authHeaders('alice', alice.privateKey, 'GET', BALANCE, NOW);
    for (const ts of ['abc', '1.76e12', '-1760000000000', ' 1760000000000', '1760000000000.5']) {
      const res = failure(r.authenticate(headerGetter({ ...h, 'KALSHI-ACCESS-TIMESTAMP': ts }), 'GET', BALANCE, NOW));
      expect(res.reason).toBe('bad_timestamp');
      expect(res.body.error.details).toBe('KALSHI-ACCESS-TIMESTAMP is not a number of milliseconds');
    }
  });

  it('accepts timestamps up to the window edge, past and future, and rejects one ms beyond', () => {
    const r = registry();
    expect(r.timestampWindowMs).toBe(30_000);
    for (const skew of [-30_000, -29_999, 0, 29_999, 30_000]) {
      expect(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW + skew), 'GET', BALANCE, NOW)).toEqual({ ok: true, keyId: 'alice' });
    }
    const past = failure(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW - 30_001), 'GET', BALANCE, NOW));
    expect(past.reason).toBe('timestamp_window');
    expect(past.body.error.details).toBe('KALSHI-ACCESS-TIMESTAMP outside the allowed window of ±30000 ms: 30001 ms in the past');
    const future = failure(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW + 30_001), 'GET', BALANCE, NOW));
    expect(future.reason).toBe('timestamp_window');
    expect(future.body.error.details).toBe('KALSHI-ACCESS-TIMESTAMP outside the allowed window of ±30000 ms: 30001 ms in the future');
  });

  it('honours a configured window and hints at a seconds timestamp', () => {
    const r = registry(5_000);
    expect(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW - 5_000), 'GET', BALANCE, NOW).ok).toBe(true);
    expect(failure(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW - 5_001), 'GET', BALANCE, NOW)).reason).toBe('timestamp_window');
    expect(failure(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW + 5_001), 'GET', BALANCE, NOW)).reason).toBe('timestamp_window');
    const seconds = failure(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW / 1000), 'GET', BALANCE, NOW));
    expect(seconds.body.error.details).toContain('looks like seconds');
    expect(() => new KeyRegistry({ timestampWindowMs: -1 })).toThrow(RangeError);
  });

  it('checks the key id before the timestamp, and the timestamp before the signature', () => {
    const r = registry();
    const stale = authHeaders('alice', mallory.privateKey, 'GET', BALANCE, NOW - 60_000);
    expect(failure(r.authenticate(headerGetter(stale), 'GET', BALANCE, NOW)).reason).toBe('timestamp_window');
    expect(failure(r.authenticate(headerGetter({ ...stale, 'KALSHI-ACCESS-KEY': 'nobody' }), 'GET', BALANCE, NOW)).reason).toBe('unknown_key');
  });
});

describe('KeyRegistry keys', () => {
  it('holds several keys; register replaces, unregister removes', () => {
    const r = registry();
    expect(r.size).toBe(2);
    expect(r.keyIds().sort()).toEqual(['alice', 'bob']);
    r.register('carol', mallory.privateKey); // a private key is reduced to its public half
    expect(r.authenticate(signed('carol', mallory.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE, NOW)).toEqual({ ok: true, keyId: 'carol' });
    expect(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE, NOW)).toEqual({ ok: true, keyId: 'alice' });
    r.register('alice', mallory.publicKey); // rotate alice's key
    expect(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE, NOW).ok).toBe(false);
    expect(r.authenticate(signed('alice', mallory.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE, NOW).ok).toBe(true);
    expect(r.unregister('bob')).toBe(true);
    expect(r.has('bob')).toBe(false);
    expect(failure(r.authenticate(signed('bob', bob.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE, NOW)).reason).toBe('unknown_key');
  });

  it('loads public keys from files and from a keygen directory', () => {
    const pubFile = join(dir, 'alice.pub.pem');
    writeFileSync(pubFile, alice.publicKey.export({ type: 'spki', format: 'pem' }));
    const keyDir = join(dir, 'bob-key');
    rmSync(keyDir, { recursive: true, force: true });
    mkdirSync(keyDir);
    writeFileSync(join(keyDir, 'public-key.pem'), bob.publicKey.export({ type: 'pkcs1', format: 'pem' }));
    writeFileSync(join(keyDir, 'key-id'), 'bob-uuid\n');
    const r = new KeyRegistry();
    r.registerFile('alice', pubFile);
    expect(r.registerKeyDir(keyDir)).toBe('bob-uuid');
    expect(r.authenticate(signed('alice', alice.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE, NOW).ok).toBe(true);
    expect(r.authenticate(signed('bob-uuid', bob.privateKey, 'GET', BALANCE, NOW), 'GET', BALANCE, NOW).ok).toBe(true);
  });

  it('rejects bad PEMs, missing files and bad key ids with clear errors', () => {
    const r = new KeyRegistry();
    expect(() => r.register('x', 'not a pem')).toThrow(new KeyError('EBADKEY', 'public key for x: not a PEM RSA public key'));
    expect(() => r.register('x', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toThrow('public key for x: not a PEM RSA public key');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(() => r.register('x', ec)).toThrow('public key for x: not an RSA public key (found ec key)');
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, 'garbage');
    expect(() => r.registerFile('x', bad)).toThrow(`public key file ${bad}: not a PEM RSA public key`);
    let missing: unknown;
    try {
      r.registerFile('x', join(dir, 'missing.pem'));
    } catch (e) {
      missing = e;
    }
    expect(missing).toBeInstanceOf(KeyError);
    expect((missing as KeyError).code).toBe('ENOENT');
    expect(() => r.registerKeyDir(join(dir, 'no-such-dir'))).toThrow(/key id file .*no-such-dir.*key-id: no such file/);
    expect(() => r.register('', alice.publicKey)).toThrow(TypeError);
    expect(() => r.register('a b', alice.publicKey)).toThrow(TypeError);
    expect(r.size).toBe(0);
  });
});
