/**
 * Market lifecycle (kalshi-api.md §4.3, §2.10) driven by the engine's clock:
 *
 *   initialized ──openMs──► active ⇄ inactive (pause / resume)
 *        active | inactive ──closeMs──► closed ──closeMs + determinationDelayMs──► determined
 *        determined ──+ settlementTimerSeconds──► finalized (paid out)
 *
 * - Open: status active, lifecycle `activated` (Kalshi sends no event for this implicit
 *   transition, §2.10 — the brief asks for one; a WebSocket layer that wants Kalshi's exact
 *   stream can drop an `activated` whose timestamp equals the market's openMs).
 * - Close: status closed, every resting order (real and synthetic) cancelled with CloseCancel.
 *   No lifecycle event (implicit on Kalshi too).
 * - Determination: the result is drawn from the market's fair value at that moment with a PRNG
 *   derived from the seed and the ticker (so it does not depend on the order markets are
 *   processed in): YES with probability fairValue / 10000. Emits `determined`.
 * - Finalization: every position paid (accounts.ts settleMarket), status finalized, `settled`.
 * - Pause: status inactive, `deactivated`, orders with cancel_order_on_pause cancelled
 *   (HaltCancel). Resume: every resting order cancelled (HaltCancel, §4.3 "all resting orders
 *   are cancelled when the market is re-activated"), then active and `activated`.
 * - A close-time update emits `close_date_updated`; a closed (not yet determined) market whose
 *   close moves into the future re-opens (`activated`, §4.3); one moved into the past closes.
 *
 * Timers (timer-queue.ts) carry the time they were set for and are ignored when stale.
 */
import { Rng } from '../rng.js';
import { settleMarket } from './accounts.js';
import { invalidMarketState, invalidParameters } from './errors.js';
import { cancelOrder, type UpdateReason } from './orders.js';
import type { EngineOrder, EngineState, MarketRuntime, Timer } from './state.js';
import type { MarketState } from './types.js';

export function schedule(st: EngineState, at: number, timer: Timer): void {
  st.timers.push(at, timer);
}

/** Processes every timer due at or before `upTo`, each at its own time; then time is `upTo`. */
export function runTimers(st: EngineState, upTo: number): void {
  const timers = st.timers;
  while (timers.peekTime() <= upTo) {
    const at = timers.peekTime();
    const t = timers.pop() as Timer;
    if (at > st.ts) st.ts = at;
    onTimer(st, t, at);
  }
  if (upTo > st.ts) st.ts = upTo;
}

function onTimer(st: EngineState, t: Timer, at: number): void {
  if (t.kind === 'expire') {
    const o = t.order;
    if (o.status === 'resting' && o.expirationMs === at) cancelOrder(st, o, 'ExpiryCancel');
    return;
  }
  const m = t.market;
  const rt = st.runtimes[m.index];
  switch (t.kind) {
    case 'open':
      if (m.status === 'initialized' && m.openMs === at) openMarket(st, rt);
      return;
    case 'close':
      if ((m.status === 'active' || m.status === 'inactive') && m.closeMs === at) closeMarket(st, rt);
      return;
    case 'determine':
      if (m.status === 'closed' && m.determineMs === at) determineMarket(st, rt, drawResult(st, m));
      return;
    case 'finalize':
      if (m.status === 'determined' && finalizeAt(m) === at) finalizeMarket(st, rt);
      return;
  }
}

function finalizeAt(m: MarketState): number {
  return m.determineMs + m.settlementTimerSeconds * 1000;
}

/** Schedules a new market's open and close (the Exchange runs due timers right after). */
export function scheduleMarket(st: EngineState, m: MarketState): void {
  schedule(st, m.openMs, { kind: 'open', market: m });
  schedule(st, m.closeMs, { kind: 'close', market: m });
}

function openMarket(st: EngineState, rt: MarketRuntime): void {
  setStatus(st, rt.market, 'active');
  st.emitter.lifecycle(rt.market, 'activated', st.ts);
}

function setStatus(st: EngineState, m: MarketState, status: MarketState['status']): void {
  m.status = status;
  m.updatedMs = st.ts;
}

/** Cancels the market's resting orders (all, or those `which` selects), best prices first. */
export function cancelResting(st: EngineState, rt: MarketRuntime, reason: UpdateReason, which?: (o: EngineOrder) => boolean): void {
  for (const o of rt.book.liveOrders()) if (which === undefined || which(o)) cancelOrder(st, o, reason);
}

function closeMarket(st: EngineState, rt: MarketRuntime): void {
  const m = rt.market;
  setStatus(st, m, 'closed');
  cancelResting(st, rt, 'CloseCancel');
  m.determineMs = Math.max(m.closeMs, st.ts) + st.config.determinationDelayMs;
  schedule(st, m.determineMs, { kind: 'determine', market: m });
}

/** YES with probability fairValue / 10000, from a stream derived from the seed and the ticker. */
export function drawResult(st: EngineState, m: MarketState): 'yes' | 'no' {
  const u = Rng.derive(st.config.seed, `result:${m.ticker}`).next();
  return u * 10_000 < m.fairValue ? 'yes' : 'no';
}

function determineMarket(st: EngineState, rt: MarketRuntime, result: 'yes' | 'no'): void {
  const m = rt.market;
  m.result = result;
  m.determineMs = st.ts;
  setStatus(st, m, 'determined');
  st.emitter.lifecycle(m, 'determined', st.ts);
  schedule(st, finalizeAt(m), { kind: 'finalize', market: m });
}

function finalizeMarket(st: EngineState, rt: MarketRuntime): void {
  const m = rt.market;
  setStatus(st, m, 'finalized');
  m.settledMs = st.ts;
  settleMarket(st, rt);
  st.emitter.lifecycle(m, 'settled', st.ts);
}

export function pause(st: EngineState, rt: MarketRuntime): void {
  if (rt.market.status !== 'active') throw invalidMarketState(`market ${rt.market.ticker} is ${rt.market.status}, not active`);
  setStatus(st, rt.market, 'inactive');
  st.emitter.lifecycle(rt.market, 'deactivated', st.ts);
  cancelResting(st, rt, 'HaltCancel', (o) => o.cancelOnPause);
}

export function resume(st: EngineState, rt: MarketRuntime): void {
  if (rt.market.status !== 'inactive') throw invalidMarketState(`market ${rt.market.ticker} is ${rt.market.status}, not paused`);
  cancelResting(st, rt, 'HaltCancel');
  setStatus(st, rt.market, 'active');
  st.emitter.lifecycle(rt.market, 'activated', st.ts);
}

export function updateCloseTime(st: EngineState, rt: MarketRuntime, closeMs: number): void {
  const m = rt.market;
  if (!Number.isSafeInteger(closeMs)) throw invalidParameters(`close time must be an integer ms, got ${closeMs}`);
  if (m.status !== 'initialized' && m.status !== 'active' && m.status !== 'inactive' && m.status !== 'closed') {
    throw invalidMarketState(`market ${m.ticker} is ${m.status}: its close time can no longer change`);
  }
  m.closeMs = closeMs;
  m.updatedMs = st.ts;
  // The expected determination follows the close, except behind a pending determination timer.
  if (m.status !== 'closed' || closeMs > st.ts) m.determineMs = closeMs + st.config.determinationDelayMs;
  st.emitter.lifecycle(m, 'close_date_updated', st.ts);
  if (m.status === 'closed') {
    if (closeMs <= st.ts) return;
    setStatus(st, m, 'active'); // the pending determination timer is now stale
    st.emitter.lifecycle(m, 'activated', st.ts);
  }
  if (closeMs <= st.ts && (m.status === 'active' || m.status === 'inactive')) closeMarket(st, rt);
  else schedule(st, closeMs, { kind: 'close', market: m });
}

export function closeEarly(st: EngineState, rt: MarketRuntime): void {
  const m = rt.market;
  if (!m.canCloseEarly) throw invalidMarketState(`market ${m.ticker} cannot close early`);
  if (m.status !== 'active' && m.status !== 'inactive' && m.status !== 'initialized') {
    throw invalidMarketState(`market ${m.ticker} is ${m.status}: already closed`);
  }
  m.closeMs = st.ts;
  st.emitter.lifecycle(m, 'close_date_updated', st.ts);
  closeMarket(st, rt);
}

/** Forces a result now (tests, fault injection): closes the market first if it is still open. */
export function forceDetermine(st: EngineState, rt: MarketRuntime, result: 'yes' | 'no'): void {
  const m = rt.market;
  if (result !== 'yes' && result !== 'no') throw invalidParameters(`result must be "yes" or "no", got ${JSON.stringify(result)}`);
  if (m.status === 'finalized') throw invalidMarketState(`market ${m.ticker} is already finalized`);
  if (m.status === 'initialized' || m.status === 'active' || m.status === 'inactive') closeMarket(st, rt);
  determineMarket(st, rt, result);
}
