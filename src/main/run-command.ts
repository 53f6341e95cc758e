/**
 * `kalshi-actor run [settings]` (and `npm start`): trade until SIGINT/SIGTERM, then stop
 * gracefully — no new intents, resting orders cancelled (unless --no-cancel-on-stop), journal
 * flushed — and exit 0. A bad setting is a usage error (exit 2); a start-up failure (missing key
 * file, unreachable exchange, a model built for another feature table, no market to trade) is
 * one line and exit 1. A signal during the start-up is kept: the host stops as soon as it has
 * started (exit 0). A second signal, while starting or stopping, exits at once (code 130).
 */
import { COMMANDS, type Command } from './cli.js';
import { loadConfig, redactedConfig, settingsHelp } from './config/load.js';
import { startHost } from './host/host.js';
import { MarketSelectionError } from './host/market-selection.js';
import { HostStartError } from './host/venue.js';
import { ModelLoadError, ModelMismatchError } from '../shared/policy/onnx-errors.js';
import { KalshiHttpError } from '../shared/kalshi/rest/errors.js';

const EXPECTED = [HostStartError, MarketSelectionError, ModelLoadError, ModelMismatchError, KalshiHttpError];

export function runCommand(out: (line: string) => void = (l) => console.log(l), err: (line: string) => void = (l) => console.error(l)): Command {
  return {
    summary: 'trade: the embedded simulator by default, or Kalshi demo/prod (--exchange)',
    usage: `kalshi-actor run [settings]\n\nSettings (flag, then environment variable; flags win):\n${settingsHelp()}`,
    async run(argv) {
      const config = loadConfig(argv);
      const stamp = () => new Date().toISOString();
      const log = (line: string) => out(`${stamp()} ${line}`);
      if (config.logLevel === 'debug' || config.logLevel === 'trace') log(`config ${JSON.stringify(redactedConfig(config))}`);
      // The signals are ours from the very start: a SIGINT or SIGTERM that arrives while the host
      // is still starting (journal, calibration, the private stream's wait) must not kill the
      // process outright — no journal flush, no session end, whatever was set up at the exchange
      // left there. It is remembered and the host stops as soon as it has started. A second one,
      // at any time, exits at once (130).
      let received: string | undefined;
      let wake: ((signal: string) => void) | undefined;
      const onSignal = (name: string) => {
        if (received !== undefined) process.exit(130);
        received = name;
        if (wake === undefined) log(`${name} received while starting: stopping as soon as the start-up completes (again to exit at once)`);
        wake?.(name);
      };
      const onInt = () => onSignal('SIGINT');
      const onTerm = () => onSignal('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      try {
        let host;
        try {
          host = await startHost({ config, log });
        } catch (e) {
          if (EXPECTED.some((k) => e instanceof k) || (e instanceof RangeError && /rule policy/.test(e.message))) {
            err(`kalshi-actor run: ${(e as Error).message}`);
            return 1;
          }
          throw e;
        }
        const signal = received ?? (await new Promise<string>((resolve) => (wake = resolve)));
        await host.stop(signal);
        return 0;
      } finally {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      }
    },
  };
}

/** Add `run` to `COMMANDS` (idempotent). */
export function registerRunCommand(): void {
  if (COMMANDS.run === undefined) COMMANDS.run = runCommand();
}
