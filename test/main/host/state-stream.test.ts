/** The WebSocket state stream on the control interface: hello with the whole state, then ticks that move; the guard on upgrade. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { openControlInterface } from '../../../src/main/host/control-interface.js';
import { stateStream, streamTotals } from '../../../src/main/host/state-stream.js';
import { LatencyHistogram } from '../../../src/shared/latency-histogram.js';
import { KillSwitchFile } from '../../../src/supervisor/kill-switch.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const TOKEN = 'a-token-of-24-characters';

async function openInterface(token?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kalshi-actor-stream-'));
  dirs.push(dir);
  let decisions = 0;
  const c = (await openControlInterface({
    host: '127.0.0.1', port: 0, token, killFile: new KillSwitchFile(dir), supervisor: { killSwitch: () => undefined }, log: () => undefined,
    state: () => ({}),
    stream: { intervalMs: 50, snapshot: (full) => ({ decisions: decisions++, ...(full ? { calibration: { verdict: 'trade' } } : {}) }) },
  }))!;
  return c;
}

/** Messages of a client as they come; `next(n)` waits for n of them. */
function client(url: string, headers: Record<string, string> = {}) {
  const got: Array<Record<string, unknown>> = [];
  const ws = new WebSocket(url, { headers });
  ws.on('message', (data) => got.push(JSON.parse(String(data)) as Record<string, unknown>));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const next = async (n: number) => {
    const deadline = Date.now() + 10_000;
    while (got.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${got.length} messages`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return got.slice(0, n);
  };
  return { ws, got, opened, next };
}

describe('the state stream', () => {
  it('greets with the whole state, then sends the moving figures every interval', async () => {
    const c = await openInterface();
    const a = client(`ws://127.0.0.1:${c.port}/stream`);
    try {
      await a.opened;
      const [hello, t1, t2] = await a.next(3);
      expect(hello).toMatchObject({ type: 'hello', calibration: { verdict: 'trade' } });
      expect(t1.type).toBe('state');
      expect(t1).not.toHaveProperty('calibration');
      expect(Number(t2.decisions)).toBeGreaterThan(Number(t1.decisions)); // the numbers move
      expect(Number(t1.at_ms)).toBeGreaterThan(0);
    } finally {
      a.ws.close();
      await c.close();
    }
  });

  it('refuses a cross-site upgrade without a token, and an upgrade without the token when one is set', async () => {
    const open = await openInterface();
    try {
      await expect(client(`ws://127.0.0.1:${open.port}/stream`, { origin: 'http://evil.example' }).opened).rejects.toThrow('HTTP 403');
    } finally {
      await open.close();
    }
    const guarded = await openInterface(TOKEN);
    try {
      await expect(client(`ws://127.0.0.1:${guarded.port}/stream`).opened).rejects.toThrow('HTTP 401');
      await expect(client(`ws://127.0.0.1:${guarded.port}/stream?token=wrong-token-of-24-chars!`).opened).rejects.toThrow('HTTP 401');
      const ok = client(`ws://127.0.0.1:${guarded.port}/stream?token=${TOKEN}`); // a browser cannot set Authorization on a WebSocket
      await ok.opened;
      expect((await ok.next(1))[0].type).toBe('hello');
      ok.ws.close();
      const byHeader = client(`ws://127.0.0.1:${guarded.port}/stream`, { authorization: `Bearer ${TOKEN}` });
      await byHeader.opened;
      byHeader.ws.close();
    } finally {
      await guarded.close();
    }
  });

  it('computes nothing while nobody listens; a snapshot that throws is logged and skipped, the client stays', async () => {
    let calls = 0;
    const idle = stateStream({ intervalMs: 10, snapshot: () => { calls++; return {}; } });
    await new Promise((r) => setTimeout(r, 50));
    expect([idle.clients(), calls]).toEqual([0, 0]);
    idle.stop();
    expect(() => stateStream({ intervalMs: 1, snapshot: () => ({}) })).toThrow(RangeError);

    const dir = mkdtempSync(join(tmpdir(), 'kalshi-actor-stream-'));
    dirs.push(dir);
    const lines: string[] = [];
    let ticks = 0;
    const c = (await openControlInterface({
      host: '127.0.0.1', port: 0, token: undefined, killFile: new KillSwitchFile(dir), supervisor: { killSwitch: () => undefined }, log: (l) => lines.push(l),
      state: () => ({}),
      stream: { intervalMs: 20, snapshot: (full) => { if (!full && ++ticks <= 2) throw new Error('totals not ready'); return { ticks }; } },
    }))!;
    const a = client(`ws://127.0.0.1:${c.port}/stream`);
    try {
      await a.opened;
      const [hello, tick] = await a.next(2); // two failed ticks in between: logged, not sent
      expect(hello.type).toBe('hello');
      expect(tick).toMatchObject({ type: 'state', ticks: 3 });
      expect(lines.filter((l) => l === 'state stream: totals not ready')).toHaveLength(2);
    } finally {
      a.ws.close();
      await c.close();
    }
  });

  it('streamTotals carries latency as µs figures, not buckets', () => {
    const h = new LatencyHistogram();
    h.record(50_000);
    const t = streamTotals({ markets: 2, staleBooks: 0, bookMessages: 9, decisions: 1, intents: 0, ordersSent: 0, fills: 0, cash: 1_000_000, openPositions: 0, pnl: undefined, decisionLatency: h.snapshot() });
    expect(t.decisionLatency).toEqual({ count: 1, p50Us: 50, p99Us: 50, maxUs: 50 });
    expect(t.wireLatency).toBeNull();
    expect(t.cash).toBe(1_000_000);
  });
});
