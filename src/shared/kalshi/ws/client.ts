/**
 * The host's Kalshi WebSocket client (kalshi-api.md §2): one connection that stays up
 * (connection.ts), the subscriptions the host asked for restored on every reconnect
 * (subscriptions.ts), `seq` checked per subscription (sequence.ts), order books kept in the
 * shared BookStore (book-sync.ts) and every other frame decoded into a typed event
 * (channel-events.ts) for the host.
 *
 * Frame path. Every text frame goes through the orderbook byte parser first: deltas and
 * snapshots never become strings or objects (the hot path: parse → seq check → BookStore → dirty
 * mark). Only the frames it classifies as `Other` are `JSON.parse`d (command replies, private
 * channels, trades, tickers, lifecycle). Nothing thrown by a bad frame leaves the socket handler:
 * malformed frames, schema errors and refused book updates are counted by reason and logged at a
 * limited rate (rate-limited-log.ts).
 *
 * Book recovery (the choice, and why):
 * - A sequence gap on an orderbook subscription marks every book of that sid stale and asks for
 *   fresh snapshots with `update_subscription {action: "get_snapshot"}` for those tickers. This
 *   keeps the sid and its other markets flowing, costs one command, and returns snapshots in
 *   stream order, so deltas after a snapshot apply on top of it. Deltas for a stale book are
 *   ignored until its snapshot (BookStore answers STALE).
 * - A book update BookStore refuses (off-grid price, negative size, …) or a malformed frame
 *   resyncs just the affected book when the frame named it, else every book of its sid, else
 *   (no sid readable) every book.
 * - Fallback: when a get_snapshot is answered with an error, or a stale book has had no snapshot
 *   within `snapshotTimeoutMs`, the whole subscription is unsubscribed and subscribed again (new
 *   sid, fresh snapshots of all its markets). Terminal errors 10, 25 and 17 resubscribe at once.
 * - A reconnect marks every book stale; the restored subscriptions (new sids) rebuild them.
 *
 * Snapshots with seq ≤ last: Kalshi does not say whether get_snapshot replies consume sequence
 * numbers (§2.4, UNCONFIRMED). A snapshot is self-contained and arrives in stream order, so a
 * snapshot whose seq looks old is still applied when its book awaits one; otherwise it is a
 * duplicate (counted, ignored) like any other frame with seq ≤ last.
 *
 * Other sequenced channels (trade, order_group_updates, market_lifecycle_v2): nothing can be
 * re-requested, so a gap is counted and reported to the host (`events_lost` notice: reconcile
 * over REST), and a duplicate is dropped. Unsequenced private events (fill, user_order,
 * market_position) are always delivered, whatever their sid: one in flight across a resubscribe
 * must not be lost, and the host keys them by natural ids anyway.
 *
 * Keep-alive: `ws` answers the server's heartbeat Pings. The watchdog (connection.ts) cuts a
 * connection with no text frame for `staleAfterMs`; to keep a quiet but healthy feed from tripping
 * it the client sends `list_subscriptions` after `staleAfterMs / 2` of silence — its reply takes
 * the same path as data, so a stalled data path still trips the watchdog.
 *
 * Threading: everything here runs on one thread (the market-data worker that owns the books, or
 * the execution thread for private channels); callbacks run synchronously in the socket handler
 * and must not block.
 */
import { BookResult } from '../../book-store.js';
import { monoNs } from '../../clock.js';
import type { KalshiCredentials } from '../../kalshi-signing.js';
import { KalshiSchemaError } from '../decode.js';
import type { BackoffOptions } from './backoff.js';
import { BookSync, UNKNOWN_MARKET, type SyncResult } from './book-sync.js';
import { parseChannelEvent, parseControlFrame, type ChannelEvent, type ControlFrame, type ErrorFrame } from './channel-events.js';
import { Connection, type CloseInfo, type ConnectionState } from './connection.js';
import { FrameKind, OrderbookFrame, parseOrderbookFrame } from './orderbook-parser.js';
import { RateLimitedLog, type LogCallback, type PinoLike } from './rate-limited-log.js';
import { SEQUENCED_CHANNELS, SeqVerdict, SequenceTracker } from './sequence.js';
import {
  CHANNEL_MARKETS, SubscriptionTable, type ChannelName, type Command, type SubscribeOptions, type Subscription,
} from './subscriptions.js';

export type { ChannelName, SubscribeOptions, Subscription } from './subscriptions.js';

/** Kalshi's WebSocket endpoints (kalshi-api.md §0). */
export const KALSHI_WS_URLS = {
  prod: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2',
  demo: 'wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2',
} as const;

/** What the client tells the host besides channel events. */
export type ClientNotice =
  | { kind: 'connected'; reconnect: boolean }
  | { kind: 'disconnected'; code: number; reason: string; error: string | undefined; stale: boolean; willReconnect: boolean }
  | { kind: 'reconnect_scheduled'; delayMs: number; attempt: number }
  | { kind: 'subscribed'; subscription: Subscription; sid: number }
  | { kind: 'resubscribing'; subscription: Subscription; reason: string }
  /** The exchange refused a command for this subscription (terminal errors also resubscribe). */
  | { kind: 'subscription_error'; subscription: Subscription; code: number; message: string }
  /** The exchange refused these markets (unknown, closed…); they were dropped from the subscription. */
  | { kind: 'markets_refused'; subscription: Subscription; tickers: string[]; code: number; message: string }
  /**
   * Events of a non-orderbook channel may have been lost (a sequence gap, an unreadable frame):
   * reconcile over REST. `channel` is undefined when the frame did not say which subscription.
   */
  | { kind: 'events_lost'; channel: ChannelName | undefined; sid: number; reason: 'gap' | 'malformed' | 'schema' };

export interface KalshiWsClientOptions {
  /** KALSHI_WS_URLS.prod / .demo, or a simulator's `wsUrl`. */
  url: string;
  credentials: KalshiCredentials;
  /** The market-data side. Without it, orderbook frames are counted and dropped. */
  books?: BookSync;
  /** Channel events (fill, user_order, market_position, order_group_updates, trade, ticker, lifecycle…). */
  onEvent?: (event: ChannelEvent) => void;
  onNotice?: (notice: ClientNotice) => void;
  /** A pino logger; or `onLog`. Problems are logged at most `logLimit.maxLines` per `logLimit.intervalMs`. */
  logger?: PinoLike;
  onLog?: LogCallback;
  logLimit?: { maxLines?: number; intervalMs?: number };
  /** Reconnect delays: capped exponential backoff with full jitter. Defaults 500 ms base, 30 s cap. */
  backoff?: Partial<BackoffOptions>;
  /** A connection up this long resets the backoff. Default 10 s. */
  backoffResetAfterMs?: number;
  /** Watchdog: no text frame for this long → reconnect (0 disables). Default 30 s. */
  staleAfterMs?: number;
  /** A command unanswered this long is retried by resubscribing. Default 10 s. */
  commandTimeoutMs?: number;
  /** A stale book without a snapshot this long → resubscribe its subscription. Default 10 s. */
  snapshotTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Housekeeping period while connected (watchdog, timeouts, probe). Default min(staleAfterMs / 4, 1 s). */
  tickMs?: number;
  /** Monotonic clock, ms (default performance.now). */
  now?: () => number;
}

export interface KalshiWsCounters {
  /** Text frames received. */
  frames: number;
  /** Orderbook deltas / snapshots parsed (applied or not; BookSync counts what was applied). */
  deltaFrames: number;
  snapshotFrames: number;
  /** Sequence gaps, on any sequenced channel. */
  gaps: number;
  /** Frames with seq ≤ last, ignored. */
  duplicates: number;
  /** Frames for a sid that is not (or no longer) ours, ignored. */
  untracked: number;
  /** Unparseable frames, by reason (orderbook-parser FrameError texts). */
  malformed: Record<string, number>;
  /** Frames that parsed as JSON but failed the schema (KalshiSchemaError). */
  schemaErrors: number;
  /** Channel events delivered to the host. */
  events: number;
  /** Error replies from the exchange, by code. */
  errors: Record<number, number>;
  /** get_snapshot commands sent (each may cover many books). */
  resyncs: number;
  /** Subscriptions re-issued (terminal error, failed resync, timeout). */
  resubscribes: number;
  /** Commands that got no reply in time. */
  commandTimeouts: number;
  /** Quiet-feed probes (list_subscriptions) sent. */
  probes: number;
  /** Orderbook frames received without a BookSync. */
  unexpectedBookFrames: number;
  /** Exceptions thrown by onEvent / onNotice (caught). */
  callbackErrors: number;
}

/** Everything the dashboard / supervisor reads. A fresh copy per call. */
export interface KalshiWsStats extends KalshiWsCounters {
  state: ConnectionState;
  connects: number;
  reconnects: number;
  failedAttempts: number;
  staleTrips: number;
  pings: number;
  /** Exceptions caught in the socket handler (bugs; never expected). */
  internalErrors: number;
  /** Date.now() of the last text frame, -1 before the first. */
  lastFrameWallMs: number;
  /** BookSync's counters (deltas / snapshots applied, refused by reason, …), when it has one. */
  books: BookSync['counters'] | undefined;
  /** Books awaiting a snapshot. */
  booksAwaiting: number;
  subscriptions: number;
  logLinesSuppressed: number;
}

export class KalshiWsClient {
  readonly books: BookSync | undefined;
  private readonly connection: Connection;
  private readonly table = new SubscriptionTable();
  private readonly seq = new SequenceTracker();
  private readonly frame = new OrderbookFrame();
  private readonly c: KalshiWsCounters = {
    frames: 0, deltaFrames: 0, snapshotFrames: 0, gaps: 0, duplicates: 0, untracked: 0, malformed: {}, schemaErrors: 0,
    events: 0, errors: {}, resyncs: 0, resubscribes: 0, commandTimeouts: 0, probes: 0, unexpectedBookFrames: 0, callbackErrors: 0,
  };
  /** Orderbook subscription owning each market's book (one per market). */
  private readonly bookOwner = new Map<number, Subscription>();
  private readonly onEvent: ((event: ChannelEvent) => void) | undefined;
  private readonly onNotice: ((notice: ClientNotice) => void) | undefined;
  private readonly problems: RateLimitedLog;
  private readonly info: RateLimitedLog;
  private readonly now: () => number;
  private readonly commandTimeoutMs: number;
  private readonly snapshotTimeoutMs: number;
  private lastProbeAt = -Infinity;
  private started = false;
  private closing = false;

  constructor(options: KalshiWsClientOptions) {
    this.books = options.books;
    this.onEvent = options.onEvent;
    this.onNotice = options.onNotice;
    this.now = options.now ?? (() => performance.now());
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
    this.snapshotTimeoutMs = options.snapshotTimeoutMs ?? 10_000;
    const sink = options.logger ?? options.onLog;
    this.problems = new RateLimitedLog(sink, { maxLines: options.logLimit?.maxLines ?? 10, intervalMs: options.logLimit?.intervalMs ?? 10_000 });
    this.info = new RateLimitedLog(sink, { maxLines: 30, intervalMs: 60_000 });
    this.connection = new Connection({
      url: options.url,
      credentials: options.credentials,
      backoff: options.backoff,
      backoffResetAfterMs: options.backoffResetAfterMs,
      staleAfterMs: options.staleAfterMs,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      tickMs: options.tickMs,
      now: this.now,
    });
  }

  /** Connection state (idle before `start`, closed after `close`). */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** Connect, and keep connected until `close()`. Subscriptions made before are sent on open. */
  start(): void {
    if (this.started) throw new Error('KalshiWsClient already started');
    this.started = true;
    this.connection.start({
      onOpen: () => this.opened(),
      onText: (data) => this.onText(data),
      onClose: (info, willReconnect) => this.closed(info, willReconnect),
      onTick: (now) => this.tick(now),
      onReconnectScheduled: (delayMs, attempt) => {
        this.info.log('info', `kalshi ws: reconnecting in ${delayMs} ms`, { delayMs, attempt });
        this.notify({ kind: 'reconnect_scheduled', delayMs, attempt });
      },
      onHandlerError: (err) => this.problems.log('error', 'kalshi ws: internal error in frame handling', { err: String(err) }),
    });
  }

  /** Close for good: unsubscribes nothing (the socket goes), reconnects never, leaves no timer. */
  async close(): Promise<void> {
    this.closing = true;
    await this.connection.close();
    this.problems.flush();
    this.info.flush();
  }

  /** Cut the connection now and reconnect (as after a network failure). */
  reconnect(reason = 'requested'): void {
    this.connection.reconnect(reason);
  }

  // ------------------------------------------------------------------------- subscriptions

  /**
   * Subscribe to one channel, now if connected, else on the next connection; restored after every
   * reconnect. orderbook_delta needs `marketTickers`, each already known to the BookSync's
   * TickerIndex (and registered in its BookStore) and in no other orderbook subscription.
   */
  subscribe(channel: ChannelName, options: SubscribeOptions = {}): Subscription {
    if (this.closing) throw new Error('KalshiWsClient is closed');
    if (channel === 'orderbook_delta') this.checkBookMarkets(options.marketTickers ?? [], undefined);
    const sub = this.table.add(channel, options);
    if (channel === 'orderbook_delta') for (const t of sub.tickers ?? []) this.bookOwner.set(this.marketOfTicker(t), sub);
    if (this.connection.state === 'open') this.sendSubscribe(sub);
    return sub;
  }

  /** Add markets to a market-filtered subscription (`update_subscription add_markets`). */
  addMarkets(sub: Subscription, tickers: readonly string[]): void {
    this.checkOwn(sub);
    if (CHANNEL_MARKETS[sub.channel] === 'none') throw new TypeError(`channel ${sub.channel} takes no market filter`);
    if (sub.tickers === null) return; // already every market
    const added = [...new Set(tickers)].filter((t) => !sub.tickers!.has(t));
    if (added.length === 0) return;
    if (sub.channel === 'orderbook_delta') {
      this.checkBookMarkets(added, sub);
      const now = this.now();
      for (const t of added) {
        const m = this.marketOfTicker(t);
        this.bookOwner.set(m, sub);
        this.books!.invalidate(m, now);
        this.books!.rearm(m, now);
      }
    }
    for (const t of added) sub.tickers.add(t);
    if (this.connection.state !== 'open') return;
    if (sub.state === 'active') this.send(this.table.update(sub, 'add_markets', added, this.now()));
    else if (sub.state === 'idle' || sub.state === 'refused') this.sendSubscribe(sub);
    // pending: the difference is sent when `subscribed` arrives
  }

  /** Remove markets from a market-filtered subscription (`update_subscription delete_markets`). */
  removeMarkets(sub: Subscription, tickers: readonly string[]): void {
    this.checkOwn(sub);
    if (sub.tickers === null) throw new TypeError(`subscription ${sub.key} (${sub.channel}) has no market filter to remove from`);
    const removed = [...new Set(tickers)].filter((t) => sub.tickers!.delete(t));
    if (removed.length === 0) return;
    if (sub.channel === 'orderbook_delta') for (const t of removed) this.dropBook(t, sub);
    if (sub.state === 'active' && this.connection.state === 'open') this.send(this.table.update(sub, 'delete_markets', removed, this.now()));
  }

  /** Drop a subscription (`unsubscribe` when it is live). Its books turn stale. */
  unsubscribe(sub: Subscription): void {
    if (sub.state === 'closed') return;
    this.checkOwn(sub);
    if (sub.channel === 'orderbook_delta') for (const t of sub.tickers ?? []) this.dropBook(t, sub);
    const sid = this.table.delete(sub);
    if (sid >= 0) {
      this.seq.untrack(sid);
      if (this.connection.state === 'open') this.send(this.table.unsubscribe(sid, this.now()));
    }
  }

  subscriptions(): Subscription[] {
    return [...this.table.all()];
  }

  stats(): KalshiWsStats {
    const c = this.c;
    const k = this.connection.counters;
    return {
      ...c,
      malformed: { ...c.malformed },
      errors: { ...c.errors },
      state: this.connection.state,
      connects: k.opens,
      reconnects: k.reconnects,
      failedAttempts: k.failedAttempts,
      staleTrips: k.staleTrips,
      pings: k.pings,
      internalErrors: k.handlerErrors,
      lastFrameWallMs: k.lastFrameWallMs,
      books: this.books === undefined ? undefined : { ...this.books.counters, refused: { ...this.books.counters.refused } },
      booksAwaiting: this.books?.awaitingCount ?? 0,
      subscriptions: this.table.size,
      logLinesSuppressed: this.problems.suppressedTotal + this.info.suppressedTotal,
    };
  }

  private checkOwn(sub: Subscription): void {
    if (!this.table.has(sub)) throw new Error(`subscription ${sub.key} (${sub.channel}) is not held by this client`);
  }

  private checkBookMarkets(tickers: readonly string[], sub: Subscription | undefined): void {
    const books = this.books;
    if (books === undefined) throw new Error('orderbook_delta needs a BookSync (options.books)');
    for (const t of tickers) {
      const m = books.tickers.get(t);
      if (m < 0) throw new RangeError(`orderbook_delta: market ${JSON.stringify(t)} is not in the TickerIndex (register it first)`);
      if (!books.books.isRegistered(m)) throw new RangeError(`orderbook_delta: market ${JSON.stringify(t)} (slot ${m}) is not registered in the BookStore`);
      const owner = this.bookOwner.get(m);
      if (owner !== undefined && owner !== sub) throw new Error(`orderbook_delta: market ${JSON.stringify(t)} is already in subscription ${owner.key}`);
    }
  }

  private marketOfTicker(ticker: string): number {
    return this.books === undefined ? -1 : this.books.tickers.get(ticker);
  }

  private dropBook(ticker: string, sub: Subscription): void {
    const m = this.marketOfTicker(ticker);
    if (m < 0 || this.bookOwner.get(m) !== sub) return;
    this.bookOwner.delete(m);
    this.books!.forget(m);
  }

  // ------------------------------------------------------------------------ connection events

  private opened(): void {
    const reconnect = this.connection.counters.opens > 1;
    this.info.log('info', reconnect ? 'kalshi ws: reconnected' : 'kalshi ws: connected', { url: this.connection.url });
    this.lastProbeAt = -Infinity;
    for (const sub of [...this.table.all()]) this.sendSubscribe(sub);
    this.notify({ kind: 'connected', reconnect });
  }

  private closed(info: CloseInfo, willReconnect: boolean): void {
    this.table.resetConnection();
    this.seq.reset();
    // Every book is untrusted until the next connection's snapshots: frames may have been lost.
    const books = this.books;
    if (books !== undefined) {
      const now = this.now();
      for (const m of this.bookOwner.keys()) books.invalidate(m, now);
    }
    if (willReconnect) {
      this.problems.log('warn', 'kalshi ws: disconnected', { code: info.code, reason: info.reason, error: info.error, stale: info.stale, wasOpen: info.wasOpen });
    }
    this.notify({ kind: 'disconnected', code: info.code, reason: info.reason, error: info.error, stale: info.stale, willReconnect });
  }

  private tick(now: number): void {
    // Commands without a reply.
    for (const p of this.table.overdue(now - this.commandTimeoutMs)) {
      if (p.kind === 'get_snapshot' || p.kind === 'unsubscribe' || p.kind === 'list_subscriptions') continue; // see below / harmless
      this.c.commandTimeouts++;
      // Only a subscription still in the state the command left it in is re-issued.
      if (p.sub.state !== (p.kind === 'subscribe' ? 'pending' : 'active')) continue;
      this.resubscribe(p.sub, `${p.kind} unanswered for ${this.commandTimeoutMs} ms`, p.kind === 'subscribe');
    }
    // Books whose snapshot never came (get_snapshot lost, or answered with a bad snapshot).
    const books = this.books;
    if (books !== undefined && books.awaitingCount > 0) {
      const due = books.overdue(now - this.snapshotTimeoutMs);
      if (due.length > 0) {
        const subs = new Set<Subscription>();
        for (const m of due) {
          const owner = this.bookOwner.get(m);
          if (owner === undefined) books.forget(m);
          else if (owner.state === 'active') subs.add(owner); // a pending subscribe has its own timeout
        }
        for (const sub of subs) this.resubscribe(sub, `no snapshot within ${this.snapshotTimeoutMs} ms`, false);
      }
    }
    // A quiet feed: prove the data path is alive before the watchdog gives up on it.
    const stale = this.connection.staleAfterMs;
    if (stale > 0) {
      const last = this.connection.counters.lastFrameAt;
      if (now - last > stale / 2 && now - this.lastProbeAt > stale / 2) {
        this.lastProbeAt = now;
        this.c.probes++;
        this.send(this.table.listSubscriptions(now));
      }
    }
  }

  // ------------------------------------------------------------------------------- frames

  /** One text frame. Hot path for orderbook frames. */
  private onText(buf: Buffer): void {
    const receiveNs = monoNs();
    this.c.frames++;
    const f = this.frame;
    const kind = parseOrderbookFrame(buf, f);
    if (kind === FrameKind.Delta) this.delta(buf, receiveNs);
    else if (kind === FrameKind.Snapshot) this.snapshot(buf, receiveNs);
    else if (kind === FrameKind.Other) this.cold(buf);
    else this.malformed(buf);
  }

  private delta(buf: Buffer, receiveNs: number): void {
    const f = this.frame;
    this.c.deltaFrames++;
    const books = this.books;
    if (books === undefined) {
      this.c.unexpectedBookFrames++;
      return;
    }
    const v = this.seq.check(f.sid, f.seq);
    if (v !== SeqVerdict.IN_ORDER) {
      if (v === SeqVerdict.DUPLICATE) {
        this.c.duplicates++;
        return;
      }
      if (v === SeqVerdict.UNTRACKED) {
        this.c.untracked++;
        return;
      }
      this.gap(f.sid, f.seq);
    }
    const r = books.applyDelta(f, buf, receiveNs);
    if (r > BookResult.STALE || r === UNKNOWN_MARKET) this.bookRefused(buf, r, 'delta');
  }

  private snapshot(buf: Buffer, receiveNs: number): void {
    const f = this.frame;
    this.c.snapshotFrames++;
    const books = this.books;
    if (books === undefined) {
      this.c.unexpectedBookFrames++;
      return;
    }
    const v = this.seq.check(f.sid, f.seq);
    if (v === SeqVerdict.UNTRACKED) {
      this.c.untracked++;
      return;
    }
    const m = books.marketOf(f, buf);
    if (v === SeqVerdict.DUPLICATE) {
      if (m < 0 || !books.isAwaiting(m)) {
        this.c.duplicates++;
        return;
      }
    } else if (v === SeqVerdict.GAP) {
      this.gap(f.sid, f.seq);
    }
    // Only the subscription that owns the book may write it (a snapshot still in flight for a
    // market just removed must not make its unmaintained book look fresh).
    if (m >= 0) {
      const owner = this.bookOwner.get(m);
      if (owner === undefined || owner.sid !== f.sid) {
        this.c.untracked++;
        return;
      }
    }
    const r = books.applySnapshot(f, buf, receiveNs);
    if (r !== BookResult.OK) this.bookRefused(buf, r, 'snapshot');
  }

  /** A sequence gap on `sid` (the tracker has moved on to `seq`). */
  private gap(sid: number, seq: number): void {
    this.c.gaps++;
    const sub = this.table.bySidOf(sid);
    const expected = this.seq.lastGapExpected;
    this.problems.log('warn', 'kalshi ws: sequence gap', { sid, channel: sub?.channel, expected, got: seq });
    if (sub === undefined) return;
    if (sub.channel === 'orderbook_delta') this.resyncBooks(sub, undefined, 'gap');
    else this.notify({ kind: 'events_lost', channel: sub.channel, sid, reason: 'gap' });
  }

  /** BookStore refused an update (the book is stale now), or the ticker is unknown. Cold path. */
  private bookRefused(buf: Buffer, r: SyncResult, what: 'delta' | 'snapshot'): void {
    const f = this.frame;
    const ticker = f.ticker(buf);
    if (r === UNKNOWN_MARKET) {
      this.problems.log('warn', `kalshi ws: ${what} for a market not in the TickerIndex`, { ticker, sid: f.sid });
      return;
    }
    this.problems.log('warn', `kalshi ws: ${what} refused by the book store`, { ticker, sid: f.sid, seq: f.seq, result: r });
    if (r === BookResult.UNREGISTERED) return; // no book to rebuild: a host bug, not a feed problem
    const sub = this.table.bySidOf(f.sid);
    if (sub !== undefined && sub.channel === 'orderbook_delta') this.resyncBooks(sub, [ticker], `${what} refused (${r})`);
  }

  /** An unreadable frame: counted by reason; the books it may have touched are resynced. */
  private malformed(buf: Buffer): void {
    const f = this.frame;
    const reason = f.error;
    const m = this.c.malformed;
    m[reason] = (m[reason] ?? 0) + 1;
    const ticker = f.tickerEnd > f.tickerStart ? f.ticker(buf) : undefined;
    this.problems.log('warn', 'kalshi ws: malformed frame', {
      reason, sid: f.sid, seq: f.seq, ticker, frame: buf.toString('utf8', 0, Math.min(buf.length, 160)),
    });
    if (f.sid < 0) {
      // Which subscription it belonged to is unknown: every book and every channel is suspect.
      for (const sub of [...this.table.all()]) {
        if (sub.channel === 'orderbook_delta') this.resyncBooks(sub, undefined, 'malformed frame');
      }
      this.notify({ kind: 'events_lost', channel: undefined, sid: -1, reason: 'malformed' });
      return;
    }
    const sub = this.table.bySidOf(f.sid);
    if (sub === undefined) return;
    if (f.seq >= 0) {
      const v = this.seq.check(f.sid, f.seq);
      if (v === SeqVerdict.DUPLICATE || v === SeqVerdict.UNTRACKED) return; // nothing new was lost
      if (v === SeqVerdict.GAP) {
        this.gap(f.sid, f.seq);
        return;
      }
    }
    if (sub.channel === 'orderbook_delta') this.resyncBooks(sub, ticker === undefined || !sub.tickers?.has(ticker) ? undefined : [ticker], 'malformed frame');
    else this.notify({ kind: 'events_lost', channel: sub.channel, sid: f.sid, reason: 'malformed' });
  }

  /**
   * Mark books of `sub` stale (`tickers`, or all of them) and ask for their snapshots with
   * get_snapshot — only for books not already awaiting one (see BookSync.invalidate).
   */
  private resyncBooks(sub: Subscription, tickers: string[] | undefined, reason: string): void {
    const books = this.books;
    if (books === undefined) return;
    const now = this.now();
    const ask: string[] = [];
    for (const t of tickers ?? sub.tickers ?? []) {
      const m = this.marketOfTicker(t);
      if (m >= 0 && this.bookOwner.get(m) === sub && books.invalidate(m, now)) ask.push(t);
    }
    if (ask.length === 0 || sub.state !== 'active') return; // a subscribe in flight brings snapshots anyway
    this.c.resyncs++;
    this.info.log('info', 'kalshi ws: resyncing books', { sid: sub.sid, markets: ask.length, reason });
    this.send(this.table.update(sub, 'get_snapshot', ask, now));
  }

  /**
   * Re-issue `sub`: forget its sid (unsubscribing it unless the server already ended it),
   * mark its books stale, subscribe again (new sid, fresh snapshots).
   */
  private resubscribe(sub: Subscription, reason: string, serverEnded: boolean): void {
    this.c.resubscribes++;
    sub.resubscribes++;
    this.problems.log('warn', 'kalshi ws: resubscribing', { channel: sub.channel, sid: sub.sid, reason });
    const old = this.table.detach(sub);
    if (old >= 0) {
      this.seq.untrack(old);
      if (!serverEnded) this.send(this.table.unsubscribe(old, this.now()));
    }
    this.notify({ kind: 'resubscribing', subscription: sub, reason });
    if (this.connection.state === 'open') this.sendSubscribe(sub);
  }

  private sendSubscribe(sub: Subscription): void {
    if (sub.state === 'closed') return;
    const now = this.now();
    const cmd = this.table.subscribe(sub, now);
    const books = this.books;
    if (cmd !== undefined && books !== undefined && sub.channel === 'orderbook_delta') {
      for (const t of sub.tickers ?? []) {
        const m = this.marketOfTicker(t);
        if (m < 0) continue;
        books.invalidate(m, now);
        books.rearm(m, now);
      }
    }
    this.send(cmd);
  }

  private send(cmd: Command | undefined): void {
    if (cmd !== undefined) this.connection.send(cmd.text);
  }

  // ------------------------------------------------------------------------ cold path

  private cold(buf: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(buf.toString('utf8'));
    } catch {
      // The byte parser validated the syntax; only a bug gets here.
      const m = this.c.malformed;
      m['invalid JSON'] = (m['invalid JSON'] ?? 0) + 1;
      return;
    }
    const type = (json as { type?: unknown }).type;
    try {
      if (type === 'subscribed' || type === 'unsubscribed' || type === 'ok' || type === 'error') this.control(parseControlFrame(json));
      else this.event(parseChannelEvent(json));
    } catch (err) {
      if (!(err instanceof KalshiSchemaError)) throw err;
      this.schemaError(json, err);
    }
  }

  private schemaError(json: unknown, err: KalshiSchemaError): void {
    this.c.schemaErrors++;
    const o = json as { sid?: unknown; seq?: unknown; type?: unknown };
    this.problems.log('warn', 'kalshi ws: frame does not match the schema', { type: typeof o.type === 'string' ? o.type : undefined, error: err.message });
    // The frame may have carried a sequenced event: account for its number, and tell the host.
    const sid = typeof o.sid === 'number' && Number.isSafeInteger(o.sid) ? o.sid : -1;
    const sub = sid >= 0 ? this.table.bySidOf(sid) : undefined;
    if (sub === undefined || sub.channel === 'orderbook_delta') return;
    if (typeof o.seq === 'number' && Number.isSafeInteger(o.seq) && SEQUENCED_CHANNELS.has(sub.channel)) {
      const v = this.seq.check(sid, o.seq);
      if (v === SeqVerdict.DUPLICATE || v === SeqVerdict.UNTRACKED) return;
      if (v === SeqVerdict.GAP) this.c.gaps++;
    }
    this.notify({ kind: 'events_lost', channel: sub.channel, sid, reason: 'schema' });
  }

  private event(ev: ChannelEvent): void {
    if (ev.seq !== undefined) {
      const v = this.seq.check(ev.sid, ev.seq);
      if (v === SeqVerdict.DUPLICATE) {
        this.c.duplicates++;
        return;
      }
      if (v === SeqVerdict.UNTRACKED) {
        this.c.untracked++;
        return;
      }
      if (v === SeqVerdict.GAP) this.gap(ev.sid, ev.seq);
    }
    this.c.events++;
    const fn = this.onEvent;
    if (fn === undefined) return;
    try {
      fn(ev);
    } catch (err) {
      this.callbackError('onEvent', err);
    }
  }

  private control(cf: ControlFrame): void {
    switch (cf.type) {
      case 'subscribed': {
        const bound = cf.id === undefined ? undefined : this.table.bind(cf.id, cf.sid);
        if (bound === undefined) {
          // A reply to a subscribe given up on (timed out, or dropped by the host): not ours.
          this.problems.log('warn', 'kalshi ws: unexpected subscribed reply, unsubscribing it', { id: cf.id, sid: cf.sid, channel: cf.channel });
          this.send(this.table.unsubscribe(cf.sid, this.now()));
          return;
        }
        const { sub, sentTickers, replacedSid } = bound;
        if (replacedSid >= 0) {
          // Two subscribes answered for one subscription: keep the newer sid, end the other.
          this.seq.untrack(replacedSid);
          this.send(this.table.unsubscribe(replacedSid, this.now()));
        }
        this.seq.track(cf.sid);
        this.notify({ kind: 'subscribed', subscription: sub, sid: cf.sid });
        // The host may have changed the markets while the subscribe was in flight.
        if (sub.tickers !== null) {
          const sent = new Set(sentTickers);
          const add = [...sub.tickers].filter((t) => !sent.has(t));
          const del = sentTickers.filter((t) => !sub.tickers!.has(t));
          const now = this.now();
          this.send(this.table.update(sub, 'add_markets', add, now));
          this.send(this.table.update(sub, 'delete_markets', del, now));
        }
        return;
      }
      case 'unsubscribed':
        if (cf.id !== undefined) this.table.take(cf.id);
        return;
      case 'list_subscriptions':
        if (cf.id !== undefined) this.table.take(cf.id);
        return;
      case 'ok':
        if (cf.id !== undefined) this.table.take(cf.id);
        if (cf.sid !== undefined && cf.seq !== undefined && this.seq.acknowledge(cf.sid, cf.seq) === SeqVerdict.GAP) this.gap(cf.sid, cf.seq);
        return;
      case 'error':
        this.error(cf);
        return;
    }
  }

  private error(e: ErrorFrame): void {
    const errors = this.c.errors;
    errors[e.code] = (errors[e.code] ?? 0) + 1;
    if (e.sid !== undefined && e.seq !== undefined && this.seq.acknowledge(e.sid, e.seq) === SeqVerdict.GAP) this.gap(e.sid, e.seq);
    const p = e.id !== undefined ? this.table.take(e.id) : undefined;
    const sub = p !== undefined && 'sub' in p ? p.sub : e.sid !== undefined ? this.table.bySidOf(e.sid) : undefined;
    this.problems.log('warn', 'kalshi ws: error reply', {
      code: e.code, message: e.message, id: e.id, sid: e.sid, command: p?.kind, channel: sub?.channel, marketTickers: e.marketTickers,
    });
    if (sub === undefined || sub.state === 'closed') return;
    this.notify({ kind: 'subscription_error', subscription: sub, code: e.code, message: e.message });
    if (e.terminal) {
      // The server ended the subscription (10 channel error, 25 buffer overflow, 17 internal).
      this.resubscribe(sub, `error ${e.code}: ${e.message}`, true);
      return;
    }
    if (p === undefined) return;
    const refused = e.marketTickers ?? (e.marketTicker !== undefined ? [e.marketTicker] : undefined);
    switch (p.kind) {
      case 'subscribe':
      case 'add_markets':
        if (refused !== undefined && refused.length > 0 && sub.tickers !== null) {
          // Unknown or closed markets: drop them and go on with the rest.
          const gone = refused.filter((t) => sub.tickers!.has(t));
          for (const t of gone) {
            sub.tickers.delete(t);
            if (sub.channel === 'orderbook_delta') this.dropBook(t, sub);
          }
          this.notify({ kind: 'markets_refused', subscription: sub, tickers: gone, code: e.code, message: e.message });
          if (gone.length > 0) {
            if (p.kind === 'subscribe') this.sendSubscribe(sub);
            else this.send(this.table.update(sub, 'add_markets', p.tickers.filter((t) => sub.tickers!.has(t)), this.now()));
            return;
          }
        }
        if (p.kind === 'subscribe') {
          sub.state = 'refused'; // retried on the next connection, or when markets are added
          sub.lastError = { code: e.code, msg: e.message };
        } else {
          this.resubscribe(sub, `add_markets refused: error ${e.code}`, false);
        }
        return;
      case 'get_snapshot':
        this.resubscribe(sub, `get_snapshot refused: error ${e.code}`, false);
        return;
      default:
        return; // delete_markets / unsubscribe refused: the server no longer has them anyway
    }
  }

  private notify(notice: ClientNotice): void {
    const fn = this.onNotice;
    if (fn === undefined) return;
    try {
      fn(notice);
    } catch (err) {
      this.callbackError('onNotice', err);
    }
  }

  private callbackError(where: string, err: unknown): void {
    this.c.callbackErrors++;
    this.problems.log('error', `kalshi ws: ${where} threw`, { err: err instanceof Error ? err.message : String(err) });
  }
}
