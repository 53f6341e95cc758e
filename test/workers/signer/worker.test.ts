/**
 * The signer thread: keeps a PresignedSignatures pool full and fresh, wakes when a signature is
 * taken, stops cleanly, never posts its key; and pre-signed order creations are accepted by the
 * simulator (which verifies every signature) through the real REST client.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { verifySignature } from '../../../src/shared/kalshi-signing.js';
import { presignedOrderTargets } from '../../../src/shared/kalshi/rest/client.js';
import type { Outcome } from '../../../src/shared/kalshi/rest/outcome.js';
import { PresignedSignatures } from '../../../src/shared/presigned-signatures.js';
import { signerPace, startSigner, startSignerWorker, type SignerHandle, type SignerWorkerMessage } from '../../../src/workers/signer/signer-protocol.js';
import { startRestSim, tradableMarket, type RestSim } from '../../shared/kalshi/rest/sim-fixture.js';

const pair = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const key = createPrivateKey(pair.privateKey);
const publicKey = createPublicKey(pair.publicKey);
const pemBody = pair.privateKey.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
const TARGETS = presignedOrderTargets('http://127.0.0.1:9/trade-api/v2');
const CREATE = TARGETS[0].path;

/** Poll `probe` until `ok`, at most `timeoutMs`: a condition, not a fixed sleep. */
async function until<T>(probe: () => T, ok: (v: T) => boolean, timeoutMs = 10_000, everyMs = 5): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The reply of an ACCEPTED outcome (fails the test on any other). */
function accepted<T>(o: Outcome<T>): T {
  if (o.kind !== 'ACCEPTED') throw new Error(`expected ACCEPTED, got ${JSON.stringify(o)}`);
  return o.reply;
}

let signer: SignerHandle | undefined;
afterEach(async () => {
  await signer?.stop();
  signer = undefined;
});

describe('signerPace', () => {
  it('re-signs every slot within a quarter of the max age, a few at a time', () => {
    for (const [maxAge, slots] of [[1_000, 16], [50, 256], [50, 1], [30_000, 256], [200, 8], [50, 8]]) {
      const { idleWaitMs, refreshesPerRound } = signerPace(maxAge, slots);
      expect(idleWaitMs).toBeGreaterThanOrEqual(5);
      expect((slots / refreshesPerRound) * idleWaitMs).toBeLessThanOrEqual(maxAge / 4);
    }
    expect(signerPace(1_000, 16)).toEqual({ idleWaitMs: 15, refreshesPerRound: 1 });
  });
});

describe('signer thread', () => {
  it('fills the pool, keeps it fresh as slots age, refills what is taken, and stops cleanly', async () => {
    const MAX_AGE = 200;
    const pool = PresignedSignatures.create({ slots: 8, targets: TARGETS });
    const exits: string[] = [];
    signer = startSigner({ pool: pool.shared, privateKey: key, maxAgeMs: MAX_AGE, onUnexpectedExit: (why) => exits.push(why) });
    await signer.started;
    await until(() => pool.freshCount(Date.now(), MAX_AGE), (n) => n === 8);

    // Untouched, every slot is re-signed before it grows too old: the pool stays full across
    // several max ages (a slot may be mid-refresh, SIGNING, at the moment of a sample).
    const refreshedBefore = pool.stats().refreshed;
    const until3Ages = Date.now() + 3 * MAX_AGE;
    let least = 8;
    while (Date.now() < until3Ages) {
      least = Math.min(least, pool.freshCount(Date.now(), MAX_AGE));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(least).toBeGreaterThanOrEqual(7);
    expect(pool.stats().refreshed - refreshedBefore).toBeGreaterThanOrEqual(8);

    // The slots taken are refilled at its next round.
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push(pool.take('POST', CREATE, Date.now(), MAX_AGE));
    for (const h of taken) expect(verifySignature(publicKey, String(h!.timestampMs), 'POST', CREATE, h!.signature)).toBe(true);
    await until(() => pool.freshCount(Date.now(), MAX_AGE), (n) => n === 8);

    await signer.stop();
    expect(signer.exited()).toBe(true);
    expect(exits).toEqual([]);
    const s = pool.stats();
    expect(s.signErrors).toBe(0);
    expect(s.ready).toBe(s.signed - s.refreshed - s.hits);
    await signer.stop(); // idempotent
  });

  it('refills at once when a target runs low, without waiting out its idle wait', async () => {
    const pool = PresignedSignatures.create({ slots: 4, targets: [TARGETS[0]] });
    signer = startSigner({ pool: pool.shared, privateKey: key, maxAgeMs: 30_000, idleWaitMs: 600_000 });
    await until(() => pool.freshCount(Date.now(), 30_000), (n) => n === 4);
    const t0 = Date.now();
    for (let i = 0; i < 4; i++) expect(pool.take('POST', CREATE, Date.now(), 30_000)).toBeDefined();
    await until(() => pool.freshCount(Date.now(), 30_000), (n) => n === 4);
    expect(Date.now() - t0).toBeLessThan(60_000); // woken, not timed out
    await signer.stop(); // and a stop ends the long wait at once too
  });

  it('posts nothing but its state (never the key), and stops on command', async () => {
    const pool = PresignedSignatures.create({ slots: 2, targets: TARGETS });
    const worker = startSignerWorker({ pool: pool.shared, privateKey: key, maxAgeMs: 1_000 });
    const messages: SignerWorkerMessage[] = [];
    worker.on('message', (m: SignerWorkerMessage) => messages.push(m));
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    await until(() => pool.stats().ready, (n) => n === 2);
    worker.postMessage({ type: 'stop' });
    expect(await exited).toBe(0);
    expect(messages).toEqual([{ type: 'started' }, { type: 'stopped' }]);
  });

  it('fails with one line and no key material when given a key it cannot sign with; the pool just stays empty', async () => {
    const pool = PresignedSignatures.create({ slots: 2, targets: TARGETS });
    const lines: string[] = [];
    const exits: string[] = [];
    signer = startSigner({ pool: pool.shared, privateKey: publicKey as never, maxAgeMs: 1_000, log: (l) => lines.push(l), onUnexpectedExit: (why) => exits.push(why) });
    await expect(signer.started).rejects.toThrow(/exited at start-up/);
    await until(() => exits.length, (n) => n === 1);
    expect(exits[0]).toMatch(/private KeyObject/);
    for (const text of [...lines, ...exits]) {
      expect(text).not.toContain('BEGIN');
      expect(text).not.toContain(pemBody.slice(60, 100));
    }
    expect(pool.stats()).toMatchObject({ ready: 0, signed: 0 });
  });
});

describe('pre-signed order creation against the simulator', () => {
  let rs: RestSim;
  beforeAll(async () => {
    rs = await startRestSim();
  });
  afterAll(async () => {
    await rs?.close();
  });

  it('creates orders with pre-signed signatures (accepted: the simulator verifies them), amends and cancels signed inline', async () => {
    const MAX_AGE = 1_000;
    const pool = PresignedSignatures.create({ slots: 4, targets: presignedOrderTargets(rs.sim.restUrl) });
    signer = startSigner({ pool: pool.shared, privateKey: rs.key.privateKey, maxAgeMs: MAX_AGE });
    await until(() => pool.freshCount(Date.now(), MAX_AGE), (n) => n === 4);
    const client = rs.client({ credentials: rs.credentials.withPresigned(pool, MAX_AGE) });
    const m = tradableMarket(rs.sim);
    const bid = (id: string) => ({ ticker: m.ticker, side: 'bid' as const, price: 100, count: 100, clientOrderId: id, timeInForce: 'good_till_canceled' as const, postOnly: true });

    const a = accepted(await client.createOrder(bid('pre-1')));
    expect(pool.stats()).toMatchObject({ hits: 1, misses: 0 });
    const b = accepted(await client.batchCreateOrders([bid('pre-2'), bid('pre-3')]));
    expect(b).toHaveLength(2);
    expect(pool.stats()).toMatchObject({ hits: 2, misses: 0 });

    accepted(await client.amendOrder(a.orderId, { ticker: m.ticker, side: 'bid', price: 200, count: 100, updatedClientOrderId: 'pre-1b', grid: m.grid }));
    accepted(await client.cancelOrder(a.orderId, { marketTicker: m.ticker }));
    expect(await client.balance()).toBeDefined();
    expect(pool.stats()).toMatchObject({ hits: 2, misses: 0 }); // not pre-signed targets: inline, uncounted

    // The signer gone, order creation still works: signed inline (a miss once the pool is drained).
    await signer.stop();
    signer = undefined;
    for (let i = 0; i < 4; i++) accepted(await client.createOrder(bid(`inline-${i}`)));
    const s = pool.stats();
    expect(s.hits + s.misses).toBe(6);
    expect(s.misses).toBeGreaterThan(0);
    accepted(await client.cancelAllOrders());
  });
});
