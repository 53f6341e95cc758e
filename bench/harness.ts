/**
 * Micro-benchmark suites: one file per hot function under `bench/`, mirroring `src/`, named
 * `*.bench.ts`, whose default export is a suite built with `defineSuite` (or an array of them,
 * when each needs its own threads alive only while it runs).
 *
 * A task body usually runs a batch of `opsPerCall` operations, because one sub-microsecond
 * operation is smaller than the timer's own cost; the runner (`bench/micro.ts`) divides by it
 * and reports nanoseconds per operation.
 */
export interface MicroTask {
  /** What is measured, e.g. `parsePrice "0.5600"`. */
  name: string;
  /** Operations performed by one call of `fn`. */
  opsPerCall: number;
  fn: () => void | Promise<void>;
}

export interface MicroSuite {
  /** The hot function or module, e.g. `fixed-point`. */
  name: string;
  /** Created lazily so that a suite's setup (threads, buffers) happens only when it runs. */
  tasks: () => MicroTask[] | Promise<MicroTask[]>;
  /** Releases what `tasks` set up (threads, sockets). */
  teardown?: () => void | Promise<void>;
}

export function defineSuite(suite: MicroSuite): MicroSuite {
  return suite;
}

/** Keeps a value alive so the JIT cannot drop the computation that produced it. */
export let sink: unknown;
export function consume(value: unknown): void {
  sink = value;
}
