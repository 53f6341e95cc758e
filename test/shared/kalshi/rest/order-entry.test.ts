/**
 * Idempotent order creation against the simulator's faults: an UNKNOWN is resolved by looking the
 * order up, a resend happens only when the order is proven absent, and one intent never makes two
 * orders on the exchange.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KalshiTransportError, OrderEntry, type OrderIntent, type Outcome, type PlacedOrder } from '../../../../src/shared/kalshi/rest/index.js';
import { ordersWithClientId, startRestSim, tradableMarket, type RestSim } from './sim-fixture.js';

let rs: RestSim;

beforeAll(async () => {
  rs = await startRestSim({ seed: 23 });
});
afterAll(() => rs?.close());

const noSleep = async (): Promise<void> => {};

function intent(clientOrderId: string, extra: Partial<OrderIntent> = {}): OrderIntent {
  const m = tradableMarket(rs.sim);
  return { ticker: m.ticker, side: 'bid', price: 100, count: 100, clientOrderId, timeInForce: 'good_till_canceled', postOnly: true, grid: m.grid, ...extra };
}

function placed(o: Outcome<PlacedOrder>): PlacedOrder {
  if (o.kind !== 'ACCEPTED') throw new Error(`expected ACCEPTED, got ${JSON.stringify(o)}`);
  return o.reply;
}

const POST = ['POST', '/portfolio/events/orders'] as const;

describe('OrderEntry.place', () => {
  it('returns the create reply when all goes well', async () => {
    const { client, transport } = rs.recording();
    const p = placed(await new OrderEntry(client).place(intent('ok-1')));
    expect(p.via).toBe('reply');
    expect(p.clientOrderId).toBe('ok-1');
    expect(transport.count(...POST)).toBe(1);
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'ok-1').map((o) => o.orderId)).toEqual([p.orderId]);
  });

  it('5xx after accept: UNKNOWN → lookup finds the order → ACCEPTED, exactly one order, no resend', async () => {
    const { client, transport } = rs.recording();
    rs.sim.control.inject('5xx-after-accept:1');
    const outcome = await new OrderEntry(client).place(intent('five-1'));
    const p = placed(outcome);
    expect(outcome).toMatchObject({ kind: 'ACCEPTED', status: 0 });
    expect(p.via).toBe('lookup');
    if (p.via === 'lookup') expect(p.order).toMatchObject({ clientOrderId: 'five-1', status: 'resting', remainingCount: 100, yesPrice: 100, bookSide: 'bid' });
    expect(transport.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(['POST /portfolio/events/orders 500', 'GET /portfolio/orders 200']);
    const onExchange = ordersWithClientId(rs.sim, rs.key.keyId, 'five-1');
    expect(onExchange.map((o) => o.orderId)).toEqual([p.orderId]);
  });

  it('timeout after accept: UNKNOWN → lookup finds the order → ACCEPTED, exactly one order, no resend', async () => {
    const { client, transport } = rs.recording();
    rs.sim.control.inject('timeout-after-accept:1');
    const outcome = await new OrderEntry(client, { settleMs: 20 }).place(intent('silent-1'), { timeoutMs: 1_000 });
    const p = placed(outcome);
    expect(p.via).toBe('lookup');
    expect(transport.count(...POST)).toBe(1);
    expect(transport.calls[0].status).toBe('lost');
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'silent-1').map((o) => o.orderId)).toEqual([p.orderId]);
  });

  it('a request lost before it reached the exchange: lookup proves it absent, one resend, one order', async () => {
    const { client, transport } = rs.recording();
    let dropped = 0;
    transport.before = (req) => {
      if (req.method === 'POST' && dropped++ === 0) throw new KalshiTransportError('POST', req.path, 'connection', true, 'ECONNRESET');
    };
    const p = placed(await new OrderEntry(client, { settleMs: 0 }).place(intent('lost-1')));
    expect(p.via).toBe('reply');
    expect(transport.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /portfolio/events/orders lost', 'GET /portfolio/orders 200', 'POST /portfolio/events/orders 201',
    ]);
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'lost-1').map((o) => o.orderId)).toEqual([p.orderId]);
  });

  it('stays UNKNOWN when the lookup itself fails, and does not resend', async () => {
    const { client, transport } = rs.recording({ backoff: { retries: 0 } });
    transport.after = (req, reply) => {
      // The order executed and answered 500; then every query is refused for a while.
      if (req.method === 'POST' && reply.status === 500) rs.sim.control.inject('429-burst:2');
    };
    rs.sim.control.inject('5xx-after-accept:1');
    const outcome = await new OrderEntry(client, { lookupAttempts: 2, sleep: noSleep }).place(intent('blind-1'));
    expect(outcome).toMatchObject({ kind: 'UNKNOWN', cause: 'server_error', status: 500 });
    expect(outcome.kind === 'UNKNOWN' && outcome.message).toMatch(/looking the order up failed: .*429/);
    expect(transport.count(...POST)).toBe(1);
    expect(transport.count('GET', '/portfolio/orders')).toBe(2);
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'blind-1')).toHaveLength(1);
  });

  it('gives up as UNKNOWN after maxResends sends that all got lost, with no order made', async () => {
    const { client, transport } = rs.recording();
    transport.before = (req) => {
      if (req.method === 'POST') throw new KalshiTransportError('POST', req.path, 'timeout', true, 'aborted');
    };
    const outcome = await new OrderEntry(client, { maxResends: 2, settleMs: 0 }).place(intent('gone-1'));
    expect(outcome).toMatchObject({ kind: 'UNKNOWN', cause: 'timeout' });
    expect(outcome.kind === 'UNKNOWN' && outcome.message).toMatch(/not found by lookup after 3 sends/);
    expect(transport.count(...POST)).toBe(3);
    expect(transport.count('GET', '/portfolio/orders')).toBe(3);
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'gone-1')).toEqual([]);
  });

  it('turns 409 order_already_exists into the existing order (an earlier send went through)', async () => {
    const { client, transport } = rs.recording();
    const first = await client.createOrder(intent('exists-1'));
    expect(first.kind).toBe('ACCEPTED');
    transport.calls.length = 0;
    const p = placed(await new OrderEntry(client).place(intent('exists-1')));
    expect(p.via).toBe('lookup');
    expect(first.kind === 'ACCEPTED' && first.reply.orderId).toBe(p.orderId);
    expect(transport.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(['POST /portfolio/events/orders 409', 'GET /portfolio/orders 200']);
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'exists-1')).toHaveLength(1);
  });

  it('keeps a 409 REJECTED when the client_order_id belongs to a different order', async () => {
    const { client } = rs.recording();
    expect((await client.createOrder(intent('theirs-1', { side: 'ask', price: 9_900 }))).kind).toBe('ACCEPTED');
    const outcome = await new OrderEntry(client).place(intent('theirs-1'));
    expect(outcome).toMatchObject({ kind: 'REJECTED', status: 409, code: 'order_already_exists' });
    expect(outcome.kind === 'REJECTED' && outcome.message).toMatch(/belongs to another order \(side ask\)/);
    expect(ordersWithClientId(rs.sim, rs.key.keyId, 'theirs-1')).toHaveLength(1);
  });

  it('is UNKNOWN when the exchange says the order exists but no lookup finds it', async () => {
    const { client } = rs.recording();
    expect((await client.createOrder(intent('hidden-1'))).kind).toBe('ACCEPTED');
    // An intent dated an hour ahead searches from then on: the existing order is outside the window.
    const outcome = await new OrderEntry(client, { lookupSlackMs: 0 }).place(intent('hidden-1'), { createdAtMs: Date.now() + 3_600_000 });
    expect(outcome).toMatchObject({ kind: 'UNKNOWN', status: 409, code: 'order_already_exists' });
  });

  it('passes DENIED, REJECTED and RATE_LIMITED through without a lookup', async () => {
    const { client, transport } = rs.recording({ backoff: { retries: 0 } });
    const entry = new OrderEntry(client);
    expect(await entry.place(intent('deny-1', { price: 105 }))).toMatchObject({ kind: 'DENIED', reason: 'off_grid' });
    expect(await entry.place(intent('reject-1', { price: 105, grid: undefined }))).toMatchObject({ kind: 'REJECTED', code: 'invalid_price' });
    rs.sim.control.inject('429-burst:1');
    expect(await entry.place(intent('limited-1'))).toMatchObject({ kind: 'RATE_LIMITED', source: 'exchange' });
    expect(transport.count('GET', '/portfolio/orders')).toBe(0);
    for (const id of ['deny-1', 'reject-1', 'limited-1']) expect(ordersWithClientId(rs.sim, rs.key.keyId, id)).toEqual([]);
  });
});

describe('OrderEntry.findByClientOrderId', () => {
  it('pages through the orders of the ticker since a time', async () => {
    const client = rs.client();
    const sinceMs = Date.now() - 1_000;
    const target = await client.createOrder(intent('deep-1'));
    for (let i = 0; i < 5; i++) expect((await client.createOrder(intent(`newer-${i}`))).kind).toBe('ACCEPTED');
    const entry = new OrderEntry(client, { lookupPageSize: 2 });
    const found = await entry.findByClientOrderId(tradableMarket(rs.sim).ticker, 'deep-1', sinceMs);
    expect(found?.orderId).toBe(target.kind === 'ACCEPTED' ? target.reply.orderId : 'none');
    expect(await entry.findByClientOrderId(tradableMarket(rs.sim).ticker, 'never-placed', sinceMs)).toBeUndefined();
    expect(await entry.findByClientOrderId(tradableMarket(rs.sim).ticker, 'deep-1', Date.now() + 3_600_000)).toBeUndefined();
  });
});
