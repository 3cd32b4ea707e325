/**
 * The rerank step of retrieval as LangChain document compressors: score the fused candidates with a
 * Reranker and keep the best few, or, with RERANKER=none, keep the first few in fusion order.
 */
import { BaseDocumentCompressor } from '@langchain/classic/retrievers/document_compressors';
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { oneLine } from '../../errors.js';
import type { Reranker } from './reranker.js';

export interface RerankCompressorOptions {
  reranker: Reranker;
  /** Documents kept (RERANK_TOP_N). */
  topN: number;
  /** Told why, each time the reranker fails and fusion order is used instead. */
  onFallback?: (reason: string) => void;
}

/**
 * Keeps the `topN` documents the reranker scores highest, best first, each with `metadata.rerankScore`
 * (0..1). When the reranker cannot load or answer, a question still gets an answer: the first `topN`
 * in their incoming (fusion) order, and `onFallback` hears why (the retrieval pipeline reports it as
 * degraded). Inputs are never modified: kept documents are copies.
 */
export class RerankCompressor extends BaseDocumentCompressor {
  private readonly reranker: Reranker;
  private readonly topN: number;
  private readonly onFallback?: (reason: string) => void;

  constructor(options: RerankCompressorOptions) {
    super();
    this.reranker = options.reranker;
    this.topN = options.topN;
    this.onFallback = options.onFallback;
  }

  async compressDocuments(documents: DocumentInterface[], query: string): Promise<DocumentInterface[]> {
    if (documents.length === 0) return [];
    let scores: number[];
    try {
      scores = await this.reranker.score(
        query,
        documents.map((doc) => doc.pageContent),
      );
      if (scores.length !== documents.length) {
        throw new Error(`the reranker ${this.reranker.name} returned ${scores.length} scores for ${documents.length} passages`);
      }
    } catch (err) {
      return this.fusionOrderFallback(documents, oneLine(err));
    }
    return (
      documents
        .map((doc, position) => ({ doc, position, score: scores[position]! }))
        // Ties keep fusion order, so equal scores do not shuffle between runs.
        .sort((a, b) => b.score - a.score || a.position - b.position)
        .slice(0, this.topN)
        .map(({ doc, score }) => withMetadata(doc, { rerankScore: score }))
    );
  }

  private fusionOrderFallback(documents: DocumentInterface[], reason: string): DocumentInterface[] {
    this.onFallback?.(reason);
    return documents.slice(0, this.topN).map((doc) => withMetadata(doc, {}));
  }
}

/** RERANKER=none: the first `topN` documents in their incoming (fusion) order. */
export class FusionOrderCompressor extends BaseDocumentCompressor {
  private readonly topN: number;

  constructor(options: { topN: number }) {
    super();
    this.topN = options.topN;
  }

  async compressDocuments(documents: DocumentInterface[]): Promise<DocumentInterface[]> {
    return documents.slice(0, this.topN);
  }
}

function withMetadata(doc: DocumentInterface, extra: Record<string, unknown>): DocumentInterface {
  return new Document({ pageContent: doc.pageContent, metadata: { ...doc.metadata, ...extra }, id: doc.id });
}
