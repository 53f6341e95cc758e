/** The records calibration journals: missing fills, settlements, and synthesized fills with their deterministic id. */
import { describe, expect, it } from 'vitest';
import type { Fill, MarketPosition, Settlement } from '../../../src/shared/kalshi/rest/index.js';
import { fillTimeMs, missingFillRecord, settlementRecord, synthesizedFillId, synthesizedFillRecord } from '../../../src/supervisor/calibration/fill-records.js';

const position = (q: number, cost: number): MarketPosition =>
  ({ ticker: 'KXA', position: q, marketExposure: cost, realizedPnl: 0, feesPaid: 0, totalTraded: cost, lastUpdatedMs: 5_000, exchangeIndex: 0 });

describe('synthesizedFillId', () => {
  it('is a pure function of ticker, delta and the exchange\'s update time', () => {
    const id = synthesizedFillId('KXA', 300, 1_795_000_000_000);
    expect(id).toMatch(/^syn-[0-9a-f]{24}$/);
    expect(synthesizedFillId('KXA', 300, 1_795_000_000_000)).toBe(id);
    expect(new Set([id, synthesizedFillId('KXA', -300, 1_795_000_000_000), synthesizedFillId('KXB', 300, 1_795_000_000_000), synthesizedFillId('KXA', 300, 1_795_000_000_001)]).size).toBe(4);
  });
});

describe('synthesizedFillRecord', () => {
  const base = { sessionId: 'cal1', ticker: 'KXA', id: 'syn-x', expected: 0, baseline: { sessionId: 'prev', atMs: 4_000 } };

  it('a YES residual at the position\'s average YES cost, after the baseline, keyed by its id', () => {
    expect(synthesizedFillRecord({ ...base, residual: 400, updatedMs: 3_000, position: position(400, 2_800_000) })).toMatchObject({
      session_id: 'cal1', trade_id: 'syn-x', order_id: 'syn-x', market_ticker: 'KXA', side: 'yes', yes_price: 7_000, count: 400,
      ts_ms: 4_001, post_position: 400, source: 'synthesized', synthesized: { baseline_session: 'prev', baseline_ms: 4_000, exchange_updated_ms: 3_000 },
    });
    expect(synthesizedFillRecord({ ...base, residual: 400, updatedMs: 9_000, position: position(400, 2_800_000) }).ts_ms).toBe(9_000);
  });

  it('a NO position: the YES-book price is the complement of its average NO cost', () => {
    expect(synthesizedFillRecord({ ...base, residual: -200, updatedMs: 5_000, position: position(-200, 700_000) })).toMatchObject({ side: 'no', yes_price: 6_500, count: 200 });
  });
});

describe('records of what the exchange has and the journal lacks', () => {
  it('a fill, source calibration, at its exchange time', () => {
    const f = { fillId: 'f1', tradeId: 't1', orderId: 'o1', ticker: 'KXA', bookSide: 'ask', outcomeSide: 'no', count: 300, yesPrice: 4_200, noPrice: 5_800, isTaker: true, fee: 1_000, createdTimeMs: undefined, ts: 1_795_000_000, exchangeIndex: 0 } as Fill;
    expect(fillTimeMs(f)).toBe(1_795_000_000_000);
    expect(missingFillRecord('cal1', f)).toMatchObject({ session_id: 'cal1', trade_id: 't1', order_id: 'o1', side: 'no', yes_price: 4_200, count: 300, fee_micros: 1_000, ts_ms: 1_795_000_000_000, source: 'calibration', fill_id: 'f1' });
  });

  it('a settlement, routed to the settlements table', () => {
    const s = { ticker: 'KXA', eventTicker: 'E', exchangeIndex: 0, marketResult: 'no', yesCount: 0, noCount: 500, yesTotalCost: 0, noTotalCost: 2_000_000, revenue: 5_000_000, fee: 0, settledTimeMs: 7_000, yesPayout: 0 } as Settlement;
    expect(settlementRecord('cal1', s, 8_000)).toMatchObject({ source: 'settlement', market_ticker: 'KXA', result: 'no', exchange_revenue_micros: 5_000_000, position: -500, settled_ms: 7_000, ts_ms: 8_000 });
  });
});
