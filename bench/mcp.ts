/**
 * The MCP `search` tool against `citebot ask`'s own retrieval on the same index (issue 24; goal: within
 * 10 ms). One index of synthetic project notes in two channels; for each question, in turn:
 *  - ask's retrieval: `ask` in this process (the command layer every surface uses), its reported
 *    retrieveMs + rerankMs (the Ollama double answers the chat part, which is not counted);
 *  - the search tool through the SDK's Client: over stdio to `citebot mcp` (built CLI) and over
 *    Streamable HTTP to `/mcp` on `citebot serve`, timed at the client: token check, scope resolution,
 *    the same retrieval pipeline (rerank included), JSON-RPC and transport.
 * Reranker: the tiny fixture cross-encoder (the rerank step runs for real; its model is a toy), with
 * RERANK_MIN_SCORE=0 so every question keeps its passages on both sides.
 *
 *   npx tsx bench/mcp.ts
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ask } from '../src/app/ask.js';
import { search } from '../src/app/search.js';
import { loadSettings } from '../src/config.js';
import { CitebotCore } from '../src/core.js';
import { OllamaDouble } from '../test/doubles/ollama-double.js';
import { freePort } from '../test/support/free-port.js';
import { percentile } from './stats.js';
import { benchWorkspace, fixed, machine, retrievalBenchEnv, ROOT, runMeasured, writeResultsSection } from './support.js';

const CLI = join(ROOT, 'dist', 'cli.js');
const SCOPE = 'slack:T1:CA';
const OTHER = 'slack:T1:CB';
const PROJECTS = 300;
const QUESTIONS = 120;
const WARM_UP = 10;
const TOPICS = ['budget', 'deadline', 'owner', 'vendor', 'risk', 'server', 'contract', 'launch'];
const VALUES = ['amber', 'cobalt', 'juniper', 'saffron', 'granite', 'harbor', 'meadow', 'falcon', 'quartz', 'willow'];

const code = (i: number) => `PRJ-${1000 + i}`;
/** One project's notes: a heading per topic, two sentences each (several chunks per file). */
function notes(i: number): string {
  const parts = [`# Project ${code(i)}`, ''];
  for (const [t, topic] of TOPICS.entries()) {
    const value = VALUES[(i * 7 + t * 3) % VALUES.length]!;
    parts.push(`## ${topic}`, '', `The ${topic} of project ${code(i)} is ${value} ${(i * 13 + t) % 97}.`);
    parts.push(`Questions about the ${topic} go to the ${value} team, which reviews it every ${2 + (t % 4)} weeks.`, '');
  }
  return parts.join('\n');
}

/** The built CLI, run to completion; async, since the Ollama double answers from this process's event loop. */
async function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runMeasured(process.execPath, [CLI, ...args], env);
  if (result.code !== 0) throw new Error(`citebot ${args[0]} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** Whether a path is within 10 ms of ask's retrieval at p50 and p95, in words. */
function verdict(name: string, ms: number[], askMs: number[]): string {
  const gaps = [0.5, 0.95].map((q) => percentile(ms, q) - percentile(askMs, q));
  return gaps.every((g) => g <= 10)
    ? `${name}: within 10 ms at p50 and p95.`
    : `${name}: not within 10 ms (${gaps.map((g) => fixed(g)).join(' / ')} ms over at p50 / p95).`;
}

const summary = (ms: number[]) => `${fixed(percentile(ms, 0.5))} / ${fixed(percentile(ms, 0.95))} ms`;

export async function benchMcp(): Promise<void> {
  const ws = await benchWorkspace('mcp');
  const double = await OllamaDouble.start();
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...retrievalBenchEnv(ws, double.url),
    RERANKER: 'cross-encoder',
    RERANK_MODEL_PATH: join(ROOT, 'test', 'fixtures', 'reranker'),
    RERANK_MIN_SCORE: '0',
    HEALTH_PORT: String(port),
    MCP_HTTP: 'on',
    MCP_REQUESTS_PER_MINUTE: '100000',
  };
  const clients: Client[] = [];
  let core: CitebotCore | undefined;
  const serve = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (const [scope, offset] of [
      [SCOPE, 0],
      [OTHER, PROJECTS],
    ] as const) {
      const dir = join(ws.dataDir, 'files', scope.replaceAll(':', '_'));
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < PROJECTS; i++) writeFileSync(join(dir, `${code(offset + i)}.md`), notes(offset + i));
      await run(['ingest', dir, '--scope', scope, '--json'], env);
    }
    const token = (JSON.parse(await run(['token', 'create', '--name', 'bench', '--scopes', SCOPE, '--json'], env)) as { token: string })
      .token;

    const stdio = new Client({ name: 'bench', version: '1' });
    clients.push(stdio);
    await stdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp'],
        env: { ...env, CITEBOT_TOKEN: token } as Record<string, string>,
      }),
    );
    for (;;) {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.json() as Promise<{ ready: boolean }>,
        () => undefined,
      );
      if (health?.ready) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const http = new Client({ name: 'bench', version: '1' });
    clients.push(http);
    await http.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );

    core = new CitebotCore(loadSettings({ env, dotenvDir: false }));
    const askRetrieval = async (question: string) => {
      for await (const event of ask(core!, { question, scope: SCOPE }))
        if (event.type === 'answer') return event.answer.timings.retrieveMs + event.answer.timings.rerankMs;
      throw new Error('no answer');
    };
    /** A search tool call: the round trip at the client, and the search use case's own total as the server reports it. */
    const searchTool = async (client: Client, query: string): Promise<[number, number]> => {
      const started = performance.now();
      const result = (await client.callTool({ name: 'search', arguments: { query } })) as CallToolResult;
      const roundTrip = performance.now() - started;
      if (result.isError) throw new Error(`search failed: ${JSON.stringify(result.content)}`);
      return [roundTrip, (result.structuredContent as { timings: { totalMs: number } }).timings.totalMs];
    };

    const samples = {
      ask: [] as number[],
      useCase: [] as number[],
      stdio: [] as number[],
      stdioServer: [] as number[],
      http: [] as number[],
      httpServer: [] as number[],
    };
    const load = loadavg()[0]!;
    for (let q = 0; q < WARM_UP + QUESTIONS; q++) {
      const i = (q * 37) % PROJECTS;
      const question = `What is the ${TOPICS[q % TOPICS.length]} of project ${code(i)}?`;
      const a = await askRetrieval(question);
      const u = (await search(core, { query: question, scopes: core.readableScopes(SCOPE) })).timings.totalMs;
      const [s, sServer] = await searchTool(stdio, question);
      const [h, hServer] = await searchTool(http, question);
      if (q < WARM_UP) continue;
      samples.ask.push(a);
      samples.useCase.push(u);
      samples.stdio.push(s);
      samples.stdioServer.push(sServer);
      samples.http.push(h);
      samples.httpServer.push(hServer);
    }
    const p = (ms: number[], q: number) => percentile(ms, q);
    const delta = (ms: number[]) => `${fixed(p(ms, 0.5) - p(samples.ask, 0.5))} / ${fixed(p(ms, 0.95) - p(samples.ask, 0.95))} ms`;
    /** Per call: the round trip minus the server's search, i.e. transport, JSON-RPC, token check and scope resolution. */
    const overhead = (roundTrips: number[], server: number[]) => summary(roundTrips.map((ms, i) => ms - server[i]!));
    const lines = [
      `Command: \`npx tsx bench/mcp.ts\` (also in \`npm run bench\`): ${PROJECTS * 2} files of project notes (${await core.index.chunkCount()} chunks) in two channels, ` +
        `${QUESTIONS} questions in one after ${WARM_UP} to warm up, each asked four ways in turn. Reranker: the fixture cross-encoder (RERANK_MIN_SCORE=0), ` +
        `embeddings: the Ollama double. Machine: ${machine()}; load average ${fixed(load, 1)} at the start, ${fixed(loadavg()[0]!, 1)} at the end.`,
      '',
      '| path | p50 / p95 | minus ask’s retrieval, p50 / p95 | per call outside the search itself, p50 / p95 |',
      '|---|---|---|---|',
      `| \`citebot ask\`'s retrieval (its retrieveMs + rerankMs, in process) | ${summary(samples.ask)} | | |`,
      `| the \`search\` use case (src/app/search.ts), in process | ${summary(samples.useCase)} | ${delta(samples.useCase)} | |`,
      `| MCP \`search\` over stdio (\`citebot mcp\`), at the client | ${summary(samples.stdio)} | ${delta(samples.stdio)} | ${overhead(samples.stdio, samples.stdioServer)} |`,
      `| MCP \`search\` over Streamable HTTP (\`/mcp\` on \`citebot serve\`), at the client | ${summary(samples.http)} | ${delta(samples.http)} | ${overhead(samples.http, samples.httpServer)} |`,
      '',
      'The MCP rows are whole round trips seen by the agent, from another process. The last column is each call’s round trip minus the search ' +
        'as the server timed it (its `timings.totalMs`): the token check in SQLite, scope resolution, JSON-RPC, serialization and the transport ' +
        '(HTTP also builds one server per request). Goal: within 10 ms of ask’s retrieval.',
      '',
      verdict('stdio', samples.stdio, samples.ask) +
        ' ' +
        verdict('HTTP', samples.http, samples.ask) +
        ' With the machine this loaded, every figure, the per-call cost outside the search included, is many times what it is on an idle one.',
    ];
    writeResultsSection('MCP search tool against ask’s retrieval (issue 24)', lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    for (const client of clients) await client.close().catch(() => {});
    await core?.close();
    const exited = new Promise((r) => serve.once('exit', r));
    serve.kill('SIGTERM');
    await exited;
    await double.close();
    await ws.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMcp();
