/**
 * The `kalshi-actor` command line: one binary, one subcommand per job.
 *
 * Commands register themselves in `COMMANDS` with a one-line summary and a handler. A handler
 * returns the process exit code; a bad flag or value is a `UsageError`, printed as one clear
 * line (never a stack trace) with exit code 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** A mistake in how the command was called: one line to the user, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number> | number;
}

/** The project's package.json, found by walking up from this file (works from src/ and dist/). */
export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'kalshi-actor' && manifest.version !== undefined) return manifest.version;
    }
    if (dirname(dir) === dir) throw new Error('kalshi-actor: package.json not found above the CLI module');
  }
}

export const COMMANDS: Record<string, Command> = {};

export function helpText(): string {
  const names = Object.keys(COMMANDS).sort();
  const width = Math.max(9, ...names.map((n) => n.length));
  const lines = [
    `kalshi-actor ${packageVersion()} — a multi-threaded trading host for the Kalshi exchange`,
    '',
    'Usage: kalshi-actor <command> [options]',
    '',
    ...(names.length > 0 ? ['Commands:', ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n].summary}`), ''] : []),
    'Options:',
    `  ${'--help'.padEnd(width)}  show this help (or a command's: kalshi-actor <command> --help)`,
    `  ${'--version'.padEnd(width)}  print the version`,
  ];
  return lines.join('\n');
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    out(helpText());
    return 0;
  }
  if (first === '--version' || first === '-v') {
    out(packageVersion());
    return 0;
  }
  const command = COMMANDS[first];
  if (command === undefined) {
    err(`kalshi-actor: unknown command '${first}' (see kalshi-actor --help)`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      err(`kalshi-actor ${first}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** Strict flag parsing for a command: unknown flags and stray positionals are usage errors. */
export function parseFlags<O extends FlagOptions>(argv: string[], options: O) {
  return parseArgs({ args: argv, options, strict: true as const, allowPositionals: false as const });
}
