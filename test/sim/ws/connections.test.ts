/**
 * Connection's corked send path: frames reach uWS in order, in one cork per JavaScript task, and
 * the fault paths keep their place in the stream.
 */
import { describe, expect, it } from 'vitest';
import type { WebSocket as UwsWebSocket } from 'uWebSockets.js';
import { Connection, MAX_BUFFERED_BYTES, type ConnectionData } from '../../../src/sim/ws/connections.js';
import { WsSession } from '../../../src/sim/ws/session.js';

interface FakeWs {
  log: string[];
  corks: number;
  buffered: number;
  corked: boolean;
}

function connect(): { c: Connection; ws: FakeWs; now: { ms: number } } {
  const ws: FakeWs = { log: [], corks: 0, buffered: 0, corked: false };
  const fake = {
    send: (frame: string) => {
      ws.log.push(ws.corked ? frame : `uncorked:${frame}`);
      return 1;
    },
    cork: (cb: () => void) => {
      ws.corks++;
      ws.corked = true;
      try {
        cb();
      } finally {
        ws.corked = false;
      }
    },
    getBufferedAmount: () => ws.buffered,
    close: () => ws.log.push('<close>'),
    ping: () => ws.log.push('<ping>'),
  } as unknown as UwsWebSocket<ConnectionData>;
  const now = { ms: 1_000_000 };
  const c = new Connection(fake, 'acct', () => now.ms);
  c.session = new WsSession({ marketExists: () => true, snapshot: () => ({ yes: [], no: [] }) }, c.send, { account: 'acct' });
  return { c, ws, now };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('Connection send path', () => {
  it('queues frames and writes them in order in one cork at the end of the task', async () => {
    const { c, ws } = connect();
    for (let i = 1; i <= 500; i++) c.send(`f${i}`);
    expect(ws.log).toEqual([]); // nothing written synchronously
    await tick();
    expect(ws.corks).toBe(1);
    expect(ws.log).toEqual(Array.from({ length: 500 }, (_, i) => `f${i + 1}`));
    c.send('g1');
    await tick();
    expect(ws.corks).toBe(2);
    expect(ws.log.at(-1)).toBe('g1');
  });

  it('a malformed frame, a ping and a drop keep their place after the frames sent before them', async () => {
    const { c, ws } = connect();
    c.send('a');
    c.malformed();
    c.send('b');
    c.ping();
    c.send('c');
    c.drop();
    c.send('never'); // after the cut: dropped
    await tick();
    expect(ws.log).toEqual(['a', '{"type":"orderbook_delta","sid":', 'b', '<ping>', 'c', '<close>']);
  });

  it('nothing is written after the peer closed', async () => {
    const { c, ws } = connect();
    c.send('a');
    c.closedByPeer();
    c.send('b');
    await tick();
    expect(ws.log).toEqual([]);
  });

  it('a duplicate fault sends the next sequenced frame twice, in place', async () => {
    const { c, ws } = connect();
    c.send('{"type":"ok"}');
    c.duplicate();
    c.send('{"type":"x","seq":1}');
    c.send('{"type":"x","seq":2}');
    await tick();
    expect(ws.log).toEqual(['{"type":"ok"}', '{"type":"x","seq":1}', '{"type":"x","seq":1}', '{"type":"x","seq":2}']);
  });

  it('a stall holds frames (the clock is read only then) and releases them in order', async () => {
    const { c, ws, now } = connect();
    c.send('a');
    c.stall(5);
    c.send('b');
    c.send('c');
    await tick();
    expect(ws.log).toEqual(['a']);
    now.ms += 10;
    await new Promise((r) => setTimeout(r, 20));
    await tick();
    expect(ws.log).toEqual(['a', 'b', 'c']);
  });

  it('past MAX_BUFFERED_BYTES the orderbook subscriptions end with error 25 after the flush', async () => {
    const { c, ws } = connect();
    c.session.handleText(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: ['X'] } }));
    await tick();
    ws.log.length = 0;
    ws.buffered = MAX_BUFFERED_BYTES + 1;
    c.send('{"type":"orderbook_delta","sid":1,"seq":2}');
    await tick();
    await tick();
    expect(ws.log[0]).toBe('{"type":"orderbook_delta","sid":1,"seq":2}');
    expect(JSON.parse(ws.log[1])).toMatchObject({ type: 'error', sid: 1, msg: { code: 25 } });
    expect(c.session.subscriptions()).toEqual([]);
  });
});
