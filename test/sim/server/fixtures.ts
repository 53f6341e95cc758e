/** Hand-built engine states (src/sim/engine/types.ts) for the server and WebSocket tests. */
import { PriceGrid } from '../../../src/shared/price-grid.js';
import type {
  AccountState,
  EventState,
  FillState,
  MarketState,
  OrderGroupState,
  OrderState,
  PositionState,
  SeriesState,
  SettlementState,
} from '../../../src/sim/engine/types.js';

/** 2026-08-01T12:00:00Z */
export const T0 = Date.UTC(2026, 7, 1, 12, 0, 0);

export function market(overrides: Partial<MarketState> = {}): MarketState {
  return {
    index: 0,
    ticker: 'KXSIMBTC-26AUG01-T5000',
    eventTicker: 'KXSIMBTC-26AUG01',
    seriesTicker: 'KXSIMBTC',
    title: 'Will BTC be above 50,000 on Aug 1?',
    yesSubTitle: 'Above 50,000',
    noSubTitle: '50,000 or below',
    status: 'active',
    priceLevelStructure: 'linear_cent',
    grid: PriceGrid.forStructure('linear_cent'),
    createdMs: T0 - 86_400_000,
    openMs: T0 - 3_600_000,
    closeMs: T0 + 3_600_000,
    determineMs: T0 + 3_660_000,
    settlementTimerSeconds: 60,
    canCloseEarly: true,
    result: '',
    settledMs: 0,
    fairValue: 5600,
    lastPrice: 5500,
    previousYesBid: 5300,
    previousYesAsk: 5700,
    previousPrice: 5400,
    volume: 1_234_500,
    volume24h: 100_000,
    openInterest: 50_050,
    updatedMs: T0 - 1000,
    ...overrides,
  };
}

export const ACCOUNT = '3f0c2a52-7c1d-4e5e-9a55-1c2d3e4f5a6b';

export function order(overrides: Partial<OrderState> = {}): OrderState {
  return {
    orderId: 'ee587a1c-8b87-4dcf-b721-9f6f790619fa',
    account: ACCOUNT,
    clientOrderId: 'my-order-1',
    marketIndex: 0,
    side: 'bid',
    price: 3500,
    initialCount: 1000,
    remainingCount: 750,
    fillCount: 250,
    status: 'resting',
    timeInForce: 'good_till_canceled',
    postOnly: false,
    reduceOnly: false,
    selfTradePrevention: 'taker_at_cross',
    cancelOnPause: false,
    orderGroupId: '',
    expirationMs: 0,
    createdMs: T0,
    updatedMs: T0 + 1234,
    priority: 7,
    takerFillCost: 875_000, // 2.50 × $0.35
    makerFillCost: 0,
    takerFees: 20_000,
    makerFees: 0,
    reservedCash: 2_625_000,
    lastUpdateReason: 'Trade',
    ...overrides,
  };
}

export function fill(overrides: Partial<FillState> = {}): FillState {
  return {
    fillId: 'f1d2c3b4-a596-4877-8899-aabbccddeeff',
    tradeId: 'd91bc706-ee49-470d-82d8-11418bda6fed',
    orderId: 'ee587a1c-8b87-4dcf-b721-9f6f790619fa',
    clientOrderId: 'my-order-1',
    account: ACCOUNT,
    marketIndex: 0,
    side: 'bid',
    outcomeSide: 'yes',
    yesPrice: 7500,
    count: 27_800,
    isTaker: true,
    fee: 10_000,
    postPosition: 50_000,
    tsMs: T0 + 397,
    ...overrides,
  };
}

export function position(overrides: Partial<PositionState> = {}): PositionState {
  return {
    marketIndex: 0,
    position: 10_000,
    exposure: 50_000_000,
    realizedPnl: 10_000_000,
    feesPaid: 1_000_000,
    totalTraded: 60_000_000,
    volume: 1_500,
    lastUpdatedMs: T0 + 5000,
    ...overrides,
  };
}

export function settlement(overrides: Partial<SettlementState> = {}): SettlementState {
  return {
    marketIndex: 0,
    result: 'yes',
    yesCount: 1_000,
    yesTotalCost: 5_600_000,
    noCount: 0,
    noTotalCost: 0,
    revenue: 10_000_000,
    fee: 0,
    settledMs: T0 + 7_200_000,
    ...overrides,
  };
}

export function orderGroup(overrides: Partial<OrderGroupState> = {}): OrderGroupState {
  return { id: 'og_123', account: ACCOUNT, limit: 15_000, triggered: false, window: [], createdMs: T0, ...overrides };
}

export function series(overrides: Partial<SeriesState> = {}): SeriesState {
  return { ticker: 'KXSIMBTC', title: 'Simulated BTC', category: 'Simulated', feeType: 'quadratic', feeMultiplierMilli: 1000, ...overrides };
}

export function event(overrides: Partial<EventState> = {}): EventState {
  return {
    ticker: 'KXSIMBTC-26AUG01',
    seriesTicker: 'KXSIMBTC',
    title: 'BTC on Aug 1',
    subTitle: 'Aug 1, 2026',
    marketTickers: ['KXSIMBTC-26AUG01-T5000'],
    ...overrides,
  };
}

export function account(overrides: Partial<AccountState> = {}): AccountState {
  return { id: ACCOUNT, cash: 1_000_000_000, positions: new Map(), fills: [], settlements: [], orderGroups: new Map(), ...overrides };
}
