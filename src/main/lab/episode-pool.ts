/**
 * Episodes fanned out over worker threads with piscina: one task per episode, the pool sized to
 * the machine (`os.availableParallelism()`, or `workers`), never more threads than episodes.
 *
 * Determinism: every episode is deterministic on its own (episode-types.ts), and the outcomes come
 * back in submission order whatever the order they finish in — so the report does not depend on
 * the number of threads or on scheduling.
 *
 * A failing episode does not stop the others: its outcome carries the error (first line) with
 * its spec, and the caller decides the exit code.
 *
 * The task module: from the compiled tree, `episode-task.js` beside this file; from the
 * TypeScript sources (vitest, tsx), `episode-task-boot.mjs`, which registers tsx in the worker
 * and then imports `episode-task.ts` (the same two steps as src/shared/worker-spawn.ts).
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { siblingModule } from '../../shared/worker-spawn.js';
import type { EpisodeResult, EpisodeSpec } from './episode-types.js';

export interface EpisodeOutcome {
  spec: EpisodeSpec;
  /** Set when the episode ran. */
  result?: EpisodeResult;
  /** Set when it failed: the error's first line. */
  error?: string;
}

export interface PoolOptions {
  /** Threads (default `os.availableParallelism()`); capped at the number of episodes. */
  workers?: number;
  /** Called as each episode finishes (in completion order): finished so far, the total, and the outcome. */
  onDone?: (finished: number, total: number, outcome: EpisodeOutcome) => void;
}

/** The piscina `filename` of the episode task: compiled JS directly, a `.ts` source through the tsx bootstrap. */
export function episodeTaskFile(importMetaUrl: string = import.meta.url): string {
  const task = siblingModule(importMetaUrl, './episode-task');
  return task.pathname.endsWith('.ts') ? new URL('./episode-task-boot.mjs', importMetaUrl).href : task.href;
}

/** Threads for `episodes` episodes: `workers` (or the machine's parallelism), at most `episodes`, at least 1. */
export function poolSize(episodes: number, workers?: number): number {
  return Math.max(1, Math.min(workers ?? availableParallelism(), episodes));
}

/**
 * A piscina pool of `threads` episode threads. Atomics off: a worker waits for its next task on
 * its event loop, so nothing an episode left pending (a policy's session being released) is
 * frozen between tasks.
 */
function episodePiscina(threads: number, idleTimeoutMs: number): Piscina<EpisodeSpec, EpisodeResult> {
  return new Piscina<EpisodeSpec, EpisodeResult>({ filename: episodeTaskFile(), minThreads: threads, maxThreads: threads, atomics: 'disabled', idleTimeout: idleTimeoutMs });
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0] || (e instanceof Error ? e.name : 'error');
}

/** Run every spec, one piscina task each; outcomes in the order of `specs`. */
export async function runEpisodes(specs: readonly EpisodeSpec[], o: PoolOptions = {}): Promise<EpisodeOutcome[]> {
  if (specs.length === 0) return [];
  const pool = episodePiscina(poolSize(specs.length, o.workers), 1_000);
  const outcomes: EpisodeOutcome[] = new Array(specs.length);
  let finished = 0;
  try {
    await Promise.all(
      specs.map((spec, i) =>
        pool.run(spec).then(
          (result) => {
            outcomes[i] = { spec, result };
          },
          (e: unknown) => {
            outcomes[i] = { spec, error: firstLine(e) };
          },
        ).then(() => {
          finished++;
          o.onDone?.(finished, specs.length, outcomes[i]);
        }),
      ),
    );
  } finally {
    await pool.destroy();
  }
  return outcomes;
}

/** An evaluator over one piscina pool of episode tasks, kept for the whole training. */
export interface PoolEvaluator {
  evaluate: (specs: EpisodeSpec[]) => Promise<EpisodeResult[]>;
  threads: number;
  close(): Promise<void>;
}

/** The episode pool: `workers` threads (default: the machine's parallelism), at most `maxEpisodesPerCall`. */
export function openEpisodePool(workers: number | undefined, maxEpisodesPerCall: number): PoolEvaluator {
  const threads = poolSize(maxEpisodesPerCall, workers ?? availableParallelism());
  const pool = episodePiscina(threads, 60_000);
  return {
    threads,
    evaluate: async (specs) => {
      const settled = await Promise.allSettled(specs.map((s) => pool.run(s)));
      return settled.map((s, i) => {
        if (s.status === 'fulfilled') return s.value;
        const reason = s.reason instanceof Error ? s.reason.message : String(s.reason);
        throw new Error(`episode on seed ${specs[i].seed} failed: ${reason.split('\n')[0]}`);
      });
    },
    close: () => pool.destroy(),
  };
}
