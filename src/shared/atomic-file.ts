/**
 * Small state files that must never be seen half-written (the kill switch, the control token,
 * the operator's disabled markets): written to a temporary file in the same directory, fsynced,
 * renamed over the target, and the directory fsynced so the rename survives a power cut.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Replace `path` with `text` atomically; `mode` applies to the new file (the umask may narrow it, never widen it). */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', mode);
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // It may never have been created.
    }
    throw e;
  }
  syncDirectory(dir);
}

/** Make a rename or unlink durable; not every platform can fsync a directory, hence best effort. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort (e.g. Windows cannot open a directory).
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
