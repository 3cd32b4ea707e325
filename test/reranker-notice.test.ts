import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { warmReranker } from '../src/cli/serve.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { runCli } from './support/cli.js';
import { createTestCore, memorySource, testEnv } from './support/harness.js';

// A cross-encoder that cannot load: the state of any machine where the default model cannot be downloaded.
const BROKEN_RERANKER = { RERANKER: 'cross-encoder', RERANK_MODEL_PATH: '/nonexistent/reranker-model' };
const HANDBOOK = '# Handbook\n\nReceipts are due within 30 days of the trip. The reimbursement code is EXP-4471.\n';

describe('an unavailable reranker is said once per process, and is a doctor warning', () => {
  let ollama: OllamaDouble;
  const dirs: string[] = [];
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
  });
  afterAll(async () => {
    await ollama.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("serve's warm-up and the questions after it log one line between them", async () => {
    const t = await createTestCore(ollama, { ...BROKEN_RERANKER, LOG_LEVEL: 'info' });
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      await (await t.core.indexer()).ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
      await warmReranker(t.core);
      for (const question of ['reimbursement code', 'when are receipts due']) {
        const answer = await t.core.answerChain().invoke({ question, scopes: ['local:default'] });
        expect(answer.degraded?.map((d) => d.type)).toContain('fusion-order');
      }
    } finally {
      spy.mockRestore();
      await t.close();
    }
    const lines = written
      .join('')
      .split('\n')
      .filter((l) => /rerank/i.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/ warn {2}reranker unavailable: answers use fusion order \(dense \+ keyword\) until it loads: /),
    ]);
  });

  it('`citebot ask` says it once, under the answer as the README shows (`(note: reranker unavailable: …)`), not in the log', async () => {
    const { env, dataDir } = testEnv(ollama.url, { ...BROKEN_RERANKER, LOG_LEVEL: 'info' });
    dirs.push(dataDir);
    const folder = mkdtempSync(join(tmpdir(), 'citebot-rerank-'));
    dirs.push(folder);
    writeFileSync(join(folder, 'handbook.md'), HANDBOOK);
    expect((await runCli(['ingest', folder], env)).code).toBe(0);
    const asked = await runCli(['ask', 'What is the reimbursement code?'], env);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toContain('handbook.md');
    const mentions = `${asked.stdout}\n${asked.stderr}`.split('\n').filter((l) => /reranker/i.test(l));
    expect(mentions).toHaveLength(1);
    expect(mentions[0]).toMatch(/^\(note: reranker unavailable: fusion order used \(/);
    expect(asked.stdout).toContain(mentions[0]);

    // The JSON contract still carries the degradation for the one answer.
    const json = JSON.parse((await runCli(['ask', 'What is the reimbursement code?', '--json'], env)).stdout) as {
      degraded?: { type: string }[];
    };
    expect(json.degraded?.map((d) => d.type)).toContain('fusion-order');
  });

  it('doctor: an unavailable reranker is a warning with the fallback, and doctor exits 0', async () => {
    const { env, dataDir } = testEnv(ollama.url, BROKEN_RERANKER);
    dirs.push(dataDir);
    const result = await runCli(['doctor', '--json'], env);
    const { ok, checks } = JSON.parse(result.stdout) as { ok: boolean; checks: { name: string; status: string; detail: string }[] };
    expect(checks.find((c) => c.name === 'reranker')).toMatchObject({
      status: 'warning',
      detail: expect.stringMatching(/answers use fusion order/),
    });
    expect(checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(ok).toBe(true);
    expect(result.code).toBe(0);
  });
});
