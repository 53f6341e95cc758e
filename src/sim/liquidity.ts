/**
 * Synthetic participants: the simulated crowd that makes the simulator's books look and move
 * like Kalshi's, so that a policy can win or lose against them.
 *
 * Per market a hidden fair value (a probability in $0.0001 units) follows a random walk with
 * rare jumps. Makers keep a ladder of resting bids below and asks above it (a spread, depth on
 * both sides, sizes from a long-tailed distribution); they cancel and re-quote as the fair value
 * moves; takers hit whichever side the fair value says is mispriced, and sometimes trade at
 * random. Activity is uneven: a few markets are "hot" (bursts) while the rest are quiet, and the
 * hot set changes over time.
 *
 * Everything is drawn from the seed through Rng, and the participants act only through the
 * engine's synthetic-order API, so the same seed and the same client actions give the same books.
 * `step()` performs one action; the server calls it as often as `--rate` (book messages per
 * second across all markets) requires, counting the book changes each step made.
 */
import type { Exchange, SyntheticOps } from './engine/exchange.js';
import type { BookSideV2, MarketState, OrderState } from './engine/types.js';
import { Rng } from './rng.js';

export interface LiquidityOptions {
  seed: number;
  /** Resting synthetic orders each side aims for near the touch (default 8). */
  depthPerSide?: number;
  /**
   * Most resting synthetic orders per market (default 4 × depthPerSide). At the cap a step
   * cancels instead of quoting, so a long run keeps books of bounded size (without it quotes
   * outpace cancels and takes, and books grow without end: slower steps, then heap exhaustion).
   */
  maxRestingPerMarket?: number;
  /** Markets in the hot set at any time (default: 5 % of markets, at least 1). */
  hotMarkets?: number;
  /** Share of steps spent on the hot set (default 0.6). */
  hotShare?: number;
}

/** Fair-value step: standard deviation per move, $0.0001 units (0.3¢). */
const FAIR_SIGMA = 30;
const JUMP_PROBABILITY = 0.002;
const MIN_FAIR = 200;
const MAX_FAIR = 9800;

export class SyntheticLiquidity {
  private readonly rng: Rng;
  private readonly markets: MarketState[];
  private readonly depth: number;
  private readonly maxResting: number;
  private readonly hotShare: number;
  private readonly hot: number[];
  /** Book changes made by synthetic actions, counted through the engine's listener. */
  private changes = 0;
  private counting = false;

  constructor(
    private readonly exchange: Exchange,
    markets: readonly MarketState[],
    options: LiquidityOptions,
  ) {
    if (markets.length === 0) throw new RangeError('synthetic liquidity needs at least one market');
    this.rng = Rng.derive(options.seed, 'liquidity');
    this.markets = [...markets];
    this.depth = options.depthPerSide ?? 8;
    this.maxResting = options.maxRestingPerMarket ?? this.depth * 4;
    if (!(this.maxResting >= this.depth * 2)) throw new RangeError('maxRestingPerMarket must be at least 2 × depthPerSide');
    this.hotShare = options.hotShare ?? 0.6;
    const hotCount = Math.max(1, Math.min(markets.length, options.hotMarkets ?? Math.ceil(markets.length * 0.05)));
    this.hot = Array.from({ length: hotCount }, () => this.rng.int(markets.length));
    exchange.addListener({
      bookDelta: () => {
        if (this.counting) this.changes++;
      },
    });
  }

  /** Build every active market's initial ladder on both sides; returns the book changes made. */
  seedBooks(): number {
    return this.counting_(() => {
      for (const market of this.markets) {
        if (market.status !== 'active') continue;
        for (let i = 0; i < this.depth; i++) {
          this.quote(market, 'bid');
          this.quote(market, 'ask');
        }
      }
    });
  }

  /** One synthetic action on one market; returns the book changes it made (0 is possible). */
  step(): number {
    const before = this.changes;
    this.counting = true;
    try {
      this.act();
    } finally {
      this.counting = false;
    }
    return this.changes - before;
  }

  /** Run steps until at least `changes` book changes were made (or 4× as many steps passed). */
  run(changes: number): number {
    let made = 0;
    for (let steps = 0; made < changes && steps < changes * 4 + 16; steps++) made += this.step();
    return made;
  }

  private act(): void {
    const market = this.pickMarket();
    if (market.status !== 'active') return;
    this.moveFairValue(market);
    // The rest is one engine operation (one catch-up with the clock, one ticker flush), as the
    // separate calls were: it makes at most one book-changing call.
    this.market = market;
    this.exchange.syntheticBatch(this.decideInBatch);
  }

  /** The market `decide` acts on, and the engine's synthetic operations while in a batch. */
  private market: MarketState | undefined;
  private ops: SyntheticOps | undefined;

  private readonly decideInBatch = (ops: SyntheticOps): void => {
    this.ops = ops;
    try {
      this.decide(this.market!);
    } finally {
      this.ops = undefined;
    }
  };

  private decide(market: MarketState): void {
    // A live view of the market's resting synthetic orders, used by cancelOne too (nothing
    // changes the book before the action). The engine counts the bids, so no order object is
    // read here.
    const orders = this.exchange.syntheticOrders(market.index);
    const bids = this.exchange.syntheticBids(market.index);
    const asks = orders.length - bids;
    const half = this.depth / 2;
    if (bids < half) return this.quote(market, 'bid');
    if (asks < half) return this.quote(market, 'ask');
    if (orders.length >= this.maxResting) return this.cancelOne(orders);
    const r = this.rng.next();
    if (r < 0.45 || orders.length === 0) this.quote(market, this.rng.chance(0.5) ? 'bid' : 'ask');
    else if (r < 0.85) this.cancelOne(orders);
    else this.take(market);
  }

  private counting_(action: () => void): number {
    const before = this.changes;
    this.counting = true;
    try {
      action();
    } finally {
      this.counting = false;
    }
    return this.changes - before;
  }

  private pickMarket(): MarketState {
    if (this.rng.chance(0.001)) this.hot[this.rng.int(this.hot.length)] = this.rng.int(this.markets.length); // the hot set drifts
    if (this.rng.chance(this.hotShare)) return this.markets[this.hot[this.rng.int(this.hot.length)]];
    return this.markets[this.rng.int(this.markets.length)];
  }

  private moveFairValue(market: MarketState): void {
    if (!this.rng.chance(0.1)) return;
    let move = this.rng.normal() * FAIR_SIGMA;
    if (this.rng.chance(JUMP_PROBABILITY)) move += (this.rng.chance(0.5) ? 1 : -1) * this.rng.range(300, 1500);
    market.fairValue = Math.max(MIN_FAIR, Math.min(MAX_FAIR, Math.round(market.fairValue + move)));
  }

  /** A resting maker order a few grid levels behind the fair value; never crosses the book. */
  private quote(market: MarketState, side: BookSideV2): void {
    const grid = market.grid;
    const fairLevel = grid.levelOf(grid.snapNearest(market.fairValue));
    const distance = 1 + this.rng.geometric(0.35); // levels away from fair: mostly 1–3, a long tail
    const level = side === 'bid' ? fairLevel - distance : fairLevel + distance;
    if (level < 0 || level >= grid.levelCount) return;
    const price = grid.priceAt(level);
    if (!grid.isOrderable(price)) return;
    const contracts = 1 + this.rng.geometric(0.03); // mean ≈ 33 contracts, occasionally hundreds
    if (this.ops !== undefined) this.ops.place(market.index, side, price, contracts * 100);
    else this.exchange.placeSynthetic(market.index, side, price, contracts * 100);
  }

  private cancelOne(orders: readonly OrderState[]): void {
    if (orders.length === 0) return;
    const order = orders[this.rng.int(orders.length)];
    const ops = this.ops!; // only decide() cancels, inside a batch
    if (order.remainingCount > 100 && this.rng.chance(0.3)) {
      ops.cancel(order, 100 * this.rng.range(1, Math.floor(order.remainingCount / 100)));
    } else {
      ops.cancel(order);
    }
  }

  /** An immediate-or-cancel taker: informed (towards fair value) most of the time. */
  private take(market: MarketState): void {
    const yesBid = this.exchange.bestBid(market.index, 'yes');
    const noBid = this.exchange.bestBid(market.index, 'no');
    const yesAsk = noBid === undefined ? undefined : 10_000 - noBid[0];
    let side: BookSideV2;
    if (yesAsk !== undefined && market.fairValue > yesAsk) side = 'bid';
    else if (yesBid !== undefined && market.fairValue < yesBid[0]) side = 'ask';
    else side = this.rng.chance(0.5) ? 'bid' : 'ask';
    const limit = side === 'bid' ? yesAsk : yesBid?.[0];
    if (limit === undefined) return;
    const contracts = 1 + this.rng.geometric(0.05);
    this.ops!.take(market.index, side, limit, contracts * 100); // only decide() takes, inside a batch
  }
}
