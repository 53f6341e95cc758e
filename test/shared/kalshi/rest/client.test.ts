/**
 * KalshiRestClient against the simulator in this process: every endpoint, paging, the outcome
 * of every kind of answer, the shared budgets (priority, waiting, refusing), 429 back-off, and
 * that no key material ever shows.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KalshiCredentials } from '../../../../src/shared/kalshi-signing.js';
import { RateBudgets } from '../../../../src/shared/rate-budgets.js';
import { KalshiSchemaError } from '../../../../src/shared/kalshi/decode.js';
import {
  KalshiBudgetError, KalshiHttpError, KalshiRestClient, KalshiTransportError, type Outcome,
} from '../../../../src/shared/kalshi/rest/index.js';
import { startSimulator } from '../../../../src/sim/simulator.js';
import { makeKey } from '../../../support/sim-client.js';
import { ordersWithClientId, startRestSim, tradableMarket, type RestSim } from './sim-fixture.js';

let rs: RestSim;
let client: KalshiRestClient;

beforeAll(async () => {
  rs = await startRestSim();
  client = rs.client();
});
afterAll(() => rs?.close());

/** A clock that never moves: the buckets then refill not at all, whatever the machine's load. */
const frozen = () => 1_000_000_000n;

function accepted<T>(o: Outcome<T>): T {
  if (o.kind !== 'ACCEPTED') throw new Error(`expected ACCEPTED, got ${JSON.stringify(o)}`);
  return o.reply;
}

/** A resting bid far below the touch on the tradable market (1 contract at $0.01). */
function restingBid(clientOrderId: string, count = 100) {
  const m = tradableMarket(rs.sim);
  return { ticker: m.ticker, side: 'bid' as const, price: 100, count, clientOrderId, timeInForce: 'good_till_canceled' as const, postOnly: true };
}

describe('market data', () => {
  it('reads the exchange status, including a trading pause', async () => {
    expect(await client.exchangeStatus()).toEqual({ exchangeActive: true, tradingActive: true, estimatedResumeMs: undefined });
    rs.sim.control.setTradingActive(false);
    try {
      expect((await client.exchangeStatus()).tradingActive).toBe(false);
    } finally {
      rs.sim.control.setTradingActive(true);
    }
  });

  it('pages through every market, by page and by iterator, with filters', async () => {
    const all = rs.sim.exchange.markets();
    const first = await client.marketsPage({ limit: 7 });
    expect(first.items).toHaveLength(7);
    expect(first.cursor).not.toBe('');
    const second = await client.marketsPage({ limit: 7, cursor: first.cursor });
    expect(second.items[0].ticker).not.toBe(first.items[0].ticker);

    const seen: string[] = [];
    let pages = 0;
    for await (const page of client.marketPages({ limit: 6 })) {
      pages++;
      for (const m of page.items) seen.push(m.ticker);
    }
    expect(pages).toBe(Math.ceil(all.length / 6));
    expect(seen.sort()).toEqual(all.map((m) => m.ticker).sort());

    const wanted = all.slice(0, 2).map((m) => m.ticker);
    const byTicker = await client.marketsPage({ tickers: wanted });
    expect(byTicker.items.map((m) => m.ticker).sort()).toEqual([...wanted].sort());
    const open = await client.marketsPage({ status: 'open', limit: 1000 });
    expect(open.items.length).toBe(all.filter((m) => m.status === 'active').length);
    expect(open.items.every((m) => m.status === 'active')).toBe(true);
  });

  it('reads one market into domain units with its price grid', async () => {
    const m = tradableMarket(rs.sim);
    const market = await client.market(m.ticker);
    expect(market.ticker).toBe(m.ticker);
    expect(market.eventTicker).toBe(m.eventTicker);
    expect(market.status).toBe('active');
    expect(market.closeTimeMs).toBe(m.closeMs);
    expect(market.openTimeMs).toBe(m.openMs);
    expect(market.grid).toBe(m.grid); // interned: the same instance
    expect(market.notionalValue).toBe(1_000_000);
    expect(market.yesBid).toBe(rs.sim.exchange.bestBid(m.index, 'yes')?.[0] ?? 0);
    expect(market.yesAsk).toBe(10_000 - (rs.sim.exchange.bestBid(m.index, 'no')?.[0] ?? 0));
  });

  it('throws KalshiHttpError 404 with Kalshi\'s code for an unknown market', async () => {
    const err = await client.market('NO-SUCH-MARKET').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiHttpError);
    expect(err).toMatchObject({ status: 404, code: 'not_found', rateLimited: false });
  });

  it('reads the order book ascending, best bid last, and cuts it to a depth', async () => {
    const m = tradableMarket(rs.sim);
    const book = await client.orderbook(m.ticker);
    expect(book.yes).toEqual(rs.sim.exchange.bookLevels(m.index, 'yes'));
    expect(book.no).toEqual(rs.sim.exchange.bookLevels(m.index, 'no'));
    expect(book.yes.length).toBeGreaterThan(2);
    const top = await client.orderbook(m.ticker, 2);
    expect(top.yes).toEqual(book.yes.slice(-2));
    expect(top.no).toEqual(book.no.slice(-2));
  });

  it('reads a series\' fee settings', async () => {
    const m = tradableMarket(rs.sim);
    const series = rs.sim.exchange.series(m.seriesTicker)!;
    const fees = await client.seriesFees(m.seriesTicker);
    expect(fees).toEqual({ ticker: series.ticker, feeType: series.feeType, feeMultiplier: series.feeMultiplierMilli / 1000 });
  });

  it('reads public data without credentials, and is refused the portfolio', async () => {
    const anonymous = rs.client({ credentials: undefined });
    expect((await anonymous.marketsPage({ limit: 1 })).items).toHaveLength(1);
    await expect(anonymous.balance()).rejects.toMatchObject({ name: 'KalshiHttpError', status: 401, code: 'authentication_error' });
    const outcome = await anonymous.createOrder(restingBid('anon-1'));
    expect(outcome).toMatchObject({ kind: 'REJECTED', status: 401, code: 'authentication_error' });
  });
});

describe('portfolio', () => {
  it('reads the balance in µ$', async () => {
    const b = await client.balance();
    expect(b.balance).toBe(rs.sim.exchange.account(rs.key.keyId)!.cash);
    expect(b.byExchangeIndex).toEqual([{ exchangeIndex: 0, balance: b.balance }]);
  });

  it('trades, then reads the fill, the executed order and the position', async () => {
    const m = tradableMarket(rs.sim);
    const ask = 10_000 - rs.sim.exchange.bestBid(m.index, 'no')![0];
    const t0 = Math.floor(Date.now() / 1000) - 1;
    const take = accepted(await client.createOrder({ ticker: m.ticker, side: 'bid', price: ask, count: 200, clientOrderId: 'take-1', timeInForce: 'immediate_or_cancel', grid: m.grid }));
    expect(take.fillCount).toBe(200);
    expect(take.remainingCount).toBe(0);
    expect(take.averageFillPrice).toBe(ask * 100); // µ$ per contract
    expect(take.clientOrderId).toBe('take-1');

    const fills = await client.fillsPage({ ticker: m.ticker, minTs: t0 });
    const fill = fills.items.find((f) => f.orderId === take.orderId)!;
    expect(fill).toMatchObject({ ticker: m.ticker, bookSide: 'bid', outcomeSide: 'yes', count: 200, yesPrice: ask, noPrice: 10_000 - ask, isTaker: true });
    expect(fill.fee).toBeGreaterThan(0);

    const order = await client.order(take.orderId);
    expect(order).toMatchObject({ orderId: take.orderId, clientOrderId: 'take-1', status: 'executed', fillCount: 200, remainingCount: 0, yesPrice: ask });
    const executed = await client.ordersPage({ ticker: m.ticker, status: 'executed', minTs: t0 });
    expect(executed.items.map((o) => o.orderId)).toContain(take.orderId);

    const positions = await client.positionsPage({ ticker: m.ticker });
    expect(positions.items).toHaveLength(1);
    expect(positions.items[0]).toMatchObject({ ticker: m.ticker, position: 200 });
    expect(positions.items[0].feesPaid).toBe(fill.fee);
    const everything = [];
    for await (const page of client.positionPages({ limit: 1 })) everything.push(...page.items);
    expect(everything.map((p) => p.ticker)).toContain(m.ticker);

    const allFills = [];
    for await (const page of client.fillPages({ limit: 1 })) allFills.push(...page.items);
    expect(allFills.map((f) => f.fillId)).toContain(fill.fillId);
  });

  it('pages orders newest first and filters them by status', async () => {
    for (const id of ['page-a', 'page-b', 'page-c']) accepted(await client.createOrder(restingBid(id)));
    const seen: string[] = [];
    for await (const page of client.orderPages({ status: 'resting', limit: 2 })) {
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((o) => o.clientOrderId));
    }
    expect(seen.indexOf('page-c')).toBeLessThan(seen.indexOf('page-a'));
    expect(seen).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c']));
    accepted(await client.cancelAllOrders());
  });

  it('reads the account limits and builds budgets from them', async () => {
    const limits = await client.accountLimits();
    expect(limits).toEqual({ usageTier: 'prestige', read: { refillRate: 10_000, bucketCapacity: 10_000 }, write: { refillRate: 8_000, bucketCapacity: 16_000 } });
    const made = await KalshiRestClient.create({ baseUrl: rs.sim.restUrl, credentials: rs.credentials });
    try {
      expect(made.budgets.tier).toBe('prestige');
      expect(made.budgets.write.capacity).toBe(16_000);
      expect(made.budgets.read.ratePerSecond).toBe(10_000);
    } finally {
      await made.close();
    }
  });

  it('reads settlements after a market settles', async () => {
    const key = makeKey('settle-key');
    const sim = await startSimulator({ keys: [key], port: 0, markets: 6, rate: 0, seed: 5, manualClock: true, tier: 'prestige' });
    const c = new KalshiRestClient({ baseUrl: sim.restUrl, credentials: new KalshiCredentials(key.keyId, key.privateKey), tier: 'prestige' });
    try {
      const m = sim.exchange.markets().filter((x) => x.status === 'active').sort((a, b) => a.closeMs - b.closeMs)[0];
      const ask = 10_000 - sim.exchange.bestBid(m.index, 'no')![0];
      accepted(await c.createOrder({ ticker: m.ticker, side: 'bid', price: ask, count: 200, clientOrderId: 'hold', timeInForce: 'immediate_or_cancel' }));
      sim.control.advance(m.closeMs - sim.exchange.now() + 5_001 + m.settlementTimerSeconds * 1000);
      expect(sim.exchange.market(m.ticker)!.status).toBe('finalized');
      const page = await c.settlementsPage({ ticker: m.ticker });
      expect(page.items).toHaveLength(1);
      const s = page.items[0];
      const result = sim.exchange.market(m.ticker)!.result as 'yes' | 'no';
      expect(s).toMatchObject({ ticker: m.ticker, eventTicker: m.eventTicker, marketResult: result, yesCount: 200, noCount: 0 });
      expect(s.revenue).toBe(result === 'yes' ? 2_000_000 : 0);
      expect(s.yesPayout).toBe(result === 'yes' ? 10_000 : 0);
      const viaIterator = [];
      for await (const p of c.settlementPages({})) viaIterator.push(...p.items);
      expect(viaIterator).toEqual(page.items);
    } finally {
      await c.close();
      await sim.close();
    }
  });
});

describe('order entry', () => {
  it('creates, amends, decreases and cancels one order', async () => {
    const m = tradableMarket(rs.sim);
    const created = accepted(await client.createOrder(restingBid('life-1', 300)));
    expect(created).toMatchObject({ clientOrderId: 'life-1', fillCount: 0, remainingCount: 300 });
    expect(rs.sim.exchange.getOrder(rs.key.keyId, created.orderId).status).toBe('resting');

    const amended = accepted(await client.amendOrder(created.orderId, { ticker: m.ticker, side: 'bid', price: 200, count: 500, updatedClientOrderId: 'life-1b', grid: m.grid }));
    expect(amended.orderId).toBe(created.orderId);
    expect(amended.clientOrderId).toBe('life-1b');
    expect(rs.sim.exchange.getOrder(rs.key.keyId, created.orderId)).toMatchObject({ price: 200, remainingCount: 500 });

    const decreased = accepted(await client.decreaseOrder(created.orderId, { reduceBy: 150 }));
    expect(decreased.remainingCount).toBe(350);
    const to = accepted(await client.decreaseOrder(created.orderId, { reduceTo: 100 }, { marketTicker: m.ticker }));
    expect(to.remainingCount).toBe(100);

    const cancelled = accepted(await client.cancelOrder(created.orderId, { marketTicker: m.ticker }));
    expect(cancelled).toMatchObject({ orderId: created.orderId, clientOrderId: 'life-1b', reducedBy: 100 });
    expect(rs.sim.exchange.getOrder(rs.key.keyId, created.orderId).status).toBe('canceled');

    const again = await client.cancelOrder(created.orderId);
    expect(again.kind).toBe('REJECTED');
  });

  it('creates and cancels in batches, with per-item errors', async () => {
    const m = tradableMarket(rs.sim);
    const batch = accepted(await client.batchCreateOrders([restingBid('batch-1'), restingBid('batch-2'), { ...restingBid('batch-3'), price: 105 }]));
    expect(batch).toHaveLength(3);
    expect(batch[0].ok && batch[0].reply.clientOrderId).toBe('batch-1');
    expect(batch[1].ok && batch[1].reply.remainingCount).toBe(100);
    expect(batch[2]).toMatchObject({ ok: false, error: { code: 'invalid_price' } });
    const ids = batch.flatMap((b) => (b.ok ? [b.reply.orderId] : []));

    const cancels = accepted(await client.batchCancelOrders([...ids.map((orderId) => ({ orderId, marketTicker: m.ticker })), { orderId: 'no-such-order' }]));
    expect(cancels).toHaveLength(3);
    expect(cancels.slice(0, 2).map((c) => c.ok && c.reply.reducedBy)).toEqual([100, 100]);
    expect(cancels[2]).toMatchObject({ ok: false, orderId: 'no-such-order', error: { code: 'not_found' } });
    for (const id of ids) expect(rs.sim.exchange.getOrder(rs.key.keyId, id).status).toBe('canceled');
  });

  it('cancels all resting orders', async () => {
    accepted(await client.createOrder(restingBid('all-1')));
    accepted(await client.createOrder(restingBid('all-2')));
    const outcome = await client.cancelAllOrders();
    expect(outcome).toEqual({ kind: 'ACCEPTED', status: 204, reply: undefined });
    expect(rs.sim.exchange.listOrders(rs.key.keyId, { status: 'resting' })).toEqual([]);
  });

  it('keeps Kalshi\'s code on a rejection and sends nothing on a denial', async () => {
    const m = tradableMarket(rs.sim);
    const offGrid = { ...restingBid('reject-1'), price: 105 };
    expect(await client.createOrder(offGrid)).toMatchObject({ kind: 'REJECTED', status: 400, code: 'invalid_price' });
    expect(await client.createOrder({ ...offGrid, clientOrderId: 'deny-1', grid: m.grid })).toMatchObject({ kind: 'DENIED', reason: 'off_grid' });
    expect(await client.createOrder({ ...restingBid('deny-2'), count: 0 })).toMatchObject({ kind: 'DENIED', reason: 'invalid_count' });
    expect(await client.createOrder({ ...restingBid('deny-3'), reduceOnly: true })).toMatchObject({ kind: 'DENIED', reason: 'invalid_order' });
    expect(await client.batchCreateOrders([])).toMatchObject({ kind: 'DENIED', reason: 'invalid_batch' });
    expect(await client.batchCreateOrders([restingBid('dup'), restingBid('dup')])).toMatchObject({ kind: 'DENIED', reason: 'invalid_client_order_id' });
    expect(await client.cancelOrder('')).toMatchObject({ kind: 'DENIED', reason: 'invalid_order_id' });
    expect(await client.decreaseOrder('x', { reduceBy: 0 })).toMatchObject({ kind: 'DENIED', reason: 'invalid_count' });
    for (const id of ['deny-1', 'deny-2', 'deny-3', 'dup']) expect(ordersWithClientId(rs.sim, rs.key.keyId, id)).toEqual([]);

    accepted(await client.createOrder(restingBid('twice')));
    expect(await client.createOrder(restingBid('twice'))).toMatchObject({ kind: 'REJECTED', status: 409, code: 'order_already_exists' });
    rs.sim.control.setTradingActive(false);
    try {
      expect(await client.createOrder(restingBid('paused'))).toMatchObject({ kind: 'REJECTED', status: 409, code: 'trading_is_paused' });
    } finally {
      rs.sim.control.setTradingActive(true);
    }
    accepted(await client.cancelAllOrders());
  });

  it('answers REJECTED 401 with Kalshi\'s code for a bad signature and for an unknown key', async () => {
    const stranger = makeKey('rest-key-1'); // the registered key id, another private key
    const badSignature = rs.client({ credentials: new KalshiCredentials(stranger.keyId, stranger.privateKey) });
    const outcome = await badSignature.createOrder(restingBid('bad-sig'));
    expect(outcome).toMatchObject({ kind: 'REJECTED', status: 401, code: 'authentication_error' });
    expect(outcome.kind === 'REJECTED' && outcome.details).toMatch(/INCORRECT_API_KEY_SIGNATURE/);
    const unknownKey = rs.client({ credentials: new KalshiCredentials('nobody', stranger.privateKey) });
    expect(await unknownKey.cancelAllOrders()).toMatchObject({ kind: 'REJECTED', status: 401, code: 'authentication_error' });
    await expect(unknownKey.balance()).rejects.toMatchObject({ status: 401, code: 'authentication_error' });
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'bad-sig')).toEqual([]);
  });

  it('runs every order-group operation', async () => {
    const group = accepted(await client.createOrderGroup(1_000));
    expect(group.subaccount).toBe(0);
    const listed = await client.orderGroups();
    expect(listed).toContainEqual({ id: group.orderGroupId, contractsLimit: 1_000, autoCancelEnabled: true, exchangeIndex: 0 });

    const order = accepted(await client.createOrder({ ...restingBid('grouped-1'), orderGroupId: group.orderGroupId }));
    expect(await client.orderGroup(group.orderGroupId)).toEqual({ contractsLimit: 1_000, autoCancelEnabled: true, orderIds: [order.orderId], exchangeIndex: 0 });

    accepted(await client.setOrderGroupLimit(group.orderGroupId, 2_000));
    expect((await client.orderGroup(group.orderGroupId)).contractsLimit).toBe(2_000);

    accepted(await client.triggerOrderGroup(group.orderGroupId));
    expect(rs.sim.exchange.getOrder(rs.key.keyId, order.orderId).status).toBe('canceled');
    expect((await client.orderGroup(group.orderGroupId)).autoCancelEnabled).toBe(false);
    expect(await client.createOrder({ ...restingBid('grouped-2'), orderGroupId: group.orderGroupId })).toMatchObject({ kind: 'REJECTED', code: 'exceeded_order_group_risk_limit' });

    accepted(await client.resetOrderGroup(group.orderGroupId));
    expect((await client.orderGroup(group.orderGroupId)).autoCancelEnabled).toBe(true);

    accepted(await client.deleteOrderGroup(group.orderGroupId));
    expect((await client.orderGroups()).map((g) => g.id)).not.toContain(group.orderGroupId);
    await expect(client.orderGroup(group.orderGroupId)).rejects.toMatchObject({ status: 404 });
    expect(await client.resetOrderGroup(group.orderGroupId)).toMatchObject({ kind: 'REJECTED', status: 404 });
    expect(await client.createOrderGroup(0)).toMatchObject({ kind: 'DENIED', reason: 'invalid_count' });
  });
});

describe('rate limits', () => {
  it('keeps the write reserve for cancels: a second new order is refused locally, a cancel still goes out', async () => {
    // Write: 20 tokens, 10 of them reserved for priority; a frozen clock, so nothing refills.
    const budgets = RateBudgets.create({ read: { ratePerSecond: 1, capacity: 40 }, write: { ratePerSecond: 1, capacity: 20 } }, { writeReserve: 10, readReserve: 10, now: frozen });
    const { client: c, transport } = rs.recording({ budgets });
    const first = accepted(await c.createOrder(restingBid('budget-1')));
    const second = await c.createOrder(restingBid('budget-2'));
    expect(second).toMatchObject({ kind: 'RATE_LIMITED', source: 'local', attempts: 0 });
    expect(second.kind === 'RATE_LIMITED' && second.retryAfterMs).toBeGreaterThan(1_000);
    expect(transport.count('POST', '/portfolio/events/orders')).toBe(1);
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'budget-2')).toEqual([]);
    expect(await c.batchCreateOrders([restingBid('budget-3'), restingBid('budget-4')])).toMatchObject({ kind: 'DENIED', reason: 'exceeds_budget' });

    accepted(await c.cancelOrder(first.orderId)); // 2 priority tokens from the reserve
    // Reads: 30 normal tokens = 3 queries; the 4th is refused locally; a priority read still goes out.
    for (let i = 0; i < 3; i++) await c.balance({ maxWaitMs: 0 });
    const refused = await c.balance({ maxWaitMs: 0 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KalshiBudgetError);
    expect((refused as KalshiBudgetError).waitMs).toBeGreaterThan(1_000);
    await c.balance({ priority: true, maxWaitMs: 0 });
  });

  it('waits for tokens when they come within the bound', async () => {
    // 10 tokens at 100 tokens/s: the second query must wait ~100 ms for a refill.
    const budgets = RateBudgets.create({ read: { ratePerSecond: 100, capacity: 10 }, write: { ratePerSecond: 100, capacity: 10 } }, { readReserve: 0, writeReserve: 0 });
    const c = rs.client({ budgets });
    const t0 = performance.now();
    await c.exchangeStatus();
    await c.exchangeStatus(); // granted no earlier than 100 ms after the first took its tokens
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    await expect(c.exchangeStatus({ maxWaitMs: 10 })).rejects.toBeInstanceOf(KalshiBudgetError);
  });

  it('backs off after a 429 burst and succeeds within the budget; gives up as RATE_LIMITED when the burst outlasts the retries', async () => {
    const { client: c, transport } = rs.recording({ backoff: { retries: 3, baseMs: 10, maxMs: 50 } });
    rs.sim.control.inject('429-burst:2');
    const placed = accepted(await c.createOrder(restingBid('burst-1')));
    expect(transport.calls.map((x) => x.status)).toEqual([429, 429, 201]);
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'burst-1').map((o) => o.orderId)).toEqual([placed.orderId]);

    transport.calls.length = 0;
    rs.sim.control.inject('429-burst:4');
    const limited = await c.createOrder(restingBid('burst-2'));
    expect(limited).toEqual({ kind: 'RATE_LIMITED', source: 'exchange', attempts: 4 });
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'burst-2')).toEqual([]);

    rs.sim.control.inject('429-burst:1');
    expect((await c.balance()).balance).toBeGreaterThan(0);
    rs.sim.control.inject('429-burst:1');
    const err = await c.balance({ retries: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiHttpError);
    expect(err).toMatchObject({ status: 429, code: 'too_many_requests', rateLimited: true });
    accepted(await c.cancelAllOrders());
  });

  it('draws each call\'s cost from the right bucket', async () => {
    const budgets = RateBudgets.create({ read: { ratePerSecond: 1, capacity: 1_000 }, write: { ratePerSecond: 1, capacity: 1_000 } }, { readReserve: 0, writeReserve: 0, now: frozen });
    const c = rs.client({ budgets });
    const level = () => ({ read: budgets.read.available(), write: budgets.write.available() });
    let before = level();
    const placed = accepted(await c.createOrder(restingBid('cost-1')));
    expect(before.write - level().write).toBe(10);
    before = level();
    await c.order(placed.orderId);
    expect(before.read - level().read).toBe(2);
    before = level();
    accepted(await c.batchCreateOrders([restingBid('cost-2'), restingBid('cost-3'), restingBid('cost-4')]));
    expect(before.write - level().write).toBe(30);
    before = level();
    accepted(await c.cancelOrder(placed.orderId));
    expect(before.write - level().write).toBe(2);
    before = level();
    accepted(await c.cancelAllOrders());
    expect(before.write - level().write).toBe(2);
    before = level();
    await c.balance();
    expect(before.read - level().read).toBe(10);
  });
});

describe('failures without an answer', () => {
  it('throws KalshiTransportError for a query to a closed port, with sent false', async () => {
    const dead = new KalshiRestClient({ baseUrl: 'http://127.0.0.1:9/trade-api/v2', credentials: rs.credentials, timeoutMs: 5_000 });
    try {
      const err = await dead.balance().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KalshiTransportError);
      expect(err).toMatchObject({ code: 'connection', sent: false });
      expect(await dead.createOrder(restingBid('dead-1'))).toMatchObject({ kind: 'UNKNOWN', cause: 'connection', sent: false });
    } finally {
      await dead.close();
    }
  });

  it('reports UNKNOWN with the status for a 5xx after the exchange accepted the order', async () => {
    rs.sim.control.inject('5xx-after-accept:1');
    const outcome = await client.createOrder(restingBid('five-1'));
    expect(outcome).toMatchObject({ kind: 'UNKNOWN', cause: 'server_error', sent: true, status: 500, code: 'internal_error' });
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'five-1')).toHaveLength(1);
    accepted(await client.cancelAllOrders());
  });

  it('rejects a reply of the wrong shape at the boundary: queries throw KalshiSchemaError, order entry is UNKNOWN', async () => {
    const m = tradableMarket(rs.sim);
    const { client: c, transport } = rs.recording();
    transport.after = (_req, reply) => {
      // Tamper with the answer the way a changed exchange would.
      (reply as { text: string }).text = reply.text.replace(/"yes_bid_dollars":"[^"]*"/, '"yes_bid_dollars":"0.12345"').replace(/"order_id":"[^"]*",/, '');
    };
    const err = await c.market(m.ticker).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiSchemaError);
    expect(err).toMatchObject({ path: 'reply.market.yes_bid_dollars', found: '"0.12345"' });
    const outcome = await c.createOrder(restingBid('shape-1'));
    expect(outcome).toMatchObject({ kind: 'UNKNOWN', cause: 'bad_reply', sent: true, status: 201 });
    expect(outcome.kind === 'UNKNOWN' && outcome.message).toMatch(/reply\.order_id/);
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'shape-1')).toHaveLength(1);
    transport.after = undefined;
    accepted(await c.cancelAllOrders());
  });
});

describe('secrets', () => {
  it('never shows the private key: String, inspect, JSON, error messages', async () => {
    const pem = rs.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const probes = [body.slice(0, 24), body.slice(200, 224), body.slice(-40, -16)];
    const credentials = KalshiCredentials.load(rs.key.keyId, { pem });
    const c = rs.client({ credentials });
    const texts = [String(c), inspect(c, { depth: 10, showHidden: true }), JSON.stringify(c), JSON.stringify({ c }), `${c}`];
    expect(texts[0]).toContain(rs.key.keyId);
    const dead = new KalshiRestClient({ baseUrl: 'http://127.0.0.1:9/trade-api/v2', credentials });
    const errors: unknown[] = [
      await c.market('NO-SUCH').catch((e: unknown) => e),
      await dead.balance().catch((e: unknown) => e),
      await c.balance({ maxWaitMs: 0, retries: 0, timeoutMs: 1 }).catch((e: unknown) => e),
    ];
    await dead.close();
    for (const e of errors) {
      texts.push(String(e), inspect(e, { depth: 10 }), JSON.stringify(e), (e as Error).stack ?? '');
    }
    for (const outcome of [await c.createOrder({ ...restingBid('secret-1'), price: 105 }), await c.createOrder({ ...restingBid('secret-2'), count: -1 })]) {
      texts.push(JSON.stringify(outcome), inspect(outcome));
    }
    for (const t of texts) {
      expect(t).not.toContain('PRIVATE KEY');
      for (const p of probes) expect(t).not.toContain(p);
    }
    accepted(await c.cancelAllOrders());
  });
});
