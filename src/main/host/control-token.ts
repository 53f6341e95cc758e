/**
 * The control token actions need when the operator set none (docs/dashboard.md): made fresh at
 * every start (32 random bytes, base64url: 43 visible characters) and written to
 * `<data dir>/control-token`, mode 0600, atomically (a temporary file renamed over it), so the
 * operator — and only the account the host runs as — can read it. Never logged: the log names the
 * file. A host that cannot write it serves no actions over HTTP (the kill switch still works
 * through `kalshi-actor kill`, which writes the kill-switch file).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONTROL_TOKEN_FILE = 'control-token';

export function ensureActionToken(dataDir: string): { token: string; path: string } {
  const token = randomBytes(32).toString('base64url');
  const path = join(dataDir, CONTROL_TOKEN_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the mode above is masked by the umask only when the file is created
  renameSync(tmp, path);
  return { token, path };
}
