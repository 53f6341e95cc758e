/**
 * The control token actions need when the operator set none (docs/dashboard.md): made fresh at
 * every start (32 random bytes, base64url: 43 visible characters) and written to
 * `<data dir>/control-token`, mode 0600, atomically (a temporary file renamed over it), so the
 * operator — and only the account the host runs as — can read it. Never logged: the log names the
 * file. A host that cannot write it serves no actions over HTTP (the kill switch still works
 * through `kalshi-actor kill`, which writes the kill-switch file).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/atomic-file.js';

export const CONTROL_TOKEN_FILE = 'control-token';

export function ensureActionToken(dataDir: string): { token: string; path: string } {
  const token = randomBytes(32).toString('base64url');
  const path = join(dataDir, CONTROL_TOKEN_FILE);
  writeFileAtomic(path, `${token}\n`, 0o600); // a new file each time: never wider than 0600
  return { token, path };
}
