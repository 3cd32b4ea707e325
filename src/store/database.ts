import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/**
 * The local SQLite file holding the document ledger, the chunk texts and their keyword index.
 * One file and one transaction per change keep the three in step through a kill -9; WAL lets a
 * running bot read while an ingest writes.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE documents (
    scope TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT,
    mime_type TEXT,
    content_hash TEXT,
    pending_hash TEXT,
    writer INTEGER,
    status TEXT NOT NULL,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER,
    error TEXT,
    uploaded_by TEXT,
    uploaded_at TEXT,
    ingested_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, doc_id)
  );
  CREATE INDEX documents_source ON documents (source);

  CREATE TABLE chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    chunk_index INTEGER NOT NULL,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL
  );
  CREATE INDEX chunks_document ON chunks (scope, doc_id);

  -- Contentless: the text lives in chunks; this holds only the inverted index, keyed by chunks.rowid.
  CREATE VIRTUAL TABLE chunk_terms USING fts5(
    terms, scope_key,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
  );

  -- Vector ids that may exist in Chroma without a committed chunk row: written before an upsert,
  -- settled after. Whatever is left after a crash is deleted from Chroma on the next start.
  -- owner is the writing process's pid, so one process never settles another's work in flight.
  CREATE TABLE unconfirmed_vectors (id TEXT NOT NULL, collection TEXT NOT NULL, owner INTEGER NOT NULL, PRIMARY KEY (id, collection));
  `,
  `
  -- Answers posted in chat, so a 👍/👎 click (which carries only the id) is stored with its question,
  -- answer and sources.
  CREATE TABLE answers (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    asked_by TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE feedback (
    answer_id TEXT NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (answer_id, user_id)
  );
  -- Per-channel switches and cursors: auto-ingest of shared files, the last history scan.
  CREATE TABLE channel_settings (
    scope TEXT PRIMARY KEY,
    auto_ingest INTEGER NOT NULL DEFAULT 0,
    last_scan TEXT,
    updated_at TEXT NOT NULL
  );
  `,
  `
  -- Channels whose conversation is indexed (after their first /ingest), and the messages themselves:
  -- a thread or a day is rebuilt from here when one of its messages is edited or deleted.
  CREATE TABLE conversation_channels (scope TEXT PRIMARY KEY, name TEXT NOT NULL, cursor TEXT, updated_at TEXT NOT NULL);
  CREATE TABLE conversation_messages (
    scope TEXT NOT NULL,
    message_id TEXT NOT NULL,
    thread_id TEXT,
    group_key TEXT NOT NULL,
    author TEXT NOT NULL,
    author_id TEXT,
    sent_at TEXT NOT NULL,
    text TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (scope, message_id)
  );
  CREATE INDEX conversation_messages_group ON conversation_messages (scope, group_key);
  CREATE INDEX conversation_messages_thread ON conversation_messages (scope, thread_id);
  `,
  `
  -- The language of the last question asked in a channel: replies that answer no question use it.
  ALTER TABLE channel_settings ADD COLUMN language TEXT;
  `,
  `
  -- Leases instead of process ids: a writer is an owner id (random, host-independent) whose lease
  -- it renews; work of an owner whose lease expired is recovered. Old pid values name no lease, so
  -- what they left is recovered as a dead writer's.
  CREATE TABLE leases (owner TEXT PRIMARY KEY, holder TEXT NOT NULL, acquired_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
  ALTER TABLE documents DROP COLUMN writer;
  ALTER TABLE documents ADD COLUMN writer TEXT;
  CREATE TABLE unconfirmed_vectors_v5 (id TEXT NOT NULL, collection TEXT NOT NULL, owner TEXT NOT NULL, PRIMARY KEY (id, collection));
  INSERT INTO unconfirmed_vectors_v5 SELECT id, collection, 'pid:' || owner FROM unconfirmed_vectors;
  DROP TABLE unconfirmed_vectors;
  ALTER TABLE unconfirmed_vectors_v5 RENAME TO unconfirmed_vectors;
  CREATE INDEX unconfirmed_vectors_owner ON unconfirmed_vectors (owner);

  -- Durable ingest jobs: one lane per scope, one job at a time per lane, in seq order.
  CREATE TABLE jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    lane TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    -- The submitter while queued, the runner while running.
    owner TEXT,
    -- 0: work that only its submitter can run (a CLI run's progress bar): if the submitter dies, it fails.
    resumable INTEGER NOT NULL DEFAULT 1,
    attempts INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX jobs_pending ON jobs (status, lane, seq);

  -- Events handled once (Slack event ids, slash-command trigger ids), across restarts.
  CREATE TABLE handled_events (key TEXT PRIMARY KEY, owner TEXT NOT NULL, handled_at INTEGER NOT NULL);
  CREATE INDEX handled_events_age ON handled_events (handled_at);

  -- Threads citebot answered in: replies there are follow-ups.
  CREATE TABLE answered_threads (thread TEXT PRIMARY KEY, answered_at INTEGER NOT NULL);
  `,
  `
  -- Access tokens for agents (citebot mcp, /mcp): only a hash of the secret is kept; the scopes are a
  -- JSON array of patterns. A revoked token keeps its row (for list), and its name is free again.
  CREATE TABLE access_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT
  );
  CREATE UNIQUE INDEX access_tokens_active_name ON access_tokens (name) WHERE revoked_at IS NULL;
  `,
  `
  -- Feedback with a reason (the 👎 dialog), and which chat model wrote the answer.
  ALTER TABLE feedback ADD COLUMN reason_kind TEXT;
  ALTER TABLE feedback ADD COLUMN reason_text TEXT;
  ALTER TABLE answers ADD COLUMN model TEXT;
  CREATE INDEX feedback_created ON feedback (created_at);
  `,
  `
  -- Roles one process at a time holds (the Discord gateway), by lease owner.
  CREATE TABLE roles (
    role TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    since INTEGER NOT NULL
  );
  `,
];

export function openDatabase(file: string): Db {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // The wait first: several processes opening a fresh file at once (three ingests started together)
  // take turns at switching it to WAL and migrating, instead of failing with "database is locked".
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/** Each step in a write transaction that reads the version again: another process may have just applied it. */
function migrate(db: Db): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  while (current() < MIGRATIONS.length)
    db.transaction(() => {
      const v = current();
      if (v >= MIGRATIONS.length) return;
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
