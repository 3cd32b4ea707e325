/**
 * What `citebot eval` shows: the same rows as a terminal table and, with `--out report.md`, as a
 * Markdown report with an SVG chart of hit rates written next to it (report.md → report.svg).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { hitChartSvg } from './hit-chart.js';
import type { DocsEvalRun } from './run-docs-eval.js';
import type { EvalRun } from './run-eval.js';

export interface Table {
  head: string[];
  rows: string[][];
}

export interface Report {
  title: string;
  /** What was measured, one line each (set, questions, command). */
  notes: string[];
  tables: Table[];
  chart: Parameters<typeof hitChartSvg>[0];
}

export function retrievalTables(run: EvalRun, ks: readonly number[]): Table[] {
  return [
    {
      head: ['configuration', ...ks.map((k) => `hit@${k}`), 'recall@10', 'MRR@10', 'p50 ms', 'p95 ms'],
      rows: run.report.configurations.map((c) => [
        c.name,
        ...ks.map((k) => (c.hit[String(k)] ?? 0).toFixed(3)),
        c.recall10.toFixed(3),
        c.mrr10.toFixed(3),
        c.p50Ms.toFixed(1),
        c.p95Ms.toFixed(1),
      ]),
    },
    {
      head: ['embedding model', 'passages', 'chunks embedded', 'index s', 'texts/s'],
      rows: run.indexing.map((i) => [
        i.embedModel,
        String(i.passages),
        String(i.chunksEmbedded),
        i.seconds.toFixed(1),
        i.textsPerSecond === undefined ? 'cached' : i.textsPerSecond.toFixed(1),
      ]),
    },
  ];
}

/** Passages an embedding model's index could not take: the run went on without them. */
export function retrievalNotes(run: EvalRun): string[] {
  return run.indexing
    .filter((i) => i.failed?.length)
    .map((i) => `Passages not indexed with ${i.embedModel} (their questions count as misses): ${i.failed!.join('; ')}.`);
}

export function retrievalReport(run: EvalRun, ks: readonly number[], qa: string): Report {
  return {
    title: 'citebot eval: retrieval',
    notes: [
      `Questions: ${run.report.questions} from \`${qa}\`.`,
      'A hit: a retrieved chunk contains a gold answer (for a question without answers: comes from its passage).',
      ...retrievalNotes(run),
    ],
    tables: retrievalTables(run, ks),
    chart: {
      title: `hit@k per configuration (${run.report.questions} questions)`,
      series: ks.map((k) => `hit@${k}`),
      rows: run.report.configurations.map((c) => ({ name: c.name, values: ks.map((k) => c.hit[String(k)] ?? 0) })),
    },
  };
}

export function docsTables(run: DocsEvalRun): Table[] {
  const r = run.report;
  return [
    {
      head: ['configuration', 'questions', 'document hit@1', 'section hit@1', 'document hit@5', 'p50 ms', 'p95 ms'],
      rows: [
        [
          run.configuration,
          String(r.questions),
          r.documentHit1.toFixed(3),
          r.sectionHit1.toFixed(3),
          r.documentHit5.toFixed(3),
          run.p50Ms.toFixed(1),
          run.p95Ms.toFixed(1),
        ],
      ],
    },
    {
      head: ['embedding model', 'files', 'chunks embedded', 'index s', 'texts/s'],
      rows: [
        [
          run.indexing.embedModel,
          String(run.indexing.passages),
          String(run.indexing.chunksEmbedded),
          run.indexing.seconds.toFixed(1),
          run.indexing.textsPerSecond === undefined ? 'cached' : run.indexing.textsPerSecond.toFixed(1),
        ],
      ],
    },
  ];
}

/** Warnings that change how the numbers read. */
export function docsNotes(run: DocsEvalRun): string[] {
  const notes: string[] = [];
  if (run.indexing.failed?.length) notes.push(`Files not indexed: ${run.indexing.failed.join('; ')}.`);
  if (run.missingDocuments.length)
    notes.push(`Gold documents not indexed (their questions count as misses): ${run.missingDocuments.join(', ')}.`);
  if (run.sectionNotFound)
    notes.push(
      `${run.sectionNotFound} questions name a section citebot cannot find in its document (no such heading, e.g. plain text): they count as section misses.`,
    );
  return notes;
}

export function docsReport(run: DocsEvalRun, qa: string, docs: string): Report {
  const r = run.report;
  return {
    title: 'citebot eval: end to end',
    notes: [
      `Questions: ${r.questions} from \`${qa}\`, over the files in \`${docs}\`, through ingest and the retrieval and rerank path of \`ask\` (no LLM).`,
      'Top citation from the gold document (document hit@1) and from its gold section (section hit@1); gold document among the top 5 (document hit@5).',
      ...docsNotes(run),
    ],
    tables: docsTables(run),
    chart: {
      title: `Top citations (${r.questions} questions)`,
      series: ['document hit@1', 'section hit@1', 'document hit@5'],
      rows: [{ name: run.configuration, values: [r.documentHit1, r.sectionHit1, r.documentHit5] }],
    },
  };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(table: Table): string {
  return [
    `| ${table.head.map(cell).join(' | ')} |`,
    `|${table.head.map(() => '---').join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The chart's file: next to the report, same name, .svg. */
export function chartPath(out: string): string {
  const name = basename(out).replace(/\.(md|markdown)$/i, '');
  return join(dirname(out), `${name}.svg`);
}

export function reportMarkdown(report: Report, chartFile: string): string {
  return [
    `# ${report.title}`,
    '',
    ...report.notes.map((n) => `- ${n}`),
    '',
    ...report.tables.flatMap((t) => [markdownTable(t), '']),
    `![${report.chart.title}](${encodeURI(chartFile)})`,
    '',
  ].join('\n');
}

/** Write the Markdown report and its chart; returns both paths. */
export async function writeReport(out: string, report: Report): Promise<{ markdown: string; chart: string }> {
  const chart = chartPath(out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(chart, hitChartSvg(report.chart));
  await writeFile(out, reportMarkdown(report, basename(chart)));
  return { markdown: out, chart };
}
