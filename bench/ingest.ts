/**
 * Ingest throughput: the real CLI (compiled) over ../shared/corpus/{squad-en,cmrc-zh,samples}, with
 * the Ollama double charging a fixed cost per embedded text and serving one request at a time, as
 * Ollama does on one GPU. The overhead ratio (wall time ÷ time the double spent embedding) says how
 * well the pipeline keeps the embedding model busy: 1.0 is perfect.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { OllamaDouble } from '../test/doubles/ollama-double.js';
import { benchWorkspace, fixed, machine, mb, ROOT, runMeasured, SHARED, writeResultsSection } from './support.js';

const EMBED_MS_PER_TEXT = Number(process.env.BENCH_EMBED_MS ?? 2);
const FOLDERS = ['squad-en', 'cmrc-zh', 'samples'].map((f) => join(SHARED, 'corpus', f));

interface Report {
  files: { path: string; status: string; chunks: number }[];
  totals: { files: number; chunks: number; indexed: number; unchanged: number; skipped: number; failed: number };
}

export async function benchIngest(): Promise<void> {
  const double = await OllamaDouble.start({ embedDelayMsPerText: EMBED_MS_PER_TEXT, serializeEmbeds: true });
  const ws = await benchWorkspace('ingest');
  const env = {
    ...process.env,
    DATA_DIR: join(ws.dataDir, 'data'),
    CHROMA_URL: ws.chroma.url,
    OLLAMA_BASE_URL: double.url,
    EMBED_BATCH_SIZE: '64',
    LOG_LEVEL: 'error',
  };
  const cli = ['dist/cli.js', 'ingest', ...FOLDERS, '--json'];
  try {
    const first = await runMeasured(process.execPath, cli, env);
    if (first.code !== 0 && first.code !== 1) throw new Error(`ingest failed (${first.code}): ${first.stderr}`);
    const report = JSON.parse(first.stdout) as Report;
    const embedMs = double.stats.embedMs;
    const texts = double.stats.textsEmbedded;
    const bytes = report.files.reduce((n, f) => n + statSync(f.path).size, 0);
    const seconds = first.wallMs / 1000;

    double.reset();
    const second = await runMeasured(process.execPath, cli, env);
    const again = JSON.parse(second.stdout) as Report;

    const t = report.totals;
    const lines = [
      `Command: \`npm run bench\` (bench/ingest.ts): \`node dist/cli.js ingest ../shared/corpus/{squad-en,cmrc-zh,samples} --json\` against the Ollama double at ${EMBED_MS_PER_TEXT} ms per embedded text, one request at a time, EMBED_BATCH_SIZE=64, EMBED_CONCURRENCY=2; a fresh DATA_DIR and Chroma. Machine: ${machine()}.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| files | ${t.files} (${t.indexed} indexed, ${t.skipped} skipped, ${t.failed} failed) |`,
      `| chunks | ${t.chunks} (${texts} texts embedded) |`,
      `| wall time, whole CLI run | ${fixed(seconds, 2)} s |`,
      `| files/s | ${fixed(t.files / seconds)} |`,
      `| chunks/s | ${fixed(t.chunks / seconds)} |`,
      `| MB/s (file bytes) | ${fixed(mb(bytes) / seconds, 2)} of ${fixed(mb(bytes))} MB |`,
      `| peak RSS | ${fixed(first.peakRssMb, 0)} MB |`,
      `| time the double spent embedding | ${fixed(embedMs / 1000, 2)} s |`,
      `| **overhead ratio** (wall ÷ embedding) | **${fixed(first.wallMs / embedMs, 2)}** (target ≤ 1.3) |`,
      `| re-ingest, unchanged corpus | ${fixed(second.wallMs / 1000, 2)} s, ${again.totals.unchanged} unchanged, ${double.stats.textsEmbedded} texts embedded (target ≤ 2 s) |`,
      `| re-ingest peak RSS | ${fixed(second.peakRssMb, 0)} MB |`,
    ];
    writeResultsSection('Ingest throughput (issue 2)', lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    await ws.close();
    await double.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.cwd() !== ROOT) process.chdir(ROOT);
  await benchIngest();
}
