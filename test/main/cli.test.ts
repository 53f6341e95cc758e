import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { COMMANDS, helpText, main, packageVersion, parseFlags, UsageError } from '../../src/main/cli.js';

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return main(argv, (l) => out.push(l), (l) => err.push(l)).then((code) => ({ code, out: out.join('\n'), err: err.join('\n') }));
}

describe('kalshi-actor CLI', () => {
  it('prints help with no command, help or --help', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const r = await run(argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain('Usage: kalshi-actor <command> [options]');
      expect(r.out).toBe(helpText());
    }
  });

  it('prints the version from package.json', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r).toEqual({ code: 0, out: manifest.version, err: '' });
    expect(packageVersion()).toBe(manifest.version);
  });

  it('rejects an unknown command with one line and exit code 2', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("kalshi-actor: unknown command 'frobnicate' (see kalshi-actor --help)");
    expect(r.out).toBe('');
  });

  it('turns usage errors and bad flags of a command into one line and exit code 2', async () => {
    COMMANDS['test-cmd'] = {
      summary: 'a command registered by this test',
      usage: 'kalshi-actor test-cmd [--markets N]',
      run: (argv) => {
        const { values } = parseFlags(argv, { markets: { type: 'string' } });
        if (values.markets !== undefined && !/^\d+$/.test(values.markets)) throw new UsageError(`--markets must be a whole number, got '${values.markets}'`);
        return 0;
      },
    };
    try {
      expect((await run(['test-cmd', '--markets', '10'])).code).toBe(0);
      const bad = await run(['test-cmd', '--markets', 'ten']);
      expect(bad).toMatchObject({ code: 2, err: "kalshi-actor test-cmd: --markets must be a whole number, got 'ten'" });
      const unknown = await run(['test-cmd', '--bogus']);
      expect(unknown.code).toBe(2);
      expect(unknown.err).toMatch(/^kalshi-actor test-cmd: .*--bogus/);
      expect(unknown.err.split('\n')).toHaveLength(1);
      const help = await run(['test-cmd', '--help']);
      expect(help.out).toContain('kalshi-actor test-cmd [--markets N]');
      expect(helpText()).toContain('test-cmd');
    } finally {
      delete COMMANDS['test-cmd'];
    }
  });
});
