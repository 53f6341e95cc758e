/**
 * One record of every journal kind (and routed sibling), with text that needs COPY escapes
 * (tabs, newlines, CR, backslashes, `\N`, `\.`), unicode, empty strings, NULLs, int8 values past
 * 2^53 as bigints, and fields that are not columns (→ extra). `expectRow` compares a row read
 * back from either database with the record it came from, exactly.
 */
import { expect } from 'vitest';
import type { JournalKind } from '../../../src/shared/journal.js';
import { EXTRA_COLUMN, tableFor, type TableSpec } from '../../../src/main/store/tables.js';
import type {
  CalibrationRecord, CashSnapshotRecord, DecisionRecord, DriftRecord, FillRecord, GroupEventRecord, HealthEventRecord,
  MarketDataRecord, MarketRecord, OrderEventRecord, PositionSnapshotRecord, SessionRecord, SettlementRecord,
  StateTransitionRecord,
} from '../../../src/shared/journal-records.js';

export const NASTY = [
  'tab\there', 'new\nline', 'cr\rlf\r\n', 'back\\slash', '\\N', '\\.', 'end\\', '', "quote' \"dq\"",
  'unicode € 日本語 🚀 ÿ', '\\t literal', 'a\\\\b',
];

export interface Sample {
  kind: JournalKind;
  record: Record<string, unknown>;
}

/** Samples for session `s`, unique by `n` (their natural keys depend on both). */
export function samples(s: string, n = 0): Sample[] {
  const t = 1_767_000_000_000 + n * 1000;
  const session: SessionRecord = {
    session_id: n === 0 ? s : `${s}#${n}`, venue: 'sim\tvenue', mode: 'paper', host: 'host\n1', started_ms: t,
    config: { topology: 'threaded', note: NASTY.join('|'), nested: { big: 2n ** 60n } }, versions: { app: '0.1.0', model: 'm\\1' },
    start_cash_micros: 250_000_000_000, start_portfolio_value_micros: 0, start_values: { positions: [] },
  };
  const market: MarketRecord = {
    type: 'market', market_ticker: `KX-${s}-${n}`, event_ticker: 'KX-EVT', series_ticker: 'KX', title: 'Will it\train?\n€',
    status: 'open', open_ms: t, close_ms: t + 3_600_000, price_grid: [{ start: 100, end: 9900, step: 100 }], updated_ms: t, session_id: s,
  };
  const orderEvent: OrderEventRecord = {
    session_id: s, client_order_id: `${s}:coid\t${n}`, seq: 0, ts_ms: t, event: 'accepted', order_id: `exch-${s}-${n}\\x`,
    market_ticker: market.market_ticker, side: 'yes', action: 'buy', yes_price: 5600, count: 1000, remaining_count: 1000,
    filled_count: 0, status: 'resting', order_group_id: 'grp-1', time_in_force: 'good_till_canceled', post_only: true,
    reduce_only: false, reason: null, http_status: 201,
  };
  const fill: FillRecord = {
    session_id: s, trade_id: `trade-${s}-${n}-\u00e9\t`, order_id: `exch-${s}-${n}\\x`, client_order_id: orderEvent.client_order_id,
    market_ticker: market.market_ticker, side: 'no', action: 'buy', yes_price: 10000, count: 9_007_199_254_740_991,
    fee_micros: -12_345, is_taker: false, ts_ms: t + 1, post_position: -1000, source: 'ws',
  };
  const settlement: SettlementRecord = {
    source: 'settlement', session_id: s, market_ticker: market.market_ticker, result: 'yes', revenue_micros: 10_000_000,
    exchange_revenue_micros: 10_000_000, position: 1000, settled_ms: t + 5, ts_ms: t + 6,
  };
  const decision: DecisionRecord = {
    session_id: s, book_version: 2n ** 62n + BigInt(n), market_ticker: market.market_ticker, ts_ms: t, action: 'buy_yes',
    feature_spec_hash: 'ab12\\cd', policy: 'onnx:v3', side: 'yes', yes_price: 0, count: 100, outcome: 'intent', refusal: null,
    client_order_id: orderEvent.client_order_id, observe_ns: 1500, infer_ns: 40_000, risk_ns: 700,
    submit_ns: 30_000_000, total_ns: 30_042_200,
  };
  const drift: DriftRecord = {
    session_id: s, ts_ms: t, reason: 'sync\tcash', cash_micros: -5, raw_cash_micros: -10, maker_bound_micros: 5,
    markets: [{ market_ticker: market.market_ticker, host: 1000, exchange: 900, note: 'line1\nline2\\' }], adopted: true,
  };
  const position: PositionSnapshotRecord = {
    session_id: s, market_ticker: market.market_ticker, source: 'host', ts_ms: t, position: -2500, cost_basis_micros: 1_400_000,
    realized_pnl_micros: -3, fees_paid_micros: 70_000, resting_count: 0,
  };
  const cash: CashSnapshotRecord = {
    session_id: s, source: 'exchange', ts_ms: t, balance_micros: 2n ** 63n - 1n, reserved_micros: 0, portfolio_value_micros: -(2 ** 53 - 1),
  };
  const transition: StateTransitionRecord = {
    session_id: s, machine: 'trading', ts_ms: t, to_state: 'halted', from_state: 'running', reason: 'kill switch\n(manual)',
  };
  const health: HealthEventRecord = {
    session_id: s, monitor: 'ws-staleness', ts_ms: t, event: 'stale', level: 'warn', value: 12_000,
    detail: { markets: ['A\tB', 'C\\D'], unicode: '🚀' },
  };
  const group: GroupEventRecord = {
    session_id: s, order_group_id: `grp-${s}-${n}`, ts_ms: t, event: 'triggered', contracts_limit: 50_000,
    market_ticker: market.market_ticker, reason: NASTY[3],
  };
  const calibration: CalibrationRecord = {
    session_id: s, started_ms: t, duration_ms: 812, balance_micros: 250_000_000_000, reserved_micros: 1_000_000,
    portfolio_value_micros: 0, positions_adopted: 2, positions_elsewhere: 0, orders_adopted: 1, orphans_cancelled: 3,
    orphans_not_cancelled: 0, orders_elsewhere: 0, fills_marked_seen: 10, group_id: '',
  };
  const marketData: MarketDataRecord = {
    session_id: s, seq: n, market_ticker: market.market_ticker, type: 'snapshot', recv_ms: t, ts_ms: t - 2, exchange_seq: 7,
    side: null, price: null, delta: null, levels: { yes: [[5600, 1000], [5500, 250]], no: [] }, payload: null,
  };
  return [
    { kind: 'session', record: { ...session, build_note: 'not a column\t!' } },
    { kind: 'market_data', record: market as unknown as Record<string, unknown> },
    { kind: 'order_event', record: orderEvent as unknown as Record<string, unknown> },
    { kind: 'fill', record: { ...fill, venue_fill_id: `vf-${n}`, extra: { caller: 'own\\extra' } } },
    { kind: 'fill', record: settlement as unknown as Record<string, unknown> },
    { kind: 'decision', record: decision as unknown as Record<string, unknown> },
    { kind: 'drift', record: drift as unknown as Record<string, unknown> },
    { kind: 'position_snapshot', record: position as unknown as Record<string, unknown> },
    { kind: 'cash_snapshot', record: cash as unknown as Record<string, unknown> },
    { kind: 'state_transition', record: transition as unknown as Record<string, unknown> },
    { kind: 'health_event', record: health as unknown as Record<string, unknown> },
    { kind: 'group_event', record: group as unknown as Record<string, unknown> },
    { kind: 'calibration', record: calibration as unknown as Record<string, unknown> },
    { kind: 'market_data', record: marketData as unknown as Record<string, unknown> },
  ];
}

/** The natural-key WHERE clause and its parameters for a sample's row. */
export function keyOf(spec: TableSpec, record: Record<string, unknown>): { where: string; params: unknown[] } {
  return {
    where: spec.key.map((k, i) => `${k} = $${i + 1}`).join(' AND '),
    params: spec.key.map((k) => (typeof record[k] === 'bigint' ? String(record[k]) : record[k])),
  };
}

/** JSON as the database gives it back: bigints become numbers (JSON.parse of the stored text). */
function jsonish(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)));
}

/** Assert that `row` (from pg or PGlite: int8 as string, int4 as number) holds exactly `record`. */
export function expectRow(spec: TableSpec, record: Record<string, unknown>, row: Record<string, unknown>): void {
  for (const col of spec.columns) {
    const want = record[col.name];
    const got = row[col.name];
    const where = `${spec.table}.${col.name}`;
    if (want === undefined || want === null) {
      expect(got, where).toBeNull();
      continue;
    }
    switch (col.type) {
      case 'bigint': expect(String(got), where).toBe(String(want)); break;
      case 'int': expect(got, where).toBe(Number(want)); break;
      case 'json': expect(got, where).toEqual(jsonish(want)); break;
      default: expect(got, where).toBe(want);
    }
  }
  const known = new Set([...spec.columns.map((c) => c.name), EXTRA_COLUMN, spec.routeField]);
  const extras: Record<string, unknown> = {};
  const own = record[EXTRA_COLUMN];
  if (own && typeof own === 'object') Object.assign(extras, own);
  for (const [k, v] of Object.entries(record)) if (!known.has(k) && v !== undefined) extras[k] = v;
  if (Object.keys(extras).length === 0) expect(row[EXTRA_COLUMN], `${spec.table}.extra`).toBeNull();
  else expect(row[EXTRA_COLUMN], `${spec.table}.extra`).toEqual(jsonish(extras));
}

export type Query = <T = Record<string, unknown>>(text: string, params?: readonly unknown[]) => Promise<T[]>;

/** Every sample reads back exactly, by its natural key, one row each. */
export async function expectSamplesStored(query: Query, list: Sample[]): Promise<void> {
  for (const { kind, record } of list) {
    const spec = tableFor(kind, record)!;
    const { where, params } = keyOf(spec, record);
    const rows = await query(`SELECT * FROM ${spec.table} WHERE ${where}`, params);
    expect(rows.length, `${spec.table} rows for ${JSON.stringify(params)}`).toBe(1);
    expectRow(spec, record, rows[0]);
  }
}
