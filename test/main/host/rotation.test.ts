/**
 * Market rotation end to end, in both topologies: the simulator closes some of the host's markets
 * during the run (`close-early`), and the host — trading fewer markets than the simulator has
 * open — replaces each in a new slot: the replacement's book is subscribed and turns fresh, the
 * host decides on it (decision journal records carry the new tickers), no slot is ever reused,
 * orders are keyed to the right slot, and once every slot is used one line says so and nothing
 * more is added.
 */
import { describe, expect, it } from 'vitest';
import { MemoryJournal } from '../../../src/shared/journal.js';
import { loadConfig } from '../../../src/main/config/load.js';
import { startHost, type Host } from '../../../src/main/host/host.js';
import { startSimulator } from '../../../src/sim/simulator.js';
import { makeKey } from '../../support/sim-client.js';
import { until, venueOf } from '../../support/host-fixtures.js';



// --min-time-to-close-s 900 keeps the simulator's short-lived markets (closing 1–10 min after its
// start) out of the selection, so no market winds down by itself during the test: only the
// closes the test injects retire markets.
const MAX_MARKETS = 3;
const SLOTS = 6;

describe.each(['inline', 'threaded'] as const)('market rotation, %s topology', (topology) => {
  it('replaces closed markets in new slots, decides on the replacements, and stops adding once every slot is used', async () => {
    const key = makeKey(`rotation-${topology}`);
    const sim = await startSimulator({ keys: [key], port: 0, markets: 40, rate: 2000, seed: 29, tier: 'prestige' });
    const lines: string[] = [];
    const journal = new MemoryJournal(1_000_000);
    let host: Host | undefined;
    try {
      const config = loadConfig([
        '--topology', topology, '--market-data-workers', '2', '--inference-workers', '2',
        '--policy', 'hardcoded', '--price-mode', 'aggressive', '--throttle-ms', '100', '--contract-size', '1',
        '--max-markets', String(MAX_MARKETS), '--market-slots', String(SLOTS), '--rediscover-s', '1',
        '--min-time-to-close-s', '900', '--max-spread', '10000', '--group-limit', '100000', '--status-interval-s', '3600',
        '--cash-reserve', '10.00',
      ], {});
      const h = (host = await startHost({ config, log: (l) => lines.push(l), venue: venueOf(sim, key), journal }));
      const rotation = () => h.rotation()!;
      const slots = () => rotation().slots;
      const live = () => slots().filter((s) => s.phase === 'live').map((s) => s.ticker);
      const decided = (ticker: string) => journal.records('decision').some((r) => r.market_ticker === ticker);
      const fresh = () => h.totals().staleBooks === 0;

      expect(rotation().capacity).toBe(SLOTS);
      expect(slots().map((s) => s.index)).toEqual([0, 1, 2]);
      const initial = slots().map((s) => s.ticker);
      await until(() => fresh() && initial.every(decided), 'the first markets fresh and decided on');

      // 1. One market closes: a replacement in slot 3.
      sim.control.inject(`close-early:${initial[0]}`);
      await until(() => slots().length === 4 && live().length === MAX_MARKETS, 'a replacement for the first market that closed');
      const first = slots()[3];
      expect(first.ticker).not.toBe(initial[0]);
      expect(initial).not.toContain(first.ticker);
      expect(slots()[0]).toMatchObject({ ticker: initial[0], phase: 'closed' });
      await until(() => fresh() && h.totals().markets === MAX_MARKETS && decided(first.ticker), `${first.ticker} fresh and decided on`);

      // 2. Two more close at once: both replaced, in slots 4 and 5.
      sim.control.inject(`close-early:${initial[1]}`);
      sim.control.inject(`close-early:${initial[2]}`);
      await until(() => slots().length === SLOTS && live().length === MAX_MARKETS, 'replacements for two more markets');
      const added = slots().slice(3).map((s) => s.ticker);
      await until(() => fresh() && h.totals().markets === MAX_MARKETS && added.every(decided), 'every replacement fresh and decided on');

      // 3. Every slot used: the next market that closes is not replaced, and one line says so.
      sim.control.inject(`close-early:${first.ticker}`);
      await until(() => lines.some((l) => l.includes(`all ${SLOTS} market slots are used`)), 'the capacity line');
      const exhausted = rotation().counters.exhausted;
      await until(() => rotation().counters.exhausted >= exhausted + 2, 'periodic requests after the capacity ran out');
      expect(slots()).toHaveLength(SLOTS);
      expect(live()).toHaveLength(MAX_MARKETS - 1);
      expect(lines.filter((l) => l.includes('market slots are used'))).toHaveLength(1);
      await until(() => fresh() && h.totals().markets === MAX_MARKETS - 1, 'the closed markets out of the book count');

      // Slots: one ticker each, never reused; the host's market table agrees.
      const all = slots();
      expect(all.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(new Set(all.map((s) => s.ticker)).size).toBe(SLOTS);
      expect(all.map((s) => s.phase)).toEqual(['closed', 'closed', 'closed', 'closed', 'live', 'live']);
      expect(h.markets.map((m) => m.ticker)).toEqual(all.map((s) => s.ticker));
      expect(rotation().counters).toMatchObject({ added: 3, failed: 0 });

      await h.stop('test');
      expect(lines.at(-1)).toBe('stopped');
      // Orders went out for the slot their ticker holds.
      const sent = journal.records('order_event').filter((r) => r.event === 'sent' && typeof r.market === 'number');
      expect(sent.length).toBeGreaterThan(0);
      for (const r of sent) expect(r.market_ticker, `order for slot ${r.market as number}`).toBe(all[r.market as number].ticker);
      // Decisions: on the replacements too, and always under the slot's own ticker.
      const decisions = journal.records('decision');
      for (const t of added) expect(decisions.some((r) => r.market_ticker === t), t).toBe(true);
      expect(decisions.every((r) => typeof r.market_ticker === 'string' && all.some((s) => s.ticker === r.market_ticker))).toBe(true);
      expect(sim.exchange.listOrders(key.keyId).filter((o) => o.status === 'resting')).toEqual([]);
    } finally {
      await host?.stop('test');
      await sim.close();
    }
  });
});
