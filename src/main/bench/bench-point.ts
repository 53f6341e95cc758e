/**
 * One point of `kalshi-actor bench`: the simulator in its own process at an offered rate of book
 * messages over N markets, the host trading all of them in one topology, open loop.
 *
 *   1. The simulator starts with its synthetic participants stopped (books seeded, standing
 *      still); the host starts on it (calibration, subscriptions, snapshots) and must reach
 *      TRADING with every book fresh.
 *   2. The simulator counts the book changes of the host's markets from here (`watch`). Once
 *      neither side moves, the counts of both are taken: the baseline of the loss check.
 *   3. Liquidity on: warm-up, then the measured window (a host measure at each edge: every
 *      stage's histogram asked of its thread then).
 *   4. Liquidity off; the host is given time to apply what was sent. Every change the simulator
 *      made in the host's markets since the baseline must have reached a book: the shortfall
 *      after the drain, plus sequence gaps and resubscriptions, are the lost updates.
 *   5. The host stops (resting orders cancelled), the simulator stops (a data dir of its own goes).
 *
 * The offered rate is the simulator's: it generates changes on its own clock whatever the host
 * does (open loop), so a host that falls behind shows as queueing in the figures, a backlog,
 * and — past the simulator's 64 MiB per-connection buffer — error 25 and resubscriptions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { KalshiCredentials } from '../../shared/kalshi-signing.js';
import { loadConfig } from '../config/load.js';
import { startHost, type Host } from '../host/host.js';
import type { HostMeasure } from '../host/host-measure.js';
import type { Venue } from '../host/venue.js';
import type { PathName, PointResult, Topology } from './bench-types.js';
import { hostWindow } from './host-window.js';
import { SimProcess } from './sim-process.js';
import { judgePoint } from './sweep.js';

export interface PointSettings {
  topology: Topology;
  markets: number;
  /** Book messages per second, all markets together. */
  rate: number;
  seconds: number;
  warmupS: number;
  key: { keyId: string; privateKey: KeyObject; publicKeyPem: string };
  seed: number;
  /**
   * The host's data dir (its PGlite journal unless `--db` is among `hostArgs`). One per run, shared
   * by its points, so that only the first pays PGlite's initdb; undefined: a temporary one for this point.
   */
  dataDir?: string;
  /** Host settings (flags as on `kalshi-actor run`), after the bench's own defaults. */
  hostArgs: readonly string[];
  budget: { path: PathName; p99Us: number };
  /** Called about once a second during warm-up and window. */
  onTick?: (phase: 'warm-up' | 'window' | 'drain', elapsedS: number, line: string) => void;
  /** Host log lines (status, calibration, warnings). */
  log?: (line: string) => void;
  /** Start-up limit for the host to reach TRADING with fresh books, s. */
  startTimeoutS?: number;
  /** Called once the measured window has begun (tests: inject a simulator fault). */
  onWindow?: (sim: SimProcess) => Promise<void>;
}

/** The simulator's cash per account: enough that cash never stops a benchmark, µ$ ($10,000,000). */
const SIM_BALANCE = 10_000_000_000_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The bench's host settings, before the user's: spread-capture trades, no status lines, no dashboard, no per-decision journal rows. */
export function benchHostArgs(s: Pick<PointSettings, 'topology'>, dataDir: string, tickers: readonly string[]): string[] {
  return [
    '--topology', s.topology,
    '--markets', tickers.join(','),
    '--policy', 'spread-capture',
    '--data-dir', dataDir,
    '--dashboard-port', '0',
    '--status-interval-s', '3600',
    '--no-journal-decisions',
    '--max-exposure', '5000000.00',
    '--max-position', '100000',
  ];
}

/** Every active market's ticker, through GET /markets' cursor pages. */
async function activeTickers(restUrl: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '';
  do {
    const res = await fetch(`${restUrl}/markets?limit=1000${cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    if (res.status !== 200) throw new Error(`simulator GET /markets: HTTP ${res.status}`);
    const page = (await res.json()) as { markets: Array<{ ticker: string; status: string }>; cursor?: string };
    for (const m of page.markets) if (m.status === 'active') out.push(m.ticker);
    cursor = page.cursor ?? '';
  } while (cursor !== '');
  return out;
}

/** Poll `probe` every `everyMs` until `ok`, or throw `what` after `timeoutMs`. */
async function until<T>(probe: () => T | Promise<T>, ok: (t: T) => boolean, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await probe();
    if (ok(t)) return t;
    if (Date.now() > deadline) throw new Error(`bench: ${what} (waited ${Math.round(timeoutMs / 1000)} s)`);
    await sleep(everyMs);
  }
}

const deltasOf = (m: HostMeasure) => m.marketData.reduce((a, s) => a + s.books.deltas, 0);

export async function runPoint(s: PointSettings): Promise<PointResult> {
  const log = s.log ?? (() => undefined);
  const startedAt = process.hrtime.bigint();
  const sim = await SimProcess.start({
    keys: [{ keyId: s.key.keyId, publicKeyPem: s.key.publicKeyPem }],
    markets: s.markets, rate: s.rate, seed: s.seed, tier: 'prestige', balance: SIM_BALANCE, paused: true,
  });
  const ownDir = s.dataDir === undefined;
  const dataDir = s.dataDir ?? (await mkdtemp(join(tmpdir(), 'kalshi-actor-bench-')));
  let host: Host | undefined;
  try {
    const tickers = await activeTickers(sim.restUrl);
    if (tickers.length === 0) throw new Error('bench: the simulator lists no active market');
    const config = loadConfig([...benchHostArgs(s, dataDir, tickers), ...s.hostArgs], {});
    const venue: Venue = {
      name: 'sim', restUrl: sim.restUrl, wsUrl: sim.wsUrl,
      credentials: new KalshiCredentials(s.key.keyId, s.key.privateKey), privateKey: s.key.privateKey,
      close: async () => undefined,
    };
    host = await startHost({ config, log, venue });
    const h = host;
    const startTimeoutMs = (s.startTimeoutS ?? 180) * 1000;
    await until(() => h.supervisor()?.state, (st) => st === 'trading', startTimeoutMs, 'the host did not reach TRADING');
    await until(() => h.totals(), (t) => t.staleBooks === 0, startTimeoutMs, 'the host\'s books did not all become fresh');
    const watching = await sim.watch(h.markets.map((m) => m.ticker));
    if (watching.markets !== h.markets.length) throw new Error(`bench: the simulator knows ${watching.markets} of the host's ${h.markets.length} markets`);

    // Baseline: both sides still (the host may still be placing its first orders, which move books).
    let base = { sim: await sim.stats(), host: await h.measure() };
    await until(async () => {
      const next = { sim: await sim.stats(), host: await h.measure() };
      const still = next.sim.watchedChanges === base.sim.watchedChanges && deltasOf(next.host) === deltasOf(base.host);
      base = next;
      return still;
    }, (still) => still, 30_000, 'the books did not come to rest with liquidity off', 250);
    const startSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;

    await sim.setLiquidity(true);
    const t0 = Date.now();
    for (let i = 1; i <= s.warmupS; i++) {
      await sleep(Math.max(0, t0 + i * 1000 - Date.now()));
      s.onTick?.('warm-up', i, `warming up: ${h.totals().bookMessages.toLocaleString('en-US')} book messages so far`);
    }
    const simA = await sim.stats();
    const hostA = await h.measure();
    const w0 = Date.now();
    await s.onWindow?.(sim);
    let prev = { at: w0, msgs: deltasOf(hostA) };
    for (let i = 1; i <= s.seconds; i++) {
      await sleep(Math.max(0, w0 + i * 1000 - Date.now()));
      const t = h.totals(); // the threads' once-a-second stats: good enough for a progress line
      const now = Date.now();
      const rate = ((t.bookMessages - prev.msgs) * 1000) / Math.max(1, now - prev.at);
      prev = { at: now, msgs: t.bookMessages };
      s.onTick?.('window', i, `msgs/s ${Math.round(rate).toLocaleString('en-US')} | decisions ${t.decisions.toLocaleString('en-US')} | orders ${t.ordersSent.toLocaleString('en-US')}`);
    }
    const hostB = await h.measure();
    const simB = await sim.stats();
    await sim.setLiquidity(false);
    const simP = await sim.stats();
    const sent = simP.watchedChanges; // every change since `watch`, baseline included
    const backlogAtEnd = Math.max(0, simB.watchedChanges - base.sim.watchedChanges - (deltasOf(hostB) - deltasOf(base.host)));
    // Drain: the host applies what is still on its way. A lost update never arrives, so the wait
    // ends once the host has caught up, or has applied nothing for 1 s, or after 10 s.
    const d0 = Date.now();
    let progress = { at: d0, deltas: -1 };
    const drained = await until(() => h.measure(), (m) => {
      const now = Date.now();
      if (deltasOf(m) !== progress.deltas) progress = { at: now, deltas: deltasOf(m) };
      return deltasOf(m) - deltasOf(base.host) >= sent - base.sim.watchedChanges || now - progress.at > 1_000 || now - d0 > 10_000;
    }, 15_000, 'drain', 100);
    s.onTick?.('drain', (Date.now() - d0) / 1000, 'drained');
    const backlogAfterDrain = Math.max(0, sent - base.sim.watchedChanges - (deltasOf(drained) - deltasOf(base.host)));

    const w = hostWindow(hostA, hostB);
    const whole = hostWindow(base.host, drained);
    const generated = simB.watchedChanges - simA.watchedChanges;
    const gaps = whole.gaps + whole.resyncs + whole.reconnects;
    const point: Omit<PointResult, 'sustained' | 'shortfalls'> = {
      topology: s.topology,
      markets: h.markets.length,
      offeredRate: s.rate,
      seconds: w.seconds,
      generated,
      generatedRate: generated / w.seconds,
      delivered: w.delivered,
      deliveredRate: w.delivered / w.seconds,
      lostUpdates: gaps + backlogAfterDrain,
      gaps,
      backlogAtEnd,
      backlogAfterDrain,
      decisions: w.decisions,
      intents: w.intents,
      intentsDropped: w.intentsDropped,
      ordersSent: w.ordersSent,
      ordersAcked: w.ordersAcked,
      orderMix: w.orderMix,
      presign: w.presign,
      stages: w.stages,
      paths: w.paths,
      memory: hostB.memory,
      cpu: {
        hostUs: w.cpuUs,
        perMessageUs: w.delivered > 0 ? w.cpuUs / w.delivered : Number.NaN,
        simUs: simB.cpuUserUs + simB.cpuSystemUs - simA.cpuUserUs - simA.cpuSystemUs,
      },
      startSeconds,
      budget: s.budget,
    };
    if (hostA.late.length + hostB.late.length > 0) log(`bench: late stats from ${[...new Set([...hostA.late, ...hostB.late])].join(', ')} (their last periodic copies were used)`);
    return { ...point, ...judgePoint(point, { p99BudgetUs: s.budget.p99Us }) };
  } finally {
    await host?.stop('bench point done').catch((err: unknown) => log(`bench: host stop failed: ${err instanceof Error ? err.message : String(err)}`));
    await sim.stop();
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  }
}
