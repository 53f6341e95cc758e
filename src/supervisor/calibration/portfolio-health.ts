/**
 * Calibration step 4: the open positions and the cash, as they stand (pure).
 *
 * Each position (every market the exchange lists, traded or not) is marked at what a marketable
 * exit would get now — the best bid of the side held (YES held: the YES bid; NO held: the NO bid),
 * net of the taker fee (fees.ts) — the same mark as the supervisor's exit rules
 * (src/supervisor/position-health.ts):
 *     exitValue = notional(bid, |q|) − takerFee(bid, |q|)      (0 without a bid)
 *     pnl       = exitValue − cost basis (the exchange's market exposure; fees paid are apart)
 * Time held: since the journal's first fill after the market was last flat, else since the
 * exchange's last update of the position (a lower bound: any later fill resets it).
 *
 * Flags: `closing` (active, closes within min-time-to-close), `closed` (closed, determined,
 * disputed, amended or finalized: awaits settlement), `paused` (inactive), `no_bid`,
 * `not_traded` (not among the markets to trade), `unknown_market`.
 * Cash: available balance against the reserve; `closableValue` is what selling every position
 * that can be sold now (active market, a bid) would bring.
 */
import { notional } from '../../shared/fixed-point.js';
import { takerFee } from '../../shared/fees.js';
import type { Market, MarketPosition } from '../../shared/kalshi/rest/index.js';
import type { HealthReport, PositionFlag, PositionHealthRow, StepStatus } from './report.js';
import { dollars } from './report-table.js';

const CLOSED = new Set(['closed', 'determined', 'disputed', 'amended', 'finalized']);

export interface HealthInput {
  positions: readonly MarketPosition[];
  markets: ReadonlyMap<string, Market>;
  traded: ReadonlySet<string>;
  /** The journal's first fill of each open position, ms. */
  heldSince: ReadonlyMap<string, number>;
  /** Available balance, µ$. */
  balance: number;
  cashReserve: number;
  minTimeToCloseS: number;
  nowMs: number;
}

/** What selling |position| at `bid` brings, net of the taker fee, µ$ (0 without a bid). */
export function exitValueAt(bid: number, count: number): number {
  return bid > 0 && count > 0 ? notional(bid, count) - takerFee(bid, count) : 0;
}

export function assessHealth(input: HealthInput): HealthReport {
  const rows: PositionHealthRow[] = [];
  const closing: string[] = [];
  const closed: string[] = [];
  let closableValue = 0;
  let closable = 0;
  let totalPnl = 0;
  for (const p of [...input.positions].filter((x) => x.position !== 0).sort((a, b) => (a.ticker < b.ticker ? -1 : 1))) {
    const m = input.markets.get(p.ticker);
    const side = p.position > 0 ? 'yes' : 'no';
    const count = Math.abs(p.position);
    const exitPrice = m === undefined ? 0 : side === 'yes' ? m.yesBid : m.noBid;
    const exitValue = exitValueAt(exitPrice, count);
    const pnl = exitValue - p.marketExposure;
    const flags: PositionFlag[] = [];
    if (m === undefined) flags.push('unknown_market');
    else if (m.status === 'inactive') flags.push('paused');
    else if (CLOSED.has(m.status)) {
      flags.push('closed');
      closed.push(p.ticker);
    } else if (m.status === 'active' && m.closeTimeMs - input.nowMs < input.minTimeToCloseS * 1000) {
      flags.push('closing');
      closing.push(p.ticker);
    }
    if (exitPrice <= 0) flags.push('no_bid');
    if (!input.traded.has(p.ticker)) flags.push('not_traded');
    if (m?.status === 'active' && exitPrice > 0) {
      closable++;
      closableValue += Math.max(0, exitValue);
    }
    if (exitPrice > 0) totalPnl += pnl;
    const journalSince = input.heldSince.get(p.ticker);
    const fromJournal = journalSince !== undefined && journalSince <= p.lastUpdatedMs;
    const heldSinceMs = fromJournal ? journalSince : p.lastUpdatedMs;
    rows.push({
      ticker: p.ticker, position: p.position, side, costBasis: p.marketExposure, exitPrice, exitValue, pnl,
      pnlBps: p.marketExposure > 0 ? Math.round((pnl / p.marketExposure) * 10_000) : null,
      heldSinceMs, heldMs: Math.max(0, input.nowMs - heldSinceMs), heldSource: fromJournal ? 'journal' : 'exchange',
      closeTimeMs: m?.closeTimeMs ?? null, status: m?.status ?? null, flags,
    });
  }
  return {
    positions: rows,
    cash: { available: input.balance, reserve: input.cashReserve, short: Math.max(0, input.cashReserve - input.balance), closableValue, closable },
    closing, closed, totalPnl,
  };
}

export function healthStep(h: HealthReport): { status: StepStatus; summary: string } {
  const parts = [
    h.positions.length === 0 ? 'no open position' : `${h.positions.length} open position(s), P&L ${dollars(h.totalPnl, true)} at the bid net of fees`,
    `cash ${dollars(h.cash.available)} against a reserve of ${dollars(h.cash.reserve)}${h.cash.short > 0 ? ` (short ${dollars(h.cash.short)}; ${h.cash.closable} position(s) worth ${dollars(h.cash.closableValue)} can be closed)` : ''}`,
  ];
  if (h.closing.length > 0) parts.push(`closing soon: ${h.closing.join(', ')}`);
  if (h.closed.length > 0) parts.push(`closed markets: ${h.closed.join(', ')}`);
  const status: StepStatus = h.cash.short > 0 || h.closing.length > 0 || h.closed.length > 0 ? 'warn' : 'ok';
  return { status, summary: parts.join('; ') };
}
