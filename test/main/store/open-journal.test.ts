/** openJournal picks the store: a URL (or DATABASE_URL) → PostgreSQL; none → PGlite under the data directory. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openJournal } from '../../../src/main/store/open-journal.js';
import { createTestDatabase, sql, tempDir, type TestDatabase } from './helpers.js';

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

const session = (id: string) => ({ session_id: id, started_ms: 1, venue: 'sim' });

describe('openJournal', () => {
  it('uses PostgreSQL for a URL, or DATABASE_URL from the environment, migrating it on first connect', async () => {
    const byUrl = await openJournal({ url: db.url, dataDir: dir.path, env: {} });
    expect(byUrl.backend).toBe('postgres');
    byUrl.write('session', session('by-url'));
    await byUrl.close();
    const byEnv = await openJournal({ dataDir: dir.path, env: { DATABASE_URL: db.url } });
    expect(byEnv.backend).toBe('postgres');
    byEnv.write('session', session('by-env'));
    await byEnv.close();
    const rows = await sql<{ session_id: string }>(db.url, `SELECT session_id FROM sessions ORDER BY 1`);
    expect(rows.map((r) => r.session_id)).toEqual(['by-env', 'by-url']);
    expect(await sql(db.url, `SELECT version FROM schema_migrations`)).toEqual([{ version: 1 }]);
  });

  it('without a URL uses PGlite, file-backed under <dataDir>/pglite, spilling to <dataDir>/spill', async () => {
    const j = await openJournal({ dataDir: dir.path, env: {} });
    try {
      expect(j.backend).toBe('pglite');
      j.write('session', session('embedded'));
      await j.flush();
      expect(await j.query(`SELECT session_id, venue FROM sessions`)).toEqual([{ session_id: 'embedded', venue: 'sim' }]);
      expect((await readdir(dir.path)).sort()).toEqual(['pglite', 'spill']);
      expect((await readdir(join(dir.path, 'pglite'))).length).toBeGreaterThan(0);
    } finally {
      await j.close();
    }
  });
});
