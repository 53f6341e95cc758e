/**
 * The intent ring's record (inference → execution), eight Int32 words:
 *   [0] market index (global)   [1] action 1…4 (HOLD never leaves the inference worker)
 *   [2] book version (BookTop.updates) the decision was taken on
 *   [3] microseconds from the book update's receipt to the decision (clamped to 2^31 − 1)
 *   [4, 5] enqueue time, monotonic ns (clock.ts), high and low 32 bits
 *   [6, 7] the book update's receipt time, monotonic ns, high and low 32 bits
 * The stamps let execution measure each hop on one clock: queue wait (enqueue → dequeue) and
 * the whole path from the frame's receipt to the order request on the wire. A stamp of 0 means
 * unknown (records made by hand in tests).
 */
export const INTENT_WORDS = 8;
export const I_MARKET = 0;
export const I_ACTION = 1;
export const I_BOOK_VERSION = 2;
export const I_DECIDE_US = 3;
export const I_ENQUEUE_HI = 4;
export const I_ENQUEUE_LO = 5;
export const I_RECEIVE_HI = 6;
export const I_RECEIVE_LO = 7;

const TWO_32 = 0x1_0000_0000;

/** Store a non-negative ns timestamp (exact below 2^53) into two words at `at`. */
export function writeNs(rec: Int32Array, at: number, ns: number): void {
  const t = ns > 0 ? Math.floor(ns) : 0;
  rec[at] = Math.floor(t / TWO_32) | 0;
  rec[at + 1] = t % TWO_32 | 0;
}

/** Read what `writeNs` stored. */
export function readNs(data: Int32Array, at: number): number {
  return (data[at] >>> 0) * TWO_32 + (data[at + 1] >>> 0);
}
