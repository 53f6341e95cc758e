/**
 * The operator's disabled markets: applied at once, kept by ticker in the data dir across host
 * restarts (re-applied at start and when rotation brings a listed market back), re-applied into a
 * restarted execution stage; a file that cannot be read is set aside, a disable that cannot be
 * written still applies.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlHttpError } from '../../../src/main/control-server.js';
import { DISABLED_MARKETS_FILE, OperatorMarkets } from '../../../src/main/host/operator-markets.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kalshi-actor-operator-'));
  dirs.push(d);
  return d;
};

function harness(dataDir: string, traded = [{ slot: 0, ticker: 'KXA' }, { slot: 1, ticker: 'KXB' }]) {
  const applied: string[] = [];
  const lines: Array<[string, string | undefined]> = [];
  let now = 1_764_000_000_000;
  const ops = new OperatorMarkets({
    dataDir, traded: () => traded, nowMs: () => now++,
    apply: (slot, disabled, reason) => applied.push(`${slot} ${disabled ? 'off' : 'on'} ${reason}`),
    log: (line, level) => lines.push([level ?? 'info', line]),
  });
  return { ops, applied, lines, traded };
}

describe('OperatorMarkets', () => {
  it('disables and enables at once, and keeps the list by ticker in the data dir', () => {
    const dir = tempDir();
    const h = harness(dir);
    h.ops.restore(); // no file yet: nothing disabled, nothing logged
    expect(h.applied).toEqual([]);
    expect(h.lines).toEqual([]);
    expect(h.ops.disable('KXB', 'news')).toEqual({ ticker: 'KXB', disabled: true, persisted: true });
    expect(h.applied).toEqual(['1 off operator_disabled: news']);
    expect([...h.ops.slots()]).toEqual([1]);
    expect(JSON.parse(readFileSync(join(dir, DISABLED_MARKETS_FILE), 'utf8'))).toEqual({ markets: [{ ticker: 'KXB', reason: 'news', atMs: 1_764_000_000_000 }] });
    expect(h.ops.enable('KXB')).toEqual({ ticker: 'KXB', disabled: false, persisted: true });
    expect(h.applied.at(-1)).toBe('1 on operator_enabled');
    expect([...h.ops.slots()]).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, DISABLED_MARKETS_FILE), 'utf8'))).toEqual({ markets: [] });
    expect(() => h.ops.disable('KXZ', undefined)).toThrow(ControlHttpError);
    expect(() => h.ops.disable('KXZ', undefined)).toThrow('market "KXZ" is not traded by this host');
  });

  it('a restarted host disables the listed markets it trades before they trade, and a listed market rotation brings back', () => {
    const dir = tempDir();
    harness(dir).ops.disable('KXA', undefined);
    const first = harness(dir);
    first.ops.restore(); // KXA again
    first.ops.disable('KXB', 'drill');
    expect(first.applied).toEqual(['0 off operator_disabled', '1 off operator_disabled: drill']);
    // Next start: KXB is not traded this time; KXA is, in another slot.
    const next = harness(dir, [{ slot: 3, ticker: 'KXA' }]);
    next.ops.restore();
    expect(next.applied).toEqual(['3 off operator_disabled']);
    expect(next.lines).toEqual([['warn', expect.stringMatching(/^market KXA stays disabled by the operator \(since .+\): closings only$/)]]);
    next.ops.marketAdded(4, 'KXB'); // rotation adds the other listed market
    next.ops.marketAdded(5, 'KXC'); // not listed
    expect(next.applied).toEqual(['3 off operator_disabled', '4 off operator_disabled: drill']);
    next.traded.push({ slot: 4, ticker: 'KXB' }, { slot: 5, ticker: 'KXC' });
    const again: string[] = [];
    next.ops.reapply((slot, reason) => again.push(`${slot} ${reason}`));
    expect(again).toEqual(['3 operator_disabled (kept across the execution restart)', '4 operator_disabled: drill (kept across the execution restart)']);
  });

  it('a file that cannot be read is set aside and logged; the host trades with none disabled', () => {
    for (const bad of ['{"markets": [', '{"markets": [{"reason": "x"}]}', '[]']) {
      const dir = tempDir();
      writeFileSync(join(dir, DISABLED_MARKETS_FILE), bad);
      const h = harness(dir);
      h.ops.restore();
      expect(h.applied).toEqual([]);
      expect(h.lines).toHaveLength(1);
      expect(h.lines[0][0]).toBe('error');
      expect(h.lines[0][1]).toMatch(/disabled-markets\.json cannot be read \(.+\): no market is disabled by the operator; the file is kept as .+\.unreadable-\d+$/);
      expect(existsSync(join(dir, DISABLED_MARKETS_FILE))).toBe(false);
      expect(readdirSync(dir).filter((f) => f.includes('.unreadable-'))).toHaveLength(1);
    }
  });

  it('a disable that cannot be written still applies, and says so', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x'); // the data dir is a file
    const h = harness(file);
    const r = h.ops.disable('KXA', undefined);
    expect(r).toMatchObject({ ticker: 'KXA', disabled: true, persisted: false });
    expect(r.error).toMatch(/^not persisted: /);
    expect(h.applied).toEqual(['0 off operator_disabled']);
    expect(h.lines.at(-1)?.[0]).toBe('error');
  });
});
