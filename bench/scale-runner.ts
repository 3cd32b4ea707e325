/**
 * Child process of bench/scale.ts: writes N synthetic chunks through the real DocumentIndex
 * (embeddings from the Ollama double, vectors to Chroma, keywords and ledger to SQLite) and prints
 * what it measured as JSON. Runs in its own process so its peak RSS is citebot's alone.
 */
import { loadSettings } from '../src/config.js';
import { CitebotCore } from '../src/core.js';
import type { StoredChunk } from '../src/store/chunk.js';

const total = Number(process.argv[2] ?? 100_000);
const perDoc = 100;
const scopes = (process.argv[3] ?? 'bench:scope').split(',');
// Different seeds and doc ids per phase, so a second phase adds documents instead of replacing them.
const phase = Number(process.argv[4] ?? 0);

// A deterministic generator: the same corpus on every run.
let seed = 42 + phase;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const vocabulary = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
// Zipf-like draw: common words are common, as in real text.
const word = () => vocabulary[Math.floor(vocabulary.length * random() ** 3)]!;
const sentence = () => Array.from({ length: 12 }, word).join(' ') + '.';
const paragraph = () => Array.from({ length: 5 }, sentence).join(' ');

const core = new CitebotCore(loadSettings({ dotenvDir: false }));
const index = await core.openIndex();
const started = performance.now();
let written = 0;
for (let d = 0; written < total; d++) {
  const scope = scopes[d % scopes.length]!;
  const docId = `synthetic-${phase}-${d}`;
  const contentHash = (phase * 1_000_000 + d).toString(16).padStart(64, '0');
  const count = Math.min(perDoc, total - written);
  const now = new Date().toISOString();
  const chunks: StoredChunk[] = Array.from({ length: count }, (_, i) => ({
    id: `${docId}-${i}`,
    text: paragraph(),
    metadata: {
      scope,
      docId,
      source: `${docId}.txt`,
      url: `/bench/${docId}.txt`,
      chunkIndex: i,
      contentHash,
      mimeType: 'text/plain',
      ingestedAt: now,
      page: 1 + Math.floor(i / 10),
    },
  }));
  await index.write(
    { scope, docId, source: `${docId}.txt`, url: `/bench/${docId}.txt`, contentHash, mimeType: 'text/plain', kind: 'text' },
    chunks,
  );
  written += count;
  if (d % 100 === 0) process.stderr.write(`\r${written}/${total}`);
}
const seconds = (performance.now() - started) / 1000;
process.stderr.write('\n');
process.stdout.write(
  JSON.stringify({ chunks: written, seconds, keywordCount: await index.chunkCount(), vectorCount: await index.vectorCount() }) + '\n',
);
await core.close();
