import { describe, expect, it } from 'vitest';
import { GroupGate, GroupStatus, orderGroupConfig, OrderGroups, SESSION_GROUP } from '../../../src/workers/execution/order-groups.js';

const T = 1_767_225_600_000;

describe('OrderGroups', () => {
  it('config: whole contracts from 1 to 1,000,000; modes off / session / market', () => {
    expect(orderGroupConfig()).toEqual({ mode: 'session', contractsLimit: 10_000, autoReset: true, resetCooldownMs: 60_000 });
    expect(() => orderGroupConfig({ contractsLimit: 99 })).toThrow(RangeError);
    expect(() => orderGroupConfig({ contractsLimit: 150 })).toThrow(RangeError);
    expect(() => orderGroupConfig({ contractsLimit: 100_000_100 })).toThrow(RangeError);
    expect(() => orderGroupConfig({ mode: 'bogus' as 'off' })).toThrow(RangeError);
  });

  it('off: no group, ever', () => {
    const g = new OrderGroups({ mode: 'off' });
    expect(g.gate(3)).toBe(GroupGate.OFF);
    expect(g.idFor(3)).toBe('');
  });

  it('session mode: one group for all markets; created once, then READY everywhere', () => {
    const g = new OrderGroups({ mode: 'session' });
    expect(g.keyOf(0)).toBe(SESSION_GROUP);
    expect(g.keyOf(7)).toBe(SESSION_GROUP);
    expect(g.gate(0)).toBe(GroupGate.CREATE);
    g.beginCreate(SESSION_GROUP);
    expect(g.gate(0)).toBe(GroupGate.PENDING);
    expect(g.gate(5)).toBe(GroupGate.PENDING);
    g.onCreated(SESSION_GROUP, 'og_1');
    expect(g.gate(5)).toBe(GroupGate.READY);
    expect(g.idFor(0)).toBe('og_1');
    expect(g.idFor(9)).toBe('og_1');
    expect(g.keyOfId('og_1')).toBe(SESSION_GROUP);
    // The WS `created` echo changes nothing.
    expect(g.onEvent('created', 'og_1', T, 10_000)).toBe(true);
    expect(g.statusOf(SESSION_GROUP)).toBe(GroupStatus.ACTIVE);
  });

  it('market mode: one group per market', () => {
    const g = new OrderGroups({ mode: 'market' });
    g.beginCreate(g.keyOf(1));
    g.onCreated(1, 'og_m1');
    expect(g.gate(1)).toBe(GroupGate.READY);
    expect(g.gate(2)).toBe(GroupGate.CREATE);
    expect(g.idFor(1)).toBe('og_m1');
    expect(g.idFor(2)).toBe('');
  });

  it('a failed or unknown creation goes back to NONE (create again later)', () => {
    const g = new OrderGroups();
    g.beginCreate(SESSION_GROUP);
    g.onCreateFailed(SESSION_GROUP);
    expect(g.gate(0)).toBe(GroupGate.CREATE);
  });

  it('triggered → new orders refused locally → reset after the cool-down → ACTIVE', () => {
    const g = new OrderGroups({ resetCooldownMs: 60_000 });
    g.onCreated(SESSION_GROUP, 'og_1');
    expect(g.onEvent('triggered', 'og_1', T)).toBe(true);
    expect(g.gate(0)).toBe(GroupGate.TRIGGERED);
    expect(g.dueResets(T + 59_999)).toEqual([]);
    // A second trigger event does not restart the cool-down.
    g.onEvent('triggered', 'og_1', T + 30_000);
    expect(g.dueResets(T + 60_000)).toEqual([SESSION_GROUP]);
    expect(g.beginReset(SESSION_GROUP)).toBe('og_1');
    expect(g.gate(0)).toBe(GroupGate.PENDING);
    expect(g.dueResets(T + 60_001)).toEqual([]);
    g.onResetDone(SESSION_GROUP, true, T + 60_010);
    expect(g.gate(0)).toBe(GroupGate.READY);
    expect(() => g.beginReset(SESSION_GROUP)).toThrow(/not triggered/);
  });

  it('a failed reset re-arms the cool-down; the `reset` event alone also re-activates', () => {
    const g = new OrderGroups({ resetCooldownMs: 1_000 });
    g.onCreated(SESSION_GROUP, 'og_1');
    g.onEvent('triggered', 'og_1', T);
    g.beginReset(SESSION_GROUP);
    g.onResetDone(SESSION_GROUP, false, T + 2_000);
    expect(g.gate(0)).toBe(GroupGate.TRIGGERED);
    expect(g.dueResets(T + 2_999)).toEqual([]);
    expect(g.dueResets(T + 3_000)).toEqual([SESSION_GROUP]);
    g.onEvent('reset', 'og_1', T + 3_100);
    expect(g.gate(0)).toBe(GroupGate.READY);
  });

  it('no automatic reset when not allowed', () => {
    const g = new OrderGroups({ autoReset: false });
    g.onCreated(SESSION_GROUP, 'og_1');
    g.onEvent('triggered', 'og_1', T);
    expect(g.dueResets(T + 10 * 3_600_000)).toEqual([]);
    expect(g.gate(0)).toBe(GroupGate.TRIGGERED);
  });

  it('an order refused for the group limit marks it triggered before the event arrives', () => {
    const g = new OrderGroups();
    g.onCreated(SESSION_GROUP, 'og_1');
    g.onOrderRefused('og_1', 'invalid_price', T);
    expect(g.gate(0)).toBe(GroupGate.READY);
    g.onOrderRefused('og_1', 'exceeded_order_group_risk_limit', T);
    expect(g.gate(0)).toBe(GroupGate.TRIGGERED);
  });

  it('deleted, 404 or order_group_not_found: forgotten, re-created on the next order', () => {
    for (const forget of [
      (g: OrderGroups) => g.onEvent('deleted', 'og_1', T),
      (g: OrderGroups) => g.onNotFound('og_1'),
      (g: OrderGroups) => g.onOrderRefused('og_1', 'order_group_not_found', T),
    ]) {
      const g = new OrderGroups();
      g.onCreated(SESSION_GROUP, 'og_1');
      forget(g);
      expect(g.gate(0)).toBe(GroupGate.CREATE);
      expect(g.idFor(0)).toBe('');
      expect(g.keyOfId('og_1')).toBeUndefined();
      g.beginCreate(SESSION_GROUP);
      g.onCreated(SESSION_GROUP, 'og_2');
      expect(g.idFor(0)).toBe('og_2');
    }
  });

  it('events of unknown groups (an earlier session) are ignored; limit updates are kept', () => {
    const g = new OrderGroups();
    expect(g.onEvent('triggered', 'og_old', T)).toBe(false);
    g.adopt(SESSION_GROUP, 'og_1', false, 20_000, T);
    expect(g.onEvent('limit_updated', 'og_1', T, 30_000)).toBe(true);
    expect(g.gate(0)).toBe(GroupGate.READY);
    g.adopt(SESSION_GROUP, 'og_3', true, 20_000, T);
    expect(g.gate(0)).toBe(GroupGate.TRIGGERED);
    expect(g.keyOfId('og_1')).toBeUndefined();
  });

  it('triggeredKeys lists every triggered group, cool-down or not; list reports the groups that have an id', () => {
    const g = new OrderGroups({ mode: 'market', autoReset: false, resetCooldownMs: 60_000 });
    expect(g.list()).toEqual([]);
    g.beginCreate(0); // creating: no id yet, not listed
    g.onCreated(1, 'og_1', 500);
    g.onCreated(2, 'og_2', 500);
    expect(g.triggeredKeys()).toEqual([]);
    g.onEvent('triggered', 'og_2', T);
    expect(g.dueResets(T + 3_600_000)).toEqual([]); // autoReset off
    expect(g.triggeredKeys()).toEqual([2]);
    expect(g.list()).toEqual([
      { key: 1, id: 'og_1', status: GroupStatus.ACTIVE, limit: 500, triggeredAtMs: 0 },
      { key: 2, id: 'og_2', status: GroupStatus.TRIGGERED, limit: 500, triggeredAtMs: T },
    ]);
    expect(g.beginReset(2)).toBe('og_2');
    expect(g.triggeredKeys()).toEqual([]);
    expect(g.list()[1].status).toBe(GroupStatus.RESETTING);
    g.onResetDone(2, true, T + 1);
    expect(g.list().map((x) => x.status)).toEqual([GroupStatus.ACTIVE, GroupStatus.ACTIVE]);
  });
});
