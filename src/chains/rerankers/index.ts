/**
 * Builds the configured reranker and the rerank steps of the retrieval pipeline.
 *
 * Calibrating RERANK_MIN_SCORE (all scores are 0..1). These figures come from the models' published
 * behaviour, not from measurements on this project's data; check them with `citebot eval` on yours.
 *  - Xenova/bge-reranker-base (sigmoid of its logit): unrelated pairs typically score < 0.05, related
 *    ones > 0.3. About 0.1 drops the clearly unrelated and keeps borderline passages.
 *  - Xenova/ms-marco-MiniLM-L-6-v2 (sigmoid): similar spread; about 0.1 as well. English only.
 *  - http: depends on the server's model. TEI (raw_scores false) and Cohere-style servers return
 *    probabilities; for a bge-reranker behind them use the bge figure above.
 *  - 0 turns the threshold off: the top RERANK_TOP_N are kept whatever their score.
 * Unset, RERANK_MIN_SCORE takes CALIBRATED_MIN_SCORE for the configured reranker.
 */
import { resolve } from 'node:path';
import type { Settings } from '../../config.js';
import { CitebotError } from '../../errors.js';
import { CrossEncoderReranker } from './cross-encoder.js';
import { HttpReranker } from './http.js';
import { RelevanceThreshold } from './relevance-threshold.js';
import { FusionOrderCompressor, RerankCompressor } from './rerank-compressor.js';
import type { Reranker } from './reranker.js';

export type { Reranker } from './reranker.js';
export { CrossEncoderReranker } from './cross-encoder.js';
export { HttpReranker } from './http.js';
export { RelevanceThreshold } from './relevance-threshold.js';
export { FusionOrderCompressor, RerankCompressor } from './rerank-compressor.js';

/**
 * Thresholds used when RERANK_MIN_SCORE is unset: 0.1 for the cross-encoders above; 0.05 for an http
 * server, whose model citebot does not know (a lower bar drops only the clearly unrelated).
 */
export const CALIBRATED_MIN_SCORE: Record<Settings['RERANKER'], number> = { 'cross-encoder': 0.1, http: 0.05, none: 0 };

export function minRelevance(settings: Pick<Settings, 'RERANK_MIN_SCORE' | 'RERANKER'>): number {
  return settings.RERANK_MIN_SCORE ?? CALIBRATED_MIN_SCORE[settings.RERANKER];
}

/** The reranker RERANKER names, not yet loaded (its first use, or load(), loads it); undefined for `none`. */
export function createReranker(settings: Settings): Reranker | undefined {
  switch (settings.RERANKER) {
    case 'none':
      return undefined;
    case 'cross-encoder':
      return new CrossEncoderReranker({
        model: settings.RERANK_MODEL,
        modelPath: settings.RERANK_MODEL_PATH,
        cacheDir: resolve(settings.DATA_DIR, 'models'),
        batchSize: settings.RERANK_BATCH_SIZE,
      });
    case 'http':
      if (!settings.RERANK_URL) {
        throw new CitebotError('invalid_input', 'RERANK_URL: required when RERANKER=http', {
          fix: 'set RERANK_URL to your /rerank server, or set RERANKER=none',
        });
      }
      return new HttpReranker({
        url: settings.RERANK_URL,
        api: settings.RERANK_API,
        model: settings.RERANK_MODEL,
        batchSize: settings.RERANK_BATCH_SIZE,
      });
  }
}

/**
 * The rerank steps, in order: keep the best RERANK_TOP_N (by the reranker, or in fusion order when there
 * is none), then drop those under RERANK_MIN_SCORE, or, in fusion order, refuse the question when no passage
 * reaches EVIDENCE_MIN_COVERAGE (see RelevanceThreshold).
 */
export function rerankCompressors(
  settings: Pick<Settings, 'RERANK_TOP_N' | 'RERANK_MIN_SCORE' | 'RERANKER' | 'EVIDENCE_MIN_COVERAGE'>,
  reranker: Reranker | undefined,
  onFallback?: (reason: string) => void,
): [RerankCompressor | FusionOrderCompressor, RelevanceThreshold] {
  const topN = settings.RERANK_TOP_N;
  return [
    reranker ? new RerankCompressor({ reranker, topN, onFallback }) : new FusionOrderCompressor({ topN }),
    new RelevanceThreshold({ minScore: minRelevance(settings), minCoverage: settings.EVIDENCE_MIN_COVERAGE }),
  ];
}
