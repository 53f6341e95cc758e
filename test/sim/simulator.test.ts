/**
 * The assembled simulator, driven from outside as a user would: signed REST over fetch, a `ws`
 * WebSocket client, every response checked against the official OpenAPI/AsyncAPI schemas.
 * Manual clock and no background liquidity, so each test controls what happens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCount, parsePrice } from '../../src/shared/fixed-point.js';
import { takerFee } from '../../src/shared/fees.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { makeKey, rest, WsClient, type TestKey } from '../support/sim-client.js';
import { validateRestResponse, validateWsMessage } from '../support/spec-validator.js';

let sim: Simulator;
let key: TestKey;
let other: TestKey;
const START = Date.UTC(2026, 10, 24, 12, 0, 0);

beforeAll(async () => {
  key = makeKey('key-a');
  other = makeKey('key-b');
  sim = await startSimulator({ keys: [key, other], port: 0, markets: 30, rate: 0, seed: 7, manualClock: true, startMs: Date.now(), balance: 1_000_000_000, tier: 'prestige' });
  void START;
});
afterAll(() => sim?.close());

const activeTicker = () => sim.exchange.markets().find((m) => m.status === 'active' && m.grid.levelCount === 101)!.ticker;

describe('simulator REST: market data', () => {
  it('serves exchange status, markets with cursor paging, one market and its book, all per the spec', async () => {
    const status = await rest(sim.restUrl, undefined, 'GET', '/exchange/status');
    expect(status.status).toBe(200);
    expect(validateRestResponse('GetExchangeStatus', 200, status.body)).toEqual([]);

    const seen = new Set<string>();
    let cursor = '';
    let pages = 0;
    do {
      const page = await rest(sim.restUrl, undefined, 'GET', `/markets?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(validateRestResponse('GetMarkets', 200, page.body)).toEqual([]);
      for (const m of page.body.markets) seen.add(m.ticker);
      cursor = page.body.cursor;
      pages++;
    } while (cursor !== '' && pages < 10);
    expect(seen.size).toBe(30);
    expect(pages).toBe(5);

    const ticker = activeTicker();
    const one = await rest(sim.restUrl, key, 'GET', `/markets/${ticker}`);
    expect(one.status).toBe(200);
    expect(validateRestResponse('GetMarket', 200, one.body)).toEqual([]);
    expect(one.body.market.price_ranges.length).toBeGreaterThan(0);

    const book = await rest(sim.restUrl, undefined, 'GET', `/markets/${ticker}/orderbook`);
    expect(validateRestResponse('GetMarketOrderbook', 200, book.body)).toEqual([]);
    const yes = book.body.orderbook_fp.yes_dollars as string[][];
    const no = book.body.orderbook_fp.no_dollars as string[][];
    expect(yes.length).toBeGreaterThan(0);
    expect(no.length).toBeGreaterThan(0);
    // best YES bid (last) below best YES ask = 1 − best NO bid: the synthetic book does not cross
    expect(parsePrice(yes[yes.length - 1][0])).toBeLessThan(10_000 - parsePrice(no[no.length - 1][0]));
  });

  it('answers unknown markets and paths with Kalshi error bodies, and bad query values with 400', async () => {
    expect((await rest(sim.restUrl, undefined, 'GET', '/markets/NOPE-1')).status).toBe(404);
    const bad = await rest(sim.restUrl, undefined, 'GET', '/markets?limit=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_parameters');
    expect((await rest(sim.restUrl, undefined, 'GET', '/markets?cursor=garbage')).status).toBe(400);
    expect((await rest(sim.restUrl, undefined, 'GET', '/nowhere')).status).toBe(404);
  });
});

describe('simulator REST: authentication', () => {
  it('refuses unsigned, badly signed and stale requests to the portfolio with 401', async () => {
    const unsigned = await rest(sim.restUrl, undefined, 'GET', '/portfolio/balance');
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toBe('authentication_error');
    const wrongKey = { ...key, privateKey: other.privateKey };
    expect((await rest(sim.restUrl, wrongKey, 'GET', '/portfolio/balance')).status).toBe(401);
    const res = await fetch(`${sim.restUrl}/portfolio/balance`, { headers: { 'KALSHI-ACCESS-KEY': key.keyId, 'KALSHI-ACCESS-TIMESTAMP': String(Date.now() - 3_600_000), 'KALSHI-ACCESS-SIGNATURE': 'AAAA' } });
    expect(res.status).toBe(401);
    const ok = await rest(sim.restUrl, key, 'GET', '/portfolio/balance');
    expect(ok.status).toBe(200);
    expect(validateRestResponse('GetBalance', 200, ok.body)).toEqual([]);
    expect(ok.body.balance).toBe(100_000); // $1,000.00 in cents
  });
});

describe('simulator REST: orders and the account', () => {
  it('fills a marketable V2 order exactly, and shows it in orders, fills, positions and balance', async () => {
    const ticker = activeTicker();
    const market = sim.exchange.market(ticker)!;
    const [askPrice] = sim.exchange.bestBid(market.index, 'no')!; // NO bid q = YES ask 1 − q
    const yesAsk = 10_000 - askPrice;
    const before = (await rest(sim.restUrl, key, 'GET', '/portfolio/balance')).body.balance_dollars;
    const created = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', {
      ticker, side: 'bid', count: '1.00', price: (yesAsk / 10_000).toFixed(4), time_in_force: 'immediate_or_cancel',
      self_trade_prevention_type: 'taker_at_cross', client_order_id: 'e2e-1',
    });
    expect(created.status).toBe(201);
    expect(validateRestResponse('CreateOrderV2', 201, created.body)).toEqual([]);
    expect(created.body.fill_count).toBe('1.00');
    expect(created.body.client_order_id).toBe('e2e-1');

    const after = (await rest(sim.restUrl, key, 'GET', '/portfolio/balance')).body.balance_dollars;
    const spent = Math.round((Number(before) - Number(after)) * 1e6); // display check only; the exact check is below
    const expected = yesAsk * 100 + takerFee(yesAsk, 100); // µ$: 1 contract at the ask, plus the taker fee
    expect(spent).toBe(expected);
    expect(sim.exchange.account(key.keyId)!.cash).toBe(1_000_000_000 - expected);

    const orders = await rest(sim.restUrl, key, 'GET', `/portfolio/orders?ticker=${ticker}`);
    expect(validateRestResponse('GetOrders', 200, orders.body)).toEqual([]);
    expect(orders.body.orders[0].client_order_id).toBe('e2e-1');
    const fills = await rest(sim.restUrl, key, 'GET', '/portfolio/fills');
    expect(validateRestResponse('GetFills', 200, fills.body)).toEqual([]);
    expect(fills.body.fills[0].yes_price_dollars).toBe((yesAsk / 10_000).toFixed(4));
    const positions = await rest(sim.restUrl, key, 'GET', '/portfolio/positions');
    expect(validateRestResponse('GetPositions', 200, positions.body)).toEqual([]);
    expect(parseCount(positions.body.market_positions.find((p: { ticker: string }) => p.ticker === ticker).position_fp)).toBe(100);
  });

  it('rests, amends, decreases and cancels a passive order, and refuses bad input and V1 writes', async () => {
    const ticker = activeTicker();
    const created = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', {
      ticker, side: 'bid', count: '5', price: '0.01', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', client_order_id: 'e2e-rest',
    });
    expect(created.status).toBe(201);
    expect(created.body.remaining_count).toBe('5.00');
    const id = created.body.order_id as string;
    const amended = await rest(sim.restUrl, key, 'POST', `/portfolio/events/orders/${id}/amend`, { ticker, side: 'bid', price: '0.02', count: '5.00' });
    expect(amended.status).toBe(200);
    expect(validateRestResponse('AmendOrderV2', 200, amended.body)).toEqual([]);
    const newId = amended.body.order_id as string;
    const decreased = await rest(sim.restUrl, key, 'POST', `/portfolio/events/orders/${newId}/decrease`, { reduce_by: '2.00' });
    expect(decreased.status).toBe(200);
    expect(decreased.body.remaining_count).toBe('3.00');
    const cancelled = await rest(sim.restUrl, key, 'DELETE', `/portfolio/events/orders/${newId}`);
    expect(cancelled.status).toBe(200);
    expect(validateRestResponse('CancelOrderV2', 200, cancelled.body)).toEqual([]);
    expect(cancelled.body.reduced_by).toBe('3.00');

    const duplicate = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', {
      ticker, side: 'bid', count: '1', price: '0.01', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', client_order_id: 'e2e-rest',
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('order_already_exists');
    for (const [body, code] of [
      [{ ticker, side: 'bid', count: '1', price: '0.015', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker' }, 'invalid_price'],
      [{ ticker, side: 'bid', count: '1', price: 0.5, time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker' }, 'invalid_price'],
      [{ ticker, side: 'bid', count: '-1', price: '0.50', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker' }, 'invalid_order_size'],
      [{ ticker, side: 'buy', count: '1', price: '0.50', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker' }, 'invalid_parameters'],
      [{ side: 'bid', count: '1', price: '0.50', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker' }, 'invalid_parameters'],
    ] as const) {
      const r = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe(code);
    }
    const notJson = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', '{"ticker":');
    expect(notJson.status).toBe(400);
    const v1 = await rest(sim.restUrl, key, 'POST', '/portfolio/orders', { ticker });
    expect(v1.status).toBe(410);
    expect(v1.body.error.code).toBe('deprecated_v1_order_endpoint');
  });

  it('keeps an order executed when it answers 500 after accepting it (the ambiguous case)', async () => {
    const ticker = activeTicker();
    sim.control.inject('5xx-after-accept:1');
    const r = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', {
      ticker, side: 'bid', count: '1', price: '0.01', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', client_order_id: 'e2e-ambiguous',
    });
    expect(r.status).toBe(500);
    const orders = await rest(sim.restUrl, key, 'GET', '/portfolio/orders?status=resting');
    expect(orders.body.orders.filter((o: { client_order_id: string }) => o.client_order_id === 'e2e-ambiguous')).toHaveLength(1);
  });

  it('answers a 429 burst with the plain-string body', async () => {
    sim.control.inject('429-burst:2');
    for (let i = 0; i < 2; i++) {
      const r = await rest(sim.restUrl, key, 'GET', '/portfolio/balance');
      expect(r.status).toBe(429);
      expect(r.body).toEqual({ error: 'too many requests' });
    }
    expect((await rest(sim.restUrl, key, 'GET', '/portfolio/balance')).status).toBe(200);
  });
});

describe('simulator WebSocket', () => {
  it('refuses an unsigned or badly signed upgrade', async () => {
    await expect(WsClient.connect(sim.wsUrl, undefined)).rejects.toThrow(/401/);
    await expect(WsClient.connect(sim.wsUrl, key, (h) => (h['KALSHI-ACCESS-SIGNATURE'] = 'x'))).rejects.toThrow(/401/);
  });

  it('streams a snapshot then sequenced deltas, including our own order with its client_order_id, and a fill', async () => {
    const ticker = activeTicker();
    const client = await WsClient.connect(sim.wsUrl, key);
    try {
      client.command('subscribe', { channels: ['orderbook_delta'], market_tickers: [ticker] });
      client.command('subscribe', { channels: ['fill'] });
      const subscribed = await client.waitFor((f) => f.type === 'subscribed' && f.msg.channel === 'orderbook_delta');
      expect(validateWsMessage('subscribedResponse', subscribed)).toEqual([]);
      const snapshot = await client.waitFor((f) => f.type === 'orderbook_snapshot');
      expect(validateWsMessage('orderbookSnapshot', snapshot)).toEqual([]);
      expect(snapshot.seq).toBe(1);

      const made = sim.control.step(300);
      expect(made).toBeGreaterThan(0);
      const market = sim.exchange.market(ticker)!;
      // our own resting order on this market: its delta carries our client_order_id
      const own = await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', {
        ticker, side: 'bid', count: '1', price: '0.01', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', client_order_id: 'ws-own',
      });
      expect(own.status).toBe(201);
      const ownDelta = await client.waitFor((f) => f.type === 'orderbook_delta' && f.msg.client_order_id === 'ws-own');
      expect(validateWsMessage('orderbookDelta', ownDelta)).toEqual([]);
      // a marketable order fills: a fill frame arrives
      const [noBid] = sim.exchange.bestBid(market.index, 'no')!;
      await rest(sim.restUrl, key, 'POST', '/portfolio/events/orders', {
        ticker, side: 'bid', count: '1', price: ((10_000 - noBid) / 10_000).toFixed(4), time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross', client_order_id: 'ws-take',
      });
      const fill = await client.waitFor((f) => f.type === 'fill' && f.msg.client_order_id === 'ws-take');
      expect(validateWsMessage('fill', fill)).toEqual([]);

      const seqs = client.frames.filter((f) => f.sid === snapshot.sid && typeof f.seq === 'number').map((f) => f.seq as number);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // 1, 2, 3, … with no gap
    } finally {
      client.close();
    }
  });

  it('injects a sequence gap, a duplicate, a malformed frame and a dropped connection on demand', async () => {
    const ticker = activeTicker();
    const client = await WsClient.connect(sim.wsUrl, key);
    try {
      client.command('subscribe', { channels: ['orderbook_delta'], market_tickers: [ticker] });
      const snapshot = await client.waitFor((f) => f.type === 'orderbook_snapshot');
      sim.control.inject('gap');
      const market = sim.exchange.market(ticker)!;
      sim.exchange.placeSynthetic(market.index, 'bid', 100, 100);
      const afterGap = await client.waitFor((f) => f.type === 'orderbook_delta');
      expect(afterGap.seq).toBe(snapshot.seq + 2); // one number skipped
      sim.control.inject('duplicate');
      sim.exchange.placeSynthetic(market.index, 'bid', 200, 100);
      await client.waitFor(() => client.frames.filter((f) => f.type === 'orderbook_delta').length >= 3);
      const deltas = client.frames.filter((f) => f.type === 'orderbook_delta');
      expect(deltas[1].seq).toBe(deltas[2].seq); // the same frame twice
      sim.control.inject('malformed');
      await client.waitFor((f) => f.malformed !== undefined);
      sim.control.inject('drop');
      await expect.poll(() => client.closed, { timeout: 10_000 }).toBe(true);
    } finally {
      client.close();
    }
  });
});
