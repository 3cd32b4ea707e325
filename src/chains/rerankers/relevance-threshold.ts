/**
 * Drops passages that are not relevant enough, so a question with no good source gets "not covered"
 * (and no chat-model call) instead of an answer built on the least bad passages.
 *
 * Two kinds of evidence, because "No evidence, no LLM" must hold with and without a reranker:
 *  - a reranked passage carries `rerankScore` (0..1): kept when it reaches `minScore` (RERANK_MIN_SCORE);
 *  - passages in fusion order (RERANKER=none, or a reranker that failed) carry `keywordCoverage`, the
 *    IDF-weighted share of the question's terms the passage contains (0..1, see KeywordHit). Fused scores
 *    themselves are relative (each side divided by its best), so they cannot say "nothing matches"; coverage
 *    can. The question is refused when no kept passage reaches `minCoverage` (EVIDENCE_MIN_COVERAGE);
 *    otherwise all of them stay in fusion order (a passage found by the dense side alone has no coverage,
 *    but may still be the best one). For a Chinese question, a passage holding most of its content
 *    character bigrams is evidence too, so that one word misread by OCR does not refuse the page that
 *    answers it (see cjk-bigram-evidence.ts).
 */
import { BaseDocumentCompressor } from '@langchain/classic/retrievers/document_compressors';
import type { DocumentInterface } from '@langchain/core/documents';
import { bigramShare, contentBigrams, MIN_BIGRAM_SHARE } from './cjk-bigram-evidence.js';

export interface RelevanceThresholdOptions {
  /** 0..1 against `metadata.rerankScore`; 0 keeps every reranked passage. */
  minScore: number;
  /** 0..1 against the best `metadata.keywordCoverage` of the passages in fusion order; 0 keeps them all. */
  minCoverage?: number;
}

/** The IDF-weighted share of the question's terms a passage contains (0 when the keyword side did not find it). */
export function keywordCoverage(doc: DocumentInterface): number {
  const coverage: unknown = doc.metadata.keywordCoverage;
  return typeof coverage === 'number' ? coverage : 0;
}

export class RelevanceThreshold extends BaseDocumentCompressor {
  private readonly minScore: number;
  private readonly minCoverage: number;

  constructor(options: RelevanceThresholdOptions) {
    super();
    this.minScore = options.minScore;
    this.minCoverage = options.minCoverage ?? 0;
  }

  async compressDocuments(documents: DocumentInterface[], query = ''): Promise<DocumentInterface[]> {
    const reranked = (doc: DocumentInterface) => typeof doc.metadata.rerankScore === 'number';
    const fusionOrder = documents.filter((doc) => !reranked(doc));
    const fusionKept = this.minCoverage <= 0 || hasFusionEvidence(fusionOrder, query, this.minCoverage);
    return documents.filter((doc) => (reranked(doc) ? Number(doc.metadata.rerankScore) >= this.minScore : fusionKept));
  }
}

/** Whether a passage in fusion order reaches `minCoverage`, or holds most of a Chinese question's content bigrams. */
export function hasFusionEvidence(documents: DocumentInterface[], question: string, minCoverage: number): boolean {
  if (documents.some((doc) => keywordCoverage(doc) >= minCoverage)) return true;
  const bigrams = contentBigrams(question);
  return bigrams.length > 0 && documents.some((doc) => bigramShare(bigrams, doc.pageContent) >= MIN_BIGRAM_SHARE);
}
