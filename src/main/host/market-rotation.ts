/**
 * Market rotation (issue #6): with discovery (no `--markets`), markets that close are replaced,
 * so the host keeps trading up to `--max-markets` markets however long it runs. Markets close
 * during a run (the simulator closes, determines and settles them over time; Kalshi too).
 *
 * What closes a market here (the slot's phase only ever moves forward, live → winding → closed):
 * - winding: its close time minus `--min-time-to-close-s` has passed (it would no longer pass
 *   discovery), or `market_lifecycle_v2` says `deactivated` (paused). The execution stage trades
 *   it closings only (MarketTradingState.REDUCING): a position may still be reduced, nothing new
 *   is opened in a market about to close; it is no longer counted against `--max-markets`.
 * - closed: its close time has passed, or `market_lifecycle_v2` says `determined` or `settled`.
 *   Execution halts it (HALTED) and market data takes it out of the WebSocket subscriptions (its
 *   book turns stale, so inference skips it). A `close_date_updated` event moves the slot's close
 *   time (the simulator's `close-early` fault, Kalshi's early closes) and the rules above apply.
 *   A market retired once is never taken back, even if its close moves later or it is
 *   re-activated: its ticker keeps its slot, and a ticker has one slot per session.
 * The shard-0 market-data stage subscribes `market_lifecycle_v2` for every market and the main
 * thread hands the events to `onLifecycle`; a timer checks close times once a second.
 *
 * Re-discovery: when a live market retires, and every `--rediscover-s` (60 s), if fewer than
 * `--max-markets` markets are live, discovery runs again (the same filters and ranking as at
 * start, market-selection.ts), excluding every ticker that ever held a slot; the best new markets
 * fill the gap. Runs are serialised and rate-limited: at most one per min(10 s, --rediscover-s);
 * a request inside that interval is deferred to its end, not dropped. A failed discovery (the
 * exchange unreachable) is logged and retried at the next request.
 *
 * Slots (design constraints):
 * - A slot is never reused. A closed market's position may be open until settlement, and the
 *   execution ledger, the PositionBoard and journal rows are keyed by slot; its settlement is
 *   applied to that slot by the periodic sync. So capacity is allocated up front, for the whole
 *   session: `--market-slots`, default SLOTS_PER_MARKET (2) × `--max-markets` (never fewer than the
 *   markets found at start) — BookStore headers, PositionBoard records, execution core arrays,
 *   and every shard's dirty channel (each sized for the whole capacity, so any shard can take any
 *   new market). Ladder space is allocated for the worst grid a replacement may have:
 *   MAX_ROTATION_LEVELS (1001 per side: deci_cent and every named structure). A market whose grid
 *   is finer is refused (logged once, never proposed again), as is one the BookStore cannot
 *   register (its 64 distinct grids used up). When every slot is used, adding stops and one
 *   line says so; the host trades on with the markets it has.
 * - One writer per piece of state. The main thread owns the market table: it registers the new
 *   slot's grid in the BookStore (`registerMarket`) BEFORE any stage hears of the slot, so nobody
 *   writes an unregistered slot. Then it tells, waiting for each to acknowledge (a cold-path
 *   message and answer in the threaded topology, a direct call inline — the same stage methods):
 *   1. the execution stage (`ExecutionStage.addMarket`: the slot becomes tradeable, a reconcile
 *      adopts whatever the exchange already holds in that market);
 *   2. the inference stage reading the shard (`InferenceStage.addMarket`: the shard-local →
 *      global map and the slot's meta), so it knows the local index before any dirty mark names it;
 *   3. the market-data stage of the shard (`MarketDataStage.addMarket`: TickerIndex, then
 *      `update_subscription add_markets` on its orderbook_delta and trade subscriptions; a
 *      snapshot follows and the book turns fresh).
 *   The shard is `shardFor(ticker)` (FNV-1a modulo the shards that exist); the shard-local index
 *   is the shard's next one, never reused either. If a stage refuses or does not answer, the slot
 *   is retired at once (closed) and stays used.
 *
 * This module holds the rules (MarketSlots, pure: no I/O, time passed in) and the driver
 * (MarketRotation: timers, rate limit, the run); the host supplies the hooks that touch the
 * BookStore and the stages (host.ts).
 */
import type { Market } from '../../shared/kalshi/rest/decoders/market.js';

/** Default slot capacity per `--max-markets`. */
export const SLOTS_PER_MARKET = 2;
/** Most price levels per side a market added while running may have (deci_cent: 1001). */
export const MAX_ROTATION_LEVELS = 1001;
/** Re-discoveries are at least this far apart (or `--rediscover-s`, when shorter), ms. */
export const MIN_REDISCOVER_INTERVAL_MS = 10_000;
/** How often close times are checked, ms. */
export const CLOSE_CHECK_INTERVAL_MS = 1_000;
/** Discovery asks for this many candidates beyond the markets needed (some may be refused). */
const DISCOVERY_SLACK = 8;

/** Slots for the session: `marketSlots` (0: SLOTS_PER_MARKET × maxMarkets), never fewer than the initial markets. */
export function slotCapacity(maxMarkets: number, marketSlots: number, initialMarkets: number): number {
  return Math.max(initialMarkets, 1, marketSlots > 0 ? marketSlots : SLOTS_PER_MARKET * maxMarkets);
}

/** BookStore ladder words: the initial markets' own grids, and the worst allowed grid for every spare slot. */
export function ladderWordsFor(initial: readonly Market[], capacity: number): number {
  const own = initial.reduce((a, m) => a + 2 * m.grid.levelCount, 0);
  return Math.max(2, own + Math.max(0, capacity - initial.length) * 2 * MAX_ROTATION_LEVELS);
}

export type SlotPhase = 'live' | 'winding' | 'closed';
const RANK: Record<SlotPhase, number> = { live: 0, winding: 1, closed: 2 };

export interface Slot {
  /** Global slot: BookStore, PositionBoard, intents, execution ledger. */
  readonly index: number;
  readonly ticker: string;
  /** ms since the epoch; 0: unknown (never closes by time). */
  closeTimeMs: number;
  /** The market-data shard that owns its book. */
  readonly shard: number;
  phase: SlotPhase;
  readonly addedAtMs: number;
  /** Why it left `live`. */
  reason: string;
}

export interface Transition {
  slot: Slot;
  from: SlotPhase;
  to: SlotPhase;
  reason: string;
}

/** The part of a `market_lifecycle_v2` event the rules read. */
export interface LifecycleSignal {
  ticker: string;
  eventType: string;
  closeTsMs?: number;
}

/** A `market_lifecycle_v2` event (as the WebSocket client decodes it), or undefined for anything else. */
export function lifecycleSignal(event: unknown): LifecycleSignal | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as { type?: unknown; marketTicker?: unknown; eventType?: unknown; closeTsMs?: unknown };
  if (e.type !== 'market_lifecycle_v2' || typeof e.marketTicker !== 'string' || typeof e.eventType !== 'string') return undefined;
  return { ticker: e.marketTicker, eventType: e.eventType, closeTsMs: typeof e.closeTsMs === 'number' ? e.closeTsMs : undefined };
}

export interface SlotRules {
  /** Slots for the session. */
  capacity: number;
  /** Live markets wanted. */
  maxMarkets: number;
  /** `--min-time-to-close-s` in ms: a market this close to its close time winds down. */
  windowMs: number;
  /** Most price levels per side of a market added while running. */
  maxLevels: number;
}

export interface Choice {
  /** Markets to add, best first. */
  add: Market[];
  /** Candidates refused for good (each reported once per session). */
  refused: Array<{ ticker: string; reason: string }>;
}

/** The slot table and its rules (pure). */
export class MarketSlots {
  private readonly slots: Slot[] = [];
  private readonly byTicker = new Map<string, Slot>();
  private readonly refusedTickers = new Set<string>();

  constructor(readonly rules: SlotRules) {
    if (!Number.isInteger(rules.capacity) || rules.capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${rules.capacity}`);
  }

  get used(): number {
    return this.slots.length;
  }

  get free(): number {
    return this.rules.capacity - this.slots.length;
  }

  /** Markets counted against `maxMarkets`. */
  get live(): number {
    let n = 0;
    for (const s of this.slots) if (s.phase === 'live') n++;
    return n;
  }

  /** Live markets missing. */
  needed(): number {
    return Math.max(0, this.rules.maxMarkets - this.live);
  }

  all(): readonly Slot[] {
    return this.slots;
  }

  slotOf(ticker: string): Slot | undefined {
    return this.byTicker.get(ticker);
  }

  /** Tickers discovery must not propose: every one that held a slot, and every one refused. */
  known(): Set<string> {
    return new Set([...this.byTicker.keys(), ...this.refusedTickers]);
  }

  /** The next slot for `market` (slots are handed out in order and never reused). Throws when none is left. */
  hold(market: Pick<Market, 'ticker' | 'closeTimeMs'>, shard: number, nowMs: number): Slot {
    if (this.free === 0) throw new RangeError(`all ${this.rules.capacity} market slots are used`);
    if (this.byTicker.has(market.ticker)) throw new RangeError(`market ${market.ticker} already holds slot ${this.byTicker.get(market.ticker)!.index}`);
    const slot: Slot = { index: this.slots.length, ticker: market.ticker, closeTimeMs: market.closeTimeMs, shard, phase: 'live', addedAtMs: nowMs, reason: '' };
    this.slots.push(slot);
    this.byTicker.set(slot.ticker, slot);
    return slot;
  }

  /**
   * Give back the last slot handed out, which nothing has written (its registration failed): an
   * unwritten slot may be handed out again. Its ticker is refused for the session.
   */
  release(slot: Slot, reason: string): void {
    if (this.slots.at(-1) !== slot) throw new Error(`only the last slot handed out can be released (slot ${slot.index})`);
    this.slots.pop();
    this.byTicker.delete(slot.ticker);
    this.refusedTickers.add(slot.ticker);
    slot.reason = reason;
  }

  /** Retire a slot at once (a stage refused it). */
  fail(slot: Slot, reason: string): Transition[] {
    const out: Transition[] = [];
    this.move(slot, 'closed', reason, out);
    return out;
  }

  /** Close-time rules at `nowMs`. */
  tick(nowMs: number): Transition[] {
    const out: Transition[] = [];
    for (const s of this.slots) if (s.phase !== 'closed') this.byTime(s, nowMs, out);
    return out;
  }

  /** A lifecycle event of one of the slots' markets (others are ignored). */
  onLifecycle(signal: LifecycleSignal, nowMs: number): Transition[] {
    const s = this.byTicker.get(signal.ticker);
    const out: Transition[] = [];
    if (s === undefined || s.phase === 'closed') return out;
    switch (signal.eventType) {
      case 'close_date_updated':
        if (signal.closeTsMs !== undefined && signal.closeTsMs > 0) s.closeTimeMs = signal.closeTsMs;
        this.byTime(s, nowMs, out, 'close_date_updated: ');
        break;
      case 'determined':
      case 'settled':
        this.move(s, 'closed', signal.eventType, out);
        break;
      case 'deactivated':
        this.move(s, 'winding', 'deactivated', out);
        break;
    }
    return out;
  }

  /**
   * From discovery's candidates (ranked best first), the markets to add now: up to `needed()`,
   * within the free slots, none already known, none whose grid is finer than `maxLevels` (those
   * are refused for good), none already inside the closing window at `nowMs`.
   */
  choose(candidates: readonly Market[], nowMs: number): Choice {
    const add: Market[] = [];
    const refused: Choice['refused'] = [];
    const want = Math.min(this.needed(), this.free);
    for (const m of candidates) {
      if (add.length >= want) break;
      if (this.byTicker.has(m.ticker) || this.refusedTickers.has(m.ticker) || add.some((a) => a.ticker === m.ticker)) continue;
      if (m.grid.levelCount > this.rules.maxLevels) {
        this.refusedTickers.add(m.ticker);
        refused.push({ ticker: m.ticker, reason: `its price grid has ${m.grid.levelCount} levels a side, more than the ${this.rules.maxLevels} the ladder space allows` });
        continue;
      }
      if (m.closeTimeMs > 0 && nowMs >= m.closeTimeMs - this.rules.windowMs) continue;
      add.push(m);
    }
    return { add, refused };
  }

  private byTime(s: Slot, nowMs: number, out: Transition[], why = ''): void {
    if (s.closeTimeMs <= 0) return;
    if (nowMs >= s.closeTimeMs) this.move(s, 'closed', `${why}close time passed`, out);
    else if (nowMs >= s.closeTimeMs - this.rules.windowMs) this.move(s, 'winding', `${why}inside the min-time-to-close window`, out);
  }

  private move(s: Slot, to: SlotPhase, reason: string, out: Transition[]): void {
    if (RANK[to] <= RANK[s.phase]) return;
    const from = s.phase;
    s.phase = to;
    if (from === 'live') s.reason = reason;
    out.push({ slot: s, from, to, reason });
  }
}

export interface RotationHooks {
  /** Open markets that pass the discovery filters, best first, none of `exclude`, at most `limit`. */
  discover(exclude: ReadonlySet<string>, limit: number, nowMs: number): Promise<Market[]>;
  /** The market-data shard for a new market. */
  shardOf(ticker: string): number;
  /** Register the slot in the BookStore. Throws: nothing was written (the slot is given back, the market refused). */
  register(slot: Slot, market: Market): void;
  /** Tell the stages (execution, inference, market data — in that order). Rejects: the slot is retired. */
  attach(slot: Slot, market: Market): Promise<void>;
  /** A slot left `live` or closed: wind it down (winding) or halt and unsubscribe it (closed). */
  retire(t: Transition): void;
  log(line: string): void;
  /** Journal a rotation event (optional). */
  record?(event: string, detail: Record<string, unknown>): void;
}

export interface RotationOptions {
  slots: MarketSlots;
  hooks: RotationHooks;
  /** Wall clock, ms. */
  nowMs: () => number;
  /** Periodic re-discovery, ms (`--rediscover-s`). */
  periodMs: number;
  /** Least time between two runs, ms (default min(MIN_REDISCOVER_INTERVAL_MS, periodMs)). */
  minIntervalMs?: number;
  /** Close-time check period, ms (default CLOSE_CHECK_INTERVAL_MS). */
  checkIntervalMs?: number;
}

export interface RotationCounters {
  /** Discovery runs made, and those that failed. */
  runs: number;
  discoveryErrors: number;
  /** Markets added while running. */
  added: number;
  /** Slots that left `live`, and slots closed. */
  retired: number;
  closed: number;
  /** Candidates refused (grid too fine, registration failed) and additions a stage refused. */
  refused: number;
  failed: number;
  /** Requests that found every slot used. */
  exhausted: number;
}

/** The driver: timers, the rate limit, one run at a time (see the file comment). */
export class MarketRotation {
  readonly counters: RotationCounters = { runs: 0, discoveryErrors: 0, added: 0, retired: 0, closed: 0, refused: 0, failed: 0, exhausted: 0 };
  readonly slots: MarketSlots;
  private readonly hooks: RotationHooks;
  private readonly minIntervalMs: number;
  private running: Promise<void> | undefined;
  private again = false;
  private lastRunMs = Number.NEGATIVE_INFINITY;
  private deferred: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private check: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private exhaustedLogged = false;

  constructor(private readonly o: RotationOptions) {
    this.slots = o.slots;
    this.hooks = o.hooks;
    this.minIntervalMs = o.minIntervalMs ?? Math.min(MIN_REDISCOVER_INTERVAL_MS, o.periodMs);
  }

  /** Timers on; a first check (and a run, if markets are missing). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.periodic = setInterval(() => this.request('periodic'), this.o.periodMs);
    this.periodic.unref();
    this.check = setInterval(() => this.checkCloses(), this.o.checkIntervalMs ?? CLOSE_CHECK_INTERVAL_MS);
    this.check.unref();
    this.checkCloses();
    this.request('start');
  }

  /** A channel event from the market-data stage (anything but `market_lifecycle_v2` is ignored). */
  onLifecycle(event: unknown): void {
    if (this.stopped) return;
    const signal = lifecycleSignal(event);
    if (signal === undefined) return;
    this.apply(this.slots.onLifecycle(signal, this.o.nowMs()));
  }

  /** Apply the close-time rules now. */
  checkCloses(): void {
    if (this.stopped) return;
    this.apply(this.slots.tick(this.o.nowMs()));
  }

  /** Ask for a re-discovery: now, at the end of the rate-limit interval, or after the run in progress. */
  request(reason: string): void {
    if (this.stopped || !this.started) return;
    if (this.slots.needed() === 0) return;
    if (this.slots.free === 0) {
      this.exhausted();
      return;
    }
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    const now = this.o.nowMs();
    const wait = this.lastRunMs + this.minIntervalMs - now;
    if (wait > 0) {
      if (this.deferred === undefined) {
        this.deferred = setTimeout(() => {
          this.deferred = undefined;
          this.request(reason);
        }, wait);
        this.deferred.unref();
      }
      return;
    }
    this.lastRunMs = now;
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.request('again');
      }
    });
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Timers off; waits for the run in progress. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.periodic);
    clearInterval(this.check);
    clearTimeout(this.deferred);
    await this.idle();
  }

  private apply(ts: Transition[]): void {
    let leftLive = false;
    for (const t of ts) {
      if (t.from === 'live') {
        leftLive = true;
        this.counters.retired++;
      }
      if (t.to === 'closed') this.counters.closed++;
      try {
        this.hooks.retire(t);
      } catch (err) {
        this.hooks.log(`market rotation: retiring ${t.slot.ticker} (slot ${t.slot.index}) failed: ${messageOf(err)}`);
      }
      this.hooks.log(`market rotation: ${t.slot.ticker} (slot ${t.slot.index}) ${t.to === 'closed' ? 'closed' : 'winding down (closings only)'}: ${t.reason}`);
      this.hooks.record?.(t.to === 'closed' ? 'market_closed' : 'market_winding', { ticker: t.slot.ticker, slot: t.slot.index, from: t.from, reason: t.reason });
    }
    if (leftLive) this.request('a market closed');
  }

  private exhausted(): void {
    this.counters.exhausted++;
    if (this.exhaustedLogged) return;
    this.exhaustedLogged = true;
    const r = this.slots.rules;
    this.hooks.log(`market rotation: all ${r.capacity} market slots are used; closed markets are no longer replaced (${this.slots.live} of ${r.maxMarkets} markets live; --market-slots raises the capacity)`);
    this.hooks.record?.('slots_exhausted', { capacity: r.capacity, live: this.slots.live, maxMarkets: r.maxMarkets });
  }

  private async run(): Promise<void> {
    const need = this.slots.needed();
    if (need === 0) return;
    this.counters.runs++;
    let candidates: Market[];
    try {
      candidates = await this.hooks.discover(this.slots.known(), need + DISCOVERY_SLACK, this.o.nowMs());
    } catch (err) {
      this.counters.discoveryErrors++;
      this.hooks.log(`market rotation: discovery failed: ${messageOf(err)}`);
      return;
    }
    // A market refused at registration leaves its place to the next candidate in this run; a
    // stage that refuses one ends the run (the next comes after the interval: a broken stage
    // must not burn every slot at once).
    let refusedAny = true;
    while (refusedAny && !this.stopped) {
      refusedAny = false;
      const { add, refused } = this.slots.choose(candidates, this.o.nowMs());
      if (add.length === 0 && refused.length === 0) break;
      for (const r of refused) {
        this.counters.refused++;
        this.hooks.log(`market rotation: ${r.ticker} refused: ${r.reason}`);
        this.hooks.record?.('market_refused', { ticker: r.ticker, reason: r.reason });
      }
      for (const m of add) {
        if (this.stopped) return;
        const slot = this.slots.hold(m, this.hooks.shardOf(m.ticker), this.o.nowMs());
        try {
          this.hooks.register(slot, m);
        } catch (err) {
          this.slots.release(slot, messageOf(err));
          refusedAny = true;
          this.counters.refused++;
          this.hooks.log(`market rotation: ${m.ticker} refused: ${messageOf(err)}`);
          this.hooks.record?.('market_refused', { ticker: m.ticker, reason: messageOf(err) });
          continue;
        }
        try {
          await this.hooks.attach(slot, m);
        } catch (err) {
          this.counters.failed++;
          this.hooks.log(`market rotation: adding ${m.ticker} (slot ${slot.index}) failed: ${messageOf(err)}`);
          this.apply(this.slots.fail(slot, `a stage refused it: ${messageOf(err)}`));
          return;
        }
        this.counters.added++;
        this.hooks.log(`market rotation: trading ${m.ticker} in slot ${slot.index} (shard ${slot.shard}); ${this.slots.live} of ${this.slots.rules.maxMarkets} markets live, ${this.slots.used} of ${this.slots.rules.capacity} slots used`);
        this.hooks.record?.('market_added', { ticker: m.ticker, slot: slot.index, shard: slot.shard, closeTimeMs: m.closeTimeMs });
      }
    }
    if (this.slots.needed() > 0 && this.slots.free === 0) this.exhausted();
  }
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);
}
