/**
 * Issue 8's proof "the process killed with SIGKILL mid-trading and restarted → calibration
 * reconciles, journal and exchange agree, trading resumes", with real processes and signals:
 * `kalshi-actor run` as a child process against a simulator in this process, journaling to
 * PostgreSQL; SIGKILL while it trades (orders resting, fills arriving); a second child on the same
 * database and data directory; SIGINT. Then the exchange, the journal and the host's own final
 * figures must tell the same story.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.js';
import type { OrderState } from '../../../src/sim/engine/types.js';
import { makeKey } from '../../support/sim-client.js';
import { until } from '../../support/host-fixtures.js';
import { createTestDatabase, sql, type TestDatabase } from '../../main/store/helpers.js';
import { killAllChildren, openTickers, SESSION_LINE, spawnCli, TcpGate, untilAsync, writeKeyPem, type ChildCli } from './child-host.js';

/** Trading (from READY, or by way of REDUCING while the private stream comes up). */
const STARTED = /supervisor: (ready|reducing) → trading \(/;
const STOPPED = /^\S+ stopped$/;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  await killAllChildren(); // first: no child outlives the test, whatever happened
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
});

interface JournalFill { session_id: string; trade_id: string; order_id: string; source: string }

describe('SIGKILL mid-trading, then a restart (real processes)', () => {
  // frozen: the market stands still from the first fill after the kill until the second run has
  //   calibrated — what it must cancel and adopt is known exactly, and checked.
  // taken:  the same, but in the middle of the second run's start — after the supervisor's start-up
  //   reconcile (which journals the fills the journal lacks), before the execution thread's own
  //   calibration (which adopts the positions) — another account takes every order the dead
  //   session left resting. The journal must end up with those fills too.
  it.each(['frozen', 'taken'] as const)('%s: calibration cancels the dead session\'s orphans and adopts its positions, trading resumes, and the exchange, the journal and the host agree', async (mode) => {
    const t0 = Date.now();
    const mark = (what: string) => console.log(`[sigkill-restart ${mode}] ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const key = makeKey('proc-sigkill');
    const taker = makeKey('proc-sigkill-taker');
    const sim: Simulator = await startSimulator({ keys: [key, taker], port: 0, markets: 40, rate: 3000, seed: 23, tier: 'prestige' });
    cleanups.push(() => sim.close());
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    const dir = mkdtempSync(join(tmpdir(), 'kalshi-actor-sigkill-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pem = writeKeyPem(dir, key);
    const tickers = openTickers(sim.exchange.markets(), 6);
    expect(tickers).toHaveLength(6);
    const indexOf = new Map(tickers.map((t) => [sim.exchange.market(t)!.index, t]));

    // Mid prices: orders rest at the mid and the synthetic participants fill them — a kill
    // catches both resting orders and fills on their way. `--markets` fixes what both runs trade.
    const args = [
      'run', '--exchange', 'demo', '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--key-id', key.keyId, '--private-key', pem,
      '--db', db.url, '--data-dir', join(dir, 'data'), '--dashboard-port', '0', '--markets', tickers.join(','),
      '--policy', 'hardcoded', '--price-mode', 'mid', '--throttle-ms', '20', '--contract-size', '1', '--max-position', '20',
      '--group-limit', '100000', '--cash-reserve', '10.00', '--status-interval-s', '1', '--sync-interval-s', '2',
    ];
    const ours = () => sim.exchange.listOrders(key.keyId);
    const resting = () => ours().filter((o) => o.status === 'resting');
    const fillsOf = (session: string) => sim.exchange.account(key.keyId)!.fills.filter((f) => f.clientOrderId.startsWith(`${session}-`));
    const journalCount = async (table: string, session: string) =>
      Number((await sql<{ n: string }>(db.url, `SELECT count(*) AS n FROM ${table} WHERE session_id = $1`, [session]))[0].n);

    // ---- the first run: trading, then SIGKILL with orders resting and fills in the journal
    const first: ChildCli = spawnCli('run#1', args, { cwd: dir });
    const a = SESSION_LINE.exec((await first.waitForLine(SESSION_LINE, 90_000)).text)![1];
    await first.waitForLine(STARTED, 60_000);
    mark(`run#1 (session ${a}) trading`);
    const restingOf = (session: string) => resting().filter((o) => o.clientOrderId.startsWith(`${session}-`));
    await untilAsync(async () => fillsOf(a).length >= 10 && (await journalCount('fills', a)) >= 5 && restingOf(a).length >= 3,
      'run#1 to have fills on the exchange and in the journal, and orders resting', 90_000);
    // The market stands still from the kill on (the synthetic participants would otherwise take
    // what the dead session left, in batches on a loaded machine): SIGKILL in the same turn.
    sim.control.setLiquidity(false);
    first.signal('SIGKILL');
    const exit1 = await first.exited;
    const deadAt = Date.now();
    expect(exit1.signal).toBe('SIGKILL');
    expect(first.texts().some((l) => STOPPED.test(l)), 'SIGKILL leaves no time for a graceful stop').toBe(false);
    mark('run#1 SIGKILLed');
    // The market goes on without it: an order it left resting fills — a fill no process of ours
    // ever hears of on the stream.
    const [firstLeft] = restingOf(a);
    expect(firstLeft, 'an order of the dead session rests').toBeDefined();
    take(sim, taker.keyId, firstLeft);
    expect(fillsOf(a).some((f) => f.tsMs >= deadAt)).toBe(true);
    mark('a fill after the kill');
    const leftResting = resting();
    const leftAccount = sim.exchange.account(key.keyId)!;
    const heldAtKill = [...leftAccount.positions.values()].filter((p) => p.position !== 0).map((p) => ({ ...p })); // copies: the account is live
    expect(leftResting.length, 'orders of the dead session still rest').toBeGreaterThan(0);
    expect(leftResting.every((o) => o.clientOrderId.startsWith(`${a}-`))).toBe(true);
    expect(heldAtKill.length, 'the dead session left positions').toBeGreaterThan(0);
    const fillsAtKill = leftAccount.fills.length;
    const ordersAtKill = ours().length;

    // ---- the second run on the same database and data directory
    let second: ChildCli;
    let takenFills = 0;
    const takenIds = new Set<string>();
    if (mode === 'frozen') {
      second = spawnCli('run#2', args, { cwd: dir });
    } else {
      // Its WebSockets go through a gate that holds them: the first to arrive is the execution
      // thread's private stream — the supervisor's start-up reconcile has run (it comes first and
      // uses REST only), the execution thread has not calibrated (it waits for that stream).
      const gate = new TcpGate('127.0.0.1', sim.port);
      await gate.start();
      cleanups.push(() => gate.close());
      second = spawnCli('run#2', args.map((x) => (x === sim.wsUrl ? `ws://127.0.0.1:${gate.port}/trade-api/ws/v2` : x)), { cwd: dir });
      await until(() => gate.connections > 0 || !second.alive, 'run#2\'s execution thread to open its private stream', 90_000);
      expect(second.alive, second.tail()).toBe(true);
      for (const o of leftResting) {
        const now = sim.exchange.getOrder(key.keyId, o.orderId);
        if (now.status === 'canceled') continue; // the start-up reconcile cancelled it: nothing can fall into the gap
        expect(now.status).toBe('resting');
        takenFills += take(sim, taker.keyId, now);
        takenIds.add(now.orderId);
      }
      mark(`took the dead session's resting orders during the restart (${takenFills} taker fills)`);
      gate.open();
    }
    const b = SESSION_LINE.exec((await second.waitForLine(SESSION_LINE, 90_000)).text)![1];
    expect(b).not.toBe(a);
    mark(`run#2 (session ${b}) calibrated`);
    // Two calibration records: the supervisor's start-up report (extra.calibration 'startup', the
    // verdict) and the execution thread's own (what it adopted and cancelled as it took over).
    type CalRow = Record<string, string | number | null> & { extra: { calibration?: string; verdict?: string; reconcile?: unknown } | null };
    let cals: CalRow[] = [];
    await untilAsync(async () => {
      cals = await sql<CalRow>(db.url, 'SELECT * FROM calibrations WHERE session_id = $1 ORDER BY started_ms', [b]);
      return cals.some((c) => c.extra?.calibration === undefined);
    }, 'run#2\'s calibration record', 30_000);
    const startup = cals.find((c) => c.extra?.calibration === 'startup');
    if (startup !== undefined) expect(startup.extra?.verdict, JSON.stringify(startup.extra?.reconcile)).toBe('trade');
    const cal = cals.find((c) => c.extra?.calibration === undefined)!;
    expect(Number(cal.orphans_not_cancelled)).toBe(0);
    expect(Number(cal.positions_elsewhere)).toBe(0);
    if (mode === 'taken') {
      // What the start-up reconcile left resting was taken (filled) before the execution thread
      // calibrated, so there was nothing left to cancel or adopt; the positions it adopts carry those fills.
      expect(Number(cal.orphans_cancelled) + Number(cal.orders_adopted)).toBe(leftResting.filter((o) => sim.exchange.getOrder(key.keyId, o.orderId).status === 'resting').length);
    } else {
      // Every order the dead session left resting is cancelled as an orphan or adopted — none is
      // left behind unaccounted for — and every position it left is adopted.
      const leftNow = leftResting.map((o) => sim.exchange.getOrder(key.keyId, o.orderId));
      expect(Number(cal.orphans_cancelled) + Number(cal.orders_adopted), JSON.stringify(cal)).toBe(leftResting.length);
      expect(leftNow.filter((o) => o.status === 'canceled').length, 'orphans cancelled at the exchange').toBe(Number(cal.orphans_cancelled));
      expect(Number(cal.positions_adopted), JSON.stringify(cal)).toBe(heldAtKill.length);
    }
    // The second run sees the positions the first one left: its session record starts from them.
    type StartRow = { start_values: { positions: Array<Record<string, number | string>> } | null };
    let started: StartRow | undefined;
    await untilAsync(async () => {
      [started] = await sql<StartRow>(db.url, 'SELECT start_values FROM sessions WHERE session_id = $1', [b]);
      return started?.start_values != null;
    }, 'run#2\'s session start record', 30_000);
    const heldAtStart = mode === 'frozen' ? heldAtKill : [...sim.exchange.account(key.keyId)!.positions.values()].filter((p) => p.position !== 0);
    expect(positionsByTicker(started!.start_values!.positions)).toEqual(exchangePositions(heldAtStart, indexOf));

    // ---- trading resumes
    sim.control.setLiquidity(true);
    await second.waitForLine(STARTED, 60_000);
    await untilAsync(async () => fillsOf(b).length >= 10 && (await journalCount('fills', b)) >= 5, 'run#2 to trade: new fills on the exchange and in the journal', 90_000);
    expect(ours().filter((o) => o.clientOrderId.startsWith(`${b}-`)).length).toBeGreaterThan(0);
    expect(sim.exchange.account(key.keyId)!.fills.length).toBeGreaterThan(fillsAtKill);
    expect(ours().length).toBeGreaterThan(ordersAtKill);
    mark('run#2 trading');

    second.signal('SIGINT');
    const exit2 = await second.waitExit(60_000);
    expect(exit2, second.tail()).toEqual({ code: 0, signal: null });
    expect(second.texts().at(-1)).toMatch(STOPPED);
    expect(second.texts().some((l) => /^\S+ stopping: SIGINT$/.test(l))).toBe(true);
    mark('run#2 stopped (SIGINT, exit 0)');

    // ---- the end state: the exchange, the journal and the host agree
    const account = sim.exchange.account(key.keyId)!;
    const orders = ours();
    expect(orders.filter((o) => o.status === 'resting'), 'no order of ours rests').toEqual([]);
    // No client_order_id was ever used twice (a restart must never replay an id).
    const byClientId = new Map<string, OrderState[]>();
    for (const o of orders) byClientId.set(o.clientOrderId, [...(byClientId.get(o.clientOrderId) ?? []), o]);
    expect([...byClientId].filter(([, os]) => os.length > 1).map(([id]) => id), 'client_order_ids used twice').toEqual([]);
    expect(orders.every((o) => o.clientOrderId.startsWith(`${a}-`) || o.clientOrderId.startsWith(`${b}-`))).toBe(true);
    // The exchange refuses a reused id (409 order_already_exists), so it cannot show two orders
    // with one id: that no request was even refused for it is the real check.
    expect(second.texts().filter((l) => /order_already_exists/.test(l))).toEqual([]);
    expect(await sql(db.url, "SELECT client_order_id, session_id FROM order_events WHERE reason = 'order_already_exists'")).toEqual([]);

    // Every fill of the account is in the journal exactly once, and the journal has no other.
    // (Soft: a fill missing from the journal is reported with everything else this test checks.)
    const journaled = await sql<JournalFill>(db.url, 'SELECT session_id, trade_id, order_id, source FROM fills');
    const journalKeys = new Set(journaled.map((f) => `${f.order_id}/${f.trade_id}`));
    const exchangeKeys = new Set(account.fills.map((f) => `${f.orderId}/${f.tradeId}`));
    expect(exchangeKeys.size).toBe(account.fills.length);
    expect(journalKeys.size, 'a fill journaled twice').toBe(journaled.length);
    expect([...journalKeys].filter((k) => !exchangeKeys.has(k)), 'journal fills the exchange does not have').toEqual([]);
    const perTrade = (ids: string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());
    const journalPerTrade = perTrade(journaled.map((f) => f.trade_id));
    const exchangePerTrade = perTrade(account.fills.map((f) => f.tradeId));
    expect([...journalPerTrade].filter(([id, n]) => n > (exchangePerTrade.get(id) ?? 0)), 'trade ids journaled more often than they filled').toEqual([]);
    const missing = account.fills.filter((f) => !journalKeys.has(`${f.orderId}/${f.tradeId}`));
    const when = (f: { orderId: string; tsMs: number }) => (takenIds.has(f.orderId) ? 'taken mid-restart' : f.tsMs >= deadAt ? 'after the kill' : 'before the kill');
    expect.soft(missing.map((f) => ({ trade_id: f.tradeId, client_order_id: f.clientOrderId, ts_ms: f.tsMs, when: when(f) })),
      `exchange fills missing from the journal (${missing.length} of ${account.fills.length})`).toEqual([]);

    // The host's final positions (its session end record) are the exchange's, to the µ$.
    const [end] = await sql<{ ended_ms: string | null; end_cash_micros: string | null; end_values: { positions: Array<Record<string, number | string>>; remaining: number } | null }>(
      db.url, 'SELECT ended_ms, end_cash_micros, end_values FROM sessions WHERE session_id = $1', [b]);
    expect(end.ended_ms).not.toBeNull();
    expect(end.end_values?.remaining).toBe(0);
    expect(positionsByTicker(end.end_values?.positions ?? [])).toEqual(exchangePositions([...account.positions.values()].filter((p) => p.position !== 0), indexOf));
    expect(Number(end.end_cash_micros)).toBe(account.cash); // nothing rests, so nothing is reserved
    // The dead session never wrote an end: the journal shows it as cut short.
    const [dead] = await sql<{ ended_ms: string | null }>(db.url, 'SELECT ended_ms FROM sessions WHERE session_id = $1', [a]);
    expect(dead.ended_ms).toBeNull();
    mark('checked');
  });
});

describe('a signal during start-up (real process)', () => {
  it('SIGINT while the host is still starting: it stops gracefully once started — session ended in the journal, nothing resting, exit 0', async () => {
    const key = makeKey('proc-early-sigint');
    const sim: Simulator = await startSimulator({ keys: [key], port: 0, markets: 40, rate: 3000, seed: 31, tier: 'prestige' });
    cleanups.push(() => sim.close());
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    const dir = mkdtempSync(join(tmpdir(), 'kalshi-actor-early-sigint-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The WebSocket URL leads into a socket that accepts and never answers: the execution stage
    // waits there for its private stream (5 s) before it calibrates — a start-up that is
    // certainly still running when the signal lands.
    const held: Socket[] = [];
    const hole = createServer((socket) => {
      held.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => {
      for (const socket of held) socket.destroy();
      hole.close(() => resolve());
    }));
    const holePort = (hole.address() as AddressInfo).port;
    const host = spawnCli('run', [
      'run', '--exchange', 'demo', '--rest-url', sim.restUrl, '--ws-url', `ws://127.0.0.1:${holePort}/trade-api/ws/v2`, '--key-id', key.keyId,
      '--private-key', writeKeyPem(dir, key), '--db', db.url, '--data-dir', join(dir, 'data'), '--dashboard-port', '0',
      '--markets', openTickers(sim.exchange.markets(), 3).join(','), '--policy', 'hardcoded', '--price-mode', 'mid', '--contract-size', '1',
      '--cash-reserve', '10.00', '--status-interval-s', '1',
    ], { cwd: dir });
    await until(() => held.length > 0 || !host.alive, 'the host to open its private stream', 90_000);
    expect(host.alive, host.tail()).toBe(true);
    expect(host.texts().some((l) => SESSION_LINE.test(l)), 'still starting').toBe(false);
    host.signal('SIGINT');
    const exit = await host.waitExit(60_000);
    expect(exit, host.tail()).toEqual({ code: 0, signal: null });
    const texts = host.texts();
    const early = texts.findIndex((l) => /^\S+ SIGINT received while starting: stopping as soon as the start-up completes/.test(l));
    expect(early, host.tail()).toBeGreaterThanOrEqual(0);
    const started = texts.findIndex((l) => SESSION_LINE.test(l));
    expect(started).toBeGreaterThan(early);
    expect(texts.findIndex((l) => /^\S+ stopping: SIGINT$/.test(l))).toBeGreaterThan(started);
    expect(texts.at(-1)).toMatch(STOPPED);
    const session = SESSION_LINE.exec(texts[started])![1];
    const [row] = await sql<{ ended_ms: string | null }>(db.url, 'SELECT ended_ms FROM sessions WHERE session_id = $1', [session]);
    expect(row?.ended_ms, 'the session\'s end is journaled').not.toBeNull();
    expect(sim.exchange.listOrders(key.keyId).filter((o) => o.status === 'resting')).toEqual([]);
  });
});

/**
 * Take `order` (a resting order of another account) with an immediate-or-cancel order of
 * `accountId` that sweeps its price level and everything better, so the order's whole remainder
 * trades whatever stands ahead of it. Returns the taker's fill count.
 */
function take(sim: Simulator, accountId: string, order: OrderState): number {
  const ticker = sim.exchange.marketAt(order.marketIndex).ticker;
  // YES bids are YES-book levels; asks are the NO book's levels in NO prices (10000 − YES price).
  const levels = order.side === 'bid' ? sim.exchange.bookLevels(order.marketIndex, 'yes').filter(([p]) => p >= order.price)
    : sim.exchange.bookLevels(order.marketIndex, 'no').filter(([p]) => p >= 10_000 - order.price);
  const count = levels.reduce((n, [, size]) => n + size, 0);
  const r = sim.control.placeOrder(accountId, {
    ticker, side: order.side === 'bid' ? 'ask' : 'bid', price: order.price, count, timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross',
  });
  expect(sim.exchange.getOrder(order.account, order.orderId).status, `${order.clientOrderId} taken`).toBe('executed');
  return r.fills.length;
}

type Pos = { position: number; cost_basis_micros: number; realized_pnl_micros: number; fees_paid_micros: number };

function positionsByTicker(rows: ReadonlyArray<Record<string, number | string>>): Record<string, Pos> {
  const out: Record<string, Pos> = {};
  for (const r of rows) {
    if (Number(r.position) === 0) continue;
    out[String(r.market_ticker)] = {
      position: Number(r.position), cost_basis_micros: Number(r.cost_basis_micros), realized_pnl_micros: Number(r.realized_pnl_micros), fees_paid_micros: Number(r.fees_paid_micros),
    };
  }
  return out;
}

function exchangePositions(ps: ReadonlyArray<{ marketIndex: number; position: number; exposure: number; realizedPnl: number; feesPaid: number }>, tickerOf: Map<number, string>): Record<string, Pos> {
  const out: Record<string, Pos> = {};
  for (const p of ps) {
    if (p.position === 0) continue;
    out[tickerOf.get(p.marketIndex) ?? `#${p.marketIndex}`] = { position: p.position, cost_basis_micros: p.exposure, realized_pnl_micros: p.realizedPnl, fees_paid_micros: p.feesPaid };
  }
  return out;
}
