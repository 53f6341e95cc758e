/**
 * Fan-out of engine events to the listeners (REST caches, WebSocket channels, synthetic
 * participants' counters), synchronously and in the order things happen.
 *
 * A listener that throws must not leave the engine half way through a match: the emitter
 * catches, keeps the first error, and the Exchange rethrows it once the operation is complete
 * (`takeError`). Listeners are copied on write, so one may unsubscribe from inside a callback.
 */
import type {
  AccountState,
  BookSideV2,
  ExchangeListener,
  FillState,
  MarketState,
  OrderGroupState,
  OrderState,
  OutcomeSide,
  PositionState,
} from './types.js';

export type GroupEvent = 'created' | 'triggered' | 'reset' | 'deleted' | 'limit_updated';
export type LifecycleEvent = 'created' | 'activated' | 'deactivated' | 'close_date_updated' | 'determined' | 'settled';

export class Emitter {
  private listeners: readonly ExchangeListener[] = [];
  private failed = false;
  private error: unknown = undefined;

  add(listener: ExchangeListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** The first error a listener threw since the last call, cleared; undefined if none. */
  takeError(): { error: unknown } | undefined {
    if (!this.failed) return undefined;
    const out = { error: this.error };
    this.failed = false;
    this.error = undefined;
    return out;
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = err;
  }

  bookDelta(market: MarketState, outcome: OutcomeSide, price: number, delta: number, tsMs: number, causedBy: OrderState | undefined): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i];
      if (l.bookDelta === undefined) continue;
      try {
        l.bookDelta(market, outcome, price, delta, tsMs, causedBy);
      } catch (err) {
        this.fail(err);
      }
    }
  }

  trade(market: MarketState, tradeId: string, yesPrice: number, count: number, takerSide: BookSideV2, tsMs: number): void {
    for (const l of this.listeners) {
      if (l.trade === undefined) continue;
      try {
        l.trade(market, tradeId, yesPrice, count, takerSide, tsMs);
      } catch (err) {
        this.fail(err);
      }
    }
  }

  fill(account: AccountState, fill: FillState): void {
    for (const l of this.listeners) {
      if (l.fill === undefined) continue;
      try {
        l.fill(account, fill);
      } catch (err) {
        this.fail(err);
      }
    }
  }

  order(account: AccountState, order: OrderState): void {
    for (const l of this.listeners) {
      if (l.order === undefined) continue;
      try {
        l.order(account, order);
      } catch (err) {
        this.fail(err);
      }
    }
  }

  position(account: AccountState, position: PositionState): void {
    for (const l of this.listeners) {
      if (l.position === undefined) continue;
      try {
        l.position(account, position);
      } catch (err) {
        this.fail(err);
      }
    }
  }

  orderGroup(account: AccountState, group: OrderGroupState, eventType: GroupEvent, tsMs: number): void {
    for (const l of this.listeners) {
      if (l.orderGroup === undefined) continue;
      try {
        l.orderGroup(account, group, eventType, tsMs);
      } catch (err) {
        this.fail(err);
      }
    }
  }

  lifecycle(market: MarketState, eventType: LifecycleEvent, tsMs: number): void {
    for (const l of this.listeners) {
      if (l.lifecycle === undefined) continue;
      try {
        l.lifecycle(market, eventType, tsMs);
      } catch (err) {
        this.fail(err);
      }
    }
  }

  ticker(market: MarketState, tsMs: number): void {
    for (const l of this.listeners) {
      if (l.ticker === undefined) continue;
      try {
        l.ticker(market, tsMs);
      } catch (err) {
        this.fail(err);
      }
    }
  }
}
