/**
 * The policy lab's unit of work (issue 11): one episode = one policy trading a fresh simulated
 * exchange, built from a seed, for a fixed stretch of simulated time — through the live decision
 * path (BookStore → ObservationReader/buildObservation → the policy → ExecutionCore's rules:
 * trading-state gates, throttle, one request per market, breaker, sizing, pricing, cash reserve,
 * limits, order groups, fees) against the simulator's deterministic engine, on a virtual clock.
 * Same spec ⇒ the same result, bit for bit (no wall clock, no threads inside an episode).
 *
 * Units as everywhere: money µ$ (integers), counts hundredths of a contract, time ms.
 */

/** What to run. Plain data: it crosses into a piscina worker. */
export interface EpisodeSpec {
  /**
   * The policy, as `--policy` takes it (`hold`, `hardcoded`, `spread-capture`, `onnx:FILE`,
   * `mlp:FILE`), or inline MLP weights (training: no file per candidate).
   */
  policy: string | { mlp: InlineMlp };
  /** The simulator's seed: markets, crowd, fair values. */
  seed: number;
  /** Markets traded (default 8). */
  markets?: number;
  /** Simulated time, ms (default 600 000: ten minutes). */
  durationMs?: number;
  /** Book messages per simulated second across all markets (the crowd's activity; default 200). */
  rate?: number;
  /** Start cash, µ$ (default $1,000). */
  startCash?: number;
  /** Execution settings as `kalshi-actor run` takes them (flag name without `--` → value), e.g. {"throttle-ms": "250"}; defaults otherwise. */
  settings?: Record<string, string>;
  /**
   * The account's Kalshi usage tier, whose Write budget the REST client keeps (orders beyond it
   * are refused locally, as live): 'basic' (default: the embedded simulator's), 'advanced', …
   */
  tier?: 'basic' | 'advanced' | 'expert' | 'premier' | 'paragon' | 'prime' | 'prestige';
}

/** Dense layers of a small MLP (the shape of src/shared/onnx/mlp-graph.ts `Mlp`), as plain arrays. */
export interface InlineMlp {
  layers: Array<{ weights: number[]; bias: number[]; inputs: number; outputs: number; activation: 'none' | 'relu' | 'tanh' | 'sigmoid' }>;
}

/** What one episode did. Every money figure exact (µ$ integers). */
export interface EpisodeResult {
  seed: number;
  /** The policy as given (a label for inline weights). */
  policy: string;
  /** Final P&L: realized + unrealized (positions marked at the best bid of their side) − fees, µ$. */
  pnlMicros: number;
  feesMicros: number;
  /** The equity curve (P&L, µ$) sampled every `curveStepMs` of simulated time, from 0. */
  curve: number[];
  curveStepMs: number;
  /** Decisions taken, by action: [HOLD, BUY_YES, SELL_YES, BUY_NO, SELL_NO]. */
  actions: [number, number, number, number, number];
  /** Non-HOLD decisions the execution rules refused, by deny reason name (THROTTLED, RESERVE, LIMIT, …). */
  blocked: Record<string, number>;
  /** Order requests sent (place + amend + cancel), and orders that got at least one fill. */
  ordersSent: number;
  ordersFilled: number;
  /** Contracts filled, hundredths. */
  filledCount: number;
  /** Markets × simulated hours (trades per market-hour = fills or orders ÷ this). */
  marketHours: number;
  bookChanges: number;
}
