/**
 * The official client `kalshi-typescript` (npm, the version in package.json) against the
 * simulator, unchanged: only its Configuration (key id, private key PEM, basePath = the
 * simulator's REST URL) differs from what a user would write for Kalshi. Every call goes through
 * the client's own axios plumbing and RSA-PSS request signing; every body it gets back is checked
 * against the OpenAPI spec and against the engine's numbers, to the µ$.
 *
 * Manual clock and no background liquidity: the books move only when a test moves them, so every
 * expected price, fill, fee, reservation and settlement is computed exactly up front.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Configuration,
  ExchangeApi,
  MarketApi,
  OrderGroupsApi,
  OrdersApi,
  PortfolioApi,
  type CreateOrderV2Request,
  type Fill,
} from 'kalshi-typescript';
import { formatCount, formatPrice, parseCount, parseMoney, parsePrice, PRICE_SCALE } from '../../src/shared/fixed-point.js';
import { makerFee, takerFee } from '../../src/shared/fees.js';
import type { MarketState } from '../../src/sim/engine/types.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { makeKey, type TestKey } from '../support/sim-client.js';
import { validateRestResponse } from '../support/spec-validator.js';

const SEED = 13;
const MARKETS = 100;
const BALANCE = 1_000_000_000; // µ$ = $1,000.00
/** Settlement timing of the catalogue (catalogue.ts, lifecycle.ts). */
const DETERMINATION_DELAY_MS = 5_000;
const SETTLEMENT_TIMER_MS = 60_000;

let sim: Simulator;
let key: TestKey;
let exchangeApi: ExchangeApi;
let marketApi: MarketApi;
let portfolioApi: PortfolioApi;
let ordersApi: OrdersApi;
let groupsApi: OrderGroupsApi;
/** A late-closing whole-cent market for the order tests, another for the order-group tests. */
let trade: MarketState;
let grouped: MarketState;
/** The first market to close; the account buys YES there and holds it through settlement. */
let settling: MarketState;

/** The HTTP status and Kalshi error body of a call the client rejected (axios throws on non-2xx). */
async function failure(call: Promise<unknown>): Promise<{ status: number; body: { error?: { code?: string } } }> {
  try {
    await call;
  } catch (err) {
    const response = (err as { response?: { status: number; data: { error?: { code?: string } } } }).response;
    if (response === undefined) throw err;
    return { status: response.status, body: response.data };
  }
  throw new Error('the call succeeded; a failure was expected');
}

/** Cash in µ$ from GET /portfolio/balance (balance_dollars is exact: 4 or 6 decimals). */
async function cash(): Promise<number> {
  const r = await portfolioApi.getBalance();
  expect(validateRestResponse('GetBalance', 200, r.data)).toEqual([]);
  expect(r.data.balance).toBe(Math.floor(parseMoney(r.data.balance_dollars) / 10_000)); // cents, floored
  return parseMoney(r.data.balance_dollars);
}

/** The YES ask and its size (hundredths): the best NO bid q is a YES ask at 1 − q. */
function yesAsk(m: MarketState): [price: number, size: number] {
  const [noBid, size] = sim.exchange.bestBid(m.index, 'no')!;
  return [PRICE_SCALE - noBid, size];
}

/** The YES price that buys `count` hundredths by walking the NO side of the book (best first). */
function priceToBuy(m: MarketState, count: number): number {
  const no = sim.exchange.bookLevels(m.index, 'no'); // ascending, best (highest NO bid) last
  let left = count;
  for (let i = no.length - 1; i >= 0; i--) {
    left -= no[i][1];
    if (left <= 0) return PRICE_SCALE - no[i][0];
  }
  throw new Error(`the book of ${m.ticker} holds less than ${count} hundredths`);
}

/** Size resting at a YES price on the YES side (0 when the level is empty). */
function yesSizeAt(m: MarketState, price: number): number {
  return sim.exchange.bookLevels(m.index, 'yes').find(([p]) => p === price)?.[1] ?? 0;
}

const gtcBid = (ticker: string, price: string, count: string, extra: Partial<CreateOrderV2Request> = {}): CreateOrderV2Request => ({
  ticker, side: 'bid', price, count, time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', ...extra,
});

beforeAll(async () => {
  key = makeKey('kalshi-typescript-key');
  sim = await startSimulator({
    keys: [key], port: 0, markets: MARKETS, rate: 0, seed: SEED, manualClock: true, startMs: Date.now(),
    balance: BALANCE, tier: 'prestige',
  });
  // The only place the simulator differs from Kalshi for the client: its configuration.
  const configuration = new Configuration({
    apiKey: key.keyId,
    privateKeyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    basePath: sim.restUrl,
  });
  exchangeApi = new ExchangeApi(configuration);
  marketApi = new MarketApi(configuration);
  portfolioApi = new PortfolioApi(configuration);
  ordersApi = new OrdersApi(configuration);
  groupsApi = new OrderGroupsApi(configuration);

  const markets = sim.exchange.markets();
  const firstClose = Math.min(...markets.map((m) => m.closeMs));
  // The first event to close: its most likely YES market (highest fair value).
  settling = markets.filter((m) => m.closeMs === firstClose).sort((a, b) => b.fairValue - a.fairValue)[0];
  // Whole-cent markets of events closing more than an hour from now, with both sides quoted.
  const late = markets.filter((m) =>
    m.status === 'active' && m.priceLevelStructure === 'linear_cent' && m.closeMs - sim.exchange.now() > 3_600_000 &&
    m.eventTicker !== settling.eventTicker && sim.exchange.bestBid(m.index, 'yes') !== undefined && sim.exchange.bestBid(m.index, 'no') !== undefined);
  trade = late[0];
  grouped = late.find((m) => m.eventTicker !== trade.eventTicker)!;
  expect(trade).toBeDefined();
  expect(grouped).toBeDefined();
});
afterAll(() => sim?.close());

describe('kalshi-typescript against the simulator: market data', () => {
  it('reads the exchange status', async () => {
    const r = await exchangeApi.getExchangeStatus();
    expect(r.status).toBe(200);
    expect(validateRestResponse('GetExchangeStatus', 200, r.data)).toEqual([]);
    expect(r.data).toEqual({ exchange_active: true, trading_active: true, exchange_estimated_resume_time: null });
  });

  it('pages through every market with the cursor, and filters by event and status', async () => {
    const tickers: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await marketApi.getMarkets(30, cursor);
      expect(validateRestResponse('GetMarkets', 200, r.data)).toEqual([]);
      expect(r.data.markets.length).toBe(pages < 3 ? 30 : 10);
      tickers.push(...r.data.markets.map((m) => m.ticker));
      cursor = r.data.cursor === '' ? undefined : r.data.cursor;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(pages).toBe(4);
    expect(tickers).toEqual(sim.exchange.markets().map((m) => m.ticker)); // each once, in the exchange's order

    const event = await marketApi.getMarkets(100, undefined, trade.eventTicker);
    expect(event.data.markets.map((m) => m.ticker)).toEqual(sim.exchange.markets().filter((m) => m.eventTicker === trade.eventTicker).map((m) => m.ticker));
    expect(event.data.markets).toHaveLength(10);
    const open = await marketApi.getMarkets(1000, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'open');
    expect(open.data.markets).toHaveLength(MARKETS); // all listed markets are open at the start
    const settled = await marketApi.getMarkets(1000, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'settled');
    expect(settled.data.markets).toEqual([]);
  });

  it('reads one market with its top of book, and its order book level for level', async () => {
    const r = await marketApi.getMarket(trade.ticker);
    expect(validateRestResponse('GetMarket', 200, r.data)).toEqual([]);
    const m = r.data.market;
    const [bid, bidSize] = sim.exchange.bestBid(trade.index, 'yes')!;
    const [ask, askSize] = yesAsk(trade);
    expect(m.ticker).toBe(trade.ticker);
    expect(m.event_ticker).toBe(trade.eventTicker);
    expect(m.status).toBe('active');
    expect(m.price_level_structure).toBe('linear_cent');
    expect(new Date(m.close_time!).getTime()).toBe(trade.closeMs);
    // expected to be determined 5 s after the close (not at the epoch, as before the fix in registry.ts)
    expect(new Date(m.expected_expiration_time!).getTime()).toBe(trade.closeMs + DETERMINATION_DELAY_MS);
    expect(new Date(m.latest_expiration_time).getTime()).toBe(trade.closeMs + DETERMINATION_DELAY_MS);
    expect(parsePrice(m.yes_bid_dollars)).toBe(bid);
    expect(parseCount(m.yes_bid_size_fp!)).toBe(bidSize);
    expect(parsePrice(m.yes_ask_dollars)).toBe(ask);
    expect(parseCount(m.yes_ask_size_fp!)).toBe(askSize);
    expect(parsePrice(m.no_bid_dollars)).toBe(PRICE_SCALE - ask);
    expect(parsePrice(m.no_ask_dollars)).toBe(PRICE_SCALE - bid);

    const book = await marketApi.getMarketOrderbook(trade.ticker);
    expect(validateRestResponse('GetMarketOrderbook', 200, book.data)).toEqual([]);
    const levels = (side: 'yes' | 'no') => sim.exchange.bookLevels(trade.index, side).map(([p, c]) => [formatPrice(p), formatCount(c)]);
    expect(book.data.orderbook_fp.yes_dollars).toEqual(levels('yes'));
    expect(book.data.orderbook_fp.no_dollars).toEqual(levels('no'));
    expect(book.data.orderbook_fp.yes_dollars.length).toBeGreaterThan(2);
    const top2 = await marketApi.getMarketOrderbook(trade.ticker, 2);
    expect(top2.data.orderbook_fp.yes_dollars).toEqual(levels('yes').slice(-2));
    expect(top2.data.orderbook_fp.no_dollars).toEqual(levels('no').slice(-2));

    const missing = await failure(marketApi.getMarket('KXNOPE-1'));
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('not_found');
  });
});

describe('kalshi-typescript against the simulator: balance and V2 orders', () => {
  let takeCount = 0;
  let takePrice = 0;
  let takeFee = 0;
  let takeId = '';

  it('reads the starting balance', async () => {
    const r = await portfolioApi.getBalance();
    expect(r.data.balance).toBe(100_000); // cents
    expect(r.data.balance_dollars).toBe('1000.0000');
    expect(r.data.portfolio_value).toBe(0);
    expect(await cash()).toBe(BALANCE);
  });

  it('creates a V2 order that fills against the synthetic book, to the µ$', async () => {
    const [ask, size] = yesAsk(trade);
    takePrice = ask;
    takeCount = Math.min(size, 400); // within the best level: one fill at one price
    takeFee = takerFee(takePrice, takeCount);
    const r = await ordersApi.createOrderV2({
      ticker: trade.ticker, side: 'bid', count: formatCount(takeCount), price: formatPrice(takePrice),
      time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross', client_order_id: 'kt-take',
    });
    expect(r.status).toBe(201);
    expect(validateRestResponse('CreateOrderV2', 201, r.data)).toEqual([]);
    takeId = r.data.order_id;
    expect(r.data.client_order_id).toBe('kt-take');
    expect(r.data.fill_count).toBe(formatCount(takeCount));
    expect(r.data.remaining_count).toBe('0.00');
    expect(parseMoney(r.data.average_fill_price!)).toBe(takePrice * 100); // µ$ per contract
    expect(parseMoney(r.data.average_fee_paid!)).toBe(Math.round((takeFee * 100) / takeCount));
    // the NO level it took from shrank by exactly that much
    expect(sim.exchange.bookLevels(trade.index, 'no').find(([p]) => p === PRICE_SCALE - takePrice)?.[1] ?? 0).toBe(size - takeCount);
    expect(await cash()).toBe(BALANCE - takePrice * takeCount - takeFee);
  });

  it('creates a V2 order that rests, then lists and reads both orders', async () => {
    const before = await cash();
    const sizeBefore = yesSizeAt(trade, 100);
    const r = await ordersApi.createOrderV2(gtcBid(trade.ticker, '0.0100', '5.00', { client_order_id: 'kt-rest' }));
    expect(validateRestResponse('CreateOrderV2', 201, r.data)).toEqual([]);
    expect(r.data.fill_count).toBe('0.00');
    expect(r.data.remaining_count).toBe('5.00');
    expect(r.data.average_fill_price).toBeUndefined();
    expect(yesSizeAt(trade, 100)).toBe(sizeBefore + 500);
    // reserved: 5 contracts at $0.01, plus their maker fee where the series charges one
    const makerReserve = sim.exchange.series(trade.seriesTicker)!.feeType === 'quadratic_with_maker_fees' ? makerFee(100, 500) : 0;
    expect(await cash()).toBe(before - 100 * 500 - makerReserve);
    const restId = r.data.order_id;

    const list = await ordersApi.getOrders(trade.ticker);
    expect(validateRestResponse('GetOrders', 200, list.data)).toEqual([]);
    expect(list.data.orders.map((o) => [o.order_id, o.status])).toEqual([[restId, 'resting'], [takeId, 'executed']]); // newest first
    const resting = await ordersApi.getOrders(undefined, undefined, undefined, undefined, 'resting');
    expect(resting.data.orders.map((o) => o.order_id)).toEqual([restId]);

    const one = await ordersApi.getOrder(restId);
    expect(validateRestResponse('GetOrder', 200, one.data)).toEqual([]);
    expect(one.data.order).toMatchObject({
      order_id: restId, client_order_id: 'kt-rest', ticker: trade.ticker, book_side: 'bid', outcome_side: 'yes', status: 'resting',
      yes_price_dollars: '0.0100', no_price_dollars: '0.9900', initial_count_fp: '5.00', remaining_count_fp: '5.00', fill_count_fp: '0.00',
      order_group_id: null, type: 'limit',
    });
    const taken = (await ordersApi.getOrder(takeId)).data.order;
    expect(taken.status).toBe('executed');
    expect(taken.fill_count_fp).toBe(formatCount(takeCount));
    expect(parseMoney(taken.taker_fill_cost_dollars)).toBe(takePrice * takeCount);
    expect(parseMoney(taken.taker_fees_dollars)).toBe(takeFee);
    expect(parseMoney(taken.maker_fees_dollars)).toBe(0);
  });

  it('amends, decreases (by and to) and cancels a V2 order', async () => {
    const restId = (await ordersApi.getOrders(undefined, undefined, undefined, undefined, 'resting')).data.orders[0].order_id;
    const at2 = yesSizeAt(trade, 200);
    const amended = await ordersApi.amendOrderV2(restId, { ticker: trade.ticker, side: 'bid', price: '0.0200', count: '6.00', updated_client_order_id: 'kt-rest-2' });
    expect(validateRestResponse('AmendOrderV2', 200, amended.data)).toEqual([]);
    expect(amended.data.order_id).toBe(restId);
    expect(amended.data.client_order_id).toBe('kt-rest-2');
    expect(amended.data.remaining_count).toBe('6.00');
    expect(yesSizeAt(trade, 200)).toBe(at2 + 600);
    expect((await ordersApi.getOrder(restId)).data.order).toMatchObject({ yes_price_dollars: '0.0200', remaining_count_fp: '6.00', initial_count_fp: '6.00', client_order_id: 'kt-rest-2' });

    const by = await ordersApi.decreaseOrderV2(restId, { reduce_by: '2.00' });
    expect(validateRestResponse('DecreaseOrderV2', 200, by.data)).toEqual([]);
    expect(by.data.remaining_count).toBe('4.00');
    const to = await ordersApi.decreaseOrderV2(restId, { reduce_to: '1.00' });
    expect(to.data.remaining_count).toBe('1.00');
    expect(yesSizeAt(trade, 200)).toBe(at2 + 100);

    const cancelled = await ordersApi.cancelOrderV2(restId);
    expect(validateRestResponse('CancelOrderV2', 200, cancelled.data)).toEqual([]);
    expect(cancelled.data).toMatchObject({ order_id: restId, client_order_id: 'kt-rest-2', reduced_by: '1.00' });
    expect(yesSizeAt(trade, 200)).toBe(at2);
    expect((await ordersApi.getOrder(restId)).data.order).toMatchObject({ status: 'canceled', remaining_count_fp: '0.00' });
    const again = await failure(ordersApi.cancelOrderV2(restId));
    expect(again.status).toBe(404);
    // every reservation released: cash is what the fill left
    expect(await cash()).toBe(BALANCE - takePrice * takeCount - takeFee);
  });

  it('batch-creates and batch-cancels V2 orders, with per-item errors', async () => {
    const created = await ordersApi.batchCreateOrdersV2({
      orders: [
        gtcBid(trade.ticker, '0.0300', '2.00', { client_order_id: 'kt-b1' }),
        gtcBid(trade.ticker, '0.0400', '3.00', { client_order_id: 'kt-b2' }),
        gtcBid(trade.ticker, '0.0150', '1.00', { client_order_id: 'kt-b3' }), // not on a whole-cent grid
      ],
    });
    expect(created.status).toBe(201);
    expect(validateRestResponse('BatchCreateOrdersV2', 201, created.data)).toEqual([]);
    const [b1, b2, b3] = created.data.orders;
    expect(b1).toMatchObject({ client_order_id: 'kt-b1', fill_count: '0.00', remaining_count: '2.00', error: null });
    expect(b2).toMatchObject({ client_order_id: 'kt-b2', fill_count: '0.00', remaining_count: '3.00', error: null });
    expect(b3.order_id).toBeUndefined();
    expect(b3.error?.code).toBe('invalid_price');
    const ids = [b1.order_id!, b2.order_id!];
    expect((await ordersApi.getOrders(undefined, undefined, undefined, undefined, 'resting')).data.orders.map((o) => o.order_id).sort()).toEqual([...ids].sort());

    const cancelled = await ordersApi.batchCancelOrdersV2({ orders: [{ order_id: ids[0] }, { order_id: ids[1] }, { order_id: 'no-such-order' }] });
    expect(validateRestResponse('BatchCancelOrdersV2', 200, cancelled.data)).toEqual([]);
    expect(cancelled.data.orders.map((o) => [o.order_id, o.reduced_by, o.error?.code ?? null])).toEqual([
      [ids[0], '2.00', null], [ids[1], '3.00', null], ['no-such-order', '0.00', 'not_found'],
    ]);
    expect((await ordersApi.getOrders(undefined, undefined, undefined, undefined, 'resting')).data.orders).toEqual([]);

    // Cancel all: every resting order goes.
    await ordersApi.createOrderV2(gtcBid(trade.ticker, '0.0500', '1.00', { client_order_id: 'kt-all-1' }));
    await ordersApi.createOrderV2(gtcBid(grouped.ticker, '0.0500', '1.00', { client_order_id: 'kt-all-2' }));
    expect((await ordersApi.getOrders(undefined, undefined, undefined, undefined, 'resting')).data.orders).toHaveLength(2);
    expect((await ordersApi.cancelAllOrders()).status).toBe(204);
    expect((await ordersApi.getOrders(undefined, undefined, undefined, undefined, 'resting')).data.orders).toEqual([]);
    expect(await cash()).toBe(BALANCE - takePrice * takeCount - takeFee);
  });

  it('shows the fill and the position', async () => {
    const fills = await portfolioApi.getFills();
    expect(validateRestResponse('GetFills', 200, fills.data)).toEqual([]);
    expect(fills.data.fills).toHaveLength(1);
    const f = fills.data.fills[0];
    expect(f).toMatchObject({ order_id: takeId, ticker: trade.ticker, market_ticker: trade.ticker, book_side: 'bid', outcome_side: 'yes', is_taker: true, count_fp: formatCount(takeCount) });
    expect(parsePrice(f.yes_price_dollars)).toBe(takePrice);
    expect(parseMoney(f.fee_cost)).toBe(takeFee);
    expect((await portfolioApi.getFills(trade.ticker, takeId)).data.fills).toEqual([f]);
    expect((await portfolioApi.getFills(grouped.ticker)).data.fills).toEqual([]);

    const positions = await portfolioApi.getPositions();
    expect(validateRestResponse('GetPositions', 200, positions.data)).toEqual([]);
    expect(positions.data.market_positions).toHaveLength(1);
    const p = positions.data.market_positions[0];
    expect(p.ticker).toBe(trade.ticker);
    expect(parseCount(p.position_fp)).toBe(takeCount);
    expect(parseMoney(p.market_exposure_dollars)).toBe(takePrice * takeCount);
    expect(parseMoney(p.total_traded_dollars)).toBe(takePrice * takeCount);
    expect(parseMoney(p.fees_paid_dollars)).toBe(takeFee);
    expect(parseMoney(p.realized_pnl_dollars)).toBe(0);
    expect(positions.data.event_positions).toHaveLength(1);
    expect(positions.data.event_positions[0].event_ticker).toBe(trade.eventTicker);
    expect(parseCount(positions.data.event_positions[0].total_cost_shares_fp)).toBe(takeCount);
    // the position is marked at the best YES bid
    const [bid] = sim.exchange.bestBid(trade.index, 'yes')!;
    expect((await portfolioApi.getBalance()).data.portfolio_value).toBe(Math.floor((bid * takeCount) / 10_000));
  });
});

describe('kalshi-typescript against the simulator: order groups', () => {
  it('creates, lists, reads, limits, triggers, resets and deletes an order group', async () => {
    const created = await groupsApi.createOrderGroup({ contracts_limit: 10 });
    expect(validateRestResponse('CreateOrderGroup', 201, created.data)).toEqual([]);
    const id = created.data.order_group_id;
    expect(created.data.subaccount).toBe(0);

    const listed = await groupsApi.getOrderGroups();
    expect(validateRestResponse('GetOrderGroups', 200, listed.data)).toEqual([]);
    expect(listed.data.order_groups).toEqual([{ id, contracts_limit_fp: '10.00', is_auto_cancel_enabled: true, exchange_index: 0 }]);

    const member = (await ordersApi.createOrderV2(gtcBid(grouped.ticker, '0.0100', '3.00', { order_group_id: id, client_order_id: 'kt-g1' }))).data.order_id;
    expect((await ordersApi.getOrder(member)).data.order.order_group_id).toBe(id);
    const detail = await groupsApi.getOrderGroup(id);
    expect(validateRestResponse('GetOrderGroup', 200, detail.data)).toEqual([]);
    expect(detail.data).toMatchObject({ is_auto_cancel_enabled: true, contracts_limit_fp: '10.00', orders: [member] });

    const limited = await groupsApi.updateOrderGroupLimit(id, { contracts_limit_fp: '2.00' });
    expect(limited.status).toBe(200);
    expect((await groupsApi.getOrderGroup(id)).data.contracts_limit_fp).toBe('2.00');

    // Trigger by hand: the group's resting order goes, and the group refuses new orders.
    expect((await groupsApi.triggerOrderGroup(id)).status).toBe(200);
    expect((await ordersApi.getOrder(member)).data.order.status).toBe('canceled');
    expect((await groupsApi.getOrderGroup(id)).data).toMatchObject({ is_auto_cancel_enabled: false, orders: [] });
    const refused = await failure(ordersApi.createOrderV2(gtcBid(grouped.ticker, '0.0100', '1.00', { order_group_id: id })));
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('exceeded_order_group_risk_limit');

    // Reset: orders are accepted again.
    expect((await groupsApi.resetOrderGroup(id)).status).toBe(200);
    expect((await groupsApi.getOrderGroup(id)).data.is_auto_cancel_enabled).toBe(true);
    const second = (await ordersApi.createOrderV2(gtcBid(grouped.ticker, '0.0100', '1.00', { order_group_id: id, client_order_id: 'kt-g2' }))).data.order_id;
    expect((await groupsApi.getOrderGroup(id)).data.orders).toEqual([second]);

    // Trigger by fills: 3 contracts filled in the group's window exceed its limit of 2.
    const price = priceToBuy(grouped, 300);
    const taken = await ordersApi.createOrderV2({
      ticker: grouped.ticker, side: 'bid', count: '3.00', price: formatPrice(price), time_in_force: 'immediate_or_cancel',
      self_trade_prevention_type: 'taker_at_cross', order_group_id: id, client_order_id: 'kt-g3',
    });
    expect(taken.data.fill_count).toBe('3.00');
    expect((await ordersApi.getOrder(second)).data.order.status).toBe('canceled');
    expect((await groupsApi.getOrderGroup(id)).data).toMatchObject({ is_auto_cancel_enabled: false, orders: [] });

    expect((await groupsApi.deleteOrderGroup(id)).status).toBe(200);
    expect((await groupsApi.getOrderGroups()).data.order_groups).toEqual([]);
    const gone = await failure(groupsApi.getOrderGroup(id));
    expect(gone.status).toBe(404);
    expect(gone.body.error?.code).toBe('order_group_not_found');
  });
});

describe('kalshi-typescript against the simulator: settlement', () => {
  it('pays a held position at finalization: settlements and balance exact to the µ$', async () => {
    expect((await portfolioApi.getSettlements()).data.settlements).toEqual([]);
    const [ask, size] = yesAsk(settling);
    const count = Math.min(size, 700);
    const bought = await ordersApi.createOrderV2({
      ticker: settling.ticker, side: 'bid', count: formatCount(count), price: formatPrice(ask), time_in_force: 'immediate_or_cancel',
      self_trade_prevention_type: 'taker_at_cross', client_order_id: 'kt-settle',
    });
    expect(bought.data.fill_count).toBe(formatCount(count));
    // A resting order on the settling market: cancelled (and its cash released) at the close.
    await ordersApi.createOrderV2(gtcBid(settling.ticker, formatPrice(settling.grid.priceAt(1)), '2.00', { client_order_id: 'kt-settle-rest' }));

    const fills = (await portfolioApi.getFills(undefined, undefined, undefined, undefined, 1000)).data.fills;
    const onSettling = fills.filter((f) => f.ticker === settling.ticker);
    expect(onSettling.length).toBeGreaterThan(0);
    const cost = onSettling.reduce((s, f) => s + parsePrice(f.yes_price_dollars) * parseCount(f.count_fp), 0);
    const held = onSettling.reduce((s, f) => s + parseCount(f.count_fp), 0);
    expect(held).toBe(count);

    // Close: every order on the market cancelled, the book empty.
    const now = sim.exchange.now();
    sim.control.advance(settling.closeMs - now);
    expect((await marketApi.getMarket(settling.ticker)).data.market.status).toBe('closed');
    expect((await marketApi.getMarketOrderbook(settling.ticker)).data.orderbook_fp).toEqual({ yes_dollars: [], no_dollars: [] });
    expect((await ordersApi.getOrders(settling.ticker, undefined, undefined, undefined, 'resting')).data.orders).toEqual([]);
    const beforeSettlement = await cash();

    // Determination 5 s after the close: a result, no money yet.
    sim.control.advance(DETERMINATION_DELAY_MS);
    const determined = (await marketApi.getMarket(settling.ticker)).data.market;
    expect(determined.status).toBe('determined');
    const result = determined.result as 'yes' | 'no';
    expect(['yes', 'no']).toContain(result);
    expect(await cash()).toBe(beforeSettlement);
    expect((await portfolioApi.getSettlements()).data.settlements).toEqual([]);

    // Finalization at determination + settlement_timer_seconds, not a millisecond earlier.
    expect(determined.settlement_timer_seconds).toBe(SETTLEMENT_TIMER_MS / 1000);
    sim.control.advance(SETTLEMENT_TIMER_MS - 1);
    expect((await marketApi.getMarket(settling.ticker)).data.market.status).toBe('determined');
    sim.control.advance(1);
    const finalized = (await marketApi.getMarket(settling.ticker)).data.market;
    expect(finalized.status).toBe('finalized');
    const settledAt = settling.closeMs + DETERMINATION_DELAY_MS + SETTLEMENT_TIMER_MS;

    const revenue = result === 'yes' ? PRICE_SCALE * held : 0; // $1 per winning contract, µ$
    // With this seed the market (fair value ≈ 0.93) resolves YES: the payout is not zero.
    expect(result).toBe('yes');
    const settlements = await portfolioApi.getSettlements();
    expect(validateRestResponse('GetSettlements', 200, settlements.data)).toEqual([]);
    expect(settlements.data.settlements).toHaveLength(1);
    const s = settlements.data.settlements[0];
    expect(s).toMatchObject({
      ticker: settling.ticker, event_ticker: settling.eventTicker, market_result: result,
      yes_count_fp: formatCount(held), no_count_fp: '0.00', revenue: revenue / 10_000, value: result === 'yes' ? 100 : 0,
    });
    expect(parseMoney(s.yes_total_cost_dollars)).toBe(cost);
    expect(parseMoney(s.no_total_cost_dollars)).toBe(0);
    expect(parseMoney(s.fee_cost)).toBe(0);
    expect(new Date(s.settled_time).getTime()).toBe(settledAt);
    expect((await portfolioApi.getSettlements(100, undefined, trade.ticker)).data.settlements).toEqual([]);

    // The balance moves by exactly the payout.
    expect(await cash()).toBe(beforeSettlement + revenue);
    const position = (await portfolioApi.getPositions(undefined, undefined, undefined, settling.ticker)).data.market_positions[0];
    expect(parseCount(position.position_fp)).toBe(0);
    expect(parseMoney(position.market_exposure_dollars)).toBe(0);
    expect(parseMoney(position.realized_pnl_dollars)).toBe(revenue - cost);
    const settled = await marketApi.getMarkets(1000, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'settled');
    expect(settled.data.markets.map((m) => m.ticker)).toContain(settling.ticker);

    // The whole account from the client's own fills: every fill bought one outcome (no netting),
    // nothing rests, one market settled — so cash = deposit − Σ cost − Σ fees + payout.
    expect((await ordersApi.getOrders(undefined, undefined, undefined, undefined, 'resting')).data.orders).toEqual([]);
    const all: Fill[] = (await portfolioApi.getFills(undefined, undefined, undefined, undefined, 1000)).data.fills;
    const sides = new Map<string, Set<string>>();
    for (const f of all) sides.set(f.ticker, (sides.get(f.ticker) ?? new Set()).add(f.book_side));
    for (const set of sides.values()) expect(set.size).toBe(1);
    const paid = all.reduce((sum, f) => sum + (f.book_side === 'bid' ? parsePrice(f.yes_price_dollars) : parsePrice(f.no_price_dollars)) * parseCount(f.count_fp), 0);
    const fees = all.reduce((sum, f) => sum + parseMoney(f.fee_cost), 0);
    expect(await cash()).toBe(BALANCE - paid - fees + revenue);
  });
});
