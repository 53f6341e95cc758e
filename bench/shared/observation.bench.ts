/**
 * The observation (src/shared/observation): what an inference worker pays per decision to turn
 * one market's book, history and position into its 52 features.
 * - `buildObservation` alone, on a plain input (the replay/training path): 8 pre-built inputs
 *   (different books, positions and working orders) cycled, so no branch is always taken;
 * - `MarketHistory.push` (the O(1) ring + EWMA update per decision);
 * - `ObservationReader.observe`, the whole live step: seqlocked top/depth/position/account reads
 *   from shared memory, history push, build. 1,000 markets so the working set exceeds one
 *   market's cache lines.
 * 1,000 ops per call.
 */
import { consume, defineSuite } from '../harness.js';
import { BookStore } from '../../src/shared/book-store.js';
import { PriceGrid } from '../../src/shared/price-grid.js';
import { PositionBoard } from '../../src/shared/position-board.js';
import {
  BreakerState, MarketTradingState, TradingState, WorkingSide, createMarketPositionView, type AccountState, type MarketPosition,
} from '../../src/shared/position-records.js';
import { buildObservation, type MarketMeta } from '../../src/shared/observation/build.js';
import { FEATURE_COUNT } from '../../src/shared/observation/features.js';
import { MarketHistory } from '../../src/shared/observation/market-history.js';
import { ObservationReader, createObservationInput } from '../../src/shared/observation/reader.js';

const OPS = 1000;
const MARKETS = 1000;
const NOW_MS = 1_767_225_600_000;

let release: (() => void) | undefined;

export default defineSuite({
  name: 'observation',
  tasks: () => {
    const grid = PriceGrid.forStructure('linear_cent');
    const meta: MarketMeta = { closeTimeMs: NOW_MS + 7_200_000, grid };
    const account: AccountState = {
      cash: 1_000_000_000, cashReserve: 100_000_000, portfolioValue: 250_000_000, invested: 80_000_000,
      recouped: 30_000_000, sessionStartCash: 1_050_000_000, sessionStartPortfolioValue: 200_000_000,
      tradingState: TradingState.TRADING, updatedAtMs: NOW_MS,
    };
    const positionFor = (m: number): MarketPosition => ({
      ...createMarketPositionView(),
      position: ((m % 3) - 1) * 500, costBasis: (m % 3) === 1 ? 0 : 2_400_000, realizedPnl: 120_000, feesPaid: 17_500,
      workingSide: (m % 3) as WorkingSide, workingPrice: 4_800, workingRemaining: 500, workingOrderCount: m % 3 === 0 ? 0 : 1,
      lastOrderAtMs: NOW_MS - 4_000, positionOpenedAtMs: (m % 3) === 1 ? 0 : NOW_MS - 90_000,
      breakerState: BreakerState.CLOSED, tradingState: MarketTradingState.ACTIVE,
    });
    const bookFor = (m: number) => {
      const best = 40 + (m % 15); // cents
      const yes: number[] = [];
      const no: number[] = [];
      for (let l = 0; l < 12; l++) {
        yes.push((best - l) * 100, 1_000 + 137 * ((m + l) % 11));
        no.push((100 - best - 2 - (m % 3) - l) * 100, 1_200 + 91 * ((m + 2 * l) % 13));
      }
      return { yes, no };
    };

    // Plain inputs (replay path), with some history behind each.
    const history = new MarketHistory(MARKETS);
    const inputs = Array.from({ length: 8 }, (_, i) => {
      const inp = createObservationInput(history, meta);
      const { yes, no } = bookFor(i);
      inp.top.yesBid = yes[0]; inp.top.yesBidSize = yes[1]; inp.top.noBid = no[0]; inp.top.noBidSize = no[1];
      inp.top.stale = false; inp.top.exchangeTsMs = NOW_MS - 80; inp.top.receiveNs = 1e12 - 5e7;
      for (let l = 0; l < inp.yesPrices.length; l++) {
        inp.yesPrices[l] = yes[2 * l]; inp.yesSizes[l] = yes[2 * l + 1];
        inp.noPrices[l] = no[2 * l]; inp.noSizes[l] = no[2 * l + 1];
      }
      inp.yesLevels = inp.yesPrices.length;
      inp.noLevels = inp.noPrices.length;
      Object.assign(inp.position, positionFor(i));
      Object.assign(inp.account, account);
      inp.market = i;
      inp.nowMs = NOW_MS;
      inp.nowNs = 1e12;
      for (let t = 0; t < 200; t++) history.push(i, NOW_MS - 200_000 + t * 1000, yes[0] - 100 * (t % 3), 1000 + t, no[0] - 100 * (t % 2), 900 + t);
      return inp;
    });

    // Live path: BookStore + PositionBoard + reader.
    const books = BookStore.create({ maxMarkets: MARKETS });
    const board = PositionBoard.create(MARKETS);
    const writer = board.claimWriter();
    release = () => writer.release();
    for (let m = 0; m < MARKETS; m++) {
      const { yes, no } = bookFor(m);
      books.registerMarket(m, grid);
      books.applySnapshot(m, yes, 12, no, 12, NOW_MS - 80, 1e12 - 5e7);
      writer.writeMarket(m, positionFor(m));
    }
    writer.writeAccount(account);
    const liveHistory = new MarketHistory(MARKETS);
    const reader = new ObservationReader(books, board, liveHistory, meta);

    const out = new Float32Array(FEATURE_COUNT * 64);
    let k = 0;
    let nowMs = NOW_MS;
    return [
      {
        name: 'buildObservation (one market, plain input)',
        opsPerCall: OPS,
        fn: () => {
          for (let i = 0; i < OPS; i++) buildObservation(inputs[k++ & 7], out, (i & 63) * FEATURE_COUNT);
          consume(out[7]);
        },
      },
      {
        name: 'MarketHistory.push',
        opsPerCall: OPS,
        fn: () => {
          for (let i = 0; i < OPS; i++) {
            const m = k++ % MARKETS;
            nowMs += 3;
            history.push(m, nowMs, 4_500 + (i & 3) * 100, 1_000 + i, 5_300 + (i & 1) * 100, 900);
          }
          consume(history.count(0));
        },
      },
      {
        name: 'ObservationReader.observe (live: reads + push + build)',
        opsPerCall: OPS,
        fn: () => {
          let r = 0;
          for (let i = 0; i < OPS; i++) {
            nowMs += 3;
            if (reader.observe(k++ % MARKETS, meta, nowMs, 1e12 + i, out, (i & 63) * FEATURE_COUNT) === 'ok') r++;
          }
          consume(r);
        },
      },
    ];
  },
  teardown: () => {
    release?.();
    release = undefined;
  },
});
