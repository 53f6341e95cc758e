import { describe, expect, it } from 'vitest';
import { ThreadRestarts } from '../../../src/main/host/thread-restarts.js';

function fixture(restart: (name: string) => Promise<void> = async () => undefined) {
  let now = 0;
  const lines: string[] = [];
  const events: Array<[string, Record<string, unknown>]> = [];
  const calls: string[] = [];
  const r = new ThreadRestarts({
    restart: async (name) => {
      calls.push(name);
      await restart(name);
    },
    log: (l) => lines.push(l),
    journal: (event, detail) => events.push([event, detail]),
    maxRestarts: 2,
    windowMs: 60_000,
    clock: () => now,
  });
  return { r, lines, events, calls, advance: (ms: number) => (now += ms) };
}

describe('ThreadRestarts', () => {
  it('restarts a dead thread once per death: a second report of the same death while restarting is dropped', async () => {
    let finish: () => void = () => undefined;
    const f = fixture(() => new Promise<void>((resolve) => (finish = resolve)));
    const first = f.r.request('inference-0', 'exit code 1');
    const second = f.r.request('inference-0', 'heartbeat silent'); // the same death, seen by the heartbeat too
    finish();
    await Promise.all([first, second]);
    expect(f.calls).toEqual(['inference-0']);
    expect(f.events.map(([e, d]) => [e, d.name, d.why])).toEqual([['restarted', 'inference-0', 'exit code 1']]);
    expect(f.lines).toEqual([expect.stringMatching(/^inference-0 restarted \(\d+ ms; it died: exit code 1\)$/)]);
    expect(f.r.count('inference-0')).toBe(1);
  });

  it('leaves a crash-looping thread down past maxRestarts within the window, and says so once', async () => {
    const f = fixture();
    await f.r.request('market-data-0', 'exit code 1');
    f.advance(1_000);
    await f.r.request('market-data-0', 'exit code 1');
    f.advance(1_000);
    await f.r.request('market-data-0', 'exit code 1');
    await f.r.request('market-data-0', 'exit code 1');
    expect(f.calls).toEqual(['market-data-0', 'market-data-0']);
    expect(f.events.map(([e]) => e)).toEqual(['restarted', 'restarted', 'restart_limit']);
    expect(f.lines.at(-1)).toBe('market-data-0 died 3 times within 60 s: not restarted again');
  });

  it('deaths older than the window do not count', async () => {
    const f = fixture();
    await f.r.request('w', 'x');
    await f.r.request('w', 'x');
    f.advance(61_000);
    await f.r.request('w', 'x');
    expect(f.calls).toEqual(['w', 'w', 'w']);
  });

  it('a failed restart is logged and journaled, never thrown; after stop nothing restarts', async () => {
    const f = fixture(async () => {
      throw new Error('no key');
    });
    await expect(f.r.request('execution', 'exit code 1')).resolves.toBeUndefined();
    expect(f.events).toEqual([['restart_failed', { name: 'execution', why: 'exit code 1', message: 'no key' }]]);
    expect(f.lines).toEqual(['execution could not be restarted: no key']);
    f.r.stop();
    await f.r.request('inference-0', 'exit code 1');
    expect(f.calls).toEqual(['execution']);
  });
});
