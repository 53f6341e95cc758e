/**
 * The host's log call: one human sentence, a level, and optional structured fields.
 *
 * Every part of the host logs through a `LogLine` it is given (never `console` directly), so the
 * command decides where lines go: pino (src/main/logger.ts) for `kalshi-actor run`, a test's
 * array in tests. A plain `(line: string) => void` is a valid LogLine: level and fields are
 * optional, and a sink that ignores them loses only the level. Lines must never carry a secret
 * (API key, private key, control token); the pino sink also redacts known secret fields.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export type LogLine = (line: string, level?: LogLevel, fields?: Record<string, unknown>) => void;
