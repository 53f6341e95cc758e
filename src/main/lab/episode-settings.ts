/**
 * An episode's execution settings, read the way `kalshi-actor run` reads them: `spec.settings`
 * ({"throttle-ms": "250"}: flag name without `--` → its text) becomes a command line for the
 * host's own `loadConfig` (the settings table's parsers, its cross-setting rules), then
 * `executionSettingsOf` and `executionSettings` — the translation the execution stage gets.
 * The environment is not read: an episode depends on its spec alone.
 *
 * Only the settings the episode's decision path uses are accepted; any other flag (a supervisor
 * rule, the venue, the policy — given apart) is refused rather than silently ignored.
 */
import { UsageError } from '../cli.js';
import { loadConfig } from '../config/load.js';
import { SETTINGS, SettingError, type Setting } from '../config/settings.js';
import { executionSettingsOf } from '../host/execution-handle.js';
import { executionSettings, type ExecutionSettings } from '../../workers/execution/execution-settings.js';

/** The flags an episode applies: those of the execution stage's rules. */
export const EPISODE_SETTING_FLAGS: readonly string[] = Object.freeze([
  'price-mode', 'contract-size', 'throttle-ms', 'cash-reserve', 'max-position', 'max-exposure',
  'order-groups', 'group-limit', 'group-auto-reset', 'group-reset-cooldown-s', 'breaker-errors', 'breaker-cooldown-s',
]);

const BY_FLAG = new Map<string, Setting>(Object.values(SETTINGS).map((s) => [s.flag, s as Setting]));

/** The execution settings of `settings` (defaults for the rest). Throws RangeError naming `settings` and the flag. */
export function episodeExecutionSettings(settings: Record<string, string> | undefined): ExecutionSettings {
  if (settings === undefined) return executionSettings(executionSettingsOf(loadConfig([], {})));
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) throw new RangeError('settings must be an object of flag name → text');
  const argv: string[] = [];
  for (const [flag, value] of Object.entries(settings)) {
    const s = BY_FLAG.get(flag);
    if (s === undefined) throw new RangeError(`settings: unknown setting '${flag}' (flag names without --, e.g. throttle-ms)`);
    if (!EPISODE_SETTING_FLAGS.includes(flag)) throw new RangeError(`settings: '${flag}' does not apply to an episode; it takes ${EPISODE_SETTING_FLAGS.join(', ')}`);
    if (typeof value !== 'string') throw new RangeError(`settings: '${flag}' must be given as text, got ${typeof value}`);
    if (s.boolean === true) {
      // A boolean flag takes no value on the command line: --flag or --no-flag.
      let on: boolean;
      try {
        on = s.parse(value) as boolean;
      } catch (err) {
        if (err instanceof SettingError) throw new RangeError(`settings: --${flag} ${err.message}`);
        throw err;
      }
      argv.push(on ? `--${flag}` : `--no-${flag}`);
    } else {
      argv.push(`--${flag}=${value}`);
    }
  }
  try {
    return executionSettings(executionSettingsOf(loadConfig(argv, {})));
  } catch (err) {
    if (err instanceof UsageError || err instanceof RangeError) throw new RangeError(`settings: ${err.message}`);
    throw err;
  }
}
