/**
 * The markets the operator disabled from the dashboard (`POST /markets/disable`, docs/dashboard.md).
 *
 * The host holds the set (by slot, for the dashboard and for a restarted execution thread) and
 * keeps it, by ticker, in `<data dir>/disabled-markets.json` so a disable survives a restart of
 * the host: at start every listed market that is traded is disabled again before it trades, and a
 * listed market added later by rotation is disabled as it arrives. The execution stage applies a
 * disable on top of the supervisor's market states (ExecutionStage.setOperatorDisabled).
 *
 * Persisting comes second: a disable that cannot be written still applies now (the reply says
 * `persisted: false`, the log says why). A file that cannot be read at start is moved aside
 * (`.unreadable-<ms>`, kept for the operator) and logged as an error; the host trades with no
 * market disabled rather than refuse to start — the operator's disable is a convenience; the kill
 * switch, which does fail safe, is the safety.
 */
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import { ControlHttpError } from '../control-server.js';
import type { LogLine } from '../log-line.js';

export const DISABLED_MARKETS_FILE = 'disabled-markets.json';
/** A file larger than this is not a list the host wrote. */
const MAX_FILE_BYTES = 1 << 20;

export interface DisabledMarket {
  ticker: string;
  reason: string | null;
  /** ms since the epoch. */
  atMs: number;
}

export interface OperatorMarketsOptions {
  dataDir: string;
  /** The markets traded now. */
  traded: () => ReadonlyArray<{ slot: number; ticker: string }>;
  /** Apply a disable (true) or an enable in the execution stage. */
  apply: (slot: number, disabled: boolean, reason: string) => void;
  log: LogLine;
  nowMs: () => number;
}

const disabledReason = (reason: string | null): string => (reason === null ? 'operator_disabled' : `operator_disabled: ${reason}`);

/** Why `value` is not a list of DisabledMarket, or undefined. */
function shapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || !Array.isArray((value as { markets?: unknown }).markets)) return 'not {"markets": [...]}';
  for (const m of (value as { markets: unknown[] }).markets) {
    const e = m as Partial<DisabledMarket> | null;
    if (e === null || typeof e !== 'object' || typeof e.ticker !== 'string' || e.ticker === '') return 'an entry without a ticker';
    if (e.reason !== null && typeof e.reason !== 'string') return `${e.ticker}: "reason" must be a string or null`;
    if (typeof e.atMs !== 'number' || !Number.isFinite(e.atMs)) return `${e.ticker}: "atMs" must be a time in ms`;
  }
  return undefined;
}

export class OperatorMarkets {
  readonly path: string;
  /** Persisted, by ticker (markets not traded now included: they may come back). */
  private readonly listed = new Map<string, DisabledMarket>();
  /** Applied now, by slot. */
  private readonly disabled = new Set<number>();

  constructor(private readonly o: OperatorMarketsOptions) {
    this.path = join(o.dataDir, DISABLED_MARKETS_FILE);
  }

  /** Read the persisted list (see the header for an unreadable file); then disable every listed market traded now. */
  restore(): void {
    let text: string | undefined;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && e.code === 'ENOENT')) this.setAside(e instanceof Error ? e.message : String(e));
    }
    if (text !== undefined) {
      let value: unknown;
      let problem: string | undefined;
      try {
        value = text.length > MAX_FILE_BYTES ? undefined : JSON.parse(text);
        problem = text.length > MAX_FILE_BYTES ? `larger than ${MAX_FILE_BYTES} bytes` : shapeProblem(value);
      } catch (e) {
        problem = `invalid JSON (${e instanceof Error ? e.message : String(e)})`;
      }
      if (problem !== undefined) this.setAside(problem);
      else for (const m of (value as { markets: DisabledMarket[] }).markets) this.listed.set(m.ticker, { ticker: m.ticker, reason: m.reason ?? null, atMs: m.atMs });
    }
    for (const t of this.o.traded()) this.marketAdded(t.slot, t.ticker);
  }

  /** A market traded from now on (at start, or added by rotation): disabled if it is listed. */
  marketAdded(slot: number, ticker: string): void {
    const m = this.listed.get(ticker);
    if (m === undefined || this.disabled.has(slot)) return;
    this.disabled.add(slot);
    this.o.apply(slot, true, disabledReason(m.reason));
    this.o.log(`market ${ticker} stays disabled by the operator (since ${new Date(m.atMs).toISOString()}${m.reason === null ? '' : `: ${m.reason}`}): closings only`, 'warn');
  }

  disable(ticker: string, reason: string | undefined): { ticker: string; disabled: true; persisted: boolean; error?: string } {
    const slot = this.slotOf(ticker);
    const entry: DisabledMarket = { ticker, reason: reason ?? null, atMs: this.o.nowMs() };
    this.listed.set(ticker, entry);
    this.disabled.add(slot);
    this.o.apply(slot, true, disabledReason(entry.reason));
    this.o.log(`market ${ticker} disabled by the operator${reason === undefined ? '' : ` (${reason})`}: closings only`, 'warn');
    const error = this.persist();
    return error === undefined ? { ticker, disabled: true, persisted: true } : { ticker, disabled: true, persisted: false, error };
  }

  enable(ticker: string): { ticker: string; disabled: false; persisted: boolean; error?: string } {
    const slot = this.slotOf(ticker);
    this.listed.delete(ticker);
    this.disabled.delete(slot);
    this.o.apply(slot, false, 'operator_enabled');
    this.o.log(`market ${ticker} enabled by the operator`, 'warn');
    const error = this.persist();
    return error === undefined ? { ticker, disabled: false, persisted: true } : { ticker, disabled: false, persisted: false, error };
  }

  /** Slots disabled now (the dashboard's rows). */
  slots(): ReadonlySet<number> {
    return this.disabled;
  }

  /** Every disabled slot again, into a restarted execution stage. */
  reapply(apply: (slot: number, reason: string) => void): void {
    for (const t of this.o.traded()) {
      const m = this.listed.get(t.ticker);
      if (m !== undefined && this.disabled.has(t.slot)) apply(t.slot, `${disabledReason(m.reason)} (kept across the execution restart)`);
    }
  }

  private slotOf(ticker: string): number {
    const m = this.o.traded().find((t) => t.ticker === ticker);
    if (m === undefined) throw new ControlHttpError(400, `market ${JSON.stringify(ticker)} is not traded by this host`);
    return m.slot;
  }

  /** Write the list; the error text when it could not be written (logged). */
  private persist(): string | undefined {
    try {
      writeFileAtomic(this.path, `${JSON.stringify({ markets: [...this.listed.values()] }, null, 2)}\n`);
      return undefined;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      this.o.log(`disabled markets not persisted (${this.path}): ${why}; they hold until the host stops`, 'error');
      return `not persisted: ${why}`;
    }
  }

  private setAside(why: string): void {
    const aside = `${this.path}.unreadable-${this.o.nowMs()}`;
    let moved = false;
    try {
      renameSync(this.path, aside);
      moved = true;
    } catch {
      // Left where it is: the next disable replaces it.
    }
    this.o.log(`${this.path} cannot be read (${why}): no market is disabled by the operator${moved ? `; the file is kept as ${aside}` : ''}`, 'error');
  }
}
