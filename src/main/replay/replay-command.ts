/**
 * `kalshi-actor replay --session ID [--policy SPEC] [--db URL] [--data-dir DIR] [--decide every|live]`:
 * a recorded session's market data through the same decision path (observation, policy runtime);
 * prints the decisions by action, the agreement with the live decisions (when deciding where
 * live did), and a paper P&L summary (replay.ts says how it is computed).
 */
import { parseMoney } from '../../shared/fixed-point.js';
import { loadPolicy } from '../../shared/policy/load-policy.js';
import { ACTION_NAMES } from '../../shared/policy/actions.js';
import { COMMANDS, parseFlags, UsageError, type Command } from '../cli.js';
import { dollars } from '../host/status-line.js';
import { openJournal } from '../store/open-journal.js';
import { loadSession, ReplayError } from './load-session.js';
import { replaySession } from './replay.js';

export function replayCommand(out: (line: string) => void = (l) => console.log(l), err: (line: string) => void = (l) => console.error(l)): Command {
  return {
    summary: 'replay a recorded session through the decision path, with its own or another policy',
    usage: 'kalshi-actor replay --session ID [--policy SPEC] [--db URL] [--data-dir ./data] [--decide live|every] [--start-cash 1000.00] [--no-paper]',
    async run(argv) {
      const { values } = parseFlags(argv, {
        session: { type: 'string' }, policy: { type: 'string' }, db: { type: 'string' }, 'data-dir': { type: 'string' },
        decide: { type: 'string' }, 'start-cash': { type: 'string' }, 'no-paper': { type: 'boolean' },
      });
      if (values.session === undefined || values.session === '') throw new UsageError('--session ID is required');
      const decide = values.decide ?? 'live';
      if (decide !== 'live' && decide !== 'every') throw new UsageError(`--decide must be live or every, got '${decide}'`);
      let startCash = 1_000_000_000;
      if (values['start-cash'] !== undefined) {
        try {
          startCash = parseMoney(values['start-cash']);
        } catch {
          throw new UsageError(`--start-cash must be dollars such as 1000.00, got '${values['start-cash']}'`);
        }
      }
      const journal = await openJournal({ url: values.db, dataDir: values['data-dir'], requireConnected: true, spillDir: null });
      try {
        const session = await loadSession(journal, values.session);
        const spec = values.policy ?? session.policy;
        if (spec === undefined) throw new UsageError('the session does not name its policy: give --policy');
        const policy = await loadPolicy(spec);
        const report = await replaySession(session.markets, session.records, {
          policy, live: decide === 'live' ? session.decisions : undefined, startCash, paperFills: values['no-paper'] !== true,
        });
        await policy.close?.();
        out(`session ${session.sessionId}: ${session.markets.length} markets, ${report.records} book records, policy ${spec}`);
        out(`decisions ${report.decisions.length}: ${report.byAction.map((n, a) => `${ACTION_NAMES[a]} ${n}`).join(', ')}`);
        if (report.agreement !== undefined) {
          out(`against live (${session.decisions.length} decisions): same ${report.agreement.same}, different ${report.agreement.different}, not replayed ${report.agreement.missing}`);
        }
        out(`paper: trades ${report.paperTrades}, fees ${dollars(report.feesPaid)}, realized ${dollars(report.realizedPnl)}, unrealized ${dollars(report.unrealizedPnl)}, end cash ${dollars(report.endCash)}`);
        return 0;
      } catch (e) {
        if (e instanceof ReplayError) {
          err(`kalshi-actor replay: ${e.message}`);
          return 1;
        }
        throw e;
      } finally {
        await journal.close();
      }
    },
  };
}

export function registerReplayCommand(): void {
  if (COMMANDS.replay === undefined) COMMANDS.replay = replayCommand();
}
