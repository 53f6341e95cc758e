/**
 * One policy-lab episode (issue 11; the contract is episode-types.ts): a policy trades a fresh
 * simulated exchange built from a seed, for a stretch of simulated time, through the live
 * decision path, on a virtual clock. Same spec ⇒ the same result, bit for bit.
 *
 * The pieces are the live ones, wired as the inline topology wires them (src/main/host/host.ts):
 *   exchange   the simulator's engine, its catalogue, one account and its synthetic crowd, built
 *              in the order `startSimulator` builds them (so the markets, books and ids are those
 *              of `kalshi-actor sim --seed S --markets N` started at the episode's epoch);
 *   books      the engine's book changes applied to a BookStore as the market-data stage applies
 *              WebSocket deltas (after a snapshot per market: applyDelta, the "applied" stamp, the
 *              dirty mark), receive stamps on the virtual monotonic clock;
 *   decisions  InferenceStage over one DirtyMarkets channel into an intent SpscRing, its clocks
 *              the virtual ones; the policy from `loadPolicy` (or inline MLP weights, inline-mlp.ts),
 *              with the cash-reserve gate;
 *   execution  IntentDrain → ExecutionCore built as ExecutionStage builds it (`coreOptionsOf`
 *              of the settings `kalshi-actor run` would read, episode-settings.ts), started as
 *              calibration leaves it (session cash, the session's order group, TRADING, markets
 *              ACTIVE); each request through the REST client's Write budget (write-budget.ts) and
 *              performed on the engine at once (engine-venue.ts); fills, user orders and order-group
 *              events of our account handed to the core as the private stream hands them;
 *              `core.poll` every 100 ms and the account revalued every second, as the stage does.
 *
 * Time: `nowMs` is a variable, moved from event to event — the crowd's next book change (`rate`
 * per simulated second: the k-th due at k·1000/rate ms, in whole ms, driven as the simulator's
 * server drives it), the core's poll, a request put off by the Write budget, a market's close, a
 * curve sample, the end. At each instant: the engine's timers catch up, closed markets are halted,
 * due requests go out, the crowd acts, every dirty market is decided once on its book and the
 * intents are executed; book changes our own orders make are decided at the next instant. Nothing
 * reads the wall clock; the exchange answers at once (no network latency).
 *
 * The result's figures: P&L and fees as ExecutionStats has them (realized + unrealized at the
 * best bid of the side held − fees; a market without a bid counts at cost); `ordersSent` the
 * place / amend / cancel requests that reached the exchange; `blocked` the DENIED decisions by
 * DenyReason name (follow-ups included, as the stage counts them) plus the requests refused before
 * they left — RATE_LIMITED for the Write budget; `bookChanges` the book deltas applied to the
 * BookStore (the crowd's and our own orders'); `filledCount` / `ordersFilled` from our fills.
 *
 * Markets that close during the episode are halted at their close (the exchange cancels their
 * orders) and their positions settled when the exchange pays them out.
 *
 * At the end the core's ledger is checked against the exchange for our account (cash with what
 * resting orders hold, and every market's position, cost basis, realized P&L and fees): a
 * difference means the episode's plumbing is wrong, and is thrown.
 */
import { BookStore, BookResult } from '../../shared/book-store.js';
import { SIDE_NO, SIDE_YES } from '../../shared/book-layout.js';
import { DirtyMarkets } from '../../shared/dirty-markets.js';
import { BOOK_RESULT_NAMES } from '../../shared/kalshi/ws/book-sync.js';
import type { MarketMeta } from '../../shared/observation/build.js';
import { loadPolicy } from '../../shared/policy/load-policy.js';
import type { Policy } from '../../shared/policy/policy.js';
import { PositionBoard } from '../../shared/position-board.js';
import { createAccountView, MarketTradingState, TradingState } from '../../shared/position-records.js';
import type { UsageTier } from '../../shared/rate-budgets.js';
import { SpscRing } from '../../shared/spsc-ring.js';
import { listCatalogue } from '../../sim/catalogue.js';
import { Exchange } from '../../sim/engine/exchange.js';
import type { FillState } from '../../sim/engine/types.js';
import { SyntheticLiquidity } from '../../sim/liquidity.js';
import { ExecutionCore, type Outcome } from '../../workers/execution/execution-core.js';
import type { IoResult } from '../../workers/execution/execution-io.js';
import { coreOptionsOf, SESSION_GROUP, type ExecutionSettings } from '../../workers/execution/execution-settings.js';
import { collectStats, ExecutionCounters, type ExecutionStats } from '../../workers/execution/execution-stats.js';
import { IntentDrain } from '../../workers/execution/intent-drain.js';
import type { SendRequest } from '../../workers/execution/requests.js';
import { OutcomeStatus } from '../../workers/execution/working-orders.js';
import { InferenceStage } from '../../workers/inference/inference-stage.js';
import { INTENT_WORDS } from '../../workers/inference/intent-record.js';
import { POLICY_FORMAT } from '../config/load.js';
import { EngineVenue } from './engine-venue.js';
import { episodeExecutionSettings } from './episode-settings.js';
import type { EpisodeResult, EpisodeSpec, InlineMlp } from './episode-types.js';
import { inlineMlpPolicy, mlpOfInline } from './inline-mlp.js';
import { isUsageTier, WriteBudget } from './write-budget.js';

export const EPISODE_DEFAULTS = Object.freeze({
  markets: 8,
  durationMs: 600_000,
  rate: 200,
  startCash: 1_000_000_000,
  /** The embedded simulator's usage tier (and a new Kalshi account's). */
  tier: 'basic' as UsageTier,
});

/** The equity curve's sampling period, ms of simulated time. */
export const CURVE_STEP_MS = 10_000;
/** The virtual clock at the start of every episode, ms since the epoch (fixed: no wall clock). */
export const EPISODE_START_MS = Date.UTC(2026, 0, 5, 15, 0, 0);
/** ExecutionStage's default `pollIntervalMs`, and its account revaluation period. */
const POLL_INTERVAL_MS = 100;
const REVALUE_INTERVAL_MS = 1_000;
/** The simulator's liquidity driver's constants (src/sim/simulator.ts: MAX_CATCH_UP_MS, CLOCK_CHUNK, TURN_CHANGES). */
const CROWD_MAX_CATCH_UP_MS = 20;
const CROWD_CHUNK = 64;
const CROWD_TURN_CHANGES = 2048;
/** The host's intent ring per inference stage, records. */
const INTENT_RING_CAPACITY = 4096;
/** Our account at the exchange. */
const ACCOUNT = 'lab';
const MAX_DURATION_MS = 30 * 86_400_000;
/** Keeps rate × duration (book changes) well inside exact integers. */
const MAX_RATE = 1_000_000;

interface Checked {
  policy: string | { mlp: InlineMlp };
  seed: number;
  markets: number;
  durationMs: number;
  rate: number;
  startCash: number;
  tier: UsageTier;
  settings: ExecutionSettings;
}

function wholeNumber(field: string, v: unknown, min: number, max: number, unit = ''): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new RangeError(`${field} must be a whole number${unit} from ${min} to ${max}, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  }
  return v;
}

/** The spec with its defaults, every field checked (RangeError naming it) before any work. */
export function checkEpisodeSpec(spec: EpisodeSpec): Checked {
  if (spec === null || typeof spec !== 'object') throw new RangeError('an episode spec must be an object');
  const p = spec.policy;
  if (typeof p === 'string') {
    if (!POLICY_FORMAT.test(p)) throw new RangeError(`policy must be hold, hardcoded, spread-capture, onnx:FILE, mlp:FILE or {mlp: weights}, got ${JSON.stringify(p)}`);
  } else if (p !== null && typeof p === 'object' && 'mlp' in p) {
    mlpOfInline(p.mlp);
  } else {
    throw new RangeError(`policy must be a policy name or {mlp: weights}, got ${JSON.stringify(p)}`);
  }
  const tier = spec.tier ?? EPISODE_DEFAULTS.tier;
  if (!isUsageTier(tier)) throw new RangeError(`tier must be a Kalshi usage tier (basic, advanced, …), got ${JSON.stringify(tier)}`);
  return {
    policy: p,
    seed: wholeNumber('seed', spec.seed, 0, 2 ** 32 - 1),
    markets: wholeNumber('markets', spec.markets ?? EPISODE_DEFAULTS.markets, 1, 100_000),
    durationMs: wholeNumber('durationMs', spec.durationMs ?? EPISODE_DEFAULTS.durationMs, 1, MAX_DURATION_MS, ' of ms'),
    rate: wholeNumber('rate', spec.rate ?? EPISODE_DEFAULTS.rate, 0, MAX_RATE, ' of book messages per second'),
    startCash: wholeNumber('startCash', spec.startCash ?? EPISODE_DEFAULTS.startCash, 0, Number.MAX_SAFE_INTEGER, ' of µ$'),
    tier,
    settings: episodeExecutionSettings(spec.settings),
  };
}

/** Runs one episode (see the file comment). Rejects with a RangeError naming the field for a bad spec, before any work. */
export async function runEpisode(spec: EpisodeSpec): Promise<EpisodeResult> {
  const s = checkEpisodeSpec(spec);
  let policy: Policy;
  let label: string;
  if (typeof s.policy === 'string') {
    policy = await loadPolicy(s.policy);
    label = s.policy;
  } else {
    ({ policy, label } = inlineMlpPolicy(s.policy.mlp));
  }
  try {
    return await run(s, policy, label);
  } finally {
    await policy.close?.();
  }
}

interface Deferred {
  atMs: number;
  seq: number;
  req: SendRequest;
  deadlineNs: number;
}

async function run(s: Checked, policy: Policy, label: string): Promise<EpisodeResult> {
  const start = EPISODE_START_MS;
  const end = start + s.durationMs;
  let now = start;
  /** The virtual monotonic clock, ns: 1 s at the start, so that every receive stamp is > 0. */
  const nsOf = (ms: number): number => (ms - start + 1_000) * 1_000_000;
  const nowMs = (): number => now;
  const nowNs = (): number => nsOf(now);

  // --- the exchange, as startSimulator builds it (one account)
  const exchange = new Exchange({ clock: nowMs, seed: s.seed });
  const markets = listCatalogue(exchange, { markets: s.markets, seed: s.seed, startMs: start });
  exchange.advanceTo(start);
  exchange.openAccount(ACCOUNT, s.startCash);
  const liquidity = new SyntheticLiquidity(exchange, markets, { seed: s.seed });
  liquidity.seedBooks();
  const n = markets.length;
  markets.forEach((m, i) => {
    if (m.index !== i) throw new Error(`episode: market ${m.ticker} has engine index ${m.index}, slot ${i}`);
  });

  // --- shared memory, as the host lays it out (one shard, one inference stage)
  const books = BookStore.create({ maxMarkets: n, ladderWords: markets.reduce((w, m) => w + 2 * m.grid.levelCount, 0) });
  for (const m of markets) books.registerMarket(m.index, m.grid);
  const board = PositionBoard.create(n);
  const dirty = DirtyMarkets.create(n);
  const intents = SpscRing.create(INTENT_RING_CAPACITY, INTENT_WORDS);
  const meta: MarketMeta[] = markets.map((m) => ({ closeTimeMs: m.closeMs, grid: m.grid }));

  // --- execution: the core as ExecutionStage builds it
  const writer = board.claimWriter();
  const settings = s.settings;
  const core = new ExecutionCore({
    capacity: n, sessionId: `lab${s.seed.toString(36)}`, books, board: writer, ...coreOptionsOf(settings), tradingState: TradingState.BOOTING,
  });
  for (const m of markets) core.addMarket(m.index, m.ticker, m.grid, MarketTradingState.ACTIVE, now);
  const counters = new ExecutionCounters(1);
  const venue = new EngineVenue(exchange, ACCOUNT, (m) => markets[m]?.grid);
  const budget = new WriteBudget(s.tier, nowNs);

  // --- what the episode counts besides the stage counters
  let bookChanges = 0;
  let filledCount = 0;
  const filledOrders = new Set<string>();
  const onFill = (f: FillState): void => {
    filledCount += f.count;
    filledOrders.add(f.orderId);
  };

  // --- the engine's events: books (market data), our private channels, settlements
  exchange.addListener({
    bookDelta: (market, outcome, price, delta, tsMs) => {
      const i = market.index;
      const ns = nsOf(now);
      const r = books.applyDelta(i, outcome === 'yes' ? SIDE_YES : SIDE_NO, price, delta, tsMs, ns);
      if (r !== BookResult.OK) throw new Error(`episode: the BookStore refused a change of ${market.ticker}'s book (${BOOK_RESULT_NAMES[r]})`);
      books.stampApplied(i, ns);
      dirty.markDirty(i);
      bookChanges++;
    },
    lifecycle: (market, type) => {
      if (type === 'settled' && (market.result === 'yes' || market.result === 'no')) core.onSettlement(market.index, market.result, now);
    },
  });
  exchange.addListener(venue.privateEvents(core, nowMs, onFill));
  // Subscribed: each book's snapshot, then its deltas.
  for (const m of markets) {
    const yes = exchange.bookLevels(m.index, 'yes').flat();
    const no = exchange.bookLevels(m.index, 'no').flat();
    const r = books.applySnapshot(m.index, yes, yes.length / 2, no, no.length / 2, now, nsOf(now));
    if (r !== BookResult.OK) throw new Error(`episode: the BookStore refused ${m.ticker}'s snapshot (${BOOK_RESULT_NAMES[r]})`);
    books.stampApplied(m.index, nsOf(now));
    dirty.markDirty(m.index);
  }

  // --- calibration, as it leaves the core: the session's cash, the session's order group, TRADING
  const opening = exchange.account(ACCOUNT)!;
  core.startSession(opening.cash, exchange.portfolioValue(ACCOUNT), now);
  for (const m of markets) core.publishMarket(m.index, now);
  if (settings.orderGroups === 'session') core.groups.onCreated(SESSION_GROUP, exchange.createOrderGroup(ACCOUNT, settings.groupLimit * 100).id);
  core.setTradingState(TradingState.TRADING, now);

  // --- requests: the Write budget, the exchange, the outcome back to the core (ExecutionStage.send / onResult)
  const deferred: Deferred[] = [];
  /** Requests refused before they left, by reason (RATE_LIMITED: the Write budget). */
  const notSent: Record<string, number> = {};
  let deferSeq = 0;
  const msOfNs = (ns: number): number => start + Math.ceil(ns / 1_000_000) - 1_000;

  const send = (req: SendRequest): void => {
    counters.requests[req.kind].sent++;
    attemptSend(req, nowNs() + (WriteBudget.costOf(req)?.maxWaitMs ?? 0) * 1_000_000);
  };
  const attemptSend = (req: SendRequest, deadlineNs: number): void => {
    const grant = budget.take(req, deadlineNs);
    if (grant.kind === 'granted') onResult(req, venue.perform(req));
    else if (grant.kind === 'wait') deferred.push({ atMs: msOfNs(grant.atNs), seq: deferSeq++, req, deadlineNs });
    else onResult(req, { kind: 'outcome', outcome: { status: OutcomeStatus.NOT_SENT, code: grant.reason }, viaLookup: false });
  };
  const onResult = (req: SendRequest, r: IoResult): void => {
    const c = counters;
    if (req.kind === 'lookup') {
      if (r.kind === 'found') {
        c.requests.lookup.accepted++;
        core.onLookupResult(req.requestId, r.order, now);
      } else {
        c.requests.lookup.unknown++;
        c.lookupsFailed++;
        core.onOutcome(req.requestId, { status: OutcomeStatus.UNKNOWN, code: 'lookup_failed' }, now);
      }
      return;
    }
    if (r.kind !== 'outcome') return;
    const o: Outcome = r.outcome;
    c.outcomeOf(req.kind, o);
    if (o.status === OutcomeStatus.NOT_SENT) {
      // Refused before it left (the Write budget, the REST layer's own checks): an intent blocked too.
      const why = o.code === 'local_rate_limited' ? 'RATE_LIMITED' : (o.code ?? 'not_sent').toUpperCase();
      notSent[why] = (notSent[why] ?? 0) + 1;
    }
    const follow = core.onOutcome(req.requestId, o, now);
    if (follow === undefined) return;
    if (follow.kind === 'DENIED') c.deniedBy(follow.reason);
    else send(follow.request);
  };
  const runDeferred = (): void => {
    if (deferred.length === 0) return;
    const due = deferred.filter((d) => d.atMs <= now).sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
    if (due.length === 0) return;
    for (const d of due) deferred.splice(deferred.indexOf(d), 1);
    for (const d of due) attemptSend(d.req, d.deadlineNs);
  };
  const nextDeferredMs = (): number => {
    let t = Infinity;
    for (const d of deferred) if (d.atMs < t) t = d.atMs;
    return t;
  };

  // --- decisions: the inference stage and the intent drain, as the inline topology runs them
  const stage = new InferenceStage({
    books, board, policy, intents, meta, nowMs, nowNs,
    channels: [{ dirty, toGlobal: Int32Array.from(markets, (_, i) => i) }],
  });
  const drain = new IntentDrain([intents], counters.intentsByRing, (market, action) => {
    const d = core.onIntent(market, action, now);
    if (d.kind === 'DENIED') counters.deniedBy(d.reason);
    else send(d.request);
  });
  /** Every dirty market decided once on its book, then every intent executed. */
  const decide = async (): Promise<void> => {
    while (stage.pending() > 0) {
      let decided = stage.step();
      if (typeof decided !== 'number') decided = await decided;
      if (decided === 0) break;
    }
    while (drain.drain() > 0);
  };

  // --- markets closing during the episode: halted at their close (the exchange cancels their orders)
  const halted = new Uint8Array(n);
  let nextCloseMs = Infinity;
  const haltClosed = (): void => {
    nextCloseMs = Infinity;
    for (const m of markets) {
      if (halted[m.index] === 1) continue;
      if (m.closeMs <= now) {
        halted[m.index] = 1;
        core.setMarketTradingState(m.index, MarketTradingState.HALTED, now);
      } else if (m.closeMs < nextCloseMs) nextCloseMs = m.closeMs;
    }
  };

  // --- the report (ExecutionStage.stats' figures)
  const account = createAccountView();
  const traded = markets.map((m) => m.index);
  const report = (): ExecutionStats => collectStats({
    counters, core, traded, books, availableCash: board.readAccount(account) ? account.cash : core.ledger.cash, inFlight: deferred.length,
    streamUp: true, eventsLost: 0, reconnects: 0, nowMs: now, requestedTradingState: TradingState.TRADING, reconcilePending: false,
    lastSync: null, operatorDisabled: [],
  });
  const pnlOf = (st: ExecutionStats): number => st.realizedPnl + st.unrealizedPnl - st.feesPaid;

  // --- the clock
  const curve: number[] = [];
  let produced = 0; // the crowd's book changes so far
  const dueChanges = (t: number): number => Math.floor((s.rate * (t - start)) / 1000);
  const nextCrowdMs = (): number => (s.rate === 0 ? Infinity : start + Math.ceil(((produced + 1) * 1000) / s.rate));
  let nextCrowd = nextCrowdMs();
  let nextPoll = start + POLL_INTERVAL_MS;
  let nextSample = start;
  let lastRevalueMs = start;
  haltClosed();
  for (;;) {
    if (now >= nextCrowd) {
      // The simulator's liquidity driver (src/sim/simulator.ts), on this clock: a backlog beyond
      // MAX_CATCH_UP_MS of the rate is dropped; the rest is made in chunks of CLOCK_CHUNK, at
      // most TURN_CHANGES per turn; a chunk the crowd gives up on (too few active markets) ends
      // the turn, and the backlog is tried again a millisecond later.
      let due = dueChanges(now) - produced;
      const catchUp = (s.rate * CROWD_MAX_CATCH_UP_MS) / 1000;
      if (due > catchUp) {
        const skip = due - Math.ceil(catchUp);
        produced += skip;
        due -= skip;
      }
      let budget = CROWD_TURN_CHANGES;
      let gaveUp = false;
      while (due > 0 && budget > 0) {
        const want = Math.min(CROWD_CHUNK, due, budget);
        const made = liquidity.run(want);
        produced += made;
        due -= made;
        budget -= made;
        if (made < want) {
          gaveUp = true;
          break;
        }
      }
      // Once every market has closed the crowd has nothing left to do (nothing reopens in an episode).
      nextCrowd = gaveUp && !markets.some((m) => m.status === 'active') ? Infinity : Math.max(now + 1, nextCrowdMs());
    }
    await decide();
    if (now >= nextPoll) {
      for (const r of core.poll(now)) send(r);
      if (now - lastRevalueMs >= REVALUE_INTERVAL_MS) {
        lastRevalueMs = now;
        core.publishAccount(now, true);
      }
      nextPoll += POLL_INTERVAL_MS;
    }
    if (now >= nextSample) {
      curve.push(pnlOf(report()));
      nextSample += CURVE_STEP_MS;
    }
    if (now >= end) break;
    now = Math.min(nextCrowd, nextPoll, nextSample, nextDeferredMs(), nextCloseMs, end);
    exchange.advanceTo(now);
    if (now >= nextCloseMs) haltClosed();
    runDeferred();
  }

  crossCheck(exchange, core, s.seed);
  const st = report();
  writer.release();
  const a = stage.counters.byAction;
  return {
    seed: s.seed,
    policy: label,
    pnlMicros: pnlOf(st),
    feesMicros: st.feesPaid,
    curve,
    curveStepMs: CURVE_STEP_MS,
    actions: [a[0], a[1], a[2], a[3], a[4]],
    blocked: { ...counters.deniedByName(), ...notSent },
    ordersSent: st.orders.accepted + st.orders.rejected + st.orders.unknown,
    ordersFilled: filledOrders.size,
    filledCount,
    marketHours: (n * s.durationMs) / 3_600_000,
    bookChanges,
  };
}

/** The core's ledger against the exchange's books of our account: cash (with what resting orders hold) and every position. */
function crossCheck(exchange: Exchange, core: ExecutionCore, seed: number): void {
  const a = exchange.account(ACCOUNT)!;
  let reserved = 0;
  for (const o of exchange.listOrders(ACCOUNT, { status: 'resting' })) reserved += o.reservedCash;
  const positions = [...a.positions.values()].map((p) => ({
    market: p.marketIndex, position: p.position, costBasis: p.exposure, realizedPnl: p.realizedPnl, feesPaid: p.feesPaid,
  }));
  const drift = core.ledger.drift({ cash: a.cash, reservedCash: reserved, positions });
  if (!drift.ok || core.positionMismatches !== 0) {
    throw new Error(
      `episode (seed ${seed}): the execution core's ledger disagrees with the exchange — cash ${drift.cash} µ$, ` +
        `markets ${JSON.stringify(drift.markets)}, fills whose post_position differed ${core.positionMismatches}`,
    );
  }
}
