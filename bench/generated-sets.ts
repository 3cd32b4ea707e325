/**
 * Generated question sets (issue 16): `citebot eval --generate N` over ../shared/corpus/squad-en and
 * cmrc-zh, each ingested into a throwaway DATA_DIR first, with the lexical and the USE dense side behind
 * the Ollama double. Shows dense vs keyword vs hybrid at the defaults and at the calibrated settings, and
 * where the time of a `--generate` run goes: the first run generates (the double's chat model writes the
 * questions) and calibrates (it indexes a throwaway copy of the scope's chunks, then asks every
 * configuration); the second finds the set and the index cached; the third has no chat model (cloze).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvalSet } from '../src/eval/dataset.js';
import { DEFAULT_MODELS, OllamaDouble, USE_LITE } from '../test/doubles/ollama-double.js';
import { DENSE_SIDES } from './fusion.js';
import { fixed, runMeasured, SHARED, type ChildRun } from './support.js';

interface GenerateReport {
  questions: number;
  generator: 'chat-model' | 'cloze';
  configurations: { name: string; retrieval: string; hit: Record<string, number>; p95Ms: number }[];
  recommended: string;
  margin: { over: string; hit1: number; low: number; high: number };
}

const N = Number(process.env.BENCH_GENERATE_N ?? 200);
const CORPORA = ['squad-en', 'cmrc-zh'] as const;
const SCOPE = 'local:bench';
const seconds = (run: ChildRun) => `${fixed(run.wallMs / 1000, 0)} s`;
const signed = (x: number) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(3);

/**
 * Where one `--generate` run's time went, from the double's request log: until the last chat request,
 * start-up and generation (the chat model writes the questions; cloze needs none); until the last batch of
 * document embeddings, indexing the throwaway copy of the scope's chunks; the rest, asking every
 * configuration (one question embedding each, then searches) and the report.
 */
function phases(double: OllamaDouble, from: number, started: number, ended: number, questions: ReadonlySet<string>): string {
  const requests = double.requests.slice(from);
  const inputs = (r: (typeof requests)[number]): string[] => {
    const input = (r.body as { input?: unknown } | undefined)?.input;
    return Array.isArray(input) ? (input as string[]) : typeof input === 'string' ? [input] : [];
  };
  // A question's embedding (with the model's query prefix, if any) starts the asking.
  const isQuestion = (r: (typeof requests)[number]) =>
    r.endpoint === 'embed' && inputs(r).length === 1 && questions.has(inputs(r)[0]!.replace(/^search_query: /u, ''));
  const chats = requests.filter((r) => r.endpoint === 'chat');
  const generated = chats.length ? chats.at(-1)!.at : started;
  const asking = requests.find((r) => r.at >= generated && isQuestion(r))?.at ?? ended;
  const indexing = requests.filter((r) => r.endpoint === 'embed' && r.at >= generated && r.at < asking && !isQuestion(r));
  const texts = indexing.reduce((n, r) => n + inputs(r).length, 0);
  const s = (ms: number) => `${fixed(Math.max(0, ms) / 1000, 0)} s`;
  return `start-up + generation ${s(generated - started)} (${chats.length} chat call${chats.length === 1 ? '' : 's'}), indexing ${s(asking - generated)} (${texts} texts embedded), asking ${s(ended - asking)}`;
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  const run = await runMeasured(process.execPath, ['dist/cli.js', ...args], env);
  if (run.code !== 0) throw new Error(`citebot ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return run;
}

function rowsOf(corpus: string, side: string, report: GenerateReport, candidates: number): string[] {
  const by = (suffix: string) => report.configurations.find((c) => c.name.endsWith(suffix));
  const dense = by('/dense')!;
  const keyword = by('/keyword')!;
  const current = report.configurations.find((c) => c.name === report.margin.over)!;
  const best = report.configurations.find((c) => c.name === report.recommended)!;
  const h = (c: { hit: Record<string, number> }) => `${fixed(c.hit['1']!, 3)} / ${fixed(c.hit[String(candidates)]!, 3)}`;
  const name = (c: { name: string }) => c.name.split('/').slice(1).join('/');
  const m = report.margin;
  return [
    `| ${corpus} | ${side} | ${report.generator} | ${report.questions} | ${h(dense)} | ${h(keyword)} | ${name(current)}: ${h(current)} | ${name(best)}: ${h(best)} | ${signed(m.hit1)} [${signed(m.low)}, ${signed(m.high)}] |`,
  ];
}

export async function benchGeneratedSets(): Promise<string[]> {
  const double = await OllamaDouble.start({ models: [...DEFAULT_MODELS, USE_LITE] });
  const rows: string[] = [];
  const timings: string[] = [];
  const candidates = 20;
  try {
    for (const corpus of CORPORA) {
      for (const side of DENSE_SIDES) {
        const dataDir = mkdtempSync(join(tmpdir(), 'citebot-bench-generate-'));
        const env = {
          ...process.env,
          DATA_DIR: dataDir,
          OLLAMA_BASE_URL: double.url,
          EMBED_MODEL: side.model,
          RERANKER: 'none',
          RERANK_CANDIDATES: String(candidates),
          LOG_LEVEL: 'error',
        };
        try {
          const ingest = await cli(['ingest', join(SHARED, 'corpus', corpus), '--scope', SCOPE, '--json'], env);
          const generate = ['eval', '--generate', String(N), '--scope', SCOPE, '--json'];
          const timed = async (runEnv: NodeJS.ProcessEnv) => {
            const [from, started] = [double.requests.length, Date.now()];
            const run = await cli(generate, runEnv);
            const ended = Date.now();
            const { file } = JSON.parse(run.stdout) as { file: string };
            const questions = new Set(parseEvalSet(readFileSync(file, 'utf8')).questions.map((q) => q.question));
            return { run, phases: phases(double, from, started, ended, questions) };
          };
          const fresh = await timed(env);
          const cached = await timed(env);
          const cloze = await timed({ ...env, CHAT_MODEL: 'not-pulled:latest' });
          for (const { run } of [fresh, cloze])
            rows.push(...rowsOf(corpus, side.label, JSON.parse(run.stdout) as GenerateReport, candidates));
          timings.push(
            `| ${corpus} | ${side.label} | ${seconds(ingest)} | ${seconds(fresh.run)}: ${fresh.phases} | ${seconds(cached.run)} | ${seconds(cloze.run)}: ${cloze.phases} |`,
          );
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
        console.error(`${corpus} / ${side.label} done`);
      }
    }
  } finally {
    await double.close();
  }
  return [
    '### Generated sets: `citebot eval --generate ' + N + '`',
    '',
    `Command: \`npm run build && npx tsx bench/generated-sets.ts\` (also part of \`npm run bench\`). Per corpus and dense side, in a throwaway DATA_DIR (its own embedded Chroma): \`citebot ingest ../shared/corpus/<corpus> --scope ${SCOPE}\`, then \`citebot eval --generate ${N} --scope ${SCOPE} --json\` three times: fresh (the double's chat model writes the questions), again (set and index cached), and with CHAT_MODEL set to a model that is not pulled (inverse cloze). RERANKER=none, RERANK_CANDIDATES=${candidates}. The double's "chat model" writes lexical questions ("What do our files say about <its two longest words>?"), and cloze queries are sentences of the passage: both favour keyword search, as a real model's paraphrases would not. Cells are hit@1 / hit@${candidates}; "margin" is the recommended minus the defaults, hit@1, with its 95 % paired-bootstrap interval.`,
    '',
    `| corpus | dense side | generator | questions | dense | keyword | hybrid at the defaults | recommended | margin (95 % CI) |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Wall time (shared 2-core machine; the double answers at once, so a real chat model adds its own time per question):',
    '',
    '| corpus | dense side | ingest | --generate, fresh | again (set and index cached) | no chat model: cloze (a new set, so a new index) |',
    '|---|---|---|---|---|---|',
    ...timings,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.chdir(join(import.meta.dirname, '..'));
  console.log((await benchGeneratedSets()).join('\n'));
}
