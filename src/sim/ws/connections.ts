/**
 * The simulator's WebSocket connections: one WsSession each, a send path that fault injection
 * can stall, delay, duplicate, corrupt or cut, and the registry the fan-out and the control API
 * walk. Backpressure: a connection whose buffered output passes `MAX_BUFFERED_BYTES` gets its
 * orderbook subscriptions ended with error 25 (buffer overflow), as Kalshi does with a slow
 * reader, instead of the frames being silently dropped.
 */
import type { WebSocket } from 'uWebSockets.js';
import { WsSession } from './session.js';

export interface ConnectionData {
  keyId: string;
  connection?: Connection;
}

export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** The heartbeat body Kalshi's server pings with (kalshi-api.md §2.12). */
export const PING_PAYLOAD = 'heartbeat';

export class Connection {
  session!: WsSession;
  private closed = false;
  /** Frames held back by a stall or a delay: [due time ms, frame]. */
  private held: Array<[number, string]> = [];
  private stallUntilMs = 0;
  private delayMs = 0;
  private duplicateNext = false;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket<ConnectionData>,
    readonly account: string,
    private readonly now: () => number,
  ) {}

  /** The session's send: every frame to this client goes through here. */
  readonly send = (frame: string): void => {
    if (this.closed) return;
    if (this.duplicateNext && frame.includes('"seq":')) {
      this.duplicateNext = false;
      this.send(frame);
    }
    const now = this.now();
    if (this.delayMs > 0 || now < this.stallUntilMs || this.held.length > 0) {
      this.held.push([Math.max(now + this.delayMs, this.stallUntilMs), frame]);
      this.scheduleFlush();
      return;
    }
    this.write(frame);
  };

  private write(frame: string): void {
    this.ws.send(frame, false);
    if (this.ws.getBufferedAmount() > MAX_BUFFERED_BYTES) {
      for (const sub of this.session.subscriptions()) {
        if (sub.channel === 'orderbook_delta') this.session.endSubscription(sub.sid, 25, 'subscription buffer overflow');
      }
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined || this.held.length === 0) return;
    const wait = Math.max(0, this.held[0][0] - this.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const now = this.now();
      let i = 0;
      if (now >= this.stallUntilMs) {
        while (i < this.held.length && this.held[i][0] <= now && !this.closed) this.write(this.held[i++][1]);
      }
      this.held = this.held.slice(i);
      this.scheduleFlush();
    }, wait);
  }

  // Faults ----------------------------------------------------------------------------------

  /** Hold every frame for `ms` (the socket stays open), then deliver them in order. */
  stall(ms: number): void {
    this.stallUntilMs = this.now() + ms;
  }

  /** Deliver every later frame `ms` late (0 ends the delay). */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Send the next sequenced frame twice. */
  duplicate(): void {
    this.duplicateNext = true;
  }

  /** A sequence gap on every sequenced subscription of this connection. */
  gap(): void {
    for (const sub of this.session.subscriptions()) this.session.skipSeq(sub.sid);
  }

  /** One frame that is not valid JSON. */
  malformed(): void {
    if (!this.closed) this.ws.send('{"type":"orderbook_delta","sid":', false);
  }

  /** Cut the connection abruptly (no close handshake), as a network failure would. */
  drop(): void {
    if (!this.closed) this.ws.close();
  }

  ping(): void {
    if (!this.closed) this.ws.ping(PING_PAYLOAD);
  }

  /** uWS says the socket is gone. */
  closedByPeer(): void {
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.session.close();
  }
}

export class ConnectionRegistry {
  private readonly all = new Set<Connection>();
  private readonly byAccount = new Map<string, Set<Connection>>();

  add(c: Connection): void {
    this.all.add(c);
    let set = this.byAccount.get(c.account);
    if (set === undefined) this.byAccount.set(c.account, (set = new Set()));
    set.add(c);
  }

  remove(c: Connection): void {
    this.all.delete(c);
    this.byAccount.get(c.account)?.delete(c);
  }

  /** Connections of one account (private channels). */
  ofAccount(account: string): ReadonlySet<Connection> | undefined {
    return this.byAccount.get(account);
  }

  forEach(fn: (c: Connection) => void): void {
    for (const c of this.all) fn(c);
  }

  get size(): number {
    return this.all.size;
  }
}
