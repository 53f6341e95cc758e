/**
 * Reads the host's configuration: flags over environment variables over defaults, each value
 * checked by its setting's parser, then the rules that involve several settings. Any problem is
 * a `UsageError` of one line naming the setting and where the value came from (exit code 2 at
 * the CLI); a secret's value is never echoed.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../cli.js';
import { SETTINGS, SettingError, type HostConfig, type Setting } from './settings.js';

type Entries = Array<[keyof HostConfig, Setting]>;
const ENTRIES = Object.entries(SETTINGS) as Entries;

/** Where a value came from, for messages: `--throttle-ms` or `KALSHI_ACTOR_THROTTLE_MS`. */
function origin(s: Setting, fromFlag: boolean): string {
  return fromFlag ? `--${s.flag}` : s.env;
}

export const POLICY_FORMAT = /^(hold|hardcoded|spread-capture|(onnx|mlp):.+)$/;

/** Parse `argv` (after the command name) and `env` into a checked configuration. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): HostConfig {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [, s] of ENTRIES) {
    options[s.flag] = { type: s.boolean ? 'boolean' : 'string' };
    if (s.boolean) options[`no-${s.flag}`] = { type: 'boolean' };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }

  const config: Record<string, unknown> = {};
  const fromFlag = new Set<string>();
  for (const [key, s] of ENTRIES) {
    let raw: string | undefined;
    let flagged = false;
    if (s.boolean && values[`no-${s.flag}`] === true) {
      if (values[s.flag] === true) throw new UsageError(`--${s.flag} and --no-${s.flag} contradict each other`);
      raw = 'false';
      flagged = true;
    } else if (values[s.flag] !== undefined) {
      raw = s.boolean ? 'true' : (values[s.flag] as string);
      flagged = true;
    } else if (env[s.env] !== undefined && env[s.env] !== '') {
      raw = env[s.env];
    }
    if (flagged) fromFlag.add(key);
    if (raw === undefined) {
      config[key] = s.fallback;
      continue;
    }
    try {
      config[key] = s.parse(raw);
    } catch (e) {
      if (!(e instanceof SettingError)) throw e;
      const reason = s.secret ? 'is not valid (value not shown)' : e.message;
      throw new UsageError(`${origin(s, flagged)} ${reason}`);
    }
  }
  const c = config as HostConfig;
  checkTogether(c, fromFlag);
  return c;
}

/** Rules across settings. */
function checkTogether(c: HostConfig, fromFlag: Set<string>): void {
  if (c.exchange === 'prod' && !fromFlag.has('exchange')) {
    throw new UsageError('trading on the production exchange needs an explicit --exchange prod on the command line');
  }
  if (c.exchange !== 'sim') {
    if (c.keyId === undefined) throw new UsageError(`--exchange ${c.exchange} needs --key-id (or ${SETTINGS.keyId.env})`);
    if (c.privateKey === undefined) throw new UsageError(`--exchange ${c.exchange} needs --private-key FILE (or ${SETTINGS.privateKey.env})`);
  }
  if (!POLICY_FORMAT.test(c.policy)) {
    throw new UsageError(`${fromFlag.has('policy') ? '--policy' : SETTINGS.policy.env} must be hold, hardcoded, spread-capture, onnx:FILE or mlp:FILE, got '${c.policy}'`);
  }
  if (c.markets !== undefined && c.markets.length > 100_000) throw new UsageError('--markets lists more than 100,000 tickers');
  if (c.maxPosition < c.contractSize) throw new UsageError(`--max-position (${c.maxPosition}) is smaller than --contract-size (${c.contractSize})`);
}

/** The `--help` text of the settings, from the table. */
export function settingsHelp(): string {
  const rows = ENTRIES.map(([, s]) => {
    const flag = s.boolean ? `--[no-]${s.flag}` : `--${s.flag} V`;
    const fallback = s.fallback === undefined ? '' : ` [${showDefault(s)}]`;
    return `  ${flag.padEnd(28)} ${s.help}${fallback}  (${s.env})`;
  });
  return rows.join('\n');
}

function showDefault(s: Setting): string {
  if (s.flag === 'cash-reserve' || s.flag === 'max-exposure' || s.flag === 'sim-balance') return `${(s.fallback as number) / 1e6}.00`;
  return String(s.fallback);
}

/** The configuration for a log line: secrets replaced. */
export function redactedConfig(c: HostConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of ENTRIES) out[key] = s.secret && c[key] !== undefined ? '[redacted]' : c[key];
  return out;
}
