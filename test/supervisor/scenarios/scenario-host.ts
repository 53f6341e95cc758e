/**
 * The supervisor's scenario tests (issue 8, "Proof"): a whole host (startHost, either topology)
 * against a simulator in this process, our account (`key`), an outside trader (`bob`, who takes
 * and quotes through `sim.control.placeOrder`), a MemoryJournal the test reads, and the exchange's
 * state read straight from its engine, so that each scenario can assert the END STATE: positions,
 * cash and orders at the exchange against the host's; journal rows; the supervisor's state.
 *
 * Books stand still (rate 0) unless a scenario asks for liquidity: what moves them is bob, so a
 * scenario knows every price its positions are marked at and can compute, to the µ$, what the
 * supervisor will see. Every wait is on a condition (`until`), never a sleep; a scenario's own
 * waits (`x.until`) put the host's and the exchange's state in the message when they time out.
 * SCENARIO_DEBUG=1 prints the host's log lines as they come.
 *
 * Books standing still have one consequence a live market hides: a market is decided on only
 * when its book changes, so a decision refused for a passing reason (the account not TRADING
 * yet, an order update not seen yet) is not taken again by itself. `nudge` changes a book far
 * from the touch, as the next quote of a live market would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/main/config/load.js';
import { startHost, type Host } from '../../../src/main/host/host.js';
import { NONE } from '../../../src/shared/book-layout.js';
import { takerFee } from '../../../src/shared/fees.js';
import { notional, PRICE_SCALE } from '../../../src/shared/fixed-point.js';
import { MemoryJournal } from '../../../src/shared/journal.js';
import { mlpModelBytes } from '../../../src/shared/onnx/baseline-model.js';
import { MODEL_CONTRACT } from '../../../src/shared/onnx/model-contract.js';
import { FEATURE_COUNT } from '../../../src/shared/observation/features.js';
import type { NewOrder } from '../../../src/sim/engine/exchange.js';
import type { FillState, MarketState, OrderState, PositionState } from '../../../src/sim/engine/types.js';
import { startSimulator, type Simulator, type StartSimulatorOptions } from '../../../src/sim/simulator.js';
import type { SupervisorView } from '../../../src/supervisor/supervisor.js';
import type { ExecutionStats } from '../../../src/workers/execution/execution-stats.js';
import { until, venueOf } from '../../support/host-fixtures.js';
import { makeKey, type TestKey } from '../../support/sim-client.js';

export { until };

export const DOLLAR = 1_000_000;

export type Topology = 'inline' | 'threaded';

/** Host flags by name without the dashes; `true` for a boolean flag. */
export type Flags = Record<string, string | true>;

/** A market's top of book as the simulator has it ($0.0001; −1 when a side is empty). */
export interface Top {
  yesBid: number;
  yesBidSize: number;
  /** Best YES ask = 10000 − best NO bid. */
  yesAsk: number;
  yesAskSize: number;
}

export interface ScenarioOptions {
  topology: Topology;
  /** Host flags over the scenario defaults (`{ 'take-profit-bps': '500' }`; `true` for a boolean flag). */
  flags?: Flags;
  /** Markets traded (default 2), picked among the open, deep, two-sided ones far from their close. */
  count?: number;
  /** An extra condition on a traded market. */
  pick?: (m: MarketState, sim: Simulator) => boolean;
  sim?: Partial<StartSimulatorOptions>;
  /**
   * Run before the host starts: positions and orders on our account, quotes by bob …; may return
   * host flags computed from what it did (they go over `flags`).
   */
  before?: (s: Pick<Scenario, 'sim' | 'key' | 'bob' | 'markets'>) => void | Flags | Promise<void | Flags>;
  /** Journal capacity per kind (default 100 000). */
  keep?: number;
}

export interface Scenario {
  sim: Simulator;
  key: TestKey;
  bob: TestKey;
  /** The traded markets as the simulator has them, in host slot order (slot i = markets[i]). */
  markets: MarketState[];
  host: Host;
  journal: MemoryJournal;
  lines: string[];
  dataDir: string;
  /** The host slot of a traded market. */
  slot(m: MarketState): number;
  top(m: MarketState): Top;
  /** Our position at the exchange (hundredths, + YES / − NO). */
  exchangePosition(m: MarketState): number;
  exchangeAccount(): { cash: number; positions: Map<number, PositionState>; fills: FillState[] };
  /** The host's ledger position of a traded market (its latest execution stats). */
  hostPosition(m: MarketState): number;
  stats(): ExecutionStats | undefined;
  /** The host's working order in a traded market (its latest stats): its YES price, or 0 when none; undefined before the first stats. */
  workingPrice(m: MarketState): number | undefined;
  supervisor(): SupervisorView | undefined;
  /** Our resting orders at the exchange (optionally in one market): any client_order_id. */
  resting(m?: MarketState): OrderState[];
  /** Every order of the host's sessions at the exchange (any status), oldest first. */
  hostOrders(): OrderState[];
  /**
   * Host ledger vs exchange, per traded market (position, cost basis, realized P&L, fees) and
   * cash (the ledger's cash before reservations against available + reserved): [] when equal.
   */
  mismatches(): string[];
  /** An order on bob's account. */
  bobOrder(order: Omit<NewOrder, 'selfTradePrevention'> & Partial<Pick<NewOrder, 'selfTradePrevention'>>): OrderState;
  /**
   * bob rests one contract at 1¢ in `m`: a book change far from the touch, so the market is
   * decided on again. (Books stand still here; decisions taken before the supervisor let the
   * account trade were refused, and are not taken again until the book changes.)
   */
  nudge(...markets: MarketState[]): void;
  /** An order on OUR account from outside the host (a person, another program). */
  outsideOrder(order: Omit<NewOrder, 'selfTradePrevention'> & Partial<Pick<NewOrder, 'selfTradePrevention'>>): OrderState;
  /** Supervisor transitions as `from→to:reason`. */
  transitions(): string[];
  /** `until`, whose timeout error carries `diagnose()`. */
  until(cond: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** The host's and the exchange's state in a few lines, for a failure's message. */
  diagnose(): string;
  /** The supervisor has run `n` more passes than now (its view is posted every 250 ms). */
  passes(n: number): Promise<void>;
  close(): Promise<void>;
}

export function topOf(sim: Simulator, m: MarketState): Top {
  const y = sim.exchange.bestBid(m.index, 'yes');
  const n = sim.exchange.bestBid(m.index, 'no');
  return { yesBid: y?.[0] ?? -1, yesBidSize: y?.[1] ?? 0, yesAsk: n === undefined ? -1 : PRICE_SCALE - n[0], yesAskSize: n?.[1] ?? 0 };
}

/** Open for two more hours, whole-cent grid, both sides at least 10 contracts deep, priced 20¢–80¢. */
export function deep(sim: Simulator, m: MarketState): boolean {
  if (m.status !== 'active' || m.closeMs < Date.now() + 2 * 3_600_000 || m.priceLevelStructure !== 'linear_cent') return false;
  const t = topOf(sim, m);
  return t.yesBidSize >= 1_000 && t.yesAskSize >= 1_000 && t.yesBid >= 2_000 && t.yesAsk <= 8_000;
}

const scratch = mkdtempSync(join(tmpdir(), 'kalshi-actor-scenario-models-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/**
 * A policy model (mlp:FILE) that answers `action` whatever it sees: one dense layer, weights 0,
 * the bias one-hot. The host's own gates (cash reserve, limits, trading state) still apply.
 */
export function constantPolicy(action: number): string {
  const weight = new Float32Array(FEATURE_COUNT * 5);
  const bias = new Float32Array(5);
  bias[action] = 10;
  const file = join(scratch, `constant-${action}.onnx`);
  writeFileSync(file, mlpModelBytes({ inputName: MODEL_CONTRACT.inputName, outputName: MODEL_CONTRACT.outputName, layers: [{ inputs: FEATURE_COUNT, outputs: 5, weight, bias, activation: 'none' }] }, `constant action ${action} (test)`));
  return `mlp:${file}`;
}

/** Flags every scenario starts from: no exit rule, no close guard, a quick periodic sync, no dashboard. */
const DEFAULT_FLAGS: Flags = {
  policy: 'hold',
  'price-mode': 'passive',
  'contract-size': '1',
  'throttle-ms': '0',
  'cash-reserve': '100.00',
  'cash-margin': '10.00',
  'stop-loss-bps': '0',
  'take-profit-bps': '0',
  'trailing-stop-bps': '0',
  'max-hold-s': '0',
  'close-guard-s': '0',
  'flatten-before-close-s': '0',
  'sync-interval-s': '2',
  'supervise-interval-s': '60',
  'group-limit': '100000',
  'status-interval-s': '3600',
  'dashboard-port': '0',
};

export async function startScenario(o: ScenarioOptions): Promise<Scenario> {
  const key = makeKey(`us-${randomInt(1e9)}`);
  const bob = makeKey(`bob-${randomInt(1e9)}`);
  const sim = await startSimulator({ keys: [key, bob], port: 0, markets: 40, rate: 0, seed: 31, tier: 'prestige', ...o.sim });
  const dataDir = mkdtempSync(join(tmpdir(), 'kalshi-actor-scenario-'));
  let host: Host | undefined;
  try {
    const candidates = sim.exchange.markets().filter((m) => deep(sim, m) && (o.pick?.(m, sim) ?? true));
    const markets = candidates.slice(0, o.count ?? 2);
    if (markets.length < (o.count ?? 2)) throw new Error(`only ${markets.length} markets fit the scenario`);
    const computed = (await o.before?.({ sim, key, bob, markets })) ?? {};
    const flags: Flags = {
      ...DEFAULT_FLAGS, topology: o.topology, 'data-dir': dataDir, markets: markets.map((m) => m.ticker).join(','), ...o.flags, ...computed,
    };
    const argv = Object.entries(flags).flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, v]));
    const config = loadConfig(argv, {});
    const journal = new MemoryJournal(o.keep ?? 100_000);
    const lines: string[] = [];
    const debug = process.env.SCENARIO_DEBUG === '1';
    host = await startHost({ config, log: (l) => (lines.push(l), debug && console.log(`[host] ${l}`)), venue: venueOf(sim, key), journal });
    const h = host;
    const slotOf = new Map(markets.map((m, i) => [m.index, i]));
    const stats = () => h.execution()?.stats;
    /** Execution session ids seen (a restarted execution thread takes a new one); their orders are the host's. */
    const sessions: string[] = [h.sessionId];
    const ours = (cid: string) => sessions.some((id) => cid.startsWith(`${id}-`));
    const scenario: Scenario = {
      sim, key, bob, markets, host: h, journal, lines, dataDir,
      slot: (m) => {
        const s = slotOf.get(m.index);
        if (s === undefined) throw new Error(`${m.ticker} is not traded`);
        return s;
      },
      top: (m) => topOf(sim, m),
      exchangePosition: (m) => sim.exchange.account(key.keyId)!.positions.get(m.index)?.position ?? 0,
      exchangeAccount: () => sim.exchange.account(key.keyId)!,
      hostPosition: (m) => stats()?.positions.find((p) => p.market === scenario.slot(m))?.position ?? 0,
      stats,
      workingPrice: (m) => {
        const st = stats();
        if (st === undefined) return undefined;
        const p = st.positions.find((x) => x.market === scenario.slot(m)); // a market with nothing to report is not listed
        return p === undefined || p.workingSide === 0 ? 0 : p.workingPrice;
      },
      supervisor: () => h.supervisor(),
      resting: (m) => sim.exchange.listOrders(key.keyId, { status: 'resting', ticker: m?.ticker }),
      hostOrders: () => {
        for (const r of journal.records('session')) if (typeof r.session_id === 'string' && !sessions.includes(r.session_id)) sessions.push(r.session_id);
        return sim.exchange.listOrders(key.keyId).filter((x) => ours(x.clientOrderId)).reverse();
      },
      mismatches: () => {
        const s = stats();
        if (s === undefined) return ['no execution stats yet'];
        const acct = sim.exchange.account(key.keyId)!;
        const out: string[] = [];
        for (const [i, m] of markets.entries()) {
          const p = acct.positions.get(m.index);
          const want = p === undefined ? [0, 0, 0, 0] : [p.position, p.exposure, p.realizedPnl, p.feesPaid];
          const mine = s.positions.find((x) => x.market === i);
          const have = mine === undefined ? [0, 0, 0, 0] : [mine.position, mine.costBasis, mine.realizedPnl, mine.feesPaid];
          if (want.join() !== have.join()) out.push(`${m.ticker}: host ${have.join()} exchange ${want.join()}`);
        }
        const reserved = sim.exchange.listOrders(key.keyId, { status: 'resting' }).reduce((a, x) => a + x.reservedCash, 0);
        if (s.cash !== acct.cash + reserved) out.push(`cash: host ${s.cash} exchange ${acct.cash} + ${reserved} reserved`);
        return out;
      },
      bobOrder: (order) => sim.control.placeOrder(bob.keyId, { selfTradePrevention: 'taker_at_cross', ...order }).order,
      nudge: (...ms) => {
        for (const m of ms) sim.control.placeOrder(bob.keyId, { ticker: m.ticker, side: 'bid', price: m.grid.snapOrderable(100, 'up'), count: 100, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross' });
      },
      outsideOrder: (order) => sim.control.placeOrder(key.keyId, { selfTradePrevention: 'taker_at_cross', ...order }).order,
      transitions: () => (h.supervisor()?.transitions ?? []).map((t) => `${t.from}→${t.to}:${t.reason}`),
      until: async (cond, what, timeoutMs) => {
        try {
          await until(cond, what, timeoutMs);
        } catch (err) {
          throw new Error(`${(err as Error).message}\n${scenario.diagnose()}`);
        }
      },
      diagnose: () => {
        const st = stats();
        const v = h.supervisor();
        return [
          `supervisor: ${v?.state ?? '?'} (${v?.reason ?? '?'}); last transitions ${JSON.stringify(scenario.transitions().slice(-6))}; exits ${JSON.stringify(v?.exits ?? {})}`,
          `execution: state ${st?.tradingState} requested ${st?.requestedTradingState} stream ${st?.streamUp ? 'up' : 'down'} reconcilePending ${st?.reconcilePending} inFlight ${st?.inFlight} denied ${JSON.stringify(st?.denied.byReason ?? {})} groups ${JSON.stringify(st?.groups ?? {})} fills ${JSON.stringify(st?.fills ?? {})}`,
          `host positions: ${JSON.stringify(st?.positions ?? [])}`,
          `exchange positions: ${JSON.stringify(markets.map((m) => [m.ticker, scenario.exchangePosition(m)]))}; stale books ${h.totals().staleBooks}`,
          `host orders at the exchange: ${JSON.stringify(scenario.hostOrders().map((o) => [o.clientOrderId, o.status, o.price, o.remainingCount]))}`,
          `mismatches: ${JSON.stringify(scenario.mismatches())}`,
          `log: ${lines.slice(-12).join(' | ')}`,
        ].join('\n');
      },
      passes: async (n) => {
        const from = h.supervisor()?.passes ?? 0;
        await until(() => (h.supervisor()?.passes ?? 0) >= from + n, `${n} more supervisor passes`);
      },
      close: async () => {
        await h.stop('test').catch(() => undefined);
        await sim.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    return scenario;
  } catch (err) {
    await host?.stop('test failed').catch(() => undefined);
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

// ------------------------------------------------------------------------------- marks

/**
 * The net-of-fee P&L of closing a YES position of `q` hundredths now at YES bid `bid`, as the
 * supervisor computes it (position-health.ts): exit value − cost basis − entry fees, µ$.
 */
export function pnlAt(bid: number, q: number, costBasis: number, entryFees: number): number {
  if (bid === NONE || bid <= 0) throw new Error('no bid to mark at');
  return notional(bid, q) - takerFee(bid, q) - costBasis - entryFees;
}

/** The YES asks (price, size) up to and including `limit`, best first. */
export function asksUpTo(sim: Simulator, m: MarketState, limit: number): Array<[number, number]> {
  return sim.exchange.bookLevels(m.index, 'no').map(([p, n]): [number, number] => [PRICE_SCALE - p, n]).filter(([p]) => p <= limit).sort((a, b) => a[0] - b[0]);
}

/** The YES bids (price, size) at or above `limit`, best first. */
export function bidsDownTo(sim: Simulator, m: MarketState, limit: number): Array<[number, number]> {
  return sim.exchange.bookLevels(m.index, 'yes').filter(([p]) => p >= limit).sort((a, b) => b[0] - a[0]);
}

/** Our account buys `count` YES (> 0) or NO (< 0) at the touch, outside the host; returns (a copy of) the exchange's position after it. */
export function buyOutside(sim: Simulator, key: TestKey, m: MarketState, count: number): PositionState {
  const t = topOf(sim, m);
  const r = sim.control.placeOrder(key.keyId, {
    ticker: m.ticker, side: count > 0 ? 'bid' : 'ask', price: count > 0 ? t.yesAsk : t.yesBid, count: Math.abs(count),
    timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross',
  });
  if (r.order.fillCount !== Math.abs(count)) throw new Error(`${m.ticker}: bought ${r.order.fillCount} of ${Math.abs(count)}`);
  return { ...sim.exchange.account(key.keyId)!.positions.get(m.index)! };
}
