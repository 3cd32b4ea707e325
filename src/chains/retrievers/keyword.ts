import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { Document } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import type { KeywordIndex } from '../../store/keyword-index.js';
import { requireScopes } from './scopes.js';

/** BM25 over the keyword index, within the question's scopes. Each Document carries `keywordScore`. */
export class ScopedKeywordRetriever extends BaseRetriever {
  lc_namespace = ['citebot', 'retrievers'];
  private readonly scopes: string[];

  constructor(
    private readonly keywords: KeywordIndex,
    scopes: readonly string[],
    private readonly k: number,
  ) {
    super();
    this.scopes = requireScopes(scopes);
  }

  override async _getRelevantDocuments(query: string, _run?: CallbackManagerForRetrieverRun): Promise<Document[]> {
    const hits = this.keywords.search(query, this.scopes, this.k);
    const chunks = new Map(this.keywords.get(hits.map((h) => h.id)).map((c) => [c.id, c]));
    return hits.flatMap((hit) => {
      const chunk = chunks.get(hit.id);
      return chunk ? [new Document({ id: chunk.id, pageContent: chunk.text, metadata: { ...chunk.metadata, keywordScore: hit.score } })] : [];
    });
  }
}
