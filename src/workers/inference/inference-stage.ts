/**
 * The inference stage (architecture.md §4 step 2), the same code in a worker thread (threaded
 * topology) or on the one thread (inline): drain the dirty markets of its channels, build each
 * one's 52 features into one batch, ask the policy for the whole batch at once, and turn every
 * non-HOLD action into an intent on the ring to execution. HOLD stays here and is counted.
 *
 * Cost per decision (bench/README.md): the observation (≈0.8 µs with the reads), the policy's
 * share of the batch, one ring push. The stage allocates nothing per market; a policy that
 * returns a Promise (onnxruntime) is awaited once per batch.
 *
 * An intent that finds the ring full is dropped and counted: the market's next book change
 * brings a fresh decision, and an execution thread that far behind must not be fed stale ones.
 * A market whose book is stale or unregistered is skipped (counted): nothing trades a stale book.
 *
 * Markets added while it runs (market rotation, src/main/host/market-rotation.ts): `addMarket`
 * gives a channel's next shard-local index its global slot and the slot its meta. The main
 * thread calls it (or posts it) before the market-data stage learns of the market, so no dirty
 * mark can name a local index this stage does not know; one that did would be skipped.
 */
import type { DecisionBoard } from '../../shared/decision-board.js';
import { emptyBookTop, type BookStore } from '../../shared/book-store.js';
import type { DirtyMarkets } from '../../shared/dirty-markets.js';
import { NO_DIRTY_MARKET } from '../../shared/dirty-markets.js';
import { LatencyHistogram } from '../../shared/latency-histogram.js';
import type { MarketMeta } from '../../shared/observation/build.js';
import { FEATURE_COUNT } from '../../shared/observation/features.js';
import { MarketHistory } from '../../shared/observation/market-history.js';
import { ObservationReader } from '../../shared/observation/reader.js';
import { Action } from '../../shared/policy/actions.js';
import type { Policy } from '../../shared/policy/policy.js';
import type { PositionBoard } from '../../shared/position-board.js';
import { spinFor, type SpscRing } from '../../shared/spsc-ring.js';
import { INTENT_WORDS, I_ACTION, I_BOOK_VERSION, I_DECIDE_US, I_ENQUEUE_HI, I_MARKET, I_RECEIVE_HI, writeNs } from './intent-record.js';

/** One market-data shard's dirty channel and its shard-local → global market indexes. */
export interface DirtyChannel {
  dirty: DirtyMarkets;
  toGlobal: Int32Array;
}

export interface InferenceStageOptions {
  books: BookStore;
  board: PositionBoard;
  channels: DirtyChannel[];
  policy: Policy;
  /** SPSC ring of INTENT_WORDS-word records to the execution stage. */
  intents: SpscRing;
  /** Per global market index; undefined for markets not traded. */
  meta: ReadonlyArray<MarketMeta | undefined>;
  /** Most markets per policy call (default 256). */
  maxBatch?: number;
  /** Wall clock, ms (tests inject one). */
  nowMs?: () => number;
  /** Monotonic clock, ns. */
  nowNs?: () => number;
  /** Keep every decision (market, book version, action) for `takeDecisions` — the journal's 'decision' records. */
  recordDecisions?: boolean;
  /** Where the last decision per market is published (the dashboard); this stage writes its markets' slots. */
  decisions?: DecisionBoard;
}

/** One decision as the journal records it. */
export interface DecisionRecord {
  market: number;
  /** BookTop.updates of the book the decision was taken on. */
  bookVersion: number;
  action: number;
  /** Book update received → decision, µs. */
  decideUs: number;
  /** Wall clock of the batch, ms. */
  atMs: number;
}

/** Decisions kept between two `takeDecisions` at most (older ones are counted, not kept). */
const MAX_KEPT_DECISIONS = 1 << 20;

export interface InferenceCounters {
  decisions: number;
  holds: number;
  intents: number;
  /** Intents dropped because the ring to execution was full. */
  dropped: number;
  /** Markets skipped: stale book, or a read that failed. */
  skippedStale: number;
  skippedRead: number;
  /**
   * Markets popped again at a book version already decided: an update that lands between the
   * reader clearing the dirty flag and reading the book re-dirties the market although the read
   * already saw it (dirty-markets.ts). Skipped — same book, same decision, no second intent.
   */
  skippedUnchanged: number;
  batches: number;
  /** Decisions per action (index = Action). */
  byAction: number[];
}

const hrNs = (): number => {
  const t = process.hrtime();
  return t[0] * 1e9 + t[1];
};

export class InferenceStage {
  readonly counters: InferenceCounters = { decisions: 0, holds: 0, intents: 0, dropped: 0, skippedStale: 0, skippedRead: 0, skippedUnchanged: 0, batches: 0, byAction: [0, 0, 0, 0, 0] };
  /** Receipt of the book update → decision taken, ns. */
  readonly latency = new LatencyHistogram();
  /**
   * The decision path's hops inside this stage, ns (bench: src/main/bench/bench-types.ts):
   * book applied (BookTop.appliedNs) → this market's features built; built → the batch's policy
   * returned; policy returned → the intent published on the ring (intents only).
   */
  readonly stages = { appliedToObserved: new LatencyHistogram(), observedToDecided: new LatencyHistogram(), decidedToEnqueued: new LatencyHistogram() };
  private readonly reader: ObservationReader;
  private readonly batch: Float32Array;
  private readonly actions: Uint8Array;
  private readonly markets: Int32Array;
  private readonly versions: Int32Array;
  private readonly received: Float64Array;
  private readonly applied: Float64Array;
  private readonly observed: Float64Array;
  private readonly record = new Int32Array(INTENT_WORDS);
  private readonly maxBatch: number;
  private readonly nowMs: () => number;
  private readonly nowNs: () => number;
  private next = 0; // round-robin start among channels
  /** Per slot: the book version last decided on (NaN: never). */
  private readonly decided: Float64Array;
  private readonly peekTop = emptyBookTop();
  /** Flat [market, version, action, decideUs, atMs] × n, when recording. */
  private kept: number[] = [];
  /** Decisions not kept because `takeDecisions` was not called in time. */
  decisionsNotKept = 0;
  private batchAtMs = 0;
  /** The channels (own copies: `addMarket` extends their `toGlobal`). */
  private readonly channels: DirtyChannel[];
  /** Per global slot (own copy: `addMarket` fills it in). */
  private readonly meta: Array<MarketMeta | undefined>;

  constructor(private readonly o: InferenceStageOptions) {
    if (o.channels.length === 0) throw new RangeError('an inference stage needs at least one dirty channel');
    this.channels = o.channels.map((c) => ({ dirty: c.dirty, toGlobal: c.toGlobal }));
    this.meta = Array.from(o.meta);
    this.maxBatch = o.maxBatch ?? 256;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${o.maxBatch}`);
    const firstMeta = o.meta.find((m) => m !== undefined);
    if (firstMeta === undefined) throw new RangeError('an inference stage needs at least one traded market');
    this.reader = new ObservationReader(o.books, o.board, new MarketHistory(o.meta.length), firstMeta);
    this.batch = new Float32Array(this.maxBatch * FEATURE_COUNT);
    this.decided = new Float64Array(o.books.maxMarkets).fill(Number.NaN);
    this.actions = new Uint8Array(this.maxBatch);
    this.markets = new Int32Array(this.maxBatch);
    this.versions = new Int32Array(this.maxBatch);
    this.received = new Float64Array(this.maxBatch);
    this.applied = new Float64Array(this.maxBatch);
    this.observed = new Float64Array(this.maxBatch);
    this.nowMs = o.nowMs ?? Date.now;
    this.nowNs = o.nowNs ?? hrNs;
  }

  /** Markets waiting in the channels. */
  pending(): number {
    let n = 0;
    for (const c of this.channels) n += c.dirty.pending();
    return n;
  }

  /**
   * A market added while running (cold path): shard-local index `local` of channel `channel` is
   * global slot `market`, whose close time and grid are `meta`. The slot must be inside the
   * meta table given at construction (its size is the history's) and not yet traded; the local
   * index not yet mapped.
   */
  /** The market's close time moved; a slot this stage does not trade is ignored. */
  setCloseTime(market: number, closeTimeMs: number): void {
    const m = this.meta[market];
    if (m !== undefined && Number.isFinite(closeTimeMs) && closeTimeMs > 0) this.meta[market] = { ...m, closeTimeMs };
  }

  addMarket(channel: number, local: number, market: number, meta: MarketMeta): void {
    const c = this.channels[channel];
    if (c === undefined) throw new RangeError(`channel ${channel} outside 0..${this.channels.length - 1}`);
    if (!Number.isInteger(market) || market < 0 || market >= this.meta.length) throw new RangeError(`market slot ${market} outside 0..${this.meta.length - 1}`);
    if (this.meta[market] !== undefined) throw new RangeError(`market slot ${market} is already traded`);
    if (!Number.isInteger(local) || local < 0 || local >= c.dirty.markets) throw new RangeError(`local index ${local} outside the channel's 0..${c.dirty.markets - 1}`);
    if (local < c.toGlobal.length && c.toGlobal[local] >= 0) throw new RangeError(`local index ${local} of channel ${channel} is already slot ${c.toGlobal[local]}`);
    if (local >= c.toGlobal.length) {
      const grown = new Int32Array(Math.min(c.dirty.markets, Math.max(local + 1, 2 * c.toGlobal.length))).fill(-1);
      grown.set(c.toGlobal);
      c.toGlobal = grown;
    }
    this.meta[market] = meta;
    c.toGlobal[local] = market;
  }

  /**
   * Drain up to one batch of dirty markets, decide, emit intents. Returns the markets decided
   * (0 when nothing was dirty). A Promise only when the policy is asynchronous.
   */
  step(): number | Promise<number> {
    const n = this.collect();
    if (n === 0) return 0;
    const done = this.o.policy.decide(this.batch, n, this.actions);
    if (done instanceof Promise) return done.then(() => this.emit(n));
    return this.emit(n);
  }

  /**
   * Wait (event loop kept alive) until some channel has a dirty market or `timeoutMs` passes;
   * with `spinUs` > 0, busy-poll the channels that long first (spin-then-park, spsc-ring.ts `spinFor`).
   */
  waitForWork(timeoutMs: number, spinUs = 0): Promise<boolean> {
    if (this.pending() > 0) return Promise.resolve(true);
    if (spinUs > 0 && spinFor(spinUs, () => this.pending() > 0)) return Promise.resolve(true);
    const channels = this.channels;
    if (channels.length === 1) return channels[0].dirty.waitForDirtyAsync(timeoutMs);
    // Resolves true as soon as any channel has work, false once every wait timed out.
    return new Promise<boolean>((resolve) => {
      let left = channels.length;
      for (const c of channels) {
        void c.dirty.waitForDirtyAsync(timeoutMs).then((ready) => {
          left--;
          if (ready) resolve(true);
          else if (left === 0) resolve(false);
        });
      }
    });
  }

  /** The decisions kept since the last call (only with `recordDecisions`). */
  takeDecisions(): DecisionRecord[] {
    const k = this.kept;
    const out: DecisionRecord[] = new Array(k.length / 5);
    for (let i = 0, j = 0; i < k.length; i += 5, j++) out[j] = { market: k[i], bookVersion: k[i + 1], action: k[i + 2], decideUs: k[i + 3], atMs: k[i + 4] };
    this.kept = [];
    return out;
  }

  private keep(market: number, version: number, action: number, decideUs: number): void {
    if (this.kept.length >= MAX_KEPT_DECISIONS * 5) {
      this.decisionsNotKept++;
      return;
    }
    this.kept.push(market, version, action, decideUs, this.batchAtMs);
  }

  private collect(): number {
    const channels = this.channels;
    const meta = this.meta;
    const nowMs = this.nowMs();
    const nowNs = this.nowNs();
    this.batchAtMs = nowMs;
    let n = 0;
    let emptyRounds = 0;
    // Round-robin across channels, one market at a time, so one busy shard cannot starve another.
    while (n < this.maxBatch && emptyRounds < channels.length) {
      const c = channels[this.next];
      this.next = this.next + 1 === channels.length ? 0 : this.next + 1;
      const local = c.dirty.nextDirty();
      if (local === NO_DIRTY_MARKET) {
        emptyRounds++;
        continue;
      }
      emptyRounds = 0;
      const market = local < c.toGlobal.length ? c.toGlobal[local] : -1;
      const m = market >= 0 ? meta[market] : undefined;
      if (m === undefined) continue;
      if (this.o.books.readTop(market, this.peekTop) && this.decided[market] === (this.peekTop.updates | 0)) {
        this.counters.skippedUnchanged++;
        continue;
      }
      const outcome = this.reader.observe(market, m, nowMs, nowNs, this.batch, n * FEATURE_COUNT);
      if (outcome !== 'ok') {
        this.counters.skippedRead++;
        continue;
      }
      const top = this.reader.input.top;
      if (top.stale) {
        this.counters.skippedStale++;
        continue;
      }
      this.markets[n] = market;
      this.versions[n] = top.updates | 0;
      this.decided[market] = top.updates | 0;
      this.received[n] = top.receiveNs;
      this.applied[n] = top.appliedNs;
      this.observed[n] = this.nowNs(); // one clock read per decision (≈ 50 ns)
      n++;
    }
    return n;
  }

  private emit(n: number): number {
    const c = this.counters;
    const decidedNs = this.nowNs();
    const rec = this.record;
    const st = this.stages;
    c.batches++;
    for (let i = 0; i < n; i++) {
      const action = this.actions[i];
      c.decisions++;
      c.byAction[action]++;
      this.o.decisions?.record(this.markets[i], action, this.batchAtMs);
      const waitedNs = decidedNs - this.received[i];
      this.latency.record(waitedNs);
      if (this.applied[i] > 0) st.appliedToObserved.record(this.observed[i] - this.applied[i]);
      st.observedToDecided.record(decidedNs - this.observed[i]);
      const decideUs = Math.min(0x7fffffff, Math.max(0, Math.round(waitedNs / 1000)));
      if (this.o.recordDecisions) this.keep(this.markets[i], this.versions[i], action, decideUs);
      if (action === Action.HOLD) {
        c.holds++;
        continue;
      }
      rec[I_MARKET] = this.markets[i];
      rec[I_ACTION] = action;
      rec[I_BOOK_VERSION] = this.versions[i];
      rec[I_DECIDE_US] = decideUs;
      writeNs(rec, I_RECEIVE_HI, this.received[i]);
      const enqueueNs = this.nowNs();
      writeNs(rec, I_ENQUEUE_HI, enqueueNs);
      if (this.o.intents.tryPush(rec)) {
        c.intents++;
        st.decidedToEnqueued.record(enqueueNs - decidedNs);
      } else c.dropped++;
    }
    return n;
  }
}
