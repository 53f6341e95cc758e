/** The benchmark's simulator child process, really forked under tsx: ready, stats, stop, bad configs. */
import { fork } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimProcess, type SimChildConfig, type SimStats } from '../../../src/main/bench/sim-process.js';

function makeKey(keyId: string): { keyId: string; publicKeyPem: string } {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keyId, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const config = (over: Partial<SimChildConfig> = {}): SimChildConfig => ({
  keys: [makeKey('bench-key-1')],
  markets: 20,
  rate: 2000,
  seed: 7,
  tier: 'basic',
  balance: 1_000_000_000, // $1,000.00 in µ$
  ...over,
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `f` every 50 ms until `ok` holds (or give up after `limitMs`). */
async function until<T>(f: () => Promise<T>, ok: (t: T) => boolean, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const t = await f();
    if (ok(t) || Date.now() > deadline) return t;
    await sleep(50);
  }
}

/** Running (a zombie waiting for its reaper counts as gone). Linux /proc. */
function alive(pid: number): boolean {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return false;
  try {
    return !/^State:\s+Z/m.test(readFileSync(status, 'utf8'));
  } catch {
    return false;
  }
}

describe('SimProcess', () => {
  const started: SimProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });

  it('starts, reports growing book changes, and stops for good', async () => {
    const sim = await SimProcess.start(config());
    started.push(sim);
    expect(sim.restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/trade-api\/v2$/);
    expect(sim.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/trade-api\/ws\/v2$/);
    expect(alive(sim.pid)).toBe(true);

    const res = await fetch(`${sim.restUrl}/exchange/status`);
    expect(res.status).toBe(200);

    const first: SimStats = await sim.stats();
    expect(first.connections).toBe(0);
    expect(first.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(first.heapUsedBytes).toBeGreaterThan(0);
    expect(first.cpuUserUs + first.cpuSystemUs).toBeGreaterThan(0);
    // 2,000 changes/s: a few hundred more arrive within a fraction of a second.
    const later = await until(() => sim.stats(), (s) => s.bookChanges >= first.bookChanges + 500);
    expect(later.bookChanges).toBeGreaterThanOrEqual(first.bookChanges + 500);
    expect(BigInt(later.hrtimeNs)).toBeGreaterThan(BigInt(first.hrtimeNs)); // the child's own clock, exact as text
    expect(later.syntheticOrders).toBeGreaterThan(0); // seeded books and the participants' quotes rest
    expect(later.cpuUserUs + later.cpuSystemUs).toBeGreaterThanOrEqual(first.cpuUserUs + first.cpuSystemUs);

    const pid = sim.pid;
    await Promise.all([sim.stop(), sim.stop()]); // idempotent
    await sim.stop();
    expect(alive(pid)).toBe(false);
    await expect(sim.stats()).rejects.toThrow(/exited/);
    await expect(fetch(`${sim.restUrl}/exchange/status`)).rejects.toThrow();
  });

  it('starts paused when asked, restarts and stops the liquidity, and counts the watched markets only', async () => {
    const sim = await SimProcess.start(config({ paused: true }));
    started.push(sim);
    const tickers = ((await (await fetch(`${sim.restUrl}/markets?limit=1000`)).json()) as { markets: Array<{ ticker: string }> }).markets.map((m) => m.ticker);
    expect(tickers).toHaveLength(20);
    const still = await sim.stats();
    await sleep(300); // paused: nothing may move meanwhile (a wait for an absence)
    expect((await sim.stats()).bookChanges).toBe(still.bookChanges);
    expect(await sim.watch([...tickers.slice(0, 5), 'NOT-A-MARKET'])).toEqual({ markets: 5, unknown: ['NOT-A-MARKET'] });
    await sim.setLiquidity(true);
    const moving = await until(() => sim.stats(), (s) => s.bookChanges >= still.bookChanges + 1000);
    expect(moving.watchedChanges).toBeGreaterThan(0);
    expect(moving.watchedChanges).toBeLessThan(moving.bookChanges - still.bookChanges); // 5 of 20 markets
    await sim.setLiquidity(false);
    const stopped = await sim.stats();
    await sleep(300);
    expect((await sim.stats()).bookChanges).toBe(stopped.bookChanges);
  });

  it('does not outlive a parent that is SIGKILLed', async () => {
    // A parent process of our own that starts a SimProcess, reports the child's pid, then waits.
    const dir = mkdtempSync(join(tmpdir(), 'sim-parent-'));
    try {
      const script = join(dir, 'parent.mjs');
      const moduleUrl = new URL('../../../src/main/bench/sim-process.ts', import.meta.url).href;
      writeFileSync(script, [
        `import { SimProcess } from ${JSON.stringify(moduleUrl)};`,
        `const sim = await SimProcess.start(JSON.parse(process.argv[2]));`,
        `process.send(sim.pid);`,
        `setInterval(() => {}, 1000);`,
      ].join('\n'));
      const parent = fork(script, [JSON.stringify(config({ markets: 5, rate: 100 }))], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      const childPid = await new Promise<number>((resolve, reject) => {
        parent.once('message', (m) => resolve(m as number));
        parent.once('exit', (code) => reject(new Error(`parent exited with code ${code}`)));
      });
      expect(alive(childPid)).toBe(true);
      parent.kill('SIGKILL');
      const stillAlive = await until(async () => alive(childPid), (a) => !a);
      expect(stillAlive).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a config with no markets, naming the field', async () => {
    await expect(SimProcess.start(config({ markets: 0 }))).rejects.toThrow(
      /simulator process exited \(code 1\) before it was ready: config\.markets must be an integer ≥ 1, got 0/,
    );
  });

  it('rejects a config with no keys', async () => {
    await expect(SimProcess.start(config({ keys: [] }))).rejects.toThrow(/before it was ready: .*at least one API key/);
  });

  it('rejects a key the simulator refuses, with its reason', async () => {
    await expect(SimProcess.start(config({ keys: [{ keyId: 'bad-key', publicKeyPem: 'not a pem' }] }))).rejects.toThrow(
      /before it was ready: public key for bad-key/,
    );
  });

  it('rejects when the child is not ready in time', async () => {
    await expect(SimProcess.start(config(), { timeoutMs: 1 })).rejects.toThrow('simulator process: not ready within 1 ms');
  });
});
