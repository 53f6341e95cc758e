/**
 * `kalshi-actor kill`: the kill switch from the command line, for a host running in another
 * process (or none: the switch waits for the next start).
 *
 *   kalshi-actor kill [--reason TEXT] [--flatten] [--data-dir DIR]   engage
 *   kalshi-actor kill --clear [--data-dir DIR]                        release
 *   kalshi-actor kill --status [--data-dir DIR]                       show
 *
 * The switch is the file `<data dir>/kill-switch.json` (src/supervisor/kill-switch.ts); the data
 * directory is found like the host finds it: --data-dir, else KALSHI_ACTOR_DATA_DIR, else ./data.
 * A running host polls the file and halts within a second; it stays halted across restarts until
 * `kalshi-actor kill --clear`. Each action prints one line. Exit codes: 0 done (including "was not
 * engaged" and a status of either kind), 2 usage error, 1 the file could not be written or removed.
 * A long or multi-line --reason is stored as one line of at most 500 characters: a kill is never
 * refused for its wording.
 */
import { COMMANDS, parseFlags, UsageError, type Command } from './cli.js';
import { SETTINGS } from './config/settings.js';
import { KillSwitchFile, type KillSwitchState } from '../supervisor/kill-switch.js';

export const CLI_DEFAULT_REASON = 'engaged from the command line';

/** The data directory as the host resolves it: flag, then environment, then the default. */
export function killDataDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined) {
    if (flag === '') throw new UsageError('--data-dir must not be empty');
    return flag;
  }
  const fromEnv = env[SETTINGS.dataDir.env];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : (SETTINGS.dataDir.fallback as string);
}

function describeState(s: KillSwitchState): string {
  return `engaged by ${s.by} at ${new Date(s.atMs).toISOString()}, flatten ${s.flatten ? 'yes' : 'no'}, reason: ${JSON.stringify(s.reason)}`;
}

export function killCommand(
  out: (line: string) => void = (l) => console.log(l),
  err: (line: string) => void = (l) => console.error(l),
  env: NodeJS.ProcessEnv = process.env,
): Command {
  return {
    summary: 'engage the kill switch (a running host halts within a second, until --clear); --status shows it',
    usage: [
      'kalshi-actor kill [--reason TEXT] [--flatten] [--data-dir DIR]   engage: halt, cancel resting orders (--flatten: also close positions)',
      'kalshi-actor kill --clear [--data-dir DIR]                        release the switch',
      'kalshi-actor kill --status [--data-dir DIR]                       show it',
      '',
      `--data-dir defaults to ${SETTINGS.dataDir.env} or ${String(SETTINGS.dataDir.fallback)}, as for kalshi-actor run.`,
    ].join('\n'),
    run(argv) {
      const { values } = parseFlags(argv, {
        reason: { type: 'string' }, flatten: { type: 'boolean' }, clear: { type: 'boolean' }, status: { type: 'boolean' },
        'data-dir': { type: 'string' },
      });
      const clear = values.clear === true;
      const status = values.status === true;
      if (clear && status) throw new UsageError('--clear and --status cannot be combined');
      if ((clear || status) && (values.reason !== undefined || values.flatten === true)) {
        throw new UsageError(`--reason and --flatten go with engaging, not with --${clear ? 'clear' : 'status'}`);
      }
      if (values.reason !== undefined && values.reason.trim() === '') throw new UsageError('--reason must not be empty');
      const file = new KillSwitchFile(killDataDir(values['data-dir'], env));

      if (status) {
        const s = file.read();
        out(s === undefined ? `kill switch clear (no ${file.path})` : `kill switch ENGAGED: ${describeState(s)} (${file.path})`);
        return 0;
      }
      try {
        if (clear) {
          const before = file.read();
          const was = file.clear();
          out(was
            ? `kill switch cleared (${file.path}); it was ${before === undefined ? 'engaged' : describeState(before)}`
            : `kill switch was not engaged (no ${file.path}); nothing to clear`);
          return 0;
        }
        const s = file.engage({ reason: values.reason ?? CLI_DEFAULT_REASON, flatten: values.flatten === true, by: 'cli' });
        out(`kill switch ENGAGED (reason: ${JSON.stringify(s.reason)}, flatten ${s.flatten ? 'yes' : 'no'}) in ${file.path}: `
          + 'a running host halts within a second and stays halted across restarts until `kalshi-actor kill --clear`');
        return 0;
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        err(`kalshi-actor kill: cannot ${clear ? 'clear' : 'engage'} the kill switch at ${file.path}: ${why}`);
        return 1;
      }
    },
  };
}

/** Add `kill` to `COMMANDS` (idempotent). */
export function registerKillCommand(): void {
  if (COMMANDS.kill === undefined) COMMANDS.kill = killCommand();
}
