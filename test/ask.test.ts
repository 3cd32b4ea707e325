import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTerminalChat } from '../src/cli/terminal-chat.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { runCli as run } from './support/cli.js';
import { createTestCore, testEnv } from './support/harness.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'docs');

describe('citebot ask and chat', () => {
  let double: OllamaDouble;
  const cleanup: string[] = [];
  beforeAll(async () => {
    double = await OllamaDouble.start();
  });
  afterAll(async () => {
    await double.close();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('ask --json follows the contract: every [n] has its citation, with timings', async () => {
    const { env, dataDir } = testEnv(double.url);
    cleanup.push(dataDir);
    const ingest = await run(['ingest', join(FIXTURES, 'Normans.md'), join(FIXTURES, 'pdflatex-4-pages.pdf'), '--json'], env);
    expect(ingest.code).toBe(0);
    const result = await run(['ask', 'In what country is Normandy located?', '--json'], env);
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as {
      answer: string;
      citations: { n: number; source: string; url: string; location: string; chunkId: string; score: number; snippet: string }[];
      timings: Record<string, number>;
      droppedCitations: number;
    };
    expect(answer.citations[0]).toMatchObject({ n: 1, source: 'Normans.md', location: expect.stringMatching(/^Normans > Part \d+$/) });
    expect(answer.citations[0]!.url).toBe(join(FIXTURES, 'Normans.md'));
    for (const c of answer.citations)
      expect(Object.keys(c).sort()).toEqual(['chunkId', 'location', 'n', 'score', 'snippet', 'source', 'url']);
    for (const m of answer.answer.matchAll(/\[(\d+)\]/g)) expect(answer.citations.map((c) => c.n)).toContain(Number(m[1]));
    expect(Object.keys(answer.timings).sort()).toEqual(['generateMs', 'rerankMs', 'retrieveMs', 'totalMs']);
    expect(answer.droppedCitations).toBe(0);

    // A reasoning model citing [Source n] and a source that does not exist: no reasoning, verified [n], the invented one counted.
    double.configure({ answerShape: { reasoning: 'think-tags', citationStyle: 'source-brackets', citeMissingSource: true } });
    const shaped = JSON.parse((await run(['ask', 'In what country is Normandy located?', '--json'], env)).stdout) as typeof answer;
    double.configure({ answerShape: null });
    expect(shaped.answer).not.toMatch(/<\/?think|Okay, the user|Source|\[99\]/u);
    expect(shaped.answer).toMatch(/\[1\]/u);
    expect(shaped.citations[0]?.n).toBe(1);
    expect(shaped.droppedCitations).toBe(1);

    // A scope with nothing in it: a clear answer, no LLM call.
    double.reset();
    const empty = JSON.parse((await run(['ask', 'Anything?', '--scope', 'slack:T1:C1', '--json'], env)).stdout) as { noEvidence: boolean };
    expect(empty.noEvidence).toBe(true);
    expect(double.stats.requests.chat).toBe(0);
  });

  it('RERANKER=none: a question the files do not cover gets "not covered" without a chat call; a covered one is answered', async () => {
    const { env, dataDir } = testEnv(double.url, { RERANKER: 'none' });
    cleanup.push(dataDir);
    expect((await run(['ingest', join(FIXTURES, 'Normans.md'), join(FIXTURES, 'pdflatex-4-pages.pdf')], env)).code).toBe(0);
    for (const question of ['zzqx blorptang?', 'a recipe for cookies']) {
      double.reset();
      const result = await run(['ask', question, '--json'], env);
      expect(result.code).toBe(0);
      const answer = JSON.parse(result.stdout) as { noEvidence?: boolean; citations: unknown[] };
      expect(answer).toMatchObject({ noEvidence: true, citations: [] });
      expect(double.stats.requests.chat).toBe(0);
    }
    double.reset();
    const covered = JSON.parse((await run(['ask', 'Who was the duke of Normandy in the 11th century?', '--json'], env)).stdout) as {
      noEvidence?: boolean;
      citations: { source: string }[];
    };
    expect(covered.noEvidence).toBeUndefined();
    expect(covered.citations[0]?.source).toBe('Normans.md');
    expect(double.stats.requests.chat).toBe(1);
    // The threshold off (0): the unrelated question reaches the model again, as before this setting.
    double.reset();
    const off = JSON.parse((await run(['ask', 'a recipe for cookies', '--json'], { ...env, EVIDENCE_MIN_COVERAGE: '0' })).stdout) as {
      noEvidence?: boolean;
    };
    expect(off.noEvidence).toBeUndefined();
    expect(double.stats.requests.chat).toBe(1);
  });

  it('chat: ingest, ask with a follow-up, list and forget, and survives a bad command', async () => {
    const t = await createTestCore(double);
    cleanup.push(t.dataDir);
    const folder = mkdtempSync(join(tmpdir(), 'citebot-chat-'));
    cleanup.push(folder);
    writeFileSync(
      join(folder, 'handbook.md'),
      '# Expenses\n\nReceipts are due within 30 days of the trip. The reimbursement code is EXP-4471.\n',
    );
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d));
    const session = runTerminalChat(t.core, { scope: 'local:default', input, output });
    for (const line of [
      `/ingest ${folder}`,
      'When are receipts due?',
      'And the reimbursement code?',
      '/sources',
      '/ingest /no/such/path',
      '/bogus',
      '/forget handbook.md',
      '/sources',
      '/quit',
    ]) {
      input.write(line + '\n');
    }
    input.end();
    await session;
    await t.close();
    expect(text).toContain('Indexed 1/1 · handbook.md: indexed');
    expect(text).toMatch(/Sources:\n\[1\] handbook\.md · Expenses/);
    // "1 chunk", not "1 chunks" (issue 12).
    expect(text).toContain('handbook.md · indexed · 1 chunk\n');
    expect(text).toContain('No such file or folder: /no/such/path');
    expect(text).toContain('Unknown command /bogus');
    expect(text).toMatch(/Forgot handbook\.md \(local-[0-9a-f]+\): 1 chunk removed from scope local:default\./);
    expect(text).toContain('Nothing is indexed here yet.');
    // The second question was a follow-up: it was rewritten with the first exchange as history.
    expect(double.chatRequests.some((r) => r.messages[0]!.content.includes('standalone question'))).toBe(true);
  });
});
