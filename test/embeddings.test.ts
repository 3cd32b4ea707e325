import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isCitebotError } from '../src/errors.js';
import { CitebotEmbeddings } from '../src/models/embeddings.js';
import { OllamaDouble } from './doubles/ollama-double.js';

describe('CitebotEmbeddings against the Ollama double', () => {
  let double: OllamaDouble;
  beforeAll(async () => {
    double = await OllamaDouble.start();
  });
  afterAll(async () => {
    await double.close();
  });
  const make = (model = 'nomic-embed-text', extra = {}) => new CitebotEmbeddings({ model, baseUrl: double.url, maxRetries: 2, ...extra });

  it('applies the model’s document and query prefixes', async () => {
    double.reset();
    const e = make();
    await e.embedDocuments(['a passage']);
    await e.embedQuery('a question');
    expect(double.embedInputs).toEqual([['search_document: a passage'], ['search_query: a question']]);
    double.reset();
    await make('mxbai-embed-large').embedQuery('q');
    expect(double.embedInputs[0]![0]).toBe('Represent this sentence for searching relevant passages: q');
  });

  it('sends truncate: true and batches texts', async () => {
    double.reset();
    const e = make('nomic-embed-text', { batchSize: 10 });
    const vectors = await e.embedDocuments(Array.from({ length: 25 }, (_, i) => `text ${i}`));
    expect(vectors).toHaveLength(25);
    expect(double.stats.requests.embed).toBe(3);
    expect(double.embedRequests.every((r) => r.truncate === true)).toBe(true);
  });

  it('keeps at most maxConcurrency requests in flight', async () => {
    double.reset();
    double.configure({ embedDelayMsPerText: 2, serializeEmbeds: false });
    try {
      await make('nomic-embed-text', { batchSize: 4, maxConcurrency: 2 }).embedDocuments(Array.from({ length: 40 }, (_, i) => `t${i}`));
      expect(double.stats.maxConcurrentEmbeds).toBeLessThanOrEqual(2);
    } finally {
      double.configure({ embedDelayMsPerText: 0, serializeEmbeds: true });
    }
  });

  it('detects the dimension from /api/show', async () => {
    double.reset();
    expect(await make('bge-m3').getDimension()).toBe(1024);
    expect(double.stats.requests.show).toBe(1);
    expect(double.stats.requests.embed).toBe(0);
  });

  it('retries connection drops and 5xx, then succeeds', async () => {
    double.reset();
    double.configure({ failNext: { endpoint: 'embed', status: 503, count: 1 } });
    expect(await make().embedQuery('x')).toHaveLength(768);
    double.configure({ dropConnection: { endpoint: 'embed', count: 1 } });
    expect(await make().embedQuery('x')).toHaveLength(768);
  });

  it('does not retry a model that is not pulled, and says how to fix it', async () => {
    double.reset();
    const error = await make('nomic-embed-text-v9')
      .embedQuery('x')
      .catch((e: unknown) => e);
    expect(isCitebotError(error, 'model_missing')).toBe(true);
    expect((error as Error).message).toContain('ollama pull nomic-embed-text-v9');
    expect(double.stats.requests.embed).toBe(1);
  });

  it('fails at once when nothing listens (connection refused): one attempt, no backoff', async () => {
    const closed = await OllamaDouble.start();
    await closed.close();
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      const e = new CitebotEmbeddings({ model: 'nomic-embed-text', baseUrl: closed.url, maxRetries: 4 });
      const error = await e.embedQuery('x').catch((err: unknown) => err);
      expect(isCitebotError(error, 'model_unavailable')).toBe(true);
      expect((error as Error).message).toContain(`Ollama is not reachable at ${closed.url} (ECONNREFUSED)`);
      // A later call may succeed once Ollama is started: the error says so to serve and the adapters.
      expect((error as { retryable: boolean }).retryable).toBe(true);
      const dimension = await e.getDimension().catch((err: unknown) => err);
      expect(isCitebotError(dimension, 'model_unavailable')).toBe(true);
      const calls = fetchSpy.mock.calls.map(([url]) => String(url instanceof Request ? url.url : url));
      // Each call first checks the host is Ollama (/api/version): refused, so one request each, never retried.
      expect(calls).toEqual([`${closed.url}/api/version`, `${closed.url}/api/version`]);
    } finally {
      fetchSpy.mockRestore();
    }
  });
});
