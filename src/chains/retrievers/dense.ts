import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { Document } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import type { DocumentIndex } from '../../store/document-index.js';
import { requireScopes } from './scopes.js';

/**
 * Dense search in Chroma through LangChain's vector store, filtered by scope in the query itself.
 * The question is embedded with the model's query prefix. Hits are checked against the committed
 * chunks in SQLite, so a vector whose write is still in flight (or was orphaned) never surfaces.
 * Each Document carries `denseScore` (cosine similarity).
 */
export class ScopedDenseRetriever extends BaseRetriever {
  lc_namespace = ['citebot', 'retrievers'];
  private readonly scopes: string[];

  constructor(
    private readonly index: DocumentIndex,
    scopes: readonly string[],
    private readonly k: number,
  ) {
    super();
    this.scopes = requireScopes(scopes);
  }

  override async _getRelevantDocuments(query: string, _run?: CallbackManagerForRetrieverRun): Promise<Document[]> {
    await this.index.openForQuery();
    if (!this.index.vectors.isOpen) return [];
    const vector = await this.index.embeddings.embedQuery(query);
    const filter = this.scopes.length === 1 ? { scope: this.scopes[0]! } : { scope: { $in: this.scopes } };
    const results = await this.index.vectors.search(vector, this.k, filter);
    const committed = new Map(this.index.keywords.get(results.map(([doc]) => doc.id!)).map((c) => [c.id, c]));
    return results.flatMap(([doc, distance]) => {
      const chunk = committed.get(doc.id!);
      // Belt and braces: the filter already restricts the scope; a stray result is dropped, not shown.
      if (!chunk || !this.scopes.includes(chunk.metadata.scope)) return [];
      return [new Document({ id: chunk.id, pageContent: chunk.text, metadata: { ...chunk.metadata, denseScore: 1 - distance } })];
    });
  }
}
