/**
 * The parent side of the benchmark's simulator process (./sim-child.ts): forks it, waits for
 * it to listen, asks it for its figures, and stops it.
 *
 * The child is the file beside this one with this module's own extension: `.ts` under tsx or
 * vitest (forked with `--import tsx`), `.js` in the build (`dist/src/main/bench/`, no loader).
 * Its stdout is dropped and its stderr is ours (a start-up failure is one line there, and
 * comes back in the rejection too).
 *
 * The child never outlives us: it stops when the IPC channel closes (whatever way we end), and
 * a normal exit of ours also SIGKILLs it synchronously.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimChildConfig, SimChildMessage, SimChildRequest, SimStats } from './sim-child.js';

export type { SimChildConfig, SimStats } from './sim-child.js';

/** Start-up limit, ms (the child imports the simulator and, under tsx, compiles it). */
const DEFAULT_TIMEOUT_MS = 60_000;
/** How long `stop()` waits for a clean exit before SIGKILL, ms. */
const STOP_GRACE_MS = 10_000;

const fromSource = import.meta.url.endsWith('.ts');
const CHILD_ENTRY = fileURLToPath(new URL(fromSource ? './sim-child.ts' : './sim-child.js', import.meta.url));

export class SimProcess {
  private readonly waiters: Array<{ resolve: (s: SimStats) => void; reject: (e: Error) => void }> = [];
  /** Answers to `liquidity` and `watch`, in the order asked. */
  private readonly replies: Array<{ resolve: (m: SimChildMessage) => void; reject: (e: Error) => void }> = [];
  private readonly exited: Promise<void>;
  private stopped: Promise<void> | undefined;
  private exitedWith: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly restUrl: string,
    readonly wsUrl: string,
    /** The simulator's listening port. */
    readonly port: number,
  ) {
    child.on('message', (m: SimChildMessage) => {
      if (m.type === 'liquidity' || m.type === 'watching' || m.type === 'injected') {
        this.replies.shift()?.resolve(m);
        return;
      }
      if (m.type !== 'stats') return;
      const { type: _type, ...stats } = m;
      this.waiters.shift()?.resolve(stats);
    });
    this.exited = new Promise((resolve) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        this.exitedWith = signal !== null ? `signal ${signal}` : `code ${code}`;
        for (const w of [...this.waiters.splice(0), ...this.replies.splice(0)]) w.reject(new Error(`simulator process exited (${this.exitedWith})`));
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
      else child.once('exit', onExit);
    });
  }

  /** The child's process id (for tests and diagnostics). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /**
   * Fork the simulator and resolve once it listens. Rejects (after killing the child) when it
   * exits first — with its own reason when it gave one — or is not ready within `timeoutMs`.
   */
  static start(config: SimChildConfig, opts: { timeoutMs?: number; cpuProfileDir?: string } = {}): Promise<SimProcess> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const execArgv = fromSource ? ['--import', 'tsx'] : [];
    // A V8 CPU profile of the simulator, written when it exits normally (`stop`).
    if (opts.cpuProfileDir !== undefined) execArgv.push('--cpu-prof', '--cpu-prof-dir', opts.cpuProfileDir);
    const child = fork(CHILD_ENTRY, [JSON.stringify(config)], {
      execArgv,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    // Our normal exit (process.exit included) kills the child; 'exit' handlers must be synchronous.
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.on('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    // A send on a channel closing under us emits 'error'; the exit handling reports the failure.
    child.on('error', () => {});

    return new Promise<SimProcess>((resolve, reject) => {
      let reason: string | undefined;
      const timer = setTimeout(() => {
        finish();
        child.kill('SIGKILL');
        reject(new Error(`simulator process: not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (m: SimChildMessage): void => {
        if (m.type === 'failed') reason = m.message;
        else if (m.type === 'ready') {
          finish();
          resolve(new SimProcess(child, m.restUrl, m.wsUrl, m.port));
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        finish();
        const how = signal !== null ? `signal ${signal}` : `code ${code}`;
        reject(new Error(`simulator process exited (${how}) before it was ready${reason !== undefined ? `: ${reason}` : ''}`));
      };
      const finish = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  /** The child's figures now (cumulative since it started). Rejects once it has exited. */
  stats(): Promise<SimStats> {
    if (this.exitedWith !== undefined || !this.child.connected) {
      return Promise.reject(new Error(`simulator process exited (${this.exitedWith ?? 'channel closed'})`));
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.child.send({ type: 'stats' } satisfies SimChildRequest);
    });
  }

  /** Stop (false) or restart (true) the simulator's synthetic participants; resolves once it did. */
  async setLiquidity(running: boolean): Promise<void> {
    await this.request({ type: 'liquidity', running });
  }

  /** Count from now on the book changes of these markets only (`SimStats.watchedChanges`); resolves with how many it knows. */
  async watch(tickers: readonly string[]): Promise<{ markets: number; unknown: string[] }> {
    const m = await this.request({ type: 'watch', tickers: [...tickers] });
    return m.type === 'watching' ? { markets: m.markets, unknown: m.unknown } : { markets: 0, unknown: [] };
  }

  /** A fault now (src/sim/faults.ts syntax); rejects with the simulator's reason when it refused it. */
  async inject(fault: string): Promise<void> {
    const m = await this.request({ type: 'inject', fault });
    if (m.type === 'injected' && m.error !== undefined) throw new Error(`simulator refused fault '${fault}': ${m.error}`);
  }

  private request(m: SimChildRequest): Promise<SimChildMessage> {
    if (this.exitedWith !== undefined || !this.child.connected) {
      return Promise.reject(new Error(`simulator process exited (${this.exitedWith ?? 'channel closed'})`));
    }
    return new Promise((resolve, reject) => {
      this.replies.push({ resolve, reject });
      this.child.send(m);
    });
  }

  /** Ask the child to stop; SIGKILL after 10 s. Idempotent; resolves once it has exited. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (this.exitedWith !== undefined) return;
      if (this.child.connected) this.child.send({ type: 'stop' } satisfies SimChildRequest);
      else this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    })();
    return this.stopped;
  }
}
