/**
 * Drops reranked documents that are not relevant enough (RERANK_MIN_SCORE), so a question with no
 * good source gets "nothing found" instead of an answer built on the least bad passages.
 */
import { BaseDocumentCompressor } from '@langchain/classic/retrievers/document_compressors';
import type { DocumentInterface } from '@langchain/core/documents';

export class RelevanceThreshold extends BaseDocumentCompressor {
  private readonly minScore: number;

  /** `minScore` 0..1 against `metadata.rerankScore`; 0 keeps everything. */
  constructor(options: { minScore: number }) {
    super();
    this.minScore = options.minScore;
  }

  async compressDocuments(documents: DocumentInterface[]): Promise<DocumentInterface[]> {
    if (this.minScore <= 0) return documents;
    // Documents without a rerank score (RERANKER=none, or the reranker failed) have nothing to compare: kept.
    return documents.filter((doc) => {
      const score: unknown = doc.metadata.rerankScore;
      return typeof score !== 'number' || score >= this.minScore;
    });
  }
}
