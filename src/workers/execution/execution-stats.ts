/**
 * What the execution stage counts, and the report `stats()` builds from it: plain data, so it
 * crosses threads with `postMessage` as is. Counters are bumped on the execution thread only.
 *
 * Units: money µ$, counts hundredths of a contract, latency snapshots in ns (latency-histogram.ts).
 */
import { emptyBookTop, markValue } from '../../shared/book-store.js';
import { LatencyHistogram, type LatencySnapshot } from '../../shared/latency-histogram.js';
import type { BookReader, ExecutionCore } from './execution-core.js';
import { DENY_REASON_NAMES, type DenyReason } from './limits.js';
import { GroupStatus } from './order-groups.js';
import { OutcomeStatus } from './working-orders.js';
import type { PresignStats } from '../../shared/presigned-signatures.js';
import type { SendRequest } from './requests.js';

export type RequestKind = SendRequest['kind'];
const KINDS: readonly RequestKind[] = ['place', 'amend', 'cancel', 'create_group', 'reset_group', 'lookup'];

/** Per request kind: sent, and how they came back. */
export interface RequestCounts {
  sent: number;
  accepted: number;
  rejected: number;
  unknown: number;
  /** Provably nothing happened (rate limited, refused by the REST layer, connection never made). */
  notSent: number;
}

function zeroCounts(): RequestCounts {
  return { sent: 0, accepted: 0, rejected: 0, unknown: 0, notSent: 0 };
}

export class ExecutionCounters {
  /** Intent records popped from the rings, per ring. */
  readonly intentsByRing: number[];
  /** DENIED decisions by reason (index = DenyReason). */
  readonly denied = new Array<number>(32).fill(0);
  readonly requests: Record<RequestKind, RequestCounts> = Object.fromEntries(KINDS.map((k) => [k, zeroCounts()])) as Record<RequestKind, RequestCounts>;
  /** REJECTED outcomes by Kalshi's code. */
  readonly rejectedByCode: Record<string, number> = {};
  /** Places answered only by finding the order (UNKNOWN or 409 resolved by OrderEntry). */
  placesResolvedByLookup = 0;
  /** Lookups the exchange could not answer (retried). */
  lookupsFailed = 0;
  /** Follow-up orders dropped because the stage was stopping. */
  followUpsDropped = 0;
  /** Fills that changed the ledger, by source; duplicates (seen before) and fills of untraded markets. */
  fillsFromWs = 0;
  fillsFromSync = 0;
  fillDuplicates = 0;
  fillsUntracked = 0;
  userOrders = 0;
  groupEvents = 0;
  /** `market_position` events whose position differed from the ledger at that moment (informative). */
  positionEventMismatches = 0;
  positionEvents = 0;
  /** Periodic syncs and event-driven reconciles run, by reason. */
  readonly reconciles: Record<string, number> = {};
  reconcileErrors = 0;
  /** Drift: comparisons made, differences seen once, differences confirmed (journaled, adopted). */
  driftChecks = 0;
  driftSuspected = 0;
  driftConfirmed = 0;
  /** µ$ of unexplained cash difference (ledger − exchange) at the last confirmed drift. */
  lastDriftCash = 0;
  /** Markets that differed at the last confirmed drift. */
  lastDriftMarkets = 0;
  settlementsApplied = 0;
  /** Our orders found resting at the exchange and handed to the core by a sync; orphans cancelled. */
  ordersRecovered = 0;
  orphansCancelled = 0;
  /** Private-stream events lost (gaps, unreadable frames) and reconnects seen. */
  eventsLost = 0;
  wsReconnects = 0;
  /** Intent popped → request handed to the REST client, ns (SEND decisions only). */
  readonly intentToWire = new LatencyHistogram();
  /** Intent enqueued by inference → taken by execution, ns (the ring hop and the drain's turn). */
  readonly queueWait = new LatencyHistogram();
  /** The book update's receipt (market data) → the order request handed to the REST client, ns: the whole decision path. */
  readonly receiveToWire = new LatencyHistogram();
  /** Request handed to the REST client → outcome, ns (place / amend / cancel). */
  readonly restRoundTrip = new LatencyHistogram();
  /** Intents only: request written → the exchange's answer (accepted or rejected), ns. */
  readonly writtenToAck = new LatencyHistogram();
  /** Intents only: the book update's receipt → the exchange's answer, ns: the whole path. */
  readonly receiveToAck = new LatencyHistogram();
  /** Exits of whole positions (ExecutionStage.exitPosition): see `ExitStats`. */
  readonly exits: ExitStats = { requested: 0, sent: 0, denied: 0, byReason: {}, deniedBy: {} };

  constructor(rings: number) {
    this.intentsByRing = new Array<number>(rings).fill(0);
  }

  deniedBy(reason: DenyReason): void {
    this.denied[reason]++;
  }

  /** A request's outcome, counted by kind and status (and a rejection by its code). */
  outcomeOf(kind: RequestKind, o: { status: OutcomeStatus; code?: string; httpStatus?: number }): void {
    const counts = this.requests[kind];
    if (o.status === OutcomeStatus.ACCEPTED) counts.accepted++;
    else if (o.status === OutcomeStatus.REJECTED) {
      counts.rejected++;
      const code = o.code ?? `http_${o.httpStatus ?? 0}`;
      this.rejectedByCode[code] = (this.rejectedByCode[code] ?? 0) + 1;
    } else if (o.status === OutcomeStatus.UNKNOWN) counts.unknown++;
    else counts.notSent++;
  }

  /** An exit asked for with the supervisor's `reason`. */
  exitRequested(reason: string): void {
    this.exits.requested++;
    this.exits.byReason[reason] = (this.exits.byReason[reason] ?? 0) + 1;
  }

  /** An exit refused, by the name of its DenyReason (or the stage's: NOT_CALIBRATED, STOPPING). */
  exitDenied(name: string): void {
    this.exits.denied++;
    this.exits.deniedBy[name] = (this.exits.deniedBy[name] ?? 0) + 1;
  }

  deniedByName(): Record<string, number> {
    const out: Record<string, number> = {};
    this.denied.forEach((n, reason) => {
      if (n > 0) out[DENY_REASON_NAMES[reason as DenyReason] ?? String(reason)] = n;
    });
    return out;
  }
}

/** Exits of whole positions asked of the stage (the supervisor's position health, cash recovery, kill switch). */
export interface ExitStats {
  /** Asked for (every call). */
  requested: number;
  /** Exit orders sent: at once, or after the cancel of the market's working order. */
  sent: number;
  /** Refused at once, or when their turn came after the cancel. */
  denied: number;
  /** Asked for, by the supervisor's reason ('take_profit', 'stop_loss', 'max_hold', 'trailing_stop', 'cash_recovery', 'market_closing', 'kill_switch' …). */
  byReason: Record<string, number>;
  /**
   * Refused, by DenyReason name ('FLAT', 'IN_FLIGHT', 'NO_PRICE', 'BREAKER_OPEN' …) or the
   * stage's: 'NOT_CALIBRATED', 'STOPPING', 'CANCEL_FAILED' (the cancel of the working order ahead
   * of the exit failed or is unknown: no exit beside an order that may still rest).
   */
  deniedBy: Record<string, number>;
}

/** The last REST reconcile (periodic-sync.ts), as the supervisor reads it. */
export interface LastSyncStats {
  /** Wall clock when it finished, ms. */
  atMs: number;
  reason: string;
  /** The host's cash, positions and orders agreed with the exchange's (at the last comparison). */
  driftOk: boolean;
  /** A drift seen twice, the same: journaled and adopted. */
  driftConfirmed: boolean;
}

/** The order groups the core tracks (those with an id at the exchange). */
export interface GroupStats {
  total: number;
  /** Triggered, or being reset (triggered at the exchange until the reset is answered). */
  triggered: number;
  triggeredIds: string[];
}

/** One order group, for the dashboard. */
export interface OrderGroupRow {
  id: string;
  /** The market slot it covers, or −1 for the session's group. */
  market: number;
  status: 'creating' | 'active' | 'triggered' | 'resetting';
  /** Contracts filled per rolling 15 s that trigger it (whole contracts). */
  limitContracts: number;
  /** ms since the epoch; 0 unless triggered or resetting. */
  triggeredAtMs: number;
}

/** At most this many groups are listed in a report (triggered ones first): a report is posted every second. */
export const MAX_GROUP_ROWS = 200;

/** One market in the report. */
export interface MarketStats {
  market: number;
  ticker: string;
  /** Hundredths, + YES / − NO. */
  position: number;
  costBasis: number;
  realizedPnl: number;
  feesPaid: number;
  /** Working order: side (0 none, 1 bid, 2 ask), YES price, remaining hundredths. */
  workingSide: number;
  workingPrice: number;
  workingRemaining: number;
}

export interface ExecutionStats {
  /** Wall clock of the report, ms. */
  atMs: number;
  /** TradingState of the account as the core applies it. */
  tradingState: number;
  /** TradingState asked for (the supervisor's; the applied one differs while the private stream is blind). */
  requestedTradingState: number;
  /** Reconnects of the private stream seen and not yet covered by a reconcile (the reconnect gate holds). */
  reconcilePending: boolean;
  /** The last successful reconcile; null before the first. */
  lastSync: LastSyncStats | null;
  groups: GroupStats;
  /** `off`, `session` or `market` (one group per market). */
  groupMode: string;
  /** The groups with an id at the exchange, triggered first, at most MAX_GROUP_ROWS. */
  orderGroups: OrderGroupRow[];
  /** Market slots the operator disabled (ExecutionStage.setOperatorDisabled). */
  operatorDisabled: number[];
  exits: ExitStats;
  /** Private stream up and subscribed (openings are refused while it is not). */
  streamUp: boolean;
  intents: { received: number; byRing: number[] };
  denied: { total: number; byReason: Record<string, number> };
  requests: Record<RequestKind, RequestCounts>;
  /** Order requests (place + amend + cancel) together. */
  orders: RequestCounts;
  rejectedByCode: Record<string, number>;
  placesResolvedByLookup: number;
  inFlight: number;
  fills: { ws: number; sync: number; duplicates: number; untracked: number };
  /** Ledger cash before reservations, µ$; available = cash − what working openings hold. */
  cash: number;
  availableCash: number;
  positions: MarketStats[];
  realizedPnl: number;
  /** Open positions at the best bid of the outcome held, minus their cost basis, µ$ (markets without a readable book count 0). */
  unrealizedPnl: number;
  feesPaid: number;
  drift: { checks: number; suspected: number; confirmed: number; lastCash: number; lastMarkets: number };
  reconciles: Record<string, number>;
  reconcileErrors: number;
  settlementsApplied: number;
  ordersRecovered: number;
  orphansCancelled: number;
  ws: { eventsLost: number; reconnects: number; userOrders: number; groupEvents: number; positionEvents: number; positionEventMismatches: number };
  latency: {
    intentToWire: LatencySnapshot; restRoundTrip: LatencySnapshot; queueWait: LatencySnapshot; receiveToWire: LatencySnapshot;
    writtenToAck: LatencySnapshot; receiveToAck: LatencySnapshot;
  };
  /**
   * The pre-signed signature pool (threaded topology with `presign` on; absent otherwise):
   * `hits` order requests sent with a signature made ahead by the signer thread, `misses` that
   * found none fresh and were signed inline, `refreshed` unused slots re-signed as they aged.
   * Cumulative over the session (the pool outlives a restarted execution thread).
   */
  presign?: PresignStats;
}

/** Sum of the order kinds' counts. */
export function orderCounts(r: Record<RequestKind, RequestCounts>): RequestCounts {
  const out = zeroCounts();
  for (const k of ['place', 'amend', 'cancel'] as const) {
    out.sent += r[k].sent;
    out.accepted += r[k].accepted;
    out.rejected += r[k].rejected;
    out.unknown += r[k].unknown;
    out.notSent += r[k].notSent;
  }
  return out;
}

export function copyRequests(r: Record<RequestKind, RequestCounts>): Record<RequestKind, RequestCounts> {
  return Object.fromEntries(KINDS.map((k) => [k, { ...r[k] }])) as Record<RequestKind, RequestCounts>;
}

/** What `collectStats` reads. */
export interface StatsSource {
  counters: ExecutionCounters;
  core: ExecutionCore;
  /** Traded market slots. */
  traded: readonly number[];
  books: BookReader;
  /** Cash the core last published as available (the PositionBoard's account record), µ$. */
  availableCash: number;
  inFlight: number;
  streamUp: boolean;
  eventsLost: number;
  reconnects: number;
  nowMs: number;
  requestedTradingState: number;
  reconcilePending: boolean;
  lastSync: LastSyncStats | null;
  /** The pre-signed signature pool's counters, when the stage's credentials take from one. */
  presign?: PresignStats;
  operatorDisabled: number[];
}

const GROUP_STATUS_NAMES: Record<number, OrderGroupRow['status']> = {
  [GroupStatus.CREATING]: 'creating', [GroupStatus.ACTIVE]: 'active', [GroupStatus.TRIGGERED]: 'triggered', [GroupStatus.RESETTING]: 'resetting',
};

const top = emptyBookTop();

/** The report (plain data). O(traded markets). */
export function collectStats(src: StatsSource): ExecutionStats {
  const { counters: c, core } = src;
  const l = core.ledger;
  const positions: MarketStats[] = [];
  let realized = 0;
  let fees = 0;
  let unrealized = 0;
  for (const m of src.traded) {
    realized += l.realizedPnl[m];
    fees += l.feesPaid[m];
    const q = l.position[m];
    if (q !== 0 && src.books.readTop(m, top)) {
      const value = markValue(top, q);
      if (value !== null) unrealized += value - l.costBasis[m];
    }
    const w = core.working.workingOrder(m);
    if (q === 0 && w === undefined && l.realizedPnl[m] === 0 && l.feesPaid[m] === 0) continue;
    positions.push({
      market: m, ticker: core.tickerOf(m), position: q, costBasis: l.costBasis[m], realizedPnl: l.realizedPnl[m], feesPaid: l.feesPaid[m],
      workingSide: w?.side ?? 0, workingPrice: w?.price ?? 0, workingRemaining: w?.remaining ?? 0,
    });
  }
  const byReason = c.deniedByName();
  let deniedTotal = 0;
  for (const n of Object.values(byReason)) deniedTotal += n;
  const groups: GroupStats = { total: 0, triggered: 0, triggeredIds: [] };
  const listed = core.groups.list();
  const orderGroups: OrderGroupRow[] = [];
  for (const g of listed) {
    const status = GROUP_STATUS_NAMES[g.status];
    if (status === undefined) continue;
    orderGroups.push({ id: g.id, market: g.key, status, limitContracts: Math.floor(g.limit / 100), triggeredAtMs: g.triggeredAtMs });
  }
  orderGroups.sort((a, b) => Number(b.status === 'triggered') - Number(a.status === 'triggered') || a.market - b.market);
  orderGroups.length = Math.min(orderGroups.length, MAX_GROUP_ROWS);
  for (const g of listed) {
    groups.total++;
    if (g.status === GroupStatus.TRIGGERED || g.status === GroupStatus.RESETTING) {
      groups.triggered++;
      groups.triggeredIds.push(g.id);
    }
  }
  const x = c.exits;
  return {
    atMs: src.nowMs,
    tradingState: core.getTradingState(),
    requestedTradingState: src.requestedTradingState,
    reconcilePending: src.reconcilePending,
    lastSync: src.lastSync === null ? null : { ...src.lastSync },
    groups,
    groupMode: core.groups.config.mode,
    orderGroups,
    operatorDisabled: src.operatorDisabled,
    exits: { requested: x.requested, sent: x.sent, denied: x.denied, byReason: { ...x.byReason }, deniedBy: { ...x.deniedBy } },
    streamUp: src.streamUp,
    intents: { received: c.intentsByRing.reduce((a, b) => a + b, 0), byRing: [...c.intentsByRing] },
    denied: { total: deniedTotal, byReason },
    requests: copyRequests(c.requests),
    orders: orderCounts(c.requests),
    rejectedByCode: { ...c.rejectedByCode },
    placesResolvedByLookup: c.placesResolvedByLookup,
    inFlight: src.inFlight,
    fills: { ws: c.fillsFromWs, sync: c.fillsFromSync, duplicates: c.fillDuplicates, untracked: c.fillsUntracked },
    cash: l.cash,
    availableCash: src.availableCash,
    positions,
    realizedPnl: realized,
    unrealizedPnl: unrealized,
    feesPaid: fees,
    drift: { checks: c.driftChecks, suspected: c.driftSuspected, confirmed: c.driftConfirmed, lastCash: c.lastDriftCash, lastMarkets: c.lastDriftMarkets },
    reconciles: { ...c.reconciles },
    reconcileErrors: c.reconcileErrors,
    settlementsApplied: c.settlementsApplied,
    ordersRecovered: c.ordersRecovered,
    orphansCancelled: c.orphansCancelled,
    ws: {
      eventsLost: src.eventsLost, reconnects: src.reconnects, userOrders: c.userOrders, groupEvents: c.groupEvents,
      positionEvents: c.positionEvents, positionEventMismatches: c.positionEventMismatches,
    },
    latency: {
      intentToWire: c.intentToWire.snapshot(), restRoundTrip: c.restRoundTrip.snapshot(),
      queueWait: c.queueWait.snapshot(), receiveToWire: c.receiveToWire.snapshot(),
      writtenToAck: c.writtenToAck.snapshot(), receiveToAck: c.receiveToAck.snapshot(),
    },
    ...(src.presign === undefined ? {} : { presign: { ...src.presign } }),
  };
}
