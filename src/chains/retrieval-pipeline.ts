import { DocumentCompressorPipeline, type BaseDocumentCompressor } from '@langchain/classic/retrievers/document_compressors';
import type { Document } from '@langchain/core/documents';
import type { Settings } from '../config.js';
import type { DocumentIndex } from '../store/document-index.js';
import type { Degradation } from './degradation.js';
import { rerankCompressors } from './rerankers/index.js';
import type { Reranker } from './rerankers/reranker.js';
import { noteRerankerUnavailable } from './rerankers/unavailable-notice.js';
import { ScopedDenseRetriever } from './retrievers/dense.js';
import { HybridRetriever } from './retrievers/hybrid.js';
import { ScopedKeywordRetriever } from './retrievers/keyword.js';
import { MemoRetriever, type SideSearchCache } from './retrievers/memo.js';
import { requireScopes } from './retrievers/scopes.js';
import { SentenceTrimmer } from './sentence-trimmer.js';

/** Which side(s) of the index a search uses: eval compares them; `ask` always uses hybrid. */
export type RetrievalKind = 'dense' | 'keyword' | 'hybrid';

/** The settings retrieval reads, with what eval may vary per configuration. */
export type RetrievalSettings = Pick<
  Settings,
  | 'RETRIEVE_DENSE_K'
  | 'RETRIEVE_KEYWORD_K'
  | 'FUSION'
  | 'FUSION_DENSE_WEIGHT'
  | 'FUSION_KEYWORD_WEIGHT'
  | 'RERANK_CANDIDATES'
  | 'RERANK_TOP_N'
  | 'RERANK_MIN_SCORE'
  | 'RERANKER'
  | 'EVIDENCE_MIN_COVERAGE'
>;

export interface RetrievalPipelineOptions {
  /** Default hybrid. */
  kind?: RetrievalKind;
  /** Keep at least this many documents and apply no relevance threshold: a ranking to score, not an answer (eval). */
  rankingDepth?: number;
  /** Side searches shared with other pipelines over the same index (calibration only; see MemoRetriever). */
  sideCache?: SideSearchCache;
}

export interface RetrieveRequest {
  /** The scopes the question may read (never empty). */
  scopes: readonly string[];
  /** Trim each kept passage to its best sentences within this many tokens (the answer's context budget). */
  tokensPerSource?: number;
}

/** How one retrieval went. */
export interface RetrievalReport {
  /** The fused candidates, best first, before reranking: the closest files when nothing passes the threshold. */
  candidates: Document[];
  denseHits: number;
  keywordHits: number;
  retrieveMs: number;
  /** Reranking, the threshold and trimming. */
  rerankMs: number;
  degraded: Degradation[];
}

export interface RetrievalResult {
  /** What passed: reranked (or fusion order), over the threshold, trimmed; best first. */
  documents: Document[];
  report: RetrievalReport;
}

/** What the answer chain needs from retrieval: the documents for a question in its scopes, with the report. */
export interface Retrieval {
  retrieve(question: string, request: RetrieveRequest): Promise<RetrievalResult>;
}

/**
 * Retrieval as `ask`, eval and the benchmarks all run it: scoped dense + keyword search, fused
 * (HybridRetriever), then LangChain's DocumentCompressorPipeline: rerank to the top N (or keep fusion
 * order), drop what is under the relevance threshold, trim to the context budget.
 */
export class RetrievalPipeline implements Retrieval {
  private readonly kind: RetrievalKind;

  constructor(
    private readonly index: DocumentIndex,
    private readonly settings: RetrievalSettings,
    private readonly reranker: Reranker | undefined,
    private readonly options: RetrievalPipelineOptions = {},
  ) {
    this.kind = options.kind ?? 'hybrid';
  }

  async retrieve(question: string, request: RetrieveRequest): Promise<RetrievalResult> {
    const scopes = requireScopes(request.scopes);
    const depth = this.options.rankingDepth ?? 0;
    const s = this.settings;
    const denseK = Math.max(s.RETRIEVE_DENSE_K, depth);
    const keywordK = Math.max(s.RETRIEVE_KEYWORD_K, depth);
    const cache = this.options.sideCache;
    const where = scopes.join('\n');
    const dense = cache
      ? new MemoRetriever(new ScopedDenseRetriever(this.index, scopes, denseK), `dense ${denseK} ${where}`, cache)
      : new ScopedDenseRetriever(this.index, scopes, denseK);
    const keyword = cache
      ? new MemoRetriever(new ScopedKeywordRetriever(this.index, scopes, keywordK), `keyword ${keywordK} ${where}`, cache)
      : new ScopedKeywordRetriever(this.index, scopes, keywordK);
    const started = performance.now();
    const degraded: Degradation[] = [];

    if (this.kind !== 'hybrid') {
      // One side alone, in its own order: what eval compares hybrid against.
      const documents = await (this.kind === 'dense' ? dense : keyword).invoke(question);
      const hits = documents.length;
      return {
        documents: depth ? documents.slice(0, depth) : documents,
        report: {
          candidates: documents,
          denseHits: this.kind === 'dense' ? hits : 0,
          keywordHits: this.kind === 'keyword' ? hits : 0,
          retrieveMs: performance.now() - started,
          rerankMs: 0,
          degraded,
        },
      };
    }

    const fused = await new HybridRetriever({
      dense,
      keyword,
      fusion: s.FUSION,
      denseWeight: s.FUSION_DENSE_WEIGHT,
      keywordWeight: s.FUSION_KEYWORD_WEIGHT,
      limit: Math.max(s.RERANK_CANDIDATES, depth),
      denseDepth: denseK,
      keywordDepth: keywordK,
    }).search(question);
    degraded.push(...fused.degraded);
    // Coverage for the candidates the keyword side did not list: the gate reads it from every one.
    if (s.EVIDENCE_MIN_COVERAGE > 0) await this.index.addKeywordCoverage(question, fused.documents);

    const rerankStarted = performance.now();
    const documents = await this.compressor(request, degraded).compressDocuments(fused.documents, question);
    return {
      documents: documents as Document[],
      report: {
        candidates: fused.documents,
        denseHits: fused.denseHits,
        keywordHits: fused.keywordHits,
        retrieveMs: fused.retrieveMs,
        rerankMs: performance.now() - rerankStarted,
        degraded,
      },
    };
  }

  /** This question's compression steps; the reranker's fallback lands in this question's report. */
  private compressor(request: RetrieveRequest, degraded: Degradation[]): DocumentCompressorPipeline {
    const depth = this.options.rankingDepth;
    const settings = depth ? { ...this.settings, RERANK_TOP_N: depth, RERANK_MIN_SCORE: 0, EVIDENCE_MIN_COVERAGE: 0 } : this.settings;
    const onFallback = (reason: string) => {
      degraded.push({ type: 'fusion-order', message: `reranker unavailable: fusion order used (${reason})` });
      if (this.reranker) noteRerankerUnavailable(this.reranker, reason);
    };
    const transformers: BaseDocumentCompressor[] = rerankCompressors(settings, this.reranker, onFallback);
    if (request.tokensPerSource !== undefined) transformers.push(new SentenceTrimmer({ maxTokensPerDocument: request.tokensPerSource }));
    return new DocumentCompressorPipeline({ transformers });
  }
}

/** The retrieval pipeline the settings describe (one per core; eval builds one per configuration). */
export function createRetrievalPipeline(
  index: DocumentIndex,
  settings: RetrievalSettings,
  reranker: Reranker | undefined,
  options?: RetrievalPipelineOptions,
): RetrievalPipeline {
  return new RetrievalPipeline(index, settings, reranker, options);
}
