import type { StateStore } from '../ports.js';
import { PgAnswerStore } from './answers.js';
import { PgAnsweredThreadStore, PgChannelSettingsStore } from './channels.js';
import { PgDatabase } from './database.js';
import { PgDocumentRecords } from './documents.js';
import { PgHandledEventStore } from './events.js';
import { PgJobStore } from './jobs.js';
import { PgKeywordIndex } from './keywords.js';
import { PgLeaseStore } from './leases.js';
import { PgChannelMessageStore } from './messages.js';
import { PgTokenStore } from './tokens.js';

/** A PostgreSQL state bundle, with its database (for doctor's checks). */
export interface PostgresState extends StateStore {
  readonly database: PgDatabase;
}

/**
 * All state in PostgreSQL (DATABASE_URL), shared by every replica. Opening connects nothing: the
 * pool connects and migrates on first use, so a database that is down fails calls with
 * `database_unavailable` and the process keeps running until it is back.
 */
export function openPostgresState(url: string): PostgresState {
  const db = new PgDatabase(url);
  return {
    backend: 'postgres',
    database: db,
    documents: new PgDocumentRecords(db),
    keywords: new PgKeywordIndex(db),
    answers: new PgAnswerStore(db),
    channels: new PgChannelSettingsStore(db),
    threads: new PgAnsweredThreadStore(db),
    messages: new PgChannelMessageStore(db),
    leases: new PgLeaseStore(db),
    jobs: new PgJobStore(db),
    events: new PgHandledEventStore(db),
    tokens: new PgTokenStore(db),
    close: () => db.close(),
  };
}
