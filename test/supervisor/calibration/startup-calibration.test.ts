/**
 * The start-up calibration end to end, against the real simulator in this process and a journal
 * in PGlite (in memory). One account, four markets to trade, each carrying one situation:
 *   D  a position the journal's last session says is flat, bought before it (no fill explains it)
 *   A  a position created outside the host after the last session (its fill is not journaled)
 *   B  a foreign resting order (an orphan) beside one of the host's, which the journal knows
 *   C  two fills of the host after the last session, only the first journaled; and a resting
 *      order of the host's previous session that the journal never recorded
 * Then: a report-only run (nothing sent, nothing journaled but the report; cash below a large
 * reserve → recover), an acting run (orphan cancelled, fills journaled, one fill synthesized), a
 * second acting run (nothing left to do: the synthesized fill is not written twice), and the
 * refusals — trading paused, clock skew, an unreachable exchange.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRICE_SCALE } from '../../../src/shared/fixed-point.js';
import { KalshiCredentials } from '../../../src/shared/kalshi-signing.js';
import { KalshiRestClient, restBase, UndiciTransport, type RestTransport } from '../../../src/shared/kalshi/rest/index.js';
import { openJournal } from '../../../src/main/store/open-journal.js';
import type { StoreJournal } from '../../../src/main/store/write-queue.js';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.js';
import type { MarketState } from '../../../src/sim/engine/types.js';
import type { NewOrder } from '../../../src/sim/engine/exchange.js';
import { formatClientOrderId } from '../../../src/workers/execution/client-order-id.js';
import { runStartupCalibration, type CalibrationSettings, type StartupCalibrationDeps } from '../../../src/supervisor/calibration/startup-calibration.js';
import type { Difference, StartupCalibrationReport, StepResult } from '../../../src/supervisor/calibration/report.js';
import { formatCalibrationReport } from '../../../src/supervisor/calibration/report-table.js';
import { synthesizedFillId } from '../../../src/supervisor/calibration/fill-records.js';
import { makeKey, type TestKey } from '../../support/sim-client.js';
import { until } from '../../support/host-fixtures.js';

const PREV = 'prev00000001';
const SETTINGS: CalibrationSettings = { cashReserve: 100_000_000, minTimeToCloseS: 900, maxSpread: 2_000, maxClockSkewMs: 2_000, cancelOrphans: true };

let sim: Simulator;
let key: TestKey;
let rest: KalshiRestClient;
let journal: StoreJournal;
let A: MarketState, B: MarketState, C: MarketState, D: MarketState;
const filled: Record<string, number> = {};
let foreignOrderId = '';
let unknownHostOrderId = '';
let baselineMs = 0;

function top(m: MarketState): { bid: number; ask: number } {
  const y = sim.exchange.bestBid(m.index, 'yes');
  const n = sim.exchange.bestBid(m.index, 'no');
  return { bid: y?.[0] ?? 0, ask: n === undefined ? PRICE_SCALE : PRICE_SCALE - n[0] };
}

function order(o: Partial<NewOrder> & Pick<NewOrder, 'ticker' | 'side' | 'price' | 'count'>) {
  return sim.control.placeOrder(key.keyId, { timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross', ...o });
}

/** Buy YES at the ask (immediate or cancel); returns the fills. */
function buy(m: MarketState, count: number, clientOrderId?: string) {
  const r = order({ ticker: m.ticker, side: 'bid', price: top(m).ask, count, timeInForce: 'immediate_or_cancel', clientOrderId });
  expect(r.fills.length).toBeGreaterThan(0);
  filled[m.ticker] = (filled[m.ticker] ?? 0) + r.fills.reduce((n, f) => n + f.count, 0);
  return r.fills;
}

/** A resting bid one cent below the best bid. */
function restingBid(m: MarketState, clientOrderId?: string): string {
  const price = top(m).bid - 100;
  expect(m.grid.isOrderable(price)).toBe(true);
  return order({ ticker: m.ticker, side: 'bid', price, count: 100, clientOrderId }).order.orderId;
}

function deps(over: Partial<StartupCalibrationDeps> = {}): StartupCalibrationDeps {
  return { rest, journal, markets: [A.ticker, B.ticker, C.ticker, D.ticker], settings: SETTINGS, act: false, ...over };
}

function diffs(r: StartupCalibrationReport, kind: Difference['kind'], ticker?: string): Difference[] {
  return r.reconcile.differences.filter((d) => d.kind === kind && (ticker === undefined || d.ticker === ticker));
}

async function fillRows(): Promise<Array<{ trade_id: string; market_ticker: string; source: string; count: string }>> {
  await journal.flush();
  return journal.query('SELECT trade_id, market_ticker, source, count FROM fills ORDER BY ts_ms, trade_id');
}

beforeAll(async () => {
  key = makeKey(`cal-${randomInt(1e9)}`);
  sim = await startSimulator({ keys: [key, makeKey(`bob-${randomInt(1e9)}`)], port: 0, markets: 24, rate: 0, seed: 11, tier: 'prestige' });
  const now = Date.now();
  const ok = sim.exchange.markets().filter((m) => {
    const t = top(m);
    return m.status === 'active' && m.closeMs > now + 3_600_000 && t.bid >= 1_000 && t.ask < PRICE_SCALE && t.ask - t.bid <= 2_000 && m.grid.isOrderable(t.bid - 100);
  });
  expect(ok.length).toBeGreaterThanOrEqual(4);
  [A, B, C, D] = ok;
  rest = new KalshiRestClient({ baseUrl: sim.restUrl, credentials: new KalshiCredentials(key.keyId, key.privateKey), tier: 'prestige' });
  journal = await openJournal({ pglite: 'memory', spillDir: null });

  // D: bought before the last session's values were recorded, which say D is flat.
  const dFills = buy(D, 400);
  const lastFillMs = Math.max(...dFills.map((f) => f.tsMs));
  await until(() => Date.now() > lastFillMs + 20, 'time to pass the fill');
  baselineMs = Date.now();
  const acct = sim.exchange.account(key.keyId)!;
  const reserved = sim.exchange.listOrders(key.keyId, { status: 'resting' }).reduce((s, o) => s + o.reservedCash, 0);
  journal.write('session', {
    session_id: PREV, venue: 'sim', started_ms: baselineMs, start_cash_micros: acct.cash + reserved,
    start_values: { markets: [B.ticker, C.ticker, D.ticker], positions: [] },
  });
  await until(() => Date.now() > baselineMs + 20, 'time to pass the baseline');

  // A: a position created outside the host.
  buy(A, 100);
  // B: an orphan, and one of the host's orders the journal knows.
  foreignOrderId = restingBid(B);
  const knownId = formatClientOrderId(PREV, B.ticker, 0);
  const knownOrderId = restingBid(B, knownId);
  journal.write('order_event', { session_id: PREV, client_order_id: knownId, seq: 0, ts_ms: Date.now(), event: 'accepted', order_id: knownOrderId, market_ticker: B.ticker, status: 'resting' });
  // C: two fills of the host, the first journaled; an order of the previous session the journal never saw.
  const [first] = buy(C, 100, formatClientOrderId(PREV, C.ticker, 1));
  journal.write('fill', {
    session_id: PREV, trade_id: first.tradeId, order_id: first.orderId, market_ticker: C.ticker, side: 'yes', yes_price: first.yesPrice,
    count: first.count, fee_micros: first.fee, is_taker: true, ts_ms: first.tsMs, post_position: first.postPosition, source: 'ws',
  });
  buy(C, 200, formatClientOrderId(PREV, C.ticker, 2));
  unknownHostOrderId = restingBid(C, formatClientOrderId(PREV, C.ticker, 5));
  await journal.flush();
}, 60_000);

afterAll(async () => {
  await journal?.close({ timeoutMs: 5_000 });
  await rest?.close();
  await sim?.close();
});

describe('runStartupCalibration against the simulator', () => {
  it('report only: lists every difference with what it would do, changes nothing, journals only the report', async () => {
    const steps: StepResult[] = [];
    const r = await runStartupCalibration(deps({ act: false, sessionId: 'calib0', settings: { ...SETTINGS, cashReserve: 5_000_000_000 } }), (s) => steps.push(s));

    expect(steps.map((s) => [s.index, s.total, s.name])).toEqual([[1, 5, 'connection'], [2, 5, 'reconcile'], [3, 5, 'viability'], [4, 5, 'health'], [5, 5, 'verdict']]);
    expect(r.steps).toEqual(steps);
    expect(r.connection).toMatchObject({ reachable: true, exchangeActive: true, tradingActive: true });
    expect(r.connection.clock.measured).toBe(true);
    expect(Math.abs(r.connection.clock.skewMs!)).toBeLessThan(1_500);
    expect(r.reconcile.journal.baseline).toMatchObject({ sessionId: PREV, source: 'start', atMs: baselineMs });

    // (a) outside position: its fill is missing, the position unknown → adopt
    expect(diffs(r, 'fill_missing', A.ticker)).toEqual([expect.objectContaining({ action: 'would_journal', exchange: filled[A.ticker] })]);
    expect(diffs(r, 'position_unknown', A.ticker)).toEqual([expect.objectContaining({ action: 'adopt', exchange: filled[A.ticker] })]);
    // (b) the orphan → would_cancel; the host's known order → no difference
    expect(diffs(r, 'order_foreign')).toEqual([expect.objectContaining({ ticker: B.ticker, action: 'would_cancel', id: foreignOrderId })]);
    // (c) the second fill in C is missing; C's position adds up; the unknown host order (an earlier session's) → would be cancelled
    expect(diffs(r, 'fill_missing', C.ticker)).toEqual([expect.objectContaining({ action: 'would_journal', exchange: 200 })]);
    expect(diffs(r, 'position_unexplained', C.ticker)).toEqual([]);
    expect(diffs(r, 'order_unknown')).toEqual([expect.objectContaining({ ticker: C.ticker, action: 'would_cancel', id: unknownHostOrderId })]);
    // (d) no fill explains D's position → would_synthesize, with the deterministic id
    const d = diffs(r, 'position_unexplained', D.ticker);
    const p = sim.exchange.account(key.keyId)!.positions.get(D.index)!;
    expect(d).toEqual([expect.objectContaining({ journal: 0, exchange: 400, action: 'would_synthesize', id: synthesizedFillId(D.ticker, 400, p.lastUpdatedMs) })]);
    // cash adds up: every fill since the baseline accounted for
    expect(diffs(r, 'cash')).toEqual([]);
    expect(r.reconcile.irreconcilable).toEqual([]);
    expect(r.reconcile.note).toMatch(/^report only/);
    expect(r.reconcile.journaled).toEqual({ fills: 0, synthesized: 0, settlements: 0 });

    expect(r.viability.viable).toEqual([A.ticker, B.ticker, C.ticker, D.ticker]);
    expect(r.health.positions.map((x) => [x.ticker, x.position])).toEqual(
      [[A.ticker, filled[A.ticker]], [C.ticker, 300], [D.ticker, 400]].sort((x, y) => (x[0] < y[0] ? -1 : 1)),
    );
    // a $5000 reserve on ~$1000 of cash, with positions that can be sold → recover
    expect(r.verdict.verdict).toBe('recover');
    expect(r.verdict.reasons.join()).toMatch(/short of the \$5000\.00 reserve/);
    expect(steps[4].status).toBe('warn');

    // nothing changed: the orphan rests, no fill was journaled; the report was
    expect(sim.exchange.getOrder(key.keyId, foreignOrderId).status).toBe('resting');
    expect((await fillRows()).map((f) => f.source)).toEqual(['ws']);
    const cal = await journal.query<{ session_id: string; verdict: string; act: boolean; orders_adopted: number }>(
      "SELECT session_id, extra->>'verdict' AS verdict, (extra->>'act')::boolean AS act, orders_adopted FROM calibrations WHERE session_id = 'calib0'",
    );
    expect(cal).toEqual([{ session_id: 'calib0', verdict: 'recover', act: false, orders_adopted: 0 }]); // an earlier session's order is cancelled, not adopted

    const text = formatCalibrationReport(r).join('\n');
    expect(text).toContain('would_synthesize');
    expect(text).toMatch(/VERDICT: RECOVER/);
  });

  it('acting: cancels the orphan, journals the missing fills, synthesizes once; a second run finds nothing left to do', async () => {
    const r1 = await runStartupCalibration(deps({ act: true, sessionId: 'calib1' }));
    expect(diffs(r1, 'order_foreign')).toEqual([expect.objectContaining({ action: 'cancel', id: foreignOrderId })]);
    expect(sim.exchange.getOrder(key.keyId, foreignOrderId).status).toBe('canceled');
    expect(diffs(r1, 'fill_missing').map((x) => [x.ticker, x.action])).toEqual(expect.arrayContaining([[A.ticker, 'journal'], [C.ticker, 'journal']]));
    expect(diffs(r1, 'position_unexplained')).toEqual([expect.objectContaining({ ticker: D.ticker, action: 'synthesize' })]);
    expect(r1.reconcile.journaled).toEqual({ fills: 2, synthesized: 1, settlements: 0 });
    expect(r1.reconcile.orphans).toEqual({ cancelled: 1, failed: 0, kept: 0 });
    expect(r1.verdict.verdict).toBe('trade');

    const rows = await fillRows();
    expect(rows.filter((f) => f.source === 'calibration').map((f) => f.market_ticker).sort()).toEqual([A.ticker, C.ticker].sort());
    const synth = rows.filter((f) => f.source === 'synthesized');
    expect(synth).toEqual([expect.objectContaining({ market_ticker: D.ticker, trade_id: diffs(r1, 'position_unexplained')[0].id, count: '400' })]);

    const r2 = await runStartupCalibration(deps({ act: true, sessionId: 'calib2' }));
    expect(r2.reconcile.differences.map((x) => x.kind)).toEqual(['order_unknown']); // the journal never records the exchange's orders on its own
    expect(r2.reconcile.journaled).toEqual({ fills: 0, synthesized: 0, settlements: 0 });
    expect(r2.verdict.verdict).toBe('trade');
    const again = await fillRows();
    expect(again.filter((f) => f.source === 'synthesized')).toHaveLength(1);
    expect(again).toHaveLength(rows.length);
  });

  it('refuses while trading is paused on the exchange', async () => {
    sim.control.setTradingActive(false);
    try {
      const steps: StepResult[] = [];
      const r = await runStartupCalibration(deps({ journal: undefined }), (s) => steps.push(s));
      expect(r.verdict.verdict).toBe('refuse');
      expect(r.verdict.reasons).toContain('trading is paused on the exchange');
      expect(steps[0].status).toBe('fail');
      expect(steps[4]).toMatchObject({ name: 'verdict', status: 'fail' });
      // without a journal every position is one the journal does not know
      expect(diffs(r, 'position_unknown').map((x) => x.action)).toEqual(['adopt', 'adopt', 'adopt']);
    } finally {
      sim.control.setTradingActive(true);
    }
  });

  it('refuses when the exchange is not active (maintenance: the simulator has no switch for it, so its status reply is rewritten)', async () => {
    const inner = new UndiciTransport(restBase(sim.restUrl), { credentials: new KalshiCredentials(key.keyId, key.privateKey) });
    const resume = new Date(Date.now() + 3_600_000).toISOString();
    const transport: RestTransport = {
      kind: 'undici', base: inner.base, close: () => inner.close(),
      send: (req, timeoutMs) => req.path === '/exchange/status'
        ? Promise.resolve({ status: 200, text: JSON.stringify({ exchange_active: false, trading_active: false, exchange_estimated_resume_time: resume }) })
        : inner.send(req, timeoutMs),
    };
    const maintenance = new KalshiRestClient({ baseUrl: sim.restUrl, transport, tier: 'prestige' });
    try {
      const r = await runStartupCalibration(deps({ rest: maintenance, journal: undefined }));
      expect(r.verdict.verdict).toBe('refuse');
      expect(r.verdict.reasons).toEqual([`the exchange is not active (maintenance, expected back at ${resume})`, 'trading is paused on the exchange']);
      expect(r.reconcile.ok).toBe(true); // reads still work in maintenance: the report is complete
    } finally {
      await maintenance.close();
    }
  });

  it('refuses when the local clock is off the exchange\'s beyond the limit', async () => {
    const r = await runStartupCalibration(deps({ journal: undefined, clock: () => Date.now() + 10_000 }));
    expect(r.connection.clock.skewMs!).toBeLessThan(-8_000);
    expect(r.verdict.verdict).toBe('refuse');
    expect(r.verdict.reasons.join()).toMatch(/local clock is \d+\.\d s ahead of the exchange's/);
  });

  it('refuses when the exchange is unreachable, skipping the steps that need it', async () => {
    const dead = new KalshiRestClient({ baseUrl: 'http://127.0.0.1:9/trade-api/v2', credentials: new KalshiCredentials(key.keyId, key.privateKey), timeoutMs: 2_000 });
    try {
      const steps: StepResult[] = [];
      const r = await runStartupCalibration(deps({ rest: dead, journal: undefined }), (s) => steps.push(s));
      expect(r.verdict.verdict).toBe('refuse');
      expect(r.verdict.reasons[0]).toMatch(/^the exchange is unreachable/);
      expect(steps.map((s) => s.status)).toEqual(['fail', 'fail', 'fail', 'fail', 'fail']);
      expect(steps[1].summary).toMatch(/skipped/);
      expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    } finally {
      await dead.close();
    }
  });
});
