/**
 * ExecutionStage.addMarket and setMarketTradingState (market rotation) against the simulator: a
 * market added while running trades in its own slot; a slot or a ticker is never taken twice; a
 * halted market is not traded, one winding down takes closings only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { monoNs } from '../../../src/shared/clock.js';
import { Action } from '../../../src/shared/policy/actions.js';
import { MarketTradingState } from '../../../src/shared/position-records.js';
import { INTENT_WORDS } from '../../../src/workers/inference/intent-record.js';
import type { MarketState } from '../../../src/sim/engine/types.js';
import { startHarness, tradable, until, type Harness } from './stage-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('ExecutionStage.addMarket', () => {
  it('trades a market added while running in its slot, refuses a slot or ticker twice, and honours the market trading state', async () => {
    const x = (h = await startHarness({ count: 1, settings: { priceMode: 'passive', throttleMs: 0 } }));
    const extra = x.sim.exchange.markets().find((m) => tradable(x.sim, m) && m.index !== x.markets[0].index)!;
    expect(extra).toBeDefined();
    const snapshot = (m: MarketState) => {
      const yes = x.sim.exchange.bookLevels(m.index, 'yes');
      const no = x.sim.exchange.bookLevels(m.index, 'no');
      expect(x.books.applySnapshot(m.index, yes.flat(), yes.length, no.flat(), no.length, Date.now(), monoNs())).toBe(0);
    };
    const record = new Int32Array(INTENT_WORDS);
    const push = (m: MarketState, action: number) => {
      record[0] = m.index;
      record[1] = action;
      expect(x.ring.tryPush(record)).toBe(true);
      x.pushed++;
    };
    const denied = (reason: string) => x.stage.stats().denied.byReason[reason] ?? 0;

    // Not yet traded: an intent for it is refused as an unknown market.
    x.books.registerMarket(extra.index, extra.grid);
    snapshot(extra);
    push(extra, Action.BUY_YES);
    await x.settle();
    expect(denied('UNKNOWN_MARKET')).toBe(1);

    x.stage.addMarket({ index: extra.index, ticker: extra.ticker, grid: extra.grid, closeTimeMs: extra.closeMs });
    expect(() => x.stage.addMarket({ index: extra.index, ticker: 'KXOTHER-1', grid: extra.grid, closeTimeMs: extra.closeMs })).toThrow(/not reused/);
    expect(() => x.stage.addMarket({ index: x.markets[0].index, ticker: 'KXOTHER-1', grid: extra.grid, closeTimeMs: extra.closeMs })).toThrow(/not reused/);
    const free = x.sim.exchange.markets().find((m) => m.index !== extra.index && m.index !== x.markets[0].index)!;
    expect(() => x.stage.addMarket({ index: free.index, ticker: extra.ticker, grid: extra.grid, closeTimeMs: extra.closeMs })).toThrow(/already traded/);
    expect(() => x.stage.addMarket({ index: x.board.capacity, ticker: 'KXOTHER-2', grid: extra.grid, closeTimeMs: extra.closeMs })).toThrow(/outside the board/);
    expect(x.journal.records('market_data').some((r) => r.type === 'market' && r.market_ticker === extra.ticker && r.slot === extra.index && r.close_ms === extra.closeMs)).toBe(true);

    snapshot(extra);
    push(extra, Action.BUY_YES);
    await x.settle();
    await until(() => x.resting(extra).length === 1, 'a resting order in the added market');
    expect(x.resting(extra)[0].side).toBe('bid');
    expect(x.stage.stats().positions.some((p) => p.market === extra.index)).toBe(true);

    // Winding down: closings only (no position here, so an opening is refused).
    x.stage.setMarketTradingState(extra.index, MarketTradingState.REDUCING, 'closing soon');
    snapshot(extra);
    push(extra, Action.BUY_NO);
    await x.settle();
    expect(denied('REDUCING_ONLY')).toBe(1);
    // Halted: nothing.
    x.stage.setMarketTradingState(extra.index, MarketTradingState.HALTED, 'closed');
    push(extra, Action.BUY_NO);
    await x.settle();
    expect(denied('NOT_TRADING')).toBe(1);
    x.stage.setMarketTradingState(free.index, MarketTradingState.HALTED, 'not ours'); // unknown slots are ignored
    expect(x.journal.records('state_transition').filter((r) => r.machine === `market:${extra.ticker}`).map((r) => [r.from_state, r.to_state])).toEqual([['active', 'reducing'], ['reducing', 'halted']]);
  });
});
