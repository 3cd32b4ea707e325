import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keywordCoverage } from '../src/chains/rerankers/relevance-threshold.js';
import { createRetrievalPipeline } from '../src/chains/retrieval-pipeline.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { createTestCore, memorySource, type TestCore } from './support/harness.js';

const SCOPE = 'local:default';
const NOTICE =
  'Retention notice: the harbour ledger stays with the quarry pilot until the copper beacon signal ends, ' +
  'and every lantern report is filed under the meridian archive.';

/**
 * The distribution that emptied retrieval at 200,000 chunks (bench/scale.ts, issue 25): many chunks
 * match the question equally well (boilerplate repeated across files; the benchmark's generator repeats
 * its chunks at that size). BM25's top k are all ties, so adaptive fusion gives the keyword side no
 * weight, and the fused candidates are the dense side's copies, which the keyword side did not list:
 * with coverage read only from keyword hits, the evidence gate saw none and refused the question.
 */
describe('the evidence gate with many equally good matches', () => {
  let double: OllamaDouble;
  let t: TestCore;
  beforeAll(async () => {
    double = await OllamaDouble.start();
    t = await createTestCore(double);
    const indexer = await t.core.indexer();
    const copies = Array.from({ length: 120 }, (_, i) => memorySource(SCOPE, `records-${String(i).padStart(3, '0')}.txt`, NOTICE));
    // Other files, so the notice's words are rare in the index (as a question's own words are).
    const others = Array.from({ length: 120 }, (_, i) =>
      memorySource(
        SCOPE,
        `minutes-${i}.txt`,
        `Minutes of meeting ${i}: budget item ${i * 7} was moved to the ${['spring', 'summer', 'autumn', 'winter'][i % 4]} review by the finance team.`,
      ),
    );
    const files = [...copies, ...others];
    const results = await indexer.ingestAll(files);
    expect(results.every((r) => r.status === 'indexed')).toBe(true);
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    await double?.close();
  });

  it('finds passages for a question made of their own words, every candidate judged by its coverage', async () => {
    const pipeline = createRetrievalPipeline(t.core.index, t.settings, undefined);
    const question = 'harbour ledger stays with the quarry pilot until the copper beacon signal ends?';
    const { documents, report } = await pipeline.retrieve(question, { scopes: [SCOPE] });
    expect(report.keywordHits).toBeGreaterThan(0);
    expect(report.denseHits).toBeGreaterThan(0);
    // Dense-only candidates used to carry no coverage at all.
    for (const candidate of report.candidates) expect(keywordCoverage(candidate)).toBeGreaterThanOrEqual(0.5);
    expect(documents.length).toBeGreaterThan(0);
    expect(documents[0]!.pageContent).toContain('harbour ledger');
  });
});
