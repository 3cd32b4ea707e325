import { join } from 'node:path';
import { openDatabase } from '../database.js';
import { KeywordSearcher } from '../keyword-searcher.js';
import type { StateStore } from '../ports.js';
import { SqliteAnswerStore } from './answers.js';
import { SqliteAnsweredThreadStore, SqliteChannelSettingsStore } from './channels.js';
import { SqliteDocumentRecords } from './documents.js';
import { SqliteHandledEventStore } from './events.js';
import { SqliteKeywordIndex } from './keywords.js';
import { SqliteJobStore } from './jobs.js';
import { SqliteLeaseStore } from './leases.js';
import { SqliteChannelMessageStore } from './messages.js';
import { SqliteTokenStore } from './tokens.js';

/** The file under DATA_DIR that holds all of citebot's state on one machine. */
export const SQLITE_FILE = 'citebot.sqlite';

/**
 * All state in one SQLite file (WAL: a running bot reads while an ingest writes; several processes
 * may share it). Keyword searches run in a worker thread on their own connection.
 */
export function openSqliteState(dataDir: string): StateStore {
  const db = openDatabase(join(dataDir, SQLITE_FILE));
  const searcher = new KeywordSearcher(db.name);
  const documents = new SqliteDocumentRecords(db);
  return {
    backend: 'sqlite',
    documents,
    keywords: new SqliteKeywordIndex(searcher, documents.chunkStore),
    answers: new SqliteAnswerStore(db),
    channels: new SqliteChannelSettingsStore(db),
    threads: new SqliteAnsweredThreadStore(db),
    messages: new SqliteChannelMessageStore(db),
    leases: new SqliteLeaseStore(db),
    jobs: new SqliteJobStore(db),
    events: new SqliteHandledEventStore(db),
    tokens: new SqliteTokenStore(db),
    async close() {
      await searcher.close();
      if (db.open) db.close();
    },
  };
}
