/**
 * PostgreSQL's schema, one SQL script per version (applied in order, each in a transaction, under an
 * advisory lock: see database.ts). The tables mirror SQLite's final schema (src/store/database.ts);
 * the keyword index differs: citebot's own terms in a tsvector with a GIN index, their document
 * frequencies kept exact beside them (see keywords.ts).
 */
export const POSTGRES_MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

  CREATE TABLE documents (
    scope text NOT NULL,
    doc_id text NOT NULL,
    source text NOT NULL,
    url text NOT NULL,
    kind text,
    mime_type text,
    content_hash text,
    pending_hash text,
    writer text,
    status text NOT NULL,
    chunk_count integer NOT NULL DEFAULT 0,
    bytes bigint,
    error text,
    uploaded_by text,
    uploaded_at text,
    ingested_at text,
    updated_at text NOT NULL,
    PRIMARY KEY (scope, doc_id)
  );
  CREATE INDEX documents_source ON documents (source);
  CREATE INDEX documents_indexing ON documents (writer) WHERE status = 'indexing';

  -- The chunks and their keyword index: terms (citebot's tokenizer, stemmed) in a GIN-indexed
  -- tsvector pick the candidates; tf holds each term's count in the chunk and dl its length in terms, for BM25.
  CREATE TABLE chunks (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    scope text NOT NULL,
    doc_id text NOT NULL,
    chunk_index integer NOT NULL,
    text text NOT NULL,
    metadata text NOT NULL,
    terms tsvector NOT NULL,
    tf jsonb NOT NULL,
    dl integer NOT NULL
  );
  CREATE INDEX chunks_document ON chunks (scope, doc_id);
  CREATE INDEX chunks_terms ON chunks USING gin (terms);

  -- Exact document frequencies, and the chunk count and total length (for avgdl): changed in the same
  -- transaction as the chunks, so concurrent writers never leave them off by one.
  CREATE TABLE keyword_terms (term text PRIMARY KEY, df integer NOT NULL);
  CREATE TABLE keyword_stats (id integer PRIMARY KEY CHECK (id = 1), chunks bigint NOT NULL, length bigint NOT NULL);
  INSERT INTO keyword_stats VALUES (1, 0, 0);

  CREATE TABLE unconfirmed_vectors (id text NOT NULL, collection text NOT NULL, owner text NOT NULL, PRIMARY KEY (id, collection));
  CREATE INDEX unconfirmed_vectors_owner ON unconfirmed_vectors (owner);

  CREATE TABLE answers (
    id text PRIMARY KEY,
    scope text NOT NULL,
    asked_by text,
    question text NOT NULL,
    answer text NOT NULL,
    sources text NOT NULL,
    model text,
    created_at text NOT NULL
  );
  CREATE TABLE feedback (
    answer_id text NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    user_id text NOT NULL,
    rating text NOT NULL CHECK (rating IN ('up', 'down')),
    reason_kind text,
    reason_text text,
    created_at text NOT NULL,
    PRIMARY KEY (answer_id, user_id)
  );
  CREATE INDEX feedback_created ON feedback (created_at);

  CREATE TABLE channel_settings (
    scope text PRIMARY KEY,
    auto_ingest integer NOT NULL DEFAULT 0,
    last_scan text,
    language text,
    updated_at text NOT NULL
  );

  CREATE TABLE conversation_channels (scope text PRIMARY KEY, name text NOT NULL, cursor text, updated_at text NOT NULL);
  CREATE TABLE conversation_messages (
    scope text NOT NULL,
    message_id text NOT NULL,
    thread_id text,
    group_key text NOT NULL,
    author text NOT NULL,
    author_id text,
    sent_at text NOT NULL,
    text text NOT NULL,
    url text NOT NULL,
    PRIMARY KEY (scope, message_id)
  );
  CREATE INDEX conversation_messages_group ON conversation_messages (scope, group_key);
  CREATE INDEX conversation_messages_thread ON conversation_messages (scope, thread_id);

  -- Times in milliseconds on the database's clock (one clock for every replica).
  CREATE TABLE leases (owner text PRIMARY KEY, holder text NOT NULL, acquired_at bigint NOT NULL, expires_at bigint NOT NULL);

  CREATE TABLE jobs (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    lane text NOT NULL,
    kind text NOT NULL,
    payload text NOT NULL,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    owner text,
    resumable integer NOT NULL DEFAULT 1,
    attempts integer NOT NULL DEFAULT 0,
    result text,
    error text,
    created_at text NOT NULL,
    finished_at text
  );
  CREATE INDEX jobs_pending ON jobs (status, lane, seq);

  CREATE TABLE handled_events (key text PRIMARY KEY, owner text NOT NULL, handled_at bigint NOT NULL);
  CREATE INDEX handled_events_age ON handled_events (handled_at);

  CREATE TABLE answered_threads (thread text PRIMARY KEY, answered_at bigint NOT NULL);

  CREATE TABLE access_tokens (
    id text PRIMARY KEY,
    name text NOT NULL,
    secret_hash text NOT NULL,
    scopes text NOT NULL,
    created_at text NOT NULL,
    expires_at text,
    revoked_at text,
    last_used_at text
  );
  CREATE UNIQUE INDEX access_tokens_active_name ON access_tokens (name) WHERE revoked_at IS NULL;
  `,
  `
  -- Roles one process at a time holds (the Discord gateway), by lease owner.
  CREATE TABLE roles (role text PRIMARY KEY, owner text NOT NULL, since bigint NOT NULL);
  `,
];
