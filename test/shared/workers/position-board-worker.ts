/**
 * Fixture for test/shared/position-board.test.ts: a writer or a reader of a PositionBoard on
 * its own thread.
 *
 * Modes
 * - 'claim': try to claim the writer role; on success write market 0 as `position: 42` and exit
 *   WITHOUT releasing (a crashed execution thread). Posts the outcome.
 * - 'write' a 'market' or 'account' record: claim, post 'ready', park on the start flag, then publish
 *   version k = 1, 2, 3… (every field derived from k) until each reader has made `minReads`
 *   successful reads and seen `minVersions` versions and at least `minWrites` were written, or
 *   until the deadline; then raise the stop flag.
 * - 'read' a 'market' or 'account' record: post 'ready', park on the start flag, read until the stop
 *   flag, check every successful read is exactly one version, post the counts.
 *
 * Control buffer (Int32): [START] [STOP] then per reader slot r: [OK + 2r] successful reads,
 * [VERSIONS + 2r] distinct versions seen, published as the reader goes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PositionBoard, PositionBoardError, type PositionBoardShared } from '../../../src/shared/position-board.js';
import {
  createAccountView,
  createMarketPositionView,
  type AccountState,
  type AccountView,
  type BreakerState,
  type MarketPosition,
  type MarketPositionView,
  type MarketTradingState,
  type TradingState,
  type WorkingSide,
} from '../../../src/shared/position-records.js';

// Control buffer slots; test/shared/position-board.test.ts uses the same numbers (it cannot
// import values from this entry module, which runs on import).
const START = 0;
const STOP = 1;
const OK = 2;
const VERSIONS = 3;

export interface ClaimJob {
  mode: 'claim';
  board: PositionBoardShared;
}

export interface WriterJob {
  mode: 'write';
  record: 'market' | 'account';
  board: PositionBoardShared;
  control: SharedArrayBuffer;
  index: number;
  readers: number;
  minReads: number;
  minVersions: number;
  minWrites: number;
  deadlineMs: number;
}

export interface ReaderJob {
  mode: 'read';
  record: 'market' | 'account';
  board: PositionBoardShared;
  control: SharedArrayBuffer;
  index: number;
  slot: number;
}

export type PositionBoardJob = ClaimJob | WriterJob | ReaderJob;

export type PositionBoardReport =
  | { type: 'claimed'; ok: true; threadId: number }
  | { type: 'claimed'; ok: false; code: string; message: string }
  | { type: 'ready' }
  | { type: 'written'; writes: number; timedOut: boolean }
  | { type: 'read'; ok: number; busy: number; torn: number; versions: number; firstTorn: string | null };

const port = parentPort;
if (port === null) throw new Error('position-board-worker must run in a worker thread');
const post = (report: PositionBoardReport): void => port.postMessage(report);
const job = workerData as PositionBoardJob;
const board = PositionBoard.attach(job.board);

const BIG = Number.MAX_SAFE_INTEGER; // 2^53 − 1
const EPOCH_MS = 1_767_225_600_000; // 2026-01-01

/** Version k of a market record: every field a different function of k, some near ±2^53. */
function marketVersion(k: number, out: MarketPosition): MarketPosition {
  out.position = k;
  out.costBasis = k * 1_048_577; // k·2^20 + k: both 32-bit halves move
  out.realizedPnl = -BIG + k;
  out.feesPaid = BIG - 7 * k;
  out.workingSide = (k % 3) as WorkingSide;
  out.workingPrice = k % 10_001;
  out.workingRemaining = 2 * k;
  out.workingOrderCount = k % 1_000;
  out.lastOrderAtMs = EPOCH_MS + k;
  out.positionOpenedAtMs = EPOCH_MS - k;
  out.breakerState = (k % 3) as BreakerState;
  out.breakerErrorCount = k % 777;
  out.tradingState = (k % 4) as MarketTradingState;
  return out;
}

/** Version k of the account record. */
function accountVersion(k: number, out: AccountState): AccountState {
  out.cash = k * 1_048_577;
  out.cashReserve = -k;
  out.portfolioValue = 2 * k;
  out.invested = 3 * k;
  out.recouped = 5 * k;
  out.sessionStartCash = BIG - k;
  out.sessionStartPortfolioValue = -BIG + k;
  out.tradingState = (k % 7) as TradingState;
  out.updatedAtMs = EPOCH_MS + k;
  return out;
}

const expectedMarket = createMarketPositionView();
const expectedAccount = createAccountView();

/** True if `v` is exactly the version its update counter names (version k is the k-th write). */
function marketIsWhole(v: MarketPositionView): boolean {
  const e = marketVersion(v.updateCount, expectedMarket);
  return v.position === e.position && v.costBasis === e.costBasis && v.realizedPnl === e.realizedPnl &&
    v.feesPaid === e.feesPaid && v.workingSide === e.workingSide && v.workingPrice === e.workingPrice &&
    v.workingRemaining === e.workingRemaining && v.workingOrderCount === e.workingOrderCount &&
    v.lastOrderAtMs === e.lastOrderAtMs && v.positionOpenedAtMs === e.positionOpenedAtMs &&
    v.breakerState === e.breakerState && v.breakerErrorCount === e.breakerErrorCount &&
    v.tradingState === e.tradingState;
}

function accountIsWhole(v: AccountView): boolean {
  const e = accountVersion(v.updateCount, expectedAccount);
  return v.cash === e.cash && v.cashReserve === e.cashReserve && v.portfolioValue === e.portfolioValue &&
    v.invested === e.invested && v.recouped === e.recouped && v.sessionStartCash === e.sessionStartCash &&
    v.sessionStartPortfolioValue === e.sessionStartPortfolioValue && v.tradingState === e.tradingState &&
    v.updatedAtMs === e.updatedAtMs;
}

function waitForStart(control: Int32Array): void {
  while (Atomics.load(control, START) === 0) Atomics.wait(control, START, 0);
}

function runClaim(): void {
  try {
    const writer = board.claimWriter();
    writer.writeMarket(0, { ...createMarketPositionView(), position: 42 });
    post({ type: 'claimed', ok: true, threadId: board.writerThreadId() ?? -1 });
  } catch (err) {
    if (!(err instanceof PositionBoardError)) throw err;
    post({ type: 'claimed', ok: false, code: err.code, message: err.message });
  }
}

function runWriter(job: WriterJob): void {
  const control = new Int32Array(job.control);
  const writer = board.claimWriter();
  post({ type: 'ready' });
  waitForStart(control);
  const deadline = Date.now() + job.deadlineMs;
  const market = createMarketPositionView();
  const account = createAccountView();
  let k = 0;
  let timedOut = false;
  for (;;) {
    k++;
    if (job.record === 'market') writer.writeMarket(job.index, marketVersion(k, market));
    else writer.writeAccount(accountVersion(k, account));
    if ((k & 255) !== 0 || k < job.minWrites) continue;
    let enough = true;
    for (let r = 0; r < job.readers && enough; r++) {
      enough = Atomics.load(control, OK + 2 * r) >= job.minReads && Atomics.load(control, VERSIONS + 2 * r) >= job.minVersions;
    }
    if (enough) break;
    if (Date.now() > deadline) {
      timedOut = true;
      break;
    }
  }
  Atomics.store(control, STOP, 1);
  writer.release();
  post({ type: 'written', writes: k, timedOut });
}

function runReader(job: ReaderJob): void {
  const control = new Int32Array(job.control);
  const readMarket = job.record === 'market';
  const market = createMarketPositionView();
  const account = createAccountView();
  const okSlot = OK + 2 * job.slot;
  const versionSlot = VERSIONS + 2 * job.slot;
  let ok = 0;
  let busy = 0;
  let torn = 0;
  let versions = 0;
  let last = -1;
  let firstTorn: string | null = null;
  post({ type: 'ready' });
  waitForStart(control);
  while (Atomics.load(control, STOP) === 0) {
    const valid = readMarket ? board.readMarket(job.index, market) : board.readAccount(account);
    if (!valid) {
      busy++;
      continue;
    }
    const view = readMarket ? market : account;
    if (view.updateCount === 0) {
      // Not written yet: must be the zero record.
      if (Object.values(view).some((v) => v !== 0)) {
        torn++;
        firstTorn ??= JSON.stringify(view);
      }
      continue;
    }
    ok++;
    if (!(readMarket ? marketIsWhole(market) : accountIsWhole(account))) {
      torn++;
      firstTorn ??= JSON.stringify(view);
    }
    if (view.updateCount !== last) {
      versions++;
      last = view.updateCount;
    }
    if ((ok & 1023) === 0) {
      Atomics.store(control, okSlot, ok);
      Atomics.store(control, versionSlot, versions);
    }
  }
  Atomics.store(control, okSlot, ok);
  Atomics.store(control, versionSlot, versions);
  post({ type: 'read', ok, busy, torn, versions, firstTorn });
}

if (job.mode === 'claim') runClaim();
else if (job.mode === 'write') runWriter(job);
else runReader(job);
