/**
 * PGlite as a CopyConnection: COPY reads its data from PGlite's `/dev/blob` device, which serves
 * the `blob` given with the query. Runs in whichever thread holds the PGlite instance — the
 * journal's worker (pglite-worker.ts), or the calling thread in the benchmark's comparison.
 */
import { PGlite } from '@electric-sql/pglite';
import { migrate, type MigrationResult } from './migrations.js';
import type { CopyConnection } from './table-writer.js';

/** int8 and numeric come back as strings, as node-postgres returns them. */
export const PGLITE_PARSERS = { 20: (v: string) => v, 1700: (v: string) => v };

export class PgliteConnection implements CopyConnection {
  constructor(readonly db: PGlite) {}

  /** Open (file-backed when `dataDir` is given, else in memory). */
  static async open(dataDir: string | undefined): Promise<PgliteConnection> {
    return new PgliteConnection(await PGlite.create(dataDir, { parsers: PGLITE_PARSERS }));
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async command(sql: string): Promise<number> {
    return (await this.db.query(sql)).affectedRows ?? 0;
  }

  async copyIn(target: string, columns: string, texts: readonly string[]): Promise<void> {
    await this.db.query(`COPY ${target} (${columns}) FROM '/dev/blob'`, [], { blob: new Blob(texts as string[]) });
  }

  migrate(): Promise<MigrationResult> {
    return migrate({ exec: (sql) => this.exec(sql), rows: async <T>(sql: string) => (await this.db.query<T>(sql)).rows });
  }
}
