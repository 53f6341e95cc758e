/**
 * The execution thread's private WebSocket (kalshi-api.md §2.7–2.11): one `KalshiWsClient`
 * subscribed to `fill`, `user_orders`, `market_positions` and `order_group_updates` for the
 * whole account (fills of markets we do not trade move the account's cash too; they are counted
 * and left to the sync's drift check).
 *
 * - Events that arrive before the stage is calibrated are held, in order, and delivered by
 *   `release()` after calibration (its fill watermark makes the ledger ignore those already in
 *   the snapshot).
 * - `up` is true while the connection is open and all four subscriptions are acknowledged. The
 *   stage refuses openings while it is false (a reconnect gate: we would be blind to fills),
 *   and reconciles over REST on every reconnect and on every `events_lost` notice (`onGap`).
 */
import type { KalshiCredentials } from '../../shared/kalshi-signing.js';
import type { ChannelEvent } from '../../shared/kalshi/ws/channel-events.js';
import { KalshiWsClient, type ChannelName, type ClientNotice, type KalshiWsClientOptions, type Subscription } from '../../shared/kalshi/ws/client.js';

export const PRIVATE_CHANNELS: readonly ChannelName[] = ['fill', 'user_orders', 'market_positions', 'order_group_updates'];

export interface PrivateStreamOptions {
  url: string;
  credentials: KalshiCredentials;
  /** Anything else for the client (backoff, watchdog, logger…). */
  client?: Partial<KalshiWsClientOptions>;
  onEvent: (event: ChannelEvent) => void;
  /** Events may have been missed: reconcile over REST. `reason`: 'reconnect' or 'events_lost'. */
  onGap: (reason: 'reconnect' | 'events_lost') => void;
  /** `up` changed. */
  onUpChange: (up: boolean) => void;
}

export class PrivateStream {
  private readonly client: KalshiWsClient;
  private readonly subs: Subscription[] = [];
  private held: ChannelEvent[] | undefined = [];
  private isUp = false;
  private readyWaiters: Array<() => void> = [];
  eventsLost = 0;
  reconnects = 0;

  constructor(private readonly o: PrivateStreamOptions) {
    this.client = new KalshiWsClient({
      ...o.client,
      url: o.url,
      credentials: o.credentials,
      onEvent: (e) => this.event(e),
      onNotice: (n) => this.notice(n),
    });
  }

  /** Connect and subscribe (events are held until `release`). */
  start(): void {
    for (const channel of PRIVATE_CHANNELS) this.subs.push(this.client.subscribe(channel));
    this.client.start();
  }

  get up(): boolean {
    return this.isUp;
  }

  /** Resolves true once up, false after `timeoutMs`. */
  whenUp(timeoutMs: number): Promise<boolean> {
    if (this.isUp) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.readyWaiters.push(done);
    });
  }

  /** Deliver the held events, in order, then every event as it comes. */
  release(): void {
    const held = this.held;
    this.held = undefined;
    for (const e of held ?? []) this.o.onEvent(e);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  stats(): ReturnType<KalshiWsClient['stats']> {
    return this.client.stats();
  }

  private event(e: ChannelEvent): void {
    if (this.held !== undefined) this.held.push(e);
    else this.o.onEvent(e);
  }

  private notice(n: ClientNotice): void {
    switch (n.kind) {
      case 'connected':
        if (n.reconnect) {
          this.reconnects++;
          this.o.onGap('reconnect');
        }
        break;
      case 'events_lost':
        this.eventsLost++;
        this.o.onGap('events_lost');
        break;
      default:
        break;
    }
    this.refresh();
  }

  private refresh(): void {
    const up = this.client.state === 'open' && this.subs.every((s) => s.state === 'active');
    if (up === this.isUp) return;
    this.isUp = up;
    if (up) {
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const w of waiters) w();
    }
    this.o.onUpChange(up);
  }
}
