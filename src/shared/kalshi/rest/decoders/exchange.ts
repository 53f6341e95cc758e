/**
 * GET /exchange/status (OpenAPI `ExchangeStatus`). `trading_active` false: no new orders or
 * amends (cancels are allowed in the weekly pause, kalshi-api.md §4.3); `exchange_active` false:
 * no state changes at all, cancels included.
 */
import { asObject, optTimeMs, reqBoolean } from '../../decode.js';

export interface ExchangeStatus {
  readonly exchangeActive: boolean;
  readonly tradingActive: boolean;
  /** Expected end of the maintenance window, ms since the epoch (not guaranteed); undefined when none. */
  readonly estimatedResumeMs: number | undefined;
}

export function decodeExchangeStatus(body: unknown): ExchangeStatus {
  const o = asObject(body, 'exchange_status');
  return {
    exchangeActive: reqBoolean(o, 'exchange_active', 'exchange_status'),
    tradingActive: reqBoolean(o, 'trading_active', 'exchange_status'),
    estimatedResumeMs: optTimeMs(o, 'exchange_estimated_resume_time', 'exchange_status'),
  };
}
