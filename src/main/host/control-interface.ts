/**
 * The host's control interface (`--dashboard-host`:`--dashboard-port`; src/main/control-server.ts
 * serves it): `GET /supervisor` shows the host's state, `POST /kill` and `POST /kill/clear`
 * work the kill switch. An HTTP kill halts first and persists second: a data dir that cannot be
 * written must not keep the host trading (the reply says it was not persisted). A port that
 * cannot be bound is one log line, not a failed start: the kill switch still works through
 * `kalshi-actor kill`, which writes the file the host watches.
 *
 * Also: `GET /metrics` (Prometheus text, metrics.ts) and `GET /readyz` (200 while the host trades
 * or manages its positions, else 503 with the state and why), behind the same guard; the
 * dashboard page (`GET /`, web/) with its WebSocket stream, and the operator's actions on a
 * market (`POST /markets/disable`, `/markets/enable`) and an order group (`POST
 * /order-groups/reset`). Every action needs the control token (docs/dashboard.md).
 */
import type { KillSwitchFile } from '../../supervisor/kill-switch.js';
import { ControlHttpError, jsonObjectBody, startControlServer, type ControlRequest, type ControlRoute } from '../control-server.js';
import { dashboardRoutes } from './dashboard-page.js';
import { METRICS_CONTENT_TYPE, prometheusMetrics, readiness, type MetricsInput } from './metrics.js';
import { stateStream, type StateStreamOptions } from './state-stream.js';
import type { SupervisorHandle } from './supervisor-handle.js';

export interface ControlInterfaceOptions {
  host: string;
  port: number;
  token: string | undefined;
  /** Without `token`: the token actions need (control-token.ts). */
  actionToken?: string;
  killFile: KillSwitchFile;
  supervisor: Pick<SupervisorHandle, 'killSwitch'>;
  /** What `GET /supervisor` answers (JSON-able). */
  state: () => unknown;
  /** What `GET /metrics` and `GET /readyz` are made of (absent: those routes are not served). */
  metrics?: () => MetricsInput;
  /** The WebSocket state stream at `/stream` (absent: not served). */
  stream?: Omit<StateStreamOptions, 'onError'>;
  /** Serve the dashboard page (web/) at `GET /`. */
  page?: boolean;
  /** The operator's market and order-group actions (absent: not served). */
  operator?: OperatorActions;
  log: (line: string, level?: 'info' | 'warn' | 'error') => void;
}

/** What the operator may do from the dashboard; each throws ControlHttpError 400/409 on a request it refuses. */
export interface OperatorActions {
  disableMarket(ticker: string, reason: string | undefined): unknown;
  enableMarket(ticker: string): unknown;
  resetGroup(id: string): unknown;
}

/** A required non-empty string field of an action's body. */
function stringField(body: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const v = body[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 200) throw new ControlHttpError(400, `"${name}" must be a non-empty string (at most 200 characters)`);
  return v;
}

function operatorRoutes(ops: OperatorActions): ControlRoute[] {
  const post = (path: string, fields: string[], act: (body: Record<string, unknown>) => unknown): ControlRoute => ({
    method: 'POST', path, handle: async (req: ControlRequest) => {
      const result = await act(jsonObjectBody(req, fields));
      return { status: 200, json: result === undefined ? { ok: true } : result };
    },
  });
  return [
    post('/markets/disable', ['ticker', 'reason'], (b) => ops.disableMarket(stringField(b, 'ticker', true)!, stringField(b, 'reason', false))),
    post('/markets/enable', ['ticker'], (b) => ops.enableMarket(stringField(b, 'ticker', true)!)),
    post('/order-groups/reset', ['id'], (b) => ops.resetGroup(stringField(b, 'id', true)!)),
  ];
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
    if (o.operator !== undefined) routes.push(...operatorRoutes(o.operator));
    let page = false;
    if (o.page === true) {
      try {
        routes.push(...dashboardRoutes());
        page = true;
      } catch (err) {
        o.log(`dashboard page not served: ${messageOf(err)}`, 'warn');
      }
    }
    const stream = o.stream === undefined ? undefined : stateStream({ ...o.stream, onError: (err) => o.log(`state stream: ${messageOf(err)}`, 'warn') });
    const server = await startControlServer({
      host: o.host, port: o.port, token: o.token, actionToken: o.actionToken, routes, configure: stream?.configure,
      handlers: {
        state: o.state,
        kill: ({ reason, flatten, by }) => {
          const why = reason ?? 'kill switch (http)';
          o.supervisor.killSwitch({ reason: why, flatten });
          try {
            const k = o.killFile.engage({ reason: why, flatten, by });
            return { engaged: true, persisted: true, reason: k.reason, flatten: k.flatten };
          } catch (err) {
            o.log(`kill switch engaged but not persisted (${o.killFile.path}): ${messageOf(err)}`, 'error');
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
    const served = [
      page ? 'dashboard GET /' : '', 'GET /supervisor', metrics === undefined ? '' : 'GET /metrics, GET /readyz', stream === undefined ? '' : 'WebSocket /stream',
      'POST /kill, POST /kill/clear', o.operator === undefined ? '' : 'POST /markets/disable, /markets/enable, /order-groups/reset',
    ].filter((s) => s !== '').join(', ');
    o.log(`control interface on http://${o.host}:${server.port} (${served})`);
    return {
      port: server.port,
      close: async () => {
        stream?.stop();
        await server.close();
      },
    };
  } catch (err) {
    o.log(`control interface not started on ${o.host}:${o.port}: ${messageOf(err)} (the kill switch still works: kalshi-actor kill)`, 'warn');
    return undefined;
  }
}
