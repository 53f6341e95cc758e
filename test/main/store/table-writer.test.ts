/**
 * TableWriter on PostgreSQL and PGlite: the direct path, its fall-back to staging on a duplicate,
 * staging with duplicates counted, merge tables (last non-null wins, extra merged), and the
 * classification of failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { RowEncoder } from '../../../src/main/store/copy-text.js';
import { migrate } from '../../../src/main/store/migrations.js';
import { PgliteConnection } from '../../../src/main/store/pglite-connection.js';
import { FILLS, SESSIONS, type TableSpec } from '../../../src/main/store/tables.js';
import { failureClass, TableWriter, type CopyConnection, type WriteBatch } from '../../../src/main/store/table-writer.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

type Rows = (sql: string) => Promise<Record<string, unknown>[]>;

let testDb: TestDatabase;
beforeAll(async () => { testDb = await createTestDatabase(); });
afterAll(async () => { await testDb?.drop(); });

const backends = [
  {
    name: 'postgres',
    open: async (): Promise<{ conn: CopyConnection; rows: Rows; close(): Promise<void> }> => {
      const c = new pg.Client({ connectionString: testDb.url });
      await c.connect();
      const conn: CopyConnection = {
        exec: async (s) => { await c.query(s); },
        command: async (s) => (await c.query(s)).rowCount ?? 0,
        copyIn: (t, cols, texts) => new Promise((resolve, reject) => {
          const st = c.query(copyFrom(`COPY ${t} (${cols}) FROM STDIN`));
          st.once('finish', resolve).once('error', reject);
          for (const x of texts) st.write(x);
          st.end();
        }),
      };
      return { conn, rows: async (s) => (await c.query(s)).rows, close: () => c.end() };
    },
  },
  {
    name: 'pglite',
    open: async () => {
      const c = await PgliteConnection.open(undefined);
      return { conn: c as CopyConnection, rows: async (s: string) => (await c.db.query<Record<string, unknown>>(s)).rows, close: () => c.db.close() };
    },
  },
];

const enc = new RowEncoder();
function batch(spec: TableSpec, records: Record<string, unknown>[], direct = true): WriteBatch {
  const text = records.map((r) => enc.encode(spec, r)! + '\n').join('');
  // Two texts, to show a batch is the concatenation of its chunks.
  const cut = text.indexOf('\n') + 1;
  return { table: spec.table, texts: [text.slice(0, cut), text.slice(cut)], rows: records.length, direct };
}
const fill = (id: string, extra: Record<string, unknown> = {}) => ({
  session_id: 's', trade_id: id, order_id: 'o1', market_ticker: 'M', side: 'yes', yes_price: 5600, count: 100, ts_ms: 1, ...extra,
});

describe.each(backends)('TableWriter on $name', (backend) => {
  let w: TableWriter;
  let rows: Rows;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const o = await backend.open();
    ({ rows, close } = o);
    await migrate({ exec: (s) => o.conn.exec(s), rows: (s) => rows(s) as never });
    w = new TableWriter(o.conn);
  });
  afterAll(async () => { await close?.(); });

  it('COPYs straight into an append table, and falls back to staging when a key is already there', async () => {
    expect(await w.write(batch(FILLS, [fill('a'), fill('b')]))).toEqual({ inserted: 2, duplicates: 0, conflict: false });
    expect(await w.write(batch(FILLS, [fill('b', { count: 999 }), fill('c'), fill('a')]))).toEqual({ inserted: 1, duplicates: 2, conflict: true });
    const got = await rows(`SELECT trade_id, count FROM fills ORDER BY trade_id`);
    expect(got.map((r) => [r.trade_id, String(r.count)])).toEqual([['a', '100'], ['b', '100'], ['c', '100']]);
  });

  it('by staging: duplicates inside one batch and against the table are ignored and counted', async () => {
    expect(await w.write(batch(FILLS, [fill('d'), fill('d'), fill('a'), fill('e')], false))).toEqual({ inserted: 2, duplicates: 2, conflict: false });
    expect(await w.write(batch(FILLS, [fill('d'), fill('e')], false))).toEqual({ inserted: 0, duplicates: 2, conflict: false });
    expect((await rows(`SELECT count(*)::int AS n FROM fills`))[0].n).toBe(5);
  });

  it('merges a session: start and end in separate batches or one, last non-null wins, extra merged', async () => {
    await w.write(batch(SESSIONS, [{ session_id: 'm1', started_ms: 10, venue: 'sim', config: { a: 1 }, x: 1 }]));
    await w.write(batch(SESSIONS, [{ session_id: 'm1', ended_ms: 20, end_reason: 'signal', y: 2 }, { session_id: 'm1', end_reason: 'stop', x: 3 }]));
    await w.write(batch(SESSIONS, [
      { session_id: 'm2', started_ms: 1, venue: 'a' }, { session_id: 'm2', venue: 'b', ended_ms: 2 }, { session_id: 'm2', venue: null },
    ]));
    const got = await rows(`SELECT session_id, started_ms, ended_ms, venue, end_reason, config, extra FROM sessions ORDER BY session_id`);
    expect(got.map((r) => ({ ...r, started_ms: String(r.started_ms), ended_ms: String(r.ended_ms) }))).toEqual([
      { session_id: 'm1', started_ms: '10', ended_ms: '20', venue: 'sim', end_reason: 'stop', config: { a: 1 }, extra: { x: 3, y: 2 } },
      { session_id: 'm2', started_ms: '1', ended_ms: '2', venue: 'b', end_reason: null, config: null, extra: null },
    ]);
    // Writing the same again changes nothing.
    await w.write(batch(SESSIONS, [{ session_id: 'm1', ended_ms: 20, end_reason: 'stop', y: 2, x: 3 }]));
    expect((await rows(`SELECT extra, end_reason FROM sessions WHERE session_id = 'm1'`))[0]).toEqual({ extra: { x: 3, y: 2 }, end_reason: 'stop' });
  });

  it('reports a batch the database refuses as a data failure, leaving the connection usable', async () => {
    const bad: WriteBatch = { table: 'fills', texts: ['s\tt\to\t\\N\tM\tyes\t\\N\tnot-a-number\t1\t\\N\t\\N\t1\t\\N\t\\N\t\\N\n'], rows: 1, direct: true };
    const err = await w.write(bad).then(() => undefined, (e: unknown) => e);
    expect(err).toBeDefined();
    expect(failureClass(err)).toBe('data');
    expect(await w.write(batch(FILLS, [fill('f')]))).toMatchObject({ inserted: 1 });
  });
});

describe('failureClass', () => {
  it('sorts SQLSTATE classes 22, 23 and 42 as data and everything else as an outage', () => {
    expect(failureClass({ code: '22P02' })).toBe('data');
    expect(failureClass({ code: '23502' })).toBe('data');
    expect(failureClass({ code: '42P01' })).toBe('data');
    expect(failureClass({ code: '57P01' })).toBe('outage');
    expect(failureClass({ code: '08006' })).toBe('outage');
    expect(failureClass(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('outage');
    expect(failureClass(new Error('Connection terminated unexpectedly'))).toBe('outage');
  });
});
