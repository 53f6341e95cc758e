/**
 * Micro-benchmark runner: `npm run bench:micro [-- --filter ring --time 500 --out file.json]`.
 *
 * Runs every `bench/**\/*.bench.(ts|js)` suite (see harness.ts) with tinybench, prints one table
 * (nanoseconds per operation: p50, mean, p99 of the per-call samples divided by opsPerCall)
 * and writes the same figures as JSON to `bench/results/micro-<timestamp>.json` (or `--out`),
 * with the machine, Node version and date, so two runs can be compared by a script.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import type { MicroSuite } from './harness.js';

interface Row {
  suite: string;
  task: string;
  nsPerOpP50: number;
  nsPerOpMean: number;
  nsPerOpP99: number;
  opsPerSecond: number;
  samples: number;
}

const here = dirname(fileURLToPath(import.meta.url));

async function findSuites(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'results') found.push(...(await findSuites(path)));
    else if (/\.bench\.(ts|js)$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}

function fmt(ns: number): string {
  if (ns >= 100) return ns.toFixed(0);
  if (ns >= 10) return ns.toFixed(1);
  return ns.toFixed(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      filter: { type: 'string' },
      time: { type: 'string', default: '400' },
      out: { type: 'string' },
    },
  });
  const timeMs = Number(values.time);
  if (!Number.isFinite(timeMs) || timeMs <= 0) throw new Error(`--time must be a positive number of ms, got ${values.time}`);
  const rows: Row[] = [];
  const suites: { suite: MicroSuite; file: string }[] = [];
  // A filter that names files loads only those: every suite module imported into the process
  // costs the others (onnxruntime, undici and their ArrayBuffer handling slow typed-array code
  // by 20–35 % in V8; see bench/README.md), so a focused run measures its suite alone.
  let files = await findSuites(here);
  const byPath = values.filter ? files.filter((f) => relative(here, f).includes(values.filter!)) : [];
  if (byPath.length > 0) files = byPath;
  for (const file of files) {
    const exported = ((await import(pathToFileURL(file).href)) as { default: MicroSuite | MicroSuite[] }).default;
    for (const suite of Array.isArray(exported) ? exported : [exported]) suites.push({ suite, file });
  }
  for (const { suite, file } of suites) {
    if (values.filter && !suite.name.includes(values.filter) && !relative(here, file).includes(values.filter)) continue;
    const tasks = await suite.tasks();
    const bench = new Bench({ name: suite.name, time: timeMs, warmup: true });
    for (const task of tasks) bench.add(task.name, task.fn);
    process.stderr.write(`running ${suite.name} (${tasks.length} tasks)…\n`);
    try {
      await bench.run();
    } finally {
      await suite.teardown?.();
    }
    for (const [i, task] of bench.tasks.entries()) {
      const result = task.result;
      if (result.state !== 'completed') {
        throw new Error(`${suite.name} / ${task.name}: ${result.state}${'error' in result ? `: ${String(result.error)}` : ''}`);
      }
      const per = 1e6 / tasks[i].opsPerCall; // ms per call → ns per op
      rows.push({
        suite: suite.name,
        task: task.name,
        nsPerOpP50: result.latency.p50 * per,
        nsPerOpMean: result.latency.mean * per,
        nsPerOpP99: result.latency.p99 * per,
        opsPerSecond: 1e9 / (result.latency.mean * per),
        samples: result.latency.samplesCount ?? 0,
      });
    }
  }
  console.table(
    rows.map((r) => ({
      suite: r.suite,
      task: r.task,
      'ns/op p50': fmt(r.nsPerOpP50),
      'ns/op mean': fmt(r.nsPerOpMean),
      'ns/op p99': fmt(r.nsPerOpP99),
      'Mops/s': (r.opsPerSecond / 1e6).toFixed(2),
    })),
  );
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    timePerTaskMs: timeMs,
    rows,
  };
  const out = values.out ?? join(here, 'results', `micro-${report.date.replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2) + '\n');
  process.stderr.write(`wrote ${out}\n`);
}

main().catch((err: unknown) => {
  console.error(`bench:micro failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
