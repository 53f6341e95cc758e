/** Market rotation: the slot rules (pure) and the driver (timers, rate limit, hooks) with fakes. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PriceGrid } from '../../../src/shared/price-grid.js';
import type { Market } from '../../../src/shared/kalshi/rest/decoders/market.js';
import {
  ladderWordsFor, lifecycleSignal, MarketRotation, MarketSlots, MAX_ROTATION_LEVELS, slotCapacity, type RotationHooks, type Slot, type Transition,
} from '../../../src/main/host/market-rotation.js';

const NOW = 1_767_225_600_000;
const HOUR = 3_600_000;
const LINEAR = PriceGrid.forStructure('linear_cent');
const DECI = PriceGrid.forStructure('deci_cent');
const FINE = PriceGrid.fromRanges([{ start: 0, end: 10_000, step: 1 }]);

function market(ticker: string, over: Partial<Market> = {}): Market {
  return {
    ticker, eventTicker: 'E', marketType: 'binary', status: 'active', openTimeMs: NOW - 1, closeTimeMs: NOW + 2 * HOUR,
    expectedExpirationTimeMs: undefined, latestExpirationTimeMs: NOW + 3 * HOUR, settlementTimerSeconds: 60, canCloseEarly: false,
    notionalValue: 1_000_000, yesBid: 4000, yesAsk: 4200, noBid: 5800, noAsk: 6000, yesBidSize: 100, yesAskSize: 100, lastPrice: 4100,
    volume: 10_000, volume24h: 0, openInterest: 0, result: '', settlementValue: undefined, settlementTimeMs: undefined,
    feeWaiverExpirationMs: undefined, priceLevelStructure: 'linear_cent', grid: LINEAR, exchangeIndex: 0, ...over,
  } as Market;
}

const WINDOW = 15 * 60_000;
const rules = (capacity: number, maxMarkets: number) => ({ capacity, maxMarkets, windowMs: WINDOW, maxLevels: MAX_ROTATION_LEVELS });

function table(capacity: number, maxMarkets: number, tickers: string[], closeTimeMs = NOW + 2 * HOUR): MarketSlots {
  const slots = new MarketSlots(rules(capacity, maxMarkets));
  for (const t of tickers) slots.hold(market(t, { closeTimeMs }), 0, NOW);
  return slots;
}

const brief = (ts: Transition[]) => ts.map((t) => `${t.slot.ticker}:${t.from}>${t.to}`);

describe('sizing', () => {
  it('slot capacity: --market-slots, else 2 × max-markets, never below the markets found at start', () => {
    expect(slotCapacity(10, 0, 10)).toBe(20);
    expect(slotCapacity(10, 35, 10)).toBe(35);
    expect(slotCapacity(10, 4, 7)).toBe(7);
    expect(slotCapacity(1, 0, 0)).toBe(2);
  });

  it('ladder space: the initial grids as they are, the worst allowed grid for every spare slot', () => {
    const initial = [market('A'), market('B', { grid: DECI })];
    expect(DECI.levelCount).toBe(MAX_ROTATION_LEVELS);
    expect(ladderWordsFor(initial, 5)).toBe(2 * 101 + 2 * 1001 + 3 * 2 * MAX_ROTATION_LEVELS);
    expect(ladderWordsFor(initial, 2)).toBe(2 * 101 + 2 * 1001);
  });
});

describe('MarketSlots', () => {
  it('hands slots out in order, never twice to a ticker, and refuses once full', () => {
    const slots = table(3, 2, ['A', 'B']);
    expect(slots.all().map((s) => [s.index, s.ticker])).toEqual([[0, 'A'], [1, 'B']]);
    expect(() => slots.hold(market('A'), 0, NOW)).toThrow(/already holds slot 0/);
    expect(slots.hold(market('C'), 1, NOW).index).toBe(2);
    expect(slots.free).toBe(0);
    expect(() => slots.hold(market('D'), 0, NOW)).toThrow(/all 3 market slots are used/);
  });

  it('close times: live, then winding inside the min-time-to-close window, then closed; phases only move forward', () => {
    const slots = table(4, 2, ['A', 'B']);
    slots.slotOf('B')!.closeTimeMs = NOW + 4 * HOUR;
    expect(slots.tick(NOW)).toEqual([]);
    const closeA = NOW + 2 * HOUR;
    expect(brief(slots.tick(closeA - WINDOW))).toEqual(['A:live>winding']);
    expect(slots.live).toBe(1);
    expect(slots.needed()).toBe(1);
    expect(slots.tick(closeA - 1)).toEqual([]);
    expect(brief(slots.tick(closeA))).toEqual(['A:winding>closed']);
    expect(slots.tick(closeA + HOUR)).toEqual([]);
    // B jumps straight to closed when the check comes late; no change of phase goes back.
    expect(brief(slots.tick(NOW + 5 * HOUR))).toEqual(['B:live>closed']);
    expect(slots.slotOf('B')!.reason).toBe('close time passed');
  });

  it('lifecycle: close_date_updated moves the close time; determined and settled close; deactivated winds down; others and strangers are ignored', () => {
    const slots = table(8, 4, ['A', 'B', 'C', 'D']);
    expect(brief(slots.onLifecycle({ ticker: 'A', eventType: 'close_date_updated', closeTsMs: NOW - 1000 }, NOW))).toEqual(['A:live>closed']);
    expect(slots.slotOf('A')!.closeTimeMs).toBe(NOW - 1000);
    expect(brief(slots.onLifecycle({ ticker: 'B', eventType: 'close_date_updated', closeTsMs: NOW + 60_000 }, NOW))).toEqual(['B:live>winding']);
    expect(slots.onLifecycle({ ticker: 'C', eventType: 'close_date_updated', closeTsMs: NOW + 9 * HOUR }, NOW)).toEqual([]);
    expect(slots.slotOf('C')!.closeTimeMs).toBe(NOW + 9 * HOUR);
    expect(brief(slots.onLifecycle({ ticker: 'C', eventType: 'deactivated' }, NOW))).toEqual(['C:live>winding']);
    expect(slots.onLifecycle({ ticker: 'C', eventType: 'activated' }, NOW)).toEqual([]); // a retired market is not taken back
    expect(slots.slotOf('C')!.phase).toBe('winding');
    expect(brief(slots.onLifecycle({ ticker: 'D', eventType: 'determined' }, NOW))).toEqual(['D:live>closed']);
    expect(brief(slots.onLifecycle({ ticker: 'C', eventType: 'settled' }, NOW))).toEqual(['C:winding>closed']);
    expect(slots.onLifecycle({ ticker: 'D', eventType: 'settled' }, NOW)).toEqual([]);
    expect(slots.onLifecycle({ ticker: 'ELSEWHERE', eventType: 'determined' }, NOW)).toEqual([]);
    expect(slots.live).toBe(0);
    expect(slots.needed()).toBe(4);
  });

  it('lifecycleSignal reads market_lifecycle_v2 events only', () => {
    expect(lifecycleSignal({ type: 'market_lifecycle_v2', sid: 1, seq: 2, marketTicker: 'A', eventType: 'close_date_updated', closeTsMs: 5 })).toEqual({ ticker: 'A', eventType: 'close_date_updated', closeTsMs: 5 });
    expect(lifecycleSignal({ type: 'trade', marketTicker: 'A' })).toBeUndefined();
    expect(lifecycleSignal({ type: 'event_lifecycle', eventTicker: 'E' })).toBeUndefined();
    expect(lifecycleSignal(null)).toBeUndefined();
  });

  it('choose: up to the markets missing and the free slots, nothing known, fine grids refused for good, nothing already closing', () => {
    const slots = table(5, 3, ['A', 'B', 'C']);
    slots.onLifecycle({ ticker: 'A', eventType: 'determined' }, NOW);
    slots.onLifecycle({ ticker: 'B', eventType: 'determined' }, NOW);
    expect(slots.needed()).toBe(2);
    const candidates = [market('A'), market('FINE', { grid: FINE }), market('SOON', { closeTimeMs: NOW + WINDOW - 1 }), market('D', { grid: DECI }), market('E'), market('F')];
    const c = slots.choose(candidates, NOW);
    expect(c.add.map((m) => m.ticker)).toEqual(['D', 'E']);
    expect(c.refused.map((r) => r.ticker)).toEqual(['FINE']);
    expect(c.refused[0].reason).toMatch(/10001 levels/);
    expect(slots.known()).toEqual(new Set(['A', 'B', 'C', 'FINE']));
    expect(slots.choose(candidates, NOW).refused).toEqual([]); // reported once
    // Only one slot left: one market, whatever is missing.
    slots.hold(market('D'), 0, NOW);
    slots.onLifecycle({ ticker: 'C', eventType: 'determined' }, NOW);
    expect(slots.needed()).toBe(2);
    expect(slots.free).toBe(1);
    expect(slots.choose(candidates, NOW).add.map((m) => m.ticker)).toEqual(['E']);
  });

  it('release gives back only the last, unwritten slot, and refuses its ticker', () => {
    const slots = table(4, 2, ['A']);
    const b = slots.hold(market('B'), 0, NOW);
    const c = slots.hold(market('C'), 0, NOW);
    expect(() => slots.release(b, 'x')).toThrow(/only the last slot/);
    slots.release(c, 'grid table full');
    expect(slots.used).toBe(2);
    expect(slots.known().has('C')).toBe(true);
    expect(slots.hold(market('D'), 0, NOW).index).toBe(2);
  });

  it('fail retires a slot at once and keeps it used', () => {
    const slots = table(4, 2, ['A']);
    const b = slots.hold(market('B'), 0, NOW);
    expect(brief(slots.fail(b, 'refused'))).toEqual(['B:live>closed']);
    expect(slots.used).toBe(2);
    expect(slots.live).toBe(1);
  });
});

/** A fake host around the driver: discovery from a list, every call recorded. */
class FakeHost implements RotationHooks {
  open: Market[] = [];
  calls: string[] = [];
  lines: string[] = [];
  retired: Transition[] = [];
  discoveries = 0;
  failDiscovery = false;
  failRegister = new Set<string>();
  failAttach = new Set<string>();

  async discover(exclude: ReadonlySet<string>, limit: number): Promise<Market[]> {
    this.discoveries++;
    this.calls.push(`discover(${[...exclude].sort().join(',')})`);
    if (this.failDiscovery) throw new Error('exchange unreachable');
    return this.open.filter((m) => !exclude.has(m.ticker)).slice(0, limit);
  }
  shardOf(ticker: string): number {
    return ticker.length % 2;
  }
  register(slot: Slot, m: Market): void {
    this.calls.push(`register(${slot.index},${m.ticker})`);
    if (this.failRegister.has(m.ticker)) throw new RangeError('BookStore holds at most 64 distinct price grids');
  }
  async attach(slot: Slot, m: Market): Promise<void> {
    this.calls.push(`attach(${slot.index},${m.ticker})`);
    await Promise.resolve();
    if (this.failAttach.has(m.ticker)) throw new Error('inference-0 refused market slot');
  }
  retire(t: Transition): void {
    this.retired.push(t);
    this.calls.push(`retire(${t.slot.index},${t.to})`);
  }
  log(line: string): void {
    this.lines.push(line);
  }
}

describe('MarketRotation', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  function rotation(host: FakeHost, capacity: number, maxMarkets: number, initial: string[], periodMs = 60_000): MarketRotation {
    const slots = new MarketSlots(rules(capacity, maxMarkets));
    for (const t of initial) slots.hold(market(t), 0, NOW);
    return new MarketRotation({ slots, hooks: host, nowMs: Date.now, periodMs });
  }

  it('a market that closes is halted, and a replacement registered, then attached, in a new slot', async () => {
    const host = new FakeHost();
    host.open = [market('A'), market('B'), market('C'), market('D')];
    const r = rotation(host, 4, 2, ['A', 'B']);
    r.start();
    await r.idle();
    expect(host.discoveries).toBe(0); // nothing missing
    r.onLifecycle({ type: 'market_lifecycle_v2', sid: 1, seq: 1, marketTicker: 'A', eventType: 'close_date_updated', closeTsMs: NOW });
    await r.idle();
    expect(host.calls).toEqual(['retire(0,closed)', 'discover(A,B)', 'register(2,C)', 'attach(2,C)']);
    expect(r.slots.all().map((s) => `${s.index}:${s.ticker}:${s.phase}`)).toEqual(['0:A:closed', '1:B:live', '2:C:live']);
    expect(r.slots.slotOf('C')!.shard).toBe(1);
    expect(r.counters).toMatchObject({ runs: 1, added: 1, retired: 1, closed: 1 });
    expect(host.lines.some((l) => /trading C in slot 2 \(shard 1\); 2 of 2 markets live, 3 of 4 slots used/.test(l))).toBe(true);
    await r.stop();
  });

  it('runs at most once per interval; requests inside it are deferred to its end, not dropped', async () => {
    const host = new FakeHost();
    host.open = ['A', 'B', 'C', 'D', 'E', 'F'].map((t) => market(t));
    const r = rotation(host, 10, 3, ['A', 'B', 'C'], 5_000); // interval min(10 s, 5 s)
    r.start();
    r.onLifecycle({ type: 'market_lifecycle_v2', marketTicker: 'A', eventType: 'determined' });
    await r.idle();
    expect(host.discoveries).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    r.onLifecycle({ type: 'market_lifecycle_v2', marketTicker: 'B', eventType: 'determined' });
    r.onLifecycle({ type: 'market_lifecycle_v2', marketTicker: 'C', eventType: 'determined' });
    await r.idle();
    expect(host.discoveries).toBe(1);
    await vi.advanceTimersByTimeAsync(3_900);
    expect(host.discoveries).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    await r.idle();
    expect(host.discoveries).toBe(2); // one run for both
    expect(r.slots.all().filter((s) => s.phase === 'live').map((s) => s.ticker)).toEqual(['D', 'E', 'F']);
    await r.stop();
  });

  it('the close-time check winds markets down and closes them; the periodic run fills what is missing', async () => {
    const host = new FakeHost();
    const slots = new MarketSlots(rules(6, 2));
    slots.hold(market('A', { closeTimeMs: NOW + WINDOW + 5_000 }), 0, NOW);
    slots.hold(market('B'), 0, NOW);
    const r = new MarketRotation({ slots, hooks: host, nowMs: Date.now, periodMs: 30_000 });
    r.start();
    await vi.advanceTimersByTimeAsync(5_000);
    await r.idle();
    expect(host.retired.map((t) => `${t.slot.ticker}:${t.to}`)).toEqual(['A:winding']);
    expect(host.discoveries).toBe(1); // none open yet
    host.open = [market('C')];
    await vi.advanceTimersByTimeAsync(20_000);
    await r.idle();
    expect(host.discoveries).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000); // the periodic run, 30 s after start
    await r.idle();
    expect(host.discoveries).toBe(2);
    expect(slots.slotOf('C')?.index).toBe(2);
    await vi.advanceTimersByTimeAsync(WINDOW);
    expect(host.retired.map((t) => `${t.slot.ticker}:${t.to}`)).toEqual(['A:winding', 'A:closed']);
    await r.stop();
  });

  it('capacity exhausted: adding stops, one line says so, discovery is not asked again', async () => {
    const host = new FakeHost();
    host.open = ['C', 'D', 'E', 'F'].map((t) => market(t));
    const r = rotation(host, 3, 2, ['A', 'B']);
    r.start();
    r.onLifecycle({ type: 'market_lifecycle_v2', marketTicker: 'A', eventType: 'determined' });
    await r.idle();
    expect(r.slots.used).toBe(3);
    expect(host.discoveries).toBe(1);
    for (const t of ['B', 'C']) {
      await vi.advanceTimersByTimeAsync(11_000);
      r.onLifecycle({ type: 'market_lifecycle_v2', marketTicker: t, eventType: 'determined' });
      await r.idle();
    }
    await vi.advanceTimersByTimeAsync(120_000); // periodic requests too
    await r.idle();
    expect(host.discoveries).toBe(1);
    expect(r.slots.used).toBe(3);
    expect(host.lines.filter((l) => /all 3 market slots are used/.test(l))).toHaveLength(1);
    expect(r.counters.exhausted).toBeGreaterThan(1);
    expect(r.counters.added).toBe(1);
    await r.stop();
  });

  it('the last slot filled while markets are still missing: exhaustion is said after the run', async () => {
    const host = new FakeHost();
    host.open = ['C', 'D', 'E'].map((t) => market(t));
    const r = rotation(host, 3, 2, ['A', 'B']);
    r.start();
    r.onLifecycle({ type: 'market_lifecycle_v2', marketTicker: 'A', eventType: 'determined' });
    r.onLifecycle({ type: 'market_lifecycle_v2', marketTicker: 'B', eventType: 'determined' });
    await r.idle();
    expect(host.calls.filter((c) => c.startsWith('attach'))).toEqual(['attach(2,C)']);
    expect(host.lines.filter((l) => /all 3 market slots are used/.test(l))).toHaveLength(1);
    await r.stop();
  });

  it('a registration that fails gives the slot back and refuses the market; a stage that refuses retires the slot for good', async () => {
    const host = new FakeHost();
    host.open = ['C', 'D', 'E', 'F'].map((t) => market(t));
    host.failRegister.add('C');
    host.failAttach.add('D');
    const r = rotation(host, 6, 2, ['A', 'B']);
    r.start();
    r.onLifecycle({ type: 'market_lifecycle_v2', marketTicker: 'A', eventType: 'determined' });
    await r.idle();
    expect(host.calls).toEqual([
      'retire(0,closed)', 'discover(A,B)', 'register(2,C)', 'register(2,D)', 'attach(2,D)', 'retire(2,closed)',
    ]);
    expect(r.counters).toMatchObject({ refused: 1, failed: 1, added: 0 });
    await vi.advanceTimersByTimeAsync(10_000); // the failed slot asked for another run
    await r.idle();
    expect(host.calls.slice(6)).toEqual(['discover(A,B,C,D)', 'register(3,E)', 'attach(3,E)']);
    expect(r.slots.all().map((s) => `${s.index}:${s.ticker}:${s.phase}`)).toEqual(['0:A:closed', '1:B:live', '2:D:closed', '3:E:live']);
    await r.stop();
  });

  it('a failed discovery is logged and retried at the next request', async () => {
    const host = new FakeHost();
    host.open = [market('C')];
    host.failDiscovery = true;
    const r = rotation(host, 4, 2, ['A', 'B'], 20_000);
    r.start();
    r.onLifecycle({ type: 'market_lifecycle_v2', marketTicker: 'A', eventType: 'determined' });
    await r.idle();
    expect(host.lines.some((l) => l === 'market rotation: discovery failed: exchange unreachable')).toBe(true);
    host.failDiscovery = false;
    await vi.advanceTimersByTimeAsync(20_000);
    await r.idle();
    expect(r.slots.slotOf('C')?.index).toBe(2);
    expect(r.counters).toMatchObject({ runs: 2, discoveryErrors: 1, added: 1 });
    await r.stop();
  });

  it('stop: no run, no retirement afterwards', async () => {
    const host = new FakeHost();
    host.open = [market('C')];
    const r = rotation(host, 4, 2, ['A', 'B']);
    r.start();
    await r.stop();
    r.onLifecycle({ type: 'market_lifecycle_v2', marketTicker: 'A', eventType: 'determined' });
    r.request('test');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(host.calls).toEqual([]);
  });
});
