/**
 * The execution thread's journal records against the REAL store (PGlite in memory, in its worker
 * thread, through the COPY WriteQueue): a run against the simulator with fills over the private
 * stream, fills found by the reconcile after a dropped connection, a confirmed drift, a market
 * added while running that then settles, a market trading state change and a stop. The store
 * refuses a record without its natural key or with a wrong type; here none may be refused, every
 * table the run touches has rows, and the rows carry the ledger's exact integers.
 * Every wait is on a condition.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../../src/main/store/open-journal.js';
import type { StoreJournal } from '../../../src/main/store/write-queue.js';
import { Action } from '../../../src/shared/policy/actions.js';
import { MarketTradingState, TradingState } from '../../../src/shared/position-records.js';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import type { ExecFill } from '../../../src/workers/execution/execution-core.js';
import { ledgerMismatches, startHarness, until, type Harness } from './stage-harness.js';

let h: Harness | undefined;
let journal: StoreJournal | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await journal?.close();
  journal = undefined;
});

/** bob takes every resting order of ours, whole; returns how many he took. */
function takeAll(x: Harness): number {
  const mine = x.resting();
  for (const o of mine) {
    const m = x.markets.find((k) => k.index === o.marketIndex)!;
    x.bobOrder({ ticker: m.ticker, side: o.side === 'bid' ? 'ask' : 'bid', price: o.price, count: o.remainingCount, timeInForce: 'immediate_or_cancel' });
  }
  return mine.filter((o) => x.sim.exchange.getOrder(x.key.keyId, o.orderId).status === 'executed').length;
}

/** An integer column as the database gives it back (number or bigint), exactly. */
const int = (v: unknown): bigint => BigInt(v as number | bigint | string);

const SETTLES = 'KXSIMTEST-26DEC31-T50';

describe('execution journal records in the store', () => {
  it('a run with fills (stream and reconcile), a drift, an added market that settles and a stop: no record refused, exact integers', async () => {
    journal = await openJournal({ pglite: 'memory', spillDir: null });
    const store = journal;
    h = await startHarness({
      count: 2,
      settings: { priceMode: 'mid', groupLimit: 1_000_000 },
      stage: { journal: store, sync: { confirmDelayMs: 100 } },
      pick: (m) => m.ticker !== SETTLES,
      setup: (sim, bob) => {
        const now = Date.now();
        sim.exchange.addMarket({
          ticker: SETTLES, eventTicker: sim.exchange.markets()[0].eventTicker, title: 'Settles at once', yesSubTitle: 'Yes', noSubTitle: 'No',
          priceLevelStructure: 'linear_cent', grid: PriceGrid.forStructure('linear_cent'), openMs: now - 60_000, closeMs: now + 3 * 3_600_000,
          settlementTimerSeconds: 0, canCloseEarly: true, fairValue: 5_000,
        });
        for (const [side, price] of [['bid', 4_800], ['ask', 5_200]] as const) {
          sim.control.placeOrder(bob.keyId, { ticker: SETTLES, side, price, count: 2_000, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross' });
        }
      },
    });
    const x = h;
    const { stage } = x;
    const core = stage.core;
    const sessionId = stage.sessionId;
    // The fills that changed the ledger, as it took them.
    const applied: ExecFill[] = [];
    const onFill = core.onFill.bind(core);
    core.onFill = (fill, nowMs) => {
      const changed = onFill(fill, nowMs);
      if (changed) applied.push({ ...fill });
      return changed;
    };

    // 1. Fills over the private stream.
    for (const m of x.markets) x.intent(m, Action.BUY_YES);
    await x.settle();
    expect(takeAll(x)).toBe(2);
    await until(() => stage.stats().fills.ws === 2, 'two fills over the stream');
    await expect.poll(() => ledgerMismatches(x), { timeout: 30_000, interval: 20 }).toEqual([]);

    // 2. Orders again, the connection cut, both filled: the reconcile after the reconnect finds them.
    for (const m of x.markets) x.intent(m, Action.BUY_NO);
    await x.settle();
    await until(() => x.resting().length === 2, 'two resting orders');
    x.sim.control.inject('drop');
    expect(takeAll(x)).toBe(2);
    await until(() => stage.stats().fills.sync === 2, 'two fills found by the reconcile');
    await expect.poll(() => ledgerMismatches(x), { timeout: 30_000, interval: 20 }).toEqual([]);
    await until(() => core.getTradingState() === TradingState.TRADING, 'trading again');

    // 3. $5 arrive outside the host: a confirmed drift.
    x.sim.control.adjustCash(x.key.keyId, 5_000_000);
    stage.requestReconcile('deposit');
    await until(() => stage.lastSyncReport()?.reason === 'deposit', 'the reconcile after the deposit');
    expect(stage.stats().drift.confirmed).toBe(1);

    // 4. A market added while running: bought, then settled.
    const settles = x.sim.exchange.markets().find((m) => m.ticker === SETTLES)!;
    x.books.registerMarket(settles.index, settles.grid);
    stage.addMarket({ index: settles.index, ticker: settles.ticker, grid: settles.grid, closeTimeMs: settles.closeMs });
    x.markets.push(settles); // the harness's books, intents and checks cover it from here
    x.intent(settles, Action.BUY_YES);
    await x.settle();
    await until(() => x.resting(settles).length === 1, 'a resting order in the added market');
    expect(takeAll(x)).toBe(1);
    await until(() => core.ledger.position[settles.index] > 0, 'the fill in the added market');
    const settledPosition = core.ledger.position[settles.index];
    x.sim.exchange.determine(SETTLES, 'yes');
    stage.setMarketTradingState(settles.index, MarketTradingState.HALTED, 'determined');
    stage.requestReconcile('settled');
    await until(() => stage.stats().settlementsApplied === 1, 'the settlement');
    await expect.poll(() => ledgerMismatches(x), { timeout: 30_000, interval: 20 }).toEqual([]);

    // 5. Stop.
    const report = await stage.stop({ cancelResting: true });
    expect(report.remaining).toBe(0);
    await store.flush();

    const stats = store.stats();
    expect(stats.rejected, JSON.stringify(stats.rejectedByReason)).toBe(0);
    expect(stats.failedRows).toBe(0);
    const count = async (table: string): Promise<number> =>
      Number((await store.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table} WHERE session_id = $1`, [sessionId]))[0].n);
    for (const table of ['fills', 'order_events', 'sessions', 'state_transitions']) expect(await count(table), table).toBeGreaterThan(0);
    expect(await count('calibrations')).toBe(1);
    expect(await count('drifts')).toBe(1);
    expect(await count('settlements')).toBe(1);

    // Fills: one row per fill the ledger applied, its integers exactly the ledger's.
    const fills = await store.query<Record<string, unknown>>('SELECT * FROM fills WHERE session_id = $1', [sessionId]);
    expect(applied).toHaveLength(5);
    expect(fills).toHaveLength(applied.length);
    for (const f of applied) {
      const row = fills.find((r) => r.order_id === f.orderId && r.trade_id === f.tradeId);
      expect(row, `fill ${f.orderId}/${f.tradeId}`).toBeDefined();
      expect([int(row!.yes_price), int(row!.count), int(row!.fee_micros), int(row!.ts_ms)]).toEqual([BigInt(f.yesPrice), BigInt(f.count), BigInt(f.fee), BigInt(f.tsMs)]);
      expect(row!.side).toBe(f.side === 'bid' ? 'yes' : 'no');
      expect(row!.market_ticker).toBe(core.tickerOf(f.market));
    }
    expect(fills.map((r) => r.source).sort()).toEqual(['sync', 'sync', 'ws', 'ws', 'ws']);
    // The stream's fills carry our client_order_id and the exchange's position after the fill.
    for (const r of fills.filter((k) => k.source === 'ws')) {
      expect(String(r.client_order_id)).toMatch(new RegExp(`^${sessionId}-`));
      expect(r.post_position).not.toBeNull();
    }

    // Order events: per client_order_id, seq 0, 1, 2 … in order, each with its market.
    const events = await store.query<Record<string, unknown>>(
      'SELECT client_order_id, seq, event, market_ticker, order_id FROM order_events WHERE session_id = $1 ORDER BY client_order_id, seq', [sessionId]);
    const byId = new Map<string, Array<Record<string, unknown>>>();
    for (const e of events) byId.set(String(e.client_order_id), [...(byId.get(String(e.client_order_id)) ?? []), e]);
    for (const [id, list] of byId) {
      expect(list.map((e) => Number(e.seq)), id).toEqual(list.map((_, i) => i));
      expect(list.every((e) => typeof e.market_ticker === 'string'), id).toBe(true);
    }
    expect(events.filter((e) => e.event === 'sent').length).toBeGreaterThanOrEqual(5);
    expect(events.filter((e) => e.event === 'accepted').length).toBeGreaterThanOrEqual(5);

    // The session: started, ended, with the ledger's cash at both ends.
    const [session] = await store.query<Record<string, unknown>>('SELECT * FROM sessions WHERE session_id = $1', [sessionId]);
    expect(session.end_reason).toBe('stop');
    expect(int(session.started_ms) <= int(session.ended_ms)).toBe(true);
    expect(int(session.end_cash_micros)).toBe(BigInt(core.ledger.cash));
    expect(session.start_cash_micros).not.toBeNull();

    // The account's trading state, in order; the added market's own.
    const trading = await store.query<Record<string, unknown>>(
      `SELECT from_state, to_state FROM state_transitions WHERE session_id = $1 AND machine = 'trading' ORDER BY ts_ms, to_state`, [sessionId]);
    expect(trading[0]).toEqual({ from_state: 'booting', to_state: 'calibrating' });
    expect(trading.map((r) => r.to_state)).toContain('reducing');
    expect(trading.at(-1)).toEqual({ from_state: 'trading', to_state: 'halted' });
    expect(await store.query(`SELECT from_state, to_state, reason FROM state_transitions WHERE machine = $1`, [`market:${SETTLES}`]))
      .toEqual([{ from_state: 'active', to_state: 'halted', reason: 'determined' }]);

    // The added market, the settlement, the drift.
    const [market] = await store.query<Record<string, unknown>>('SELECT * FROM markets WHERE market_ticker = $1', [SETTLES]);
    expect(market).toMatchObject({ session_id: sessionId, price_grid: [...settles.grid.ranges] });
    expect(int(market.close_ms)).toBe(BigInt(settles.closeMs));
    const [settlement] = await store.query<Record<string, unknown>>('SELECT * FROM settlements WHERE session_id = $1', [sessionId]);
    expect(settlement).toMatchObject({ market_ticker: SETTLES, result: 'yes' });
    expect(int(settlement.position)).toBe(BigInt(settledPosition));
    expect(int(settlement.revenue_micros)).toBe(BigInt(settledPosition) * 10_000n); // $1 per contract = 10 000 µ$ per hundredth
    const [drift] = await store.query<Record<string, unknown>>('SELECT * FROM drifts WHERE session_id = $1', [sessionId]);
    expect(drift).toMatchObject({ reason: 'deposit', adopted: true, markets: [] });
    expect(int(drift.cash_micros)).toBe(5_000_000n); // exchange − host
  });
});
