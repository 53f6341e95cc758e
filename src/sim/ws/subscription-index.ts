/**
 * Which sessions want which engine events: channel → market → sessions, kept up to date from
 * `SessionHost.subscriptionChanged`. The server looks up the sessions of an event here and calls
 * their `deliver*` methods, which pick the matching subscriptions and stamp sid/seq.
 *
 * A session appears once per (channel, market) however many of its subscriptions cover it
 * (reference counts), so an event is handed to each session once; the session itself sends one
 * frame per matching subscription. Subscriptions to every market (no tickers, or a channel that
 * ignores markets) sit in a per-channel `all` set.
 *
 * Costs: lookups are two Map gets; `forEachSession` allocates nothing. `sessionsOf` (the
 * orderbook hot path) answers the same sessions as a cached array, rebuilt after a change.
 */
import type { Channel, SubscriptionChange, WsSession } from './session.js';

interface ChannelIndex {
  all: Map<WsSession, number>;
  byTicker: Map<string, Map<WsSession, number>>;
  /** `sessionsOf` answers by ticker; emptied by every change of the channel. */
  cached: Map<string, readonly WsSession[]>;
}

const NONE: readonly WsSession[] = Object.freeze([]);

export class SubscriptionIndex {
  private readonly channels = new Map<Channel, ChannelIndex>();
  /** Bumped by every change: a caller's cache of `sessionsOf` answers is valid while it stays the same. */
  version = 0;

  /** Feed it every change: `host.subscriptionChanged = (s, c) => index.apply(s, c)`. */
  apply(session: WsSession, change: SubscriptionChange): void {
    const { sub } = change;
    const ch = this.channel(sub.channel);
    ch.cached.clear();
    this.version++;
    switch (change.kind) {
      case 'subscribed':
        if (sub.tickers === null) bump(ch.all, session, 1);
        else for (const t of sub.tickers) bump(tickerMap(ch, t), session, 1);
        break;
      case 'unsubscribed':
        if (sub.tickers === null) bump(ch.all, session, -1);
        else for (const t of sub.tickers) this.drop(ch, t, session);
        break;
      case 'markets_added':
        for (const t of change.tickers) bump(tickerMap(ch, t), session, 1);
        break;
      case 'markets_removed':
        for (const t of change.tickers) this.drop(ch, t, session);
        break;
    }
  }

  /** Calls `fn` once for each session with a subscription of `channel` covering `ticker` (undefined: any). */
  forEachSession(channel: Channel, ticker: string | undefined, fn: (session: WsSession) => void): void {
    const ch = this.channels.get(channel);
    if (ch === undefined) return;
    for (const s of ch.all.keys()) fn(s);
    if (ticker === undefined) {
      const seen = new Set<WsSession>(ch.all.keys());
      for (const m of ch.byTicker.values()) {
        for (const s of m.keys()) {
          if (!seen.has(s)) {
            seen.add(s);
            fn(s);
          }
        }
      }
      return;
    }
    const m = ch.byTicker.get(ticker);
    if (m === undefined) return;
    for (const s of m.keys()) if (!ch.all.has(s)) fn(s);
  }

  /**
   * The sessions `forEachSession(channel, ticker, …)` visits, in the same order, as an array
   * that stays valid (unchanged) until the next subscription change; do not mutate it.
   */
  sessionsOf(channel: Channel, ticker: string): readonly WsSession[] {
    const ch = this.channels.get(channel);
    if (ch === undefined) return NONE;
    let list = ch.cached.get(ticker);
    if (list === undefined) {
      const out: WsSession[] = [];
      this.forEachSession(channel, ticker, (s) => out.push(s));
      list = out.length === 0 ? NONE : out;
      ch.cached.set(ticker, list);
    }
    return list;
  }

  /** The sessions `forEachSession` would visit, as an array. */
  sessions(channel: Channel, ticker?: string): WsSession[] {
    const out: WsSession[] = [];
    this.forEachSession(channel, ticker, (s) => out.push(s));
    return out;
  }

  /** Markets with at least one subscriber on `channel` (e.g. to decide which books to simulate). */
  tickers(channel: Channel): string[] {
    return [...(this.channels.get(channel)?.byTicker.keys() ?? [])];
  }

  private channel(c: Channel): ChannelIndex {
    let ch = this.channels.get(c);
    if (ch === undefined) {
      ch = { all: new Map(), byTicker: new Map(), cached: new Map() };
      this.channels.set(c, ch);
    }
    return ch;
  }

  private drop(ch: ChannelIndex, ticker: string, session: WsSession): void {
    const m = ch.byTicker.get(ticker);
    if (m === undefined) return;
    bump(m, session, -1);
    if (m.size === 0) ch.byTicker.delete(ticker);
  }
}

function tickerMap(ch: ChannelIndex, ticker: string): Map<WsSession, number> {
  let m = ch.byTicker.get(ticker);
  if (m === undefined) {
    m = new Map();
    ch.byTicker.set(ticker, m);
  }
  return m;
}

function bump(m: Map<WsSession, number>, s: WsSession, by: number): void {
  const n = (m.get(s) ?? 0) + by;
  if (n <= 0) m.delete(s);
  else m.set(s, n);
}
