/** The benchmark report: point and sweep tables, the summary, and the JSON file. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATH_NAMES, STAGE_NAMES, type BenchReport, type LatencyFigures, type PointResult } from '../../../src/main/bench/bench-types.js';
import { formatPointTable, formatSummary, formatSweepTable, writeReport } from '../../../src/main/bench/report.js';
import { ratios, summarize } from '../../../src/main/bench/sweep.js';

const MIB = 1024 * 1024;

/** Figures of one histogram from its p50, scaled up for the tail. */
function figures(name: LatencyFigures['name'], count: number, p50Us: number): LatencyFigures {
  return { name, count, p50Us, p90Us: p50Us * 1.8, p99Us: p50Us * 4.1, p999Us: p50Us * 9.5, maxUs: p50Us * 31 };
}

function point(over: Partial<PointResult> = {}): PointResult {
  const seconds = 10;
  const offeredRate = over.offeredRate ?? 10_000;
  const stageP50 = [6.4, 3.1, 41.7, 0.62, 0.41, 118.5, 1843];
  const pathP50 = [52.3, 175.2, 2031];
  return {
    topology: 'threaded', markets: 1000, offeredRate, seconds,
    generated: offeredRate * seconds, generatedRate: offeredRate,
    delivered: offeredRate * seconds - 12, deliveredRate: offeredRate - 1.2,
    lostUpdates: 0, gaps: 0, backlogAtEnd: 37, backlogAfterDrain: 0,
    decisions: 61_234, intents: 4_120, intentsDropped: 0, ordersSent: 3_998, ordersAcked: 3_990,
    orderMix: { place: 3_880, amend: 0, cancel: 118 }, presign: { hits: 3_880, misses: 0 },
    stages: STAGE_NAMES.map((n, i) => figures(n, i === 0 ? 99_988 : 4_000, stageP50[i])),
    paths: PATH_NAMES.map((n, i) => figures(n, i === 0 ? 61_234 : 3_998, pathP50[i])),
    memory: { rssBytes: 412.6 * MIB, heapUsedBytes: 96.25 * MIB, sharedBytes: 38.5 * MIB },
    cpu: { hostUs: 7_420_000, perMessageUs: 7.42, simUs: 3_100_000 },
    startSeconds: 4.2,
    budget: { path: 'received→written', p99Us: 1000 },
    sustained: true, shortfalls: [],
    ...over,
  };
}

describe('formatPointTable', () => {
  it('has a row per stage then per path, with µs at sensible precision', () => {
    const text = formatPointTable(point());
    const lines = text.split('\n');
    expect(lines[0]).toBe('threaded, 1,000 markets, 10,000/s offered, 10 s measured — latencies in µs');
    expect(lines[1]).toMatch(/^stage\s+count\s+p50\s+p90\s+p99\s+p99\.9\s+max$/);
    const row = (name: string) => lines.find((l) => l.startsWith(`${name} `))!.trim().split(/\s{2,}/);
    expect(row('received→applied')).toEqual(['received→applied', '99,988', '6.40', '11.5', '26.2', '60.8', '198']);
    expect(row('decided→enqueued')).toEqual(['decided→enqueued', '4,000', '0.62', '1.12', '2.54', '5.89', '19.2']);
    expect(row('written→acked')).toEqual(['written→acked', '4,000', '1,843', '3,317', '7,556', '17,509', '57,133']);
    expect(row('received→written')).toEqual(['received→written', '3,998', '175', '315', '718', '1,664', '5,431']);
    // Stages first, then paths; all columns line up (fixed width).
    const names = lines.slice(3).filter((l) => !l.startsWith('-')).map((l) => l.split(' ')[0]);
    expect(names).toEqual([...STAGE_NAMES, ...PATH_NAMES]);
    const widths = new Set(lines.slice(1).map((l) => l.length));
    expect(widths.size).toBe(1);
  });

  it('prints a histogram with no samples as —', () => {
    const p = point({ paths: [{ name: 'received→acked', count: 0, p50Us: NaN, p90Us: NaN, p99Us: NaN, p999Us: NaN, maxUs: NaN }] });
    const row = formatPointTable(p).split('\n').find((l) => l.startsWith('received→acked'))!;
    expect(row.trim().split(/\s{2,}/)).toEqual(['received→acked', '0', '—', '—', '—', '—', '—']);
  });
});

describe('formatSweepTable', () => {
  it('has one row per point with rates, latencies, memory, CPU and the verdict', () => {
    const points = [
      point(),
      point({ topology: 'inline', offeredRate: 40_000, deliveredRate: 31_207.4, lostUpdates: 1_523, sustained: false, shortfalls: ['p99 over budget', 'lost updates', 'rate not delivered'] }),
      point({ topology: 'inline', markets: 10_000, decisions: 0, paths: [], sustained: false, shortfalls: ['no decisions'] }),
    ];
    const lines = formatSweepTable(points).split('\n');
    expect(lines[0]).toMatch(/^topology\s+markets\s+offered\/s\s+delivered\/s\s+lost\s+r→w p50\s+r→w p99\s+r→d p50\s+r→d p99\s+decisions\s+orders\s+rss MiB\s+heap MiB\s+shared MiB\s+CPU µs\/msg\s+sustained$/);
    expect(lines[2].split(/\s{2,}/)).toEqual([
      'threaded', '1,000', '10,000', '9,999', '0', '175', '718', '52.3', '214', '61,234', '3,998', '412.6', '96.3', '38.5', '7.42', 'yes',
    ]);
    expect(lines[3]).toContain('40,000');
    expect(lines[3]).toContain('31,207');
    expect(lines[3]).toContain('1,523');
    expect(lines[3]).toMatch(/no: p99 over budget, lost updates, rate not delivered$/);
    expect(lines[4].split(/\s{2,}/).slice(5, 9)).toEqual(['—', '—', '—', '—']);
    expect(lines[4]).toMatch(/no: no decisions$/);
    expect(lines.at(-1)).toContain('r→w: received→written');
  });
});

describe('formatSummary', () => {
  it('gives the max sustained rate per group and the ratios', () => {
    const points = [
      point({ offeredRate: 10_000 }),
      point({ offeredRate: 20_000 }),
      point({ offeredRate: 40_000, sustained: false, shortfalls: ['backlog growing'] }),
      point({ topology: 'inline', offeredRate: 10_000 }),
      point({ topology: 'inline', offeredRate: 20_000, sustained: false, shortfalls: ['p99 over budget'] }),
      point({ topology: 'threaded', markets: 10_000, offeredRate: 10_000, sustained: false, shortfalls: ['lost updates'] }),
      point({ topology: 'inline', markets: 10_000, offeredRate: 10_000, sustained: false, shortfalls: ['rate not delivered'] }),
    ];
    const summary = summarize(points);
    const text = formatSummary(summary, ratios(summary));
    const lines = text.split('\n');
    const line = (topology: string, markets: string) => lines.find((l) => new RegExp(`^${topology}\\s+${markets} markets`).test(l))!;
    expect(line('threaded', '1,000')).toMatch(/20,000\/s\s+p99 received→written 718 µs \(budget 1,000 µs\)\s+first shortfall 40,000\/s: backlog growing$/);
    expect(line('inline', '1,000')).toMatch(/10,000\/s .*first shortfall 20,000\/s: p99 over budget$/);
    expect(line('threaded', '10,000')).toMatch(/none\s+first shortfall 10,000\/s: lost updates$/);
    expect(line('inline', '10,000')).toMatch(/none\s+first shortfall 10,000\/s: rate not delivered$/);
    expect(text).toContain('1,000 markets: 2.00×');
    expect(text).toContain('10,000 markets: — (inline sustained no rate)');
  });
});

describe('writeReport', () => {
  it('writes pretty JSON (creating directories) that reads back equal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      const points = [point(), point({ topology: 'inline', offeredRate: 10_000 })];
      const summary = summarize(points);
      const report: BenchReport = {
        kind: 'kalshi-actor-bench', version: 1, startedAt: '2026-11-24T10:15:00.000Z',
        machine: { cpus: 'Intel Xeon Processor', cores: 2, memoryBytes: 24 * 1024 * MIB, os: 'linux 6.18', node: 'v20.20.2' },
        settings: { seconds: 10, warmup: 3, rates: [10_000], policy: 'rules' },
        points, summary, ratios: ratios(summary), byPath: [{ path: 'received→decided', summary, ratios: ratios(summary) }], failures: [{ topology: 'threaded', markets: 10_000, offeredRate: 200_000, error: 'the host did not reach TRADING' }],
      };
      const path = join(dir, 'nested', 'deeper', 'bench.json');
      await writeReport(report, path);
      const text = readFileSync(path, 'utf8');
      expect(text.startsWith('{\n  "kind": "kalshi-actor-bench",')).toBe(true);
      expect(JSON.parse(text)).toEqual(report);

      // JSON has no NaN: a histogram with no samples is written as null.
      const empty: LatencyFigures = { name: 'received→acked', count: 0, p50Us: NaN, p90Us: NaN, p99Us: NaN, p999Us: NaN, maxUs: NaN };
      await writeReport({ ...report, points: [point({ paths: [empty] })] }, path);
      const reread = JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
      expect(reread.points[0].paths[0]).toEqual({ name: 'received→acked', count: 0, p50Us: null, p90Us: null, p99Us: null, p999Us: null, maxUs: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
