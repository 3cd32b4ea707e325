/**
 * Peak memory on the largest text files the limits admit: the real CLI (compiled) ingests one
 * generated one-line text of 20 MB and one of MAX_FILE_MB (50 MB by default), against the Ollama
 * double and a fresh Chroma. Peak RSS is the process's VmHWM (worker threads included); the target is 600 MB.
 */
import { join } from 'node:path';
import { OllamaDouble } from '../test/doubles/ollama-double.js';
import { writeLargeText } from '../test/support/large-text.js';
import { benchWorkspace, fixed, machine, runMeasured, writeResultsSection } from './support.js';

const SIZES_MB = (process.env.BENCH_MEMORY_MB ?? '20,50').split(',').map(Number);

interface Measured {
  sizeMb: number;
  chunks: number;
  status: string;
  seconds: number;
  peakRssMb: number;
}

async function measure(sizeMb: number): Promise<Measured> {
  const double = await OllamaDouble.start();
  const ws = await benchWorkspace('memory');
  try {
    const file = join(ws.dataDir, `one-line-${sizeMb}mb.txt`);
    writeLargeText(file, sizeMb * 1024 * 1024);
    const env = {
      ...process.env,
      DATA_DIR: join(ws.dataDir, 'data'),
      CHROMA_URL: ws.chroma.url,
      OLLAMA_BASE_URL: double.url,
      LOG_LEVEL: 'error',
    };
    const run = await runMeasured(process.execPath, ['dist/cli.js', 'ingest', file, '--json'], env);
    if (run.code !== 0) throw new Error(`ingest of ${sizeMb} MB failed (${run.code}): ${run.stderr}`);
    const report = JSON.parse(run.stdout) as { files: { status: string; chunks: number }[] };
    return {
      sizeMb,
      chunks: report.files[0]!.chunks,
      status: report.files[0]!.status,
      seconds: run.wallMs / 1000,
      peakRssMb: run.peakRssMb,
    };
  } finally {
    await ws.close();
    await double.close();
  }
}

export async function benchMemory(): Promise<void> {
  const runs: Measured[] = [];
  for (const size of SIZES_MB) runs.push(await measure(size));
  const lines = [
    `Command: \`npm run bench\` (bench/memory.ts): \`node dist/cli.js ingest <file> --json\` on a generated one-line text (prose-like sentences, no newline), a fresh DATA_DIR and Chroma each time, against the Ollama double. Peak RSS is the CLI process's VmHWM, parser worker included; target ≤ 600 MB for any file the limits admit (MAX_FILE_MB=50). Machine: ${machine()}.`,
    '',
    '| file | status | chunks | wall time | **peak RSS** |',
    '|---|---|---|---|---|',
    ...runs.map(
      (m) => `| ${m.sizeMb} MB, one line | ${m.status} | ${m.chunks} | ${fixed(m.seconds, 1)} s | **${fixed(m.peakRssMb, 0)} MB** |`,
    ),
    '',
    'Before issue 11 the 20 MB file peaked at 944–977 MB (whitespace normalising built one replacement part per space of the line, and every embed/upsert batch of the file was in flight at once).',
  ];
  writeResultsSection('Memory on large files (issue 11)', lines.join('\n'));
  console.log(lines.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchMemory();
}
