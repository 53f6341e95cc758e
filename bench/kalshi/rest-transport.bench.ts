/**
 * The two REST transports of src/shared/kalshi/rest (undici 7 `Pool`, node:http keep-alive
 * `Agent`) against the simulator, round trip by round trip:
 *
 *   npm run bench:micro -- --filter rest-transport [--time 2000]
 *
 * The simulator runs in a child process of its own (SimProcess, src/main/bench/sim-process.ts:
 * Prestige tier, no synthetic liquidity), so that the server and the client do not share
 * an event loop. Each task awaits one complete request (or 16 in parallel) through the transport
 * as the client uses it: body read to the end, signing included where the task says "signed"
 * (RSA-PSS 2048, about 1 ms of CPU per request, the same cost for both transports).
 *
 * Two more tasks justify how UndiciTransport enforces its deadline: a bare undici Pool aborting
 * through an AbortController against one aborting through a plain EventEmitter (what the transport
 * does).
 *
 * Signed requests rotate over KEYS keys (a transport per key and kind) so that no key's token
 * bucket on the simulator runs dry during a run (Prestige Read: 1,000 requests/s per key;
 * Write: 800/s). Unsigned requests (public market data) are not metered.
 */
import { EventEmitter } from 'node:events';
import { generateKeyPairSync } from 'node:crypto';
import { Pool } from 'undici';
import { KalshiCredentials } from '../../src/shared/kalshi-signing.js';
import { NodeHttpTransport, restBase, UndiciTransport, type RestRequest, type RestTransport, type RestBase } from '../../src/shared/kalshi/rest/index.js';
import { SimProcess } from '../../src/main/bench/sim-process.js';
import { consume, defineSuite, type MicroTask } from '../harness.js';

const KEYS = 8;
const PARALLEL = 16;
const TIMEOUT_MS = 10_000;


type Kind = 'undici' | 'node:http';
const make = (kind: Kind, base: RestBase, credentials?: KalshiCredentials, connections = 1): RestTransport =>
  kind === 'undici' ? new UndiciTransport(base, { credentials, connections }) : new NodeHttpTransport(base, { credentials, connections });

let sim: SimProcess | undefined;
const transports: RestTransport[] = [];

async function ok(t: RestTransport, request: RestRequest, status = 200): Promise<void> {
  const reply = await t.send(request, TIMEOUT_MS);
  if (reply.status !== status) throw new Error(`${request.method} ${request.path}: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
  consume(reply.text);
}

export default defineSuite({
  name: 'rest-transport',
  async tasks(): Promise<MicroTask[]> {
    const keys = Array.from({ length: KEYS }, (_, i) => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return { keyId: `bench-rest-${i}`, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    });
    sim = await SimProcess.start({
      keys: keys.map(({ keyId, publicKeyPem }) => ({ keyId, publicKeyPem })), markets: 50, rate: 0, seed: 42, tier: 'prestige', balance: 1_000_000_000_000,
    });
    const base = restBase(sim.restUrl);
    const credentials = keys.map((k) => new KalshiCredentials(k.keyId, k.privateKey));

    // A market to rest orders on, far from the touch.
    const probe = make('undici', base);
    transports.push(probe);
    const page = JSON.parse((await probe.send({ method: 'GET', path: '/markets', query: 'status=open&limit=1000' }, TIMEOUT_MS)).text) as { markets: Array<{ ticker: string; price_ranges: unknown[] }> };
    const ticker = page.markets.find((m) => m.price_ranges.length === 1)?.ticker ?? page.markets[0].ticker;

    const status: RestRequest = { method: 'GET', path: '/exchange/status', query: '' };
    const balance: RestRequest = { method: 'GET', path: '/portfolio/balance', query: '' };
    let serial = 0;
    const createOrder = (): RestRequest => ({
      method: 'POST', path: '/portfolio/events/orders', query: '',
      body: JSON.stringify({ ticker, side: 'bid', count: '1.00', price: '0.0100', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true, client_order_id: `bench-${process.pid}-${serial++}` }),
    });

    const tasks: MicroTask[] = [];
    for (const kind of ['undici', 'node:http'] as const) {
      const plain = make(kind, base);
      const pool = make(kind, base, undefined, 4);
      const signed = credentials.map((c) => make(kind, base, c));
      transports.push(plain, pool, ...signed);
      let next = 0;
      const rotate = () => signed[next++ % signed.length];
      // Warm every connection once.
      await ok(plain, status);
      await Promise.all(Array.from({ length: 4 }, () => ok(pool, status)));
      for (const t of signed) await ok(t, balance);
      tasks.push(
        { name: `${kind} GET /exchange/status (unsigned, 1 connection)`, opsPerCall: 1, fn: () => ok(plain, status) },
        { name: `${kind} ${PARALLEL}× GET /exchange/status in parallel (4 connections)`, opsPerCall: PARALLEL, fn: async () => { await Promise.all(Array.from({ length: PARALLEL }, () => ok(pool, status))); } },
        { name: `${kind} GET /portfolio/balance (signed)`, opsPerCall: 1, fn: () => ok(rotate(), balance) },
        { name: `${kind} POST Create Order V2 (signed)`, opsPerCall: 1, fn: () => ok(rotate(), createOrder(), 201) },
      );
    }
    // How the deadline is enforced: AbortController (EventTarget) against a plain EventEmitter.
    const raw = new Pool(base.origin, { connections: 1, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
    transports.push({ kind: 'undici', base, send: () => Promise.reject(new Error('unused')), close: () => raw.destroy() });
    const rawPath = base.basePath + status.path;
    const viaSignal = async (signal: AbortSignal | EventEmitter, abort: () => void): Promise<void> => {
      const timer = setTimeout(abort, TIMEOUT_MS);
      try {
        const res = await raw.request({ method: 'GET', path: rawPath, signal });
        consume(await res.body.text());
      } finally {
        clearTimeout(timer);
      }
    };
    await viaSignal(new EventEmitter(), () => {});
    tasks.push(
      { name: 'bare undici Pool, deadline via AbortController', opsPerCall: 1, fn: () => { const ac = new AbortController(); return viaSignal(ac.signal, () => ac.abort()); } },
      { name: 'bare undici Pool, deadline via EventEmitter', opsPerCall: 1, fn: () => { const ee = new EventEmitter(); return viaSignal(ee, () => ee.emit('abort')); } },
    );
    // Interleave the two kinds task by task, so that a change in the machine's load hits both alike.
    const paired = tasks.length - 2;
    const half = paired / 2;
    return [...Array.from({ length: paired }, (_, i) => tasks[(i % 2) * half + Math.floor(i / 2)]), ...tasks.slice(paired)];
  },
  async teardown() {
    await Promise.all(transports.splice(0).map((t) => t.close()));
    await sim?.stop();
    sim = undefined;
  },
});
