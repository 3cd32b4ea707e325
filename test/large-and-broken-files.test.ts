import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaDouble } from './doubles/ollama-double.js';
import { createTestCore, memorySource, testEnv } from './support/harness.js';
import { writePdfCorpus } from './support/pdf-corpus.js';
import { runMeasured } from '../bench/support.js';

describe('large, broken and degenerate files', () => {
  let double: OllamaDouble;
  const cleanup: string[] = [];
  beforeAll(async () => {
    double = await OllamaDouble.start();
  });
  afterAll(async () => {
    await double.close();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it(
    // Its peak RSS against INGEST_MEMORY_MB, and a 20 MB one-line text's, are benchmarks (bench/pdf-folder.ts, bench/memory.ts).
    'a folder of varied PDFs (scans, specks, huge images, broken, large): every file indexed or reported with a reason, and tesseract says nothing on stderr',
    { timeout: 600_000 },
    async () => {
      // The built CLI (npm run build first), as a user runs it: from sources every parser worker would also load tsx.
      const budgetMb = 1024;
      const { env, dataDir } = testEnv(double.url, { INGEST_MEMORY_MB: String(budgetMb), LOG_LEVEL: 'warn' });
      cleanup.push(dataDir);
      const folder = join(dataDir, 'pdfs');
      const mix = await writePdfCorpus(folder, 12);
      const run = await runMeasured(process.execPath, [join(import.meta.dirname, '..', 'dist', 'cli.js'), 'ingest', folder, '--json'], env);
      const report = JSON.parse(run.stdout) as { files: { path: string; status: string; error?: string }[] };
      expect(report.files).toHaveLength(12);
      expect(report.files.filter((f) => f.status === 'indexed').length).toBeGreaterThanOrEqual(mix.text);
      // Every file not indexed says why.
      for (const f of report.files.filter((f) => f.status !== 'indexed')) expect(f.error, f.path).toBeTruthy();
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
