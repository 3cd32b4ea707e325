/**
 * The retrieval configurations an evaluation compares, built from the same retrievers and rerank
 * steps as `ask` (see AnswerChain), without the sentence trimmer, the context budget and the LLM.
 */
import { ContextualCompressionRetriever } from '@langchain/classic/retrievers/contextual_compression';
import { DocumentCompressorPipeline } from '@langchain/classic/retrievers/document_compressors';
import type { BaseRetriever } from '@langchain/core/retrievers';
import { rerankCompressors, type Reranker } from '../chains/rerankers/index.js';
import { ScopedDenseRetriever } from '../chains/retrievers/dense.js';
import { HybridRetriever } from '../chains/retrievers/hybrid.js';
import { ScopedKeywordRetriever } from '../chains/retrievers/keyword.js';
import type { Settings } from '../config.js';
import type { DocumentIndex } from '../store/document-index.js';

export type RetrievalKind = 'dense' | 'keyword' | 'hybrid';

export interface EvalConfiguration {
  /** e.g. "nomic-embed-text/hybrid+cross-encoder". */
  name: string;
  embedModel: string;
  retrieval: RetrievalKind;
  /** The reranker's name, or "none". */
  reranker: string;
  retriever: BaseRetriever;
}

/** A reranker under test, by its RERANKER name. */
export interface NamedReranker {
  name: string;
  reranker: Reranker;
}

/**
 * What `ask` retrieves, best first, before the sentence trimmer and the LLM: hybrid retrieval, then the
 * rerank step (the reranker's order, or fusion order without one), keeping `depth` chunks and no
 * relevance threshold (a ranking is scored, not an answer).
 */
export function askRetriever(
  settings: Settings,
  index: DocumentIndex,
  scope: string,
  depth: number,
  reranker: Reranker | undefined,
): BaseRetriever {
  const scopes = [scope];
  return new ContextualCompressionRetriever({
    baseRetriever: new HybridRetriever({
      dense: new ScopedDenseRetriever(index, scopes, Math.max(settings.RETRIEVE_DENSE_K, depth)),
      keyword: new ScopedKeywordRetriever(index, scopes, Math.max(settings.RETRIEVE_KEYWORD_K, depth)),
      fusion: settings.FUSION,
      denseWeight: settings.FUSION_DENSE_WEIGHT,
      keywordWeight: settings.FUSION_KEYWORD_WEIGHT,
      limit: Math.max(settings.RERANK_CANDIDATES, depth),
    }),
    baseCompressor: new DocumentCompressorPipeline({
      transformers: rerankCompressors({ ...settings, RERANK_TOP_N: depth, RERANK_MIN_SCORE: 0 }, reranker),
    }),
  });
}

/**
 * Dense only, keyword only, hybrid, and hybrid + reranker (when one is given), each returning at
 * least `depth` chunks, best first.
 */
export function evalConfigurations(
  settings: Settings,
  index: DocumentIndex,
  scope: string,
  embedModel: string,
  depth: number,
  reranker?: NamedReranker,
): EvalConfiguration[] {
  const scopes = [scope];
  const hybrid = (rerank: Reranker | undefined) => askRetriever(settings, index, scope, depth, rerank);
  const config = (retrieval: RetrievalKind, rerankerName: string, retriever: BaseRetriever): EvalConfiguration => ({
    name: `${embedModel}/${retrieval}${rerankerName === 'none' ? '' : `+${rerankerName}`}`,
    embedModel,
    retrieval,
    reranker: rerankerName,
    retriever,
  });
  return [
    config('dense', 'none', new ScopedDenseRetriever(index, scopes, depth)),
    config('keyword', 'none', new ScopedKeywordRetriever(index, scopes, depth)),
    config('hybrid', 'none', hybrid(undefined)),
    ...(reranker ? [config('hybrid', reranker.name, hybrid(reranker.reranker))] : []),
  ];
}
