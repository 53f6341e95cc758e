/**
 * The signer thread's contract with the thread that starts it (threaded topology), and
 * `startSigner`, the main thread's handle on it. Kept apart from worker.ts, which runs on import.
 *
 * The signer keeps a `PresignedSignatures` pool (src/shared/presigned-signatures.ts) full of
 * fresh signatures for the order-entry paths, so that the execution thread sends orders without
 * signing them itself. It is an optimization only: when it is not running (not started, stopped,
 * dead), takes from the pool miss and the execution thread signs inline, as without a pool.
 *
 * `workerData` (structured-cloneable): the pool's `shared` handle, the private key as a
 * `KeyObject` (it crosses threads in workerData; it is never logged or posted back), the pool's
 * max age. Messages, worker → parent: {type:'started'} once running; {type:'fatal', message}
 * when it failed (never key material), then it exits; {type:'stopped'} after a stop, then it
 * exits. Parent → worker: {type:'stop'}.
 */
import type { KeyObject } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { PresignedSignaturesShared } from '../../shared/presigned-signatures.js';
import { siblingModule, spawnWorker } from '../../shared/worker-spawn.js';

export interface SignerWorkerData {
  pool: PresignedSignaturesShared;
  privateKey: KeyObject;
  /** How old a pre-signed timestamp may be when used, ms: slots older than half of it are re-signed. */
  maxAgeMs: number;
  /** The longest wait between two fills when nothing is taken, ms (default `signerPace(…).idleWaitMs`). */
  idleWaitMs?: number;
}

export type SignerWorkerMessage = { type: 'started' } | { type: 'stopped' } | { type: 'fatal'; message: string };
export type SignerWorkerCommand = { type: 'stop' };

/**
 * How the signer paces refreshes of unused slots: it wakes every `idleWaitMs` (or at once on a
 * miss, or when a target runs low: PresignedSignatures.take) and re-signs at most `refreshesPerRound` stale slots each time — enough to
 * re-sign every slot within a quarter of the max age (a slot is stale from half of it on, so none
 * reaches the max age unrefreshed), spread out rather than in one burst of `slots` signatures
 * (~300 µs of CPU each: 16 at once is ~5 ms that a 2-vCPU machine takes from the other threads).
 * 16 slots, 1 s: one refresh every ~15 ms at most, ~32 a second in the steady state.
 */
export function signerPace(maxAgeMs: number, slots: number): { idleWaitMs: number; refreshesPerRound: number } {
  const idleWaitMs = Math.max(5, Math.floor(maxAgeMs / (4 * slots)));
  return { idleWaitMs, refreshesPerRound: Math.max(1, Math.ceil((slots * idleWaitMs) / (maxAgeMs / 4))) };
}

/** Spawns the signer worker (worker.ts beside this module, .ts under tests or tsx, .js from dist). */
export function startSignerWorker(data: SignerWorkerData): Worker {
  return spawnWorker(siblingModule(import.meta.url, './worker'), { workerData: data });
}

export interface SignerHandle {
  readonly threadId: number;
  /** Resolves once the thread runs; rejects when it failed or exited first. */
  readonly started: Promise<void>;
  /** Whether the thread has exited. */
  exited(): boolean;
  /** Stop the thread (terminated after `timeoutMs`, default 2000); resolves once it has exited. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface SignerOptions extends SignerWorkerData {
  log?: (line: string) => void;
  /** The thread exited without having been asked to stop (orders are then signed inline). */
  onUnexpectedExit?: (why: string) => void;
}

/** Start the signer thread; it fills the pool at once. */
export function startSigner(o: SignerOptions): SignerHandle {
  const { log, onUnexpectedExit, ...data } = o;
  const worker = startSignerWorker(data);
  let exited = false;
  let stopAsked = false;
  let lastFailure = '';
  let stopping: Promise<void> | undefined;
  const exitWaiters: Array<() => void> = [];
  let markStarted: () => void = () => undefined;
  let failStart: (e: Error) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    failStart = reject;
  });
  started.catch(() => undefined); // a caller that does not wait for the start is told through onUnexpectedExit
  worker.on('message', (m: SignerWorkerMessage) => {
    if (m?.type === 'started') markStarted();
    if (m?.type === 'fatal') {
      lastFailure = m.message;
      log?.(`signer: ${m.message}`);
    }
  });
  worker.on('error', (err) => {
    lastFailure = err.message;
    log?.(`signer thread failed: ${err.message}`);
  });
  worker.on('exit', (code) => {
    exited = true;
    failStart(new Error(`the signer thread exited at start-up (exit code ${code}${lastFailure === '' ? '' : `: ${lastFailure}`})`));
    for (const w of exitWaiters.splice(0)) w();
    if (!stopAsked) onUnexpectedExit?.(`exit code ${code}${lastFailure === '' ? '' : `: ${lastFailure}`}`);
  });
  return {
    threadId: worker.threadId,
    started,
    exited: () => exited,
    stop(timeoutMs = 2_000) {
      stopAsked = true;
      stopping ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        exitWaiters.push(resolve);
        const timer = setTimeout(() => void worker.terminate(), timeoutMs);
        timer.unref();
        exitWaiters.push(() => clearTimeout(timer));
        const command: SignerWorkerCommand = { type: 'stop' };
        worker.postMessage(command);
      });
      return stopping;
    },
  };
}
