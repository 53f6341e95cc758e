/**
 * The simulator's WebSocket connections: one WsSession each, a send path that fault injection
 * can stall, delay, duplicate, corrupt or cut, and the registry the fan-out and the control API
 * walk. Backpressure: a connection whose buffered output passes `MAX_BUFFERED_BYTES` gets its
 * orderbook subscriptions ended with error 25 (buffer overflow), as Kalshi does with a slow
 * reader, instead of the frames being silently dropped.
 *
 * Output is corked: frames due for the socket are queued in order and written in one
 * `ws.cork()` at the end of the current JavaScript task (a microtask), so that uWS copies them
 * into its cork buffer and hands the kernel ~16 KiB per syscall instead of one syscall per
 * frame — at hundreds of thousands of frames per second the per-frame syscall was ~80 % of the
 * simulator's CPU (bench/README.md, "Results: simulator"). Frames keep their order; the fault
 * paths (`malformed`, `ping`, `drop`) go through or flush the same queue.
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
  /** Frames written but not yet handed to uWS (flushed by a microtask, in order). */
  private pending: string[] = [];
  private spare: string[] = [];
  private flushQueued = false;
  private corking: string[] = [];

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
    // The clock is read only when a fault may hold frames back (stallUntilMs is 0 until a stall).
    if (this.delayMs > 0 || this.held.length > 0 || this.stallUntilMs > 0) {
      const now = this.now();
      if (this.delayMs > 0 || now < this.stallUntilMs || this.held.length > 0) {
        this.held.push([Math.max(now + this.delayMs, this.stallUntilMs), frame]);
        this.scheduleFlush();
        return;
      }
    }
    this.write(frame);
  };

  private write(frame: string): void {
    this.pending.push(frame);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushPending);
    }
  }

  private readonly flushPending = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  private readonly sendCorked = (): void => {
    const frames = this.corking;
    const ws = this.ws;
    for (let i = 0; i < frames.length; i++) ws.send(frames[i], false);
  };

  /** Hands every queued frame to uWS now (one cork), then applies the backpressure limit. */
  private flush(): void {
    const frames = this.pending;
    if (frames.length === 0) return;
    this.pending = this.spare;
    this.spare = frames;
    if (this.closed) {
      frames.length = 0;
      return;
    }
    this.corking = frames;
    try {
      this.ws.cork(this.sendCorked);
    } catch {
      // The socket closed under us (uWS throws on a closed WebSocket): nothing more to send.
      this.closed = true;
      return;
    } finally {
      frames.length = 0;
    }
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
    if (!this.closed) this.write('{"type":"orderbook_delta","sid":');
  }

  /** Cut the connection abruptly (no close handshake), as a network failure would. */
  drop(): void {
    if (this.closed) return;
    this.flush(); // what was sent before the cut goes out first, as it did when every send was a write
    if (this.closed) return;
    this.ws.close();
    this.closed = true; // nothing more for this socket, whenever uWS reports the close
  }

  ping(): void {
    if (this.closed) return;
    this.flush();
    if (!this.closed) this.ws.ping(PING_PAYLOAD);
  }

  /** uWS says the socket is gone. */
  closedByPeer(): void {
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.pending.length = 0;
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
