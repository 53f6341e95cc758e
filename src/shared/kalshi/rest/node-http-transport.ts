/**
 * node:http / node:https with a keep-alive Agent: the same contract as `UndiciTransport`
 * (transport.ts), for the benchmark comparison and as a fallback. Not the default: undici was
 * faster against the simulator (bench/kalshi/rest-transport.bench.ts).
 */
import http from 'node:http';
import https from 'node:https';
import type { KalshiCredentials } from '../../kalshi-signing.js';
import type { RestBase } from './environments.js';
import {
  checkTimeout, DEFAULT_CONNECTIONS, DEFAULT_KEEP_ALIVE_MS, requestHeaders, requestTarget, transportFailure,
  type RestReply, type RestRequest, type RestTransport, type TransportOptions,
} from './transport.js';

export class NodeHttpTransport implements RestTransport {
  readonly kind = 'node:http' as const;
  readonly base: RestBase;
  readonly #agent: http.Agent;
  readonly #module: typeof http | typeof https;
  readonly #host: string;
  readonly #port: number | undefined;
  readonly #credentials: KalshiCredentials | undefined;

  constructor(base: RestBase, options: TransportOptions = {}) {
    this.base = base;
    this.#credentials = options.credentials;
    const tls = base.protocol === 'https:';
    this.#module = tls ? https : http;
    const agentOptions: http.AgentOptions = {
      keepAlive: true,
      maxSockets: options.connections ?? DEFAULT_CONNECTIONS,
      // Idle sockets are closed after this long (keepAliveMsecs is only the TCP probe delay).
      timeout: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_MS,
    };
    this.#agent = tls ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    const url = new URL(base.origin);
    this.#host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.#port = url.port === '' ? undefined : Number(url.port);
  }

  async send(request: RestRequest, timeoutMs: number, onSent?: () => void): Promise<RestReply> {
    checkTimeout(timeoutMs);
    const { path, target } = requestTarget(this.base, request);
    return new Promise<RestReply>((resolve, reject) => {
      let timedOut = false;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (err: unknown, reply?: RestReply): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (reply !== undefined) resolve(reply);
        else reject(transportFailure(request.method, path, err, timedOut));
      };
      const req = this.#module.request(
        {
          host: this.#host,
          port: this.#port,
          method: request.method,
          path: target,
          headers: requestHeaders(this.#credentials, request.method, path, request.body),
          agent: this.#agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => finish(err));
          res.on('aborted', () => finish(new Error('response aborted')));
        },
      );
      timer = setTimeout(() => {
        timedOut = true;
        req.destroy(new Error('timeout'));
      }, timeoutMs);
      req.on('error', (err) => finish(err));
      req.end(request.body);
      onSent?.();
    });
  }

  async close(): Promise<void> {
    this.#agent.destroy();
  }

  toString(): string {
    return `NodeHttpTransport { origin: '${this.base.origin}' }`;
  }
}
