/**
 * The client's subscriptions, as the host asked for them and as the current connection has them
 * (kalshi-api.md §2.1, §2.2).
 *
 * A `Subscription` is the host's: one channel and (optionally) a set of markets, alive until the
 * host drops it, across any number of reconnects. Its `sid` is the server's id on the current
 * connection; sids change on every reconnect and on every resubscribe, and are -1 while a
 * `subscribe` is in flight or the connection is down.
 *
 * One channel per `subscribe` command: whether a multi-channel subscribe answers with several
 * `subscribed` frames sharing one `id` is UNCONFIRMED (§2.2), so the command id alone says which
 * subscription a reply belongs to.
 *
 * Command ids start at 1 on every connection and increase by one per command (§2.1); each
 * command in flight is remembered with what it was for, so its reply (`subscribed`, `ok`,
 * `error`, `unsubscribed`, the snapshots of a `get_snapshot`) can be matched, and a command left
 * unanswered can be found (`overdue`).
 *
 * Pure bookkeeping: nothing here touches a socket or a clock. The client sends what these methods
 * return.
 */

/** Channels of §2.3 this client subscribes to. */
export type ChannelName =
  | 'orderbook_delta' | 'ticker' | 'trade' | 'fill' | 'market_positions' | 'user_orders'
  | 'order_group_updates' | 'market_lifecycle_v2' | 'multivariate_market_lifecycle' | 'communications';

/** How a channel takes a market filter (§2.3). */
export const CHANNEL_MARKETS: Readonly<Record<ChannelName, 'required' | 'optional' | 'none'>> = Object.freeze({
  orderbook_delta: 'required',
  ticker: 'optional',
  trade: 'optional',
  fill: 'optional',
  market_positions: 'optional',
  user_orders: 'optional',
  order_group_updates: 'none',
  market_lifecycle_v2: 'none',
  multivariate_market_lifecycle: 'none',
  communications: 'none',
});

export function isChannelName(name: string): name is ChannelName {
  return Object.hasOwn(CHANNEL_MARKETS, name);
}

export interface SubscribeOptions {
  /** The markets (required for orderbook_delta; omitted = every market on channels that allow it). */
  marketTickers?: readonly string[];
  /** ticker channel: send the current ticker of each market on subscribe. */
  sendInitialSnapshot?: boolean;
  /** Omit the market list in later `ok` acks. */
  skipTickerAck?: boolean;
}

export type SubscriptionState =
  /** Wanted, not yet (or no longer) acknowledged on the current connection. */
  | 'pending'
  /** Acknowledged: `sid` is valid. */
  | 'active'
  /** A market-filtered subscription with no markets left: nothing to subscribe until markets are added. */
  | 'idle'
  /** The exchange refused it (see `lastError`); retried on the next connection. */
  | 'refused'
  /** Dropped by the host. */
  | 'closed';

export class Subscription {
  /** The server's id on the current connection, or -1. */
  sid = -1;
  state: SubscriptionState = 'pending';
  /** Times this subscription was re-issued after an error, a gap it could not repair, or a timeout. */
  resubscribes = 0;
  /** The last error the exchange answered for it: code and message. */
  lastError: { code: number; msg: string } | undefined;

  constructor(
    /** Stable local id, never reused. */
    readonly key: number,
    readonly channel: ChannelName,
    /** The markets wanted (insertion order), or null for every market / a channel without markets. */
    readonly tickers: Set<string> | null,
    readonly sendInitialSnapshot: boolean,
    readonly skipTickerAck: boolean,
  ) {}

  /** The markets as a fresh array ([] when the subscription covers every market). */
  marketList(): string[] {
    return this.tickers === null ? [] : [...this.tickers];
  }
}

export type UpdateAction = 'add_markets' | 'delete_markets' | 'get_snapshot';

/** A command in flight, by id. `sentAt` is the caller's clock reading when it was sent. */
export type PendingCommand =
  | { kind: 'subscribe'; sub: Subscription; tickers: string[]; sentAt: number }
  | { kind: 'unsubscribe'; sid: number; sentAt: number }
  | { kind: UpdateAction; sub: Subscription; sid: number; tickers: string[]; sentAt: number }
  | { kind: 'list_subscriptions'; sentAt: number };

/** A command ready to send: its id and its JSON text. */
export interface Command {
  id: number;
  text: string;
}

export class SubscriptionTable {
  private nextKey = 1;
  private nextId = 1;
  private readonly subs = new Map<number, Subscription>();
  private readonly bySid = new Map<number, Subscription>();
  private readonly pending = new Map<number, PendingCommand>();

  /** Every subscription the host holds, in creation order. */
  all(): IterableIterator<Subscription> {
    return this.subs.values();
  }

  get size(): number {
    return this.subs.size;
  }

  /** `sub` is held (made by `add`, not yet deleted). */
  has(sub: Subscription): boolean {
    return this.subs.get(sub.key) === sub;
  }

  /** The subscription holding `sid` on this connection. */
  bySidOf(sid: number): Subscription | undefined {
    return this.bySid.get(sid);
  }

  /** Commands in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * A new subscription (not yet sent). Throws on a channel that does not take the markets given,
   * or an orderbook_delta without markets.
   */
  add(channel: ChannelName, options: SubscribeOptions = {}): Subscription {
    if (!isChannelName(channel)) throw new TypeError(`unknown channel ${JSON.stringify(channel)}`);
    const rule = CHANNEL_MARKETS[channel];
    const given = options.marketTickers;
    if (given !== undefined) {
      if (!Array.isArray(given) || !given.every((t) => typeof t === 'string' && t !== '')) {
        throw new TypeError('marketTickers must be an array of non-empty strings');
      }
      if (rule === 'none') throw new TypeError(`channel ${channel} takes no market filter`);
    }
    if (rule === 'required' && (given === undefined || given.length === 0)) {
      throw new TypeError(`channel ${channel} needs at least one market ticker`);
    }
    const tickers = given === undefined || given.length === 0 ? null : new Set(given);
    const sub = new Subscription(this.nextKey++, channel, tickers, options.sendInitialSnapshot === true, options.skipTickerAck === true);
    this.subs.set(sub.key, sub);
    return sub;
  }

  /** The host dropped `sub`: forget it (its sid, if any, is returned so it can be unsubscribed). */
  delete(sub: Subscription): number {
    const sid = sub.sid;
    this.detach(sub);
    sub.state = 'closed';
    this.subs.delete(sub.key);
    for (const [id, p] of this.pending) if ('sub' in p && p.sub === sub) this.pending.delete(id);
    return sid;
  }

  /** The connection is new (or gone): ids restart at 1, no sid is valid, nothing is in flight. */
  resetConnection(): void {
    this.nextId = 1;
    this.pending.clear();
    this.bySid.clear();
    for (const sub of this.subs.values()) {
      sub.sid = -1;
      if (sub.state === 'active') sub.state = 'pending';
    }
  }

  /** Forget `sub`'s sid (after a terminal error, before a resubscribe). Returns the sid it had. */
  detach(sub: Subscription): number {
    const sid = sub.sid;
    if (sid >= 0 && this.bySid.get(sid) === sub) this.bySid.delete(sid);
    sub.sid = -1;
    if (sub.state === 'active') sub.state = 'pending';
    return sid;
  }

  // ---------------------------------------------------------------------------------- commands

  /**
   * `subscribe` for `sub` (one channel), or undefined when there is nothing to subscribe (a
   * market-filtered subscription whose markets were all removed: it becomes `idle`).
   * Orderbook subscriptions ask for `use_yes_price: false` explicitly: NO-side levels in NO price,
   * what BookStore stores (§2.4; Kalshi will flip the default).
   */
  subscribe(sub: Subscription, now: number): Command | undefined {
    const tickers = sub.marketList();
    // A filtered subscription whose markets were all removed must not turn into "every market".
    if (sub.tickers !== null && tickers.length === 0) {
      sub.state = 'idle';
      return undefined;
    }
    sub.state = 'pending';
    const params: Record<string, unknown> = { channels: [sub.channel] };
    if (tickers.length > 0) params.market_tickers = tickers;
    if (sub.channel === 'orderbook_delta') params.use_yes_price = false;
    if (sub.sendInitialSnapshot) params.send_initial_snapshot = true;
    if (sub.skipTickerAck) params.skip_ticker_ack = true;
    return this.command('subscribe', params, { kind: 'subscribe', sub, tickers, sentAt: now });
  }

  /** `unsubscribe` of one sid (the caller has already detached it). */
  unsubscribe(sid: number, now: number): Command {
    return this.command('unsubscribe', { sids: [sid] }, { kind: 'unsubscribe', sid, sentAt: now });
  }

  /** `update_subscription` on `sub`'s current sid; undefined when it has none. */
  update(sub: Subscription, action: UpdateAction, tickers: string[], now: number): Command | undefined {
    if (sub.sid < 0 || tickers.length === 0) return undefined;
    return this.command(
      'update_subscription',
      { sid: sub.sid, market_tickers: tickers, action },
      { kind: action, sub, sid: sub.sid, tickers, sentAt: now },
    );
  }

  listSubscriptions(now: number): Command {
    return this.command('list_subscriptions', undefined, { kind: 'list_subscriptions', sentAt: now });
  }

  private command(cmd: string, params: Record<string, unknown> | undefined, pending: PendingCommand): Command {
    const id = this.nextId++;
    this.pending.set(id, pending);
    const text = JSON.stringify(params === undefined ? { id, cmd } : { id, cmd, params });
    return { id, text };
  }

  // ----------------------------------------------------------------------------------- replies

  /** The command `id` refers to, still in flight. */
  pendingOf(id: number): PendingCommand | undefined {
    return this.pending.get(id);
  }

  /** The command `id` is answered: forget it and return what it was. */
  take(id: number): PendingCommand | undefined {
    const p = this.pending.get(id);
    if (p !== undefined) this.pending.delete(id);
    return p;
  }

  /**
   * `subscribed` for command `id`: binds the sid. Returns the subscription, the markets the
   * command carried (the host may have changed the wanted set meanwhile) and the sid it replaced
   * (-1 if none; two subscribes answered for one subscription — the caller unsubscribes the old
   * one), or undefined when the reply matches no subscribe in flight (a late reply to a command
   * given up on: the caller should unsubscribe the sid).
   */
  bind(id: number, sid: number): { sub: Subscription; sentTickers: string[]; replacedSid: number } | undefined {
    const p = this.pending.get(id);
    if (p === undefined || p.kind !== 'subscribe') return undefined;
    this.pending.delete(id);
    const sub = p.sub;
    if (sub.state === 'closed') return undefined;
    let replacedSid = -1;
    if (sub.sid >= 0 && sub.sid !== sid) {
      replacedSid = sub.sid;
      if (this.bySid.get(sub.sid) === sub) this.bySid.delete(sub.sid);
    }
    sub.sid = sid;
    sub.state = 'active';
    sub.lastError = undefined;
    this.bySid.set(sid, sub);
    return { sub, sentTickers: p.tickers, replacedSid };
  }

  /** Commands sent at or before `deadline` and still unanswered (removed from the table). */
  overdue(deadline: number): PendingCommand[] {
    const out: PendingCommand[] = [];
    for (const [id, p] of this.pending) {
      if (p.sentAt <= deadline) {
        out.push(p);
        this.pending.delete(id);
      }
    }
    return out;
  }
}
