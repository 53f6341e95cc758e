/**
 * End-to-end benchmark of the exchange simulator (whole-system figures, not tinybench):
 *
 *   npm run bench:sim                                   # both parts, default sweep
 *   npm run bench:sim -- --only ws --seconds 10 --rate 300000,400000,500000 --repeat 3
 *   npm run bench:sim -- --only rest --orders 5000 --warmup-orders 500
 *   npm run bench:sim -- --only ws --rate 400000 --profile   # + a .cpuprofile of the simulator
 *   npm run bench:sim -- --only stages                  # per-stage cost of a book message, in process
 *
 * 1. WebSocket book-message throughput to one client. For each offered `--rate` the simulator
 *    runs in a child process of its own (src/main/bench/sim-child.ts, forked by SimProcess)
 *    over `--markets` markets; one `ws` client in this process (perMessageDeflate off, signed
 *    upgrade) subscribes to orderbook_delta for every ticker listed by REST GET /markets, waits
 *    for every snapshot, warms up, then counts delta frames over a window of `--seconds`,
 *    checking per-sid `seq` continuity on every frame (a byte scan, no JSON.parse). It reports
 *    the offered rate, the book changes the engine actually made (the server's count), the
 *    deltas delivered to the client, gaps / duplicates, and both processes' CPU. `--repeat N`
 *    runs the sweep N times (interleaved) and adds worst / median / best per rate: the machine
 *    is shared and one run can be 10 % off another.
 * 2. REST order round trip. A simulator with `--tier prestige` and `--rest-rate` synthetic
 *    liquidity (default 0); sequential requests, one at a time, over one keep-alive connection,
 *    with undici's `Client` and with node:http (`Agent{keepAlive, maxSockets: 1}`): Create Order
 *    V2 (a resting post-only bid far below the touch, a unique client_order_id each) and
 *    GET /portfolio/balance. Requests are signed in batches shortly before they are sent, outside
 *    the timed section; each round trip is timed with process.hrtime.bigint() from the call to
 *    the end of the response body. The requests rotate over `--keys` API keys so that no key's
 *    token bucket runs dry (Prestige Write: 800 orders/s sustained per key, see
 *    src/shared/rate-budgets.ts); a paced row with a single key at `--paced-rate` requests/s
 *    shows the figure with the server idle between requests. Also reported: the CPU time
 *    each process spent per request (the simulator's from process.cpuUsage over IPC; the
 *    client's without the signing).
 * 3. (`--only stages`, not part of the default run) the cost per book message of the engine, the
 *    fan-out and frame building, and the Connection send path, in this process (stages.ts).
 *
 * Prints tables and writes JSON (machine, Node version, date, settings, rows) to
 * `bench/results/sim-<timestamp>.json` (or `--out`).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from 'undici';
import WebSocket from 'ws';
import { authHeaders, WS_SIGNED_PATH } from '../../src/shared/kalshi-signing.js';
import type { UsageTier } from '../../src/shared/rate-budgets.js';
import { SimProcess, type SimStats } from '../../src/main/bench/sim-process.js';
import { stageCosts, type StageRow } from './stages.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Key {
  keyId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

function makeKey(keyId: string): Key {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keyId, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const nowNs = () => process.hrtime.bigint();

async function getJson(url: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Every market ticker, through GET /markets' cursor paging. */
async function allTickers(restUrl: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '';
  do {
    const page = await getJson(`${restUrl}/markets?limit=1000${cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    for (const m of page.markets as Array<{ ticker: string }>) out.push(m.ticker);
    cursor = page.cursor ?? '';
  } while (cursor !== '');
  return out;
}

// ---------------------------------------------------------------------------------------------
// 1. WebSocket throughput

interface WsRow {
  offeredPerSecond: number;
  markets: number;
  windowSeconds: number;
  /** Book changes the engine made in the window (the server's count), per second. */
  generatedPerSecond: number;
  /** orderbook_delta frames received in the window, per second. */
  deliveredPerSecond: number;
  /** Per-second delivered counts during the window: min and max. */
  deliveredMinPerSecond: number;
  deliveredMaxPerSecond: number;
  deltaFrames: number;
  megabytesPerSecond: number;
  snapshots: number;
  gaps: number;
  duplicates: number;
  /** Error frames received (e.g. 25: subscription buffer overflow), with their text. */
  errors: string[];
  /** Process CPU over the window, % of one core (user + system). */
  serverCpuPercent: number;
  /** Of which system (kernel) time: the socket writes, and loopback TCP delivering them. */
  serverSysPercent: number;
  clientCpuPercent: number;
  serverRssMiB: number;
  serverHeapUsedMiB: number;
  /** Resting synthetic orders at the end of the window (the books deepen over a run). */
  syntheticOrders: number;
}

const DELTA_PREFIX = Buffer.from('{"type":"orderbook_delta","sid":');
const SNAPSHOT_PREFIX = Buffer.from('{"type":"orderbook_snapshot","sid":');
const SEQ_KEY = Buffer.from(',"seq":');

function hasPrefix(buf: Buffer, prefix: Buffer): boolean {
  if (buf.length < prefix.length) return false;
  for (let i = prefix.length - 1; i >= 0; i--) if (buf[i] !== prefix[i]) return false;
  return true;
}

/** A decimal integer at `at`; returns [value, index after it] or [-1, at] when there is none. */
function intAt(buf: Buffer, at: number): [number, number] {
  let v = 0;
  let i = at;
  for (; i < buf.length; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  return i === at ? [-1, at] : [v, i];
}

/** sid and seq of a frame that starts with `prefix` (then `<sid>,"seq":<seq>`), or undefined. */
function sidSeq(buf: Buffer, prefix: Buffer): [number, number] | undefined {
  const [sid, end] = intAt(buf, prefix.length);
  if (sid < 0 || !hasPrefix(buf.subarray(end), SEQ_KEY)) return undefined;
  const [seq] = intAt(buf, end + SEQ_KEY.length);
  return seq < 0 ? undefined : [sid, seq];
}

async function wsThroughput(key: Key, rate: number, options: { markets: number; seed: number; warmupMs: number; windowMs: number; profileDir?: string }): Promise<WsRow> {
  const sim = await SimProcess.start(
    { keys: [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem }], markets: options.markets, rate, seed: options.seed, tier: 'prestige', balance: 1_000_000_000 },
    { cpuProfileDir: options.profileDir },
  );
  try {
    const tickers = await allTickers(sim.restUrl);
    const ws = new WebSocket(sim.wsUrl, {
      headers: authHeaders(key.keyId, key.privateKey, 'GET', WS_SIGNED_PATH),
      perMessageDeflate: false,
      skipUTF8Validation: true, // the frames are checked by their bytes below; UTF-8 validation is client cost only
      maxPayload: 64 * 1024 * 1024,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    let deltas = 0;
    let bytes = 0;
    let snapshots = 0;
    let gaps = 0;
    let duplicates = 0;
    let malformed = 0;
    const errors: string[] = [];
    const lastSeq = new Map<number, number>();
    const check = (sid: number, seq: number): void => {
      const last = lastSeq.get(sid) ?? 0;
      if (seq === last + 1) lastSeq.set(sid, seq);
      else if (seq <= last) duplicates++;
      else {
        gaps++;
        lastSeq.set(sid, seq);
      }
    };
    ws.on('message', (data: Buffer) => {
      bytes += data.length;
      if (hasPrefix(data, DELTA_PREFIX)) {
        const ss = sidSeq(data, DELTA_PREFIX);
        if (ss === undefined) malformed++;
        else check(ss[0], ss[1]);
        deltas++;
        return;
      }
      if (hasPrefix(data, SNAPSHOT_PREFIX)) {
        const ss = sidSeq(data, SNAPSHOT_PREFIX);
        if (ss === undefined) malformed++;
        else check(ss[0], ss[1]);
        snapshots++;
        return;
      }
      const text = data.toString('utf8');
      let frame: { type?: string } | undefined;
      try {
        frame = JSON.parse(text) as { type?: string };
      } catch {
        malformed++;
        return;
      }
      if (frame.type === 'error') errors.push(text);
    });
    ws.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: tickers } }));
    const deadline = Date.now() + 30_000;
    while (snapshots < tickers.length) {
      if (Date.now() > deadline) throw new Error(`only ${snapshots} of ${tickers.length} snapshots arrived`);
      if (errors.length > 0) throw new Error(`subscribe refused: ${errors[0]}`);
      await sleep(10);
    }
    await sleep(options.warmupMs);

    const s0 = await sim.stats();
    const c0 = process.cpuUsage();
    const t0 = nowNs();
    const d0 = deltas;
    const b0 = bytes;
    const perSecond: number[] = [];
    let lastCount = deltas;
    let lastT = t0;
    const end = t0 + BigInt(options.windowMs) * 1_000_000n;
    for (;;) {
      await sleep(Math.min(1000, Number(end - nowNs()) / 1e6));
      const t = nowNs();
      if (t - lastT >= 900_000_000n) {
        perSecond.push(((deltas - lastCount) * 1e9) / Number(t - lastT));
        lastCount = deltas;
        lastT = t;
      }
      if (t >= end) break;
    }
    const t1 = nowNs();
    const d1 = deltas;
    const b1 = bytes;
    const c1 = process.cpuUsage(c0);
    const s1 = await sim.stats();
    ws.terminate();

    const seconds = Number(t1 - t0) / 1e9;
    const serverSeconds = Number(BigInt(s1.hrtimeNs) - BigInt(s0.hrtimeNs)) / 1e9;
    return {
      offeredPerSecond: rate,
      markets: tickers.length,
      windowSeconds: seconds,
      generatedPerSecond: (s1.bookChanges - s0.bookChanges) / serverSeconds,
      deliveredPerSecond: (d1 - d0) / seconds,
      deliveredMinPerSecond: Math.min(...perSecond),
      deliveredMaxPerSecond: Math.max(...perSecond),
      deltaFrames: d1 - d0,
      megabytesPerSecond: (b1 - b0) / seconds / 1e6,
      snapshots,
      gaps,
      duplicates: duplicates + malformed,
      errors,
      serverCpuPercent: (100 * (s1.cpuUserUs + s1.cpuSystemUs - s0.cpuUserUs - s0.cpuSystemUs)) / 1e6 / serverSeconds,
      serverSysPercent: (100 * (s1.cpuSystemUs - s0.cpuSystemUs)) / 1e6 / serverSeconds,
      clientCpuPercent: (100 * (c1.user + c1.system)) / 1e6 / seconds,
      serverRssMiB: s1.rssBytes / 2 ** 20,
      serverHeapUsedMiB: s1.heapUsedBytes / 2 ** 20,
      syntheticOrders: s1.syntheticOrders,
    };
  } finally {
    await sim.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. REST round trip

interface RestRow {
  client: 'undici' | 'node:http';
  request: 'create order' | 'balance';
  keys: number;
  /** Requests per second asked for (0: back to back). */
  pacedPerSecond: number;
  samples: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
  /** Replies other than the expected status (e.g. 429), over warm-up and measured requests. */
  unexpected: Record<string, number>;
  achievedPerSecond: number;
  /** CPU time (user + system) per measured request: the simulator process, and this client process. */
  serverCpuUsPerRequest: number;
  /** Of which system (kernel) time. */
  serverSysUsPerRequest: number;
  clientCpuUsPerRequest: number;
}

interface Prepared {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

type Send = (r: Prepared) => Promise<number>;

function undiciSender(origin: string): { send: Send; close: () => Promise<void> } {
  const client = new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 });
  return {
    send: async (r) => {
      const res = await client.request({ method: r.method as 'GET' | 'POST', path: r.path, headers: r.headers, body: r.body });
      await res.body.text();
      return res.statusCode;
    },
    close: () => client.close(),
  };
}

function nodeHttpSender(origin: string): { send: Send; close: () => Promise<void> } {
  const url = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    send: (r) =>
      new Promise((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, method: r.method, path: r.path, headers: r.headers, agent }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(r.body);
      }),
    close: async () => agent.destroy(),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function restLatency(
  origin: string,
  restPath: string,
  keys: Key[],
  client: RestRow['client'],
  request: RestRow['request'],
  ticker: string,
  runId: string,
  sim: SimProcess,
  options: { orders: number; warmup: number; pacedPerSecond: number },
): Promise<RestRow> {
  const { send, close } = client === 'undici' ? undiciSender(origin) : nodeHttpSender(origin);
  const total = options.warmup + options.orders;
  const expected = request === 'create order' ? 201 : 200;
  const method = request === 'create order' ? 'POST' : 'GET';
  const path = request === 'create order' ? `${restPath}/portfolio/events/orders` : `${restPath}/portfolio/balance`;
  const samples: number[] = [];
  const unexpected: Record<string, number> = {};
  const BATCH = 250; // ≈ 75 ms of signing: every timestamp is well inside the 30 s window when sent
  const gapNs = options.pacedPerSecond > 0 ? BigInt(Math.round(1e9 / options.pacedPerSecond)) : 0n;
  let n = 0;
  let measuredStart = 0n;
  let nextSend = nowNs();
  let server0: SimStats | undefined;
  let client0: NodeJS.CpuUsage | undefined;
  let serverCpuUs = 0;
  let serverSysUs = 0;
  let clientCpuUs = 0;
  let signCpuUs = 0;
  try {
    while (n < total) {
      const batch: Prepared[] = [];
      const signStart = process.cpuUsage();
      for (let i = 0; i < BATCH && n + i < total; i++) {
        const key = keys[(n + i) % keys.length];
        const headers = authHeaders(key.keyId, key.privateKey, method, path);
        let body: string | undefined;
        if (method === 'POST') {
          body = JSON.stringify({
            ticker, side: 'bid', count: '1.00', price: '0.0100', time_in_force: 'good_till_canceled',
            self_trade_prevention_type: 'maker', post_only: true, client_order_id: `bench-${runId}-${client}-${n + i}`,
          });
          headers['content-type'] = 'application/json';
          headers['content-length'] = String(Buffer.byteLength(body));
        }
        batch.push({ method, path, headers, body });
      }
      if (client0 !== undefined) {
        const s = process.cpuUsage(signStart);
        signCpuUs += s.user + s.system; // signing is not part of the round trip
      }
      if (gapNs > 0n) nextSend = nowNs();
      for (const r of batch) {
        if (gapNs > 0n) {
          const wait = Number(nextSend - nowNs()) / 1e6;
          if (wait >= 1) await sleep(Math.floor(wait));
          while (nowNs() < nextSend) {
            // spin the last fraction of a millisecond
          }
          nextSend += gapNs;
        }
        if (n === options.warmup) {
          server0 = await sim.stats();
          client0 = process.cpuUsage();
          measuredStart = nowNs();
        }
        const t0 = nowNs();
        const status = await send(r);
        const t1 = nowNs();
        if (status !== expected) unexpected[status] = (unexpected[status] ?? 0) + 1;
        if (n >= options.warmup) samples.push(Number(t1 - t0) / 1000);
        n++;
      }
    }
    const measuredEnd = nowNs();
    if (server0 !== undefined && client0 !== undefined) {
      const server1 = await sim.stats();
      serverCpuUs = server1.cpuUserUs + server1.cpuSystemUs - server0.cpuUserUs - server0.cpuSystemUs;
      serverSysUs = server1.cpuSystemUs - server0.cpuSystemUs;
      const c = process.cpuUsage(client0);
      clientCpuUs = c.user + c.system - signCpuUs;
    }
    measuredStart = measuredEnd - measuredStart; // now the duration
  } finally {
    await close();
  }
  const measuredSeconds = Number(measuredStart) / 1e9;
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    client,
    request,
    keys: keys.length,
    pacedPerSecond: options.pacedPerSecond,
    samples: samples.length,
    p50Us: percentile(sorted, 50),
    p90Us: percentile(sorted, 90),
    p99Us: percentile(sorted, 99),
    maxUs: sorted[sorted.length - 1],
    meanUs: samples.reduce((a, b) => a + b, 0) / samples.length,
    unexpected,
    achievedPerSecond: samples.length / measuredSeconds,
    serverCpuUsPerRequest: serverCpuUs / samples.length,
    serverSysUsPerRequest: serverSysUs / samples.length,
    clientCpuUsPerRequest: clientCpuUs / samples.length,
  };
}

async function restBench(options: {
  keys: number; orders: number; warmup: number; markets: number; seed: number; rate: number; pacedRate: number; clients: Array<RestRow['client']>;
  profileDir?: string;
}): Promise<{ rows: RestRow[]; ticker: string }> {
  const keys = Array.from({ length: options.keys }, (_, i) => makeKey(`bench-key-${i + 1}`));
  const sim = await SimProcess.start({
    keys: keys.map((k) => ({ keyId: k.keyId, publicKeyPem: k.publicKeyPem })),
    markets: options.markets,
    rate: options.rate,
    seed: options.seed,
    tier: 'prestige',
    balance: 1_000_000_000_000, // $1,000,000: room for every resting order
  }, { cpuProfileDir: options.profileDir });
  const rows: RestRow[] = [];
  try {
    const url = new URL(sim.restUrl);
    const origin = url.origin;
    const restPath = url.pathname;
    // A market whose best YES bid is well above $0.01: a bid at $0.01 rests, far from the touch.
    const page = await getJson(`${sim.restUrl}/markets?status=open&limit=1000`);
    const market = (page.markets as Array<{ ticker: string; yes_bid_dollars: string }>)
      .filter((m) => Number(m.yes_bid_dollars) >= 0.1)
      .sort((a, b) => Number(b.yes_bid_dollars) - Number(a.yes_bid_dollars))[0];
    if (market === undefined) throw new Error('no open market with a YES bid ≥ $0.10');
    const runId = Date.now().toString(36);
    for (const client of options.clients) {
      for (const request of ['create order', 'balance'] as const) {
        process.stderr.write(`rest: ${client} ${request}, ${options.keys} keys, back to back…\n`);
        rows.push(await restLatency(origin, restPath, keys, client, request, market.ticker, runId, sim, { orders: options.orders, warmup: options.warmup, pacedPerSecond: 0 }));
      }
    }
    if (options.pacedRate > 0) {
      for (const request of ['create order', 'balance'] as const) {
        process.stderr.write(`rest: undici ${request}, 1 key, ${options.pacedRate}/s…\n`);
        rows.push(await restLatency(origin, restPath, keys.slice(0, 1), 'undici', request, market.ticker, runId + 'p', sim, { orders: options.orders, warmup: options.warmup, pacedPerSecond: options.pacedRate }));
      }
    }
    return { rows, ticker: market.ticker };
  } finally {
    await sim.stop();
  }
}

// ---------------------------------------------------------------------------------------------

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      rate: { type: 'string', default: '300000,400000,500000' },
      repeat: { type: 'string', default: '1' },
      markets: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '42' },
      orders: { type: 'string', default: '5000' },
      'warmup-orders': { type: 'string', default: '500' },
      keys: { type: 'string', default: '8' },
      'rest-markets': { type: 'string', default: '200' },
      'rest-rate': { type: 'string', default: '0' },
      'paced-rate': { type: 'string', default: '400' },
      client: { type: 'string', default: 'undici,node:http' },
      profile: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const num = (name: string, text: string | undefined, min: number): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${text}`);
    return n;
  };
  const only = values.only;
  if (only !== undefined && only !== 'ws' && only !== 'rest' && only !== 'stages') throw new Error(`--only must be ws, rest or stages, got ${only}`);
  const rates = (values.rate ?? '').split(',').map((r) => num('rate', r.trim(), 1));
  const clients = (values.client ?? '').split(',').map((c) => c.trim());
  for (const c of clients) if (c !== 'undici' && c !== 'node:http') throw new Error(`--client must list undici and/or node:http, got ${c}`);
  const date = new Date().toISOString();
  const profileDir = values.profile ? join(here, '..', 'results', `sim-prof-${date.replace(/[:.]/g, '-')}`) : undefined;

  const settings = {
    seconds: num('seconds', values.seconds, 1),
    warmupSeconds: num('warmup', values.warmup, 0),
    rates,
    repeat: num('repeat', values.repeat, 1),
    markets: num('markets', values.markets, 1),
    seed: num('seed', values.seed, 0),
    orders: num('orders', values.orders, 1),
    warmupOrders: num('warmup-orders', values['warmup-orders'], 0),
    keys: num('keys', values.keys, 1),
    restMarkets: num('rest-markets', values['rest-markets'], 1),
    restRate: num('rest-rate', values['rest-rate'], 0),
    pacedRate: num('paced-rate', values['paced-rate'], 0),
    clients: clients as Array<RestRow['client']>,
    tier: 'prestige' as UsageTier,
    profileDir,
  };

  let stageRows: StageRow[] = [];
  if (only === 'stages') {
    process.stderr.write(`stages: ${settings.markets} markets, 300,000 warm-up + 1,000,000 book changes, each stage 3 times…\n`);
    stageRows = await stageCosts({ markets: settings.markets, seed: settings.seed, changes: 1_000_000, warmup: 300_000, repeats: 3 });
    console.log('\nCost per book message in the simulator process, no socket (one core, best of 3)');
    console.table(stageRows.map((r) => ({ stage: r.stage, 'ns per change': f0(r.nsPerChange), 'changes/s': f0(r.changesPerSecond), frames: f0(r.framesSent) })));
  }

  const wsRows: WsRow[] = [];
  if (only === undefined || only === 'ws') {
    const key = makeKey('bench-ws-key');
    // Repeats interleave the rates, so that a noisy stretch of the machine hits each rate once.
    for (let r = 0; r < settings.repeat; r++) {
      for (const rate of rates) {
        process.stderr.write(`ws: offered ${f0(rate)}/s over ${settings.markets} markets, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s (run ${r + 1}/${settings.repeat})…\n`);
        wsRows.push(await wsThroughput(key, rate, { markets: settings.markets, seed: settings.seed, warmupMs: settings.warmupSeconds * 1000, windowMs: settings.seconds * 1000, profileDir }));
      }
    }
    console.log('\nWebSocket orderbook_delta throughput, one client (per second unless stated)');
    console.table(
      wsRows.map((r) => ({
        offered: f0(r.offeredPerSecond),
        'engine made': f0(r.generatedPerSecond),
        delivered: f0(r.deliveredPerSecond),
        'min 1 s': f0(r.deliveredMinPerSecond),
        'max 1 s': f0(r.deliveredMaxPerSecond),
        'MB/s': f1(r.megabytesPerSecond),
        gaps: r.gaps,
        dups: r.duplicates,
        errors: r.errors.length,
        'server CPU %': f1(r.serverCpuPercent),
        'of which kernel': f1(r.serverSysPercent),
        'client CPU %': f1(r.clientCpuPercent),
        'resting syn. orders': f0(r.syntheticOrders),
        'heap MiB': f0(r.serverHeapUsedMiB),
      })),
    );
    if (settings.repeat > 1) {
      console.log('\nDelivered per second over the runs of each offered rate');
      console.table(
        rates.map((rate) => {
          const d = wsRows.filter((r) => r.offeredPerSecond === rate).map((r) => r.deliveredPerSecond).sort((a, b) => a - b);
          return { offered: f0(rate), runs: d.length, worst: f0(d[0]), median: f0(d[Math.floor((d.length - 1) / 2)]), best: f0(d[d.length - 1]) };
        }),
      );
    }
  }

  let rest: { rows: RestRow[]; ticker: string } | undefined;
  if (only === undefined || only === 'rest') {
    rest = await restBench({
      keys: settings.keys, orders: settings.orders, warmup: settings.warmupOrders, markets: settings.restMarkets, seed: settings.seed,
      rate: settings.restRate, pacedRate: settings.pacedRate, clients: settings.clients, profileDir,
    });
    console.log(`\nREST round trip, sequential, one keep-alive connection, µs (${settings.orders} after ${settings.warmupOrders} warm-up)`);
    console.table(
      rest.rows.map((r) => ({
        client: r.client,
        request: r.request,
        keys: r.keys,
        pacing: r.pacedPerSecond > 0 ? `${r.pacedPerSecond}/s` : 'back to back',
        p50: f1(r.p50Us),
        p90: f1(r.p90Us),
        p99: f1(r.p99Us),
        max: f0(r.maxUs),
        mean: f1(r.meanUs),
        'req/s': f0(r.achievedPerSecond),
        'server CPU µs/req': f1(r.serverCpuUsPerRequest),
        'of which kernel': f1(r.serverSysUsPerRequest),
        'client CPU µs/req': f1(r.clientCpuUsPerRequest),
        unexpected: Object.entries(r.unexpected).map(([s, n]) => `${s}×${n}`).join(' ') || '-',
      })),
    );
  }

  const report = {
    date,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    settings,
    stages: stageRows,
    ws: wsRows,
    rest: rest?.rows ?? [],
    restTicker: rest?.ticker,
    targets: {
      wsDeliveredPerSecond: 300_000,
      restCreateOrderP50Us: 200,
    },
  };
  const out = values.out ?? join(here, '..', 'results', `sim-${date.replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2) + '\n');
  process.stderr.write(`wrote ${out}${profileDir ? `; profiles in ${profileDir}` : ''}\n`);
}

main().catch((err: unknown) => {
  console.error(`bench:sim failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
