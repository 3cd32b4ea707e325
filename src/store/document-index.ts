import { Document } from '@langchain/core/documents';
import { CitebotError } from '../errors.js';
import { log } from '../log.js';
import { describeIndexedModel, indexedModelName } from '../models/embedding-profiles.js';
import type { EmbeddingProvider } from '../models/provider.js';
import { processAlive } from '../util/process.js';
import { embeddingInput, type StoredChunk } from './chunk.js';
import { ChunkStore } from './chunk-store.js';
import { getMeta, setMeta, type Db } from './database.js';
import { KeywordSearcher } from './keyword-searcher.js';
import { Ledger, type DocumentEntry } from './ledger.js';
import { VectorIndex } from './vector-index.js';

const INDEX_MODEL = 'index_model';
/** Embed-and-upsert batches under way at once while writing one document (bounds memory: 16 × EMBED_BATCH_SIZE vectors). */
const BATCHES_IN_FLIGHT = 16;

/** Below this many chunks Chroma's filtered search is always fast enough. */
const UNFILTERED_FROM_CHUNKS = 20_000;
/** The scope's share of the index from which the unfiltered search pays off. */
const UNFILTERED_MIN_SHARE = 0.2;
/** Candidates asked for unfiltered, as multiples of k ÷ share, before falling back to the filter. */
const UNFILTERED_WIDENING = [2, 6];

export interface DocumentIndexOptions {
  db: Db;
  /** Where Chroma listens; asked on first need, and again after a failure (a server may come up later). */
  chromaUrl: () => Promise<string>;
  collectionPrefix: string;
  embeddings: EmbeddingProvider;
  /** Chunks per embedding request and Chroma upsert (capped by what Chroma accepts). */
  upsertBatchSize?: number;
  /** Index size from which dense search may search unfiltered and cut to the scope (tests lower it). */
  unfilteredFromChunks?: number;
}

/** What `stats()` reports, for doctor and the CLI. */
export interface IndexStats {
  chunks: number;
  documents: number;
  /** The model that embedded the stored chunks, if any. */
  builtWith?: string;
  model: string;
}

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
  private readonly db: Db;
  private readonly ledger: Ledger;
  private readonly chunkStore: ChunkStore;
  /** BM25 searches off the main thread (see KeywordSearcher). */
  private readonly keywordSearcher: KeywordSearcher;
  private readonly embeddings: EmbeddingProvider;
  private vectorIndex?: VectorIndex;
  private dimension?: number;
  private upsertBatchSize: number;
  private readonly unfilteredFromChunks: number;

  constructor(private readonly options: DocumentIndexOptions) {
    this.db = options.db;
    this.embeddings = options.embeddings;
    this.ledger = new Ledger(options.db);
    this.chunkStore = new ChunkStore(options.db);
    this.keywordSearcher = new KeywordSearcher(options.db.name);
    this.upsertBatchSize = options.upsertBatchSize ?? 64;
    this.unfilteredFromChunks = options.unfilteredFromChunks ?? UNFILTERED_FROM_CHUNKS;
  }

  /** The Chroma side, created once Chroma's URL is known. */
  private async vectors(): Promise<VectorIndex> {
    this.vectorIndex ??= new VectorIndex(await this.options.chromaUrl(), this.options.collectionPrefix, this.model, this.embeddings);
    return this.vectorIndex;
  }

  /** The embedding model as the index records it: with its provider unless Ollama. */
  get model(): string {
    return indexedModelName(this.embeddings);
  }

  /** The model that embedded the stored chunks, if any are stored. */
  builtWith(): string | undefined {
    return this.chunkStore.count() > 0 ? getMeta(this.db, INDEX_MODEL) : undefined;
  }

  /** Throw the model-mismatch error if the stored chunks were embedded by another model. */
  assertSameModel(): void {
    const built = this.builtWith();
    if (built && built !== this.model) {
      throw new CitebotError(
        'index_model_mismatch',
        `The index was built with the embedding model ${describeIndexedModel(built)}, but EMBED_PROVIDER and EMBED_MODEL name ${describeIndexedModel(this.model)}`,
        {
          fix: `run \`citebot reindex\` to re-embed the stored chunks with ${describeIndexedModel(this.model)}, or set EMBED_PROVIDER and EMBED_MODEL back to ${describeIndexedModel(built)}`,
        },
      );
    }
  }

  /** Connect to this model's collection and finish any interrupted work. */
  async open(): Promise<void> {
    this.assertSameModel();
    const vectors = await this.vectors();
    // The collection records its dimension: the model is asked (maybe a probe embedding) only for a new one.
    this.dimension = (await vectors.existingDimension()) ?? (await this.embeddings.getDimension());
    await vectors.open(this.dimension);
    // Never send Chroma more records in one call than it accepts.
    this.upsertBatchSize = Math.max(1, Math.min(this.upsertBatchSize, await vectors.maxBatchSize()));
    await this.recover();
  }

  /**
   * Ready for questions without needing Ollama: the model check is SQLite-only and the collection's
   * dimension comes from its own metadata, so keyword search still works while Ollama is down.
   * With no collection yet (nothing indexed with this model) dense search finds nothing.
   */
  async openForQuery(): Promise<void> {
    this.assertSameModel();
    const vectors = await this.vectors();
    if (vectors.isOpen) return;
    const dimension = this.dimension ?? (await vectors.existingDimension());
    if (dimension) await vectors.open(dimension);
  }

  /** Chroma answers (and where it is). */
  async heartbeat(): Promise<string> {
    const vectors = await this.vectors();
    await vectors.heartbeat();
    return vectors.url;
  }

  /** Stop the keyword search worker. */
  async close(): Promise<void> {
    await this.keywordSearcher.close();
  }

  // ---- Search -------------------------------------------------------------------------------

  /**
   * The k chunks nearest the query in these scopes, each a Document with `denseScore` (cosine
   * similarity). Hits are checked against the committed chunks, so a vector whose write is still in
   * flight (or was orphaned) never surfaces. Empty when nothing was embedded with this model yet.
   */
  async denseSearch(query: string, scopes: string[], k: number): Promise<Document[]> {
    await this.openForQuery();
    const vectors = await this.vectors();
    if (!vectors.isOpen) return [];
    const vector = await this.embeddings.embedQuery(query);
    const results = await this.nearest(vectors, vector, scopes, k);
    const committed = new Map(this.chunkStore.get(results.map(([doc]) => doc.id!)).map((c) => [c.id, c]));
    return results.flatMap(([doc, distance]) => {
      const chunk = committed.get(doc.id!);
      // Belt and braces: the filter already restricts the scope; a stray result is dropped, not shown.
      if (!chunk || !scopes.includes(chunk.metadata.scope)) return [];
      return [toDocument(chunk, { denseScore: 1 - distance })];
    });
  }

  /**
   * Chroma's filtered search costs time in proportion to the chunks that pass the filter, which is
   * slow when the scope is a large share of a large index. Then an unfiltered search for enough
   * candidates, cut to the scope, is equivalent and much faster; it falls back to the filtered
   * search whenever it did not find enough. Small scopes always use the filter (fast for them).
   */
  private async nearest(vectors: VectorIndex, vector: number[], scopes: string[], k: number): Promise<[Document, number][]> {
    const filter = scopes.length === 1 ? { scope: scopes[0]! } : { scope: { $in: scopes } };
    const inScope = this.chunkStore.countInScopes(scopes);
    const total = this.chunkStore.countCached();
    if (inScope === 0) return [];
    const share = inScope / Math.max(1, total);
    if (total >= this.unfilteredFromChunks && share >= UNFILTERED_MIN_SHARE) {
      // Neighbours cluster by scope, so a first ask can come up short: ask once more, wider, which
      // still costs far less than the filtered search.
      for (const factor of UNFILTERED_WIDENING) {
        const n = Math.min(total, Math.ceil((k / share) * factor));
        const wide = (await vectors.search(vector, n)).filter(([doc]) => scopes.includes(String(doc.metadata.scope)));
        if (wide.length >= Math.min(k, inScope)) return wide.slice(0, k);
        log.debug('dense search: unfiltered search came up short', { found: wide.length, asked: n });
      }
      log.debug('dense search: too few in-scope candidates unfiltered, filtering in Chroma');
    }
    return vectors.search(vector, k, filter);
  }

  /** BM25 (plus term proximity) over these scopes, each a Document with `keywordScore` and `keywordCoverage` (see KeywordHit). */
  async keywordSearch(query: string, scopes: string[], k: number): Promise<Document[]> {
    const hits = await this.keywordSearcher.search(query, scopes, k);
    const chunks = new Map(this.chunkStore.get(hits.map((h) => h.id)).map((c) => [c.id, c]));
    return hits.flatMap((hit) => {
      const chunk = chunks.get(hit.id);
      return chunk ? [toDocument(chunk, { keywordScore: hit.score, keywordCoverage: hit.coverage })] : [];
    });
  }

  // ---- Chunks and documents -----------------------------------------------------------------

  /** Stored chunks by id (unknown ids are left out). */
  chunks(ids: string[]): StoredChunk[] {
    return this.chunkStore.get(ids);
  }

  /** A document's chunk ids, in order. */
  chunkIdsOf(scope: string, docId: string): string[] {
    return this.chunkStore.idsOfDocument(scope, docId);
  }

  /** A document's chunks, in order. */
  chunksOf(scope: string, docId: string): StoredChunk[] {
    return this.chunkStore.get(this.chunkStore.idsOfDocument(scope, docId));
  }

  /** Chunks stored, in these scopes or in all. */
  chunkCount(scopes?: string[]): number {
    return scopes ? this.chunkStore.countInScopes(scopes) : this.chunkStore.count();
  }

  /** Every stored chunk of a scope, in pages (for building question sets from a scope's own text). */
  *chunkPages(scope: string, pageSize = 500): Generator<StoredChunk[]> {
    yield* this.chunkStore.all(pageSize, scope);
  }

  document(scope: string, docId: string): DocumentEntry | undefined {
    return this.ledger.get(scope, docId);
  }

  /** Documents in these scopes (or every scope), by scope then name. */
  documents(scopes?: string[]): DocumentEntry[] {
    return this.ledger.list(scopes);
  }

  /** Documents whose id or file name is `target`, optionally within one scope. */
  findDocuments(target: string, scope?: string): DocumentEntry[] {
    return this.ledger.find(target, scope);
  }

  /** Counts for doctor and the CLI; SQLite only. */
  stats(): IndexStats {
    return { chunks: this.chunkStore.count(), documents: this.ledger.list().length, builtWith: this.builtWith(), model: this.model };
  }

  /** Ids of the vectors Chroma holds in this model's collection for a metadata filter (consistency checks, tests). */
  async vectorIds(where: Record<string, string | number | boolean>): Promise<string[]> {
    return (await this.vectors()).idsWhere(where);
  }

  /** Vectors in this model's collection. */
  async vectorCount(): Promise<number> {
    return (await this.vectors()).count();
  }

  /** This model's Chroma collection. */
  async collectionName(): Promise<string> {
    return (await this.vectors()).collectionName;
  }

  /** What this model's collection records about itself (embedModel, dimension), or undefined before the first write. */
  async collectionMetadata(): Promise<Record<string, unknown> | undefined> {
    return (await this.vectors()).metadata();
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
    const vectors = byCollection.size ? await this.vectors() : undefined;
    const existing = vectors ? await vectors.collectionNames() : [];
    for (const [collection, orphans] of byCollection) {
      if (!existing.includes(collection)) continue;
      for (let i = 0; i < orphans.length; i += 1000) await vectors!.deleteEverywhere(orphans.slice(i, i + 1000), [collection]);
    }
    if (!ids) {
      this.db.prepare('DELETE FROM unconfirmed_vectors WHERE owner = ?').run(owner);
      return;
    }
    const forget = this.db.prepare('DELETE FROM unconfirmed_vectors WHERE owner = ? AND id = ?');
    this.db.transaction(() => ids.forEach((id) => forget.run(owner, id)))();
  }

  private noteUnconfirmed(ids: string[], collections: string[]): void {
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
    const vectors = await this.vectors();
    const own = [vectors.collectionName];
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
      this.noteUnconfirmed(
        chunks.map((c) => c.id),
        own,
      );
    })();

    // A chunk id names its content (see chunkId): one already committed has its vector; embed only the rest.
    const committed = new Set(this.chunkStore.idsOfDocument(entry.scope, entry.docId));
    const fresh = chunks.filter((c) => !committed.has(c.id));
    let done = chunks.length - fresh.length;
    let next = 0;
    let stop = false;
    // Some batches in flight, not all of them: a 45,000-chunk file would otherwise hold every vector and
    // every pending Chroma request at once. Chroma writes faster with several upserts under way, hence 16.
    const writeBatches = async () => {
      while (!stop && next < fresh.length) {
        const batch = fresh.slice(next, (next += this.upsertBatchSize));
        try {
          await vectors.upsert(batch, await this.embeddings.embedDocuments(batch.map(embeddingInput)));
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
      const writers = Math.min(BATCHES_IN_FLIGHT, Math.ceil(fresh.length / this.upsertBatchSize));
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
    const oldIds = this.chunkStore.idsOfDocument(entry.scope, entry.docId);
    const stale = oldIds.filter((id) => !newIds.has(id));
    this.db.transaction(() => {
      this.chunkStore.delete(oldIds);
      this.chunkStore.insert(chunks);
      this.ledger.upsert({ ...entry, status: 'indexed', chunkCount: chunks.length, error: undefined, ingestedAt: now, updatedAt: now });
      // assertSameModel() passed: the index is empty or already this model's.
      setMeta(this.db, INDEX_MODEL, this.model);
      // The previous version's vectors are now orphans-to-be: note them, then delete below.
      this.noteUnconfirmed(stale, own);
    })();
    await this.settle(process.pid, [...newIds, ...stale]);
  }

  /** The same bytes as the indexed version came in again: a later, broken version's error no longer applies. */
  clearProblem(scope: string, docId: string): void {
    const entry = this.ledger.get(scope, docId);
    if (entry?.error) this.ledger.upsert({ ...entry, error: undefined, updatedAt: new Date().toISOString() });
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
    const ids = this.chunkStore.idsOfDocument(scope, docId);
    const collections = await (await this.vectors()).collectionNames();
    this.db.transaction(() => {
      this.noteUnconfirmed(ids, collections);
      this.chunkStore.delete(ids);
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
    const vectors = await this.vectors();
    this.dimension = await this.embeddings.getDimension();
    await vectors.recreate(this.dimension);
    const total = this.chunkStore.count();
    let done = 0;
    for (const page of this.chunkStore.all(this.upsertBatchSize * 4)) {
      const batches: StoredChunk[][] = [];
      for (let i = 0; i < page.length; i += this.upsertBatchSize) batches.push(page.slice(i, i + this.upsertBatchSize));
      await Promise.all(
        batches.map(async (batch) => {
          await vectors.upsert(batch, await this.embeddings.embedDocuments(batch.map(embeddingInput)));
          done += batch.length;
          onProgress?.(done, total);
        }),
      );
    }
    setMeta(this.db, INDEX_MODEL, this.model);
    return { chunks: total, model: this.model, previousModel };
  }
}

function toDocument(chunk: StoredChunk, scores: Record<string, number>): Document {
  return new Document({ id: chunk.id, pageContent: chunk.text, metadata: { ...chunk.metadata, ...scores } });
}
