import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { Document } from '@langchain/core/documents';
import { ScopedRetriever } from './scopes.js';

/** BM25 over the keyword index, within the question's scopes. Each Document carries `keywordScore`. */
export class ScopedKeywordRetriever extends ScopedRetriever {
  override async _getRelevantDocuments(query: string, _run?: CallbackManagerForRetrieverRun): Promise<Document[]> {
    const hits = await this.index.keywordSearch.search(query, this.scopes, this.k);
    const chunks = new Map(this.index.keywords.get(hits.map((h) => h.id)).map((c) => [c.id, c]));
    return hits.flatMap((hit) => {
      const chunk = chunks.get(hit.id);
      return chunk
        ? [new Document({ id: chunk.id, pageContent: chunk.text, metadata: { ...chunk.metadata, keywordScore: hit.score } })]
        : [];
    });
  }
}
