import { citable } from '../chains/answer-chain.js';
import type { Degradation } from '../chains/degradation.js';
import { createRetrievalPipeline } from '../chains/retrieval-pipeline.js';
import type { Citation } from '../chains/types.js';
import type { CitebotCore } from '../core.js';
import { requireQuestion } from './ask.js';

export interface SearchRequest {
  query: string;
  /** The exact scopes to read (never empty): a token's, or a scope with what SHARED_SCOPES shares with it. */
  scopes: string[];
  /** Passages wanted; the default is RERANK_TOP_N, what `ask` keeps. */
  k?: number;
}

/** One passage with its citation data and the whole chunk text (an agent quotes from it). */
export interface Passage extends Citation {
  scope: string;
  text: string;
}

export interface SearchResult {
  /** Reranked (or in fusion order), over the relevance threshold; best first. Empty when nothing is relevant. */
  passages: Passage[];
  /** The candidates the threshold refused, when it refused all: where to look, not evidence. */
  closest: Passage[];
  degraded: Degradation[];
  timings: { retrieveMs: number; rerankMs: number; totalMs: number };
}

/**
 * Retrieval without an answer: the same pipeline `ask` runs (scoped dense + keyword search, fusion,
 * rerank, relevance threshold), returning the passages themselves. No chat model is called.
 */
export async function search(core: CitebotCore, request: SearchRequest): Promise<SearchResult> {
  const started = performance.now();
  const query = requireQuestion(request.query);
  const settings = request.k === undefined ? core.settings : { ...core.settings, RERANK_TOP_N: request.k };
  const pipeline = createRetrievalPipeline(core.index, settings, core.reranker);
  const { documents, report } = await pipeline.retrieve(query, { scopes: request.scopes });
  const passage = (doc: (typeof documents)[number], i: number): Passage => ({
    ...citable(doc, i + 1),
    scope: String(doc.metadata.scope ?? ''),
    text: doc.pageContent,
  });
  const passages = documents.map(passage);
  return {
    passages,
    closest: passages.length ? [] : report.candidates.slice(0, 3).map(passage),
    degraded: report.degraded,
    timings: {
      retrieveMs: Math.round(report.retrieveMs),
      rerankMs: Math.round(report.rerankMs),
      totalMs: Math.round(performance.now() - started),
    },
  };
}
