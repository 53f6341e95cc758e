/**
 * The DecisionBoard: the last decision per market slot in shared memory, written by the
 * inference stage that owns the slot and read by the main thread; here also across a real
 * worker thread (the writer) and this thread (the reader).
 */
import { describe, expect, it } from 'vitest';
import { DecisionBoard, type LastDecision } from '../../src/shared/decision-board.js';
import { Action } from '../../src/shared/policy/actions.js';
import { siblingModule, spawnWorker, workerExit } from '../../src/shared/worker-spawn.js';

describe('DecisionBoard', () => {
  it('reads never-decided slots as action −1, then the last decision and its time', () => {
    const b = DecisionBoard.create(4);
    const out: LastDecision = { action: 0, atMs: 0 };
    expect(b.read(2, out)).toEqual({ action: -1, atMs: 0 });
    b.record(2, Action.BUY_NO, 1_700_000_000_123);
    b.record(2, Action.HOLD, 1_700_000_000_456);
    expect(b.read(2, out)).toEqual({ action: Action.HOLD, atMs: 1_700_000_000_456 });
    expect(b.read(1, out)).toEqual({ action: -1, atMs: 0 });
  });

  it('ignores slots outside the board; refuses a bad capacity or a short buffer', () => {
    const b = DecisionBoard.create(2);
    b.record(2, Action.BUY_YES, 1);
    b.record(-1, Action.BUY_YES, 1);
    b.record(0.5, Action.BUY_YES, 1);
    const out: LastDecision = { action: 0, atMs: 0 };
    expect(b.read(2, out).action).toBe(-1);
    expect(b.read(0, out).action).toBe(-1);
    expect(() => DecisionBoard.create(0)).toThrow(/positive integer/);
    expect(() => DecisionBoard.attach({ buffer: new SharedArrayBuffer(16), capacity: 2 })).toThrow(/cannot hold 2 markets/);
  });

  it('a worker thread writes, this thread reads the same memory', async () => {
    const b = DecisionBoard.create(8);
    const worker = spawnWorker(siblingModule(import.meta.url, './workers/decision-board-worker'), { workerData: b.shared });
    const done = new Promise((resolve) => worker.once('message', resolve));
    await Promise.all([done, workerExit(worker)]);
    const out: LastDecision = { action: 0, atMs: 0 };
    for (let slot = 0; slot < 8; slot++) expect(b.read(slot, out)).toEqual({ action: slot % 5, atMs: 1000 + slot });
  });
});
