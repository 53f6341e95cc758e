/**
 * The host's state as a WebSocket stream on the control interface (`GET /stream`, upgraded):
 * the dashboard's live feed. On connect a client gets `{"type":"hello", …}` with the whole state
 * (the calibration report included), then `{"type":"state", …}` every `intervalMs` with the
 * figures that move (supervisor, totals). Computed once per tick for all clients (uWS publish
 * to one topic), and not at all while nobody listens.
 *
 * The upgrade goes through the control interface's guard (control-server.ts): loopback Host and
 * same-origin without a token; with a token, `Authorization: Bearer <token>` — or, since a
 * browser cannot set that header on a WebSocket, `?token=<token>` in the URL. Clients only
 * listen: a message from one is ignored. A client too slow to keep up (more than 1 MiB queued)
 * is disconnected rather than buffered without bound.
 */
import type uWS from 'uWebSockets.js';
import { percentileNs, type LatencySnapshot } from '../../shared/latency-histogram.js';
import type { ControlGuard } from '../control-server.js';
import type { StatusTotals } from './status-line.js';

export const STREAM_PATH = '/stream';
const TOPIC = 'state';
/** Backpressure limit per client, bytes. */
const MAX_BACKPRESSURE = 1 << 20;

export interface StateStreamOptions {
  /** The state to send: `full` for a new client (with the calibration report), else the moving figures. JSON-able. */
  snapshot(full: boolean): unknown;
  /** Between two broadcasts, ms (default 1000). */
  intervalMs?: number;
  /** A snapshot that failed, a send that threw. */
  onError?: (err: unknown) => void;
}

export interface StateStream {
  /** For ControlServerOptions.configure. */
  configure(app: uWS.TemplatedApp, guard: ControlGuard): void;
  /** Clients connected now. */
  clients(): number;
  /** Stop broadcasting (the server's close ends the connections). */
  stop(): void;
}

/** A latency histogram as the stream carries it: µs figures since the start, not 656 buckets. */
function latencyFigures(s: LatencySnapshot | undefined): { count: number; p50Us: number | null; p99Us: number | null; maxUs: number | null } | null {
  if (s === undefined) return null;
  const us = (q: number) => (s.total === 0 ? null : percentileNs(s, q) / 1000);
  return { count: s.total, p50Us: us(0.5), p99Us: us(0.99), maxUs: s.total === 0 ? null : s.maxNs / 1000 };
}

/** The status totals for the stream: counts and money as they are (µ$ integers), latencies as figures. */
export function streamTotals(t: StatusTotals): Record<string, unknown> {
  const { decisionLatency, wireLatency, ...rest } = t;
  return { ...rest, decisionLatency: latencyFigures(decisionLatency), wireLatency: latencyFigures(wireLatency) };
}

export function stateStream(o: StateStreamOptions): StateStream {
  const intervalMs = o.intervalMs ?? 1_000;
  if (!(intervalMs >= 10)) throw new RangeError(`state stream: interval must be at least 10 ms, got ${intervalMs}`);
  let app: uWS.TemplatedApp | undefined;
  let clients = 0;
  let timer: NodeJS.Timeout | undefined;
  const message = (type: 'hello' | 'state'): string | undefined => {
    try {
      return JSON.stringify({ type, at_ms: Date.now(), ...(o.snapshot(type === 'hello') as object) });
    } catch (err) {
      o.onError?.(err);
      return undefined;
    }
  };
  const tick = (): void => {
    if (app === undefined || clients === 0) return;
    const text = message('state');
    if (text !== undefined) app.publish(TOPIC, text, false);
  };
  return {
    configure(a, guard) {
      app = a;
      a.ws<Record<string, never>>(STREAM_PATH, {
        maxBackpressure: MAX_BACKPRESSURE,
        closeOnBackpressureLimit: 1, // typed as a number here: non-zero closes a client past maxBackpressure
        upgrade: (res, req, context) => {
          const headers = new Map<string, string>();
          req.forEach((k, v) => {
            if (!headers.has(k)) headers.set(k, v);
          });
          const token = new URLSearchParams(req.getQuery() ?? '').get('token');
          if (token !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
          const refused = guard((name) => headers.get(name.toLowerCase()));
          if (refused !== undefined) {
            res.cork(() => {
              res.writeStatus(`${refused.status} ${refused.status === 401 ? 'Unauthorized' : 'Forbidden'}`);
              res.writeHeader('content-type', 'application/json');
              res.end(JSON.stringify(refused.json ?? { error: 'refused' }));
            });
            return;
          }
          res.upgrade({}, headers.get('sec-websocket-key') ?? '', headers.get('sec-websocket-protocol') ?? '', headers.get('sec-websocket-extensions') ?? '', context);
        },
        open: (ws) => {
          clients++;
          ws.subscribe(TOPIC);
          const text = message('hello');
          if (text !== undefined) ws.send(text, false);
          if (timer === undefined) {
            timer = setInterval(tick, intervalMs);
            timer.unref();
          }
        },
        close: () => {
          clients--;
          if (clients === 0 && timer !== undefined) {
            clearInterval(timer);
            timer = undefined;
          }
        },
      });
    },
    clients: () => clients,
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      app = undefined;
    },
  };
}
