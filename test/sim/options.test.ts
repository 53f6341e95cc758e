import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/main/cli.js';
import { parseSimArgs, SIM_DEFAULTS } from '../../src/sim/options.js';

let dir: string;
let pub: string;
let pub2: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sim-options-'));
  const pem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  pub = join(dir, 'a.pem');
  pub2 = join(dir, 'b.pem');
  writeFileSync(pub, pem());
  writeFileSync(pub2, pem());
  writeFileSync(join(dir, 'junk.pem'), 'hello');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kalshi-actor sim options', () => {
  it('takes the defaults and one key', () => {
    const o = parseSimArgs(['--key-id', 'abc-123', '--public-key', pub]);
    expect(o).toMatchObject({ ...SIM_DEFAULTS, faults: [] });
    expect(o.keys).toHaveLength(1);
    expect(o.keys[0].keyId).toBe('abc-123');
    expect(o.keys[0].publicKeyPem).toContain('BEGIN PUBLIC KEY');
  });

  it('takes every flag, several keys, and a fault spec', () => {
    const o = parseSimArgs([
      '--port', '0', '--host', '127.0.0.1', '--markets', '10', '--rate', '300000', '--seed', '7',
      '--key-id', 'k1', '--public-key', pub, '--key-id', 'k2', '--public-key', pub2,
      '--balance', '250.50', '--tier', 'premier', '--faults', 'drop@30,429-burst:5', '--timestamp-window-ms', '5000',
    ]);
    expect(o).toMatchObject({ port: 0, markets: 10, rate: 300_000, seed: 7, balance: 250_500_000, tier: 'premier', timestampWindowMs: 5000 });
    expect(o.keys.map((k) => k.keyId)).toEqual(['k1', 'k2']);
    expect(o.faults).toHaveLength(2);
  });

  it.each([
    [[], /at least one --key-id/],
    [['--key-id', 'k1'], /every --key-id needs its --public-key/],
    [['--key-id', 'k 1', '--public-key', 'x'], /not a key id/],
    [['--key-id', 'k1', '--public-key', '/nonexistent/key.pem'], /ENOENT/],
    [['--key-id', 'k1', '--public-key', 'JUNK'], /not a PEM public key/],
    [['--port', '70000'], /--port must be between 0 and 65535/],
    [['--port=-1'], /--port must be a whole number/],
    [['--markets', '0'], /--markets must be between 1/],
    [['--rate', '1.5'], /--rate must be a whole number/],
    [['--balance', '1e3'], /--balance: invalid money/],
    [['--balance=-5'], /must not be negative/],
    [['--tier', 'gold'], /--tier must be one of basic/],
    [['--faults', 'explode'], /--faults: unknown fault/],
    [['--host', 'a b'], /not a host name/],
  ])('rejects %j with one clear line', (extra, message) => {
    const argv = (extra as string[]).map((a) => (a === 'JUNK' ? join(dir, 'junk.pem') : a));
    const needsKey = !argv.includes('--key-id') && (argv as string[]).length > 0;
    const full = needsKey ? [...argv, '--key-id', 'k1', '--public-key', pub] : argv;
    expect(() => parseSimArgs(full)).toThrow(UsageError);
    expect(() => parseSimArgs(full)).toThrow(message);
  });

  it('rejects unknown flags', () => {
    expect(() => parseSimArgs(['--key-id', 'k1', '--public-key', pub, '--bogus'])).toThrow(/bogus/);
  });
});
