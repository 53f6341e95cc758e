/**
 * PositionBoard: the account state published by the execution thread (docs/architecture.md
 * §1, §3). One SharedArrayBuffer holds an account record and `capacity` market records, each
 * under its own seqlock (./seqlock.ts).
 *
 * Concurrency contract
 * - SINGLE writer: the thread that holds the writer claim (`claimWriter`), by rule the
 *   execution thread. The claim is a thread id stored in the buffer and taken with a CAS, so
 *   a second thread's claim fails loudly instead of silently corrupting records.
 * - Any number of readers, on any threads (inference: portfolio features; supervisor:
 *   everything). A read copies one whole record into a caller-owned view and returns true only
 *   if no write overlapped the copy: a reader never sees a record half old and half new. A
 *   reader never blocks the writer; it retries while a write
 *   of the same record is in progress (a write is ~20 stores, so a retry is rare and short).
 * - Records are independent: a reader of market 3 and the account may see them at different
 *   versions. There is no cross-record snapshot.
 *
 * Units (docs/architecture.md §2): money in integer micro-dollars (µ$), counts in hundredths
 * of a contract, prices in $0.0001 units, times in ms since the Unix epoch (wall clock).
 * Money, counts and times live in BigInt64 slots, so no float ever holds them in shared memory;
 * the API takes and returns JS numbers that must be safe integers (|v| ≤ 2⁵³ − 1) and throws
 * PositionBoardError rather than truncate. Enums and small values live in Int32 slots.
 * A zeroed record reads as "nothing, not tradable": position 0, MarketTradingState.INACTIVE,
 * TradingState.BOOTING.
 */
import { threadId } from 'node:worker_threads';
import { beginWrite, endWrite, readBegin, readRetry, readValid } from './seqlock.js';
import {
  ACCOUNT_BYTES,
  ACCOUNT_OFFSET,
  A_CASH,
  A_CASH_RESERVE,
  A_INVESTED,
  A_PORTFOLIO_VALUE,
  A_RECOUPED,
  A_SEQ,
  A_SESSION_START_CASH,
  A_SESSION_START_PORTFOLIO_VALUE,
  A_TRADING_STATE,
  A_UPDATED_AT_MS,
  A_UPDATE_COUNT,
  BOARD_MAGIC,
  HEADER_BYTES,
  H_CAPACITY,
  H_MAGIC,
  H_WRITER,
  INT_PART_BYTES,
  MARKETS_OFFSET,
  MARKET_BYTES,
  MAX_MARKET_CAPACITY,
  M_BREAKER_ERROR_COUNT,
  M_BREAKER_STATE,
  M_COST_BASIS,
  M_FEES_PAID,
  M_LAST_ORDER_AT_MS,
  M_POSITION,
  M_POSITION_OPENED_AT_MS,
  M_REALIZED_PNL,
  M_SEQ,
  M_TRADING_STATE,
  M_UPDATE_COUNT,
  M_WORKING_ORDER_COUNT,
  M_WORKING_PRICE,
  M_WORKING_REMAINING,
  M_WORKING_SIDE,
  POSITION_BOARD_LAYOUT,
  SEQ,
} from './position-layout.js';
import {
  BreakerState,
  MarketTradingState,
  TradingState,
  WorkingSide,
  type AccountState,
  type AccountView,
  type MarketPosition,
  type MarketPositionView,
} from './position-records.js';

// Re-exported so that importers of this module keep working; the definitions live in
// ./position-records.ts and ./position-layout.ts.
export {
  BreakerState,
  MarketTradingState,
  TradingState,
  WorkingSide,
  createAccountView,
  createMarketPositionView,
  type AccountState,
  type AccountView,
  type MarketPosition,
  type MarketPositionView,
} from './position-records.js';
export { MAX_MARKET_CAPACITY, POSITION_BOARD_LAYOUT } from './position-layout.js';

// ---------------------------------------------------------------------------------------------
// Errors

export type PositionBoardErrorCode =
  | 'ERR_BOARD_VALUE' // not a safe integer, or outside the field's range
  | 'ERR_BOARD_INDEX' // market index outside 0..capacity−1
  | 'ERR_BOARD_WRITER' // writer already claimed, or writer used after release
  | 'ERR_BOARD_BUFFER'; // bad capacity or a buffer that is not a board

export class PositionBoardError extends Error {
  readonly code: PositionBoardErrorCode;
  constructor(code: PositionBoardErrorCode, message: string) {
    super(`position board: ${message}`);
    this.name = 'PositionBoardError';
    this.code = code;
  }
}

function badValue(field: string, value: number, what: string): PositionBoardError {
  return new PositionBoardError('ERR_BOARD_VALUE', `${field} must be ${what}, got ${String(value)}`);
}

/** A safe integer as a BigInt, else throw: money, counts and times are never truncated. */
function int64(field: string, value: number): bigint {
  if (!Number.isSafeInteger(value)) throw badValue(field, value, 'a safe integer');
  return BigInt(value);
}

function nonNegative64(field: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw badValue(field, value, 'a non-negative safe integer');
  return BigInt(value);
}

function int32(field: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw badValue(field, value, `an integer in 0..${max}`);
  return value;
}

const INT32_MAX = 0x7fff_ffff;

/** Int32 index of the low and high halves of an int64 slot: the platform's byte order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;
const TWO_POW_32 = 4_294_967_296;

/**
 * The int64 at BigInt64 slot `slot`, read as its two Int32 halves: signed high × 2³² + unsigned
 * low. Exact for every safe integer (the only values the writer stores) and allocation-free,
 * unlike `Number(bigInt64Array[slot])`, which makes a BigInt per field (readMarket ≈ 30 ns
 * instead of ≈ 120 ns). A torn pair of halves is caught by the seqlock like any torn field.
 */
function int64At(ints: Int32Array, slot: number): number {
  return ints[2 * slot + HI] * TWO_POW_32 + (ints[2 * slot + LO] >>> 0);
}

/** Byte offset of market `index`; throws ERR_BOARD_INDEX outside 0..capacity−1. */
function marketByte(index: number, capacity: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= capacity) {
    throw new PositionBoardError('ERR_BOARD_INDEX', `market index must be an integer in 0..${capacity - 1}, got ${String(index)}`);
  }
  return MARKETS_OFFSET + index * MARKET_BYTES;
}

// ---------------------------------------------------------------------------------------------
// Board (readers) and writer

/** Structured-cloneable handle: post it to a worker and `PositionBoard.attach` there. */
export interface PositionBoardShared {
  readonly buffer: SharedArrayBuffer;
}

export class PositionBoard {
  readonly shared: PositionBoardShared;
  /** Markets 0..capacity−1. */
  readonly capacity: number;
  readonly #i32: Int32Array; // the whole buffer
  readonly #i64: BigInt64Array; // the whole buffer

  private constructor(buffer: SharedArrayBuffer) {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < MARKETS_OFFSET) {
      throw new PositionBoardError('ERR_BOARD_BUFFER', 'not a SharedArrayBuffer holding a board');
    }
    this.#i32 = new Int32Array(buffer);
    this.#i64 = new BigInt64Array(buffer, 0, buffer.byteLength >> 3);
    const capacity = Atomics.load(this.#i32, H_CAPACITY);
    if (Atomics.load(this.#i32, H_MAGIC) !== BOARD_MAGIC || buffer.byteLength < POSITION_BOARD_LAYOUT.byteLength(capacity)) {
      throw new PositionBoardError('ERR_BOARD_BUFFER', 'buffer holds no initialised board');
    }
    this.shared = { buffer };
    this.capacity = capacity;
  }

  /** A new zeroed board for `capacity` markets (1..MAX_MARKET_CAPACITY), writer unclaimed. */
  static create(capacity: number): PositionBoard {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_MARKET_CAPACITY) {
      throw new PositionBoardError('ERR_BOARD_BUFFER', `capacity must be an integer in 1..${MAX_MARKET_CAPACITY}, got ${String(capacity)}`);
    }
    const buffer = new SharedArrayBuffer(POSITION_BOARD_LAYOUT.byteLength(capacity));
    const header = new Int32Array(buffer, 0, HEADER_BYTES >> 2);
    Atomics.store(header, H_CAPACITY, capacity);
    Atomics.store(header, H_MAGIC, BOARD_MAGIC);
    return new PositionBoard(buffer);
  }

  /** The board created elsewhere (usually another thread), read access. */
  static attach(shared: PositionBoardShared): PositionBoard {
    return new PositionBoard(shared.buffer);
  }

  /**
   * Claim the single writer role for the calling thread. Throws PositionBoardError
   * (ERR_BOARD_WRITER) if any thread, this one included, already holds it.
   *
   * A previous holder that died in the middle of a write left that record's seqlock odd
   * (readers report it busy). Claiming repairs such records: they are zeroed (not tradable,
   * update counter bumped) and made consistent, so the new writer must republish them, which
   * it does anyway after its start-up calibration. Cost: one atomic load per record.
   */
  claimWriter(): PositionBoardWriter {
    const held = Atomics.compareExchange(this.#i32, H_WRITER, 0, threadId + 1);
    if (held !== 0) {
      throw new PositionBoardError('ERR_BOARD_WRITER', `writer already claimed by thread ${held - 1} (caller is thread ${threadId})`);
    }
    this.#repairRecord(ACCOUNT_OFFSET, ACCOUNT_BYTES, A_UPDATE_COUNT);
    for (let i = 0; i < this.capacity; i++) {
      this.#repairRecord(MARKETS_OFFSET + i * MARKET_BYTES, MARKET_BYTES, M_UPDATE_COUNT);
    }
    return new PositionBoardWriter(this, this.#i32, this.#i64);
  }

  /** Thread id of the current writer, or undefined if the role is free. */
  writerThreadId(): number | undefined {
    const held = Atomics.load(this.#i32, H_WRITER);
    return held === 0 ? undefined : held - 1;
  }

  /**
   * Free the claim of `heldByThreadId`, for a writer thread that exited without
   * `writer.release()` (a crashed execution worker: pass its `worker.threadId` after its 'exit'
   * event). Calling it while that thread is alive would allow two writers: don't.
   * @returns false if the claim was not held by that thread (nothing changed)
   */
  releaseWriter(heldByThreadId: number): boolean {
    return Atomics.compareExchange(this.#i32, H_WRITER, heldByThreadId + 1, 0) === heldByThreadId + 1;
  }

  /**
   * Copy market `index` into `out`. True: `out` is one consistent version of the record.
   * False: the record stayed mid-write for WRITER_STALL_MS (a writer that died
   * mid-write); `out` then holds garbage. Allocation-free; cost ≈ two atomic loads and 20 plain loads.
   */
  readMarket(index: number, out: MarketPositionView): boolean {
    const ints = this.#i32;
    const byte = marketByte(index, this.capacity);
    const i = byte >> 2; // Int32 part
    const b = (byte + INT_PART_BYTES) >> 3; // BigInt64 part
    let since = 0;
    for (let attempt = 1; ; attempt++) {
      const begin = readBegin(ints, i + M_SEQ);
      out.workingSide = ints[i + M_WORKING_SIDE] as WorkingSide;
      out.workingPrice = ints[i + M_WORKING_PRICE];
      out.workingOrderCount = ints[i + M_WORKING_ORDER_COUNT];
      out.breakerState = ints[i + M_BREAKER_STATE] as BreakerState;
      out.breakerErrorCount = ints[i + M_BREAKER_ERROR_COUNT];
      out.tradingState = ints[i + M_TRADING_STATE] as MarketTradingState;
      out.position = int64At(ints, b + M_POSITION);
      out.costBasis = int64At(ints, b + M_COST_BASIS);
      out.realizedPnl = int64At(ints, b + M_REALIZED_PNL);
      out.feesPaid = int64At(ints, b + M_FEES_PAID);
      out.workingRemaining = int64At(ints, b + M_WORKING_REMAINING);
      out.lastOrderAtMs = int64At(ints, b + M_LAST_ORDER_AT_MS);
      out.positionOpenedAtMs = int64At(ints, b + M_POSITION_OPENED_AT_MS);
      out.updateCount = int64At(ints, b + M_UPDATE_COUNT);
      if (readValid(ints, i + M_SEQ, begin)) return true;
      since = readRetry(attempt, since);
      if (since < 0) return false;
    }
  }

  /** Copy the account record into `out`; same contract as `readMarket`. */
  readAccount(out: AccountView): boolean {
    const ints = this.#i32;
    const i = ACCOUNT_OFFSET >> 2; // Int32 part
    const b = (ACCOUNT_OFFSET + INT_PART_BYTES) >> 3; // BigInt64 part
    let since = 0;
    for (let attempt = 1; ; attempt++) {
      const begin = readBegin(ints, i + A_SEQ);
      out.tradingState = ints[i + A_TRADING_STATE] as TradingState;
      out.cash = int64At(ints, b + A_CASH);
      out.cashReserve = int64At(ints, b + A_CASH_RESERVE);
      out.portfolioValue = int64At(ints, b + A_PORTFOLIO_VALUE);
      out.invested = int64At(ints, b + A_INVESTED);
      out.recouped = int64At(ints, b + A_RECOUPED);
      out.sessionStartCash = int64At(ints, b + A_SESSION_START_CASH);
      out.sessionStartPortfolioValue = int64At(ints, b + A_SESSION_START_PORTFOLIO_VALUE);
      out.updatedAtMs = int64At(ints, b + A_UPDATED_AT_MS);
      out.updateCount = int64At(ints, b + A_UPDATE_COUNT);
      if (readValid(ints, i + A_SEQ, begin)) return true;
      since = readRetry(attempt, since);
      if (since < 0) return false;
    }
  }

  #repairRecord(byteOffset: number, bytes: number, updateCountSlot: number): void {
    const seq = (byteOffset >> 2) + SEQ;
    if ((Atomics.load(this.#i32, seq) & 1) === 0) return;
    // Still odd: readers reject it while its fields are cleared; endWrite then publishes it.
    // The update counter keeps counting (the dead writer bumps it last, so it is whole).
    const b = (byteOffset + INT_PART_BYTES) >> 3;
    const updates = this.#i64[b + updateCountSlot];
    this.#i32.fill(0, seq + 1, (byteOffset + INT_PART_BYTES) >> 2);
    this.#i64.fill(0n, b, (byteOffset + bytes) >> 3);
    this.#i64[b + updateCountSlot] = updates + 1n;
    endWrite(this.#i32, seq);
  }
}

/**
 * The writer role, held by one thread (see `PositionBoard.claimWriter`). Each write publishes a
 * whole record: every field is validated first (a throw leaves the record untouched), then
 * stored under the record's seqlock and the record's update counter is bumped. Cost: ~20 plain
 * stores, two atomic adds, and one BigInt conversion per 64-bit field.
 */
class PositionBoardWriter {
  /** The board written; its read methods work as for any reader. */
  readonly board: PositionBoard;
  readonly #i32: Int32Array;
  readonly #i64: BigInt64Array;
  #released = false;

  /** Not exported: the only way to a writer is `PositionBoard.claimWriter`. */
  constructor(board: PositionBoard, i32: Int32Array, i64: BigInt64Array) {
    this.board = board;
    this.#i32 = i32;
    this.#i64 = i64;
  }

  /** Publish market `index` as `record` (a MarketPositionView may be passed back). */
  writeMarket(index: number, record: MarketPosition): void {
    this.#checkHeld();
    const byte = marketByte(index, this.board.capacity);
    const workingSide = int32('workingSide', record.workingSide, WorkingSide.ASK);
    const workingPrice = int32('workingPrice', record.workingPrice, 10_000);
    const workingOrderCount = int32('workingOrderCount', record.workingOrderCount, INT32_MAX);
    const breakerState = int32('breakerState', record.breakerState, BreakerState.HALF_OPEN);
    const breakerErrorCount = int32('breakerErrorCount', record.breakerErrorCount, INT32_MAX);
    const tradingState = int32('tradingState', record.tradingState, MarketTradingState.HALTED);
    const position = int64('position', record.position);
    const costBasis = int64('costBasis', record.costBasis);
    const realizedPnl = int64('realizedPnl', record.realizedPnl);
    const feesPaid = int64('feesPaid', record.feesPaid);
    const workingRemaining = nonNegative64('workingRemaining', record.workingRemaining);
    const lastOrderAtMs = int64('lastOrderAtMs', record.lastOrderAtMs);
    const positionOpenedAtMs = int64('positionOpenedAtMs', record.positionOpenedAtMs);

    const ints = this.#i32;
    const bigs = this.#i64;
    const i = byte >> 2; // Int32 part
    const b = (byte + INT_PART_BYTES) >> 3; // BigInt64 part
    beginWrite(ints, i + M_SEQ);
    ints[i + M_WORKING_SIDE] = workingSide;
    ints[i + M_WORKING_PRICE] = workingPrice;
    ints[i + M_WORKING_ORDER_COUNT] = workingOrderCount;
    ints[i + M_BREAKER_STATE] = breakerState;
    ints[i + M_BREAKER_ERROR_COUNT] = breakerErrorCount;
    ints[i + M_TRADING_STATE] = tradingState;
    bigs[b + M_POSITION] = position;
    bigs[b + M_COST_BASIS] = costBasis;
    bigs[b + M_REALIZED_PNL] = realizedPnl;
    bigs[b + M_FEES_PAID] = feesPaid;
    bigs[b + M_WORKING_REMAINING] = workingRemaining;
    bigs[b + M_LAST_ORDER_AT_MS] = lastOrderAtMs;
    bigs[b + M_POSITION_OPENED_AT_MS] = positionOpenedAtMs;
    bigs[b + M_UPDATE_COUNT] += 1n;
    endWrite(ints, i + M_SEQ);
  }

  /** Publish the account record. */
  writeAccount(record: AccountState): void {
    this.#checkHeld();
    const tradingState = int32('tradingState', record.tradingState, TradingState.HALTED);
    const cash = int64('cash', record.cash);
    const cashReserve = int64('cashReserve', record.cashReserve);
    const portfolioValue = int64('portfolioValue', record.portfolioValue);
    const invested = int64('invested', record.invested);
    const recouped = int64('recouped', record.recouped);
    const sessionStartCash = int64('sessionStartCash', record.sessionStartCash);
    const sessionStartPortfolioValue = int64('sessionStartPortfolioValue', record.sessionStartPortfolioValue);
    const updatedAtMs = int64('updatedAtMs', record.updatedAtMs);

    const ints = this.#i32;
    const bigs = this.#i64;
    const i = ACCOUNT_OFFSET >> 2; // Int32 part
    const b = (ACCOUNT_OFFSET + INT_PART_BYTES) >> 3; // BigInt64 part
    beginWrite(ints, i + A_SEQ);
    ints[i + A_TRADING_STATE] = tradingState;
    bigs[b + A_CASH] = cash;
    bigs[b + A_CASH_RESERVE] = cashReserve;
    bigs[b + A_PORTFOLIO_VALUE] = portfolioValue;
    bigs[b + A_INVESTED] = invested;
    bigs[b + A_RECOUPED] = recouped;
    bigs[b + A_SESSION_START_CASH] = sessionStartCash;
    bigs[b + A_SESSION_START_PORTFOLIO_VALUE] = sessionStartPortfolioValue;
    bigs[b + A_UPDATED_AT_MS] = updatedAtMs;
    bigs[b + A_UPDATE_COUNT] += 1n;
    endWrite(ints, i + A_SEQ);
  }

  /** Give up the writer role (clean shutdown). Any later write through this object throws. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.board.releaseWriter(threadId);
  }

  #checkHeld(): void {
    if (this.#released) throw new PositionBoardError('ERR_BOARD_WRITER', 'writer used after release()');
  }
}

export type { PositionBoardWriter };
