/**
 * The fill and settlement records calibration journals (journal-records.ts FillRecord /
 * SettlementRecord; fields that are not columns land in the row's `extra`).
 *
 * - A fill the exchange lists and the journal lacks: the exchange's fill as is, source
 *   'calibration' (its fill_id kept in `extra`).
 * - A settlement the journal lacks: source 'settlement' (→ settlements table) with the exchange's
 *   revenue; `revenue_micros` (what the host booked) stays null — the host booked nothing.
 * - A synthesized fill for a position change no fill explains, source 'synthesized'. Its
 *   (order_id, trade_id), the fills table's key, is `synthesizedFillId`: a digest of the ticker, the
 *   residual and the exchange's last-updated time of the position — the same on every run that
 *   sees the same exchange state, so the row is written once. Its time is that last update, but
 *   never at or before the baseline (so the next run counts it among the fills since). Its price is
 *   the position's average cost (market exposure / |position|, in the outcome held), an estimate,
 *   flagged in `extra.synthesized` with the baseline it was measured against.
 */
import { createHash } from 'node:crypto';
import { PRICE_SCALE } from '../../shared/fixed-point.js';
import type { Fill, MarketPosition, Settlement } from '../../shared/kalshi/rest/index.js';

/** The `source` of a synthesized fill record. */
export const SYNTHESIZED = 'synthesized';

/** A fill's exchange time, ms (created_time, else the legacy ts in seconds). */
export function fillTimeMs(f: Fill): number {
  return f.createdTimeMs ?? (f.ts ?? 0) * 1000;
}

/** The deterministic id of a synthesized fill: `syn-` and 24 hex digits of SHA-256(ticker|delta|lastUpdatedMs). */
export function synthesizedFillId(ticker: string, delta: number, lastUpdatedMs: number): string {
  return `syn-${createHash('sha256').update(`${ticker}|${delta}|${lastUpdatedMs}`).digest('hex').slice(0, 24)}`;
}

export function missingFillRecord(sessionId: string, f: Fill): Record<string, unknown> {
  return {
    session_id: sessionId, trade_id: f.tradeId, order_id: f.orderId, client_order_id: null, market_ticker: f.ticker, side: f.outcomeSide,
    yes_price: f.yesPrice, count: f.count, fee_micros: f.fee, is_taker: f.isTaker, ts_ms: fillTimeMs(f), post_position: null, source: 'calibration',
    fill_id: f.fillId,
  };
}

export function settlementRecord(sessionId: string, s: Settlement, nowMs: number): Record<string, unknown> {
  return {
    source: 'settlement', session_id: sessionId, market_ticker: s.ticker, result: s.marketResult, revenue_micros: null, exchange_revenue_micros: s.revenue,
    position: s.yesCount - s.noCount, settled_ms: s.settledTimeMs, ts_ms: nowMs, fee_micros: s.fee, journaled_by: 'calibration',
  };
}

export interface SynthesizedFill {
  sessionId: string;
  ticker: string;
  /** Signed hundredths the exchange holds beyond what the journal explains. */
  residual: number;
  /** The exchange's last update of the position (or the settlement time), ms. */
  updatedMs: number;
  baseline: { sessionId: string; atMs: number };
  /** The exchange's position record, when it lists one. */
  position: MarketPosition | undefined;
  id: string;
  /** What the journal expected, hundredths. */
  expected: number;
}

export function synthesizedFillRecord(s: SynthesizedFill): Record<string, unknown> {
  const p = s.position;
  // Average paid price of the position held, in its own outcome; as a YES-book price of the fill.
  const paid = p !== undefined && p.position !== 0 ? Math.min(PRICE_SCALE, Math.max(0, Math.round(p.marketExposure / Math.abs(p.position)))) : 0;
  const heldYes = (p?.position ?? s.residual) > 0;
  return {
    session_id: s.sessionId, trade_id: s.id, order_id: s.id, client_order_id: null, market_ticker: s.ticker, side: s.residual > 0 ? 'yes' : 'no',
    yes_price: heldYes ? paid : PRICE_SCALE - paid, count: Math.abs(s.residual), fee_micros: null, is_taker: null,
    ts_ms: Math.max(s.updatedMs, s.baseline.atMs + 1), post_position: p?.position ?? 0, source: SYNTHESIZED,
    synthesized: {
      reason: 'a position change no fill explains', baseline_session: s.baseline.sessionId, baseline_ms: s.baseline.atMs, expected: s.expected,
      exchange_updated_ms: s.updatedMs, price: 'estimated: the average cost of the position',
    },
  };
}
