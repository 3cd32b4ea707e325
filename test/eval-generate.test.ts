import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReranker } from '../src/chains/rerankers/index.js';
import { calibrate, CANDIDATE_COUNTS, recommend, type CalibratedConfiguration } from '../src/eval/calibrate.js';
import { pairedBootstrap, wilson } from '../src/eval/confidence.js';
import { parseEvalSet } from '../src/eval/dataset.js';
import { questionFromReply } from '../src/eval/generate/chat-questions.js';
import { clozePair } from '../src/eval/generate/cloze.js';
import { mixText } from '../src/cli/eval-generate.js';
import { generateQuestionSet } from '../src/eval/generate/generated-set.js';
import { rejectionReason } from '../src/eval/generate/overlap.js';
import { scopeChunks } from '../src/eval/generate/scope-chunks.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { RerankDouble } from './doubles/rerank-double.js';
import { runCli } from './support/cli.js';
import { createTestCore, testEnv, type TestCore } from './support/harness.js';

const DOCS = join(import.meta.dirname, 'fixtures', 'docs');

describe('generated questions: parsing, rejection, cloze', () => {
  it('takes the question out of a real-looking reply and rejects copies of the passage', () => {
    expect(questionFromReply('Here is a question a colleague might ask:\n\n"When did the Normans reach Italy?"')).toBe(
      'When did the Normans reach Italy?',
    );
    expect(questionFromReply('<think>The passage is about…</think>**Question:** Who led them?')).toBe('Who led them?');
    expect(questionFromReply('I cannot write a question about this.')).toBeUndefined();
    const passage = 'The Normans were the people who in the 10th and 11th centuries gave their name to Normandy, a region in France.';
    expect(rejectionReason('The Normans were the people who in the 10th and 11th centuries gave their name to Normandy?', passage)).toMatch(
      /shares|copies/,
    );
    expect(rejectionReason('Which French region is named after Norse settlers?', passage)).toBeUndefined();
  });

  it('makes an inverse-cloze pair: a sentence out, the rest as the passage', () => {
    const text =
      'Warsaw is the capital of Poland. The city stands on the Vistula River in east-central Poland, about 260 km from the Baltic Sea. ' +
      'Its population is officially estimated at 1.8 million residents within a greater metropolitan area of 3.1 million residents.';
    const pair = clozePair(text)!;
    expect(text).toContain(pair.query);
    expect(pair.passage).not.toContain(pair.query);
    expect(pair.passage.startsWith('Warsaw is the capital of Poland.')).toBe(true);
  });
});

describe('calibration arithmetic', () => {
  it('gives Wilson and paired-bootstrap intervals that contain the estimate', () => {
    const w = wilson(17, 20);
    expect(w.low).toBeCloseTo(0.6396, 3);
    expect(w.high).toBeCloseTo(0.9476, 3);
    const a = Array.from({ length: 50 }, (_, i) => (i < 40 ? 1 : 0));
    const b = Array.from({ length: 50 }, (_, i) => (i < 20 ? 1 : 0));
    const d = pairedBootstrap(a, b);
    expect(d.mean).toBeCloseTo(0.4, 10);
    expect(d.low).toBeGreaterThan(0.2);
    expect(d.high).toBeLessThan(0.6);
    expect(pairedBootstrap(a, a)).toEqual({ mean: 0, low: 0, high: 0 });
  });

  it('recommends the configuration that clearly wins, unless it is too slow', () => {
    const config = (name: string, hit1: number, p95Ms: number, current = false, dense = 0.2): CalibratedConfiguration => ({
      result: {
        name,
        embedModel: 'm',
        retrieval: 'hybrid',
        reranker: 'none',
        hit: { '1': hit1 },
        recall10: 1,
        mrr10: hit1,
        p50Ms: p95Ms,
        p95Ms,
      },
      outcomes: [],
      settings: { FUSION: 'score', FUSION_DENSE_WEIGHT: dense, FUSION_KEYWORD_WEIGHT: 1 - dense, RERANKER: 'none', RERANK_CANDIDATES: 20 },
      current,
    });
    const set = [config('current', 0.5, 10, true), config('winner', 0.9, 20, false, 0.5), config('slow', 0.95, 5000, false, 0.7)];
    expect(recommend(set, 1500).result.name).toBe('winner');
    expect(recommend(set, 10_000).result.name).toBe('slow');
    // A tie goes to the current settings.
    expect(recommend([config('current', 0.5, 10, true), config('same', 0.5, 5)], 1500).result.name).toBe('current');
  });
});

describe('citebot eval --generate', () => {
  let double: OllamaDouble;
  let user: TestCore;
  const cleanup: string[] = [];
  beforeAll(async () => {
    double = await OllamaDouble.start();
    user = await createTestCore(double);
    const indexer = await user.core.indexer();
    for (const file of ['Normans.md', 'Warsaw.html']) {
      const bytes = readFileSync(join(DOCS, file));
      await indexer.ingest({
        scope: 'local:default',
        docId: file,
        source: file,
        url: join(DOCS, file),
        size: bytes.length,
        read: async () => bytes,
      });
    }
  });
  afterAll(async () => {
    await user?.close();
    await double?.close();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('asks the chat model, rejects copied questions, caches the set by content, and writes JSONL that --qa reads', async () => {
    const chunks = await scopeChunks(user.core.index, 'local:default');
    double.reset();
    const first = await generateQuestionSet(user.settings, 'local:default', chunks, 12);
    expect(first).toMatchObject({ generator: 'chat-model', cached: false, mix: { 'chat-model': 12, cloze: 0 } });
    expect(first.set.questions).toHaveLength(12);
    // The double copies the passage for about one chunk in four: those were rejected, not kept, and asked
    // again with the stricter prompt, which the double (an instruction-tuned model) then follows.
    expect(first.rejected.copied).toBeGreaterThan(0);
    expect(first.retried).toBe(first.rejected.copied);
    expect(double.stats.requests.chat).toBe(12 + first.retried);
    expect(double.chatRequests.filter((r) => /previous reply was rejected/.test(r.messages[0]!.content))).toHaveLength(first.retried);
    for (const q of first.set.questions) expect(q.question).toMatch(/^What do our files say about .+\?$/);
    // Each question's gold passage is indexed, under its file's name (as text).
    for (const q of first.set.questions) expect(first.set.passages.some((p) => p.docId === q.docId)).toBe(true);
    expect(new Set(first.set.passages.map((p) => p.source))).toEqual(new Set(['Normans.txt', 'Warsaw.txt']));
    // --qa reads the file: the same questions, each judged by its gold passage.
    const asQa = parseEvalSet(readFileSync(first.file, 'utf8'));
    expect(asQa.questions.map((q) => [q.question, q.docId])).toEqual(first.set.questions.map((q) => [q.question, q.docId]));

    double.reset();
    const again = await generateQuestionSet(user.settings, 'local:default', chunks, 12);
    expect(again).toMatchObject({ cached: true, file: first.file, generator: 'chat-model' });
    expect(again.set).toEqual(first.set);
    expect(double.stats.requests.chat).toBe(0);
    // Other content (one chunk fewer): another set.
    const other = await generateQuestionSet(user.settings, 'local:default', chunks.slice(1), 12);
    expect(other.file).not.toBe(first.file);
  });

  it('calibrates the reranker: candidate counts on the best fusion, and none when the reranker does not load', async () => {
    const chunks = await scopeChunks(user.core.index, 'local:default');
    const { set } = await generateQuestionSet(user.settings, 'local:default', chunks, 12);
    const server = await RerankDouble.start({ api: 'tei' });
    const named = () => ({
      name: 'http',
      reranker: createReranker({ ...user.settings, RERANKER: 'http', RERANK_URL: server.url, RERANK_API: 'tei' })!,
    });
    const options = { embedModels: [user.settings.EMBED_MODEL], ks: [1, 5, 10], latencyBudgetMs: 60_000 };
    try {
      const run = await calibrate(user.settings, await user.core.chromaUrl(), set, { ...options, reranker: named() });
      expect(run.rerankerSkipped).toBeUndefined();
      const fusionOnly = run.configurations.filter((c) => c.settings?.RERANKER === 'none');
      const reranked = run.configurations.filter((c) => c.settings?.RERANKER === 'http');
      // The reranker is tried on the fusion with the best hit@1 (the first of equals), at each candidate count.
      const bestHit1 = Math.max(...fusionOnly.map((c) => c.result.hit['1']!));
      const best = fusionOnly.find((c) => c.result.hit['1'] === bestHit1)!.settings!;
      expect(reranked.map((c) => c.settings)).toEqual(CANDIDATE_COUNTS.map((n) => ({ ...best, RERANKER: 'http', RERANK_CANDIDATES: n })));
      for (const c of reranked) {
        expect(c.result).toMatchObject({ reranker: 'http', retrieval: 'hybrid' });
        expect(c.result.name).toMatch(new RegExp(`\\+http@${c.settings!.RERANK_CANDIDATES}$`));
      }
      // What reached the server: each question's fused candidates (RERANK_CANDIDATES of them, or all the fusion has:
      // 30 to 40 here, from two sides of 30), in batches of RERANK_BATCH_SIZE, for each count and each question
      // (plus the untimed warm-up question), besides load()'s one-text warm-up requests.
      const sizes = server.requests.map((r) => (r.body.texts as unknown[]).length).filter((k) => k > 1);
      for (const k of sizes) expect(k).toBeLessThanOrEqual(user.settings.RERANK_BATCH_SIZE);
      const asked = set.questions.length + 1;
      const total = sizes.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThanOrEqual(asked * (10 + 20 + 30));
      expect(total).toBeLessThanOrEqual(asked * (10 + 20 + 40));

      // A reranker that does not load is left out, said, and never recommended.
      await server.close();
      const without = await calibrate(user.settings, await user.core.chromaUrl(), set, { ...options, reranker: named() });
      expect(without.rerankerSkipped).toMatch(/^http unavailable/);
      expect(without.configurations.some((c) => c.result.reranker !== 'none')).toBe(false);
      expect(without.recommendation.RERANKER).toBe('none');
    } finally {
      await server.close();
    }
  }, 120_000);

  it('falls back to inverse cloze when the chat model is not pulled', async () => {
    const chunks = await scopeChunks(user.core.index, 'local:default');
    const settings = { ...user.settings, CHAT_MODEL: 'not-pulled:7b' };
    const set = await generateQuestionSet(settings, 'local:default', chunks, 8);
    expect(set).toMatchObject({ generator: 'cloze', mix: { 'chat-model': 0, cloze: 8 } });
    expect(set.fallbackReason).toMatch(/does not have the model "not-pulled:7b"/);
    expect(set.set.questions).toHaveLength(8);
    for (const q of set.set.questions) {
      const gold = set.set.passages.find((p) => p.docId === q.docId)!;
      // The query sentence came out of its passage.
      expect(gold.text).not.toContain(q.question);
      expect(chunks.some((c) => c.text.includes(q.question))).toBe(true);
    }
  });

  it('a chat model that quotes the passage instead of asking: asked once more, stricter, then cloze tops up, and the mix is said', async () => {
    const quoting = await OllamaDouble.start({ questionWriter: 'quotes' });
    try {
      const chunks = await scopeChunks(user.core.index, 'local:default');
      const set = await generateQuestionSet({ ...user.settings, OLLAMA_BASE_URL: [quoting.url] }, 'local:default', chunks, 8);
      expect(set.set.questions).toHaveLength(8);
      expect(set).toMatchObject({ generator: 'cloze', mix: { 'chat-model': 0, cloze: 8 } });
      // Ten passages, each asked twice (the second time with the stricter prompt), before giving up on the model.
      expect(set.retried).toBe(10);
      expect(set.rejected).toEqual({ copied: 20, 'too long': 0, 'no question': 0 });
      expect(quoting.stats.requests.chat).toBe(20);
      expect(set.fallbackReason).toMatch(/no usable question from the first 10 passages/);
      expect(mixText(set)).toBe('chat-model 0, cloze 8; 20 rejected: 20 copied; 10 passages asked again with a stricter prompt');

      const { env, dataDir } = testEnv(quoting.url);
      cleanup.push(dataDir);
      expect((await runCli(['ingest', join(DOCS, 'Normans.md'), join(DOCS, 'Warsaw.html')], env)).code).toBe(0);
      const json = await runCli(['eval', '--generate', '6', '--json'], env);
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(report).toMatchObject({
        questions: 6,
        generator: 'cloze',
        mix: { 'chat-model': 0, cloze: 6 },
        rejected: { copied: 20, total: 20 },
        retried: 10,
        fallback: expect.stringMatching(/no usable question/) as unknown,
      });
      // The human text, on the set cached by the first run.
      const human = await runCli(['eval', '--generate', '6'], env);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^6 questions \(chat-model 0, cloze 6; cached\) in .*\.jsonl$/m);
    } finally {
      await quoting.close();
    }
  }, 400_000);

  it('--json prints the contract; --apply writes only the settings file; the user index and sources are unchanged', async () => {
    const { env, dataDir } = testEnv(double.url);
    cleanup.push(dataDir);
    const settingsFile = join(dataDir, 'citebot.yaml');
    const envFile = join(dataDir, '.env');
    writeFileSync(envFile, 'LOG_LEVEL=error\n');
    expect((await runCli(['ingest', join(DOCS, 'Normans.md'), join(DOCS, 'Warsaw.html')], env)).code).toBe(0);
    const sourcesBefore = (await runCli(['sources', '--json'], env)).stdout;
    const bytesBefore = readFileSync(join(DOCS, 'Normans.md'));

    // Without --apply nothing is written, even with CITEBOT_CONFIG set (and not existing).
    const dry = await runCli(['eval', '--generate', '10', '--json'], { ...env, CITEBOT_CONFIG: settingsFile });
    expect(dry.code).toBe(2); // the settings file must exist unless --apply creates it
    const result = await runCli(['eval', '--generate', '10', '--json', '--apply'], { ...env, CITEBOT_CONFIG: settingsFile });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown> & {
      configurations: { name: string; hit: Record<string, number> }[];
      recommendation: Record<string, unknown>;
    };
    expect(Object.keys(report)).toEqual([
      'questions',
      'generator',
      'mix',
      'rejected',
      'retried',
      'configurations',
      'recommendation',
      'recommended',
      'margin',
      'file',
      'applied',
    ]);
    expect(report).toMatchObject({ questions: 10, generator: 'chat-model', applied: settingsFile });
    expect(Object.keys(report.recommendation)).toEqual([
      'FUSION',
      'FUSION_DENSE_WEIGHT',
      'FUSION_KEYWORD_WEIGHT',
      'RERANKER',
      'RERANK_CANDIDATES',
    ]);
    expect(report.configurations.map((c) => c.name)).toContain('nomic-embed-text/hybrid score 0.2/0.8');
    // Recall at RERANK_CANDIDATES (20) is reported.
    for (const c of report.configurations) expect(Object.keys(c.hit)).toEqual(['1', '5', '10', '20']);

    const written = readFileSync(settingsFile, 'utf8');
    for (const [key, value] of Object.entries(report.recommendation)) expect(written).toContain(`${key}: ${String(value)}`);
    expect(readFileSync(envFile, 'utf8')).toBe('LOG_LEVEL=error\n');
    expect((await runCli(['sources', '--json'], env)).stdout).toBe(sourcesBefore);
    expect(readFileSync(join(DOCS, 'Normans.md'))).toEqual(bytesBefore);
    expect(existsSync(join(dataDir, 'eval-cache', 'calibrations.json'))).toBe(true);

    // doctor: calibrated on the current content; after the scope changes, older than its content.
    const doctor = async () =>
      JSON.parse((await runCli(['doctor', '--json'], env)).stdout) as
        { checks?: { name: string; status: string }[] } | { name: string; status: string }[];
    const checksOf = (d: Awaited<ReturnType<typeof doctor>>) => (Array.isArray(d) ? d : (d.checks ?? []));
    expect(checksOf(await doctor()).find((c) => c.name === 'calibration local:default')).toMatchObject({ status: 'ok' });
    expect((await runCli(['ingest', join(DOCS, 'contacts.csv')], env)).code).toBe(0);
    expect(checksOf(await doctor()).find((c) => c.name === 'calibration local:default')).toMatchObject({ status: 'warning' });
  }, 400_000);

  it('--apply without CITEBOT_CONFIG is a usage error that names the fix', async () => {
    const { env, dataDir } = testEnv(double.url);
    cleanup.push(dataDir);
    expect((await runCli(['ingest', join(DOCS, 'Normans.md')], env)).code).toBe(0);
    const result = await runCli(['eval', '--generate', '5', '--apply'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--apply: CITEBOT_CONFIG is not set.*Fix: set CITEBOT_CONFIG=/);
  }, 200_000);
});
