/**
 * A recorded session read back from the journal (PostgreSQL or PGlite): its markets (grids and
 * close times), its market data in order, its live decisions and the policy it ran.
 * PostgreSQL returns bigint columns as strings: every number is converted here, at the edge.
 */
import { ACTION_NAMES } from '../../shared/policy/actions.js';
import type { PriceRange } from '../../shared/price-grid.js';
import type { LiveDecision, ReplayMarket, ReplayRecord } from './replay.js';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface RecordedSession {
  sessionId: string;
  policy: string | undefined;
  markets: ReplayMarket[];
  records: ReplayRecord[];
  decisions: LiveDecision[];
}

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

/** Decisions store the action's name (HOLD, BUY_YES, …); older rows may hold the code. */
function actionCode(v: unknown): number {
  const byName = (ACTION_NAMES as readonly string[]).indexOf(String(v));
  return byName >= 0 ? byName : Number(v);
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export async function loadSession(db: Queryable, sessionId: string): Promise<RecordedSession> {
  const sessions = await db.query<{ config: unknown }>('SELECT config FROM sessions WHERE session_id = $1', [sessionId]);
  if (sessions.length === 0) throw new ReplayError(`no session ${sessionId} in the journal`);
  const config = json<{ policy?: string }>(sessions[0].config);
  const rows = await db.query<Record<string, unknown>>(
    'SELECT seq, market_ticker, type, side, price, delta, levels, ts_ms, payload FROM market_data WHERE session_id = $1 ORDER BY seq', [sessionId]);
  if (rows.length === 0) throw new ReplayError(`session ${sessionId} has no recorded market data (run with --record-market-data)`);
  const records: ReplayRecord[] = rows.map((r) => ({
    seq: num(r.seq), market_ticker: String(r.market_ticker), type: String(r.type),
    side: r.side === null ? null : String(r.side), price: r.price === null ? null : num(r.price), delta: r.delta === null ? null : num(r.delta),
    levels: json(r.levels), ts_ms: r.ts_ms === null ? null : num(r.ts_ms), payload: json(r.payload),
  }));
  const tickers = [...new Set(records.map((r) => r.market_ticker))];
  const marketRows = await db.query<Record<string, unknown>>('SELECT market_ticker, price_grid, close_ms FROM markets WHERE market_ticker = ANY($1)', [tickers]);
  const markets: ReplayMarket[] = marketRows.map((m) => ({
    ticker: String(m.market_ticker), ranges: json<PriceRange[]>(m.price_grid) ?? [], closeTimeMs: num(m.close_ms),
  }));
  const missing = tickers.filter((t) => !markets.some((m) => m.ticker === t));
  if (missing.length > 0) throw new ReplayError(`the journal has no market definition for ${missing.slice(0, 3).join(', ')}`);
  const decisionRows = await db.query<Record<string, unknown>>('SELECT market_ticker, book_version, action, ts_ms, extra FROM decisions WHERE session_id = $1', [sessionId]);
  const decisions: LiveDecision[] = decisionRows.map((d) => ({
    market_ticker: String(d.market_ticker), book_version: num(d.book_version), action: actionCode(d.action), ts_ms: num(d.ts_ms),
    decide_us: num(json<{ decide_us?: number }>(d.extra)?.decide_us),
  }));
  return { sessionId, policy: config?.policy, markets, records, decisions };
}
