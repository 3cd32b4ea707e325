import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerJson } from '../src/app/answer-json.js';
import { ingestPaths } from '../src/app/ingest.js';
import { messages } from '../src/messages/index.js';
import { CITATION_STYLES, OllamaDouble, type AnswerShape, type CitationStyle, type ReasoningShape } from './doubles/ollama-double.js';
import { OpenAIDouble } from './doubles/openai-double.js';
import { runCli } from './support/cli.js';
import { answerIn, createTestCore, testEnv, type TestCore } from './support/harness.js';

/** What `citebot ask --json` prints (the fields this test reads). */
interface AskJson {
  answer: string;
  citations: { n: number; source: string }[];
  alsoRelevant: { n: number; source: string }[];
  degraded?: { type: string }[];
  noEvidence?: boolean;
  droppedCitations: number;
}

const HANDBOOK = `# Handbook

## Expenses

Receipts are due within 30 days of the trip. The reimbursement code is EXP-4471.

## Travel

Employees book trains for trips under 500 km. Flights need approval from a director.
`;

/** Reasoning as the double writes it (answer-shapes.ts reasoningText), and the reasoning tags. */
const REASONING_TEXT = /Okay, the user|Let me look|I should answer|does not exist|<\/?\s*(think|thinking|reasoning)\b/iu;
/** Any marker syntax other than a plain [n]: the forms models write, links, footnotes, a source list. */
const LEFTOVER_MARKER = /\[\[|\]\]|\]\(|\[\^|【|】|\[(?!\d+\])[^\]\n]*\]|\((?:Source|source)\b|\(\d+\)|\bSources?:|References:/u;

const REASONING: (ReasoningShape | undefined)[] = [undefined, 'think-tags', 'leading-close-tag', 'empty-think', 'thinking-field'];
const STYLES = Object.keys(CITATION_STYLES) as CitationStyle[];

/** Every citation style once, each with a reasoning shape (all of them, in turn), and the extras on some. */
const ROWS: AnswerShape[] = STYLES.map((citationStyle, i) => ({
  citationStyle,
  reasoning: REASONING[i % REASONING.length],
  ...(i % 3 === 0 ? { sourcesList: true } : {}),
  ...(i % 4 === 1 ? { citeMissingSource: true } : {}),
}));

/** No reasoning, at least one verified citation, no leftover marker syntax, invented sources dropped and counted. */
function expectCleanAnswer(answer: AskJson, shape: AnswerShape): void {
  expect(answer.degraded).toBeUndefined();
  expect(answer.answer).not.toMatch(REASONING_TEXT);
  expect(answer.citations.length).toBeGreaterThanOrEqual(1);
  expect(answer.citations[0]!.source).toBe('handbook.md');
  expect(answer.answer).toMatch(/\[1\]/u);
  for (const [, n] of answer.answer.matchAll(/\[(\d+)\]/gu)) expect(Number(n)).toBeLessThanOrEqual(answer.citations.length);
  expect(answer.answer).not.toMatch(LEFTOVER_MARKER);
  expect(answer.answer).not.toContain('https://docs.example.com');
  // Source 99 of however many (with 98 in the list styles): dropped and counted, never shown.
  if (shape.citeMissingSource) expect(answer.droppedCitations).toBeGreaterThanOrEqual(1);
  else expect(answer.droppedCitations).toBe(0);
  expect(answer.answer).not.toMatch(/\b9[89]\b/u);
}

function handbookFolder(cleanup: string[]): string {
  const docs = mkdtempSync(join(tmpdir(), 'citebot-shapes-'));
  cleanup.push(docs);
  writeFileSync(join(docs, 'handbook.md'), HANDBOOK);
  return docs;
}

async function ingestHandbook(env: NodeJS.ProcessEnv, cleanup: string[]): Promise<void> {
  const ingest = await runCli(['ingest', handbookFolder(cleanup), '--json'], env);
  expect(ingest.code, ingest.stderr).toBe(0);
}

/** A core in this process with the handbook indexed: the table's rows ask it what `citebot ask --json` would. */
async function coreWithHandbook(double: OllamaDouble, cleanup: string[], overrides: Record<string, string> = {}): Promise<TestCore> {
  const t = await createTestCore(double, overrides);
  const rows = await ingestPaths(t.core, [handbookFolder(cleanup)], 'local:default');
  expect(rows.map((r) => r.status)).toEqual(['indexed']);
  return t;
}

/** The JSON `citebot ask --json` prints, built in this process (a CLI start per row is most of the suite's time). */
async function askJson(t: TestCore, question: string): Promise<AskJson> {
  return JSON.parse(JSON.stringify(answerJson(await answerIn(t.core, question, 'local:default')))) as AskJson;
}

describe('citebot ask --json over every answer shape of the double', () => {
  let double: OllamaDouble;
  let env: NodeJS.ProcessEnv;
  let core: TestCore;
  /** Reasoning in the thinking field needs a model that can think (Ollama puts it there only then). */
  let thinkingCore: TestCore;
  const cleanup: string[] = [];

  beforeAll(async () => {
    double = await OllamaDouble.start();
    const made = testEnv(double.url);
    env = made.env;
    cleanup.push(made.dataDir);
    await ingestHandbook(env, cleanup);
    core = await coreWithHandbook(double, cleanup);
    thinkingCore = await coreWithHandbook(double, cleanup, { CHAT_MODEL: 'qwen3' });
  });
  afterAll(async () => {
    await core?.close();
    await thinkingCore?.close();
    await double.close();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  async function ask(question: string, extraEnv: Record<string, string> = {}): Promise<AskJson> {
    const run = await runCli(['ask', question, '--json'], { ...env, ...extraEnv });
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as AskJson;
  }

  it('through the CLI: the first row, reasoning in the thinking field, and the JSON on stdout', async () => {
    for (const shape of [ROWS[0]!, ROWS.find((r) => r.reasoning === 'thinking-field')!]) {
      double.configure({ answerShape: shape });
      expectCleanAnswer(await ask('When are receipts due?', shape.reasoning === 'thinking-field' ? { CHAT_MODEL: 'qwen3' } : {}), shape);
    }
  }, 240_000);

  it.each(ROWS.map((shape) => [JSON.stringify(shape), shape] as const))(
    '%s: no reasoning, at least one verified citation, no leftover marker syntax',
    async (_name, shape) => {
      double.configure({ answerShape: shape });
      expectCleanAnswer(await askJson(shape.reasoning === 'thinking-field' ? thinkingCore : core, 'When are receipts due?'), shape);
    },
  );

  it('a Chinese question gets its fixed texts in Chinese: an empty scope, and the chat model down', async () => {
    const zh = messages('zh');
    double.configure({ answerShape: null });
    const emptyScope = await runCli(['ask', '报销代码是什么？', '--scope', 'local:nothing-here', '--json'], env);
    expect(emptyScope.code, emptyScope.stderr).toBe(0);
    const empty = JSON.parse(emptyScope.stdout) as AskJson;
    expect(empty.answer).toBe(zh.answer.noFilesIndexed);
    expect(empty.noEvidence).toBe(true);

    double.configure({ failNext: { endpoint: 'chat', status: 500, count: 10 } });
    try {
      // A Chinese question over an English file: without a reranker the keyword-coverage gate refuses it as
      // not covered (cross-language; see bench/evidence.ts). This test is about the fixed texts, so the gate is off.
      const down = await ask('收据 EXP-4471 什么时候到期？', { CHAT_TIMEOUT_S: '1', EVIDENCE_MIN_COVERAGE: '0' });
      expect(down.answer.startsWith(zh.answer.modelUnavailable)).toBe(true);
      expect(down.citations[0]?.source).toBe('handbook.md');
      // The terminal rendering labels its sources in the question's language too.
      const plain = await runCli(['ask', '收据 EXP-4471 什么时候到期？'], { ...env, CHAT_TIMEOUT_S: '1', EVIDENCE_MIN_COVERAGE: '0' });
      expect(plain.stdout).toContain(`${zh.labels.sources}:`);
      expect(plain.stdout).not.toMatch(/\bSources:/u);
    } finally {
      double.configure({ failNext: null });
    }
  }, 240_000);
});

describe('the same table on the openai provider: chat on an OpenAI-compatible server, embeddings on Ollama', () => {
  let ollama: OllamaDouble;
  let server: OpenAIDouble;
  let env: NodeJS.ProcessEnv;
  let core: TestCore;
  const cleanup: string[] = [];

  beforeAll(async () => {
    [ollama, server] = await Promise.all([OllamaDouble.start(), OpenAIDouble.start({ chatModels: ['Qwen/Qwen3-8B'] })]);
    // Embeddings on one host (Ollama), chat on another (vLLM-like, reasoning in reasoning_content).
    const openai = { CHAT_PROVIDER: 'openai', CHAT_BASE_URL: server.url, CHAT_MODEL: 'Qwen/Qwen3-8B' };
    const made = testEnv(ollama.url, openai);
    env = made.env;
    cleanup.push(made.dataDir);
    await ingestHandbook(env, cleanup);
    core = await coreWithHandbook(ollama, cleanup, openai);
  });
  afterAll(async () => {
    await core?.close();
    await Promise.all([ollama.close(), server.close()]);
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('through the CLI: the first row', async () => {
    server.configure({ answerShape: ROWS[0]! });
    const run = await runCli(['ask', 'When are receipts due?', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    expectCleanAnswer(JSON.parse(run.stdout) as AskJson, ROWS[0]!);
    expect(server.chatRequests.at(-1)?.stream).toBe(true);
  }, 120_000);

  it.each(ROWS.map((shape) => [JSON.stringify(shape), shape] as const))(
    '%s: no reasoning, at least one verified citation, no leftover marker syntax',
    async (_name, shape) => {
      server.configure({ answerShape: shape });
      expectCleanAnswer(await askJson(core, 'When are receipts due?'), shape);
      // Streamed over SSE, to the chat server only.
      expect(server.chatRequests.at(-1)?.stream).toBe(true);
      expect(ollama.chatRequests).toEqual([]);
    },
  );
});
