/**
 * The start-up calibration report (issue 8, architecture.md §6): what each of the five steps
 * found, as one plain JSON-able object — printed by report-table.ts, journaled as a
 * 'calibration' record (startup-calibration.ts), shown on the dashboard.
 *
 * Units everywhere (fixed-point.ts): money in µ$ (integers), prices in $0.0001, counts and
 * positions in signed hundredths of a contract (+ YES / − NO), times in ms since the epoch,
 * durations in ms. No bigint, no float: `JSON.stringify(report)` is exact.
 */

export type StepStatus = 'ok' | 'warn' | 'fail';
export type StepName = 'connection' | 'reconcile' | 'viability' | 'health' | 'verdict';
export const STEP_NAMES: readonly StepName[] = ['connection', 'reconcile', 'viability', 'health', 'verdict'];

/** One step as it completes (the `onStep` callback and `report.steps`). */
export interface StepResult {
  /** 1-based. */
  index: number;
  total: number;
  name: StepName;
  status: StepStatus;
  /** One line. */
  summary: string;
  durationMs: number;
}

/** Same literal union as the supervisor's state machine (src/supervisor/state-machine.ts). */
export type Verdict = 'trade' | 'recover' | 'refuse';

// ------------------------------------------------------------------------------ 1. connection

export interface ClockSkew {
  /** False when the exchange's Date header could not be read (no answer, no header). */
  measured: boolean;
  /** Exchange clock − local clock, ms, best estimate (the midpoint of [lowMs, highMs]). */
  skewMs: number | null;
  /** Every skew consistent with the observation lies in [lowMs, highMs] (clock-skew.ts: whole seconds, and up to 1 s of header caching). */
  lowMs: number | null;
  highMs: number | null;
  /** The Date header counts whole seconds (RFC 9110 IMF-fixdate). */
  resolutionMs: 1000;
  /** Round trip of the probe, ms. */
  rttMs: number | null;
  /** The header as the exchange sent it. */
  serverDate: string | null;
  error?: string;
}

export interface ConnectionReport {
  reachable: boolean;
  /** Round trip of GET /exchange/status through the REST client, ms. */
  latencyMs: number | null;
  exchangeActive: boolean | null;
  tradingActive: boolean | null;
  /** Expected end of a maintenance window, ms (when the exchange says). */
  estimatedResumeMs: number | null;
  clock: ClockSkew;
  maxClockSkewMs: number;
  error?: string;
}

// ------------------------------------------------------------------------------- 2. reconcile

export type DifferenceKind =
  /** A resting order of this host (any session) that the journal never recorded. */
  | 'order_unknown'
  /** A resting order the journal last saw as cancelled or executed. */
  | 'order_state'
  /** A resting order that is not this host's, in a market to trade (an orphan). */
  | 'order_foreign'
  /** A fill the exchange lists that the journal lacks. */
  | 'fill_missing'
  /** A settlement the exchange lists that the journal lacks. */
  | 'settlement_missing'
  /** A position in a market the journal has no record of. */
  | 'position_unknown'
  /** A position the journal's last values and every fill since do not add up to. */
  | 'position_unexplained'
  /** Cash the journal's last values and every fill and settlement since do not add up to. */
  | 'cash';

export type DifferenceAction =
  /** The execution thread takes the exchange's order / position / cash when trading starts. */
  | 'adopt'
  /** Written to the journal now (source 'calibration'); `would_journal` in report-only mode. */
  | 'journal' | 'would_journal'
  /** A fill record with a deterministic id written for the unexplained part; `would_…` in report-only mode. */
  | 'synthesize' | 'would_synthesize'
  /** Cancelled now; `would_cancel` when not acting or orphans are kept; `cancel_failed` when the cancel did not go through. */
  | 'cancel' | 'would_cancel' | 'cancel_failed'
  /** Not in a market to trade: listed, not touched. */
  | 'leave';

/** A value on one side of a difference; `unit` says how to read a number. */
export type DiffValue = number | string | null;

export interface Difference {
  kind: DifferenceKind;
  ticker?: string;
  /** What the journal says (null: nothing). */
  journal: DiffValue;
  /** What the exchange says. */
  exchange: DiffValue;
  /** 'count': signed hundredths of a contract; 'money': µ$; absent: text. */
  unit?: 'count' | 'money';
  action: DifferenceAction;
  /** Order id, fill id or the synthesized fill's id. */
  id?: string;
  detail?: string;
}

/** The journal's reference point: a session's end (or start) values. */
export interface Baseline {
  sessionId: string;
  /** 'end' when the session ended cleanly, 'start' when it did not (a crash). */
  source: 'end' | 'start';
  atMs: number;
  /** Markets the session traded (its positions there are known, flat when not listed). */
  markets: number;
  /** µ$ before reservations, as the session's ledger had it; null when not recorded. */
  cash: number | null;
}

export interface ReconcileReport {
  /** False when the exchange could not be read (then the rest is empty). */
  ok: boolean;
  error?: string;
  journal: {
    /** A journal was given and answered. */
    available: boolean;
    error?: string;
    baseline: Baseline | null;
    /** Fills journaled after the baseline. */
    fillsSince: number;
  };
  exchange: {
    /** Available balance, µ$. */
    balance: number;
    /** Held by the exchange for resting orders (estimate, exchange-view.ts), µ$. */
    reserved: number;
    portfolioValue: number;
    positions: number;
    resting: number;
    /** Fills and settlements listed since `sinceMs`. */
    fills: number;
    settlements: number;
    sinceMs: number;
  };
  differences: Difference[];
  /** Records written to the journal by this run (0 in report-only mode). */
  journaled: { fills: number; synthesized: number; settlements: number };
  orphans: { cancelled: number; failed: number; kept: number };
  /** Resting orders of others in markets not traded (left alone). */
  ordersElsewhere: number;
  /** Reasons the account cannot be reconciled (each a refuse reason). */
  irreconcilable: string[];
  /** What this run changed: "report only: …" or "acted: …". */
  note: string;
}

// ------------------------------------------------------------------------------- 3. viability

export interface MarketCheck {
  ticker: string;
  /** undefined when the exchange does not know the ticker. */
  status?: string;
  closeTimeMs?: number;
  yesBid?: number;
  yesAsk?: number;
  spread?: number;
  viable: boolean;
  reasons: string[];
}

export interface ViabilityReport {
  /** Set when the markets could not be read (a refuse reason). */
  error?: string;
  viable: string[];
  replace: Array<{ ticker: string; reason: string }>;
  markets: MarketCheck[];
}

// ---------------------------------------------------------------------------------- 4. health

export type PositionFlag = 'closing' | 'closed' | 'paused' | 'no_bid' | 'not_traded' | 'unknown_market';

export interface PositionHealthRow {
  ticker: string;
  /** Signed hundredths. */
  position: number;
  side: 'yes' | 'no';
  /** µ$ paid for the open contracts (the exchange's market exposure). */
  costBasis: number;
  /** Best bid of the side held, $0.0001 (0: none). */
  exitPrice: number;
  /** What selling now would bring, net of the taker fee, µ$ (can be slightly negative). */
  exitValue: number;
  /** exitValue − costBasis, µ$. */
  pnl: number;
  /** P&L as a share of the cost, basis points (null when the cost is 0). */
  pnlBps: number | null;
  heldSinceMs: number;
  heldMs: number;
  /** Where heldSinceMs comes from: the journal's first fill of the position, or the exchange's last update. */
  heldSource: 'journal' | 'exchange';
  closeTimeMs: number | null;
  status: string | null;
  flags: PositionFlag[];
}

export interface HealthReport {
  positions: PositionHealthRow[];
  cash: {
    /** Available balance, µ$. */
    available: number;
    reserve: number;
    /** max(0, reserve − available). */
    short: number;
    /** Σ exitValue of the positions that can be sold now (active market, a bid). */
    closableValue: number;
    closable: number;
  };
  /** Tickers held in markets closing within min-time-to-close, and in closed / determined / settled ones. */
  closing: string[];
  closed: string[];
  /** Σ pnl over the positions with a bid, µ$. */
  totalPnl: number;
}

// --------------------------------------------------------------------------------- 5. verdict

export interface VerdictReport {
  verdict: Verdict;
  /** Why this verdict (empty for a plain 'trade'). */
  reasons: string[];
  /** Worth knowing, not decisive. */
  warnings: string[];
}

export interface StartupCalibrationReport {
  version: 1;
  sessionId: string;
  startedMs: number;
  durationMs: number;
  /** False: report only — nothing sent to the exchange, nothing journaled but the report. */
  act: boolean;
  /** REST base URL (no credentials ever). */
  exchangeUrl: string;
  markets: string[];
  settings: {
    cashReserve: number;
    minTimeToCloseS: number;
    maxSpread: number;
    maxClockSkewMs: number;
    cancelOrphans: boolean;
  };
  steps: StepResult[];
  connection: ConnectionReport;
  reconcile: ReconcileReport;
  viability: ViabilityReport;
  health: HealthReport;
  verdict: VerdictReport;
}
