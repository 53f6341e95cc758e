/**
 * Per-stage cost of one synthetic book message inside the simulator, in this process, with no
 * socket: where the time of the WebSocket throughput figure goes (`npm run bench:sim -- --only
 * stages`). Each stage builds a fresh exchange from the same seed and runs the synthetic
 * liquidity for a fixed number of book changes, timing it (each stage three times, interleaved;
 * the best run is reported):
 *
 *   engine      SyntheticLiquidity.run over the engine, no WebSocket listener
 *   + frames    + the fan-out and a WsSession subscribed to every market (frames built, sent nowhere)
 *   + connection + the Connection send path (fault checks, queue, corked flush) over a uWS stand-in
 *                  whose send does nothing
 *
 * The rest of the end-to-end cost per message (uWS's send: string → UTF-8 into the cork buffer,
 * the socket writes) is what the ws figure's server CPU adds on top of the last stage.
 */
import type { WebSocket as UwsWebSocket } from 'uWebSockets.js';
import { listCatalogue } from '../../src/sim/catalogue.js';
import { Exchange } from '../../src/sim/engine/exchange.js';
import { SyntheticLiquidity } from '../../src/sim/liquidity.js';
import { Connection, ConnectionRegistry, type ConnectionData } from '../../src/sim/ws/connections.js';
import { fanOut } from '../../src/sim/ws/fan-out.js';
import { WsSession } from '../../src/sim/ws/session.js';
import { SubscriptionIndex } from '../../src/sim/ws/subscription-index.js';
import { sessionHostFor } from '../../src/sim/ws/session-host.js';

export interface StageRow {
  stage: string;
  bookChanges: number;
  framesSent: number;
  nsPerChange: number;
  /** Book changes per second one core could make at this stage. */
  changesPerSecond: number;
}

type Stage = 'engine' | 'frames' | 'connection';

async function runStage(stage: Stage, options: { markets: number; seed: number; changes: number; warmup: number }): Promise<StageRow> {
  const startMs = Date.now();
  const exchange = new Exchange({ clock: () => Date.now(), seed: options.seed });
  const markets = listCatalogue(exchange, { markets: options.markets, seed: options.seed, startMs });
  exchange.advanceTo(Date.now());
  const liquidity = new SyntheticLiquidity(exchange, markets, { seed: options.seed });
  liquidity.seedBooks();
  let frames = 0;
  let bytes = 0;
  if (stage !== 'engine') {
    const index = new SubscriptionIndex();
    const connections = new ConnectionRegistry();
    exchange.addListener(fanOut(exchange, index, connections));
    const host = sessionHostFor(exchange, index);
    let send: (frame: string) => void = (frame) => {
      frames++;
      bytes += frame.length;
    };
    if (stage === 'connection') {
      const fakeWs = {
        send: (frame: string) => {
          frames++;
          bytes += frame.length;
          return 1;
        },
        cork: (cb: () => void) => {
          cb();
        },
        getBufferedAmount: () => 0,
        close: () => undefined,
        ping: () => 1,
      } as unknown as UwsWebSocket<ConnectionData>;
      const connection = new Connection(fakeWs, 'bench', () => Date.now());
      connections.add(connection);
      send = connection.send;
    }
    const session = new WsSession(host, send, { account: 'bench' });
    session.handleText(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: markets.map((m) => m.ticker) } }));
  }
  const tick = () => new Promise<void>((r) => setImmediate(r)); // lets the connection's microtask flushes run between batches
  const BATCH = 300;
  for (let made = 0; made < options.warmup; ) {
    made += liquidity.run(BATCH);
    await tick();
  }
  const f0 = frames;
  let made = 0;
  let ns = 0n;
  while (made < options.changes) {
    const t0 = process.hrtime.bigint();
    made += liquidity.run(BATCH);
    await Promise.resolve(); // the microtask flush, inside the timed part
    ns += process.hrtime.bigint() - t0;
    if (made % (BATCH * 64) < BATCH) await tick();
  }
  void bytes;
  const perChange = Number(ns) / made;
  const names: Record<Stage, string> = { engine: 'engine (liquidity + matching)', frames: '+ fan-out + frame strings', connection: '+ Connection (queue, corked flush)' };
  return { stage: names[stage], bookChanges: made, framesSent: frames - f0, nsPerChange: perChange, changesPerSecond: 1e9 / perChange };
}

/** Each stage `repeats` times, interleaved (the machine's noise spreads over all of them); the best run of each. */
export async function stageCosts(options: { markets: number; seed: number; changes: number; warmup: number; repeats: number }): Promise<StageRow[]> {
  const best = new Map<Stage, StageRow>();
  for (let r = 0; r < options.repeats; r++) {
    for (const stage of ['engine', 'frames', 'connection'] as const) {
      const row = await runStage(stage, options);
      const prev = best.get(stage);
      if (prev === undefined || row.nsPerChange < prev.nsPerChange) best.set(stage, row);
    }
  }
  return [...best.values()];
}
