/** Step 4: positions marked at the executable bid net of the taker fee, time held, flags, cash. */
import { describe, expect, it } from 'vitest';
import { takerFee } from '../../../src/shared/fees.js';
import type { Market, MarketPosition } from '../../../src/shared/kalshi/rest/index.js';
import { assessHealth, exitValueAt, healthStep, type HealthInput } from '../../../src/supervisor/calibration/portfolio-health.js';

const NOW = 1_795_000_000_000;

const market = (ticker: string, o: Partial<Market> = {}): Market => ({ ticker, status: 'active', closeTimeMs: NOW + 7_200_000, yesBid: 6_000, yesAsk: 6_200, noBid: 3_800, noAsk: 4_000, ...o } as Market);
const position = (ticker: string, q: number, cost: number, updated = NOW - 60_000): MarketPosition =>
  ({ ticker, position: q, marketExposure: cost, realizedPnl: 0, feesPaid: 0, totalTraded: cost, lastUpdatedMs: updated, exchangeIndex: 0 });

function input(o: Partial<HealthInput>): HealthInput {
  return { positions: [], markets: new Map(), traded: new Set(), heldSince: new Map(), balance: 500_000_000, cashReserve: 100_000_000, minTimeToCloseS: 900, nowMs: NOW, ...o };
}

describe('assessHealth', () => {
  it('marks YES at the YES bid and NO at the NO bid, net of the taker fee', () => {
    const h = assessHealth(input({
      positions: [position('KXY', 500, 2_500_000), position('KXN', -300, 1_500_000), position('KXFLAT', 0, 0)],
      markets: new Map([['KXY', market('KXY')], ['KXN', market('KXN')]]),
      traded: new Set(['KXY', 'KXN']),
      heldSince: new Map([['KXY', NOW - 3_600_000]]),
    }));
    expect(h.positions.map((p) => p.ticker)).toEqual(['KXN', 'KXY']);
    const y = h.positions[1];
    expect(y).toMatchObject({ side: 'yes', exitPrice: 6_000, exitValue: 3_000_000 - takerFee(6_000, 500), costBasis: 2_500_000, heldSource: 'journal', heldMs: 3_600_000, flags: [] });
    expect(y.pnl).toBe(y.exitValue - 2_500_000);
    expect(y.pnlBps).toBe(Math.round((y.pnl / 2_500_000) * 10_000));
    const n = h.positions[0];
    expect(n).toMatchObject({ side: 'no', exitPrice: 3_800, exitValue: 1_140_000 - takerFee(3_800, 300), heldSource: 'exchange', heldMs: 60_000 });
    expect(h.totalPnl).toBe(y.pnl + n.pnl);
    expect(h.cash).toEqual({ available: 500_000_000, reserve: 100_000_000, short: 0, closableValue: y.exitValue + n.exitValue, closable: 2 });
    expect(healthStep(h).status).toBe('ok');
  });

  it('flags closing, closed, paused, no bid, not traded and unknown markets; only active markets with a bid are closable', () => {
    const h = assessHealth(input({
      positions: [position('KXC', 100, 50_000), position('KXD', 100, 50_000), position('KXP', 100, 50_000), position('KXB', 100, 50_000), position('KXU', 100, 50_000)],
      markets: new Map([
        ['KXC', market('KXC', { closeTimeMs: NOW + 300_000 })], ['KXD', market('KXD', { status: 'determined' })], ['KXP', market('KXP', { status: 'inactive' })],
        ['KXB', market('KXB', { yesBid: 0 })],
      ]),
      traded: new Set(['KXC', 'KXD', 'KXP', 'KXB']),
      balance: 40_000_000,
    }));
    expect(h.positions.map((p) => [p.ticker, p.flags])).toEqual([
      ['KXB', ['no_bid']], ['KXC', ['closing']], ['KXD', ['closed']], ['KXP', ['paused']], ['KXU', ['unknown_market', 'no_bid', 'not_traded']],
    ]);
    expect(h.closing).toEqual(['KXC']);
    expect(h.closed).toEqual(['KXD']);
    expect(h.cash).toMatchObject({ short: 60_000_000, closable: 1 });
    expect(h.positions.find((p) => p.ticker === 'KXB')!.exitValue).toBe(0);
    const step = healthStep(h);
    expect(step.status).toBe('warn');
    expect(step.summary).toMatch(/short \$60\.00; 1 position\(s\) worth \$0\.\d+ can be closed\); closing soon: KXC; closed markets: KXD$/);
  });

  it('exitValueAt: nothing without a bid; a tiny sale can cost more than it brings', () => {
    expect(exitValueAt(0, 500)).toBe(0);
    expect(exitValueAt(1, 1)).toBe(1 - takerFee(1, 1));
    expect(exitValueAt(1, 1)).toBeLessThan(0);
  });

  it('no positions', () => {
    expect(healthStep(assessHealth(input({})))).toEqual({ status: 'ok', summary: 'no open position; cash $500.00 against a reserve of $100.00' });
  });
});
