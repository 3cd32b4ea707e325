/**
 * Retrieval quality on the public question sets (issue 6), with the compiled CLI against the Ollama
 * double (RERANKER=none):
 * - `citebot eval --qa` over the first 1,000 answerable questions of ../shared/eval/squad2-dev-half.json
 *   and cmrc2018-trial.json, at the default chunk size and at the previous one (350 tokens);
 * - `citebot eval --docs ../shared/corpus/squad-en --qa ../shared/eval/squad-en-questions.jsonl`, end to end.
 * Each command runs twice on the same data directory: the first run indexes (fresh cache), the second
 * finds everything cached, so the difference is the indexing time and the rest is asking the questions.
 * The double's embeddings are a hashed bag of words, so dense rows measure the pipeline, not a real
 * model; keyword and hybrid rows (and the end-to-end document hits) are the ones to hold to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OllamaDouble } from '../test/doubles/ollama-double.js';
import { benchWorkspace, fixed, machine, retrievalBenchEnv, runMeasured, SHARED, writeResultsSection, type ChildRun } from './support.js';

interface RetrievalReport {
  questions: number;
  configurations: {
    name: string;
    retrieval: string;
    hit: Record<string, number>;
    recall10: number;
    mrr10: number;
    p50Ms: number;
    p95Ms: number;
  }[];
}
interface DocsReport {
  questions: number;
  documentHit1: number;
  sectionHit1: number;
  documentHit5: number;
}

interface TwoRuns {
  fresh: ChildRun;
  cached: ChildRun;
  /** The cached run's --json output. */
  stdout: string;
  /** What the fresh run's indexing table said: seconds indexing, chunks embedded, texts per second. */
  indexing: { seconds: number; chunks: number; textsPerSecond: string };
}

const QUESTIONS = ['--limit', '1000', '--answerable-only'];
const MODEL = 'nomic-embed-text';

/** The row of the CLI's indexing table: "│ model │ passages │ chunks embedded │ index s │ texts/s │". */
function indexingRow(table: string): TwoRuns['indexing'] {
  const row = new RegExp(`│\\s*${MODEL}\\s*│\\s*\\d+\\s*│\\s*(\\d+)\\s*│\\s*([\\d.]+)\\s*│\\s*([\\d.]+|cached)\\s*│`).exec(table);
  if (!row) throw new Error(`no indexing row in:\n${table}`);
  return { chunks: Number(row[1]), seconds: Number(row[2]), textsPerSecond: row[3]! };
}

/**
 * Run one eval command twice on one data directory: with a fresh cache (its table says how long
 * indexing took), then cached with --json (the numbers; only the questions are embedded).
 */
async function twice(args: string[], env: NodeJS.ProcessEnv): Promise<TwoRuns> {
  const dataDir = mkdtempSync(join(tmpdir(), 'citebot-bench-evaldata-'));
  try {
    const runEnv = { ...env, DATA_DIR: dataDir };
    const fresh = await runMeasured(process.execPath, ['dist/cli.js', 'eval', ...args], runEnv);
    if (fresh.code !== 0) throw new Error(`eval failed: ${fresh.stderr}`);
    const cached = await runMeasured(process.execPath, ['dist/cli.js', 'eval', ...args, '--json'], runEnv);
    if (cached.code !== 0) throw new Error(`eval failed: ${cached.stderr}`);
    return { fresh, cached, stdout: cached.stdout, indexing: indexingRow(fresh.stdout) };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const seconds = (ms: number) => `${fixed(ms / 1000, 0)} s`;

/** "62 s, indexing 9.6 s (1,100 chunks, 115 texts/s) / 33 s". */
function timing(runs: TwoRuns): string {
  const i = runs.indexing;
  return `${seconds(runs.fresh.wallMs)}, indexing ${fixed(i.seconds, 1)} s (${i.chunks} chunks, ${i.textsPerSecond} texts/s) / ${seconds(runs.cached.wallMs)}`;
}

/** Time spent retrieving, per configuration: questions × p50, as a share of the cached run. */
function askingShares(report: RetrievalReport, runs: TwoRuns): string {
  return report.configurations
    .map((c) => `${c.retrieval} ${fixed(((c.p50Ms * report.questions) / runs.cached.wallMs) * 100, 0)} %`)
    .join(', ');
}

export async function benchEval(): Promise<void> {
  const double = await OllamaDouble.start();
  const ws = await benchWorkspace('eval');
  // Each run gets its own DATA_DIR (see twice()); the workspace's is unused.
  const env = retrievalBenchEnv(ws, double.url);
  const rows: string[] = [];
  const shares: string[] = [];
  /** Hybrid hit@1 / hit@5 at the default chunk size, per set file. */
  const hybrid = new Map<string, { hit1: number; hit5: number }>();
  let docsRow: string | undefined;
  let documentHit1: number | undefined;
  try {
    for (const [label, file] of [
      ['SQuAD 2.0 dev (half)', 'squad2-dev-half.json'],
      ['CMRC 2018 trial', 'cmrc2018-trial.json'],
    ] as const) {
      for (const chunkTokens of ['512', '350']) {
        const runs = await twice(['--qa', join(SHARED, 'eval', file), ...QUESTIONS], { ...env, CHUNK_TOKENS: chunkTokens });
        const report = JSON.parse(runs.stdout) as RetrievalReport;
        for (const c of report.configurations) {
          rows.push(
            `| ${label} | ${chunkTokens} | ${c.retrieval} | ${fixed(c.hit['1']!, 3)} | ${fixed(c.hit['5']!, 3)} | ${fixed(c.recall10, 3)} | ${fixed(c.mrr10, 3)} | ${fixed(c.p50Ms, 1)} / ${fixed(c.p95Ms, 1)} | ${timing(runs)} |`,
          );
        }
        shares.push(`${label}, ${chunkTokens}: ${askingShares(report, runs)}`);
        const h = report.configurations.find((c) => c.retrieval === 'hybrid');
        if (h && chunkTokens === '512') hybrid.set(file, { hit1: h.hit['1']!, hit5: h.hit['5']! });
      }
    }
    const runs = await twice(
      ['--docs', join(SHARED, 'corpus', 'squad-en'), '--qa', join(SHARED, 'eval', 'squad-en-questions.jsonl'), ...QUESTIONS],
      env,
    );
    const docs = JSON.parse(runs.stdout) as DocsReport;
    documentHit1 = docs.documentHit1;
    docsRow = `| ${docs.questions} | **${fixed(docs.documentHit1, 3)}** | ${fixed(docs.sectionHit1, 3)} | ${fixed(docs.documentHit5, 3)} | ${timing(runs)} |`;
  } finally {
    await ws.close();
    await double.close();
  }
  const lines = [
    `Command: \`npm run bench\` (bench/eval.ts), or alone: \`npm run build && npx tsx bench/eval.ts\`. Each eval runs twice on one data directory, with RERANKER=none, against the Ollama double (answering at once): first with a fresh cache (it indexes; its indexing time is the CLI's own figure), then cached, with --json. Wall times are on a shared machine and vary by ±30 % from run to run. Keyword rates are the same on every run; dense (and so hybrid) rates can move by about ±0.01 between index builds, since Chroma's HNSW graph depends on the order vectors arrive in. Machine: ${machine()}.`,
    '',
    '### `citebot eval --qa ../shared/eval/<set> --limit 1000 --answerable-only [--json]`',
    '',
    'Defaults: keyword search = FTS5 BM25 candidates rescored with the term-proximity bonus; hybrid = adaptive fusion (FUSION=adaptive), dense 0.2 / keyword 0.8; CHUNK_TOKENS 512 (the 350 rows use the previous size).',
    '',
    'Before (commit 9d051a3: FTS5 BM25 alone, RRF 0.5 / 0.5, 350-token chunks; same command): SQuAD keyword 0.827 / 0.952, hybrid 0.710 / 0.923 (hit@1 / hit@5); CMRC keyword 0.927 / 0.989, hybrid 0.834 / 0.974; dense 0.539 / 0.810 and 0.746 / 0.922.',
    '',
    '| set | chunk tokens | retrieval | hit@1 | hit@5 | recall@10 | MRR@10 | p50 / p95 ms | run: fresh cache / cached |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Where the time goes (questions × p50 latency, as a share of the cached run): ${shares.join('; ')}. The rest is start-up (~1 s: Node, SQLite, the keyword worker, Chroma's client), reading the set and judging the answers. Dense and hybrid cost ~10–15 ms a question because each embeds the question (an HTTP call to the double) and searches Chroma; BM25 with the proximity rescoring costs ~1–2 ms. On a fresh cache, indexing comes first, and Chroma dominates it: profiled (\`node --cpu-prof dist/cli.js eval --qa …/cmrc2018-trial.json --limit 1\`, embedded Chroma), the CLI's main thread was idle 15.4 of 18.8 s, parsing, chunking and keyword terms took < 0.5 s in all, and the Chroma server child used ~17 s of CPU. Each SQuAD/CMRC paragraph is a document of its own, so indexing is one Chroma upsert (and one SQLite transaction) per paragraph: 646 and 256 of them here, against 16 for the 584 chunks of the end-to-end folder, which indexes several times faster per chunk. Embedding is free here (the double answers at once); with a real model add chunks ÷ its texts per second.`,
    '',
    '### `citebot eval --docs ../shared/corpus/squad-en --qa ../shared/eval/squad-en-questions.jsonl --limit 1000 --answerable-only [--json]`',
    '',
    '16 files (Markdown, HTML, DOCX, PDF, PPTX, text) through the normal ingest; each question through the retrieval and rerank path of `ask` (hybrid, RERANKER=none), no LLM.',
    '',
    '| questions | document hit@1 | section hit@1 | document hit@5 | run: fresh cache / cached |',
    '|---|---|---|---|---|',
    docsRow ?? '',
    '',
    `Target (issue 6): the top citation from the gold document for ≥ 0.95 of the first 1,000 answerable questions: ${documentHit1 === undefined ? 'not run' : documentHit1 >= 0.95 ? 'met' : '**not met**'}. Section hit@1 asks for the exact \`Part N\` (of 23–49 per article); a neighbouring part that also contains the answer counts as a miss there.`,
  ];
  const squad = hybrid.get('squad2-dev-half.json');
  const cmrc = hybrid.get('cmrc2018-trial.json');
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');
  lines.splice(
    lines.indexOf(
      '### `citebot eval --docs ../shared/corpus/squad-en --qa ../shared/eval/squad-en-questions.jsonl --limit 1000 --answerable-only [--json]`',
    ),
    0,
    `Targets (issue 6), hybrid at the defaults: SQuAD hit@1 ≥ 0.85 and hit@5 ≥ 0.95: ${squad ? `${fixed(squad.hit1, 3)} / ${fixed(squad.hit5, 3)}, ${met(squad.hit1 >= 0.85 && squad.hit5 >= 0.95)}` : 'not run'}; CMRC hit@1 ≥ 0.95: ${cmrc ? `${fixed(cmrc.hit1, 3)}, ${met(cmrc.hit1 >= 0.95)}` : 'not run'}. With 1,000 questions one question is 0.001, and the binomial standard error of a rate near 0.85 is about 0.011: the SQuAD and CMRC margins are within noise of the thresholds.`,
    '',
  );
  writeResultsSection('Retrieval quality on the eval sets (issue 6)', lines.join('\n'));
  console.log(lines.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.chdir(join(import.meta.dirname, '..'));
  await benchEval();
}
