import { describe, expect, it } from 'vitest';
import { marketIdOf } from '../../../src/sim/server/ids.js';
import type { BookTop, Level } from '../../../src/sim/server/serialize.js';
import * as frames from '../../../src/sim/ws/frames.js';
import { type Channel, type SessionHost, type SessionOptions, type SubscriptionChange, WsSession } from '../../../src/sim/ws/session.js';
import { SubscriptionIndex } from '../../../src/sim/ws/subscription-index.js';
import { validateWsMessage } from '../../support/spec-validator.js';
import * as fx from '../server/fixtures.js';

const A = 'KXSIMBTC-26AUG01-T5000';
const B = 'KXSIMBTC-26AUG01-T5100';
const C = 'KXSIMETH-26AUG01-T3000';
const BOOKS: Record<string, { yes: Level[]; no: Level[] }> = {
  [A]: { yes: [[4100, 1000], [4200, 1300]], no: [[5500, 2000], [5600, 1700]] },
  [B]: { yes: [[100, 5]], no: [] },
  [C]: { yes: [], no: [] },
};
const TOP: BookTop = { yesBid: 4200, yesBidSize: 1300, yesAsk: 4400, yesAskSize: 1700, noBid: 5600, noAsk: 5800 };

type Frame = { id?: number; type: string; sid?: number; seq?: number; msg?: Record<string, unknown> | Array<Record<string, unknown>> };

const MESSAGE_KEY: Record<string, string> = {
  subscribed: 'subscribedResponse', unsubscribed: 'unsubscribedResponse', error: 'errorResponse', orderbook_snapshot: 'orderbookSnapshot',
  orderbook_delta: 'orderbookDelta', ticker: 'ticker', trade: 'trade', fill: 'fill', market_position: 'marketPosition', user_order: 'userOrder',
  order_group_updates: 'orderGroupUpdates', market_lifecycle_v2: 'marketLifecycleV2',
};

/** Every frame a session sends is parsed and checked against the AsyncAPI spec on the way out. */
function setup(options: SessionOptions = {}, hostOverrides: Partial<SessionHost> = {}) {
  const sent: Frame[] = [];
  const raw: string[] = [];
  const changes: SubscriptionChange['kind'][] = [];
  const host: SessionHost = {
    marketExists: (t) => t in BOOKS,
    snapshot: (t) => BOOKS[t],
    tickerOfMarketId: (id) => [A, B, C].find((t) => marketIdOf(t) === id),
    tickerFrame: (sid, t) => frames.ticker(sid, fx.market({ ticker: t }), TOP, 100, fx.T0),
    subscriptionChanged: (_s, c) => changes.push(c.kind),
    ...hostOverrides,
  };
  const session = new WsSession(host, (text) => {
    raw.push(text);
    const f = JSON.parse(text) as Frame;
    const key = f.type === 'ok' ? (Array.isArray(f.msg) ? 'listSubscriptionsResponse' : 'okResponse') : MESSAGE_KEY[f.type];
    expect(key, `no spec message for ${text}`).toBeDefined();
    expect(validateWsMessage(key, f), text).toEqual([]);
    sent.push(f);
  }, { account: fx.ACCOUNT, ...options });
  const cmd = (c: unknown): Frame[] => {
    const from = sent.length;
    session.handleText(typeof c === 'string' ? c : JSON.stringify(c));
    return sent.slice(from);
  };
  return { session, sent, raw, changes, cmd, host };
}

const snapshotMsg = (ticker: string, yes?: string[][], no?: string[][]) => ({
  market_ticker: ticker, market_id: marketIdOf(ticker), ...(yes ? { yes_dollars_fp: yes } : {}), ...(no ? { no_dollars_fp: no } : {}),
});

describe('subscribe', () => {
  it('answers subscribed, then a snapshot per market with seq 1, 2, … on the new sid', () => {
    const { cmd, changes } = setup();
    expect(cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A, B] } })).toEqual([
      { id: 1, type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 1 } },
      { type: 'orderbook_snapshot', sid: 1, seq: 1, msg: snapshotMsg(A, [['0.4100', '10.00'], ['0.4200', '13.00']], [['0.5500', '20.00'], ['0.5600', '17.00']]) },
      { type: 'orderbook_snapshot', sid: 1, seq: 2, msg: snapshotMsg(B, [['0.0100', '0.05']]) },
    ]);
    expect(changes).toEqual(['subscribed']);
  });

  it('gives each channel of one command its own sid and subscribed frame, same id', () => {
    const { cmd } = setup();
    const out = cmd({ id: 2, cmd: 'subscribe', params: { channels: ['orderbook_delta', 'ticker', 'market_lifecycle_v2'], market_ticker: C, send_initial_snapshot: true } });
    expect(out.map((f) => [f.type, f.id, f.sid, (f.msg as Record<string, unknown>).sid ?? (f.msg as Record<string, unknown>).market_ticker])).toEqual([
      ['subscribed', 2, undefined, 1],
      ['orderbook_snapshot', undefined, 1, C],
      ['subscribed', 2, undefined, 2],
      ['ticker', undefined, 2, C],
      ['subscribed', 2, undefined, 3],
    ]);
    expect(out[1].msg).toEqual(snapshotMsg(C)); // both sides empty: both keys omitted
  });

  it('re-expresses NO levels in YES price with use_yes_price', () => {
    const { cmd } = setup();
    const out = cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A, use_yes_price: true } });
    expect(out[1].msg).toEqual(snapshotMsg(A, [['0.4100', '10.00'], ['0.4200', '13.00']], [['0.4500', '20.00'], ['0.4400', '17.00']]));
  });

  it('accepts market_id(s) on the ticker channel, subscribes to every market without a filter', () => {
    const { cmd, session } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_ids: [marketIdOf(B)] } });
    cmd({ id: 2, cmd: 'subscribe', params: { channels: ['fill', 'trade'] } });
    expect(session.subscriptions().map((s) => [s.sid, s.channel, s.tickers && [...s.tickers]])).toEqual([
      [1, 'ticker', [B]],
      [2, 'fill', null],
      [3, 'trade', null],
    ]);
  });

  it('refuses bad commands with Kalshi\'s codes, creating nothing', () => {
    const { cmd, session } = setup();
    const err = (id: number | undefined, code: number, msg: string, extra: Record<string, unknown> = {}) => [
      { ...(id === undefined ? {} : { id }), type: 'error', msg: { code, msg, ...extra } },
    ];
    expect(cmd('{"id":1,"cmd":')).toEqual(err(undefined, 1, 'Unable to process message'));
    expect(cmd('[1,2]')).toEqual(err(undefined, 1, 'Unable to process message'));
    expect(cmd({ id: 'x', cmd: 'subscribe' })).toEqual(err(undefined, 1, 'Unable to process message'));
    expect(cmd({ id: 3, cmd: 7 })).toEqual(err(3, 1, 'Unable to process message'));
    expect(cmd({ id: 4, cmd: 'subscribe_all' })).toEqual(err(4, 5, 'Unknown command'));
    expect(cmd({ id: 5 })).toEqual(err(5, 5, 'Unknown command'));
    expect(cmd({ id: 6, cmd: 'subscribe' })).toEqual(err(6, 2, 'Params required'));
    expect(cmd({ id: 7, cmd: 'subscribe', params: 'orderbook_delta' })).toEqual(err(7, 11, 'params must be an object'));
    expect(cmd({ id: 8, cmd: 'subscribe', params: {} })).toEqual(err(8, 3, 'Channels required'));
    expect(cmd({ id: 9, cmd: 'subscribe', params: { channels: [] } })).toEqual(err(9, 3, 'Channels required'));
    expect(cmd({ id: 10, cmd: 'subscribe', params: { channels: ['ticker_v2'] } })).toEqual(err(10, 8, 'Unknown channel name'));
    expect(cmd({ id: 11, cmd: 'subscribe', params: { channels: ['fill', 'multivariate'] } })).toEqual(err(11, 8, 'Unknown channel name'));
    expect(cmd({ id: 12, cmd: 'subscribe', params: { channels: ['orderbook_delta'] } })).toEqual(err(12, 14, 'Market Ticker required'));
    expect(cmd({ id: 13, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A, market_tickers: [B] } })).toEqual(
      err(13, 11, 'market_ticker and market_tickers are mutually exclusive'),
    );
    expect(cmd({ id: 14, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A, 'NOPE-1'] } })).toEqual(
      err(14, 11, 'unknown market ticker', { market_tickers: ['NOPE-1'] }),
    );
    expect(cmd({ id: 15, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [] } })).toEqual(
      err(15, 11, 'market_tickers must be a non-empty array of non-empty strings'),
    );
    expect(cmd({ id: 16, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A, use_yes_price: 'yes' } })).toEqual(
      err(16, 11, 'use_yes_price must be a boolean'),
    );
    expect(cmd({ id: 17, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ids: [marketIdOf(A)] } })).toEqual(
      err(17, 11, 'market_id(s) are supported by the ticker channel only'),
    );
    expect(cmd({ id: 18, cmd: 'subscribe', params: { channels: [5] } })).toEqual(err(18, 11, 'channels must be strings'));
    expect(session.subscriptions()).toEqual([]);
    expect(cmd({ id: 19, cmd: 'list_subscriptions' })).toEqual([{ id: 19, type: 'ok', msg: [] }]);
  });

  it('refuses private channels on an unauthenticated session (9) and too many markets (26)', () => {
    expect(setup({ authenticated: false }).cmd({ id: 1, cmd: 'subscribe', params: { channels: ['fill'] } })).toEqual([
      { id: 1, type: 'error', msg: { code: 9, msg: 'Authentication required' } },
    ]);
    expect(setup({ authenticated: false }).cmd({ id: 1, cmd: 'subscribe', params: { channels: ['trade'] } })[0].type).toBe('subscribed');
    expect(setup({ maxMarketsPerSubscription: 1 }).cmd({ id: 2, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A, B] } })).toEqual([
      { id: 2, type: 'error', msg: { code: 26, msg: 'Subscription market limit exceeded' } },
    ]);
  });

  it('lets the host narrow the channels', () => {
    const { cmd } = setup({}, { isValidChannel: (c: Channel) => c !== 'communications' });
    expect(cmd({ id: 1, cmd: 'subscribe', params: { channels: ['communications'] } })).toEqual([{ id: 1, type: 'error', msg: { code: 8, msg: 'Unknown channel name' } }]);
  });

  it('survives a host that throws (error 1) and keeps working', () => {
    const errors: unknown[] = [];
    const { cmd } = setup({ onError: (e) => errors.push(e) }, { snapshot: () => { throw new Error('engine down'); } });
    expect(cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A } }).at(-1)).toEqual({
      id: 1, type: 'error', msg: { code: 1, msg: 'Unable to process message' },
    });
    expect(errors).toHaveLength(1);
    expect(cmd({ id: 2, cmd: 'list_subscriptions' })[0].type).toBe('ok');
  });
});

describe('unsubscribe and list_subscriptions', () => {
  it('lists, unsubscribes each sid (seq = next number), reports unknown sids with 7', () => {
    const { cmd, session, changes } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A, B] } });
    cmd({ id: 2, cmd: 'subscribe', params: { channels: ['ticker', 'fill'] } });
    expect(cmd({ id: 3, cmd: 'list_subscriptions' })).toEqual([
      { id: 3, type: 'ok', msg: [{ channel: 'orderbook_delta', sid: 1 }, { channel: 'ticker', sid: 2 }, { channel: 'fill', sid: 3 }] },
    ]);
    session.deliverOrderbookDelta({ ticker: A }, 'yes', 4200, -300, fx.T0);
    expect(cmd({ id: 4, cmd: 'unsubscribe', params: { sids: [1, 99, 2] } })).toEqual([
      { id: 4, sid: 1, seq: 4, type: 'unsubscribed' },
      { id: 4, type: 'error', msg: { code: 7, msg: 'Unknown subscription ID' } },
      { id: 4, sid: 2, seq: 1, type: 'unsubscribed' },
    ]);
    expect(changes).toEqual(['subscribed', 'subscribed', 'subscribed', 'unsubscribed', 'unsubscribed']);
    expect(session.deliverOrderbookDelta({ ticker: A }, 'yes', 4200, 100, fx.T0)).toBe(0);
    expect(cmd({ id: 5, cmd: 'list_subscriptions' })).toEqual([{ id: 5, type: 'ok', msg: [{ channel: 'fill', sid: 3 }] }]);
  });

  it('refuses a missing params (2), missing or empty sids (4), malformed sids (11)', () => {
    const { cmd } = setup();
    expect(cmd({ id: 1, cmd: 'unsubscribe' })).toEqual([{ id: 1, type: 'error', msg: { code: 2, msg: 'Params required' } }]);
    expect(cmd({ id: 2, cmd: 'unsubscribe', params: {} })).toEqual([{ id: 2, type: 'error', msg: { code: 4, msg: 'Subscription IDs required' } }]);
    expect(cmd({ id: 3, cmd: 'unsubscribe', params: { sids: [] } })).toEqual([{ id: 3, type: 'error', msg: { code: 4, msg: 'Subscription IDs required' } }]);
    expect(cmd({ id: 4, cmd: 'unsubscribe', params: { sids: ['1'] } })).toEqual([{ id: 4, type: 'error', msg: { code: 11, msg: 'sids must be positive integers' } }]);
  });
});

describe('update_subscription', () => {
  it('add_markets: ok with the full list and the last seq (not consumed), then snapshots continue the seq', () => {
    const { cmd, session, changes } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A } });
    session.deliverOrderbookDelta({ ticker: A }, 'yes', 4200, -300, fx.T0);
    expect(cmd({ id: 2, cmd: 'update_subscription', params: { sid: 1, market_tickers: [A, B, C], action: 'add_markets' } })).toEqual([
      { id: 2, sid: 1, seq: 2, type: 'ok', msg: { market_tickers: [A, B, C] } },
      { type: 'orderbook_snapshot', sid: 1, seq: 3, msg: snapshotMsg(B, [['0.0100', '0.05']]) },
      { type: 'orderbook_snapshot', sid: 1, seq: 4, msg: snapshotMsg(C) },
    ]);
    expect(changes).toEqual(['subscribed', 'markets_added']);
    session.deliverOrderbookDelta({ ticker: C }, 'no', 3000, 500, fx.T0);
    expect(session.subscription(1)?.seq).toBe(5);
  });

  it('delete_markets: ok with what is left; deleted markets get no more deltas', () => {
    const { cmd, session, sent } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A, B] } });
    expect(cmd({ id: 2, cmd: 'update_subscription', params: { sids: [1], market_ticker: A, action: 'delete_markets' } })).toEqual([
      { id: 2, sid: 1, seq: 2, type: 'ok', msg: { market_tickers: [B] } },
    ]);
    const n = sent.length;
    expect(session.deliverOrderbookDelta({ ticker: A }, 'yes', 4200, 1, fx.T0)).toBe(0);
    expect(session.deliverOrderbookDelta({ ticker: B }, 'yes', 100, 1, fx.T0)).toBe(1);
    expect(sent.slice(n).map((f) => f.seq)).toEqual([3]);
  });

  it('get_snapshot: snapshots carrying the id and the next seq, no ok, subscription unchanged', () => {
    const { cmd, session } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A, B] } });
    expect(cmd({ id: 127, cmd: 'update_subscription', params: { sids: [1], market_tickers: [B], action: 'get_snapshot' } })).toEqual([
      { id: 127, type: 'orderbook_snapshot', sid: 1, seq: 3, msg: snapshotMsg(B, [['0.0100', '0.05']]) },
    ]);
    expect([...(session.subscription(1)?.tickers ?? [])]).toEqual([A, B]);
  });

  it('honours skip_ticker_ack and okConsumesSeq; acks on unsequenced channels carry no seq', () => {
    const skip = setup();
    skip.cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A, skip_ticker_ack: true } });
    expect(skip.cmd({ id: 2, cmd: 'update_subscription', params: { sid: 1, market_ticker: B, action: 'add_markets' } })[0]).toEqual({ id: 2, sid: 1, seq: 1, type: 'ok' });
    const consume = setup({ okConsumesSeq: true });
    consume.cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A } });
    expect(consume.cmd({ id: 2, cmd: 'update_subscription', params: { sid: 1, market_ticker: B, action: 'add_markets' } }).map((f) => f.seq)).toEqual([2, 3]);
    const fill = setup();
    fill.cmd({ id: 1, cmd: 'subscribe', params: { channels: ['fill'], market_ticker: A } });
    expect(fill.cmd({ id: 2, cmd: 'update_subscription', params: { sid: 1, market_ticker: B, action: 'add_markets' } })).toEqual([
      { id: 2, sid: 1, type: 'ok', msg: { market_tickers: [A, B] } },
    ]);
    expect(fill.cmd({ id: 3, cmd: 'update_subscription', params: { sid: 1, market_ticker: A, action: 'delete_markets' } })).toEqual([
      { id: 3, sid: 1, type: 'ok', msg: { market_tickers: [B] } },
    ]);
  });

  it('add_markets on the ticker channel sends initial tickers when asked; a bad flag changes nothing', () => {
    const { cmd, session } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_ticker: A } });
    expect(cmd({ id: 2, cmd: 'update_subscription', params: { sid: 1, market_ticker: B, action: 'add_markets', send_initial_snapshot: 'yes' } })).toEqual([
      { id: 2, type: 'error', msg: { code: 11, msg: 'send_initial_snapshot must be a boolean' } },
    ]);
    expect([...(session.subscription(1)?.tickers ?? [])]).toEqual([A]);
    const out = cmd({ id: 3, cmd: 'update_subscription', params: { sid: 1, market_tickers: [A, B], action: 'add_markets', send_initial_snapshot: true } });
    expect(out.map((f) => [f.type, f.sid, (f.msg as Record<string, unknown>).market_ticker ?? (f.msg as Record<string, unknown>).market_tickers])).toEqual([
      ['ok', 1, [A, B]],
      ['ticker', 1, B],
    ]);
  });

  it('add_markets to an all-markets subscription is acked without a list; deleting from it is 11', () => {
    const { cmd } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['trade'] } });
    expect(cmd({ id: 2, cmd: 'update_subscription', params: { sid: 1, market_ticker: A, action: 'add_markets' } })).toEqual([{ id: 2, sid: 1, type: 'ok' }]);
    expect(cmd({ id: 3, cmd: 'update_subscription', params: { sid: 1, market_ticker: A, action: 'delete_markets' } })).toEqual([
      { id: 3, type: 'error', msg: { code: 11, msg: 'subscription covers every market' } },
    ]);
  });

  it('refuses with 2, 15, 13, 12, 7, 14, 11 as documented', () => {
    const { cmd } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta', 'ticker', 'market_lifecycle_v2'], market_ticker: A } });
    const err = (id: number, code: number, msg: string, extra: Record<string, unknown> = {}) => [{ id, type: 'error', msg: { code, msg, ...extra } }];
    expect(cmd({ id: 2, cmd: 'update_subscription' })).toEqual(err(2, 2, 'Params required'));
    expect(cmd({ id: 3, cmd: 'update_subscription', params: { sid: 1, market_ticker: B } })).toEqual(err(3, 15, 'Action required'));
    expect(cmd({ id: 4, cmd: 'update_subscription', params: { sid: 1, market_ticker: B, action: 'replace_markets' } })).toEqual(err(4, 13, 'Unsupported action'));
    expect(cmd({ id: 5, cmd: 'update_subscription', params: { market_ticker: B, action: 'add_markets' } })).toEqual(err(5, 12, 'Exactly one subscription ID is required'));
    expect(cmd({ id: 6, cmd: 'update_subscription', params: { sid: 1, sids: [1], market_ticker: B, action: 'add_markets' } })).toEqual(
      err(6, 12, 'Exactly one subscription ID is required'),
    );
    expect(cmd({ id: 7, cmd: 'update_subscription', params: { sids: [1, 2], market_ticker: B, action: 'add_markets' } })).toEqual(
      err(7, 12, 'Exactly one subscription ID is required'),
    );
    expect(cmd({ id: 8, cmd: 'update_subscription', params: { sid: 42, market_ticker: B, action: 'add_markets' } })).toEqual(err(8, 7, 'Unknown subscription ID'));
    expect(cmd({ id: 9, cmd: 'update_subscription', params: { sid: 1, action: 'add_markets' } })).toEqual(err(9, 14, 'Market Ticker required'));
    expect(cmd({ id: 10, cmd: 'update_subscription', params: { sid: 2, market_ticker: A, action: 'get_snapshot' } })).toEqual(err(10, 13, 'Unsupported action'));
    expect(cmd({ id: 11, cmd: 'update_subscription', params: { sid: 3, market_ticker: A, action: 'add_markets' } })).toEqual(err(11, 13, 'Unsupported action'));
    expect(cmd({ id: 12, cmd: 'update_subscription', params: { sid: 1, market_ticker: 'NOPE-1', action: 'add_markets' } })).toEqual(
      err(12, 11, 'unknown market ticker', { market_tickers: ['NOPE-1'] }),
    );
    expect(cmd({ id: 13, cmd: 'update_subscription', params: { sid: 1, market_ticker: B, action: 'get_snapshot' } })).toEqual(
      err(13, 11, 'market not in this subscription', { market_tickers: [B] }),
    );
    expect(cmd({ id: 14, cmd: 'update_subscription', params: { sid: '1', market_ticker: B, action: 'add_markets' } })).toEqual(
      err(14, 11, 'sid must be a positive integer'),
    );
  });
});

describe('delivery', () => {
  it('keeps one seq per sid across all its markets', () => {
    const { cmd, session, sent } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A, B] } });
    const n = sent.length;
    session.deliverOrderbookDelta({ ticker: A }, 'yes', 4200, -300, fx.T0);
    session.deliverOrderbookDelta({ ticker: B }, 'no', 9900, 100, fx.T0 + 1);
    session.deliverOrderbookDelta({ ticker: C }, 'no', 9900, 100, fx.T0 + 2); // not subscribed
    session.deliverOrderbookDelta({ ticker: A }, 'no', 5600, -1700, fx.T0 + 3);
    expect(sent.slice(n).map((f) => [f.sid, f.seq, (f.msg as Record<string, unknown>).market_ticker])).toEqual([
      [1, 3, A],
      [1, 4, B],
      [1, 5, A],
    ]);
  });

  it('sends one frame per matching subscription, each in its own sid, seq and price convention', () => {
    const { cmd, session, raw } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A } });
    cmd({ id: 2, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [B, A], use_yes_price: true } });
    const n = raw.length;
    expect(session.deliverOrderbookDelta({ ticker: A }, 'no', 3000, 250, fx.T0)).toBe(2);
    const head = (t: string) => `"market_ticker":"${t}","market_id":"${marketIdOf(t)}"`;
    expect(raw.slice(n)).toEqual([
      `{"type":"orderbook_delta","sid":1,"seq":2,"msg":{${head(A)},"price_dollars":"0.3000","delta_fp":"2.50","side":"no","ts_ms":${fx.T0}}}`,
      `{"type":"orderbook_delta","sid":2,"seq":3,"msg":{${head(A)},"price_dollars":"0.7000","delta_fp":"2.50","side":"no","ts_ms":${fx.T0}}}`,
    ]);
  });

  it('annotates deltas caused by the session\'s own order with client_order_id', () => {
    const mine = setup();
    const theirs = setup({ account: 'someone-else' });
    for (const s of [mine, theirs]) s.cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A } });
    const cause = { account: fx.ACCOUNT, clientOrderId: 'my-order-1' };
    mine.session.deliverOrderbookDelta({ ticker: A }, 'yes', 4300, 1000, fx.T0, cause);
    theirs.session.deliverOrderbookDelta({ ticker: A }, 'yes', 4300, 1000, fx.T0, cause);
    expect(mine.sent.at(-1)?.msg).toMatchObject({ client_order_id: 'my-order-1', subaccount: 0 });
    expect(theirs.sent.at(-1)?.msg).not.toHaveProperty('client_order_id');
  });

  it('deliver stamps seq on sequenced channels only and matches markets', () => {
    const { cmd, session, sent } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['trade'], market_ticker: A } });
    cmd({ id: 2, cmd: 'subscribe', params: { channels: ['fill', 'market_lifecycle_v2', 'order_group_updates'] } });
    const n = sent.length;
    const tradeTo = (t: string) =>
      session.deliver('trade', t, (sid, seq) => frames.trade(sid, seq, { ticker: t }, 'd91bc706-ee49-470d-82d8-11418bda6fed', 3600, 100, 'bid', fx.T0));
    expect(tradeTo(A)).toBe(1);
    expect(tradeTo(B)).toBe(0);
    expect(tradeTo(A)).toBe(1);
    expect(session.deliver('fill', A, (sid) => frames.fill(sid, fx.fill(), { ticker: A }))).toBe(1);
    expect(session.deliver('market_lifecycle_v2', B, (sid, seq) => frames.marketLifecycleV2(sid, seq, fx.market({ ticker: B }), 'deactivated', fx.T0))).toBe(1);
    expect(session.deliver('order_group_updates', undefined, (sid, seq) => frames.orderGroupUpdates(sid, seq, fx.orderGroup(), 'triggered', fx.T0))).toBe(1);
    expect(session.deliver('user_orders', A, () => 'never')).toBe(0);
    expect(sent.slice(n).map((f) => [f.type, f.sid, f.seq])).toEqual([
      ['trade', 1, 1],
      ['trade', 1, 2],
      ['fill', 2, undefined],
      ['market_lifecycle_v2', 3, 1],
      ['order_group_updates', 4, 1],
    ]);
    expect(session.covers('trade', A)).toBe(true);
    expect(session.covers('trade', B)).toBe(false);
    expect(session.covers('fill', B)).toBe(true);
  });

  it('skipSeq makes a gap; endSubscription ends a sid with a terminal error', () => {
    const { cmd, session, sent, changes } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A } });
    expect(session.skipSeq(1, 2)).toBe(true);
    session.deliverOrderbookDelta({ ticker: A }, 'yes', 4200, 1, fx.T0);
    expect(sent.at(-1)?.seq).toBe(4);
    expect(session.endSubscription(1, 25)).toBe(true);
    expect(sent.at(-1)).toEqual({ sid: 1, type: 'error', msg: { code: 25, msg: 'Subscription buffer overflow' } });
    expect(changes.at(-1)).toBe('unsubscribed');
    expect(session.deliverOrderbookDelta({ ticker: A }, 'yes', 4200, 1, fx.T0)).toBe(0);
    expect(session.endSubscription(1, 25)).toBe(false);
  });

  it('close drops every subscription and ignores later commands', () => {
    const { cmd, session, sent, changes } = setup();
    cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta', 'fill'], market_ticker: A } });
    session.close();
    expect(changes).toEqual(['subscribed', 'subscribed', 'unsubscribed', 'unsubscribed']);
    const n = sent.length;
    session.handleText('{"id":2,"cmd":"list_subscriptions"}');
    expect(session.deliverOrderbookDelta({ ticker: A }, 'yes', 1, 1, 1)).toBe(0);
    expect(sent.length).toBe(n);
  });
});

describe('delivery throughput', () => {
  it('delivers at least 300,000 deltas per second to one subscription', () => {
    let bytes = 0;
    const session = new WsSession({ marketExists: () => true, snapshot: () => ({ yes: [], no: [] }) }, (f) => (bytes += f.length));
    session.handleText(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A, B] } }));
    const market = { ticker: A };
    const n = 300_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) session.deliverOrderbookDelta(market, (i & 1) === 0 ? 'yes' : 'no', 100 + (i % 9800), (i % 2000) - 1000, fx.T0 + i);
    const ms = performance.now() - t0;
    expect(session.subscription(1)?.seq).toBe(n + 2);
    expect(bytes).toBeGreaterThan(n * 100);
    expect(ms).toBeLessThan(1000);
  });
});

describe('SubscriptionIndex fan-out', () => {
  it('routes an event once to each session covering it, following every change', () => {
    const index = new SubscriptionIndex();
    const make = (account: string) => setup({ account }, { subscriptionChanged: (s, c) => index.apply(s, c) });
    const s1 = make('a1');
    const s2 = make('a2');
    const s3 = make('a3');
    s1.cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A, B] } });
    s1.cmd({ id: 2, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: A, use_yes_price: true } });
    s2.cmd({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: B } });
    s3.cmd({ id: 1, cmd: 'subscribe', params: { channels: ['trade'] } });
    s2.cmd({ id: 2, cmd: 'subscribe', params: { channels: ['trade'], market_ticker: A } });

    expect(index.sessions('orderbook_delta', A)).toEqual([s1.session]);
    expect(index.sessions('orderbook_delta', B)).toEqual([s1.session, s2.session]);
    expect(index.sessions('trade', A)).toEqual([s3.session, s2.session]);
    expect(index.sessions('trade', B)).toEqual([s3.session]);
    expect(index.sessions('trade')).toEqual([s3.session, s2.session]);
    expect(index.tickers('orderbook_delta').sort()).toEqual([A, B]);

    // One engine delta on A: s1 sends a frame for each of its two subscriptions.
    const before = s1.sent.length;
    let frames = 0;
    index.forEachSession('orderbook_delta', A, (s) => (frames += s.deliverOrderbookDelta({ ticker: A }, 'yes', 4200, 1, fx.T0)));
    expect(frames).toBe(2);
    expect(s1.sent.slice(before).map((f) => [f.sid, f.seq])).toEqual([[1, 3], [2, 2]]);

    s1.cmd({ id: 3, cmd: 'unsubscribe', params: { sids: [2] } });
    expect(index.sessions('orderbook_delta', A)).toEqual([s1.session]); // sid 1 still covers A
    s1.cmd({ id: 4, cmd: 'update_subscription', params: { sid: 1, market_ticker: A, action: 'delete_markets' } });
    expect(index.sessions('orderbook_delta', A)).toEqual([]);
    s2.cmd({ id: 3, cmd: 'update_subscription', params: { sid: 1, market_ticker: A, action: 'add_markets' } });
    expect(index.sessions('orderbook_delta', A)).toEqual([s2.session]);
    s2.session.close();
    expect(index.sessions('orderbook_delta', A)).toEqual([]);
    expect(index.sessions('orderbook_delta', B)).toEqual([s1.session]);
    expect(index.sessions('trade', A)).toEqual([s3.session]);
  });
});
