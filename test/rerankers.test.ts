import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentCompressorPipeline } from '@langchain/classic/retrievers/document_compressors';
import { Document } from '@langchain/core/documents';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkReranker } from '../src/chains/rerankers/check.js';
import { contentBigrams } from '../src/chains/rerankers/cjk-bigram-evidence.js';
import { CrossEncoderReranker } from '../src/chains/rerankers/cross-encoder.js';
import { HttpReranker, type RerankApi } from '../src/chains/rerankers/http.js';
import { createReranker, rerankCompressors } from '../src/chains/rerankers/index.js';
import { RelevanceThreshold } from '../src/chains/rerankers/relevance-threshold.js';
import { FusionOrderCompressor, RerankCompressor } from '../src/chains/rerankers/rerank-compressor.js';
import type { Reranker } from '../src/chains/rerankers/reranker.js';
import { loadSettings, type Settings } from '../src/config.js';
import { CitebotError, isCitebotError } from '../src/errors.js';
import { overlapScore, RerankDouble } from './doubles/rerank-double.js';

/** A tiny word-overlap "cross-encoder" in ONNX, made by test/fixtures/reranker/make-tiny-reranker.py. */
const FIXTURE_MODEL = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'reranker');

const scratch = mkdtempSync(join(tmpdir(), 'citebot-rerankers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function settingsWith(env: Record<string, string>): Settings {
  return loadSettings({ env: { DATA_DIR: scratch, ...env }, dotenvDir: false });
}

async function rejection(promise: Promise<unknown>): Promise<CitebotError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isCitebotError(err, 'reranker_unavailable')).toBe(true);
  const citebotError = err as CitebotError;
  expect(citebotError.message).not.toContain('\n');
  return citebotError;
}

const QUERY = 'what is the travel budget for hotels';
const PASSAGES = [
  'The kitchen has coffee and a printer.',
  'Hotels are paid from the travel budget, up to the limit in the policy.',
  'The travel policy covers flights.',
  'Football players need a doctor.',
];

describe('CrossEncoderReranker on the fixture model', () => {
  const fixtureReranker = (batchSize = 16) =>
    new CrossEncoderReranker({ model: 'unused/by-a-path', modelPath: FIXTURE_MODEL, cacheDir: join(scratch, 'models'), batchSize });

  it('loads the model once, whatever the number of concurrent callers', async () => {
    const hf = await import('@huggingface/transformers');
    const loads = vi.spyOn(hf.AutoModelForSequenceClassification, 'from_pretrained');
    try {
      const reranker = fixtureReranker();
      await Promise.all([reranker.load(), reranker.load(), reranker.score(QUERY, PASSAGES)]);
      await reranker.load();
      await reranker.score(QUERY, PASSAGES);
      expect(loads).toHaveBeenCalledTimes(1);
      expect(reranker.name).toBe(`cross-encoder ${FIXTURE_MODEL}`);
    } finally {
      loads.mockRestore();
    }
  });

  it('scores in 0..1, deterministically, and ranks the passage sharing the query words first', async () => {
    const reranker = fixtureReranker();
    const scores = await reranker.score(QUERY, PASSAGES);
    expect(scores).toHaveLength(PASSAGES.length);
    expect(scores.every((score) => score >= 0 && score <= 1)).toBe(true);
    expect(await reranker.score(QUERY, PASSAGES)).toEqual(scores);
    expect(scores.indexOf(Math.max(...scores))).toBe(1);
    expect(scores[1]).toBeGreaterThan(0.5);
    expect(scores[3]).toBeLessThan(0.1);
    expect(await reranker.score(QUERY, [])).toEqual([]);
  });

  it('scores 40 passages in batches of 16 exactly as one at a time', async () => {
    const words = ['travel', 'budget', 'hotel', 'policy', 'coffee', 'train', 'invoice', 'the', 'of', 'limit', 'receipts'];
    const passages = Array.from({ length: 40 }, (_, i) =>
      Array.from({ length: 1 + ((i * 7) % 13) }, (_, j) => words[(i * 3 + j * 5) % words.length]).join(' '),
    );
    const batched = await fixtureReranker(16).score(QUERY, passages);
    const single = fixtureReranker(1);
    const oneByOne: number[] = [];
    for (const passage of passages) oneByOne.push(...(await single.score(QUERY, [passage])));
    expect(batched).toHaveLength(40);
    batched.forEach((score, i) => expect(score).toBeCloseTo(oneByOne[i]!, 5));
  });

  it('reads Chinese passages', async () => {
    const scores = await fixtureReranker().score('差旅预算是多少', ['公司的差旅预算由财务审批', '明天会下雨', '']);
    expect(scores).toHaveLength(3);
    expect(scores[0]).toBeGreaterThan(scores[1]!);
  });

  it('fails to load a missing or incomplete folder with one line naming the path and the fix', async () => {
    const missing = join(scratch, 'no-such-model');
    const gone = await rejection(new CrossEncoderReranker({ model: 'x', modelPath: missing, cacheDir: scratch, batchSize: 4 }).load());
    expect(gone.message).toBe(
      `cannot load the reranker from RERANK_MODEL_PATH ${missing}: the folder does not exist. Fix: point RERANK_MODEL_PATH at a downloaded copy of a cross-encoder (config.json, tokenizer.json, onnx/model.onnx), or set RERANKER=none`,
    );

    const incomplete = mkdtempSync(join(scratch, 'incomplete-'));
    writeFileSync(join(incomplete, 'config.json'), '{"model_type": "bert"}');
    const reranker = new CrossEncoderReranker({ model: 'x', modelPath: incomplete, cacheDir: scratch, batchSize: 4 });
    const partial = await rejection(reranker.score('q', ['p']));
    expect(partial.message).toContain('tokenizer.json, tokenizer_config.json, onnx/model.onnx missing. Fix:');
  });

  it('fails to download a hub model without a connection with one line naming the model and the fix', async () => {
    const hf = await import('@huggingface/transformers');
    const remoteHost = hf.env.remoteHost;
    hf.env.remoteHost = 'http://127.0.0.1:9/'; // the discard port: nothing listens, like a machine offline
    try {
      const reranker = new CrossEncoderReranker({ model: 'Xenova/bge-reranker-base', cacheDir: join(scratch, 'hub'), batchSize: 4 });
      const err = await rejection(reranker.load());
      expect(err.message).toMatch(
        /^cannot load the reranker Xenova\/bge-reranker-base: .+\. Fix: set RERANK_MODEL_PATH to a downloaded copy, or RERANKER=none$/,
      );
    } finally {
      hf.env.remoteHost = remoteHost;
    }
  });
});

describe.each<RerankApi>(['tei', 'cohere'])('HttpReranker against the %s double', (api) => {
  let server: RerankDouble;
  beforeAll(async () => {
    server = await RerankDouble.start({ api, model: 'bge-reranker-base' });
  });
  afterEach(() => {
    server.requests.length = 0;
    server.configure({ failWith: undefined, hang: false, logits: false });
  });
  afterAll(async () => {
    await server.close();
  });
  const reranker = (extra: { batchSize?: number; timeoutMs?: number } = {}) =>
    new HttpReranker({ url: server.url, api, model: 'bge-reranker-base', batchSize: 16, ...extra });

  it('maps the sorted results back to the passages, in the wire format of the API', async () => {
    const scores = await reranker().score(QUERY, PASSAGES);
    expect(scores).toEqual(PASSAGES.map((passage) => overlapScore(QUERY, passage)));
    const body = server.requests[0]!.body;
    if (api === 'tei') {
      expect(body).toEqual({ query: QUERY, texts: PASSAGES, raw_scores: false, truncate: true });
    } else {
      expect(body).toEqual({ model: 'bge-reranker-base', query: QUERY, documents: PASSAGES, top_n: PASSAGES.length });
    }
  });

  it('sends RERANK_BATCH_SIZE passages per request and keeps their order', async () => {
    const passages = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? `travel budget ${i}` : `coffee ${i}`));
    const scores = await reranker({ batchSize: 16 }).score('travel budget', passages);
    expect(scores).toEqual(passages.map((passage) => overlapScore('travel budget', passage)));
    const sizes = server.requests.map((r) => ((api === 'tei' ? r.body.texts : r.body.documents) as string[]).length);
    expect(sizes.sort((a, b) => a - b)).toEqual([8, 16, 16]);
    if (api === 'cohere') expect(server.requests.map((r) => r.body.top_n).sort()).toEqual([16, 16, 8].sort());
  });

  it('turns raw logits into 0..1 with a sigmoid', async () => {
    server.configure({ logits: true });
    const scores = await reranker().score(QUERY, PASSAGES);
    expect(scores).toEqual(PASSAGES.map((passage) => 1 / (1 + Math.exp(-(overlapScore(QUERY, passage) * 8 - 4)))));
  });

  it('load() checks the server with one small request', async () => {
    await reranker().load();
    expect(server.requests).toHaveLength(1);
  });

  it('reports a server error, a hang and a wrong API shape as one-line CitebotErrors', async () => {
    server.configure({ failWith: 500 });
    const failed = await rejection(reranker().score(QUERY, PASSAGES));
    expect(failed.message).toMatch(new RegExp(`^the reranker at ${server.url} answered HTTP 500 \\(.+\\)\\. Fix: .*RERANKER=none$`));

    server.configure({ failWith: undefined, hang: true });
    const hung = await rejection(reranker({ timeoutMs: 200 }).score(QUERY, PASSAGES));
    expect(hung.message).toContain('did not answer within 0.2 s. Fix:');

    server.configure({ hang: false });
    const otherApi: RerankApi = api === 'tei' ? 'cohere' : 'tei';
    const wrong = new HttpReranker({ url: server.url, api: otherApi, model: 'bge-reranker-base', batchSize: 16 });
    expect((await rejection(wrong.score(QUERY, PASSAGES))).message).toContain('answered HTTP 422');
  });
});

describe('HttpReranker with the server down', () => {
  it('says it cannot reach the server, with the fix', async () => {
    const server = await RerankDouble.start({ api: 'tei' });
    await server.close();
    const err = await rejection(new HttpReranker({ url: server.url, api: 'tei', model: 'm', batchSize: 16 }).load());
    expect(err.message).toBe(
      `the reranker at ${server.url} cannot be reached (ECONNREFUSED). Fix: start the /rerank server or correct RERANK_URL, or set RERANKER=none`,
    );
  });
});

/** Scores like the HTTP double; or fails like a reranker that cannot load. */
function stubReranker(fail?: string): Reranker & { calls: number } {
  return {
    name: 'stub',
    calls: 0,
    async load() {},
    async score(query: string, passages: string[]) {
      this.calls++;
      if (fail) throw new CitebotError('reranker_unavailable', fail);
      return passages.map((passage) => overlapScore(query, passage));
    },
  };
}

const candidates = () =>
  PASSAGES.map((pageContent, i) => new Document({ pageContent, metadata: { chunkId: `c${i}`, fusionScore: 1 / (i + 1) }, id: `c${i}` }));

describe('RerankCompressor', () => {
  it('keeps the top N by score, best first, with rerankScore, leaving the inputs as they were', async () => {
    const docs = candidates();
    const before = structuredClone(docs.map((d) => ({ ...d })));
    const kept = await new RerankCompressor({ reranker: stubReranker(), topN: 2 }).compressDocuments(docs, QUERY);
    expect(kept.map((d) => d.metadata.chunkId)).toEqual(['c1', 'c2']);
    expect(kept.map((d) => d.metadata.rerankScore)).toEqual([overlapScore(QUERY, PASSAGES[1]!), overlapScore(QUERY, PASSAGES[2]!)]);
    expect(kept[0]!.metadata.fusionScore).toBe(0.5);
    expect(kept[0]!.id).toBe('c1');
    expect(docs.map((d) => ({ ...d }))).toEqual(before);
    expect(kept[0]).not.toBe(docs[1]);
  });

  it('falls back to fusion order when the reranker fails, and says why each time', async () => {
    const reasons: string[] = [];
    const reranker = stubReranker('cannot load the reranker x: offline. Fix: set RERANKER=none');
    const compressor = new RerankCompressor({ reranker, topN: 3, onFallback: (reason) => reasons.push(reason) });
    const first = await compressor.compressDocuments(candidates(), QUERY);
    const second = await compressor.compressDocuments(candidates(), 'another question');
    for (const kept of [first, second]) {
      expect(kept.map((d) => d.metadata.chunkId)).toEqual(['c0', 'c1', 'c2']);
      expect(kept.some((d) => 'rerankScore' in d.metadata)).toBe(false);
    }
    expect(reasons).toEqual(Array(2).fill('cannot load the reranker x: offline. Fix: set RERANKER=none'));
    expect(reranker.calls).toBe(2);
  });

  it('works in a DocumentCompressorPipeline with the fixture cross-encoder and the threshold', async () => {
    const reranker = new CrossEncoderReranker({ model: 'unused', modelPath: FIXTURE_MODEL, cacheDir: scratch, batchSize: 16 });
    const pipeline = new DocumentCompressorPipeline({
      transformers: [new RerankCompressor({ reranker, topN: 3 }), new RelevanceThreshold({ minScore: 0.1 })],
    });
    const kept = await pipeline.compressDocuments(candidates(), QUERY);
    expect(kept[0]!.metadata.chunkId).toBe('c1');
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThanOrEqual(3);
    expect(kept.every((d) => (d.metadata.rerankScore as number) >= 0.1)).toBe(true);
  });
});

describe('FusionOrderCompressor and RelevanceThreshold', () => {
  it('keeps the first N in incoming order', async () => {
    const kept = await new FusionOrderCompressor({ topN: 2 }).compressDocuments(candidates());
    expect(kept.map((d) => d.metadata.chunkId)).toEqual(['c0', 'c1']);
  });

  it('drops documents under minScore, keeps unscored ones, and keeps everything at 0', async () => {
    const docs = [0.9, 0.05, 0.1, undefined].map(
      (rerankScore, i) => new Document({ pageContent: `p${i}`, metadata: rerankScore === undefined ? {} : { rerankScore } }),
    );
    const kept = await new RelevanceThreshold({ minScore: 0.1 }).compressDocuments(docs);
    expect(kept.map((d) => d.pageContent)).toEqual(['p0', 'p2', 'p3']);
    expect(await new RelevanceThreshold({ minScore: 0 }).compressDocuments(docs)).toHaveLength(4);
  });

  it('in fusion order, refuses the question when no passage covers enough of its terms, else keeps them all', async () => {
    const docs = (coverages: (number | undefined)[]) =>
      coverages.map((c, i) => new Document({ pageContent: `p${i}`, metadata: c === undefined ? {} : { keywordCoverage: c } }));
    const threshold = new RelevanceThreshold({ minScore: 0.1, minCoverage: 0.3 });
    expect(await threshold.compressDocuments(docs([0.1, undefined, 0.25]))).toEqual([]);
    expect((await threshold.compressDocuments(docs([0.1, undefined, 0.3]))).map((d) => d.pageContent)).toEqual(['p0', 'p1', 'p2']);
    expect(await new RelevanceThreshold({ minScore: 0.1, minCoverage: 0 }).compressDocuments(docs([undefined]))).toHaveLength(1);
  });

  it("in fusion order, keeps a passage holding most of a Chinese question's content bigrams though one word was misread", async () => {
    const question = '猎户座集群的维护窗口是什么时候？';
    // Runs of content words (的, 是 and 什么时候 break them): 猎户座集群, 维护窗口.
    expect(contentBigrams(question)).toEqual(['猎户', '户座', '座集', '集群', '维护', '护窗', '窗口']);
    expect(contentBigrams('报销代码是什么？')).toEqual([]); // too short to judge by share
    const page = (text: string) => [new Document({ pageContent: text, metadata: { keywordCoverage: 0.2 } })];
    const threshold = new RelevanceThreshold({ minScore: 0.1, minCoverage: 0.3 });
    // 5 of 7 bigrams: 独尸座 costs 猎户 and 户座.
    expect(await threshold.compressDocuments(page('独尸座 集群的维护窗口是每周六凌晨'), question)).toHaveLength(1);
    // 3 of 7: the same cluster, another subject.
    expect(await threshold.compressDocuments(page('猎户座的备份在每周日'), question)).toEqual([]);
    expect(await threshold.compressDocuments(page('独尸座集群的维护窗口'), 'When is the maintenance window?')).toEqual([]);
  });
});

describe('createReranker, rerankCompressors and checkReranker', () => {
  it('builds the reranker RERANKER names', () => {
    expect(createReranker(settingsWith({ RERANKER: 'none' }))).toBeUndefined();
    expect(createReranker(settingsWith({ RERANKER: 'cross-encoder' }))).toBeInstanceOf(CrossEncoderReranker);
    expect(createReranker(settingsWith({ RERANKER: 'cross-encoder' }))!.name).toBe('cross-encoder Xenova/bge-reranker-base');
    const http = createReranker(settingsWith({ RERANKER: 'http', RERANK_URL: 'http://127.0.0.1:8080/rerank', RERANK_API: 'tei' }));
    expect(http).toBeInstanceOf(HttpReranker);
    expect(http!.name).toBe('http tei http://127.0.0.1:8080/rerank');
    const noUrl = { ...settingsWith({ RERANKER: 'none' }), RERANKER: 'http' as const };
    expect(() => createReranker(noUrl)).toThrow(/^RERANK_URL: required when RERANKER=http/);
  });

  it('composes the rerank steps', () => {
    const settings = settingsWith({ RERANKER: 'none', RERANK_TOP_N: '4', RERANK_MIN_SCORE: '0.2' });
    const [withNone, threshold] = rerankCompressors(settings, undefined);
    expect(withNone).toBeInstanceOf(FusionOrderCompressor);
    expect(threshold).toBeInstanceOf(RelevanceThreshold);
    expect(rerankCompressors(settings, stubReranker())[0]).toBeInstanceOf(RerankCompressor);
  });

  it('checks the configured reranker for doctor', async () => {
    expect(await checkReranker(settingsWith({ RERANKER: 'none' }))).toMatchObject({ status: 'skipped' });

    const ok = await checkReranker(settingsWith({ RERANKER: 'cross-encoder', RERANK_MODEL_PATH: FIXTURE_MODEL }));
    expect(ok.status).toBe('ok');
    expect(ok.detail).toMatch(/^cross-encoder .+: loaded and scored a pair in \d+ ms$/);

    const missing = await checkReranker(settingsWith({ RERANKER: 'cross-encoder', RERANK_MODEL_PATH: join(scratch, 'nothing-here') }));
    expect(missing).toMatchObject({ status: 'failed', fix: expect.stringContaining('RERANKER=none') });
    expect(missing.detail).toContain('the folder does not exist');

    const server = await RerankDouble.start({ api: 'cohere', hang: true });
    try {
      const hung = await checkReranker(settingsWith({ RERANKER: 'http', RERANK_URL: server.url }), { timeoutMs: 200 });
      expect(hung).toEqual({
        status: 'failed',
        detail: `the reranker at ${server.url} did not answer within 0.2 s`,
        fix: 'check the server, or set RERANKER=none',
      });
      server.configure({ hang: false });
      expect(await checkReranker(settingsWith({ RERANKER: 'http', RERANK_URL: server.url }))).toMatchObject({ status: 'ok' });
    } finally {
      await server.close();
    }
  });
});
