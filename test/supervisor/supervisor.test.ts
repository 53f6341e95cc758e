/**
 * The Supervisor's decisions on real shared memory (a PositionBoard written as the execution
 * thread would, heartbeats bumped as threads would), with its actions recorded. Time is a
 * manual clock; `tick()` is called directly (the timers only call it).
 */
import { describe, expect, it } from 'vitest';
import { emptyBookTop, type BookTop } from '../../src/shared/book-store.js';
import { monoNs } from '../../src/shared/clock.js';
import { takerFee } from '../../src/shared/fees.js';
import { Heartbeats } from '../../src/shared/heartbeats.js';
import { MemoryJournal } from '../../src/shared/journal.js';
import { PositionBoard, type PositionBoardWriter } from '../../src/shared/position-board.js';
import { createMarketPositionView, MarketTradingState, TradingState, type AccountState, type MarketPosition } from '../../src/shared/position-records.js';
import { exitRules } from '../../src/supervisor/position-health.js';
import { Supervisor, type SupervisorActions, type SupervisorSettings } from '../../src/supervisor/supervisor.js';
import type { ExecutionStats } from '../../src/workers/execution/execution-stats.js';

const DOLLAR = 1_000_000;

type Call = [string, ...unknown[]];

function harness(o: { settings?: Partial<SupervisorSettings>; heartbeats?: Heartbeats; start?: number } = {}) {
  let now = o.start ?? 1_000_000;
  const board = PositionBoard.create(8);
  const writer: PositionBoardWriter = board.claimWriter();
  const tops = new Map<number, Partial<BookTop>>();
  const books = {
    readTop(m: number, out: BookTop): boolean {
      Object.assign(out, emptyBookTop(), { stale: false }, tops.get(m) ?? {});
      return true;
    },
  };
  const calls: Call[] = [];
  const actions: SupervisorActions = {
    setTradingState: (state, reason) => calls.push(['setTradingState', state, reason]),
    setMarketState: (index, state, reason) => calls.push(['setMarketState', index, state, reason]),
    cancelWorking: (index, reason) => calls.push(['cancelWorking', index, reason]),
    exitPosition: (index, reason) => calls.push(['exitPosition', index, reason]),
    reconcile: (reason) => calls.push(['reconcile', reason]),
    kill: (k) => calls.push(['kill', k.flatten, k.reason]),
    resetGroups: () => calls.push(['resetGroups']),
    restartThread: (name, why) => calls.push(['restartThread', name, why]),
  };
  const journal = new MemoryJournal();
  const lines: string[] = [];
  const settings: SupervisorSettings = {
    tickMs: 1_000, intervalMs: 60_000, deadAfterMs: 5_000, cashReserve: 100 * DOLLAR, cashMargin: 10 * DOLLAR,
    exitRules: exitRules({ stopLossBps: 5_000 }),
    lifecycle: { stopOpeningBeforeCloseMs: 300_000, flattenBeforeCloseMs: 120_000 },
    ...o.settings,
  };
  const sup = new Supervisor({ board, books, actions, settings, sessionId: 'T1', journal, log: (l) => lines.push(l), clock: () => now, heartbeats: o.heartbeats });
  const account = (cash: number) => {
    const a: AccountState = { cash, cashReserve: settings.cashReserve, portfolioValue: cash, invested: 0, recouped: 0, sessionStartCash: cash, sessionStartPortfolioValue: cash, tradingState: TradingState.TRADING, updatedAtMs: now };
    writer.writeAccount(a);
  };
  const position = (index: number, p: Partial<MarketPosition>) => {
    const r: MarketPosition = { ...createMarketPositionView(), tradingState: MarketTradingState.ACTIVE, ...p };
    writer.writeMarket(index, r);
  };
  return {
    sup, calls, journal, lines, board, tops, account, position,
    advance: (ms: number) => (now += ms),
    now: () => now,
    of: (kind: string) => calls.filter((c) => c[0] === kind),
    clear: () => (calls.length = 0),
  };
}

function stats(p: Partial<ExecutionStats> & { groups?: { total: number; triggered: number; triggeredIds: string[] }; reconcilePending?: boolean }): ExecutionStats {
  return { streamUp: true, drift: { checks: 0, suspected: 0, confirmed: 0, lastCash: 0, lastMarkets: 0 }, ...p } as unknown as ExecutionStats;
}

const states = (calls: Call[]) => calls.filter((c) => c[0] === 'setTradingState').map((c) => [c[1], c[2]]);

describe('Supervisor: the account state machine', () => {
  it('goes CALIBRATING → READY → TRADING on a trade verdict, asking execution for each and journaling each with its reason', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    expect(h.sup.machine.state).toBe(TradingState.CALIBRATING);
    h.sup.calibrated('trade');
    h.sup.tick();
    expect(states(h.calls)).toEqual([[TradingState.READY, 'calibrated'], [TradingState.TRADING, 'healthy']]);
    const rows = h.journal.records('state_transition').map((r) => [r.machine, r.from_state, r.to_state, r.reason]);
    expect(rows).toEqual([
      ['supervisor', 'booting', 'calibrating', 'start'],
      ['supervisor', 'calibrating', 'ready', 'calibrated'],
      ['supervisor', 'ready', 'trading', 'healthy'],
    ]);
    expect(h.sup.view()).toMatchObject({ state: 'trading', reason: 'healthy' });
  });

  it('refuses to trade on a refuse verdict: HALTED, and it stays there', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    h.sup.calibrated('refuse');
    h.sup.tick();
    expect(h.sup.machine.state).toBe(TradingState.HALTED);
    expect(states(h.calls)).toEqual([[TradingState.HALTED, 'calibration_refused']]);
  });

  it('a triggered order group → REDUCING until it is reset; a private-stream gap likewise', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    h.sup.calibrated('trade');
    h.sup.tick();
    h.clear();
    h.sup.executionStats(stats({ groups: { total: 1, triggered: 1, triggeredIds: ['g'] } }));
    h.sup.tick();
    expect(states(h.calls)).toEqual([[TradingState.REDUCING, 'order_group_triggered']]);
    h.sup.executionStats(stats({ groups: { total: 1, triggered: 0, triggeredIds: [] } }));
    h.sup.tick();
    expect(h.sup.machine.state).toBe(TradingState.TRADING);
    h.clear();
    h.sup.executionStats(stats({ streamUp: true, reconcilePending: true }));
    h.sup.tick();
    expect(states(h.calls)).toEqual([[TradingState.REDUCING, 'private_stream_gap']]);
    h.sup.executionStats(stats({ streamUp: true, reconcilePending: false }));
    h.sup.tick();
    expect(h.sup.machine.state).toBe(TradingState.TRADING);
  });

  it('records a confirmed drift once, as a health event', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    h.sup.calibrated('trade');
    h.sup.executionStats(stats({ drift: { checks: 4, suspected: 1, confirmed: 1, lastCash: -5 * DOLLAR, lastMarkets: 0 } }));
    h.sup.tick();
    h.sup.tick();
    const drift = h.journal.records('health_event').filter((r) => r.event === 'drift_corrected');
    expect(drift).toHaveLength(1);
    expect(drift[0].detail).toMatchObject({ cash_micros: 5 * DOLLAR });
    expect(h.sup.view().driftsSeen).toBe(1);
  });
});

describe('Supervisor: market-data streams', () => {
  it('warns once when no book has been updated for bookSilenceMs, and once when updates resume; the state does not change', () => {
    const h = harness({ settings: { bookSilenceMs: 30_000 } });
    h.account(1_000 * DOLLAR);
    h.sup.upsertMarket({ index: 0, ticker: 'M0', closeTimeMs: 0, status: 'active' });
    h.sup.upsertMarket({ index: 1, ticker: 'M1', closeTimeMs: 0, status: 'active' });
    h.tops.set(0, { yesBid: 4_000, noBid: 5_000, receiveNs: monoNs() - 45e9 });
    h.tops.set(1, { stale: true });
    h.sup.calibrated('trade');
    h.sup.tick();
    h.sup.tick();
    expect(h.sup.view().books).toMatchObject({ stale: 1, silent: true });
    expect(h.sup.view().books.newestAgeMs).toBeGreaterThanOrEqual(45_000);
    h.tops.set(0, { yesBid: 4_000, noBid: 5_000, receiveNs: monoNs() });
    h.sup.tick();
    expect(h.sup.view().books.silent).toBe(false);
    expect(h.journal.records('health_event').filter((r) => r.monitor === 'streams').map((r) => r.event)).toEqual(['book_stream_silent', 'book_stream_resumed']);
    expect(h.sup.machine.state).toBe(TradingState.TRADING);
    expect(h.lines.some((l) => /^market data silent: no book update for 4\d s$/.test(l))).toBe(true);
  });
});

describe('Supervisor: positions and cash', () => {
  it('exits a position past its stop-loss once, not again while the exit is pending', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    h.sup.upsertMarket({ index: 2, ticker: 'M2', closeTimeMs: 0, status: 'active' });
    // 10 YES bought at 0.60 (cost $6); the YES bid fell to 0.20: worth $2 minus the fee — a loss over 50 %.
    h.position(2, { position: 1_000, costBasis: 6 * DOLLAR, positionOpenedAtMs: h.now() - 1_000 });
    h.tops.set(2, { yesBid: 2_000, noBid: 7_900 });
    h.sup.calibrated('trade');
    h.sup.tick();
    h.sup.tick();
    expect(h.of('exitPosition')).toEqual([['exitPosition', 2, 'stop_loss']]);
    h.advance(6_000);
    h.sup.tick();
    expect(h.of('exitPosition')).toHaveLength(2); // still open after the retry delay: asked again
    h.position(2, { position: 0, costBasis: 0 });
    h.advance(6_000);
    h.sup.tick();
    expect(h.of('exitPosition')).toHaveLength(2);
    expect(h.sup.view().exits).toEqual({ stop_loss: 2 });
  });

  it('no P&L exit without an executable price', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    h.sup.upsertMarket({ index: 1, ticker: 'M1', closeTimeMs: 0, status: 'active' });
    h.position(1, { position: 1_000, costBasis: 6 * DOLLAR, positionOpenedAtMs: h.now() });
    h.tops.set(1, { yesBid: -1, noBid: -1 });
    h.sup.calibrated('trade');
    h.sup.tick();
    expect(h.of('exitPosition')).toEqual([]);
  });

  it('cash below the reserve → RECOVERING, the worst position closed first; back above → TRADING', () => {
    const h = harness();
    h.account(50 * DOLLAR); // reserve 100: short 50, target 60
    for (const i of [0, 1, 2]) h.sup.upsertMarket({ index: i, ticker: `M${i}`, closeTimeMs: 0, status: 'active' });
    // Each: 100 YES at cost $40. Market 1 is the worst (bid 0.30), market 0 the best (0.45), market 2 in between (0.38).
    h.position(0, { position: 10_000, costBasis: 40 * DOLLAR, positionOpenedAtMs: h.now() });
    h.position(1, { position: 10_000, costBasis: 40 * DOLLAR, positionOpenedAtMs: h.now() });
    h.position(2, { position: 10_000, costBasis: 40 * DOLLAR, positionOpenedAtMs: h.now() });
    h.tops.set(0, { yesBid: 4_500, noBid: 5_400 });
    h.tops.set(1, { yesBid: 3_000, noBid: 6_900 });
    h.tops.set(2, { yesBid: 3_800, noBid: 6_100 });
    h.sup.calibrated('trade');
    h.sup.tick();
    // Market 1 frees 30 − fee, market 2 frees 38 − fee: together ≥ 60, so market 0 stays.
    expect(30 * DOLLAR - takerFee(3_000, 10_000) + 38 * DOLLAR - takerFee(3_800, 10_000)).toBeGreaterThanOrEqual(60 * DOLLAR);
    expect(h.of('exitPosition')).toEqual([['exitPosition', 1, 'cash_recovery'], ['exitPosition', 2, 'cash_recovery']]);
    expect(states(h.calls).at(-1)).toEqual([TradingState.RECOVERING, 'cash_below_reserve']);
    expect(h.journal.records('health_event').some((r) => r.event === 'below_reserve')).toBe(true);
    h.account(118 * DOLLAR);
    h.position(1, { position: 0, costBasis: 0 });
    h.position(2, { position: 0, costBasis: 0 });
    h.sup.tick();
    expect(h.sup.machine.state).toBe(TradingState.TRADING);
  });
});

describe('Supervisor: the recover verdict', () => {
  it('starts RECOVERING and stays there until cash is back and no closing market still holds a position; then TRADING', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    const close = h.now() + 60_000; // inside the flatten window (120 s)
    h.sup.upsertMarket({ index: 5, ticker: 'M5', closeTimeMs: close, status: 'active' });
    h.position(5, { position: 500, costBasis: 2 * DOLLAR, positionOpenedAtMs: h.now() });
    h.tops.set(5, { yesBid: 4_000, noBid: 5_900 });
    h.sup.calibrated('recover', 'a position in a market closing soon');
    h.sup.tick();
    expect(states(h.calls)).toEqual([[TradingState.READY, 'a position in a market closing soon'], [TradingState.RECOVERING, 'calibration_recover']]);
    expect(h.of('exitPosition')).toEqual([['exitPosition', 5, 'market_closing']]);
    h.position(5, { position: 0, costBasis: 0 });
    h.sup.tick();
    expect(h.sup.machine.state).toBe(TradingState.TRADING);
    expect(h.lines).toContain('recovered: cash at the reserve, no position left to close in a closing market');
  });
});

describe('Supervisor: market lifecycle', () => {
  it('closing soon → closings only and the working order cancelled; inside the flatten window → exit; closed → HALTED', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    const close = h.now() + 400_000;
    h.sup.upsertMarket({ index: 3, ticker: 'M3', closeTimeMs: close, status: 'active' });
    h.position(3, { position: 500, costBasis: 2 * DOLLAR, positionOpenedAtMs: h.now(), workingOrderCount: 1 });
    h.tops.set(3, { yesBid: 4_000, noBid: 5_900 });
    h.sup.calibrated('trade');
    h.sup.tick();
    expect(h.of('setMarketState')).toEqual([]); // open: nothing to say
    h.advance(150_000); // 250 s before close
    h.sup.tick();
    expect(h.of('setMarketState')).toEqual([['setMarketState', 3, MarketTradingState.REDUCING, 'closing_soon']]);
    expect(h.of('cancelWorking')).toEqual([['cancelWorking', 3, 'closing_soon']]);
    h.advance(140_000); // 110 s before close
    h.sup.tick();
    expect(h.of('exitPosition')).toEqual([['exitPosition', 3, 'market_closing']]);
    h.advance(120_000); // closed
    h.sup.tick();
    expect(h.of('setMarketState').at(-1)).toEqual(['setMarketState', 3, MarketTradingState.HALTED, 'close_time_passed']);
  });

  it('paused → closings only; resumed → ACTIVE again; a market retired by rotation never goes back to ACTIVE', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    h.sup.upsertMarket({ index: 4, ticker: 'M4', closeTimeMs: 0, status: 'active' });
    h.sup.calibrated('trade');
    h.sup.upsertMarket({ index: 4, ticker: 'M4', closeTimeMs: 0, status: 'paused' });
    h.sup.tick();
    h.sup.upsertMarket({ index: 4, ticker: 'M4', closeTimeMs: 0, status: 'active' });
    h.sup.tick();
    expect(h.of('setMarketState').map((c) => c[2])).toEqual([MarketTradingState.REDUCING, MarketTradingState.ACTIVE]);
    h.sup.upsertMarket({ index: 4, ticker: 'M4', closeTimeMs: 0, status: 'active', retired: true });
    h.sup.tick();
    expect(h.of('setMarketState').at(-1)).toEqual(['setMarketState', 4, MarketTradingState.REDUCING, 'retired']);
  });
});

describe('Supervisor: kill switch and threads', () => {
  it('kill switch → HALTED and one kill action; cleared → recalibration, groups reset, TRADING', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    h.sup.calibrated('trade');
    h.sup.tick();
    h.clear();
    h.sup.setKillSwitch({ reason: 'operator', flatten: true });
    h.sup.tick();
    expect(h.of('kill')).toEqual([['kill', true, 'operator']]);
    expect(states(h.calls)).toEqual([[TradingState.HALTED, 'kill_switch']]);
    h.clear();
    h.sup.setKillSwitch(undefined);
    expect(h.of('resetGroups')).toHaveLength(1);
    expect(h.of('reconcile')).toEqual([['reconcile', 'kill_switch_cleared']]);
    expect(states(h.calls)).toEqual([[TradingState.READY, 'recalibrated'], [TradingState.TRADING, 'healthy']]);
  });

  it('a kill switch engaged again with flatten runs the kill again, with the flatten', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    h.sup.calibrated('trade');
    h.sup.setKillSwitch({ reason: 'first', flatten: false });
    h.sup.setKillSwitch({ reason: 'first', flatten: false }); // the file watch repeating it: nothing new
    h.sup.setKillSwitch({ reason: 'now flatten', flatten: true });
    h.sup.tick();
    expect(h.of('kill')).toEqual([['kill', false, 'first'], ['kill', true, 'now flatten']]);
  });

  it('a kill switch left engaged across a restart holds the host HALTED through calibration', () => {
    const h = harness();
    h.account(1_000 * DOLLAR);
    h.sup.setKillSwitch({ reason: 'left engaged', flatten: false });
    h.sup.calibrated('trade');
    h.sup.tick();
    expect(h.sup.machine.state).toBe(TradingState.HALTED);
    expect(states(h.calls)).toEqual([[TradingState.HALTED, 'kill_switch']]);
    expect(h.of('kill')).toEqual([['kill', false, 'left engaged']]);
  });

  it('a silent heartbeat → restart asked once; a dead execution thread halts trading until it is back', () => {
    const hb = Heartbeats.create(4);
    const h = harness({ heartbeats: hb });
    h.account(1_000 * DOLLAR);
    h.sup.watchThread('inference-0', 0);
    h.sup.watchThread('execution', 1);
    h.sup.calibrated('trade');
    h.sup.tick();
    h.advance(3_000);
    hb.beat(1);
    h.sup.tick();
    h.advance(3_000); // inference silent 6 s, execution 3 s
    h.sup.tick();
    h.sup.tick();
    expect(h.of('restartThread').map((c) => c[1])).toEqual(['inference-0']);
    h.advance(3_000);
    h.sup.tick();
    expect(h.of('restartThread').map((c) => c[1])).toEqual(['inference-0', 'execution']);
    expect(h.sup.machine.state).toBe(TradingState.HALTED);
    h.clear();
    h.sup.watchThread('execution', 2); // restarted under a new slot
    h.sup.tick();
    expect(states(h.calls)).toEqual([[TradingState.READY, 'recalibrated'], [TradingState.TRADING, 'healthy']]);
    expect(h.sup.view().restarts).toBe(2);
  });
});
