/**
 * One logical WebSocket connection to Kalshi that stays up: a signed handshake (kalshi-api.md
 * §1.3, re-signed with a fresh timestamp on every attempt), automatic Pong to the server's
 * heartbeat Pings (§2.12; the `ws` package answers them itself), a staleness watchdog, and
 * reconnection with capped exponential backoff and full jitter (backoff.ts) until `close()`.
 *
 * What it does not know: commands, subscriptions, frames. The owner (client.ts) gets `onOpen`,
 * every text frame as a Buffer (`onText`), `onClose` and a periodic `onTick` while open, and
 * sends commands with `send`.
 *
 * Watchdog: `staleAfterMs` without a text frame terminates the socket (no close handshake) and
 * reconnects (never on a tick that came late: a blocked thread has not read its socket yet). Server Pings do not count: a stalled data path with a live socket (the failure the
 * watchdog is for, §2.12 "wire-staleness") still answers Pings. The owner keeps a quiet but
 * healthy feed from tripping it by probing before the deadline (client.ts sends
 * `list_subscriptions`, whose reply travels the same path as data). 0 disables the watchdog.
 *
 * Timers: while open, one interval (watchdog and `onTick`); while waiting to reconnect, one
 * timeout. `close()` clears both and resolves once the socket is gone: nothing is left behind.
 */
import WebSocket from 'ws';
import { WS_SIGNED_PATH, type KalshiCredentials } from '../../kalshi-signing.js';
import { Backoff, type BackoffOptions } from './backoff.js';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'closing' | 'closed';

export interface ConnectionOptions {
  /** `wss://…/trade-api/ws/v2` (kalshi-api.md §0) or a simulator's `wsUrl`. */
  url: string;
  credentials: KalshiCredentials;
  /** Reconnect delays (defaults: 500 ms base, 30 s cap, Math.random). */
  backoff?: Partial<BackoffOptions>;
  /** A connection that stayed open this long resets the backoff to its base. Default 10 s. */
  backoffResetAfterMs?: number;
  /** No text frame for this long → terminate and reconnect. 0 disables. Default 30 s. */
  staleAfterMs?: number;
  /** Give up an upgrade that has not completed after this long. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Period of `onTick` (and of the watchdog check) while open. Default min(staleAfterMs / 4, 1000), at least 10 ms. */
  tickMs?: number;
  /** Monotonic clock, ms (default performance.now). */
  now?: () => number;
}

export interface CloseInfo {
  /** WebSocket close code (1006: no close frame, e.g. a dropped TCP connection or a failed handshake). */
  code: number;
  reason: string;
  /** The error that preceded the close, if any (a refused upgrade: "Unexpected server response: 401"). */
  error: string | undefined;
  /** The watchdog cut the connection. */
  stale: boolean;
  /** The connection had been open (false: the attempt failed before the upgrade completed). */
  wasOpen: boolean;
}

export interface ConnectionHandler {
  /** The upgrade completed; commands may be sent. */
  onOpen(): void;
  /** One text frame (binary frames are passed too; Kalshi sends none). */
  onText(data: Buffer): void;
  /** The socket is gone; `willReconnect` is false only after `close()`. */
  onClose(info: CloseInfo, willReconnect: boolean): void;
  /** Every `tickMs` while open (housekeeping: command timeouts, probes); skipped when the tick came late. */
  onTick?(nowMs: number): void;
  /** The next attempt starts in `delayMs` (attempt = failures since the last healthy connection). */
  onReconnectScheduled?(delayMs: number, attempt: number): void;
  /** A handler method threw (a bug): the connection carries on. Default: ignored (counted). */
  onHandlerError?(err: unknown): void;
}

export interface ConnectionCounters {
  /** Upgrades attempted. */
  attempts: number;
  /** Upgrades that completed. */
  opens: number;
  /** Opens after the first: successful reconnects. */
  reconnects: number;
  /** Attempts that failed before the upgrade completed. */
  failedAttempts: number;
  /** Connections cut by the watchdog. */
  staleTrips: number;
  /** Server Pings received (each answered by `ws`). */
  pings: number;
  /** Text frames received. */
  frames: number;
  /** Clock reading (ms) of the last text frame, or -1. */
  lastFrameAt: number;
  /** Date.now() of the last text frame, or -1 (for the dashboard). */
  lastFrameWallMs: number;
  /** Exceptions thrown by the handler (caught here). */
  handlerErrors: number;
}

export class Connection {
  readonly url: string;
  readonly staleAfterMs: number;
  readonly counters: ConnectionCounters = {
    attempts: 0, opens: 0, reconnects: 0, failedAttempts: 0, staleTrips: 0, pings: 0, frames: 0, lastFrameAt: -1, lastFrameWallMs: -1, handlerErrors: 0,
  };
  private readonly credentials: KalshiCredentials;
  private readonly backoff: Backoff;
  private readonly backoffResetAfterMs: number;
  private readonly handshakeTimeoutMs: number;
  private readonly tickMs: number;
  private readonly now: () => number;
  private handler: ConnectionHandler | undefined;
  private ws: WebSocket | undefined;
  private _state: ConnectionState = 'idle';
  private openedAt = -1;
  private lastError: string | undefined;
  private staleTrip = false;
  private tickTimer: NodeJS.Timeout | undefined;
  private lastTickAt = 0;
  private skippedTick = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closeWaiters: Array<() => void> = [];
  private closeFallback: NodeJS.Timeout | undefined;

  constructor(options: ConnectionOptions) {
    this.url = options.url;
    this.credentials = options.credentials;
    this.backoff = new Backoff(options.backoff);
    this.backoffResetAfterMs = options.backoffResetAfterMs ?? 10_000;
    this.staleAfterMs = options.staleAfterMs ?? 30_000;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    if (!(this.staleAfterMs >= 0)) throw new RangeError(`staleAfterMs must be ≥ 0, got ${this.staleAfterMs}`);
    this.tickMs = options.tickMs ?? Math.max(10, Math.min(this.staleAfterMs > 0 ? this.staleAfterMs / 4 : 1000, 1000));
    this.now = options.now ?? (() => performance.now());
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** Failures since the last healthy connection (the backoff exponent). */
  get backoffAttempts(): number {
    return this.backoff.attempts;
  }

  /** Start connecting (once). */
  start(handler: ConnectionHandler): void {
    if (this._state !== 'idle') throw new Error(`connection already started (state ${this._state})`);
    this.handler = handler;
    this.connect();
  }

  /** Send one text frame; false when the socket is not open (the frame is dropped). */
  send(text: string): boolean {
    const ws = this.ws;
    if (this._state !== 'open' || ws === undefined || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(text);
    return true;
  }

  /** Cut the current connection (no close handshake) and reconnect after the backoff delay. */
  reconnect(reason: string): void {
    if (this._state !== 'open' && this._state !== 'connecting') return;
    this.lastError = reason;
    this.ws?.terminate();
  }

  /**
   * Close for good: no reconnect, no timer left. Resolves when the socket is closed (a close
   * handshake is attempted for up to 1 s, then the socket is terminated).
   */
  close(): Promise<void> {
    if (this._state === 'closed') return Promise.resolve();
    const ws = this.ws;
    const wasState = this._state;
    this._state = 'closing';
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stopTicking();
    if (ws === undefined || wasState === 'waiting' || wasState === 'idle') {
      this.finishClose();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.closeWaiters.push(resolve);
      if (wasState === 'closing') return;
      if (ws.readyState === WebSocket.OPEN) {
        ws.close(1000, 'client closing');
        this.closeFallback = setTimeout(() => ws.terminate(), 1000);
      } else {
        ws.terminate(); // CONNECTING: abort the upgrade
      }
    });
  }

  // ------------------------------------------------------------------------------------------

  private connect(): void {
    this.retryTimer = undefined;
    this._state = 'connecting';
    this.counters.attempts++;
    this.lastError = undefined;
    this.staleTrip = false;
    this.openedAt = -1;
    // A fresh signature on every attempt (§1.3): the timestamp must be current.
    const headers = this.credentials.headers('GET', WS_SIGNED_PATH);
    const ws = new WebSocket(this.url, { headers, perMessageDeflate: false, handshakeTimeout: this.handshakeTimeoutMs });
    this.ws = ws;
    ws.on('open', () => this.opened(ws));
    ws.on('message', (data: WebSocket.RawData) => this.message(data));
    ws.on('ping', () => {
      this.counters.pings++;
    });
    ws.on('error', (err: Error) => {
      // Always followed by 'close'. Never includes key material: it is the transport's message.
      this.lastError ??= err.message;
    });
    ws.on('close', (code: number, reason: Buffer) => this.closed(ws, code, reason.toString('utf8')));
  }

  private opened(ws: WebSocket): void {
    if (ws !== this.ws) return;
    if (this._state === 'closing') return; // close() raced the upgrade: it is terminating the socket
    this._state = 'open';
    this.openedAt = this.now();
    this.counters.opens++;
    if (this.counters.opens > 1) this.counters.reconnects++;
    this.counters.lastFrameAt = this.openedAt; // the watchdog counts from the open
    this.startTicking();
    this.safe(() => this.handler!.onOpen());
  }

  private message(data: WebSocket.RawData): void {
    const c = this.counters;
    c.frames++;
    c.lastFrameAt = this.now();
    c.lastFrameWallMs = Date.now();
    // binaryType is 'nodebuffer': a Buffer, fragments already joined.
    try {
      this.handler!.onText(data as Buffer);
    } catch (err) {
      this.handlerError(err);
    }
  }

  private closed(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    this.stopTicking();
    const wasOpen = this.openedAt >= 0;
    if (!wasOpen) this.counters.failedAttempts++;
    if (wasOpen && this.now() - this.openedAt >= this.backoffResetAfterMs) this.backoff.succeeded();
    const info: CloseInfo = { code, reason, error: this.lastError, stale: this.staleTrip, wasOpen };
    if (this._state === 'closing') {
      this.finishClose();
      this.safe(() => this.handler!.onClose(info, false));
      return;
    }
    this._state = 'waiting';
    this.safe(() => this.handler!.onClose(info, true));
    if (this._state !== 'waiting') return; // the handler closed us
    const delay = this.backoff.next();
    this.safe(() => this.handler!.onReconnectScheduled?.(delay, this.backoff.attempts));
    if (this._state !== 'waiting') return;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private finishClose(): void {
    clearTimeout(this.closeFallback);
    this.closeFallback = undefined;
    this._state = 'closed';
    this.ws = undefined;
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const w of waiters) w();
  }

  private startTicking(): void {
    this.stopTicking();
    this.lastTickAt = this.now();
    this.skippedTick = false;
    this.tickTimer = setInterval(() => this.tick(), this.tickMs);
  }

  private stopTicking(): void {
    clearInterval(this.tickTimer);
    this.tickTimer = undefined;
  }

  private tick(): void {
    if (this._state !== 'open') return;
    const now = this.now();
    // A tick that comes late means this thread was blocked (GC, a long task, a loaded machine):
    // frames may be waiting in the socket, unread. Judge staleness on the next, timely tick —
    // after the I/O phase has run — rather than reconnect because we were busy.
    // (The owner's timeouts in onTick are skipped likewise: replies may be waiting unread.)
    // One skip at most in a row: the loop's I/O phase runs between two ticks.
    const late = now - this.lastTickAt > 2 * this.tickMs + 50 && !this.skippedTick;
    this.lastTickAt = now;
    this.skippedTick = late;
    if (late) return;
    if (this.staleAfterMs > 0 && now - this.counters.lastFrameAt > this.staleAfterMs) {
      this.counters.staleTrips++;
      this.staleTrip = true;
      this.lastError = `no frame for ${Math.round(now - this.counters.lastFrameAt)} ms (watchdog ${this.staleAfterMs} ms)`;
      this.ws?.terminate();
      return;
    }
    const handler = this.handler!;
    if (handler.onTick !== undefined) this.safe(() => handler.onTick!(now));
  }

  /** Handler exceptions never break the connection's own state machine. */
  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.handlerError(err);
    }
  }

  private handlerError(err: unknown): void {
    this.counters.handlerErrors++;
    try {
      this.handler?.onHandlerError?.(err);
    } catch {
      // nothing sensible left to do
    }
  }
}
