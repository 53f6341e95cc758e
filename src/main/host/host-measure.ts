/**
 * The host's figures taken at one moment, for the benchmark (`kalshi-actor bench`): every
 * stage's latest stats asked of its thread just now (not the once-a-second copies), the
 * memory of the process and of each thread's heap, and the shared memory it allocated.
 * Cumulative since the start: a window is the difference of two measures
 * (src/main/bench/host-window.ts).
 */
import type { ExecutionSummary } from './execution-handle.js';
import type { InferenceStats } from '../../workers/inference/inference-stats.js';
import type { MarketDataStats } from '../../workers/market-data/market-data-stage.js';

export interface HostMeasure {
  /** When it was taken (clock.ts monoNs), after every thread answered. */
  atNs: number;
  marketData: MarketDataStats[];
  inference: InferenceStats[];
  execution: ExecutionSummary | undefined;
  /** Threads that did not answer in time (their last periodic stats are used instead). */
  late: string[];
  memory: {
    rssBytes: number;
    /** V8 heap in use: the main thread's plus every worker's last report (the supervisor thread's excluded). */
    heapUsedBytes: number;
    /** SharedArrayBuffers of the books, rings, boards and heartbeats. */
    sharedBytes: number;
  };
  /** process.cpuUsage() at `atNs`, µs (all threads of the process). */
  cpuUs: number;
}

/**
 * Bytes of the distinct SharedArrayBuffers reachable from `roots` through plain objects and
 * arrays (the `shared` handles the stores hand to workers). Counted once each.
 */
export function sharedBytesOf(roots: readonly unknown[]): number {
  const seen = new Set<unknown>();
  let bytes = 0;
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || seen.has(v) || depth > 6) return;
    seen.add(v);
    if (v instanceof SharedArrayBuffer) {
      bytes += v.byteLength;
      return;
    }
    if (ArrayBuffer.isView(v)) {
      visit(v.buffer, depth + 1);
      return;
    }
    if (v instanceof ArrayBuffer) return;
    for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  return bytes;
}
