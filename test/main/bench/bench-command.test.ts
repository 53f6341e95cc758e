/** `kalshi-actor bench`: its flags, and a small sweep run through the CLI end to end (both topologies). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCommand, parseBenchArgs, redactHostArgs, registerBenchCommand } from '../../../src/main/bench/bench-command.js';
import type { BenchReport } from '../../../src/main/bench/bench-types.js';
import { main, UsageError } from '../../../src/main/cli.js';

describe('parseBenchArgs', () => {
  it('defaults to the full sweep, both topologies side by side', () => {
    const p = parseBenchArgs([], new Date('2026-11-24T12:00:00Z'));
    expect(p.markets).toEqual([10, 100, 1_000, 10_000]);
    expect(p.rates).toEqual([1_000, 10_000, 50_000, 100_000, 200_000]);
    expect(p.topologies).toEqual(['threaded', 'inline']);
    expect(p.budgetPath).toBe('received→acked');
    expect(p.p99BudgetUs).toBe(1_000);
    expect(p.out).toMatch(/bench\/results\/bench-2026-11-24T12-00-00-000Z\.json$/);
    expect(p.hostArgs).toEqual([]);
  });

  it('--quick is one 10-second point: 1,000 markets at 10,000 messages/s, threaded', () => {
    const p = parseBenchArgs(['--quick']);
    expect([p.markets, p.rates, p.topologies, p.seconds]).toEqual([[1_000], [10_000], ['threaded'], 10]);
    expect(parseBenchArgs(['--quick', '--topology', 'inline']).topologies).toEqual(['inline']);
  });

  it('takes lists with suffixes, and host settings after --', () => {
    const p = parseBenchArgs(['--markets', '10,1k', '--rates', '500,2k', '--topology', 'inline', '--seconds', '3', '--budget-path', 'received→written', '--', '--price-mode', 'aggressive']);
    expect(p.markets).toEqual([10, 1_000]);
    expect(p.rates).toEqual([500, 2_000]);
    expect(p.topologies).toEqual(['inline']);
    expect(p.seconds).toBe(3);
    expect(p.budgetPath).toBe('received→written');
    expect(p.hostArgs).toEqual(['--price-mode', 'aggressive']);
  });

  it('refuses bad flags with one line naming them', () => {
    expect(() => parseBenchArgs(['--topology', 'threaded,fast'])).toThrow(/--topology .*'fast'/);
    expect(() => parseBenchArgs(['--topology', 'inline,inline'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--markets', '0'])).toThrow(/markets/);
    expect(() => parseBenchArgs(['--seconds', '2,3'])).toThrow(/--seconds takes one number/);
    expect(() => parseBenchArgs(['--budget-path', 'frame→wire'])).toThrow(/--budget-path/);
    expect(() => parseBenchArgs(['--bogus'])).toThrow();
  });
});

describe('redactHostArgs', () => {
  it('hides the values of secret settings in the report, whatever the flag form', () => {
    expect(redactHostArgs(['--db', 'postgres://u:hunter2@db/x', '--price-mode', 'mid', '--control-token=abcdefghijklmnopq', '--topology', 'inline']))
      .toEqual(['--db', '[redacted]', '--price-mode', 'mid', '--control-token=[redacted]', '--topology', 'inline']);
    expect(JSON.stringify(redactHostArgs(['--db=postgres://u:hunter2@db/x']))).not.toContain('hunter2');
  });
});

describe('kalshi-actor bench', () => {
  it('a bad host setting after -- is a usage error (exit 2) before anything starts', async () => {
    registerBenchCommand();
    const err: string[] = [];
    expect(await main(['bench', '--quick', '--', '--throttle-ms', 'soon'], () => undefined, (l) => err.push(l))).toBe(2);
    expect(err.join('\n')).toMatch(/throttle-ms/);
  });

  it('runs a small sweep (threaded and inline), prints the tables and writes the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cmd-'));
    const out: string[] = [];
    const err: string[] = [];
    try {
      const path = join(dir, 'report.json');
      const code = await benchCommand((l) => out.push(l), (l) => err.push(l)).run(
        ['--markets', '10', '--rates', '1000', '--seconds', '2', '--warmup-s', '1', '--p99-budget-us', '1000000', '--budget-path', 'received→decided', '--out', path],
      );
      expect(err).toEqual([]);
      expect(code).toBe(0);
      const report = JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
      expect(report.kind).toBe('kalshi-actor-bench');
      expect(report.failures).toEqual([]);
      expect(report.points.map((p) => p.topology)).toEqual(['threaded', 'inline']);
      for (const p of report.points) {
        expect(p.markets).toBe(10);
        expect(p.lostUpdates).toBe(0);
        expect(p.delivered).toBeGreaterThan(1_000);
        expect(p.paths.find((f) => f.name === 'received→decided')!.count).toBe(p.decisions);
      }
      expect(report.points.map((p) => p.shortfalls)).toEqual([[], []]);
      expect(report.summary.map((s) => [s.topology, s.maxSustainedRate])).toEqual([['threaded', 1_000], ['inline', 1_000]]);
      expect(report.ratios).toEqual([{ markets: 10, threadedOverInline: 1 }]);
      expect(report.byPath.map((b) => b.path)).toEqual(['received→decided', 'received→written', 'received→acked']);
      expect(report.byPath[0].summary.map((s) => [s.path, s.topology, s.maxSustainedRate])).toEqual([['received→decided', 'threaded', 1_000], ['received→decided', 'inline', 1_000]]);
      const text = out.join('\n');
      expect(text).toMatch(/Max sustained offered rate \(book messages\/s, all markets\), p99 ≤ 1,000,000 µs on received→decided:/);
      expect(text).toMatch(/on received→acked:/);
      expect(text).toMatch(/threaded\s+10\s+1,000/);
      expect(text).toContain(`report: ${path}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
