/**
 * Journal store throughput: `npx tsx bench/store/run.ts [--rows 500000] [--pglite-rows 200000]
 * [--backend pg|pglite|both] [--kinds market_data,decision,order_event,fill,mixed] [--out file.json]`.
 *
 * For each record kind, a steady producer on the main thread calls `journal.write` in slices
 * (one slice per turn of the event loop, like a busy host, pausing while more than 16 MiB wait)
 * until `rows` records, then `flush()`;
 * rows/s is rows over the time from the first write to the flush resolving (every row committed).
 * Alongside: the main thread's cost per `write`, and its event-loop delay
 * (`perf_hooks.monitorEventLoopDelay`) during the run.
 *
 * Backends: PostgreSQL at 127.0.0.1:5432 (a fresh database, dropped at the end; --url to choose
 * another server), PGlite file-backed in its worker (temp dir), PGlite in memory in its worker, and
 * — for comparison only — PGlite in the main thread itself, to show what its worker spares the
 * event loop. Writes a table to stdout and the figures as JSON to bench/results/store-<ts>.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { openJournal } from '../../src/main/store/open-journal.js';
import { PgliteConnection } from '../../src/main/store/pglite-connection.js';
import type { Store } from '../../src/main/store/store.js';
import { TableWriter } from '../../src/main/store/table-writer.js';
import { WriteQueue, type StoreJournal } from '../../src/main/store/write-queue.js';
import type { JournalKind } from '../../src/shared/journal.js';

type Gen = (i: number, session: string) => [JournalKind, Record<string, unknown>];

const T0 = 1_767_000_000_000;
const tickers = Array.from({ length: 200 }, (_, i) => `KXBTCD-26JAN0117-T${90000 + i * 250}`);

const GENERATORS: Record<string, Gen> = {
  market_data: (i, s) => ['market_data', {
    session_id: s, seq: i, market_ticker: tickers[i % 200], type: 'delta', recv_ms: T0 + (i >> 4), ts_ms: T0 + (i >> 4) - 3,
    exchange_seq: i, side: i & 1 ? 'yes' : 'no', price: 100 + (i % 9800), delta: (i % 7) * 100 - 300,
  }],
  decision: (i, s) => ['decision', {
    session_id: s, market_ticker: tickers[i % 200], book_version: i, ts_ms: T0 + (i >> 4), action: i % 10 === 0 ? 'buy_yes' : 'hold',
    feature_spec_hash: '9f2c41d7', policy: 'onnx:momentum-v3', outcome: i % 10 === 0 ? 'intent' : 'hold',
    observe_ns: 1800 + (i % 500), infer_ns: 42_000 + (i % 9000), risk_ns: 900, total_ns: 48_000 + (i % 9000),
  }],
  order_event: (i, s) => ['order_event', {
    session_id: s, client_order_id: `${s}-${tickers[i % 200].slice(-6)}-${i >> 2}`, seq: i & 3, ts_ms: T0 + i,
    event: ['intent', 'sent', 'accepted', 'filled'][i & 3], order_id: i & 3 ? `ord-${i >> 2}` : null,
    market_ticker: tickers[i % 200], side: 'yes', action: 'buy', yes_price: 5600, count: 1000, remaining_count: (i & 3) === 3 ? 0 : 1000,
    filled_count: (i & 3) === 3 ? 1000 : 0, status: (i & 3) === 3 ? 'executed' : 'resting',
  }],
  fill: (i, s) => ['fill', {
    session_id: s, trade_id: `trd-${s}-${i}`, order_id: `ord-${i >> 1}`, client_order_id: `${s}-${i >> 1}`,
    market_ticker: tickers[i % 200], side: i & 1 ? 'yes' : 'no', action: 'buy', yes_price: 100 + (i % 9800), count: 100 + (i % 1000),
    fee_micros: 7000 + (i % 100), is_taker: (i & 2) === 0, ts_ms: T0 + i, post_position: i % 5000, source: 'ws',
  }],
};
/** A host-like mix: 70 % recorded market data, 25 % decisions, 4 % order events, 1 % fills. */
GENERATORS.mixed = (i, s) => {
  const r = i % 100;
  if (r < 70) return GENERATORS.market_data(i, s);
  if (r < 95) return GENERATORS.decision(i, s);
  if (r < 99) return GENERATORS.order_event(i, s);
  return GENERATORS.fill(i, s);
};

interface Result {
  backend: string;
  kind: string;
  /** 'saturate', or the paced rate in rows/s. */
  load: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  writeNsPerRow: number;
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  written: number;
  batches: number;
}

/**
 * `paced` = 0: saturate (a slice per turn of the event loop). `paced` = R: R rows/s written in
 * 1 ms ticks (a host at a steady rate, its event loop otherwise idle) — the loop delay then shows
 * what the store costs the main thread.
 */
async function run(backend: string, journal: StoreJournal, kind: string, rows: number, slice: number, paced = 0): Promise<Result> {
  const gen = GENERATORS[kind];
  const session = `bench-${kind}-${Date.now()}`;
  const before = journal.stats();
  const h = monitorEventLoopDelay({ resolution: 1 });
  let writeNs = 0n;
  const start = performance.now();
  h.enable();
  await new Promise<void>((resolve) => {
    let i = 0;
    const t0 = performance.now();
    const step = () => {
      const t = process.hrtime.bigint();
      const end = paced > 0 ? Math.min(rows, Math.floor(((performance.now() - t0) / 1000) * paced)) : Math.min(rows, i + slice);
      for (; i < end; i++) {
        const [k, record] = gen(i, session);
        journal.write(k, record);
      }
      writeNs += process.hrtime.bigint() - t;
      if (i >= rows) resolve();
      else if (paced > 0) setTimeout(step, 1);
      // A saturating producer, but one that stays under the memory bound (past it, without a
      // spill, rows would be dropped by design): wait while 16 MiB are queued.
      else if (journal.stats().queuedBytes > 16 * 1024 * 1024) setTimeout(step, 1);
      else setImmediate(step);
    };
    setImmediate(step);
  });
  await journal.flush();
  const seconds = (performance.now() - start) / 1000;
  h.disable();
  const after = journal.stats();
  if (after.written - before.written !== rows) throw new Error(`${backend} ${kind}: ${after.written - before.written} rows written of ${rows}: ${JSON.stringify(after)}`);
  return {
    backend, kind, load: paced > 0 ? `paced ${paced}/s` : 'saturate', rows, seconds, rowsPerSecond: Math.round(rows / seconds), writeNsPerRow: Number(writeNs) / rows,
    loopDelayP50Ms: h.percentile(50) / 1e6, loopDelayP99Ms: h.percentile(99) / 1e6, loopDelayMaxMs: h.max / 1e6,
    written: after.written - before.written, batches: after.batches - before.batches,
  };
}

/** PGlite on the calling thread: the comparison that shows what the worker is for. */
class InThreadPglite implements Store {
  readonly backend = 'pglite' as const;
  readonly concurrency = 1;
  private conn: PgliteConnection | undefined;
  private writer: TableWriter | undefined;
  async connect(): Promise<void> {
    if (this.conn === undefined) {
      this.conn = await PgliteConnection.open(undefined);
      this.writer = new TableWriter(this.conn);
      await this.conn.migrate();
    }
  }
  write(batch: Parameters<Store['write']>[0]) { return this.writer!.write(batch); }
  async query<T>(sql: string): Promise<T[]> { return (await this.conn!.db.query<T>(sql)).rows; }
  async close(): Promise<void> { await this.conn?.db.close(); }
}

function table(results: Result[]): string {
  const head = '| backend | kind | load | rows | s | rows/s | write() ns/row | loop delay p50 / p99 / max ms | batches |';
  const lines = results.map((r) =>
    `| ${r.backend} | ${r.kind} | ${r.load} | ${r.rows} | ${r.seconds.toFixed(2)} | ${r.rowsPerSecond.toLocaleString('en-US')} | ` +
    `${r.writeNsPerRow.toFixed(0)} | ${r.loopDelayP50Ms.toFixed(1)} / ${r.loopDelayP99Ms.toFixed(1)} / ${r.loopDelayMaxMs.toFixed(1)} | ${r.batches} |`);
  return [head, '|---|---|---|---:|---:|---:|---:|---:|---:|', ...lines].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '500000' },
      'pglite-rows': { type: 'string', default: '200000' },
      backend: { type: 'string', default: 'both' },
      kinds: { type: 'string', default: 'market_data,decision,order_event,fill,mixed' },
      url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
      slice: { type: 'string', default: '2000' },
      'paced-rate': { type: 'string', default: '50000' },
      'paced-seconds': { type: 'string', default: '4' },
      out: { type: 'string' },
    },
  });
  const kinds = values.kinds.split(',');
  for (const k of kinds) if (GENERATORS[k] === undefined) throw new Error(`unknown kind ${k}`);
  const rows = Number(values.rows);
  const pgliteRows = Number(values['pglite-rows']);
  const slice = Number(values.slice);
  const pacedRate = Number(values['paced-rate']);
  const pacedRows = Math.round(pacedRate * Number(values['paced-seconds']));
  const results: Result[] = [];
  const say = (r: Result) => process.stderr.write(`${r.backend} ${r.kind} ${r.load}: ${r.rowsPerSecond} rows/s\n`);

  if (values.backend === 'both' || values.backend === 'pg') {
    const db = `kalshi_actor_bench_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: `${values.url}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    try {
      const journal = await openJournal({ url: `${values.url}/${db}`, spillDir: null, requireConnected: true, concurrency: Number(process.env.BENCH_CONC ?? 2) });
      try {
        // One warm-up pass (JIT, connections, relation caches), not reported.
        await run('postgres', journal, 'mixed', Math.min(50_000, rows), slice);
        for (const kind of kinds) { const r = await run('postgres', journal, kind, rows, slice); results.push(r); say(r); }
        if (pacedRate > 0) { const r = await run('postgres', journal, 'mixed', pacedRows, slice, pacedRate); results.push(r); say(r); }
      } finally {
        await journal.close();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    }
  }

  if (values.backend === 'both' || values.backend === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'kalshi-journal-bench-'));
    try {
      for (const mode of ['file', 'memory'] as const) {
        const journal = await openJournal({ pglite: mode, dataDir: dir, spillDir: null, requireConnected: true });
        const name = `pglite ${mode} (worker)`;
        try {
          await run(name, journal, 'mixed', Math.min(20_000, pgliteRows), slice);
          for (const kind of kinds) { const r = await run(name, journal, kind, pgliteRows, slice); results.push(r); say(r); }
          if (pacedRate > 0 && mode === 'file') { const r = await run(name, journal, 'mixed', pacedRows, slice, pacedRate); results.push(r); say(r); }
        } finally {
          await journal.close();
        }
      }
      const inThread = new WriteQueue({ store: new InThreadPglite(), spillDir: null });
      await inThread.start();
      try {
        await run('pglite memory (main thread)', inThread, 'mixed', Math.min(20_000, pgliteRows), slice);
        const r = await run('pglite memory (main thread)', inThread, 'mixed', pgliteRows, slice);
        results.push(r); say(r);
        if (pacedRate > 0) { const p = await run('pglite memory (main thread)', inThread, 'mixed', pacedRows, slice, pacedRate); results.push(p); say(p); }
      } finally {
        await inThread.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const text = table(results);
  process.stdout.write(`${text}\n`);
  const here = dirname(fileURLToPath(import.meta.url));
  const out = values.out ?? join(here, '..', 'results', `store-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memBytes: totalmem(),
    slice, results,
  }, null, 2));
  process.stderr.write(`wrote ${out}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
