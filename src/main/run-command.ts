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
import type { HostConfig } from './config/settings.js';
import { createLogger, lineStream } from './logger.js';
import { startHost } from './host/host.js';
import { MarketSelectionError } from './host/market-selection.js';
import { HostStartError } from './host/venue.js';
import { ModelLoadError, ModelMismatchError } from '../shared/policy/onnx-errors.js';
import { KalshiHttpError } from '../shared/kalshi/rest/errors.js';

const EXPECTED = [HostStartError, MarketSelectionError, ModelLoadError, ModelMismatchError, KalshiHttpError];

/**
 * Log lines go to stdout through pino (src/main/logger.ts: pretty on a terminal, JSON lines
 * otherwise, per --log-format), or, when `out` is given (tests), to `out` one line at a time
 * (JSON unless --log-format pretty). `err` takes the one line of a start-up failure: that is for a
 * person, not the log.
 */
export function runCommand(out?: (line: string) => void, err: (line: string) => void = (l) => console.error(l)): Command {
  return {
    summary: 'trade: the embedded simulator by default, or Kalshi demo/prod (--exchange)',
    usage: `kalshi-actor run [settings]\n\nSettings (flag, then environment variable; flags win):\n${settingsHelp()}`,
    async run(argv) {
      const config = loadConfig(argv);
      const { log, flush } = createLogger({
        format: config.logFormat,
        level: config.logLevel,
        destination: out === undefined ? undefined : lineStream(out),
        secrets: logSecrets(config),
      });
      {
        // The key file's path is no secret, but the logger redacts every `privateKey` field: shown under another name.
        const { privateKey, ...rest } = redactedConfig(config);
        log('config', 'debug', { config: { ...rest, privateKeyPath: privateKey } });
      }
      // The signals are ours from the very start: a SIGINT or SIGTERM that arrives while the host
      // is still starting (journal, calibration, the private stream's wait) must not kill the
      // process outright — no journal flush, no session end, whatever was set up at the exchange
      // left there. It is remembered and the host stops as soon as it has started. A second one,
      // at any time, exits at once (130).
      let received: string | undefined;
      let wake: ((signal: string) => void) | undefined;
      const onSignal = (name: string) => {
        if (received !== undefined) {
          flush();
          process.exit(130);
        }
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
        flush();
      }
    },
  };
}

/**
 * The values no log line may show: the API key id, the control token and the database password.
 * The private key itself is never in the configuration (only its file's path), so it cannot
 * reach a log line from here; the logger also redacts every `privateKey` field.
 */
export function logSecrets(config: HostConfig): string[] {
  const secrets: string[] = [];
  if (config.keyId !== undefined) secrets.push(config.keyId);
  if (config.controlToken !== undefined) secrets.push(config.controlToken);
  if (config.db !== undefined) {
    try {
      const password = new URL(config.db).password;
      if (password !== '') secrets.push(password, decodeURIComponent(password));
    } catch {
      // Not a URL: settings.ts does not let one through.
    }
  }
  return secrets;
}

/** Add `run` to `COMMANDS` (idempotent). */
export function registerRunCommand(): void {
  if (COMMANDS.run === undefined) COMMANDS.run = runCommand();
}
