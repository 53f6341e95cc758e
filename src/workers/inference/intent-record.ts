/**
 * The intent ring's record (inference → execution), four Int32 words:
 *   [0] market index (global)   [1] action 1…4 (HOLD never leaves the inference worker)
 *   [2] book version (BookTop.updates) the decision was taken on
 *   [3] microseconds from the book update's receipt to the decision (clamped to 2^31 − 1)
 * Execution adds its own stamps; the receipt time itself stays in the BookStore.
 */
export const INTENT_WORDS = 4;
export const I_MARKET = 0;
export const I_ACTION = 1;
export const I_BOOK_VERSION = 2;
export const I_DECIDE_US = 3;
