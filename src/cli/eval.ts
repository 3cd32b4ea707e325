import { readFile } from 'node:fs/promises';
import { createReranker } from '../chains/rerankers/index.js';
import type { Settings } from '../config.js';
import type { CitebotCore } from '../core.js';
import { CitebotError, oneLine } from '../errors.js';
import type { NamedReranker } from '../eval/configurations.js';
import { parseEvalSet, selectQuestions } from '../eval/dataset.js';
import { runEval, type EvalRun } from '../eval/run-eval.js';
import { ExitCode } from './exit-codes.js';
import { printJson, progressBar, table } from './output.js';

export interface EvalCommandOptions {
  qa: string;
  limit?: string;
  embedModels?: string;
  reranker?: string;
  k?: string;
  answerableOnly?: boolean;
  json?: boolean;
}

const RERANKERS = ['cross-encoder', 'http', 'none'] as const;

function usage(message: string): CitebotError {
  return new CitebotError('invalid_input', message);
}

function positiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usage(`${option}: expected a whole number ≥ 1 (got ${JSON.stringify(value)}).`);
  return n;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** The reranker under test: the configured one when the name matches (shares its loaded model), else a new one. */
function rerankerUnderTest(core: CitebotCore, name: string): NamedReranker | undefined {
  if (!(RERANKERS as readonly string[]).includes(name)) throw usage(`--reranker: expected ${RERANKERS.join(', ')} (got ${JSON.stringify(name)}).`);
  if (name === 'none') return undefined;
  const settings: Settings = { ...core.settings, RERANKER: name as Settings['RERANKER'] };
  const reranker = name === core.settings.RERANKER ? core.reranker : createReranker(settings);
  return reranker && { name, reranker };
}

function printTables(run: EvalRun, ks: number[]): void {
  const rows = run.report.configurations.map((c) => [
    c.name,
    ...ks.map((k) => (c.hit[String(k)] ?? 0).toFixed(3)),
    c.recall10.toFixed(3),
    c.mrr10.toFixed(3),
    c.p50Ms.toFixed(1),
    c.p95Ms.toFixed(1),
  ]);
  process.stdout.write(table(['configuration', ...ks.map((k) => `hit@${k}`), 'recall@10', 'MRR@10', 'p50 ms', 'p95 ms'], rows) + '\n');
  const indexing = run.indexing.map((i) => [
    i.embedModel,
    i.passages,
    i.chunksEmbedded,
    i.seconds.toFixed(1),
    i.textsPerSecond === undefined ? 'cached' : i.textsPerSecond.toFixed(1),
  ]);
  process.stdout.write(table(['embedding model', 'passages', 'chunks embedded', 'index s', 'texts/s'], indexing) + '\n');
  process.stdout.write(`${run.report.questions} questions\n`);
}

/** `citebot eval --qa <file>`: retrieval quality per embedding model and configuration, on a throwaway index. */
export async function evalCommand(core: CitebotCore, options: EvalCommandOptions): Promise<number> {
  const ks = options.k ? list(options.k).map((k) => positiveInt(k, '--k')) : [1, 5, 10];
  if (ks.length === 0) throw usage('--k: expected a comma-separated list such as 1,5,10.');
  const limit = options.limit === undefined ? undefined : positiveInt(options.limit, '--limit');
  const embedModels = options.embedModels ? list(options.embedModels) : [core.settings.EMBED_MODEL];
  if (embedModels.length === 0) throw usage('--embed-models: expected a comma-separated list of model names.');
  const reranker = rerankerUnderTest(core, options.reranker ?? core.settings.RERANKER);

  let text: string;
  try {
    text = await readFile(options.qa, 'utf8');
  } catch (error) {
    throw usage(`--qa: cannot read ${options.qa}: ${oneLine(error)}`);
  }
  const set = parseEvalSet(text);
  const questions = selectQuestions(set.questions, { limit, answerableOnly: options.answerableOnly });
  if (questions.length === 0) throw usage(`--qa: no questions to ask in ${options.qa}.`);

  const bar = progressBar(!options.json, 'Evaluating');
  let run: EvalRun;
  try {
    run = await runEval(core.settings, await core.chromaUrl(), set, questions, {
      embedModels,
      ks,
      reranker,
      onProgress: ({ stage, label, done, total }) => bar.update(done, total, stage === 'indexing' ? `indexing ${label}` : label),
    });
  } finally {
    bar.stop();
  }
  if (options.json) printJson(run.report);
  else printTables(run, [...new Set(ks)].sort((a, b) => a - b));
  return ExitCode.ok;
}
