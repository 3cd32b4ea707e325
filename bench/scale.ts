/**
 * Index size and memory at scale: 100,000 synthetic chunks written through the real index.
 * Embeddings come from the Ollama double at no cost, so this measures citebot, Chroma and SQLite.
 */
import { join } from 'node:path';
import { OllamaDouble } from '../test/doubles/ollama-double.js';
import { benchWorkspace, duSync, fixed, machine, mb, ROOT, runMeasured, writeResultsSection } from './support.js';

const CHUNKS = Number(process.env.BENCH_SCALE_CHUNKS ?? 100_000);

export async function benchScale(): Promise<void> {
  const double = await OllamaDouble.start();
  const ws = await benchWorkspace('scale');
  const dataDir = join(ws.dataDir, 'data');
  const env = { ...process.env, DATA_DIR: dataDir, CHROMA_URL: ws.chroma.url, OLLAMA_BASE_URL: double.url, LOG_LEVEL: 'error' };
  try {
    const run = await runMeasured(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'scale-runner.ts'), String(CHUNKS)], env);
    if (run.code !== 0) throw new Error(`scale runner failed: ${run.stderr}`);
    const result = JSON.parse(run.stdout) as { chunks: number; seconds: number; keywordCount: number; vectorCount: number };
    const chromaBytes = duSync(join(ws.dataDir, 'chroma-server'));
    const sqliteBytes = duSync(join(dataDir, 'citebot.sqlite')) + duSync(join(dataDir, 'citebot.sqlite-wal'));
    const lines = [
      `Command: \`npm run bench\` (bench/scale.ts): ${CHUNKS.toLocaleString('en')} synthetic chunks (~60 words each, 100 per document, Zipf-distributed vocabulary) written through DocumentIndex with 768-dimension vectors from the Ollama double at no embedding cost. Machine: ${machine()}.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| chunks in Chroma / keyword index | ${result.vectorCount} / ${result.keywordCount} |`,
      `| time | ${fixed(result.seconds, 1)} s (${fixed(result.chunks / result.seconds, 0)} chunks/s) |`,
      `| Chroma on disk | ${fixed(mb(chromaBytes), 0)} MB |`,
      `| keyword index + ledger (SQLite) on disk | ${fixed(mb(sqliteBytes), 0)} MB |`,
      `| citebot peak RSS | **${fixed(run.peakRssMb, 0)} MB** (target ≤ 1024 MB) |`,
    ];
    writeResultsSection('Index at 100,000 chunks (issue 2)', lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    await ws.close();
    await double.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchScale();
