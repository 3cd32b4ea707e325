import { CitebotError } from '../errors.js';
import { log } from '../log.js';
import { canonicalModelName } from '../models/embedding-profiles.js';
import type { CitebotEmbeddings } from '../models/embeddings.js';
import { embeddingInput, type StoredChunk } from './chunk.js';
import { getMeta, setMeta, type Db } from './database.js';
import { KeywordIndex } from './keyword-index.js';
import { KeywordSearcher } from './keyword-searcher.js';
import { Ledger, type DocumentEntry } from './ledger.js';
import type { VectorIndex } from './vector-index.js';
import { processAlive } from '../util/process.js';

const INDEX_MODEL = 'index_model';
/** Embed-and-upsert batches under way at once while writing one document (bounds memory: 16 × EMBED_BATCH_SIZE vectors). */
const BATCHES_IN_FLIGHT = 16;

/**
 * The index as one thing: Chroma vectors, the keyword index and the ledger, kept in step.
 *
 * SQLite (ledger + chunks + keywords) is the record of what is indexed; Chroma follows it. Every
 * vector id is noted in `unconfirmed_vectors` before it is written to Chroma, and settled when the
 * SQLite transaction that commits (or supersedes) it succeeds. After a crash, whatever is still
 * unconfirmed and not committed is deleted from Chroma, so an interrupted ingest leaves no orphans
 * and a re-run completes it.
 */
export class DocumentIndex {
  readonly ledger: Ledger;
  readonly keywords: KeywordIndex;
  /** BM25 searches off the main thread (see KeywordSearcher). */
  readonly keywordSearch: KeywordSearcher;
  private dimension?: number;

  constructor(
    readonly db: Db,
    readonly vectors: VectorIndex,
    readonly embeddings: CitebotEmbeddings,
    private upsertBatchSize = 64,
  ) {
    this.ledger = new Ledger(db);
    this.keywords = new KeywordIndex(db);
    this.keywordSearch = new KeywordSearcher(db.name);
  }

  get model(): string {
    return canonicalModelName(this.embeddings.model);
  }

  /** The model that embedded the stored chunks, if any are stored. */
  builtWith(): string | undefined {
    return this.keywords.count() > 0 ? getMeta(this.db, INDEX_MODEL) : undefined;
  }

  /** Throw the model-mismatch error if the stored chunks were embedded by another model. */
  assertSameModel(): void {
    const built = this.builtWith();
    if (built && built !== this.model) {
      throw new CitebotError(
        'index_model_mismatch',
        `The index was built with the embedding model ${built}, but EMBED_MODEL is ${this.model}. Fix: run \`citebot reindex\` to re-embed the stored chunks with ${this.model}, or set EMBED_MODEL=${built}.`,
      );
    }
  }

  /** Connect to this model's collection and finish any interrupted work. */
  async open(): Promise<void> {
    this.assertSameModel();
    // The collection records its dimension: the model is asked (maybe a probe embedding) only for a new one.
    this.dimension = (await this.vectors.existingDimension()) ?? (await this.embeddings.getDimension());
    await this.vectors.open(this.dimension);
    // Never send Chroma more records in one call than it accepts.
    this.upsertBatchSize = Math.max(1, Math.min(this.upsertBatchSize, await this.vectors.maxBatchSize()));
    await this.recover();
  }

  /**
   * Ready for questions without needing Ollama: the model check is SQLite-only and the collection's
   * dimension comes from its own metadata, so keyword search still works while Ollama is down.
   * With no collection yet (nothing indexed with this model) dense search finds nothing.
   */
  async openForQuery(): Promise<void> {
    this.assertSameModel();
    if (this.vectors.isOpen) return;
    const dimension = this.dimension ?? (await this.vectors.existingDimension());
    if (dimension) await this.vectors.open(dimension);
  }

  /** Settle what a crashed process left behind: interrupted documents and unconfirmed vectors. */
  async recover(): Promise<void> {
    const deadOwners = (this.db.prepare('SELECT DISTINCT owner FROM unconfirmed_vectors').all() as { owner: number }[])
      .map((r) => r.owner)
      .filter((pid) => pid !== process.pid && !processAlive(pid));
    const interrupted = this.ledger.interrupted().filter((e) => e.writer === undefined || !processAlive(e.writer));
    if (interrupted.length) {
      this.db.transaction(() => {
        for (const entry of interrupted) {
          // The committed chunks (if any) are still the previous version: keep serving them.
          if (entry.contentHash) this.ledger.upsert({ ...entry, status: 'indexed', pendingHash: undefined, writer: undefined });
          else this.ledger.remove(entry.scope, entry.docId);
        }
      })();
      log.info(`recovered ${interrupted.length} interrupted document(s); ingest them again to finish`);
    }
    for (const owner of deadOwners) await this.settle(owner);
  }

  /**
   * Settle unconfirmed vectors of one writer: delete from Chroma those without a committed chunk,
   * then forget the notes. With `ids`, only those (a process settles just the write it finished,
   * never another write of its own still in flight); without, everything the writer left.
   */
  private async settle(owner: number, ids?: string[]): Promise<void> {
    const select = this.db.prepare(
      'SELECT u.id, u.collection FROM unconfirmed_vectors u LEFT JOIN chunks c ON c.id = u.id WHERE u.owner = ? AND c.id IS NULL' +
        (ids ? ' AND u.id = ?' : ''),
    );
    const rows = (ids ? ids.flatMap((id) => select.all(owner, id)) : select.all(owner)) as { id: string; collection: string }[];
    const byCollection = new Map<string, string[]>();
    for (const row of rows) byCollection.set(row.collection, [...(byCollection.get(row.collection) ?? []), row.id]);
    const existing = byCollection.size ? await this.vectors.collectionNames() : [];
    for (const [collection, orphans] of byCollection) {
      if (!existing.includes(collection)) continue;
      for (let i = 0; i < orphans.length; i += 1000) await this.vectors.deleteEverywhere(orphans.slice(i, i + 1000), [collection]);
    }
    if (!ids) {
      this.db.prepare('DELETE FROM unconfirmed_vectors WHERE owner = ?').run(owner);
      return;
    }
    const forget = this.db.prepare('DELETE FROM unconfirmed_vectors WHERE owner = ? AND id = ?');
    this.db.transaction(() => ids.forEach((id) => forget.run(owner, id)))();
  }

  private noteUnconfirmed(ids: string[], collections = [this.vectors.collectionName]): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO unconfirmed_vectors (id, collection, owner) VALUES (?, ?, ?)');
    for (const collection of collections) for (const id of ids) insert.run(id, collection, process.pid);
  }

  /**
   * Replace a document's chunks with new ones: embed, write vectors, then commit chunks, keywords
   * and the ledger in one transaction, then remove the previous version's vectors.
   */
  async write(
    entry: Omit<DocumentEntry, 'status' | 'chunkCount' | 'updatedAt' | 'pendingHash'>,
    chunks: StoredChunk[],
    onEmbedded?: (done: number, total: number) => void,
  ): Promise<void> {
    this.assertSameModel();
    const now = new Date().toISOString();
    const previous = this.ledger.get(entry.scope, entry.docId);
    this.db.transaction(() => {
      this.ledger.upsert({
        // Only an indexed previous version has chunks worth falling back to after a crash.
        ...(previous?.status === 'indexed' ? previous : { ...entry, contentHash: undefined, chunkCount: 0 }),
        status: 'indexing',
        pendingHash: entry.contentHash,
        writer: process.pid,
        updatedAt: now,
      } as DocumentEntry);
      this.noteUnconfirmed(chunks.map((c) => c.id));
    })();

    let done = 0;
    let next = 0;
    let stop = false;
    // Some batches in flight, not all of them: a 45,000-chunk file would otherwise hold every vector and
    // every pending Chroma request at once. Chroma writes faster with several upserts under way, hence 16.
    const writeBatches = async () => {
      while (!stop && next < chunks.length) {
        const batch = chunks.slice(next, (next += this.upsertBatchSize));
        try {
          await this.vectors.upsert(batch, await this.embeddings.embedDocuments(batch.map(embeddingInput)));
        } catch (error) {
          stop = true;
          throw error;
        }
        done += batch.length;
        onEmbedded?.(done, chunks.length);
      }
    };
    try {
      // allSettled: no batch may still be writing when a failure is cleaned up.
      const writers = Math.min(BATCHES_IN_FLIGHT, Math.ceil(chunks.length / this.upsertBatchSize));
      const settled = await Promise.allSettled(Array.from({ length: writers }, writeBatches));
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    } catch (error) {
      // Back to the state before this attempt; vectors already written are removed now or, if
      // Chroma is the thing that failed, on this process's next flush or the next start.
      this.db.transaction(() => {
        if (previous) this.ledger.upsert(previous);
        else this.ledger.remove(entry.scope, entry.docId);
      })();
      await this.settle(
        process.pid,
        chunks.map((c) => c.id),
      ).catch(() => {});
      throw error;
    }

    const newIds = new Set(chunks.map((c) => c.id));
    const oldIds = this.keywords.idsOfDocument(entry.scope, entry.docId);
    const stale = oldIds.filter((id) => !newIds.has(id));
    this.db.transaction(() => {
      this.keywords.delete(oldIds);
      this.keywords.insert(chunks);
      this.ledger.upsert({ ...entry, status: 'indexed', chunkCount: chunks.length, error: undefined, ingestedAt: now, updatedAt: now });
      // assertSameModel() passed: the index is empty or already this model's.
      setMeta(this.db, INDEX_MODEL, this.model);
      // The previous version's vectors are now orphans-to-be: note them, then delete below.
      this.noteUnconfirmed(stale);
    })();
    await this.settle(process.pid, [...newIds, ...stale]);
  }

  /** Record a failed or skipped attempt. An older indexed version, if any, stays indexed and searchable. */
  recordProblem(entry: Omit<DocumentEntry, 'status' | 'chunkCount' | 'updatedAt'>, status: 'failed' | 'skipped', reason: string): void {
    const previous = this.ledger.get(entry.scope, entry.docId);
    const now = new Date().toISOString();
    if (previous && previous.status === 'indexed') {
      this.ledger.upsert({ ...previous, error: reason, updatedAt: now });
    } else {
      // contentHash here is the hash of the bytes that failed, so the same bytes are not read again.
      this.ledger.upsert({ ...entry, status, chunkCount: 0, error: reason, updatedAt: now });
    }
  }

  /** Remove a document's chunks from Chroma (every model's collection), the keyword index and the ledger. */
  async forget(scope: string, docId: string): Promise<number> {
    const ids = this.keywords.idsOfDocument(scope, docId);
    const collections = await this.vectors.collectionNames();
    this.db.transaction(() => {
      this.noteUnconfirmed(ids, collections);
      this.keywords.delete(ids);
      this.ledger.remove(scope, docId);
    })();
    await this.settle(process.pid, ids);
    return ids.length;
  }

  /**
   * Re-embed every stored chunk with the current model into its collection, from the stored texts:
   * the original files are not needed. The collection is rebuilt from scratch.
   */
  async reindex(onProgress?: (done: number, total: number) => void): Promise<{ chunks: number; model: string; previousModel?: string }> {
    const previousModel = this.builtWith();
    this.dimension = await this.embeddings.getDimension();
    await this.vectors.recreate(this.dimension);
    const total = this.keywords.count();
    let done = 0;
    for (const page of this.keywords.all(this.upsertBatchSize * 4)) {
      const batches: StoredChunk[][] = [];
      for (let i = 0; i < page.length; i += this.upsertBatchSize) batches.push(page.slice(i, i + this.upsertBatchSize));
      await Promise.all(
        batches.map(async (batch) => {
          await this.vectors.upsert(batch, await this.embeddings.embedDocuments(batch.map(embeddingInput)));
          done += batch.length;
          onProgress?.(done, total);
        }),
      );
    }
    setMeta(this.db, INDEX_MODEL, this.model);
    return { chunks: total, model: this.model, previousModel };
  }
}
