import { describe, expect, it } from 'vitest';
import { NONE } from '../../../src/shared/book-layout.js';
import { emptyBookTop, type BookTop } from '../../../src/shared/book-store.js';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import { WorkingSide } from '../../../src/shared/position-records.js';
import { Action } from '../../../src/shared/policy/actions.js';
import { limitPrice, limitYesPrice, paidPrice, PRICING_MODES, wireSideOf, type PricingMode } from '../../../src/workers/execution/pricing.js';

function book(yesBid: number, noBid: number, stale = false): BookTop {
  return { ...emptyBookTop(), yesBid, yesBidSize: yesBid === NONE ? 0 : 1000, noBid, noBidSize: noBid === NONE ? 0 : 1000, stale };
}

const linear = PriceGrid.forStructure('linear_cent');
const tapered = PriceGrid.forStructure('tapered_deci_cent');
const centi = PriceGrid.forStructure('center_deci_edge_centi_cent');

type Row = [action: number, mode: PricingMode, side: 'bid' | 'ask', yes: number, outcome: number];

/** Expected prices computed by hand; see each table's comment. */
function expectTable(grid: PriceGrid, top: BookTop, rows: Row[]): void {
  for (const [action, mode, side, yes, outcome] of rows) {
    const got = limitPrice(action, mode, top, grid);
    expect(got, `action ${action} ${mode}`).toEqual({ side: side === 'bid' ? WorkingSide.BID : WorkingSide.ASK, wireSide: side, yesPrice: yes, outcomePrice: outcome });
    expect(limitYesPrice(action, mode, top, grid)).toBe(yes);
  }
}

describe('wire side of each action', () => {
  it('BUY_YES and SELL_NO bid on the YES book, SELL_YES and BUY_NO ask, HOLD nothing', () => {
    expect(wireSideOf(Action.BUY_YES)).toBe(WorkingSide.BID);
    expect(wireSideOf(Action.SELL_NO)).toBe(WorkingSide.BID);
    expect(wireSideOf(Action.SELL_YES)).toBe(WorkingSide.ASK);
    expect(wireSideOf(Action.BUY_NO)).toBe(WorkingSide.ASK);
    expect(wireSideOf(Action.HOLD)).toBe(WorkingSide.NONE);
    expect(wireSideOf(7)).toBe(WorkingSide.NONE);
    expect(limitPrice(Action.HOLD, 'passive', book(4500, 5200), linear)).toBeUndefined();
  });

  it('paid price: a bid pays the YES price, an ask the NO price 10000 − p', () => {
    expect(paidPrice(WorkingSide.BID, 4500)).toBe(4500);
    expect(paidPrice(WorkingSide.ASK, 4500)).toBe(5500);
  });
});

describe('linear_cent, every action × mode', () => {
  // YES bid 0.45, NO bid 0.52 → YES ask 1 − 0.52 = 0.48, NO ask 1 − 0.45 = 0.55.
  // YES mid (0.45 + 0.48)/2 = 0.465 → bid side down to 0.46, ask side up to 0.47.
  // NO  mid (0.52 + 0.55)/2 = 0.535 = 1 − 0.465: BUY_NO down to NO 0.53 (ask YES 0.47),
  //                                              SELL_NO up to NO 0.54 (bid YES 0.46).
  const top = book(4500, 5200);
  it('matches the hand-computed prices', () => {
    expectTable(linear, top, [
      [Action.BUY_YES, 'aggressive', 'bid', 4800, 4800], // take the YES ask
      [Action.BUY_YES, 'passive', 'bid', 4500, 4500], // join the YES bid
      [Action.BUY_YES, 'mid', 'bid', 4600, 4600],
      [Action.SELL_YES, 'aggressive', 'ask', 4500, 4500], // hit the YES bid
      [Action.SELL_YES, 'passive', 'ask', 4800, 4800], // join the YES ask (= NO bid 0.52)
      [Action.SELL_YES, 'mid', 'ask', 4700, 4700],
      [Action.BUY_NO, 'aggressive', 'ask', 4500, 5500], // take the NO ask 0.55 = 1 − YES bid
      [Action.BUY_NO, 'passive', 'ask', 4800, 5200], // join the NO bid 0.52
      [Action.BUY_NO, 'mid', 'ask', 4700, 5300],
      [Action.SELL_NO, 'aggressive', 'bid', 4800, 5200], // hit the NO bid 0.52
      [Action.SELL_NO, 'passive', 'bid', 4500, 5500], // join the NO ask 0.55 (= YES bid 0.45)
      [Action.SELL_NO, 'mid', 'bid', 4600, 5400],
    ]);
  });

  it('the complement is exactly 10000 − p, never 9900 − p (lessons #2)', () => {
    const buyNo = limitPrice(Action.BUY_NO, 'aggressive', top, linear)!;
    expect(buyNo.outcomePrice).toBe(10_000 - 4500);
    expect(buyNo.outcomePrice).not.toBe(9_900 - 4500);
    for (const mode of PRICING_MODES) {
      for (const a of [Action.BUY_NO, Action.SELL_NO]) {
        const p = limitPrice(a, mode, top, linear)!;
        expect(p.yesPrice + p.outcomePrice).toBe(10_000);
      }
    }
  });

  it('a one-tick spread: mid joins the own side, never crosses', () => {
    const tight = book(4500, 5400); // YES ask 0.46
    expect(limitYesPrice(Action.BUY_YES, 'mid', tight, linear)).toBe(4500);
    expect(limitYesPrice(Action.SELL_YES, 'mid', tight, linear)).toBe(4600);
    expect(limitYesPrice(Action.BUY_NO, 'mid', tight, linear)).toBe(4600);
    expect(limitYesPrice(Action.SELL_NO, 'mid', tight, linear)).toBe(4500);
  });
});

describe('sub-penny and tapered grids', () => {
  it('tapered_deci_cent above 0.90 ($0.001 steps): mid snaps to the 0.001 grid', () => {
    // YES bid 0.912, NO bid 0.083 → YES ask 0.917; mid 0.9145 → bid 0.914, ask 0.915.
    const top = book(9120, 830);
    expectTable(tapered, top, [
      [Action.BUY_YES, 'aggressive', 'bid', 9170, 9170],
      [Action.BUY_YES, 'passive', 'bid', 9120, 9120],
      [Action.BUY_YES, 'mid', 'bid', 9140, 9140],
      [Action.SELL_YES, 'aggressive', 'ask', 9120, 9120],
      [Action.SELL_YES, 'passive', 'ask', 9170, 9170],
      [Action.SELL_YES, 'mid', 'ask', 9150, 9150],
      [Action.BUY_NO, 'aggressive', 'ask', 9120, 880],
      [Action.BUY_NO, 'passive', 'ask', 9170, 830],
      [Action.BUY_NO, 'mid', 'ask', 9150, 850],
      [Action.SELL_NO, 'aggressive', 'bid', 9170, 830],
      [Action.SELL_NO, 'passive', 'bid', 9120, 880],
      [Action.SELL_NO, 'mid', 'bid', 9140, 860],
    ]);
  });

  it('tapered_deci_cent across the 0.90 band edge: the mid snaps to each band\'s own step', () => {
    // YES bid 0.89, NO bid 0.095 → YES ask 0.905. Mid 0.8975 lies in the $0.01 band: a bid
    // snaps down to 0.89, an ask up to 0.90 (the band edge; still below the ask, still above the bid).
    const top = book(8900, 950);
    expect(limitYesPrice(Action.BUY_YES, 'mid', top, tapered)).toBe(8900);
    expect(limitYesPrice(Action.SELL_YES, 'mid', top, tapered)).toBe(9000);
    expect(limitYesPrice(Action.BUY_NO, 'mid', top, tapered)).toBe(9000); // NO 0.10
    expect(limitYesPrice(Action.SELL_NO, 'mid', top, tapered)).toBe(8900); // NO 0.11
    expect(limitYesPrice(Action.BUY_YES, 'aggressive', top, tapered)).toBe(9050);
    expect(limitYesPrice(Action.SELL_YES, 'passive', top, tapered)).toBe(9050);
  });

  it('an off-grid book price snaps the safe way: a bid down, an ask up', () => {
    // A NO bid of 0.103 is not on this grid's $0.01 centre band; its YES ask 0.897 would be off
    // grid too. Taking it as a bid rounds down to 0.89 (pays no more than intended).
    const top = book(8800, 1030);
    expect(limitYesPrice(Action.BUY_YES, 'aggressive', top, tapered)).toBe(8900);
    expect(limitYesPrice(Action.SELL_NO, 'aggressive', top, tapered)).toBe(8900);
    expect(limitYesPrice(Action.SELL_YES, 'passive', top, tapered)).toBe(9000);
  });

  it('center_deci_edge_centi_cent below 0.01 ($0.0001 steps)', () => {
    // YES bid 0.0037, NO bid 0.995 → YES ask 0.0050; mid 0.00435 → bid 0.0043, ask 0.0044.
    const top = book(37, 9950);
    expectTable(centi, top, [
      [Action.BUY_YES, 'aggressive', 'bid', 50, 50],
      [Action.BUY_YES, 'passive', 'bid', 37, 37],
      [Action.BUY_YES, 'mid', 'bid', 43, 43],
      [Action.SELL_YES, 'mid', 'ask', 44, 44],
      [Action.BUY_NO, 'aggressive', 'ask', 37, 9963],
      [Action.BUY_NO, 'mid', 'ask', 44, 9956],
      [Action.SELL_NO, 'aggressive', 'bid', 50, 9950],
      [Action.SELL_NO, 'mid', 'bid', 43, 9957],
    ]);
  });
});

describe('safety', () => {
  it('passive and mid never cross a locked or crossed book', () => {
    const locked = book(5000, 5000); // YES bid 0.50, YES ask 0.50
    expect(limitYesPrice(Action.BUY_YES, 'passive', locked, linear)).toBe(4900);
    expect(limitYesPrice(Action.SELL_YES, 'passive', locked, linear)).toBe(5100);
    expect(limitYesPrice(Action.BUY_YES, 'mid', locked, linear)).toBe(4900);
    const crossed = book(5100, 5000); // YES bid 0.51 over the YES ask 0.50
    expect(limitYesPrice(Action.BUY_YES, 'passive', crossed, linear)).toBe(4900);
    expect(limitYesPrice(Action.SELL_YES, 'passive', crossed, linear)).toBe(5200);
    expect(limitYesPrice(Action.BUY_YES, 'aggressive', crossed, linear)).toBe(5000);
  });

  it('no price on a stale book or when the needed side is empty', () => {
    for (const mode of PRICING_MODES) for (let a = 1; a <= 4; a++) expect(limitPrice(a, mode, book(4500, 5200, true), linear)).toBeUndefined();
    const noAsks = book(4500, NONE);
    expect(limitYesPrice(Action.BUY_YES, 'aggressive', noAsks, linear)).toBe(-1);
    expect(limitYesPrice(Action.BUY_YES, 'passive', noAsks, linear)).toBe(4500);
    expect(limitYesPrice(Action.BUY_YES, 'mid', noAsks, linear)).toBe(-1);
    expect(limitYesPrice(Action.SELL_YES, 'aggressive', noAsks, linear)).toBe(4500);
    expect(limitYesPrice(Action.SELL_YES, 'passive', noAsks, linear)).toBe(-1);
    const noBids = book(NONE, 5200);
    expect(limitYesPrice(Action.SELL_YES, 'aggressive', noBids, linear)).toBe(-1);
    expect(limitYesPrice(Action.BUY_NO, 'aggressive', noBids, linear)).toBe(-1);
    expect(limitYesPrice(Action.SELL_NO, 'aggressive', noBids, linear)).toBe(4800);
    expect(limitYesPrice(Action.BUY_YES, 'bogus' as PricingMode, book(4500, 5200), linear)).toBe(-1);
  });

  it('prices at the ends of the scale are not orderable', () => {
    // YES ask 1 − 0.99 = 0.01 is fine; passive joining a YES bid of 0 is impossible (no such level), but a
    // mid that would snap to 0 or 1 must give no price.
    expect(limitYesPrice(Action.BUY_YES, 'aggressive', book(NONE, 9900), linear)).toBe(100);
    expect(limitYesPrice(Action.SELL_YES, 'mid', book(9900, 0), linear)).toBe(-1); // mid 0.995 → up to 1.00: not orderable
  });

  it('property: on random books every price is orderable, on the safe side and non-crossing', () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (const grid of [linear, tapered, centi, PriceGrid.forStructure('deci_cent')]) {
      const levels = grid.levels;
      for (let i = 0; i < 2000; i++) {
        const yesBid = rnd(4) === 0 ? NONE : levels[1 + rnd(levels.length - 2)];
        const noBid = rnd(4) === 0 ? NONE : levels[1 + rnd(levels.length - 2)];
        const top = book(yesBid, noBid);
        const ask = noBid === NONE ? NONE : 10_000 - noBid;
        for (const mode of PRICING_MODES) {
          const bidPrice = limitYesPrice(Action.BUY_YES, mode, top, grid);
          const askPrice = limitYesPrice(Action.SELL_YES, mode, top, grid);
          // The same wire order whichever outcome the action names.
          expect(limitYesPrice(Action.SELL_NO, mode, top, grid)).toBe(bidPrice);
          expect(limitYesPrice(Action.BUY_NO, mode, top, grid)).toBe(askPrice);
          for (const p of [bidPrice, askPrice]) if (p >= 0) expect(grid.isOrderable(p)).toBe(true);
          if (mode === 'aggressive') {
            if (bidPrice >= 0) expect(bidPrice).toBeLessThanOrEqual(ask);
            if (askPrice >= 0) expect(askPrice).toBeGreaterThanOrEqual(yesBid);
          } else {
            if (bidPrice >= 0 && ask !== NONE) expect(bidPrice).toBeLessThan(ask);
            if (askPrice >= 0 && yesBid !== NONE) expect(askPrice).toBeGreaterThan(yesBid);
            if (mode === 'passive' && bidPrice >= 0 && yesBid < ask) expect(bidPrice).toBe(yesBid);
          }
        }
      }
    }
  });
});
