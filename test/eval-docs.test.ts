import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocQuestions, sectionLabel } from '../src/eval/doc-questions.js';
import { chunkSections, sameHeading } from '../src/eval/sections.js';
import { runDocsEval } from '../src/eval/run-docs-eval.js';
import { parseEvalSet, selectQuestions } from '../src/eval/dataset.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { runCli } from './support/cli.js';
import { createTestCore, memorySource, testEnv, type TestCore } from './support/harness.js';

/**
 * Hand-made (test/fixtures/eval/docs, docs-questions.jsonl): lighthouses.md (sections by Markdown
 * headings) and tea.txt (headings as lines of their own). Six questions, one impossible:
 * - bell, eddystone, puer: the top citation is the gold section of the gold document;
 * - matcha-wrong-part: its words are all in tea.txt's Part 2 while the line names Part 1 (document hit,
 *   section miss);
 * - wrong-doc: its words are all in lighthouses.md while the line names tea.txt (document miss; tea.txt
 *   is still among the top 5, since the index holds only a handful of chunks);
 * - impossible: asks about the Bell Rock Lighthouse, whose section is the gold one.
 * So, answerable only: document hit@1 4/5, section hit@1 3/5, document hit@5 5/5; all six: 5/6, 4/6, 6/6.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'eval');
const DOCS = join(FIXTURES, 'docs');
const QUESTIONS = join(FIXTURES, 'docs-questions.jsonl');
/**
 * Small chunks, so tea.txt's parts fall into different chunks and section tracking is exercised: with
 * these sizes chunk 0 is "Tea / Part 1 / <Pu'er paragraph> / Part 2" (Part 2's heading ends it) and
 * chunk 1 is the matcha paragraph alone, in Part 2 because that heading came last before it.
 */
const SMALL_CHUNKS = { CHUNK_TOKENS: '48', CHUNK_OVERLAP_TOKENS: '0' };

describe('end-to-end eval questions and sections', () => {
  it('reads JSONL lines with a document and a part', () => {
    const questions = parseDocQuestions(readFileSync(QUESTIONS, 'utf8'));
    expect(questions.map((q) => [q.id, q.doc, q.section])).toEqual([
      ['bell', 'lighthouses.md', 'Part 1'],
      ['eddystone', 'lighthouses.md', 'Part 2'],
      ['puer', 'tea.txt', 'Part 1'],
      ['matcha-wrong-part', 'tea.txt', 'Part 1'],
      ['wrong-doc', 'tea.txt', 'Part 2'],
      ['impossible', 'lighthouses.md', 'Part 1'],
    ]);
    expect(questions[5]!.answers).toEqual([]);
    expect(sectionLabel(3)).toBe('Part 3');
    expect(sectionLabel(' History ')).toBe('History');
    expect(() => parseDocQuestions('{"question": "q", "answers": [], "part": 1}\n')).toThrow(/line 1 has no "doc"/);
    expect(() => parseDocQuestions('{"question": "q", "answers": [], "doc": "a.md"}\n')).toThrow(/line 1 has no "part"/);
    // Without --docs, such a file has no passages: the error points at --docs.
    expect(() => parseEvalSet(readFileSync(QUESTIONS, 'utf8'))).toThrow(/line 1 has no "context".*pass --docs <folder>/);
  });

  it('finds sections from heading paths, and from heading lines carried across chunks', () => {
    // A heading path: its last heading.
    expect(chunkSections([{ text: 'anything', chunkIndex: 0, section: 'Guide > Part 2' }])).toEqual([['Part 2']]);
    // Heading lines (out of order on purpose): a chunk without one is in the section opened before it;
    // text before a chunk's first heading belongs to the open section too; sentences are not headings.
    const chunks = [
      { text: 'more about the second part.\n\nPart 3\n\nthe third part begins', chunkIndex: 2 },
      { text: 'Title\n\nPart 1\n\nThe first part, in a sentence.', chunkIndex: 0 },
      { text: 'Part 2\n\nThe second part.\n\nA short line', chunkIndex: 1 },
      { text: 'still the third part.', chunkIndex: 3 },
    ];
    expect(chunkSections(chunks)).toEqual([['A short line', 'Part 3'], ['Title', 'Part 1'], ['Part 2', 'A short line'], ['Part 3']]);
    // Nothing to go on: no sections.
    expect(chunkSections([{ text: 'Plain text. Only sentences.', chunkIndex: 0 }])).toEqual([[]]);
    expect(sameHeading('PART  1', 'part 1')).toBe(true);
    expect(sameHeading('Part 1', 'Part 10')).toBe(false);
  });
});

describe('citebot eval --docs', () => {
  let double: OllamaDouble;
  let user: TestCore;
  beforeAll(async () => {
    double = await OllamaDouble.start();
    user = await createTestCore(double, SMALL_CHUNKS);
  });
  afterAll(async () => {
    await user?.close();
    await double?.close();
  });

  it('scores the top citation by document and section exactly, leaves the user index alone, and reuses its cache', async () => {
    const { core } = user;
    await (await core.indexer()).ingest(memorySource('local:default', 'mine.txt', 'My own notes about lighthouses and tea.'));
    const ledgerBefore = await core.index.documents();
    const chunksBefore = await core.index.chunkCount();
    const all = parseDocQuestions(readFileSync(QUESTIONS, 'utf8'));
    const run = (answerableOnly: boolean) =>
      core
        .chromaUrl()
        .then((url) => runDocsEval(core.settings, url, DOCS, selectQuestions(all, { answerableOnly }), { embedModel: 'nomic-embed-text' }));

    const first = await run(true);
    expect(first.report).toEqual({ questions: 5, documentHit1: 0.8, sectionHit1: 0.6, documentHit5: 1 });
    expect(first.configuration).toBe('nomic-embed-text/hybrid');
    expect(first.indexing).toMatchObject({ embedModel: 'nomic-embed-text', passages: 2 });
    expect(first.indexing.chunksEmbedded).toBeGreaterThanOrEqual(4);
    expect(first.missingDocuments).toEqual([]);
    expect(first.sectionNotFound).toBe(0);

    // The user's documents and chunks are as they were.
    expect(await core.index.documents()).toEqual(ledgerBefore);
    expect(await core.index.chunkCount()).toBe(chunksBefore);

    // Second run, all six questions: nothing embedded again but the questions.
    double.reset();
    const second = await run(false);
    expect(second.indexing.chunksEmbedded).toBe(0);
    expect(second.report).toEqual({ questions: 6, documentHit1: 0.8333, sectionHit1: 0.6667, documentHit5: 1 });
    for (const input of double.embedInputs.flat()) expect(input).not.toContain('Yunnan province');
  });

  it('--json prints exactly the contract; --out writes the report and its chart', async () => {
    const { env, dataDir } = testEnv(double.url, SMALL_CHUNKS);
    const out = join(dataDir, 'reports', 'report.md'); // a folder that does not exist yet
    try {
      const result = await runCli(['eval', '--docs', DOCS, '--qa', QUESTIONS, '--answerable-only', '--json', '--out', out], env);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ questions: 5, documentHit1: 0.8, sectionHit1: 0.6, documentHit5: 1 });
      expect(Object.keys(JSON.parse(result.stdout) as object)).toEqual(['questions', 'documentHit1', 'sectionHit1', 'documentHit5']);
      // The report's path goes to stderr with --json, keeping stdout one JSON document.
      expect(result.stderr).toContain(`Report: ${out}`);
      const markdown = readFileSync(out, 'utf8');
      expect(markdown).toContain('| nomic-embed-text/hybrid | 5 | 0.800 | 0.600 | 1.000 |');
      expect(markdown).toContain('![Top citations (5 questions)](report.svg)');
      const svg = readFileSync(join(dataDir, 'reports', 'report.svg'), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      // Three bars (of a 420-px axis): 0.8, 0.6, 1.
      expect([...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)" height="14"/g)].map((m) => Number(m[1]))).toEqual([336, 252, 420]);

      const bad = await runCli(['eval', '--docs', DOCS, '--qa', QUESTIONS, '--embed-models', 'a,b'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--docs: one embedding model at a time/);
      const table = await runCli(['eval', '--docs', DOCS, '--qa', QUESTIONS, '--limit', '2'], env);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/document hit@1.*section hit@1.*document hit@5/);
      expect(existsSync(join(dataDir, 'citebot.sqlite'))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
