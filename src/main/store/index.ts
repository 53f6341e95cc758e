/** The journal store: openJournal on the main thread, PortJournal in workers, typed records. */
export { openJournal, DEFAULT_DATA_DIR, type OpenJournalOptions } from './open-journal.js';
export { WriteQueue, type JournalEvent, type JournalStats, type StoreJournal, type WriteQueueOptions } from './write-queue.js';
export { PortJournal, type PortJournalOptions } from './port-journal.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate } from './migrations.js';
export { TABLES, tableFor } from './tables.js';
export * from '../../shared/journal-records.js';
