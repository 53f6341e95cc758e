/**
 * Spawning worker threads from either the compiled tree (`dist/**.js`) or the TypeScript
 * sources (`src/**.ts`, under vitest or `tsx`).
 *
 * Node 20 cannot load a `.ts` file as a worker entry, and `--import tsx` in a worker's
 * `execArgv` registers its hooks too late for the entry module itself. So a `.ts` entry is
 * started through a two-line bootstrap that registers tsx first and then imports the entry.
 * Compiled `.js` entries are started directly, with no loader and no extra start-up cost.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The URL of a module that sits beside `importMetaUrl`, with the same extension as the caller
 * (`.ts` when running from sources, `.js` when running from `dist`).
 *
 * @param importMetaUrl the caller's `import.meta.url`
 * @param relativePathWithoutExtension for example `'./ring-worker'`
 */
export function siblingModule(importMetaUrl: string, relativePathWithoutExtension: string): URL {
  const ext = extname(fileURLToPath(importMetaUrl)) || '.js';
  return new URL(`${relativePathWithoutExtension}${ext}`, importMetaUrl);
}

let tsxApiUrl: string | undefined;
function resolveTsxApi(): string {
  if (tsxApiUrl === undefined) {
    // The ESM entry of `tsx/esm/api`, read from tsx's own export map (require.resolve would
    // pick the CommonJS condition).
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      exports: Record<string, { import: { default: string } }>;
    };
    tsxApiUrl = pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api'].import.default)).href;
  }
  return tsxApiUrl;
}

/** Start a worker thread on `entry`, whether it is a compiled `.js` module or a `.ts` source. */
export function spawnWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const bootstrap =
    `import(${JSON.stringify(resolveTsxApi())})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** Resolve when `worker` exits; reject if it exited with an error or a non-zero code. */
export function workerExit(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: unknown;
    worker.once('error', (err) => { failure = err; });
    worker.once('exit', (code) => {
      if (failure !== undefined) reject(failure);
      else if (code !== 0) reject(new Error(`worker exited with code ${code}`));
      else resolve();
    });
  });
}
