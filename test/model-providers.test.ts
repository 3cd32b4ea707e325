import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HumanMessage } from '@langchain/core/messages';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CitebotCore } from '../src/core.js';
import { loadSettings } from '../src/config.js';
import { runDoctor } from '../src/doctor.js';
import { isCitebotError } from '../src/errors.js';
import { CitebotEmbeddings } from '../src/models/embeddings.js';
import { createChatModelProvider, createEmbeddingProvider } from '../src/models/index.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { OpenAIDouble } from './doubles/openai-double.js';
import { runCli } from './support/cli.js';
import { createTestCore, memorySource, testEnv, type TestCore } from './support/harness.js';

const HANDBOOK = `# Handbook\n\nReceipts are due within 30 days of the trip. The reimbursement code is EXP-4471.\n`;

/** A report of `n` paragraphs, each its own chunk at CHUNK_TOKENS=40. */
const report = (i: number, n = 12) =>
  `# Report ${i}\n\n${Array.from({ length: n }, (_, p) => `Region ${p} of report ${i} shipped ${i * 100 + p} units in the quarter.`).join('\n\n')}\n`;

/** A web server that is not Ollama: every path is a 501 HTML page (as the Python http.server did). */
async function htmlServer(): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(501, { 'content-type': 'text/html' }).end('<!DOCTYPE HTML><html><body>Unsupported method</body></html>');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe('model providers', () => {
  let t: TestCore | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  describe('several Ollama hosts for one model', () => {
    let a: OllamaDouble;
    let b: OllamaDouble;
    beforeAll(async () => {
      [a, b] = await Promise.all([OllamaDouble.start({ embedDelayMsPerText: 5 }), OllamaDouble.start({ embedDelayMsPerText: 5 })]);
    });
    afterAll(async () => Promise.all([a.close(), b.close()]));

    it('one host killed mid-ingest: the ingest completes on the other, nothing embedded twice, no duplicate vectors', async () => {
      t = await createTestCore(a, {
        OLLAMA_BASE_URL: `${a.url},${b.url}`,
        CHUNK_TOKENS: '40',
        CHUNK_OVERLAP_TOKENS: '0',
        EMBED_BATCH_SIZE: '4',
      });
      const indexer = await t.core.indexer();
      a.reset();
      b.reset();
      const ingest = indexer.ingestAll(Array.from({ length: 8 }, (_, i) => memorySource('local:default', `report-${i}.md`, report(i))));
      while (a.stats.textsEmbedded + b.stats.textsEmbedded < 16) await new Promise((r) => setTimeout(r, 10));
      // Both hosts took work before one went away.
      expect(a.stats.textsEmbedded).toBeGreaterThan(0);
      expect(b.stats.textsEmbedded).toBeGreaterThan(0);
      await a.down();
      const embeddedByA = a.stats.textsEmbedded;
      const results = await ingest;
      await a.up();
      expect(results.every((r) => r.status === 'indexed')).toBe(true);
      const chunks = results.reduce((n, r) => n + r.chunks, 0);
      expect(await t.core.index.chunkCount()).toBe(chunks);
      expect(await t.core.index.vectorCount()).toBe(chunks);
      // Every chunk embedded once: what A served before it went, and the rest on B (a request cut off is not served).
      expect(embeddedByA + b.stats.textsEmbedded).toBe(chunks);
    });

    it('embedding hosts must serve the same model digest: a host with other weights is left out, and doctor says so', async () => {
      const other = await OllamaDouble.start({ models: [{ name: 'nomic-embed-text:latest', digest: 'f'.repeat(64) }, 'qwen2.5:7b'] });
      try {
        const embeddings = new CitebotEmbeddings({ model: 'nomic-embed-text', baseUrl: [a.url, other.url] });
        a.reset();
        for (let i = 0; i < 4; i++) await embeddings.embedQuery(`question ${i}`);
        expect(a.stats.textsEmbedded).toBe(4);
        expect(other.stats.textsEmbedded).toBe(0);
        const checks = await embeddings.check();
        expect(checks.find((c) => c.name === `ollama ${other.url}`)).toMatchObject({ status: 'failed' });
        expect(checks.find((c) => c.name === `ollama ${other.url}`)?.detail).toMatch(/digest fffffffffff.*not comparable/u);
        expect(checks.find((c) => c.name === `ollama ${a.url}`)).toMatchObject({ status: 'ok' });
      } finally {
        await other.close();
      }
    });
  });

  it('OLLAMA_BASE_URL at a server that is not Ollama: told apart at once, one request, no retries', async () => {
    const html = await htmlServer();
    try {
      const embeddings = new CitebotEmbeddings({ model: 'nomic-embed-text', baseUrl: html.url, maxRetries: 4 });
      const error = await embeddings.embedDocuments(['a', 'b']).catch((e: unknown) => e);
      expect(isCitebotError(error, 'model_unavailable')).toBe(true);
      expect((error as Error).message).toBe(
        `the server at ${html.url} is not Ollama (GET /api/version answered 501 text/html). Fix: set OLLAMA_BASE_URL to Ollama's address, e.g. http://127.0.0.1:11434 (or CHAT_PROVIDER/EMBED_PROVIDER=openai for an OpenAI-compatible server)`,
      );
      expect((error as { retryable: boolean }).retryable).toBe(false);
      expect(html.requests).toEqual(['GET /api/version']);
    } finally {
      html.server.close();
    }
  });

  it('ask --json with OLLAMA_BASE_URL at another web server: stdout stays one JSON document, stderr says "not Ollama"', async () => {
    const [ollama, html] = await Promise.all([OllamaDouble.start(), htmlServer()]);
    const docs = mkdtempSync(join(tmpdir(), 'citebot-notollama-'));
    const { env, dataDir } = testEnv(ollama.url, { LOG_LEVEL: 'warn' });
    try {
      writeFileSync(join(docs, 'handbook.md'), HANDBOOK);
      const ingest = await runCli(['ingest', docs, '--json'], env);
      expect(ingest.code, ingest.stderr).toBe(0);
      const run = await runCli(['ask', 'When are receipts due?', '--json'], { ...env, OLLAMA_BASE_URL: html.url });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).not.toContain('Getting text from response');
      const answer = JSON.parse(run.stdout) as { degraded?: { type: string; message: string }[] };
      expect(answer.degraded?.map((d) => d.type)).toEqual(['keyword-only', 'passages-only']);
      expect(run.stderr).toContain(`the server at ${html.url} is not Ollama`);
      // Each model told apart by one request, never retried.
      expect(html.requests.every((r) => r === 'GET /api/version')).toBe(true);
      expect(html.requests.length).toBeLessThanOrEqual(2);
    } finally {
      html.server.close();
      await ollama.close();
      rmSync(docs, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  describe('an OpenAI-compatible server', () => {
    let server: OpenAIDouble;
    let ollama: OllamaDouble;
    beforeAll(async () => {
      [server, ollama] = await Promise.all([
        OpenAIDouble.start({ chatModels: ['Qwen/Qwen3-8B'], embedModels: ['nomic-embed-text'], maxModelLen: 32768 }),
        OllamaDouble.start(),
      ]);
    });
    afterAll(async () => Promise.all([server.close(), ollama.close()]));
    const openai = { CHAT_PROVIDER: 'openai', CHAT_MODEL: 'Qwen/Qwen3-8B', EMBED_PROVIDER: 'openai', EMBED_MODEL: 'nomic-embed-text' };
    const settingsFor = (env: Record<string, string>) =>
      loadSettings({
        env: { ...testEnv(ollama.url).env, CHAT_BASE_URL: server.url, EMBED_BASE_URL: server.url, ...openai, ...env },
        dotenvDir: false,
      });

    it('waits out 429 and 503 with Retry-After, reads the window from /v1/models, and names a missing model in one line', async () => {
      const chat = createChatModelProvider(settingsFor({}));
      const choice = await chat.choose();
      expect(choice.numCtx).toBe(32768);
      server.configure({ rateLimit: { count: 1, retryAfterS: 0.2 }, loading: { count: 1, retryAfterS: 0.2 }, answerShape: null });
      const before = server.requests.length;
      const reply = await chat
        .plain({ temperature: 0, maxTokens: 200 })
        .invoke([new HumanMessage('[1] The office opens at nine. Question: when does it open?')]);
      expect(String(reply.content)).toContain('The office opens at nine. [1]');
      expect(server.requests.slice(before).map((r) => r.status)).toEqual([429, 503, 200]);
      // The streamed answer (SSE), as the answer chain reads it.
      server.configure({ rateLimit: { count: 1, retryAfterS: 0.2 }, loading: { count: 1, retryAfterS: 0.2 } });
      const streamedFrom = server.requests.length;
      let streamed = '';
      const stream = await choice.model.stream([new HumanMessage('[1] The office opens at nine. Question: when?')], {
        signal: new AbortController().signal,
      });
      for await (const chunk of stream) streamed += String(chunk.content);
      expect(streamed).toBe('According to the shared files, The office opens at nine. [1]');
      expect(server.requests.slice(streamedFrom).map((r) => r.status)).toEqual([429, 503, 200]);
      // A max_tokens cut (finish_reason "length") and an empty usage, as llama.cpp and LM Studio send it: the text so far, no failure.
      server.configure({ cutAfterChars: 20, usage: 'empty' });
      let cut = '';
      for await (const chunk of await choice.model.stream([new HumanMessage('[1] The office opens at nine.')], {
        signal: new AbortController().signal,
      }))
        cut += String(chunk.content);
      expect(cut).toBe('According to the sha');
      server.configure({ cutAfterChars: undefined, usage: 'counts' });
      // Embeddings too: a rate limit is waited out, not turned into a failed ingest.
      server.configure({ rateLimit: { count: 2, retryAfterS: 0.1 } });
      const embeddings = createEmbeddingProvider(settingsFor({}));
      expect(await embeddings.embedQuery('office hours')).toHaveLength(384);

      const missing = createChatModelProvider(settingsFor({ CHAT_MODEL: 'llama-3-70b' }));
      const error = await (await missing.choose()).model.invoke([new HumanMessage('hi')]).catch((e: unknown) => missing.toError(e));
      expect(isCitebotError(error, 'model_missing')).toBe(true);
      expect((error as Error).message).toMatch(
        /^the OpenAI-compatible server at .* does not serve the model "llama-3-70b" .*\. Fix: set CHAT_MODEL to a model/u,
      );
      expect((error as Error).message.split('\n')).toHaveLength(1);
    });

    it('switching the embedding provider without reindex is the mismatch error; reindex re-embeds on the new server', async () => {
      t = await createTestCore(ollama, { EMBED_MODEL: 'nomic-embed-text' });
      await (await t.core.indexer()).ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
      await t.core.close();
      const switched = new CitebotCore(
        loadSettings({ env: { ...t.env, EMBED_PROVIDER: 'openai', EMBED_BASE_URL: server.url }, dotenvDir: false }),
      );
      try {
        const error = await switched.openIndex().catch((e: unknown) => e);
        expect(isCitebotError(error, 'index_model_mismatch')).toBe(true);
        expect((error as Error).message).toContain('built with the embedding model nomic-embed-text (ollama)');
        expect((error as Error).message).toContain('name nomic-embed-text (openai)');
        expect((error as Error).message).toContain('citebot reindex');
        const embeddedBefore = server.textsEmbedded;
        const result = await switched.index.reindex();
        expect(result).toMatchObject({ model: 'openai:nomic-embed-text', previousModel: 'nomic-embed-text' });
        expect(server.textsEmbedded - embeddedBefore).toBeGreaterThanOrEqual(result.chunks);
        await switched.openIndex();
        const found = await switched.index.denseSearch('When are receipts due?', ['local:default'], 3);
        expect(found[0]?.pageContent).toContain('Receipts are due');
      } finally {
        await switched.close();
      }
    });

    it('doctor on the openai provider: the server, its models and window; a model it does not serve fails with the ones it does', async () => {
      t = await createTestCore(ollama, { ...openai, CHAT_BASE_URL: server.url, EMBED_BASE_URL: server.url });
      const checks = await runDoctor(t.core);
      expect(checks.find((c) => c.name === 'chat server')).toMatchObject({ status: 'ok' });
      expect(checks.find((c) => c.name === 'chat model')).toMatchObject({ status: 'ok' });
      expect(checks.find((c) => c.name === 'chat model')?.detail).toContain('context window 32768 tokens');
      expect(checks.find((c) => c.name === 'embedding model')).toMatchObject({
        status: 'ok',
        detail: 'nomic-embed-text embeds (384 dimensions)',
      });
      expect(checks.some((c) => c.name === 'ollama')).toBe(false);
      await t.close();

      t = await createTestCore(ollama, { ...openai, CHAT_MODEL: 'gpt-4o', CHAT_BASE_URL: server.url, EMBED_BASE_URL: server.url });
      const wrong = await runDoctor(t.core);
      expect(wrong.find((c) => c.name === 'chat model')).toMatchObject({
        status: 'failed',
        fix: 'set CHAT_MODEL to one it serves: Qwen/Qwen3-8B, nomic-embed-text',
      });
    });
  });
});
