import type { Db } from './database.js';

export type DocumentStatus = 'indexing' | 'indexed' | 'failed' | 'skipped';

/** What citebot knows about one source document in one scope. */
export interface DocumentEntry {
  scope: string;
  docId: string;
  source: string;
  url: string;
  kind?: string;
  mimeType?: string;
  /** indexed: hash of the bytes whose chunks are in the index. failed/skipped: hash of the bytes that failed, if read. */
  contentHash?: string;
  /** Hash of the bytes being indexed right now; set only while status is `indexing`. */
  pendingHash?: string;
  /** Owner id (see LeaseStore) of the process indexing it, while status is `indexing`. */
  writer?: string;
  /** Read only: `indexing`, but its writer's lease is gone (a crash); it is put back on the next recovery. */
  interrupted?: boolean;
  status: DocumentStatus;
  chunkCount: number;
  bytes?: number;
  /** Why the last attempt failed or was skipped; kept even when an older version stays indexed. */
  error?: string;
  uploadedBy?: string;
  uploadedAt?: string;
  ingestedAt?: string;
  updatedAt: string;
}

export interface LedgerRow {
  scope: string;
  doc_id: string;
  source: string;
  url: string;
  kind: string | null;
  mime_type: string | null;
  content_hash: string | null;
  pending_hash: string | null;
  writer: string | null;
  status: DocumentStatus;
  chunk_count: number;
  bytes: number | null;
  error: string | null;
  uploaded_by: string | null;
  uploaded_at: string | null;
  ingested_at: string | null;
  updated_at: string;
}

export const entryFromRow = (r: LedgerRow): DocumentEntry => ({
  scope: r.scope,
  docId: r.doc_id,
  source: r.source,
  url: r.url,
  kind: r.kind ?? undefined,
  mimeType: r.mime_type ?? undefined,
  contentHash: r.content_hash ?? undefined,
  pendingHash: r.pending_hash ?? undefined,
  writer: r.writer ?? undefined,
  status: r.status,
  chunkCount: r.chunk_count,
  bytes: r.bytes ?? undefined,
  error: r.error ?? undefined,
  uploadedBy: r.uploaded_by ?? undefined,
  uploadedAt: r.uploaded_at ?? undefined,
  ingestedAt: r.ingested_at ?? undefined,
  updatedAt: r.updated_at,
});

/** The ledger of documents (SQLite): one row per (scope, docId). Writes happen inside SqliteDocumentRecords' transactions. */
export class Ledger {
  constructor(private readonly db: Db) {}

  get(scope: string, docId: string): DocumentEntry | undefined {
    const row = this.db.prepare('SELECT * FROM documents WHERE scope = ? AND doc_id = ?').get(scope, docId) as LedgerRow | undefined;
    return row && entryFromRow(row);
  }

  list(scopes?: string[]): DocumentEntry[] {
    const rows = scopes
      ? (this.db
          .prepare(`SELECT * FROM documents WHERE scope IN (${scopes.map(() => '?').join(',')}) ORDER BY scope, source`)
          .all(...scopes) as LedgerRow[])
      : (this.db.prepare('SELECT * FROM documents ORDER BY scope, source').all() as LedgerRow[]);
    return rows.map(entryFromRow);
  }

  /** Documents matching a docId or a file name, optionally within one scope. */
  find(docIdOrSource: string, scope?: string): DocumentEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM documents WHERE (doc_id = ? OR source = ?) AND (? IS NULL OR scope = ?) ORDER BY scope')
      .all(docIdOrSource, docIdOrSource, scope ?? null, scope ?? null) as LedgerRow[];
    return rows.map(entryFromRow);
  }

  /** Documents being indexed by `writer` (null: by no recorded writer). */
  indexing(writer: string | null): DocumentEntry[] {
    const rows = this.db.prepare("SELECT * FROM documents WHERE status = 'indexing' AND writer IS ?").all(writer);
    return (rows as LedgerRow[]).map(entryFromRow);
  }

  upsert(entry: DocumentEntry): void {
    this.db
      .prepare(
        `INSERT INTO documents (scope, doc_id, source, url, kind, mime_type, content_hash, pending_hash, writer, status, chunk_count,
           bytes, error, uploaded_by, uploaded_at, ingested_at, updated_at)
         VALUES (@scope, @docId, @source, @url, @kind, @mimeType, @contentHash, @pendingHash, @writer, @status, @chunkCount,
           @bytes, @error, @uploadedBy, @uploadedAt, @ingestedAt, @updatedAt)
         ON CONFLICT (scope, doc_id) DO UPDATE SET
           source = excluded.source, url = excluded.url, kind = excluded.kind, mime_type = excluded.mime_type,
           content_hash = excluded.content_hash, pending_hash = excluded.pending_hash, writer = excluded.writer, status = excluded.status,
           chunk_count = excluded.chunk_count, bytes = excluded.bytes, error = excluded.error,
           uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at, ingested_at = excluded.ingested_at,
           updated_at = excluded.updated_at`,
      )
      .run({
        kind: null,
        mimeType: null,
        contentHash: null,
        pendingHash: null,
        writer: null,
        bytes: null,
        error: null,
        uploadedBy: null,
        uploadedAt: null,
        ingestedAt: null,
        ...Object.fromEntries(Object.entries(entry).filter(([k, v]) => v !== undefined && k !== 'interrupted')),
      });
  }

  remove(scope: string, docId: string): void {
    this.db.prepare('DELETE FROM documents WHERE scope = ? AND doc_id = ?').run(scope, docId);
  }
}
