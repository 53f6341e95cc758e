/** SpillDir: append, rotate, read back in order, remove; an earlier run's files; torn lines; bad directory. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SpillDir, type SpillLine } from '../../../src/main/store/spill.js';
import type { Chunk } from '../../../src/main/store/row-batcher.js';
import { tempDir } from './helpers.js';

const chunk = (i: number): Chunk => ({ table: 'fills', text: `row\t${i}\\t\n`, rows: 1, firstAtMs: 1000 + i });

function appended(spill: SpillDir, c: Chunk, seq: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!spill.append(c, seq, (err) => (err ? reject(err) : resolve()))) reject(new Error('refused'));
  });
}

async function readAll(spill: SpillDir, file = spill.closed[0]): Promise<{ lines: SpillLine[]; corrupt: number }> {
  const lines: SpillLine[] = [];
  let corrupt = 0;
  for await (const l of spill.read(file, () => corrupt++)) lines.push(l);
  return { lines, corrupt };
}

describe('SpillDir', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeEach(async () => { dir = await tempDir(); });
  afterEach(async () => { await dir.remove(); });

  it('appends chunks as JSON lines, rotates, reads them back exactly and in order, removes the file', async () => {
    const spill = new SpillDir(join(dir.path, 'spill'));
    await spill.init();
    await Promise.all([0, 1, 2].map((i) => appended(spill, chunk(i), 10 + i)));
    expect(spill.backlogRows).toBe(3);
    expect(spill.minSeq).toBe(10);
    expect(spill.oldestMs).toBe(1000);
    expect(spill.hasCurrent).toBe(true);
    await spill.rotate();
    expect(spill.hasCurrent).toBe(false);
    expect(spill.closed).toHaveLength(1);
    const { lines, corrupt } = await readAll(spill);
    expect(corrupt).toBe(0);
    expect(lines.map((l) => [l.table, l.text, l.rows, l.firstAtMs])).toEqual([0, 1, 2].map((i) => ['fills', chunk(i).text, 1, 1000 + i]));
    await spill.remove(spill.closed[0]);
    expect(spill.files).toBe(0);
    expect(await readdir(join(dir.path, 'spill'))).toEqual([]);
  });

  it('keeps counting a file while rotate closes it: minSeq never skips rows on their way to `closed`', async () => {
    const spill = new SpillDir(join(dir.path, 'spill'));
    await spill.init();
    await appended(spill, chunk(0), 7);
    expect(spill.minSeq).toBe(7);
    const rotating = spill.rotate(); // its stream is ending: the file is neither current nor closed yet
    expect(spill.minSeq).toBe(7);
    expect(spill.files).toBe(1);
    await rotating;
    expect(spill.minSeq).toBe(7);
    expect(spill.closed).toHaveLength(1);
  });

  it('picks up an earlier run\'s files in name order, skips a torn last line, and drops empty files', async () => {
    const first = new SpillDir(dir.path, () => 1_000);
    await first.init();
    await appended(first, chunk(1), 1);
    await first.close();
    const second = new SpillDir(dir.path, () => 2_000);
    await second.init();
    await appended(second, chunk(2), 1);
    await second.close();
    await appendFile(second.closed.at(-1)!.path, '{"v":1,"table":"fi'); // its own file (it also picked up the first)
    await writeFile(join(dir.path, 'spill-00000000003000-1-0.jsonl'), '');
    await writeFile(join(dir.path, 'rejected.jsonl'), 'not a spill file\n');
    const later = new SpillDir(dir.path);
    await later.init();
    expect(later.closed.map((f) => f.minSeq)).toEqual([0, 0]);
    expect(later.closed[0].rows).toBe(-1);
    const a = await readAll(later, later.closed[0]);
    const b = await readAll(later, later.closed[1]);
    expect(a.lines.map((l) => l.text)).toEqual([chunk(1).text]);
    expect(b.lines.map((l) => l.text)).toEqual([chunk(2).text]);
    expect(b.corrupt).toBe(1);
    expect((await readdir(dir.path)).sort()).toEqual([...later.closed.map((f) => f.path.split('/').pop()), 'rejected.jsonl'].sort());
  });

  it('refuses appends for a while after a write error (a directory that cannot hold files)', async () => {
    const blocker = join(dir.path, 'file');
    await writeFile(blocker, 'x');
    const spill = new SpillDir(join(blocker, 'spill')); // a path under a regular file
    await expect(spill.init()).rejects.toThrow();
    const err = await new Promise<Error | null>((resolve) => {
      if (!spill.append(chunk(1), 1, resolve)) resolve(new Error('refused at once'));
    });
    expect(err).toBeInstanceOf(Error);
    expect(spill.writable).toBe(false);
    expect(spill.append(chunk(2), 2, () => undefined)).toBe(false);
    expect(spill.lastError).toBeTruthy();
  });

  it('sync resolves once everything appended is in the file', async () => {
    const spill = new SpillDir(dir.path);
    await spill.init();
    for (let i = 0; i < 50; i++) spill.append(chunk(i), i, () => undefined);
    await spill.sync();
    expect(spill.pendingWrites).toBe(0);
    await spill.rotate();
    expect((await readAll(spill)).lines).toHaveLength(50);
  });
});
