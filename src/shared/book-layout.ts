/**
 * Shared-memory layout of the BookStore: every offset and field index lives here and nowhere
 * else. Four SharedArrayBuffers:
 *
 * control (Int32)   [0] grids registered  [1] ladder words allocated  then the grid table:
 *                   MAX_GRIDS entries of GRID_ENTRY_WORDS words:
 *                   [rangeCount, start0, end0, step0, start1, …] — prices in $0.0001 units
 * headers (Int32)   HEADER_WORDS words per market (one 64-byte cache line), fields H_*
 * times (Float64)   TIME_SLOTS per market: T_EXCHANGE_MS, T_RECEIVE_NS, T_APPLIED_NS
 * ladders (Int32)   per registered market two bid ladders of `levelCount` words each:
 *                   YES bids at [ladder, ladder + levels), NO bids right after; the word at a
 *                   level holds the resting size in hundredths of a contract.
 */

export const MAX_GRIDS = 64;
export const MAX_RANGES_PER_GRID = 8;
export const GRID_ENTRY_WORDS = 1 + 3 * MAX_RANGES_PER_GRID;
export const C_GRID_COUNT = 0;
export const C_LADDER_NEXT = 1;
export const C_GRID_TABLE = 16;
export const CONTROL_WORDS = C_GRID_TABLE + MAX_GRIDS * GRID_ENTRY_WORDS;

/** Int32 words per market header: one cache line, so two markets never share a line. */
export const HEADER_WORDS = 16;
/** Seqlock word (see seqlock.ts): odd while the market's writer is mid-update. */
export const H_SEQ = 0;
/** Bit set of F_* flags. */
export const H_FLAGS = 1;
/** Index into the grid table of this market's price grid. */
export const H_GRID = 2;
/** Price levels per side (the grid's level count). */
export const H_LEVELS = 3;
/** Word offset of this market's YES ladder in the ladders buffer; the NO ladder follows. */
export const H_LADDER = 4;
/** Level index of the best YES bid, or -1 when the YES side is empty. */
export const H_BEST_YES = 5;
/** Level index of the best NO bid, or -1 when the NO side is empty. */
export const H_BEST_NO = 6;
/** Book updates applied (snapshots + deltas); wraps at 2^32. */
export const H_UPDATES = 7;
/** Snapshots applied; wraps at 2^32. */
export const H_SNAPSHOTS = 8;

/** The market has a slot, a grid and ladders. */
export const F_REGISTERED = 1;
/** The book must not be traded: no snapshot yet, a sequence gap, bad input or a disconnect. */
export const F_STALE = 2;

export const TIME_SLOTS = 3;
/** Exchange timestamp of the last update, ms since the Unix epoch (0 when the frame had none). */
export const T_EXCHANGE_MS = 0;
/** Receive time of the last update on the shared monotonic clock (clock.ts), ns. */
export const T_RECEIVE_NS = 1;
/**
 * When the last update had been applied and its market marked dirty, same clock, ns: a
 * measurement stamp (the decision path's "book applied"), written by the market's writer just
 * after the seqlocked write, so a reader can see it one update late — never a trading input.
 */
export const T_APPLIED_NS = 2;

/** Book sides, as stored: YES bids and NO bids (asks are derived: YES ask = 10000 − NO bid). */
export const SIDE_YES = 0;
export const SIDE_NO = 1;
export type BookSide = typeof SIDE_YES | typeof SIDE_NO;

/** A price or level that does not exist (an empty side). */
export const NONE = -1;
