/**
 * The host's control interface (`--dashboard-host`:`--dashboard-port`; src/main/control-server.ts
 * serves it): `GET /supervisor` shows the host's state, `POST /kill` and `POST /kill/clear`
 * work the kill switch. An HTTP kill halts first and persists second: a data dir that cannot be
 * written must not keep the host trading (the reply says it was not persisted). A port that
 * cannot be bound is one log line, not a failed start: the kill switch still works through
 * `kalshi-actor kill`, which writes the file the host watches.
 *
 * Also: `GET /metrics` (Prometheus text, metrics.ts) and `GET /readyz` (200 while the host trades
 * or manages its positions, else 503 with the state and why), behind the same guard.
 */
import type { KillSwitchFile } from '../../supervisor/kill-switch.js';
import { startControlServer, type ControlRoute } from '../control-server.js';
import { METRICS_CONTENT_TYPE, prometheusMetrics, readiness, type MetricsInput } from './metrics.js';
import { stateStream, type StateStreamOptions } from './state-stream.js';
import type { SupervisorHandle } from './supervisor-handle.js';

export interface ControlInterfaceOptions {
  host: string;
  port: number;
  token: string | undefined;
  killFile: KillSwitchFile;
  supervisor: Pick<SupervisorHandle, 'killSwitch'>;
  /** What `GET /supervisor` answers (JSON-able). */
  state: () => unknown;
  /** What `GET /metrics` and `GET /readyz` are made of (absent: those routes are not served). */
  metrics?: () => MetricsInput;
  /** The WebSocket state stream at `/stream` (absent: not served). */
  stream?: Omit<StateStreamOptions, 'onError'>;
  log: (line: string) => void;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The control interface, or undefined when it could not start (logged). */
export async function openControlInterface(o: ControlInterfaceOptions): Promise<{ port: number; close(): Promise<void> } | undefined> {
  try {
    const metrics = o.metrics;
    const routes: ControlRoute[] = metrics === undefined ? [] : [
      { method: 'GET', path: '/metrics', handle: () => ({ status: 200, text: prometheusMetrics(metrics()), contentType: METRICS_CONTENT_TYPE }) },
      {
        method: 'GET', path: '/readyz', handle: () => {
          const r = readiness(metrics().supervisor);
          return { status: r.ready ? 200 : 503, json: r };
        },
      },
    ];
    const stream = o.stream === undefined ? undefined : stateStream({ ...o.stream, onError: (err) => o.log(`state stream: ${messageOf(err)}`) });
    const server = await startControlServer({
      host: o.host, port: o.port, token: o.token, routes, configure: stream?.configure,
      handlers: {
        state: o.state,
        kill: ({ reason, flatten, by }) => {
          const why = reason ?? 'kill switch (http)';
          o.supervisor.killSwitch({ reason: why, flatten });
          try {
            const k = o.killFile.engage({ reason: why, flatten, by });
            return { engaged: true, persisted: true, reason: k.reason, flatten: k.flatten };
          } catch (err) {
            o.log(`kill switch engaged but not persisted (${o.killFile.path}): ${messageOf(err)}`);
            return { engaged: true, persisted: false, reason: why, flatten, error: `not persisted: ${messageOf(err)}` };
          }
        },
        clear: () => {
          const was = o.killFile.clear();
          o.supervisor.killSwitch(undefined);
          return { cleared: was };
        },
      },
    });
    o.log(`control interface on http://${o.host}:${server.port} (GET /supervisor, ${metrics === undefined ? '' : 'GET /metrics, GET /readyz, '}${stream === undefined ? '' : 'WebSocket /stream, '}POST /kill, POST /kill/clear)`);
    return {
      port: server.port,
      close: async () => {
        stream?.stop();
        await server.close();
      },
    };
  } catch (err) {
    o.log(`control interface not started on ${o.host}:${o.port}: ${messageOf(err)} (the kill switch still works: kalshi-actor kill)`);
    return undefined;
  }
}
