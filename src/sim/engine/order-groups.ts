/**
 * Order groups (kalshi-api.md §3): a per-account kill switch on the contracts FILLED by the
 * group's orders in a rolling 15-second window.
 *
 * - Every fill of every order in the group counts, maker or taker (UNCONFIRMED: the docs say
 *   only "filled contract counts accumulate"). The fill that crosses the limit completes; then
 *   the group triggers.
 * - Trigger when the window total exceeds the limit (`>`, the getting-started page), or reaches
 *   it when the engine is built with `orderGroupTriggerInclusive` (UNCONFIRMED which Kalshi does).
 * - Triggered: every resting order of the group is cancelled (reason OrderGroupCancel), and an
 *   order of the group being matched at that moment stops and has its remainder cancelled;
 *   new orders into the group are refused (409 exceeded_order_group_risk_limit) until reset.
 * - A window entry counts while now − ts < 15 000 ms; entries are pruned on every fill and read.
 * - Reset clears the triggered state and the window; a limit update below the window total
 *   triggers at once; delete cancels the resting orders and removes the group.
 * Event order: the group event first (triggered / deleted), then the order cancellations.
 */
import { groupNotFound, invalidParameters } from './errors.js';
import { IdKind } from './ids.js';
import { cancelOrder } from './orders.js';
import type { AccountRecord, EngineOrder, EngineState, GroupRecord } from './state.js';
import type { OrderGroupState } from './types.js';

export const GROUP_WINDOW_MS = 15_000;
/** 1 to 1,000,000 contracts, in hundredths. */
export const MIN_GROUP_LIMIT = 100;
export const MAX_GROUP_LIMIT = 100_000_000;

export function validateGroupLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < MIN_GROUP_LIMIT || limit > MAX_GROUP_LIMIT) {
    throw invalidParameters(`contracts limit must be 1 to 1,000,000 contracts (${MIN_GROUP_LIMIT}..${MAX_GROUP_LIMIT} hundredths), got ${limit}`);
  }
}

export function requireGroup(rec: AccountRecord, id: string): GroupRecord {
  const g = rec.groups.get(id);
  if (g === undefined) throw groupNotFound(id);
  return g;
}

export function createGroup(st: EngineState, rec: AccountRecord, limit: number): OrderGroupState {
  validateGroupLimit(limit);
  const state: OrderGroupState = { id: st.ids.next(IdKind.Group), account: rec.state.id, limit, triggered: false, window: [], createdMs: st.ts };
  rec.groups.set(state.id, { state, members: new Set(), windowTotal: 0 });
  rec.state.orderGroups.set(state.id, state);
  st.emitter.orderGroup(rec.state, state, 'created', st.ts);
  return state;
}

/** Drops window entries 15 s old or older. */
export function pruneWindow(st: EngineState, g: GroupRecord): void {
  const w = g.state.window;
  let k = 0;
  while (k < w.length && st.ts - w[k][0] >= GROUP_WINDOW_MS) g.windowTotal -= w[k++][1];
  if (k > 0) w.splice(0, k);
}

function exceeds(st: EngineState, g: GroupRecord): boolean {
  return st.config.orderGroupTriggerInclusive ? g.windowTotal >= g.state.limit : g.windowTotal > g.state.limit;
}

/** Counts a fill of `o` (n hundredths) in its group's window; triggers the group past its limit. */
export function recordGroupFill(st: EngineState, rec: AccountRecord, o: EngineOrder, n: number): void {
  if (o.orderGroupId === '') return;
  const g = rec.groups.get(o.orderGroupId);
  if (g === undefined) return; // deleted while the order was being matched
  pruneWindow(st, g);
  const w = g.state.window;
  if (w.length > 0 && w[w.length - 1][0] === st.ts) w[w.length - 1][1] += n;
  else w.push([st.ts, n]);
  g.windowTotal += n;
  if (!g.state.triggered && exceeds(st, g)) triggerGroup(st, rec, g);
}

/** Cancels every resting order of the group (and kills the group's order being matched). */
function cancelMembers(st: EngineState, rec: AccountRecord, g: GroupRecord): void {
  const t = st.currentTaker;
  if (t !== undefined && t.account === rec.state.id && t.orderGroupId === g.state.id) st.takerKilled = true;
  const members = [...g.members].sort((a, b) => a.priority - b.priority);
  for (const o of members) cancelOrder(st, o, 'OrderGroupCancel');
}

export function triggerGroup(st: EngineState, rec: AccountRecord, g: GroupRecord): void {
  const first = !g.state.triggered;
  g.state.triggered = true;
  if (first) st.emitter.orderGroup(rec.state, g.state, 'triggered', st.ts);
  cancelMembers(st, rec, g);
}

export function resetGroup(st: EngineState, rec: AccountRecord, g: GroupRecord): void {
  g.state.triggered = false;
  g.state.window.length = 0;
  g.windowTotal = 0;
  st.emitter.orderGroup(rec.state, g.state, 'reset', st.ts);
}

export function deleteGroup(st: EngineState, rec: AccountRecord, g: GroupRecord): void {
  rec.groups.delete(g.state.id);
  rec.state.orderGroups.delete(g.state.id);
  st.emitter.orderGroup(rec.state, g.state, 'deleted', st.ts);
  cancelMembers(st, rec, g);
}

export function updateGroupLimit(st: EngineState, rec: AccountRecord, g: GroupRecord, limit: number): void {
  validateGroupLimit(limit);
  g.state.limit = limit;
  st.emitter.orderGroup(rec.state, g.state, 'limit_updated', st.ts);
  pruneWindow(st, g);
  if (!g.state.triggered && exceeds(st, g)) triggerGroup(st, rec, g);
}

/** The group's resting orders, in time priority. */
export function groupOrders(g: GroupRecord): EngineOrder[] {
  return [...g.members].sort((a, b) => a.priority - b.priority);
}
