/**
 * The observation's feature table: 52 float32 features per market, named, in order, with unit,
 * computation, value when the input is missing, and clip range. This table IS the feature spec
 * (docs/observation.md renders it); `FEATURE_SPEC_HASH` is its version. A model carries the hash
 * it was trained with and the host refuses a model whose hash differs (architecture.md §5).
 *
 * Rules every row follows
 * - Units are converted once: prices from $0.0001 units to dollars (÷ 10 000), counts from
 *   hundredths to contracts (÷ 100), money from µ$ to dollars (÷ 10⁶), times from ms to seconds.
 * - "YES" prices throughout: best YES ask = $1 − best NO bid (never $0.99 − …). The NO side of
 *   the book mirrors the YES side, so the table holds each quantity once (no NO spread, no NO
 *   ask, no NO imbalance); the exit price of a NO position is the NO bid = $1 − YES ask.
 * - Every output is finite and inside its clip; a missing input has a defined value, and an
 *   indicator feature says so wherever the default could be mistaken for data.
 * - `FEATURE_PARAMS` holds every constant the computations use; it is part of the hash.
 *
 * Changing anything here (a row, its order, a unit, a normalisation, a clip or a parameter)
 * changes FEATURE_SPEC_HASH, which invalidates every trained model: bump the pinned hash in
 * test/shared/observation/features.test.ts on purpose, never by accident.
 */
import { createHash } from 'node:crypto';

export const FEATURE_COUNT = 52;

/** Every constant the feature computations use (build.ts, market-history.ts). Part of the hash. */
export const FEATURE_PARAMS = Object.freeze({
  /** Bid levels (non-empty, best first) summed for the depth features, per side. */
  depthLevels: 5,
  /** Gain on dollar price differences: ×10, so a 10¢ difference saturates at ±1. */
  priceGain: 10,
  /** Sizes: log10(1 + contracts) / sizeDecades, so 10 000 contracts saturate. */
  sizeDecades: 4,
  /** Positions and working remaining: log10(1 + contracts) / positionDecades (1 000 saturate). */
  positionDecades: 3,
  /** Book age (receive → now): log10(1 + s) / ageDecades (1 000 s saturate). */
  ageDecades: 3,
  /** Exchange → receive delay: log10(1 + s) / latencyDecades (100 s saturate). */
  latencyDecades: 2,
  /** Time to close: log10(1 + s) / closeDecades (10⁶ s ≈ 11.6 days saturate). */
  closeDecades: 6,
  /** A market closes "soon" within this many ms (the supervisor's close window). */
  closingSoonMs: 300_000,
  /** Update rates: log10(1 + updates/s) / rateDecades (1 000/s saturate). */
  rateDecades: 3,
  /** Shortest time span a window rate divides by, ms. */
  rateFloorMs: 100,
  /** Time since the mid last changed: log10(1 + s) / midAgeDecades (10 000 s saturate). */
  midAgeDecades: 4,
  /** Short and long EWMA time constants, ms. */
  tauShortMs: 15_000,
  tauLongMs: 300_000,
  /** Entries kept per market by MarketHistory (the rolling window). */
  historyCapacity: 128,
  /** Time in position: log10(1 + s) / log10(1 + maxHoldS), 1 at the default max hold (1 h). */
  maxHoldMs: 3_600_000,
  /** Time since the last order: log10(1 + s) / orderAgeDecades (1 000 s saturate). */
  orderAgeDecades: 3,
  /** Gain on account/market P&L as a fraction of equity: ×10 (10 % saturates). */
  pnlGain: 10,
  /** Tick size in dollars × tickGain (1¢ → 1, 0.1¢ → 0.1). */
  tickGain: 100,
  /** Taker fee rate for net-of-fee exit value: 0.07 × C × P × (1 − P). */
  exitFeeRate: 0.07,
});

export type FeatureGroup = 'book' | 'freshness' | 'market' | 'history' | 'portfolio' | 'order';

export interface FeatureSpec {
  /** Position in the observation row. */
  readonly index: number;
  /** snake_case, unique. */
  readonly name: string;
  readonly group: FeatureGroup;
  /** Unit of the value after normalisation. */
  readonly unit: string;
  /** How it is computed and normalised, from which inputs. */
  readonly compute: string;
  /** The value when its input is missing (empty side, no history, flat, no order…). */
  readonly missing: string;
  /** Clip range [lo, hi] applied last. */
  readonly clip: readonly [number, number];
}

type Row = Omit<FeatureSpec, 'index'>;

const ROWS: readonly Row[] = [
  // ------------------------------------------------------------------ book (16)
  { name: 'yes_bid', group: 'book', unit: '$', compute: 'best YES bid ÷ 10000', missing: '0 (has_yes_bid = 0)', clip: [0, 1] },
  { name: 'yes_ask', group: 'book', unit: '$', compute: 'best YES ask = (10000 − best NO bid) ÷ 10000', missing: '1 (has_yes_ask = 0)', clip: [0, 1] },
  { name: 'has_yes_bid', group: 'book', unit: 'flag', compute: '1 if the YES bid side has a level', missing: '0', clip: [0, 1] },
  { name: 'has_yes_ask', group: 'book', unit: 'flag', compute: '1 if the NO bid side (YES asks) has a level', missing: '0', clip: [0, 1] },
  { name: 'mid', group: 'book', unit: '$', compute: '(yes_bid + yes_ask) ÷ 2, with the missing-side values', missing: 'from the defaults: 0.5 on an empty book', clip: [0, 1] },
  { name: 'spread', group: 'book', unit: '$ × priceGain', compute: '(yes_ask − yes_bid) × 10; negative when crossed', missing: 'from the defaults: 10 → clipped to 1', clip: [-1, 1] },
  { name: 'microprice_edge', group: 'book', unit: '$ × priceGain', compute: '(microprice − mid) × 10, microprice = (bid·askSize + ask·bidSize) ÷ (bidSize + askSize)', missing: '0 unless both sides are present', clip: [-1, 1] },
  { name: 'bid_size', group: 'book', unit: 'log10 contracts', compute: 'log10(1 + size at best YES bid in contracts) ÷ sizeDecades', missing: '0', clip: [0, 1] },
  { name: 'ask_size', group: 'book', unit: 'log10 contracts', compute: 'log10(1 + size at best YES ask = best NO bid, contracts) ÷ sizeDecades', missing: '0', clip: [0, 1] },
  { name: 'bid_depth', group: 'book', unit: 'log10 contracts', compute: 'log10(1 + total size of the best depthLevels YES bid levels) ÷ sizeDecades', missing: '0', clip: [0, 1] },
  { name: 'ask_depth', group: 'book', unit: 'log10 contracts', compute: 'log10(1 + total size of the best depthLevels NO bid levels) ÷ sizeDecades', missing: '0', clip: [0, 1] },
  { name: 'imbalance_top', group: 'book', unit: 'ratio', compute: '(bidSize − askSize) ÷ (bidSize + askSize) at the top', missing: '0', clip: [-1, 1] },
  { name: 'imbalance_depth', group: 'book', unit: 'ratio', compute: '(bidDepth − askDepth) ÷ (bidDepth + askDepth) over depthLevels', missing: '0', clip: [-1, 1] },
  { name: 'bid_vwap_gap', group: 'book', unit: '$ × priceGain', compute: '(best YES bid − size-weighted mean YES bid price over depthLevels) × 10', missing: '0', clip: [0, 1] },
  { name: 'ask_vwap_gap', group: 'book', unit: '$ × priceGain', compute: '(size-weighted mean YES ask over depthLevels − best YES ask) × 10 = (best NO bid − mean NO bid) × 10', missing: '0', clip: [0, 1] },
  { name: 'tick_size', group: 'book', unit: '$ × tickGain', compute: 'grid step at the mid price × 100 (1¢ → 1)', missing: '0 for a one-level grid', clip: [0, 1] },
  // ------------------------------------------------------------------ freshness (3)
  { name: 'book_stale', group: 'freshness', unit: 'flag', compute: '1 if the book is stale (gap, no snapshot, disconnect): must not be traded', missing: '1', clip: [0, 1] },
  { name: 'book_age', group: 'freshness', unit: 'log10 s', compute: 'log10(1 + (nowNs − receiveNs) s) ÷ ageDecades, monotonic clock', missing: '1 (never received)', clip: [0, 1] },
  { name: 'message_latency', group: 'freshness', unit: 'log10 s', compute: 'log10(1 + (receive wall time − exchange ts) s) ÷ latencyDecades; receive wall time = nowMs − book age', missing: '0 (no exchange ts)', clip: [0, 1] },
  // ------------------------------------------------------------------ market (2)
  { name: 'time_to_close', group: 'market', unit: 'log10 s', compute: 'log10(1 + (closeTimeMs − nowMs) s) ÷ closeDecades; 0 once closed', missing: '1 (close time unknown)', clip: [0, 1] },
  { name: 'closing_soon', group: 'market', unit: 'flag', compute: '1 if closeTimeMs − nowMs ≤ closingSoonMs (incl. closed)', missing: '0 (close time unknown)', clip: [0, 1] },
  // ------------------------------------------------------------------ history (12), MarketHistory
  { name: 'history_fill', group: 'history', unit: 'ratio', compute: 'entries in the window ÷ historyCapacity (warm-up indicator)', missing: '0', clip: [0, 1] },
  { name: 'update_rate', group: 'history', unit: 'log10 /s', compute: 'log10(1 + entries ÷ max(now − oldest entry, rateFloorMs) s) ÷ rateDecades', missing: '0', clip: [0, 1] },
  { name: 'activity', group: 'history', unit: 'log10 /s', compute: 'log10(1 + A ÷ tauShort s) ÷ rateDecades, A = Σ e^(−age/tauShort) over updates', missing: '0', clip: [0, 1] },
  { name: 'mid_age', group: 'history', unit: 'log10 s', compute: 'log10(1 + s since the two-sided mid last changed) ÷ midAgeDecades', missing: '1 (no two-sided mid yet)', clip: [0, 1] },
  { name: 'volatility_short', group: 'history', unit: '$ × priceGain', compute: '√(Σ Δmid² · e^(−age/tauShort)) × 10: RMS mid move over ≈ tauShort', missing: '0', clip: [0, 1] },
  { name: 'volatility_long', group: 'history', unit: '$ × priceGain', compute: '√(Σ Δmid² · e^(−age/tauLong)) × 10: RMS mid move over ≈ tauLong', missing: '0', clip: [0, 1] },
  { name: 'momentum_short', group: 'history', unit: '$ × priceGain', compute: '(last two-sided mid − time-weighted EWMA of the past two-sided mids, tauShort) × 10', missing: '0', clip: [-1, 1] },
  { name: 'momentum_long', group: 'history', unit: '$ × priceGain', compute: '(last two-sided mid − time-weighted EWMA of the past two-sided mids, tauLong) × 10', missing: '0', clip: [-1, 1] },
  { name: 'window_return', group: 'history', unit: '$ × priceGain', compute: '(mid of the newest − mid of the oldest window entry) × 10', missing: '0', clip: [-1, 1] },
  { name: 'mid_direction', group: 'history', unit: 'ratio', compute: '(mid rises − mid falls) ÷ (rises + falls) over the window', missing: '0', clip: [-1, 1] },
  { name: 'spread_vs_mean', group: 'history', unit: '$ × priceGain', compute: '(current two-sided spread − mean spread over the window) × 10', missing: '0', clip: [-1, 1] },
  { name: 'imbalance_mean', group: 'history', unit: 'ratio', compute: 'time-weighted EWMA (tauShort) of past top imbalances', missing: '0', clip: [-1, 1] },
  // ------------------------------------------------------------------ portfolio (14), PositionBoard
  { name: 'position_side', group: 'portfolio', unit: 'sign', compute: 'sign(position): +1 long YES, −1 long NO, 0 flat', missing: '0', clip: [-1, 1] },
  { name: 'position_size', group: 'portfolio', unit: 'log10 contracts', compute: 'log10(1 + |position| contracts) ÷ positionDecades', missing: '0', clip: [0, 1] },
  { name: 'position_avg_price', group: 'portfolio', unit: '$', compute: 'cost basis ÷ |position|, in the held outcome\'s price (NO price for a NO position)', missing: '0 (flat)', clip: [0, 1] },
  { name: 'position_exposure', group: 'portfolio', unit: 'ratio', compute: '|position| × mid of the held outcome ÷ equity; equity = cash + portfolio value (the positions\' value, as Kalshi\'s balance reports it)', missing: '0; 1 when equity ≤ 0 and not flat', clip: [0, 1] },
  { name: 'unrealized_return', group: 'portfolio', unit: 'ratio', compute: '(exit value − exit taker fee − cost basis) ÷ cost basis; exit at the best bid of the held outcome (YES bid, or NO bid = 1 − YES ask)', missing: '0 flat or zero cost basis; −1 with no exit bid', clip: [-1, 1] },
  { name: 'unrealized_vs_equity', group: 'portfolio', unit: 'ratio × pnlGain', compute: '(exit value − exit fee − cost basis) ÷ equity × 10', missing: '0 flat or equity ≤ 0', clip: [-1, 1] },
  { name: 'market_realized', group: 'portfolio', unit: 'ratio × pnlGain', compute: '(realized P&L − fees paid) in this market ÷ equity × 10', missing: '0 when equity ≤ 0', clip: [-1, 1] },
  { name: 'time_in_position', group: 'portfolio', unit: 'log10 s', compute: 'log10(1 + s since the position opened) ÷ log10(1 + maxHold s)', missing: '0 (flat or unknown open time)', clip: [0, 1] },
  { name: 'last_order_age', group: 'portfolio', unit: 'log10 s', compute: 'log10(1 + s since the last order in this market) ÷ orderAgeDecades', missing: '1 (never)', clip: [0, 1] },
  { name: 'cash_vs_start', group: 'portfolio', unit: 'ratio', compute: 'cash ÷ session start cash − 1', missing: '0 when start cash ≤ 0', clip: [-1, 1] },
  { name: 'reserve_headroom', group: 'portfolio', unit: 'ratio', compute: '(cash − cash reserve) ÷ max(equity, cash reserve, $1)', missing: 'never missing', clip: [-1, 1] },
  { name: 'below_reserve', group: 'portfolio', unit: 'flag', compute: '1 if cash < cash reserve (openings are forced to HOLD)', missing: 'never missing', clip: [0, 1] },
  { name: 'cash_share', group: 'portfolio', unit: 'ratio', compute: 'cash ÷ equity', missing: '0 when equity ≤ 0', clip: [0, 1] },
  { name: 'session_return', group: 'portfolio', unit: 'ratio × pnlGain', compute: '(equity ÷ session start equity − 1) × 10', missing: '0 when start equity ≤ 0', clip: [-1, 1] },
  { name: 'opening_allowed', group: 'portfolio', unit: 'flag', compute: '1 if the account is TRADING, the market ACTIVE and its breaker CLOSED', missing: '0', clip: [0, 1] },
  // ------------------------------------------------------------------ working order (4)
  { name: 'working_side', group: 'order', unit: 'sign', compute: '+1 working bid (buys YES), −1 working ask (sells YES / buys NO), 0 none', missing: '0', clip: [-1, 1] },
  { name: 'working_distance', group: 'order', unit: '$ × priceGain', compute: 'distance behind the touch × 10: bid: (YES bid − price); ask: (price − YES ask); ≤ 0 at or inside the touch', missing: '0 no order; 1 when its touch side is empty', clip: [-1, 1] },
  { name: 'working_remaining', group: 'order', unit: 'log10 contracts', compute: 'log10(1 + remaining contracts) ÷ positionDecades', missing: '0', clip: [0, 1] },
  { name: 'working_closing', group: 'order', unit: 'flag', compute: '1 if the working order reduces the position (bid while long NO, ask while long YES)', missing: '0', clip: [0, 1] },
];

/** The table, frozen, `index` filled in. */
export const FEATURES: readonly FeatureSpec[] = Object.freeze(
  ROWS.map((r, index) => Object.freeze({ index, ...r, clip: Object.freeze([r.clip[0], r.clip[1]] as const) })),
);

// ---------------------------------------------------------------------------------------------
// Named indexes (module constants, so the JIT folds them). Checked against the table at load.

export const F_YES_BID = 0;
export const F_YES_ASK = 1;
export const F_HAS_YES_BID = 2;
export const F_HAS_YES_ASK = 3;
export const F_MID = 4;
export const F_SPREAD = 5;
export const F_MICROPRICE_EDGE = 6;
export const F_BID_SIZE = 7;
export const F_ASK_SIZE = 8;
export const F_BID_DEPTH = 9;
export const F_ASK_DEPTH = 10;
export const F_IMBALANCE_TOP = 11;
export const F_IMBALANCE_DEPTH = 12;
export const F_BID_VWAP_GAP = 13;
export const F_ASK_VWAP_GAP = 14;
export const F_TICK_SIZE = 15;
export const F_BOOK_STALE = 16;
export const F_BOOK_AGE = 17;
export const F_MESSAGE_LATENCY = 18;
export const F_TIME_TO_CLOSE = 19;
export const F_CLOSING_SOON = 20;
export const F_HISTORY_FILL = 21;
export const F_UPDATE_RATE = 22;
export const F_ACTIVITY = 23;
export const F_MID_AGE = 24;
export const F_VOLATILITY_SHORT = 25;
export const F_VOLATILITY_LONG = 26;
export const F_MOMENTUM_SHORT = 27;
export const F_MOMENTUM_LONG = 28;
export const F_WINDOW_RETURN = 29;
export const F_MID_DIRECTION = 30;
export const F_SPREAD_VS_MEAN = 31;
export const F_IMBALANCE_MEAN = 32;
export const F_POSITION_SIDE = 33;
export const F_POSITION_SIZE = 34;
export const F_POSITION_AVG_PRICE = 35;
export const F_POSITION_EXPOSURE = 36;
export const F_UNREALIZED_RETURN = 37;
export const F_UNREALIZED_VS_EQUITY = 38;
export const F_MARKET_REALIZED = 39;
export const F_TIME_IN_POSITION = 40;
export const F_LAST_ORDER_AGE = 41;
export const F_CASH_VS_START = 42;
export const F_RESERVE_HEADROOM = 43;
export const F_BELOW_RESERVE = 44;
export const F_CASH_SHARE = 45;
export const F_SESSION_RETURN = 46;
export const F_OPENING_ALLOWED = 47;
export const F_WORKING_SIDE = 48;
export const F_WORKING_DISTANCE = 49;
export const F_WORKING_REMAINING = 50;
export const F_WORKING_CLOSING = 51;

/** name → index, for tooling and tests (the hot path uses the F_* constants). */
export const FEATURE_INDEX: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(FEATURES.map((f) => [f.name, f.index])),
);

/** Lower and upper clip bound per index, for the builder and for checks. */
export const FEATURE_CLIP_LO: Float32Array = Float32Array.from(FEATURES, (f) => f.clip[0]);
export const FEATURE_CLIP_HI: Float32Array = Float32Array.from(FEATURES, (f) => f.clip[1]);

/**
 * The canonical JSON the hash is taken over: the parameters, then every row's fields in a fixed
 * key order. Exported so a tool (or a model's metadata) can carry the full spec, not only its hash.
 */
export function featureSpecCanonicalJson(features: readonly FeatureSpec[] = FEATURES, params: object = FEATURE_PARAMS): string {
  const p = params as Record<string, unknown>;
  const paramPairs = Object.keys(p).sort().map((k) => [k, p[k]]);
  const rows = features.map((f) => [f.index, f.name, f.group, f.unit, f.compute, f.missing, [f.clip[0], f.clip[1]]]);
  return JSON.stringify({ version: 1, count: features.length, params: paramPairs, features: rows });
}

/** First 16 hex digits of sha256(canonical JSON of the table): the feature-spec version. */
export function featureSpecHash(features: readonly FeatureSpec[] = FEATURES, params: object = FEATURE_PARAMS): string {
  return createHash('sha256').update(featureSpecCanonicalJson(features, params)).digest('hex').slice(0, 16);
}

export const FEATURE_SPEC_HASH: string = featureSpecHash();

/**
 * The table as Markdown, as docs/observation.md embeds it between the FEATURE-TABLE markers (a
 * test fails when the doc and the code disagree; paste this function's output to fix the doc).
 */
export function featureTableMarkdown(features: readonly FeatureSpec[] = FEATURES): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    '| # | name | group | unit | computation | when missing | clip |',
    '|---:|---|---|---|---|---|---|',
    ...features.map((f) =>
      `| ${f.index} | \`${f.name}\` | ${f.group} | ${cell(f.unit)} | ${cell(f.compute)} | ${cell(f.missing)} | [${f.clip[0]}, ${f.clip[1]}] |`),
  ];
  return lines.join('\n');
}

// Load-time self-check: a table and its constants that disagree must never ship.
checkTable();

function checkTable(): void {
  const constants: ReadonlyArray<readonly [number, string]> = [
    [F_YES_BID, 'yes_bid'], [F_YES_ASK, 'yes_ask'], [F_HAS_YES_BID, 'has_yes_bid'], [F_HAS_YES_ASK, 'has_yes_ask'],
    [F_MID, 'mid'], [F_SPREAD, 'spread'], [F_MICROPRICE_EDGE, 'microprice_edge'], [F_BID_SIZE, 'bid_size'],
    [F_ASK_SIZE, 'ask_size'], [F_BID_DEPTH, 'bid_depth'], [F_ASK_DEPTH, 'ask_depth'], [F_IMBALANCE_TOP, 'imbalance_top'],
    [F_IMBALANCE_DEPTH, 'imbalance_depth'], [F_BID_VWAP_GAP, 'bid_vwap_gap'], [F_ASK_VWAP_GAP, 'ask_vwap_gap'],
    [F_TICK_SIZE, 'tick_size'], [F_BOOK_STALE, 'book_stale'], [F_BOOK_AGE, 'book_age'],
    [F_MESSAGE_LATENCY, 'message_latency'], [F_TIME_TO_CLOSE, 'time_to_close'], [F_CLOSING_SOON, 'closing_soon'],
    [F_HISTORY_FILL, 'history_fill'], [F_UPDATE_RATE, 'update_rate'], [F_ACTIVITY, 'activity'], [F_MID_AGE, 'mid_age'],
    [F_VOLATILITY_SHORT, 'volatility_short'], [F_VOLATILITY_LONG, 'volatility_long'],
    [F_MOMENTUM_SHORT, 'momentum_short'], [F_MOMENTUM_LONG, 'momentum_long'], [F_WINDOW_RETURN, 'window_return'],
    [F_MID_DIRECTION, 'mid_direction'], [F_SPREAD_VS_MEAN, 'spread_vs_mean'], [F_IMBALANCE_MEAN, 'imbalance_mean'],
    [F_POSITION_SIDE, 'position_side'], [F_POSITION_SIZE, 'position_size'], [F_POSITION_AVG_PRICE, 'position_avg_price'],
    [F_POSITION_EXPOSURE, 'position_exposure'], [F_UNREALIZED_RETURN, 'unrealized_return'],
    [F_UNREALIZED_VS_EQUITY, 'unrealized_vs_equity'], [F_MARKET_REALIZED, 'market_realized'],
    [F_TIME_IN_POSITION, 'time_in_position'], [F_LAST_ORDER_AGE, 'last_order_age'], [F_CASH_VS_START, 'cash_vs_start'],
    [F_RESERVE_HEADROOM, 'reserve_headroom'], [F_BELOW_RESERVE, 'below_reserve'], [F_CASH_SHARE, 'cash_share'],
    [F_SESSION_RETURN, 'session_return'], [F_OPENING_ALLOWED, 'opening_allowed'], [F_WORKING_SIDE, 'working_side'],
    [F_WORKING_DISTANCE, 'working_distance'], [F_WORKING_REMAINING, 'working_remaining'],
    [F_WORKING_CLOSING, 'working_closing'],
  ];
  const names = new Set(FEATURES.map((f) => f.name));
  if (FEATURES.length !== FEATURE_COUNT || names.size !== FEATURE_COUNT || constants.length !== FEATURE_COUNT) {
    throw new Error(`feature table: expected ${FEATURE_COUNT} unique features, got ${FEATURES.length} rows, ${names.size} names`);
  }
  for (const [i, name] of constants) {
    if (FEATURES[i]?.name !== name) throw new Error(`feature table: index ${i} is ${FEATURES[i]?.name}, constant says ${name}`);
  }
  for (const f of FEATURES) {
    if (!(f.clip[0] < f.clip[1])) throw new Error(`feature table: ${f.name} has an empty clip range`);
  }
}
