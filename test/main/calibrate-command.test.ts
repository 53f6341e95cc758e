/**
 * `kalshi-actor calibrate` against a simulator this test owns (as the demo venue: a key file and
 * the simulator's URLs), with the journal in PGlite under a temp data dir: progress lines, tables,
 * the verdict line and the exit code; --json; report only unless --cancel-orphans is on the
 * command line; an unreachable exchange refuses with exit 1; usage errors exit 2.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../../src/main/cli.js';
import { calibrateCommand, progressLine } from '../../src/main/calibrate-command.js';
import { openJournal } from '../../src/main/store/open-journal.js';
import { PRICE_SCALE } from '../../src/shared/fixed-point.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import type { MarketState } from '../../src/sim/engine/types.js';
import type { StartupCalibrationReport } from '../../src/supervisor/calibration/report.js';
import { makeKey, type TestKey } from '../support/sim-client.js';

const dir = mkdtempSync(join(tmpdir(), 'kalshi-actor-calibrate-'));
const dataDir = join(dir, 'data');
let sim: Simulator;
let key: TestKey;
let keyFile = '';
let A: MarketState;
let B: MarketState;
let orphanId = '';

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { ...process.env };
  delete process.env.DATABASE_URL;
  for (const k of Object.keys(process.env)) if (k.startsWith('KALSHI_')) delete process.env[k];
  Object.assign(process.env, env);
  COMMANDS.calibrate = calibrateCommand((l) => out.push(l), (l) => err.push(l));
  try {
    const code = await main(['calibrate', ...argv], (l) => out.push(l), (l) => err.push(l));
    return { code, out, err, text: out.join('\n') };
  } finally {
    process.env = saved;
  }
}

const venue = () => ['--exchange', 'demo', '--key-id', key.keyId, '--private-key', keyFile, '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--data-dir', dataDir, '--markets', `${A.ticker},${B.ticker}`];

beforeAll(async () => {
  key = makeKey(`cmd-${randomInt(1e9)}`);
  keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  sim = await startSimulator({ keys: [key], port: 0, markets: 16, rate: 0, seed: 3, tier: 'prestige' });
  const ok = sim.exchange.markets().filter((m) => {
    const y = sim.exchange.bestBid(m.index, 'yes');
    const n = sim.exchange.bestBid(m.index, 'no');
    return m.status === 'active' && m.closeMs > Date.now() + 3_600_000 && y !== undefined && y[0] >= 1_000 && n !== undefined && PRICE_SCALE - n[0] - y[0] <= 2_000 && m.grid.isOrderable(y[0] - 100);
  });
  [A, B] = ok;
  // A position in A (bought outside the host), an orphan in B.
  const ask = PRICE_SCALE - sim.exchange.bestBid(A.index, 'no')![0];
  expect(sim.control.placeOrder(key.keyId, { ticker: A.ticker, side: 'bid', price: ask, count: 100, timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross' }).fills.length).toBeGreaterThan(0);
  orphanId = sim.control.placeOrder(key.keyId, {
    ticker: B.ticker, side: 'bid', price: sim.exchange.bestBid(B.index, 'yes')![0] - 100, count: 100, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross',
  }).order.orderId;
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kalshi-actor calibrate', () => {
  it('--help documents report-only, --json and --cancel-orphans', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/^kalshi-actor calibrate \[--json\] \[--cancel-orphans\] \[settings\]/);
    expect(r.text).toContain('Report only by default');
    expect(r.text).toContain('--max-clock-skew-ms');
    expect(r.text).toMatch(/Exit: 0 trade or recover, 1 refuse/);
  });

  it('a bad flag: usage error, exit 2', async () => {
    const r = await run(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([expect.stringMatching(/^kalshi-actor calibrate: .*bogus/)]);
    expect((await run(['--max-clock-skew-ms', 'soon'])).code).toBe(2);
  });

  it('report only: progress lines, the tables, the verdict line; recover when cash is short; nothing changed', async () => {
    const r = await run([...venue(), '--cash-reserve', '5000.00']);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(new RegExp(`^calibrating demo at ${sim.restUrl.replace(/[.]/g, '\\.')}: 2 market\\(s\\), report only$`));
    const progress = r.out.filter((l) => /^\[\d\/5\] /.test(l));
    expect(progress.map((l) => l.slice(0, 16).trim())).toEqual(['[1/5] connection', '[2/5] reconcile', '[3/5] viability', '[4/5] health', '[5/5] verdict']);
    expect(progress[0]).toMatch(/ OK +exchange answered in \d+ ms/);
    for (const section of ['Connection', 'Reconcile', 'Markets', 'Positions', 'Cash']) expect(r.out).toContain(section);
    expect(r.text).toMatch(new RegExp(`order_foreign\\s+${B.ticker}.*would_cancel`));
    expect(r.text).toMatch(new RegExp(`position_unknown\\s+${A.ticker}.*adopt`));
    expect(r.out.at(-1)).toMatch(/^VERDICT: RECOVER — available cash \$\d+\.\d+ is \$\d+\.\d+ short of the \$5000\.00 reserve/);
    expect(sim.exchange.getOrder(key.keyId, orphanId).status).toBe('resting');
    expect(r.text).not.toContain('PRIVATE KEY');
  });

  it('--json: the report alone, as JSON', async () => {
    const r = await run([...venue(), '--json']);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const report = JSON.parse(r.out[0]) as StartupCalibrationReport;
    expect(report).toMatchObject({ version: 1, act: false, markets: [A.ticker, B.ticker], verdict: { verdict: 'trade' } });
    expect(report.steps.map((s) => s.name)).toEqual(['connection', 'reconcile', 'viability', 'health', 'verdict']);
  });

  it('the environment alone does not make it act; --cancel-orphans on the command line does', async () => {
    const env = await run(venue(), { KALSHI_ACTOR_CANCEL_ORPHANS: 'true' });
    expect(env.code).toBe(0);
    expect(env.text).toContain('would_cancel');
    expect(sim.exchange.getOrder(key.keyId, orphanId).status).toBe('resting');

    const acted = await run([...venue(), '--cancel-orphans']);
    expect(acted.code).toBe(0);
    expect(acted.out[0]).toMatch(/acting \(--cancel-orphans\)$/);
    expect(acted.text).toMatch(new RegExp(`order_foreign\\s+${B.ticker}.*\\bcancel\\b`));
    expect(sim.exchange.getOrder(key.keyId, orphanId).status).toBe('canceled');
    expect(acted.out.at(-1)).toBe('VERDICT: TRADE');

    // every run left its report in the journal under --data-dir; the acting one journaled the outside fill
    const journal = await openJournal({ dataDir, spillDir: null });
    try {
      const rows = await journal.query<{ verdict: string; act: boolean }>("SELECT extra->>'verdict' AS verdict, (extra->>'act')::boolean AS act FROM calibrations ORDER BY started_ms");
      expect(rows).toEqual([{ verdict: 'recover', act: false }, { verdict: 'trade', act: false }, { verdict: 'trade', act: false }, { verdict: 'trade', act: true }]);
      expect(await journal.query("SELECT market_ticker FROM fills WHERE source = 'calibration'")).toEqual([{ market_ticker: A.ticker }]);
    } finally {
      await journal.close({ timeoutMs: 5_000 });
    }
  });

  it('an unreachable exchange: the report says why, exit 1', async () => {
    const r = await run(['--exchange', 'demo', '--key-id', key.keyId, '--private-key', keyFile, '--rest-url', 'http://127.0.0.1:9/trade-api/v2', '--ws-url', 'ws://127.0.0.1:9/trade-api/ws/v2', '--data-dir', join(dir, 'dead'), '--markets', A.ticker]);
    expect(r.code).toBe(1);
    expect(r.out.filter((l) => /^\[\d\/5\] \S+\s+FAIL/.test(l))).toHaveLength(5);
    expect(r.out.at(-1)).toMatch(/^VERDICT: REFUSE — the exchange is unreachable: /);
  });

  it('a missing key file: one line, exit 1', async () => {
    const r = await run(['--exchange', 'demo', '--key-id', 'k', '--private-key', join(dir, 'missing.pem'), '--data-dir', join(dir, 'dead')]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/^kalshi-actor calibrate: .*missing\.pem/)]);
  });

  it('progressLine', () => {
    expect(progressLine({ index: 2, total: 5, name: 'reconcile', status: 'warn', summary: 'two things', durationMs: 1_500 })).toBe('[2/5] reconcile  WARN  two things (1.5 s)');
  });
});
