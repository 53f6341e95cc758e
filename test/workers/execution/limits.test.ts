import { describe, expect, it } from 'vitest';
import { MAKER_FEE_RATE, takerFee } from '../../../src/shared/fees.js';
import { WorkingSide } from '../../../src/shared/position-records.js';
import { Action, isClosing as sharedIsClosing } from '../../../src/shared/policy/actions.js';
import { wireSideOf } from '../../../src/workers/execution/pricing.js';
import {
  checkOpening,
  DEFAULT_CASH_RESERVE,
  DEFAULT_ORDER_SIZE,
  DENY_REASON_NAMES,
  DenyReason,
  heldAgainst,
  isClosing,
  limitsConfig,
  openingCost,
  orderCount,
} from '../../../src/workers/execution/limits.js';

const { BID, ASK } = WorkingSide;

describe('defaults', () => {
  it('5 contracts per order, $100 cash reserve, taker fee for the check', () => {
    expect(DEFAULT_ORDER_SIZE).toBe(500);
    expect(DEFAULT_CASH_RESERVE).toBe(100_000_000);
    const c = limitsConfig();
    expect(c.orderSize).toBe(500);
    expect(c.cashReserve).toBe(100_000_000);
    expect(c.allowSellToOpen).toBe(true); // the shared action space: selling YES while flat buys NO
    expect(() => limitsConfig({ orderSize: 0 })).toThrow(RangeError);
    expect(() => limitsConfig({ cashReserve: -1 })).toThrow(RangeError);
    expect(DENY_REASON_NAMES[DenyReason.CASH_RESERVE]).toBe('CASH_RESERVE');
  });
});

describe('openings vs closings (netting: the wire side that reduces what is held closes)', () => {
  it('classifies every action against flat, YES and NO positions', () => {
    expect(heldAgainst(BID, -300)).toBe(300);
    expect(heldAgainst(BID, 300)).toBe(0);
    expect(heldAgainst(ASK, 300)).toBe(300);
    expect(heldAgainst(ASK, -300)).toBe(0);
    expect(heldAgainst(WorkingSide.NONE, 300)).toBe(0);
    // flat: everything opens
    expect(isClosing(BID, 0)).toBe(false);
    expect(isClosing(ASK, 0)).toBe(false);
    // YES held: SELL_YES / BUY_NO (asks) close; BUY_YES / SELL_NO (bids) add
    expect(isClosing(ASK, 700)).toBe(true);
    expect(isClosing(BID, 700)).toBe(false);
    // NO held: BUY_YES / SELL_NO (bids) close
    expect(isClosing(BID, -700)).toBe(true);
    expect(isClosing(ASK, -700)).toBe(false);
  });

  it('a closing is capped at the position; an opening is the order size', () => {
    const c = limitsConfig();
    expect(orderCount(Action.SELL_YES, ASK, 1_200, c)).toBe(500);
    expect(orderCount(Action.SELL_YES, ASK, 250, c)).toBe(250);
    expect(orderCount(Action.BUY_NO, ASK, 250, c)).toBe(250); // buying NO against YES closes it, never flips
    expect(orderCount(Action.SELL_NO, BID, -37, c)).toBe(37);
    expect(orderCount(Action.BUY_YES, BID, 0, c)).toBe(500);
    expect(orderCount(Action.BUY_NO, ASK, 0, c)).toBe(500);
  });

  it('a SELL with nothing of that outcome held opens the other outcome, or is refused when sell-to-open is off', () => {
    const off = limitsConfig({ allowSellToOpen: false });
    expect(orderCount(Action.SELL_YES, ASK, 0, off)).toBe(-DenyReason.NOTHING_TO_SELL);
    expect(orderCount(Action.SELL_YES, ASK, -500, off)).toBe(-DenyReason.NOTHING_TO_SELL);
    expect(orderCount(Action.SELL_NO, BID, 500, off)).toBe(-DenyReason.NOTHING_TO_SELL);
    expect(orderCount(Action.SELL_YES, ASK, 300, off)).toBe(300); // a real sale still closes
    expect(orderCount(Action.SELL_YES, ASK, 0, limitsConfig())).toBe(500);
    expect(orderCount(Action.SELL_NO, BID, 200, limitsConfig())).toBe(500);
  });

  it('agrees with the shared action space (src/shared/policy/actions.ts) on opening vs closing', () => {
    for (const action of [Action.BUY_YES, Action.SELL_YES, Action.BUY_NO, Action.SELL_NO]) {
      for (const q of [-700, -1, 0, 1, 700]) {
        expect(isClosing(wireSideOf(action), q), `action ${action}, position ${q}`).toBe(sharedIsClosing(action, q));
      }
    }
  });

  it('the per-market position limit clamps an opening and refuses at the cap; closings ignore it', () => {
    const c = limitsConfig({ maxPosition: 1_200 });
    expect(orderCount(Action.BUY_YES, BID, 500, c)).toBe(500);
    expect(orderCount(Action.BUY_YES, BID, 900, c)).toBe(300);
    expect(orderCount(Action.BUY_YES, BID, 1_200, c)).toBe(-DenyReason.POSITION_LIMIT);
    expect(orderCount(Action.BUY_NO, ASK, -1_500, c)).toBe(-DenyReason.POSITION_LIMIT);
    expect(orderCount(Action.SELL_YES, ASK, 5_000, c)).toBe(500); // a closing always passes
  });
});

describe('cash reserve and exposure', () => {
  it('opening cost = paid price × count + the fee, exact in µ$', () => {
    // 5 YES at $0.50: $2.50 + fee 0.07·5·0.5·0.5 = $0.0875
    expect(openingCost(BID, 5_000, 500, limitsConfig().feeRate)).toBe(2_500_000 + 87_500);
    expect(takerFee(5_000, 500)).toBe(87_500);
    // 5 NO via an ask at YES $0.45: pays NO $0.55 → $2.75 + fee ⌈0.07·5·0.45·0.55⌉₀.₀₀₀₁ = $0.0867
    expect(openingCost(ASK, 4_500, 500, limitsConfig().feeRate)).toBe(2_750_000 + 86_700);
    expect(openingCost(ASK, 4_500, 500, MAKER_FEE_RATE)).toBe(2_750_000 + 21_700); // ⌈0.02165625⌉ = 0.0217
  });

  it('passes exactly when the reserve is left untouched', () => {
    const c = limitsConfig();
    const cost = 2_587_500;
    expect(checkOpening(cost, 100_000_000 + cost, 0, c)).toBe(0);
    expect(checkOpening(cost, 100_000_000 + cost - 1, 0, c)).toBe(DenyReason.CASH_RESERVE);
    expect(checkOpening(cost, 50_000_000, 0, c)).toBe(DenyReason.CASH_RESERVE);
    const zero = limitsConfig({ cashReserve: 0 });
    expect(checkOpening(cost, cost, 0, zero)).toBe(0);
  });

  it('total exposure cap: Σ basis + working + this order', () => {
    const c = limitsConfig({ maxTotalExposure: 10_000_000 });
    expect(checkOpening(2_000_000, 1e12, 8_000_000, c)).toBe(0);
    expect(checkOpening(2_000_001, 1e12, 8_000_000, c)).toBe(DenyReason.EXPOSURE_LIMIT);
  });
});
