import type { StoredChunk } from '../chunk.js';
import { ChunkStore } from '../chunk-store.js';
import { getMeta, setMeta, type Db } from '../database.js';
import { LeaseLostError } from '../lease-lost.js';
import { Ledger, type DocumentEntry } from '../ledger.js';
import type { DocumentRecords, VectorNote } from '../ports.js';
import { liveLease } from './leases.js';

/**
 * Documents and chunks in SQLite: the ledger, the chunk rows with their FTS5 keyword index, and the
 * unconfirmed-vector notes, changed together in one transaction per step of a write.
 */
export class SqliteDocumentRecords implements DocumentRecords {
  private readonly ledger: Ledger;
  /** The chunk rows and their FTS5 index (shared with SqliteKeywordIndex for coverage on this thread). */
  readonly chunkStore: ChunkStore;

  constructor(private readonly db: Db) {
    this.ledger = new Ledger(db);
    this.chunkStore = new ChunkStore(db);
  }

  async document(scope: string, docId: string): Promise<DocumentEntry | undefined> {
    const entry = this.ledger.get(scope, docId);
    return entry && this.withState(entry);
  }

  async documents(scopes?: string[]): Promise<DocumentEntry[]> {
    return this.ledger.list(scopes).map((e) => this.withState(e));
  }

  async findDocuments(target: string, scope?: string): Promise<DocumentEntry[]> {
    return this.ledger.find(target, scope).map((e) => this.withState(e));
  }

  /** An `indexing` row whose writer holds no live lease reads as interrupted. */
  private withState(entry: DocumentEntry): DocumentEntry {
    if (entry.status !== 'indexing') return entry;
    return entry.writer && liveLease(this.db, entry.writer) ? entry : { ...entry, interrupted: true };
  }

  async chunks(ids: string[]): Promise<StoredChunk[]> {
    return this.chunkStore.get(ids);
  }

  async chunkIdsOf(scope: string, docId: string): Promise<string[]> {
    return this.chunkStore.idsOfDocument(scope, docId);
  }

  async chunkCount(scopes?: string[]): Promise<number> {
    return scopes ? this.chunkStore.countInScopes(scopes) : this.chunkStore.countCached();
  }

  async *chunkPages(pageSize: number, scope?: string): AsyncGenerator<StoredChunk[]> {
    yield* this.chunkStore.all(pageSize, scope);
  }

  async meta(key: string): Promise<string | undefined> {
    return getMeta(this.db, key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    setMeta(this.db, key, value);
  }

  async putDocument(entry: DocumentEntry): Promise<void> {
    this.ledger.upsert(entry);
  }

  async beginWrite(entry: DocumentEntry, owner: string, notes: VectorNote[]): Promise<void> {
    this.db.transaction(() => {
      this.assertLease(owner);
      this.ledger.upsert({ ...entry, writer: owner });
      this.note(owner, notes);
    })();
  }

  async commitWrite(
    write: { entry: DocumentEntry; chunks: StoredChunk[]; replaces: string[]; meta?: Record<string, string> },
    owner: string,
    notes: VectorNote[],
  ): Promise<void> {
    this.db.transaction(() => {
      // Fencing: a writer whose lease ran out (frozen, partitioned) may have been recovered by another.
      this.assertLease(owner);
      this.chunkStore.delete(write.replaces);
      this.chunkStore.insert(write.chunks);
      this.ledger.upsert(write.entry);
      for (const [key, value] of Object.entries(write.meta ?? {})) setMeta(this.db, key, value);
      this.note(owner, notes);
    })();
  }

  async abortWrite(scope: string, docId: string, previous: DocumentEntry | undefined): Promise<void> {
    if (previous) this.ledger.upsert(previous);
    else this.ledger.remove(scope, docId);
  }

  async forgetDocument(scope: string, docId: string, owner: string, collections: string[]): Promise<string[]> {
    return this.db.transaction(() => {
      const ids = this.chunkStore.idsOfDocument(scope, docId);
      this.note(
        owner,
        collections.flatMap((collection) => ids.map((id) => ({ id, collection }))),
      );
      this.chunkStore.delete(ids);
      this.ledger.remove(scope, docId);
      return ids;
    })();
  }

  async orphanVectors(owner: string, ids?: string[]): Promise<VectorNote[]> {
    const select = this.db.prepare(
      'SELECT u.id, u.collection FROM unconfirmed_vectors u LEFT JOIN chunks c ON c.id = u.id WHERE u.owner = ? AND c.id IS NULL' +
        (ids ? ' AND u.id = ?' : ''),
    );
    return (ids ? ids.flatMap((id) => select.all(owner, id)) : select.all(owner)) as VectorNote[];
  }

  async settleNotes(owner: string, ids?: string[]): Promise<void> {
    if (!ids) {
      this.db.prepare('DELETE FROM unconfirmed_vectors WHERE owner = ?').run(owner);
      return;
    }
    const forget = this.db.prepare('DELETE FROM unconfirmed_vectors WHERE owner = ? AND id = ?');
    this.db.transaction(() => ids.forEach((id) => forget.run(owner, id)))();
  }

  async deadWriters(self: string): Promise<string[]> {
    const rows = this.db
      .prepare(`SELECT owner FROM unconfirmed_vectors UNION SELECT COALESCE(writer, '') FROM documents WHERE status = 'indexing'`)
      .all() as { owner: string }[];
    return rows.map((r) => r.owner).filter((owner) => owner !== self && !liveLease(this.db, owner));
  }

  async recoverDocuments(owner: string): Promise<number> {
    // '' stands for rows with no recorded writer (see deadWriters).
    const interrupted = this.ledger.indexing(owner || null);
    this.db.transaction(() => {
      for (const entry of interrupted) {
        // The committed chunks (if any) are still the previous version: keep serving them.
        if (entry.contentHash) this.ledger.upsert({ ...entry, status: 'indexed', pendingHash: undefined, writer: undefined });
        else this.ledger.remove(entry.scope, entry.docId);
      }
    })();
    return interrupted.length;
  }

  private note(owner: string, notes: VectorNote[]): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO unconfirmed_vectors (id, collection, owner) VALUES (?, ?, ?)');
    for (const { id, collection } of notes) insert.run(id, collection, owner);
  }

  private assertLease(owner: string): void {
    if (!liveLease(this.db, owner)) throw new LeaseLostError(owner);
  }
}
