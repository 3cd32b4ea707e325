import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import type { Document } from '@langchain/core/documents';
import { ScopedRetriever } from './scopes.js';

/** BM25 over the keyword index, within the question's scopes. Each Document carries `keywordScore`. */
export class ScopedKeywordRetriever extends ScopedRetriever {
  override async _getRelevantDocuments(query: string, _run?: CallbackManagerForRetrieverRun): Promise<Document[]> {
    return this.index.keywordSearch(query, this.scopes, this.k);
  }
}
