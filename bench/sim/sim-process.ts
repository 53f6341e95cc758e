/**
 * The simulator under benchmark, in a process of its own (so that the benchmark client and the
 * server do not share one event loop): `bench/sim/run.ts` forks this file with tsx's loader and
 * talks to it over the IPC channel.
 *
 * Settings arrive as one JSON argument (`SimProcessConfig`). Once listening it sends
 * `{type:'ready', port, restUrl, wsUrl}` (and prints a `ready` line, for a human running it by
 * hand). It answers `{type:'stats'}` with its CPU time (process.cpuUsage, µs), its wall clock
 * (hrtime, ns), the number of book changes the engine has made so far (counted by one extra
 * engine listener, a few nanoseconds per change), its memory and the resting synthetic orders. `{type:'stop'}` closes the simulator and exits
 * normally, so that `node --cpu-prof` writes its profile.
 */
import { startSimulator } from '../../src/sim/simulator.js';
import type { SimKey } from '../../src/sim/options.js';
import type { UsageTier } from '../../src/shared/rate-budgets.js';

export interface SimProcessConfig {
  keys: SimKey[];
  markets: number;
  rate: number;
  seed: number;
  tier: UsageTier;
  /** µ$ per account. */
  balance: number;
}

export type SimProcessRequest = { type: 'stats' } | { type: 'stop' };

export type SimProcessMessage =
  | { type: 'ready'; port: number; restUrl: string; wsUrl: string }
  | { type: 'stats'; cpuUserUs: number; cpuSystemUs: number; hrtimeNs: string; bookChanges: number; rssBytes: number; heapUsedBytes: number; syntheticOrders: number };

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (raw === undefined || process.send === undefined) throw new Error('sim-process: run by bench/sim/run.ts (a JSON config argument and an IPC channel)');
  const config = JSON.parse(raw) as SimProcessConfig;
  const sim = await startSimulator({
    keys: config.keys,
    port: 0,
    markets: config.markets,
    rate: config.rate,
    seed: config.seed,
    tier: config.tier,
    balance: config.balance,
  });
  let bookChanges = 0;
  sim.exchange.addListener({
    bookDelta: () => {
      bookChanges++;
    },
  });
  const send = (m: SimProcessMessage): void => {
    process.send!(m);
  };
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await sim.close();
    process.exit(0);
  };
  process.on('message', (m: SimProcessRequest) => {
    if (m.type === 'stats') {
      const cpu = process.cpuUsage();
      let syntheticOrders = 0;
      for (const m of sim.exchange.markets()) syntheticOrders += sim.exchange.syntheticOrders(m.index).length;
      const mem = process.memoryUsage();
      send({
        type: 'stats', cpuUserUs: cpu.user, cpuSystemUs: cpu.system, hrtimeNs: process.hrtime.bigint().toString(), bookChanges,
        rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, syntheticOrders,
      });
    } else if (m.type === 'stop') {
      void stop();
    }
  });
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  console.log(`ready: ${config.markets} markets, ${config.rate} book messages/s, port ${sim.port}`);
  send({ type: 'ready', port: sim.port, restUrl: sim.restUrl, wsUrl: sim.wsUrl });
}

main().catch((err: unknown) => {
  console.error(`sim-process: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
