import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaDouble } from './doubles/ollama-double.js';
import { createTestCore, memorySource, testEnv } from './support/harness.js';
import { writeLargeText } from './support/large-text.js';
import { writePdfCorpus } from './support/pdf-corpus.js';

const CHILD = join(import.meta.dirname, 'support', 'ingest-rss-child.ts');
const MB = 1024 * 1024;

interface ChildIngest<R> {
  result: R;
  maxRssMb: number;
  stderr: string;
}

/** Ingest one file (or a folder) in a process of its own and read back its result(s), peak RSS (worker threads included) and stderr. */
function ingestInChild<R = { status: string; chunks: number }>(file: string, env: NodeJS.ProcessEnv): Promise<ChildIngest<R>> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve({ ...JSON.parse(stdout), stderr }) : reject(new Error(`child exited ${code}: ${stderr}`)),
    ),
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
      const budgetMb = 1024;
      const { env, dataDir } = testEnv(double.url, { INGEST_MEMORY_MB: String(budgetMb), LOG_LEVEL: 'warn' });
      cleanup.push(dataDir);
      const folder = join(dataDir, 'pdfs');
      const mix = await writePdfCorpus(folder, 40);
      const { result, maxRssMb, stderr } = await ingestInChild<{ source: string; status: string; error?: string }[]>(folder, env);
      expect(result).toHaveLength(40);
      expect(result.filter((r) => r.status === 'indexed').length).toBeGreaterThanOrEqual(mix.text);
      // Every file not indexed says why.
      for (const r of result.filter((r) => r.status !== 'indexed')) expect(r.error, r.source).toBeTruthy();
      expect(maxRssMb).toBeLessThanOrEqual(budgetMb);
      expect(stderr).not.toMatch(/Image too small to scale|Line cannot be recognized/);
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
