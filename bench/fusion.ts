/**
 * Fusion on the visible sets (issue 16 item 3): dense only, keyword only, and hybrid under several
 * fusion settings, with two dense sides behind the Ollama double: its hashed bag of words (lexical,
 * what the tests use) and USE lite (`use-lite`, a real sentence encoder; test/doubles/use-embeddings.ts).
 * Every configuration runs through the one retrieval pipeline (RERANKER=none) with the side searches
 * shared (MemoRetriever), as calibration does; hybrid is compared with the better side by a paired
 * bootstrap (src/eval/confidence.ts). The --qa sets are judged as `citebot eval --qa` judges (a chunk
 * containing a gold answer); the --docs sets as `citebot eval --docs` judges document hit@1 (a chunk
 * of the gold document).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRetrievalPipeline, type RetrievalKind } from '../src/chains/retrieval-pipeline.js';
import type { SideSearchCache } from '../src/chains/retrievers/memo.js';
import { loadSettings, type Settings } from '../src/config.js';
import { pairedBootstrap } from '../src/eval/confidence.js';
import { parseEvalSet, selectQuestions, type EvalQuestion } from '../src/eval/dataset.js';
import { parseDocQuestions } from '../src/eval/doc-questions.js';
import { buildEvalIndex, openEvalIndex, type EvalIndex } from '../src/eval/eval-index.js';
import type { QuestionOutcome } from '../src/eval/metrics.js';
import { scoreConfiguration } from '../src/eval/run-eval.js';
import { collectLocalSources, localDocId } from '../src/ingest/local-files.js';
import { DEFAULT_MODELS, OllamaDouble, USE_LITE } from '../test/doubles/ollama-double.js';
import { SHARED, benchWorkspace, fixed, machine, retrievalBenchEnv } from './support.js';

/** The embedding models behind the double: its hashed vectors, and the real sentence encoder. */
export const DENSE_SIDES = [
  { model: 'nomic-embed-text', label: 'lexical (double)' },
  { model: 'use-lite', label: 'USE lite' },
] as const;

export type Fusion = Pick<Settings, 'FUSION' | 'FUSION_DENSE_WEIGHT' | 'FUSION_KEYWORD_WEIGHT'>;

/** Hybrid settings compared: the previous default first. */
const FUSIONS: Fusion[] = [
  { FUSION: 'score', FUSION_DENSE_WEIGHT: 0.2, FUSION_KEYWORD_WEIGHT: 0.8 },
  { FUSION: 'adaptive', FUSION_DENSE_WEIGHT: 0.2, FUSION_KEYWORD_WEIGHT: 0.8 },
  { FUSION: 'adaptive', FUSION_DENSE_WEIGHT: 0.3, FUSION_KEYWORD_WEIGHT: 0.7 },
  { FUSION: 'adaptive', FUSION_DENSE_WEIGHT: 0.5, FUSION_KEYWORD_WEIGHT: 0.5 },
  { FUSION: 'score', FUSION_DENSE_WEIGHT: 0.5, FUSION_KEYWORD_WEIGHT: 0.5 },
  { FUSION: 'rrf', FUSION_DENSE_WEIGHT: 0.5, FUSION_KEYWORD_WEIGHT: 0.5 },
];

export const fusionLabel = (f: Fusion) => `${f.FUSION} ${f.FUSION_DENSE_WEIGHT}/${f.FUSION_KEYWORD_WEIGHT}`;

/** Answerable questions asked per set, to keep a run to minutes on a shared machine. */
const LIMIT = Number(process.env.BENCH_FUSION_LIMIT ?? 500);

interface VisibleSet {
  label: string;
  /** The `citebot eval` arguments this set stands for. */
  command: string;
  open(settings: Settings, chromaUrl: string, model: string): Promise<{ index: EvalIndex; questions: EvalQuestion[] }>;
}

function qaSet(label: string, file: string): VisibleSet {
  return {
    label,
    command: `--qa ../shared/eval/${file}`,
    async open(settings, chromaUrl, model) {
      const set = parseEvalSet(readFileSync(join(SHARED, 'eval', file), 'utf8'));
      const questions = selectQuestions(set.questions, { limit: LIMIT, answerableOnly: true });
      return { index: await buildEvalIndex(settings, chromaUrl, model, set.passages), questions };
    },
  };
}

function docsSet(label: string, folder: string, file: string): VisibleSet {
  return {
    label,
    command: `--docs ../shared/corpus/${folder} --qa ../shared/eval/${file}`,
    async open(settings, chromaUrl, model) {
      const root = resolve(SHARED, 'corpus', folder);
      const lines = selectQuestions(parseDocQuestions(readFileSync(join(SHARED, 'eval', file), 'utf8')), {
        limit: LIMIT,
        answerableOnly: true,
      });
      // No answers: judged by document, as `eval --docs` scores document hit@1.
      const questions = lines.map((q) => ({ id: q.id, question: q.question, answers: [], docId: localDocId(resolve(root, q.doc)) }));
      const { sources } = await collectLocalSources([root], '');
      const index = await openEvalIndex(settings, chromaUrl, model, {
        key: `bench-fusion-${folder}-${model}`,
        sources: (scope) => sources.map((s) => ({ ...s, scope })),
      });
      return { index, questions };
    },
  };
}

export const VISIBLE_SETS: VisibleSet[] = [
  qaSet('SQuAD 2.0 dev (half)', 'squad2-dev-half.json'),
  qaSet('CMRC 2018 trial', 'cmrc2018-trial.json'),
  docsSet('squad-en (documents)', 'squad-en', 'squad-en-questions.jsonl'),
  docsSet('cmrc-zh (documents)', 'cmrc-zh', 'cmrc-zh-questions.jsonl'),
];

const hit1 = (outcomes: readonly QuestionOutcome[]) => outcomes.map((o) => (o.firstHitRank === 1 ? 1 : 0));
const signed = (x: number) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(3);

export interface Scored {
  name: string;
  hit1: number;
  hitAtCandidates: number;
  outcomes: QuestionOutcome[];
}

/** Dense, keyword and each fusion on one index, side searches shared. */
export async function scoreFusions(
  built: EvalIndex,
  questions: readonly EvalQuestion[],
  fusions: readonly Fusion[],
  candidates: number,
): Promise<Scored[]> {
  const sideCache: SideSearchCache = new Map();
  const base = built.core.settings;
  const out: Scored[] = [];
  const run = async (name: string, kind: RetrievalKind, fusion?: Fusion) => {
    const pipeline = createRetrievalPipeline(built.index, { ...base, ...fusion }, undefined, {
      kind,
      rankingDepth: candidates,
      sideCache,
    });
    const scored = await scoreConfiguration(
      { name, embedModel: base.EMBED_MODEL, retrieval: kind, reranker: 'none', pipeline },
      built.scope,
      questions,
      [1, candidates],
    );
    out.push({
      name,
      hit1: scored.result.hit['1']!,
      hitAtCandidates: scored.result.hit[String(candidates)]!,
      outcomes: scored.outcomes,
    });
  };
  await run('dense', 'dense');
  await run('keyword', 'keyword');
  for (const fusion of fusions) await run(`hybrid ${fusionLabel(fusion)}`, 'hybrid', fusion);
  return out;
}

/** Hybrid minus the better side's hit@1, with its 95 % paired-bootstrap interval. */
export function versusBetter(rows: readonly Scored[], row: Scored): { mean: number; low: number; high: number; better: string } {
  const [dense, keyword] = [rows.find((r) => r.name === 'dense')!, rows.find((r) => r.name === 'keyword')!];
  const better = dense.hit1 >= keyword.hit1 ? dense : keyword;
  return { ...pairedBootstrap(hit1(row.outcomes), hit1(better.outcomes)), better: better.name };
}

/** "+0.004 [−0.010, +0.018] vs keyword". */
const shown = (d: ReturnType<typeof versusBetter>) => `${signed(d.mean)} [${signed(d.low)}, ${signed(d.high)}] vs ${d.better}`;

/** One line per fusion: its range over every set and dense side, and where it lost beyond noise. */
function summary(margins: Map<string, { where: string; d: ReturnType<typeof versusBetter> }[]>): string[] {
  return [...margins].map(([name, list]) => {
    const means = list.map((m) => m.d.mean);
    const lost = list.filter((m) => m.d.high < 0).map((m) => m.where);
    return `- ${name}: hybrid minus the better side ${signed(Math.min(...means))} to ${signed(Math.max(...means))}; below it beyond noise (the whole 95 % interval under 0) on ${lost.length} of ${list.length}${lost.length ? `: ${lost.join('; ')}` : ''}.`;
  });
}

export async function benchFusion(): Promise<string[]> {
  const double = await OllamaDouble.start({ models: [...DEFAULT_MODELS, USE_LITE] });
  const ws = await benchWorkspace('fusion');
  const env = retrievalBenchEnv(ws, double.url);
  const settings = loadSettings({ env, dotenvDir: false });
  const candidates = settings.RERANK_CANDIDATES;
  const rows: string[] = [];
  const margins = new Map<string, { where: string; d: ReturnType<typeof versusBetter> }[]>();
  try {
    for (const set of VISIBLE_SETS) {
      for (const side of DENSE_SIDES) {
        const started = performance.now();
        const { index, questions } = await set.open(settings, ws.chroma.url, side.model);
        try {
          const scored = await scoreFusions(index, questions, FUSIONS, candidates);
          for (const r of scored) {
            const d = r.name.startsWith('hybrid') ? versusBetter(scored, r) : undefined;
            if (d) margins.set(r.name, [...(margins.get(r.name) ?? []), { where: `${set.label}, ${side.label}`, d }]);
            rows.push(
              `| ${set.label} | ${side.label} | ${r.name} | ${fixed(r.hit1, 3)} | ${d ? shown(d) : ''} | ${fixed(r.hitAtCandidates, 3)} |`,
            );
          }
          console.error(`${set.label} / ${side.label}: ${questions.length} questions, ${fixed((performance.now() - started) / 1000, 0)} s`);
        } finally {
          await index.core.close();
        }
      }
    }
  } finally {
    await ws.close();
    await double.close();
  }
  return [
    `### Fusion on the visible sets, two dense sides`,
    '',
    `Command: \`npx tsx bench/fusion.ts\` (also part of \`npm run bench\`). The first ${LIMIT} answerable questions of each set, RERANKER=none, RETRIEVE_DENSE_K = RETRIEVE_KEYWORD_K = ${settings.RETRIEVE_DENSE_K}, through the retrieval pipeline of \`ask\` (the configurations share side searches, as \`eval --generate\` does). Equivalent \`citebot eval\` arguments: ${VISIBLE_SETS.map((s) => `\`${s.command} --limit ${LIMIT} --answerable-only\``).join('; ')}. Dense side: the Ollama double's hashed bag of words ("lexical"), or USE lite (\`use-lite\`, 512-d, English only: on the Chinese sets it is close to noise; reported, not to be read as a Chinese model). "vs better side": hybrid hit@1 minus the better of dense-only and keyword-only, with the 95 % paired-bootstrap interval of src/eval/confidence.ts. hit@${candidates} is hit at RERANK_CANDIDATES: what a reranker can still find. The --docs rows score document hit@1 (a chunk of the gold file first). Machine: ${machine()}.`,
    '',
    `| set | dense side | configuration | hit@1 | vs better side (95 % CI) | hit@${candidates} |`,
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Over the ${VISIBLE_SETS.length * DENSE_SIDES.length} set × dense side rows (the default is ${fusionLabel({ FUSION: settings.FUSION, FUSION_DENSE_WEIGHT: settings.FUSION_DENSE_WEIGHT, FUSION_KEYWORD_WEIGHT: settings.FUSION_KEYWORD_WEIGHT })}):`,
    '',
    ...summary(margins),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.chdir(join(import.meta.dirname, '..'));
  console.log((await benchFusion()).join('\n'));
}
