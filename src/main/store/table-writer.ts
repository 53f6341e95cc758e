/**
 * Writes one batch of COPY chunks of one table in one transaction, on any connection that can
 * COPY (PostgreSQL through pg-copy-streams, PGlite through /dev/blob). The same SQL for both.
 *
 * Paths:
 *   direct  — COPY straight into the table (append tables, when no duplicate is expected). A
 *             natural-key conflict (23505) aborts the transaction, which then goes again by
 *             staging: nothing is lost, nothing is written twice.
 *   staging — COPY into a session-local temp table, then
 *             `INSERT … SELECT … ON CONFLICT DO NOTHING`: duplicates are counted and ignored.
 *   merge   — (sessions, markets) staging, insert the keys not there yet, then update every key
 *             with the last non-null value of each column in the batch (`extra` objects merged).
 * The temp tables are created once per connection (ON COMMIT DELETE ROWS empties them).
 */
import { copyColumns, EXTRA_COLUMN, tableSpec, type TableSpec } from './tables.js';

export interface CopyConnection {
  /** Statements without parameters. */
  exec(sql: string): Promise<void>;
  /** One statement; its affected-row count. */
  command(sql: string): Promise<number>;
  /** `COPY <target> (<columns>) FROM …` with `texts` (COPY text rows) as its data. */
  copyIn(target: string, columns: string, texts: readonly string[]): Promise<void>;
}

export interface WriteBatch {
  readonly table: string;
  readonly texts: readonly string[];
  readonly rows: number;
  /** Try the direct path first (append tables only). */
  readonly direct: boolean;
}

export interface WriteOutcome {
  /** Rows that are new in the table (merge: every row, each one applied). */
  inserted: number;
  /** Rows whose natural key was already there. */
  duplicates: number;
  /** The direct path met a conflict and the batch went by staging. */
  conflict: boolean;
}

/** What a failed write means to the queue. */
export type FailureClass = 'data' | 'outage';

/**
 * 'data': the batch itself is bad (SQLSTATE class 22 data exception, 23 integrity, 42 syntax or
 * undefined object) and will fail again; anything else (connection refused or lost, server
 * shutting down, out of resources, serialization) is an outage: retry later.
 */
export function failureClass(err: unknown): FailureClass {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length === 5 && /^(22|23|42)/.test(code)) return 'data';
  return 'outage';
}

export class TableWriter {
  private readonly staged = new Set<string>();

  constructor(private readonly conn: CopyConnection) {}

  /** Forget the temp tables (after a reconnect they are gone). */
  reset(): void {
    this.staged.clear();
  }

  async write(batch: WriteBatch): Promise<WriteOutcome> {
    const spec = tableSpec(batch.table);
    if (spec === undefined) throw Object.assign(new Error(`unknown journal table ${batch.table}`), { code: '42P01' });
    const cols = copyColumns(spec);
    if (spec.mode === 'append' && batch.direct) {
      try {
        await this.tx(() => this.conn.copyIn(spec.table, cols, batch.texts));
        return { inserted: batch.rows, duplicates: 0, conflict: false };
      } catch (err) {
        if ((err as { code?: unknown }).code !== '23505') throw err;
      }
      const inserted = await this.staging(spec, cols, batch.texts);
      return { inserted, duplicates: batch.rows - inserted, conflict: true };
    }
    if (spec.mode === 'merge') {
      await this.merge(spec, cols, batch.texts);
      return { inserted: batch.rows, duplicates: 0, conflict: false };
    }
    const inserted = await this.staging(spec, cols, batch.texts);
    return { inserted, duplicates: batch.rows - inserted, conflict: false };
  }

  private async staging(spec: TableSpec, cols: string, texts: readonly string[]): Promise<number> {
    const stage = await this.stage(spec);
    return this.tx(async () => {
      await this.conn.copyIn(stage, cols, texts);
      return this.conn.command(`INSERT INTO ${spec.table} (${cols}) SELECT ${cols} FROM ${stage} ON CONFLICT DO NOTHING`);
    });
  }

  private async merge(spec: TableSpec, cols: string, texts: readonly string[]): Promise<void> {
    const stage = await this.stage(spec);
    const key = spec.key.join(', ');
    const rest = [...spec.columns.map((c) => c.name).filter((c) => !spec.key.includes(c)), EXTRA_COLUMN];
    const last = (c: string) => `(array_agg(s.${c} ORDER BY s._ord DESC) FILTER (WHERE s.${c} IS NOT NULL))[1] AS ${c}`;
    // The extra keys of every row of a key, later rows winning: one pass over the staged rows
    // joined to their own keys (a row without extra keeps one row with e.key NULL). A correlated
    // subquery per key scanned the whole stage once per key — O(n²): 10,000 market rows took
    // ~10 s of a core in PGlite (bench/README.md, "Results: decision path").
    const extraAgg = `jsonb_object_agg(e.key, e.value ORDER BY s._ord) FILTER (WHERE e.key IS NOT NULL) AS ${EXTRA_COLUMN}`;
    const aggs = rest.map((c) => (c === EXTRA_COLUMN ? extraAgg : last(c))).join(', ');
    const sets = rest.map((c) => (c === EXTRA_COLUMN
      ? `${c} = CASE WHEN m.${c} IS NULL THEN t.${c} ELSE COALESCE(t.${c}, '{}'::jsonb) || m.${c} END`
      : `${c} = COALESCE(m.${c}, t.${c})`)).join(', ');
    const match = spec.key.map((k) => `t.${k} = m.${k}`).join(' AND ');
    await this.tx(async () => {
      await this.conn.copyIn(stage, cols, texts);
      await this.conn.command(
        `INSERT INTO ${spec.table} (${cols}) SELECT DISTINCT ON (${key}) ${cols} FROM ${stage} ORDER BY ${key}, _ord ON CONFLICT DO NOTHING`);
      await this.conn.command(
        `UPDATE ${spec.table} t SET ${sets} FROM (SELECT ${spec.key.map((k) => `s.${k}`).join(', ')}, ${aggs} ` +
        `FROM ${stage} s LEFT JOIN LATERAL jsonb_each(s.${EXTRA_COLUMN}) e ON true GROUP BY ${spec.key.map((k) => `s.${k}`).join(', ')}) m WHERE ${match}`);
    });
  }

  private async stage(spec: TableSpec): Promise<string> {
    const stage = `journal_stage_${spec.table}`;
    if (!this.staged.has(stage)) {
      const ord = spec.mode === 'merge' ? ', _ord bigserial' : '';
      await this.conn.exec(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE ${spec.table}${ord}) ON COMMIT DELETE ROWS`);
      this.staged.add(stage);
    }
    return stage;
  }

  private async tx<T>(body: () => Promise<T>): Promise<T> {
    await this.conn.exec('BEGIN');
    try {
      const out = await body();
      await this.conn.exec('COMMIT');
      return out;
    } catch (err) {
      await this.conn.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}
