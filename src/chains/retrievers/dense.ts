import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import type { Document } from '@langchain/core/documents';
import { ScopedRetriever } from './scopes.js';

/**
 * Dense search in Chroma within the question's scopes (the question embedded with the model's query
 * prefix). Each Document carries `denseScore` (cosine similarity).
 */
export class ScopedDenseRetriever extends ScopedRetriever {
  override async _getRelevantDocuments(query: string, _run?: CallbackManagerForRetrieverRun): Promise<Document[]> {
    return this.index.denseSearch(query, this.scopes, this.k);
  }
}
