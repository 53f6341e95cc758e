/**
 * Clock skew between this host and the exchange, from the exchange's HTTP `Date` header.
 *
 * The REST client decodes bodies and does not expose headers, so the probe is one plain `fetch`
 * of the public GET /exchange/status (unsigned: nothing secret leaves).
 *
 * Resolution. `Date` (RFC 9110 IMF-fixdate) counts whole seconds: a header H means the exchange's
 * clock read somewhere in [H, H + 1000) when the header was made, and the reply was made somewhere
 * between the local send time s and receive time r. Servers also cache the header and refresh it
 * about once a second (uWebSockets.js, which serves the simulator, does; so do nginx and most
 * front ends), so it may be up to another second old. With skew = exchange − local:
 *
 *     skew ∈ [H − r, H + 1000 + CACHE_ALLOWANCE_MS − s)
 *
 * (a stale header only makes the exchange's clock later than it says, so the lower end holds
 * as is). The estimate is that interval's midpoint, whose error is at most 1 s + rtt/2. Against
 * the default limit of 2 s that is enough to catch a clock that is really off (a VM resumed from
 * suspend, a dead NTP daemon) without false alarms; a limit much below 2 s cannot be judged from
 * this header, and the report shows the interval so a reader can tell.
 */
import type { ClockSkew } from './report.js';

/** What one probe saw: the header and the local times around the request. */
export interface ClockSample {
  /** The Date header, verbatim; undefined when the reply had none. */
  serverDate: string | undefined;
  /** Local clock when the request left and when the reply's headers arrived, ms. */
  sentMs: number;
  receivedMs: number;
}

export const DATE_RESOLUTION_MS = 1000;
/** How old a cached Date header may be, ms (see the file comment). */
export const CACHE_ALLOWANCE_MS = 1000;

/** The skew interval and estimate of one sample (pure). */
export function skewOf(sample: ClockSample): ClockSkew {
  const rttMs = Math.max(0, sample.receivedMs - sample.sentMs);
  const serverDate = sample.serverDate ?? null;
  const h = serverDate === null ? NaN : Date.parse(serverDate);
  if (!Number.isFinite(h)) {
    return {
      measured: false, skewMs: null, lowMs: null, highMs: null, resolutionMs: DATE_RESOLUTION_MS, rttMs, serverDate,
      error: serverDate === null ? 'the reply had no Date header' : `unreadable Date header ${JSON.stringify(serverDate)}`,
    };
  }
  const lowMs = h - sample.receivedMs;
  const highMs = h + DATE_RESOLUTION_MS + CACHE_ALLOWANCE_MS - sample.sentMs;
  return { measured: true, skewMs: Math.round((lowMs + highMs) / 2), lowMs, highMs, resolutionMs: DATE_RESOLUTION_MS, rttMs, serverDate };
}

/**
 * GET `statusUrl` with a plain fetch and read its Date header. Never throws: a failed probe is a
 * sample without a header, and `skewOf` reports it unmeasured.
 */
export async function probeServerClock(statusUrl: string, clock: () => number, timeoutMs = 5_000): Promise<ClockSample & { error?: string }> {
  const sentMs = clock();
  try {
    const res = await fetch(statusUrl, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    const receivedMs = clock();
    await res.arrayBuffer().catch(() => undefined);
    return { serverDate: res.headers.get('date') ?? undefined, sentMs, receivedMs };
  } catch (err) {
    return { serverDate: undefined, sentMs, receivedMs: clock(), error: err instanceof Error ? err.message : String(err) };
  }
}

/** Probe and estimate in one call; a failed probe's error is kept in the result. */
export async function measureClockSkew(statusUrl: string, clock: () => number, timeoutMs?: number): Promise<ClockSkew> {
  const sample = await probeServerClock(statusUrl, clock, timeoutMs);
  const skew = skewOf(sample);
  if (sample.error !== undefined) skew.error = `Date probe failed: ${sample.error}`;
  return skew;
}

/** True when the estimate is beyond the limit (an unmeasured skew is never "beyond"). */
export function skewBeyond(skew: ClockSkew, maxClockSkewMs: number): boolean {
  return skew.measured && skew.skewMs !== null && Math.abs(skew.skewMs) > maxClockSkewMs;
}
