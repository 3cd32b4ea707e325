import { ChatOllama, OllamaEmbeddings } from '@langchain/ollama';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MODELS, OllamaDouble, USE_LITE, cosine, hashEmbedding } from './doubles/ollama-double.js';

/**
 * The double is only useful if the real clients accept it, so every test goes through the real
 * `@langchain/ollama` classes or the `ollama` npm client, not hand-written fetches (except where the
 * point is the wire format itself).
 */

let double: OllamaDouble;
let ollama: Ollama;

beforeAll(async () => {
  double = await OllamaDouble.start();
  ollama = new Ollama({ host: double.url });
});
afterAll(() => double.close());
beforeEach(() => {
  double.reset();
  double.configure({
    models: DEFAULT_MODELS,
    failNext: null,
    dropConnection: null,
    hang: null,
    adversarial: false,
    answerShape: null,
    malformed: null,
    latencyMs: 0,
    chatDelayMs: 0,
    tokenDelayMs: 0,
    embedDelayMsPerText: 0,
    serializeEmbeds: true,
  });
});

// maxRetries 0 where a test expects an error: OllamaEmbeddings otherwise retries with 1 s+ backoff.
const embedder = (model = 'nomic-embed-text', fields: Record<string, unknown> = {}) =>
  new OllamaEmbeddings({ model, baseUrl: double.url, truncate: true, maxRetries: 0, ...fields });
const chat = (fields: Record<string, unknown> = {}) => new ChatOllama({ model: 'qwen2.5:7b', baseUrl: double.url, ...fields });
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

const SOURCES = [
  'Answer only from the numbered sources and cite them like [1].',
  '[1] handbook.pdf, p. 3',
  'Refunds are issued within 14 days of purchase. Store credit never expires.',
  '[2] wifi.md',
  'The office wifi password rotates monthly.',
].join('\n');

describe('embeddings through OllamaEmbeddings', () => {
  it('is deterministic, has each model’s dimension and matches hashEmbedding exactly', async () => {
    const texts = ['Refunds are issued within 14 days.', 'The office wifi password rotates monthly.'];
    const first = await embedder().embedDocuments(texts);
    const again = await embedder('nomic-embed-text:latest').embedDocuments(texts);
    expect(again).toEqual(first);
    expect(first[0]).toEqual(hashEmbedding(texts[0]!, 'nomic-embed-text', 768));
    expect(first.map((v) => v.length)).toEqual([768, 768]);
    expect(norm(first[0]!)).toBeCloseTo(1, 10);

    for (const [model, dim] of [
      ['mxbai-embed-large', 1024],
      ['bge-m3', 1024],
      ['all-minilm', 384],
    ] as const) {
      expect((await embedder(model).embedQuery('hello world')).length).toBe(dim);
    }
    // Same text, different model: unrelated vectors.
    const mxbai = await embedder('mxbai-embed-large').embedQuery(texts[0]!);
    const bge = await embedder('bge-m3').embedQuery(texts[0]!);
    expect(Math.abs(cosine(mxbai, bge))).toBeLessThan(0.5);
  });

  it('puts related texts closer than unrelated ones, in English and in Chinese', async () => {
    const e = embedder();
    const [refundDoc, wifiDoc] = await e.embedDocuments([
      'search_document: Refunds are issued within 14 days of purchase.',
      'search_document: The office wifi password rotates every month.',
    ]);
    const query = await e.embedQuery('search_query: how many days do I have to get a refund?');
    expect(cosine(query, refundDoc!)).toBeGreaterThan(cosine(query, wifiDoc!) + 0.1);

    const [zhRefund, zhWifi] = await e.embedDocuments(['购买后十四天内可以申请退款。', '办公室无线网络密码每月更换。']);
    const zhQuery = await e.embedQuery('退款期限是多久？');
    expect(cosine(zhQuery, zhRefund!)).toBeGreaterThan(cosine(zhQuery, zhWifi!) + 0.1);
  });

  it('gives an empty string a unit vector, not NaN', async () => {
    const v = await embedder().embedQuery('');
    expect(v).toHaveLength(768);
    expect(v.every(Number.isFinite)).toBe(true);
    expect(norm(v)).toBeCloseTo(1, 10);
  });

  it('records the exact inputs (prefixes included), the request fields, and counts', async () => {
    await embedder().embedDocuments(['search_document: alpha', 'search_document: beta']);
    await embedder().embedQuery('search_query: gamma');
    expect(double.embedInputs).toEqual([['search_document: alpha', 'search_document: beta'], ['search_query: gamma']]);
    expect(double.embedRequests[0]).toMatchObject({ endpoint: 'embed', model: 'nomic-embed-text', truncate: true });
    const stats = double.stats;
    expect(stats.requests.embed).toBe(2);
    expect(stats.textsEmbedded).toBe(3);
    double.reset();
    expect(double.stats.textsEmbedded).toBe(0);
    expect(double.embedInputs).toEqual([]);
  });

  it('refuses over-long input when truncate is false (LangChain’s default) and truncates when true', async () => {
    const long = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' '); // > mxbai's 512-token context
    await expect(embedder('mxbai-embed-large', { truncate: false }).embedQuery(long)).rejects.toThrow(/exceeds the context length/);
    const v = await embedder('mxbai-embed-large').embedQuery(long);
    expect(v).toEqual(double.expectedEmbedding(long, 'mxbai-embed-large'));
    expect(v).not.toEqual(hashEmbedding(long, 'mxbai-embed-large', 1024)); // the tail was cut off
  });

  it('honours `dimensions` by truncating and re-normalizing', async () => {
    const v = await embedder('nomic-embed-text', { dimensions: 256 }).embedQuery('matryoshka');
    expect(v).toHaveLength(256);
    expect(norm(v)).toBeCloseTo(1, 10);
    expect(double.embedRequests[0]?.dimensions).toBe(256);
  });

  it('serves the legacy /api/embeddings: same direction, not normalized (as Ollama)', async () => {
    const { embedding } = await ollama.embeddings({ model: 'nomic-embed-text', prompt: 'refund policy details' });
    const modern = await embedder().embedQuery('refund policy details');
    expect(cosine(embedding, modern)).toBeCloseTo(1, 10);
    expect(norm(embedding)).toBeGreaterThan(1.5);
    expect(double.stats.requests.embeddings).toBe(1);
  });

  it('charges embedDelayMsPerText per text, one request at a time unless serializeEmbeds is off', async () => {
    double.configure({ embedDelayMsPerText: 15 });
    const texts = ['a', 'b', 'c', 'd'];
    let t = Date.now();
    await Promise.all([embedder().embedDocuments(texts), embedder().embedDocuments(texts)]);
    const serialized = Date.now() - t;
    expect(serialized).toBeGreaterThanOrEqual(115); // 2 × 4 × 15 ms, one after the other
    expect(double.stats).toMatchObject({ embedMs: 120, textsEmbedded: 8, maxConcurrentEmbeds: 2 });

    double.configure({ serializeEmbeds: false });
    t = Date.now();
    await Promise.all([embedder().embedDocuments(texts), embedder().embedDocuments(texts)]);
    expect(Date.now() - t).toBeLessThan(serialized);
  });

  it('turns a missing model into a 404 whose message says "not found", and a chat model into a 501', async () => {
    double.configure({ models: ['qwen2.5:7b'] }); // nomic-embed-text "not pulled"
    await expect(embedder().embedQuery('x')).rejects.toThrow('model "nomic-embed-text" not found, try pulling it first');
    const err = await embedder('qwen2.5:7b')
      .embedQuery('x')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ResponseError', status_code: 501, message: 'this model does not support embeddings' });
  });

  it('shows that OllamaEmbeddings retries even a 404 (ResponseError has status_code, not status)', async () => {
    double.configure({ failNext: { endpoint: 'embed', status: 404, message: 'model "x" not found, try pulling it first' } });
    const v = await embedder('nomic-embed-text', { maxRetries: 1 }).embedQuery('retried'); // waits ~1–2 s of backoff
    expect(v).toHaveLength(768);
    expect(double.requests.filter((r) => r.endpoint === 'embed').map((r) => r.status)).toEqual([404, 200]);
  });

  it('serves use-lite with a real sentence encoder: a paraphrase beats a shared word, unlike the hashed vectors', async () => {
    double.configure({ models: [...DEFAULT_MODELS, USE_LITE] });
    const question = 'How tall is the building?';
    const paraphrase = 'The tower rises 300 metres above the street.';
    const sharedWord = 'The building was painted blue in spring.';
    const [q, p, w] = await embedder('use-lite').embedDocuments([question, paraphrase, sharedWord]);
    expect(q).toHaveLength(512);
    expect(norm(q!)).toBeCloseTo(1, 5);
    expect(cosine(q!, p!)).toBeGreaterThan(cosine(q!, w!));
    const [hq, hp, hw] = await embedder().embedDocuments([question, paraphrase, sharedWord]);
    expect(cosine(hq!, hp!)).toBeLessThan(cosine(hq!, hw!));
    // Not in the default models: tests that list models are unchanged.
    expect(DEFAULT_MODELS.map((m) => m.name)).not.toContain(USE_LITE.name);
  });
});

describe('chat through ChatOllama', () => {
  it('quotes the first source, cites it, reports usage and records what reached the model', async () => {
    const reply = await chat({ numCtx: 8192, temperature: 0 }).invoke([
      new SystemMessage(SOURCES),
      new HumanMessage('How long do refunds take?'),
    ]);
    expect(reply.content).toBe('According to the shared files, Refunds are issued within 14 days of purchase. [1]');
    expect(reply.usage_metadata?.input_tokens).toBeGreaterThan(20);
    expect(reply.usage_metadata?.output_tokens).toBeGreaterThan(5);

    const [recorded] = double.chatRequests;
    expect(recorded).toMatchObject({ endpoint: 'chat', model: 'qwen2.5:7b', numCtx: 8192, stream: true, overflowsContext: false });
    expect(recorded?.options).toMatchObject({ num_ctx: 8192, temperature: 0 });
    expect(recorded?.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(recorded?.promptTokens).toBe(reply.usage_metadata?.input_tokens);
  });

  it('accepts <source id="n"> blocks and Chinese sentences', async () => {
    const system = '<source id="3" file="政策.docx">\n退款政策：购买后十四天内可以申请退款。其他内容。\n</source>';
    const reply = await chat().invoke([new SystemMessage(system), new HumanMessage('退款期限？')]);
    expect(reply.content).toBe('According to the shared files, 退款政策：购买后十四天内可以申请退款。 [3]');
  });

  it('without sources, answers with a fixed text that mentions the question', async () => {
    const reply = await chat().invoke('What is the parking policy?');
    expect(reply.content).toContain('What is the parking policy?');
    expect(reply.content).not.toMatch(/\[\d+\]/);
  });

  it('answers a "standalone question" rewrite with the last user question', async () => {
    const system = 'Rewrite the follow-up as a standalone question. Reply with the question only.';
    const reply = await chat().invoke([new SystemMessage(system), new HumanMessage('And for store credit?')]);
    expect(reply.content).toBe('And for store credit?');
  });

  it('streams several chunks, the first well before the answer is complete', async () => {
    double.configure({ tokenDelayMs: 25 });
    const arrivals: { at: number; text: string }[] = [];
    for await (const chunk of await chat().stream([new SystemMessage(SOURCES), new HumanMessage('Refunds?')])) {
      if (typeof chunk.content === 'string' && chunk.content) arrivals.push({ at: Date.now(), text: chunk.content });
    }
    const done = Date.now();
    expect(arrivals.length).toBeGreaterThan(2);
    // The server waits 25 ms between chunks; half of that total leaves room for a loaded machine.
    expect(done - arrivals[0]!.at).toBeGreaterThanOrEqual((25 * (arrivals.length - 1)) / 2);
    expect(arrivals.map((a) => a.text).join('')).toBe('According to the shared files, Refunds are issued within 14 days of purchase. [1]');
  });

  it('serves stream:false as one JSON object, and /api/generate', async () => {
    const res = await ollama.chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'hi' }], stream: false });
    expect(res).toMatchObject({ done: true, done_reason: 'stop', message: { role: 'assistant' } });
    expect(res.message.content).toContain('"hi"');
    const gen = await ollama.generate({ model: 'qwen2.5:7b', system: SOURCES, prompt: 'Refunds?', stream: false });
    expect(gen.response).toMatch(/14 days of purchase\. \[1\]$/);
    expect(double.chatRequests.map((r) => r.endpoint)).toEqual(['chat', 'generate']);
  });

  it('adversarial mode emits bad citations, mass mentions and foreign links, plus one valid [1]', async () => {
    double.configure({ adversarial: true });
    const reply = await chat().invoke([new SystemMessage(SOURCES), new HumanMessage('Refunds?')]);
    for (const bad of [
      '[0]',
      '[7]',
      '[2][99]',
      '@everyone',
      '@here',
      '<!channel>',
      '<!here>',
      '<!subteam^S123>',
      '<@&123>',
      '[click](https://evil.example/x)',
      '<https://evil.example|here>',
    ]) {
      expect(reply.content).toContain(bad);
    }
    expect(reply.content).toContain('[1]');
  });

  it('404s an unknown model and 400s an embedding model, with Ollama’s words', async () => {
    await expect(chat({ model: 'llama9' }).invoke('hi')).rejects.toThrow("model 'llama9' not found");
    await expect(chat({ model: 'nomic-embed-text' }).invoke('hi')).rejects.toThrow('"nomic-embed-text" does not support chat');
    await expect(chat({ think: true }).invoke('hi')).rejects.toThrow('"qwen2.5:7b" does not support thinking');
  });

  it('does not retry: a 500 fails the call, the next call succeeds', async () => {
    double.configure({ failNext: { endpoint: 'chat', status: 500 } });
    const err = await chat()
      .invoke('hi')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status_code: 500, message: 'llama runner process has terminated: exit status 2' });
    await expect(chat().invoke('hi')).resolves.toBeDefined();
    expect(double.stats.requests.chat).toBe(2);
  });

  it('a stream without done:true makes the client throw; an {"error"} line too', async () => {
    double.configure({ malformed: 'no-done' });
    await expect(chat().invoke('hi')).rejects.toThrow('Did not receive done or success response in stream.');
    double.configure({ malformed: 'error-line' });
    await expect(chat().invoke('hi')).rejects.toThrow('an error was encountered while running the model');
  });

  it('an invalid NDJSON line is skipped with a console warning (the answer silently loses a piece)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      double.configure({ malformed: 'bad-line' });
      const reply = await chat().invoke([new SystemMessage(SOURCES), new HumanMessage('Refunds?')]);
      expect(warn).toHaveBeenCalledWith('invalid json: ', expect.any(String));
      expect(reply.content).not.toBe(double.chatRequests[0]?.answer);
    } finally {
      warn.mockRestore();
    }
  });

  it('a connection reset mid-stream rejects the stream', async () => {
    double.configure({ dropConnection: { endpoint: 'chat', at: 'mid' } });
    await expect(chat().invoke('hi')).rejects.toThrow('terminated'); // undici: body ended early
    await expect(chat().invoke('hi')).resolves.toBeDefined();
  });
});

describe('the ollama client and the server itself', () => {
  it('lists, shows and reports the version', async () => {
    expect(await ollama.version()).toEqual({ version: '0.12.6' });
    const { models } = await ollama.list();
    expect(models.map((m) => m.name)).toContain('nomic-embed-text:latest');
    expect(models[0]).toMatchObject({ model: 'nomic-embed-text:latest', details: { format: 'gguf', family: 'nomic-bert' } });
    expect(models[0]?.digest).toMatch(/^[0-9a-f]{64}$/);

    const shown = await ollama.show({ model: 'nomic-embed-text' });
    expect(shown.capabilities).toEqual(['embedding']);
    expect(shown.model_info).toMatchObject({
      'general.architecture': 'nomic-bert',
      'nomic-bert.embedding_length': 768,
      'nomic-bert.context_length': 2048,
    });
    expect((await ollama.show({ model: 'qwen2.5:7b' })).capabilities).toContain('completion');

    const legacy = await fetch(`${double.url}/api/show`, { method: 'POST', body: JSON.stringify({ name: 'bge-m3' }) });
    expect(((await legacy.json()) as { details: { family: string } }).details.family).toBe('bert');
    await expect(ollama.show({ model: 'nope' })).rejects.toMatchObject({ status_code: 404, message: "model 'nope' not found" });
  });

  it('down() refuses connections, up() serves again on the same port', async () => {
    const url = double.url;
    await double.down();
    const err = await ollama.version().catch((e: unknown) => e);
    await double.up();
    expect(err).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
    expect(double.url).toBe(url);
    expect(await ollama.version()).toEqual({ version: '0.12.6' });
  });

  it('drops a connection before answering', async () => {
    double.configure({ dropConnection: 1 });
    await expect(ollama.list()).rejects.toThrow('fetch failed');
    await expect(ollama.list()).resolves.toHaveProperty('models');
    expect(double.stats.faultsInjected).toBe(1);
  });

  it('hangs until the client gives up, and close() still returns promptly', async () => {
    const hung = await OllamaDouble.start({ hang: { endpoint: 'tags' } });
    await expect(fetch(`${hung.url}/api/tags`, { signal: AbortSignal.timeout(100) })).rejects.toThrow(/aborted/i);
    const pending = fetch(`${hung.url}/api/tags`).catch((e: unknown) => e);
    expect(await (await fetch(`${hung.url}/api/version`)).json()).toEqual({ version: '0.12.6' });
    const t = Date.now();
    await hung.close();
    expect(Date.now() - t).toBeLessThan(500);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('adds latencyMs to every request', async () => {
    double.configure({ latencyMs: 40 });
    const t = Date.now();
    await ollama.version();
    expect(Date.now() - t).toBeGreaterThanOrEqual(35);
  });

  it('speaks the wire format: text root, NDJSON streams, Go-escaped JSON, Go-style errors', async () => {
    const root = await fetch(`${double.url}/`);
    expect(await root.text()).toBe('Ollama is running');
    expect((await fetch(`${double.url}/`, { method: 'HEAD' })).status).toBe(200);

    double.configure({ adversarial: true });
    const res = await fetch(`${double.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] }), // = llama3.2:latest
    });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text()).trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join('')).toContain('\\u003c!channel\\u003e');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ done: true, done_reason: 'stop', message: { content: '' } });
    expect(double.chatRequests[0]?.model).toBe('llama3.2'); // recorded (and echoed) as the client spelled it

    const bad = await fetch(`${double.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'json: cannot unmarshal array into Go struct field Message.messages.content of type string',
    });
    expect((await fetch(`${double.url}/api/nothing`)).status).toBe(404);
  });
});
