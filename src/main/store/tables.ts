/**
 * The journal's tables as the writer sees them: for every journal kind, the table it lands in,
 * its columns in COPY order, its natural key, and how a second row with the same key is treated.
 * The SQL that creates these tables is in migrations.ts; a test checks that the two agree.
 *
 * Column types (all integers are fixed-point units, never floats — fixed-point.ts):
 *   int    int4  — prices in $0.0001 (0..10000), small counters
 *   bigint int8  — counts in hundredths, money in µ$, ms timestamps, ns latencies, sequences
 *   text, bool, json (jsonb)
 *
 * Every table also has `extra jsonb`: fields of a record that are not columns are kept there, so
 * nothing a caller journals is silently lost.
 *
 * Modes:
 *   append — rows are immutable; a row whose natural key exists is a duplicate and is ignored.
 *   merge  — one row per key (sessions, markets): a later record fills in or overwrites the
 *            columns it carries (last non-null wins; `extra` objects are merged).
 */
import type { JournalKind } from '../../shared/journal.js';

export type ColumnType = 'int' | 'bigint' | 'text' | 'bool' | 'json';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** Part of the natural key, or otherwise NOT NULL: a record without it is rejected. */
  readonly required: boolean;
}

export interface TableSpec {
  readonly table: string;
  /** Columns in COPY order; `extra` is always last and is not listed here. */
  readonly columns: readonly Column[];
  /** Natural key columns (a unique index / primary key in the schema). */
  readonly key: readonly string[];
  readonly mode: 'append' | 'merge';
  /** Rows of this table are never dropped, even past every bound (fills, settlements). */
  readonly neverDrop: boolean;
  /** The discriminator field that routed a record here (tableFor); not kept in `extra`. */
  readonly routeField?: string;
}

/** Name of the JSON column that keeps a record's fields that are not columns. */
export const EXTRA_COLUMN = 'extra';

type ColumnList = string;

/**
 * `'a! b:bigint c:json'`: a name, an optional `:type` (default text) and `!` for required. Keys
 * are listed separately. Compact on purpose: the full SQL is in migrations.ts.
 */
function columns(list: ColumnList): Column[] {
  return list.trim().split(/\s+/).map((token) => {
    const required = token.endsWith('!');
    const [name, type = 'text'] = (required ? token.slice(0, -1) : token).split(':');
    if (!['int', 'bigint', 'text', 'bool', 'json'].includes(type)) throw new Error(`bad column type ${token}`);
    return { name, type: type as ColumnType, required };
  });
}

function table(
  name: string, list: ColumnList, key: string[], mode: 'append' | 'merge' = 'append', neverDrop = false, routeField?: string,
): TableSpec {
  const cols = columns(list);
  for (const k of key) {
    const col = cols.find((c) => c.name === k);
    if (col === undefined || !col.required) throw new Error(`${name}: key column ${k} must be a required column`);
  }
  return Object.freeze({ table: name, columns: Object.freeze(cols), key: Object.freeze(key), mode, neverDrop, routeField });
}

export const SESSIONS = table('sessions',
  'session_id! venue mode host started_ms:bigint ended_ms:bigint end_reason config:json versions:json ' +
  'start_cash_micros:bigint start_portfolio_value_micros:bigint end_cash_micros:bigint end_portfolio_value_micros:bigint ' +
  'start_values:json end_values:json',
  ['session_id'], 'merge');

export const MARKETS = table('markets',
  'market_ticker! event_ticker series_ticker title status open_ms:bigint close_ms:bigint price_grid:json ' +
  'result updated_ms:bigint session_id',
  ['market_ticker'], 'merge', false, 'type');

export const ORDER_EVENTS = table('order_events',
  'session_id! client_order_id! seq:bigint! ts_ms:bigint! event! order_id market_ticker side action yes_price:int ' +
  'count:bigint remaining_count:bigint filled_count:bigint status order_group_id time_in_force post_only:bool ' +
  'reduce_only:bool reason http_status:int',
  ['client_order_id', 'seq']);

export const FILLS = table('fills',
  'session_id! trade_id! order_id! client_order_id market_ticker! side! action yes_price:int! count:bigint! ' +
  'fee_micros:bigint is_taker:bool ts_ms:bigint! post_position:bigint source',
  ['order_id', 'trade_id'], 'append', true);

export const SETTLEMENTS = table('settlements',
  'session_id! market_ticker! result revenue_micros:bigint exchange_revenue_micros:bigint position:bigint settled_ms:bigint ts_ms:bigint',
  ['session_id', 'market_ticker'], 'append', true, 'source');

export const DECISIONS = table('decisions',
  'session_id! market_ticker! book_version:bigint! ts_ms:bigint! action! feature_spec_hash policy side yes_price:int count:bigint ' +
  'outcome refusal client_order_id observe_ns:bigint infer_ns:bigint risk_ns:bigint submit_ns:bigint total_ns:bigint',
  ['session_id', 'market_ticker', 'book_version']);

export const DRIFTS = table('drifts',
  'session_id! ts_ms:bigint! reason! cash_micros:bigint raw_cash_micros:bigint maker_bound_micros:bigint markets:json adopted:bool',
  ['session_id', 'ts_ms', 'reason']);

export const POSITION_SNAPSHOTS = table('position_snapshots',
  'session_id! market_ticker! source! ts_ms:bigint! position:bigint! cost_basis_micros:bigint realized_pnl_micros:bigint ' +
  'fees_paid_micros:bigint resting_count:bigint',
  ['session_id', 'market_ticker', 'source', 'ts_ms']);

export const CASH_SNAPSHOTS = table('cash_snapshots',
  'session_id! source! ts_ms:bigint! balance_micros:bigint! reserved_micros:bigint portfolio_value_micros:bigint',
  ['session_id', 'source', 'ts_ms']);

export const STATE_TRANSITIONS = table('state_transitions',
  'session_id! machine! ts_ms:bigint! to_state! from_state reason',
  ['session_id', 'machine', 'ts_ms', 'to_state']);

export const HEALTH_EVENTS = table('health_events',
  'session_id! monitor! ts_ms:bigint! event! level value:bigint detail:json',
  ['session_id', 'monitor', 'ts_ms', 'event']);

export const ORDER_GROUP_EVENTS = table('order_group_events',
  'session_id! order_group_id! ts_ms:bigint! event! contracts_limit:bigint market_ticker reason',
  ['order_group_id', 'ts_ms', 'event']);

export const CALIBRATIONS = table('calibrations',
  'session_id! started_ms:bigint! duration_ms:bigint balance_micros:bigint reserved_micros:bigint portfolio_value_micros:bigint ' +
  'positions_adopted:int positions_elsewhere:int orders_adopted:int orphans_cancelled:int orphans_not_cancelled:int ' +
  'orders_elsewhere:int fills_marked_seen:int group_id',
  ['session_id', 'started_ms']);

export const MARKET_DATA = table('market_data',
  'session_id! seq:bigint! market_ticker! type! recv_ms:bigint ts_ms:bigint exchange_seq:bigint side price:int delta:bigint ' +
  'levels:json payload:json',
  ['session_id', 'seq']);

/** Every table the writer knows, in schema order. */
export const TABLES: readonly TableSpec[] = [
  SESSIONS, MARKETS, ORDER_EVENTS, FILLS, SETTLEMENTS, DECISIONS, DRIFTS, POSITION_SNAPSHOTS, CASH_SNAPSHOTS,
  STATE_TRANSITIONS, HEALTH_EVENTS, ORDER_GROUP_EVENTS, CALIBRATIONS, MARKET_DATA,
];

const byName = new Map(TABLES.map((t) => [t.table, t]));

export function tableSpec(name: string): TableSpec | undefined {
  return byName.get(name);
}

/**
 * The table a record of `kind` lands in. Two kinds carry a discriminator that sends a record to
 * a sibling table: a `fill` with `source: 'settlement'` is a settlement, and a `market_data`
 * record with `type: 'market'` is a market definition.
 */
export function tableFor(kind: JournalKind | string, record: Readonly<Record<string, unknown>>): TableSpec | undefined {
  switch (kind) {
    case 'session': return SESSIONS;
    case 'order_event': return ORDER_EVENTS;
    case 'fill': return record.source === 'settlement' ? SETTLEMENTS : FILLS;
    case 'decision': return DECISIONS;
    case 'drift': return DRIFTS;
    case 'position_snapshot': return POSITION_SNAPSHOTS;
    case 'cash_snapshot': return CASH_SNAPSHOTS;
    case 'state_transition': return STATE_TRANSITIONS;
    case 'health_event': return HEALTH_EVENTS;
    case 'group_event': return ORDER_GROUP_EVENTS;
    case 'calibration': return CALIBRATIONS;
    case 'market_data': return record.type === 'market' ? MARKETS : MARKET_DATA;
    default: return undefined;
  }
}

/** `a, b, c, extra` — the COPY column list of a table. */
export function copyColumns(spec: TableSpec): string {
  return [...spec.columns.map((c) => c.name), EXTRA_COLUMN].join(', ');
}
