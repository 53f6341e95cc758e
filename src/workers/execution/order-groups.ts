/**
 * Order-group policy as pure state (kalshi-api.md §3, architecture.md §7, lessons #8).
 *
 * A Kalshi order group is a KILL SWITCH, not a position cap: it counts contracts filled by its
 * orders over a rolling 15 s window; above its limit the exchange cancels every resting order of
 * the group and refuses new ones until the group is reset. We use it for burst protection, for
 * the instant cancel-all of the kill switch, and to tell our orders from orphans.
 *
 * Modes: `off` (orders carry no group), `session` (one group for everything), `market` (one per
 * market). For each group this tracks
 *   NONE ──create──► CREATING ──created──► ACTIVE ──triggered──► TRIGGERED ──reset (after the
 *   cool-down, if `autoReset`)──► RESETTING ──reset──► ACTIVE
 * `deleted`, or a 404 `order_group_not_found`, forgets the group: the next order re-creates it.
 * An order refused with `exceeded_order_group_risk_limit` marks the group TRIGGERED even before
 * the `order_group_updates` event arrives. While a group is not ACTIVE its new orders are
 * refused locally (the exchange would refuse them anyway, and each refusal costs write tokens).
 *
 * No I/O, no timers: the owner asks `gate` before an order, `dueResets(now)` on its periodic
 * poll, and reports outcomes and events. Counts in hundredths of a contract.
 */
export type GroupMode = 'off' | 'session' | 'market';

export const GroupStatus = { NONE: 0, CREATING: 1, ACTIVE: 2, TRIGGERED: 3, RESETTING: 4 } as const;
export type GroupStatus = (typeof GroupStatus)[keyof typeof GroupStatus];

/** What an order in a market may do about its group. */
export const GroupGate = {
  /** Groups are off: send without `order_group_id`. */
  OFF: 0,
  /** Send with `idFor(market)`. */
  READY: 1,
  /** No group yet: create it first (`beginCreate`). */
  CREATE: 2,
  /** Creation or reset in flight. */
  PENDING: 3,
  /** Triggered, waiting for a reset. */
  TRIGGERED: 4,
} as const;
export type GroupGate = (typeof GroupGate)[keyof typeof GroupGate];

export type GroupEventType = 'created' | 'triggered' | 'reset' | 'deleted' | 'limit_updated';

/** 1 to 1,000,000 contracts (§3), in hundredths. */
export const MIN_GROUP_LIMIT = 100;
export const MAX_GROUP_LIMIT = 100_000_000;

export interface OrderGroupConfig {
  mode: GroupMode;
  /** Contracts filled per rolling 15 s that trigger the group, hundredths (default 100 contracts). */
  contractsLimit: number;
  /** Reset a triggered group by itself after `resetCooldownMs` (default true). */
  autoReset: boolean;
  /** ms a triggered group stays triggered before an automatic reset (default 60 000). */
  resetCooldownMs: number;
}

export function orderGroupConfig(partial: Partial<OrderGroupConfig> = {}): OrderGroupConfig {
  const c: OrderGroupConfig = {
    mode: partial.mode ?? 'session',
    contractsLimit: partial.contractsLimit ?? 10_000,
    autoReset: partial.autoReset ?? true,
    resetCooldownMs: partial.resetCooldownMs ?? 60_000,
  };
  if (c.mode !== 'off' && c.mode !== 'session' && c.mode !== 'market') throw new RangeError(`group mode must be off, session or market, got ${String(c.mode)}`);
  if (!Number.isSafeInteger(c.contractsLimit) || c.contractsLimit < MIN_GROUP_LIMIT || c.contractsLimit > MAX_GROUP_LIMIT || c.contractsLimit % 100 !== 0) {
    throw new RangeError(`contractsLimit must be whole contracts from 1 to 1,000,000 (${MIN_GROUP_LIMIT}..${MAX_GROUP_LIMIT} hundredths), got ${c.contractsLimit}`);
  }
  if (!(c.resetCooldownMs >= 0) || !Number.isFinite(c.resetCooldownMs)) throw new RangeError(`resetCooldownMs must be a finite number ≥ 0, got ${c.resetCooldownMs}`);
  return c;
}

interface GroupRecord {
  key: number;
  id: string;
  status: GroupStatus;
  /** Hundredths. */
  limit: number;
  triggeredAtMs: number;
}

/** A group as `OrderGroups.list` reports it. */
export interface GroupView {
  key: number;
  id: string;
  status: GroupStatus;
  /** Hundredths. */
  limit: number;
  /** ms; 0 unless TRIGGERED (or RESETTING). */
  triggeredAtMs: number;
}

/** The key of the session group. */
export const SESSION_GROUP = -1;

export class OrderGroups {
  readonly config: OrderGroupConfig;
  private readonly byKey = new Map<number, GroupRecord>();
  private readonly byId = new Map<string, GroupRecord>();

  constructor(config: Partial<OrderGroupConfig> = {}) {
    this.config = orderGroupConfig(config);
  }

  /** The group key of a market: SESSION_GROUP in session mode, the market index in market mode. */
  keyOf(market: number): number {
    return this.config.mode === 'market' ? market : SESSION_GROUP;
  }

  /** What a new order in `market` may do about its group. */
  gate(market: number): GroupGate {
    if (this.config.mode === 'off') return GroupGate.OFF;
    const g = this.byKey.get(this.keyOf(market));
    if (g === undefined || g.status === GroupStatus.NONE) return GroupGate.CREATE;
    if (g.status === GroupStatus.ACTIVE) return GroupGate.READY;
    if (g.status === GroupStatus.TRIGGERED) return GroupGate.TRIGGERED;
    return GroupGate.PENDING;
  }

  /** The group id for orders in `market` ('' when there is none, or groups are off). */
  idFor(market: number): string {
    if (this.config.mode === 'off') return '';
    return this.byKey.get(this.keyOf(market))?.id ?? '';
  }

  statusOf(key: number): GroupStatus {
    return this.byKey.get(key)?.status ?? GroupStatus.NONE;
  }

  /** The key of a known group id, or undefined. */
  keyOfId(id: string): number | undefined {
    return this.byId.get(id)?.key;
  }

  /** A create request for key `key` is being sent. */
  beginCreate(key: number): void {
    const g = this.record(key);
    g.status = GroupStatus.CREATING;
  }

  /** The exchange created the group (REST 201). */
  onCreated(key: number, id: string, limit = this.config.contractsLimit): void {
    const g = this.record(key);
    if (g.id !== '') this.byId.delete(g.id);
    g.id = id;
    g.status = GroupStatus.ACTIVE;
    g.limit = limit;
    g.triggeredAtMs = 0;
    this.byId.set(id, g);
  }

  /** Creation failed or its outcome is unknown: back to NONE (an orphan group left behind is harmless). */
  onCreateFailed(key: number): void {
    const g = this.byKey.get(key);
    if (g !== undefined && g.status === GroupStatus.CREATING) g.status = GroupStatus.NONE;
  }

  /** Adopts a group found at the exchange (start-up calibration). */
  adopt(key: number, id: string, triggered: boolean, limit: number, nowMs: number): void {
    this.onCreated(key, id, limit);
    if (triggered) this.markTriggered(this.byKey.get(key)!, nowMs);
  }

  /**
   * An `order_group_updates` event (or the matching REST outcome). Events for ids we do not
   * know (groups of an earlier session) are ignored; returns whether the event was ours.
   */
  onEvent(type: GroupEventType, id: string, nowMs: number, limit?: number): boolean {
    const g = this.byId.get(id);
    if (g === undefined) return false;
    switch (type) {
      case 'created':
        if (g.status === GroupStatus.CREATING || g.status === GroupStatus.NONE) g.status = GroupStatus.ACTIVE;
        if (limit !== undefined) g.limit = limit;
        break;
      case 'triggered':
        this.markTriggered(g, nowMs);
        break;
      case 'reset':
        g.status = GroupStatus.ACTIVE;
        g.triggeredAtMs = 0;
        break;
      case 'deleted':
        this.forget(g);
        break;
      case 'limit_updated':
        if (limit !== undefined) g.limit = limit;
        break;
    }
    return true;
  }

  /**
   * An order was refused because of its group: `exceeded_order_group_risk_limit` → triggered;
   * `order_group_not_found` → forgotten (re-created on the next order). Other codes: no change.
   */
  onOrderRefused(id: string, code: string, nowMs: number): void {
    const g = this.byId.get(id);
    if (g === undefined) return;
    if (code === 'exceeded_order_group_risk_limit') this.markTriggered(g, nowMs);
    else if (code === 'order_group_not_found') this.forget(g);
  }

  /** The exchange no longer knows group `id` (404): forget it. */
  onNotFound(id: string): void {
    const g = this.byId.get(id);
    if (g !== undefined) this.forget(g);
  }

  /** Keys of triggered groups whose cool-down has elapsed and that may be reset now. */
  dueResets(nowMs: number): number[] {
    const out: number[] = [];
    if (!this.config.autoReset) return out;
    for (const g of this.byKey.values()) {
      if (g.status === GroupStatus.TRIGGERED && nowMs - g.triggeredAtMs >= this.config.resetCooldownMs) out.push(g.key);
    }
    return out;
  }

  /** Keys of every TRIGGERED group, cool-down or not (a reset asked for now: kill switch cleared, supervisor). */
  triggeredKeys(): number[] {
    const out: number[] = [];
    for (const g of this.byKey.values()) if (g.status === GroupStatus.TRIGGERED) out.push(g.key);
    return out;
  }

  /** Every group that has an id at the exchange (ACTIVE, TRIGGERED or RESETTING), as plain data. */
  list(): GroupView[] {
    const out: GroupView[] = [];
    for (const g of this.byKey.values()) {
      if (g.id !== '') out.push({ key: g.key, id: g.id, status: g.status, limit: g.limit, triggeredAtMs: g.triggeredAtMs });
    }
    return out;
  }

  /** A reset request for `key` is being sent; returns the group id. */
  beginReset(key: number): string {
    const g = this.byKey.get(key);
    if (g === undefined || g.status !== GroupStatus.TRIGGERED) throw new Error(`order group ${key} is not triggered`);
    g.status = GroupStatus.RESETTING;
    return g.id;
  }

  /** The reset request's outcome: success → ACTIVE; failure → TRIGGERED again (its cool-down restarts). */
  onResetDone(key: number, ok: boolean, nowMs: number): void {
    const g = this.byKey.get(key);
    if (g === undefined || g.status !== GroupStatus.RESETTING) return;
    if (ok) {
      g.status = GroupStatus.ACTIVE;
      g.triggeredAtMs = 0;
    } else {
      this.markTriggered(g, nowMs);
    }
  }

  private markTriggered(g: GroupRecord, nowMs: number): void {
    if (g.status !== GroupStatus.TRIGGERED) g.triggeredAtMs = nowMs;
    g.status = GroupStatus.TRIGGERED;
  }

  private forget(g: GroupRecord): void {
    this.byId.delete(g.id);
    g.id = '';
    g.status = GroupStatus.NONE;
    g.triggeredAtMs = 0;
  }

  private record(key: number): GroupRecord {
    let g = this.byKey.get(key);
    if (g === undefined) {
      g = { key, id: '', status: GroupStatus.NONE, limit: this.config.contractsLimit, triggeredAtMs: 0 };
      this.byKey.set(key, g);
    }
    return g;
  }
}
