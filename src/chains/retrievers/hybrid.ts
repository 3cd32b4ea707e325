import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import type { Document } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { isModelError, oneLine } from '../../errors.js';
import { log } from '../../log.js';
import type { Degradation } from '../degradation.js';

/**
 * How the two lists become one. `score`: a convex combination of each side's scores divided by that
 * side's best score for the question (a chunk missing from one side scores 0 there), so a confident
 * keyword match (names, codes, the question's own words) is not outvoted by a merely similar vector,
 * and vice versa. `adaptive`: the same, but each side's scores are first measured from its own floor
 * (see sideScores): a side whose candidates all score alike (an embedding model that does not know the
 * language, a question whose words are everywhere) carries little weight for that question, so fusion
 * follows whichever side actually separates its candidates. `rrf`: weighted reciprocal rank fusion,
 * which looks at ranks only.
 */
export type FusionMethod = 'score' | 'adaptive' | 'rrf';

/**
 * One side's contribution per rank under `score` or `adaptive` fusion, before its weight.
 *
 * `score`: s / best. `adaptive`: (s − floor) / best, i.e. min-max normalisation over the side's list
 * times the side's relative spread (best − floor) / best. The floor is the list's lowest score; a side
 * that returned fewer than it was asked for (`depth`) listed every match, so everything else scores 0
 * there and the floor is 0. A side whose best is not positive contributes nothing.
 */
export function sideScores(scores: readonly number[], fusion: 'score' | 'adaptive', depth = Infinity): number[] {
  const best = Math.max(0, ...scores);
  if (best <= 0) return scores.map(() => 0);
  if (fusion === 'score') return scores.map((s) => s / best);
  const floor = scores.length < depth ? 0 : Math.min(...scores);
  // A negative floor (cosine similarities can be) would make the spread exceed 1: clamp to the best.
  const spread = Math.min(best, best - floor);
  return scores.map((s) => (best === floor ? 0 : (spread * (s - floor)) / (best - floor) / best));
}

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
  /** How many results each side was asked for (adaptive fusion: a shorter list is every match; see sideScores). */
  denseDepth?: number;
  keywordDepth?: number;
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
 * Dense + keyword retrieval, fused by normalized scores (fixed or adaptive) or by reciprocal rank (see FusionMethod).
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
    this.options = {
      denseWeight: 0.5,
      keywordWeight: 0.5,
      fusion: 'rrf',
      c: 60,
      limit: Infinity,
      denseDepth: Infinity,
      keywordDepth: Infinity,
      ...options,
    };
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
        if (isModelError(error)) {
          log.warn(`dense retrieval unavailable, using keywords only: ${oneLine(error)}`);
          degraded.push({ type: 'keyword-only', message: `embedding model unavailable: keyword search only (${error.message})` });
          return [] as Document[];
        }
        throw error;
      }),
      this.options.keyword.invoke(query, { callbacks: run?.getChild('keyword') }),
    ]);

    const fused = new Map<string, { doc: Document; score: number }>();
    const add = (
      docs: Document[],
      weight: number,
      depth: number,
      rankKey: 'denseRank' | 'keywordRank',
      scoreKey: 'denseScore' | 'keywordScore',
    ) => {
      const fusion = this.options.fusion;
      const scores =
        fusion === 'rrf'
          ? []
          : sideScores(
              docs.map((doc) => Number(doc.metadata[scoreKey] ?? 0)),
              fusion,
              depth,
            );
      docs.forEach((doc, i) => {
        const id = doc.id ?? doc.pageContent;
        const entry = fused.get(id) ?? { doc: doc, score: 0 };
        entry.doc.metadata = { ...entry.doc.metadata, ...doc.metadata, [rankKey]: i + 1 };
        entry.score += fusion === 'rrf' ? weight / (this.options.c + i + 1) : weight * scores[i]!;
        fused.set(id, entry);
      });
    };
    add(dense, this.options.denseWeight, this.options.denseDepth, 'denseRank', 'denseScore');
    add(keyword, this.options.keywordWeight, this.options.keywordDepth, 'keywordRank', 'keywordScore');
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
