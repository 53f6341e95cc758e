/**
 * Behaviour of the simulator over time and under faults, end to end: heartbeats, the real rate
 * limiter, a market's life to settlement (REST and WebSocket), order groups as a kill switch,
 * pauses, out-of-band account changes, and a stalled stream. Each test starts its own simulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type StartSimulatorOptions } from '../../src/sim/simulator.js';
import type { MarketState } from '../../src/sim/engine/types.js';
import { makeKey, rest, WsClient, type TestKey } from '../support/sim-client.js';
import { validateWsMessage } from '../support/spec-validator.js';

const running: Simulator[] = [];
const clients: WsClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of running.splice(0)) await s.close();
});

async function simWith(key: TestKey, extra: Partial<StartSimulatorOptions> = {}): Promise<Simulator> {
  const sim = await startSimulator({ keys: [key], port: 0, markets: 30, rate: 0, seed: 11, manualClock: true, tier: 'prestige', ...extra });
  running.push(sim);
  return sim;
}

async function connect(sim: Simulator, key: TestKey): Promise<WsClient> {
  const c = await WsClient.connect(sim.wsUrl, key);
  clients.push(c);
  return c;
}

const dollars = (p: number) => (p / 10_000).toFixed(4);
const gtc = (ticker: string, side: 'bid' | 'ask', price: number, count: string, extra: Record<string, unknown> = {}) => ({
  ticker, side, count, price: dollars(price), time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', ...extra,
});
const ioc = (ticker: string, side: 'bid' | 'ask', price: number, count: string, extra: Record<string, unknown> = {}) => ({
  ticker, side, count, price: dollars(price), time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross', ...extra,
});
/** The best YES ask of a market (1 − best NO bid). */
function yesAsk(sim: Simulator, m: MarketState): number {
  return 10_000 - sim.exchange.bestBid(m.index, 'no')![0];
}
function linearActive(sim: Simulator): MarketState {
  return sim.exchange.markets().find((m) => m.status === 'active' && m.grid.levelCount === 101)!;
}

describe('simulator scenarios', () => {
  it('pings every connection with the heartbeat payload', async () => {
    const key = makeKey();
    const sim = await simWith(key, { pingIntervalMs: 50 });
    const client = await connect(sim, key);
    let payload = '';
    client.ws.on('ping', (data) => (payload = data.toString()));
    await expect.poll(() => client.pings, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    expect(payload).toBe('heartbeat');
  });

  it('meters writes with the Basic tier bucket: 429 with the plain-string body, cancels still served from the reserve', async () => {
    const key = makeKey();
    const sim = await simWith(key, { tier: 'basic' });
    const m = linearActive(sim);
    const t0 = performance.now();
    const statuses: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', gtc(m.ticker, 'bid', 100, '1', { client_order_id: `rl-${i}` }));
      statuses.push(r.status);
      if (r.status === 201) ids.push(r.body.order_id);
      else expect(r.body).toEqual({ error: 'too many requests' });
    }
    const elapsedS = (performance.now() - t0) / 1000;
    const accepted = statuses.filter((s) => s === 201).length;
    // Basic Write: 100 tokens/s, capacity 100, 20 held back for cancels; an order costs 10.
    expect(accepted).toBeGreaterThanOrEqual(8);
    expect(accepted).toBeLessThanOrEqual(8 + Math.ceil((elapsedS * 100) / 10));
    expect(statuses).toContain(429);
    // A cancel may use the reserve that new orders may not.
    const cancel = await rest(sim.restUrl, key, 'DELETE', `/portfolio/events/orders/${ids[0]}`);
    expect(cancel.status).toBe(200);
  });

  it('runs a market to settlement: resting orders cancelled at close, determined, settled, paid out exactly', async () => {
    const key = makeKey();
    const sim = await simWith(key);
    const client = await connect(sim, key);
    client.command('subscribe', { channels: ['market_lifecycle_v2'] });
    client.command('subscribe', { channels: ['user_orders'] });
    await client.waitFor((f) => f.type === 'subscribed' && f.msg.channel === 'user_orders');
    const m = [...sim.exchange.markets()].filter((x) => x.status === 'active').sort((a, b) => a.closeMs - b.closeMs)[0];
    // Hold 2 YES (taken at the ask) and rest a bid that the close will cancel.
    const ask = yesAsk(sim, m);
    const taken = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', ioc(m.ticker, 'bid', ask, '2', { client_order_id: 'hold' }));
    expect(taken.body.fill_count).toBe('2.00');
    const resting = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', gtc(m.ticker, 'bid', m.grid.priceAt(1), '1', { client_order_id: 'closes' }));
    expect(resting.status).toBe(201);
    const cashBefore = sim.exchange.account(key.keyId)!.cash;
    const reserved = sim.exchange.getOrder(key.keyId, resting.body.order_id).reservedCash;

    sim.control.advance(m.closeMs - sim.exchange.now() + 1);
    expect(sim.exchange.market(m.ticker)!.status).toBe('closed');
    const cancelled = await client.waitFor((f) => f.type === 'user_order' && f.msg.client_order_id === 'closes' && f.msg.status === 'canceled');
    expect(validateWsMessage('userOrder', cancelled)).toEqual([]);
    expect((await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', gtc(m.ticker, 'bid', 100, '1'))).status).toBe(409);

    sim.control.advance(5_000);
    const determined = await client.waitFor((f) => f.type === 'market_lifecycle_v2' && f.msg.market_ticker === m.ticker && f.msg.event_type === 'determined');
    expect(validateWsMessage('marketLifecycleV2', determined)).toEqual([]);
    const result = sim.exchange.market(m.ticker)!.result;
    expect(['yes', 'no']).toContain(result);
    expect(determined.msg.result).toBe(result);

    sim.control.advance(m.settlementTimerSeconds * 1000);
    await client.waitFor((f) => f.type === 'market_lifecycle_v2' && f.msg.market_ticker === m.ticker && f.msg.event_type === 'settled');
    const settlements = await rest(sim.restUrl, key, 'GET', `/portfolio/settlements?ticker=${m.ticker}`);
    expect(settlements.body.settlements).toHaveLength(1);
    const s = settlements.body.settlements[0];
    expect(s.market_result).toBe(result);
    expect(s.yes_count_fp).toBe('2.00');
    const payout = result === 'yes' ? 2_000_000 : 0; // 2 contracts × $1, µ$
    expect(s.revenue).toBe(payout / 10_000); // cents
    expect(sim.exchange.account(key.keyId)!.cash).toBe(cashBefore + reserved + payout);
    const positions = await rest(sim.restUrl, key, 'GET', `/portfolio/positions?ticker=${m.ticker}`);
    expect(positions.body.market_positions[0].position_fp).toBe('0.00');
    expect(sim.exchange.market(m.ticker)!.status).toBe('finalized');
  });

  it('order groups are a kill switch: a fill burst triggers, resting orders go, new ones are refused until reset', async () => {
    const key = makeKey();
    const sim = await simWith(key);
    const client = await connect(sim, key);
    client.command('subscribe', { channels: ['order_group_updates'] });
    await client.waitFor((f) => f.type === 'subscribed');
    const m = linearActive(sim);
    const group = await rest(sim.restUrl, key, 'POST', '/portfolio/order_groups/create', { contracts_limit: 1 });
    expect(group.status).toBe(201);
    const gid = group.body.order_group_id as string;
    const rest1 = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', gtc(m.ticker, 'bid', 100, '1', { order_group_id: gid }));
    expect(rest1.status).toBe(201);
    const burst = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', ioc(m.ticker, 'bid', yesAsk(sim, m), '2', { order_group_id: gid }));
    expect(burst.body.fill_count).toBe('2.00'); // 2 contracts in the window > limit 1
    const triggered = await client.waitFor((f) => f.type === 'order_group_updates' && f.msg.event_type === 'triggered');
    expect(validateWsMessage('orderGroupUpdates', triggered)).toEqual([]);
    const order = await rest(sim.restUrl, key, 'GET', `/portfolio/orders/${rest1.body.order_id}`);
    expect(order.body.order.status).toBe('canceled');
    const refused = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', gtc(m.ticker, 'bid', 100, '1', { order_group_id: gid }));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('exceeded_order_group_risk_limit');
    expect((await rest(sim.restUrl, key, 'PUT', `/portfolio/order_groups/${gid}/reset`, {})).status).toBe(200);
    await client.waitFor((f) => f.type === 'order_group_updates' && f.msg.event_type === 'reset');
    expect((await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', gtc(m.ticker, 'bid', 100, '1', { order_group_id: gid }))).status).toBe(201);
  });

  it('a paused market refuses orders until resumed, and says so on the lifecycle channel', async () => {
    const key = makeKey();
    const sim = await simWith(key);
    const client = await connect(sim, key);
    client.command('subscribe', { channels: ['market_lifecycle_v2'] });
    await client.waitFor((f) => f.type === 'subscribed');
    const m = linearActive(sim);
    sim.control.inject(`pause:${m.ticker}`);
    await client.waitFor((f) => f.type === 'market_lifecycle_v2' && f.msg.event_type === 'deactivated' && f.msg.market_ticker === m.ticker);
    const refused = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', gtc(m.ticker, 'bid', 100, '1'));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('trading_is_paused');
    sim.control.inject(`resume:${m.ticker}`);
    expect((await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', gtc(m.ticker, 'bid', 100, '1'))).status).toBe(201);
  });

  it('applies out-of-band deposits, withdrawals and orders, visible to the account', async () => {
    const key = makeKey();
    const sim = await simWith(key);
    const client = await connect(sim, key);
    client.command('subscribe', { channels: ['user_orders'] });
    await client.waitFor((f) => f.type === 'subscribed');
    const balance = async () => (await rest(sim.restUrl, key, 'GET', '/portfolio/balance')).body.balance as number;
    const start = await balance();
    sim.control.inject('deposit:12.34');
    expect(await balance()).toBe(start + 1234);
    sim.control.inject('withdraw:2.34');
    expect(await balance()).toBe(start + 1000);
    const m = linearActive(sim);
    const outside = sim.control.placeOrder(key.keyId, { ticker: m.ticker, side: 'bid', price: 100, count: 300, timeInForce: 'good_till_canceled', selfTradePrevention: 'maker', clientOrderId: 'placed-elsewhere' });
    const frame = await client.waitFor((f) => f.type === 'user_order' && f.msg.client_order_id === 'placed-elsewhere');
    expect(frame.msg.order_id).toBe(outside.order.orderId);
    const listed = await rest(sim.restUrl, key, 'GET', '/portfolio/orders?status=resting');
    expect(listed.body.orders.map((o: { client_order_id: string }) => o.client_order_id)).toContain('placed-elsewhere');
  });

  it('a stalled stream delivers nothing for the stall, then every frame in order', async () => {
    const key = makeKey();
    const sim = await simWith(key);
    const m = linearActive(sim);
    const client = await connect(sim, key);
    client.command('subscribe', { channels: ['orderbook_delta'], market_tickers: [m.ticker] });
    const snapshot = await client.waitFor((f) => f.type === 'orderbook_snapshot');
    sim.control.inject('stall:400');
    const t0 = Date.now();
    for (let i = 1; i <= 5; i++) sim.exchange.placeSynthetic(m.index, 'bid', 100 * i, 100);
    await client.waitFor((f) => f.type === 'orderbook_delta', 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    await expect.poll(() => client.frames.filter((f) => f.type === 'orderbook_delta').length).toBe(5);
    const seqs = client.frames.filter((f) => f.type === 'orderbook_delta').map((f) => f.seq);
    expect(seqs).toEqual([2, 3, 4, 5, 6].map((k) => snapshot.seq - 1 + k));
  });

  it('answers bad WebSocket input with Kalshi error codes and keeps the connection', async () => {
    const key = makeKey();
    const sim = await simWith(key);
    const client = await connect(sim, key);
    client.ws.send('{not json');
    expect((await client.waitFor((f) => f.type === 'error')).msg.code).toBe(1);
    const id = client.command('subscribe', { channels: ['no_such_channel'] });
    expect((await client.waitFor((f) => f.type === 'error' && f.id === id)).msg.code).toBe(8);
    const id2 = client.command('subscribe', { channels: ['orderbook_delta'] });
    expect((await client.waitFor((f) => f.type === 'error' && f.id === id2)).msg.code).toBe(14);
    const ok = client.command('list_subscriptions');
    await client.waitFor((f) => f.id === ok && f.type === 'ok');
    expect(client.closed).toBe(false);
  });
});

describe('scheduled faults', () => {
  it('closes a market early on schedule, and reports a fault the exchange refuses without crashing', async () => {
    const key = makeKey();
    const m0 = await simWith(key);
    const target = linearActive(m0).ticker;
    await m0.close();
    running.splice(0);
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      const sim = await simWith(key, { manualClock: false, faults: [{ atSeconds: 0.05, fault: { kind: 'close-early', ticker: target } }, { atSeconds: 0.05, fault: { kind: 'pause', ticker: 'NO-SUCH-MARKET' } }] });
      await expect.poll(() => sim.exchange.market(target)!.status, { timeout: 10_000 }).toBe('closed');
      await expect.poll(() => errors.length, { timeout: 10_000 }).toBe(1);
      expect(errors[0]).toMatch(/fault pause at 0.05s not applied/);
      expect((await rest(sim.restUrl, key, 'GET', '/exchange/status')).status).toBe(200);
    } finally {
      console.error = original;
    }
  });
});
