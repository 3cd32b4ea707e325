/**
 * Calibration: which retrieval settings work best on a question set made from the team's own documents.
 * For each embedding model, one throwaway index (eval-index.ts) and one set of side searches shared by
 * every configuration (MemoRetriever), then: dense only, keyword only, hybrid with the current settings,
 * a grid of fusion methods (adaptive, score, RRF) and weights, and, with a reranker, candidate counts. The recommendation is the
 * hybrid configuration with the best hit@1 whose p95 latency fits the budget (ties: MRR@10, then the
 * current settings, then the faster), with its margin over the current settings and a 95 % interval.
 */
import type { RetrievalKind, RetrievalSettings } from '../chains/retrieval-pipeline.js';
import { createRetrievalPipeline } from '../chains/retrieval-pipeline.js';
import type { SideSearchCache } from '../chains/retrievers/memo.js';
import type { Settings } from '../config.js';
import { log } from '../log.js';
import { pairedBootstrap } from './confidence.js';
import { loadedReranker, type NamedReranker } from './configurations.js';
import type { EvalSet } from './dataset.js';
import { buildEvalIndex } from './eval-index.js';
import { MRR_DEPTH, RECALL_DEPTH, type QuestionOutcome } from './metrics.js';
import { scoreConfiguration, type ConfigurationResult, type EvalProgress } from './run-eval.js';

/** What a configuration sets, by setting name: what `--apply` writes. */
export interface Recommendation {
  FUSION: Settings['FUSION'];
  FUSION_DENSE_WEIGHT: number;
  FUSION_KEYWORD_WEIGHT: number;
  RERANKER: Settings['RERANKER'];
  RERANK_CANDIDATES: number;
  /** Only when several embedding models were compared (changing it needs `citebot reindex`). */
  EMBED_MODEL?: string;
}

export interface CalibratedConfiguration {
  result: ConfigurationResult;
  outcomes: QuestionOutcome[];
  /** Undefined for dense-only and keyword-only: `ask` always fuses. */
  settings?: Recommendation;
  current: boolean;
}

export interface Margin {
  /** The configuration compared against: the current settings. */
  over: string;
  /** hit@1 of the recommendation minus that of the current settings, with a 95 % paired-bootstrap interval. */
  hit1: number;
  low: number;
  high: number;
}

export interface Calibration {
  configurations: CalibratedConfiguration[];
  recommendation: Recommendation;
  recommended: string;
  margin: Margin;
  /** p95 budget used, in ms. */
  latencyBudgetMs: number;
  /** Why the reranker was left out, if it was. */
  rerankerSkipped?: string;
}

export interface CalibrateOptions {
  embedModels: string[];
  ks: number[];
  /** The reranker to try (the configured one); undefined: none. */
  reranker?: NamedReranker;
  /** Recommend only configurations whose p95 (side searches included) is at most this. */
  latencyBudgetMs: number;
  onProgress?: EvalProgress;
}

/** Dense weights tried (keyword is 1 − dense): adaptive and score fusion, and RRF. */
export const ADAPTIVE_DENSE_WEIGHTS = [0.2, 0.3, 0.5, 0.7];
export const SCORE_DENSE_WEIGHTS = [0.1, 0.2, 0.3, 0.5, 0.7];
export const RRF_DENSE_WEIGHTS = [0.3, 0.5];
export const CANDIDATE_COUNTS = [10, 20, 40];
const FUSION_GRID: [Settings['FUSION'], number[]][] = [
  ['adaptive', ADAPTIVE_DENSE_WEIGHTS],
  ['score', SCORE_DENSE_WEIGHTS],
  ['rrf', RRF_DENSE_WEIGHTS],
];

const round = (x: number) => Math.round(x * 100) / 100;

function fusionName(r: Pick<Recommendation, 'FUSION' | 'FUSION_DENSE_WEIGHT' | 'FUSION_KEYWORD_WEIGHT'>): string {
  return `${r.FUSION} ${round(r.FUSION_DENSE_WEIGHT)}/${round(r.FUSION_KEYWORD_WEIGHT)}`;
}

const hit1 = (outcomes: readonly QuestionOutcome[]) => outcomes.map((o) => (o.firstHitRank === 1 ? 1 : 0));

function sameSettings(a: Recommendation, b: Recommendation): boolean {
  return (
    a.FUSION === b.FUSION &&
    round(a.FUSION_DENSE_WEIGHT) === round(b.FUSION_DENSE_WEIGHT) &&
    round(a.FUSION_KEYWORD_WEIGHT) === round(b.FUSION_KEYWORD_WEIGHT) &&
    a.RERANKER === b.RERANKER &&
    (a.RERANKER === 'none' || a.RERANK_CANDIDATES === b.RERANK_CANDIDATES) &&
    a.EMBED_MODEL === b.EMBED_MODEL
  );
}

/** The best of the configurations that fit the budget (see the module comment); the current one if none fits. */
export function recommend(configurations: readonly CalibratedConfiguration[], budgetMs: number): CalibratedConfiguration {
  const current = configurations.find((c) => c.current) ?? configurations.find((c) => c.settings)!;
  const candidates = configurations.filter((c) => c.settings && c.result.p95Ms <= budgetMs);
  const score = (c: CalibratedConfiguration) => [c.result.hit['1'] ?? 0, c.result.mrr10, c.current ? 1 : 0, -c.result.p95Ms];
  let best = current;
  for (const c of candidates) {
    const [a, b] = [score(c), score(best)];
    const better = a.findIndex((x, i) => x !== b[i]);
    if (better >= 0 && a[better]! > b[better]!) best = c;
  }
  return best;
}

export async function calibrate(user: Settings, chromaUrl: string, set: EvalSet, options: CalibrateOptions): Promise<Calibration> {
  const ks = [...new Set(options.ks)].sort((a, b) => a - b);
  const depth = Math.max(RECALL_DEPTH, MRR_DEPTH, ...ks);
  const { reranker, skipped: rerankerSkipped } = await loadedReranker(options.reranker);
  if (rerankerSkipped) log.warn(`calibration without the reranker: ${rerankerSkipped}`);
  const several = options.embedModels.length > 1;
  const configurations: CalibratedConfiguration[] = [];
  for (const embedModel of options.embedModels) {
    const built = await buildEvalIndex(user, chromaUrl, embedModel, set.passages, (done, total) =>
      options.onProgress?.({ stage: 'indexing', label: embedModel, done, total }),
    );
    try {
      const sideCache: SideSearchCache = new Map();
      const base = built.core.settings;
      const sides: Partial<Record<RetrievalKind, ConfigurationResult>> = {};
      const run = async (name: string, kind: RetrievalKind, settings?: Recommendation, named?: NamedReranker) => {
        const retrieval: RetrievalSettings = settings ? ({ ...base, ...settings, EMBED_MODEL: embedModel } as RetrievalSettings) : base;
        const pipeline = createRetrievalPipeline(built.index, retrieval, named?.reranker, { kind, rankingDepth: depth, sideCache });
        const scored = await scoreConfiguration(
          { name: `${embedModel}/${name}`, embedModel, retrieval: kind, reranker: named?.name ?? 'none', pipeline },
          built.scope,
          set.questions,
          ks,
          options.onProgress,
        );
        if (kind !== 'hybrid') sides[kind] = scored.result;
        else {
          // The side searches came from the shared cache: add what they cost when run (in parallel, so the slower side).
          const p50 = Math.max(sides.dense?.p50Ms ?? 0, sides.keyword?.p50Ms ?? 0);
          const p95 = Math.max(sides.dense?.p95Ms ?? 0, sides.keyword?.p95Ms ?? 0);
          scored.result.p50Ms = Math.round((scored.result.p50Ms + p50) * 10) / 10;
          scored.result.p95Ms = Math.round((scored.result.p95Ms + p95) * 10) / 10;
        }
        const isCurrent = !!settings && sameSettings(settings, currentSettings) && embedModel === user.EMBED_MODEL;
        configurations.push({ ...scored, ...(settings && { settings }), current: isCurrent });
        return scored;
      };
      const currentSettings: Recommendation = {
        FUSION: user.FUSION,
        FUSION_DENSE_WEIGHT: user.FUSION_DENSE_WEIGHT,
        FUSION_KEYWORD_WEIGHT: user.FUSION_KEYWORD_WEIGHT,
        RERANKER: reranker && user.RERANKER !== 'none' ? user.RERANKER : 'none',
        RERANK_CANDIDATES: user.RERANK_CANDIDATES,
        ...(several && { EMBED_MODEL: user.EMBED_MODEL }),
      };
      const model = several ? { EMBED_MODEL: embedModel } : {};
      await run('dense', 'dense');
      await run('keyword', 'keyword');
      const fusions: Recommendation[] = [
        { ...currentSettings, RERANKER: 'none', ...model },
        ...FUSION_GRID.flatMap(([FUSION, weights]) =>
          weights.map((w) => ({ ...currentSettings, FUSION, FUSION_DENSE_WEIGHT: w, FUSION_KEYWORD_WEIGHT: round(1 - w) })),
        ),
      ].map((f) => ({ ...f, RERANKER: 'none' as const, ...model }));
      const seen: Recommendation[] = [];
      let bestFusion: { settings: Recommendation; hit1: number } | undefined;
      for (const fusion of fusions) {
        if (seen.some((s) => sameSettings(s, fusion))) continue;
        seen.push(fusion);
        const scored = await run(`hybrid ${fusionName(fusion)}`, 'hybrid', fusion);
        const h = scored.result.hit['1'] ?? 0;
        if (!bestFusion || h > bestFusion.hit1) bestFusion = { settings: fusion, hit1: h };
      }
      if (reranker && bestFusion) {
        const rerankerName = reranker.name as Settings['RERANKER'];
        const withReranker = [
          ...CANDIDATE_COUNTS.map((n) => ({ ...bestFusion.settings, RERANKER: rerankerName, RERANK_CANDIDATES: n })),
          { ...currentSettings, ...model },
        ];
        for (const settings of withReranker) {
          if (settings.RERANKER === 'none' || seen.some((s) => sameSettings(s, settings))) continue;
          seen.push(settings);
          await run(`hybrid ${fusionName(settings)}+${reranker.name}@${settings.RERANK_CANDIDATES}`, 'hybrid', settings, reranker);
        }
      }
    } finally {
      await built.core.close();
    }
  }
  const best = recommend(configurations, options.latencyBudgetMs);
  const current = configurations.find((c) => c.current) ?? configurations.find((c) => c.settings)!;
  const diff = pairedBootstrap(hit1(best.outcomes), hit1(current.outcomes));
  return {
    configurations,
    recommendation: best.settings!,
    recommended: best.result.name,
    margin: { over: current.result.name, hit1: diff.mean, low: diff.low, high: diff.high },
    latencyBudgetMs: options.latencyBudgetMs,
    ...(rerankerSkipped && { rerankerSkipped }),
  };
}
