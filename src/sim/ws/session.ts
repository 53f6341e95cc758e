/**
 * One WebSocket connection's command protocol (kalshi-api.md §2.1–2.4), independent of the
 * transport: text in through `handleText`, frames out through the injected `send`.
 *
 * The session keeps its subscriptions (sid → channel, markets, options, seq) and answers
 * `subscribe`, `unsubscribe`, `update_subscription` and `list_subscriptions` with Kalshi's frames
 * and error codes. It learns about markets and books from a `SessionHost` (the server, over the
 * engine) and tells the host when subscriptions change so the host can route engine events;
 * the host then calls `deliver*` to send an event to every matching subscription, which stamps
 * the subscription's sid and, on sequenced channels, its next seq.
 *
 * Sequence numbers (§2.3, §2.4): per sid, on sequenced channels only (orderbook_delta, trade,
 * order_group_updates, market_lifecycle_v2, multivariate_market_lifecycle, communications). The
 * first frame of a sid is seq 1 (for orderbook_delta, the first snapshot); every data frame
 * (snapshot — also one answering get_snapshot — or delta or event) takes the next number, across
 * all markets of the sid. Choices where Kalshi is silent (UNCONFIRMED):
 * - `ok` acks do not consume a number: they carry the sid's last seq (omitted while it is 0 or on
 *   an unsequenced channel), so a client that treats an ack's seq as "advance to" sees no gap.
 *   `okConsumesSeq: true` makes them take the next number instead, to test clients against both.
 * - `unsubscribed` (whose seq the spec requires, ≥ 1) takes the next number: it is the sid's last
 *   frame, so this never hides a gap and is always valid.
 * - `get_snapshot` snapshots consume numbers like any snapshot, and carry the command's id.
 *
 * Other choices (UNCONFIRMED): a subscribe is validated as a whole before anything is created (one
 * bad channel or unknown market refuses the command, error 8 / 11); unknown market tickers are
 * error 11 with `market_tickers` listing them (code 16 "market not found" is retired); one
 * `subscribed` frame per channel, all with the command's id; an unsubscribe of several sids
 * answers each in turn (`unsubscribed`, or error 7 for an unknown one); `market_id(s)` are
 * accepted by the ticker channel only; add_markets to a subscription of all markets is a no-op
 * acked without a list, delete_markets from one is error 11; a delete that empties a subscription
 * keeps it (with no markets); get_snapshot for a market outside the subscription is error 11.
 */
import type { Count, Price } from '../../shared/fixed-point.js';
import type { OutcomeSide } from '../engine/types.js';
import type { Level } from '../server/serialize.js';
import * as frames from './frames.js';

export type Channel =
  | 'orderbook_delta' | 'ticker' | 'trade' | 'fill' | 'market_positions' | 'user_orders'
  | 'order_group_updates' | 'market_lifecycle_v2' | 'multivariate_market_lifecycle' | 'communications';

export interface ChannelSpec {
  /** Frames carry `seq`. */
  readonly sequenced: boolean;
  /** `required`: market_ticker(s) needed (error 14); `optional`: none = every market; `ignored`: always every market. */
  readonly markets: 'required' | 'optional' | 'ignored';
  /** Needs an authenticated connection (error 9). */
  readonly private: boolean;
  /** Accepts market_id / market_ids. */
  readonly marketIds: boolean;
}

/** The channels of §2.3 the simulator accepts. Index feeds (cfbenchmarks_*, pyth_value) are error 8. */
export const CHANNELS: Readonly<Record<Channel, ChannelSpec>> = Object.freeze({
  orderbook_delta: { sequenced: true, markets: 'required', private: true, marketIds: false },
  ticker: { sequenced: false, markets: 'optional', private: false, marketIds: true },
  trade: { sequenced: true, markets: 'optional', private: false, marketIds: false },
  fill: { sequenced: false, markets: 'optional', private: true, marketIds: false },
  market_positions: { sequenced: false, markets: 'optional', private: true, marketIds: false },
  user_orders: { sequenced: false, markets: 'optional', private: true, marketIds: false },
  order_group_updates: { sequenced: true, markets: 'ignored', private: true, marketIds: false },
  market_lifecycle_v2: { sequenced: true, markets: 'ignored', private: false, marketIds: false },
  multivariate_market_lifecycle: { sequenced: true, markets: 'ignored', private: false, marketIds: false },
  communications: { sequenced: true, markets: 'ignored', private: true, marketIds: false },
});

export function isChannel(name: string): name is Channel {
  return Object.hasOwn(CHANNELS, name);
}

/** A subscription as the host sees it (read-only; the session owns it). */
export interface Subscription {
  readonly sid: number;
  readonly channel: Channel;
  /** The markets it covers, in the order they were added; null = every market. */
  readonly tickers: ReadonlySet<string> | null;
  readonly useYesPrice: boolean;
  readonly skipTickerAck: boolean;
  readonly sendInitialSnapshot: boolean;
  /** The last seq sent on this sid (0 before the first frame); stays 0 on unsequenced channels. */
  readonly seq: number;
}

export type SubscriptionChange =
  | { kind: 'subscribed'; sub: Subscription }
  | { kind: 'unsubscribed'; sub: Subscription }
  | { kind: 'markets_added'; sub: Subscription; tickers: string[] }
  | { kind: 'markets_removed'; sub: Subscription; tickers: string[] };

/** What the session needs from the exchange (the server implements it over the engine). */
export interface SessionHost {
  marketExists(ticker: string): boolean;
  /** The public book: YES bids in YES price, NO bids in NO price, each ascending (best last). */
  snapshot(ticker: string): { yes: ReadonlyArray<Level>; no: ReadonlyArray<Level> };
  /** Narrows the channels of `CHANNELS` the host serves (default: all of them). */
  isValidChannel?(channel: Channel): boolean;
  /** The ticker of a `market_id` (ticker channel); undefined when unknown. */
  tickerOfMarketId?(marketId: string): string | undefined;
  /** A `ticker` frame for `send_initial_snapshot`, or undefined to send none. */
  tickerFrame?(sid: number, ticker: string): string | undefined;
  /** Called after every change, so the host can route engine events to this session. */
  subscriptionChanged?(session: WsSession, change: SubscriptionChange): void;
}

export interface SessionOptions {
  /** The engine account of the connection's key: private events and own-order annotations. */
  account?: string;
  /** Default true (connections are authenticated at upgrade); false refuses private channels with error 9. */
  authenticated?: boolean;
  /** Markets per subscription (error 26). Kalshi's number is unknown; default unlimited. */
  maxMarketsPerSubscription?: number;
  /** `ok` acks take a seq number (default false, see above). */
  okConsumesSeq?: boolean;
  /** A host call threw while handling a command (the client got error 1). */
  onError?(err: unknown): void;
}

/** Who caused a book change: the session whose account it is sees `client_order_id`. */
export interface BookCause {
  readonly account: string;
  readonly clientOrderId: string;
}

class Sub implements Subscription {
  seq = 0;
  constructor(
    readonly sid: number,
    readonly channel: Channel,
    public tickers: Set<string> | null,
    readonly useYesPrice: boolean,
    readonly skipTickerAck: boolean,
    readonly sendInitialSnapshot: boolean,
  ) {}
}

/** A refused command: the error frame to send. */
class Refusal {
  constructor(
    readonly code: number,
    readonly msg?: string,
    readonly marketTickers?: string[],
  ) {}
}

type Params = Record<string, unknown>;

const ACTIONS = new Set(['add_markets', 'delete_markets', 'get_snapshot']);

function isObject(v: unknown): v is Params {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSid(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

export class WsSession {
  readonly account: string | undefined;
  private readonly authenticated: boolean;
  private readonly maxMarkets: number;
  private readonly okConsumesSeq: boolean;
  private readonly onError: ((err: unknown) => void) | undefined;
  private readonly subs = new Map<number, Sub>();
  /** Subscriptions per channel, in sid order, for delivery. */
  private readonly byChannel = new Map<Channel, Sub[]>();
  private lastSid = 0;
  private closed = false;

  constructor(
    private readonly host: SessionHost,
    private readonly send: (frame: string) => void,
    options: SessionOptions = {},
  ) {
    this.account = options.account;
    this.authenticated = options.authenticated ?? true;
    this.maxMarkets = options.maxMarketsPerSubscription ?? Number.POSITIVE_INFINITY;
    this.okConsumesSeq = options.okConsumesSeq ?? false;
    this.onError = options.onError;
  }

  // -------------------------------------------------------------------------------------------
  // Commands

  /** One text frame from the client. Never throws. */
  handleText(text: string): void {
    if (this.closed) return;
    let cmd: unknown;
    try {
      cmd = JSON.parse(text);
    } catch {
      this.send(frames.error(undefined, 1));
      return;
    }
    if (!isObject(cmd)) {
      this.send(frames.error(undefined, 1));
      return;
    }
    const rawId = cmd.id;
    if (rawId !== undefined && !(typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0)) {
      this.send(frames.error(undefined, 1));
      return;
    }
    const id = rawId as number | undefined;
    try {
      this.dispatch(id, cmd.cmd, cmd.params);
    } catch (err) {
      if (err instanceof Refusal) {
        this.send(frames.error(id, err.code, err.msg, undefined, err.marketTickers ? { marketTickers: err.marketTickers } : undefined));
        return;
      }
      try {
        this.onError?.(err);
      } catch {
        // a failing logger must not break the session
      }
      this.send(frames.error(id, 1));
    }
  }

  private dispatch(id: number | undefined, name: unknown, params: unknown): void {
    if (name !== undefined && typeof name !== 'string') throw new Refusal(1);
    if (name === 'list_subscriptions') {
      this.send(frames.listSubscriptions(id, [...this.subs.values()]));
      return;
    }
    if (name !== 'subscribe' && name !== 'unsubscribe' && name !== 'update_subscription') throw new Refusal(5);
    if (params === undefined || params === null) throw new Refusal(2);
    if (!isObject(params)) throw new Refusal(11, 'params must be an object');
    if (name === 'subscribe') this.subscribe(id, params);
    else if (name === 'unsubscribe') this.unsubscribe(id, params);
    else this.update(id, params);
  }

  private subscribe(id: number | undefined, params: Params): void {
    const channels = params.channels;
    if (!Array.isArray(channels) || channels.length === 0) throw new Refusal(3);
    const wanted: Channel[] = [];
    for (const c of channels) {
      if (typeof c !== 'string') throw new Refusal(11, 'channels must be strings');
      if (!isChannel(c) || (this.host.isValidChannel && !this.host.isValidChannel(c))) throw new Refusal(8);
      if (!wanted.includes(c)) wanted.push(c);
    }
    const useYesPrice = flag(params, 'use_yes_price');
    const sendInitialSnapshot = flag(params, 'send_initial_snapshot');
    const skipTickerAck = flag(params, 'skip_ticker_ack');
    const usesMarkets = wanted.some((c) => CHANNELS[c].markets !== 'ignored');
    const tickers = usesMarkets ? this.marketsOf(params, wanted.every((c) => CHANNELS[c].marketIds || CHANNELS[c].markets === 'ignored')) : [];
    for (const c of wanted) {
      const spec = CHANNELS[c];
      if (spec.private && !this.authenticated) throw new Refusal(9);
      if (spec.markets === 'required' && tickers.length === 0) throw new Refusal(14);
      if (spec.markets !== 'ignored' && tickers.length > this.maxMarkets) throw new Refusal(26);
    }
    for (const channel of wanted) {
      const spec = CHANNELS[channel];
      const set = spec.markets === 'ignored' || tickers.length === 0 ? null : new Set(tickers);
      const sub = new Sub(++this.lastSid, channel, set, useYesPrice, skipTickerAck, sendInitialSnapshot);
      this.subs.set(sub.sid, sub);
      let list = this.byChannel.get(channel);
      if (!list) this.byChannel.set(channel, (list = []));
      list.push(sub);
      this.send(frames.subscribed(id, channel, sub.sid));
      this.host.subscriptionChanged?.(this, { kind: 'subscribed', sub });
      if (set) this.initialData(sub, [...set], undefined, sendInitialSnapshot);
    }
  }

  /** Snapshots of an orderbook subscription's (new) markets; initial tickers if asked. */
  private initialData(sub: Sub, tickers: string[], id: number | undefined, tickerSnapshot: boolean): void {
    if (sub.channel === 'orderbook_delta') {
      for (const t of tickers) {
        const book = this.host.snapshot(t);
        this.send(frames.orderbookSnapshot(sub.sid, ++sub.seq, { ticker: t }, book.yes, book.no, sub.useYesPrice, id));
      }
    } else if (sub.channel === 'ticker' && tickerSnapshot && this.host.tickerFrame) {
      for (const t of tickers) {
        const frame = this.host.tickerFrame(sub.sid, t);
        if (frame !== undefined) this.send(frame);
      }
    }
  }

  private unsubscribe(id: number | undefined, params: Params): void {
    const sids = params.sids;
    if (!Array.isArray(sids) || sids.length === 0) throw new Refusal(4);
    if (!sids.every(isSid)) throw new Refusal(11, 'sids must be positive integers');
    for (const sid of new Set(sids as number[])) {
      const sub = this.subs.get(sid);
      if (!sub) {
        this.send(frames.error(id, 7));
        continue;
      }
      this.remove(sub);
      this.send(frames.unsubscribed(id, sid, ++sub.seq));
    }
  }

  private update(id: number | undefined, params: Params): void {
    const action = params.action;
    if (action === undefined || action === null) throw new Refusal(15);
    if (typeof action !== 'string' || !ACTIONS.has(action)) throw new Refusal(13);
    const targets: unknown[] = [];
    if (params.sid !== undefined) targets.push(params.sid);
    if (params.sids !== undefined) {
      if (!Array.isArray(params.sids)) throw new Refusal(11, 'sids must be an array');
      targets.push(...params.sids);
    }
    if (targets.length !== 1) throw new Refusal(12);
    if (!isSid(targets[0])) throw new Refusal(11, 'sid must be a positive integer');
    const sub = this.subs.get(targets[0]);
    if (!sub) throw new Refusal(7);
    const spec = CHANNELS[sub.channel];
    if (spec.markets === 'ignored') throw new Refusal(13);
    if (action === 'get_snapshot' && sub.channel !== 'orderbook_delta') throw new Refusal(13);
    const tickers = this.marketsOf(params, spec.marketIds);
    if (tickers.length === 0) throw new Refusal(14);

    if (action === 'get_snapshot') {
      const outside = tickers.filter((t) => !sub.tickers?.has(t));
      if (outside.length > 0) throw new Refusal(11, 'market not in this subscription', outside);
      this.initialData(sub, tickers, id, false);
      return;
    }
    if (action === 'add_markets') {
      const tickerSnapshot = flag(params, 'send_initial_snapshot') || sub.sendInitialSnapshot;
      if (sub.tickers === null) {
        this.ack(id, sub, undefined);
        return;
      }
      const added = tickers.filter((t) => !sub.tickers!.has(t));
      if (sub.tickers.size + added.length > this.maxMarkets) throw new Refusal(26);
      for (const t of added) sub.tickers.add(t);
      if (added.length > 0) this.host.subscriptionChanged?.(this, { kind: 'markets_added', sub, tickers: added });
      this.ack(id, sub, [...sub.tickers]);
      this.initialData(sub, added, undefined, tickerSnapshot);
      return;
    }
    // delete_markets
    if (sub.tickers === null) throw new Refusal(11, 'subscription covers every market');
    const removed = tickers.filter((t) => sub.tickers!.delete(t));
    if (removed.length > 0) this.host.subscriptionChanged?.(this, { kind: 'markets_removed', sub, tickers: removed });
    this.ack(id, sub, [...sub.tickers]);
  }

  private ack(id: number | undefined, sub: Sub, tickers: string[] | undefined): void {
    let seq: number | undefined;
    if (CHANNELS[sub.channel].sequenced) seq = this.okConsumesSeq ? ++sub.seq : sub.seq > 0 ? sub.seq : undefined;
    this.send(frames.ok(id, sub.sid, seq, sub.skipTickerAck ? undefined : tickers));
  }

  /**
   * The markets named by market_ticker / market_tickers (and market_id / market_ids when
   * `allowIds`), deduplicated, in order; every one must exist.
   */
  private marketsOf(params: Params, allowIds: boolean): string[] {
    const out: string[] = [];
    const one = params.market_ticker;
    const many = params.market_tickers;
    if (one !== undefined && many !== undefined) throw new Refusal(11, 'market_ticker and market_tickers are mutually exclusive');
    if (one !== undefined) out.push(...names([one], 'market_ticker'));
    if (many !== undefined) out.push(...names(many, 'market_tickers'));
    const oneId = params.market_id;
    const manyIds = params.market_ids;
    if (oneId !== undefined || manyIds !== undefined) {
      if (!allowIds) throw new Refusal(11, 'market_id(s) are supported by the ticker channel only');
      if (oneId !== undefined && manyIds !== undefined) throw new Refusal(11, 'market_id and market_ids are mutually exclusive');
      const ids = oneId !== undefined ? names([oneId], 'market_id') : names(manyIds, 'market_ids');
      const unknown: string[] = [];
      for (const mid of ids) {
        const t = this.host.tickerOfMarketId?.(mid);
        if (t === undefined) unknown.push(mid);
        else out.push(t);
      }
      if (unknown.length > 0) throw new Refusal(11, `unknown market_id: ${unknown.join(', ')}`);
    }
    const unique = [...new Set(out)];
    const unknown = unique.filter((t) => !this.host.marketExists(t));
    if (unknown.length > 0) throw new Refusal(11, 'unknown market ticker', unknown);
    return unique;
  }

  // -------------------------------------------------------------------------------------------
  // Delivery (called by the host)

  /**
   * Sends `build(sid, seq, sub)` once per subscription of `channel` covering `ticker` (undefined:
   * every subscription of the channel; channels that ignore markets always match). On sequenced
   * channels `seq` is the sid's next number, else 0 (and must not be written). Returns the count.
   */
  deliver(channel: Channel, ticker: string | undefined, build: (sid: number, seq: number, sub: Subscription) => string): number {
    const list = this.byChannel.get(channel);
    if (list === undefined) return 0;
    const sequenced = CHANNELS[channel].sequenced;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const sub = list[i];
      if (ticker !== undefined && sub.tickers !== null && !sub.tickers.has(ticker)) continue;
      this.send(build(sub.sid, sequenced ? ++sub.seq : 0, sub));
      n++;
    }
    return n;
  }

  /**
   * The hot path: one engine book change (NO side in NO price) to every orderbook_delta
   * subscription covering the market, in each subscription's price convention, with
   * `client_order_id` when this session's account caused it. Returns the frames sent.
   */
  deliverOrderbookDelta(market: frames.MarketRef, outcome: OutcomeSide, price: Price, delta: Count, tsMs: number, cause?: BookCause): number {
    const list = this.byChannel.get('orderbook_delta');
    if (list === undefined) return 0;
    const coid = cause !== undefined && cause.account === this.account && cause.clientOrderId !== '' ? cause.clientOrderId : undefined;
    const ticker = market.ticker;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const sub = list[i];
      if (sub.tickers === null || !sub.tickers.has(ticker)) continue;
      this.send(frames.orderbookDelta(sub.sid, ++sub.seq, market, outcome, price, delta, tsMs, coid, sub.useYesPrice));
      n++;
    }
    return n;
  }

  /** Does any subscription of `channel` cover `ticker`? */
  covers(channel: Channel, ticker: string): boolean {
    const list = this.byChannel.get(channel);
    if (list === undefined) return false;
    for (const sub of list) if (sub.tickers === null || sub.tickers.has(ticker)) return true;
    return false;
  }

  subscription(sid: number): Subscription | undefined {
    return this.subs.get(sid);
  }

  subscriptions(): Subscription[] {
    return [...this.subs.values()];
  }

  // -------------------------------------------------------------------------------------------
  // Faults and teardown

  /** Advances a sid's seq by `n` without sending (a sequence gap, for fault injection). */
  skipSeq(sid: number, n = 1): boolean {
    const sub = this.subs.get(sid);
    if (!sub || !CHANNELS[sub.channel].sequenced) return false;
    sub.seq += n;
    return true;
  }

  /**
   * Ends a subscription from the server side with a terminal error (10 channel error, 25 buffer
   * overflow): the error frame carries the sid; the client must resubscribe.
   */
  endSubscription(sid: number, code: 10 | 25, msg?: string): boolean {
    const sub = this.subs.get(sid);
    if (!sub) return false;
    this.remove(sub);
    this.send(frames.error(undefined, code, msg, sid));
    return true;
  }

  /** The connection is gone: drop every subscription (the host is told), send nothing more. */
  close(): void {
    if (this.closed) return;
    for (const sub of [...this.subs.values()]) this.remove(sub);
    this.closed = true;
  }

  private remove(sub: Sub): void {
    this.subs.delete(sub.sid);
    const list = this.byChannel.get(sub.channel);
    if (list) {
      const i = list.indexOf(sub);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byChannel.delete(sub.channel);
    }
    this.host.subscriptionChanged?.(this, { kind: 'unsubscribed', sub });
  }
}

function flag(params: Params, name: string): boolean {
  const v = params[name];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new Refusal(11, `${name} must be a boolean`);
  return v;
}

function names(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s !== '')) {
    throw new Refusal(11, `${field} must be ${field.endsWith('s') ? 'a non-empty array of non-empty strings' : 'a non-empty string'}`);
  }
  return v as string[];
}
