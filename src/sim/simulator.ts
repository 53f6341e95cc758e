/**
 * The local Kalshi exchange: REST at `http://HOST:PORT/trade-api/v2`, WebSocket at
 * `ws://HOST:PORT/trade-api/ws/v2`, served by uWebSockets.js over the engine, with synthetic
 * liquidity at `rate` book messages per second and faults on demand.
 *
 * `startSimulator(options)` runs it in this process (tests, `npm start`); `kalshi-actor sim`
 * runs it as a command. With `manualClock` the simulator's time and its synthetic liquidity
 * move only when the control API says so: the same seed and the same client actions then give
 * the same books, fills and settlements, byte for byte.
 */
import uWS from 'uWebSockets.js';
import { KeyRegistry } from './auth.js';
import { listCatalogue } from './catalogue.js';
import { Exchange, type NewOrder, type OrderResult } from './engine/exchange.js';
import { parseFault, type Fault, type ScheduledFault } from './faults.js';
import { SyntheticLiquidity } from './liquidity.js';
import { SIM_DEFAULTS, type SimKey } from './options.js';
import { restGates, type RestFaults } from './server/gates.js';
import { HttpRouter } from './server/http.js';
import { marketDataRoutes } from './server/routes/market-data.js';
import { orderRoutes } from './server/routes/orders.js';
import { portfolioRoutes } from './server/routes/portfolio.js';
import { Connection, ConnectionRegistry, type ConnectionData } from './ws/connections.js';
import { fanOut } from './ws/fan-out.js';
import { WsSession } from './ws/session.js';
import { SubscriptionIndex } from './ws/subscription-index.js';
import { sessionHostFor } from './ws/session-host.js';
import type { UsageTier } from '../shared/rate-budgets.js';

export const WS_PATH = '/trade-api/ws/v2';
const PING_INTERVAL_MS = 10_000;
/** Liquidity catches up at most this many milliseconds of its rate per turn of the event loop. */
const MAX_CATCH_UP_MS = 20;
/**
 * Inside a turn of the liquidity driver the clock is read once per this many book changes
 * (≈ 0.2 ms of work at 300,000/s, below the 1 ms resolution of the timestamps it feeds) instead
 * of once per engine call: `Date.now()` was ~5 % of the simulator's time at that rate.
 */
const CLOCK_CHUNK = 64;
/**
 * Book changes per turn of the event loop at most; a driver that is behind continues at once
 * (setImmediate) after I/O had its turn. Keeps REST and WebSocket commands from waiting behind a
 * 20 ms catch-up batch, and the frames queued for the sockets few (they are flushed at the end
 * of each turn, and a long turn keeps them alive across young-generation collections).
 */
const TURN_CHANGES = 2048;

export interface StartSimulatorOptions {
  keys: SimKey[];
  host?: string;
  port?: number;
  markets?: number;
  rate?: number;
  seed?: number;
  /** Starting cash of each key's account, µ$. */
  balance?: number;
  faults?: ScheduledFault[];
  tier?: UsageTier;
  timestampWindowMs?: number;
  /** Time and liquidity move only through `control.advance` and `control.step`. */
  manualClock?: boolean;
  /** The simulator's start time, ms since epoch (default: now). */
  startMs?: number;
  /** Server heartbeat ping period (Kalshi: 10 s). */
  pingIntervalMs?: number;
}

/** Out-of-band actions and faults, for tests and for the `--faults` schedule. */
export interface SimControl {
  /** Apply one fault now (`parseFault` syntax or a Fault). */
  inject(fault: Fault | string): void;
  /** Run synthetic liquidity until `bookChanges` book changes were made; returns the count made. */
  step(bookChanges: number): number;
  /** Manual clock: move time forward (lifecycle, expirations, order-group windows). */
  advance(ms: number): void;
  /** Stop or restart the synthetic participants (the books then stand still). */
  setLiquidity(running: boolean): void;
  /** An order placed on an account from outside the host (for adoption tests). */
  placeOrder(keyId: string, order: NewOrder): OrderResult;
  /** A deposit (+) or withdrawal (−) in µ$, outside the host. */
  adjustCash(keyId: string, delta: number): void;
  /** Open WebSocket connections. */
  connections(): number;
  /** Exchange-wide trading switch (GET /exchange/status, and orders refused while off). */
  setTradingActive(active: boolean): void;
}

export interface Simulator {
  restUrl: string;
  wsUrl: string;
  port: number;
  exchange: Exchange;
  control: SimControl;
  close(): Promise<void>;
}

export async function startSimulator(options: StartSimulatorOptions): Promise<Simulator> {
  if (options.keys.length === 0) throw new RangeError('the simulator needs at least one API key');
  const host = options.host ?? SIM_DEFAULTS.host;
  const seed = options.seed ?? SIM_DEFAULTS.seed;
  const rate = options.rate ?? SIM_DEFAULTS.rate;
  const tier = options.tier ?? SIM_DEFAULTS.tier;
  const startMs = options.startMs ?? Date.now();
  let manualNow = startMs;
  /** The clock reading the liquidity driver holds during a chunk of synthetic actions, else -1. */
  let heldNow = -1;
  const now = options.manualClock ? () => manualNow : () => (heldNow >= 0 ? heldNow : Date.now());

  const exchange = new Exchange({ clock: now, seed });
  const markets = listCatalogue(exchange, { markets: options.markets ?? SIM_DEFAULTS.markets, seed, startMs });
  exchange.advanceTo(now());
  const keys = new KeyRegistry({ timestampWindowMs: options.timestampWindowMs ?? SIM_DEFAULTS.timestampWindowMs });
  for (const k of options.keys) {
    keys.register(k.keyId, k.publicKeyPem);
    exchange.openAccount(k.keyId, options.balance ?? SIM_DEFAULTS.balance);
  }
  const liquidity = new SyntheticLiquidity(exchange, markets, { seed });
  liquidity.seedBooks();

  // WebSocket side: sessions, the subscription index, the fan-out of engine events.
  const connections = new ConnectionRegistry();
  const index = new SubscriptionIndex();
  exchange.addListener(fanOut(exchange, index, connections));
  const sessionHost = sessionHostFor(exchange, index);
  let frameDelayMs = 0;

  // REST side.
  let tradingActive = true;
  const restFaults: RestFaults = { tooManyRequests: 0, errorAfterAccept: 0, silenceAfterAccept: 0 };
  const router = new HttpRouter();
  marketDataRoutes(router, exchange, () => ({ exchangeActive: true, tradingActive }));
  orderRoutes(router, exchange);
  portfolioRoutes(router, exchange, () => tier);
  // Signatures carry the client's wall-clock time, whatever the exchange's (possibly manual) clock says.
  const gates = restGates(keys, tier, Date.now, restFaults);
  const tradingGate = gates.beforeHandle!;

  const app = uWS.App();
  app.ws<ConnectionData>(WS_PATH, {
    compression: uWS.DISABLED,
    maxPayloadLength: 1 << 20,
    maxBackpressure: 256 * 1024 * 1024,
    idleTimeout: 0,
    sendPingsAutomatically: false,
    upgrade: (res, req, context) => {
      const headers = new Map<string, string>();
      req.forEach((k, v) => headers.set(k, v));
      const auth = keys.authenticate((name) => headers.get(name.toLowerCase()), 'GET', WS_PATH, Date.now());
      if (!auth.ok) {
        res.cork(() => res.writeStatus('401 Unauthorized').writeHeader('content-type', 'application/json').end(JSON.stringify(auth.body)));
        return;
      }
      res.upgrade<ConnectionData>({ keyId: auth.keyId }, headers.get('sec-websocket-key') ?? '', headers.get('sec-websocket-protocol') ?? '', headers.get('sec-websocket-extensions') ?? '', context);
    },
    open: (ws) => {
      const data = ws.getUserData();
      // Frame delivery (stalls, delays) runs on wall time even when the exchange clock is manual.
      const connection = new Connection(ws, data.keyId, Date.now);
      connection.session = new WsSession(sessionHost, connection.send, { account: data.keyId });
      if (frameDelayMs > 0) connection.delay(frameDelayMs);
      data.connection = connection;
      connections.add(connection);
    },
    message: (ws, message) => {
      ws.getUserData().connection?.session.handleText(Buffer.from(message).toString('utf8'));
    },
    close: (ws) => {
      const connection = ws.getUserData().connection;
      if (connection === undefined) return;
      connection.closedByPeer();
      connections.remove(connection);
    },
  });
  router.attach(app, {
    prefix: '/trade-api/v2',
    catchAll: true,
    authenticate: gates.authenticate,
    rateLimit: gates.rateLimit,
    beforeHandle: (req) => {
      if (!tradingActive && req.method === 'POST' && req.route.includes('/portfolio/events/orders')) {
        return { status: 409, body: { error: { code: 'trading_is_paused', message: 'trading is paused on the exchange' } } };
      }
      return tradingGate(req);
    },
    beforeReply: gates.beforeReply,
  });

  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    app.listen(host, options.port ?? SIM_DEFAULTS.port, (token) => (token ? resolve(token) : reject(new Error(`simulator: cannot listen on ${host}:${options.port ?? SIM_DEFAULTS.port}`))));
  });
  const port = uWS.us_socket_local_port(listenSocket);

  // Faults.
  const inject = (faultOrSpec: Fault | string): void => {
    const fault = typeof faultOrSpec === 'string' ? parseFault(faultOrSpec) : faultOrSpec;
    switch (fault.kind) {
      case 'drop': return connections.forEach((c) => c.drop());
      case 'gap': return connections.forEach((c) => c.gap());
      case 'duplicate': return connections.forEach((c) => c.duplicate());
      case 'malformed': return connections.forEach((c) => c.malformed());
      case 'stall': return connections.forEach((c) => c.stall(fault.ms));
      case 'delay':
        frameDelayMs = fault.ms;
        return connections.forEach((c) => c.delay(fault.ms));
      case '429-burst': restFaults.tooManyRequests += fault.count; return;
      case '5xx-after-accept': restFaults.errorAfterAccept += fault.count; return;
      case 'timeout-after-accept': restFaults.silenceAfterAccept += fault.count; return;
      case 'pause': return exchange.pause(fault.ticker);
      case 'resume': return exchange.resume(fault.ticker);
      // Forced, whatever the market's can_close_early says: the close time moves to now.
      case 'close-early': return exchange.updateCloseTime(fault.ticker, exchange.now());
      case 'deposit':
      case 'withdraw':
        for (const k of options.keys) exchange.adjustCash(k.keyId, fault.kind === 'deposit' ? fault.amount : -Math.min(fault.amount, exchange.account(k.keyId)!.cash));
        return;
    }
  };
  const timers: NodeJS.Timeout[] = [];
  for (const { atSeconds, fault } of options.faults ?? []) {
    timers.push(setTimeout(() => {
      // A scheduled fault the exchange refuses (an unknown ticker, say) is reported, never fatal.
      try {
        inject(fault);
      } catch (err) {
        console.error(`simulator: fault ${fault.kind} at ${atSeconds}s not applied: ${(err as Error).message}`);
      }
    }, atSeconds * 1000));
  }
  timers.push(setInterval(() => connections.forEach((c) => c.ping()), options.pingIntervalMs ?? PING_INTERVAL_MS));

  // Real time: synthetic liquidity at `rate` book changes per second, and the exchange clock.
  let liquidityOn = true;
  let closed = false;
  let driver: NodeJS.Timeout | undefined;
  let driverNext: NodeJS.Immediate | undefined;
  if (!options.manualClock) {
    let produced = 0;
    let t0 = performance.now();
    const drive = (): void => {
      if (closed) return;
      let behind = false;
      exchange.advanceTo(now());
      if (liquidityOn && rate > 0) {
        const elapsed = performance.now() - t0;
        let due = Math.floor((rate * elapsed) / 1000) - produced;
        if (due > (rate * MAX_CATCH_UP_MS) / 1000) {
          // Fell behind (a slow client, a busy machine): drop the backlog rather than burst.
          const skip = due - Math.ceil((rate * MAX_CATCH_UP_MS) / 1000);
          produced += skip;
          due -= skip;
        }
        // In chunks of CLOCK_CHUNK book changes, each with one clock reading (see CLOCK_CHUNK).
        let budget = TURN_CHANGES;
        try {
          while (due > 0 && budget > 0) {
            heldNow = Date.now();
            const want = Math.min(CLOCK_CHUNK, due, budget);
            const made = liquidity.run(want);
            produced += made;
            due -= made;
            budget -= made;
            if (made < want) {
              due = 0; // run() gave up (few active markets): as the single run did, stop for this turn
              break;
            }
          }
        } finally {
          heldNow = -1;
        }
        behind = due > 0;
        if (elapsed > 60_000) {
          t0 = performance.now();
          produced = 0;
        }
      }
      // Behind: go on right after this turn's I/O; else wait for the timer.
      if (behind) driverNext = setImmediate(drive);
      else driver = setTimeout(drive, rate > 1000 ? 0 : 1);
    };
    driver = setTimeout(drive, 1);
  }

  const control: SimControl = {
    inject,
    step: (bookChanges) => liquidity.run(bookChanges),
    advance: (ms) => {
      if (!options.manualClock) throw new Error('advance() needs manualClock');
      manualNow += ms;
      exchange.advanceTo(manualNow);
    },
    setLiquidity: (running) => {
      liquidityOn = running;
    },
    placeOrder: (keyId, order) => exchange.createOrder(keyId, order),
    adjustCash: (keyId, delta) => exchange.adjustCash(keyId, delta),
    connections: () => connections.size,
    setTradingActive: (active) => {
      tradingActive = active;
    },
  };

  return {
    restUrl: `http://${host}:${port}/trade-api/v2`,
    wsUrl: `ws://${host}:${port}${WS_PATH}`,
    port,
    exchange,
    control,
    close: async () => {
      if (closed) return;
      closed = true;
      clearTimeout(driver);
      clearImmediate(driverNext);
      for (const t of timers) clearTimeout(t);
      connections.forEach((c) => c.drop());
      uWS.us_listen_socket_close(listenSocket);
      // Also every open HTTP keep-alive socket: in a worker thread, a socket left open when the
      // thread exits aborts the process (uv_loop_close with open handles). `close` exists at
      // run time in this uWS.js build but is missing from its type declarations.
      (app as unknown as { close(): void }).close();
    },
  };
}
