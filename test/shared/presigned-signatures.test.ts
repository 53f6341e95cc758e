/**
 * PresignedSignatures: signatures made ahead of need for fixed request targets, handed out
 * once each, fresh only; and KalshiCredentials taking from such a pool.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { format, inspect } from 'node:util';
import { HEADER_KEY, HEADER_SIGNATURE, HEADER_TIMESTAMP, KalshiCredentials, signRequest, verifySignature } from '../../src/shared/kalshi-signing.js';
import { presignedOrderTargets } from '../../src/shared/kalshi/rest/client.js';
import {
  FUTURE_SLACK_MS, MAX_SIGNATURE_CHARS, PresignedSignatures, SlotState, type SignFunction,
} from '../../src/shared/presigned-signatures.js';
import { siblingModule, spawnWorker, workerExit } from '../../src/shared/worker-spawn.js';
import { startSigner, type SignerHandle } from '../../src/workers/signer/signer-protocol.js';
import type { PresignConsumerData, PresignConsumerReport } from './workers/presign-consumer-worker.js';

const pair = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const key: KeyObject = createPrivateKey(pair.privateKey);
const publicKey = createPublicKey(pair.publicKey);
const pemBody = pair.privateKey.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

const BASE = 'http://127.0.0.1:9/trade-api/v2';
const TARGETS = presignedOrderTargets(BASE);
const CREATE = '/trade-api/v2/portfolio/events/orders';
const BATCH = '/trade-api/v2/portfolio/events/orders/batched';
const T0 = 1_760_000_000_123; // beyond 2^32 ms: the timestamp must survive its two words exactly

/** Signs for real and remembers what it was asked. */
function recordingSigner(): { sign: SignFunction; calls: Array<{ ts: number; method: string; path: string }> } {
  const calls: Array<{ ts: number; method: string; path: string }> = [];
  return { calls, sign: (ts, method, path) => (calls.push({ ts, method, path }), signRequest(key, ts, method, path)) };
}

const verifies = (h: { timestampMs: number; signature: string }, path = CREATE, method = 'POST') =>
  verifySignature(publicKey, String(h.timestampMs), method, path, h.signature);

/** Take every fresh signature of `path` at `now`. */
function drain(pool: PresignedSignatures, path: string, now: number, maxAgeMs: number) {
  const out: Array<{ timestampMs: number; signature: string }> = [];
  for (;;) {
    const h = pool.take('POST', path, now, maxAgeMs);
    if (h === undefined) return out;
    out.push(h);
  }
}

describe('presignedOrderTargets', () => {
  it('signs the base URL’s path prefix with the order-entry paths', () => {
    expect(presignedOrderTargets('https://external-api.kalshi.com/trade-api/v2')).toEqual([
      { method: 'POST', path: '/trade-api/v2/portfolio/events/orders' },
      { method: 'POST', path: '/trade-api/v2/portfolio/events/orders/batched' },
    ]);
    expect(presignedOrderTargets('http://127.0.0.1:4000/x/trade-api/v2/')[0].path).toBe('/x/trade-api/v2/portfolio/events/orders');
  });
});

describe('PresignedSignatures', () => {
  it('hands out a signature that verifies for the timestamp it came with, exactly once', () => {
    const pool = PresignedSignatures.create({ slots: 4, targets: TARGETS });
    const { sign, calls } = recordingSigner();
    expect(pool.fill(sign, T0, 1_000)).toEqual({ signed: 4, refreshed: 0 });
    expect(calls).toHaveLength(4);
    // No demand yet: the slots are shared between the two targets.
    expect(calls.filter((c) => c.path === CREATE)).toHaveLength(2);
    expect(calls.filter((c) => c.path === BATCH)).toHaveLength(2);

    const h = pool.take('POST', CREATE, T0 + 100, 1_000)!;
    expect(h.timestampMs).toBe(T0);
    expect(verifies(h)).toBe(true);
    expect(verifies(h, BATCH)).toBe(false);
    expect(verifySignature(publicKey, String(T0 + 1), 'POST', CREATE, h.signature)).toBe(false);

    const rest = drain(pool, CREATE, T0 + 100, 1_000);
    expect(rest).toHaveLength(1); // two slots of this target, two takes; then nothing
    const all = [h, ...rest];
    expect(new Set(all.map((x) => x.signature)).size).toBe(2);
    for (const x of all) expect(verifies(x)).toBe(true);
    expect(pool.stats()).toMatchObject({ hits: 2, misses: 1, signed: 4, refreshed: 0, ready: 2 });
    // The batched target still has its own.
    expect(verifies(pool.take('post', BATCH, T0 + 100, 1_000)!, BATCH)).toBe(true);
  });

  it('returns undefined for a target it does not pre-sign, and counts nothing', () => {
    const pool = PresignedSignatures.create({ slots: 2, targets: TARGETS });
    pool.fill(recordingSigner().sign, T0, 1_000);
    expect(pool.take('GET', CREATE, T0, 1_000)).toBeUndefined();
    expect(pool.take('POST', '/trade-api/v2/portfolio/events/orders/abc/amend', T0, 1_000)).toBeUndefined();
    expect(pool.take('POST', '/portfolio/events/orders', T0, 1_000)).toBeUndefined(); // without the base path
    expect(pool.stats()).toMatchObject({ hits: 0, misses: 0, ready: 2 });
  });

  it('never hands out a stale signature, nor one from the future', () => {
    const pool = PresignedSignatures.create({ slots: 2, targets: [TARGETS[0]] });
    pool.fill(recordingSigner().sign, T0, 1_000);
    expect(pool.take('POST', CREATE, T0 + 1_001, 1_000)).toBeUndefined();
    expect(pool.take('POST', CREATE, T0 - FUTURE_SLACK_MS - 1, 1_000)).toBeUndefined();
    expect(pool.take('POST', CREATE, T0 + 500, 400)).toBeUndefined(); // the caller's own max age
    expect(pool.stats()).toMatchObject({ hits: 0, misses: 3, ready: 2 });
    expect(pool.take('POST', CREATE, T0 + 1_000, 1_000)?.timestampMs).toBe(T0); // exactly max age: still fresh
    expect(pool.take('POST', CREATE, T0 - FUTURE_SLACK_MS, 1_000)?.timestampMs).toBe(T0);
  });

  it('prefers the freshest', () => {
    const pool = PresignedSignatures.create({ slots: 3, targets: [TARGETS[0]] });
    let t = T0;
    pool.fill(recordingSigner().sign, () => (t += 100), 1_000);
    expect(drain(pool, CREATE, T0 + 350, 1_000).map((h) => h.timestampMs - T0)).toEqual([300, 200, 100]);
  });

  it('re-signs READY slots once older than half the max age, and fills what was taken', () => {
    const pool = PresignedSignatures.create({ slots: 4, targets: [TARGETS[0]] });
    const { sign, calls } = recordingSigner();
    pool.fill(sign, T0, 1_000);
    expect(pool.fill(sign, T0 + 500, 1_000)).toEqual({ signed: 0, refreshed: 0 }); // half: not yet
    pool.take('POST', CREATE, T0 + 500, 1_000);
    expect(pool.fill(sign, T0 + 501, 1_000)).toEqual({ signed: 1, refreshed: 3 });
    expect(calls.slice(4).map((c) => c.ts - T0)).toEqual([501, 501, 501, 501]);
    expect(pool.stats()).toMatchObject({ signed: 8, refreshed: 3, hits: 1, ready: 4 });
    expect(pool.freshCount(T0 + 1_501, 1_000)).toBe(4);
    // The clock went back: a timestamp ahead of it is re-signed too.
    expect(pool.fill(sign, T0 + 400, 1_000)).toEqual({ signed: 0, refreshed: 4 });
  });

  it('re-signs at most maxRefreshes stale slots a call, the oldest first (pacing)', () => {
    const pool = PresignedSignatures.create({ slots: 4, targets: [TARGETS[0]] });
    const { sign, calls } = recordingSigner();
    let t = T0;
    pool.fill(sign, () => (t += 10), 1_000); // timestamps +10, +20, +30, +40
    expect(pool.fill(sign, T0 + 600, 1_000, 1)).toEqual({ signed: 0, refreshed: 1 });
    expect(pool.fill(sign, T0 + 601, 1_000, 2)).toEqual({ signed: 0, refreshed: 2 });
    expect(calls.slice(4).map((c) => c.ts - T0)).toEqual([600, 601, 601]);
    expect(drain(pool, CREATE, T0 + 601, 1_000).map((h) => h.timestampMs - T0)).toEqual([601, 601, 600, 40]);
  });

  it('gives the slots to the targets in demand, keeping one for each', () => {
    const pool = PresignedSignatures.create({ slots: 8, targets: TARGETS });
    const { sign } = recordingSigner();
    let now = T0;
    for (let i = 0; i < 40; i++) {
      pool.fill(sign, now, 1_000);
      pool.take('POST', CREATE, now, 1_000);
      now += 1;
    }
    // Slots change target when they are refilled: taken ones at once, the others as they are refreshed.
    expect(pool.freshCount(now, 1_000, 1)).toBe(4);
    now += 600;
    expect(pool.fill(sign, now, 1_000)).toEqual({ signed: 1, refreshed: 7 }); // the last take left one EMPTY
    expect(pool.freshCount(now, 1_000, 0)).toBe(7);
    expect(pool.freshCount(now, 1_000, 1)).toBe(1);
  });

  it('refuses a signature longer than a 4096-bit key’s, and frees the slot', () => {
    const pool = PresignedSignatures.create({ slots: 1, targets: [TARGETS[0]] });
    expect(() => pool.fill(() => 'A'.repeat(MAX_SIGNATURE_CHARS + 1), T0, 1_000)).toThrow(RangeError);
    expect(() => pool.fill(() => 'not base64!', T0, 1_000)).toThrow(RangeError);
    expect(pool.slotState(0)).toBe(SlotState.EMPTY);
    expect(pool.stats()).toMatchObject({ signErrors: 2, signed: 0 });
    expect(() => pool.fill(() => { throw new Error('no key'); }, T0, 1_000)).toThrow('no key');
    expect(pool.slotState(0)).toBe(SlotState.EMPTY);
    const long = 'B'.repeat(MAX_SIGNATURE_CHARS - 2) + '==';
    pool.fill(() => long, T0, 1_000);
    expect(pool.take('POST', CREATE, T0, 1_000)?.signature).toBe(long);
    // A real 4096-bit signature fits.
    const big = generateKeyPairSync('rsa', { modulusLength: 4096 });
    pool.fill((ts, m, p) => signRequest(big.privateKey, ts, m, p), T0, 1_000);
    const h = pool.take('POST', CREATE, T0, 1_000)!;
    expect(h.signature).toHaveLength(MAX_SIGNATURE_CHARS);
    expect(verifySignature(big.publicKey, String(T0), 'POST', CREATE, h.signature)).toBe(true);
  });

  it('wakes a parked producer only on a miss or when the target runs low, after the current run', async () => {
    const pool = PresignedSignatures.create({ slots: 8, targets: [TARGETS[0]] });
    pool.fill(recordingSigner().sign, T0, 1_000);
    expect(pool.lowWater).toBe(2);
    const notify = vi.spyOn(Atomics, 'notify');
    try {
      const parked = pool.waitForWake(pool.wakeValue(), 60_000);
      const flush = () => new Promise((r) => setImmediate(r));
      for (let i = 0; i < 5; i++) pool.take('POST', CREATE, T0, 1_000); // 3 left: no notify
      await flush();
      expect(notify).not.toHaveBeenCalled();
      pool.take('POST', CREATE, T0, 1_000); // 2 left
      pool.take('POST', CREATE, T0, 1_000); // 1 left: below the low water
      expect(notify).not.toHaveBeenCalled(); // not within the caller's run
      expect(await parked).toBe('woken');
      expect(notify).toHaveBeenCalledTimes(1);
      const again = pool.waitForWake(pool.wakeValue(), 60_000);
      pool.take('POST', CREATE, T0, 1_000);
      expect(pool.take('POST', CREATE, T0, 1_000)).toBeUndefined(); // a miss
      expect(await again).toBe('woken');
      expect(notify).toHaveBeenCalledTimes(2); // both asked in one run: one notify
    } finally {
      notify.mockRestore();
    }
  });

  it('checks its arguments', () => {
    expect(() => PresignedSignatures.create({ slots: 0, targets: TARGETS })).toThrow(RangeError);
    expect(() => PresignedSignatures.create({ slots: 2, targets: [] })).toThrow(RangeError);
    expect(() => PresignedSignatures.create({ slots: 2, targets: [{ method: 'POST', path: '/a?x=1' }] })).toThrow(TypeError);
    expect(() => PresignedSignatures.create({ slots: 2, targets: [{ method: 'POST', path: '/a/../b' }] })).toThrow(TypeError);
    expect(() => PresignedSignatures.create({ slots: 2, targets: [TARGETS[0], TARGETS[0]] })).toThrow(TypeError);
    const pool = PresignedSignatures.create({ slots: 2, targets: TARGETS });
    expect(() => pool.fill(recordingSigner().sign, T0, 0)).toThrow(RangeError);
    expect(() => PresignedSignatures.attach({ ...pool.shared, slots: 3 })).toThrow(TypeError);
    expect(String(pool)).toBe('PresignedSignatures { slots: 2, targets: 2 }');
  });

  it('attached elsewhere, sees the same slots (and the targets travel in the handle)', () => {
    const pool = PresignedSignatures.create({ slots: 2, targets: TARGETS });
    const other = PresignedSignatures.attach(structuredClone(pool.shared));
    pool.fill(recordingSigner().sign, T0, 1_000);
    expect(other.targets).toEqual(TARGETS);
    expect(verifies(other.take('POST', CREATE, T0, 1_000)!)).toBe(true);
    expect(pool.stats().hits).toBe(1);
  });
});

describe('PresignedSignatures across real threads', () => {
  let signer: SignerHandle | undefined;
  afterEach(async () => {
    await signer?.stop();
    signer = undefined;
  });

  it('a signer thread filling, two consumers taking thousands: every signature verifies, none is handed out twice, the counters add up', async () => {
    const MAX_AGE = 50; // refreshes every 25 ms: producer and consumers contend on READY slots all the time
    const PER_CONSUMER = 1_500;
    const pool = PresignedSignatures.create({ slots: 8, targets: TARGETS });
    signer = startSigner({ pool: pool.shared, privateKey: key, maxAgeMs: MAX_AGE });
    await signer.started;

    const data: PresignConsumerData = {
      pool: pool.shared, publicKeyPem: pair.publicKey, method: 'POST', path: CREATE, maxAgeMs: MAX_AGE, count: PER_CONSUMER, deadlineMs: 60_000,
    };
    const worker = spawnWorker(siblingModule(import.meta.url, './workers/presign-consumer-worker'), { workerData: data });
    const theirs = new Promise<PresignConsumerReport>((resolve) => worker.once('message', resolve));
    const exited = workerExit(worker);

    const mine: string[] = [];
    let bad = 0;
    let misses = 0;
    const end = Date.now() + 60_000;
    while (mine.length < PER_CONSUMER && Date.now() < end) {
      const now = Date.now();
      const h = pool.take('POST', CREATE, now, MAX_AGE);
      if (h === undefined) {
        misses++;
        await new Promise((r) => setImmediate(r)); // let the event loop turn now and then
        continue;
      }
      const age = now - h.timestampMs;
      if (!verifies(h) || age > MAX_AGE || age < -FUTURE_SLACK_MS) bad++;
      mine.push(h.signature);
    }
    const report = await theirs;
    await exited;
    await signer.stop();
    signer = undefined;

    expect(bad).toBe(0);
    expect(report.firstBad).toBeUndefined();
    expect(report.bad).toBe(0);
    expect(mine).toHaveLength(PER_CONSUMER);
    expect(report.taken).toHaveLength(PER_CONSUMER);
    expect(new Set([...mine, ...report.taken]).size).toBe(2 * PER_CONSUMER);

    const s = pool.stats();
    expect(s.hits).toBe(2 * PER_CONSUMER);
    expect(s.misses).toBe(misses + report.misses);
    expect(s.refreshed).toBeGreaterThan(0);
    expect(s.signErrors).toBe(0);
    // Every slot signed from EMPTY is either taken or still READY (the signer has stopped).
    expect(s.ready).toBe(s.signed - s.refreshed - s.hits);
    for (let i = 0; i < pool.slots; i++) expect([SlotState.EMPTY, SlotState.READY]).toContain(pool.slotState(i));
  }, 120_000);
});

describe('KalshiCredentials with pre-signed signatures', () => {
  const base = new KalshiCredentials('key-1', key);
  const fullPool = (now: number) => {
    const pool = PresignedSignatures.create({ slots: 4, targets: TARGETS });
    pool.fill(recordingSigner().sign, now, 1_000);
    return pool;
  };

  it('sends order creations with a pre-signed signature (by path or by full URL)', () => {
    const pool = fullPool(T0);
    const creds = base.withPresigned(pool, 1_000);
    expect(creds.presigned).toBe(true);
    expect(base.presigned).toBe(false);
    const h = creds.headers('POST', CREATE, T0 + 300);
    expect(h[HEADER_KEY]).toBe('key-1');
    expect(h[HEADER_TIMESTAMP]).toBe(String(T0)); // the pool's timestamp, not the call's
    expect(verifySignature(publicKey, h[HEADER_TIMESTAMP], 'POST', CREATE, h[HEADER_SIGNATURE])).toBe(true);
    expect(pool.stats().hits).toBe(1);
    const u = creds.headers('POST', `${BASE}/portfolio/events/orders`, T0 + 300);
    expect(u[HEADER_TIMESTAMP]).toBe(String(T0));
    expect(verifySignature(publicKey, u[HEADER_TIMESTAMP], 'POST', CREATE, u[HEADER_SIGNATURE])).toBe(true);
    expect(pool.stats().hits).toBe(2);
    expect(u[HEADER_SIGNATURE]).not.toBe(h[HEADER_SIGNATURE]);
  });

  it('signs every other request inline', () => {
    const pool = fullPool(T0);
    const creds = base.withPresigned(pool, 1_000);
    for (const [method, path] of [['GET', '/trade-api/v2/portfolio/balance'], ['POST', `${CREATE}/ord-1/amend`], ['DELETE', `${CREATE}/ord-1`], ['DELETE', CREATE]]) {
      const h = creds.headers(method, path, T0 + 300.7);
      expect(h[HEADER_TIMESTAMP]).toBe(String(T0 + 300));
      expect(verifySignature(publicKey, h[HEADER_TIMESTAMP], method, path, h[HEADER_SIGNATURE])).toBe(true);
    }
    expect(pool.stats()).toMatchObject({ hits: 0, misses: 0, ready: 4 });
  });

  it('signs inline when the pool has nothing fresh', () => {
    const pool = fullPool(T0);
    const creds = base.withPresigned(pool, 1_000);
    const h = creds.headers('POST', CREATE, T0 + 5_000);
    expect(h[HEADER_TIMESTAMP]).toBe(String(T0 + 5_000));
    expect(verifySignature(publicKey, h[HEADER_TIMESTAMP], 'POST', CREATE, h[HEADER_SIGNATURE])).toBe(true);
    expect(pool.stats()).toMatchObject({ hits: 0, misses: 1 });
    const empty = base.withPresigned(PresignedSignatures.create({ slots: 1, targets: TARGETS }), 1_000);
    expect(verifySignature(publicKey, String(T0), 'POST', CREATE, empty.headers('POST', CREATE, T0)[HEADER_SIGNATURE])).toBe(true);
  });

  it('still redacts itself, and keeps its key private', () => {
    const creds = base.withPresigned(fullPool(T0), 1_000);
    for (const text of [inspect(creds), format('%o', creds), JSON.stringify(creds), String(creds), JSON.stringify({ creds })]) {
      expect(text).toContain('[redacted]');
      expect(text).not.toContain('BEGIN');
      expect(text).not.toContain(pemBody.slice(100, 140));
    }
    expect(Object.keys(creds)).toEqual(['keyId']);
    expect(() => base.withPresigned(fullPool(T0), 0)).toThrow(RangeError);
  });
});
