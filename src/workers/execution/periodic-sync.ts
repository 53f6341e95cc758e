/**
 * Reconciliation with the exchange: every `syncIntervalS` (default 30 s), and at once when the
 * private stream may have lost events (a sequence gap, an unreadable frame, a reconnect).
 * The exchange is authoritative (architecture.md §1 rule 3); the ledger is a cache checked
 * against it:
 *
 * 1. Snapshot: balance, positions, resting orders (every page, in parallel).
 * 2. Fills since the last sync (minus `fillSlackMs` for clock skew), oldest first, applied to
 *    the ledger: it ignores what it has seen (trade_id + order_id), so a fill the WebSocket
 *    missed is applied once and one it delivered is not applied again.
 * 3. Settlements of the last 24 h: each market of ours settled while the ledger still holds a
 *    position is paid out (once per market).
 * 4. Orders: our resting orders the core does not know are handed to it (it adopts them or lists
 *    them as strays to cancel); a working order the exchange no longer lists as resting is
 *    looked up and its real state handed to the core; orphans (not ours) in our markets are
 *    cancelled (the rule of calibration.ts). Markets with a request in flight or unresolved are
 *    left to that request.
 * 5. Drift = ledger − exchange (ledger.ts `drift`), cash against balance + what the exchange
 *    holds for resting orders. A cash difference inside [0, maker-fee bound] is explained
 *    (exchange-view.ts). A difference seen once may be a fill in flight between the reads: the
 *    check is repeated after `confirmDelayMs` on a fresh snapshot, and only the SAME difference
 *    twice is a drift: journaled (kind 'drift': cash exchange − host, and per market the host's
 *    and the exchange's figures), counted, and —
 *    `adoptOnDrift`, the default — the exchange's figures adopted (positions, basis, realized,
 *    fees; cash set to the exchange's balance + reserved, the maker-fee allowance included).
 *
 * Journal (records.ts): each fill applied here (kind 'fill', source 'sync', post_position = the
 * ledger's position after it; REST fills carry no client_order_id), each settlement paid (kind
 * 'fill', source 'settlement': the position settled, the revenue booked and the exchange's).
 *
 * One run at a time (the stage serialises them). Reads throw like any query; the stage counts a
 * failed run and the next one starts from the same watermark.
 */
import type { MarketPosition, Order, Settlement } from '../../shared/kalshi/rest/index.js';
import { KalshiHttpError } from '../../shared/kalshi/rest/index.js';
import { writeRecord } from '../../shared/journal-records.js';
import type { MarketDrift } from './ledger.js';
import { cancelOrders, orderUpdateOf, readAccount, reservationOf, type AccountSnapshot } from './exchange-view.js';
import type { ExecutionContext } from './execution-context.js';

export interface PeriodicSyncOptions {
  /** Where fills are read from at the first run, ms (calibration's snapshot time). */
  fillWatermarkMs: number;
  /** Fills are read from the last run's start minus this, ms (default 5 000). */
  fillSlackMs?: number;
  /** Wait before the confirming second check, ms (default 750). */
  confirmDelayMs?: number;
  /** Adopt the exchange's figures on a confirmed drift (default true). */
  adoptOnDrift?: boolean;
  /** How far back settlements are read, ms (default 24 h). */
  settlementLookbackMs?: number;
  /** Cancel orphans found resting in our markets (default true). */
  cancelOrphans?: boolean;
  /** True once the stage is stopping: the run ends at its next step. */
  cancelled?: () => boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** Ledger − exchange after explaining what can be explained. */
export interface DriftView {
  /** Unexplained cash, µ$ (0 when the difference is inside [0, makerBound]). */
  cash: number;
  /** Raw ledger cash − (balance + reserved), µ$. */
  rawCash: number;
  makerBound: number;
  markets: MarketDrift[];
  ok: boolean;
}

export interface SyncReport {
  reason: string;
  startedAtMs: number;
  durationMs: number;
  fillsApplied: number;
  settlementsApplied: number;
  ordersRecovered: number;
  orphansCancelled: number;
  drift: DriftView;
  /** The drift was seen twice, the same: journaled and (by default) adopted. */
  driftConfirmed: boolean;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class PeriodicSync {
  private watermarkMs: number;
  private readonly settled = new Set<string>();
  private readonly slackMs: number;
  private readonly confirmDelayMs: number;
  private readonly adoptOnDrift: boolean;
  private readonly lookbackMs: number;
  private readonly cancelled: () => boolean;
  private readonly cancelOrphans: boolean;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly ctx: ExecutionContext, options: PeriodicSyncOptions) {
    this.watermarkMs = options.fillWatermarkMs;
    this.slackMs = options.fillSlackMs ?? 5_000;
    this.confirmDelayMs = options.confirmDelayMs ?? 750;
    this.adoptOnDrift = options.adoptOnDrift ?? true;
    this.lookbackMs = options.settlementLookbackMs ?? 86_400_000;
    this.cancelled = options.cancelled ?? (() => false);
    this.cancelOrphans = options.cancelOrphans ?? true;
    this.sleep = options.sleep ?? realSleep;
  }

  /** One reconciliation (see the header). Throws when a read fails. */
  async run(reason: string): Promise<SyncReport> {
    const { ctx } = this;
    const startedAtMs = ctx.clock();
    const snap = await readAccount(ctx.rest, startedAtMs);
    const fillsApplied = await this.applyFills(startedAtMs);
    const settlementsApplied = await this.applySettlements();
    const { recovered, orphans } = await this.reconcileOrders(snap);
    ctx.counters.driftChecks++;
    let drift = this.compare(snap);
    let driftConfirmed = false;
    if (!drift.ok && !this.cancelled()) {
      ctx.counters.driftSuspected++;
      await this.sleep(this.confirmDelayMs);
      if (!this.cancelled()) {
        const again = await readAccount(ctx.rest, ctx.clock());
        await this.applyFills(again.takenAtMs);
        ctx.counters.driftChecks++;
        const second = this.compare(again);
        if (!second.ok && sameDrift(drift, second)) {
          driftConfirmed = true;
          this.confirm(reason, again, second);
        }
        drift = second;
      }
    }
    return {
      reason, startedAtMs, durationMs: ctx.clock() - startedAtMs, fillsApplied, settlementsApplied,
      ordersRecovered: recovered, orphansCancelled: orphans, drift, driftConfirmed,
    };
  }

  /** Fills since the watermark, oldest first, into the ledger. Returns how many changed it. */
  private async applyFills(runStartMs: number): Promise<number> {
    const { ctx } = this;
    const minTs = Math.max(0, Math.floor((this.watermarkMs - this.slackMs) / 1000));
    const fills = [];
    for await (const page of ctx.rest.fillPages({ minTs, limit: 200 }, { priority: true })) fills.push(...page.items);
    fills.reverse(); // pages are newest first
    const now = ctx.clock();
    const order = fills.map((f, i) => ({ f, i, ts: f.createdTimeMs ?? (f.ts ?? 0) * 1000 })).sort((a, b) => a.ts - b.ts || a.i - b.i);
    let applied = 0;
    for (const { f, ts } of order) {
      const m = ctx.marketOf(f.ticker);
      if (m < 0) continue;
      const changed = ctx.core.onFill({ tradeId: f.tradeId, orderId: f.orderId, market: m, side: f.bookSide, yesPrice: f.yesPrice, count: f.count, fee: f.fee, tsMs: ts }, now);
      if (changed) {
        applied++;
        ctx.counters.fillsFromSync++;
        writeRecord(ctx.journal, 'fill', {
          session_id: ctx.sessionId, trade_id: f.tradeId, order_id: f.orderId, market_ticker: f.ticker, side: f.outcomeSide, yes_price: f.yesPrice,
          count: f.count, fee_micros: f.fee, is_taker: f.isTaker, ts_ms: ts, post_position: ctx.core.ledger.position[m], source: 'sync',
        });
      }
    }
    this.watermarkMs = runStartMs;
    return applied;
  }

  private async applySettlements(): Promise<number> {
    const { ctx } = this;
    const minTs = Math.max(0, Math.floor((ctx.clock() - this.lookbackMs) / 1000));
    const list: Settlement[] = [];
    for await (const page of ctx.rest.settlementPages({ minTs, limit: 200 }, { priority: true })) list.push(...page.items);
    let applied = 0;
    const now = ctx.clock();
    for (const s of list) {
      const m = ctx.marketOf(s.ticker);
      if (m < 0 || this.settled.has(s.ticker)) continue;
      this.settled.add(s.ticker);
      if (s.marketResult === 'scalar' || ctx.core.ledger.position[m] === 0) continue;
      const position = ctx.core.ledger.position[m];
      const revenue = ctx.core.onSettlement(m, s.marketResult, now);
      applied++;
      ctx.counters.settlementsApplied++;
      writeRecord(ctx.journal, 'fill', {
        source: 'settlement', session_id: ctx.sessionId, market_ticker: s.ticker, result: s.marketResult, revenue_micros: revenue,
        exchange_revenue_micros: s.revenue, position, settled_ms: s.settledTimeMs, ts_ms: now,
      });
    }
    return applied;
  }

  private async reconcileOrders(snap: AccountSnapshot): Promise<{ recovered: number; orphans: number }> {
    const { ctx } = this;
    const { core } = ctx;
    const busy = (m: number) => core.working.inFlight(m) !== undefined || core.working.isReduced(m);
    const now = ctx.clock();
    let recovered = 0;
    const orphans: Order[] = [];
    const resting = new Set<string>();
    for (const o of snap.resting) {
      resting.add(o.orderId);
      const m = ctx.marketOf(o.ticker);
      if (m < 0) continue;
      if (!ctx.isOurs(o.clientOrderId)) {
        orphans.push(o);
        continue;
      }
      if (busy(m)) continue;
      const w = core.working.workingOrder(m);
      if (w !== undefined && w.orderId === o.orderId) {
        if (w.remaining !== o.remainingCount || w.price !== o.yesPrice) core.onUserOrder(m, orderUpdateOf(o), now);
        continue;
      }
      if (core.working.straysOf(m).includes(o.orderId)) continue;
      core.onUserOrder(m, orderUpdateOf(o), now);
      recovered++;
    }
    // Working orders the snapshot does not list: ask for each (it may be newer than the snapshot).
    for (let m = 0; m < core.capacity; m++) {
      const w = core.working.workingOrder(m);
      if (w === undefined || resting.has(w.orderId) || busy(m)) continue;
      try {
        const o = await ctx.rest.order(w.orderId, { priority: true });
        if (!busy(m)) core.onUserOrder(m, orderUpdateOf(o), ctx.clock());
      } catch (err) {
        if (!(err instanceof KalshiHttpError && err.status === 404)) throw err;
        // The exchange does not know it: gone.
        if (!busy(m)) core.onUserOrder(m, { ...w, status: 'canceled', remaining: 0, tsMs: Math.max(w.tsMs, ctx.clock()) }, ctx.clock());
      }
    }
    ctx.counters.ordersRecovered += recovered;
    let cancelled = 0;
    if (orphans.length > 0 && this.cancelOrphans) {
      cancelled = (await cancelOrders(ctx.rest, orphans)).cancelled;
      ctx.counters.orphansCancelled += cancelled;
    }
    return { recovered, orphans: cancelled };
  }

  /** Ledger − exchange for our markets and the account's cash (see the header). */
  compare(snap: AccountSnapshot): DriftView {
    const { ctx } = this;
    const positionOf = new Map<string, number>();
    const positions = [];
    for (const p of snap.positions) {
      positionOf.set(p.ticker, p.position);
      const m = ctx.marketOf(p.ticker);
      if (m >= 0) positions.push(snapshotOf(m, p));
    }
    const { reserved, makerBound } = reservationOf(snap.resting, (t) => positionOf.get(t) ?? 0);
    const d = ctx.core.ledger.drift({ cash: snap.balance, reservedCash: reserved, positions });
    const cash = d.cash < 0 ? d.cash : d.cash > makerBound ? d.cash - makerBound : 0;
    return { cash, rawCash: d.cash, makerBound, markets: d.markets, ok: cash === 0 && d.markets.length === 0 };
  }

  private confirm(reason: string, snap: AccountSnapshot, d: DriftView): void {
    const { ctx } = this;
    const { core } = ctx;
    const now = ctx.clock();
    ctx.counters.driftConfirmed++;
    ctx.counters.lastDriftCash = d.cash;
    ctx.counters.lastDriftMarkets = d.markets.length;
    const byMarket = new Map<number, MarketPosition>();
    for (const p of snap.positions) {
      const m = ctx.marketOf(p.ticker);
      if (m >= 0) byMarket.set(m, p);
    }
    // The record's differences are exchange − host (records.ts DriftRecord), the negation of DriftView's.
    const l = core.ledger;
    writeRecord(ctx.journal, 'drift', {
      session_id: ctx.sessionId, ts_ms: now, reason, cash_micros: -d.cash, raw_cash_micros: -d.rawCash, maker_bound_micros: d.makerBound,
      markets: d.markets.map((x) => {
        const p = byMarket.get(x.market);
        return {
          market_ticker: core.tickerOf(x.market),
          host: { position: l.position[x.market], cost_basis_micros: l.costBasis[x.market], realized_pnl_micros: l.realizedPnl[x.market], fees_paid_micros: l.feesPaid[x.market] },
          exchange: p === undefined ? { position: 0, cost_basis_micros: 0 }
            : { position: p.position, cost_basis_micros: p.marketExposure, realized_pnl_micros: p.realizedPnl, fees_paid_micros: p.feesPaid },
        };
      }),
      adopted: this.adoptOnDrift,
    });
    if (!this.adoptOnDrift) return;
    for (const x of d.markets) {
      const p = byMarket.get(x.market);
      core.ledger.adopt(p === undefined ? { market: x.market, position: 0, costBasis: 0 } : snapshotOf(x.market, p), now);
      core.publishMarket(x.market, now);
    }
    // The whole difference, not only its unexplained part: the maker-fee allowance is an upper
    // bound of what the exchange MAY hold, and keeping it would leave the host's cash above the
    // exchange's by up to that bound for as long as the orders rest (the host would count cash
    // it does not have). Adopting balance + reserved errs on the safe side.
    if (d.cash !== 0) core.ledger.setCash(core.ledger.cash - d.rawCash);
    core.publishAccount(now);
  }
}

function snapshotOf(market: number, p: MarketPosition) {
  return { market, position: p.position, costBasis: p.marketExposure, realizedPnl: p.realizedPnl, feesPaid: p.feesPaid };
}

function sameDrift(a: DriftView, b: DriftView): boolean {
  return a.cash === b.cash && JSON.stringify(a.markets) === JSON.stringify(b.markets);
}
