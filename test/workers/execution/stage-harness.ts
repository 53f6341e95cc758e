/**
 * An ExecutionStage against the real simulator in this process: our account (`key`), an outside
 * account (`bob`, who trades against our resting orders through `sim.control.placeOrder`), a
 * BookStore filled from the simulator's own books (`refreshBooks`, the state the market-data
 * worker would publish), one intent ring the test pushes into as an inference worker would.
 *
 * Books stand still (rate 0) unless a test moves them; every wait is on a condition.
 */
import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import { BookStore } from '../../../src/shared/book-store.js';
import { monoNs } from '../../../src/shared/clock.js';
import { MemoryJournal } from '../../../src/shared/journal.js';
import { KalshiCredentials } from '../../../src/shared/kalshi-signing.js';
import { KalshiRestClient, type KalshiRestSettings } from '../../../src/shared/kalshi/rest/index.js';
import { PositionBoard } from '../../../src/shared/position-board.js';
import { SpscRing } from '../../../src/shared/spsc-ring.js';
import { PRICE_SCALE } from '../../../src/shared/fixed-point.js';
import { INTENT_WORDS } from '../../../src/workers/inference/intent-record.js';
import { ExecutionStage, type ExecutionStageOptions } from '../../../src/workers/execution/execution-stage.js';
import type { ExecutionSettings } from '../../../src/workers/execution/execution-settings.js';
import type { NewOrder } from '../../../src/sim/engine/exchange.js';
import type { MarketState, OrderState } from '../../../src/sim/engine/types.js';
import { startSimulator, type Simulator, type StartSimulatorOptions } from '../../../src/sim/simulator.js';
import { makeKey, type TestKey } from '../../support/sim-client.js';

export interface HarnessOptions {
  seed?: number;
  simMarkets?: number;
  /** Markets to trade (default 4), chosen among the tradable ones (see `tradable`). */
  count?: number;
  /** An extra condition on the traded markets. */
  pick?: (m: MarketState, top: Top) => boolean;
  settings?: Partial<ExecutionSettings>;
  stage?: Partial<ExecutionStageOptions>;
  /** Run right after the simulator starts, before markets are chosen (add markets, liquidity…). */
  setup?: (sim: Simulator, bob: TestKey) => void;
  /** Run against the simulator before the stage starts (positions to adopt, orphans…). */
  before?: (sim: Simulator, key: TestKey, markets: MarketState[]) => void | Promise<void>;
  /** Private channels (default true). */
  ws?: boolean;
  rest?: Partial<KalshiRestSettings>;
  sim?: Partial<StartSimulatorOptions>;
  /** Start the stage (default true). */
  start?: boolean;
  /** Intent rings, as many inference workers (default 1). */
  rings?: number;
}

/** A market's top of book as the simulator has it. */
export interface Top {
  yesBid: number;
  /** Best YES ask = 10000 − best NO bid. */
  yesAsk: number;
  noBid: number;
}

export interface Harness {
  sim: Simulator;
  key: TestKey;
  bob: TestKey;
  markets: MarketState[];
  books: BookStore;
  board: PositionBoard;
  ring: SpscRing;
  rings: SpscRing[];
  stage: ExecutionStage;
  journal: MemoryJournal;
  /** Intents pushed so far. */
  pushed: number;
  refreshBooks(): void;
  top(m: MarketState): Top;
  /** Refreshes the books and pushes one intent record (into ring `ring`, default 0). */
  intent(m: MarketState, action: number, ring?: number): void;
  /** Waits until every pushed intent was taken and no request is in flight or unanswered. */
  settle(what?: string): Promise<void>;
  /** Our resting orders at the exchange (optionally in one market). */
  resting(m?: MarketState): OrderState[];
  /** An outside order (bob). */
  bobOrder(order: Omit<NewOrder, 'selfTradePrevention'> & Partial<Pick<NewOrder, 'selfTradePrevention'>>): void;
  close(): Promise<void>;
}

export async function until(pred: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function topOf(sim: Simulator, m: MarketState): Top {
  const y = sim.exchange.bestBid(m.index, 'yes');
  const n = sim.exchange.bestBid(m.index, 'no');
  return { yesBid: y?.[0] ?? -1, noBid: n?.[0] ?? -1, yesAsk: n === undefined ? -1 : PRICE_SCALE - n[0] };
}

/** Active, open for another hour, both sides quoted, a spread of two ticks or more whose midpoint is on the grid. */
export function tradable(sim: Simulator, m: MarketState): boolean {
  if (m.status !== 'active' || m.closeMs < Date.now() + 3_600_000) return false;
  const t = topOf(sim, m);
  if (t.yesBid <= 0 || t.yesAsk <= 0 || (t.yesBid + t.yesAsk) % 2 !== 0) return false;
  const mid = (t.yesBid + t.yesAsk) / 2;
  return mid > t.yesBid && mid < t.yesAsk && m.grid.isOrderable(mid);
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const key = makeKey(`exec-${randomInt(1e9)}`);
  const bob = makeKey(`bob-${randomInt(1e9)}`);
  const sim = await startSimulator({ keys: [key, bob], port: 0, markets: o.simMarkets ?? 24, rate: 0, seed: o.seed ?? 7, tier: 'prestige', ...o.sim });
  o.setup?.(sim, bob);
  const all = sim.exchange.markets();
  const markets = all.filter((m) => tradable(sim, m) && (o.pick?.(m, topOf(sim, m)) ?? true)).slice(0, o.count ?? 4);
  expect(markets.length).toBe(o.count ?? 4);
  await o.before?.(sim, key, markets);

  const books = BookStore.create({ maxMarkets: all.length, ladderWords: all.reduce((n, m) => n + 2 * m.grid.levelCount, 0) });
  for (const m of markets) books.registerMarket(m.index, m.grid);
  const board = PositionBoard.create(all.length);
  const rings = Array.from({ length: o.rings ?? 1 }, () => SpscRing.create(1024, INTENT_WORDS));
  const ring = rings[0];
  const credentials = new KalshiCredentials(key.keyId, key.privateKey);
  const rest = new KalshiRestClient({ baseUrl: sim.restUrl, credentials, tier: 'prestige', ...o.rest });
  const journal = new MemoryJournal();
  const stage = new ExecutionStage({
    rest,
    ws: o.ws === false ? undefined : { url: sim.wsUrl, credentials, client: { backoff: { baseMs: 20, capMs: 200 } } },
    markets: markets.map((m) => ({ index: m.index, ticker: m.ticker, grid: m.grid, closeTimeMs: m.closeMs })),
    books,
    board,
    intents: rings,
    settings: { throttleMs: 0, syncIntervalS: 3_600, ...o.settings },
    sessionId: `t${randomInt(36 ** 6).toString(36)}`,
    journal,
    ...o.stage,
  });

  const refreshBooks = (): void => {
    for (const m of markets) {
      const yes = sim.exchange.bookLevels(m.index, 'yes');
      const no = sim.exchange.bookLevels(m.index, 'no');
      expect(books.applySnapshot(m.index, yes.flat(), yes.length, no.flat(), no.length, Date.now(), monoNs())).toBe(0);
    }
  };
  refreshBooks();
  const record = new Int32Array(INTENT_WORDS);
  const h: Harness = {
    sim, key, bob, markets, books, board, ring, rings, stage, journal, pushed: 0,
    refreshBooks,
    top: (m) => topOf(sim, m),
    intent(m, action, r = 0) {
      refreshBooks();
      record[0] = m.index;
      record[1] = action;
      expect(rings[r].tryPush(record)).toBe(true);
      h.pushed++;
    },
    async settle(what = 'the stage to settle') {
      await until(() => stage.stats().intents.received === h.pushed && stage.requestsInFlight === 0 && stage.core.outstanding() === 0, what);
    },
    resting(m) {
      return sim.exchange.listOrders(key.keyId, { status: 'resting', ticker: m?.ticker }).filter((x) => x.clientOrderId.startsWith(stage.sessionId + '-'));
    },
    bobOrder(order) {
      sim.control.placeOrder(bob.keyId, { selfTradePrevention: 'taker_at_cross', ...order });
    },
    async close() {
      await stage.stop({ cancelResting: false }).catch(() => undefined);
      await sim.close();
    },
  };
  if (o.start ?? true) await stage.start();
  return h;
}

/** µ$ the exchange holds for the account's resting orders. */
export function reservedAt(sim: Simulator, keyId: string): number {
  return sim.exchange.listOrders(keyId, { status: 'resting' }).reduce((s, x) => s + x.reservedCash, 0);
}

/**
 * Ledger vs exchange for the traded markets: position, cost basis, realized P&L, fees per market;
 * cash against available + reserved. Equal → [].
 */
export function ledgerMismatches(h: Harness): string[] {
  const acct = h.sim.exchange.account(h.key.keyId)!;
  const l = h.stage.core.ledger;
  const out: string[] = [];
  for (const m of h.markets) {
    const p = acct.positions.get(m.index);
    const want = p === undefined ? [0, 0, 0, 0] : [p.position, p.exposure, p.realizedPnl, p.feesPaid];
    const have = [l.position[m.index], l.costBasis[m.index], l.realizedPnl[m.index], l.feesPaid[m.index]];
    if (want.join() !== have.join()) out.push(`${m.ticker}: host ${have.join()} exchange ${want.join()}`);
  }
  const cash = acct.cash + reservedAt(h.sim, h.key.keyId);
  if (l.cash !== cash) out.push(`cash: host ${l.cash} exchange ${cash}`);
  return out;
}
