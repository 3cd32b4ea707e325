import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaDouble } from './doubles/ollama-double.js';
import { createTestCore, memorySource, testEnv } from './support/harness.js';
import { writeLargeText } from './support/large-text.js';
import { writePdfCorpus } from './support/pdf-corpus.js';
import { runMeasured } from '../bench/support.js';

const CHILD = join(import.meta.dirname, 'support', 'ingest-rss-child.ts');
const MB = 1024 * 1024;

/** Ingest one file in a process of its own and read back its result and peak RSS (worker threads included). */
function ingestInChild(file: string, env: NodeJS.ProcessEnv): Promise<{ result: { status: string; chunks: number }; maxRssMb: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`child exited ${code}: ${stderr}`)))),
  );
}

describe('memory on large files', () => {
  let double: OllamaDouble;
  const cleanup: string[] = [];
  beforeAll(async () => {
    double = await OllamaDouble.start();
  });
  afterAll(async () => {
    await double.close();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('a 20 MB one-line text is indexed within 600 MB of peak RSS', { timeout: 600_000 }, async () => {
    const { env, dataDir } = testEnv(double.url);
    cleanup.push(dataDir);
    const file = join(dataDir, 'one-line.txt');
    writeLargeText(file, 20 * MB);
    const { result, maxRssMb } = await ingestInChild(file, env);
    expect(result.status).toBe('indexed');
    expect(result.chunks).toBeGreaterThan(5000);
    expect(maxRssMb).toBeLessThanOrEqual(600);
  });

  it(
    'a folder of varied PDFs (scans, specks, huge images, broken, large) stays within INGEST_MEMORY_MB, and tesseract says nothing on stderr',
    { timeout: 1_200_000 },
    async () => {
      // The built CLI (npm run build first), as a user runs it: from sources every parser worker would also load tsx.
      const budgetMb = 1024;
      const { env, dataDir } = testEnv(double.url, { INGEST_MEMORY_MB: String(budgetMb), LOG_LEVEL: 'warn' });
      cleanup.push(dataDir);
      const folder = join(dataDir, 'pdfs');
      const mix = await writePdfCorpus(folder, 40);
      const run = await runMeasured(process.execPath, [join(import.meta.dirname, '..', 'dist', 'cli.js'), 'ingest', folder, '--json'], env);
      const report = JSON.parse(run.stdout) as { files: { path: string; status: string; error?: string }[] };
      expect(report.files).toHaveLength(40);
      expect(report.files.filter((f) => f.status === 'indexed').length).toBeGreaterThanOrEqual(mix.text);
      // Every file not indexed says why.
      for (const f of report.files.filter((f) => f.status !== 'indexed')) expect(f.error, f.path).toBeTruthy();
      expect(run.peakRssMb).toBeLessThanOrEqual(budgetMb);
      expect(run.stderr).not.toMatch(/Image too small to scale|Line cannot be recognized/);
    },
  );

  it('refuses degenerate text with a reason: one word repeated, or no word break, for megabytes', async () => {
    const t = await createTestCore(double);
    try {
      const indexer = await t.core.indexer();
      double.reset();
      const repeated = await indexer.ingest(memorySource('local:default', 'spam.txt', 'spam '.repeat(600_000)));
      expect(repeated).toMatchObject({ status: 'failed', chunks: 0, error: 'degenerate text: a megabyte of the same word repeated' });
      const blob = await indexer.ingest(memorySource('local:default', 'blob.txt', 'QUJD'.repeat(700_000)));
      expect(blob).toMatchObject({ status: 'failed', error: 'degenerate text: over 2 MB without a space or punctuation' });
      expect(double.stats.textsEmbedded).toBe(0);
    } finally {
      await t.close();
    }
  });
});
