/**
 * The retrieval configurations an evaluation compares: the same retrieval pipeline as `ask`
 * (createRetrievalPipeline), without the sentence trimmer, the context budget and the LLM.
 */
import type { Reranker } from '../chains/rerankers/index.js';
import { createRetrievalPipeline, type RetrievalKind, type RetrievalPipeline } from '../chains/retrieval-pipeline.js';
import type { Settings } from '../config.js';
import type { DocumentIndex } from '../store/document-index.js';
import { CitebotError, oneLine } from '../errors.js';

export type { RetrievalKind } from '../chains/retrieval-pipeline.js';

export interface EvalConfiguration {
  /** e.g. "nomic-embed-text/hybrid+cross-encoder". */
  name: string;
  embedModel: string;
  retrieval: RetrievalKind;
  /** The reranker's name, or "none". */
  reranker: string;
  pipeline: RetrievalPipeline;
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
export function askRanking(settings: Settings, index: DocumentIndex, depth: number, reranker: Reranker | undefined): RetrievalPipeline {
  return createRetrievalPipeline(index, settings, reranker, { rankingDepth: depth });
}

/**
 * Dense only, keyword only, hybrid, and hybrid + reranker (when one is given), each returning at
 * least `depth` chunks, best first.
 */
export function evalConfigurations(
  settings: Settings,
  index: DocumentIndex,
  embedModel: string,
  depth: number,
  reranker?: NamedReranker,
): EvalConfiguration[] {
  const config = (retrieval: RetrievalKind, named?: NamedReranker): EvalConfiguration => ({
    name: `${embedModel}/${retrieval}${named ? `+${named.name}` : ''}`,
    embedModel,
    retrieval,
    reranker: named?.name ?? 'none',
    pipeline: createRetrievalPipeline(index, settings, named?.reranker, { kind: retrieval, rankingDepth: depth }),
  });
  return [config('dense'), config('keyword'), config('hybrid'), ...(reranker ? [config('hybrid', reranker)] : [])];
}

/** The ranking for one question; a reranker that fell back to fusion order would score the wrong thing, so it is an error here. */
export async function rankFor(config: Pick<EvalConfiguration, 'pipeline' | 'reranker'>, question: string, scope: string) {
  const { documents, report } = await config.pipeline.retrieve(question, { scopes: [scope] });
  const fallback = report.degraded.find((d) => d.type === 'fusion-order');
  if (fallback)
    throw new CitebotError('reranker_unavailable', `eval: the reranker ${config.reranker} failed (${fallback.message})`, {
      fix: `check it with citebot doctor, or pass --reranker none`,
    });
  return documents;
}

/**
 * The reranker when it loads; otherwise none and why. An eval compares what it can (dense, keyword,
 * fusion) and says which configurations it left out, as ask and serve fall back to fusion order.
 */
export async function loadedReranker(named: NamedReranker | undefined): Promise<{ reranker?: NamedReranker; skipped?: string }> {
  if (!named) return {};
  try {
    await named.reranker.load();
    return { reranker: named };
  } catch (error) {
    return { skipped: `${named.name} unavailable (${oneLine(error)})` };
  }
}
