import type { Document } from '@langchain/core/documents';
import { Document as Doc } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';

/**
 * Side searches shared between retrieval pipelines that differ only after the search (fusion weights,
 * reranking, candidate counts): calibration scores dozens of such configurations on one question set, and
 * each would otherwise embed every question and search Chroma and BM25 again. Keyed by side, depth,
 * scopes and question. Only for evaluation: `ask` never shares one.
 */
export type SideSearchCache = Map<string, Promise<Document[]>>;

export class MemoRetriever extends BaseRetriever {
  lc_namespace = ['citebot', 'retrievers'];

  constructor(
    private readonly inner: BaseRetriever,
    private readonly key: string,
    private readonly cache: SideSearchCache,
  ) {
    super();
  }

  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    const key = `${this.key}\n${query}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.inner.invoke(query);
      this.cache.set(key, found);
      // A failed search is not remembered: the next configuration tries again.
      found.catch(() => this.cache.delete(key));
    }
    // Copies: fusion and reranking write ranks and scores into the metadata.
    return (await found).map((d) => new Doc({ id: d.id, pageContent: d.pageContent, metadata: { ...d.metadata } }));
  }
}
