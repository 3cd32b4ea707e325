/**
 * The index at scale. Phase 1 writes 100,000 synthetic chunks into one scope through the real index
 * (issue 2: time, size on disk, RSS); phase 2 adds 100,000 in other scopes; phase 3 measures
 * retrieval latency for 200 questions in the first scope (issue 3). Embeddings come from the Ollama
 * double answering at once, so this measures citebot, Chroma and SQLite.
 */
import { join } from 'node:path';
import { OllamaDouble } from '../test/doubles/ollama-double.js';
import { benchWorkspace, duSync, fixed, machine, mb, ROOT, runMeasured, writeResultsSection } from './support.js';

const CHUNKS = Number(process.env.BENCH_SCALE_CHUNKS ?? 100_000);
const QUESTIONS = Number(process.env.BENCH_QUESTIONS ?? 200);
const SCOPE = 'slack:TBENCH:CASKED';

export async function benchScale(): Promise<void> {
  const double = await OllamaDouble.start();
  const ws = await benchWorkspace('scale');
  const dataDir = join(ws.dataDir, 'data');
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    CHROMA_URL: ws.chroma.url,
    OLLAMA_BASE_URL: double.url,
    LOG_LEVEL: 'error',
    RERANKER: 'none',
  };
  const tsx = (script: string, ...args: string[]) =>
    runMeasured(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', script), ...args], env);
  try {
    const write = await tsx('scale-runner.ts', String(CHUNKS), SCOPE, '0');
    if (write.code !== 0) throw new Error(`scale runner failed: ${write.stderr}`);
    const result = JSON.parse(write.stdout) as { chunks: number; seconds: number; keywordCount: number; vectorCount: number };
    const chromaBytes = duSync(join(ws.dataDir, 'chroma-server'));
    const sqliteBytes = duSync(join(dataDir, 'citebot.sqlite')) + duSync(join(dataDir, 'citebot.sqlite-wal'));
    const lines = [
      `Command: \`npm run bench\` (bench/scale.ts, phase 1): ${CHUNKS.toLocaleString('en')} synthetic chunks (~60 words each, 100 per document, Zipf-distributed vocabulary) written through DocumentIndex with 768-dimension vectors from the Ollama double at no embedding cost. Machine: ${machine()}.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| chunks in Chroma / keyword index | ${result.vectorCount} / ${result.keywordCount} |`,
      `| time | ${fixed(result.seconds, 1)} s (${fixed(result.chunks / result.seconds, 0)} chunks/s) |`,
      `| Chroma on disk | ${fixed(mb(chromaBytes), 0)} MB |`,
      `| keyword index + ledger (SQLite) on disk | ${fixed(mb(sqliteBytes), 0)} MB |`,
      `| citebot peak RSS | **${fixed(write.peakRssMb, 0)} MB** (target ≤ 1024 MB) |`,
    ];
    writeResultsSection('Index at 100,000 chunks (issue 2)', lines.join('\n'));
    console.log(lines.join('\n'));

    const others = await tsx('scale-runner.ts', String(CHUNKS), 'slack:TBENCH:COTHER1,discord:GBENCH:COTHER2', '1');
    if (others.code !== 0) throw new Error(`scale runner (other scopes) failed: ${others.stderr}`);
    const retrieval = await runMeasured(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench', 'retrieval-runner.ts'), SCOPE, String(QUESTIONS)],
      { ...env, LOG_LEVEL: 'debug' },
    );
    if (retrieval.code !== 0) throw new Error(`retrieval runner failed: ${retrieval.stderr}`);
    const r = JSON.parse(retrieval.stdout) as {
      firstP50: number;
      firstP95: number;
      firstSlow: number;
      firstSlowInFirstQuarter: number;
      questions: number;
      p50: number;
      p95: number;
      max: number;
      keywordP50: number;
      keywordP95: number;
      denseP50: number;
      denseP95: number;
      avgDenseHits: number;
      avgKeywordHits: number;
    };
    const fallbacks = retrieval.stderr.split('too few in-scope candidates').length - 1;
    const shortfalls = retrieval.stderr.split('unfiltered search came up short').length - 1;
    const rows = [
      `Command: \`npm run bench\` (bench/scale.ts, phases 2–3): the index above plus ${CHUNKS.toLocaleString('en')} chunks in two other scopes, then ${r.questions} questions asked in the first scope through HybridRetriever (query embedding by the Ollama double answering at once + Chroma top 30 in the scope — an unfiltered search cut to the scope, asked once more wider if it comes up short, since the scope holds half the index (see ScopedDenseRetriever) — alongside BM25 top 30 in a worker thread, then fusion). Machine: ${machine()}.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| first pass, right after the bulk write: p50 / p95 | ${fixed(r.firstP50, 1)} / ${fixed(r.firstP95, 1)} ms (${r.firstSlow} questions over 2× p50, ${r.firstSlowInFirstQuarter} of them in the first quarter) |`,
      `| retrieval p50 (second pass, steady state) | **${fixed(r.p50, 1)} ms** (target ≤ 30 ms) |`,
      `| retrieval p95 (second pass) | **${fixed(r.p95, 1)} ms** (target ≤ 80 ms) |`,
      `| dense searches that fell back to Chroma's filter | ${fallbacks} of ${2 * r.questions + r.questions} (unfiltered searches that came up short and were widened or fell back: ${shortfalls}) |`,
      `| retrieval max | ${fixed(r.max, 1)} ms |`,
      `| BM25 alone (in the worker's engine, measured inline), p50 / p95 | ${fixed(r.keywordP50, 1)} / ${fixed(r.keywordP95, 1)} ms |`,
      `| dense alone (query embedding + Chroma), p50 / p95 | ${fixed(r.denseP50, 1)} / ${fixed(r.denseP95, 1)} ms |`,
      `| hits per question, dense / keyword | ${fixed(r.avgDenseHits)} / ${fixed(r.avgKeywordHits)} (all in the question's scope) |`,
      `| citebot peak RSS while answering | ${fixed(retrieval.peakRssMb, 0)} MB |`,
    ];
    writeResultsSection('Retrieval latency at 200,000 chunks (issue 3)', rows.join('\n'));
    console.log(rows.join('\n'));
  } finally {
    await ws.close();
    await double.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchScale();
