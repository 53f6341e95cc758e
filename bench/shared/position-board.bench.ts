/**
 * PositionBoard record copies on one thread (no writer racing the reader): readMarket is what an
 * inference worker pays per decision for portfolio features, writeMarket what execution pays per
 * fill or order update. 1,000 ops per call over 1,024 markets.
 */
import { consume, defineSuite } from '../harness.js';
import { PositionBoard } from '../../src/shared/position-board.js';
import {
  BreakerState,
  createAccountView,
  createMarketPositionView,
  MarketTradingState,
  TradingState,
  WorkingSide,
  type MarketPosition,
} from '../../src/shared/position-records.js';

const OPS = 1000;
const MARKETS = 1024;

let release: (() => void) | undefined;

export default defineSuite({
  name: 'position-board',
  tasks: () => {
    const board = PositionBoard.create(MARKETS);
    const writer = board.claimWriter();
    release = () => writer.release();
    const record: MarketPosition = {
      position: -1_250, costBasis: 4_375_000, realizedPnl: -120_000, feesPaid: 17_500,
      workingSide: WorkingSide.BID, workingPrice: 5_600, workingRemaining: 1_000, workingOrderCount: 1,
      lastOrderAtMs: 1_767_225_600_123, positionOpenedAtMs: 1_767_225_000_000,
      breakerState: BreakerState.CLOSED, breakerErrorCount: 0, tradingState: MarketTradingState.ACTIVE,
    };
    for (let i = 0; i < MARKETS; i++) writer.writeMarket(i, { ...record, position: i });
    writer.writeAccount({
      cash: 1_000_000_000, cashReserve: 100_000_000, portfolioValue: 250_000_000, invested: 80_000_000,
      recouped: 30_000_000, sessionStartCash: 1_050_000_000, sessionStartPortfolioValue: 200_000_000,
      tradingState: TradingState.TRADING, updatedAtMs: 1_767_225_600_999,
    });
    const market = createMarketPositionView();
    const account = createAccountView();
    let next = 0;
    return [
      {
        name: 'readMarket',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) {
            if (board.readMarket((next++) & (MARKETS - 1), market)) sum += market.position;
          }
          consume(sum);
        },
      },
      {
        name: 'writeMarket (full record)',
        opsPerCall: OPS,
        fn: () => {
          for (let i = 0; i < OPS; i++) {
            record.position = i;
            writer.writeMarket((next++) & (MARKETS - 1), record);
          }
        },
      },
      {
        name: 'readAccount',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) if (board.readAccount(account)) sum += account.cash;
          consume(sum);
        },
      },
    ];
  },
  teardown: () => {
    release?.();
    release = undefined;
  },
});
