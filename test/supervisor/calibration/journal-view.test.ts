/** The journal reads of calibration, against the real schema (PGlite in memory). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../../src/main/store/open-journal.js';
import type { StoreJournal } from '../../../src/main/store/write-queue.js';
import {
  fillDelta, fillKey, heldSince, journaledOrders, journalFillsSince, knownFillKeys, knownSessions, knownSettlements, num, readBaseline,
} from '../../../src/supervisor/calibration/journal-view.js';

let journal: StoreJournal;

function fill(trade: string, ticker: string, side: 'yes' | 'no', count: number, ts: number, extra: Record<string, unknown> = {}): void {
  journal.write('fill', { session_id: 'S1', trade_id: trade, order_id: `o-${trade}`, market_ticker: ticker, side, yes_price: 4_000, count, fee_micros: 70, ts_ms: ts, source: 'ws', ...extra });
}

beforeAll(async () => {
  journal = await openJournal({ pglite: 'memory', spillDir: null });
  // S1 ended cleanly at 2000 holding +5 in KXA; S2 started at 3000 and crashed; S3 is "now".
  journal.write('session', {
    session_id: 'S1', started_ms: 1000, ended_ms: 2000, start_cash_micros: 10, end_cash_micros: 500_000_000,
    start_values: { markets: ['KXA', 'KXB'], positions: [] }, end_values: { positions: [{ market_ticker: 'KXA', position: 500 }] },
  });
  journal.write('session', { session_id: 'S2', started_ms: 3000, start_cash_micros: 400_000_000, start_values: { markets: ['KXC'], positions: [{ market_ticker: 'KXC', position: -200 }] } });
  journal.write('session', { session_id: 'S3', started_ms: 9000 });
  journal.write('market_data', { type: 'market', market_ticker: 'KXD', session_id: 'S2' });
  fill('t1', 'KXA', 'yes', 500, 1500, { post_position: 500 });
  fill('t2', 'KXA', 'no', 500, 2500, { post_position: 0 });
  fill('t3', 'KXA', 'yes', 300, 3500, { post_position: 300 });
  fill('t4', 'KXA', 'yes', 100, 3600, { post_position: 400 });
  fill('t5', 'KXC', 'no', 200, 3700, { action: 'sell' });
  journal.write('fill', { source: 'settlement', session_id: 'S1', market_ticker: 'KXB', result: 'yes', position: 100, settled_ms: 1800, ts_ms: 1900 });
  journal.write('order_event', { session_id: 'S2', client_order_id: 'S2-KXC-0', seq: 0, ts_ms: 3100, event: 'sent', market_ticker: 'KXC' });
  journal.write('order_event', { session_id: 'S2', client_order_id: 'S2-KXC-0', seq: 1, ts_ms: 3200, event: 'accepted', order_id: 'x1', status: 'resting' });
  await journal.flush();
}, 60_000);
afterAll(async () => {
  await journal?.close({ timeoutMs: 5_000 });
});

describe('readBaseline', () => {
  it('the latest session with values other than the current one: a crashed session gives its start values', async () => {
    const b = await readBaseline(journal, 'S3');
    expect(b).toMatchObject({ sessionId: 'S2', source: 'start', atMs: 3000, cash: 400_000_000 });
    expect([...b!.positions]).toEqual([['KXC', -200]]);
    expect([...b!.knownTickers].sort()).toEqual(['KXC', 'KXD']); // start_values.markets + the markets it rotated in
  });

  it('a session that ended cleanly gives its end values', async () => {
    const b = await readBaseline(journal, 'S2'); // as if S2 were the current session
    expect(b).toMatchObject({ sessionId: 'S1', source: 'end', atMs: 2000, cash: 500_000_000 });
    expect([...b!.positions]).toEqual([['KXA', 500]]);
    expect([...b!.knownTickers].sort()).toEqual(['KXA', 'KXB']);
  });
});

describe('the other reads', () => {
  it('fills after a time, oldest first, with their position delta', async () => {
    const fills = await journalFillsSince(journal, 2500);
    expect(fills.map((f) => [f.tradeId, f.ticker, fillDelta(f)])).toEqual([['t3', 'KXA', 300], ['t4', 'KXA', 100], ['t5', 'KXC', 200]]);
    expect(fills[0]).toMatchObject({ orderId: 'o-t3', yesPrice: 4_000, fee: 70, tsMs: 3500, source: 'ws', action: null });
  });

  it('which fills, settlements, sessions and orders the journal has', async () => {
    expect(await knownFillKeys(journal, ['t1', 't9'])).toEqual(new Set([fillKey('o-t1', 't1')]));
    expect(await knownFillKeys(journal, [])).toEqual(new Set());
    expect(await knownSettlements(journal, ['KXA', 'KXB'])).toEqual(new Set(['KXB']));
    expect(await knownSessions(journal, ['S1', 'S9'])).toEqual(new Set(['S1']));
    expect(await journaledOrders(journal, ['S2-KXC-0', 'S2-KXC-1'])).toEqual(new Map([['S2-KXC-0', { status: 'resting', lastEvent: 'accepted' }]]));
  });

  it('held since: the first fill after the market was last flat', async () => {
    expect(await heldSince(journal, ['KXA', 'KXC', 'KXZ'])).toEqual(new Map([['KXA', 3500], ['KXC', 3700]]));
  });

  it('num and fillDelta', () => {
    expect(num('1795514724333')).toBe(1_795_514_724_333);
    expect(num(null)).toBeNull();
    expect(num('x')).toBeNull();
    expect(fillDelta({ side: 'yes', action: null, count: 5 })).toBe(5);
    expect(fillDelta({ side: 'no', action: 'buy', count: 5 })).toBe(-5);
    expect(fillDelta({ side: 'yes', action: 'sell', count: 5 })).toBe(-5);
  });
});
