/** The inference stage on real shared memory: dirty markets → one batch → policy → intents; HOLD stays. */
import { describe, expect, it } from 'vitest';
import { BookStore } from '../../../src/shared/book-store.js';
import { DirtyMarkets } from '../../../src/shared/dirty-markets.js';
import { SIDE_YES } from '../../../src/shared/book-layout.js';
import { Action } from '../../../src/shared/policy/actions.js';
import { HardcodedPolicy, HoldPolicy } from '../../../src/shared/policy/rules.js';
import type { Policy } from '../../../src/shared/policy/policy.js';
import { FEATURE_SPEC_HASH, F_CLOSING_SOON, F_TIME_TO_CLOSE } from '../../../src/shared/observation/features.js';
import { PositionBoard } from '../../../src/shared/position-board.js';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import { SpscRing } from '../../../src/shared/spsc-ring.js';
import { InferenceStage } from '../../../src/workers/inference/inference-stage.js';
import { INTENT_WORDS, I_ACTION, I_ENQUEUE_HI, I_MARKET, I_RECEIVE_HI, readNs } from '../../../src/workers/inference/intent-record.js';

const GRID = PriceGrid.forStructure('linear_cent');
const T0 = 1_767_225_600_000;

function rig(markets: number, policy: Policy, ringCapacity = 64, maxBatch?: number) {
  const books = BookStore.create({ maxMarkets: markets });
  const board = PositionBoard.create(markets);
  for (let m = 0; m < markets; m++) {
    books.registerMarket(m, GRID);
    books.applySnapshot(m, [4000, 1000, 4100, 500], 2, [5500, 800], 1, T0, 1);
  }
  // two shards: even markets on shard 0, odd on shard 1 (shard-local indexes)
  const shards = [0, 1].map((s) => {
    const globals = Array.from({ length: markets }, (_, m) => m).filter((m) => m % 2 === s);
    return { dirty: DirtyMarkets.create(globals.length), toGlobal: Int32Array.from(globals) };
  });
  const intents = SpscRing.create(ringCapacity, INTENT_WORDS);
  const meta = Array.from({ length: markets }, () => ({ closeTimeMs: T0 + 3_600_000, grid: GRID }));
  const stage = new InferenceStage({ books, board, channels: shards, policy, intents, meta, maxBatch, nowMs: () => T0 + 1000 });
  const touch = (m: number) => shards[m % 2].dirty.markDirty(Math.floor(m / 2));
  const drain = () => {
    const out: Array<[number, number]> = [];
    const rec = new Int32Array(INTENT_WORDS);
    while (intents.tryPop(rec)) out.push([rec[I_MARKET], rec[I_ACTION]]);
    return out;
  };
  return { books, stage, touch, drain, intents };
}

describe('InferenceStage', () => {
  it('decides every dirty market once per batch; non-HOLD become intents with the global market index', async () => {
    const { stage, touch, drain } = rig(8, new HardcodedPolicy([Action.BUY_YES, Action.HOLD]));
    for (let m = 0; m < 8; m++) {
      touch(m);
      touch(m); // coalesced: still one decision
    }
    expect(stage.pending()).toBe(8);
    expect(await stage.step()).toBe(8);
    expect(stage.counters).toMatchObject({ decisions: 8, holds: 4, intents: 4, batches: 1, dropped: 0 });
    const intents = drain();
    expect(intents).toHaveLength(4);
    expect(new Set(intents.map(([m]) => m)).size).toBe(4);
    for (const [m, a] of intents) {
      expect(m).toBeGreaterThanOrEqual(0);
      expect(m).toBeLessThan(8);
      expect(a).toBe(Action.BUY_YES);
    }
    expect(await stage.step()).toBe(0);
    expect(stage.latency.count).toBe(8);
  });

  it('measures its hops on the one clock: book applied → observed → decided → enqueued (the intent carries its enqueue stamp)', async () => {
    const books = BookStore.create({ maxMarkets: 2 });
    const board = PositionBoard.create(2);
    for (let m = 0; m < 2; m++) {
      books.registerMarket(m, GRID);
      books.applySnapshot(m, [4000, 1000], 1, [5500, 800], 1, T0, 4_000);
      books.stampApplied(m, 5_000);
    }
    const dirty = DirtyMarkets.create(2);
    const intents = SpscRing.create(8, INTENT_WORDS);
    let clock = 9_000;
    const stage = new InferenceStage({
      books, board, channels: [{ dirty, toGlobal: Int32Array.from([0, 1]) }], policy: new HardcodedPolicy([Action.BUY_YES, Action.HOLD]), intents,
      meta: [{ closeTimeMs: T0 + 3_600_000, grid: GRID }, { closeTimeMs: T0 + 3_600_000, grid: GRID }], nowMs: () => T0 + 1000,
      nowNs: () => (clock += 1_000), // each read 1 µs after the last
    });
    dirty.markDirty(0);
    dirty.markDirty(1);
    expect(await stage.step()).toBe(2);
    // Reads: batch start 10,000; observed 11,000 and 12,000; decided 13,000; market 0's intent enqueued 14,000.
    const st = stage.stages;
    expect(st.appliedToObserved.snapshot()).toMatchObject({ total: 2, sumNs: 6_000 + 7_000, maxNs: 7_000 });
    expect(st.observedToDecided.snapshot()).toMatchObject({ total: 2, sumNs: 2_000 + 1_000, maxNs: 2_000 });
    expect(st.decidedToEnqueued.snapshot()).toMatchObject({ total: 1, sumNs: 1_000, maxNs: 1_000 });
    expect(stage.latency.snapshot()).toMatchObject({ total: 2, maxNs: 13_000 - 4_000 }); // received → decided
    const rec = new Int32Array(INTENT_WORDS);
    expect(intents.tryPop(rec)).toBe(true);
    expect(readNs(rec, I_ENQUEUE_HI)).toBe(14_000);
    expect(readNs(rec, I_RECEIVE_HI)).toBe(4_000);
  });

  it('round-robins the shards and caps the batch', async () => {
    const seen: number[] = [];
    const spy: Policy = {
      name: 'spy', featureSpecHash: FEATURE_SPEC_HASH,
      decide(_obs, count, actions) {
        seen.push(count);
        actions.fill(Action.HOLD, 0, count);
      },
    };
    const { stage, touch } = rig(10, spy, 64, 3);
    for (let m = 0; m < 10; m++) touch(m);
    let steps = 0;
    while ((await stage.step()) > 0) steps++;
    expect(seen).toEqual([3, 3, 3, 1]);
    expect(steps).toBe(4);
    expect(stage.counters.holds).toBe(10);
  });

  it('skips a stale book and never decides on it', async () => {
    const { stage, touch, books } = rig(2, new HardcodedPolicy([Action.BUY_NO]));
    books.markStale(0);
    touch(0);
    touch(1);
    expect(await stage.step()).toBe(1);
    expect(stage.counters.skippedStale).toBe(1);
    expect(stage.counters.intents).toBe(1);
  });

  it('drops (and counts) intents when execution is behind, never blocks', async () => {
    const { stage, touch, drain } = rig(40, new HardcodedPolicy([Action.SELL_YES]), 4);
    for (let m = 0; m < 40; m++) touch(m);
    await stage.step();
    expect(stage.counters.intents).toBe(4);
    expect(stage.counters.dropped).toBe(36);
    expect(drain()).toHaveLength(4);
  });

  it('awaits an asynchronous policy once per batch', async () => {
    let calls = 0;
    const slow: Policy = {
      name: 'async', featureSpecHash: FEATURE_SPEC_HASH,
      async decide(_obs, count, actions) {
        calls++;
        await Promise.resolve();
        actions.fill(Action.BUY_YES, 0, count);
      },
    };
    const { stage, touch, drain } = rig(6, slow);
    for (let m = 0; m < 6; m++) touch(m);
    const r = stage.step();
    expect(r).toBeInstanceOf(Promise);
    expect(await r).toBe(6);
    expect(calls).toBe(1);
    expect(drain()).toHaveLength(6);
  });

  it('waitForWork resolves on a dirty market and times out when idle', async () => {
    const { stage, touch, books } = rig(2, new HoldPolicy());
    expect(await stage.waitForWork(20)).toBe(false);
    const waiting = stage.waitForWork(5_000);
    books.applyDelta(1, SIDE_YES, 4000, 100, T0, 2);
    touch(1);
    expect(await waiting).toBe(true);
  });

  it('addMarket: a channel\'s next local index becomes a new global slot, decided under that slot; a slot or local index is never taken twice', async () => {
    const books = BookStore.create({ maxMarkets: 8 });
    const board = PositionBoard.create(8);
    for (const m of [0, 1, 6]) {
      books.registerMarket(m, GRID);
      books.applySnapshot(m, [4000, 1000], 1, [5500, 800], 1, T0, 1);
    }
    const dirty = [DirtyMarkets.create(8), DirtyMarkets.create(8)];
    const channels = [{ dirty: dirty[0], toGlobal: Int32Array.from([0]) }, { dirty: dirty[1], toGlobal: Int32Array.from([1]) }];
    const intents = SpscRing.create(64, INTENT_WORDS);
    const meta = [{ closeTimeMs: T0 + 3_600_000, grid: GRID }, { closeTimeMs: T0 + 3_600_000, grid: GRID }, ...new Array(6).fill(undefined)];
    const stage = new InferenceStage({ books, board, channels, policy: new HardcodedPolicy([Action.BUY_NO]), intents, meta, nowMs: () => T0 + 1000, recordDecisions: true });
    // A local index the stage does not know yet is skipped, not decided on slot garbage.
    dirty[1].markDirty(5);
    expect(await stage.step()).toBe(0);
    stage.addMarket(1, 5, 6, { closeTimeMs: T0 + 7_200_000, grid: GRID });
    expect(channels[1].toGlobal).toEqual(Int32Array.from([1])); // the caller's arrays are not touched
    expect(() => stage.addMarket(1, 5, 7, { closeTimeMs: T0, grid: GRID })).toThrow(/already slot 6/);
    expect(() => stage.addMarket(0, 3, 6, { closeTimeMs: T0, grid: GRID })).toThrow(/already traded/);
    expect(() => stage.addMarket(0, 3, 8, { closeTimeMs: T0, grid: GRID })).toThrow(/outside 0..7/);
    expect(() => stage.addMarket(2, 3, 7, { closeTimeMs: T0, grid: GRID })).toThrow(/channel 2/);
    expect(() => stage.addMarket(0, 8, 7, { closeTimeMs: T0, grid: GRID })).toThrow(/local index 8/);
    dirty[1].markDirty(5);
    dirty[0].markDirty(0);
    expect(await stage.step()).toBe(2);
    const rec = new Int32Array(INTENT_WORDS);
    const got: number[] = [];
    while (intents.tryPop(rec)) got.push(rec[I_MARKET]);
    expect(got.sort()).toEqual([0, 6]);
    expect(stage.takeDecisions().map((d) => d.market).sort()).toEqual([0, 6]);
  });
});

describe('InferenceStage.setCloseTime', () => {
  it('a moved close time reaches the observation (closing_soon, time_to_close); unknown slots are ignored', async () => {
    const rows: number[][] = [];
    const spy: Policy = {
      name: 'spy', featureSpecHash: FEATURE_SPEC_HASH,
      decide(obs, count, actions) {
        for (let i = 0; i < count; i++) rows.push([obs[i * 52 + F_TIME_TO_CLOSE], obs[i * 52 + F_CLOSING_SOON]]);
        actions.fill(Action.HOLD, 0, count);
      },
    };
    const { stage, touch, books } = rig(2, spy);
    touch(0);
    await stage.step();
    stage.setCloseTime(0, T0 + 1000 + 60_000); // a minute after the stage's clock
    stage.setCloseTime(99, T0); // not a slot of this stage: ignored
    books.applyDelta(0, SIDE_YES, 4000, 100, T0, 3); // the book moves: a new decision
    touch(0);
    await stage.step();
    expect(rows).toHaveLength(2);
    expect(rows[0][1]).toBe(0);
    expect(rows[1][1]).toBe(1);
    expect(rows[1][0]).toBeLessThan(rows[0][0]);
  });
});

describe('InferenceStage: a market popped again at a version already decided', () => {
  it('is skipped (counted), and decided again once its book moves', async () => {
    const { stage, touch, books } = rig(2, new HardcodedPolicy([Action.BUY_YES]));
    touch(0);
    expect(await stage.step()).toBe(1);
    touch(0); // re-dirtied with no new update: the same book
    expect(await stage.step()).toBe(0);
    expect(stage.counters.skippedUnchanged).toBe(1);
    books.applyDelta(0, SIDE_YES, 4000, 100, T0, 3);
    touch(0);
    expect(await stage.step()).toBe(1);
    expect(stage.counters.decisions).toBe(2);
  });
});
