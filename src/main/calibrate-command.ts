/**
 * `kalshi-actor calibrate [--json] [--cancel-orphans] [settings]`: the supervisor's start-up
 * calibration, once, printed — a progress line per step as it completes, the report's tables, the
 * verdict line (or the report as JSON with `--json`). It trades nothing.
 *
 * Report only unless `--cancel-orphans` is on the command line (an environment variable is not
 * enough: acting must be asked for where it is seen): then it acts as the host would at start —
 * cancels resting orders that are not the host's in the markets to trade and journals the missing
 * and synthesized fills. Either way it writes the calibration report to the journal, and never
 * places an order.
 *
 * The same settings as `run` (loadConfig): the venue (`--exchange`, keys, URLs), the journal
 * (`--db`, else PGlite under `--data-dir`), the markets (`--markets`, else discovery with the run
 * filters), and the calibration limits (cash reserve, min time to close, max spread, max clock
 * skew). Exit 0 for trade or recover, 1 for refuse (the report says why) or a start-up failure
 * (one line), 2 for a usage error. Secrets are never printed.
 */
import { COMMANDS, type Command } from './cli.js';
import { loadConfig, settingsHelp } from './config/load.js';
import type { HostConfig } from './config/settings.js';
import { discoverMarkets } from './host/market-selection.js';
import { HostStartError, openVenue, type Venue } from './host/venue.js';
import { openJournal } from './store/open-journal.js';
import type { StoreJournal } from './store/write-queue.js';
import { KalshiRestClient } from '../shared/kalshi/rest/client.js';
import { runStartupCalibration } from '../supervisor/calibration/startup-calibration.js';
import { duration, formatCalibrationReport } from '../supervisor/calibration/report-table.js';
import type { StepResult } from '../supervisor/calibration/report.js';

const USAGE = `kalshi-actor calibrate [--json] [--cancel-orphans] [settings]

Runs the start-up calibration once and prints its report: connection, exchange status and clock
skew; the account (balance, positions, resting orders, fills, settlements) reconciled against the
exchange and the journal, every difference with its action; market viability; portfolio health;
and the verdict — trade, recover first, or refuse. One progress line per step, then the tables,
then the verdict line.

Report only by default: it reads the exchange and the journal and writes nothing but the
calibration record to the journal. It never places an order.
  --json            print the report as JSON instead (no progress lines, no tables)
  --cancel-orphans  act as the host does at start: cancel resting orders that are not this host's
                    in the markets to trade, and journal missing and synthesized fills. Only this
                    flag on the command line acts (KALSHI_ACTOR_CANCEL_ORPHANS alone does not).

Markets: --markets, else discovery with the run settings (--max-markets, --max-spread …).
Exit: 0 trade or recover, 1 refuse (the report says why) or a start-up failure, 2 usage error.`;

export function calibrateCommand(out: (line: string) => void = (l) => console.log(l), err: (line: string) => void = (l) => console.error(l)): Command {
  return {
    summary: 'print the start-up calibration report (connection, reconcile, markets, portfolio, verdict); trades nothing',
    usage: `${USAGE}\n\nSettings (flag, then environment variable; flags win):\n${settingsHelp()}`,
    async run(argv) {
      const json = argv.includes('--json');
      const settingsArgv = argv.filter((a) => a !== '--json');
      const config = loadConfig(settingsArgv);
      const act = settingsArgv.includes('--cancel-orphans') && config.cancelOrphans;
      let venue: Venue;
      try {
        venue = await openVenue(config);
      } catch (e) {
        if (e instanceof HostStartError) {
          err(`kalshi-actor calibrate: ${e.message}`);
          return 1;
        }
        throw e;
      }
      let journal: StoreJournal | undefined;
      let rest: KalshiRestClient | undefined;
      try {
        journal = await openJournal({ url: config.db, dataDir: config.dataDir });
        rest = await restClient(venue);
        const markets = await marketsOf(config, rest);
        if (!json) out(`calibrating ${venue.name} at ${venue.restUrl}: ${markets.length} market(s)${config.markets === undefined ? ' (discovered)' : ''}, ${act ? 'acting (--cancel-orphans)' : 'report only'}`);
        const report = await runStartupCalibration({
          rest, journal, markets, act,
          settings: { cashReserve: config.cashReserve, minTimeToCloseS: config.minTimeToCloseS, maxSpread: config.maxSpread, maxClockSkewMs: config.maxClockSkewMs, cancelOrphans: config.cancelOrphans },
        }, json ? undefined : (s) => out(progressLine(s)));
        await journal.flush();
        if (json) out(JSON.stringify(report, null, 2));
        else for (const line of ['', ...formatCalibrationReport(report, { steps: false })]) out(line);
        return report.verdict.verdict === 'refuse' ? 1 : 0;
      } finally {
        await rest?.close().catch(() => undefined);
        await journal?.close({ timeoutMs: 5_000 }).catch(() => undefined);
        await venue.close().catch(() => undefined);
      }
    },
  };
}

/** `[2/5] reconcile  WARN  balance $1000.00, … (35 ms)`. */
export function progressLine(s: StepResult): string {
  return `[${s.index}/${s.total}] ${s.name.padEnd(10)} ${s.status.toUpperCase().padEnd(4)}  ${s.summary} (${duration(s.durationMs)})`;
}

/**
 * The venue's client with the account's own budgets; when the exchange cannot be asked for them
 * (unreachable, a key it refuses), a client on the conservative default budgets, so that the
 * calibration itself reports what is wrong.
 */
async function restClient(venue: Venue): Promise<KalshiRestClient> {
  try {
    return await KalshiRestClient.create({ baseUrl: venue.restUrl, credentials: venue.credentials });
  } catch {
    return new KalshiRestClient({ baseUrl: venue.restUrl, credentials: venue.credentials });
  }
}

/** --markets as given (viability judges them), else discovery; none when discovery cannot run (the calibration says why). */
async function marketsOf(config: HostConfig, rest: KalshiRestClient): Promise<string[]> {
  if (config.markets !== undefined) return config.markets;
  try {
    const found = await discoverMarkets(rest, { maxMarkets: config.maxMarkets, minVolume: config.minVolume, maxSpread: config.maxSpread, minTimeToCloseS: config.minTimeToCloseS }, Date.now());
    return found.markets.map((m) => m.ticker);
  } catch {
    return [];
  }
}

/** Add `calibrate` to `COMMANDS` (idempotent). */
export function registerCalibrateCommand(): void {
  if (COMMANDS.calibrate === undefined) COMMANDS.calibrate = calibrateCommand();
}
