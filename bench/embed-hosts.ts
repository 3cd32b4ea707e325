/**
 * Ingest throughput with one embedding host against two (OLLAMA_BASE_URL listing both), when the hosts
 * are the bottleneck: each Ollama double embeds one request at a time at a fixed cost per text (one GPU).
 *
 *   npx tsx bench/embed-hosts.ts            # writes its section of bench/RESULTS.md
 */
import { loadavg } from 'node:os';
import { CitebotCore } from '../src/core.js';
import { loadSettings } from '../src/config.js';
import { OllamaDouble } from '../test/doubles/ollama-double.js';
import { memorySource } from '../test/support/harness.js';
import { benchWorkspace, fixed, machine, retrievalBenchEnv, writeResultsSection } from './support.js';

const DOCS = 40;
const PARAGRAPHS = 12;
const MS_PER_TEXT = 40;
const ROUNDS = 2;

const report = (i: number) =>
  `# Report ${i}\n\n${Array.from({ length: PARAGRAPHS }, (_, p) => `Region ${p} of report ${i} shipped ${i * 100 + p} units in quarter ${p % 4}.`).join('\n\n')}\n`;

async function ingestSeconds(hosts: OllamaDouble[]): Promise<{ seconds: number; chunks: number; perHost: number[] }> {
  const ws = await benchWorkspace('embed-hosts');
  const env = {
    ...retrievalBenchEnv(ws, hosts.map((h) => h.url).join(',')),
    CHUNK_TOKENS: '40',
    CHUNK_OVERLAP_TOKENS: '0',
    EMBED_BATCH_SIZE: '8',
  };
  const core = new CitebotCore(loadSettings({ env, dotenvDir: false }));
  try {
    const indexer = await core.indexer();
    for (const h of hosts) h.reset();
    const started = performance.now();
    const results = await indexer.ingestAll(
      Array.from({ length: DOCS }, (_, i) => memorySource('local:bench', `report-${i}.md`, report(i))),
    );
    const seconds = (performance.now() - started) / 1000;
    return { seconds, chunks: results.reduce((n, r) => n + r.chunks, 0), perHost: hosts.map((h) => h.stats.textsEmbedded) };
  } finally {
    await core.close();
    await ws.close();
  }
}

const [a, b] = await Promise.all([
  OllamaDouble.start({ embedDelayMsPerText: MS_PER_TEXT }),
  OllamaDouble.start({ embedDelayMsPerText: MS_PER_TEXT }),
]);
const load = loadavg()[0]!;
try {
  const runs: { hosts: number; seconds: number; chunks: number; perHost: number[] }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const hosts of [[a], [a, b]]) runs.push({ hosts: hosts.length, ...(await ingestSeconds(hosts)) });
  }
  const best = (n: number) => runs.filter((r) => r.hosts === n).reduce((x, y) => (x.seconds <= y.seconds ? x : y));
  const one = best(1);
  const two = best(2);
  const rows = [one, two].map(
    (r) => `| ${r.hosts} | ${r.chunks} | ${fixed(r.seconds, 2)} | ${fixed(r.chunks / r.seconds, 0)} | ${r.perHost.join(' / ')} |`,
  );
  const body = `Command: \`npx tsx bench/embed-hosts.ts\`. ${DOCS} Markdown files, ${PARAGRAPHS} paragraphs each (CHUNK_TOKENS=40, EMBED_BATCH_SIZE=8,
EMBED_CONCURRENCY=2 per host); each host an Ollama double embedding one request at a time at ${MS_PER_TEXT} ms per text (a GPU-bound
Ollama). Best of ${ROUNDS} rounds. Load average at start: ${fixed(load, 2)}. ${machine()}

| hosts | chunks | ingest s | chunks/s | texts embedded per host |
| ---: | ---: | ---: | ---: | --- |
${rows.join('\n')}

Two hosts: **${fixed(one.seconds / two.seconds, 2)}×** the throughput of one (goal ≥ 1.8×). Requests go to the host with the fewest
in flight (the last column). One host's embedding work alone is ${fixed((one.chunks * MS_PER_TEXT) / 1000, 1)} s; what the ingest takes beyond
that (parsing, SQLite, Chroma on a loaded machine) is not spread over hosts.`;
  writeResultsSection('Ingest with two embedding hosts (issue 22)', body);
  console.log(body);
} finally {
  await Promise.all([a.close(), b.close()]);
}
