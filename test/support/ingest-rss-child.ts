/**
 * Child process of the memory tests and bench/memory.ts: ingest one file with the settings in the
 * environment (DATA_DIR, CHROMA_URL, OLLAMA_BASE_URL, ...), then print the result and this process's
 * peak RSS (worker threads included) as one JSON line.
 */
import { loadSettings } from '../../src/config.js';
import { CitebotCore } from '../../src/core.js';
import { localSource } from '../../src/ingest/local-files.js';

const file = process.argv[2];
if (!file) throw new Error('usage: ingest-rss-child.ts <file>');
const core = new CitebotCore(loadSettings({ env: process.env, dotenvDir: false }));
try {
  const started = performance.now();
  const result = await (await core.indexer()).ingest(localSource(file, 'local:default'));
  const seconds = (performance.now() - started) / 1000;
  // maxRSS is in kilobytes.
  process.stdout.write(JSON.stringify({ result, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
} finally {
  await core.close();
}
