import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { Document } from '@langchain/core/documents';
import type { DocumentIndex } from '../../store/document-index.js';
import { log } from '../../log.js';
import { ScopedRetriever } from './scopes.js';

/** Below this many chunks the filtered search is always fast enough. */
const UNFILTERED_FROM_CHUNKS = 20_000;
/** The scope's share of the index from which the unfiltered search pays off. */
const UNFILTERED_MIN_SHARE = 0.2;
/** Candidates asked for unfiltered, as multiples of k ÷ share, before falling back to the filter. */
const UNFILTERED_WIDENING = [2, 6];

/**
 * Dense search in Chroma through LangChain's vector store, filtered by scope in the query itself.
 * The question is embedded with the model's query prefix. Hits are checked against the committed
 * chunks in SQLite, so a vector whose write is still in flight (or was orphaned) never surfaces.
 * Each Document carries `denseScore` (cosine similarity).
 */
export class ScopedDenseRetriever extends ScopedRetriever {
  constructor(
    index: DocumentIndex,
    scopes: readonly string[],
    k: number,
    /** Index size from which the unfiltered strategy may be used (tests lower it). */
    private readonly unfilteredFromChunks = UNFILTERED_FROM_CHUNKS,
  ) {
    super(index, scopes, k);
  }

  override async _getRelevantDocuments(query: string, _run?: CallbackManagerForRetrieverRun): Promise<Document[]> {
    await this.index.openForQuery();
    if (!this.index.vectors.isOpen) return [];
    const vector = await this.index.embeddings.embedQuery(query);
    const results = await this.nearest(vector);
    const committed = new Map(this.index.keywords.get(results.map(([doc]) => doc.id!)).map((c) => [c.id, c]));
    return results.flatMap(([doc, distance]) => {
      const chunk = committed.get(doc.id!);
      // Belt and braces: the filter already restricts the scope; a stray result is dropped, not shown.
      if (!chunk || !this.scopes.includes(chunk.metadata.scope)) return [];
      return [new Document({ id: chunk.id, pageContent: chunk.text, metadata: { ...chunk.metadata, denseScore: 1 - distance } })];
    });
  }

  /**
   * Chroma's filtered search costs time in proportion to the chunks that pass the filter, which is
   * slow when the scope is a large share of a large index. Then an unfiltered search for enough
   * candidates, cut to the scope, is equivalent and much faster; it falls back to the filtered
   * search whenever it did not find enough. Small scopes always use the filter (fast for them).
   * Either way only the scope's chunks come back: the cut below and the check above enforce it.
   */
  private async nearest(vector: number[]): Promise<[Document, number][]> {
    const filter = this.scopes.length === 1 ? { scope: this.scopes[0]! } : { scope: { $in: this.scopes } };
    const inScope = this.index.keywords.countInScopes(this.scopes);
    const total = this.index.keywords.countCached();
    if (inScope === 0) return [];
    const share = inScope / Math.max(1, total);
    if (total >= this.unfilteredFromChunks && share >= UNFILTERED_MIN_SHARE) {
      // Neighbours cluster by scope, so a first ask can come up short: ask once more, wider, which
      // still costs far less than the filtered search.
      for (const factor of UNFILTERED_WIDENING) {
        const n = Math.min(total, Math.ceil((this.k / share) * factor));
        const wide = (await this.index.vectors.search(vector, n)).filter(([doc]) => this.scopes.includes(String(doc.metadata.scope)));
        if (wide.length >= Math.min(this.k, inScope)) return wide.slice(0, this.k);
        log.debug('dense search: unfiltered search came up short', { found: wide.length, asked: n });
      }
      log.debug('dense search: too few in-scope candidates unfiltered, filtering in Chroma');
    }
    return this.index.vectors.search(vector, this.k, filter);
  }
}
