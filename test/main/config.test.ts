/** The host's settings: defaults, env, flags, precedence, and one clear line per bad value. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/main/cli.js';
import { loadConfig, redactedConfig, settingsHelp } from '../../src/main/config/load.js';
import { SETTINGS } from '../../src/main/config/settings.js';

const bad = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
  try {
    loadConfig(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a UsageError');
};

describe('loadConfig', () => {
  it('defaults trade the embedded simulator with the lessons.md numbers', () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({
      exchange: 'sim', topology: 'threaded', policy: 'spread-capture', throttleMs: 250, syncIntervalS: 30,
      cashReserve: 100_000_000, breakerErrors: 10, breakerCooldownS: 300, contractSize: 5, cancelOnStop: true,
      simMarkets: 250, maxMarkets: 200, statusIntervalS: 10,
    });
    expect(c.keyId).toBeUndefined();
    expect(c.markets).toBeUndefined();
  });

  it('flag over environment over default', () => {
    expect(loadConfig([], { KALSHI_ACTOR_THROTTLE_MS: '500' }).throttleMs).toBe(500);
    expect(loadConfig(['--throttle-ms', '100'], { KALSHI_ACTOR_THROTTLE_MS: '500' }).throttleMs).toBe(100);
    expect(loadConfig(['--cash-reserve', '12.34']).cashReserve).toBe(12_340_000);
    expect(loadConfig(['--markets', 'KXA-1, KXB-2']).markets).toEqual(['KXA-1', 'KXB-2']);
    expect(loadConfig(['--no-cancel-on-stop']).cancelOnStop).toBe(false);
    expect(loadConfig([], { KALSHI_ACTOR_CANCEL_ON_STOP: 'false' }).cancelOnStop).toBe(false);
    expect(loadConfig(['--cancel-on-stop'], { KALSHI_ACTOR_CANCEL_ON_STOP: 'false' }).cancelOnStop).toBe(true);
  });

  it('pre-signs order creations by default; --no-presign turns it off; max age and slots are bounded', () => {
    expect(loadConfig([], {})).toMatchObject({ presign: true, presignMaxAgeMs: 1_000, presignSlots: 16 });
    expect(loadConfig(['--no-presign']).presign).toBe(false);
    expect(loadConfig([], { KALSHI_ACTOR_PRESIGN: 'false' }).presign).toBe(false);
    expect(loadConfig(['--presign-max-age-ms', '250', '--presign-slots', '4'])).toMatchObject({ presignMaxAgeMs: 250, presignSlots: 4 });
    expect(bad(['--presign-max-age-ms', '49'])).toBe('--presign-max-age-ms must be between 50 and 30000, got 49');
    expect(bad(['--presign-slots', '257'])).toBe('--presign-slots must be between 1 and 256, got 257');
  });

  it('names the setting and where the bad value came from', () => {
    expect(bad(['--throttle-ms', 'fast'])).toBe("--throttle-ms must be a whole number, got 'fast'");
    expect(bad([], { KALSHI_ACTOR_THROTTLE_MS: '-5' })).toBe('KALSHI_ACTOR_THROTTLE_MS must be between 0 and 3600000, got -5');
    expect(bad(['--topology', 'mesh'])).toBe("--topology must be one of threaded, inline, got 'mesh'");
    expect(bad(['--cash-reserve', '1.2345678'])).toMatch(/^--cash-reserve must be an amount in dollars/);
    expect(bad(['--markets', 'kx lower'])).toMatch(/is not a market ticker/);
    expect(bad(['--markets', 'A,A'])).toMatch(/twice/);
    expect(bad(['--policy', 'magic'])).toMatch(/^--policy must be hold, hardcoded, spread-capture, onnx:FILE or mlp:FILE/);
    expect(bad(['--bogus'])).toMatch(/bogus/);
    expect(bad(['--cancel-on-stop', '--no-cancel-on-stop'])).toMatch(/contradict/);
    expect(bad(['--max-position', '2', '--contract-size', '5'])).toMatch(/smaller than --contract-size/);
  });

  it('log format: auto by default, pretty or json by flag or environment; log level: the LogLevel names', () => {
    expect(loadConfig([], {})).toMatchObject({ logFormat: 'auto', logLevel: 'info' });
    expect(loadConfig(['--log-format', 'json']).logFormat).toBe('json');
    expect(loadConfig([], { KALSHI_ACTOR_LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(bad(['--log-format', 'xml'])).toBe("--log-format must be one of auto, pretty, json, got 'xml'");
    expect(loadConfig(['--log-level', 'fatal']).logLevel).toBe('fatal');
    expect(bad([], { KALSHI_ACTOR_LOG_LEVEL: 'verbose' })).toBe("KALSHI_ACTOR_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, got 'verbose'");
  });

  it('demo and prod need a key; prod needs the explicit flag, never the environment alone', () => {
    expect(bad(['--exchange', 'demo'])).toMatch(/needs --key-id/);
    expect(bad(['--exchange', 'demo', '--key-id', 'k'])).toMatch(/needs --private-key/);
    expect(loadConfig(['--exchange', 'demo'], { KALSHI_API_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PATH: '/x.pem' })).toMatchObject({ exchange: 'demo', keyId: 'k', privateKey: '/x.pem' });
    expect(bad([], { KALSHI_ACTOR_EXCHANGE: 'prod', KALSHI_API_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PATH: '/x' })).toMatch(/explicit --exchange prod/);
    expect(loadConfig(['--exchange', 'prod', '--key-id', 'k', '--private-key', '/x']).exchange).toBe('prod');
  });

  it('never echoes a secret, and redacts it for logs', () => {
    const url = 'postgres://user:hunter2@db:5432/x';
    const message = bad([], { DATABASE_URL: 'mysql://user:hunter2@db' });
    expect(message).not.toContain('hunter2');
    expect(message).toMatch(/^DATABASE_URL is not valid/);
    const c = loadConfig(['--db', url]);
    expect(c.db).toBe(url);
    expect(JSON.stringify(redactedConfig(c))).not.toContain('hunter2');
  });

  it('takes a control token of 16+ visible characters, refuses a short one without echoing it, and redacts it', () => {
    const message = bad(['--control-token', 'short-secret']);
    expect(message).not.toContain('short-secret');
    expect(message).toMatch(/^--control-token is not valid/); // the reason of a secret is not shown either; --help says 16+ characters
    const c = loadConfig(['--control-token', 'a-long-enough-token-123']);
    expect(c.controlToken).toBe('a-long-enough-token-123');
    expect(JSON.stringify(redactedConfig(c))).not.toContain('a-long-enough-token-123');
  });

  it('help lists every setting with its variable', () => {
    const help = settingsHelp();
    for (const s of Object.values(SETTINGS)) {
      expect(help).toContain(s.flag);
      expect(help).toContain(s.env);
    }
    expect(help).toContain('[100.00]');
  });
});
