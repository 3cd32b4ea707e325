import { ingestPaths, ingestReport } from '../app/ingest.js';
import type { CitebotCore } from '../core.js';
import { ingestTotalsLine } from './command-text.js';
import { ExitCode } from './exit-codes.js';
import { printJson, progressBar, table } from './output.js';

export type { IngestReport } from '../app/ingest.js';

/** `citebot ingest <paths...>`: a progress bar, then a table of what was not indexed (or of every file, when few) and the totals. */
export async function ingestCommand(core: CitebotCore, paths: string[], options: { scope: string; json?: boolean }): Promise<number> {
  const bar = progressBar(!options.json, 'Indexing');
  let report;
  try {
    report = ingestReport(
      await ingestPaths(core, paths, options.scope, ({ done, total, current }) => bar.update(done, total, current ?? '')),
    );
  } finally {
    bar.stop();
  }
  if (options.json) printJson(report);
  else {
    const shown = report.files.length <= 40 ? report.files : report.files.filter((f) => f.status === 'failed' || f.status === 'skipped');
    if (shown.length)
      process.stdout.write(
        table(
          ['file', 'status', 'chunks', 'note'],
          shown.map((f) => [f.path, f.status, f.chunks, f.error ?? (f.ocrPages ? `${f.ocrPages} page(s) read by OCR` : '')]),
        ) + '\n',
      );
    process.stdout.write(ingestTotalsLine(report, options.scope) + '\n');
  }
  return report.totals.failed + report.totals.skipped > 0 ? ExitCode.partial : ExitCode.ok;
}
