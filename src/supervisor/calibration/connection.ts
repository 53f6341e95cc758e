/**
 * Calibration step 1: can the host talk to the exchange, is the exchange open, and does the
 * local clock agree with it.
 *
 * - Reachable: GET /exchange/status through the REST client (signed, metered, priority budget);
 *   its round trip is the latency figure. Any failure — no answer, a non-2xx, a body of the wrong
 *   shape — counts as unreachable: the host cannot rely on an exchange it cannot read.
 * - Open: `exchange_active` (false: maintenance, no state change at all) and `trading_active`
 *   (false: the weekly pause, no new orders) — kalshi-api.md §4.3.
 * - Clock: the exchange's Date header (clock-skew.ts), probed only when the exchange answered.
 *
 * Status: fail when unreachable, not active, trading paused or the skew is beyond the limit
 * (each is a refuse reason, verdict.ts); warn when the skew could not be measured.
 */
import { performance } from 'node:perf_hooks';
import type { KalshiRestClient } from '../../shared/kalshi/rest/index.js';
import { measureClockSkew, skewBeyond } from './clock-skew.js';
import type { ClockSkew, ConnectionReport, StepStatus } from './report.js';

export interface ConnectionOptions {
  clock: () => number;
  maxClockSkewMs: number;
  /** The Date probe (tests); default: a plain fetch of the status endpoint. */
  measureSkew?: (statusUrl: string, clock: () => number) => Promise<ClockSkew>;
}

/** `…/trade-api/v2/exchange/status` of the client's base URL. */
export function statusUrlOf(rest: Pick<KalshiRestClient, 'base'>): string {
  return `${rest.base.origin}${rest.base.basePath}/exchange/status`;
}

const NOT_PROBED: ClockSkew = { measured: false, skewMs: null, lowMs: null, highMs: null, resolutionMs: 1000, rttMs: null, serverDate: null, error: 'not probed: the exchange did not answer' };

export async function checkConnection(rest: KalshiRestClient, o: ConnectionOptions): Promise<ConnectionReport> {
  const t0 = performance.now();
  try {
    const status = await rest.exchangeStatus({ priority: true });
    const latencyMs = Math.round(performance.now() - t0);
    const clock = await (o.measureSkew ?? measureClockSkew)(statusUrlOf(rest), o.clock);
    return {
      reachable: true, latencyMs, exchangeActive: status.exchangeActive, tradingActive: status.tradingActive,
      estimatedResumeMs: status.estimatedResumeMs ?? null, clock, maxClockSkewMs: o.maxClockSkewMs,
    };
  } catch (err) {
    return {
      reachable: false, latencyMs: null, exchangeActive: null, tradingActive: null, estimatedResumeMs: null, clock: { ...NOT_PROBED },
      maxClockSkewMs: o.maxClockSkewMs, error: err instanceof Error ? err.message : String(err),
    };
  }
}

/** Signed seconds with one decimal: +0.4 s, −12.0 s. */
export function formatSkew(ms: number): string {
  const tenths = Math.round(Math.abs(ms) / 100);
  return `${ms < 0 ? '−' : '+'}${Math.floor(tenths / 10)}.${tenths % 10} s`;
}

export function connectionStep(c: ConnectionReport): { status: StepStatus; summary: string } {
  if (!c.reachable) return { status: 'fail', summary: `exchange unreachable: ${c.error ?? 'no answer'}` };
  const parts = [`exchange answered in ${c.latencyMs} ms`, `exchange ${c.exchangeActive ? 'active' : 'NOT active'}`, `trading ${c.tradingActive ? 'active' : 'PAUSED'}`];
  const k = c.clock;
  const beyond = skewBeyond(k, c.maxClockSkewMs);
  parts.push(k.measured && k.skewMs !== null
    ? `clock skew ${formatSkew(k.skewMs)} (in [${formatSkew(k.lowMs!)}, ${formatSkew(k.highMs!)}]: the Date header counts whole seconds and may be cached; limit ${c.maxClockSkewMs} ms)${beyond ? ' BEYOND THE LIMIT' : ''}`
    : `clock skew not measured (${k.error ?? 'no Date header'})`);
  const status = !c.exchangeActive || !c.tradingActive || beyond ? 'fail' : k.measured ? 'ok' : 'warn';
  return { status, summary: parts.join('; ') };
}
