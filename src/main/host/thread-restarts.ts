/**
 * Restarts of dead threads, as the supervisor asks for them (architecture.md §6: thread
 * liveness). One restart at a time per thread; a request for a thread already being restarted
 * is dropped (the exit event and the silent heartbeat of one death arrive both). A thread that
 * dies more than `maxRestarts` times within `windowMs` is left down — a crash loop is not healed
 * by restarting faster — and said so once in the log and the journal. After `stop()` (the host
 * stopping) nothing is restarted.
 */
export interface ThreadRestartsOptions {
  restart: (name: string) => Promise<void>;
  log: (line: string) => void;
  journal: (event: 'restarted' | 'restart_failed' | 'restart_limit', detail: Record<string, unknown>) => void;
  /** Restarts allowed per thread within `windowMs` (default 5 in 10 minutes). */
  maxRestarts?: number;
  windowMs?: number;
  clock?: () => number;
}

export class ThreadRestarts {
  private readonly busy = new Set<string>();
  private readonly history = new Map<string, number[]>();
  private readonly gaveUp = new Set<string>();
  private stopped = false;
  private readonly maxRestarts: number;
  private readonly windowMs: number;
  private readonly clock: () => number;

  constructor(private readonly o: ThreadRestartsOptions) {
    this.maxRestarts = o.maxRestarts ?? 5;
    this.windowMs = o.windowMs ?? 600_000;
    this.clock = o.clock ?? Date.now;
  }

  /** Restart `name` (dead because `why`); resolves when done or given up (never rejects). */
  async request(name: string, why: string): Promise<void> {
    if (this.stopped || this.busy.has(name) || this.gaveUp.has(name)) return;
    const now = this.clock();
    const recent = (this.history.get(name) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.maxRestarts) {
      this.gaveUp.add(name);
      this.o.log(`${name} died ${recent.length + 1} times within ${Math.round(this.windowMs / 1000)} s: not restarted again`);
      this.o.journal('restart_limit', { name, why, deaths: recent.length + 1 });
      return;
    }
    recent.push(now);
    this.history.set(name, recent);
    this.busy.add(name);
    const t0 = this.clock();
    try {
      await this.o.restart(name);
      if (this.stopped) return;
      this.o.log(`${name} restarted (${this.clock() - t0} ms; it died: ${why})`);
      this.o.journal('restarted', { name, why, duration_ms: this.clock() - t0, restarts: recent.length });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.o.log(`${name} could not be restarted: ${message}`);
      this.o.journal('restart_failed', { name, why, message });
    } finally {
      this.busy.delete(name);
    }
  }

  /** Restarts so far of `name` within the window. */
  count(name: string): number {
    return this.history.get(name)?.length ?? 0;
  }

  stop(): void {
    this.stopped = true;
  }
}
