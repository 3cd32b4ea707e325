import { Document } from '@langchain/core/documents';
import { CitebotError } from '../errors.js';
import { log } from '../log.js';
import { describeIndexedModel, indexedModelName } from '../models/embedding-profiles.js';
import type { EmbeddingProvider } from '../models/provider.js';
import { embeddingInput, type StoredChunk } from './chunk.js';
import type { DocumentEntry } from './ledger.js';
import type { DocumentRecords, KeywordIndex } from './ports.js';
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
  /** The table of record for documents and chunks (see DocumentRecords). */
  records: DocumentRecords;
  keywords: KeywordIndex;
  /** The owner id this process writes under (its lease, see ProcessLease). */
  owner: () => Promise<string>;
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
 * The document records (ledger + chunks + keywords, see DocumentRecords) are the record of what is
 * indexed; Chroma follows them. Every vector id is noted as unconfirmed, under the writer's lease,
 * before it is written to Chroma, and settled when the commit that holds (or supersedes) it
 * succeeds. When a writer's lease expires (a crash), whatever it left unconfirmed and uncommitted is
 * deleted from Chroma, so an interrupted ingest leaves no orphans and a re-run completes it.
 */
export class DocumentIndex {
  private readonly records: DocumentRecords;
  private readonly keywords: KeywordIndex;
  private readonly embeddings: EmbeddingProvider;
  private vectorIndex?: VectorIndex;
  private dimension?: number;
  private upsertBatchSize: number;
  private readonly unfilteredFromChunks: number;

  constructor(private readonly options: DocumentIndexOptions) {
    this.records = options.records;
    this.keywords = options.keywords;
    this.embeddings = options.embeddings;
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
  async builtWith(): Promise<string | undefined> {
    return (await this.records.chunkCount()) > 0 ? this.records.meta(INDEX_MODEL) : undefined;
  }

  /** Throw the model-mismatch error if the stored chunks were embedded by another model. */
  async assertSameModel(): Promise<void> {
    const built = await this.builtWith();
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
    await this.assertSameModel();
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
    await this.assertSameModel();
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
    const committed = new Map((await this.records.chunks(results.map(([doc]) => doc.id!))).map((c) => [c.id, c]));
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
    const inScope = await this.records.chunkCount(scopes);
    const total = await this.records.chunkCount();
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
    const hits = await this.keywords.search(query, scopes, k);
    const chunks = new Map((await this.records.chunks(hits.map((h) => h.id))).map((c) => [c.id, c]));
    return hits.flatMap((hit) => {
      const chunk = chunks.get(hit.id);
      return chunk ? [toDocument(chunk, { keywordScore: hit.score, keywordCoverage: hit.coverage })] : [];
    });
  }

  /**
   * Set `keywordCoverage` on the documents that have none (found by dense search alone), so the evidence
   * gate judges every candidate by what it contains, not by which side listed it.
   */
  async addKeywordCoverage(query: string, documents: Document[]): Promise<void> {
    const missing = documents.filter((d) => typeof d.metadata.keywordCoverage !== 'number');
    if (missing.length === 0) return;
    const coverage = await this.keywords.coverage(
      query,
      missing.map((d) => d.id!),
    );
    for (const d of missing) if (coverage.has(d.id!)) d.metadata.keywordCoverage = coverage.get(d.id!);
  }

  // ---- Chunks and documents -----------------------------------------------------------------

  /** Stored chunks by id (unknown ids are left out). */
  chunks(ids: string[]): Promise<StoredChunk[]> {
    return this.records.chunks(ids);
  }

  /** A document's chunk ids, in order. */
  chunkIdsOf(scope: string, docId: string): Promise<string[]> {
    return this.records.chunkIdsOf(scope, docId);
  }

  /** A document's chunks, in order. */
  async chunksOf(scope: string, docId: string): Promise<StoredChunk[]> {
    return this.records.chunks(await this.records.chunkIdsOf(scope, docId));
  }

  /** Chunks stored, in these scopes or in all. */
  chunkCount(scopes?: string[]): Promise<number> {
    return this.records.chunkCount(scopes);
  }

  /** Every stored chunk of a scope, in pages (for building question sets from a scope's own text). */
  chunkPages(scope: string, pageSize = 500): AsyncGenerator<StoredChunk[]> {
    return this.records.chunkPages(pageSize, scope);
  }

  document(scope: string, docId: string): Promise<DocumentEntry | undefined> {
    return this.records.document(scope, docId);
  }

  /** Documents in these scopes (or every scope), by scope then name. */
  documents(scopes?: string[]): Promise<DocumentEntry[]> {
    return this.records.documents(scopes);
  }

  /** Documents whose id or file name is `target`, optionally within one scope. */
  findDocuments(target: string, scope?: string): Promise<DocumentEntry[]> {
    return this.records.findDocuments(target, scope);
  }

  /** Counts for doctor and the CLI; no Chroma needed. */
  async stats(): Promise<IndexStats> {
    return {
      chunks: await this.records.chunkCount(),
      documents: (await this.records.documents()).length,
      builtWith: await this.builtWith(),
      model: this.model,
    };
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

  /**
   * Settle what dead processes left behind (writers whose lease expired): interrupted documents go
   * back to their last committed version and their unconfirmed vectors are deleted from Chroma. A
   * live writer's work, in this process or another, is never touched.
   */
  async recover(): Promise<void> {
    const self = await this.options.owner();
    let recovered = 0;
    for (const owner of await this.records.deadWriters(self)) {
      await this.settle(owner);
      recovered += await this.records.recoverDocuments(owner);
    }
    if (recovered) log.info(`recovered ${recovered} interrupted document(s); ingest them again to finish`);
  }

  /**
   * Settle unconfirmed vectors of one writer: delete from Chroma those without a committed chunk,
   * then forget the notes. With `ids`, only those (a process settles just the write it finished,
   * never another write of its own still in flight); without, everything the writer left.
   */
  private async settle(owner: string, ids?: string[]): Promise<void> {
    const rows = await this.records.orphanVectors(owner, ids);
    const byCollection = new Map<string, string[]>();
    for (const row of rows) byCollection.set(row.collection, [...(byCollection.get(row.collection) ?? []), row.id]);
    const vectors = byCollection.size ? await this.vectors() : undefined;
    const existing = vectors ? await vectors.collectionNames() : [];
    for (const [collection, orphans] of byCollection) {
      if (!existing.includes(collection)) continue;
      for (let i = 0; i < orphans.length; i += 1000) await vectors!.deleteEverywhere(orphans.slice(i, i + 1000), [collection]);
    }
    await this.records.settleNotes(owner, ids);
  }

  /**
   * Replace a document's chunks with new ones: embed, write vectors, then commit chunks, keywords
   * and the ledger at once, then remove the previous version's vectors.
   */
  async write(
    entry: Omit<DocumentEntry, 'status' | 'chunkCount' | 'updatedAt' | 'pendingHash'>,
    chunks: StoredChunk[],
    onEmbedded?: (done: number, total: number) => void,
  ): Promise<void> {
    await this.assertSameModel();
    const owner = await this.options.owner();
    const vectors = await this.vectors();
    const collection = vectors.collectionName;
    const notes = (ids: string[]) => ids.map((id) => ({ id, collection }));
    const now = new Date().toISOString();
    const previous = await this.records.document(entry.scope, entry.docId);
    await this.records.beginWrite(
      {
        // Only an indexed previous version has chunks worth falling back to after a crash.
        ...(previous?.status === 'indexed' ? previous : { ...entry, contentHash: undefined, chunkCount: 0 }),
        status: 'indexing',
        pendingHash: entry.contentHash,
        updatedAt: now,
      } as DocumentEntry,
      owner,
      notes(chunks.map((c) => c.id)),
    );

    // A chunk id names its content (see chunkId): one already committed has its vector; embed only the rest.
    const committed = new Set(await this.records.chunkIdsOf(entry.scope, entry.docId));
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
      await this.records.abortWrite(entry.scope, entry.docId, previous);
      await this.settle(
        owner,
        chunks.map((c) => c.id),
      ).catch(() => {});
      throw error;
    }

    const newIds = new Set(chunks.map((c) => c.id));
    const oldIds = await this.records.chunkIdsOf(entry.scope, entry.docId);
    const stale = oldIds.filter((id) => !newIds.has(id));
    await this.records.commitWrite(
      {
        entry: {
          ...entry,
          status: 'indexed',
          chunkCount: chunks.length,
          error: undefined,
          ingestedAt: now,
          updatedAt: now,
          writer: undefined,
        },
        chunks,
        replaces: oldIds,
        // assertSameModel() passed: the index is empty or already this model's.
        meta: { [INDEX_MODEL]: this.model },
      },
      owner,
      // The previous version's vectors are now orphans-to-be: note them, then delete below.
      notes(stale),
    );
    await this.settle(owner, [...newIds, ...stale]);
  }

  /** The same bytes as the indexed version came in again: a later, broken version's error no longer applies. */
  async clearProblem(scope: string, docId: string): Promise<void> {
    const entry = await this.records.document(scope, docId);
    if (entry?.error) await this.records.putDocument({ ...entry, error: undefined, updatedAt: new Date().toISOString() });
  }

  /** Record a failed or skipped attempt. An older indexed version, if any, stays indexed and searchable. */
  async recordProblem(
    entry: Omit<DocumentEntry, 'status' | 'chunkCount' | 'updatedAt'>,
    status: 'failed' | 'skipped',
    reason: string,
  ): Promise<void> {
    const previous = await this.records.document(entry.scope, entry.docId);
    const now = new Date().toISOString();
    if (previous && previous.status === 'indexed') {
      await this.records.putDocument({ ...previous, error: reason, updatedAt: now });
    } else {
      // contentHash here is the hash of the bytes that failed, so the same bytes are not read again.
      await this.records.putDocument({ ...entry, status, chunkCount: 0, error: reason, updatedAt: now });
    }
  }

  /** Remove a document's chunks from Chroma (every model's collection), the keyword index and the ledger. */
  async forget(scope: string, docId: string): Promise<number> {
    const owner = await this.options.owner();
    const collections = await (await this.vectors()).collectionNames();
    const ids = await this.records.forgetDocument(scope, docId, owner, collections);
    await this.settle(owner, ids);
    return ids.length;
  }

  /**
   * Re-embed every stored chunk with the current model into its collection, from the stored texts:
   * the original files are not needed. The collection is rebuilt from scratch.
   */
  async reindex(onProgress?: (done: number, total: number) => void): Promise<{ chunks: number; model: string; previousModel?: string }> {
    const previousModel = await this.builtWith();
    const vectors = await this.vectors();
    this.dimension = await this.embeddings.getDimension();
    await vectors.recreate(this.dimension);
    const total = await this.records.chunkCount();
    let done = 0;
    for await (const page of this.records.chunkPages(this.upsertBatchSize * 4)) {
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
    await this.records.setMeta(INDEX_MODEL, this.model);
    return { chunks: total, model: this.model, previousModel };
  }
}

function toDocument(chunk: StoredChunk, scores: Record<string, number>): Document {
  return new Document({ id: chunk.id, pageContent: chunk.text, metadata: { ...chunk.metadata, ...scores } });
}
