/**
 * What `kalshi-actor bench` measures, as plain data: one `PointResult` per (topology, markets,
 * offered rate) point, and the sweep's summary per (topology, markets). The report (table and
 * JSON) and the sweep's verdicts are built from these and nothing else.
 *
 * Units: latencies in µs (floats, from ns histograms: see src/shared/latency-histogram.ts —
 * each figure is within 1/16 of the true value), rates per second, memory in bytes, CPU in µs.
 */

export type Topology = 'threaded' | 'inline';

/**
 * The decision path's hops, in order, each from one monotonic clock (src/shared/clock.ts):
 *   received    the WebSocket frame handed to the market-data stage
 *   applied     the book written (BookStore, seqlocked) and the market marked dirty
 *   observed    the inference stage built the market's 52 features
 *   decided     the policy returned the batch's actions
 *   enqueued    the intent published on the ring to execution (HOLD stops before)
 *   dequeued    execution took the intent
 *   written     the order request signed and handed to the HTTP client
 *   acked       the exchange's answer (accepted or rejected) back in execution
 */
export const STAGE_NAMES = [
  'received→applied',
  'applied→observed',
  'observed→decided',
  'decided→enqueued',
  'enqueued→dequeued',
  'dequeued→written',
  'written→acked',
] as const;

/** Whole paths, from the frame's receipt. */
export const PATH_NAMES = ['received→decided', 'received→written', 'received→acked'] as const;

export type StageName = (typeof STAGE_NAMES)[number];
export type PathName = (typeof PATH_NAMES)[number];

/** One histogram's figures over the measured window. */
export interface LatencyFigures {
  name: StageName | PathName;
  /** Samples in the window (frames for the first stage, decisions, intents or orders after). */
  count: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

/** Why a point is not a sustained rate (empty: it is). */
export type ShortfallReason =
  | 'p99 over budget'
  /** Decisions were made but none reached the budget path's end (no order in the window, say). */
  | 'budget path not sampled'
  | 'lost updates'
  /** The simulator made fewer than 95 % of the offered changes: the rate was never offered (a simulator limit, not the host's). */
  | 'rate not generated'
  /** The host applied fewer than 95 % of the changes the simulator made in the window: it fell behind. */
  | 'rate not delivered'
  | 'backlog growing'
  | 'intents dropped'
  | 'no decisions';

export interface PointResult {
  topology: Topology;
  markets: number;
  /** Book messages per second asked of the simulator, all markets together. */
  offeredRate: number;
  /** The measured window, s (after warm-up). */
  seconds: number;
  /** Book changes the simulator made in the window, and per second. */
  generated: number;
  generatedRate: number;
  /** Book deltas the host applied in the window, and per second. */
  delivered: number;
  deliveredRate: number;
  /**
   * Updates lost: sequence gaps and resubscriptions seen by the host's WebSocket clients, plus
   * the book changes the simulator made that never reached a book once the host was given
   * time to drain (`backlogEnd`).
   */
  lostUpdates: number;
  gaps: number;
  /** Simulator changes not yet applied by the host at the window's end, and after the drain. */
  backlogAtEnd: number;
  backlogAfterDrain: number;
  /** Decisions, intents, orders sent and their answers, in the window. */
  decisions: number;
  intents: number;
  intentsDropped: number;
  ordersSent: number;
  ordersAcked: number;
  /** Order requests sent in the window by kind. */
  orderMix: { place: number; amend: number; cancel: number };
  /** Signatures taken pre-signed, and made inline for want of one, in the window (null: no pool — inline, or --no-presign). */
  presign: { hits: number; misses: number } | null;
  stages: LatencyFigures[];
  paths: LatencyFigures[];
  memory: {
    /** Resident set of the host process (the simulator runs in its own). */
    rssBytes: number;
    /** V8 heap used, every thread of the host (main + workers). */
    heapUsedBytes: number;
    /** SharedArrayBuffers the host allocated (books, rings, boards, heartbeats, budgets). */
    sharedBytes: number;
  };
  cpu: {
    /** CPU time of the host process in the window (user + system, all threads), µs. */
    hostUs: number;
    /** hostUs / delivered. */
    perMessageUs: number;
    /** CPU time of the simulator process in the window, µs. */
    simUs: number;
  };
  /** Host start to the first measured second (start-up, calibration, snapshots, warm-up), s. */
  startSeconds: number;
  /** The p99 bound the sustained test used, µs, and on which path. */
  budget: { path: PathName; p99Us: number };
  sustained: boolean;
  shortfalls: ShortfallReason[];
}

/** The sweep's verdict for one (topology, markets): the highest sustained offered rate. */
export interface SweepSummary {
  /** The path whose p99 was held to the budget. */
  path: PathName;
  topology: Topology;
  markets: number;
  /** Highest offered rate that was sustained; 0 when none was. */
  maxSustainedRate: number;
  /** The point that gave it (undefined when none). */
  at?: PointResult;
  /** The lowest rate that was not sustained, and why (undefined when every rate was). */
  firstShortfall?: { offeredRate: number; shortfalls: ShortfallReason[] };
}

export interface BenchReport {
  kind: 'kalshi-actor-bench';
  version: 1;
  startedAt: string;
  machine: { cpus: string; cores: number; memoryBytes: number; os: string; node: string };
  settings: Record<string, unknown>;
  points: PointResult[];
  /** On the budget path (`--budget-path`). */
  summary: SweepSummary[];
  /** threaded ÷ inline max sustained rate, per markets count where both were measured (budget path). */
  ratios: Array<{ markets: number; threadedOverInline: number | null }>;
  /** The same verdicts with the p99 budget held on each path in turn (same points, judged again). */
  byPath: Array<{ path: PathName; summary: SweepSummary[]; ratios: BenchReport['ratios'] }>;
  /** Points that could not be run (host start-up, simulator), with the one-line reason. */
  failures: Array<{ topology: Topology; markets: number; offeredRate: number; error: string }>;
}
