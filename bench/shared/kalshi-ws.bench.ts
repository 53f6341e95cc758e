/**
 * The WebSocket market-data hot path: `parseOrderbookFrame` on delta frames and 2×20-level
 * snapshots, `TickerIndex.lookup` from the parsed byte range, and `JSON.parse` of the same delta
 * frames as the baseline the byte parser replaces. Inputs are real frames from the simulator's
 * builders (src/sim/ws/frames.ts, Kalshi's exact layout), as Buffers like the ones `ws` hands to
 * 'message'; 1,000 varied frames per call, deterministic (LCG) so runs compare.
 */
import { consume, defineSuite } from '../harness.js';
import { parseChannelEvent } from '../../src/shared/kalshi/ws/channel-events.js';
import { OrderbookFrame, parseOrderbookFrame } from '../../src/shared/kalshi/ws/orderbook-parser.js';
import { TickerIndex } from '../../src/shared/kalshi/ws/ticker-index.js';
import type { FillState } from '../../src/sim/engine/types.js';
import * as frames from '../../src/sim/ws/frames.js';

const OPS = 1000;
const MARKETS = 1000;
const SNAPSHOTS = 100;

function inputs() {
  let seed = 424242;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const tickers = Array.from({ length: MARKETS }, (_, i) => `KXBENCH${i % 37}-26AUG${String(1 + (i % 28)).padStart(2, '0')}-T${1000 + i}`);
  const deltas: Buffer[] = [];
  for (let i = 0; i < OPS; i++) {
    const delta = (next(200_000) - 100_000) || 100;
    const own = next(20) === 0 ? `client-${i}` : undefined;
    deltas.push(Buffer.from(frames.orderbookDelta(3, 1 + i, { ticker: tickers[next(MARKETS)] }, next(2) === 0 ? 'yes' : 'no', 1 + next(9999), delta, 1_755_800_000_000 + i, own)));
  }
  const snapshots: Buffer[] = [];
  for (let i = 0; i < SNAPSHOTS; i++) {
    const side = (from: number): Array<[number, number]> => Array.from({ length: 20 }, (_, l) => [from + 100 * l + next(50), 100 + next(1_000_000)]);
    snapshots.push(Buffer.from(frames.orderbookSnapshot(3, 1 + i, { ticker: tickers[next(MARKETS)] }, side(2000), side(1000))));
  }
  const fill: FillState = {
    fillId: 'f1', tradeId: 'd91bc706-ee49-470d-82d8-11418bda6fed', orderId: 'ee587a1c-8b87-4dcf-b721-9f6f790619fa', clientOrderId: 'my-order-1',
    account: 'a', marketIndex: 0, side: 'bid', outcomeSide: 'yes', yesPrice: 7500, count: 27_800, isTaker: true, fee: 10_000, postPosition: 50_000, tsMs: 1_755_800_000_000,
  };
  const fillText = frames.fill(13, fill, { ticker: tickers[0] });
  return { tickers, deltas, snapshots, fillText };
}

export default defineSuite({
  name: 'kalshi-ws',
  tasks: () => {
    const { tickers, deltas, snapshots, fillText } = inputs();
    const frame = new OrderbookFrame();
    const index = new TickerIndex();
    tickers.forEach((t, i) => index.add(t, i));
    // Ticker ranges of the delta frames, for the lookup alone.
    const starts = new Int32Array(OPS);
    const ends = new Int32Array(OPS);
    deltas.forEach((buf, i) => {
      parseOrderbookFrame(buf, frame);
      starts[i] = frame.tickerStart;
      ends[i] = frame.tickerEnd;
    });
    const fillValue = JSON.parse(fillText) as unknown;
    return [
      {
        name: 'parseOrderbookFrame delta',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) sum += parseOrderbookFrame(deltas[i], frame) + frame.delta;
          consume(sum);
        },
      },
      {
        name: 'parseOrderbookFrame snapshot 2×20 levels',
        opsPerCall: SNAPSHOTS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < SNAPSHOTS; i++) sum += parseOrderbookFrame(snapshots[i], frame) + frame.yesLevels;
          consume(sum);
        },
      },
      {
        name: `TickerIndex.lookup (${MARKETS} markets)`,
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) sum += index.lookup(deltas[i], starts[i], ends[i]);
          consume(sum);
        },
      },
      {
        name: 'delta: parse + ticker lookup',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) {
            const buf = deltas[i];
            parseOrderbookFrame(buf, frame);
            sum += index.lookup(buf, frame.tickerStart, frame.tickerEnd) + frame.price;
          }
          consume(sum);
        },
      },
      {
        name: 'baseline: JSON.parse(buf.toString()) same delta',
        opsPerCall: OPS,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < OPS; i++) sum += (JSON.parse(deltas[i].toString()) as { seq: number }).seq;
          consume(sum);
        },
      },
      {
        name: 'cold path: parseChannelEvent fill (after JSON.parse)',
        opsPerCall: 100,
        fn: () => {
          let sum = 0;
          for (let i = 0; i < 100; i++) sum += parseChannelEvent(fillValue).sid;
          consume(sum);
        },
      },
    ];
  },
});
