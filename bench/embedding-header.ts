/**
 * What the file-name header of `embeddingInput` (src/store/chunk.ts) adds (issue 16 item 4). The same
 * texts are indexed twice: under their names (SQuAD passages by their article's title, the squad-en
 * folder's real file names) and under names that name nothing ("passage-N.txt", "file-N.<ext>"), which
 * embeddingInput leaves out, so the second index embeds the text alone (sections still lead).
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { loadSettings, type Settings } from '../src/config.js';
import { parseEvalSet, selectQuestions } from '../src/eval/dataset.js';
import { parseDocQuestions } from '../src/eval/doc-questions.js';
import { buildEvalIndex, openEvalIndex } from '../src/eval/eval-index.js';
import { collectLocalSources, localDocId } from '../src/ingest/local-files.js';
import { nameCarriesSubject } from '../src/store/chunk.js';
import { DEFAULT_MODELS, OllamaDouble, USE_LITE } from '../test/doubles/ollama-double.js';
import { DENSE_SIDES, fusionLabel, scoreFusions, type Scored } from './fusion.js';
import { SHARED, benchWorkspace, fixed, retrievalBenchEnv } from './support.js';

const LIMIT = Number(process.env.BENCH_FUSION_LIMIT ?? 500);

export async function benchEmbeddingHeader(): Promise<string[]> {
  const double = await OllamaDouble.start({ models: [...DEFAULT_MODELS, USE_LITE] });
  const ws = await benchWorkspace('header');
  const copy = mkdtempSync(join(tmpdir(), 'citebot-bench-unnamed-'));
  const env = retrievalBenchEnv(ws, double.url);
  const settings: Settings = loadSettings({ env, dotenvDir: false });
  const defaults = [
    { FUSION: settings.FUSION, FUSION_DENSE_WEIGHT: settings.FUSION_DENSE_WEIGHT, FUSION_KEYWORD_WEIGHT: settings.FUSION_KEYWORD_WEIGHT },
  ];
  const rows: string[] = [];
  const row = (set: string, side: string, names: string, scored: Scored[]) => {
    const [dense, keyword, hybrid] = scored;
    rows.push(`| ${set} | ${side} | ${names} | ${fixed(dense!.hit1, 3)} | ${fixed(keyword!.hit1, 3)} | ${fixed(hybrid!.hit1, 3)} |`);
  };
  try {
    // SQuAD passages: by title, and numbered.
    const squad = parseEvalSet(readFileSync(join(SHARED, 'eval', 'squad2-dev-half.json'), 'utf8'));
    const questions = selectQuestions(squad.questions, { limit: LIMIT, answerableOnly: true });
    const numbered = squad.passages.map((p, i) => ({ ...p, source: `passage-${i + 1}.txt` }));
    if (nameCarriesSubject(numbered[0]!.source)) throw new Error('passage-N.txt should carry no subject');
    // The squad-en folder: real names, and a copy under file-N.<ext>.
    const folder = resolve(SHARED, 'corpus', 'squad-en');
    const files = readdirSync(folder).sort();
    const renamed = new Map(files.map((f, i) => [f, `file-${i + 1}${extname(f)}`]));
    for (const f of files) copyFileSync(join(folder, f), join(copy, renamed.get(f)!));
    const docQuestions = selectQuestions(parseDocQuestions(readFileSync(join(SHARED, 'eval', 'squad-en-questions.jsonl'), 'utf8')), {
      limit: LIMIT,
      answerableOnly: true,
    });
    for (const side of DENSE_SIDES) {
      for (const [names, passages] of [
        ['titles ("Normans-3.txt")', squad.passages],
        ['numbered ("passage-3.txt": no header)', numbered],
      ] as const) {
        const built = await buildEvalIndex(settings, ws.chroma.url, side.model, passages);
        try {
          row('SQuAD 2.0 dev (half), --qa', side.label, names, await scoreFusions(built, questions, defaults, settings.RERANK_CANDIDATES));
        } finally {
          await built.core.close();
        }
      }
      for (const [names, root, nameOf] of [
        ['real file names ("Normans.md")', folder, (f: string) => f],
        ['file-N.<ext> (no header)', copy, (f: string) => renamed.get(f)!],
      ] as const) {
        const { sources } = await collectLocalSources([root], '');
        const built = await openEvalIndex(settings, ws.chroma.url, side.model, {
          key: `bench-header-${side.model}-${root === folder ? 'named' : 'unnamed'}`,
          sources: (scope) => sources.map((s) => ({ ...s, scope })),
        });
        const qs = docQuestions.map((q) => ({
          id: q.id,
          question: q.question,
          answers: [],
          docId: localDocId(resolve(root, nameOf(q.doc))),
        }));
        try {
          row(
            'squad-en documents, --docs (document hit@1)',
            side.label,
            names,
            await scoreFusions(built, qs, defaults, settings.RERANK_CANDIDATES),
          );
        } finally {
          await built.core.close();
        }
      }
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
    await ws.close();
    await double.close();
  }
  return [
    '### The file-name header of the embedding input',
    '',
    `Command: \`npx tsx bench/embedding-header.ts\` (also part of \`npm run bench\`). The first ${LIMIT} answerable questions; RERANKER=none; hybrid at the defaults (${fusionLabel(defaults[0]!)}). Each set indexed twice, the texts the same, the names different: a name that names nothing is left out of the embedding input (src/store/chunk.ts, nameCarriesSubject), so those rows embed the text alone (the squad-en files' own section headings still lead their chunks). Keyword search indexes the file name as well (indexedText in src/store/chunk-store.ts, unchanged), so its column moves with the names too.`,
    '',
    '| set | dense side | names | dense hit@1 | keyword hit@1 | hybrid hit@1 |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'Read the dense column for the header itself (the keyword column is the name in the BM25 index, which stays). What citebot does with it: a name that names nothing is never embedded; a name that names a subject is, as the section heading is (see the README, "How indexing works").',
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.chdir(join(import.meta.dirname, '..'));
  console.log((await benchEmbeddingHeader()).join('\n'));
}
