import type { StoredChunk } from '../chunk.js';
import { LeaseLostError } from '../lease-lost.js';
import { entryFromRow, type DocumentEntry, type LedgerRow } from '../ledger.js';
import type { DocumentRecords, VectorNote } from '../ports.js';
import { DB_NOW_MS, type PgDatabase, type Queryable } from './database.js';
import { applyCounts, CountChange, deleteChunks, insertChunks } from './keywords.js';

const LEDGER_COLUMNS = [
  'scope',
  'doc_id',
  'source',
  'url',
  'kind',
  'mime_type',
  'content_hash',
  'pending_hash',
  'writer',
  'status',
  'chunk_count',
  'bytes',
  'error',
  'uploaded_by',
  'uploaded_at',
  'ingested_at',
  'updated_at',
] as const;

const UPSERT_LEDGER = `INSERT INTO documents (${LEDGER_COLUMNS.join(', ')})
  VALUES (${LEDGER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (scope, doc_id) DO UPDATE SET ${LEDGER_COLUMNS.slice(2)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

function ledgerValues(e: DocumentEntry): unknown[] {
  return [
    e.scope,
    e.docId,
    e.source,
    e.url,
    e.kind ?? null,
    e.mimeType ?? null,
    e.contentHash ?? null,
    e.pendingHash ?? null,
    e.writer ?? null,
    e.status,
    e.chunkCount,
    e.bytes ?? null,
    e.error ?? null,
    e.uploadedBy ?? null,
    e.uploadedAt ?? null,
    e.ingestedAt ?? null,
    e.updatedAt,
  ];
}

const upsert = (q: Queryable, entry: DocumentEntry) => q.query(UPSERT_LEDGER, ledgerValues(entry));
const remove = (q: Queryable, scope: string, docId: string) =>
  q.query('DELETE FROM documents WHERE scope = $1 AND doc_id = $2', [scope, docId]);
const UPSERT_META = 'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value';
const setMeta = (q: Queryable, key: string, value: string) => q.query(UPSERT_META, [key, value]);

/** `indexing` rows whose writer holds no live lease read as interrupted (the lease is judged on the database's clock). */
const WITH_STATE = `SELECT d.*, (d.status = 'indexing' AND NOT EXISTS
  (SELECT 1 FROM leases l WHERE l.owner = d.writer AND l.expires_at > ${DB_NOW_MS})) AS interrupted FROM documents d`;

type StateRow = LedgerRow & { interrupted: boolean };
const withState = (r: StateRow): DocumentEntry => (r.interrupted ? { ...entryFromRow(r), interrupted: true } : entryFromRow(r));

/**
 * Documents and chunks in PostgreSQL: the ledger, the chunk rows with their keyword terms, and the
 * unconfirmed-vector notes, changed together in one transaction per step of a write. Every write
 * that names an owner first checks its lease inside the transaction (fencing).
 */
export class PgDocumentRecords implements DocumentRecords {
  private countCache = new Map<string, { n: number; at: number }>();

  constructor(private readonly db: PgDatabase) {}

  async document(scope: string, docId: string): Promise<DocumentEntry | undefined> {
    const [row] = await this.db.rows<StateRow>(`${WITH_STATE} WHERE d.scope = $1 AND d.doc_id = $2`, [scope, docId]);
    return row && withState(row);
  }

  async documents(scopes?: string[]): Promise<DocumentEntry[]> {
    const rows = scopes
      ? await this.db.rows<StateRow>(`${WITH_STATE} WHERE d.scope = ANY($1::text[]) ORDER BY d.scope COLLATE "C", d.source COLLATE "C"`, [
          scopes,
        ])
      : await this.db.rows<StateRow>(`${WITH_STATE} ORDER BY d.scope COLLATE "C", d.source COLLATE "C"`);
    return rows.map(withState);
  }

  async findDocuments(target: string, scope?: string): Promise<DocumentEntry[]> {
    const rows = await this.db.rows<StateRow>(
      `${WITH_STATE} WHERE (d.doc_id = $1 OR d.source = $1) AND ($2::text IS NULL OR d.scope = $2) ORDER BY d.scope`,
      [target, scope ?? null],
    );
    return rows.map(withState);
  }

  async chunks(ids: string[]): Promise<StoredChunk[]> {
    if (!ids.length) return [];
    const rows = await this.db.rows<{ id: string; text: string; metadata: string }>(
      'SELECT id, text, metadata FROM chunks WHERE id = ANY($1::text[])',
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [{ id: r.id, text: r.text, metadata: JSON.parse(r.metadata) }] : [];
    });
  }

  async chunkIdsOf(scope: string, docId: string): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>('SELECT id FROM chunks WHERE scope = $1 AND doc_id = $2 ORDER BY chunk_index', [
      scope,
      docId,
    ]);
    return rows.map((r) => r.id);
  }

  /** Counts plan searches, so a few seconds stale is fine; this process's own writes clear them. */
  async chunkCount(scopes?: string[]): Promise<number> {
    const key = scopes ? [...scopes].sort().join('\n') : '*';
    const cached = this.countCache.get(key);
    if (cached && cached.at > Date.now() - 5_000) return cached.n;
    const [row] = scopes
      ? await this.db.rows<{ n: number }>('SELECT count(*) AS n FROM chunks WHERE scope = ANY($1::text[])', [scopes])
      : await this.db.rows<{ n: number }>('SELECT chunks AS n FROM keyword_stats');
    if (this.countCache.size > 1000) this.countCache.clear();
    this.countCache.set(key, { n: row!.n, at: Date.now() });
    return row!.n;
  }

  async *chunkPages(pageSize: number, scope?: string): AsyncGenerator<StoredChunk[]> {
    let after = 0;
    for (;;) {
      const rows = await this.db.rows<{ seq: number; id: string; text: string; metadata: string }>(
        'SELECT seq, id, text, metadata FROM chunks WHERE seq > $1 AND ($2::text IS NULL OR scope = $2) ORDER BY seq LIMIT $3',
        [after, scope ?? null, pageSize],
      );
      if (!rows.length) return;
      after = rows[rows.length - 1]!.seq;
      yield rows.map((r) => ({ id: r.id, text: r.text, metadata: JSON.parse(r.metadata) }));
    }
  }

  async meta(key: string): Promise<string | undefined> {
    const [row] = await this.db.rows<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.query(UPSERT_META, [key, value]);
  }

  async putDocument(entry: DocumentEntry): Promise<void> {
    await this.db.query(UPSERT_LEDGER, ledgerValues(entry));
  }

  async beginWrite(entry: DocumentEntry, owner: string, notes: VectorNote[]): Promise<void> {
    await this.db.transaction(async (q) => {
      await assertLease(q, owner);
      await upsert(q, { ...entry, writer: owner });
      await note(q, owner, notes);
    });
  }

  async commitWrite(
    write: { entry: DocumentEntry; chunks: StoredChunk[]; replaces: string[]; meta?: Record<string, string> },
    owner: string,
    notes: VectorNote[],
  ): Promise<void> {
    this.countCache.clear();
    await this.db.transaction(async (q) => {
      // Fencing: a writer whose lease ran out (frozen, partitioned) may have been recovered by another.
      await assertLease(q, owner);
      const change = new CountChange();
      await deleteChunks(q, write.replaces, change);
      await insertChunks(q, write.chunks, change);
      await upsert(q, write.entry);
      for (const [key, value] of Object.entries(write.meta ?? {})) await setMeta(q, key, value);
      await note(q, owner, notes);
      await applyCounts(q, change);
    });
  }

  async abortWrite(scope: string, docId: string, previous: DocumentEntry | undefined): Promise<void> {
    if (previous) await this.db.query(UPSERT_LEDGER, ledgerValues(previous));
    else await this.db.query('DELETE FROM documents WHERE scope = $1 AND doc_id = $2', [scope, docId]);
  }

  async forgetDocument(scope: string, docId: string, owner: string, collections: string[]): Promise<string[]> {
    this.countCache.clear();
    return this.db.transaction(async (q) => {
      const { rows } = await q.query<{ id: string }>('SELECT id FROM chunks WHERE scope = $1 AND doc_id = $2 ORDER BY chunk_index', [
        scope,
        docId,
      ]);
      const ids = rows.map((r) => r.id);
      await note(
        q,
        owner,
        collections.flatMap((collection) => ids.map((id) => ({ id, collection }))),
      );
      const change = new CountChange();
      await deleteChunks(q, ids, change);
      await remove(q, scope, docId);
      await applyCounts(q, change);
      return ids;
    });
  }

  async orphanVectors(owner: string, ids?: string[]): Promise<VectorNote[]> {
    const rows = await this.db.rows<VectorNote & { n: number }>(
      `SELECT u.id, u.collection, coalesce(array_position($2::text[], u.id), 0) AS n
       FROM unconfirmed_vectors u LEFT JOIN chunks c ON c.id = u.id
       WHERE u.owner = $1 AND c.id IS NULL AND ($2::text[] IS NULL OR u.id = ANY($2::text[]))
       ORDER BY n, u.id, u.collection`,
      [owner, ids ?? null],
    );
    return rows.map(({ id, collection }) => ({ id, collection }));
  }

  async settleNotes(owner: string, ids?: string[]): Promise<void> {
    await this.db.query('DELETE FROM unconfirmed_vectors WHERE owner = $1 AND ($2::text[] IS NULL OR id = ANY($2::text[]))', [
      owner,
      ids ?? null,
    ]);
  }

  async deadWriters(self: string): Promise<string[]> {
    const rows = await this.db.rows<{ owner: string }>(
      `SELECT w.owner FROM (SELECT owner FROM unconfirmed_vectors UNION SELECT coalesce(writer, '') FROM documents WHERE status = 'indexing') w
       WHERE w.owner <> $1 AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.owner = w.owner AND l.expires_at > ${DB_NOW_MS})
       ORDER BY w.owner`,
      [self],
    );
    return rows.map((r) => r.owner);
  }

  async recoverDocuments(owner: string): Promise<number> {
    // '' stands for rows with no recorded writer (see deadWriters).
    return this.db.transaction(async (q) => {
      const { rows } = await q.query<LedgerRow>(
        `SELECT * FROM documents WHERE status = 'indexing' AND writer IS NOT DISTINCT FROM $1 FOR UPDATE`,
        [owner || null],
      );
      for (const entry of rows.map(entryFromRow)) {
        // The committed chunks (if any) are still the previous version: keep serving them.
        if (entry.contentHash) await upsert(q, { ...entry, status: 'indexed', pendingHash: undefined, writer: undefined });
        else await remove(q, entry.scope, entry.docId);
      }
      return rows.length;
    });
  }
}

async function note(q: Queryable, owner: string, notes: VectorNote[]): Promise<void> {
  if (!notes.length) return;
  await q.query(
    `INSERT INTO unconfirmed_vectors (id, collection, owner) SELECT n.id, n.collection, $3 FROM unnest($1::text[], $2::text[]) AS n(id, collection)
     ON CONFLICT DO NOTHING`,
    [notes.map((n) => n.id), notes.map((n) => n.collection), owner],
  );
}

async function assertLease(q: Queryable, owner: string): Promise<void> {
  // FOR SHARE: the lease cannot be released or taken over while this write commits.
  const { rowCount } = await q.query(`SELECT 1 FROM leases WHERE owner = $1 AND expires_at > ${DB_NOW_MS} FOR SHARE`, [owner]);
  if (!rowCount) throw new LeaseLostError(owner);
}
