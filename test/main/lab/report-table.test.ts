/**
 * The evaluation table: policies side by side, money exact to the cent from µ$, the flags in
 * words, the paired comparison and the failed episodes.
 */
import { describe, expect, it } from 'vitest';
import type { EpisodeResult } from '../../../src/main/lab/episode-types.js';
import { buildReport } from '../../../src/main/lab/report.js';
import { formatReport, percent, signedDollars } from '../../../src/main/lab/report-table.js';

function ep(p: Partial<EpisodeResult> & { seed: number }): EpisodeResult {
  return {
    policy: 'p', pnlMicros: 0, feesMicros: 0, curve: [0], curveStepMs: 10_000, actions: [0, 0, 0, 0, 0], blocked: {},
    ordersSent: 0, ordersFilled: 0, filledCount: 0, marketHours: 4 / 3, bookChanges: 0, ...p,
  };
}

const report = buildReport(
  { policies: ['hold', 'spread-capture', 'onnx:x.onnx'], seeds: [1, 2], sessions: [], markets: 8, durationMs: 600_000, rate: 200, startCash: null, settings: {}, baseline: 'hold' },
  [
    { policy: 'hold', kind: 'sim', results: [ep({ seed: 1, actions: [1_000, 0, 0, 0, 0] }), ep({ seed: 2, actions: [1_000, 0, 0, 0, 0] })] },
    {
      policy: 'spread-capture', kind: 'sim',
      results: [
        ep({ seed: 1, pnlMicros: 1_234_567, feesMicros: 70_000, curve: [0, 2_000_000], actions: [900, 30, 20, 25, 25], blocked: { THROTTLED: 30, IN_FLIGHT: 5 }, ordersSent: 40, ordersFilled: 10 }),
        ep({ seed: 2, pnlMicros: -250_009, feesMicros: 30_000, actions: [900, 30, 20, 25, 25], ordersSent: 30, ordersFilled: 12 }),
      ],
    },
    { policy: 'onnx:x.onnx', kind: 'sim', results: [ep({ seed: 1, actions: [300, 0, 0, 2, 48], ordersSent: 5 }), ep({ seed: 2, actions: [200, 0, 0, 1, 49], ordersSent: 5 })] },
  ],
  [{ kind: 'sim', policy: 'onnx:x.onnx', seed: 3, error: 'model exploded' }],
);

describe('formatReport', () => {
  const text = formatReport(report);
  const lines = text.split('\n');
  const row = (label: string) => lines.find((l) => l.startsWith(label))!;

  it('puts the policies side by side, aligned', () => {
    const header = lines[lines.indexOf('simulator episodes:') + 1];
    expect(header.trim().split(/\s+/)).toEqual(['hold', 'spread-capture', 'onnx:x.onnx']);
    const rule = lines[lines.indexOf('simulator episodes:') + 2];
    // Every row of the table is as wide as its rule, every column ends where the header's does.
    const table = lines.slice(lines.indexOf('simulator episodes:') + 1, lines.indexOf('flags:') - 1);
    for (const l of table) expect(l.length).toBe(rule.length);
    expect(row('episodes').trim().split(/\s+/)).toEqual(['episodes', '2', '2', '2']);
  });

  it('formats money exactly from µ$ (truncated to the cent), signed for P&L', () => {
    // Mean (1,234,567 − 250,009) / 2 = 492,279 µ$ → +$0.49; min −250,009 → -$0.25; max +$1.23.
    expect(row('P&L mean').trim().split(/\s{2,}/)).toEqual(['P&L mean', '$0.00', '+$0.49', '$0.00']);
    expect(row('P&L min / max')).toContain('-$0.25 / +$1.23');
    expect(row('fees mean / total')).toContain('$0.05 / $0.10');
    // Drawdown: seed 1 from +$2.00 to +$1.234567 = $0.765433; seed 2 from 0 to −$0.250009.
    expect(row('max drawdown mean / worst')).toContain('$0.50 / $0.76');
    expect(row('orders sent / filled')).toContain('70 / 22');
    expect(row('fill rate')).toContain('31.4 %');
    expect(signedDollars(1_000_000_000)).toBe('+$1000.00');
    expect(signedDollars(-1)).toBe('-$0.00');
    expect(percent(0.97)).toBe('97 %');
    expect(percent(0.123456)).toBe('12.3 %');
  });

  it('spells out the flags', () => {
    expect(lines).toContain('  onnx:x.onnx: COLLAPSED: 97 % SELL_NO of non-HOLD decisions');
    expect(lines).toContain('  hold: NEVER TRADES (holds every decision)');
    expect(row('flags').trim().split(/\s{2,}/)).toEqual(['flags', 'NEVER TRADES', '—', 'COLLAPSED']);
    expect(text).not.toMatch(/spread-capture: (COLLAPSED|NEVER)/);
  });

  it('shows the blocked shares, the paired comparison and the failures', () => {
    expect(row('blocked (of non-HOLD)').trim().split(/\s{2,}/)).toEqual(['blocked (of non-HOLD)', '—', '17.5 %', '0 %']); // 35 of 200
    expect(row('  throttle').trim().split(/\s{2,}/)).toEqual(['throttle', '—', '15 %', '0 %']);
    expect(row('  other').trim().split(/\s{2,}/)).toEqual(['other', '—', '2.5 %', '0 %']);
    expect(lines).toContain('  spread-capture: THROTTLED 15 % (30), IN_FLIGHT 2.5 % (5)');
    expect(lines).toContain('paired P&L difference vs hold (same seeds):');
    // Differences 1,234,567 and −250,009: sd 1,049,755.6, ± 12.706205 × 1,049,755.6 / √2 = ± 9,431,660 around 492,279.
    expect(lines).toContain('  spread-capture − hold: mean +$0.49 per episode, 95 % CI [-$8.93, +$9.92] over 2 seeds: no significant difference');
    expect(lines.slice(-2)).toEqual(['FAILED episodes (1):', '  onnx:x.onnx seed 3: model exploded']);
  });
});
