import { describe, expect, it } from 'vitest';
import { SEQUENCED_CHANNELS, SeqVerdict, SequenceTracker } from '../../../../src/shared/kalshi/ws/sequence.js';

describe('SequenceTracker', () => {
  it('accepts 1, 2, 3 … per sid, independently', () => {
    const t = new SequenceTracker();
    t.track(1);
    t.track(2);
    expect(t.check(1, 1)).toBe(SeqVerdict.IN_ORDER);
    expect(t.check(2, 1)).toBe(SeqVerdict.IN_ORDER);
    expect(t.check(1, 2)).toBe(SeqVerdict.IN_ORDER);
    expect(t.check(1, 3)).toBe(SeqVerdict.IN_ORDER);
    expect(t.check(2, 2)).toBe(SeqVerdict.IN_ORDER);
    expect(t.lastSeq(1)).toBe(3);
  });

  it('reports a gap once and moves on; the expected number is kept', () => {
    const t = new SequenceTracker();
    t.track(5);
    t.check(5, 1);
    expect(t.check(5, 4)).toBe(SeqVerdict.GAP);
    expect(t.lastGapExpected).toBe(2);
    expect(t.check(5, 5)).toBe(SeqVerdict.IN_ORDER);
  });

  it('a first frame other than 1 is a gap', () => {
    const t = new SequenceTracker();
    t.track(3);
    expect(t.check(3, 2)).toBe(SeqVerdict.GAP);
    expect(t.lastGapExpected).toBe(1);
  });

  it('seq ≤ last is a duplicate and changes nothing', () => {
    const t = new SequenceTracker();
    t.track(1);
    t.check(1, 1);
    t.check(1, 2);
    expect(t.check(1, 2)).toBe(SeqVerdict.DUPLICATE);
    expect(t.check(1, 1)).toBe(SeqVerdict.DUPLICATE);
    expect(t.check(1, 3)).toBe(SeqVerdict.IN_ORDER);
  });

  it('untracked and forgotten sids are UNTRACKED; reset forgets all', () => {
    const t = new SequenceTracker();
    expect(t.check(9, 1)).toBe(SeqVerdict.UNTRACKED);
    t.track(9);
    t.check(9, 1);
    t.untrack(9);
    expect(t.check(9, 2)).toBe(SeqVerdict.UNTRACKED);
    t.track(1);
    t.track(100_000); // beyond the dense table: the Map path
    t.check(100_000, 1);
    expect(t.check(100_000, 2)).toBe(SeqVerdict.IN_ORDER);
    t.reset();
    expect(t.isTracked(1)).toBe(false);
    expect(t.check(100_000, 3)).toBe(SeqVerdict.UNTRACKED);
  });

  it('grows for sids past its initial table, keeping the others', () => {
    const t = new SequenceTracker();
    t.track(1);
    t.check(1, 1);
    t.track(5_000);
    expect(t.check(5_000, 1)).toBe(SeqVerdict.IN_ORDER);
    expect(t.check(1, 2)).toBe(SeqVerdict.IN_ORDER);
    expect(t.check(4_999, 1)).toBe(SeqVerdict.UNTRACKED);
  });

  it('holds sequence numbers past 2^31 exactly', () => {
    const t = new SequenceTracker();
    t.track(1);
    t.check(1, 1);
    expect(t.acknowledge(1, 2)).toBe(SeqVerdict.IN_ORDER);
    expect(t.acknowledge(1, 2 ** 33)).toBe(SeqVerdict.GAP);
    expect(t.check(1, 2 ** 33 + 1)).toBe(SeqVerdict.IN_ORDER);
  });

  it('acknowledge (ok / error / unsubscribed seq): ≤ last + 1 advances quietly, beyond is a gap', () => {
    const t = new SequenceTracker();
    t.track(2);
    t.check(2, 1);
    t.check(2, 2);
    expect(t.acknowledge(2, 2)).toBe(SeqVerdict.IN_ORDER); // an ack repeating the last number
    expect(t.check(2, 3)).toBe(SeqVerdict.IN_ORDER);
    expect(t.acknowledge(2, 4)).toBe(SeqVerdict.IN_ORDER); // an ack that consumed a number
    expect(t.check(2, 5)).toBe(SeqVerdict.IN_ORDER);
    expect(t.acknowledge(2, 1)).toBe(SeqVerdict.IN_ORDER); // stale ack: nothing changes
    expect(t.lastSeq(2)).toBe(5);
    expect(t.acknowledge(2, 8)).toBe(SeqVerdict.GAP); // 6 and 7 never arrived
    expect(t.lastGapExpected).toBe(6);
    expect(t.acknowledge(77, 1)).toBe(SeqVerdict.UNTRACKED);
  });

  it('knows which channels carry seq (kalshi-api.md §2.3)', () => {
    for (const c of ['orderbook_delta', 'trade', 'order_group_updates', 'market_lifecycle_v2']) expect(SEQUENCED_CHANNELS.has(c)).toBe(true);
    for (const c of ['ticker', 'fill', 'market_positions', 'user_orders']) expect(SEQUENCED_CHANNELS.has(c)).toBe(false);
  });
});
