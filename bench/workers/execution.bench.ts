/**
 * ExecutionCore.onIntent on one thread, 1,000 linear_cent markets on a real BookStore and
 * PositionBoard (the execution thread is their single writer):
 * - throttled: an intent inside the market's 250 ms window — the most common refusal, and the
 *   cheapest; gate → throttle → DENIED (a shared frozen object, no allocation);
 * - already working: the full path (gate, throttle, in-flight, breaker, size, book read, price,
 *   cash and exposure checks, working-order plan) ending in DENIED ALREADY_WORKING;
 * - sending: the full path to SEND place (client_order_id, request, throttle, in-flight, board
 *   publish of the market and, for the cash hold, the account), plus the onOutcome(NOT_SENT) that
 *   clears it so the next round can send again (one op = onIntent + onOutcome).
 */
import { consume, defineSuite } from '../harness.js';
import { BookStore } from '../../src/shared/book-store.js';
import { PositionBoard } from '../../src/shared/position-board.js';
import { TradingState } from '../../src/shared/position-records.js';
import { PriceGrid } from '../../src/shared/price-grid.js';
import { Action } from '../../src/shared/policy/actions.js';
import { ExecutionCore } from '../../src/workers/execution/execution-core.js';
import { OutcomeStatus } from '../../src/workers/execution/working-orders.js';

const OPS = 1000;
const MARKETS = 1000;
const T0 = 1_767_225_600_000;

function makeCore(): ExecutionCore {
  const store = BookStore.create({ maxMarkets: MARKETS });
  const grid = PriceGrid.forStructure('linear_cent');
  const yes: number[] = [];
  const no: number[] = [];
  for (let l = 1; l <= 40; l++) {
    yes.push(l * 100, 1000 + l); // best YES bid 0.40
    no.push(l * 100, 2000 + l); // best NO bid 0.40 → YES ask 0.60
  }
  const board = PositionBoard.create(MARKETS);
  const core = new ExecutionCore({ capacity: MARKETS, sessionId: 'bench01', books: store, board: board.claimWriter(), mode: 'passive', groups: { mode: 'off' } });
  for (let m = 0; m < MARKETS; m++) {
    store.registerMarket(m, grid);
    store.applySnapshot(m, yes, 40, no, 40, 0, 0);
    core.addMarket(m, `KXBENCH-26JAN01-T${m}`, grid);
  }
  core.startSession(1_000_000_000_000, 1_000_000_000_000, T0); // $1M: the cash gate always passes
  core.setTradingState(TradingState.TRADING, T0);
  return core;
}

export default defineSuite({
  name: 'execution',
  tasks: () => {
    // Throttled: every market sent at T0 (left in flight), intents at T0 + 1.
    const throttled = makeCore();
    for (let m = 0; m < MARKETS; m++) throttled.onIntent(m, Action.BUY_YES, T0);

    // Already working: every market has an accepted resting bid at the passive price.
    const working = makeCore();
    for (let m = 0; m < MARKETS; m++) {
      const d = working.onIntent(m, Action.BUY_YES, T0);
      if (d.kind !== 'SEND') throw new Error('setup: expected SEND');
      working.onOutcome(d.request.requestId, { status: OutcomeStatus.ACCEPTED, orderId: `o${m}`, remaining: 500, filled: 0 }, T0);
    }

    const sending = makeCore();
    let sendNow = T0;
    let workNow = T0;
    let k = 0;
    let j = 0;
    return [
      {
        name: 'onIntent → DENIED THROTTLED',
        opsPerCall: OPS,
        fn: () => {
          let r = 0;
          for (let i = 0; i < OPS; i++) {
            const d = throttled.onIntent(k++ % MARKETS, Action.BUY_YES, T0 + 1);
            r += d.kind === 'DENIED' ? d.reason : 0;
          }
          consume(r);
        },
      },
      {
        name: 'onIntent → DENIED ALREADY_WORKING (full path, book read + price + limits)',
        opsPerCall: OPS,
        fn: () => {
          let r = 0;
          for (let i = 0; i < OPS; i++) {
            workNow += 1;
            const d = working.onIntent(j++ % MARKETS, Action.BUY_YES, workNow + 250);
            r += d.kind === 'DENIED' ? d.reason : 0;
          }
          consume(r);
        },
      },
      {
        name: 'onIntent → SEND place (+ onOutcome NOT_SENT)',
        opsPerCall: OPS,
        fn: () => {
          let r = 0;
          for (let i = 0; i < OPS; i++) {
            const m = k++ % MARKETS;
            if (m === 0) sendNow += 250; // a new round: every market out of its throttle window
            const d = sending.onIntent(m, Action.BUY_YES, sendNow);
            if (d.kind === 'SEND') {
              sending.onOutcome(d.request.requestId, { status: OutcomeStatus.NOT_SENT }, sendNow);
              r++;
            }
          }
          consume(r);
        },
      },
    ];
  },
});
