/**
 * The host's settings: one table that is the schema, the `--help` text and the documentation.
 *
 * Each setting has a flag (`--throttle-ms`), an environment variable (`KALSHI_ACTOR_THROTTLE_MS`,
 * or a Kalshi-wide name for credentials), a default and a parser that returns the typed value or
 * throws a `SettingError` with a reason. Precedence: flag over environment over default
 * (./load.ts). Units are in the names: `-ms`, `-s`, money in dollars as exact fixed-point text.
 */
import { parseMoney, type Money } from '../../shared/fixed-point.js';
import type { LogLevel } from '../log-line.js';

export class SettingError extends Error {
  override readonly name = 'SettingError';
}

type Parser<T> = (text: string) => T;

export interface Setting<T = unknown> {
  /** Flag name without the dashes. */
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  /** Default value; `undefined` for settings that have none (credentials, optional paths). */
  readonly fallback: T | undefined;
  readonly parse: Parser<T>;
  /** Boolean flags take no value (`--no-cancel-on-stop` turns one off). */
  readonly boolean?: boolean;
  /** Never shown in logs or echoed in errors. */
  readonly secret?: boolean;
}

function setting<T>(flag: string, help: string, fallback: T, parse: Parser<T>, extra: Partial<Setting<T>> = {}): Setting<T> {
  const env = extra.env ?? `KALSHI_ACTOR_${flag.toUpperCase().replace(/-/g, '_')}`;
  return { flag, env, help, fallback, parse, ...extra };
}

/** A setting with no default: its value is `undefined` unless given. */
function optional<T>(flag: string, help: string, parse: Parser<T>, extra: Partial<Setting<T>> = {}): Setting<T | undefined> {
  return setting<T | undefined>(flag, help, undefined, parse, extra as Partial<Setting<T | undefined>>);
}

function int(min: number, max: number): Parser<number> {
  return (text) => {
    if (!/^-?\d+$/.test(text)) throw new SettingError(`must be a whole number, got '${text}'`);
    const n = Number(text);
    if (n < min || n > max) throw new SettingError(`must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

function oneOf<T extends string>(...values: T[]): Parser<T> {
  return (text) => {
    if (!(values as string[]).includes(text)) throw new SettingError(`must be one of ${values.join(', ')}, got '${text}'`);
    return text as T;
  };
}

function dollars(min: Money): Parser<Money> {
  return (text) => {
    let m: Money;
    try {
      m = parseMoney(text);
    } catch {
      throw new SettingError(`must be an amount in dollars such as 100.00, got '${text}'`);
    }
    if (m < min) throw new SettingError(`must be at least ${min / 1e6} dollars, got ${text}`);
    return m;
  };
}

function bool(text: string): boolean {
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  throw new SettingError(`must be true or false, got '${text}'`);
}

const text: Parser<string> = (t) => {
  if (t === '') throw new SettingError('must not be empty');
  return t;
};

function url(...schemes: string[]): Parser<string> {
  return (t) => {
    let u: URL;
    try {
      u = new URL(t);
    } catch {
      throw new SettingError(`must be a URL, got '${t}'`);
    }
    if (!schemes.includes(u.protocol)) throw new SettingError(`must be a ${schemes.join(' or ')} URL, got '${t}'`);
    return t.replace(/\/+$/, '');
  };
}

/** A bearer token: 16 or more visible ASCII characters (the control server's rule, checked at load). The value is never echoed. */
function token(t: string): string {
  if (!/^[\x21-\x7e]{16,}$/.test(t)) throw new SettingError('must be 16 or more visible ASCII characters (no spaces)');
  return t;
}

const TICKER = /^[A-Z0-9][A-Z0-9._-]{0,99}$/;
function tickers(t: string): string[] {
  const list = t.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw new SettingError('must list at least one market ticker');
  for (const ticker of list) if (!TICKER.test(ticker)) throw new SettingError(`'${ticker}' is not a market ticker`);
  if (new Set(list).size !== list.length) throw new SettingError('lists a ticker twice');
  return list;
}

/** Every setting of `kalshi-actor run` (and `npm start`), in the order `--help` shows them. */
export const SETTINGS = {
  exchange: setting('exchange', 'sim (embedded simulator), demo or prod', 'sim' as 'sim' | 'demo' | 'prod', oneOf('sim', 'demo', 'prod')),
  keyId: optional('key-id', 'Kalshi API key id (demo/prod)', text, { env: 'KALSHI_API_KEY_ID' }),
  privateKey: optional('private-key', 'path of the RSA private key PEM (demo/prod)', text, { env: 'KALSHI_PRIVATE_KEY_PATH' }),
  restUrl: optional('rest-url', 'override the REST base URL (…/trade-api/v2)', url('http:', 'https:')),
  wsUrl: optional('ws-url', 'override the WebSocket URL (…/trade-api/ws/v2)', url('ws:', 'wss:')),
  markets: optional('markets', 'comma-separated tickers to trade (default: discover)', tickers),
  maxMarkets: setting('max-markets', 'markets to trade when discovering', 200, int(1, 100_000)),
  minVolume: setting('min-volume', 'discovery: least contracts traded', 0, int(0, Number.MAX_SAFE_INTEGER)),
  maxSpread: setting('max-spread', 'discovery: widest YES spread, $0.0001 units', 2_000, int(1, 10_000)),
  minTimeToCloseS: setting('min-time-to-close-s', 'discovery: least seconds before close', 900, int(0, 10 ** 9)),
  rediscoverS: setting('rediscover-s', 'discovery: seconds between re-runs that replace closing markets (and at most one run per min(10, this) s when markets close)', 60, int(1, 86_400)),
  marketSlots: setting('market-slots', 'discovery: market slots for the whole session; a closed market keeps its slot, a replacement takes a new one (0: 2 × max-markets); each spare slot holds 8 KB of ladder space', 0, int(0, 100_000)),
  topology: setting('topology', 'threaded (worker threads) or inline (one thread)', 'threaded' as 'threaded' | 'inline', oneOf('threaded', 'inline')),
  marketDataWorkers: setting('market-data-workers', 'market-data threads (markets sharded by ticker)', 1, int(1, 64)),
  inferenceWorkers: setting('inference-workers', 'inference threads', 1, int(1, 64)),
  policy: setting('policy', 'hold, hardcoded, spread-capture, onnx:FILE or mlp:FILE', 'spread-capture', text),
  priceMode: setting('price-mode', 'aggressive, passive or mid', 'passive' as 'aggressive' | 'passive' | 'mid', oneOf('aggressive', 'passive', 'mid')),
  contractSize: setting('contract-size', 'contracts per order', 5, int(1, 1_000_000)),
  throttleMs: setting('throttle-ms', 'least time between orders on one market', 250, int(0, 3_600_000)),
  cashReserve: setting('cash-reserve', 'dollars kept free: openings stop below it', 100_000_000, dollars(0)),
  maxPosition: setting('max-position', 'largest position per market, contracts', 50, int(1, 10_000_000)),
  maxExposure: setting('max-exposure', 'largest total cost basis, dollars', 500_000_000, dollars(0)),
  orderGroups: setting('order-groups', 'order group per session or per market', 'session' as 'session' | 'market', oneOf('session', 'market')),
  groupLimit: setting('group-limit', 'order group: contracts filled per rolling 15 s before it cancels everything (kill switch)', 2_000, int(1, 10_000_000)),
  groupAutoReset: setting('group-auto-reset', 'reset a triggered order group after the cool-down', true, bool, { boolean: true }),
  groupResetCooldownS: setting('group-reset-cooldown-s', 'before a triggered order group is reset', 60, int(1, 86_400)),
  syncIntervalS: setting('sync-interval-s', 'periodic sync with the exchange', 30, int(1, 3_600)),
  breakerErrors: setting('breaker-errors', 'errors that disable a market', 10, int(1, 1_000)),
  breakerCooldownS: setting('breaker-cooldown-s', 'before a disabled market is tried again', 300, int(1, 86_400)),
  presign: setting('presign', 'threaded: a signer thread signs order creations (POST …/portfolio/events/orders and …/batched) ahead of need, off the order path; the rest, and every request of the inline topology (no extra thread), are signed when sent', true, bool, { boolean: true }),
  presignMaxAgeMs: setting('presign-max-age-ms', "pre-signing: how old a pre-signed timestamp may be when its order is sent (Kalshi's tolerance is undocumented: keep it small)", 1_000, int(50, 30_000)),
  presignSlots: setting('presign-slots', 'pre-signing: signatures kept ready (each re-signed every presign-max-age-ms / 2 while unused)', 16, int(1, 256)),
  // supervisor: continuous health and exits (src/supervisor/)
  superviseIntervalS: setting('supervise-interval-s', 'supervisor: seconds between full reconciles with the exchange (it also checks positions, cash, markets and threads every second)', 60, int(1, 3_600)),
  takeProfitBps: setting('take-profit-bps', 'supervisor: close a position whose net-of-fee P&L at the executable price reaches this share of its cost, basis points (0: off)', 0, int(0, 1_000_000)),
  stopLossBps: setting('stop-loss-bps', 'supervisor: close a position losing this share of its cost, basis points, net of fees at the executable price (0: off)', 5_000, int(0, 10_000)),
  trailingStopBps: setting('trailing-stop-bps', 'supervisor: close a position that gave back this share of its cost from its best net P&L, basis points (0: off)', 0, int(0, 10_000)),
  maxHoldS: setting('max-hold-s', 'supervisor: close a position held this long, seconds (0: off)', 0, int(0, 10 ** 9)),
  closeGuardS: setting('close-guard-s', 'supervisor: seconds before a market closes from which it takes closings only and its resting order is cancelled', 300, int(0, 10 ** 9)),
  flattenBeforeCloseS: setting('flatten-before-close-s', 'supervisor: seconds before a market closes from which its position is closed (0: hold it to settlement)', 120, int(0, 10 ** 9)),
  cashMargin: setting('cash-margin', 'supervisor: dollars recovered above the cash reserve when positions are closed to free cash', 10_000_000, dollars(0)),
  bookSilenceS: setting('book-silence-s', 'supervisor: warn (log, journal) when no book update arrived in any traded market for this long, seconds (0: off)', 60, int(0, 86_400)),
  threadDeadAfterMs: setting('thread-dead-after-ms', 'supervisor: a thread whose heartbeat is silent this long is restarted', 5_000, int(500, 600_000)),
  cancelOnStop: setting('cancel-on-stop', 'cancel resting orders on stop', true, bool, { boolean: true }),
  waitSpinUs: setting('wait-spin-us', 'inference and execution: busy-poll this long for the next book change or intent before parking, µs (0: park at once; a hop caught by the spin costs ~0.3 µs instead of a ~30 µs wake-up, paid in CPU; inline it holds the one thread)', 0, int(0, 10_000)),
  journalDecisions: setting('journal-decisions', 'journal every decision (market, book version, action, latency)', true, bool, { boolean: true }),
  statusIntervalS: setting('status-interval-s', 'seconds between status lines', 10, int(1, 3_600)),
  db: optional('db', 'PostgreSQL URL (default: embedded PGlite under ./data)', url('postgres:', 'postgresql:'), { env: 'DATABASE_URL', secret: true }),
  dataDir: setting('data-dir', 'local data: the embedded PGlite journal and the spill', './data', text),
  recordMarketData: setting('record-market-data', 'journal every book change (snapshots, deltas) for replay', false, bool, { boolean: true }),
  // supervisor: calibration
  maxClockSkewMs: setting('max-clock-skew-ms', "calibration: refuse to trade when the local clock is further than this from the exchange's (judged from its Date header: whole seconds, possibly cached, so about ±1 s)", 2_000, int(0, 3_600_000)),
  cancelOrphans: setting('cancel-orphans', "cancel resting orders that are not this host's in traded markets (calibrate: only when given on the command line)", true, bool, { boolean: true }),
  dashboardPort: setting('dashboard-port', 'dashboard and /metrics port (0: off)', 8090, int(0, 65_535)),
  dashboardHost: setting('dashboard-host', 'dashboard and control interface address (anything but loopback needs --control-token)', '127.0.0.1', text),
  controlToken: optional('control-token', 'bearer token (16+ visible characters) for the dashboard and control interface: every request needs it when set; dashboard actions always need one (unset: a fresh one in <data-dir>/control-token)', token, { secret: true }),
  logLevel: setting('log-level', 'trace, debug, info, warn, error or fatal', 'info' as LogLevel, oneOf<LogLevel>('trace', 'debug', 'info', 'warn', 'error', 'fatal')),
  logFormat: setting('log-format', 'auto (pretty on a terminal, JSON lines otherwise), pretty or json', 'auto' as 'auto' | 'pretty' | 'json', oneOf('auto', 'pretty', 'json')),
  simMarkets: setting('sim-markets', 'embedded simulator: markets (about 80 % are open at a time)', 250, int(1, 100_000)),
  simRate: setting('sim-rate', 'embedded simulator: book messages per second', 2_000, int(0, 10_000_000)),
  simSeed: setting('sim-seed', 'embedded simulator: seed', 42, int(0, 2 ** 32 - 1)),
  simBalance: setting('sim-balance', 'embedded simulator: starting cash, dollars', 1_000_000_000, dollars(0)),
} as const;

export type SettingsTable = typeof SETTINGS;
/** The typed configuration: each setting's value (or undefined where it has no default). */
export type HostConfig = { -readonly [K in keyof SettingsTable]: SettingsTable[K] extends Setting<infer T> ? T : never };
