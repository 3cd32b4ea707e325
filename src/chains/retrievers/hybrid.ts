import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import type { Document } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { CitebotError, oneLine } from '../../errors.js';
import { log } from '../../log.js';
import type { Degradation } from '../degradation.js';

/**
 * How the two lists become one. `score`: a convex combination of each side's scores divided by that
 * side's best score for the question (a chunk missing from one side scores 0 there), so a confident
 * keyword match (names, codes, the question's own words) is not outvoted by a merely similar vector,
 * and vice versa. `rrf`: weighted reciprocal rank fusion, which looks at ranks only.
 */
export type FusionMethod = 'score' | 'rrf';

export interface HybridRetrieverOptions {
  dense: BaseRetriever;
  keyword: BaseRetriever;
  denseWeight?: number;
  keywordWeight?: number;
  fusion?: FusionMethod;
  /** The RRF constant: larger flattens the difference between ranks. */
  c?: number;
  /** At most this many fused results (the reranker's candidates). */
  limit?: number;
}

/** One fused search: the candidates, best first, and what happened on the way. */
export interface HybridSearch {
  documents: Document[];
  retrieveMs: number;
  denseHits: number;
  keywordHits: number;
  degraded: Degradation[];
}

/**
 * Dense + keyword retrieval, fused by normalized scores or by reciprocal rank (see FusionMethod).
 * LangChain's EnsembleRetriever fuses by rank only, dedupes
 * by text and drops the per-side scores; this one dedupes by chunk id and keeps `denseRank`,
 * `keywordRank`, both scores and `fusedScore` on every Document.
 *
 * When the embedding model is down the search goes on with keywords alone and says so; a dead
 * Chroma is an error (the index is not usable), not a silent downgrade.
 */
export class HybridRetriever extends BaseRetriever {
  lc_namespace = ['citebot', 'retrievers'];
  private readonly options: Required<HybridRetrieverOptions>;

  constructor(options: HybridRetrieverOptions) {
    super();
    this.options = { denseWeight: 0.5, keywordWeight: 0.5, fusion: 'rrf', c: 60, limit: Infinity, ...options };
  }

  override async _getRelevantDocuments(query: string, run?: CallbackManagerForRetrieverRun): Promise<Document[]> {
    return (await this.search(query, run)).documents;
  }

  /** The fused candidates with their report (what `invoke` returns, plus how it went). */
  async search(query: string, run?: CallbackManagerForRetrieverRun): Promise<HybridSearch> {
    const started = performance.now();
    const degraded: Degradation[] = [];
    const [dense, keyword] = await Promise.all([
      this.options.dense.invoke(query, { callbacks: run?.getChild('dense') }).catch((error: unknown) => {
        if (error instanceof CitebotError && ['ollama_unavailable', 'model_missing', 'ollama_failed'].includes(error.code)) {
          log.warn(`dense retrieval unavailable, using keywords only: ${oneLine(error)}`);
          degraded.push({ type: 'keyword-only', message: `embedding model unavailable: keyword search only (${error.message})` });
          return [] as Document[];
        }
        throw error;
      }),
      this.options.keyword.invoke(query, { callbacks: run?.getChild('keyword') }),
    ]);

    const fused = new Map<string, { doc: Document; score: number }>();
    const add = (docs: Document[], weight: number, rankKey: 'denseRank' | 'keywordRank', scoreKey: 'denseScore' | 'keywordScore') => {
      const best = Math.max(0, ...docs.map((doc) => Number(doc.metadata[scoreKey] ?? 0)));
      docs.forEach((doc, i) => {
        const id = doc.id ?? doc.pageContent;
        const entry = fused.get(id) ?? { doc: doc, score: 0 };
        entry.doc.metadata = { ...entry.doc.metadata, ...doc.metadata, [rankKey]: i + 1 };
        entry.score +=
          this.options.fusion === 'score'
            ? weight * (best > 0 ? Number(doc.metadata[scoreKey] ?? 0) / best : 0)
            : weight / (this.options.c + i + 1);
        fused.set(id, entry);
      });
    };
    add(dense, this.options.denseWeight, 'denseRank', 'denseScore');
    add(keyword, this.options.keywordWeight, 'keywordRank', 'keywordScore');
    const ranked = [...fused.values()].sort((a, b) => b.score - a.score);
    for (const entry of ranked) entry.doc.metadata.fusedScore = entry.score;
    return {
      documents: ranked.slice(0, this.options.limit).map((entry) => entry.doc),
      retrieveMs: performance.now() - started,
      denseHits: dense.length,
      keywordHits: keyword.length,
      degraded,
    };
  }
}
