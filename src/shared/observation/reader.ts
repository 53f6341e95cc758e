/**
 * The live path into `buildObservation`: reads one market's book from the BookStore and its
 * position and the account from the PositionBoard into a reusable ObservationInput, records the
 * top in the worker's MarketHistory, and builds. Replay and training fill the same
 * ObservationInput shape by hand and call the same `buildObservation` (build.ts); the golden test
 * in test/shared/observation/build.test.ts holds the two paths bit-identical.
 *
 * Torn reads are the stores' business (each read is seqlocked); what this adds is consistency
 * between the top and the depth ladders, which are separate reads: they are taken between two
 * reads of the top and retried if the book's update counter moved in between.
 *
 * One reader per inference worker (it owns scratch arrays); no allocation per read.
 */
import { SIDE_NO, SIDE_YES } from '../book-layout.js';
import { emptyBookTop, type BookStore, type BookTop } from '../book-store.js';
import type { PositionBoard } from '../position-board.js';
import { createAccountView, createMarketPositionView, type AccountView, type MarketPositionView } from '../position-records.js';
import { buildObservation, type MarketMeta, type ObservationInput } from './build.js';
import { FEATURE_PARAMS } from './features.js';
import type { MarketHistory } from './market-history.js';

/** Attempts at a top/depth pair from one book version before using the last one read. */
const CONSISTENT_READ_ATTEMPTS = 4;

/** Why `read` failed, for counting; 'ok' on success. */
export type ReadOutcome = 'ok' | 'book' | 'position' | 'account';

/** A scratch ObservationInput with its own arrays and views (for the live reader and for replay). */
export function createObservationInput(history: MarketHistory, meta: MarketMeta): ObservationInput & {
  top: BookTop; position: MarketPositionView; account: AccountView;
} {
  return {
    top: emptyBookTop(),
    yesPrices: new Int32Array(FEATURE_PARAMS.depthLevels),
    yesSizes: new Int32Array(FEATURE_PARAMS.depthLevels),
    yesLevels: 0,
    noPrices: new Int32Array(FEATURE_PARAMS.depthLevels),
    noSizes: new Int32Array(FEATURE_PARAMS.depthLevels),
    noLevels: 0,
    history,
    market: 0,
    position: createMarketPositionView(),
    account: createAccountView(),
    meta,
    nowMs: 0,
    nowNs: 0,
  };
}

export class ObservationReader {
  readonly books: BookStore;
  readonly board: PositionBoard;
  readonly history: MarketHistory;
  /** The input of the last `read`: inspect it, or hand it to `buildObservation` yourself. */
  readonly input: ReturnType<typeof createObservationInput>;
  private readonly check: BookTop = emptyBookTop();

  constructor(books: BookStore, board: PositionBoard, history: MarketHistory, meta: MarketMeta) {
    this.books = books;
    this.board = board;
    this.history = history;
    this.input = createObservationInput(history, meta);
  }

  /**
   * Fill `this.input` for `market` at (`nowMs` wall, `nowNs` monotonic). Reads the top, both
   * depth ladders (best `depthLevels` levels) and the top again, retrying while the book moved;
   * then the market's position and the account. Does not touch the history.
   */
  read(market: number, meta: MarketMeta, nowMs: number, nowNs: number): ReadOutcome {
    const inp = this.input;
    const books = this.books;
    const levels = FEATURE_PARAMS.depthLevels;
    let ok = false;
    for (let attempt = 0; attempt < CONSISTENT_READ_ATTEMPTS; attempt++) {
      if (!books.readTop(market, inp.top)) return 'book';
      const yes = books.readDepth(market, SIDE_YES, levels, inp.yesPrices, inp.yesSizes);
      const no = books.readDepth(market, SIDE_NO, levels, inp.noPrices, inp.noSizes);
      if (yes < 0 || no < 0) return 'book';
      inp.yesLevels = yes;
      inp.noLevels = no;
      if (!books.readTop(market, this.check)) return 'book';
      if (this.check.updates === inp.top.updates) {
        ok = true;
        break;
      }
    }
    // Still moving after several attempts: keep the depth read and take the top from the second
    // read, whose version is at least as new; the depth features may lag by a few updates.
    if (!ok) copyTop(this.check, inp.top);
    if (!this.board.readMarket(market, inp.position)) return 'position';
    if (!this.board.readAccount(inp.account)) return 'account';
    inp.market = market;
    inp.meta = meta;
    inp.nowMs = nowMs;
    inp.nowNs = nowNs;
    return 'ok';
  }

  /**
   * The live decision step for one market: `read`, record the top in the history at `nowMs`,
   * build the 52 features into `out[offset …]`. Returns the read outcome; on anything but 'ok'
   * nothing is recorded or written.
   */
  observe(market: number, meta: MarketMeta, nowMs: number, nowNs: number, out: Float32Array, offset: number): ReadOutcome {
    const outcome = this.read(market, meta, nowMs, nowNs);
    if (outcome !== 'ok') return outcome;
    const top = this.input.top;
    this.history.push(market, nowMs, top.yesBid, top.yesBidSize, top.noBid, top.noBidSize);
    buildObservation(this.input, out, offset);
    return 'ok';
  }
}

function copyTop(from: BookTop, to: BookTop): void {
  to.yesBid = from.yesBid;
  to.yesBidSize = from.yesBidSize;
  to.noBid = from.noBid;
  to.noBidSize = from.noBidSize;
  to.stale = from.stale;
  to.updates = from.updates;
  to.exchangeTsMs = from.exchangeTsMs;
  to.receiveNs = from.receiveNs;
}
