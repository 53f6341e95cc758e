/**
 * Migrations from an empty database, on PostgreSQL (a fresh database) and PGlite: the schema they
 * build is the one tables.ts writes to; a second run is a no-op; an edited or unknown migration
 * is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { checksum, migrate, MIGRATIONS, SCHEMA_VERSION, type MigrationConnection } from '../../../src/main/store/migrations.js';
import { PgliteConnection } from '../../../src/main/store/pglite-connection.js';
import { EXTRA_COLUMN, TABLES } from '../../../src/main/store/tables.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

const SQL_TYPE = { int: 'integer', bigint: 'bigint', text: 'text', bool: 'boolean', json: 'jsonb' } as const;

interface Backend {
  name: string;
  open(): Promise<{ db: MigrationConnection; close(): Promise<void> }>;
}

let testDb: TestDatabase;
beforeAll(async () => { testDb = await createTestDatabase(); });
afterAll(async () => { await testDb?.drop(); });

const backends: Backend[] = [
  {
    name: 'postgres',
    open: async () => {
      const c = new pg.Client({ connectionString: testDb.url });
      await c.connect();
      return {
        db: { exec: async (s) => { await c.query(s); }, rows: async <T>(s: string) => (await c.query(s)).rows as T[] },
        close: () => c.end(),
      };
    },
  },
  {
    name: 'pglite',
    open: async () => {
      const c = await PgliteConnection.open(undefined);
      return { db: { exec: (s) => c.exec(s), rows: async <T>(s: string) => (await c.db.query<T>(s)).rows }, close: () => c.db.close() };
    },
  },
];

describe.each(backends)('migrations on $name', (backend) => {
  let db: MigrationConnection;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(async () => { await close?.(); });

  it('builds the schema from empty, then a re-run changes nothing', async () => {
    expect(await db.rows(`SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_migrations'`)).toHaveLength(0);
    expect(await migrate(db)).toEqual({ applied: MIGRATIONS.map((m) => m.version), version: SCHEMA_VERSION });
    const recorded = await db.rows<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations ORDER BY version');
    expect(recorded.map((r) => [Number(r.version), r.checksum])).toEqual(MIGRATIONS.map((m) => [m.version, checksum(m.sql)]));
    const before = await db.rows(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    expect(await migrate(db)).toEqual({ applied: [], version: SCHEMA_VERSION });
    expect(await db.rows(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).toEqual(before);
    expect(await db.rows('SELECT version FROM schema_migrations')).toHaveLength(MIGRATIONS.length);
  });

  it('has every table of tables.ts with exactly its columns, types, NOT NULLs and natural key', async () => {
    for (const spec of TABLES) {
      const cols = await db.rows<{ column_name: string; data_type: string; is_nullable: string }>(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${spec.table}' ORDER BY ordinal_position`);
      const want = [...spec.columns.map((c) => [c.name, SQL_TYPE[c.type], c.required ? 'NO' : 'YES']), [EXTRA_COLUMN, 'jsonb', 'YES']];
      expect(cols.map((c) => [c.column_name, c.data_type, c.is_nullable]), spec.table).toEqual(want);
      const key = await db.rows<{ attname: string }>(
        `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = '${spec.table}'::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int[], a.attnum::int)`);
      expect(key.map((k) => k.attname), `${spec.table} key`).toEqual([...spec.key]);
    }
  });

  it('has the indexes calibration reads by, and the views over events and snapshots', async () => {
    const idx = (await db.rows<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`)).map((r) => r.indexname);
    for (const name of ['fills_session_market_ts', 'order_events_order_id', 'order_events_session_market_ts', 'position_snapshots_market_ts', 'cash_snapshots_ts']) {
      expect(idx).toContain(name);
    }
    const views = (await db.rows<{ table_name: string }>(`SELECT table_name FROM information_schema.views WHERE table_schema = 'public'`)).map((r) => r.table_name);
    expect(views.sort()).toEqual(['latest_cash_snapshots', 'latest_position_snapshots', 'orders']);
  });

  it('refuses a migration edited after it was applied, and a database from a newer program', async () => {
    const edited = MIGRATIONS.map((m) => (m.version === 1 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    await expect(migrate(db, edited)).rejects.toThrow(/migration 1 .* was changed/);
    await expect(migrate(db, [])).rejects.toThrow(/does not know/);
    // Still usable afterwards: the advisory lock was released.
    expect(await migrate(db)).toEqual({ applied: [], version: SCHEMA_VERSION });
  });
});
