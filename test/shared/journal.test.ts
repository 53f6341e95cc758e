import { describe, expect, it } from 'vitest';
import { MemoryJournal } from '../../src/shared/journal.js';

describe('MemoryJournal', () => {
  it('keeps the newest records of each kind, counts all', async () => {
    const j = new MemoryJournal(3);
    for (let i = 0; i < 5; i++) j.write('fill', { i });
    j.write('drift', { cash: 0 });
    expect(j.records('fill').map((r) => r.i)).toEqual([2, 3, 4]);
    expect(j.records('drift')).toHaveLength(1);
    expect(j.records('decision')).toEqual([]);
    expect(j.written).toBe(6);
    await expect(j.flush()).resolves.toBeUndefined();
  });
});
