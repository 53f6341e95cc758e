/**
 * Recording market data for replay: a BookRecorder (src/shared/kalshi/ws/book-sync.ts) that turns
 * every change of a shard's books — snapshots, deltas, stale marks, in order — into journal
 * `market_data` records, with the shard's public trades among them. Replay applies them to an empty BookStore and gets the same books at
 * the same versions as the live host (BookTop.updates), which is how it finds the book each live
 * decision was taken on.
 *
 * `seq` is the natural key within a session: shard × 2^40 + the shard's own count, so shards
 * never collide and each market's records (a market lives on one shard) keep their order.
 * Records are buffered and handed over in batches (`take`), so the hot path only pushes an
 * object; the market-data worker posts a batch to the main thread four times a second.
 */
import type { BookRecorder } from '../../shared/kalshi/ws/book-sync.js';
import type { TradeEvent } from '../../shared/kalshi/ws/channel-events.js';

export const SHARD_SEQ_STRIDE = 2 ** 40;

export type MarketDataRow = Record<string, unknown> & {
  session_id: string;
  seq: number;
  market_ticker: string;
  type: 'snapshot' | 'delta' | 'stale' | 'trade';
};

export class MarketDataRecorder implements BookRecorder {
  private rows: MarketDataRow[] = [];
  private n = 0;
  /** Records not kept because the buffer was full (nobody took them). */
  dropped = 0;

  constructor(
    private readonly sessionId: string,
    shard: number,
    /** Ticker by global market index. */
    private readonly tickerOf: (market: number) => string | undefined,
    private readonly maxBuffered = 1 << 20,
  ) {
    this.n = shard * SHARD_SEQ_STRIDE;
  }

  snapshot(market: number, yes: ArrayLike<number>, yesLevels: number, no: ArrayLike<number>, noLevels: number, tsMs: number, receiveNs: number): void {
    const levels = { yes: pairs(yes, yesLevels), no: pairs(no, noLevels) };
    this.push(market, { type: 'snapshot', levels, ts_ms: tsMs || null, payload: { recv_ns: receiveNs } });
  }

  delta(market: number, side: number, price: number, delta: number, tsMs: number, receiveNs: number): void {
    this.push(market, { type: 'delta', side: side === 0 ? 'yes' : 'no', price, delta, ts_ms: tsMs || null, payload: { recv_ns: receiveNs } });
  }

  stale(market: number): void {
    this.push(market, { type: 'stale' });
  }

  /** A public trade on one of the shard's markets (not a book change: replay skips it). */
  trade(t: TradeEvent, receiveMs: number): void {
    if (this.rows.length >= this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.rows.push({
      session_id: this.sessionId, seq: this.n++, market_ticker: t.marketTicker, type: 'trade', exchange_seq: t.seq,
      price: t.yesPrice, delta: t.count, side: t.takerOutcomeSide, ts_ms: t.tsMs || null, recv_ms: receiveMs,
      payload: { trade_id: t.tradeId, taker_book_side: t.takerBookSide, is_block_trade: t.isBlockTrade },
    });
  }

  /** The records since the last call. */
  take(): MarketDataRow[] {
    const out = this.rows;
    this.rows = [];
    return out;
  }

  private push(market: number, fields: Record<string, unknown>): void {
    const ticker = this.tickerOf(market);
    if (ticker === undefined) return;
    if (this.rows.length >= this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.rows.push({ session_id: this.sessionId, seq: this.n++, market_ticker: ticker, ...fields } as MarketDataRow);
  }
}

function pairs(flat: ArrayLike<number>, levels: number): Array<[number, number]> {
  const out: Array<[number, number]> = new Array(levels);
  for (let i = 0; i < levels; i++) out[i] = [flat[2 * i], flat[2 * i + 1]];
  return out;
}
