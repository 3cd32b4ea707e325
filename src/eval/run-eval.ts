/**
 * `citebot eval`: for each embedding model, index the eval set's passages (cached), then ask every
 * question through every retrieval configuration and score the rankings.
 */
import type { Document } from '@langchain/core/documents';
import type { Settings } from '../config.js';
import { evalConfigurations, rankFor, type EvalConfiguration, type NamedReranker, type RetrievalKind } from './configurations.js';
import type { EvalQuestion, EvalSet } from './dataset.js';
import { buildEvalIndex, type IngestStats } from './eval-index.js';
import { judgeQuestion, MRR_DEPTH, percentile, RECALL_DEPTH, summarizeOutcomes, type QuestionOutcome } from './metrics.js';

/** One configuration's scores: the `--json` contract. */
export interface ConfigurationResult {
  name: string;
  embedModel: string;
  retrieval: RetrievalKind;
  reranker: string;
  hit: Record<string, number>;
  recall10: number;
  mrr10: number;
  p50Ms: number;
  p95Ms: number;
}

/** The `--json` output, exactly. */
export interface EvalReport {
  questions: number;
  configurations: ConfigurationResult[];
}

export interface EvalRun {
  report: EvalReport;
  /** How indexing went per embedding model (throughput, cache use). */
  indexing: (IngestStats & { embedModel: string })[];
}

export type EvalProgress = (event: { stage: 'indexing' | 'asking'; label: string; done: number; total: number }) => void;

export interface EvalOptions {
  embedModels: string[];
  /** The ks of hit@k, ascending. */
  ks: number[];
  reranker?: NamedReranker;
  onProgress?: EvalProgress;
}

const rate = (x: number) => Math.round(x * 10_000) / 10_000;
const ms = (x: number) => Math.round(x * 10) / 10;

function retrieved(docs: Document[]) {
  return docs.map((d) => ({ text: d.pageContent, docId: String(d.metadata.docId ?? '') }));
}

/** One configuration's scores, and each question's outcome (calibration compares them question by question). */
export interface ScoredConfiguration {
  result: ConfigurationResult;
  outcomes: QuestionOutcome[];
}

export async function scoreConfiguration(
  config: Pick<EvalConfiguration, 'name' | 'embedModel' | 'retrieval' | 'reranker' | 'pipeline'>,
  scope: string,
  questions: readonly EvalQuestion[],
  ks: number[],
  onProgress?: EvalProgress,
): Promise<ScoredConfiguration> {
  // One untimed question first: worker threads, connections and model sessions start on first use.
  if (questions[0]) await rankFor(config, questions[0].question, scope);
  const outcomes: QuestionOutcome[] = [];
  const latencies: number[] = [];
  for (const [i, q] of questions.entries()) {
    const started = performance.now();
    const docs = await rankFor(config, q.question, scope);
    latencies.push(performance.now() - started);
    outcomes.push(judgeQuestion(q, retrieved(docs)));
    onProgress?.({ stage: 'asking', label: config.name, done: i + 1, total: questions.length });
  }
  const summary = summarizeOutcomes(outcomes, ks);
  const result = {
    name: config.name,
    embedModel: config.embedModel,
    retrieval: config.retrieval,
    reranker: config.reranker,
    hit: Object.fromEntries(Object.entries(summary.hit).map(([k, v]) => [k, rate(v)])),
    recall10: rate(summary.recall10),
    mrr10: rate(summary.mrr10),
    p50Ms: ms(percentile(latencies, 50)),
    p95Ms: ms(percentile(latencies, 95)),
  };
  return { result, outcomes };
}

/**
 * Run the evaluation. `set.passages` are all indexed (the distractors matter); `questions` are the
 * ones asked. Each model's throwaway core is closed before the next model starts.
 */
export async function runEval(
  user: Settings,
  chromaUrl: string,
  set: EvalSet,
  questions: readonly EvalQuestion[],
  options: EvalOptions,
): Promise<EvalRun> {
  const ks = [...new Set(options.ks)].sort((a, b) => a - b);
  const depth = Math.max(RECALL_DEPTH, MRR_DEPTH, ...ks);
  if (options.reranker) await options.reranker.reranker.load();
  const configurations: ConfigurationResult[] = [];
  const indexing: EvalRun['indexing'] = [];
  for (const embedModel of options.embedModels) {
    const built = await buildEvalIndex(user, chromaUrl, embedModel, set.passages, (done, total) =>
      options.onProgress?.({ stage: 'indexing', label: embedModel, done, total }),
    );
    try {
      indexing.push({ embedModel, ...built.ingest });
      for (const config of evalConfigurations(built.core.settings, built.index, embedModel, depth, options.reranker)) {
        configurations.push((await scoreConfiguration(config, built.scope, questions, ks, options.onProgress)).result);
      }
    } finally {
      await built.core.close();
    }
  }
  return { report: { questions: questions.length, configurations }, indexing };
}
