/**
 * The simulator in this process for the REST client's tests: one or two signed keys, no
 * background liquidity (books stand still), real time, and a Prestige budget on the simulator's
 * side so that its own buckets never get in the way unless a test wants them to.
 */
import { KalshiCredentials } from '../../../../src/shared/kalshi-signing.js';
import { KalshiRestClient, restBase, UndiciTransport, type KalshiRestSettings, type RestReply, type RestRequest, type RestTransport } from '../../../../src/shared/kalshi/rest/index.js';
import { startSimulator, type Simulator, type StartSimulatorOptions } from '../../../../src/sim/simulator.js';
import type { MarketState } from '../../../../src/sim/engine/types.js';
import { makeKey, type TestKey } from '../../../support/sim-client.js';

export interface RestSim {
  sim: Simulator;
  key: TestKey;
  credentials: KalshiCredentials;
  /** A new client on this simulator (closed by `close`). */
  client(settings?: Partial<KalshiRestSettings>): KalshiRestClient;
  /** A client whose requests go through a RecordingTransport (undici underneath). */
  recording(settings?: Partial<KalshiRestSettings>): { client: KalshiRestClient; transport: RecordingTransport };
  close(): Promise<void>;
}

export async function startRestSim(options: Partial<StartSimulatorOptions> = {}): Promise<RestSim> {
  const key = makeKey('rest-key-1');
  const sim = await startSimulator({ keys: [key], port: 0, markets: 20, rate: 0, seed: 11, tier: 'prestige', ...options });
  const credentials = new KalshiCredentials(key.keyId, key.privateKey);
  const clients: KalshiRestClient[] = [];
  return {
    sim,
    key,
    credentials,
    client(settings = {}) {
      const c = new KalshiRestClient({ baseUrl: sim.restUrl, credentials, tier: 'prestige', ...settings });
      clients.push(c);
      return c;
    },
    recording(settings = {}) {
      const transport = new RecordingTransport(new UndiciTransport(restBase(sim.restUrl), { credentials }));
      const c = new KalshiRestClient({ baseUrl: sim.restUrl, tier: 'prestige', ...settings, transport });
      clients.push(c);
      return { client: c, transport };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    },
  };
}

/** An active whole-cent market that stays open the longest. */
export function tradableMarket(sim: Simulator): MarketState {
  const open = sim.exchange.markets().filter((m) => m.status === 'active' && m.grid.levelCount === 101);
  if (open.length === 0) throw new Error('no active whole-cent market in the simulator');
  return open.reduce((a, b) => (b.closeMs > a.closeMs ? b : a));
}

/** The account's orders carrying `clientOrderId`, straight from the exchange. */
export function ordersWithClientId(sim: Simulator, keyId: string, clientOrderId: string) {
  return sim.exchange.listOrders(keyId).filter((o) => o.clientOrderId === clientOrderId);
}

/** A transport that records every request and its status, and can act before or after a send. */
export class RecordingTransport implements RestTransport {
  readonly calls: Array<{ method: string; path: string; query: string; body?: string; status: number | 'lost' }> = [];
  /** Runs before a request is handed on; may throw (e.g. a KalshiTransportError) to simulate a loss. */
  before: ((request: RestRequest) => void) | undefined;
  /** Runs after an answer arrived. */
  after: ((request: RestRequest, reply: RestReply) => void) | undefined;

  constructor(readonly inner: RestTransport) {}

  get kind() {
    return this.inner.kind;
  }

  get base() {
    return this.inner.base;
  }

  async send(request: RestRequest, timeoutMs: number, onSent?: () => void): Promise<RestReply> {
    const entry: (typeof this.calls)[number] = { method: request.method, path: request.path, query: request.query, status: 'lost' };
    if (request.body !== undefined) entry.body = request.body;
    this.calls.push(entry);
    this.before?.(request);
    const reply = await this.inner.send(request, timeoutMs, onSent);
    entry.status = reply.status;
    this.after?.(request, reply);
    return reply;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Calls to `method path` (path relative to the base). */
  count(method: string, path: string): number {
    return this.calls.filter((c) => c.method === method && c.path === path).length;
  }
}
