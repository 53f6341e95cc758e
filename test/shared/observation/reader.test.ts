import { describe, expect, it } from 'vitest';
import { BookStore } from '../../../src/shared/book-store.js';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import { PositionBoard } from '../../../src/shared/position-board.js';
import { FEATURE_COUNT, FEATURE_INDEX as I } from '../../../src/shared/observation/features.js';
import { MarketHistory } from '../../../src/shared/observation/market-history.js';
import { ObservationReader } from '../../../src/shared/observation/reader.js';
import { tradingAccount, tradingPosition } from './support.js';

const grid = PriceGrid.forStructure('linear_cent');
const meta = { closeTimeMs: 0, grid };

function setup() {
  const books = BookStore.create({ maxMarkets: 3 });
  books.registerMarket(0, grid);
  books.registerMarket(1, grid);
  const board = PositionBoard.create(3);
  const writer = board.claimWriter();
  writer.writeMarket(0, tradingPosition({ position: -500, costBasis: 2_000_000 }));
  writer.writeAccount(tradingAccount());
  const history = new MarketHistory(3);
  return { books, board, writer, history, reader: new ObservationReader(books, board, history, meta) };
}

describe('ObservationReader', () => {
  it('reads top, depth (best first, NO side in NO price), position and account into its input', () => {
    const { books, writer, reader } = setup();
    try {
      books.applySnapshot(0, [5500, 100, 5600, 200], 2, [4200, 300, 4100, 400, 3000, 5], 3, 1000, 2e9);
      expect(reader.read(0, meta, 5000, 3e9)).toBe('ok');
      const inp = reader.input;
      expect([inp.top.yesBid, inp.top.yesBidSize, inp.top.noBid, inp.top.noBidSize]).toEqual([5600, 200, 4200, 300]);
      expect([inp.yesLevels, inp.noLevels]).toEqual([2, 3]);
      expect(Array.from(inp.yesPrices.subarray(0, 2))).toEqual([5600, 5500]);
      expect(Array.from(inp.noPrices.subarray(0, 3))).toEqual([4200, 4100, 3000]);
      expect(inp.position.position).toBe(-500);
      expect(inp.account.cash).toBe(1_000_000_000);
      expect([inp.market, inp.nowMs, inp.nowNs]).toEqual([0, 5000, 3e9]);
    } finally {
      writer.release();
    }
  });

  it('observe pushes one history entry and builds at the offset; a failed read does neither', () => {
    const { books, writer, history, reader } = setup();
    try {
      books.applySnapshot(0, [5600, 200], 1, [4200, 300], 1, 1000, 2e9);
      const out = new Float32Array(2 * FEATURE_COUNT);
      expect(reader.observe(0, meta, 5000, 3e9, out, FEATURE_COUNT)).toBe('ok');
      expect(history.count(0)).toBe(1);
      expect(out[FEATURE_COUNT + I.yes_ask]).toBeCloseTo(0.58, 7);
      expect(out[FEATURE_COUNT + I.position_side]).toBe(-1);
      expect(out[I.yes_ask]).toBe(0);
      expect(reader.observe(2, meta, 5000, 3e9, out, 0)).toBe('book'); // slot 2 not registered
      expect(history.count(2)).toBe(0);
      expect(out[I.yes_ask]).toBe(0);
    } finally {
      writer.release();
    }
  });

  it('a market that was never snapshotted reads as stale and empty', () => {
    const { writer, reader } = setup();
    try {
      const out = new Float32Array(FEATURE_COUNT);
      expect(reader.observe(1, meta, 5000, 3e9, out, 0)).toBe('ok');
      expect(out[I.book_stale]).toBe(1);
      expect(out[I.has_yes_bid]).toBe(0);
      expect(out[I.book_age]).toBe(1);
    } finally {
      writer.release();
    }
  });
});
