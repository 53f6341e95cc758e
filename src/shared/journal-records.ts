/**
 * The record each journal kind takes (`journal.write(kind, record)`), field for field the columns
 * of tables.ts. Units: prices in $0.0001 (Price), counts in hundredths of a contract (Count),
 * money in µ$ (Money), times in ms since the epoch, latencies in ns — integers, never floats
 * (a JS number holding a safe integer, or a bigint). Text is any string (tabs, newlines,
 * backslashes and unicode are escaped for COPY; a NUL character is refused). `?` fields may be
 * left out or null. Fields that are not listed are kept in the row's `extra` JSON column.
 *
 * A record without one of its required fields (the natural key and a few essentials) is not
 * written: it is counted in the journal's stats (`rejected`, by kind and field) — `write` never
 * throws.
 */
import type { Count, Money, Price } from './fixed-point.js';

/** A safe integer, or a bigint for values past 2^53 (int8 columns). */
export type Int = number | bigint;
/** Money in µ$: a safe integer (fixed-point.ts Money), or a bigint past 2^53. */
export type Micros = Money | bigint;
/** Milliseconds since the epoch. */
export type Ms = number;
/** Any JSON-serialisable value (bigints are written as JSON numbers). */
export type Json = unknown;

type Opt<T> = T | null | undefined;

/** kind 'session' → sessions (merge on session_id: write once at start, again at the end). */
export interface SessionRecord {
  session_id: string;
  venue?: Opt<string>;
  /** 'sim' | 'demo' | 'live' … */
  mode?: Opt<string>;
  host?: Opt<string>;
  started_ms?: Opt<Ms>;
  ended_ms?: Opt<Ms>;
  end_reason?: Opt<string>;
  config?: Opt<Json>;
  /** Program, model and feature-spec versions. */
  versions?: Opt<Json>;
  start_cash_micros?: Opt<Micros>;
  start_portfolio_value_micros?: Opt<Micros>;
  end_cash_micros?: Opt<Micros>;
  end_portfolio_value_micros?: Opt<Micros>;
  /** Positions and anything else at start / end. */
  start_values?: Opt<Json>;
  end_values?: Opt<Json>;
}

/** kind 'market_data' with type 'market' → markets (merge on market_ticker). */
export interface MarketRecord {
  type: 'market';
  market_ticker: string;
  event_ticker?: Opt<string>;
  series_ticker?: Opt<string>;
  title?: Opt<string>;
  status?: Opt<string>;
  open_ms?: Opt<Ms>;
  close_ms?: Opt<Ms>;
  /** The market's price_ranges, in $0.0001. */
  price_grid?: Opt<Json>;
  /** 'yes' | 'no' | 'scalar' once determined. */
  result?: Opt<string>;
  updated_ms?: Opt<Ms>;
  session_id?: Opt<string>;
}

/** kind 'order_event' → order_events; natural key (client_order_id, seq). One per state change. */
export interface OrderEventRecord {
  session_id: string;
  client_order_id: string;
  /** Per client_order_id: 0, 1, 2 … in the order the changes happened. */
  seq: Int;
  ts_ms: Ms;
  /** 'intent' | 'sent' | 'accepted' | 'rejected' | 'unknown' | 'amended' | 'canceled' | 'partial' | 'filled' | 'expired' … */
  event: string;
  /** The exchange's order id, once known. */
  order_id?: Opt<string>;
  market_ticker?: Opt<string>;
  side?: Opt<'yes' | 'no'>;
  action?: Opt<'buy' | 'sell'>;
  yes_price?: Opt<Price>;
  count?: Opt<Count>;
  remaining_count?: Opt<Count>;
  filled_count?: Opt<Count>;
  /** The exchange's status after the change ('resting', 'canceled', 'executed' …). */
  status?: Opt<string>;
  order_group_id?: Opt<string>;
  time_in_force?: Opt<string>;
  post_only?: Opt<boolean>;
  reduce_only?: Opt<boolean>;
  /** Rejection code, cancel reason … */
  reason?: Opt<string>;
  http_status?: Opt<number>;
}

/** kind 'fill' → fills; natural key (order_id, trade_id). Never dropped. */
export interface FillRecord {
  session_id: string;
  trade_id: string;
  order_id: string;
  /** Ours, or null for a fill of an order we did not place. */
  client_order_id?: Opt<string>;
  market_ticker: string;
  side: 'yes' | 'no';
  action?: Opt<'buy' | 'sell'>;
  yes_price: Price;
  count: Count;
  fee_micros?: Opt<Micros>;
  is_taker?: Opt<boolean>;
  ts_ms: Ms;
  /** Position after the fill, hundredths (+ YES / − NO). */
  post_position?: Opt<Count>;
  /** 'ws' | 'sync' … — anything but 'settlement', which makes it a SettlementRecord. */
  source?: Opt<string>;
}

/** kind 'fill' with source 'settlement' → settlements; natural key (session_id, market_ticker). Never dropped. */
export interface SettlementRecord {
  source: 'settlement';
  session_id: string;
  market_ticker: string;
  result?: Opt<string>;
  /** What the host booked, and what the exchange reported, µ$. */
  revenue_micros?: Opt<Micros>;
  exchange_revenue_micros?: Opt<Micros>;
  /** Position settled, hundredths. */
  position?: Opt<Count>;
  settled_ms?: Opt<Ms>;
  ts_ms?: Opt<Ms>;
}

/** kind 'decision' → decisions; natural key (session_id, market_ticker, book_version): one per book state. */
export interface DecisionRecord {
  session_id: string;
  market_ticker: string;
  /** The market's book version (BookStore update count) the decision was made on. */
  book_version: Int;
  ts_ms: Ms;
  /** 'hold' | 'buy_yes' | 'buy_no' | 'sell_yes' | … as the policy said it. */
  action: string;
  feature_spec_hash?: Opt<string>;
  policy?: Opt<string>;
  side?: Opt<'yes' | 'no'>;
  yes_price?: Opt<Price>;
  count?: Opt<Count>;
  /** 'hold' | 'intent' | 'refused' | 'sent' … */
  outcome?: Opt<string>;
  /** The risk rule that refused it. */
  refusal?: Opt<string>;
  client_order_id?: Opt<string>;
  /** Per-stage latency, ns: book → observation, inference, risk rules, submit, total. */
  observe_ns?: Opt<Int>;
  infer_ns?: Opt<Int>;
  risk_ns?: Opt<Int>;
  submit_ns?: Opt<Int>;
  total_ns?: Opt<Int>;
}

/** kind 'drift' → drifts; natural key (session_id, ts_ms, reason). */
export interface DriftRecord {
  session_id: string;
  ts_ms: Ms;
  reason: string;
  /** Exchange minus host, µ$. */
  cash_micros?: Opt<Micros>;
  raw_cash_micros?: Opt<Micros>;
  maker_bound_micros?: Opt<Micros>;
  /** Per market: { market_ticker, host, exchange, … }. */
  markets?: Opt<Json>;
  adopted?: Opt<boolean>;
}

/** kind 'position_snapshot' → position_snapshots; natural key (session_id, market_ticker, source, ts_ms). */
export interface PositionSnapshotRecord {
  session_id: string;
  market_ticker: string;
  /** 'host' | 'exchange' | 'calibration' … */
  source: string;
  ts_ms: Ms;
  /** Hundredths, + YES / − NO. */
  position: Count;
  cost_basis_micros?: Opt<Micros>;
  realized_pnl_micros?: Opt<Micros>;
  fees_paid_micros?: Opt<Micros>;
  resting_count?: Opt<Count>;
}

/** kind 'cash_snapshot' → cash_snapshots; natural key (session_id, source, ts_ms). */
export interface CashSnapshotRecord {
  session_id: string;
  source: string;
  ts_ms: Ms;
  balance_micros: Micros;
  reserved_micros?: Opt<Micros>;
  portfolio_value_micros?: Opt<Micros>;
}

/** kind 'state_transition' → state_transitions; natural key (session_id, machine, ts_ms, to_state). */
export interface StateTransitionRecord {
  session_id: string;
  /** 'trading' | 'throttle' | 'breaker:<name>' … */
  machine: string;
  ts_ms: Ms;
  to_state: string;
  from_state?: Opt<string>;
  reason?: Opt<string>;
}

/** kind 'health_event' → health_events; natural key (session_id, monitor, ts_ms, event). */
export interface HealthEventRecord {
  session_id: string;
  monitor: string;
  ts_ms: Ms;
  event: string;
  /** 'info' | 'warn' | 'error'. */
  level?: Opt<string>;
  value?: Opt<Int>;
  detail?: Opt<Json>;
}

/** kind 'group_event' → order_group_events; natural key (order_group_id, ts_ms, event). */
export interface GroupEventRecord {
  session_id: string;
  order_group_id: string;
  ts_ms: Ms;
  /** 'created' | 'triggered' | 'reset' | 'deleted' | 'limit_updated' … */
  event: string;
  contracts_limit?: Opt<Count>;
  market_ticker?: Opt<string>;
  reason?: Opt<string>;
}

/** kind 'calibration' → calibrations; natural key (session_id, started_ms). */
export interface CalibrationRecord {
  session_id: string;
  started_ms: Ms;
  duration_ms?: Opt<Int>;
  balance_micros?: Opt<Micros>;
  reserved_micros?: Opt<Micros>;
  portfolio_value_micros?: Opt<Micros>;
  positions_adopted?: Opt<number>;
  positions_elsewhere?: Opt<number>;
  orders_adopted?: Opt<number>;
  orphans_cancelled?: Opt<number>;
  orphans_not_cancelled?: Opt<number>;
  orders_elsewhere?: Opt<number>;
  fills_marked_seen?: Opt<number>;
  group_id?: Opt<string>;
}

/** kind 'market_data' → market_data (recorded books for replay); natural key (session_id, seq). */
export interface MarketDataRecord {
  session_id: string;
  /** Per session, in receive order. */
  seq: Int;
  market_ticker: string;
  /** 'snapshot' | 'delta' | 'trade' | 'lifecycle' | 'ticker' ('market' makes it a MarketRecord). */
  type: string;
  recv_ms?: Opt<Ms>;
  /** The exchange's timestamp. */
  ts_ms?: Opt<Ms>;
  exchange_seq?: Opt<Int>;
  side?: Opt<'yes' | 'no'>;
  price?: Opt<Price>;
  /** Count delta, hundredths. */
  delta?: Opt<Count>;
  /** A snapshot's levels: { yes: [[price, count]…], no: […] }. */
  levels?: Opt<Json>;
  payload?: Opt<Json>;
}

/** The record type of each kind (a discriminated kind may also take its sibling's record). */
export interface JournalRecordOf {
  session: SessionRecord;
  order_event: OrderEventRecord;
  fill: FillRecord | SettlementRecord;
  decision: DecisionRecord;
  drift: DriftRecord;
  position_snapshot: PositionSnapshotRecord;
  cash_snapshot: CashSnapshotRecord;
  state_transition: StateTransitionRecord;
  health_event: HealthEventRecord;
  group_event: GroupEventRecord;
  calibration: CalibrationRecord;
  market_data: MarketDataRecord | MarketRecord;
}

/**
 * A typed front for `Journal.write`: `writeRecord(journal, 'fill', {...})` checks the record's
 * fields at compile time and costs nothing more at run time.
 */
export function writeRecord<K extends keyof JournalRecordOf>(
  journal: { write(kind: K, record: Readonly<Record<string, unknown>>): void }, kind: K, record: JournalRecordOf[K],
): void {
  journal.write(kind, record as unknown as Readonly<Record<string, unknown>>);
}
