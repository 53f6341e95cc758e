/**
 * Calibration step 5: may trading start? (pure). First the refusals — the host fails closed —
 * then what must be recovered first, else trade.
 *
 * refuse (non-zero exit of `calibrate`, HALTED for the supervisor) when
 *   - the exchange did not answer, or answered with something unreadable;
 *   - the exchange is not active (maintenance) or trading is paused (nothing could be done);
 *   - the local clock is further from the exchange's than max-clock-skew-ms (signatures, close
 *     times and hold times would all be off);
 *   - the account or the markets could not be read (nothing reconciled: the host would trade blind);
 *   - the account cannot be reconciled (journal-reconcile.ts says when: a negative balance, or an
 *     unexplained position in a traded market whose exchange record contradicts itself).
 * recover (trade only after closing, RECOVERING for the supervisor) when
 *   - available cash is below the reserve and some position can be sold now to free it;
 *   - positions sit in markets closing within min-time-to-close, or already closed.
 * trade otherwise. Cash below the reserve with nothing to sell is not a recovery (the execution
 * thread refuses openings anyway) but a warning, as are markets to replace, differences adopted,
 * an unmeasured clock and a journal that did not answer.
 */
import { skewBeyond } from './clock-skew.js';
import { formatSkew } from './connection.js';
import type { ConnectionReport, HealthReport, ReconcileReport, StepStatus, VerdictReport, ViabilityReport } from './report.js';
import { dollars } from './report-table.js';

export interface VerdictInput {
  connection: ConnectionReport;
  reconcile: ReconcileReport;
  viability: ViabilityReport;
  health: HealthReport;
}

export function decideVerdict(i: VerdictInput): VerdictReport {
  const refuse: string[] = [];
  const recover: string[] = [];
  const warnings: string[] = [];
  const c = i.connection;
  if (!c.reachable) refuse.push(`the exchange is unreachable: ${c.error ?? 'no answer'}`);
  else {
    if (c.exchangeActive === false) refuse.push(`the exchange is not active (maintenance${c.estimatedResumeMs !== null ? `, expected back at ${new Date(c.estimatedResumeMs).toISOString()}` : ''})`);
    if (c.tradingActive === false) refuse.push('trading is paused on the exchange');
    if (skewBeyond(c.clock, c.maxClockSkewMs)) {
      const skew = c.clock.skewMs!;
      refuse.push(`the local clock is ${(Math.abs(skew) / 1000).toFixed(1)} s ${skew < 0 ? 'ahead of' : 'behind'} the exchange's (skew ${formatSkew(skew)}), beyond the ${c.maxClockSkewMs} ms limit`);
    }
    if (!c.clock.measured) warnings.push(`clock skew not measured: ${c.clock.error ?? 'no Date header'}`);
  }
  const r = i.reconcile;
  if (c.reachable && !r.ok) refuse.push(r.error ?? 'the account could not be read');
  for (const why of r.irreconcilable) refuse.push(`cannot reconcile: ${why}`);
  if (c.reachable && i.viability.error !== undefined) refuse.push(`the markets could not be read: ${i.viability.error}`);

  const h = i.health;
  if (r.ok) {
    if (h.cash.short > 0) {
      if (h.cash.closable > 0) recover.push(`available cash ${dollars(h.cash.available)} is ${dollars(h.cash.short)} short of the ${dollars(h.cash.reserve)} reserve; ${h.cash.closable} position(s) can be sold for ${dollars(h.cash.closableValue)}`);
      else warnings.push(`available cash ${dollars(h.cash.available)} is ${dollars(h.cash.short)} short of the ${dollars(h.cash.reserve)} reserve and no position can be sold now: openings will be refused`);
    }
    if (h.closing.length > 0) recover.push(`${h.closing.length} position(s) in markets closing soon: ${h.closing.join(', ')}`);
    if (h.closed.length > 0) recover.push(`${h.closed.length} position(s) in closed markets awaiting settlement: ${h.closed.join(', ')}`);
    if (!r.journal.available) warnings.push(r.journal.error === undefined ? 'no journal: reconciled against the exchange alone' : `the journal did not answer (${r.journal.error}): reconciled against the exchange alone`);
    const adopted = r.differences.filter((d) => d.action === 'adopt').length;
    if (adopted > 0) warnings.push(`${adopted} difference(s) the execution thread adopts from the exchange`);
    const failed = r.differences.filter((d) => d.action === 'cancel_failed').length;
    if (failed > 0) warnings.push(`${failed} orphan order(s) could not be cancelled`);
    if (i.viability.replace.length > 0) warnings.push(`${i.viability.replace.length} market(s) to replace: ${i.viability.replace.map((x) => x.ticker).slice(0, 5).join(', ')}${i.viability.replace.length > 5 ? ' …' : ''}`);
  }
  if (refuse.length > 0) return { verdict: 'refuse', reasons: refuse, warnings };
  if (recover.length > 0) return { verdict: 'recover', reasons: recover, warnings };
  return { verdict: 'trade', reasons: [], warnings };
}

export function verdictStep(v: VerdictReport): { status: StepStatus; summary: string } {
  const status: StepStatus = v.verdict === 'refuse' ? 'fail' : v.verdict === 'recover' ? 'warn' : 'ok';
  return { status, summary: `${v.verdict}${v.reasons.length > 0 ? `: ${v.reasons.join('; ')}` : ''}` };
}
