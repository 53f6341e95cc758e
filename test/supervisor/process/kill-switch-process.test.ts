/**
 * The kill switch across processes (issue 8): `kalshi-actor run` trading as a child process
 * against a simulator in this process; `kalshi-actor kill --flatten` from another process halts
 * it within seconds — no order of ours rests, every position is closed, nothing new is sent; the
 * switch survives a restart (the new process starts halted and sends nothing) until `kalshi-actor
 * kill --clear`, which sends it back to trading; and the HTTP route (`POST /kill`, `GET
 * /supervisor`) does the same from the control interface.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.js';
import { KillSwitchFile } from '../../../src/supervisor/kill-switch.js';
import { makeKey } from '../../support/sim-client.js';
import { createTestDatabase, type TestDatabase } from '../../main/store/helpers.js';
import { freePort, killAllChildren, openTickers, runCli, SESSION_LINE, spawnCli, untilAsync, writeKeyPem, type ChildCli } from './child-host.js';

/** Trading (from READY, or by way of REDUCING while the private stream comes up or a group reset lands). */
const TRADING = /supervisor: (ready|reducing) → trading \(/;
const HALTED_BY_KILL = /supervisor: \w+ → halted \(kill_switch\)$/;
const KILL_ACTED = /kill switch: \d+ order groups triggered, \d+ orders cancelled \(\d+ left\), \d+ exits sent$/;
const STATUS = /^\S+ markets \d+\/\d+ \| msgs\/s \d+ \| decisions\/s \d+ \| orders (\d+) \| fills \d+ \|/;
const STOPPED = /^\S+ stopped$/;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  await killAllChildren();
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
});

/** A simulator, a database, a data directory and the helpers both tests use. */
async function setup(label: string, seed: number) {
  const t0 = Date.now();
  const mark = (what: string) => console.log(`[${label}] ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const key = makeKey(`proc-${label}`);
  const sim: Simulator = await startSimulator({ keys: [key], port: 0, markets: 40, rate: 3000, seed, tier: 'prestige' });
  cleanups.push(() => sim.close());
  const db: TestDatabase = await createTestDatabase();
  cleanups.push(() => db.drop());
  const dir = mkdtempSync(join(tmpdir(), `kalshi-actor-${label}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const pem = writeKeyPem(dir, key);
  const tickers = openTickers(sim.exchange.markets(), 6);
  expect(tickers).toHaveLength(6);
  const file = new KillSwitchFile(dataDir);
  const args = (port: number) => [
    'run', '--exchange', 'demo', '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--key-id', key.keyId, '--private-key', pem,
    '--db', db.url, '--data-dir', dataDir, '--dashboard-port', String(port), '--markets', tickers.join(','),
    '--policy', 'hardcoded', '--price-mode', 'mid', '--throttle-ms', '20', '--contract-size', '1', '--max-position', '20',
    '--group-limit', '100000', '--cash-reserve', '10.00', '--status-interval-s', '1',
  ];
  const orders = () => sim.exchange.listOrders(key.keyId);
  const resting = () => orders().filter((o) => o.status === 'resting');
  const held = () => [...sim.exchange.account(key.keyId)!.positions.values()].filter((p) => p.position !== 0);
  const positions = () => Object.fromEntries(held().map((p) => [p.marketIndex, p.position]));
  const kill = (...argv: string[]) => runCli(['kill', ...argv, '--data-dir', dataDir], { cwd: dir });
  /** Wait until `host` prints `n` more status lines after line index `from`; returns their order counts. */
  const statusLines = async (host: ChildCli, from: number, n: number): Promise<number[]> => {
    const counts: number[] = [];
    let at = from;
    for (let i = 0; i < n; i++) {
      const l = await host.waitForLine(STATUS, 30_000, at);
      counts.push(Number(STATUS.exec(l.text)![1]));
      at = l.index + 1;
    }
    return counts;
  };
  /** A host trading until it holds `minPositions` positions and has an order resting. */
  const trading = async (name: string, port: number, minPositions: number) => {
    const host = spawnCli(name, args(port), { cwd: dir });
    const session = SESSION_LINE.exec((await host.waitForLine(SESSION_LINE, 90_000)).text)![1];
    await host.waitForLine(TRADING, 60_000);
    await untilAsync(async () => held().length >= minPositions && resting().length > 0, `${name} to hold positions and have orders resting`, 90_000, 25);
    mark(`${name} (session ${session}) trading: ${held().length} positions, ${resting().length} orders resting`);
    return { host, session };
  };
  return { mark, dir, dataDir, file, args, orders, resting, held, positions, kill, statusLines, trading };
}

describe('the kill switch across processes (real processes)', () => {
  it('`kalshi-actor kill --flatten` halts a running host and flattens it; the switch holds across a restart until --clear; POST /kill halts it too', async () => {
    const { mark, dir, dataDir, file, args, orders, resting, held, positions, kill, statusLines, trading } = await setup('kill-switch-process', 29);
    // ---- 1. a host trading: orders resting, positions held
    const { host: first, session: s1 } = await trading('run#1', 0, 2);

    // ---- 2. `kalshi-actor kill --reason drill --flatten` from another process
    const killStartedAt = Date.now();
    const engaged = await kill('--reason', 'drill', '--flatten');
    const engagedAt = Date.now();
    expect(engaged.err).toEqual([]);
    expect(engaged.code).toBe(0);
    expect(engaged.out).toHaveLength(1);
    expect(engaged.out[0]).toContain('kill switch ENGAGED (reason: "drill", flatten yes)');
    const halted = await first.waitForLine(HALTED_BY_KILL, 30_000);
    // Measured from the moment the kill command was started (its own start-up included).
    const haltMs = first.lines[halted.index].atMs - killStartedAt;
    expect(first.texts()).toContainEqual(expect.stringMatching(/ kill switch engaged: drill \(flatten\)$/));
    mark(`run#1 HALTED ${haltMs} ms after \`kalshi-actor kill\` was started (${engagedAt - killStartedAt} ms for the command to run)`);
    expect(haltMs, 'halted within seconds').toBeLessThan(10_000);
    await first.waitForLine(KILL_ACTED, 60_000, halted.index);
    await untilAsync(async () => resting().length === 0 && held().length === 0, 'no order of ours resting and every position flat', 60_000, 25);
    // Flattened by the host's own exits (immediately marketable, reduce-only), not by chance.
    const exits = orders().filter((o) => o.clientOrderId.startsWith(`${s1}-`) && o.reduceOnly && o.timeInForce === 'immediate_or_cancel' && o.createdMs >= killStartedAt);
    expect(exits.length, 'exits sent by the kill').toBeGreaterThan(0);
    mark('run#1 flat, nothing resting');
    // Nothing new goes out: the policy still decides, every order is refused before the wire.
    const ordersWhenFlat = orders().length;
    // (The first status line may still show the requests of the kill itself: execution stats lag ≤ 1 s.)
    const afterFlat = (await statusLines(first, first.lines.length, 4)).slice(1);
    expect(new Set(afterFlat).size, `the host's order count stays put: ${afterFlat.join(', ')}`).toBe(1);
    expect(orders().length).toBe(ordersWhenFlat);
    expect(resting()).toEqual([]);
    expect(held()).toEqual([]);
    expect(first.texts().slice(halted.index).filter((l) => / → (trading|ready|reducing|recovering) /.test(l)), 'no way out of HALTED').toEqual([]);

    first.signal('SIGINT');
    expect(await first.waitExit(60_000), first.tail()).toEqual({ code: 0, signal: null });
    expect(first.texts().at(-1)).toMatch(STOPPED);
    expect(file.read()).toMatchObject({ engaged: true, reason: 'drill', flatten: true, by: 'cli' }); // a stop does not clear it
    mark('run#1 stopped (SIGINT, exit 0)');

    // ---- 3. a restart while the switch is engaged: halted from the start, nothing sent
    const port = await freePort();
    const ordersBeforeRestart = orders().length;
    const second = spawnCli('run#2', args(port), { cwd: dir });
    const s2 = SESSION_LINE.exec((await second.waitForLine(SESSION_LINE, 90_000)).text)![1];
    await second.waitForLine(/ kill switch engaged: drill \(flatten\)$/, 30_000);
    const halted2 = await second.waitForLine(HALTED_BY_KILL, 30_000);
    await second.waitForLine(KILL_ACTED, 60_000, halted2.index);
    await second.waitForLine(new RegExp(`control interface on http://127\\.0\\.0\\.1:${port} `), 30_000);
    const whileHalted = await statusLines(second, second.lines.length, 3);
    expect(whileHalted, 'run#2 sends no order while the switch is engaged').toEqual([0, 0, 0]);
    expect(orders().length).toBe(ordersBeforeRestart);
    expect(orders().filter((o) => o.clientOrderId.startsWith(`${s2}-`))).toEqual([]);
    expect(second.texts().some((l) => / → trading \(/.test(l))).toBe(false);
    const view = await getJson(port, '/supervisor');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ session_id: s2, supervisor: { state: 'halted', reason: 'kill_switch', killSwitch: { reason: 'drill', flatten: true } } });
    mark(`run#2 (session ${s2}) started halted, sent nothing`);

    // ---- 4. `kalshi-actor kill --clear`: back to trading, orders flow
    const cleared = await kill('--clear');
    expect(cleared.code).toBe(0);
    expect(cleared.out[0]).toMatch(/^kill switch cleared /);
    const clearedLine = await second.waitForLine(/ kill switch cleared: recalibrating$/, 30_000);
    await second.waitForLine(/supervisor: halted → calibrating \(kill_switch_cleared\)$/, 30_000, clearedLine.index);
    // READY → TRADING, possibly by way of REDUCING for a second: the triggered group's reset is
    // asynchronous and the supervisor sees it in the next execution stats.
    await second.waitForLine(TRADING, 30_000, clearedLine.index);
    await untilAsync(async () => orders().filter((o) => o.clientOrderId.startsWith(`${s2}-`)).length >= 5, 'run#2 to send orders again', 60_000, 25);
    await untilAsync(async () => (await getJson(port, '/supervisor')).body?.supervisor?.state === 'trading', 'GET /supervisor to show trading', 30_000);
    mark('run#2 trading again after --clear');

    // ---- 5. POST /kill on the control interface: halted, nothing resting, nothing new
    await untilAsync(async () => held().length >= 2, 'run#2 to hold positions again', 60_000, 25);
    // Actions need the control token: without --control-token, the one the host wrote at its start.
    expect((await postJson(port, '/kill', { reason: 'no token' })).status).toBe(401);
    const token = readFileSync(join(dataDir, 'control-token'), 'utf8').trim();
    const posted = await postJson(port, '/kill', { reason: 'http drill' }, token);
    expect(posted).toMatchObject({ status: 200, body: { engaged: true, reason: 'http drill', flatten: false } });
    const halted3 = await second.waitForLine(HALTED_BY_KILL, 30_000, clearedLine.index);
    await second.waitForLine(KILL_ACTED, 60_000, halted3.index);
    await untilAsync(async () => (await getJson(port, '/supervisor')).body?.supervisor?.state === 'halted', 'GET /supervisor to show halted', 30_000);
    expect((await getJson(port, '/supervisor')).body.supervisor).toMatchObject({ state: 'halted', reason: 'kill_switch', killSwitch: { reason: 'http drill', flatten: false } });
    expect(file.read()).toMatchObject({ engaged: true, reason: 'http drill', flatten: false, by: 'http' }); // persisted: survives a restart too
    const status = await kill('--status');
    expect(status.out[0]).toMatch(/^kill switch ENGAGED: engaged by http at .*, flatten no, reason: "http drill"/);
    await untilAsync(async () => resting().length === 0, 'no order of ours resting after POST /kill', 30_000, 25);
    const ordersWhenKilled = orders().length;
    const heldWhenKilled = positions();
    const afterHttpKill = (await statusLines(second, second.lines.length, 4)).slice(1);
    expect(new Set(afterHttpKill).size, `the host's order count stays put: ${afterHttpKill.join(', ')}`).toBe(1);
    expect(orders().length).toBe(ordersWhenKilled);
    // Without "flatten" the positions stay as they are.
    expect(Object.keys(heldWhenKilled).length).toBeGreaterThan(0);
    expect(positions()).toEqual(heldWhenKilled);
    mark('run#2 halted by POST /kill');

    second.signal('SIGINT');
    expect(await second.waitExit(60_000), second.tail()).toEqual({ code: 0, signal: null });
    expect(second.texts().at(-1)).toMatch(STOPPED);
    expect(resting()).toEqual([]);
    expect((await kill('--clear')).code).toBe(0);
    expect(file.read()).toBeUndefined();
    mark('run#2 stopped (SIGINT, exit 0)');
  });

  it('escalating an engaged switch with `kalshi-actor kill --flatten` flattens the positions the first kill left', async () => {
    const { mark, held, positions, resting, kill, trading } = await setup('kill-escalate', 37);
    const { host } = await trading('run', 0, 2);

    // First without flatten: halted, nothing resting, the positions stay.
    expect((await kill('--reason', 'pause')).code).toBe(0);
    const halted = await host.waitForLine(HALTED_BY_KILL, 30_000);
    await host.waitForLine(KILL_ACTED, 60_000, halted.index);
    await untilAsync(async () => resting().length === 0, 'no order of ours resting', 30_000, 25);
    const kept = positions();
    expect(Object.keys(kept).length).toBeGreaterThan(0);
    mark(`halted without flatten, ${Object.keys(kept).length} positions kept`);

    // Then the operator escalates: the same switch, now with --flatten — the CLI says
    // "flatten yes", so the running host must close the positions.
    const escalated = await kill('--reason', 'close everything', '--flatten');
    expect(escalated.code).toBe(0);
    expect(escalated.out[0]).toContain('flatten yes');
    await untilAsync(async () => held().length === 0, `the positions to be flattened after the escalation (held when escalated: ${JSON.stringify(kept)})`, 20_000, 25);
    mark('flat after the escalation');

    host.signal('SIGINT');
    expect(await host.waitExit(60_000), host.tail()).toEqual({ code: 0, signal: null });
    expect((await kill('--clear')).code).toBe(0);
  });
});

async function getJson(port: number, path: string): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.json() };
}

async function postJson(port: number, path: string, body: unknown, token?: string): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
  const auth: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}
