/**
 * The journal's schema, as numbered migrations applied in order from an empty database; the same
 * SQL for PostgreSQL and PGlite. Applied versions are recorded in `schema_migrations` with a
 * checksum of their SQL, so re-running is a no-op and a migration edited after it was applied is
 * an error (add a new one instead). Concurrent openers serialise on an advisory lock.
 *
 * Column sets agree with tables.ts (a test checks). Integers are fixed-point units: prices in
 * $0.0001 (integer), counts in hundredths (bigint), money in µ$ (bigint, `_micros`), times in ms
 * (bigint, `_ms`), latencies in ns (bigint, `_ns`). Identifiers and tickers use the "C" collation
 * (byte order: cheaper index maintenance, same order everywhere).
 *
 * Indexes serve what calibration and audit ask: fills by session / market / time and by order;
 * order events by client_order_id (primary key) and by exchange order id; decisions by session and
 * market (primary key); the latest position and cash snapshots; the high-volume tables (decisions,
 * market_data) carry only their key and a BRIN on time, which costs next to nothing per row.
 */
import { createHash } from 'node:crypto';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const ID = 'text COLLATE "C"';

const V1 = `
CREATE TABLE sessions (
  session_id ${ID} PRIMARY KEY,
  venue text, mode text, host text,
  started_ms bigint, ended_ms bigint, end_reason text,
  config jsonb, versions jsonb,
  start_cash_micros bigint, start_portfolio_value_micros bigint,
  end_cash_micros bigint, end_portfolio_value_micros bigint,
  start_values jsonb, end_values jsonb,
  extra jsonb
);

CREATE TABLE markets (
  market_ticker ${ID} PRIMARY KEY,
  event_ticker ${ID}, series_ticker ${ID}, title text, status text,
  open_ms bigint, close_ms bigint, price_grid jsonb, result text, updated_ms bigint, session_id ${ID},
  extra jsonb
);

CREATE TABLE order_events (
  session_id ${ID} NOT NULL,
  client_order_id ${ID} NOT NULL,
  seq bigint NOT NULL,
  ts_ms bigint NOT NULL,
  event text NOT NULL,
  order_id ${ID}, market_ticker ${ID}, side text, action text,
  yes_price integer, count bigint, remaining_count bigint, filled_count bigint,
  status text, order_group_id ${ID}, time_in_force text, post_only boolean, reduce_only boolean,
  reason text, http_status integer,
  extra jsonb,
  PRIMARY KEY (client_order_id, seq)
);
CREATE INDEX order_events_order_id ON order_events (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX order_events_session_market_ts ON order_events (session_id, market_ticker, ts_ms);

CREATE TABLE fills (
  session_id ${ID} NOT NULL,
  trade_id ${ID} NOT NULL,
  order_id ${ID} NOT NULL,
  client_order_id ${ID},
  market_ticker ${ID} NOT NULL,
  side text NOT NULL,
  action text,
  yes_price integer NOT NULL,
  count bigint NOT NULL,
  fee_micros bigint,
  is_taker boolean,
  ts_ms bigint NOT NULL,
  post_position bigint,
  source text,
  extra jsonb,
  PRIMARY KEY (order_id, trade_id)
);
CREATE INDEX fills_session_market_ts ON fills (session_id, market_ticker, ts_ms);

CREATE TABLE settlements (
  session_id ${ID} NOT NULL,
  market_ticker ${ID} NOT NULL,
  result text, revenue_micros bigint, exchange_revenue_micros bigint, position bigint,
  settled_ms bigint, ts_ms bigint,
  extra jsonb,
  PRIMARY KEY (session_id, market_ticker)
);

CREATE TABLE decisions (
  session_id ${ID} NOT NULL,
  market_ticker ${ID} NOT NULL,
  book_version bigint NOT NULL,
  ts_ms bigint NOT NULL,
  action text NOT NULL,
  feature_spec_hash text, policy text, side text, yes_price integer, count bigint,
  outcome text, refusal text, client_order_id ${ID},
  observe_ns bigint, infer_ns bigint, risk_ns bigint, submit_ns bigint, total_ns bigint,
  extra jsonb,
  PRIMARY KEY (session_id, market_ticker, book_version)
);
CREATE INDEX decisions_ts_brin ON decisions USING brin (ts_ms);

CREATE TABLE drifts (
  session_id ${ID} NOT NULL,
  ts_ms bigint NOT NULL,
  reason text NOT NULL,
  cash_micros bigint, raw_cash_micros bigint, maker_bound_micros bigint, markets jsonb, adopted boolean,
  extra jsonb,
  PRIMARY KEY (session_id, ts_ms, reason)
);

CREATE TABLE position_snapshots (
  session_id ${ID} NOT NULL,
  market_ticker ${ID} NOT NULL,
  source text NOT NULL,
  ts_ms bigint NOT NULL,
  position bigint NOT NULL,
  cost_basis_micros bigint, realized_pnl_micros bigint, fees_paid_micros bigint, resting_count bigint,
  extra jsonb,
  PRIMARY KEY (session_id, market_ticker, source, ts_ms)
);
CREATE INDEX position_snapshots_market_ts ON position_snapshots (market_ticker, ts_ms DESC);

CREATE TABLE cash_snapshots (
  session_id ${ID} NOT NULL,
  source text NOT NULL,
  ts_ms bigint NOT NULL,
  balance_micros bigint NOT NULL,
  reserved_micros bigint, portfolio_value_micros bigint,
  extra jsonb,
  PRIMARY KEY (session_id, source, ts_ms)
);
CREATE INDEX cash_snapshots_ts ON cash_snapshots (ts_ms DESC);

CREATE TABLE state_transitions (
  session_id ${ID} NOT NULL,
  machine text NOT NULL,
  ts_ms bigint NOT NULL,
  to_state text NOT NULL,
  from_state text, reason text,
  extra jsonb,
  PRIMARY KEY (session_id, machine, ts_ms, to_state)
);

CREATE TABLE health_events (
  session_id ${ID} NOT NULL,
  monitor text NOT NULL,
  ts_ms bigint NOT NULL,
  event text NOT NULL,
  level text, value bigint, detail jsonb,
  extra jsonb,
  PRIMARY KEY (session_id, monitor, ts_ms, event)
);

CREATE TABLE order_group_events (
  session_id ${ID} NOT NULL,
  order_group_id ${ID} NOT NULL,
  ts_ms bigint NOT NULL,
  event text NOT NULL,
  contracts_limit bigint, market_ticker ${ID}, reason text,
  extra jsonb,
  PRIMARY KEY (order_group_id, ts_ms, event)
);
CREATE INDEX order_group_events_session_ts ON order_group_events (session_id, ts_ms);

CREATE TABLE calibrations (
  session_id ${ID} NOT NULL,
  started_ms bigint NOT NULL,
  duration_ms bigint, balance_micros bigint, reserved_micros bigint, portfolio_value_micros bigint,
  positions_adopted integer, positions_elsewhere integer, orders_adopted integer, orphans_cancelled integer,
  orphans_not_cancelled integer, orders_elsewhere integer, fills_marked_seen integer, group_id ${ID},
  extra jsonb,
  PRIMARY KEY (session_id, started_ms)
);

CREATE TABLE market_data (
  session_id ${ID} NOT NULL,
  seq bigint NOT NULL,
  market_ticker ${ID} NOT NULL,
  type text NOT NULL,
  recv_ms bigint, ts_ms bigint, exchange_seq bigint, side text, price integer, delta bigint,
  levels jsonb, payload jsonb,
  extra jsonb,
  PRIMARY KEY (session_id, seq)
);
CREATE INDEX market_data_recv_brin ON market_data USING brin (recv_ms);

-- An order as its events leave it: the latest known value of each field.
CREATE VIEW orders AS
SELECT client_order_id,
  min(session_id) AS session_id,
  (array_agg(order_id ORDER BY seq DESC) FILTER (WHERE order_id IS NOT NULL))[1] AS order_id,
  (array_agg(market_ticker ORDER BY seq DESC) FILTER (WHERE market_ticker IS NOT NULL))[1] AS market_ticker,
  (array_agg(side ORDER BY seq DESC) FILTER (WHERE side IS NOT NULL))[1] AS side,
  (array_agg(action ORDER BY seq DESC) FILTER (WHERE action IS NOT NULL))[1] AS action,
  (array_agg(yes_price ORDER BY seq DESC) FILTER (WHERE yes_price IS NOT NULL))[1] AS yes_price,
  (array_agg(count ORDER BY seq DESC) FILTER (WHERE count IS NOT NULL))[1] AS count,
  (array_agg(remaining_count ORDER BY seq DESC) FILTER (WHERE remaining_count IS NOT NULL))[1] AS remaining_count,
  (array_agg(filled_count ORDER BY seq DESC) FILTER (WHERE filled_count IS NOT NULL))[1] AS filled_count,
  (array_agg(status ORDER BY seq DESC) FILTER (WHERE status IS NOT NULL))[1] AS status,
  (array_agg(order_group_id ORDER BY seq DESC) FILTER (WHERE order_group_id IS NOT NULL))[1] AS order_group_id,
  (array_agg(event ORDER BY seq DESC))[1] AS last_event,
  max(seq) AS last_seq,
  count(*) AS events,
  min(ts_ms) AS created_ms,
  max(ts_ms) AS updated_ms
FROM order_events
GROUP BY client_order_id;

CREATE VIEW latest_position_snapshots AS
SELECT DISTINCT ON (session_id, market_ticker, source) *
FROM position_snapshots
ORDER BY session_id, market_ticker, source, ts_ms DESC;

CREATE VIEW latest_cash_snapshots AS
SELECT DISTINCT ON (session_id, source) *
FROM cash_snapshots
ORDER BY session_id, source, ts_ms DESC;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'journal tables', sql: V1 },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** What the runner needs of a connection (PostgreSQL's pg.Client and PGlite both fit through a wrapper). */
export interface MigrationConnection {
  /** Statements without parameters, possibly several. */
  exec(sql: string): Promise<void>;
  rows<T>(sql: string): Promise<T[]>;
}

export interface MigrationResult {
  /** Versions applied now (empty when the schema was current). */
  applied: number[];
  version: number;
}

/** Arbitrary constant: the advisory lock that serialises migration runs. */
const MIGRATION_LOCK = 7_342_015_001;

export function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex').slice(0, 16);
}

export async function migrate(db: MigrationConnection, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  await db.exec(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (await db.rows<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations')).map((r) => [Number(r.version), r.checksum]),
    );
    const applied: number[] = [];
    for (const m of migrations) {
      const sum = checksum(m.sql);
      const had = done.get(m.version);
      if (had !== undefined) {
        if (had !== sum) throw new Error(`journal schema: migration ${m.version} (${m.name}) was changed after it was applied`);
        continue;
      }
      await db.exec('BEGIN');
      try {
        await db.exec(m.sql);
        await db.exec(`INSERT INTO schema_migrations (version, name, checksum) VALUES (${m.version}, ${quote(m.name)}, ${quote(sum)})`);
        await db.exec('COMMIT');
      } catch (err) {
        await db.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
      applied.push(m.version);
    }
    const newer = [...done.keys()].filter((v) => !migrations.some((m) => m.version === v));
    if (newer.length > 0) throw new Error(`journal schema: the database has migration(s) ${newer.join(', ')} this program does not know`);
    return { applied, version: migrations[migrations.length - 1].version };
  } finally {
    await db.exec(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => undefined);
  }
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
