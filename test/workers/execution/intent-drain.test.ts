/** IntentDrain: records from every ring in turn, with their stamps; parks (or spins, then parks) when idle; stops at once. */
import { describe, expect, it } from 'vitest';
import { SpscRing } from '../../../src/shared/spsc-ring.js';
import { IntentDrain } from '../../../src/workers/execution/intent-drain.js';
import { INTENT_WORDS, I_ACTION, I_ENQUEUE_HI, I_MARKET, I_RECEIVE_HI, writeNs } from '../../../src/workers/inference/intent-record.js';

function push(ring: SpscRing, market: number, action: number, enqueuedNs: number, receivedNs: number): void {
  const rec = new Int32Array(INTENT_WORDS);
  rec[I_MARKET] = market;
  rec[I_ACTION] = action;
  writeNs(rec, I_ENQUEUE_HI, enqueuedNs);
  writeNs(rec, I_RECEIVE_HI, receivedNs);
  expect(ring.tryPush(rec)).toBe(true);
}

async function until(ok: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('IntentDrain', () => {
  it('takes every record, round robin across rings, with its stamps, and counts them per ring', () => {
    const rings = [SpscRing.create(16, INTENT_WORDS), SpscRing.create(16, INTENT_WORDS)];
    for (let i = 0; i < 3; i++) push(rings[0], i, 1, 1_000 + i, 500 + i);
    push(rings[1], 10, 2, 2_000_000_000_123, 2_000_000_000_001); // stamps past 2^32 ns stay exact
    const seen: number[][] = [];
    const taken = [0, 0];
    const drain = new IntentDrain(rings, taken, (m, a, e, r) => seen.push([m, a, e, r]));
    expect(drain.drain()).toBe(4);
    expect(taken).toEqual([3, 1]);
    expect(seen).toContainEqual([10, 2, 2_000_000_000_123, 2_000_000_000_001]);
    expect(seen.filter((s) => s[0] < 10).map((s) => s[0])).toEqual([0, 1, 2]); // FIFO within a ring
    expect(drain.drain()).toBe(0);
  });

  for (const spinUs of [0, 200]) {
    it(`run() waits for records that come later and stops at once (spin ${spinUs} µs before parking)`, async () => {
      const ring = SpscRing.create(16, INTENT_WORDS);
      const seen: number[] = [];
      const drain = new IntentDrain([ring], [0], (m) => seen.push(m), spinUs);
      const running = drain.run();
      push(ring, 1, 1, 0, 0);
      await until(() => seen.length === 1);
      setTimeout(() => push(ring, 2, 1, 0, 0), 20); // lands while the loop is parked
      await until(() => seen.length === 2);
      expect(seen).toEqual([1, 2]);
      drain.stop();
      await running;
      push(ring, 3, 1, 0, 0);
      expect(drain.drain()).toBe(0); // stopped: nothing more is taken
    });
  }
});
