/**
 * The engine's internal state, shared by the modules that implement the Exchange's operations
 * (matching, accounts, order groups, lifecycle, synthetic liquidity). Nothing here is public
 * API; the Exchange hands out the public objects (MarketState, OrderState, AccountState, …)
 * that these records hold.
 *
 * Single writer: everything runs synchronously inside one Exchange call (`busy`), so a
 * listener that calls back into a mutating method is refused rather than allowed to see or
 * make a half-applied change.
 */
import { PRICE_SCALE } from '../../shared/fixed-point.js';
import { Emitter } from './emitter.js';
import type { FeeAcc, MarketFees } from './fee-schedule.js';
import { IdSource } from './ids.js';
import { OrderBook } from './order-book.js';
import { TimerQueue } from './timer-queue.js';
import type {
  AccountState,
  BookSideV2,
  EventState,
  MarketState,
  OrderGroupState,
  OrderState,
  SeriesState,
} from './types.js';

/** An order as the engine keeps it: the public fields plus bookkeeping. */
export interface EngineOrder extends OrderState {
  /** Queued in its market's book (false while it is being matched as a taker, and once done). */
  inBook: boolean;
  /**
   * Hundredths of `remainingCount` that will reduce the account's position when they fill
   * (they need no cash); the rest are openings with cash reserved (accounts.ts).
   */
  reduceClaim: number;
  takerFeeAcc: FeeAcc | undefined;
  makerFeeAcc: FeeAcc | undefined;
  /** Index in its market's synthetic list (synthetic orders), else -1. */
  slot: number;
}

/** Per account and market: position hundredths claimed by resting reducing orders. */
export interface Holding {
  /** Claimed by bids (they reduce a NO position). */
  claimBid: number;
  /** Claimed by asks (they reduce a YES position). */
  claimAsk: number;
}

export interface GroupRecord {
  readonly state: OrderGroupState;
  /** Resting orders of the group. */
  readonly members: Set<EngineOrder>;
  /** Σ counts in `state.window`. */
  windowTotal: number;
}

export interface AccountRecord {
  readonly state: AccountState;
  /** Every order ever placed, in creation order. */
  readonly orders: EngineOrder[];
  readonly byId: Map<string, EngineOrder>;
  /** Every client_order_id ever used (an amend's old and new ids both stay taken). */
  readonly byClientId: Map<string, EngineOrder>;
  /** Resting orders in creation order. */
  readonly resting: Map<string, EngineOrder>;
  readonly holdings: Map<number, Holding>;
  readonly groups: Map<string, GroupRecord>;
}

/** Per market: its book, fees, synthetic orders, open-interest sums and ticker watch. */
export interface MarketRuntime {
  readonly market: MarketState;
  readonly book: OrderBook<EngineOrder>;
  readonly fees: MarketFees;
  /** Resting synthetic orders (each knows its `slot`). */
  readonly synthetic: EngineOrder[];
  /** How many of `synthetic` are bids (the rest are asks). */
  syntheticBids: number;
  /**
   * Σ over real accounts of max(position, 0), and of position. The synthetic participants are
   * one netted holder of −realNet, so open interest = realLong + max(−realNet, 0).
   */
  realLong: number;
  realNet: number;
  touched: boolean;
  /** Last ticker sent: best bid/ask price and size, last price, volume, open interest. */
  readonly seen: Float64Array;
}

export type Timer =
  | { readonly kind: 'open' | 'close' | 'determine' | 'finalize'; readonly market: MarketState }
  | { readonly kind: 'expire'; readonly order: EngineOrder };

export interface EngineConfig {
  clock: () => number;
  seed: number;
  orderGroupTriggerInclusive: boolean;
  determinationDelayMs: number;
}

export class EngineState {
  readonly config: EngineConfig;
  readonly ids: IdSource;
  readonly emitter = new Emitter();
  readonly timers = new TimerQueue<Timer>();
  readonly series = new Map<string, SeriesState>();
  readonly events = new Map<string, EventState>();
  readonly markets: MarketState[] = [];
  readonly runtimes: MarketRuntime[] = [];
  readonly byTicker = new Map<string, MarketRuntime>();
  readonly accounts = new Map<string, AccountRecord>();
  /** Resting synthetic orders by the serial number of their `syn-<n>` id (ids.ts `syntheticSerial`). */
  readonly synthetic = new Map<number, EngineOrder>();
  /** Time of the operation or timer being processed, ms; never decreases. */
  ts = Number.NEGATIVE_INFINITY;
  busy = false;
  /** The order being matched as a taker, and whether its order group has just killed it. */
  currentTaker: EngineOrder | undefined = undefined;
  takerKilled = false;
  private priority = 0;
  private readonly touchedList: MarketRuntime[] = [];

  constructor(config: EngineConfig) {
    this.config = config;
    this.ids = new IdSource(config.seed);
  }

  nextPriority(): number {
    return ++this.priority;
  }

  runtime(marketIndex: number): MarketRuntime | undefined {
    return marketIndex >>> 0 === marketIndex ? this.runtimes[marketIndex] : undefined;
  }

  touch(rt: MarketRuntime): void {
    if (rt.touched) return;
    rt.touched = true;
    this.touchedList.push(rt);
  }

  /** A change of resting size at `price` on `side`, as the public book shows it (§5.1). */
  bookDelta(rt: MarketRuntime, side: BookSideV2, price: number, delta: number, causedBy: OrderState | undefined): void {
    this.touch(rt);
    if (side === 'bid') this.emitter.bookDelta(rt.market, 'yes', price, delta, this.ts, causedBy);
    else this.emitter.bookDelta(rt.market, 'no', PRICE_SCALE - price, delta, this.ts, causedBy);
  }

  /** Sends `ticker` for every touched market whose top of book, last price, volume or OI changed. */
  flushTickers(): void {
    const list = this.touchedList;
    for (let i = 0; i < list.length; i++) {
      const rt = list[i];
      rt.touched = false;
      const book = rt.book;
      const m = rt.market;
      const bid = book.bestBidLevel;
      const ask = book.bestAskLevel;
      const bidPrice = bid < 0 ? -1 : book.grid.levels[bid];
      const askPrice = ask < 0 ? -1 : book.grid.levels[ask];
      const bidSize = bid < 0 ? 0 : book.sizeAt('bid', bid);
      const askSize = ask < 0 ? 0 : book.sizeAt('ask', ask);
      const s = rt.seen;
      if (
        s[0] === bidPrice && s[1] === bidSize && s[2] === askPrice && s[3] === askSize &&
        s[4] === m.lastPrice && s[5] === m.volume && s[6] === m.openInterest
      ) continue;
      s[0] = bidPrice;
      s[1] = bidSize;
      s[2] = askPrice;
      s[3] = askSize;
      s[4] = m.lastPrice;
      s[5] = m.volume;
      s[6] = m.openInterest;
      this.emitter.ticker(m, this.ts);
    }
    list.length = 0;
  }
}

export function newRuntime(market: MarketState, fees: MarketFees): MarketRuntime {
  const seen = new Float64Array(7);
  seen[0] = -1;
  seen[2] = -1;
  return {
    market,
    book: new OrderBook<EngineOrder>(market.grid),
    fees,
    synthetic: [],
    syntheticBids: 0,
    realLong: 0,
    realNet: 0,
    touched: false,
    seen,
  };
}
