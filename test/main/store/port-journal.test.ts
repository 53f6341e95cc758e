/**
 * Records from worker threads: real workers journal through a PortJournal over a MessagePort to
 * the main thread's WriteQueue, on PostgreSQL and on PGlite; their refusals show in the main
 * journal's stats, and their flush means written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWorker, workerExit } from '../../../src/shared/worker-spawn.js';
import { openJournal } from '../../../src/main/store/open-journal.js';
import type { StoreJournal } from '../../../src/main/store/write-queue.js';
import { createTestDatabase, tempDir, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  db = await createTestDatabase();
  dir = await tempDir();
});
afterAll(async () => {
  await db?.drop();
  await dir?.remove();
});

const backends = [
  { name: 'postgres', open: () => openJournal({ url: db.url, dataDir: dir.path, requireConnected: true }) },
  { name: 'pglite', open: () => openJournal({ pglite: 'memory', dataDir: dir.path, requireConnected: true }) },
];

async function runWorker(journal: StoreJournal, session: string, n: number): Promise<{ accepted: number; rejected: number }> {
  const port = journal.connectPort();
  const worker = spawnWorker(new URL('./fixtures/journal-worker.ts', import.meta.url), {
    workerData: { port, session, n }, transferList: [port],
  });
  const report = new Promise<{ accepted: number; rejected: number }>((resolve) => worker.once('message', resolve));
  await workerExit(worker);
  return report;
}

describe.each(backends)('PortJournal → WriteQueue on $name', (backend) => {
  let journal: StoreJournal;
  beforeAll(async () => { journal = await backend.open(); });
  afterAll(async () => { await journal?.close(); });

  it('delivers every record of two workers at once; their flush means written; refusals are counted here', async () => {
    const [a, b] = await Promise.all([runWorker(journal, `${backend.name}-a`, 3_000), runWorker(journal, `${backend.name}-b`, 2_000)]);
    expect(a).toEqual({ accepted: 6_000, rejected: 2 });
    expect(b).toEqual({ accepted: 4_000, rejected: 2 });
    // The workers' flush resolved only once the main journal had written their rows.
    const rows = await journal.query<{ session_id: string; n: number }>(
      `SELECT session_id, count(*)::int AS n FROM fills WHERE session_id LIKE $1 GROUP BY 1 ORDER BY 1`, [`${backend.name}-%`]);
    expect(rows).toEqual([{ session_id: `${backend.name}-a`, n: 3_000 }, { session_id: `${backend.name}-b`, n: 2_000 }]);
    const [d] = await journal.query<{ n: number }>(`SELECT count(*)::int AS n FROM decisions WHERE session_id LIKE $1`, [`${backend.name}-%`]);
    expect(d.n).toBe(5_000);
    const [one] = await journal.query<{ extra: unknown }>(`SELECT extra FROM fills WHERE session_id = $1 AND trade_id = 'w-7'`, [`${backend.name}-a`]);
    expect(one.extra).toEqual({ note: 'from worker\t7' });
    const s = journal.stats();
    expect(s).toMatchObject({ enqueued: 10_000, rejected: 4, depth: 0 });
    expect(s.rejectedByReason).toMatchObject({ 'fill:missing:trade_id': 2, 'nonsense:unknown_kind': 2 });
  });
});
