/**
 * Replay (and the policy lab's `evaluate --session`): a session recorded by the live host (PostgreSQL journal, --record-market-data),
 * replayed through the same decision path with the same policy, takes the same decision at
 * every point where live decided; `kalshi-actor replay` prints it, and re-runs it with another
 * policy. The policy reads only book features (as in the topology test) and the live account
 * stays flat, so every input of the policy and of its cash-reserve gate is the same in both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../../../src/main/cli.js';
import { loadConfig } from '../../../src/main/config/load.js';
import { startHost } from '../../../src/main/host/host.js';
import { evaluateCommand } from '../../../src/main/lab/evaluate-command.js';
import type { EvaluationReport } from '../../../src/main/lab/report.js';
import { loadSession } from '../../../src/main/replay/load-session.js';
import { replaySession } from '../../../src/main/replay/replay.js';
import { replayCommand } from '../../../src/main/replay/replay-command.js';
import { openJournal } from '../../../src/main/store/open-journal.js';
import { loadPolicy } from '../../../src/shared/policy/load-policy.js';
import { startSimulator } from '../../../src/sim/simulator.js';
import { makeKey } from '../../support/sim-client.js';
import { bookOnlyModel, until, venueOf } from '../../support/host-fixtures.js';
import { createTestDatabase } from '../store/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kalshi-actor-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));



describe('replay', () => {
  it('reproduces the live decisions of a recorded session, and re-runs it with another policy', async () => {
    const db = await createTestDatabase();
    const key = makeKey('replay');
    const sim = await startSimulator({ keys: [key], port: 0, markets: 30, rate: 2000, seed: 31, tier: 'prestige' });
    const model = bookOnlyModel(dir);
    let sessionId = '';
    try {
      const config = loadConfig([
        '--topology', 'threaded', '--policy', `mlp:${model}`, '--db', db.url, '--data-dir', join(dir, 'data'), '--record-market-data',
        '--max-markets', '6', '--max-spread', '10000', '--min-time-to-close-s', '300', '--status-interval-s', '3600', '--max-exposure', '0',
      ], {});
      const host = await startHost({
        config, log: () => undefined,
        venue: venueOf(sim, key),
      });
      sessionId = host.sessionId;
      await until(() => host.totals().decisions >= 300, '300 decisions');
      await host.stop('test');

      const journal = await openJournal({ url: db.url, spillDir: null, requireConnected: true });
      try {
        const session = await loadSession(journal, sessionId);
        expect(session.policy).toBe(`mlp:${model}`);
        expect(session.decisions.length).toBeGreaterThanOrEqual(300);
        const policy = await loadPolicy(`mlp:${model}`);
        // The live account stayed flat (--max-exposure 0: no order went out), so replay keeps its paper
        // account flat too: then every input the policy and its cash-reserve gate read is the same.
        const report = await replaySession(session.markets, session.records, { policy, live: session.decisions, paperFills: false });
        expect(report.agreement).toEqual({ same: session.decisions.length, different: 0, missing: 0 });
        expect(new Set(report.decisions.map((d) => d.action)).size).toBeGreaterThanOrEqual(2);
        // Another policy over the same stream: decides on every book change, with a P&L summary.
        const other = await replaySession(session.markets, session.records, { policy: await loadPolicy('hardcoded') });
        expect(other.decisions.length).toBeGreaterThan(session.decisions.length / 2);
        expect(other.paperTrades).toBeGreaterThan(0);
        expect(Number.isSafeInteger(other.realizedPnl) && Number.isSafeInteger(other.unrealizedPnl) && Number.isSafeInteger(other.endCash)).toBe(true);
      } finally {
        await journal.close();
      }

      const out: string[] = [];
      const err: string[] = [];
      COMMANDS.replay = replayCommand((l) => out.push(l), (l) => err.push(l));
      expect(await main(['replay', '--session', sessionId, '--db', db.url, '--no-paper'], (l) => out.push(l), (l) => err.push(l))).toBe(0);
      expect(err).toEqual([]);
      expect(out.find((l) => l.startsWith('against live'))).toMatch(/different 0, not replayed 0$/);
      expect(await main(['replay', '--session', 'nosuchsession', '--db', db.url], (l) => out.push(l), (l) => err.push(l))).toBe(1);
      expect(err).toEqual(['kalshi-actor replay: no session nosuchsession in the journal']);

      // The policy lab over the same recorded session (`evaluate --session`): a second kind of
      // episode, replayed with replay's paper fills, reported apart; the same session twice gives
      // the same report.
      const evaluate = async () => {
        const lines: string[] = [];
        const errors: string[] = [];
        COMMANDS.evaluate = evaluateCommand((l) => lines.push(l), (l) => errors.push(l), { progressWrite: () => undefined, tty: false });
        const code = await main(['evaluate', '--policy', 'hold,hardcoded', '--session', sessionId, '--db', db.url, '--json'], (l) => lines.push(l), (l) => errors.push(l));
        expect({ code, errors }).toEqual({ code: 0, errors: [] });
        return JSON.parse(lines.join('\n')) as EvaluationReport;
      };
      const lab = await evaluate();
      expect(await evaluate()).toEqual(lab);
      const [hold, hardcoded] = lab.policies;
      expect(hold).toMatchObject({ policy: 'hold', kind: 'session', episodes: 1, flags: ['never_trades'] });
      expect(hardcoded).toMatchObject({ policy: 'hardcoded', kind: 'session', episodes: 1 });
      expect(hardcoded.orders.sent).toBeGreaterThan(0);
      expect(hardcoded.rows[0]).toMatchObject({ kind: 'session', session: sessionId });
      expect(Number.isSafeInteger(hardcoded.rows[0].pnlMicros)).toBe(true);
    } finally {
      await sim.close();
      await db.drop();
    }
  }, 120_000);
});
