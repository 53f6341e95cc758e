/**
 * The host end to end against the simulator, in both topologies: it trades, logs status lines,
 * stops cleanly (resting orders cancelled), and its computed cash and positions equal the
 * exchange's to the micro-dollar.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal } from '../../../src/main/store/open-journal.js';
import { loadConfig } from '../../../src/main/config/load.js';
import { startHost } from '../../../src/main/host/host.js';
import { startSimulator } from '../../../src/sim/simulator.js';
import { makeKey } from '../../support/sim-client.js';
import { until, venueOf } from '../../support/host-fixtures.js';



describe.each(['inline', 'threaded'] as const)('host, %s topology', (topology) => {
  it('trades, stops cleanly, and ends equal to the exchange to the micro-dollar', async () => {
    const key = makeKey(`host-${topology}`);
    const sim = await startSimulator({ keys: [key], port: 0, markets: 40, rate: 3000, seed: 17, tier: 'prestige' });
    const lines: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'kalshi-actor-host-'));
    try {
      const config = loadConfig([
        '--data-dir', dataDir, '--record-market-data',
        '--topology', topology, '--policy', 'hardcoded', '--price-mode', 'aggressive', '--throttle-ms', '20',
        '--contract-size', '1', '--max-markets', '8', '--max-position', '20', '--min-time-to-close-s', '300',
        '--max-spread', '10000', '--group-limit', '100000', '--status-interval-s', '1', '--cash-reserve', '10.00',
      ], {});
      const host = await startHost({ config, log: (l) => lines.push(l), venue: venueOf(sim, key) });
      expect(host.markets.length).toBeGreaterThan(0);
      expect(host.markets.length).toBeLessThanOrEqual(8);
      await until(() => (host.execution()?.fills ?? 0) >= 15, '15 fills');
      await until(() => lines.some((l) => /^markets \d+\/\d+ \| msgs\/s \d+ \| decisions\/s \d+ \| orders \d+ \| fills \d+ \| cash \$[\d.]+ \| positions \d+ \| pnl /.test(l)), 'a status line');
      await host.stop('test');
      expect(lines.at(-1)).toBe('stopped');
      expect(lines.some((l) => l.startsWith('session: decisions '))).toBe(true);

      const stats = host.execution()!.stats;
      const account = sim.exchange.account(key.keyId)!;
      expect(sim.exchange.listOrders(key.keyId).filter((o) => o.status === 'resting')).toEqual([]);
      expect(stats.cash).toBe(account.cash); // nothing reserved once every resting order is cancelled
      let traded = 0;
      for (const [i, m] of host.markets.entries()) {
        const simIndex = sim.exchange.market(m.ticker)!.index;
        const exchangeSide = account.positions.get(simIndex);
        const ours = stats.positions.find((p) => p.market === i);
        expect(ours?.position ?? 0, m.ticker).toBe(exchangeSide?.position ?? 0);
        expect(ours?.costBasis ?? 0, m.ticker).toBe(exchangeSide?.exposure ?? 0);
        expect(ours?.realizedPnl ?? 0, m.ticker).toBe(exchangeSide?.realizedPnl ?? 0);
        expect(ours?.feesPaid ?? 0, m.ticker).toBe(exchangeSide?.feesPaid ?? 0);
        if ((exchangeSide?.volume ?? 0) > 0) traded++;
      }
      expect(traded).toBeGreaterThan(1);
      expect(stats.orders.sent).toBeGreaterThan(0);
      expect(stats.orders.unknown).toBe(0);
      // Every hop stamped on one monotonic clock across the threads: ring wait and the whole path.
      expect(stats.latency.queueWait.total).toBeGreaterThan(0);
      expect(stats.latency.receiveToWire.total).toBeGreaterThan(0);
      expect(stats.latency.receiveToWire.maxNs).toBeLessThan(60e9);
      // Threaded, order creations go out with signatures the signer thread made ahead (and the
      // simulator, which verifies every one, accepted them); inline has no pool.
      if (topology === 'threaded') {
        expect(stats.presign?.hits).toBeGreaterThan(0);
        expect(stats.presign!.hits + stats.presign!.misses).toBeLessThanOrEqual(stats.requests.place.sent + stats.requests.place.notSent);
        expect(lines.some((l) => / \| pre-signed signatures used \d+, missed \d+ \(signed inline\)/.test(l))).toBe(true);
      } else {
        expect(stats.presign).toBeUndefined();
      }

      // The journal the host opened itself (PGlite under --data-dir): the session, its markets,
      // its decisions and its recorded book changes are there, nothing was refused or dropped.
      const journalLine = lines.find((l) => l.startsWith('journal: '))!;
      expect(journalLine).toMatch(/^journal: \d+ rows written \(pglite\), 0 refused, 0 spilled, 0 dropped$/);
      const db = await openJournal({ dataDir, spillDir: null });
      try {
        const count = async (sql: string) => Number((await db.query<{ n: string | number }>(sql, [host.sessionId]))[0].n);
        expect(await count('SELECT count(*) AS n FROM sessions WHERE session_id = $1 AND ended_ms IS NOT NULL')).toBe(1);
        expect(await count('SELECT count(*) AS n FROM decisions WHERE session_id = $1')).toBeGreaterThan(0);
        expect(await count('SELECT count(*) AS n FROM market_data WHERE session_id = $1')).toBeGreaterThan(0);
        expect(await count('SELECT count(*) AS n FROM markets WHERE session_id = $1')).toBe(host.markets.length);
      } finally {
        await db.close();
      }
    } finally {
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
