/**
 * The log sink of `kalshi-actor run`: pino, readable in a terminal and JSON lines otherwise, with
 * secrets redacted.
 *
 * - `pretty` (pino-pretty): `[HH:MM:ss.l] INFO: message` plus the fields, coloured on a TTY —
 *   except the status line's `status` figures, which its message already says in words.
 * - `json`: one record per line, `{"level":"info","time":"2025-01-01T12:00:00.000Z","pid":1,
 *   ...fields,"msg":"message"}`. The level is its label rather than pino's number (30): log
 *   shippers and `jq` filters read `"level":"warn"` without a table. The time is ISO 8601 UTC
 *   (pino's `isoTime`) rather than epoch milliseconds: a person reading the raw stream, and every
 *   shipper, understand it as is (and `pino-pretty` still translates it).
 * - `auto`: pretty when the destination is a TTY, JSON otherwise.
 *
 * Everything is synchronous — no `pino.transport`, no worker thread: a line is written (to fd 1
 * through a sync SonicBoom, or to the given stream) before the log call returns, so the host exits
 * promptly and the last lines before an exit are never lost. `flush()` is there for the exit path
 * all the same.
 *
 * Redaction, two layers:
 * 1. pino `redact`: fields known to hold secrets (`token`, `apiKey`, `privateKey`, `authorization`,
 *    Kalshi's signing headers, …; see REDACT_PATHS) are written as `[redacted]`, at the top level
 *    and one level down.
 * 2. Known secret values (`options.secrets`: the API key id, the control token, …) are replaced by
 *    `[redacted]` wherever they occur in a record — message, fields at any depth, error messages
 *    and stacks — by scrubbing each serialized line before it is written (a `hooks.logMethod`
 *    on the message alone would miss a secret in a nested field or an error).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogLevel, LogLine } from './log-line.js';

export type LogFormat = 'auto' | 'pretty' | 'json';

export interface LoggerOptions {
  format: LogFormat;
  level: LogLevel;
  /** Where lines go; default: fd 1 (stdout) written synchronously. */
  destination?: NodeJS.WritableStream;
  /** Whether the destination is a terminal (for `auto` and colours); default: `destination.isTTY`. */
  isTty?: boolean;
  /** Values that must never be written (shorter than MIN_SECRET_LENGTH: ignored). */
  secrets?: readonly (string | undefined)[];
}

export interface Logger {
  logger: pino.Logger;
  log: LogLine;
  flush(): void;
}

export const REDACTED = '[redacted]';

/**
 * A secret shorter than this is not searched for in lines: replacing every occurrence of a
 * 3-letter value (a test's key id `k`, an id like `abc`) would redact ordinary words and numbers
 * and make the logs useless, while such a value protects nothing anyway. Real ones are longer:
 * Kalshi key ids are UUIDs, control tokens have 16+ characters (settings.ts).
 */
export const MIN_SECRET_LENGTH = 8;

const SECRET_KEYS = [
  'apiKey', 'api_key', 'keyId', 'key_id', 'privateKey', 'private_key', 'privateKeyPem', 'private_key_pem',
  'token', 'controlToken', 'control_token', 'password', 'authorization', 'Authorization',
];
/** Kalshi's signing headers, as sent and as node lower-cases them. */
const SECRET_HEADERS = ['KALSHI-ACCESS-KEY', 'KALSHI-ACCESS-SIGNATURE', 'kalshi-access-key', 'kalshi-access-signature'];

/**
 * Field paths written as `[redacted]`. `*.x` covers one level down (`config.token`, `req.token`).
 * A key file's path is not a secret, but `*.privateKey` also matches `config.privateKey` (the
 * --private-key path): callers that want to show the path give it another name
 * (run-command.ts: `privateKeyPath`). `config.db` is a URL that may carry a password.
 */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_HEADERS.map((h) => `["${h}"]`),
  ...SECRET_HEADERS.map((h) => `headers["${h}"]`),
  ...SECRET_HEADERS.map((h) => `*.headers["${h}"]`),
  'headers.authorization', 'headers.Authorization', 'headers.cookie',
  'config.db',
];

/** The JSON-escaped form of `s` (what a secret containing `"` or `\` looks like inside a JSON line). */
function jsonEscaped(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** A function replacing every occurrence of each usable secret (raw and JSON-escaped) by `[redacted]`. */
function scrubber(secrets: readonly (string | undefined)[]): (line: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s === undefined || s.length < MIN_SECRET_LENGTH) continue;
    forms.add(s);
    forms.add(jsonEscaped(s));
  }
  // Longest first: a secret that contains another is replaced whole.
  const list = [...forms].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (line) => line;
  return (line) => {
    for (const s of list) if (line.includes(s)) line = line.split(s).join(REDACTED);
    return line;
  };
}

interface SyncSink {
  write(chunk: string): boolean;
  flush?(): void;
}

/** fd 1 through a sync SonicBoom; a failed stdout (EPIPE: the reader went away) drops lines rather than crashing the host. */
function stdoutSink(): SyncSink & { flush(): void } {
  const sonic = pino.destination({ dest: 1, sync: true });
  let broken = false;
  sonic.on('error', (e: NodeJS.ErrnoException) => {
    if (!broken && e.code !== 'EPIPE') process.stderr.write(`kalshi-actor: log output failed (${e.code ?? e.message}); further log lines are dropped\n`);
    broken = true;
  });
  return {
    write: (chunk) => (broken ? true : sonic.write(chunk)),
    flush: () => {
      if (broken) return;
      try {
        sonic.flushSync();
      } catch {
        // Nothing buffered, or stdout gone: nothing left to do at exit.
      }
    },
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const given = options.destination;
  const isTty = options.isTty ?? (given !== undefined ? (given as { isTTY?: boolean }).isTTY === true : process.stdout.isTTY === true);
  const pretty = options.format === 'pretty' || (options.format === 'auto' && isTty);

  // pino-pretty writes within the write call: its stream is a chain of transforms that run
  // synchronously into a stream destination, or into the sync SonicBoom it builds on fd 1
  // (`sync: true`; it also drops lines quietly when stdout is closed: EPIPE).
  const sink: SyncSink | undefined = pretty || given !== undefined ? undefined : stdoutSink();
  const formatted: SyncSink = pretty
    ? pinoPretty({ sync: true, colorize: isTty, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,status', destination: given ?? 1 })
    : (given as SyncSink | undefined) ?? sink!;
  const scrub = scrubber(options.secrets ?? []);
  const stream: SyncSink = { write: (line) => formatted.write(scrub(line)) };

  const logger = pino(
    {
      level: options.level,
      messageKey: 'msg',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Labels in JSON (see the header); pino-pretty is given pino's numbers, which it colours.
      formatters: pretty ? {} : { level: (label) => ({ level: label }) },
      // An unset secret (`controlToken: undefined`) stays unset: `[redacted]` would say one is set.
      redact: { paths: [...REDACT_PATHS], censor: (value: unknown) => (value === undefined ? undefined : REDACTED) },
    },
    stream as pino.DestinationStream,
  );
  const log: LogLine = (line, level, fields) => logger[level ?? 'info'](fields ?? {}, line);
  // Every write above is synchronous; this only empties what a sync SonicBoom kept after a
  // partial write (EAGAIN) and a line stream's unterminated rest.
  const flush = () => {
    try {
      sink?.flush?.();
      (given as Partial<SyncSink> | undefined)?.flush?.();
    } catch {
      // Nothing more can be written at exit.
    }
  };
  return { logger, log, flush };
}

/**
 * A Writable that calls `out` once per line written (a multi-line pretty record gives several
 * calls), for a caller that wants the log as strings (tests, `runCommand(out)`). Not a TTY.
 */
export function lineStream(out: (line: string) => void): NodeJS.WritableStream & { isTTY: false; flush(): void } {
  let partial = '';
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const lines = (partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'))).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) out(l);
      callback();
    },
  });
  return Object.assign(stream, {
    isTTY: false as const,
    flush(): void {
      if (partial !== '') out(partial);
      partial = '';
    },
  });
}
