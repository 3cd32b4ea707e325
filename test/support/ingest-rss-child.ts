/**
 * Child process of the memory tests and bench/memory.ts: ingest one file, or every file of a folder
 * (as `citebot ingest <folder>` does), with the settings in the environment (DATA_DIR, CHROMA_URL,
 * OLLAMA_BASE_URL, ...), then print the result(s) and this process's peak RSS (worker threads included) as one JSON line.
 */
import { statSync } from 'node:fs';
import { loadSettings } from '../../src/config.js';
import { CitebotCore } from '../../src/core.js';
import { collectLocalSources, localSource } from '../../src/ingest/local-files.js';

const path = process.argv[2];
if (!path) throw new Error('usage: ingest-rss-child.ts <file or folder>');
const core = new CitebotCore(loadSettings({ env: process.env, dotenvDir: false }));
try {
  const started = performance.now();
  const indexer = await core.indexer();
  const result = statSync(path).isDirectory()
    ? await indexer.ingestAll((await collectLocalSources([path], 'local:default')).sources)
    : await indexer.ingest(localSource(path, 'local:default'));
  const seconds = (performance.now() - started) / 1000;
  // maxRSS is in kilobytes.
  process.stdout.write(JSON.stringify({ result, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
} finally {
  await core.close();
}
