/**
 * The exchange simulator under benchmark, as the entry module of a child process of its own
 * (forked by `SimProcess`, ./sim-process.ts), so that the host under test and the simulator
 * never share an event loop or a CPU-time figure. `kalshi-actor bench`, `npm run bench:sim`
 * (bench/sim/run.ts) and the REST transport micro-benchmark all run the simulator this way.
 *
 * Protocol (Node IPC, JSON-serialised):
 *   argv[2]   one JSON `SimChildConfig`
 *   → parent  `{type:'ready', port, restUrl, wsUrl}` once listening, or
 *             `{type:'failed', message}` (and one stderr line, exit code 1) if start-up failed
 *   ← parent  `{type:'stats'}`  → `{type:'stats', …SimStats}`
 *   ← parent  `{type:'liquidity', running}` → the synthetic participants stopped or restarted,
 *             answered `{type:'liquidity', running}` (stopped: the books stand still)
 *   ← parent  `{type:'inject', fault}` → a fault now (src/sim/faults.ts syntax, e.g. `gap`), answered
 *             `{type:'injected', error?}`
 *   ← parent  `{type:'watch', tickers}` → from now on `watchedChanges` counts the book changes of
 *             these markets only (the host's), answered `{type:'watching', markets, unknown}`
 *   ← parent  `{type:'stop'}`   → closes the simulator, exits 0
 * IPC disconnect (the parent died or let go), SIGTERM and SIGINT stop it the same way, so the
 * child never outlives its parent.
 *
 * Import only types from this module: importing it for its values would start a simulator.
 */
import { startSimulator, type Simulator } from '../../sim/simulator.js';
import type { SimKey } from '../../sim/options.js';
import { TIER_BUDGETS, type UsageTier } from '../../shared/rate-budgets.js';

export interface SimChildConfig {
  keys: SimKey[];
  /** Markets listed by the simulator, ≥ 1. */
  markets: number;
  /** Synthetic book messages per second across all markets (0: books stand still). */
  rate: number;
  seed: number;
  tier: UsageTier;
  /** Starting cash of each key's account, µ$ (an integer, never a float). */
  balance: number;
  /** Start with the synthetic participants stopped (books seeded, standing still) until `liquidity`. */
  paused?: boolean;
}

/** The simulator process's figures; all cumulative since the child started. */
export interface SimStats {
  /** process.cpuUsage() of the child, µs. */
  cpuUserUs: number;
  cpuSystemUs: number;
  /** The child's process.hrtime.bigint() when it answered, ns, as decimal text (exact beyond 2^53). */
  hrtimeNs: string;
  /** Book changes (deltas) the engine has made, counted by one extra engine listener. */
  bookChanges: number;
  /** Book changes in the markets of the last `watch` (0 before one). */
  watchedChanges: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Open WebSocket connections. */
  connections: number;
  /** Resting orders of the synthetic participants, all markets (a walk over the markets: for reports, not for a loop). */
  syntheticOrders: number;
}

export type SimChildRequest =
  | { type: 'stats' }
  | { type: 'stop' }
  | { type: 'liquidity'; running: boolean }
  | { type: 'watch'; tickers: string[] }
  | { type: 'inject'; fault: string };

export type SimChildMessage =
  | { type: 'ready'; port: number; restUrl: string; wsUrl: string }
  | { type: 'failed'; message: string }
  | ({ type: 'stats' } & SimStats)
  | { type: 'liquidity'; running: boolean }
  | { type: 'watching'; markets: number; unknown: string[] }
  | { type: 'injected'; error?: string };

/** Checks the config's shape; throws an Error naming the bad field. */
function checkConfig(c: unknown): SimChildConfig {
  if (typeof c !== 'object' || c === null) throw new Error('config is not an object');
  const o = c as Record<string, unknown>;
  const int = (name: string, min: number): void => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new Error(`config.${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  };
  if (!Array.isArray(o.keys) || o.keys.length === 0) throw new Error('config.keys: the simulator needs at least one API key');
  for (const k of o.keys as unknown[]) {
    const key = k as Partial<SimKey> | null;
    if (typeof key?.keyId !== 'string' || typeof key.publicKeyPem !== 'string') throw new Error('config.keys: each key needs a keyId and a publicKeyPem');
  }
  int('markets', 1);
  int('rate', 0);
  int('seed', 0);
  int('balance', 0);
  if (typeof o.tier !== 'string' || !Object.hasOwn(TIER_BUDGETS, o.tier)) throw new Error(`config.tier: unknown usage tier ${JSON.stringify(o.tier)}`);
  return o as unknown as SimChildConfig;
}

function send(m: SimChildMessage, then?: () => void): void {
  if (process.send === undefined || !process.connected) {
    then?.();
    return;
  }
  process.send(m, undefined, undefined, () => then?.());
}

async function main(): Promise<void> {
  if (process.send === undefined) throw new Error('run by SimProcess (needs an IPC channel and a JSON config argument)');
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('no config argument');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('the config argument is not JSON');
  }
  const config = checkConfig(parsed);

  let sim: Simulator | undefined;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void (sim?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  // Registered before the (slow) start so that a parent gone meanwhile still stops us.
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  sim = await startSimulator({
    keys: config.keys,
    port: 0,
    markets: config.markets,
    rate: config.rate,
    seed: config.seed,
    tier: config.tier,
    balance: config.balance,
  });
  if (stopping) {
    await sim.close();
    return;
  }
  const running = sim;
  if (config.paused === true) running.control.setLiquidity(false);
  let bookChanges = 0;
  let watchedChanges = 0;
  /** By market index: 1 when watched. */
  let watched = new Uint8Array(0);
  running.exchange.addListener({
    bookDelta: (market) => {
      bookChanges++;
      if (watched[market.index] === 1) watchedChanges++;
    },
  });
  process.on('message', (m: SimChildRequest) => {
    if (m?.type === 'stats') {
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      let syntheticOrders = 0;
      for (const x of running.exchange.markets()) syntheticOrders += running.exchange.syntheticOrders(x.index).length;
      send({
        type: 'stats', cpuUserUs: cpu.user, cpuSystemUs: cpu.system, hrtimeNs: process.hrtime.bigint().toString(), bookChanges, watchedChanges,
        rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, connections: running.control.connections(), syntheticOrders,
      });
    } else if (m?.type === 'stop') {
      stop();
    } else if (m?.type === 'liquidity') {
      running.control.setLiquidity(m.running === true);
      send({ type: 'liquidity', running: m.running === true });
    } else if (m?.type === 'inject') {
      try {
        running.control.inject(String(m.fault));
        send({ type: 'injected' });
      } catch (err) {
        send({ type: 'injected', error: (err instanceof Error ? err.message : String(err)).split('\n')[0] });
      }
    } else if (m?.type === 'watch') {
      const byTicker = new Map(running.exchange.markets().map((x) => [x.ticker, x.index]));
      const next = new Uint8Array(byTicker.size);
      const unknown: string[] = [];
      for (const t of Array.isArray(m.tickers) ? m.tickers : []) {
        const i = byTicker.get(t);
        if (i === undefined) unknown.push(t);
        else next[i] = 1;
      }
      watched = next;
      watchedChanges = 0;
      send({ type: 'watching', markets: next.reduce((a, b) => a + b, 0), unknown: unknown.slice(0, 20) });
    }
  });
  send({ type: 'ready', port: running.port, restUrl: running.restUrl, wsUrl: running.wsUrl });
}

main().catch((err: unknown) => {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  process.stderr.write(`sim-child: ${message}\n`);
  // Tell the parent why before leaving (stderr is not captured by it); exit even if the send hangs.
  setTimeout(() => process.exit(1), 1000).unref();
  send({ type: 'failed', message }, () => process.exit(1));
});
