/**
 * The no-evidence threshold without a reranker (EVIDENCE_MIN_COVERAGE, issue 12 item 1): how often an
 * answerable question would be refused (false refusals), and how often a question the indexed passages
 * cannot answer is refused (as it should be), at several thresholds.
 *
 * For each visible set, the passages of every other article (SQuAD) or every other passage (CMRC) are
 * indexed; the questions on indexed passages are the answerable ones, the questions on the held-out ones
 * are unrelated to the index (same domain and language, so they share common words: the hard case),
 * plus the other set's questions (another language) and a few hand-written off-topic questions.
 * Retrieval is the one pipeline with RERANKER=none and the threshold off; the best keyword coverage among
 * the RERANK_TOP_N passages kept is what the threshold compares, so every threshold is scored from one run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document } from '@langchain/core/documents';
import { hasFusionEvidence, keywordCoverage } from '../src/chains/rerankers/relevance-threshold.js';
import { createRetrievalPipeline } from '../src/chains/retrieval-pipeline.js';
import { loadSettings } from '../src/config.js';
import { parseEvalSet, type EvalQuestion, type EvalSet } from '../src/eval/dataset.js';
import { buildEvalIndex } from '../src/eval/eval-index.js';
import { OllamaDouble } from '../test/doubles/ollama-double.js';
import { SHARED, benchWorkspace, fixed, retrievalBenchEnv, writeResultsSection } from './support.js';

const THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
/** Questions asked per group (answerable, held-out), to keep the run to a few minutes. */
const PER_GROUP = 300;
const OFF_TOPIC = [
  'zzqx blorptang?',
  'a recipe for cookies',
  'how do I reset my VPN password?',
  'what is the wifi password in the office',
  'who won the football match yesterday?',
  '今天晚上吃什么好？',
  'best pizza near me',
  'how to fix a flat bicycle tyre',
];

interface Evidence {
  coverage: number;
  bigrams: boolean;
}

interface Split {
  indexed: EvalSet;
  answerable: EvalQuestion[];
  heldOut: EvalQuestion[];
}

/** Every other passage-group indexed; questions on the others are held out. */
function split(set: EvalSet, groupOf: (docId: string) => number): Split {
  const keep = (docId?: string) => docId !== undefined && groupOf(docId) % 2 === 0;
  const answerable = set.questions.filter((q) => q.answers.length > 0 && keep(q.docId)).slice(0, PER_GROUP);
  const heldOut = set.questions.filter((q) => q.answers.length > 0 && !keep(q.docId)).slice(0, PER_GROUP);
  return { indexed: { passages: set.passages.filter((p) => keep(p.docId)), questions: answerable }, answerable, heldOut };
}

function articleGroups(file: string): (docId: string) => number {
  const set = parseEvalSet(readFileSync(file, 'utf8'));
  // Passages are named <title>-<n>.txt: one group per title, so a held-out question's article is not indexed at all.
  const titles = [...new Set(set.passages.map((p) => p.source.replace(/-\d+\.txt$/, '')))];
  const byDoc = new Map(set.passages.map((p) => [p.docId, titles.indexOf(p.source.replace(/-\d+\.txt$/, ''))]));
  return (docId) => byDoc.get(docId) ?? 1;
}

export async function benchEvidence(): Promise<void> {
  const double = await OllamaDouble.start();
  const ws = await benchWorkspace('evidence');
  const env = retrievalBenchEnv(ws, double.url);
  const settings = { ...loadSettings({ env, dotenvDir: false }), EVIDENCE_MIN_COVERAGE: 0 };
  const sets = {
    squad: join(SHARED, 'eval', 'squad2-dev-half.json'),
    cmrc: join(SHARED, 'eval', 'cmrc2018-trial.json'),
  };
  const rows: string[] = [];
  const notes: string[] = [];
  const defaultThreshold = loadSettings({ env, dotenvDir: false }).EVIDENCE_MIN_COVERAGE;
  try {
    for (const [label, file, other] of [
      ['SQuAD 2.0 dev (half)', sets.squad, sets.cmrc],
      ['CMRC 2018 trial', sets.cmrc, sets.squad],
    ] as const) {
      const set = parseEvalSet(readFileSync(file, 'utf8'));
      const groups = file === sets.squad ? articleGroups(file) : (docId: string) => set.passages.findIndex((p) => p.docId === docId);
      const { indexed, answerable, heldOut } = split(set, groups);
      const otherSet = parseEvalSet(readFileSync(other, 'utf8'))
        .questions.filter((q) => q.answers.length > 0)
        .slice(0, 100);
      const built = await buildEvalIndex(settings, ws.chroma.url, 'nomic-embed-text', indexed.passages);
      try {
        const pipeline = createRetrievalPipeline(built.index, settings, undefined);
        // The best coverage, and whether a passage holds most of a Chinese question's content bigrams (evidence at any threshold).
        const best = async (question: string): Promise<Evidence> => {
          const { documents } = await pipeline.retrieve(question, { scopes: [built.scope] });
          return {
            coverage: Math.max(0, ...documents.map((d: Document) => keywordCoverage(d))),
            bigrams: hasFusionEvidence(documents, question, Infinity),
          };
        };
        const scores = async (qs: string[]) => {
          const out: Evidence[] = [];
          for (const q of qs) out.push(await best(q));
          return out;
        };
        const groupsScored = {
          answerable: await scores(answerable.map((q) => q.question)),
          heldOut: await scores(heldOut.map((q) => q.question)),
          otherLanguage: await scores(otherSet.map((q) => q.question)),
          offTopic: await scores(OFF_TOPIC),
        };
        const refused = (xs: Evidence[], t: number, bigrams = true) =>
          xs.filter((x) => x.coverage < t && !(bigrams && x.bigrams)).length / Math.max(1, xs.length);
        for (const t of THRESHOLDS) {
          rows.push(
            `| ${label} | ${t} | ${fixed(refused(groupsScored.answerable, t), 3)} | ${fixed(refused(groupsScored.heldOut, t), 3)} | ${fixed(refused(groupsScored.otherLanguage, t), 3)} | ${fixed(refused(groupsScored.offTopic, t), 3)} |`,
          );
        }
        const passed = OFF_TOPIC.filter((_, i) => refused([groupsScored.offTopic[i]!], defaultThreshold) === 0);
        notes.push(
          `${label}: off-topic questions answered at the default ${defaultThreshold}: ${passed.length ? passed.map((q) => `"${q}"`).join(', ') : 'none'}.`,
          `${label}: at the default, coverage alone / with the bigram rule: answerable refused ${fixed(refused(groupsScored.answerable, defaultThreshold, false), 3)} / ${fixed(refused(groupsScored.answerable, defaultThreshold), 3)}, held out refused ${fixed(refused(groupsScored.heldOut, defaultThreshold, false), 3)} / ${fixed(refused(groupsScored.heldOut, defaultThreshold), 3)}.`,
        );
        rows.push(
          `| ${label}: sizes | | ${groupsScored.answerable.length} | ${groupsScored.heldOut.length} | ${groupsScored.otherLanguage.length} | ${groupsScored.offTopic.length} |`,
        );
      } finally {
        await built.core.close();
      }
    }
  } finally {
    await ws.close();
    await double.close();
  }
  const body = [
    'Command: `npm run bench` (bench/evidence.ts), or alone: `npx tsx bench/evidence.ts`. RERANKER=none, hybrid at the defaults, the Ollama double for embeddings; the threshold compares the best keyword coverage (IDF-weighted share of the question\'s terms a passage contains) among the RERANK_TOP_N passages kept; a passage holding two thirds of a Chinese question\'s content bigrams is evidence at any threshold (issue 26: one word misread by OCR). Every other article (SQuAD) or passage (CMRC) is indexed: "answerable" asks questions on indexed passages (answers must not be refused), "held out" asks questions on the passages left out (same domain and words, nothing indexed answers them), "other language" the other set\'s questions, "off topic" 8 hand-written questions ("zzqx blorptang?", "a recipe for cookies", …). Up to 300 questions a group.',
    '',
    '| set | EVIDENCE_MIN_COVERAGE | answerable refused (false refusals) | held out refused | other language refused | off topic refused |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    ...notes,
  ].join('\n');
  writeResultsSection('No-evidence threshold without a reranker (issue 12)', body);
  console.log(body);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.chdir(join(import.meta.dirname, '..'));
  await benchEvidence();
}
