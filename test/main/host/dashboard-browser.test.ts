/**
 * The dashboard page (web/) in a real browser — Debian's chromium, driven by playwright-core —
 * against the host trading the simulator, in-process: the page loads and shows the host trading,
 * its numbers update, the markets table lists the host's markets, a wrong control token is
 * refused in the confirmation dialog (and nothing halts), and the kill switch clicked on the page
 * halts trading (the host's supervisor is HALTED, no order goes out any more, none rests).
 *
 * No skip: without /usr/bin/chromium the test fails and says so (`.ci/run` installs it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/main/config/load.js';
import { startHost, type Host } from '../../../src/main/host/host.js';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.js';
import { makeKey, type TestKey } from '../../support/sim-client.js';
import { until, venueOf } from '../../support/host-fixtures.js';
import { freePort } from '../../supervisor/process/child-host.js';

const CHROMIUM = '/usr/bin/chromium';
/** Start-up on a loaded 2-core machine: the host calibrates before it trades. */
const START_MS = 60_000;
const WAIT_MS = 30_000;

/** Resolves once `read()` has kept one value for `windowMs`; fails after `timeoutMs`. */
async function steady(read: () => number, what: string, windowMs: number, timeoutMs = WAIT_MS): Promise<number> {
  const end = Date.now() + timeoutMs;
  let value = read();
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = read();
    if (now !== value) {
      value = now;
      since = Date.now();
    } else if (Date.now() - since >= windowMs) {
      return value;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} to stop changing (last ${value})`);
  }
}

/** The integer a figure on the page shows (digit grouping stripped). */
async function figure(page: Page, testid: string): Promise<number> {
  const text = (await page.getByTestId(testid).textContent()) ?? '';
  const digits = text.replace(/\D/g, '');
  return digits === '' ? Number.NaN : Number(digits);
}

/** Polls the async `cond` every 100 ms until it holds; fails after `timeoutMs` naming `what`. */
async function eventually(cond: () => Promise<boolean>, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the figure `testid` shows more than `than`. */
async function figureAbove(page: Page, testid: string, than: number): Promise<void> {
  await eventually(async () => (await figure(page, testid)) > than, `${testid} above ${than}`);
}

/** Waits until the page's trading state reads `state` (its text; data-state holds the same). */
async function pageState(page: Page, state: string, timeoutMs = WAIT_MS): Promise<void> {
  await page.locator(`[data-testid="trading-state"][data-state="${state}"]`).waitFor({ timeout: timeoutMs });
  expect(await page.getByTestId('trading-state').textContent()).toBe(state);
}

describe('the dashboard in a real browser, against the host trading the simulator', () => {
  let key: TestKey;
  let sim: Simulator | undefined;
  let host: Host | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let dataDir: string;
  let port: number;
  let url: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium; .ci/run does it)`);
    }
    key = makeKey('dashboard-browser');
    sim = await startSimulator({ keys: [key], port: 0, markets: 30, rate: 1500, seed: 23, tier: 'prestige' });
    dataDir = mkdtempSync(join(tmpdir(), 'kalshi-actor-dashboard-'));
    port = await freePort();
    const config = loadConfig([
      '--data-dir', dataDir, '--dashboard-port', String(port),
      '--policy', 'hardcoded', '--price-mode', 'aggressive', '--throttle-ms', '50',
      '--contract-size', '1', '--max-markets', '6', '--max-position', '20', '--min-time-to-close-s', '300',
      '--max-spread', '10000', '--group-limit', '100000', '--status-interval-s', '1', '--cash-reserve', '10.00',
    ], {});
    host = await startHost({ config, log: () => undefined, venue: venueOf(sim, key) });
    expect(host.controlPort()).toBe(port);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    url = `http://127.0.0.1:${port}/`;
  }, 120_000);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      try {
        await host?.stop('test');
      } finally {
        await sim?.close();
        if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }, 60_000);

  it('loads and shows the host trading', async () => {
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    await pageState(page, 'trading', START_MS);
    expect(host!.supervisor()?.state).toBe('trading');
    await eventually(async () => (await page.getByTestId('connection').textContent()) === 'connected', 'the page connected');
    expect(await page.getByTestId('kill-button').isVisible()).toBe(true);
    expect(await page.getByTestId('clear-kill-button').isVisible()).toBe(false); // no kill switch yet
    // The stylesheet applied: the state is shown in the trading colour class.
    expect(await page.getByTestId('trading-state').getAttribute('class')).toContain('state-trading');
  }, 180_000);

  it('updates its numbers, and lists the host\'s markets', async () => {
    const decisions = await figure(page, 'decisions-total');
    const messages = await figure(page, 'book-messages-total');
    await figureAbove(page, 'decisions-total', Number.isNaN(decisions) ? 0 : decisions);
    await figureAbove(page, 'book-messages-total', Number.isNaN(messages) ? 0 : messages);

    const tickers = new Set(host!.markets.map((m) => m.ticker));
    const rows = page.getByTestId('market-row');
    await rows.first().waitFor({ timeout: WAIT_MS });
    const shown = await Promise.all((await rows.all()).map(async (tr) => (await tr.getAttribute('data-ticker')) ?? ''));
    expect(shown.length).toBeGreaterThan(0);
    for (const t of shown) expect(tickers.has(t), t).toBe(true);
    expect(new Set(shown).size).toBe(shown.length);
    // The P&L chart collects a point a second.
    await eventually(async () => Number(await page.getByTestId('pnl-chart').getAttribute('data-points')) >= 2, 'two P&L chart points');
  }, 180_000);

  it('refuses a wrong control token in the dialog, and nothing halts', async () => {
    await page.getByTestId('kill-button').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor({ state: 'visible' });
    await page.getByTestId('kill-reason').fill('wrong token');
    await page.getByTestId('confirm-token').fill('not-the-token-0123456789');
    await page.getByTestId('confirm-ok').click();
    const error = page.getByTestId('confirm-error');
    await error.waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await error.textContent()).toMatch(/^401\b/);
    expect(await dialog.isVisible()).toBe(true); // kept open to try again
    await page.getByTestId('confirm-cancel').click();
    await dialog.waitFor({ state: 'hidden' });

    expect(host!.supervisor()?.killSwitch ?? null).toBeNull();
    expect(host!.supervisor()?.state).toBe('trading');
    const decisions = await figure(page, 'decisions-total');
    await figureAbove(page, 'decisions-total', decisions); // still live, still trading
    expect(await page.getByTestId('trading-state').textContent()).toBe('trading');
  }, 180_000);

  it('halts trading when the kill switch is confirmed with the control token', async () => {
    // Orders are going out before the kill.
    const before = host!.execution()?.ordersSent ?? 0;
    await until(() => (host!.execution()?.ordersSent ?? 0) > before, 'an order sent before the kill', WAIT_MS);
    const token = readFileSync(join(dataDir, 'control-token'), 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(16);

    await page.getByTestId('kill-button').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'visible' });
    await page.getByTestId('kill-reason').fill('browser test');
    await page.getByTestId('confirm-token').fill(token);
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'hidden', timeout: WAIT_MS });

    await pageState(page, 'halted');
    await page.getByTestId('kill-banner').waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await page.getByTestId('kill-banner').textContent()).toContain('browser test');
    expect(await page.getByTestId('clear-kill-button').isVisible()).toBe(true);

    await until(() => host!.supervisor()?.state === 'halted', 'the supervisor halted', WAIT_MS);
    expect(host!.supervisor()?.killSwitch?.reason).toBe('browser test');
    // Nothing goes out any more (the execution stage reports every second): steady for 4 s.
    const sent = await steady(() => host!.execution()?.ordersSent ?? 0, 'orders sent', 4_000);
    await until(() => sim!.exchange.listOrders(key.keyId).every((o) => o.status !== 'resting'), 'no resting order', WAIT_MS);
    expect(host!.execution()?.ordersSent).toBe(sent);
    expect(host!.supervisor()?.state).toBe('halted');
    // The page's own count agrees once a message after the halt arrived.
    await eventually(async () => (await figure(page, 'orders-total')) === sent, `the page showing ${sent} orders sent`);
    // The token is kept for the tab.
    expect(await page.evaluate('sessionStorage.getItem("kalshi-actor.control-token")')).toBe(token);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
