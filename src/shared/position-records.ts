/**
 * PositionBoard records (./position-board.ts): the enums and record shapes the execution thread
 * publishes and readers copy out, and zeroed views to read them into. Units as documented in
 * position-board.ts.
 */

// ---------------------------------------------------------------------------------------------
// Enums (stored as Int32; values are part of the shared layout, never renumber)

/** Account trading state (docs/architecture.md §6). */
export const TradingState = {
  BOOTING: 0, CALIBRATING: 1, READY: 2, TRADING: 3, REDUCING: 4, RECOVERING: 5, HALTED: 6,
} as const;
export type TradingState = (typeof TradingState)[keyof typeof TradingState];

/** What the host lets itself do in one market. */
export const MarketTradingState = {
  /** Not (yet) approved for trading; the zero value. */
  INACTIVE: 0,
  ACTIVE: 1,
  /** Closing orders only. */
  REDUCING: 2,
  /** No new orders at all; cancels only. */
  HALTED: 3,
} as const;
export type MarketTradingState = (typeof MarketTradingState)[keyof typeof MarketTradingState];

/** Per-market circuit breaker over order errors. */
export const BreakerState = { CLOSED: 0, OPEN: 1, HALF_OPEN: 2 } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

/** Side of the working order on the YES book (Create Order V2 `bid`/`ask`). */
export const WorkingSide = { NONE: 0, BID: 1, ASK: 2 } as const;
export type WorkingSide = (typeof WorkingSide)[keyof typeof WorkingSide];

// ---------------------------------------------------------------------------------------------
// Records

/** One market's state as written by the execution thread. */
export interface MarketPosition {
  /** Signed position, hundredths of a contract: + YES, − NO. */
  position: number;
  /** Cost basis of the open position, µ$. */
  costBasis: number;
  /** Realized P&L, µ$. */
  realizedPnl: number;
  /** Fees paid, µ$. */
  feesPaid: number;
  /** Side of the working (resting) order, NONE if there is none. */
  workingSide: WorkingSide;
  /** Limit price of the working order, $0.0001 units (0..10000). */
  workingPrice: number;
  /** Remaining count of the working orders, hundredths of a contract (≥ 0). */
  workingRemaining: number;
  /** Resting orders in this market (int32 ≥ 0). */
  workingOrderCount: number;
  /** Last order sent, ms since epoch (throttle). */
  lastOrderAtMs: number;
  /** When the current position was opened, ms since epoch (0: flat). */
  positionOpenedAtMs: number;
  breakerState: BreakerState;
  /** Errors counted by the breaker (int32 ≥ 0). */
  breakerErrorCount: number;
  tradingState: MarketTradingState;
}

/** A market record as read back: the written fields plus the writer's update counter. */
export interface MarketPositionView extends MarketPosition {
  /** Writes of this record since the board was created; bumped by every write. */
  updateCount: number;
}

export interface AccountState {
  /** Available cash, µ$. */
  cash: number;
  /** Cash held back from openings, µ$. */
  cashReserve: number;
  /** Portfolio value, µ$. */
  portfolioValue: number;
  /** Cash paid into positions this session, µ$. */
  invested: number;
  /** Cash received back from positions this session, µ$. */
  recouped: number;
  /** Cash at session start, µ$. */
  sessionStartCash: number;
  /** Portfolio value at session start, µ$. */
  sessionStartPortfolioValue: number;
  tradingState: TradingState;
  /** When the writer last refreshed this state, ms since epoch. */
  updatedAtMs: number;
}

export interface AccountView extends AccountState {
  /** Writes of this record since the board was created. */
  updateCount: number;
}

/** A zeroed view to pass to `readMarket`; allocate once, reuse for every read. */
export function createMarketPositionView(): MarketPositionView {
  return {
    position: 0, costBasis: 0, realizedPnl: 0, feesPaid: 0,
    workingSide: WorkingSide.NONE, workingPrice: 0, workingRemaining: 0, workingOrderCount: 0,
    lastOrderAtMs: 0, positionOpenedAtMs: 0, breakerState: BreakerState.CLOSED, breakerErrorCount: 0,
    tradingState: MarketTradingState.INACTIVE, updateCount: 0,
  };
}

/** A zeroed view to pass to `readAccount`; allocate once, reuse for every read. */
export function createAccountView(): AccountView {
  return {
    cash: 0, cashReserve: 0, portfolioValue: 0, invested: 0, recouped: 0,
    sessionStartCash: 0, sessionStartPortfolioValue: 0, tradingState: TradingState.BOOTING,
    updatedAtMs: 0, updateCount: 0,
  };
}
