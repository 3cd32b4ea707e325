import type { ChunkStore } from '../chunk-store.js';
import type { KeywordSearcher } from '../keyword-searcher.js';
import type { KeywordHit, KeywordIndex } from '../ports.js';

/** FTS5 BM25: searches in the worker thread (they can be long), coverage of a few chunks on this thread (it is short). */
export class SqliteKeywordIndex implements KeywordIndex {
  constructor(
    private readonly searcher: KeywordSearcher,
    private readonly chunkStore: ChunkStore,
  ) {}

  search(query: string, scopes: string[], k: number): Promise<KeywordHit[]> {
    return this.searcher.search(query, scopes, k);
  }

  async coverage(query: string, chunkIds: string[]): Promise<Map<string, number>> {
    const chunks = this.chunkStore.get(chunkIds);
    const coverage = this.chunkStore.coverage(query, chunks);
    return new Map(chunks.map((c, i) => [c.id, coverage[i]!]));
  }
}
