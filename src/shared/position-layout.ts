/**
 * The byte layout of a PositionBoard's SharedArrayBuffer (./position-board.ts).
 *
 * Layout: the only place that knows byte offsets. A record is an Int32 part (seqlock word
 * first) followed by a BigInt64 part; indexes below are slots within each part.
 *
 *   byte 0     header   Int32 [magic, capacity, writer threadId + 1, …]           64 B
 *   byte 64    account  Int32 [seq, tradingState, …] | Int64 [cash … updateCount] 128 B
 *   byte 192   market 0 Int32 [seq, side, price, orders, breaker, errors, state, –]
 *                       | Int64 [position, costBasis, realized, fees, remaining,
 *                                lastOrderMs, openedMs, updateCount]                128 B
 *   byte 320   market 1 …
 */
export const HEADER_BYTES = 64;
export const H_MAGIC = 0; // Int32 slots of the header
export const H_CAPACITY = 1;
export const H_WRITER = 2; // threadId + 1 of the writer; 0 = unclaimed
export const BOARD_MAGIC = 0x50_42_44_31; // "PBD1"

export const INT_PART_BYTES = 32; // 8 Int32 slots
/** The seqlock word is Int32 slot 0 of every record (repair relies on it). */
export const SEQ = 0;

export const ACCOUNT_OFFSET = HEADER_BYTES;
export const ACCOUNT_BYTES = 128;
export const A_SEQ = SEQ; // Int32 part
export const A_TRADING_STATE = 1;
export const A_CASH = 0; // BigInt64 part
export const A_CASH_RESERVE = 1;
export const A_PORTFOLIO_VALUE = 2;
export const A_INVESTED = 3;
export const A_RECOUPED = 4;
export const A_SESSION_START_CASH = 5;
export const A_SESSION_START_PORTFOLIO_VALUE = 6;
export const A_UPDATED_AT_MS = 7;
export const A_UPDATE_COUNT = 8;

export const MARKETS_OFFSET = ACCOUNT_OFFSET + ACCOUNT_BYTES;
export const MARKET_BYTES = 128; // two cache lines: 32 + 8×8 bytes used, 32 spare
export const M_SEQ = SEQ; // Int32 part
export const M_WORKING_SIDE = 1;
export const M_WORKING_PRICE = 2;
export const M_WORKING_ORDER_COUNT = 3;
export const M_BREAKER_STATE = 4;
export const M_BREAKER_ERROR_COUNT = 5;
export const M_TRADING_STATE = 6;
export const M_POSITION = 0; // BigInt64 part
export const M_COST_BASIS = 1;
export const M_REALIZED_PNL = 2;
export const M_FEES_PAID = 3;
export const M_WORKING_REMAINING = 4;
export const M_LAST_ORDER_AT_MS = 5;
export const M_POSITION_OPENED_AT_MS = 6;
export const M_UPDATE_COUNT = 7;

/** Byte layout, for tools and tests that inspect the raw buffer. */
export const POSITION_BOARD_LAYOUT = Object.freeze({
  headerBytes: HEADER_BYTES,
  accountOffset: ACCOUNT_OFFSET,
  accountBytes: ACCOUNT_BYTES,
  marketsOffset: MARKETS_OFFSET,
  marketBytes: MARKET_BYTES,
  /** Bytes of a record's Int32 part; its BigInt64 part follows. */
  intPartBytes: INT_PART_BYTES,
  /** The seqlock word: Int32 slot 0 of every record. */
  seqSlot: SEQ,
  byteLength: (capacity: number): number => MARKETS_OFFSET + capacity * MARKET_BYTES,
});

/** Largest market capacity: keeps the buffer under 1 GiB. */
export const MAX_MARKET_CAPACITY = 1 << 22;
