import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvalSet, passageDocId, selectQuestions, type EvalSet } from '../src/eval/dataset.js';
import { containsAnswer, judgeQuestion, percentile, summarizeOutcomes } from '../src/eval/metrics.js';
import { retrievalNotes } from '../src/eval/report.js';
import { runEval } from '../src/eval/run-eval.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { RerankDouble } from './doubles/rerank-double.js';
import { runCli } from './support/cli.js';
import { createTestCore, memorySource, testEnv, type TestCore } from './support/harness.js';

/** Hand-made: 3 paragraphs (English and Chinese), 5 questions, one of them impossible. Same content in both formats. */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'eval');
const SQUAD = join(FIXTURES, 'tiny-squad.json');
const JSONL = join(FIXTURES, 'tiny-squad.jsonl');
const readSet = (file: string): EvalSet => parseEvalSet(readFileSync(file, 'utf8'));

describe('eval metrics', () => {
  it('matches answers case- and whitespace-insensitively, and Chinese without spaces', () => {
    expect(containsAnswer('The river is  THE\n  seine.', 'the Seine')).toBe(true);
    expect(containsAnswer('built by Robert Steven son', 'Robert Stevenson')).toBe(false);
    expect(containsAnswer('最后注入东\n海。', '东海')).toBe(true);
    expect(containsAnswer('anything', '  ')).toBe(false);
  });

  it('scores a hand-checked set exactly', () => {
    const chunk = (text: string, docId = 'd') => ({ text, docId });
    const outcomes = [
      // First hit at rank 2; two of the three answers in the top 10.
      judgeQuestion({ answers: ['Paris', 'the Seine', 'Notre-Dame'] }, [
        chunk('Lyon is large'),
        chunk('The river is the  SEINE'),
        chunk('Paris is the capital'),
      ]),
      // The only hit is at rank 11: outside every cut-off.
      judgeQuestion({ answers: ['42'] }, [...Array.from({ length: 10 }, (_, i) => chunk(`nothing ${i}`)), chunk('the answer is 42')]),
      // No answers: the gold passage's chunk is the hit, at rank 1.
      judgeQuestion({ answers: [], docId: 'd3' }, [chunk('unrelated text', 'd3'), chunk('other', 'd1')]),
      // Chinese, the answer split by a line break in the chunk: rank 3.
      judgeQuestion({ answers: ['东海'] }, [chunk('长江是中国第一大河'), chunk('全长约六千三百公里'), chunk('最后注入东\n海。')]),
    ];
    expect(outcomes).toEqual([
      { firstHitRank: 2, recall: 2 / 3 },
      { firstHitRank: 11, recall: 0 },
      { firstHitRank: 1, recall: 1 },
      { firstHitRank: 3, recall: 1 },
    ]);
    const summary = summarizeOutcomes(outcomes, [1, 5, 10]);
    // hit@1: only question 3 → 1/4. hit@5 and hit@10: questions 1, 3, 4 → 3/4.
    expect(summary.hit).toEqual({ '1': 0.25, '5': 0.75, '10': 0.75 });
    // recall@10: (2/3 + 0 + 1 + 1) / 4 = 2/3.
    expect(summary.recall10).toBeCloseTo(2 / 3, 12);
    // MRR@10: (1/2 + 0 + 1 + 1/3) / 4 = 11/24.
    expect(summary.mrr10).toBeCloseTo(11 / 24, 12);
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([], 95)).toBe(0);
  });
});

describe('eval question sets', () => {
  it('reads SQuAD JSON and JSONL into the same passages and questions', () => {
    const squad = readSet(SQUAD);
    const jsonl = readSet(JSONL);
    for (const set of [squad, jsonl]) {
      expect(set.passages).toHaveLength(3);
      expect(set.questions.map((q) => q.id)).toEqual(['bell-1', 'bell-2', 'tea-1', 'tea-2', 'yangtze-1']);
      // Repeated gold answers count once; the impossible question has none.
      expect(set.questions.map((q) => q.answers)).toEqual([
        ['Robert Stevenson'],
        ['between 1807 and 1810', '1807 and 1810'],
        ['Yunnan'],
        [],
        ['东海'],
      ]);
      expect(set.questions[3]!.docId).toBe(set.passages[1]!.docId);
    }
    expect(jsonl.passages.map((p) => p.docId)).toEqual(squad.passages.map((p) => p.docId));
    expect(squad.passages[0]!.docId).toBe(passageDocId(squad.passages[0]!.text));
    expect(squad.passages.map((p) => p.source)).toEqual(['Bell_Rock_Lighthouse-1.txt', "Pu'er_tea-1.txt", '长江-1.txt']);
  });

  it('selects the first N questions in file order, answerable only on request', () => {
    const { questions } = readSet(SQUAD);
    expect(selectQuestions(questions, { limit: 4 }).map((q) => q.id)).toEqual(['bell-1', 'bell-2', 'tea-1', 'tea-2']);
    expect(selectQuestions(questions, { limit: 4, answerableOnly: true }).map((q) => q.id)).toEqual([
      'bell-1',
      'bell-2',
      'tea-1',
      'yangtze-1',
    ]);
  });

  it('names JSONL passages by their title, and skips a blank question instead of refusing the whole file', () => {
    const set = parseEvalSet(
      [
        '{"question": "Who built it?", "answers": ["Robert Stevenson"], "context": "Robert Stevenson built the Bell Rock Lighthouse.", "title": "Bell Rock Lighthouse"}',
        '{"question": "  ", "answers": ["x"], "context": "A line whose question was lost."}',
        '{"question": "Where is it?", "answers": ["Angus"], "context": "It stands off Angus."}',
      ].join('\n'),
    );
    expect(set.questions.map((q) => q.question)).toEqual(['Who built it?', 'Where is it?']);
    expect(set.passages.map((p) => p.source)).toEqual(['Bell_Rock_Lighthouse-1.txt', 'passage-1.txt']);
    expect(() => parseEvalSet('{"answers": ["a"], "context": "a b"}')).toThrow(/line 1 has no "question"/);
  });

  it('refuses JSONL without the passage, naming the line', () => {
    expect(() => parseEvalSet('{"question": "q", "answers": ["a"], "context": "a b"}\n{"question": "r", "answers": ["x"]}\n')).toThrow(
      /line 2 has no "context"/,
    );
  });
});

describe('eval runs', () => {
  let double: OllamaDouble;
  let user: TestCore;
  beforeAll(async () => {
    double = await OllamaDouble.start();
    user = await createTestCore(double);
  });
  afterAll(async () => {
    await user?.close();
    await double?.close();
  });

  it('scores every configuration on a throwaway index, leaves the user index alone, and reuses its cache', async () => {
    const { core } = user;
    await (await core.indexer()).ingest(memorySource('local:default', 'mine.txt', 'My own notes about lighthouses and tea.'));
    const ledgerBefore = await core.index.documents();
    const chunksBefore = await core.index.chunkCount();
    const set = readSet(SQUAD);
    const chromaUrl = await core.chromaUrl();
    const run = () => runEval(core.settings, chromaUrl, set, set.questions, { embedModels: ['nomic-embed-text'], ks: [1, 5] });

    const first = await run();
    expect(first.report.questions).toBe(5);
    expect(first.report.configurations.map((c) => [c.name, c.retrieval, c.reranker])).toEqual([
      ['nomic-embed-text/dense', 'dense', 'none'],
      ['nomic-embed-text/keyword', 'keyword', 'none'],
      ['nomic-embed-text/hybrid', 'hybrid', 'none'],
    ]);
    const keyword = first.report.configurations.find((c) => c.retrieval === 'keyword')!;
    expect(keyword).toMatchObject({ hit: { '1': 1, '5': 1 }, recall10: 1, mrr10: 1 });
    expect(first.indexing[0]).toMatchObject({ embedModel: 'nomic-embed-text', passages: 3, chunksEmbedded: 3 });
    expect(first.indexing[0]!.textsPerSecond).toBeGreaterThan(0);

    // The user's documents, chunks and collection are as they were.
    expect(await core.index.documents()).toEqual(ledgerBefore);
    expect(await core.index.chunkCount()).toBe(chunksBefore);

    // Second run: the passages come from the cache; only the questions are embedded (dense search needs them).
    double.reset();
    const second = await run();
    expect(second.indexing[0]).toMatchObject({ chunksEmbedded: 0 });
    expect(second.indexing[0]!.textsPerSecond).toBeUndefined();
    const embedded = double.embedInputs.flat();
    expect(embedded.length).toBeGreaterThan(0);
    for (const passage of set.passages) expect(embedded.some((input) => input.includes(passage.text))).toBe(false);
    expect(second.report.configurations).toEqual(
      first.report.configurations.map((c) => ({ ...c, p50Ms: expect.any(Number), p95Ms: expect.any(Number) })),
    );
  });

  it('a passage that cannot be indexed is reported and the run goes on; stray control characters do not stop one', async () => {
    const { core } = user;
    const set = parseEvalSet(
      [
        { question: '长江全长约多少公里？', answers: ['六千三百公里'], context: '长江是中国第一大河\x1a，全长约六千三百公里。' },
        { question: 'What is this?', answers: ['nothing'], context: '\x01\x02\x03\x04\x05\x06 binary \x07\x08\x0e\x0f\x10\x11' },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    const run = await runEval(core.settings, await core.chromaUrl(), set, set.questions, { embedModels: ['nomic-embed-text'], ks: [1] });
    expect(run.indexing[0]).toMatchObject({ passages: 2, chunksEmbedded: 1 });
    expect(run.indexing[0]!.failed).toEqual([expect.stringMatching(/: unreadable: the file is binary data, not text$/)]);
    const keyword = run.report.configurations.find((c) => c.retrieval === 'keyword')!;
    expect(keyword.hit['1']).toBe(0.5);
    expect(retrievalNotes(run)).toEqual([
      expect.stringMatching(/^Passages not indexed with nomic-embed-text \(their questions count as misses\): /),
    ]);
  });

  it('citebot eval --json prints exactly the contract, with a hybrid+reranker configuration', async () => {
    const reranker = await RerankDouble.start({ api: 'tei' });
    const { env, dataDir } = testEnv(double.url, { RERANK_URL: reranker.url, RERANK_API: 'tei' });
    try {
      const result = await runCli(['eval', '--qa', JSONL, '--k', '1,5,10', '--reranker', 'http', '--json'], env);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as { questions: number; configurations: Record<string, unknown>[] };
      expect(Object.keys(report)).toEqual(['questions', 'configurations']);
      expect(report.questions).toBe(5);
      expect(report.configurations.map((c) => c.name)).toEqual([
        'nomic-embed-text/dense',
        'nomic-embed-text/keyword',
        'nomic-embed-text/hybrid',
        'nomic-embed-text/hybrid+http',
      ]);
      for (const c of report.configurations) {
        expect(Object.keys(c)).toEqual(['name', 'embedModel', 'retrieval', 'reranker', 'hit', 'recall10', 'mrr10', 'p50Ms', 'p95Ms']);
        expect(Object.keys(c.hit as object)).toEqual(['1', '5', '10']);
      }
      expect(report.configurations[3]).toMatchObject({ retrieval: 'hybrid', reranker: 'http', hit: { '10': 1 } });
      expect(reranker.requests.length).toBeGreaterThan(0);
    } finally {
      await reranker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('citebot eval prints a table, and a usage error for a bad option', async () => {
    const { env, dataDir } = testEnv(double.url);
    try {
      const out = join(dataDir, 'eval-report.md');
      const table = await runCli(['eval', '--qa', SQUAD, '--limit', '3', '--out', out], env);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/hit@1.*hit@5.*hit@10.*recall@10.*MRR@10/);
      expect(table.stdout).toContain('nomic-embed-text/hybrid');
      expect(table.stdout).toContain('3 questions');
      expect(table.stdout).toContain(`Report: ${out} (chart: ${join(dataDir, 'eval-report.svg')})`);
      // The report: the results table in Markdown (keyword search finds all three first), then the chart.
      const markdown = readFileSync(out, 'utf8');
      expect(markdown).toContain('| configuration | hit@1 | hit@5 | hit@10 | recall@10 | MRR@10 | p50 ms | p95 ms |');
      expect(markdown).toMatch(/\| nomic-embed-text\/keyword \| 1\.000 \| 1\.000 \| 1\.000 \| 1\.000 \| 1\.000 \|/);
      expect(markdown).toContain('![hit@k per configuration (3 questions)](eval-report.svg)');
      const svg = readFileSync(join(dataDir, 'eval-report.svg'), 'utf8');
      // Three configurations × three ks; the keyword row's three bars are full (420 px).
      const bars = [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)" height="14"/g)].map((m) => Number(m[1]));
      expect(bars).toHaveLength(9);
      expect(bars.slice(3, 6)).toEqual([420, 420, 420]);
      const bad = await runCli(['eval', '--qa', SQUAD, '--k', 'zero'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--k: expected a whole number/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
