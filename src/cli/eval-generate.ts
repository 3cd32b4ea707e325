/**
 * `citebot eval --generate N [--scope S] [--apply]`: a question set from the scope's own chunks, the
 * calibration over it, a table, a chart (--out) and the recommended settings; --apply writes them to the
 * CITEBOT_CONFIG file. The user's index is only read.
 */
import type { Settings } from '../config.js';
import type { CitebotCore } from '../core.js';
import { calibrate, type Calibration } from '../eval/calibrate.js';
import { recordCalibration } from '../eval/calibration-record.js';
import { wilson } from '../eval/confidence.js';
import type { NamedReranker } from '../eval/configurations.js';
import { generateQuestionSet, rejectedTotal, type GeneratedSet } from '../eval/generate/generated-set.js';
import { scopeChunks, scopeContentKey } from '../eval/generate/scope-chunks.js';
import type { Report, Table } from '../eval/report.js';
import { applyToSettingsFile, overriddenBy } from '../eval/settings-file.js';
import { ExitCode } from './exit-codes.js';
import { printJson, progressBar, table } from './output.js';

export interface GenerateCommandOptions {
  n: number;
  scope: string;
  embedModels: string[];
  reranker?: NamedReranker;
  maxMs: number;
  json?: boolean;
  apply?: boolean;
  env: NodeJS.ProcessEnv;
  saveReport: (report: Report) => Promise<void>;
}

/** The `--json` output. `configurations` are exactly as with --qa; `hit` also has k = RERANK_CANDIDATES (recall at the candidates). */
export interface GenerateReport {
  questions: number;
  generator: GeneratedSet['generator'];
  /** Questions per generator: the chat model's, and the cloze ones that topped them up. */
  mix: GeneratedSet['mix'];
  /** The chat model's rejected questions by why, and how many passages were asked again with the stricter prompt. */
  rejected: GeneratedSet['rejected'] & { total: number };
  retried: number;
  /** Why the chat model was not used, or stopped being asked. */
  fallback?: string;
  configurations: Calibration['configurations'][number]['result'][];
  recommendation: Calibration['recommendation'];
  recommended: string;
  margin: Calibration['margin'];
  file: string;
  applied?: string;
}

const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);

function calibrationTable(run: Calibration, ks: number[], n: number): Table {
  return {
    head: ['configuration', ...ks.map((k) => `hit@${k}`), 'hit@1 95 % CI', 'MRR@10', 'p95 ms', ''],
    rows: run.configurations.map(({ result: c, current }) => {
      const ci = wilson(Math.round((c.hit['1'] ?? 0) * n), n);
      const mark = [current ? 'current' : '', c.name === run.recommended ? 'recommended' : ''].filter(Boolean).join(', ');
      return [c.name, ...ks.map((k) => f3(c.hit[String(k)] ?? 0)), `${f3(ci.low)}–${f3(ci.high)}`, f3(c.mrr10), c.p95Ms.toFixed(1), mark];
    }),
  };
}

/** `chat-model 23, cloze 177; 211 rejected: 198 copied, 13 too long; 120 passages asked again (stricter)`. */
export function mixText(generated: GeneratedSet): string {
  const { mix, rejected, retried } = generated;
  const parts = [`chat-model ${mix['chat-model']}, cloze ${mix.cloze}`];
  const total = rejectedTotal(rejected);
  if (total) {
    const kinds = Object.entries(rejected).filter(([, count]) => count > 0);
    parts.push(`${total} rejected: ${kinds.map(([kind, count]) => `${count} ${kind}`).join(', ')}`);
  }
  if (retried) parts.push(`${retried} passage${retried === 1 ? '' : 's'} asked again with a stricter prompt`);
  return parts.join('; ');
}

function summaryLines(generated: GeneratedSet, run: Calibration, applied?: string, overridden: string[] = []): string[] {
  const m = run.margin;
  const lines = [
    `${generated.set.questions.length} questions (${mixText(generated)}${generated.cached ? '; cached' : ''}) in ${generated.file}`,
    ...(generated.fallbackReason ? [`Inverse-cloze questions made up the rest: ${generated.fallbackReason}.`] : []),
    ...(run.rerankerSkipped ? [`Reranker not calibrated: ${run.rerankerSkipped}.`] : []),
    `Recommended: ${run.recommended} (p95 within ${run.latencyBudgetMs} ms): ${Object.entries(run.recommendation)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
    m.over === run.recommended
      ? `The current settings are already the best on this set.`
      : `hit@1 ${signed(m.hit1)} over the current settings (${m.over}), 95 % interval ${signed(m.low)} to ${signed(m.high)}${m.low <= 0 ? ': within noise on this many questions' : ''}.`,
  ];
  if (applied) lines.push(`Written to ${applied}.`);
  if (overridden.length)
    lines.push(
      `Set in the environment or .env, which override ${applied}: ${overridden.join(', ')}; unset them for the file to take effect.`,
    );
  if (!applied) lines.push('Nothing was changed; --apply writes these settings to the CITEBOT_CONFIG file.');
  return lines;
}

export async function generateAndCalibrate(core: CitebotCore, options: GenerateCommandOptions): Promise<number> {
  const settings: Settings = core.settings;
  const chunks = await scopeChunks(core.index, options.scope);
  const bar = progressBar(!options.json, 'Generating questions');
  let generated: GeneratedSet;
  try {
    generated = await generateQuestionSet(settings, options.scope, chunks, options.n, (done, total) => bar.update(done, total));
  } finally {
    bar.stop();
  }
  const ks = [...new Set([1, 5, 10, settings.RERANK_CANDIDATES])].sort((a, b) => a - b);
  const calibrating = progressBar(!options.json, 'Calibrating');
  let run: Calibration;
  try {
    run = await calibrate(settings, await core.chromaUrl(), generated.set, {
      embedModels: options.embedModels,
      ks,
      reranker: options.reranker,
      latencyBudgetMs: options.maxMs,
      onProgress: ({ stage, label, done, total }) => calibrating.update(done, total, stage === 'indexing' ? `indexing ${label}` : label),
    });
  } finally {
    calibrating.stop();
  }
  recordCalibration(settings.DATA_DIR, options.scope, {
    at: new Date().toISOString(),
    contentKey: scopeContentKey(chunks),
    chunks: chunks.length,
    recommendation: { ...run.recommendation },
  });
  const values = { ...run.recommendation } as Record<string, string | number>;
  // A reranker that could not be tried is not turned off by --apply: it may load on the next run.
  if (run.rerankerSkipped) {
    delete values.RERANKER;
    delete values.RERANK_CANDIDATES;
  }
  let applied: string | undefined;
  if (options.apply) applied = applyToSettingsFile(options.env.CITEBOT_CONFIG, values);
  const overridden = applied ? overriddenBy(options.env, values) : [];

  const n = generated.set.questions.length;
  const tableOf = calibrationTable(run, ks, n);
  const lines = summaryLines(generated, run, applied, overridden);
  if (options.json) {
    const report: GenerateReport = {
      questions: n,
      generator: generated.generator,
      mix: generated.mix,
      rejected: { ...generated.rejected, total: rejectedTotal(generated.rejected) },
      retried: generated.retried,
      ...(generated.fallbackReason && { fallback: generated.fallbackReason }),
      configurations: run.configurations.map((c) => c.result),
      recommendation: run.recommendation,
      recommended: run.recommended,
      margin: run.margin,
      file: generated.file,
      ...(applied && { applied }),
    };
    printJson(report);
  } else {
    process.stdout.write(table(tableOf.head, tableOf.rows) + '\n');
    for (const line of lines) process.stdout.write(line + '\n');
  }
  await options.saveReport({
    title: `citebot eval --generate: calibration on ${options.scope}`,
    notes: [...lines, `Recall at the reranker's candidates: the hit@${settings.RERANK_CANDIDATES} column.`],
    tables: [tableOf],
    chart: {
      title: `hit@k per configuration (${n} generated questions, ${options.scope})`,
      series: ks.map((k) => `hit@${k}`),
      rows: run.configurations.map(({ result: c }) => ({ name: c.name, values: ks.map((k) => c.hit[String(k)] ?? 0) })),
    },
  });
  return ExitCode.ok;
}
