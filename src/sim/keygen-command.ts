/**
 * `kalshi-actor keygen --out DIR [--force]`: generate a simulator API key (RSA-2048 + UUID key id)
 * and write `private-key.pem` (0600), `public-key.pem` and `key-id` into DIR. Prints the key id
 * and the file paths — never the private key.
 */
import { COMMANDS, parseFlags, UsageError, type Command } from '../main/cli.js';
import { generateKeyPair, KeyFilesExistError, writeKeyFiles } from './keygen.js';

const USAGE = 'kalshi-actor keygen --out DIR [--force]';

/** The `keygen` command; `out` receives the printed lines (stdout by default). */
export function keygenCommand(out: (line: string) => void = (line) => console.log(line)): Command {
  return {
    summary: 'generate an API key pair for the simulator (key id, private-key.pem, public-key.pem)',
    usage: `${USAGE}\n\n  --out DIR   directory to write private-key.pem (mode 0600), public-key.pem and key-id into (created if missing)\n  --force     replace existing key files in DIR`,
    run(argv) {
      const { values } = parseFlags(argv, { out: { type: 'string', short: 'o' }, force: { type: 'boolean' } });
      if (values.out === undefined || values.out.trim() === '') throw new UsageError(`--out DIR is required (usage: ${USAGE})`);
      let paths;
      try {
        paths = writeKeyFiles(values.out, generateKeyPair(), { force: values.force === true });
      } catch (e) {
        if (e instanceof KeyFilesExistError) throw new UsageError(`${e.message} (pass --force to replace them)`);
        const { code, syscall } = e as NodeJS.ErrnoException;
        if (syscall === 'mkdir' && (code === 'EEXIST' || code === 'ENOTDIR')) throw new UsageError(`--out ${values.out}: not a directory`);
        throw e;
      }
      out(`key id:      ${paths.keyId}`);
      out(`private key: ${paths.privateKeyPath}  (mode 0600 — keep it secret)`);
      out(`public key:  ${paths.publicKeyPath}`);
      return 0;
    },
  };
}

/** Add `keygen` to `COMMANDS` (idempotent: a second call leaves the first registration). */
export function registerKeygenCommand(): void {
  if (COMMANDS.keygen === undefined) COMMANDS.keygen = keygenCommand();
}
