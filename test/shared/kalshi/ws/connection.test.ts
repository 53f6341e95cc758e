/**
 * Connection against a scripted server: signed upgrade (fresh on every attempt), Pongs to the
 * server's Pings, the watchdog, reconnection on the backoff schedule, and a close that leaves
 * nothing behind.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KalshiCredentials } from '../../../../src/shared/kalshi-signing.js';
import { Connection, type CloseInfo, type ConnectionHandler } from '../../../../src/shared/kalshi/ws/connection.js';
import { FakeKalshiServer } from './fake-server.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const credentials = new KalshiCredentials('conn-key', privateKey);

let server: FakeKalshiServer;
const open: Connection[] = [];

beforeAll(async () => {
  server = await FakeKalshiServer.start(publicKey);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  server.refuse = false;
});
afterAll(() => server.close());

interface Recorder extends ConnectionHandler {
  opens: number;
  texts: string[];
  closes: Array<{ info: CloseInfo; willReconnect: boolean }>;
  delays: number[];
  ticks: number;
}

function recorder(): Recorder {
  const r: Recorder = {
    opens: 0, texts: [], closes: [], delays: [], ticks: 0,
    onOpen: () => void r.opens++,
    onText: (d) => void r.texts.push(d.toString()),
    onClose: (info, willReconnect) => void r.closes.push({ info, willReconnect }),
    onTick: () => void r.ticks++,
    onReconnectScheduled: (d) => void r.delays.push(d),
  };
  return r;
}

function connect(options: Partial<ConstructorParameters<typeof Connection>[0]> = {}, handler = recorder()) {
  const c = new Connection({ url: server.url, credentials, staleAfterMs: 0, backoff: { baseMs: 10, capMs: 50 }, ...options });
  open.push(c);
  c.start(handler);
  return { c, h: handler as Recorder };
}

const poll = (pred: () => boolean, what: string, timeoutMs = 20_000) => server.until(pred, timeoutMs, what);

describe('Connection', () => {
  it('opens with a valid signature over GET /trade-api/ws/v2 and passes text frames through', async () => {
    const before = server.handshakes.length;
    const { c, h } = connect();
    await poll(() => h.opens === 1, 'open');
    expect(c.state).toBe('open');
    expect(server.handshakes.length).toBe(before + 1);
    expect(server.handshakes.at(-1)!.keyId).toBe('conn-key');
    expect(c.send('{"id":1,"cmd":"list_subscriptions"}')).toBe(true);
    await poll(() => server.commands.some((x) => x.socket === server.last && x.cmd === 'list_subscriptions'), 'command');
    server.last.send({ type: 'ok', id: 1, msg: [] });
    await poll(() => h.texts.length === 1, 'frame');
    expect(JSON.parse(h.texts[0])).toEqual({ type: 'ok', id: 1, msg: [] });
    expect(c.counters.frames).toBe(1);
    expect(c.counters.lastFrameWallMs).toBeGreaterThan(0);
  });

  it('answers every server Ping with a Pong and stays connected', async () => {
    const { c, h } = connect();
    await poll(() => h.opens === 1, 'open');
    const socket = server.last;
    for (let i = 0; i < 10; i++) socket.ping();
    await poll(() => socket.pongs === 10 && c.counters.pings === 10, 'ten pongs');
    expect(c.state).toBe('open');
    expect(h.closes).toEqual([]);
    expect(c.counters.opens).toBe(1);
  });

  it('reconnects after the server drops it, with a fresh signature, on the injected backoff schedule', async () => {
    const draws = [0.5, 0.25];
    let i = 0;
    const { c, h } = connect({ backoff: { baseMs: 40, capMs: 1_000, random: () => draws[i++ % 2] } });
    await poll(() => h.opens === 1, 'open');
    const first = server.handshakes.at(-1)!;
    server.last.drop();
    await poll(() => h.opens === 2, 'reopen');
    expect(h.closes[0].willReconnect).toBe(true);
    expect(h.closes[0].info.wasOpen).toBe(true);
    expect(h.closes[0].info.code).toBe(1006);
    expect(h.delays).toEqual([20]); // 0.5 × 40
    const second = server.handshakes.at(-1)!;
    expect(second.signature).not.toBe(first.signature);
    expect(Number(second.timestamp)).toBeGreaterThanOrEqual(Number(first.timestamp));
    expect(c.counters.reconnects).toBe(1);
    // the connection was short-lived (< backoffResetAfterMs): the next delay comes from a wider window
    server.last.drop();
    await poll(() => h.opens === 3, 'third open');
    expect(h.delays).toEqual([20, 20]); // 0.25 × 80
  });

  it('keeps retrying a refused upgrade with growing windows, then connects', async () => {
    server.refuse = true;
    const { c, h } = connect({ backoff: { baseMs: 5, capMs: 40, random: () => 0.999 } });
    await poll(() => c.counters.failedAttempts >= 4, 'four refusals');
    expect(h.opens).toBe(0);
    expect(h.closes[0].info.wasOpen).toBe(false);
    expect(h.closes[0].info.error).toMatch(/401/);
    expect(h.delays.slice(0, 4)).toEqual([4, 9, 19, 39]);
    server.refuse = false;
    await poll(() => h.opens === 1, 'open after refusals');
  });

  it('the watchdog cuts a connection that receives no text frame for staleAfterMs (Pings do not count)', async () => {
    const { c, h } = connect({ staleAfterMs: 500, tickMs: 20 });
    await poll(() => h.opens === 1, 'open');
    const socket = server.last;
    const pinger = setInterval(() => socket.ping(), 30);
    try {
      await poll(() => h.closes.length === 1, 'watchdog trip');
    } finally {
      clearInterval(pinger);
    }
    expect(h.closes[0].info.stale).toBe(true);
    expect(h.closes[0].info.error).toMatch(/no frame for/);
    expect(c.counters.staleTrips).toBe(1);
    expect(h.ticks).toBeGreaterThan(0);
    await poll(() => h.opens === 2, 'reconnect after the trip');
    // frames keep it alive
    const s2 = server.last;
    const feeder = setInterval(() => s2.send({ type: 'ok', msg: [] }), 30);
    try {
      const t0 = Date.now();
      await poll(() => Date.now() - t0 > 1_500, 'time to pass');
    } finally {
      clearInterval(feeder);
    }
    expect(c.counters.staleTrips).toBe(1);
  });

  it('close() is final: no reconnect, nothing left running, in every state', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const baseline = timers();

    // open
    const a = connect();
    await poll(() => a.h.opens === 1, 'open');
    const socket = server.last;
    await a.c.close();
    expect(a.c.state).toBe('closed');
    expect(a.h.closes.at(-1)!.willReconnect).toBe(false);
    await poll(() => socket.closed, 'server sees the close');

    // waiting for a retry
    server.refuse = true;
    const b = connect({ backoff: { baseMs: 60_000, capMs: 60_000, random: () => 0.999 } });
    await poll(() => b.c.state === 'waiting', 'waiting');
    await b.c.close();
    expect(b.c.state).toBe('closed');

    // connecting
    server.refuse = false;
    const d = connect();
    expect(d.c.state).toBe('connecting');
    await d.c.close();
    expect(d.c.state).toBe('closed');
    expect(d.h.opens).toBe(0);

    // nothing reconnects afterwards, and no timer is left
    const sockets = server.sockets.length;
    const attempts = a.c.counters.attempts + b.c.counters.attempts + d.c.counters.attempts;
    const t0 = Date.now();
    await poll(() => Date.now() - t0 > 200, 'time to pass');
    expect(server.sockets.length).toBe(sockets);
    expect(a.c.counters.attempts + b.c.counters.attempts + d.c.counters.attempts).toBe(attempts);
    expect(timers()).toBeLessThanOrEqual(baseline);
    expect(a.c.send('x')).toBe(false);
    await a.c.close(); // idempotent
  });

  it('an exception in the handler is counted, never breaks the connection', async () => {
    const h = recorder();
    h.onText = () => {
      throw new Error('bug');
    };
    let reported: unknown;
    h.onHandlerError = (err) => (reported = err);
    const { c } = connect({}, h);
    await poll(() => h.opens === 1, 'open');
    server.last.send({ type: 'ok' });
    await poll(() => c.counters.handlerErrors === 1, 'handler error');
    expect((reported as Error).message).toBe('bug');
    expect(c.state).toBe('open');
  });
});
