/**
 * The execution stage's settings, in the units of the host's settings table
 * (src/main/config/settings.ts: contracts, dollars as µ$, seconds), and their translation into
 * the execution core's options (hundredths of a contract, ms).
 *
 * The field names are the host config's, so `Pick<HostConfig, …>` satisfies the first block;
 * the second block has no host setting yet and takes its defaults here.
 */
import { SESSION_GROUP } from './order-groups.js';
import type { ExecutionCoreOptions } from './execution-core.js';
import type { PricingMode } from './pricing.js';

export { SESSION_GROUP };

export interface ExecutionSettings {
  priceMode: PricingMode;
  /** Contracts per opening. */
  contractSize: number;
  throttleMs: number;
  /** µ$ of available cash an opening must leave untouched. */
  cashReserve: number;
  /** Largest |position| per market, contracts. */
  maxPosition: number;
  /** Cap on Σ cost basis + cash held by working openings, µ$. */
  maxExposure: number;
  /** One order group for the session, one per market, or none (`off`). */
  orderGroups: 'session' | 'market' | 'off';
  /** Contracts filled per rolling 15 s that trigger a group. */
  groupLimit: number;
  /** Periodic sync with the exchange, s. */
  syncIntervalS: number;
  /** Consecutive order errors that open a market's breaker. */
  breakerErrors: number;
  breakerCooldownS: number;
  /** Cancel resting orders in traded markets that are not this host's (calibration and every sync). */
  cancelOrphans: boolean;
  /** Busy-poll the intent rings this long before parking, µs (0: park at once; intent-drain.ts). */
  waitSpinUs: number;

  // No host setting yet.
  /** Reset a triggered order group by itself after the cool-down (default true). */
  groupAutoReset: boolean;
  /** ms a triggered group stays triggered before an automatic reset (default 60 000). */
  groupResetCooldownMs: number;
}

export const DEFAULT_EXECUTION_SETTINGS: Readonly<ExecutionSettings> = Object.freeze({
  priceMode: 'passive',
  contractSize: 5,
  throttleMs: 250,
  cashReserve: 100_000_000,
  maxPosition: 50,
  maxExposure: 500_000_000,
  orderGroups: 'session',
  groupLimit: 100,
  syncIntervalS: 30,
  breakerErrors: 10,
  breakerCooldownS: 300,
  cancelOrphans: true,
  waitSpinUs: 0,
  groupAutoReset: true,
  groupResetCooldownMs: 60_000,
});

export function executionSettings(partial: Partial<ExecutionSettings> = {}): ExecutionSettings {
  const s: ExecutionSettings = { ...DEFAULT_EXECUTION_SETTINGS };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (s as unknown as Record<string, unknown>)[k] = v;
  for (const k of ['contractSize', 'maxPosition', 'groupLimit'] as const) {
    if (!Number.isSafeInteger(s[k]) || s[k] < 1) throw new RangeError(`${k} must be a positive whole number of contracts, got ${s[k]}`);
  }
  if (!(s.syncIntervalS > 0)) throw new RangeError(`syncIntervalS must be positive, got ${s.syncIntervalS}`);
  return s;
}

/** The core's options for these settings (contracts → hundredths, s → ms). */
export function coreOptionsOf(s: ExecutionSettings): Pick<ExecutionCoreOptions, 'mode' | 'throttleMs' | 'limits' | 'breaker' | 'groups'> {
  return {
    mode: s.priceMode,
    throttleMs: s.throttleMs,
    limits: { orderSize: s.contractSize * 100, cashReserve: s.cashReserve, maxPosition: s.maxPosition * 100, maxTotalExposure: s.maxExposure },
    breaker: { threshold: s.breakerErrors, cooldownMs: s.breakerCooldownS * 1000 },
    groups: { mode: s.orderGroups, contractsLimit: s.groupLimit * 100, autoReset: s.groupAutoReset, resetCooldownMs: s.groupResetCooldownMs },
  };
}
