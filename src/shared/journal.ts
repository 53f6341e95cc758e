/**
 * The journal seen from a stage: append-only records, never awaited on a hot path. The store
 * behind it (PostgreSQL or PGlite through a COPY WriteQueue) comes with persistence; until then
 * the host runs with the in-memory journal, which keeps the last records of each kind for the
 * status line, tests and the dashboard.
 *
 * Records carry natural keys (fill: trade_id + order_id; order event: client_order_id + seq)
 * so a record written twice is harmless. Money, prices and counts are the integer units of
 * fixed-point.ts, never floats.
 */
export type JournalKind =
  | 'session' | 'order_event' | 'fill' | 'decision' | 'drift' | 'position_snapshot' | 'cash_snapshot'
  | 'state_transition' | 'health_event' | 'group_event' | 'calibration' | 'market_data';

export interface Journal {
  /** Queue one record; must not block or throw. */
  write(kind: JournalKind, record: Readonly<Record<string, unknown>>): void;
  /** Everything queued so far reaches the store (graceful stop). */
  flush(): Promise<void>;
}

/** Keeps the last `keep` records of each kind in memory. */
export class MemoryJournal implements Journal {
  private readonly byKind = new Map<JournalKind, Array<Readonly<Record<string, unknown>>>>();
  written = 0;

  constructor(private readonly keep = 10_000) {}

  write(kind: JournalKind, record: Readonly<Record<string, unknown>>): void {
    let list = this.byKind.get(kind);
    if (list === undefined) this.byKind.set(kind, (list = []));
    list.push(record);
    if (list.length > this.keep) list.splice(0, list.length - this.keep);
    this.written++;
  }

  records(kind: JournalKind): ReadonlyArray<Readonly<Record<string, unknown>>> {
    return this.byKind.get(kind) ?? [];
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}
