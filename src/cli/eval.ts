import { readFile } from 'node:fs/promises';
import { createReranker } from '../chains/rerankers/index.js';
import type { Settings } from '../config.js';
import type { CitebotCore } from '../core.js';
import { CitebotError, oneLine } from '../errors.js';
import { loadedReranker, type NamedReranker } from '../eval/configurations.js';
import { parseEvalSet, selectQuestions } from '../eval/dataset.js';
import { parseDocQuestions } from '../eval/doc-questions.js';
import {
  docsNotes,
  retrievalNotes,
  docsReport,
  docsTables,
  retrievalReport,
  retrievalTables,
  writeReport,
  type Report,
  type Table,
} from '../eval/report.js';
import { runDocsEval, type DocsEvalRun } from '../eval/run-docs-eval.js';
import { runEval, type EvalRun } from '../eval/run-eval.js';
import { generateAndCalibrate } from './eval-generate.js';
import { ExitCode } from './exit-codes.js';
import { printJson, progressBar, table } from './output.js';

export interface EvalCommandOptions {
  qa?: string;
  generate?: string;
  scope?: string;
  apply?: boolean;
  maxMs?: string;
  docs?: string;
  limit?: string;
  embedModels?: string;
  reranker?: string;
  k?: string;
  answerableOnly?: boolean;
  json?: boolean;
  out?: string;
}

const RERANKERS = ['cross-encoder', 'http', 'none'] as const;
/** --generate: recommend only configurations whose p95 latency per question (retrieval and reranking) is at most this. */
const DEFAULT_MAX_MS = 1500;

function usage(reason: string, fix?: string): CitebotError {
  return new CitebotError('invalid_input', reason, { fix });
}

function positiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usage(`${option}: expected a whole number ≥ 1 (got ${JSON.stringify(value)}).`);
  return n;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The reranker under test: the configured one when the name matches (shares its loaded model), else a new one. */
function rerankerUnderTest(core: CitebotCore, name: string): NamedReranker | undefined {
  if (!(RERANKERS as readonly string[]).includes(name))
    throw usage(`--reranker: expected ${RERANKERS.join(', ')} (got ${JSON.stringify(name)}).`);
  if (name === 'none') return undefined;
  const settings: Settings = { ...core.settings, RERANKER: name as Settings['RERANKER'] };
  const reranker = name === core.settings.RERANKER ? core.reranker : createReranker(settings);
  return reranker && { name, reranker };
}

function printTables(tables: Table[], footer: string[]): void {
  for (const t of tables) process.stdout.write(table(t.head, t.rows) + '\n');
  for (const line of footer) process.stdout.write(line + '\n');
}

async function readQuestions(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw usage(`--qa: cannot read ${file}: ${oneLine(error)}`);
  }
}

async function saveReport(out: string | undefined, report: Report, json: boolean | undefined): Promise<void> {
  if (!out) return;
  let written: { markdown: string; chart: string };
  try {
    written = await writeReport(out, report);
  } catch (error) {
    throw usage(`--out: cannot write ${out}: ${oneLine(error)}`);
  }
  // On stderr with --json, so stdout stays one JSON document.
  (json ? process.stderr : process.stdout).write(`Report: ${written.markdown} (chart: ${written.chart})\n`);
}

/** `--docs`: the folder's files through ingest, the questions through `ask`'s retrieval; document and section hits. */
async function evalDocs(
  core: CitebotCore,
  options: EvalCommandOptions & { docs: string; qa: string },
  limit: number | undefined,
  reranker: NamedReranker | undefined,
): Promise<number> {
  const embedModels = options.embedModels ? list(options.embedModels) : [core.settings.EMBED_MODEL];
  if (embedModels.length !== 1)
    throw usage(
      `--docs: one embedding model at a time (got ${embedModels.length})`,
      'run once per model, or compare models with --qa alone.',
    );
  const questions = selectQuestions(parseDocQuestions(await readQuestions(options.qa)), { limit, answerableOnly: options.answerableOnly });
  if (questions.length === 0) throw usage(`--qa: no questions to ask in ${options.qa}.`);
  const bar = progressBar(!options.json, 'Evaluating');
  let run: DocsEvalRun;
  try {
    run = await runDocsEval(core.settings, await core.chromaUrl(), options.docs, questions, {
      embedModel: embedModels[0]!,
      reranker,
      onProgress: ({ stage, label, done, total }) => bar.update(done, total, stage === 'indexing' ? `indexing ${label}` : label),
    });
  } finally {
    bar.stop();
  }
  if (options.json) printJson(run.report);
  else printTables(docsTables(run), docsNotes(run));
  await saveReport(options.out, docsReport(run, options.qa, options.docs), options.json);
  return ExitCode.ok;
}

/** `citebot eval --qa <file> [--docs <folder>]`: retrieval quality on a throwaway index. */
export async function evalCommand(core: CitebotCore, options: EvalCommandOptions): Promise<number> {
  const ks = options.k ? list(options.k).map((k) => positiveInt(k, '--k')) : [1, 5, 10];
  if (ks.length === 0) throw usage('--k: expected a comma-separated list such as 1,5,10.');
  const limit = options.limit === undefined ? undefined : positiveInt(options.limit, '--limit');
  const reranker = rerankerUnderTest(core, options.reranker ?? core.settings.RERANKER);
  if (options.generate !== undefined) {
    if (options.qa !== undefined || options.docs !== undefined)
      throw usage('--generate: use it without --qa and --docs (it makes its own questions).');
    const embedModels = options.embedModels ? list(options.embedModels) : [core.settings.EMBED_MODEL];
    if (embedModels.length === 0) throw usage('--embed-models: expected a comma-separated list of model names.');
    return generateAndCalibrate(core, {
      n: positiveInt(options.generate, '--generate'),
      scope: options.scope ?? 'local:default',
      embedModels,
      reranker,
      maxMs: options.maxMs === undefined ? DEFAULT_MAX_MS : positiveInt(options.maxMs, '--max-ms'),
      json: options.json,
      apply: options.apply,
      env: process.env,
      saveReport: (report) => saveReport(options.out, report, options.json),
    });
  }
  if (options.apply) throw usage('--apply: only with --generate (it applies the calibration made there).');
  if (options.qa === undefined) throw usage('eval: give --qa <file> (your questions) or --generate <n> (questions made from a scope).');
  // A reranker that cannot load (no network for its model) is left out and said, not the end of the run.
  const loaded = await loadedReranker(reranker);
  if (loaded.skipped)
    (options.json ? process.stderr : process.stdout).write(
      `Left out the reranker configurations: ${loaded.skipped}. Compared without it; fix the reranker (citebot doctor) to include it.\n`,
    );
  if (options.docs !== undefined) return evalDocs(core, { ...options, docs: options.docs, qa: options.qa }, limit, loaded.reranker);

  const embedModels = options.embedModels ? list(options.embedModels) : [core.settings.EMBED_MODEL];
  if (embedModels.length === 0) throw usage('--embed-models: expected a comma-separated list of model names.');
  const qa = options.qa;
  const set = parseEvalSet(await readQuestions(qa));
  const questions = selectQuestions(set.questions, { limit, answerableOnly: options.answerableOnly });
  if (questions.length === 0) throw usage(`--qa: no questions to ask in ${qa}.`);

  const bar = progressBar(!options.json, 'Evaluating');
  let run: EvalRun;
  try {
    run = await runEval(core.settings, await core.chromaUrl(), set, questions, {
      embedModels,
      ks,
      reranker: loaded.reranker,
      onProgress: ({ stage, label, done, total }) => bar.update(done, total, stage === 'indexing' ? `indexing ${label}` : label),
    });
  } finally {
    bar.stop();
  }
  const sortedKs = [...new Set(ks)].sort((a, b) => a - b);
  // The --json contract has no room for notes: they go to stderr, so a passage left out is never silent.
  if (options.json) {
    printJson(run.report);
    for (const note of retrievalNotes(run)) process.stderr.write(note + '\n');
  } else printTables(retrievalTables(run, sortedKs), [`${run.report.questions} questions`, ...retrievalNotes(run)]);
  await saveReport(options.out, retrievalReport(run, sortedKs, qa), options.json);
  return ExitCode.ok;
}
