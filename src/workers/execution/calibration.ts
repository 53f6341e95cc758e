/**
 * Start-up calibration, the minimal part the execution thread owns (architecture.md §6 has the
 * supervisor's full version): take the account as the exchange has it, so that the ledger starts
 * equal to it to the µ$.
 *
 * 1. Resting orders. The rule, for every resting order of the account:
 *    - in a market we trade, with this session's client_order_id prefix → ADOPTED as that
 *      market's working order (a second one of ours in the same market is a stray, which the
 *      core cancels on its next poll); its ticker's id sequence continues after it;
 *    - in a market we trade, anything else (another session of this host, a person, another
 *      program) → an ORPHAN, CANCELLED: it would stand beside our one working order, hold cash
 *      and trade against the policy's intent. A new session id per process start makes a
 *      restart cancel the previous run's orders; the policy decides afresh on fresh books;
 *    - in a market we do not trade → left alone (not ours to touch), counted.
 * 2. Positions and balance, read after the orphans are gone: positions of our markets adopted
 *    (position, cost basis, realized P&L, fees); cash = balance + what the exchange holds for
 *    the account's resting orders (the ledger counts cash before reservations; exchange-view.ts).
 * 3. The fill watermark: fills of the last `fillSlackMs` that the positions already contain
 *    (time ≤ the position's last update) are marked seen, so neither the buffered private stream
 *    nor the first sync applies them a second time — and journaled (source 'calibration'), so a
 *    fill a killed process never journaled is not lost. Fills after the snapshot are applied when
 *    they arrive. (A fill in the same millisecond as the snapshot is taken as contained; if it
 *    was not, the first sync sees the drift and adopts the exchange's figures.)
 * 4. Order group: in `session` mode the session's group is created now (the first order would
 *    otherwise wait for it); `market` mode creates each market's group with its first order.
 *
 * The report is journaled as one 'calibration' record (records.ts CalibrationRecord: a column
 * for each of its figures, keyed by session_id and started_ms).
 */
import { writeRecord } from '../../shared/journal-records.js';
import { SESSION_GROUP } from './order-groups.js';
import { cancelOrders, orderUpdateOf, readAccount, reservationOf, restingOrders } from './exchange-view.js';
import { sequenceOf, type ExecutionContext } from './execution-context.js';

export interface CalibrationOptions {
  groupMode: 'session' | 'market' | 'off';
  /** Hundredths. */
  groupLimit: number;
  /** How far back fills are read for the watermark, ms (default 60 000). */
  fillSlackMs?: number;
  /** Cancel orphans (default true); false: they are counted and left resting. */
  cancelOrphans?: boolean;
}

export interface CalibrationReport {
  startedAtMs: number;
  durationMs: number;
  /** Available balance, µ$, and the µ$ the exchange holds for resting orders (estimate, exchange-view.ts). */
  balance: number;
  reserved: number;
  portfolioValue: number;
  positionsAdopted: number;
  /** Open positions in markets we do not trade. */
  positionsElsewhere: number;
  ordersAdopted: number;
  orphansCancelled: number;
  orphansNotCancelled: number;
  /** Resting orders in markets we do not trade, left alone. */
  ordersElsewhere: number;
  fillsMarkedSeen: number;
  /** The session's order group ('' when none was created now). */
  groupId: string;
}

export interface CalibrationResult {
  report: CalibrationReport;
  /** Group ids created by this session (deleted at a stop that cancels). */
  createdGroups: string[];
  /** Where the periodic sync starts reading fills, ms. */
  fillWatermarkMs: number;
}

export async function calibrate(ctx: ExecutionContext, options: CalibrationOptions): Promise<CalibrationResult> {
  const { rest, core, clock } = ctx;
  const startedAtMs = clock();

  // 1. Orphans first, so the balance read afterwards no longer carries their reservations.
  const before = await restingOrders(rest);
  const orphans = before.filter((o) => ctx.marketOf(o.ticker) >= 0 && !ctx.isOurs(o.clientOrderId));
  const { cancelled, failed } = options.cancelOrphans === false ? { cancelled: 0, failed: orphans.length } : await cancelOrders(rest, orphans);

  // 2. The account after the cancels.
  const snap = await readAccount(rest, clock());
  const now = clock();
  const positionOf = new Map<string, number>();
  const updatedAt = new Map<number, number>();
  let positionsAdopted = 0;
  let positionsElsewhere = 0;
  for (const p of snap.positions) {
    positionOf.set(p.ticker, p.position);
    const m = ctx.marketOf(p.ticker);
    if (m < 0) {
      if (p.position !== 0) positionsElsewhere++;
      continue;
    }
    core.ledger.adopt({ market: m, position: p.position, costBasis: p.marketExposure, realizedPnl: p.realizedPnl, feesPaid: p.feesPaid }, p.lastUpdatedMs);
    updatedAt.set(m, p.lastUpdatedMs);
    if (p.position !== 0) positionsAdopted++;
  }
  let ordersAdopted = 0;
  let ordersElsewhere = 0;
  for (const o of snap.resting) {
    const m = ctx.marketOf(o.ticker);
    if (m < 0) {
      ordersElsewhere++;
      continue;
    }
    if (!ctx.isOurs(o.clientOrderId)) continue; // an orphan that refused to go: counted above
    const seq = sequenceOf(o.clientOrderId);
    if (seq >= 0) core.ids.restore(o.ticker, seq + 1);
    core.onUserOrder(m, orderUpdateOf(o), now);
    ordersAdopted++;
  }
  const { reserved } = reservationOf(snap.resting, (t) => positionOf.get(t) ?? 0);
  core.startSession(snap.balance + reserved, snap.portfolioValue, now);
  for (let m = 0; m < core.capacity; m++) if (core.tickerOf(m) !== '') core.publishMarket(m, now);

  // 3. Fills the snapshot already contains.
  let fillsMarkedSeen = 0;
  const since = Math.max(0, Math.floor((startedAtMs - (options.fillSlackMs ?? 60_000)) / 1000));
  for await (const page of rest.fillPages({ minTs: since, limit: 200 }, { priority: true })) {
    for (const f of page.items) {
      const m = ctx.marketOf(f.ticker);
      if (m < 0) continue;
      const ts = f.createdTimeMs ?? (f.ts ?? 0) * 1000;
      if (ts <= (updatedAt.get(m) ?? snap.takenAtMs)) {
        core.ledger.markSeen(f.tradeId, f.orderId);
        fillsMarkedSeen++;
        // Journaled all the same: a fill between the dead session's last journal batch and this
        // snapshot is in the adopted position but nowhere else. The fills table's key (order_id,
        // trade_id) makes a fill journaled before a harmless duplicate.
        writeRecord(ctx.journal, 'fill', {
          session_id: ctx.sessionId, trade_id: f.tradeId, order_id: f.orderId, market_ticker: f.ticker, side: f.outcomeSide, yes_price: f.yesPrice,
          count: f.count, fee_micros: f.fee, is_taker: f.isTaker, ts_ms: ts, post_position: null, source: 'calibration',
        });
      }
    }
  }

  // 4. The session's order group.
  const createdGroups: string[] = [];
  let groupId = '';
  if (options.groupMode === 'session') {
    const r = await rest.createOrderGroup(options.groupLimit);
    if (r.kind === 'ACCEPTED') {
      groupId = r.reply.orderGroupId;
      createdGroups.push(groupId);
      core.groups.onCreated(SESSION_GROUP, groupId);
    }
  }

  const report: CalibrationReport = {
    startedAtMs, durationMs: clock() - startedAtMs, balance: snap.balance, reserved, portfolioValue: snap.portfolioValue,
    positionsAdopted, positionsElsewhere, ordersAdopted, orphansCancelled: cancelled, orphansNotCancelled: failed, ordersElsewhere,
    fillsMarkedSeen, groupId,
  };
  writeRecord(ctx.journal, 'calibration', {
    session_id: ctx.sessionId, started_ms: startedAtMs, duration_ms: report.durationMs, balance_micros: report.balance, reserved_micros: reserved,
    portfolio_value_micros: report.portfolioValue, positions_adopted: positionsAdopted, positions_elsewhere: positionsElsewhere,
    orders_adopted: ordersAdopted, orphans_cancelled: cancelled, orphans_not_cancelled: failed, orders_elsewhere: ordersElsewhere,
    fills_marked_seen: fillsMarkedSeen, group_id: groupId === '' ? null : groupId,
  });
  return { report, createdGroups, fillWatermarkMs: snap.takenAtMs };
}
