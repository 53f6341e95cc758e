import { afterEach, describe, expect, it } from 'vitest';
import { threadId, type Worker } from 'node:worker_threads';
import { siblingModule, spawnWorker, workerExit } from '../../src/shared/worker-spawn.js';
import { PositionBoard, PositionBoardError } from '../../src/shared/position-board.js';
import { POSITION_BOARD_LAYOUT } from '../../src/shared/position-layout.js';
import {
  BreakerState,
  createAccountView,
  createMarketPositionView,
  MarketTradingState,
  TradingState,
  WorkingSide,
  type AccountState,
  type MarketPosition,
} from '../../src/shared/position-records.js';
import type { PositionBoardJob, PositionBoardReport } from './workers/position-board-worker.js';

// Control buffer of the fixture worker (Int32 slots, see its header comment).
const START = 0;
const STOP = 1;
const OK = 2;
const VERSIONS = 3;

const BIG = Number.MAX_SAFE_INTEGER;

function expectBoardError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PositionBoardError);
    expect((err as PositionBoardError).code).toBe(code);
    return;
  }
  throw new Error('expected a PositionBoardError');
}

const someMarket = (): MarketPosition => ({
  position: -1_250,
  costBasis: 4_375_000,
  realizedPnl: -BIG,
  feesPaid: BIG,
  workingSide: WorkingSide.ASK,
  workingPrice: 10_000,
  workingRemaining: 2_000_000,
  workingOrderCount: 2_147_483_647,
  lastOrderAtMs: 1_767_225_600_123,
  positionOpenedAtMs: 1_767_225_000_000,
  breakerState: BreakerState.HALF_OPEN,
  breakerErrorCount: 3,
  tradingState: MarketTradingState.REDUCING,
});

const someAccount = (): AccountState => ({
  cash: 2 ** 53 - 2,
  cashReserve: 50_000_000,
  portfolioValue: -(2 ** 53 - 1),
  invested: 0,
  recouped: 123_456_789_012,
  sessionStartCash: -1,
  sessionStartPortfolioValue: 1,
  tradingState: TradingState.RECOVERING,
  updatedAtMs: 1_767_225_600_999,
});

describe('PositionBoard, one thread', () => {
  it('round-trips every market field, including extremes, and counts updates', () => {
    const board = PositionBoard.create(4);
    const writer = board.claimWriter();
    const view = createMarketPositionView();
    expect(board.readMarket(3, view)).toBe(true);
    expect(view).toEqual(createMarketPositionView()); // zeroed: flat, INACTIVE, never written

    writer.writeMarket(3, someMarket());
    expect(board.readMarket(3, view)).toBe(true);
    expect(view).toEqual({ ...someMarket(), updateCount: 1 });

    const zero: MarketPosition = { ...createMarketPositionView() };
    writer.writeMarket(3, zero);
    writer.writeMarket(3, { ...someMarket(), position: BIG, costBasis: -BIG, realizedPnl: 0 });
    expect(board.readMarket(3, view)).toBe(true);
    expect(view).toEqual({ ...someMarket(), position: BIG, costBasis: -BIG, realizedPnl: 0, updateCount: 3 });

    // Other markets and the account are untouched; a view can be written back as a record.
    expect(board.readMarket(2, view)).toBe(true);
    expect(view.updateCount).toBe(0);
    writer.writeMarket(2, view);
    expect(board.readMarket(2, view) && view.updateCount).toBe(1);
    writer.release();
  });

  it('holds every 64-bit field exactly across the 32-bit and 53-bit edges', () => {
    const board = PositionBoard.create(1);
    const writer = board.claimWriter();
    const edges = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1, 2 ** 52 + 1, -(2 ** 52) - 3, BIG, -BIG];
    const market = createMarketPositionView();
    const account = createAccountView();
    for (const value of edges) {
      for (const field of ['position', 'costBasis', 'realizedPnl', 'feesPaid', 'lastOrderAtMs', 'positionOpenedAtMs'] as const) {
        writer.writeMarket(0, { ...someMarket(), [field]: value });
        expect(board.readMarket(0, market) && market[field]).toBe(value);
      }
      if (value >= 0) {
        writer.writeMarket(0, { ...someMarket(), workingRemaining: value });
        expect(board.readMarket(0, market) && market.workingRemaining).toBe(value);
      }
      for (const field of ['cash', 'cashReserve', 'portfolioValue', 'invested', 'recouped', 'sessionStartCash', 'sessionStartPortfolioValue', 'updatedAtMs'] as const) {
        writer.writeAccount({ ...someAccount(), [field]: value });
        expect(board.readAccount(account) && account[field]).toBe(value);
      }
    }
    writer.release();
  });

  it('round-trips every account field', () => {
    const board = PositionBoard.create(1);
    const writer = board.claimWriter();
    const view = createAccountView();
    expect(board.readAccount(view)).toBe(true);
    expect(view).toEqual(createAccountView());
    expect(view.tradingState).toBe(TradingState.BOOTING);
    writer.writeAccount(someAccount());
    expect(board.readAccount(view)).toBe(true);
    expect(view).toEqual({ ...someAccount(), updateCount: 1 });
    for (const state of Object.values(TradingState)) {
      writer.writeAccount({ ...someAccount(), tradingState: state });
      expect(board.readAccount(view) && view.tradingState).toBe(state);
    }
    writer.release();
  });

  it('rejects unsafe or non-integer values and leaves the record untouched', () => {
    const board = PositionBoard.create(2);
    const writer = board.claimWriter();
    writer.writeMarket(1, someMarket());
    writer.writeAccount(someAccount());
    const bad = [2 ** 53, -(2 ** 53), 1.5, -0.01, Number.NaN, Infinity, '5' as unknown as number, 10n as unknown as number];
    const moneyFields = ['position', 'costBasis', 'realizedPnl', 'feesPaid', 'workingRemaining', 'lastOrderAtMs', 'positionOpenedAtMs'] as const;
    for (const field of moneyFields) {
      for (const value of bad) {
        expectBoardError(() => writer.writeMarket(1, { ...someMarket(), [field]: value }), 'ERR_BOARD_VALUE');
      }
    }
    for (const field of ['cash', 'cashReserve', 'portfolioValue', 'invested', 'recouped', 'sessionStartCash', 'sessionStartPortfolioValue', 'updatedAtMs'] as const) {
      for (const value of bad) {
        expectBoardError(() => writer.writeAccount({ ...someAccount(), [field]: value }), 'ERR_BOARD_VALUE');
      }
    }
    // Field ranges: enums, price grid, non-negative counts.
    const outOfRange: [keyof MarketPosition, number][] = [
      ['workingSide', 3], ['workingSide', -1], ['workingPrice', 10_001], ['workingPrice', -1],
      ['workingRemaining', -100], ['workingOrderCount', -1], ['workingOrderCount', 2 ** 31],
      ['breakerState', 3], ['breakerErrorCount', -1], ['tradingState', 4], ['tradingState', 1.5],
    ];
    for (const [field, value] of outOfRange) {
      expectBoardError(() => writer.writeMarket(1, { ...someMarket(), [field]: value }), 'ERR_BOARD_VALUE');
    }
    expectBoardError(() => writer.writeAccount({ ...someAccount(), tradingState: 7 as TradingState }), 'ERR_BOARD_VALUE');

    const market = createMarketPositionView();
    expect(board.readMarket(1, market)).toBe(true);
    expect(market).toEqual({ ...someMarket(), updateCount: 1 });
    const account = createAccountView();
    expect(board.readAccount(account)).toBe(true);
    expect(account).toEqual({ ...someAccount(), updateCount: 1 });
    writer.release();
  });

  it('rejects market indexes out of range and bad capacities or buffers', () => {
    const board = PositionBoard.create(3);
    const writer = board.claimWriter();
    const view = createMarketPositionView();
    for (const index of [-1, 3, 1.5, Number.NaN]) {
      expectBoardError(() => board.readMarket(index, view), 'ERR_BOARD_INDEX');
      expectBoardError(() => writer.writeMarket(index, someMarket()), 'ERR_BOARD_INDEX');
    }
    for (const capacity of [0, -1, 2.5, 2 ** 23]) {
      expectBoardError(() => PositionBoard.create(capacity), 'ERR_BOARD_BUFFER');
    }
    expectBoardError(() => PositionBoard.attach({ buffer: new SharedArrayBuffer(4096) }), 'ERR_BOARD_BUFFER');
    const other = PositionBoard.attach(structuredClone(board.shared));
    expect(other.capacity).toBe(3);
    writer.writeMarket(2, someMarket());
    expect(other.readMarket(2, view) && view.position).toBe(someMarket().position);
    writer.release();
  });

  it('has one writer: claim, release, and no use after release', () => {
    const board = PositionBoard.create(1);
    expect(board.writerThreadId()).toBeUndefined();
    const writer = board.claimWriter();
    expect(board.writerThreadId()).toBe(threadId);
    expectBoardError(() => board.claimWriter(), 'ERR_BOARD_WRITER'); // even from the same thread
    expectBoardError(() => PositionBoard.attach(board.shared).claimWriter(), 'ERR_BOARD_WRITER');
    expect(board.releaseWriter(threadId + 1)).toBe(false); // not the holder: nothing changes
    writer.release();
    expect(board.writerThreadId()).toBeUndefined();
    expectBoardError(() => writer.writeAccount(someAccount()), 'ERR_BOARD_WRITER');
    expectBoardError(() => writer.writeMarket(0, someMarket()), 'ERR_BOARD_WRITER');
    const again = board.claimWriter();
    again.writeMarket(0, someMarket());
    again.release();
  });

  it('repairs a record left mid-write by a dead writer when the role is claimed again', () => {
    const board = PositionBoard.create(2);
    const writer = board.claimWriter();
    writer.writeMarket(1, someMarket());
    writer.writeAccount(someAccount());
    writer.release();
    // Simulate a writer that died inside writeMarket(1) and writeAccount: seqlock odd, fields torn.
    const ints = new Int32Array(board.shared.buffer);
    const { marketsOffset, marketBytes, accountOffset, seqSlot } = POSITION_BOARD_LAYOUT;
    const marketSeq = (marketsOffset + marketBytes) / 4 + seqSlot;
    const accountSeq = accountOffset / 4 + seqSlot;
    Atomics.add(ints, marketSeq, 1);
    Atomics.add(ints, accountSeq, 1);
    ints[marketSeq + 2] = 77; // a half-written field
    const market = createMarketPositionView();
    const account = createAccountView();
    expect(board.readMarket(1, market)).toBe(false); // busy: never a torn record
    expect(board.readAccount(account)).toBe(false);
    expect(board.readMarket(0, market)).toBe(true); // other records unaffected

    const next = board.claimWriter();
    expect(board.readMarket(1, market)).toBe(true);
    expect(market).toEqual({ ...createMarketPositionView(), updateCount: 2 }); // zeroed, not tradable
    expect(board.readAccount(account)).toBe(true);
    expect(account).toEqual({ ...createAccountView(), updateCount: 2 });
    next.writeMarket(1, someMarket()); // parity is right again
    expect(board.readMarket(1, market)).toBe(true);
    expect(market).toEqual({ ...someMarket(), updateCount: 3 });
    next.release();
  });
});

// ---------------------------------------------------------------------------------------------
// Real threads

interface Started {
  worker: Worker;
  /** The first message of `type` (messages are buffered from spawn, none is lost). */
  message<T extends PositionBoardReport['type']>(type: T): Promise<Extract<PositionBoardReport, { type: T }>>;
  exit: Promise<void>;
}

const workers: Worker[] = [];

function start(job: PositionBoardJob): Started {
  const worker = spawnWorker(siblingModule(import.meta.url, './workers/position-board-worker'), { workerData: job });
  workers.push(worker);
  const received: PositionBoardReport[] = [];
  const waiters: (() => void)[] = [];
  worker.on('message', (m: PositionBoardReport) => {
    received.push(m);
    for (const wake of waiters.splice(0)) wake();
  });
  const exit = workerExit(worker);
  exit.catch(() => undefined); // observed by the caller; avoid an unhandled rejection meanwhile
  return {
    worker,
    exit,
    message: async <T extends PositionBoardReport['type']>(type: T) => {
      for (;;) {
        const found = received.find((m) => m.type === type);
        if (found !== undefined) return found as Extract<PositionBoardReport, { type: T }>;
        await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), exit.then(() => {
          if (!received.some((m) => m.type === type)) throw new Error(`worker exited without a '${type}' message`);
        })]);
      }
    },
  };
}

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

describe('PositionBoard, many threads', () => {
  it('refuses a second writer on another thread, and frees a dead writer\'s claim', async () => {
    const board = PositionBoard.create(4);
    const mine = board.claimWriter();
    const refused = start({ mode: 'claim', board: board.shared });
    const outcome = await refused.message('claimed');
    await refused.exit;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.code).toBe('ERR_BOARD_WRITER');
      expect(outcome.message).toContain(`claimed by thread ${threadId}`);
    }
    mine.release();

    // A worker claims, writes, and exits without releasing (a crash).
    const crashed = start({ mode: 'claim', board: board.shared });
    const crashedId = crashed.worker.threadId;
    const claimed = await crashed.message('claimed');
    await crashed.exit;
    expect(claimed).toEqual({ type: 'claimed', ok: true, threadId: crashedId });
    const view = createMarketPositionView();
    expect(board.readMarket(0, view) && view.position).toBe(42);
    expect(board.writerThreadId()).toBe(crashedId);
    expectBoardError(() => board.claimWriter(), 'ERR_BOARD_WRITER');
    expect(board.releaseWriter(threadId)).toBe(false);
    expect(board.releaseWriter(crashedId)).toBe(true);
    const restarted = board.claimWriter();
    restarted.writeMarket(0, someMarket());
    restarted.release();
  });

  for (const record of ['market', 'account'] as const) {
    it(`never shows a torn ${record} record to concurrent readers`, async () => {
      const board = PositionBoard.create(8);
      const control = new SharedArrayBuffer(4 * (OK + 2 * 2));
      const flags = new Int32Array(control);
      const index = 5;
      const readers = [0, 1].map((slot) =>
        start({ mode: 'read', record, board: board.shared, control, index, slot }));
      const writer = start({
        mode: 'write', record, board: board.shared, control, index, readers: 2,
        minReads: 50_000, minVersions: 5_000, minWrites: 300_000, deadlineMs: 60_000,
      });
      await Promise.all([writer, ...readers].map((w) => w.message('ready')));
      Atomics.store(flags, START, 1);
      Atomics.notify(flags, START);
      const written = await writer.message('written');
      const reads = await Promise.all(readers.map((r) => r.message('read')));
      await Promise.all([writer, ...readers].map((w) => w.exit));

      expect(Atomics.load(flags, STOP)).toBe(1);
      expect(written.timedOut).toBe(false);
      expect(written.writes).toBeGreaterThanOrEqual(300_000);
      for (const r of reads) {
        expect(r.firstTorn).toBeNull();
        expect(r.torn).toBe(0);
        expect(r.ok).toBeGreaterThan(10_000);
        expect(r.versions).toBeGreaterThan(1_000);
        expect(r.versions).toBeLessThanOrEqual(written.writes);
      }
      expect(Atomics.load(flags, VERSIONS)).toBe(reads[0].versions);
      // The last version is whole and final.
      if (record === 'market') {
        const view = createMarketPositionView();
        expect(board.readMarket(index, view) && view.updateCount).toBe(written.writes);
        expect(view.position).toBe(written.writes);
      } else {
        const view = createAccountView();
        expect(board.readAccount(view) && view.updateCount).toBe(written.writes);
        expect(view.invested).toBe(3 * written.writes);
      }
      expect(board.writerThreadId()).toBeUndefined(); // the writer released its claim
    });
  }
});
