/** The supervisor's settings from the host's settings table (seconds → ms, the rest as is). */
import type { SupervisorSettings } from '../../supervisor/supervisor.js';
import { exitRules } from '../../supervisor/position-health.js';
import type { HostConfig } from '../config/settings.js';

export function supervisorSettingsOf(c: HostConfig): SupervisorSettings {
  return {
    tickMs: 1_000,
    intervalMs: c.superviseIntervalS * 1000,
    exitRules: exitRules({ takeProfitBps: c.takeProfitBps, stopLossBps: c.stopLossBps, trailingStopBps: c.trailingStopBps, maxHoldMs: c.maxHoldS * 1000 }),
    lifecycle: { stopOpeningBeforeCloseMs: c.closeGuardS * 1000, flattenBeforeCloseMs: c.flattenBeforeCloseS * 1000 },
    cashReserve: c.cashReserve,
    cashMargin: c.cashMargin,
    deadAfterMs: c.threadDeadAfterMs,
    bookSilenceMs: c.bookSilenceS * 1000,
  };
}
