/**
 * Reranker cost per candidate: the in-process cross-encoder on the tiny fixture model (tokenizer and
 * runtime overhead are real; the model's own compute is a toy's) and the HTTP path to a local /rerank
 * server in both API shapes (the protocol cost, not a model's).
 */
import { join } from 'node:path';
import { CrossEncoderReranker } from '../src/chains/rerankers/cross-encoder.js';
import { HttpReranker } from '../src/chains/rerankers/http.js';
import type { Reranker } from '../src/chains/rerankers/reranker.js';
import { RerankDouble } from '../test/doubles/rerank-double.js';
import { fixed, machine, ROOT, writeResultsSection } from './support.js';

const PAIRS = 200;
const words = (n: number, seed: number) =>
  Array.from(
    { length: n },
    (_, i) => ['policy', 'travel', 'receipt', 'merger', 'river', 'court', 'engine', 'force'][(i * 7 + seed) % 8],
  ).join(' ');

async function perPair(reranker: Reranker, passageWords: number): Promise<number> {
  await reranker.load();
  const passages = Array.from({ length: PAIRS }, (_, i) => words(passageWords, i));
  await reranker.score('warm up the travel policy', passages.slice(0, 16));
  const started = performance.now();
  for (let run = 0; run < 3; run++) await reranker.score('what is the travel receipt policy', passages);
  return (performance.now() - started) / (3 * PAIRS);
}

export async function benchRerank(): Promise<void> {
  const rows: string[] = [];
  const fixture = new CrossEncoderReranker({
    model: 'fixture',
    modelPath: join(ROOT, 'test', 'fixtures', 'reranker'),
    cacheDir: join(ROOT, 'bench', '.work', 'models'),
    batchSize: 16,
  });
  rows.push(
    `| cross-encoder, tiny fixture model | ${fixed(await perPair(fixture, 40), 2)} ms | ${fixed(await perPair(fixture, 250), 2)} ms |`,
  );
  for (const api of ['tei', 'cohere'] as const) {
    const server = await RerankDouble.start({ api });
    try {
      const http = new HttpReranker({ url: server.url, api, model: 'bench', batchSize: 32 });
      rows.push(
        `| http (${api} shape), local /rerank double | ${fixed(await perPair(http, 40), 2)} ms | ${fixed(await perPair(http, 250), 2)} ms |`,
      );
    } finally {
      await server.close();
    }
  }
  const lines = [
    `Command: \`npm run bench\` (bench/rerank.ts): ${PAIRS} question/passage pairs, batches of 16 (cross-encoder) or 32 (http), averaged over 3 runs. Machine: ${machine()}.`,
    '',
    '| path | per candidate, ~40-word passages | per candidate, ~250-word passages |',
    '|---|---|---|',
    ...rows,
    `| RSS of the bench process after loading | ${fixed(process.memoryUsage().rss / 1024 / 1024, 0)} MB | |`,
    '',
    "The fixture is a 37 KB model, so the cross-encoder row is citebot's overhead (tokenizing ≈ 0.1–0.5 ms a pair, batching, onnxruntime calls), not a real model's compute. " +
      'Random-weight models of real sizes timed on this machine (fp32): base size (bge-reranker-base) 0.15–0.5 s per 128–256-token pair, MiniLM-L6 size 20–120 ms; ' +
      'hence RERANK_CANDIDATES=20 by default. The http rows are the protocol cost to a server on loopback.',
  ];
  writeResultsSection('Reranker cost per candidate (issue 3)', lines.join('\n'));
  console.log(lines.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await benchRerank();
