/**
 * What calibration reads from the journal (src/main/store/migrations.ts has the schema), each read
 * one query with array parameters, so the cost does not grow with round trips:
 *
 * - the baseline: the latest trading session other than the current one whose values were
 *   recorded — its end values when it ended cleanly (ended_ms + end_values), else its start values
 *   (a crash). The positions listed there are the non-zero positions of the markets it traded
 *   (execution-stage.ts `positions()`); the markets it traded (start_values.markets, plus the
 *   markets rows it wrote when rotating) are therefore known flat when not listed. The
 *   `calibrate` command writes no session, so it never becomes a baseline;
 * - fills journaled after a time, by any session (the fills table is keyed by (order_id,
 *   trade_id), so a fill written by two sessions is one row);
 * - which of a set of fills, settlements, sessions and client_order_ids the journal has;
 * - since when each held position has been open: the first fill after the last one that left
 *   the market flat (post_position = 0).
 *
 * Column types come back as the driver gives them (int8 as a string in both pg and PGlite):
 * everything numeric goes through `num`.
 */
import type { JournalKind } from '../../shared/journal.js';

/** The journal as calibration needs it: `StoreJournal` fits, and so does a test double. */
export interface CalibrationJournal {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  write(kind: JournalKind, record: Readonly<Record<string, unknown>>): void;
}

export interface JournalBaseline {
  sessionId: string;
  source: 'end' | 'start';
  atMs: number;
  /** Signed hundredths by ticker (non-zero ones only, as recorded). */
  positions: Map<string, number>;
  /** Tickers whose position the baseline knows (flat unless in `positions`). */
  knownTickers: Set<string>;
  /** µ$ before reservations (the ledger's cash); null when not recorded. */
  cash: number | null;
}

export interface JournalFill {
  tradeId: string;
  orderId: string;
  ticker: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell' | null;
  yesPrice: number;
  count: number;
  fee: number;
  tsMs: number;
  source: string | null;
}

/** A number from a row (int8 arrives as a string); null stays null. */
export function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Signed hundredths a journaled fill adds to the position: bought YES +, bought NO − (a 'sell' reverses it). */
export function fillDelta(f: Pick<JournalFill, 'side' | 'action' | 'count'>): number {
  const sign = (f.side === 'yes' ? 1 : -1) * (f.action === 'sell' ? -1 : 1);
  return sign * f.count;
}

interface SessionRow {
  session_id: string;
  started_ms: unknown;
  ended_ms: unknown;
  start_values: unknown;
  end_values: unknown;
  start_cash_micros: unknown;
  end_cash_micros: unknown;
}

function positionsOf(values: unknown): Array<{ ticker: string; position: number }> | undefined {
  const list = values !== null && typeof values === 'object' ? (values as { positions?: unknown }).positions : undefined;
  if (!Array.isArray(list)) return undefined;
  const out: Array<{ ticker: string; position: number }> = [];
  for (const p of list) {
    const ticker = (p as { market_ticker?: unknown })?.market_ticker;
    const position = num((p as { position?: unknown })?.position);
    if (typeof ticker === 'string' && position !== null) out.push({ ticker, position });
  }
  return out;
}

function marketsOf(values: unknown): string[] {
  const list = values !== null && typeof values === 'object' ? (values as { markets?: unknown }).markets : undefined;
  return Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : [];
}

/** The baseline (see the file comment); undefined when the journal holds no usable session. */
export async function readBaseline(journal: CalibrationJournal, currentSessionId: string): Promise<JournalBaseline | undefined> {
  const rows = await journal.query<SessionRow>(
    `SELECT session_id, started_ms, ended_ms, start_values, end_values, start_cash_micros, end_cash_micros
       FROM sessions
      WHERE session_id <> $1 AND started_ms IS NOT NULL AND (end_values IS NOT NULL OR start_values IS NOT NULL)
      ORDER BY started_ms DESC, session_id DESC
      LIMIT 1`,
    [currentSessionId],
  );
  const s = rows[0];
  if (s === undefined) return undefined;
  const endPositions = positionsOf(s.end_values);
  const ended = num(s.ended_ms);
  const useEnd = ended !== null && endPositions !== undefined;
  const listed = useEnd ? endPositions : positionsOf(s.start_values) ?? [];
  const positions = new Map<string, number>();
  for (const p of listed) if (p.position !== 0) positions.set(p.ticker, p.position);
  const knownTickers = new Set<string>([...marketsOf(s.start_values), ...positions.keys()]);
  const rotated = await journal.query<{ market_ticker: string }>('SELECT market_ticker FROM markets WHERE session_id = $1', [s.session_id]);
  for (const r of rotated) knownTickers.add(r.market_ticker);
  return {
    sessionId: s.session_id,
    source: useEnd ? 'end' : 'start',
    atMs: useEnd ? ended : num(s.started_ms)!,
    positions,
    knownTickers,
    cash: num(useEnd ? s.end_cash_micros : s.start_cash_micros),
  };
}

interface FillRow {
  trade_id: string;
  order_id: string;
  market_ticker: string;
  side: string;
  action: string | null;
  yes_price: unknown;
  count: unknown;
  fee_micros: unknown;
  ts_ms: unknown;
  source: string | null;
}

/** Every fill journaled strictly after `sinceMs`, oldest first. */
export async function journalFillsSince(journal: CalibrationJournal, sinceMs: number): Promise<JournalFill[]> {
  const rows = await journal.query<FillRow>(
    `SELECT trade_id, order_id, market_ticker, side, action, yes_price, count, fee_micros, ts_ms, source
       FROM fills WHERE ts_ms > $1 ORDER BY ts_ms, trade_id`,
    [sinceMs],
  );
  return rows.map((r) => ({
    tradeId: r.trade_id, orderId: r.order_id, ticker: r.market_ticker, side: r.side === 'no' ? 'no' : 'yes',
    action: r.action === 'buy' || r.action === 'sell' ? r.action : null,
    yesPrice: num(r.yes_price) ?? 0, count: num(r.count) ?? 0, fee: num(r.fee_micros) ?? 0, tsMs: num(r.ts_ms) ?? 0, source: r.source,
  }));
}

/** `${order_id} ${trade_id}` of the fills among `tradeIds` the journal has. */
export async function knownFillKeys(journal: CalibrationJournal, tradeIds: readonly string[]): Promise<Set<string>> {
  if (tradeIds.length === 0) return new Set();
  const rows = await journal.query<{ order_id: string; trade_id: string }>('SELECT order_id, trade_id FROM fills WHERE trade_id = ANY($1)', [[...tradeIds]]);
  return new Set(rows.map((r) => fillKey(r.order_id, r.trade_id)));
}

export function fillKey(orderId: string, tradeId: string): string {
  return `${orderId} ${tradeId}`;
}

/** Tickers among `tickers` with a settlement in the journal (any session). */
export async function knownSettlements(journal: CalibrationJournal, tickers: readonly string[]): Promise<Set<string>> {
  if (tickers.length === 0) return new Set();
  const rows = await journal.query<{ market_ticker: string }>('SELECT DISTINCT market_ticker FROM settlements WHERE market_ticker = ANY($1)', [[...tickers]]);
  return new Set(rows.map((r) => r.market_ticker));
}

/** Session ids among `sessions` the journal knows. */
export async function knownSessions(journal: CalibrationJournal, sessions: readonly string[]): Promise<Set<string>> {
  if (sessions.length === 0) return new Set();
  const rows = await journal.query<{ session_id: string }>('SELECT session_id FROM sessions WHERE session_id = ANY($1)', [[...sessions]]);
  return new Set(rows.map((r) => r.session_id));
}

export interface JournaledOrder {
  /** The exchange status the journal last recorded ('resting', 'canceled', 'executed' …), null when none. */
  status: string | null;
  lastEvent: string;
}

/** The journal's view (orders view) of each of `clientOrderIds` it has. */
export async function journaledOrders(journal: CalibrationJournal, clientOrderIds: readonly string[]): Promise<Map<string, JournaledOrder>> {
  if (clientOrderIds.length === 0) return new Map();
  const rows = await journal.query<{ client_order_id: string; status: string | null; last_event: string }>(
    'SELECT client_order_id, status, last_event FROM orders WHERE client_order_id = ANY($1)', [[...clientOrderIds]],
  );
  return new Map(rows.map((r) => [r.client_order_id, { status: r.status, lastEvent: r.last_event }]));
}

/** Per ticker: the time of the first journaled fill since the market was last flat (post_position 0). */
export async function heldSince(journal: CalibrationJournal, tickers: readonly string[]): Promise<Map<string, number>> {
  if (tickers.length === 0) return new Map();
  const rows = await journal.query<{ market_ticker: string; since_ms: unknown }>(
    `SELECT f.market_ticker, min(f.ts_ms) AS since_ms
       FROM fills f
      WHERE f.market_ticker = ANY($1)
        AND f.ts_ms > coalesce((SELECT max(z.ts_ms) FROM fills z WHERE z.market_ticker = f.market_ticker AND z.post_position = 0), -1)
      GROUP BY f.market_ticker`,
    [[...tickers]],
  );
  const out = new Map<string, number>();
  for (const r of rows) {
    const t = num(r.since_ms);
    if (t !== null) out.set(r.market_ticker, t);
  }
  return out;
}
