/**
 * Risk rules of an intent (architecture.md §4 step 3): is it an opening or a closing, how many
 * contracts, and may it go — cash reserve and exposure limits apply to openings only; a closing
 * always passes (it frees cash and lowers exposure; refusing it is how hosts get stuck).
 *
 * Netting is on (kalshi-api.md §6): one signed position q (+YES / −NO, hundredths). A wire bid
 * reduces a NO position, a wire ask reduces a YES position, so an intent is a CLOSING exactly
 * when its wire side reduces what is held; its count is capped at |q| so it never flips the
 * position (the same OPENING / CLOSING as src/shared/policy/actions.ts `actionEffect`). A SELL
 * with nothing of that outcome held opens the other outcome (a V2 ask with no YES held buys NO),
 * as the shared action space defines it, unless `allowSellToOpen` is off.
 *
 * Money in µ$, counts in hundredths, prices in $0.0001 (fixed-point.ts). Pure functions.
 */
import { notional, PRICE_SCALE } from '../../shared/fixed-point.js';
import { quadraticFee, TAKER_FEE_RATE, type FeeRate } from '../../shared/fees.js';
import { WorkingSide } from '../../shared/position-records.js';
import { Action } from '../../shared/policy/actions.js';

/** Why the execution thread refused an intent by its own rules (outcome class DENIED, §4.4). */
export const DenyReason = {
  /** HOLD or a number that is not an action. */
  NOT_AN_ORDER: 1,
  /** No such market slot, or the market is not registered with the execution core. */
  UNKNOWN_MARKET: 2,
  /** Account or market trading state allows no orders (HALTED, BOOTING, …, market INACTIVE). */
  NOT_TRADING: 3,
  /** Account or market REDUCING (or an order outcome is UNKNOWN): closings only. */
  REDUCING_ONLY: 4,
  BREAKER_OPEN: 5,
  THROTTLED: 6,
  /** A request for this market is already in flight. */
  IN_FLIGHT: 7,
  /** SELL_YES / SELL_NO with nothing of that outcome held, and `allowSellToOpen` off. */
  NOTHING_TO_SELL: 8,
  /** No price: book stale, needed side empty, or nothing orderable that way. */
  NO_PRICE: 9,
  /** The opening would take available cash below the reserve. */
  CASH_RESERVE: 10,
  /** The per-market position limit leaves no room. */
  POSITION_LIMIT: 11,
  /** The total exposure cap leaves no room. */
  EXPOSURE_LIMIT: 12,
  /** The same order (side and price) is already working: nothing to do. */
  ALREADY_WORKING: 13,
  /** The order group is triggered: new orders are refused until it is reset. */
  GROUP_TRIGGERED: 14,
  /** The order group is being created or reset. */
  GROUP_PENDING: 15,
  /** An exit (`ExecutionCore.exitPosition`) of a market where nothing is held. */
  FLAT: 16,
} as const;
export type DenyReason = (typeof DenyReason)[keyof typeof DenyReason];

export const DENY_REASON_NAMES: Readonly<Record<DenyReason, string>> = Object.freeze(
  Object.fromEntries(Object.entries(DenyReason).map(([k, v]) => [v, k])) as Record<DenyReason, string>,
);

export const DEFAULT_ORDER_SIZE = 500; // 5 contracts, hundredths
export const DEFAULT_CASH_RESERVE = 100_000_000; // $100 in µ$

export interface LimitsConfig {
  /** Contracts per opening, hundredths (default 500 = 5 contracts). */
  orderSize: number;
  /** µ$ of available cash an opening must leave untouched (default $100). */
  cashReserve: number;
  /** Largest |position| per market, hundredths (default: unlimited). */
  maxPosition: number;
  /** Cap on Σ cost basis + Σ cash held by openings working, µ$ (default: unlimited). */
  maxTotalExposure: number;
  /** Fee rate assumed for the cash check (default: taker 0.07, the worst case of one fill). */
  feeRate: FeeRate;
  /**
   * Let SELL_YES / SELL_NO open the other outcome when nothing of the sold one is held (default
   * true: the action space of src/shared/policy/actions.ts defines selling YES while flat as
   * buying NO at the complement; false refuses it with NOTHING_TO_SELL).
   */
  allowSellToOpen: boolean;
}

export function limitsConfig(partial: Partial<LimitsConfig> = {}): LimitsConfig {
  const c: LimitsConfig = {
    orderSize: partial.orderSize ?? DEFAULT_ORDER_SIZE,
    cashReserve: partial.cashReserve ?? DEFAULT_CASH_RESERVE,
    maxPosition: partial.maxPosition ?? Number.MAX_SAFE_INTEGER,
    maxTotalExposure: partial.maxTotalExposure ?? Number.MAX_SAFE_INTEGER,
    feeRate: partial.feeRate ?? TAKER_FEE_RATE,
    allowSellToOpen: partial.allowSellToOpen ?? true,
  };
  if (!Number.isSafeInteger(c.orderSize) || c.orderSize < 1) throw new RangeError(`orderSize must be a positive integer (hundredths), got ${c.orderSize}`);
  for (const k of ['cashReserve', 'maxPosition', 'maxTotalExposure'] as const) {
    if (!Number.isSafeInteger(c[k]) || c[k] < 0) throw new RangeError(`${k} must be a non-negative safe integer, got ${c[k]}`);
  }
  return c;
}

/** Hundredths of position q that an order on `side` would reduce: NO held for a bid, YES for an ask. */
export function heldAgainst(side: WorkingSide, position: number): number {
  if (side === WorkingSide.BID) return position < 0 ? -position : 0;
  if (side === WorkingSide.ASK) return position > 0 ? position : 0;
  return 0;
}

/** True for SELL_YES / SELL_NO. */
export function isSell(action: number): boolean {
  return action === Action.SELL_YES || action === Action.SELL_NO;
}

/**
 * The size of an intent: a positive count (hundredths), negative `-DenyReason` when refused.
 * Closing (the side reduces q): min(orderSize, |q|). Opening: orderSize clamped to the room the
 * per-market limit leaves (|q| + count ≤ maxPosition); POSITION_LIMIT when there is none.
 */
export function orderCount(action: number, side: WorkingSide, position: number, c: LimitsConfig): number {
  const held = heldAgainst(side, position);
  if (held > 0) return held < c.orderSize ? held : c.orderSize;
  if (isSell(action) && !c.allowSellToOpen) return -DenyReason.NOTHING_TO_SELL;
  const abs = position < 0 ? -position : position;
  const room = c.maxPosition - abs;
  if (room <= 0) return -DenyReason.POSITION_LIMIT;
  return room < c.orderSize ? room : c.orderSize;
}

/** True when an order on `side` reduces the position (a closing). */
export function isClosing(side: WorkingSide, position: number): boolean {
  return heldAgainst(side, position) > 0;
}

/** µ$ an opening of `count` at YES price `yesPrice` on `side` needs: cost at the paid price + the fee. */
export function openingCost(side: WorkingSide, yesPrice: number, count: number, feeRate: FeeRate): number {
  const paid = side === WorkingSide.BID ? yesPrice : PRICE_SCALE - yesPrice;
  return notional(paid, count) + quadraticFee(yesPrice, count, feeRate);
}

/**
 * The cash and exposure gate of an opening: 0 when it passes, else the DenyReason.
 * - `availableCash`: cash not already held by other working openings, µ$;
 * - `exposure`: Σ cost basis of open positions + Σ cash held by working openings in other markets, µ$.
 * The order's own cost (paid price × count + fee) must leave `cashReserve` and fit under
 * `maxTotalExposure`.
 */
export function checkOpening(cost: number, availableCash: number, exposure: number, c: LimitsConfig): DenyReason | 0 {
  if (availableCash - cost < c.cashReserve) return DenyReason.CASH_RESERVE;
  if (exposure + cost > c.maxTotalExposure) return DenyReason.EXPOSURE_LIMIT;
  return 0;
}
