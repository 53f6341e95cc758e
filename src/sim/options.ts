/**
 * Settings of the simulator, from `kalshi-actor sim` flags or given in process to
 * `startSimulator`. Every value is checked here; a bad one is a UsageError naming the flag.
 */
import { readFileSync } from 'node:fs';
import { UsageError, parseFlags } from '../main/cli.js';
import { parseMoney } from '../shared/fixed-point.js';
import { TIER_BUDGETS, type UsageTier } from '../shared/rate-budgets.js';
import { FaultSpecError, parseFaultSpec, type ScheduledFault } from './faults.js';

export interface SimKey {
  keyId: string;
  /** SPKI or PKCS#1 PEM of the key's public half. */
  publicKeyPem: string;
}

export interface SimOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  markets: number;
  /** Synthetic book messages per second across all markets (0: books stand still). */
  rate: number;
  seed: number;
  keys: SimKey[];
  /** Starting cash of each key's account, µ$. */
  balance: number;
  faults: ScheduledFault[];
  tier: UsageTier;
  /** How far a request timestamp may be from the simulator's clock, ms. */
  timestampWindowMs: number;
}

export const SIM_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  markets: 200,
  rate: 2000,
  seed: 42,
  balance: 1_000_000_000, // $1,000.00
  tier: 'basic' as UsageTier,
  timestampWindowMs: 30_000,
};

export const SIM_USAGE =
  'kalshi-actor sim [--port 8080] [--host 127.0.0.1] [--markets 200] [--rate 2000] [--seed 42]\n' +
  '                 --key-id ID --public-key FILE [--key-id ID --public-key FILE …]\n' +
  '                 [--balance 1000.00] [--tier basic] [--faults SPEC] [--timestamp-window-ms 30000]';

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${flag} must be a whole number, got '${text}'`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Parse `kalshi-actor sim` flags. Reads the public-key files. */
export function parseSimArgs(argv: string[]): SimOptions {
  const { values } = parseFlags(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    markets: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    'key-id': { type: 'string', multiple: true },
    'public-key': { type: 'string', multiple: true },
    balance: { type: 'string' },
    tier: { type: 'string' },
    faults: { type: 'string' },
    'timestamp-window-ms': { type: 'string' },
  });
  const keyIds = values['key-id'] ?? [];
  const keyFiles = values['public-key'] ?? [];
  if (keyIds.length === 0) throw new UsageError('at least one --key-id ID --public-key FILE pair is required (make one with: kalshi-actor keygen --out DIR)');
  if (keyIds.length !== keyFiles.length) throw new UsageError(`every --key-id needs its --public-key: got ${keyIds.length} ids and ${keyFiles.length} files`);
  const keys = keyIds.map((keyId, i) => {
    if (!/^[A-Za-z0-9-]{1,128}$/.test(keyId)) throw new UsageError(`--key-id '${keyId}' is not a key id (letters, digits and '-')`);
    let publicKeyPem: string;
    try {
      publicKeyPem = readFileSync(keyFiles[i], 'utf8');
    } catch (err) {
      throw new UsageError(`--public-key ${keyFiles[i]}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    if (!publicKeyPem.includes('PUBLIC KEY-----')) throw new UsageError(`--public-key ${keyFiles[i]}: not a PEM public key`);
    return { keyId, publicKeyPem };
  });
  let balance = SIM_DEFAULTS.balance;
  if (values.balance !== undefined) {
    try {
      balance = parseMoney(values.balance);
    } catch (err) {
      throw new UsageError(`--balance: ${(err as Error).message}`);
    }
    if (balance < 0) throw new UsageError(`--balance must not be negative, got ${values.balance}`);
  }
  const tier = (values.tier ?? SIM_DEFAULTS.tier) as UsageTier;
  if (!(tier in TIER_BUDGETS)) throw new UsageError(`--tier must be one of ${Object.keys(TIER_BUDGETS).join(', ')}, got '${values.tier}'`);
  let faults: ScheduledFault[] = [];
  if (values.faults !== undefined) {
    try {
      faults = parseFaultSpec(values.faults);
    } catch (err) {
      if (err instanceof FaultSpecError) throw new UsageError(`--faults: ${err.message}`);
      throw err;
    }
  }
  const host = values.host ?? SIM_DEFAULTS.host;
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new UsageError(`--host '${host}' is not a host name or address`);
  return {
    host,
    port: values.port === undefined ? SIM_DEFAULTS.port : wholeNumber('port', values.port, 0, 65535),
    markets: values.markets === undefined ? SIM_DEFAULTS.markets : wholeNumber('markets', values.markets, 1, 100_000),
    rate: values.rate === undefined ? SIM_DEFAULTS.rate : wholeNumber('rate', values.rate, 0, 10_000_000),
    seed: values.seed === undefined ? SIM_DEFAULTS.seed : wholeNumber('seed', values.seed, 0, 2 ** 32 - 1),
    keys,
    balance,
    faults,
    tier,
    timestampWindowMs:
      values['timestamp-window-ms'] === undefined ? SIM_DEFAULTS.timestampWindowMs : wholeNumber('timestamp-window-ms', values['timestamp-window-ms'], 1, 86_400_000),
  };
}
