/**
 * What `evaluate` and `train` read alike from their command lines: seed lists, whole numbers, and
 * the execution settings after `--` (as `run` takes them, checked as an episode reads them).
 * Every problem is a UsageError (one line, exit 2).
 */
import { UsageError } from '../cli.js';
import { SETTINGS, type Setting } from '../config/settings.js';
import { episodeExecutionSettings } from './episode-settings.js';

/** Seeds are unsigned 32-bit (the simulator's Rng takes `seed >>> 0`). */
export const MAX_SEED = 2 ** 32 - 1;
export const MAX_SEEDS = 100_000;

/** "1-20", "1,5,9", "1-3,7,10-12" → the seeds, in the order given, each once; at most `max`. */
export function parseSeeds(text: string, flag = 'seeds', max = MAX_SEEDS): number[] {
  const seeds: number[] = [];
  const seen = new Set<number>();
  const whole = (s: string): number => {
    if (!/^\d+$/.test(s)) throw new UsageError(`--${flag} takes seeds and ranges such as 1-20 or 1,5,9, got '${text}'`);
    const n = Number(s);
    if (n > MAX_SEED) throw new UsageError(`--${flag}: seed ${s} is above ${MAX_SEED}`);
    return n;
  };
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const dash = part.indexOf('-');
    const from = whole(dash < 0 ? part : part.slice(0, dash).trim());
    const to = dash < 0 ? from : whole(part.slice(dash + 1).trim());
    if (to < from) throw new UsageError(`--${flag}: range ${part} runs backwards`);
    if (seeds.length + (to - from + 1) > max) throw new UsageError(`--${flag} lists more than ${max.toLocaleString('en-US')} seeds`);
    for (let s = from; s <= to; s++) {
      if (seen.has(s)) throw new UsageError(`--${flag} lists seed ${s} twice`);
      seen.add(s);
      seeds.push(s);
    }
  }
  if (seeds.length === 0) throw new UsageError(`--${flag} lists no seed: '${text}'`);
  return seeds;
}

/** Seeds as ranges for messages and metadata: [1001, 1002, 1003, 1010] → "1001-1003,1010". */
export function formatSeeds(seeds: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j] + 1) j++;
    parts.push(j > i ? `${seeds[i]}-${seeds[j]}` : String(seeds[i]));
    i = j + 1;
  }
  return parts.join(',');
}

/** A whole-number flag in [min, max]; `fallback` when absent. */
export function wholeFlag(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new UsageError(`--${flag} takes a whole number, got '${text}'`);
  const n = Number(t);
  if (n < min || n > max) throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

const BY_FLAG = new Map<string, Setting>(Object.values(SETTINGS).map((s) => [s.flag, s as Setting]));

/**
 * The execution settings after `--`, as `run` takes them (`--throttle-ms 250`,
 * `--price-mode=mid`, booleans as `--flag` / `--no-flag`), as flag → value; checked as an episode
 * reads them (only the execution stage's settings apply). `own`: settings the command sets itself
 * (flag → the command's own flag), refused here.
 */
export function parseEpisodeSettings(args: readonly string[], own: Readonly<Record<string, string>> = {}, command = 'the command'): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--') || a.length === 2) throw new UsageError(`setting after --: expected --flag [value], got '${a}'`);
    const body = a.slice(2);
    const eq = body.indexOf('=');
    const name = eq > 0 ? body.slice(0, eq) : body;
    const bare = name.startsWith('no-') && BY_FLAG.get(name.slice(3))?.boolean === true ? name.slice(3) : name;
    if (!BY_FLAG.has(bare)) throw new UsageError(`setting after --: Unknown option '--${name}'`);
    if (own[bare] !== undefined) throw new UsageError(`setting after --: --${name} is ${command}'s to set (${own[bare]})`);
    if (eq > 0) {
      out[bare] = body.slice(eq + 1);
    } else if (BY_FLAG.get(bare)?.boolean === true) {
      out[bare] = bare === name ? 'true' : 'false';
    } else {
      const value = args[i + 1];
      if (value === undefined) throw new UsageError(`setting after --: --${name} needs a value`);
      out[bare] = value;
      i++;
    }
  }
  try {
    episodeExecutionSettings(out);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`after --: ${e.message}`);
    throw e;
  }
  return out;
}
