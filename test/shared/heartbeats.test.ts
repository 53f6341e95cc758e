import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { HeartbeatMonitor, Heartbeats, HeartbeatSlots } from '../../src/shared/heartbeats.js';
import { until } from '../support/host-fixtures.js';

describe('Heartbeats', () => {
  it('counts beats per slot, independently', () => {
    const h = Heartbeats.create(4);
    h.beat(1);
    h.beat(1);
    h.beat(3);
    expect([h.read(0), h.read(1), h.read(2), h.read(3)]).toEqual([0, 2, 0, 1]);
  });

  it('refuses slots outside the buffer and bad capacities', () => {
    const h = Heartbeats.create(2);
    expect(() => h.beat(2)).toThrow(/slot must be 0..1/);
    expect(() => h.read(-1)).toThrow(RangeError);
    expect(() => Heartbeats.create(0)).toThrow(RangeError);
    expect(() => Heartbeats.attach({ buffer: new ArrayBuffer(8) as unknown as SharedArrayBuffer })).toThrow(TypeError);
  });

  it('hands out each slot once', () => {
    const slots = new HeartbeatSlots(Heartbeats.create(2));
    expect([slots.allocate(), slots.allocate()]).toEqual([0, 1]);
    expect(() => slots.allocate()).toThrow(/exhausted/);
  });
});

describe('HeartbeatMonitor', () => {
  it('calls a slot dead once its counter has not moved for deadAfterMs, alive again when it moves', () => {
    const h = Heartbeats.create(2);
    const m = new HeartbeatMonitor(h, 1_000);
    m.watch('a', 0, 0);
    m.watch('b', 1, 0);
    h.beat(0);
    expect(m.check(500).map((t) => [t.name, t.alive])).toEqual([['a', true], ['b', true]]);
    h.beat(0);
    const at1200 = m.check(1_200);
    expect(at1200.find((t) => t.name === 'a')).toMatchObject({ alive: true, silentMs: 0 });
    expect(at1200.find((t) => t.name === 'b')).toMatchObject({ alive: false, silentMs: 1_200 });
    h.beat(1);
    expect(m.check(1_300).find((t) => t.name === 'b')?.alive).toBe(true);
  });

  it('watches a restarted thread under its old name at its new slot', () => {
    const h = Heartbeats.create(2);
    const m = new HeartbeatMonitor(h, 100);
    m.watch('w', 0, 0);
    m.watch('w', 1, 500);
    expect(m.check(550)).toEqual([{ name: 'w', slot: 1, alive: true, silentMs: 50 }]);
    m.unwatch('w');
    expect(m.check(600)).toEqual([]);
  });

  it('sees a real worker thread beat, and sees it die when the thread ends', async () => {
    const h = Heartbeats.create(1);
    // The worker bumps its slot the way Heartbeats.beat does (an eval worker cannot import TypeScript).
    const w = new Worker('const { workerData } = require("node:worker_threads"); const a = new Int32Array(workerData.buffer); setInterval(() => Atomics.add(a, 0, 1), 20);', { eval: true, workerData: h.shared });
    const m = new HeartbeatMonitor(h, 300);
    m.watch('w', 0, Date.now());
    await until(() => h.read(0) >= 3, 'the worker to beat', 10_000);
    expect(m.check(Date.now())[0].alive).toBe(true);
    await w.terminate();
    const stoppedAt = h.read(0);
    await until(() => !m.check(Date.now())[0].alive, 'the monitor to call the thread dead', 10_000);
    expect(h.read(0)).toBe(stoppedAt);
  });
});
