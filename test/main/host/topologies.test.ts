/**
 * `--topology threaded` and `--topology inline` run the same stage functions: against two
 * simulators with one seed (manual clock, so the book stream is the same frame for frame), the
 * two hosts take the same decision whenever they decide on the same book (market, version).
 *
 * Decisions, not orders, are compared: the policy here is a small MLP that reads only the order
 * book features (its weights on history, portfolio and time features are zero), so its action is
 * a function of the book alone; `--max-exposure 0` keeps every order off the exchange so the
 * hosts' own orders cannot make the two streams differ. Coalescing legitimately differs between
 * topologies (a burst may become one decision on one and two on the other), so the comparison is
 * on the (market, version) pairs both decided — which always include the last version of every
 * market a step changed, as the test waits for the hosts to settle after each step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryJournal } from '../../../src/shared/journal.js';
import { loadConfig } from '../../../src/main/config/load.js';
import { startHost } from '../../../src/main/host/host.js';
import { startSimulator } from '../../../src/sim/simulator.js';
import { makeKey } from '../../support/sim-client.js';
import { bookOnlyModel, until, venueOf } from '../../support/host-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'kalshi-actor-topo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));



/** Wait until `count()` has not moved for `quietMs`. */
async function settled(count: () => number, quietMs: number): Promise<void> {
  let last = -1;
  let since = Date.now();
  await until(() => {
    const n = count();
    if (n !== last) {
      last = n;
      since = Date.now();
    }
    return Date.now() - since >= quietMs;
  }, 'the host to settle');
}

async function decisions(topology: 'inline' | 'threaded', model: string): Promise<Map<string, string>> {
  const key = makeKey(`topo-${topology}`);
  const sim = await startSimulator({ keys: [key], port: 0, markets: 30, rate: 1000, seed: 23, manualClock: true, tier: 'prestige' });
  const journal = new MemoryJournal(1_000_000);
  try {
    const config = loadConfig(['--topology', topology, '--policy', `mlp:${model}`, '--max-exposure', '0', '--max-markets', '10', '--max-spread', '10000', '--min-time-to-close-s', '60', '--status-interval-s', '3600'], {});
    const host = await startHost({
      config, log: () => undefined, journal,
      venue: venueOf(sim, key),
    });
    await until(() => host.totals().staleBooks === 0, 'every book snapshotted');
    const count = () => journal.records('decision').length;
    await settled(count, 600);
    for (let i = 0; i < 12; i++) {
      sim.control.step(25);
      await settled(count, 600);
    }
    await host.stop('test');
    const out = new Map<string, string>();
    for (const r of journal.records('decision')) out.set(`${r.market_ticker as string}@${r.book_version as number}`, r.action as string);
    return out;
  } finally {
    await sim.close();
  }
}

describe('topologies', () => {
  it('threaded and inline take the same decisions on the same book stream', async () => {
    const model = bookOnlyModel(dir);
    const inline = await decisions('inline', model);
    const threaded = await decisions('threaded', model);
    const common = [...inline.keys()].filter((k) => threaded.has(k));
    expect(common.length).toBeGreaterThanOrEqual(40);
    for (const k of common) expect(threaded.get(k), k).toBe(inline.get(k));
    expect(new Set(common.map((k) => inline.get(k))).size).toBeGreaterThanOrEqual(2); // a policy that actually varies
  }, 120_000);
});
