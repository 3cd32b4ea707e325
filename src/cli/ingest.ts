import type { CitebotCore } from '../core.js';
import type { IngestResult, IngestStatus } from '../ingest/indexer.js';
import { collectLocalSources } from '../ingest/local-files.js';
import { ExitCode } from './exit-codes.js';
import { printJson, progressBar, table } from './output.js';

export interface IngestReport {
  files: { path: string; status: IngestStatus; chunks: number; error?: string }[];
  totals: Record<IngestStatus, number> & { files: number; chunks: number };
}

export function summarize(results: (IngestResult & { path: string })[]): IngestReport {
  const totals = { files: results.length, chunks: 0, indexed: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  for (const r of results) {
    totals[r.status]++;
    totals.chunks += r.chunks;
  }
  return {
    files: results.map((r) => ({ path: r.path, status: r.status, chunks: r.chunks, ...(r.error && { error: r.error }) })),
    totals,
  };
}

export async function ingestCommand(core: CitebotCore, paths: string[], options: { scope: string; json?: boolean }): Promise<number> {
  const { sources, missing, passedOver } = await collectLocalSources(paths, options.scope);
  const indexer = await core.indexer();
  const bar = progressBar(!options.json, 'Indexing');
  let results: IngestResult[];
  try {
    results = await indexer.ingestAll(sources, ({ done, total, current }) => bar.update(done, total, current ?? ''));
  } finally {
    bar.stop();
  }
  const rows = [
    ...results.map((r, i) => ({ ...r, path: sources[i]!.url })),
    ...missing.map((path) => ({
      path,
      scope: options.scope,
      docId: '',
      source: path,
      status: 'failed' as const,
      chunks: 0,
      error: 'no such file or folder',
    })),
    ...passedOver.map(({ path, reason }) => ({
      path,
      scope: options.scope,
      docId: '',
      source: path,
      status: 'skipped' as const,
      chunks: 0,
      error: reason,
    })),
  ];
  const report = summarize(rows);
  if (options.json) printJson(report);
  else {
    const shown = report.files.length <= 40 ? report.files : report.files.filter((f) => f.status === 'failed' || f.status === 'skipped');
    if (shown.length)
      process.stdout.write(
        table(
          ['file', 'status', 'chunks', 'note'],
          shown.map((f) => [f.path, f.status, f.chunks, f.error ?? '']),
        ) + '\n',
      );
    const t = report.totals;
    process.stdout.write(
      `${t.files} files: ${t.indexed} indexed, ${t.updated} updated, ${t.unchanged} unchanged, ${t.skipped} skipped, ${t.failed} failed; ${t.chunks} chunks in scope ${options.scope}\n`,
    );
  }
  return report.totals.failed + report.totals.skipped > 0 ? ExitCode.partial : ExitCode.ok;
}
