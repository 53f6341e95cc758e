import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlHttpError } from '../../../src/main/control-server.js';
import { openControlInterface } from '../../../src/main/host/control-interface.js';
import { KillSwitchFile } from '../../../src/supervisor/kill-switch.js';
import type { KillSwitchView } from '../../../src/supervisor/supervisor.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kalshi-actor-control-'));
  dirs.push(d);
  return d;
};

const ACTION_TOKEN = 'action-token-for-the-tests-0123';
const AUTH = { authorization: `Bearer ${ACTION_TOKEN}` };

function fixture(dataDir: string) {
  const seen: Array<KillSwitchView | undefined> = [];
  const lines: string[] = [];
  return {
    seen, lines, actionToken: ACTION_TOKEN, killFile: new KillSwitchFile(dataDir),
    supervisor: { killSwitch: (v: KillSwitchView | undefined) => seen.push(v) }, log: (l: string) => lines.push(l),
  };
}

describe('the control interface', () => {
  it('POST /kill halts through the supervisor and persists the switch; POST /kill/clear clears both; GET /supervisor answers the state', async () => {
    const f = fixture(tempDir());
    const c = (await openControlInterface({ host: '127.0.0.1', port: 0, token: undefined, ...f, state: () => ({ state: 'trading' }) }))!;
    try {
      const url = `http://127.0.0.1:${c.port}`;
      expect(await (await fetch(`${url}/supervisor`)).json()).toEqual({ state: 'trading' });
      const refused = await fetch(`${url}/kill`, { method: 'POST', body: JSON.stringify({ reason: 'drill' }) }); // no token: refused even on loopback
      expect(refused.status).toBe(401);
      expect(f.seen).toEqual([]);
      const r = await fetch(`${url}/kill`, { method: 'POST', body: JSON.stringify({ reason: 'drill', flatten: true }), headers: { 'content-type': 'application/json', ...AUTH } });
      expect(await r.json()).toEqual({ engaged: true, persisted: true, reason: 'drill', flatten: true });
      expect(f.seen).toEqual([{ reason: 'drill', flatten: true }]);
      expect(f.killFile.read()).toMatchObject({ engaged: true, reason: 'drill', flatten: true, by: 'http' });
      expect(await (await fetch(`${url}/kill/clear`, { method: 'POST', headers: AUTH })).json()).toEqual({ cleared: true });
      expect(f.seen.at(-1)).toBeUndefined();
      expect(f.killFile.read()).toBeUndefined();
      expect(f.lines).toEqual([`control interface on http://127.0.0.1:${c.port} (GET /supervisor, POST /kill, POST /kill/clear)`]);
    } finally {
      await c.close();
    }
  });

  it('GET /metrics answers the Prometheus text and GET /readyz the readiness, behind the same guard', async () => {
    const f = fixture(tempDir());
    let state = 'calibrating';
    const totals = {
      markets: 3, staleBooks: 1, bookMessages: 1_234, decisions: 1_000, intents: 40, ordersSent: 38, fills: 7,
      cash: 980_490_000, openPositions: 2, pnl: -1_250_000, decisionLatency: { counts: [], total: 0, maxNs: 0, sumNs: 0 },
    };
    const view = () => ({
      state, reason: state === 'halted' ? 'kill switch (http)' : 'calibrated', sinceMs: 0, killSwitch: null, transitions: [], threads: [], exits: {},
      cashShortMicros: 0, driftsSeen: 0, restarts: 0, passes: 5, lastPassMs: 0, books: { newestAgeMs: 5, stale: 1, silent: false },
    });
    const c = (await openControlInterface({ host: '127.0.0.1', port: 0, token: undefined, ...f, state: () => ({}), metrics: () => ({ totals, supervisor: view() }) }))!;
    try {
      const url = `http://127.0.0.1:${c.port}`;
      const m = await fetch(`${url}/metrics`);
      expect(m.status).toBe(200);
      expect(m.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await m.text();
      expect(text).toContain('kalshi_actor_book_messages_total 1234\n');
      expect(text).toContain('kalshi_actor_cash_dollars 980.490000\n');
      expect(text).toContain('kalshi_actor_trading_state{state="calibrating"} 1\n');
      let r = await fetch(`${url}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ ready: false, state: 'calibrating', reason: 'calibrated' });
      state = 'trading';
      r = await fetch(`${url}/readyz`);
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ ready: true, state: 'trading' });
      expect((await fetch(`${url}/metrics`, { headers: { origin: 'http://evil.example' } })).status).toBe(403); // the guard
      expect((await fetch(`${url}/metrics`, { method: 'POST', headers: AUTH })).status).toBe(405);
      expect(f.lines).toEqual([`control interface on http://127.0.0.1:${c.port} (GET /supervisor, GET /metrics, GET /readyz, POST /kill, POST /kill/clear)`]);
    } finally {
      await c.close();
    }
  });

  it('halts even when the switch cannot be persisted, and says so', async () => {
    const blocker = join(tempDir(), 'not-a-dir');
    writeFileSync(blocker, 'x'); // the data dir is a file: the switch cannot be written
    const f = fixture(blocker);
    const c = (await openControlInterface({ host: '127.0.0.1', port: 0, token: undefined, ...f, state: () => ({}) }))!;
    try {
      const r = await fetch(`http://127.0.0.1:${c.port}/kill`, { method: 'POST', body: JSON.stringify({ reason: 'drill' }), headers: { 'content-type': 'application/json', ...AUTH } });
      const body = (await r.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ engaged: true, persisted: false, reason: 'drill', flatten: false });
      expect(String(body.error)).toMatch(/^not persisted: /);
      expect(f.seen).toEqual([{ reason: 'drill', flatten: false }]);
      expect(f.lines.some((l) => l.startsWith('kill switch engaged but not persisted'))).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('a port already taken is one log line and no interface, not a failed start', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const f = fixture(tempDir());
      expect(await openControlInterface({ host: '127.0.0.1', port, token: undefined, ...f, state: () => ({}) })).toBeUndefined();
      expect(f.lines).toHaveLength(1);
      expect(f.lines[0]).toMatch(new RegExp(`^control interface not started on 127\\.0\\.0\\.1:${port}: .+ \\(the kill switch still works: kalshi-actor kill\\)$`));
    } finally {
      taken.close();
    }
  });

  it('serves the dashboard page and its files; the operator actions need the token and check their body', async () => {
    const f = fixture(tempDir());
    const calls: string[] = [];
    const operator = {
      disableMarket: (ticker: string, reason: string | undefined) => {
        if (ticker !== 'KXA') throw new ControlHttpError(400, `market ${JSON.stringify(ticker)} is not traded by this host`);
        calls.push(`disable ${ticker} ${reason ?? '-'}`);
        return { ticker, disabled: true };
      },
      enableMarket: (ticker: string) => {
        calls.push(`enable ${ticker}`);
        return { ticker, disabled: false };
      },
      resetGroup: (id: string) => {
        if (id !== 'g-1') throw new ControlHttpError(409, `order group ${id} is active, not triggered`);
        calls.push(`reset ${id}`);
        return { id, reset: 'sent' };
      },
    };
    const c = (await openControlInterface({ host: '127.0.0.1', port: 0, token: undefined, ...f, state: () => ({}), page: true, operator }))!;
    try {
      const url = `http://127.0.0.1:${c.port}`;
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('dashboard.js');
      expect((await fetch(`${url}/dashboard.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect((await fetch(`${url}/dashboard.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect((await fetch(`${url}/`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);

      const post = (path: string, body: unknown, headers: Record<string, string> = AUTH) => fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), headers });
      expect((await post('/markets/disable', { ticker: 'KXA' }, {})).status).toBe(401);
      expect(calls).toEqual([]);
      expect(await (await post('/markets/disable', { ticker: 'KXA', reason: 'news' })).json()).toEqual({ ticker: 'KXA', disabled: true });
      expect(await (await post('/markets/enable', { ticker: 'KXA' })).json()).toEqual({ ticker: 'KXA', disabled: false });
      expect(await (await post('/order-groups/reset', { id: 'g-1' })).json()).toEqual({ id: 'g-1', reset: 'sent' });
      const bad: Array<[string, unknown, number, RegExp]> = [
        ['/markets/disable', { ticker: 'KXB' }, 400, /not traded/],
        ['/markets/disable', {}, 400, /"ticker" must be a non-empty string/],
        ['/markets/disable', { ticker: 42 }, 400, /"ticker" must be a non-empty string/],
        ['/markets/disable', { ticker: 'KXA', tiker: 'x' }, 400, /unknown field "tiker"/],
        ['/markets/enable', { ticker: 'KXA', reason: 'x' }, 400, /unknown field "reason"/],
        ['/order-groups/reset', { id: '' }, 400, /"id" must be a non-empty string/],
        ['/order-groups/reset', { id: 'g-2' }, 409, /not triggered/],
      ];
      for (const [path, body, status, message] of bad) {
        const r = await post(path, body);
        expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(status);
        expect(((await r.json()) as { error: string }).error).toMatch(message);
      }
      expect(calls).toEqual(['disable KXA news', 'enable KXA', 'reset g-1']);
    } finally {
      await c.close();
    }
  });
});
