/**
 * Child process of bench/scale.ts: retrieval latency (query embedding + dense + BM25 + fusion) for
 * questions asked in one scope of a large index, through the real retrieval pipeline (RERANKER=none).
 */
import { createRetrievalPipeline } from '../src/chains/retrieval-pipeline.js';
import { loadSettings } from '../src/config.js';
import { CitebotCore } from '../src/core.js';
import type { StoredChunk } from '../src/store/chunk.js';

const scope = process.argv[2] ?? 'bench:scope';
const count = Number(process.argv[3] ?? 200);

const settings = loadSettings({ dotenvDir: false });
const core = new CitebotCore(settings);
const index = core.index;
await index.openForQuery();

// Questions made of words from chunks of the scope (so they have answers), in a fixed order.
const sample: StoredChunk[] = [];
let seen = 0;
for await (const page of index.chunkPages(scope)) {
  for (const chunk of page) if (seen++ % 499 === 0 && sample.length < count) sample.push(chunk);
  if (sample.length >= count) break;
}
const questions = sample.map(({ text }) => text.split(' ').slice(10, 17).join(' ').replace(/\.$/, '') + '?');

const pipeline = createRetrievalPipeline(index, { ...settings, RERANKER: 'none', RERANK_MIN_SCORE: 0 }, undefined);
const scopes = [scope];
for (const q of questions.slice(0, 5)) await pipeline.retrieve(q, { scopes }); // warm caches and connections

/** One pass over the questions through the retrieval pipeline; latencies in question order. */
async function pass(): Promise<number[]> {
  const latencies: number[] = [];
  for (const question of questions) {
    const started = performance.now();
    const { documents, report } = await pipeline.retrieve(question, { scopes });
    latencies.push(performance.now() - started);
    if (report.candidates.some((d) => d.metadata.scope !== scope)) throw new Error('a result from another scope');
    if (documents.length === 0) {
      const coverages = report.candidates.map((d) => Number(d.metadata.keywordCoverage ?? -1).toFixed(2)).join(' ');
      throw new Error(
        `no results for a question made of the scope's own words: "${question}" (dense ${report.denseHits}, keyword ${report.keywordHits}, ` +
          `candidates' coverage: ${coverages}; degraded: ${JSON.stringify(report.degraded)})`,
      );
    }
    parts.dense += report.denseHits;
    parts.keyword += report.keywordHits;
  }
  return latencies;
}
const parts = { dense: 0, keyword: 0 };
// The first pass runs right after the bulk write, while Chroma may still be compacting it into its
// HNSW index; the second pass is the steady state.
const firstPass = await pass();
const latencies = await pass();
parts.dense /= 2;
parts.keyword /= 2;
// Keyword search alone, for the breakdown.
const keywordOnly: number[] = [];
for (const question of questions) {
  const started = performance.now();
  await index.keywordSearch(question, scopes, settings.RETRIEVE_KEYWORD_K);
  keywordOnly.push(performance.now() - started);
}
// Dense search alone (query embedding + Chroma), for the breakdown.
const denseOnly: number[] = [];
for (const question of questions) {
  const started = performance.now();
  await index.denseSearch(question, scopes, settings.RETRIEVE_DENSE_K);
  denseOnly.push(performance.now() - started);
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
process.stdout.write(
  JSON.stringify({
    questions: questions.length,
    firstP50: pct(firstPass, 50),
    firstP95: pct(firstPass, 95),
    firstSlowInFirstQuarter: firstPass.filter((ms, i) => ms > 2 * pct(firstPass, 50) && i < firstPass.length / 4).length,
    firstSlow: firstPass.filter((ms) => ms > 2 * pct(firstPass, 50)).length,
    p50: pct(latencies, 50),
    p95: pct(latencies, 95),
    max: Math.max(...latencies),
    keywordP50: pct(keywordOnly, 50),
    keywordP95: pct(keywordOnly, 95),
    denseP50: pct(denseOnly, 50),
    denseP95: pct(denseOnly, 95),
    avgDenseHits: parts.dense / questions.length,
    avgKeywordHits: parts.keyword / questions.length,
  }) + '\n',
);
await core.close();
